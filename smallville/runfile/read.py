"""Named reads of a run file: every query the readers need, each returning typed rows.

Rows of one tick keep the order they were written in (``rowid``): the engine writes
them in a fixed order (agent by agent), so that order is part of the log.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from typing import Any, TypeVar

from smallville.runfile.schema import (
    TABLE_OF,
    ActionRow,
    AgentRow,
    CallRow,
    ConversationRow,
    InterventionRow,
    MemoryRow,
    PlanRow,
    PositionRow,
    ReflectionRow,
    TickRow,
    UtteranceRow,
)

R = TypeVar("R")
_OUTCOMES = ("valid", "repaired", "fallback")


@dataclass
class CallTotals:
    """One task kind's calls in a run: counts, tokens (cache hits included: what the
    work is worth; ``cached_*`` is the part no endpoint spent again), and how the
    answers came out. The one place a run file's model usage is added up."""

    calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cache_hits: int = 0
    cached_prompt_tokens: int = 0
    cached_completion_tokens: int = 0
    outcomes: dict[str, int] = field(default_factory=lambda: dict.fromkeys(_OUTCOMES, 0))
    fallbacks: int = 0
    failed_checks: dict[str, int] = field(default_factory=dict)  # most first

    @property
    def repaired(self) -> int:
        return self.outcomes.get("repaired", 0)

    @property
    def spent_prompt_tokens(self) -> int:
        return self.prompt_tokens - self.cached_prompt_tokens

    @property
    def spent_completion_tokens(self) -> int:
        return self.completion_tokens - self.cached_completion_tokens


class Reads:
    """Query methods of ``RunLog`` (which provides ``conn``)."""

    conn: sqlite3.Connection

    def _select(self, row: type[R], where: str = "", *params: Any, order: str = "") -> list[R]:
        table = TABLE_OF[row]
        sql = f"SELECT {', '.join(table.columns)} FROM {table.name}"
        sql += f" WHERE {where}" if where else ""
        sql += f" ORDER BY {order}" if order else ""
        return [row(*r) for r in self.conn.execute(sql, params)]

    # -------------------------------------------------------------- run-wide
    def last_tick(self) -> int | None:
        return self.conn.execute("SELECT MAX(tick) FROM ticks").fetchone()[0]

    def tick_at_or_before(self, time: int) -> TickRow | None:
        """The last committed tick at or before a game time."""
        rows = self._select(TickRow, "time <= ?", time, order="tick DESC LIMIT 1")
        return rows[0] if rows else None

    def tick(self, tick: int) -> TickRow | None:
        rows = self._select(TickRow, "tick = ?", tick)
        return rows[0] if rows else None

    def agents(self) -> list[AgentRow]:
        return self._select(AgentRow, order="id")

    def quick_check(self) -> list[str]:
        """SQLite's integrity check: ``["ok"]`` for a sound file."""
        return [r[0] for r in self.conn.execute("PRAGMA quick_check")]

    def states(self) -> dict[int, dict]:
        """Each resident's state at the newest checkpoint."""
        rows = self.conn.execute("SELECT agent, data FROM state")
        return {aid: json.loads(data) for aid, data in rows}

    def pending_whispers(self) -> list[InterventionRow]:
        return self._select(InterventionRow, "applied_tick IS NULL", order="id")

    # -------------------------------------------------------------- where, what
    def position_at(self, agent: int, tick: int) -> tuple[int, int] | None:
        rows = self._select(
            PositionRow, "agent = ? AND tick <= ?", agent, tick, order="tick DESC LIMIT 1"
        )
        return (rows[0].x, rows[0].y) if rows else None

    def positions(self, start: int, end: int) -> list[PositionRow]:
        """Every move in [start, end], in order."""
        return self._select(PositionRow, "tick BETWEEN ? AND ?", start, end, order="tick, rowid")

    def action_at(self, agent: int, tick: int) -> ActionRow | None:
        rows = self._select(
            ActionRow, "agent = ? AND tick <= ?", agent, tick, order="tick DESC, rowid DESC LIMIT 1"
        )
        return rows[0] if rows else None

    def actions(
        self, agent: int | None = None, start: int | None = None, end: int | None = None
    ) -> list[ActionRow]:
        """Actions in [start, end] (all by default): one resident's in order, or every
        resident's by resident and then in order."""
        where, params = _span(start, end)
        if agent is None:
            return self._select(ActionRow, where, *params, order="agent, tick, rowid")
        where = " AND ".join(w for w in ("agent = ?", where) if w)
        return self._select(ActionRow, where, agent, *params, order="tick, rowid")

    def plans(self, kinds: tuple[str, ...], agent: int | None = None) -> list[PlanRow]:
        marks = ",".join("?" * len(kinds))
        if agent is None:
            return self._select(PlanRow, f"kind IN ({marks})", *kinds, order="tick, rowid")
        return self._select(
            PlanRow, f"agent = ? AND kind IN ({marks})", agent, *kinds, order="tick, rowid"
        )

    def latest_plan(self, agent: int, kind: str, tick: int) -> PlanRow | None:
        rows = self._select(
            PlanRow,
            "agent = ? AND kind = ? AND tick <= ?",
            agent,
            kind,
            tick,
            order="tick DESC LIMIT 1",
        )
        return rows[0] if rows else None

    # -------------------------------------------------------------- talk
    def conversations(self) -> list[ConversationRow]:
        """Conversations that ended, by end."""
        return self._select(ConversationRow, order="tick_end, id")

    def utterances(
        self, conversation: int | None = None, start: int | None = None, end: int | None = None
    ) -> list[UtteranceRow]:
        """Utterances in [start, end] (all by default), in order; of one conversation
        when given."""
        where, params = _span(start, end)
        if conversation is not None:
            where = " AND ".join(w for w in ("conversation = ?", where) if w)
            params = (conversation, *params)
        return self._select(UtteranceRow, where, *params, order="tick, seq, rowid")

    def conversation_starts(self) -> list[int]:
        """The tick of each conversation's first line, by conversation."""
        rows = self.conn.execute("SELECT MIN(tick) FROM utterances GROUP BY conversation")
        return [t for (t,) in rows]

    # -------------------------------------------------------------- memory
    def memories(
        self, agent: int | None = None, tick: int | None = None, subkind: str | None = None
    ) -> list[MemoryRow]:
        """Memories written up to ``tick`` (all by default), in the order they were
        written; only one resident's, or one subkind, when given. Without their
        embeddings (``b""``): ``memory_vectors`` reads those."""
        conds = [("agent = ?", agent), ("tick <= ?", tick), ("subkind = ?", subkind)]
        where = " AND ".join(c for c, v in conds if v is not None)
        params = [v for _, v in conds if v is not None]
        cols = [c for c in TABLE_OF[MemoryRow].columns if c != "embedding"]
        sql = f"SELECT {', '.join(cols)}, x'' FROM memories"
        sql += f" WHERE {where}" if where else ""
        rows = self.conn.execute(sql + " ORDER BY tick, rowid", params)
        return [MemoryRow(*r) for r in rows]

    def memory_vectors(self, agent: int, tick: int) -> list[MemoryRow]:
        """One resident's memories up to ``tick`` with their embeddings, by id."""
        return self._select(MemoryRow, "agent = ? AND tick <= ?", agent, tick, order="id")

    def reflections(self, agent: int | None = None) -> list[ReflectionRow]:
        if agent is None:
            return self._select(ReflectionRow, order="tick, rowid")
        return self._select(ReflectionRow, "agent = ?", agent, order="tick, rowid")

    def reflection_ticks(self) -> list[int]:
        """The ticks at which someone reflected."""
        return [t for (t,) in self.conn.execute("SELECT DISTINCT tick FROM reflections")]

    # -------------------------------------------------------------- model calls
    def calls(self) -> list[CallRow]:
        return self._select(CallRow, order="tick, rowid")

    def call_totals(self) -> dict[str, CallTotals]:
        """Model usage by task kind (a cache hit counts with the outcome it was stored
        with; ``failed_checks``: check -> calls in which it failed first)."""
        out: dict[str, CallTotals] = {}
        for kind, cached, outcome, fallback, n, p, c in self.conn.execute(
            "SELECT kind, cached, outcome, fallback, COUNT(*), SUM(prompt_tokens), "
            "SUM(completion_tokens) FROM llm_calls GROUP BY 1, 2, 3, 4 ORDER BY 1"
        ):
            t = out.setdefault(kind, CallTotals())
            t.calls += n
            t.prompt_tokens += p
            t.completion_tokens += c
            t.outcomes[outcome] = t.outcomes.get(outcome, 0) + n
            t.fallbacks += n if fallback else 0
            if cached:
                t.cache_hits += n
                t.cached_prompt_tokens += p
                t.cached_completion_tokens += c
        for kind, check, n in self.conn.execute(
            "SELECT kind, failed_check, COUNT(*) FROM llm_calls WHERE failed_check IS NOT NULL "
            "GROUP BY 1, 2 ORDER BY 1, 3 DESC, 2"
        ):
            out[kind].failed_checks[check] = n
        return out


def _span(start: int | None, end: int | None) -> tuple[str, tuple]:
    conds = [("tick >= ?", start), ("tick <= ?", end)]
    return (
        " AND ".join(c for c, v in conds if v is not None),
        tuple(v for _, v in conds if v is not None),
    )
