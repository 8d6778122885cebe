"""Sense checks of the evaluation judge's kinds (``schemas_eval``).

What each must satisfy is listed in ``sense``: a reason that is not the question or
an answer copied back; a comparison of two identical answers is "same".
"""

from __future__ import annotations

from smallville.llm import schemas_eval as e
from smallville.llm.sense_shared import fail, norm, quote


def _copied(reason: str, *texts: str) -> bool:
    said = norm(reason)
    return any(said and said == norm(t) for t in texts)


def eval_rate(i: e.EvalRateIn, v: e.EvalRating) -> None:
    if _copied(v.reason, i.question, i.answer):
        fail("eval_reason", f"the reason {quote(v.reason)} repeats the interview; say why")


def eval_compare(i: e.EvalCompareIn, v: e.EvalComparison) -> None:
    if _copied(v.reason, i.question, i.answer_a, i.answer_b):
        fail("eval_reason", f"the reason {quote(v.reason)} repeats the interview; say why")
    if norm(i.answer_a) == norm(i.answer_b) and v.better != "same":
        fail("eval_same", f'the two answers are the same, so the verdict is "same", not {v.better}')
