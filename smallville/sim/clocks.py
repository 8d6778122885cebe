"""Residents on their own clocks: the out-of-order engine (issue #16).

A resident's tick can depend only on residents it could see, whose held object it
could see, or whom it talks with: those within ``Simulation.reach`` tiles (Chebyshev)
at that tick, or its conversation partner. So residents far apart need not wait for
each other's model requests. Each resident keeps its own clock (the next tick it will
run). Residents at the same tick who are within reach of each other, directly or
through others, form a group that runs the tick together (``look_at``, then
``Look.decide``: everyone in it decides on the same view of the others, then decisions
are applied in resident order), exactly as the lock-step engine runs a tick for
everyone.

A group at tick ``t`` may start only when nobody behind could still come within reach:
a resident at clock ``c < t`` moves at most a tile a tick, so it is out of reach at
``t`` if it is more than ``reach + (t - c)`` tiles away now. A resident who ran ahead
was therefore out of reach of everyone behind it at every tick it ran, and nothing it
did could have been seen by them. Objects change state only at the hands of a
resident standing at them (``Simulation._hold``), so object states follow the same
rule. Whatever order the requests answer in, every tick's rows are the lock-step
engine's: the recorder stages them and writes a tick only when every resident has
finished it, in resident order.

With ``auto`` (the default engine), while model calls take no time (the scripted
model, a warm response cache) nobody runs ahead and a tick everyone is at is run
lock-step: running ahead only pays when there is latency to hide.
"""

from __future__ import annotations

import asyncio
import heapq
from collections.abc import Callable

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree

from smallville.sim.look import look_at
from smallville.sim.recorder import at_tick

SMALL = 64  # fewer residents than this: components by hand (scipy's overhead dominates)
INSTANT = 0.005  # seconds: model calls this quick (on average) have no latency to hide


class Clocks:
    """One ``Simulation.advance`` call: clocks, the groups running, the commits."""

    def __init__(self, sim, auto: bool = False) -> None:
        self.sim = sim
        n = len(sim.minds)
        self.clock = np.full(n, sim.state.tick, dtype=np.int64)
        self.busy = np.zeros(n, dtype=bool)
        self.running: dict[asyncio.Task, np.ndarray] = {}
        self.auto = auto  # lock-step while model calls take no time (module docstring)

    async def run(self, until: int, on_commit: Callable[[], bool] | None) -> None:
        try:
            while True:
                if self._commit(on_commit):
                    until = min(until, int((self.clock + self.busy).max()))
                if self.clock.min() >= until:
                    return
                if self._instant() and not self.running and self.clock.min() == self.clock.max():
                    self.clock += 1
                    await self.sim.step()  # commits the tick
                    if on_commit is not None and on_commit():
                        until = int(self.clock.min())
                    continue
                # without latency to hide, nobody runs ahead: the others catch up, and
                # once all are at one tick, the tick is run lock-step (above)
                lowest = int(self.clock.min()) + 1 if self._instant() else until
                if self._launch(min(until, lowest)):
                    continue
                if not self.running:  # the residents at the lowest tick can always run
                    raise RuntimeError(
                        f"out-of-order engine stalled at tick {int(self.clock.min())} "
                        "(a bug: run with --engine lockstep and report it)"
                    )
                done, _ = await asyncio.wait(self.running, return_when=asyncio.FIRST_COMPLETED)
                for task in done:
                    members = self.running.pop(task)
                    task.result()  # a failure stops the run here
                    self.clock[members] += 1
                    self.busy[members] = False
        finally:
            for task in self.running:
                task.cancel()
            if self.running:
                await asyncio.gather(*self.running, return_exceptions=True)
            self.sim.recorder.discard_after(self.sim.state.tick - 1)

    def _instant(self) -> bool:
        return self.auto and self.sim.llm.meter.wait < INSTANT

    def _commit(self, on_commit) -> bool:
        """Write every tick all residents have finished; True when asked to stop."""
        stop = False
        while self.sim.state.tick < self.clock.min():
            self.sim.commit()
            if on_commit is not None and on_commit():
                stop = True
        return stop

    def _launch(self, until: int) -> bool:
        """Start every group that may run its tick now, lowest tick first, so that those
        finishing at once (nobody in them had anything to decide) go on in the same
        sweep; True if any clock moved."""
        moved = False
        sim = self.sim
        sim.widest = max(sim.widest, int(self.clock.max() - self.clock.min()))
        pos = np.asarray(sim.state.positions, dtype=np.int64)
        ticks = np.unique(self.clock[~self.busy & (self.clock < until)]).tolist()
        while ticks:
            t = heapq.heappop(ticks)
            if ticks and ticks[0] == t:
                continue  # pushed twice: once is enough
            ready = np.flatnonzero(~self.busy & (self.clock == t))
            groups = self._groups(ready, t, pos) if ready.size else []
            if not groups:
                continue
            # one look for all of them: they are out of each other's reach
            look = look_at(sim, sorted(np.concatenate(groups).tolist()), t)
            need = set(look.need)
            idle_now = []
            for g in groups:
                members = g.tolist()
                deciding = [i for i in members if i in need]
                if not deciding:
                    idle_now.extend(members)
                    continue
                self.busy[g] = True
                work = at_tick(t, look.decide(deciding, members))
                self.running[asyncio.create_task(work)] = g
            if idle_now:
                idle_now.sort()
                look.finish(idle_now)
                self.clock[idle_now] += 1
                pos[idle_now] = [sim.state.positions[i] for i in idle_now]
                moved = True
                if t + 1 < until:
                    heapq.heappush(ticks, t + 1)
        return moved

    def _groups(self, ready: np.ndarray, t: int, pos: np.ndarray) -> list[np.ndarray]:
        """The groups among ``ready`` (idle residents at tick ``t``) free to run it."""
        reach = self.sim.reach
        behind = np.flatnonzero((self.clock < t) | (self.busy & (self.clock == t)))
        if behind.size:
            slack = reach + (t - self.clock[behind])
            gap = np.abs(pos[ready][:, None, :] - pos[behind][None, :, :]).max(axis=2)
            blocked = (gap <= slack[None, :]).any(axis=1)
        else:
            blocked = np.zeros(ready.size, dtype=bool)
        partner = {}
        for j, r in enumerate(ready.tolist()):
            name = self.sim.minds[r].chat.partner
            if name:
                partner[j] = self.sim.by_name[name].id
        if ready.size == 1 and not partner:
            return [] if blocked[0] else [ready]
        index = {int(r): j for j, r in enumerate(ready)}
        talks = []
        for j, pid in partner.items():
            other = index.get(pid)
            if other is None:  # not at this tick, or busy: wait for it
                blocked[j] = True
            else:
                talks.append((j, other))
        label = _components(pos[ready], reach, talks)
        stuck = set(label[blocked].tolist())
        groups: dict[int, list[int]] = {}
        for j, c in enumerate(label.tolist()):
            if c not in stuck:
                groups.setdefault(c, []).append(j)
        return [ready[np.asarray(js)] for js in groups.values()]


def _components(pos: np.ndarray, reach: int, talks: list[tuple[int, int]]) -> np.ndarray:
    """A component label per position: linked when within ``reach`` (Chebyshev) of
    each other, directly or through others, or by ``talks``."""
    k = len(pos)
    if k >= SMALL:
        pairs = cKDTree(pos).query_pairs(reach, p=np.inf, output_type="ndarray")
        e = np.concatenate([pairs.reshape(-1, 2), np.asarray(talks, np.int64).reshape(-1, 2)])
        graph = coo_matrix((np.ones(len(e)), (e[:, 0], e[:, 1])), shape=(k, k))
        return connected_components(graph, directed=False)[1]
    near = np.abs(pos[:, None, :] - pos[None, :, :]).max(axis=2) <= reach
    for a, b in talks:
        near[a, b] = near[b, a] = True
    label = np.full(k, -1, dtype=np.int64)
    for start in range(k):
        if label[start] >= 0:
            continue
        label[start] = start
        todo = [start]
        while todo:
            for j in np.flatnonzero(near[todo.pop()] & (label < 0)).tolist():
                label[j] = start
                todo.append(j)
    return label
