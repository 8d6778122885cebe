"""Ask a resident a question from its memories at some tick, without changing the run."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from smallville import gametime as gt
from smallville.cognition.persona import Persona, match_name
from smallville.cognition.settings import CognitionSettings
from smallville.cognition.social import interview as ask
from smallville.llm import schemas as k
from smallville.memory import MemoryStream, RetrievalSettings
from smallville.sim.runlog import RunLog
from smallville.sim.runner import RunError


def memories_at(log: RunLog, agent: int, tick: int) -> MemoryStream | None:
    """The agent's memory stream as it was after ``tick`` (rebuilt from the log)."""
    rows = log.rows(
        "SELECT kind, subkind, text, created, importance, evidence, source, embedding "
        "FROM memories WHERE agent=? AND tick<=? ORDER BY id",
        agent,
        tick,
    )
    if not rows:
        return None
    dim = len(rows[0][7]) // 4
    m = MemoryStream(dim)
    for kind, subkind, text, created, imp, evidence, source, blob in rows:
        m.add(
            kind=kind,
            subkind=subkind or "",
            text=text,
            created=created,
            importance=imp,
            embedding=np.frombuffer(blob, np.float32),
            evidence=json.loads(evidence),
            source=source or "",
        )
    return m


def resident_named(names: Iterable[str], name: str, path: Path) -> str:
    """The resident ``name`` means (``match_name``), else a RunError listing them."""
    names = list(names)
    found = match_name(names, name)
    if found is not None:
        return found
    raise RunError(f"{path}: no resident named {name!r}; residents: {', '.join(sorted(names))}")


def damaged(path: Path, e: sqlite3.Error) -> RunError:
    """The error for a file that opened as a run file but cannot be read as one."""
    return RunError(f"{path}: not a smallville run file, or a damaged one ({e})")


async def interview(
    path: Path, agent: str, question: str, llm, at: str | None = None
) -> tuple[str, str, str]:
    """The resident's own name, the game time asked at, and the answer."""
    log = RunLog.open(path, readonly=True)
    try:
        names = {
            name: (aid, persona)
            for aid, name, persona in log.rows("SELECT id, name, persona FROM agents")
        }
        aid, persona_json = names[resident_named(names, agent, path)]
        persona = Persona.model_validate_json(persona_json)
        if at:
            row = log.rows("SELECT MAX(tick) FROM ticks WHERE time <= ?", gt.parse(at))[0]
        else:
            row = log.rows("SELECT MAX(tick) FROM ticks")[0]
        tick = row[0] if row[0] is not None else -1
        time_row = log.rows("SELECT time FROM ticks WHERE tick=?", tick)
        now = time_row[0][0] if time_row else gt.parse(log.meta()["config"]["start"])
        memory = memories_at(log, aid, tick)
    except sqlite3.Error as e:
        raise damaged(path, e) from e
    finally:
        log.close()
    settings = CognitionSettings()
    briefs: list[k.MemoryBrief] = []
    if memory is not None:
        vec = (await llm.embed([question]))[0]
        if vec.shape[0] == memory.dim:
            ids = memory.retrieve(vec, now, RetrievalSettings(), touch=False)
            for i in ids[: settings.prompt_memories]:
                r = memory.record(i)
                briefs.append(
                    k.MemoryBrief(
                        id=i,
                        text=r.text[:200],
                        importance=r.importance,
                        created=gt.fmt(r.created),
                        kind=r.kind,
                    )
                )
    answer = await ask(llm, persona.brief(), gt.fmt(now), question, briefs)
    return persona.name, gt.fmt(now), answer
