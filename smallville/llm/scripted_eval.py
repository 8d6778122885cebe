"""Scripted answers of the evaluation judge's kinds: deterministic rules, no taste.

An answer's rating is 1, plus 1 each for: not a refusal ("I don't know", "not sure",
"don't remember"), at least 8 words, at least 20 words, a proper name or a number
after its first word (something specific); at most 5. A comparison prefers the
higher-rated answer, the longer one on a tie, and says "same" when they are equal.
"""

from __future__ import annotations

import random
import re

from smallville.llm import schemas_eval as e

REFUSALS = ("don't know", "not sure", "don't remember", "do not know", "do not remember")
_SPECIFIC = re.compile(r"(?<!^)(?<![.!?] )\b([A-Z][a-z]+|\d+)\b")


def score(answer: str) -> tuple[int, list[str]]:
    """The rule's rating of ``answer`` and the reasons it earned points."""
    why = []
    if not any(r in answer.lower() for r in REFUSALS):
        why.append("it answers")
    n = len(answer.split())
    if n >= 8:
        why.append("it says enough")
    if n >= 20:
        why.append("it gives detail")
    if _SPECIFIC.search(answer.strip()):
        why.append("it names someone or something specific")
    return min(5, 1 + len(why)), why


def eval_rate(i: e.EvalRateIn, rng: random.Random) -> e.EvalRating:
    rating, why = score(i.answer)
    reason = ", ".join(why) if why else "it does not answer"
    return e.EvalRating(rating=rating, reason=f"Rated {rating}: {reason}.")


def eval_compare(i: e.EvalCompareIn, rng: random.Random) -> e.EvalComparison:
    a, b = score(i.answer_a)[0], score(i.answer_b)[0]
    if (a, len(i.answer_a)) == (b, len(i.answer_b)) or i.answer_a == i.answer_b:
        return e.EvalComparison(better="same", reason="Both answers are equally believable.")
    better = "A" if (a, len(i.answer_a)) > (b, len(i.answer_b)) else "B"
    return e.EvalComparison(
        better=better, reason=f"Answer {better} is more specific ({max(a, b)} against {min(a, b)})."
    )
