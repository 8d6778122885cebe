"""What the simulation writes to its run file, in an order that does not depend on
which request answered first, nor on the order residents ran a tick in.

Residents may run a tick at different moments (the out-of-order engine, sim/clocks.py),
so a tick's rows are staged under (phase, resident) and written when every resident
has finished the tick, in one transaction: what each resident's decision changed
(apply), then moves, then the minds' memories, plans and reflections, then the model
calls, resident by resident; within one resident, outbox rows go by type and calls by
their content. A model call is counted in the tick its resident was running
(``TICK``, set by the engine), which is not always the last one committed.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from contextvars import ContextVar

from smallville.runfile import CallRow, MemoryRow, PlanRow, ReflectionRow, RunLog, TickRow

_OUTBOX_ORDER = {"memory": 0, "plan": 1, "reflection": 2}
APPLY, MOVE, OUTBOX = 0, 1, 2  # a tick's phases, in the order their rows are written

# the tick the current asyncio task is running for a resident; unset: the tick being
# set up (seeds, whispers), ``Recorder.tick``
TICK: ContextVar[int | None] = ContextVar("smallville_tick", default=None)


async def at_tick(t: int, work):
    """``work``'s result, the model calls it makes counted in tick ``t``."""
    token = TICK.set(t)
    try:
        return await work
    finally:
        TICK.reset(token)


class Recorder:
    def __init__(self, log: RunLog | None, agent_ids: dict[str, int], tick) -> None:
        self.log = log  # None: a simulation that keeps no log (benchmarks, tests)
        self.agent_ids = agent_ids
        self.tick = tick  # () -> the last tick committed + 1 (setup: seeds, whispers)
        self._calls: dict[int, dict[int, list[tuple]]] = defaultdict(lambda: defaultdict(list))
        self._staged: dict[int, dict[tuple, list]] = defaultdict(lambda: defaultdict(list))

    def add(self, row) -> None:
        """Write ``row`` now (setup rows: agents, seeds, starting positions)."""
        if self.log is not None:
            self.log.add(row)

    def stage(self, tick: int, phase: int, aid: int, row) -> None:
        """Keep ``row`` of resident ``aid``'s ``phase`` of ``tick`` for ``commit_tick``."""
        if self.log is not None:
            self._staged[tick][(phase, aid)].append(row)

    def call(self, task, c) -> None:
        """A model call finished (the meter's listener); logged with its tick."""
        if self.log is None:
            return
        aid = self.agent_ids.get(task.agent, -1)
        tick = TICK.get()
        self._calls[self.tick() if tick is None else tick][aid].append(
            (
                task.kind,
                c.prompt_tokens,
                c.completion_tokens,
                int(c.cached),
                int(c.fallback),
                c.retries,
                c.error,
                c.outcome,
                c.check,
                c.latency_s,
            )
        )

    def drain(self, minds: Sequence, tick: int) -> None:
        """Write what the minds left in their outboxes, and the tick's calls, now
        (setup: seeds and whispers planted between ticks)."""
        for m in minds:
            for row in self.outbox_rows(m, tick):
                self.add(row)
        for row in self._call_rows(tick):
            self.add(row)

    def stage_outboxes(self, minds: Sequence, tick: int) -> None:
        """Keep what the minds left in their outboxes for ``tick``'s commit."""
        for m in minds:
            for row in self.outbox_rows(m, tick):
                self.stage(tick, OUTBOX, m.id, row)

    def outbox_rows(self, m, tick: int) -> list:
        """``m``'s outbox as rows, by type (a mind may run independent requests
        together, and the order in which they answer must not reach the log)."""
        rows = []
        for item in sorted(m.outbox, key=lambda it: _OUTBOX_ORDER[it[0]]):
            if item[0] == "memory":
                rows.append(self._memory(m, item[1], tick))
            elif item[0] == "plan":
                rows.append(PlanRow(tick, m.id, item[1], json.dumps(item[2], sort_keys=True)))
            elif item[0] == "reflection":
                rows.append(ReflectionRow(tick, m.id, item[1], json.dumps(item[2])))
        m.outbox.clear()
        return rows

    def _call_rows(self, tick: int) -> list:
        calls = self._calls.pop(tick, {})
        return [
            CallRow(tick, aid, *call)
            for aid in sorted(calls)
            for call in sorted(calls[aid], key=_call_key)
        ]

    def commit_tick(self, tick: int, time: int) -> None:
        """Every resident has finished ``tick``: its rows, phase by phase and resident
        by resident, its calls and the tick itself, in one transaction."""
        staged = self._staged.pop(tick, {})
        for key in sorted(staged):
            for row in staged[key]:
                self.add(row)
        for row in self._call_rows(tick):
            self.add(row)
        self.add(TickRow(tick, time))
        if self.log is not None:
            self.log.commit()

    def discard_after(self, tick: int) -> None:
        """Forget what was staged for ticks after ``tick`` (a run stopped with residents
        ahead of the last committed tick: those ticks are redone on resume)."""
        for t in [t for t in self._staged if t > tick]:
            del self._staged[t]
        for t in [t for t in self._calls if t > tick]:
            del self._calls[t]

    def _memory(self, m, i: int, tick: int) -> MemoryRow:
        r = m.memory.record(i)
        return MemoryRow(
            m.id,
            i,
            tick,
            r.created,
            r.kind,
            r.subkind,
            r.text,
            r.importance,
            json.dumps(list(r.evidence)),
            r.depth,
            r.source,
            m.memory.embedding(i).tobytes(),
        )


def _call_key(call: tuple) -> tuple:
    """A call row by what it answered: without its latency, and without whether it was
    a cache hit, its retries and error text, which depend on the cache's state (a
    resumed run redoes ticks from the cache) and are left out of ``RunLog.dump``; rows
    equal in the rest dump identically, so their order does not matter."""
    kind, prompt, completion, _cached, fallback, _retries, _error, outcome, check, _lat = call
    return (kind, prompt, completion, fallback, outcome, "" if check is None else check)
