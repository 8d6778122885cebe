"""The paper's controlled evaluation (section 6) against a run log: every resident
interviewed in five categories under four conditions (``conditions.py``), each answer
graded against what the log says happened (``grade.py``) and, with a judge, rated and
compared (``judge.py``).

The run file is only read. Answers go through the resident's own retrieval and the
``interview`` prompt, as ``smallville interview`` does.
"""

from __future__ import annotations

import asyncio
import dataclasses
from pathlib import Path

from smallville import gametime as gt
from smallville.cognition.converse import interview as ask
from smallville.evaluation.conditions import CONDITIONS
from smallville.evaluation.grade import grade
from smallville.evaluation.questions import CATEGORIES, Ground, Question
from smallville.replay import Run
from smallville.sim.interventions import ResidentAt, recall, resident_named, residents_at

# Park et al. 2023, figure 8: TrueSkill ratings (mu) of the conditions and the human
# authors, from 100 evaluators ranking the interview answers
PAPER_TRUESKILL = {
    "full": 29.89,
    "no_reflection": 26.88,
    "no_reflection_no_planning": 25.64,
    "human": 22.95,
    "no_memory": 21.21,
}
SCRIPTED_NOTE = "a pipeline check, not a measure of believability"


async def evaluate(path: Path, llm, *, at: str | None = None, residents=None, judge=None) -> dict:
    """Interview, grade and (with ``judge``, an LLM) judge; JSON-able results
    (``docs/analysis/SCHEMA.md``, "smallville eval")."""
    path = Path(path)
    with Run.open(path) as run:
        everyone = [a.name for a in run.agents]
        chosen = [resident_named(everyone, n, path) for n in residents] if residents else everyone
        read = residents_at(path, chosen, at)
        tick = read[0].tick if read else -1
        now = read[0].now if read else run.start_time
        ground = Ground(run, tick, now)
        out: dict[str, dict] = {}
        for name, r in zip(chosen, read, strict=True):
            others = [n for n in everyone if n != name]
            qs = ground.questions(run.agent(name).id)
            out[name] = await _interview(llm, r, qs, others)
        meta_llm = run.meta.get("llm") or {}
        about = {a.name: _about(a.persona) for a in run.agents}
    result = {
        "run": str(path),
        "at": gt.fmt(now),
        "tick": tick,
        "model": {
            "backend": meta_llm.get("backend"),
            "model": meta_llm.get("model"),
            "scripted": meta_llm.get("backend") == "scripted",
        },
        "conditions": list(CONDITIONS),
        "categories": list(CATEGORIES),
        "residents": out,
    }
    if judge is not None:
        from smallville.evaluation.judge import judge_all

        result["judge"] = await judge_all(judge, result, about)
    result["summary"] = summary(result)
    return result


def _about(persona: dict) -> str:
    """Who a resident is, for the judge: age, traits, background."""
    parts = [f"Age {persona.get('age')}", persona.get("innate", ""), persona.get("learned", "")]
    return "; ".join(p for p in parts if p)


async def _interview(llm, r: ResidentAt, questions: list[Question], others) -> dict:
    """One resident's questions, by category, each answered under every condition."""
    subsets = {
        c: dataclasses.replace(r, stream=r.stream.subset(keep) if r.stream else None)
        for c, keep in CONDITIONS.items()
    }

    async def answer(q: Question, cond: str) -> dict:
        memories = await recall(subsets[cond], llm, q.text)
        said = await ask(llm, r.persona.brief(), gt.fmt(r.now), q.text, memories)
        score = await grade(llm, q.grader, said, q.truth, others)
        return {"answer": said, "score": score, "memories": len(memories)}

    jobs = [answer(q, c) for q in questions for c in CONDITIONS]
    done = iter(await asyncio.gather(*jobs))
    by_category: dict[str, list] = {c: [] for c in CATEGORIES}
    for q in questions:
        by_category[q.category].append(
            {
                "key": q.key,
                "question": q.text,
                "truth": q.truth,
                "grader": q.grader,
                "answers": {c: next(done) for c in CONDITIONS},
            }
        )
    return by_category


def mean_n(values: list[float]) -> dict:
    """``{"mean", "n"}`` of some scores or ratings (mean None when there are none)."""
    return {"mean": sum(values) / len(values) if values else None, "n": len(values)}


def summary(result: dict) -> dict:
    """Accuracy per condition per category: the mean of the non-None scores, with n;
    ``all``: over every graded answer of the condition."""
    acc: dict[str, dict] = {}
    for cond in result["conditions"]:
        rows = {cat: [] for cat in result["categories"]}
        for by_cat in result["residents"].values():
            for cat, entries in by_cat.items():
                rows[cat] += [
                    e["answers"][cond]["score"]
                    for e in entries
                    if e["answers"][cond]["score"] is not None
                ]
        acc[cond] = {cat: mean_n(v) for cat, v in rows.items()}
        acc[cond]["all"] = mean_n([s for v in rows.values() for s in v])
    out = {"accuracy": acc}
    if "judge" in result:
        out["judge_mean"] = result["judge"]["mean"]
        out["bradley_terry"] = result["judge"]["bradley_terry"]
    return out


_SHORT = {
    "full": "full",
    "no_reflection": "no refl.",
    "no_reflection_no_planning": "no refl./plan",
    "no_memory": "no memory",
}


def report(result: dict) -> str:
    """The result as text: log-grounded accuracy (conditions as columns, categories as
    rows), the judge's ratings when judged, and the paper's figures beside ours for a
    run on a real model."""
    conds = result["conditions"]
    model = result["model"]
    label = model.get("model") or model.get("backend") or "unknown model"
    lines = [
        f"Evaluation of {result['run']} at {result['at']} ({len(result['residents'])} "
        f"residents, model {label})",
    ]
    if model.get("scripted"):
        lines.append(f"scripted model: {SCRIPTED_NOTE}")
    lines += ["", "Accuracy against the run log (mean score, n graded answers)"]
    lines += _table(
        conds,
        [*result["categories"], "all"],
        lambda cat, c: _cell(result["summary"]["accuracy"][c][cat]),
    )
    judge = result.get("judge")
    if judge:
        lines += ["", "Judge (believability 1-5, mean) and Bradley-Terry rating (Elo points)"]
        lines += _table(
            conds,
            ["rating", "Bradley-Terry"],
            lambda row, c: (
                _cell(judge["mean"][c]) if row == "rating" else f"{judge['bradley_terry'][c]:+.0f}"
            ),
        )
    if not model.get("scripted"):
        lines += ["", "The paper's TrueSkill ratings (mu; figure 8), for comparison:"]
        lines += ["  " + ", ".join(f"{k} {v:.2f}" for k, v in PAPER_TRUESKILL.items())]
    return "\n".join(lines)


def _cell(m: dict) -> str:
    return "-" if m["mean"] is None else f"{m['mean']:.2f} ({m['n']})"


def _table(conds: list[str], rows: list[str], cell) -> list[str]:
    width = max(len(r) for r in rows) + 2
    cols = [max(len(_SHORT.get(c, c)), 12) + 2 for c in conds]
    pairs = list(zip(conds, cols, strict=True))
    head = " " * width + "".join(_SHORT.get(c, c).rjust(w) for c, w in pairs)
    body = [r.ljust(width) + "".join(cell(r, c).rjust(w) for c, w in pairs) for r in rows]
    return [head, *body]
