"""The controlled evaluation (``smallville eval``): graders on a hand-made run whose
answers are known, then the whole pipeline on a scripted Valentine's run."""

from __future__ import annotations

import asyncio
import json
import math
from pathlib import Path

import numpy as np
import pytest
from handmade import START, new_run

from smallville import gametime as gt
from smallville.cli import main
from smallville.evaluation import CONDITIONS, evaluate, report
from smallville.evaluation import grade as g
from smallville.llm import schemas as k
from smallville.memory import MemoryStream
from smallville.runfile import (
    ActionRow,
    AgentRow,
    ConversationRow,
    MemoryRow,
    PlanRow,
    TickRow,
    UtteranceRow,
)

ROOT = Path(__file__).resolve().parents[1]
DIM = 256
NAMES = ["Ann Archer", "Bob Baker", "Cat Cole", "Dan Dunn"]
# texts the fake embedder puts at one point: paraphrases of each other
SAME = [
    {"Corner Cafe", "the coffee shop"},
    {"painting a landscape", "I will be at my easel."},
    {"Bob Baker loves jazz music", "He is fond of jazz."},
]
# question -> (the right answer, given with memories; the wrong one, given without)
ANSWERS = {
    "Give an introduction of yourself.": ("I am Ann Archer, 30.", "I don't remember."),
    "Who did you talk with today?": ("I talked with Bob.", "I talked with Cat."),
    "Where have you been today?": ("At my house, then the corner cafe.", "I don't remember."),
    "Do you know anything about party?": ("Yes, a party at the cafe.", "I don't know."),
    "What will you be doing at 07:00?": ("I will be at my easel.", "Sleeping, I guess."),
    "What have you learned about Bob Baker?": ("He is fond of jazz.", "I don't remember."),
}


class FakeLLM:
    """Answers interviews from ``ANSWERS`` and embeds texts as one-hot vectors, one per
    text (or group of ``SAME`` texts): every cosine is exactly 0 or 1."""

    def __init__(self) -> None:
        self.slots: dict[str, int] = {}

    async def embed(self, texts):
        out = np.zeros((len(texts), DIM), np.float32)
        for row, text in enumerate(texts):
            key = next((min(s) for s in SAME if text in s), text)
            out[row, self.slots.setdefault(key, len(self.slots) % DIM)] = 1.0
        return out

    async def complete(self, task):
        right, wrong = ANSWERS.get(task.inputs.question, ("Let me think.", "Let me think."))
        return k.InterviewAnswer(answer=right if task.inputs.memories else wrong)


def persona(name: str) -> str:
    return json.dumps(
        {
            "name": name,
            "age": 30,
            "innate": "kind",
            "learned": f"{name} is a painter.",
            "living_area": "the Cafe:Rowan Cottage:bedroom",
            "workplace": "the Cafe:Corner Cafe:cafe",
        }
    )


def build(path: Path) -> Path:
    """06:00-06:50. Ann (whispered the party) talks with Bob; she goes from her house to
    the cafe; her schedule has painting at 07:00; she reflected that Bob loves jazz."""
    facts = {"party": {"description": "a party", "keywords": ["party"]}}
    log = new_run(path, "2023-02-13 06:50", scenario={"facts": facts}, llm={"backend": "fake"})
    for i, n in enumerate(NAMES):
        log.add(AgentRow(i, n, persona(n)))
    vec = np.eye(DIM, dtype=np.float32)
    texts = [
        ("observation", "", "There is a party at the cafe", "whisper:1"),
        ("thought", "reflection", "Bob Baker loves jazz music", ""),
        ("thought", "plan", "Ann Archer plans to paint at 7", ""),
    ]
    for i, (kind, sub, text, source) in enumerate(texts):
        emb = vec[DIM - 1 - i].tobytes()
        log.add(MemoryRow(0, i, 5, gt.parse(START), kind, sub, text, 5, "[]", 1, source, emb))
    log.add(ConversationRow(1, 10, 20, 0, 1, "the Cafe:Corner Cafe:cafe"))
    log.add(UtteranceRow(1, 1, 12, 0, "Hello Bob!"))
    for tick, address in ((0, "the Cafe:Ann House:bedroom:bed"), (60, "the Cafe:Corner Cafe:cafe")):
        row = (tick, 0, 0, 600, "doing", address, "x", "Ann Archer", "is", "x", None, None)
        log.add(ActionRow(*row))
    blocks = [[360, 60, "having breakfast"], [420, 120, "painting a landscape"]]
    log.add(PlanRow(0, 0, "schedule", json.dumps({"blocks": blocks})))
    for t in range(300):
        log.add(TickRow(t, gt.parse(START) + 10 * t))
    log.commit()
    log.close()
    return path


def test_subset_keeps_records_and_maps_evidence():
    s = MemoryStream(4)
    e = np.eye(4, dtype=np.float32)
    s.add(kind="observation", text="a", created=10, importance=3, embedding=e[0])
    s.add(kind="observation", text="b", created=20, importance=4, embedding=e[1])
    s.add(kind="thought", subkind="reflection", text="c", created=30, importance=7,
          embedding=e[2], evidence=[0, 1])  # fmt: skip
    s.touch([1], 99)
    sub = s.subset({1, 2})
    assert len(sub) == 2 and sub.record(0).text == "b" and sub.record(0).last_accessed == 99
    assert sub.record(1).evidence == (0,) and sub.record(1).importance == 7
    assert np.allclose(sub.embedding(1), e[2])
    assert len(s.subset(CONDITIONS["no_reflection"])) == 2
    assert len(s.subset(CONDITIONS["no_memory"])) == 0


def test_graders_right_and_wrong():
    """Each grader's rule, on answers whose scores are known."""
    llm = FakeLLM()
    run = asyncio.run
    assert g.names("I met Bob and Cat.", ["Bob Baker"], NAMES[1:]) == 0.75
    assert g.names("Nobody.", ["Bob Baker"], NAMES[1:]) == 0.0
    assert run(g.places(llm, "the coffee shop", ["Corner Cafe"])) == 1.0  # embedding
    assert run(g.places(llm, "the Corner cafe and home", ["Corner Cafe", "Ann House"])) == 0.5
    assert run(g.places(llm, "anywhere", [])) is None
    assert run(g.plan(llm, "painting, a landscape", "painting a landscape")) == 1.0
    assert run(g.plan(llm, "cooking", "painting a landscape")) == 0.0
    assert g.fact("No idea about a party.", {"knows": False, "keywords": ["party"]}) == 1.0
    assert g.fact("The party!", {"knows": False, "keywords": ["party"]}) == 0.0
    truth = {"name": "Ann Archer", "age": 30, "workplace": "Corner Cafe"}
    assert g.self_knowledge("Ann here; I run the Corner Cafe.", truth) == 1.0
    assert g.self_knowledge("Ann Archer.", truth) == 0.5
    assert run(g.reflections(llm, "Well. He is fond of jazz.", ["Bob Baker loves jazz music"])) == 1
    assert run(g.reflections(llm, "He likes rock.", ["Bob Baker loves jazz music"])) == 0
    assert run(g.reflections(llm, "Anything.", None)) is None


def test_known_run_right_with_memory_wrong_without(tmp_path):
    """Questions and truths from the log; every grader gives the full condition (the
    right answer) 1 and no memory (the wrong one) 0."""
    path = build(tmp_path / "known.sqlite")
    result = asyncio.run(evaluate(path, FakeLLM(), residents=["Ann Archer"]))
    ann = result["residents"]["Ann Archer"]
    truths = {e["key"]: e["truth"] for entries in ann.values() for e in entries}
    assert truths["talked_with"] == ["Bob Baker"]
    assert truths["places"] == ["Ann House", "Corner Cafe"]
    assert truths["fact:party"] == {"knows": True, "keywords": ["party"]}
    assert truths["at 07:00"] == "painting a landscape"
    assert truths["learned_about:Bob Baker"] == ["Bob Baker loves jazz music"]
    assert truths["burning_breakfast"] is None
    for entries in ann.values():
        for e in entries:
            scores = {c: a["score"] for c, a in e["answers"].items()}
            want = (None, None) if e["grader"] is None else (1.0, 0.0)
            assert (scores["full"], scores["no_memory"]) == want, e
    assert result["summary"]["accuracy"]["full"]["memory"] == {"mean": 1.0, "n": 3}
    # without its reflection and its plan, Ann still knows the rest
    plans = ann["plans"][0]["answers"]
    assert (
        plans["no_reflection"]["memories"] == 2
        and plans["no_reflection_no_planning"]["memories"] == 1
    )
    assert "pipeline check" not in report(result)  # not a scripted run
    assert "29.89" in report(result)


@pytest.fixture(scope="module")
def valentines(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("eval") / "valentines.sqlite"
    scenario = str(ROOT / "agents" / "the_ville" / "valentines.json")
    args = ["run", "--scenario", scenario, "--hours", "12", "--llm", "scripted", "--quiet"]
    assert main([*args, "--out", str(out)]) == 0
    return out


def test_valentines_eval_table(valentines, tmp_path, capsys):
    out = tmp_path / "eval.json"
    assert main(["eval", str(valentines), "--llm", "scripted", "--json", str(out)]) == 0
    text = capsys.readouterr().out
    assert "a pipeline check, not a measure of believability" in text and "29.89" not in text
    result = json.loads(out.read_text())
    assert len(result["residents"]) == 25 and result["model"]["scripted"]
    for by_category in result["residents"].values():
        assert list(by_category) == list(result["categories"]) and len(by_category) == 5
        assert all(by_category[c] for c in by_category)
    acc = result["summary"]["accuracy"]
    assert acc["full"]["memory"]["n"] == acc["no_memory"]["memory"]["n"] == 100
    assert acc["full"]["memory"]["mean"] > acc["no_memory"]["memory"]["mean"]


def test_eval_bad_inputs(valentines, tmp_path, capsys):
    assert main(["eval", str(valentines), "--residents", "Nobody Atall", "--llm", "scripted"]) == 2
    assert "no resident named 'Nobody Atall'" in capsys.readouterr().err
    assert main(["eval", str(tmp_path / "missing.sqlite"), "--llm", "scripted"]) == 2
    assert "missing.sqlite" in capsys.readouterr().err


def test_judge_rates_every_condition(valentines, tmp_path, capsys):
    out = tmp_path / "judged.json"
    names = ["--residents", "Clara Bellini", "Samuel Hart", "Aiko Nakamura"]
    assert (
        main(["eval", str(valentines), *names, "--judge", "--llm", "scripted", "--json", str(out)])
        == 0
    )
    assert "Bradley-Terry" in capsys.readouterr().out
    result = json.loads(out.read_text())
    judge = result["judge"]
    assert set(judge["mean"]) == set(CONDITIONS)
    assert all(
        1 <= m["mean"] <= 5 and m["n"] == judge["mean"]["full"]["n"] for m in judge["mean"].values()
    )
    bt = judge["bradley_terry"]
    assert all(math.isfinite(v) for v in bt.values()) and abs(sum(bt.values())) < 1e-6
    assert bt["full"] > bt["no_memory"]
    entry = result["residents"]["Clara Bellini"]["memory"][0]
    assert len(entry["comparisons"]) == 6 and all("judge" in a for a in entry["answers"].values())


def test_bradley_terry_orders_and_centres():
    from smallville.evaluation.judge import bradley_terry

    names = ["a", "b", "c"]
    wins = {("a", "b"): 8, ("b", "a"): 2, ("b", "c"): 8, ("c", "b"): 2, ("a", "c"): 10}
    bt = bradley_terry(names, wins)
    assert bt["a"] > bt["b"] > bt["c"] and abs(sum(bt.values())) < 1e-9
    assert bradley_terry(names, {}) == pytest.approx(dict.fromkeys(names, 0.0))
