"""Reaching into a run from outside, as the paper's interventions do: ask a resident a
question (``interview``: nothing in the run changes) or queue a memory to plant when
the run next continues (``whisper``).

An interview's answer goes through the run's own retrieval: the resident's memory
stream, its cognition settings (ablations included) and ``MemoryKeeper.recall``, the
call the resident itself makes. At the run's newest checkpoint (the end of a finished run, the
default) the stream is the checkpoint's, last-access times included, so recency
scores as it did in the run. At an earlier time the stream is rebuilt from the log,
which keeps what was remembered but not when each memory was last retrieved: there a
memory's last access is taken to be its creation.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from smallville import gametime as gt
from smallville.cognition.converse import interview as ask
from smallville.cognition.memory_keeper import Backlog, MemoryKeeper
from smallville.cognition.persona import Persona, match_name
from smallville.cognition.settings import CognitionSettings
from smallville.llm import schemas as k
from smallville.memory import MemoryStream
from smallville.runfile import RunLog, unreadable
from smallville.sim.setup import RunError, cognition_settings


def resident_named(names: Iterable[str], name: str, path: Path) -> str:
    """The resident ``name`` means (``match_name``), else a RunError listing them."""
    names = list(names)
    found = match_name(names, name)
    if found is not None:
        return found
    raise RunError(f"{path}: no resident named {name!r}; residents: {', '.join(sorted(names))}")


def damaged(path: Path, e: sqlite3.Error) -> RunError:
    """The error for a file that opened as a run file but cannot be read as one."""
    return RunError(unreadable(path, e))


async def interview(
    path: Path, agent: str, question: str, llm, at: str | None = None
) -> tuple[str, str, str]:
    """The resident's own name, the game time asked at, and the answer."""
    persona, now, memories = await recall_at(path, agent, question, llm, at)
    answer = await ask(llm, persona.brief(), gt.fmt(now), question, memories)
    return persona.name, gt.fmt(now), answer


@dataclass(frozen=True)
class ResidentAt:
    """A resident of a run at a moment: persona, tick and game time, memory stream
    (None: nothing remembered yet) and the run's cognition settings."""

    persona: Persona
    tick: int
    now: int
    stream: MemoryStream | None
    settings: CognitionSettings


def resident_at(path: Path, agent: str, at: str | None = None) -> ResidentAt:
    """Read ``agent`` at ``at`` (default: the end of the run) from the run file."""
    return residents_at(path, [agent], at)[0]


def residents_at(path: Path, names: list[str], at: str | None = None) -> list[ResidentAt]:
    """Read the residents ``names`` at ``at`` (default: the end of the run) from the run
    file, opened once and its checkpoint's states decoded once."""
    log = RunLog.open(path, readonly=True)
    try:
        agents = {a.name: a for a in log.agents()}
        meta = log.meta()
        settings = cognition_settings(meta["config"].get("ablations", {}))
        tick, now = _moment(log, meta, at)
        at_checkpoint = (meta.get("checkpoint") or {}).get("tick") == tick + 1
        states = log.states() if at_checkpoint else {}
        out = []
        for name in names:
            row = agents[resident_named(agents, name, path)]
            persona = Persona.model_validate_json(row.persona)
            stream = _stream_at(log, states, row.id, tick, settings)
            out.append(ResidentAt(persona, tick, now, stream, settings))
    except sqlite3.Error as e:
        raise damaged(path, e) from e
    finally:
        log.close()
    return out


async def recall(r: ResidentAt, llm, question: str, keep=None) -> list[k.MemoryBrief]:
    """The memories the resident's retrieval gives ``question`` (nothing is marked as
    accessed); with ``keep`` (``MemoryStream.subset``'s argument), from those records
    only: how the evaluation's ablations answer."""
    stream = r.stream
    if stream is not None and keep is not None:
        stream = stream.subset(keep)
    if stream is None:
        return []
    keeper = MemoryKeeper(r.persona.brief(), r.settings, stream, Backlog(), [])
    return await keeper.recall(llm, question, r.now, r.settings.prompt_memories, touch=False)


async def recall_at(
    path: Path, agent: str, question: str, llm, at: str | None = None, keep=None
) -> tuple[Persona, int, list[k.MemoryBrief]]:
    """The resident, the game time, and the memories its retrieval gives the question
    there (nothing is marked as accessed; ``keep``: see ``recall``)."""
    r = resident_at(path, agent, at)
    return r.persona, r.now, await recall(r, llm, question, keep)


def _moment(log: RunLog, meta: dict, at: str | None) -> tuple[int, int]:
    """The last committed tick at ``at`` (default: the last one) and its game time;
    before the first tick, -1 and the run's start."""
    row = log.tick_at_or_before(gt.parse(at)) if at else log.tick(log.last_tick() or 0)
    if row is None:
        return -1, gt.parse(meta["config"]["start"])
    return row.tick, row.time


def _stream_at(
    log: RunLog, states: dict[int, dict], agent: int, tick: int, settings: CognitionSettings
) -> MemoryStream | None:
    """The resident's memory stream after ``tick``: from ``states`` (the checkpoint's,
    when it was taken right after that tick), else rebuilt from the log (None: nothing
    remembered yet)."""
    state = states.get(agent)
    if state is not None:
        return MemoryStream.from_state(state["memory"])
    rows = log.memory_vectors(agent, tick)
    if not rows:
        return None
    stream = MemoryStream(len(rows[0].embedding) // 4, retention=settings.retention)
    for r in rows:
        stream.add(
            kind=r.kind,
            subkind=r.subkind or "",
            text=r.text,
            created=r.created,
            importance=r.importance,
            embedding=np.frombuffer(r.embedding, np.float32),
            evidence=json.loads(r.evidence),
            source=r.source or "",
        )
    return stream


def whisper(path: Path, agent: str, text: str) -> int:
    """Queue a memory for ``agent``; it is planted when the run next continues."""
    # checked read-only first: a writable open turns any file, even an empty one, into
    # a database before it can be told apart from a run file
    RunLog.open(path, readonly=True).close()
    try:
        log = RunLog.open(path)
    except sqlite3.Error as e:
        raise damaged(path, e) from e
    try:
        names = {a.name: a.id for a in log.agents()}
        return log.whisper(names[resident_named(names, agent, path)], text, time.time())
    except sqlite3.Error as e:
        raise damaged(path, e) from e
    finally:
        log.close()
