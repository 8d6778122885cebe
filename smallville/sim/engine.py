"""The sandbox server's tick loop (docs/ARCHITECTURE.md, "One tick").

Each tick: snapshot -> perceive -> decide (agents that need it, concurrently) ->
apply in agent-id order -> move one tile -> log in one transaction. Decisions are
applied in a fixed order and minds only change their own state while deciding, so a
run is byte-for-byte repeatable for a given world, residents, seed and model cache.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np
from pydantic import TypeAdapter

from smallville.cognition.mind import Decision, Mind, load_mind_state, mind_state
from smallville.cognition.perceive import perceive
from smallville.cognition.persona import Persona
from smallville.cognition.schedule import Action
from smallville.cognition.settings import CognitionSettings
from smallville.cognition.snapshot import AgentView, Snapshot
from smallville.cognition.spatial import PlaceIndex, SpatialMemory, private_arenas
from smallville.llm import schemas as k
from smallville.runfile import (
    ActionRow,
    ConversationRow,
    ObjectRow,
    PositionRow,
    RunLog,
    UtteranceRow,
)
from smallville.sim.recorder import Recorder
from smallville.world import Obj, World, footprint

Tile = tuple[int, int]


@dataclass
class Conversation:
    id: int
    a: int
    b: int
    place: str
    started: int
    turns: int = 0


@dataclass
class SimState:
    tick: int
    time: int
    positions: list[Tile]
    paths: list[list[Tile]]
    objects: dict[str, str] = field(default_factory=dict)
    owners: dict[str, int] = field(default_factory=dict)
    conversations: dict[int, Conversation] = field(default_factory=dict)
    next_conversation: int = 1

    def __post_init__(self) -> None:
        # by id, the order they began in, also when read back from a checkpoint's JSON
        # (whose keys are strings and sort "10" before "2")
        self.conversations = dict(sorted(self.conversations.items()))


# Checkpoints are SimState's fields as JSON: a field added to SimState is saved too.
_SIM_STATE = TypeAdapter(SimState)


class Simulation:
    def __init__(
        self,
        world: World,
        personas: list[Persona],
        llm,
        *,
        settings: CognitionSettings | None = None,
        start: int,
        tick_seconds: int = 10,
        seed: int = 0,
        log: RunLog | None = None,
    ) -> None:
        self.world = world
        self.llm = llm
        self.settings = settings or CognitionSettings()
        self.tick_seconds = tick_seconds
        self.seed = seed
        self.places = world.places
        self.nav = world.nav
        self.personas = sorted(personas, key=lambda p: p.name)
        private = private_arenas(
            self.places,
            [p.living_area for p in self.personas],
            [p.workplace for p in self.personas if p.workplace],
        )
        addresses = sorted(o.address for o in self.places.objects)
        self.place_index = PlaceIndex(addresses, np.zeros((len(addresses), 1), np.float32))
        self.minds: list[Mind] = []
        for i, p in enumerate(self.personas):
            spatial = SpatialMemory(self.places, p.living_area, private)
            spatial.start(p.workplace)
            self.minds.append(Mind(i, p, spatial, self.place_index, self.settings, dim=1))
        self.by_name = {m.name: m for m in self.minds}
        self.state = SimState(
            tick=0, time=start, positions=self._starts(), paths=[[] for _ in self.personas]
        )
        self._object_tile = {o.address: (o.box[0], o.box[1]) for o in self.places.objects}
        self.recorder = Recorder(log, {m.name: m.id for m in self.minds})
        llm.meter.on_call(self.recorder.call)

    def _starts(self) -> list[Tile]:
        """Where each resident starts: its spawn point in the world, else (a world that
        names no characters, or not these) a free tile of its living area, picked by
        name so residents spread over a room."""
        spawns = {s.name: s for s in self.places.spawns}
        walk = self.world.grid.walkable
        taken: set[Tile] = set()
        out = []
        for p in self.personas:
            if p.name in spawns:
                x0, y0, _, _ = footprint(spawns[p.name].position, (1, 1))
                out.append((x0, y0))
            else:
                tiles = [(int(x), int(y)) for x, y in self.places.tiles(p.living_area).tolist()]
                free = sorted(t for t in tiles if walk[t[1], t[0]] and t not in taken)
                if not free:
                    raise ValueError(f"{p.name}: living area {p.living_area!r} has no free tile")
                h = int(hashlib.sha256(p.name.encode()).hexdigest()[:8], 16)
                out.append(free[h % len(free)])
            taken.add(out[-1])
        return out

    # ------------------------------------------------------------------ setup
    async def prepare(self) -> None:
        """Embed the place index (needed before the first decision)."""
        addresses = self.place_index.addresses
        vectors = await self.llm.embed([PlaceIndex.text(a) for a in addresses])
        self.place_index.vectors = np.asarray(vectors, np.float32)
        dim = int(vectors.shape[1])
        for m in self.minds:
            if len(m.memory) == 0 and m.memory.dim != dim:
                from smallville.memory import MemoryStream

                m.memory = MemoryStream(dim, retention=self.settings.retention)

    async def plant(self, seeds: dict[str, list[str]], source: str) -> None:
        """Seed memories (persona memories, scenario facts, whispers). Each resident
        rates its own seeds, all at once: a mind writes only its own stream, and the
        rows are written in agent order after."""
        now = self.state.time
        await asyncio.gather(
            *(m.seed(self.llm, now, seeds[m.name], source) for m in self.minds if seeds.get(m.name))
        )
        self.recorder.drain(self.minds, self.state.tick)

    # ------------------------------------------------------------------ a tick
    async def step(self) -> None:
        st = self.state
        now = st.time
        snap = self.snapshot()
        views = {v.name: v for v in snap.agents}
        # people bucketed by arena and by radius-sized cells of the map, so perception
        # looks at the nine cells around an agent: linear in the number of residents
        r = self.settings.vision_radius
        cells: dict[tuple, list[AgentView]] = defaultdict(list)
        for v in snap.agents:
            cells[(v.arena, v.position[0] // r, v.position[1] // r)].append(v)
        in_use: dict[str, dict[str, str]] = defaultdict(dict)
        for address, state in snap.objects.items():
            in_use[address.rsplit(":", 1)[0]][address] = state
        events = {}
        for m in self.minds:
            v = snap.agents[m.id]
            if m.asleep or m.chat.partner or v.arena is None:
                events[m.id] = []
                continue
            cx, cy = v.position[0] // r, v.position[1] // r
            near = [
                o
                for dx in (-1, 0, 1)
                for dy in (-1, 0, 1)
                for o in cells.get((v.arena, cx + dx, cy + dy), ())
            ]
            events[m.id] = perceive(
                v,
                near,
                in_use.get(v.arena, {}),
                self._object_tile,
                r,
                self.settings.attention_bandwidth,
            )
        need = [m for m in self.minds if m.needs_step(now, events[m.id])]
        decisions = await asyncio.gather(
            *(m.step(self.llm, now, snap.agents[m.id], events[m.id], views) for m in need)
        )
        claimed: set[int] = set()
        for m, d in zip(need, decisions, strict=True):
            self._apply(m, d, now, claimed)
        self._move()
        self.recorder.commit_tick(self.minds, self.state.tick, self.state.time)
        st.tick += 1
        st.time += self.tick_seconds

    def snapshot(self) -> Snapshot:
        st = self.state
        views = []
        for m in self.minds:
            pos = st.positions[m.id]
            arena = self.places.arena_at(*pos)
            a = m.action
            views.append(
                AgentView(
                    id=m.id,
                    name=m.name,
                    position=pos,
                    arena=arena.address if arena else None,
                    action=a.description if a else "idle",
                    address=a.address if a else "",
                    asleep=m.asleep,
                    chatting_with=m.chat.partner,
                )
            )
        return Snapshot(
            tick=st.tick,
            time=st.time,
            agents=tuple(views),
            objects=dict(sorted(st.objects.items())),
        )

    # ------------------------------------------------------------------ apply
    def _apply(self, m: Mind, d: Decision, now: int, claimed: set[int]) -> None:
        st = self.state
        if d.utterance is not None and m.chat.conversation in st.conversations:
            conv = st.conversations[m.chat.conversation]
            conv.turns += 1
            other = self.minds[conv.b if conv.a == m.id else conv.a]
            ended = d.utterance.end or k.is_last_turn(
                m.chat.transcript, m.name, self.settings.max_rounds
            )
            turn = k.Turn(speaker=m.name, text=d.utterance.text)
            m.hear(turn, ended)
            other.hear(turn, ended)
            self.recorder.add(UtteranceRow(conv.id, conv.turns, st.tick, m.id, d.utterance.text))
            if ended:
                del st.conversations[conv.id]
                self.recorder.add(
                    ConversationRow(conv.id, conv.started, st.tick, conv.a, conv.b, conv.place)
                )
        if d.talk_to is not None:
            partner = self.by_name.get(d.talk_to)
            if (
                partner is not None
                and partner.id not in claimed
                and m.id not in claimed
                and partner.chat.partner is None
                and not partner.asleep
                and m.chat.partner is None
            ):
                claimed.update((m.id, partner.id))
                cid = st.next_conversation
                st.next_conversation += 1
                arena = self.places.arena_at(*st.positions[m.id])
                place = arena.address if arena else m.place
                st.conversations[cid] = Conversation(
                    id=cid, a=m.id, b=partner.id, place=place, started=st.tick
                )
                for who, first in ((m, True), (partner, False)):
                    other = partner if who is m else m
                    self._set_action(who, who.start_chat(other.name, cid, first, place, now))
                return
        if d.action is not None:
            self._set_action(m, d.action)

    def _set_action(self, m: Mind, a: Action) -> None:
        st = self.state
        released = [address for address, owner in st.owners.items() if owner == m.id]
        for address in released:
            del st.owners[address]
            st.objects.pop(address, None)
        place = self._resolve(a.address)
        taken = isinstance(place, Obj) and a.object_state and not m.chat.partner
        if taken:
            st.objects[a.address] = a.object_state
            st.owners[a.address] = m.id
            self.recorder.add(ObjectRow(st.tick, a.address, a.object_state))
        for address in released:
            if not (taken and address == a.address):
                self.recorder.add(ObjectRow(st.tick, address, "idle"))
        st.paths[m.id] = [] if m.chat.partner else self._path_to(m.id, place, a.address)
        self.recorder.add(
            ActionRow(
                st.tick,
                m.id,
                a.start,
                a.duration,
                a.description,
                a.address,
                a.emoji,
                *a.triple,
                a.object_state,
                a.block,
            )
        )

    def _resolve(self, address: str):
        try:
            return self.places.resolve(address)
        except KeyError:
            return None

    def _path_to(self, aid: int, place, address: str) -> list[Tile]:
        start = self.state.positions[aid]
        if isinstance(place, Obj):
            goals = list(place.use_tiles)
        else:
            try:
                tiles = self.places.tiles(address)
            except KeyError:
                return []
            walk = self.world.grid.walkable
            goals = [(int(x), int(y)) for x, y in tiles.tolist() if walk[y, x]]
        if not goals or start in goals:
            return []
        # a stable pick per agent and place, so people spread over a room's tiles
        h = int(hashlib.sha256(f"{self.seed}:{aid}:{address}".encode()).hexdigest()[:8], 16)
        for j in range(len(goals)):
            goal = goals[(h + j) % len(goals)]
            path = self.nav.path(start, goal)
            if path is not None:
                return path
        return []

    def _move(self) -> None:
        st = self.state
        for i, path in enumerate(st.paths):
            if path:
                st.positions[i] = path.pop(0)
                self.recorder.add(PositionRow(st.tick, i, *st.positions[i]))

    # ------------------------------------------------------------------ state
    def checkpoint(self) -> dict:
        """The world state (every ``SimState`` field, as JSON values) and each mind's."""
        state = _SIM_STATE.dump_python(self.state, mode="json")
        return {**state, "minds": [mind_state(m) for m in self.minds]}

    def restore(self, cp: dict) -> None:
        self.state = _SIM_STATE.validate_python({k: v for k, v in cp.items() if k != "minds"})
        for m, s in zip(self.minds, cp["minds"], strict=True):
            load_mind_state(m, s)
