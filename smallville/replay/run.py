"""Read a run file back: who, where, doing what, saying what, remembering what.

``Run.open(path)`` works on a run that is still being written (the file is in WAL mode
and opened read-only); every query reads what has been committed so far. Times are
ticks; ``tick_at("2023-02-13 12:00")`` converts a game time.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from smallville import gametime as gt
from smallville.runfile import ActionRow, MemoryRow, RunLog


@dataclass(frozen=True, kw_only=True)
class AgentInfo:
    id: int
    name: str
    persona: dict


@dataclass(frozen=True, kw_only=True)
class Utterance:
    seq: int
    tick: int
    speaker: int
    text: str


@dataclass(frozen=True, kw_only=True)
class Conversation:
    id: int
    tick_start: int
    tick_end: int | None  # None while it is still going on
    a: int
    b: int
    place: str
    utterances: tuple[Utterance, ...]


@dataclass(frozen=True, kw_only=True)
class Memory:
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
    """A run file, read: its residents and what they did, said and remembered."""

    def __init__(self, log: RunLog) -> None:
        self.log = log
        self.path = log.path
        self.meta = log.meta()
        self.agents = [
            AgentInfo(id=a.id, name=a.name, persona=json.loads(a.persona)) for a in log.agents()
        ]
        self.by_name = {a.name: a for a in self.agents}
        self.tick_seconds = int(self.meta["config"]["tick_seconds"])
        self.start_time = gt.parse(self.meta["config"]["start"])
        self._world = None

    @classmethod
    def open(cls, path: Path | str) -> Run:
        """Open read-only (a run still being written, too); RunFileError when the file
        is no run file of this version."""
        return cls(RunLog.open(Path(path), readonly=True))

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
            pos = self.log.position_at(a.id, tick)
            if pos is not None:
                out[a.id] = pos
        return out

    def actions_at(self, tick: int) -> dict[int, ActionRow]:
        """Each agent's current action after ``tick``."""
        out = {}
        for a in self.agents:
            row = self.log.action_at(a.id, tick)
            if row is not None:
                out[a.id] = row
        return out

    def timeline(self, agent: str | int, start: int = 0, end: int | None = None) -> list[ActionRow]:
        """An agent's actions and places, in order."""
        end = self.last_tick() if end is None else end
        return self.log.actions(self.agent(agent).id, start, end)

    def timelines(self) -> dict[int, list[ActionRow]]:
        """Every agent's actions in order (``timeline`` for all of them, one query)."""
        out: dict[int, list[ActionRow]] = {a.id: [] for a in self.agents}
        for r in self.log.actions():
            out.setdefault(r.agent, []).append(r)
        return out

    def conversations(self, start: int = 0, end: int | None = None) -> list[Conversation]:
        """Conversations that started in [start, end], with their utterances; one still
        going on at the end of the log has ``tick_end`` None."""
        end = self.last_tick() if end is None else end
        done = {c.id: c for c in self.log.conversations()}
        said: dict[int, list[Utterance]] = {}
        for u in sorted(self.log.utterances(), key=lambda u: (u.conversation, u.seq)):
            said.setdefault(u.conversation, []).append(
                Utterance(seq=u.seq, tick=u.tick, speaker=u.speaker, text=u.text)
            )
        out = []
        for cid in sorted(said.keys() | done.keys()):
            utts = tuple(said.get(cid, ()))
            if cid in done:
                c = done[cid]
                t0, t1, a, b, place = c.tick_start, c.tick_end, c.a, c.b, c.place
            else:
                speakers = sorted({u.speaker for u in utts})
                t0, t1, place = utts[0].tick, None, ""
                a, b = speakers[0], speakers[-1]
            if start <= t0 <= end:
                out.append(
                    Conversation(
                        id=cid, tick_start=t0, tick_end=t1, a=a, b=b, place=place, utterances=utts
                    )
                )
        return out

    def conversation_pairs(self) -> list[tuple[int, int, int, int]]:
        """(tick_start, tick_end, a, b) of every conversation that ended, by end."""
        return [(c.tick_start, c.tick_end, c.a, c.b) for c in self.log.conversations()]

    def memories(self, agent: str | int, tick: int | None = None) -> list[Memory]:
        """What an agent remembered after ``tick`` (everything by default)."""
        tick = self.last_tick() if tick is None else tick
        return [_memory(r) for r in self.log.memories(self.agent(agent).id, tick)]

    def reflections(self, agent: str | int | None = None) -> list[tuple[int, int, str, list[int]]]:
        """(tick, agent, question, thought ids)."""
        aid = None if agent is None else self.agent(agent).id
        return [
            (r.tick, r.agent, r.question, json.loads(r.thoughts)) for r in self.log.reflections(aid)
        ]

    # ------------------------------------------------------------------ model calls
    def llm_usage(self) -> dict[str, dict[str, float]]:
        """Calls, tokens, cache hits, repaired answers and fallbacks by task kind. Tokens
        include those of cache hits (what the work is worth); ``cached_*_tokens`` are the
        part of them no endpoint spent again."""
        return {
            kind: {
                "calls": t.calls,
                "prompt_tokens": t.prompt_tokens,
                "completion_tokens": t.completion_tokens,
                "tokens": t.prompt_tokens + t.completion_tokens,
                "cache_hits": t.cache_hits,
                "cached_prompt_tokens": t.cached_prompt_tokens,
                "cached_completion_tokens": t.cached_completion_tokens,
                "repaired": t.repaired,
                "fallbacks": t.fallbacks,
            }
            for kind, t in self.log.call_totals().items()
        }

    def llm_outcomes(self) -> dict[str, dict]:
        """By task kind: calls, how many answers were ``valid``, ``repaired`` or a
        ``fallback`` (a cache hit counts with the outcome it was stored with), and
        ``failed_checks``: check name -> calls in which it failed first, most first."""
        return {
            kind: {"calls": t.calls, **t.outcomes, "failed_checks": dict(t.failed_checks)}
            for kind, t in self.log.call_totals().items()
        }


def _memory(r: MemoryRow) -> Memory:
    return Memory(
        agent=r.agent,
        id=r.id,
        tick=r.tick,
        created=r.created,
        kind=r.kind,
        subkind=r.subkind or "",
        text=r.text,
        importance=r.importance,
        evidence=tuple(json.loads(r.evidence)),
        depth=r.depth,
        source=r.source or "",
    )
