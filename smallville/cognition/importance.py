"""Importance of new memories (paper section 4.1): the score that drives retrieval and
triggers reflection."""

from __future__ import annotations

from collections.abc import Sequence

from smallville.llm import schemas as k
from smallville.llm.task import PromptTask


async def rate(llm, p: k.PersonaBrief, texts: Sequence[str], kind: str = "event") -> list[int]:
    """Importance 1-10 of new memories, many in one request."""
    if not texts:
        return []
    out: list[int] = []
    for i in range(0, len(texts), 32):
        chunk = tuple(texts[i : i + 32])
        task = PromptTask(
            kind="importance",
            inputs=k.ImportanceIn(persona=p, texts=chunk, kind=kind),
            output=k.Importance,
            fallback=k.Importance(scores=[3] * len(chunk)),
            sizes={"scores": len(chunk)},
            agent=p.name,
        )
        out.extend((await llm.complete(task)).scores)
    return out
