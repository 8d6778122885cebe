"""What residents at one tick see: their views of each other, what each perceives, and
who has something to decide (docs/ARCHITECTURE.md, "One tick", steps 1-3)."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from smallville.cognition.perceive import perceive
from smallville.cognition.snapshot import AgentView

if TYPE_CHECKING:
    from smallville.sim.engine import Simulation


@dataclass
class Look:
    """What residents at one tick see, and who among them has something to decide."""

    sim: Simulation
    tick: int
    now: int
    views: dict[int, AgentView]
    events: dict[int, list]
    need: list[int]

    async def decide(self, need: Sequence[int], members: Sequence[int] | None = None) -> None:
        """``need`` decide (their model requests run together), then the tick of
        ``members`` (default: everyone looked at) is finished."""
        by_name = {v.name: v for v in self.views.values()}
        minds = [self.sim.minds[i] for i in need]
        decisions = await asyncio.gather(
            *(
                m.step(self.sim.llm, self.now, self.views[m.id], self.events[m.id], by_name)
                for m in minds
            )
        )
        self.finish(members, dict(zip(need, decisions, strict=True)))

    def finish(self, members: Sequence[int] | None = None, decided: dict | None = None) -> None:
        """Finish the tick of ``members`` (default: everyone looked at)."""
        members = sorted(self.views) if members is None else members
        self.sim.finish(members, self.tick, self.now, decided or {})


def look_at(sim: Simulation, members: Sequence[int], t: int) -> Look:
    """Views and perception at tick ``t`` for ``members`` (sorted by id), who may
    affect only each other this tick, or several such groups at once."""
    now = sim.time_at(t)
    views = {i: view(sim, i) for i in members}
    events = perceive_all(sim, views)
    need = [i for i in members if sim.minds[i].needs_step(now, events[i])]
    return Look(sim, t, now, views, events, need)


def view(sim: Simulation, i: int) -> AgentView:
    m = sim.minds[i]
    pos = sim.state.positions[i]
    arena = sim.places.arena_at(*pos)
    a = m.action
    return AgentView(
        id=i,
        name=m.name,
        position=pos,
        arena=arena.address if arena else None,
        action=a.description if a else "idle",
        address=a.address if a else "",
        asleep=m.asleep,
        chatting_with=m.chat.partner,
    )


def perceive_all(sim: Simulation, views: dict[int, AgentView]) -> dict[int, list]:
    """What each resident notices among ``views`` (people bucketed by arena and by
    radius-sized cells of the map, so perception looks at the nine cells around
    an agent: linear in the number of residents) and the objects in use."""
    r = sim.settings.vision_radius
    cells: dict[tuple, list[AgentView]] = defaultdict(list)
    for v in views.values():
        cells[(v.arena, v.position[0] // r, v.position[1] // r)].append(v)
    in_use: dict[str, dict[str, str]] = defaultdict(dict)
    for address, state in sorted(sim.state.objects.items()):
        in_use[address.rsplit(":", 1)[0]][address] = state
    events = {}
    for i, v in views.items():
        m = sim.minds[i]
        if m.asleep or m.chat.partner or v.arena is None:
            events[i] = []
            continue
        cx, cy = v.position[0] // r, v.position[1] // r
        near = [
            o
            for dx in (-1, 0, 1)
            for dy in (-1, 0, 1)
            for o in cells.get((v.arena, cx + dx, cy + dy), ())
        ]
        events[i] = perceive(
            v,
            near,
            in_use.get(v.arena, {}),
            sim._object_tile,
            r,
            sim.settings.attention_bandwidth,
        )
    return events
