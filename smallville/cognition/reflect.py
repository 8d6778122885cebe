"""Reflection (paper section 4.2): questions about recent memories, insights with evidence."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

from smallville.llm import schemas as k
from smallville.llm.task import PromptTask

Recall = Callable[[str, int], Awaitable[list[k.MemoryBrief]]]


async def questions(llm, p: k.PersonaBrief, recent: Sequence[k.MemoryBrief]) -> list[str]:
    task = PromptTask(
        kind="reflection_questions",
        inputs=k.ReflectionQuestionsIn(persona=p, records=tuple(recent)),
        output=k.ReflectionQuestions,
        fallback=k.ReflectionQuestions(questions=[f"What matters most to {p.name} lately?"]),
        agent=p.name,
    )
    return list((await llm.complete(task)).questions)[:3]


async def insights(
    llm, p: k.PersonaBrief, question: str, evidence: Sequence[k.MemoryBrief], limit: int
) -> list[k.Insight]:
    """Up to ``limit`` insights, each citing only records it was shown."""
    if not evidence:
        return []
    ids = tuple(m.id for m in evidence)
    task = PromptTask(
        kind="insights",
        inputs=k.InsightsIn(persona=p, question=question, records=tuple(evidence)),
        output=k.Insights,
        fallback=k.Insights(
            insights=[k.Insight(text=f"{p.name} is thinking about: {question}", evidence=[ids[0]])]
        ),
        choices={"insights.evidence": ids},
        agent=p.name,
    )
    return list((await llm.complete(task)).insights)[:limit]


async def reflect(
    llm,
    p: k.PersonaBrief,
    recent: Sequence[k.MemoryBrief],
    recall: Recall,
    k_per_q: int,
    limit: int,
) -> list[tuple[str, list[k.Insight]]]:
    """The three questions and, for each, the insights drawn from what it recalls."""
    out = []
    for q in await questions(llm, p, recent):
        evidence = await recall(q, k_per_q)
        out.append((q, await insights(llm, p, q, evidence, limit)))
    return out
