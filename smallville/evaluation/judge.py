"""The judge (``smallville eval --judge``): a model rates every answer for
believability (``eval_rate``, 1-5 with a reason) and, question by question, compares
the conditions' answers pairwise (``eval_compare``); the comparisons are combined into
one rating per condition with a Bradley-Terry model.

Why Bradley-Terry rather than TrueSkill (the paper's choice, via the ``trueskill``
package): no new dependency; the fit depends on the comparisons only, not on the
order they are fed in (TrueSkill updates online, so the order matters); and the
minorisation-maximisation fit below is a few lines of closed-form updates that always
converge. Ratings are reported as Elo-like points (400 log10 of the strength), centred
so that they sum to 0: a 100-point lead means winning about 64% of comparisons. They
are on a different scale from the paper's TrueSkill mu and are not comparable in value,
only in order.
"""

from __future__ import annotations

import asyncio
import itertools
import math

from smallville.evaluation.evaluate import mean_n
from smallville.llm import schemas_eval as e
from smallville.llm.scripted import rule_answer
from smallville.llm.task import PromptTask

PRIOR = 0.5  # pseudo-wins each condition gets against each other: finite ratings always


def bradley_terry(names: list[str], wins: dict[tuple[str, str], float], rounds=500) -> dict:
    """Elo-like points (sum 0) from ``wins[(a, b)]``: how often a beat b (a tie is half a
    win each way). Fitted by Hunter's (2004) MM algorithm: p_i <- W_i / sum_j n_ij /
    (p_i + p_j), with W_i the wins of i and n_ij the games between i and j, each pair
    given ``PRIOR`` pseudo-wins either way."""
    w = {(a, b): wins.get((a, b), 0.0) + PRIOR for a in names for b in names if a != b}
    p = dict.fromkeys(names, 1.0)
    for _ in range(rounds):
        new = {}
        for a in names:
            total = sum(w[a, b] for b in names if b != a)
            denom = sum((w[a, b] + w[b, a]) / (p[a] + p[b]) for b in names if b != a)
            new[a] = total / denom if denom else 1.0
        mean_log = sum(math.log(v) for v in new.values()) / len(names)
        new = {a: v / math.exp(mean_log) for a, v in new.items()}
        done = max(abs(new[a] - p[a]) for a in names) < 1e-10
        p = new
        if done:
            break
    return {a: 400 * math.log10(p[a]) for a in names}


async def _rate(llm, name: str, about: str, question: str, answer: str) -> dict:
    inputs = e.EvalRateIn(resident=name, about=about, question=question, answer=answer)
    task = PromptTask(
        kind="eval_rate",
        inputs=inputs,
        output=e.EvalRating,
        fallback=rule_answer("eval_rate", inputs, e.EvalRating)
        or e.EvalRating(rating=3, reason="no rating"),
        agent=name,
    )
    v = await llm.complete(task)
    return {"rating": v.rating, "reason": v.reason}


async def _compare(llm, name: str, about: str, question: str, a: str, b: str) -> dict:
    inputs = e.EvalCompareIn(resident=name, about=about, question=question, answer_a=a, answer_b=b)
    task = PromptTask(
        kind="eval_compare",
        inputs=inputs,
        output=e.EvalComparison,
        fallback=rule_answer("eval_compare", inputs, e.EvalComparison)
        or e.EvalComparison(better="same", reason="no verdict"),
        agent=name,
    )
    v = await llm.complete(task)
    return {"better": v.better, "reason": v.reason}


async def _judge_entry(llm, name: str, about: str, entry: dict, conds: list[str], flip: bool):
    """Rate each condition's answer (in place) and compare every pair; every other
    question shows the pair the other way round, so a judge's taste for A or B cancels."""
    q, answers = entry["question"], entry["answers"]
    ratings = await asyncio.gather(
        *(_rate(llm, name, about, q, answers[c]["answer"]) for c in conds)
    )
    for c, r in zip(conds, ratings, strict=True):
        answers[c]["judge"] = r
    pairs = [(b, a) if flip else (a, b) for a, b in itertools.combinations(conds, 2)]
    verdicts = await asyncio.gather(
        *(
            _compare(llm, name, about, q, answers[a]["answer"], answers[b]["answer"])
            for a, b in pairs
        )
    )
    entry["comparisons"] = [
        {"a": a, "b": b, **v} for (a, b), v in zip(pairs, verdicts, strict=True)
    ]


async def judge_all(llm, result: dict, about: dict[str, str]) -> dict:
    """Judge every answer of ``result`` (adding ``judge`` to each answer and
    ``comparisons`` to each question); the mean rating per condition, the pairwise
    wins and the Bradley-Terry points."""
    conds = result["conditions"]
    n = 0
    for name, by_category in result["residents"].items():
        for entries in by_category.values():
            for entry in entries:
                await _judge_entry(llm, name, about.get(name, ""), entry, conds, flip=n % 2 == 1)
                n += 1
    wins: dict[tuple[str, str], float] = {}
    ratings: dict[str, list[int]] = {c: [] for c in conds}
    for by_category in result["residents"].values():
        for entry in (x for entries in by_category.values() for x in entries):
            for c in conds:
                ratings[c].append(entry["answers"][c]["judge"]["rating"])
            for cmp in entry["comparisons"]:
                a, b = cmp["a"], cmp["b"]
                share = {"A": 1.0, "B": 0.0}.get(cmp["better"], 0.5)  # "same": half each
                wins[a, b] = wins.get((a, b), 0.0) + share
                wins[b, a] = wins.get((b, a), 0.0) + 1.0 - share
    return {
        "mean": {c: mean_n(v) for c, v in ratings.items()},
        "wins": {f"{a} > {b}": w for (a, b), w in sorted(wins.items())},
        "bradley_terry": bradley_terry(conds, wins),
    }
