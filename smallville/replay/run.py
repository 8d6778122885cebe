"""Read a run file back: who, where, doing what, saying what, remembering what.

``Run.open(path)`` works on a run that is still being written (the file is in WAL mode
and opened read-only); every query reads what has been committed so far. Times are
ticks; ``tick_at("2023-02-13 12:00")`` converts a game time.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from smallville import gametime as gt


class RunFileError(RuntimeError):
    """The file is not a readable run file."""


class RunReader:
    """A read-only connection to a run file (the writer lives in ``smallville.sim``, which
    readers such as the viewer must not import)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        if not self.path.is_file():
            raise RunFileError(f"{self.path}: no such run file")
        self.conn = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, check_same_thread=False)
        try:
            self.conn.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
        except sqlite3.DatabaseError as e:
            raise RunFileError(f"{self.path}: not a smallville run file ({e})") from e

    def rows(self, sql: str, *params: Any) -> list[tuple]:
        return self.conn.execute(sql, params).fetchall()

    def meta(self) -> dict[str, Any]:
        return {k: json.loads(v) for k, v in self.rows("SELECT key, value FROM meta")}

    def last_tick(self) -> int | None:
        return self.rows("SELECT MAX(tick) FROM ticks")[0][0]

    def close(self) -> None:
        self.conn.close()


@dataclass(frozen=True, kw_only=True)
class AgentInfo:
    id: int
    name: str
    persona: dict


@dataclass(frozen=True, kw_only=True)
class ActionRow:
    tick: int
    agent: int
    start: int
    duration: int
    description: str
    address: str
    emoji: str
    triple: tuple[str, str, str]
    object_state: str | None
    block: str


@dataclass(frozen=True, kw_only=True)
class Utterance:
    seq: int
    tick: int
    speaker: int
    text: str


@dataclass(frozen=True, kw_only=True)
class ConversationRow:
    id: int
    tick_start: int
    tick_end: int | None  # None while it is still going on
    a: int
    b: int
    place: str
    utterances: tuple[Utterance, ...]


@dataclass(frozen=True, kw_only=True)
class MemoryRow:
    agent: int
    id: int
    tick: int
    created: int
    kind: str
    subkind: str
    text: str
    importance: int
    evidence: tuple[int, ...]
    depth: int
    source: str


class Run:
    def __init__(self, log: RunReader) -> None:
        self.log = log
        self.path = log.path
        self.meta = log.meta()
        self.agents = [
            AgentInfo(id=i, name=n, persona=json.loads(p))
            for i, n, p in log.rows("SELECT id, name, persona FROM agents ORDER BY id")
        ]
        self.by_name = {a.name: a for a in self.agents}
        self.tick_seconds = int(self.meta["config"]["tick_seconds"])
        self.start_time = gt.parse(self.meta["config"]["start"])
        self._world = None

    @classmethod
    def open(cls, path: Path | str) -> Run:
        return cls(RunReader(Path(path)))

    def close(self) -> None:
        self.log.close()

    def world(self):
        """The layout the run was made with: the copy in the run file, else (run files
        from before that copy was kept) the world file its config names. Loaded once."""
        if self._world is None:
            from smallville.world import World, parse_scene

            path = Path(self.meta["config"]["world"])
            text = self.meta.get("world_json")
            if text is None:
                self._world = World.load(path, allow_invalid=True)
            else:
                self._world = World(
                    parse_scene(json.loads(text), f"{self.path} (its copy of {path})")
                )
        return self._world

    def __enter__(self) -> Run:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ time
    def last_tick(self) -> int:
        t = self.log.last_tick()
        return -1 if t is None else int(t)

    def time_of(self, tick: int) -> int:
        return self.start_time + max(tick, 0) * self.tick_seconds

    def tick_at(self, when: str | int) -> int:
        t = gt.parse(when) if isinstance(when, str) else int(when)
        return max(0, (t - self.start_time) // self.tick_seconds)

    def time_range(self) -> tuple[int, int]:
        """First and last committed game time."""
        return self.start_time, self.time_of(self.last_tick())

    def agent(self, name_or_id: str | int) -> AgentInfo:
        if isinstance(name_or_id, int):
            return self.agents[name_or_id]
        if name_or_id not in self.by_name:
            raise KeyError(f"no resident named {name_or_id!r} in {self.path}")
        return self.by_name[name_or_id]

    # ------------------------------------------------------------------ state at a tick
    def positions_at(self, tick: int) -> dict[int, tuple[int, int]]:
        """Where every agent stood after ``tick`` (one indexed lookup per agent)."""
        out = {}
        for a in self.agents:
            row = self.log.rows(
                "SELECT x, y FROM positions WHERE agent=? AND tick<=? ORDER BY tick DESC LIMIT 1",
                a.id,
                tick,
            )
            if row:
                out[a.id] = (row[0][0], row[0][1])
        return out

    def actions_at(self, tick: int) -> dict[int, ActionRow]:
        """Each agent's current action after ``tick``."""
        out = {}
        for a in self.agents:
            rows = self.log.rows(
                "SELECT * FROM actions WHERE agent=? AND tick<=? ORDER BY tick DESC, rowid DESC "
                "LIMIT 1",
                a.id,
                tick,
            )
            if rows:
                out[a.id] = _action(rows[0])
        return out

    def timeline(self, agent: str | int, start: int = 0, end: int | None = None) -> list[ActionRow]:
        """An agent's actions and places, in order."""
        aid = self.agent(agent).id
        end = self.last_tick() if end is None else end
        rows = self.log.rows(
            "SELECT * FROM actions WHERE agent=? AND tick BETWEEN ? AND ? ORDER BY tick, rowid",
            aid,
            start,
            end,
        )
        return [_action(r) for r in rows]

    def conversations(self, start: int = 0, end: int | None = None) -> list[ConversationRow]:
        """Conversations that started in [start, end], with their utterances; one still
        going on at the end of the log has ``tick_end`` None."""
        end = self.last_tick() if end is None else end
        done = {r[0]: r for r in self.log.rows("SELECT * FROM conversations")}
        ids = {r[0] for r in self.log.rows("SELECT DISTINCT conversation FROM utterances")}
        out = []
        for cid in sorted(ids | set(done)):
            utts = tuple(
                Utterance(seq=s, tick=t, speaker=sp, text=tx)
                for _, s, t, sp, tx in self.log.rows(
                    "SELECT * FROM utterances WHERE conversation=? ORDER BY seq", cid
                )
            )
            if cid in done:
                _, t0, t1, a, b, place = done[cid]
            else:
                speakers = sorted({u.speaker for u in utts})
                t0, t1, place = utts[0].tick, None, ""
                a, b = speakers[0], speakers[-1]
            if start <= t0 <= end:
                out.append(
                    ConversationRow(
                        id=cid, tick_start=t0, tick_end=t1, a=a, b=b, place=place, utterances=utts
                    )
                )
        return out

    def memories(self, agent: str | int, tick: int | None = None) -> list[MemoryRow]:
        """What an agent remembered after ``tick`` (everything by default)."""
        aid = self.agent(agent).id
        tick = self.last_tick() if tick is None else tick
        rows = self.log.rows(
            "SELECT agent, id, tick, created, kind, subkind, text, importance, evidence, "
            "depth, source FROM memories WHERE agent=? AND tick<=? ORDER BY id",
            aid,
            tick,
        )
        return [
            MemoryRow(
                agent=r[0],
                id=r[1],
                tick=r[2],
                created=r[3],
                kind=r[4],
                subkind=r[5] or "",
                text=r[6],
                importance=r[7],
                evidence=tuple(json.loads(r[8])),
                depth=r[9],
                source=r[10] or "",
            )
            for r in rows
        ]

    def reflections(self, agent: str | int | None = None) -> list[tuple[int, int, str, list[int]]]:
        """(tick, agent, question, thought ids)."""
        if agent is None:
            rows = self.log.rows("SELECT * FROM reflections ORDER BY tick, rowid")
        else:
            rows = self.log.rows(
                "SELECT * FROM reflections WHERE agent=? ORDER BY tick, rowid", self.agent(agent).id
            )
        return [(t, a, q, json.loads(ids)) for t, a, q, ids in rows]

    def llm_usage(self) -> dict[str, dict[str, float]]:
        """Calls, tokens, cache hits, repaired answers and fallbacks by task kind. Tokens
        include those of cache hits (what the work is worth); ``cached_*_tokens`` are the
        part of them no endpoint spent again."""
        out = {}
        for kind, calls, p, c, cached, cp, cc, rep, fb in self.log.rows(
            "SELECT kind, COUNT(*), SUM(prompt_tokens), SUM(completion_tokens), "
            "SUM(cached), SUM(cached * prompt_tokens), SUM(cached * completion_tokens), "
            f"SUM({self._outcome_sql()} = 'repaired'), SUM(fallback) "
            "FROM llm_calls GROUP BY kind ORDER BY kind"
        ):
            out[kind] = {
                "calls": calls,
                "prompt_tokens": p,
                "completion_tokens": c,
                "tokens": p + c,
                "cache_hits": cached,
                "cached_prompt_tokens": cp,
                "cached_completion_tokens": cc,
                "repaired": rep,
                "fallbacks": fb,
            }
        return out

    def llm_outcomes(self) -> dict[str, dict]:
        """By task kind: calls, how many answers were ``valid``, ``repaired`` or a
        ``fallback`` (a cache hit counts with the outcome it was stored with), and
        ``failed_checks``: check name -> calls in which it failed first, most first."""
        out: dict[str, dict] = {}
        for kind, outcome, n in self.log.rows(
            f"SELECT kind, {self._outcome_sql()}, COUNT(*) FROM llm_calls "
            "GROUP BY 1, 2 ORDER BY 1, 2"
        ):
            k = out.setdefault(
                kind, {"calls": 0, "valid": 0, "repaired": 0, "fallback": 0, "failed_checks": {}}
            )
            k["calls"] += n
            k[outcome] = k.get(outcome, 0) + n
        if "failed_check" not in self._llm_columns():
            return out
        for kind, check, n in self.log.rows(
            "SELECT kind, failed_check, COUNT(*) FROM llm_calls WHERE failed_check IS NOT NULL "
            "GROUP BY 1, 2 ORDER BY 1, 3 DESC, 2"
        ):
            out[kind]["failed_checks"][check] = n
        return out

    def _llm_columns(self) -> set[str]:
        return {r[1] for r in self.log.rows("PRAGMA table_info(llm_calls)")}

    def _outcome_sql(self) -> str:
        """An answer's outcome; run files from before outcomes were logged (schema 1)
        knew only whether it fell back."""
        derived = "CASE WHEN fallback THEN 'fallback' ELSE 'valid' END"
        if "outcome" in self._llm_columns():
            return f"COALESCE(outcome, {derived})"
        return derived

    def timelines(self) -> dict[int, list[ActionRow]]:
        """Every agent's actions in order (``timeline`` for all of them, one query)."""
        out: dict[int, list[ActionRow]] = {a.id: [] for a in self.agents}
        for r in self.log.rows("SELECT * FROM actions ORDER BY agent, tick, rowid"):
            out.setdefault(r[1], []).append(_action(r))
        return out

    def conversation_pairs(self) -> list[tuple[int, int, int, int]]:
        """(tick_start, tick_end, a, b) of every conversation that ended, by end."""
        return [
            (t0, t1, a, b)
            for t0, t1, a, b in self.log.rows(
                "SELECT tick_start, tick_end, a, b FROM conversations ORDER BY tick_end, id"
            )
        ]


def _action(r: tuple) -> ActionRow:
    tick, agent, start, duration, desc, address, emoji, s, p, o, state, block = r
    return ActionRow(
        tick=tick,
        agent=agent,
        start=start,
        duration=duration,
        description=desc,
        address=address,
        emoji=emoji,
        triple=(s, p, o),
        object_state=state,
        block=block or "",
    )
