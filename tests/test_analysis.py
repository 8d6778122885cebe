"""Metrics on runs whose answers are known: a whisper passed along three conversations,
two residents who never meet, who was at the party."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from handmade import START, new_run

from smallville import gametime as gt
from smallville.analysis import analyze, coordination, diffusion, relationships
from smallville.cli import main
from smallville.replay import Run
from smallville.runfile import (
    ActionRow,
    AgentRow,
    ConversationRow,
    MemoryRow,
    PlanRow,
    PositionRow,
    RunLog,
    TickRow,
    UtteranceRow,
)

ROOT = Path(__file__).resolve().parents[1]
NAMES = ["Ann", "Bob", "Cat", "Dan", "Eve"]


def build(path: Path) -> Path:
    """Ann is whispered the fact; Ann tells Bob (tick 100), Bob tells Cat (200), Cat tells
    Dan (300). Eve talks with nobody. Bob and Cat are at the cafe during the party."""
    scenario = {
        "name": "t",
        "facts": {
            "party": {
                "description": "a party",
                "keywords": ["party"],
                "place": "Cafe",
                "start": "2023-02-13 07:00",
                "end": "2023-02-13 08:00",
            }
        },
    }
    log = new_run(path, "2023-02-13 08:20", scenario=scenario, llm={"backend": "scripted"})
    emb = np.zeros(4, np.float32).tobytes()
    for i, n in enumerate(NAMES):
        log.add(AgentRow(i, n, json.dumps({"name": n, "age": 30})))
        log.add(PositionRow(-1, i, 1, 1))
    mem_id = dict.fromkeys(range(5), 0)

    def memory(agent, tick, text, source, kind="observation"):
        log.add(MemoryRow(agent, mem_id[agent], tick, 0, kind, "", text, 5, "[]", 0, source, emb))
        mem_id[agent] += 1

    memory(0, 10, "There is a party at the Cafe at 7 am", "whisper:1")
    memory(4, 10, "Eve is reading", "")
    for cid, (a, b, tick) in enumerate([(0, 1, 100), (1, 2, 200), (2, 3, 300)], start=1):
        log.add(ConversationRow(cid, tick - 5, tick, a, b, "the Cafe:Corner Cafe:cafe"))
        log.add(UtteranceRow(cid, 1, tick - 2, a, "Did you hear about the party?"))
        memory(
            b,
            tick,
            f"{NAMES[b]} talked with {NAMES[a]}: there is a party",
            f"conversation:{cid}",
            "chat",
        )
    for agent in (1, 2):
        log.add(
            ActionRow(
                360,
                agent,
                0,
                3600,
                "at the party",
                "the Cafe:Cafe:cafe:cafe table",
                "🎉",
                NAMES[agent],
                "is at",
                "party",
                None,
                "party",
            )
        )
    log.add(PlanRow(50, 1, "day", json.dumps({"items": ["go to the party at 7:00 am"]})))
    for t in range(0, 500):
        log.add(TickRow(t, gt.parse(START) + 10 * t))
    log.commit()
    log.close()
    return path


@pytest.fixture
def run(tmp_path):
    with Run.open(build(tmp_path / "known.sqlite")) as r:
        yield r


def test_diffusion_follows_the_chain(run):
    """Who knows, since when, and who told whom."""
    d = diffusion(run)["party"]
    assert [k["resident"] for k in d["knows"]] == ["Ann", "Bob", "Cat", "Dan"]
    assert d["knows"][0]["how"] == "whisper" and d["share"] == pytest.approx(4 / 5)
    assert [(c["from"], c["to"]) for c in d["chain"]] == [
        ("Ann", "Bob"),
        ("Bob", "Cat"),
        ("Cat", "Dan"),
    ]
    assert d["chain"][0]["time"] == "2023-02-13 06:16"


def test_a_conversation_in_which_the_fact_was_said_counts(tmp_path):
    """Eve hears of the party from Dan; her memory of the talk does not repeat the word,
    and a conversation that never mentions it teaches nothing."""
    path = build(tmp_path / "said.sqlite")
    log = RunLog.open(path)
    emb = np.zeros(4, np.float32).tobytes()
    talks = ((5, 380, "Nice day, isn't it?"), (4, 400, "Cat says there is a party tonight"))
    for i, (cid, tick, line) in enumerate(talks):
        log.add(ConversationRow(cid, tick - 5, tick, 3, 4, "the Cafe:Corner Cafe:cafe"))
        log.add(UtteranceRow(cid, 1, tick - 2, 3, line))
        text = "Eve talked with Dan about the evening"  # the same, fact-free summary
        source = f"conversation:{cid}"
        log.add(MemoryRow(4, 1 + i, tick, 0, "chat", "", text, 5, "[]", 0, source, emb))
    log.commit()
    log.close()
    with Run.open(path) as r:
        d = diffusion(r)["party"]
    eve = next(k for k in d["knows"] if k["resident"] == "Eve")
    assert (eve["how"], eve["source"], eve["tick"]) == ("conversation", "Dan", 400)
    assert d["chain"][-1] == {"from": "Dan", "to": "Eve", "time": "2023-02-13 07:06"}
    assert d["share"] == 1.0


def test_relationships_density_and_strangers(run):
    """Three conversations among five residents: density 3/10; Eve has no edge."""
    rel = relationships(run)
    end = [p for p in rel["densities"] if p["at"] == "end"][-1]
    assert end["talked_density"] == pytest.approx(3 / 10)
    assert rel["densities"][0]["talked_density"] == 0
    assert rel["degree"]["Eve"] == 0 and rel["degree"]["Bob"] == 2
    assert ["Ann", "Eve"] not in [e[:2] for e in rel["edges"]]
    assert rel["knows_edges"]["start"] == []
    assert rel["knows_edges"]["end"] == [["Ann", "Bob"], ["Bob", "Cat"], ["Cat", "Dan"]]


def test_coordination_told_planned_attended(run):
    """Told: the four who know; planned: Bob; attended: Bob and Cat."""
    c = coordination(run)["party"]
    assert c["told"] == ["Ann", "Bob", "Cat", "Dan"]
    assert c["planned"] == ["Bob"] and c["attended"] == ["Bob", "Cat"]
    assert c["attended_of_told"] == pytest.approx(0.5)


def test_planned_counts_plan_thoughts_not_phrases(tmp_path):
    """A plan thought naming the event counts as planning to go, whatever its wording; a
    memo that says "go to the party" does not (no scripted model's phrases)."""
    path = build(tmp_path / "plans.sqlite")
    log = RunLog.open(path)
    emb = np.zeros(4, np.float32).tobytes()
    for agent, subkind, text in (
        (2, "plan", "Cat will be at the party tonight"),
        (3, "memo", "Dan heard Cat say: go to the party at 7"),
    ):
        log.add(MemoryRow(agent, 50, 400, 0, "thought", subkind, text, 5, "[]", 1, "", emb))
    log.commit()
    log.close()
    with Run.open(path) as r:
        assert coordination(r)["party"]["planned"] == ["Bob", "Cat"]


def test_a_conversations_plan_is_a_plan_thought(tmp_path):
    """When a conversation leads to a plan, the plan is remembered as a plan thought,
    beside the conversation's memo, and coordination counts it."""
    scenario = tmp_path / "party.json"
    fact = {"description": "Ana's birthday party", "keywords": ["birthday party"]}
    fact |= {"place": "Corner Cafe", "start": "2023-02-13 17:00", "end": "2023-02-13 19:00"}
    seed = "Ana Carter is hosting a birthday party at the Corner Cafe on February 13 at 5 pm"
    spec = {"seed_memories": {"Ana Carter": [seed]}, "facts": {"party": fact}}
    scenario.write_text(json.dumps(spec), encoding="utf-8")
    out = tmp_path / "party.sqlite"
    argv = ["run", "--world", str(ROOT / "worlds" / "cafe.json"), "--scenario", str(scenario)]
    assert main([*argv, "--hours", "12", "--out", str(out), "--quiet"]) == 0
    with Run.open(out) as r:
        talked = [m for a in r.agents for m in r.memories(a.id) if m.source.startswith("conv")]
        subkinds = {m.subkind for m in talked if m.kind == "thought"}
        plans = [m for m in talked if m.subkind == "plan"]
        assert subkinds == {"memo", "plan"} and all("birthday party" in m.text for m in plans)
        assert {r.agent(m.agent).name for m in plans} <= set(coordination(r)["party"]["planned"])


def test_analyze_json_has_the_documented_keys(run, tmp_path, capsys):
    """`smallville analyze --json` writes every metric under the documented keys."""
    out = tmp_path / "m.json"
    assert main(["analyze", str(run.path), "--json", str(out)]) == 0
    data = json.loads(out.read_text())
    assert list(data) == [
        "run",
        "diffusion",
        "relationships",
        "coordination",
        "time_use",
        "plan_adherence",
        "llm_usage",
        "health",
    ]
    text = capsys.readouterr().out
    assert "Ann -> Bob" in text and "4 / 1 / 2" in text
    assert text.startswith("Model: scripted")
    assert text.count("not a\n  replication of the paper's numbers") == 2  # diffusion, coordination
    assert data["llm_usage"]["per_agent_day"]["cost_usd"] == 0  # the scripted model is free


def test_whispered_fact_spreads_in_a_scripted_run(tmp_path, capsys):
    """In a real scripted cafe run a whispered fact is known by the whisperee at least,
    and analyze --compare puts two runs side by side."""
    a = tmp_path / "a.sqlite"
    assert (
        main(
            [
                "run",
                "--world",
                str(ROOT / "worlds" / "cafe.json"),
                "--hours",
                "0.2",
                "--out",
                str(a),
                "--quiet",
            ]
        )
        == 0
    )
    assert (
        main(
            [
                "whisper",
                str(a),
                "Mei Tanaka",
                "Mei Tanaka is hosting a tasting party tonight at 6:00 pm",
            ]
        )
        == 0
    )
    assert main(["run", "--resume", str(a), "--hours", "4", "--quiet"]) == 0
    with Run.open(a) as r:
        r.meta["scenario"] = {"facts": {"tasting": {"description": "", "keywords": ["tasting"]}}}
        result = analyze(r)
    knows = [k["resident"] for k in result["diffusion"]["tasting"]["knows"]]
    assert knows[0] == "Mei Tanaka"
    assert main(["analyze", str(a), "--compare", str(a)]) == 0
    assert capsys.readouterr().out.count("a.sqlite") >= 2


def test_plots_are_written(run, tmp_path):
    """--plots writes the four PNG plots."""
    assert main(["analyze", str(run.path), "--plots", str(tmp_path / "p")]) == 0
    names = sorted(p.name for p in (tmp_path / "p").glob("*.png"))
    assert names == ["diffusion.png", "llm_usage.png", "relationships.png", "time_use.png"]
    assert all((tmp_path / "p" / n).stat().st_size > 10_000 for n in names)


def test_usage_is_priced_by_the_runs_model():
    """Cost comes from the run's model (a dated name is priced as its base model) and the
    price table, per kind and per agent-day; cache hits cost nothing."""
    from smallville.analysis import llm_usage

    class Priced:
        meta = {"llm": {"model": "gpt-4o-mini-2024-07-18"}}
        agents = [0, 1]
        tick_seconds = 10

        def last_tick(self):
            return 8639  # one game day

        def llm_usage(self):
            return {
                "utterance": {
                    "calls": 4,
                    "prompt_tokens": 1_000_000,
                    "completion_tokens": 1_000_000,
                    "tokens": 2_000_000,
                    "cache_hits": 0,
                    "cached_prompt_tokens": 0,
                    "cached_completion_tokens": 0,
                    "repaired": 0,
                    "fallbacks": 0,
                },
                "react": {
                    "calls": 2,
                    "prompt_tokens": 2_000_000,
                    "completion_tokens": 0,
                    "tokens": 2_000_000,
                    "cache_hits": 2,
                    "cached_prompt_tokens": 2_000_000,
                    "cached_completion_tokens": 0,
                    "repaired": 0,
                    "fallbacks": 0,
                },
            }

    u = llm_usage(Priced())
    assert u["by_kind"]["utterance"]["cost_usd"] == pytest.approx(0.15 + 0.60)
    assert u["per_agent_day"]["cost_usd"] == pytest.approx(0.75 / 2)
    assert u["by_kind"]["react"]["cost_usd"] == 0
    assert u["per_agent_day"]["calls"] == pytest.approx(3)


def test_report_names_an_endpoint_model_without_the_scripted_note(run):
    """The report names the run's backend, model and endpoint first; the note that the
    figures measure scripted rules is only for the scripted model."""
    from smallville.analysis import report

    result = analyze(run)
    result["run"]["llm"] = {
        "backend": "openai",
        "model": "qwen2.5:7b",
        "base_url": "http://localhost:11434/v1",
    }
    text = report([result], ["known.sqlite"])
    assert text.splitlines()[0] == "Model: openai, qwen2.5:7b at http://localhost:11434/v1"
    assert "scripted" not in text
