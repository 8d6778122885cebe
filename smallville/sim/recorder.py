"""What the simulation writes to its run file, in an order that does not depend on
which request answered first.

Rows of a tick are buffered in the run log and committed with the tick. The minds'
memories, plans and reflections, and the model calls made for them, are written agent
by agent; within one agent, rows go by type and calls by their content.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence

from smallville.runfile import CallRow, MemoryRow, PlanRow, ReflectionRow, RunLog, TickRow

_OUTBOX_ORDER = {"memory": 0, "plan": 1, "reflection": 2}


class Recorder:
    def __init__(self, log: RunLog | None, agent_ids: dict[str, int]) -> None:
        self.log = log  # None: a simulation that keeps no log (benchmarks, tests)
        self.agent_ids = agent_ids
        self._calls: dict[int, list[tuple]] = defaultdict(list)

    def add(self, row) -> None:
        if self.log is not None:
            self.log.add(row)

    def call(self, task, c) -> None:
        """A model call finished (the meter's listener); logged with the tick."""
        aid = self.agent_ids.get(task.agent, -1)
        self._calls[aid].append(
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
        """Write what the minds left in their outboxes, and the calls, in agent order.

        A mind may run independent requests together, and the order in which they
        answer must not reach the log.
        """
        for m in minds:
            for item in sorted(m.outbox, key=lambda it: _OUTBOX_ORDER[it[0]]):
                if item[0] == "memory":
                    self._memory(m, item[1], tick)
                elif item[0] == "plan":
                    content = json.dumps(item[2], sort_keys=True)
                    self.add(PlanRow(tick, m.id, item[1], content))
                elif item[0] == "reflection":
                    self.add(ReflectionRow(tick, m.id, item[1], json.dumps(item[2])))
            m.outbox.clear()
        for aid in sorted(self._calls):
            for call in sorted(self._calls[aid], key=_call_key):
                self.add(CallRow(tick, aid, *call))
        self._calls.clear()

    def commit_tick(self, minds: Sequence, tick: int, time: int) -> None:
        """The tick's remaining rows and the tick itself, in one transaction."""
        self.drain(minds, tick)
        self.add(TickRow(tick, time))
        if self.log is not None:
            self.log.commit()

    def _memory(self, m, i: int, tick: int) -> None:
        r = m.memory.record(i)
        self.add(
            MemoryRow(
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
        )


def _call_key(call: tuple) -> tuple:
    """A call row by what it answered: without its latency, and without whether it was
    a cache hit, its retries and error text, which depend on the cache's state (a
    resumed run redoes ticks from the cache) and are left out of ``RunLog.dump``; rows
    equal in the rest dump identically, so their order does not matter."""
    kind, prompt, completion, _cached, fallback, _retries, _error, outcome, check, _lat = call
    return (kind, prompt, completion, fallback, outcome, "" if check is None else check)
