"""Prompt kinds of the controlled evaluation (``smallville eval --judge``): a judge rates
one interview answer, or says which of two answers to the same question is the more
believable. The resident is given as text (name and background), not as a persona
brief: the judge reads about the resident, it does not speak for it.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from smallville.llm.schema_base import In, Out

VERDICTS = ("A", "B", "same")


# -------------------------------------------------------------------- eval_rate
class EvalRateIn(In):
    resident: str  # the resident's name
    about: str  # who the resident is: age, background
    question: str
    answer: str


class EvalRating(Out):
    rating: int = Field(ge=1, le=5)  # 1: not believable at all, 5: fully believable
    reason: str = Field(min_length=1, max_length=300)


# ----------------------------------------------------------------- eval_compare
class EvalCompareIn(In):
    resident: str
    about: str
    question: str
    answer_a: str
    answer_b: str


class EvalComparison(Out):
    better: Literal["A", "B", "same"]
    reason: str = Field(min_length=1, max_length=300)


EVAL_KINDS = {
    "eval_rate": (EvalRateIn, EvalRating),
    "eval_compare": (EvalCompareIn, EvalComparison),
}
