"""Reading a run back with the replay API, also while it is being written."""

from __future__ import annotations

from pathlib import Path

from smallville.cli import main
from smallville.replay import Run

ROOT = Path(__file__).resolve().parents[1]
CAFE = ["run", "--world", str(ROOT / "worlds" / "cafe.json"), "--quiet"]


def test_agents_time_and_positions(cafe_run):
    """Everyone has a position from the first tick; some have moved by the end."""
    with Run.open(cafe_run) as run:
        assert [a.name for a in run.agents] == ["Ana Carter", "Ben Carter", "Mei Tanaka"]
        start, end = run.time_range()
        assert end - start == 3 * 3600 - 10 and run.last_tick() == 1079
        first, last = run.positions_at(0), run.positions_at(run.last_tick())
        assert set(first) == set(last) == {0, 1, 2}
        assert first != last
        assert run.tick_at("2023-02-13 07:00") == 360


def test_timeline_and_actions_at(cafe_run):
    """An agent's timeline is ordered and agrees with its action at a tick."""
    with Run.open(cafe_run) as run:
        tl = run.timeline("Mei Tanaka")
        assert len(tl) > 5 and [a.tick for a in tl] == sorted(a.tick for a in tl)
        now = run.actions_at(tl[3].tick + 1)[run.agent("Mei Tanaka").id]
        assert now.description == tl[3].description or now.tick > tl[3].tick
        assert all(a.address.startswith("the Cafe:") for a in tl)


def test_conversations_and_memories(cafe_run):
    """Conversations come with their utterances; memories grow over time."""
    with Run.open(cafe_run) as run:
        convs = run.conversations()
        assert convs and all(c.utterances for c in convs)
        c = convs[0]
        assert {u.speaker for u in c.utterances} <= {c.a, c.b}
        early = run.memories("Ben Carter", 10)
        late = run.memories("Ben Carter")
        assert len(early) < len(late) and late[: len(early)] == early
        assert run.llm_usage()["utterance"]["calls"] == sum(len(x.utterances) for x in convs)


def test_reads_a_run_that_is_still_growing(cafe_run, tmp_path):
    """An open Run sees ticks committed after it was opened."""
    out = tmp_path / "grow.sqlite"
    assert main([*CAFE, "--hours", "0.5", "--out", str(out)]) == 0
    run = Run.open(out)
    before = run.last_tick()
    assert main(["run", "--resume", str(out), "--hours", "0.5", "--quiet"]) == 0
    assert run.last_tick() == before + 180
    assert run.positions_at(run.last_tick())
    run.close()
