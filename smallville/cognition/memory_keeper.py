"""What a mind remembers, and when it reflects.

Perceived events wait in a backlog and are stored in batches (one request rates many).
Every memory a mind writes goes through ``MemoryKeeper.remember``: rated (unless its
importance is given), embedded, stored, and left in the outbox for the run log. Once
the importance stored since the last reflection passes the threshold, the keeper
reflects (paper section 4.2).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from smallville import gametime as gt
from smallville.cognition import reflect
from smallville.cognition.importance import rate
from smallville.cognition.settings import CognitionSettings
from smallville.cognition.snapshot import Event
from smallville.llm import schemas as k
from smallville.memory import MemoryStream, RetrievalSettings

FLUSH_SECONDS = 2 * 3600  # rate pending observations at least every two game hours
FLUSH_COUNT = 32  # or as soon as a full batch is waiting
BRIEF_CHARS = k.MEMORY_BRIEF_CHARS


@dataclass
class Backlog:
    """Perceived events not yet rated and stored, and when the last batch was."""

    events: list[Event] = field(default_factory=list)
    last_flush: int = 0


def memory_brief(stream: MemoryStream, i: int) -> k.MemoryBrief:
    """Memory ``i`` as a prompt shows it, its text cut to ``BRIEF_CHARS``."""
    r = stream.record(i)
    text = r.text if len(r.text) <= BRIEF_CHARS else r.text[: BRIEF_CHARS - 1] + "…"
    return k.MemoryBrief(
        id=i, text=text, importance=r.importance, created=gt.fmt(r.created), kind=r.kind
    )


class MemoryKeeper:
    """One mind's memory stream, the backlog of what it perceived, and its reflections."""

    def __init__(
        self,
        brief: k.PersonaBrief,
        settings: CognitionSettings,
        stream: MemoryStream,
        backlog: Backlog,
        outbox: list[tuple],
    ) -> None:
        self.brief = brief
        self.settings = settings
        self.retrieval = RetrievalSettings(
            w_recency=settings.w_recency,
            w_importance=settings.w_importance,
            w_relevance=settings.w_relevance,
            decay=settings.recency_decay,
            k=settings.retrieve_k,
        )
        self.stream = stream
        self.backlog = backlog
        self.outbox = outbox

    # ------------------------------------------------------------ perceiving
    def is_new(self, e: Event) -> bool:
        """Not among the latest stored observations, nor already waiting."""
        return not self.stream.seen_recently(e.description) and all(
            p.description != e.description for p in self.backlog.events
        )

    def flush_due(self, now: int) -> bool:
        """Has something waited in the backlog for ``FLUSH_SECONDS``?"""
        b = self.backlog
        return bool(b.events) and now - b.last_flush >= FLUSH_SECONDS

    async def observe(self, llm, now: int, fresh: Sequence[Event]) -> None:
        """Add ``fresh`` events to the backlog; store it when full or due."""
        self.backlog.events.extend(fresh)
        if len(self.backlog.events) >= FLUSH_COUNT or self.flush_due(now):
            await self.flush(llm, now)

    async def flush(self, llm, now: int) -> None:
        """Rate and store the whole backlog."""
        events = self.backlog.events
        self.backlog = Backlog(last_flush=now)
        await self.remember(llm, now, "observation", [e.description for e in events])

    # ------------------------------------------------------------ writing
    async def remember(
        self,
        llm,
        now: int,
        kind: str,
        texts: Sequence[str],
        *,
        subkind: str | Sequence[str] = "",
        importance: Sequence[int] | None = None,
        evidence: Sequence[Sequence[int]] | None = None,
        source: str = "",
        rate_as: str = "event",
    ) -> list[int]:
        """Store ``texts`` (rated as ``rate_as`` unless ``importance`` is given); a
        ``subkind`` for all of them, or one for each."""
        if not texts:
            return []
        subkinds = [subkind] * len(texts) if isinstance(subkind, str) else list(subkind)
        if importance is None:
            importance = await rate(llm, self.brief, texts, rate_as)
        vectors = await llm.embed(list(texts))
        ids = []
        for j, text in enumerate(texts):
            i = self.stream.add(
                kind=kind,
                text=text,
                created=now,
                importance=int(importance[j]),
                embedding=vectors[j],
                subkind=subkinds[j],
                evidence=tuple(evidence[j]) if evidence else (),
                source=source,
            )
            ids.append(i)
            self.outbox.append(("memory", i))
        return ids

    # ------------------------------------------------------------ reading
    async def recall(
        self, llm, query: str, now: int, n: int, touch: bool = True
    ) -> list[k.MemoryBrief]:
        """The ``n`` memories retrieval ranks best for ``query``."""
        if not self.settings.memory or len(self.stream) == 0:
            return []
        vec = (await llm.embed([query]))[0]
        ids = self.stream.retrieve(vec, now, self.retrieval, touch=touch)[:n]
        return [memory_brief(self.stream, i) for i in ids]

    def important_recent(self, now: int, n: int) -> list[k.MemoryBrief]:
        """The ``n`` most important memories of the last two days, oldest first."""
        if not self.settings.memory:
            return []
        ids = self.stream.recent(200)
        ids = [i for i in ids if now - self.stream.record(i).created <= 2 * gt.DAY]
        ids.sort(key=lambda i: (-self.stream.record(i).importance, -i))
        return [memory_brief(self.stream, i) for i in sorted(ids[:n])]

    # ------------------------------------------------------------ reflecting
    async def reflect_when_due(self, llm, now: int) -> None:
        """Reflect once the importance stored since the last reflection passes the
        threshold; the backlog is stored first, so the reflection sees it."""
        s = self.settings
        if s.reflection and self.stream.importance_since_reflection >= s.reflection_threshold:
            await self.flush(llm, now)
            await self.reflect(llm, now)

    async def reflect(self, llm, now: int) -> None:
        """Ask questions about recent memories and store the insights they lead to."""
        latest = self.stream.recent(self.settings.reflection_records)
        recent = [memory_brief(self.stream, i) for i in latest]
        results = await reflect.reflect(
            llm,
            self.brief,
            recent,
            lambda q, n: self.recall(llm, q, now, n),
            self.settings.prompt_memories,
            self.settings.insights_per_question,
        )
        for question, found in results:
            ids = await self.remember(
                llm,
                now,
                "thought",
                [i.text for i in found],
                subkind="reflection",
                evidence=[i.evidence for i in found],
                rate_as="thought",
            )
            self.outbox.append(("reflection", question, ids))
        self.stream.mark_reflected()
