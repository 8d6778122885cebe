"""The sandbox server: determinism, resume after SIGKILL, Ctrl-C, budget, whispers,
interviews, refused resumes, headless runs."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from smallville.cli import main

ROOT = Path(__file__).resolve().parents[1]
CAFE = ["--world", str(ROOT / "worlds" / "cafe.json"), "--quiet"]


def run(*argv: str) -> int:
    return main(["run", *argv])


def dump(path: Path, capsys) -> str:
    capsys.readouterr()
    assert main(["log", "dump", str(path)]) == 0
    return capsys.readouterr().out


def cli(*argv: str, wait: bool = True, **kw):
    cmd = [sys.executable, "-m", "smallville.cli", *argv]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("OPENAI_API_KEY", None)
    if wait:
        return subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=120, **kw)
    return subprocess.Popen(
        cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env, **kw
    )


def last_tick(path: Path) -> int:
    if not path.exists():
        return -1
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as c:
            return c.execute("SELECT COALESCE(MAX(tick), -1) FROM ticks").fetchone()[0]
    except sqlite3.Error:
        return -1


@pytest.fixture(scope="module")
def baseline(tmp_path_factory):
    """An uninterrupted 3-hour cafe run and its dump."""
    out = tmp_path_factory.mktemp("base") / "base.sqlite"
    proc = cli("run", *CAFE, "--hours", "3", "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    text = cli("log", "dump", str(out)).stdout
    return out, text


def test_same_seed_gives_identical_dump(tmp_path, capsys, baseline):
    """Two runs with the same world, residents and seed log the same events."""
    out = tmp_path / "again.sqlite"
    assert run(*CAFE, "--hours", "3", "--out", str(out)) == 0
    assert dump(out, capsys) == baseline[1]
    assert baseline[1].count("\n") > 500


def test_dump_is_ordered_and_has_no_wall_clock(baseline):
    """The dump is JSON lines in tick order without wall-clock fields."""
    rows = [json.loads(line) for line in baseline[1].splitlines()]
    ticks = [
        r.get("tick", r.get("tick_start", -1)) for r in rows[4:] if r["type"] != "conversation"
    ]
    assert ticks == sorted(ticks)
    assert not any("wall" in r or "latency" in r or "created_wall" in r for r in rows)
    kinds = {r["type"] for r in rows}
    assert {"meta", "agent", "tick", "position", "action", "memory", "llm_call"} <= kinds
    objects = [r for r in rows if r["type"] == "object"]
    assert any(r["state"] == "idle" for r in objects)
    assert any(r["state"] != "idle" for r in objects)


@pytest.mark.parametrize("kill_at", [40, 400, 900])
def test_resume_after_sigkill_gives_the_same_dump(tmp_path, kill_at, baseline):
    """A run killed with SIGKILL at any moment and resumed logs the same events."""
    out = tmp_path / "killed.sqlite"
    proc = cli("run", *CAFE, "--hours", "3", "--out", str(out), wait=False)
    deadline = time.time() + 60
    while last_tick(out) < kill_at and proc.poll() is None and time.time() < deadline:
        time.sleep(0.005)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert 0 <= last_tick(out) < 1079, "the kill should land mid-run"
    resumed = cli("run", "--resume", str(out), "--quiet")
    assert resumed.returncode == 0, resumed.stderr
    assert cli("log", "dump", str(out)).stdout == baseline[1]


def test_ctrl_c_stops_at_a_tick_boundary_and_resumes(tmp_path, baseline):
    """SIGINT stops cleanly, says how to resume, and the resumed run matches."""
    out = tmp_path / "int.sqlite"
    proc = cli("run", *CAFE, "--hours", "3", "--out", str(out), wait=False)
    while last_tick(out) < 200 and proc.poll() is None:
        time.sleep(0.005)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 3
    assert last_tick(out) < 1079
    resumed = cli("run", "--resume", str(out))
    assert resumed.returncode == 0 and "reached 2023-02-13 09:00" in resumed.stdout
    assert cli("log", "dump", str(out)).stdout == baseline[1]


def test_budget_stop_then_resume_with_a_larger_budget(tmp_path, capsys, baseline):
    """A call budget stops the run cleanly; resuming with more budget finishes it."""
    out = tmp_path / "budget.sqlite"
    assert run(*CAFE, "--hours", "3", "--out", str(out), "--max-calls", "25") == 3
    text = capsys.readouterr().out
    assert "budget reached" in text and f"smallville run --resume {out}" in text
    assert run("--resume", str(out), "--max-calls", "25", "--quiet") == 3
    assert run("--resume", str(out), "--max-calls", "10000", "--quiet") == 0
    assert dump(out, capsys) == baseline[1]


def test_resume_refuses_a_changed_world(tmp_path, capsys):
    """A run file made with another world is refused with a clear message."""
    world = tmp_path / "cafe.json"
    shutil.copy(ROOT / "worlds" / "cafe.json", world)
    out = tmp_path / "w.sqlite"
    argv = ["--world", str(world), "--agents", str(ROOT / "agents" / "cafe"), "--quiet"]
    assert run(*argv, "--hours", "0.2", "--out", str(out)) == 0
    data = json.loads(world.read_text())
    data["metadata"]["description"] = "changed"
    world.write_text(json.dumps(data))
    assert run("--resume", str(out), "--hours", "1") == 2
    err = capsys.readouterr().err
    assert "different world" in err and "refusing to resume" in err


def test_whisper_is_planted_on_resume(tmp_path, capsys):
    """A whispered memory reaches the resident when the run continues."""
    out = tmp_path / "wh.sqlite"
    assert run(*CAFE, "--hours", "0.5", "--out", str(out)) == 0
    text = "Mei Tanaka is hosting a tasting evening at the Corner Cafe at 6:00 pm today"
    assert main(["whisper", str(out), "Ana Carter", text]) == 0
    assert main(["whisper", str(out), "Nobody Here", "x"]) == 2
    assert run("--resume", str(out), "--hours", "0.5", "--quiet") == 0
    rows = [json.loads(x) for x in dump(out, capsys).splitlines()]
    planted = [r for r in rows if r["type"] == "memory" and r["source"].startswith("whisper")]
    assert [r["text"] for r in planted] == [text] and planted[0]["agent"] == 0


def test_interview_answers_without_changing_the_run(tmp_path, capsys):
    """An interview answers from memory and leaves the run file byte-identical."""
    out = tmp_path / "iv.sqlite"
    assert run(*CAFE, "--hours", "0.5", "--out", str(out)) == 0
    before = hashlib.sha256(out.read_bytes()).hexdigest()
    capsys.readouterr()
    assert main(["interview", str(out), "Ben Carter", "Who is Ana Carter to you?"]) == 0
    answer = capsys.readouterr().out
    assert answer.startswith("Ben Carter (2023-02-13 06:") and "Ana" in answer
    assert main(["interview", str(out), "Ben Carter", "Anything?", "--at", "2023-02-13 06:10"]) == 0
    assert hashlib.sha256(out.read_bytes()).hexdigest() == before


def test_headless_run_never_imports_pygame(tmp_path):
    """Running a simulation does not load pygame (the viewer is a separate layer)."""
    code = (
        "import sys; from smallville.cli import main; "
        f"rc = main(['run', '--world', {str(ROOT / 'worlds' / 'cafe.json')!r}, '--hours', "
        f"'0.2', '--quiet', '--out', {str(tmp_path / 'h.sqlite')!r}]); "
        "assert rc == 0; assert 'pygame' not in sys.modules, 'pygame was imported'"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr


def test_the_ville_two_hours_with_25_residents(tmp_path, capsys):
    """All 25 residents of the Ville plan, move and act for two game hours."""
    out = tmp_path / "ville.sqlite"
    assert (
        run(
            "--world",
            str(ROOT / "worlds" / "the_ville.json"),
            "--hours",
            "2",
            "--out",
            str(out),
            "--quiet",
        )
        == 0
    )
    with sqlite3.connect(out) as c:
        agents = c.execute("SELECT COUNT(*) FROM agents").fetchone()[0]
        acting = c.execute("SELECT COUNT(DISTINCT agent) FROM actions").fetchone()[0]
        moved = c.execute("SELECT COUNT(DISTINCT agent) FROM positions").fetchone()[0]
        ticks = c.execute("SELECT COUNT(*) FROM ticks").fetchone()[0]
    assert (agents, acting, ticks) == (25, 25, 720) and moved >= 20


def test_resumed_usage_counts_cache_hits_as_free(tmp_path):
    """Earlier sessions' usage, read back on resume, prices only what an endpoint did."""
    from smallville.runfile import RunLog
    from smallville.sim.runner import _usage_from_log

    out = tmp_path / "u.sqlite"
    assert run(*CAFE, "--hours", "0.2", "--out", str(out), "--quiet") == 0
    log = RunLog.open(out)
    try:
        with log.conn:  # every other call a cache hit
            log.conn.execute("UPDATE llm_calls SET cached = (rowid % 2)")
        calls = log.calls()
        n, hits = len(calls), sum(c.cached for c in calls)
        p, c = sum(r.prompt_tokens for r in calls), sum(r.completion_tokens for r in calls)
        hp = sum(r.prompt_tokens for r in calls if r.cached)
        hc = sum(r.completion_tokens for r in calls if r.cached)
        u = _usage_from_log(log, lambda pt, ct: pt + 10 * ct)
    finally:
        log.close()
    assert 0 < hits < n
    assert (u.calls, u.cache_hits, u.requests) == (n, hits, n - hits)
    assert u.tokens == p + c and u.spent_tokens == (p - hp) + (c - hc)
    assert u.cost_usd == (p - hp) + 10 * (c - hc)


def test_bad_budget_or_prices_is_a_clear_error(tmp_path, capsys, monkeypatch):
    """A negative budget or a broken prices file is refused before anything runs."""
    out = tmp_path / "b.sqlite"
    assert run(*CAFE, "--hours", "0.1", "--out", str(out), "--max-calls", "-1") == 2
    assert "--max-calls must be 0 or more" in capsys.readouterr().err
    prices = tmp_path / "prices.json"
    prices.write_text('{"gpt-4o-mini": "cheap"}')
    monkeypatch.setenv("SMALLVILLE_PRICES", str(prices))
    assert run(*CAFE, "--hours", "0.1", "--out", str(out)) == 2
    err = capsys.readouterr().err
    assert str(prices) in err and "input_usd_per_1M" in err
    assert not out.exists()


def test_a_broken_world_is_a_clear_error_and_writes_nothing(tmp_path, capsys):
    """A world that fails to parse stops the run before a run file exists."""
    world = tmp_path / "broken.json"
    world.write_text('{"metadata": {"scene_name": "x", "grid_size": [10, "ten"]}}')
    out = tmp_path / "never.sqlite"
    argv = ["--world", str(world), "--agents", str(ROOT / "agents" / "cafe")]
    assert run(*argv, "--hours", "1", "--out", str(out)) == 2
    err = capsys.readouterr().err
    assert f"{world}: metadata.grid_size[1]" in err and "Traceback" not in err
    assert not out.exists()


class Jitter:
    """The scripted model's answers, each after a random delay: calls in flight finish
    in a different order on every seed."""

    def __init__(self, seed: int) -> None:
        import random

        from smallville.llm.scripted import ScriptedModel

        self.inner = ScriptedModel()
        self.name = self.inner.name
        self.rng = random.Random(seed)

    async def run(self, task):
        import asyncio

        await asyncio.sleep(self.rng.random() * 0.002)
        return await self.inner.run(task)

    async def embed(self, texts):
        import asyncio

        await asyncio.sleep(self.rng.random() * 0.001)
        return await self.inner.embed(texts)


def ville_hours(out: Path, backend, engine: str = "out-of-order") -> str:
    """Run the Ville 06:00-08:00 in-process with ``backend``; return the dump."""
    from inprocess import run_town

    from smallville.llm import LLM
    from smallville.runfile import RunLog

    llm = LLM(backend, concurrency=16)
    assert run_town("the_ville", out, llm, hours=2, engine=engine).reason == "done"
    log = RunLog.open(out, readonly=True)
    try:
        return "".join(line + "\n" for line in log.dump())
    finally:
        log.close()


@pytest.fixture(scope="module")
def ville_plain(tmp_path_factory):
    from smallville.llm.scripted import ScriptedModel

    out = tmp_path_factory.mktemp("plain") / "plain.sqlite"
    return ville_hours(out, ScriptedModel(), engine="lockstep")


@pytest.mark.parametrize("seed", [1, 2])
def test_dump_does_not_depend_on_how_calls_interleave(tmp_path, seed, ville_plain):
    """25 residents deciding at once, answers arriving in random order (also the two
    chains a resident runs together when a conversation ends), residents on their own
    clocks: the lock-step engine's dump, with no delays."""
    assert '"type":"utterance"' in ville_plain  # conversations, not just plans, compared
    assert ville_hours(tmp_path / "jitter.sqlite", Jitter(seed)) == ville_plain


def test_a_finished_run_is_one_file_readers_leave_alone(tmp_path, capsys):
    """After the run the file leaves WAL mode: dump, analyze and interview add no
    -wal / -shm files beside it, and resuming works (WAL again while it runs)."""
    out = tmp_path / "one.sqlite"
    assert run(*CAFE, "--hours", "0.2", "--out", str(out)) == 0
    dump(out, capsys)
    assert main(["analyze", str(out)]) == 0
    assert main(["interview", str(out), "Ana Carter", "How was your morning?"]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["one.sqlite"]
    assert run("--resume", str(out), "--hours", "0.2", "--quiet") == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["one.sqlite"]


def test_a_resumed_run_counts_earlier_repairs_and_fallbacks(tmp_path):
    """The whole-run usage a resume starts from keeps repaired answers and fallbacks."""
    from smallville.runfile import CallRow, RunLog
    from smallville.sim.runner import _usage_from_log

    log = RunLog.create(tmp_path / "r.sqlite", {"config": {}})
    for outcome in ("valid", "repaired", "fallback", "repaired"):
        row = (0, 0, "daily_plan", 10, 5, 0, int(outcome == "fallback"), 0, None, outcome)
        log.add(CallRow(*row, None if outcome == "valid" else "plan_examples", 0.1))
    log.commit()
    u = _usage_from_log(log, lambda prompt, completion: 0.0)
    log.close()
    assert (u.calls, u.repaired, u.fallbacks, u.tokens) == (4, 2, 1, 60)


def test_a_resident_the_world_does_not_name_starts_in_its_living_area(tmp_path):
    """A world with no spawn point for a resident (any World Scaffold file, residents
    made for it later) starts them on free tiles of their living areas."""
    from smallville.cognition.persona import load_personas
    from smallville.llm import LLM
    from smallville.llm.scripted import ScriptedModel
    from smallville.sim.engine import Simulation
    from smallville.world import World

    world = World.load(ROOT / "worlds" / "cafe.json")
    for src in (ROOT / "agents" / "cafe").glob("*.json"):
        shutil.copy(src, tmp_path / src.name)
    newcomers = ("Zoe Park", "Yuri Park")
    for name in newcomers:
        p = json.loads((tmp_path / "ana_carter.json").read_text())
        p.update(name=name, memories=[], living_area="the Cafe:Rowan Cottage:bedroom")
        (tmp_path / f"{name.split()[0].lower()}.json").write_text(json.dumps(p))
    personas = load_personas(tmp_path, [a.address for a in world.places.arenas])
    sim = Simulation(world, personas, LLM(ScriptedModel()), start=0)
    spawned = {s.name for s in world.places.spawns}
    assert not spawned & set(newcomers)
    starts = {m.name: sim.state.positions[m.id] for m in sim.minds}
    bedroom = {tuple(t) for t in world.places.tiles("the Cafe:Rowan Cottage:bedroom").tolist()}
    assert all(
        starts[n] in bedroom and world.grid.walkable[starts[n][1], starts[n][0]] for n in newcomers
    )
    assert len(set(starts.values())) == len(starts)  # nobody starts on another's tile
