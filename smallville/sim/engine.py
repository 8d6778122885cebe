"""The sandbox server's tick (docs/ARCHITECTURE.md, "One tick").

A tick, for a group of residents who can only affect each other: views -> perceive ->
decide (those who need to, concurrently) -> apply in resident order -> move one tile
-> stage the rows. Decisions are applied in a fixed order and minds only change their
own state while deciding; a tick's rows are written once every resident has finished
it, in a fixed order. ``step`` runs everyone as one group (lock-step); ``advance``
lets groups run ticks on their own clocks (sim/clocks.py). Either way a run is
byte-for-byte repeatable for a given world, residents, seed and model cache.
"""

from __future__ import annotations

import asyncio
import hashlib
from dataclasses import dataclass, field

import numpy as np
from pydantic import TypeAdapter

from smallville.cognition.mind import Decision, Mind, load_mind_state, mind_state
from smallville.cognition.persona import Persona
from smallville.cognition.schedule import Action
from smallville.cognition.settings import CognitionSettings
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
from smallville.sim import ENGINES
from smallville.sim.look import look_at
from smallville.sim.recorder import APPLY, MOVE, Recorder, at_tick
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
        # Chebyshev tiles within which two residents may affect each other within a
        # tick: one sees the other (vision radius), or an object the other holds
        # (held from a use tile, at most ``far`` from the tile perception measures
        # to; one more for the step taken after letting go), plus one for safety
        far = max(
            (
                max(abs(x - o.box[0]), abs(y - o.box[1]))
                for o in self.places.objects
                for x, y in o.use_tiles
            ),
            default=0,
        )
        self.reach = self.settings.vision_radius + far + 2
        self.widest = 0  # the most ticks between residents' clocks so far
        self.recorder = Recorder(log, {m.name: m.id for m in self.minds}, lambda: self.state.tick)
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
        """One tick for everyone at once (the lock-step engine)."""
        look = look_at(self, range(len(self.minds)), self.state.tick)
        await at_tick(look.tick, look.decide(look.need))
        self.commit()

    async def advance(self, until: int, on_commit=None, *, engine: str = "auto") -> None:
        """Run every resident to tick ``until`` (the ticks before it committed): on their
        own clocks (``out-of-order``, sim/clocks.py), tick by tick (``lockstep``), or
        (``auto``) on their own clocks while model calls take time and tick by tick
        whenever everyone is at one tick and they do not (the scripted model, a warm
        cache). All three write the same run. ``on_commit`` is called after each
        committed tick; when it returns True the residents ahead stop where they are
        and the others catch up to them."""
        if engine not in ENGINES:
            raise ValueError(f"engine must be one of {', '.join(ENGINES)}, got {engine!r}")
        if engine == "lockstep":
            while self.state.tick < until:
                await self.step()
                if on_commit is not None and on_commit():
                    return
            return
        from smallville.sim.clocks import Clocks

        await Clocks(self, auto=engine == "auto").run(until, on_commit)

    def finish(self, members, t: int, now: int, decided: dict[int, Decision]) -> None:
        """Apply the decisions in resident order, move, and stage the tick's rows."""
        claimed: set[int] = set()
        for i in sorted(decided):
            self._apply(self.minds[i], decided[i], t, now, claimed)
        for i in members:
            self._move(i, t)
        self.recorder.stage_outboxes([self.minds[i] for i in members], t)

    def commit(self) -> None:
        """Every resident has finished the current tick: write it, move the clock on."""
        st = self.state
        self.recorder.commit_tick(st.tick, st.time)
        st.tick += 1
        st.time += self.tick_seconds

    def time_at(self, t: int) -> int:
        return self.state.time + (t - self.state.tick) * self.tick_seconds

    # ------------------------------------------------------------------ apply
    def _apply(self, m: Mind, d: Decision, t: int, now: int, claimed: set[int]) -> None:
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
            row = UtteranceRow(conv.id, conv.turns, t, m.id, d.utterance.text)
            self.recorder.stage(t, APPLY, m.id, row)
            if ended:
                del st.conversations[conv.id]
                row = ConversationRow(conv.id, conv.started, t, conv.a, conv.b, conv.place)
                self.recorder.stage(t, APPLY, m.id, row)
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
                # an id from when and by whom it began, so no counter is shared by
                # residents running different ticks; ids still sort by start
                cid = t * len(self.minds) + m.id + 1
                arena = self.places.arena_at(*st.positions[m.id])
                place = arena.address if arena else m.place
                st.conversations[cid] = Conversation(
                    id=cid, a=m.id, b=partner.id, place=place, started=t
                )
                for who, first in ((m, True), (partner, False)):
                    other = partner if who is m else m
                    action = who.start_chat(other.name, cid, first, place, now)
                    self._set_action(who, action, t, m.id)
                return
        if d.action is not None:
            self._set_action(m, d.action, t, m.id)

    def _set_action(self, m: Mind, a: Action, t: int, by: int) -> None:
        """``m`` takes up ``a`` (decided by ``by``: itself, or whoever began a
        conversation with it): it lets go of the object it held and walks off; it takes
        hold of ``a``'s object when it stands at it (``_hold``)."""
        st = self.state
        released = [address for address, owner in st.owners.items() if owner == m.id]
        for address in released:
            del st.owners[address]
            st.objects.pop(address, None)
        st.paths[m.id] = [] if m.chat.partner else self._path_to(m.id, a.address)
        held = self._hold(m, t, APPLY, by) if not st.paths[m.id] else None
        for address in released:
            if address != held:
                self.recorder.stage(t, APPLY, by, ObjectRow(t, address, "idle"))
        row = ActionRow(
            t,
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
        self.recorder.stage(t, APPLY, by, row)

    def _hold(self, m: Mind, t: int, phase: int, by: int) -> str | None:
        """Put ``m``'s action's object in its in-use state if ``m`` stands at it. An
        object is in use only once its user got there (as in the paper's server), so
        only residents near an object change it: what the out-of-order engine's
        dependency radius relies on."""
        a = m.action
        if a is None or not a.object_state or m.chat.partner:
            return None
        place = self._resolve(a.address)
        if not isinstance(place, Obj) or self.state.positions[m.id] not in place.use_tiles:
            return None
        self.state.objects[a.address] = a.object_state
        self.state.owners[a.address] = m.id
        self.recorder.stage(t, phase, by, ObjectRow(t, a.address, a.object_state))
        return a.address

    def _resolve(self, address: str):
        try:
            return self.places.resolve(address)
        except KeyError:
            return None

    def _path_to(self, aid: int, address: str) -> list[Tile]:
        start = self.state.positions[aid]
        place = self._resolve(address)
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

    def _move(self, i: int, t: int) -> None:
        path = self.state.paths[i]
        if path:
            self.state.positions[i] = path.pop(0)
            self.recorder.stage(t, MOVE, i, PositionRow(t, i, *self.state.positions[i]))
            if not path:
                self._hold(self.minds[i], t, MOVE, i)

    # ------------------------------------------------------------------ state
    def checkpoint(self) -> dict:
        """The world state (every ``SimState`` field, as JSON values) and each mind's."""
        state = _SIM_STATE.dump_python(self.state, mode="json")
        return {**state, "minds": [mind_state(m) for m in self.minds]}

    def restore(self, cp: dict) -> None:
        self.state = _SIM_STATE.validate_python({k: v for k, v in cp.items() if k != "minds"})
        for m, s in zip(self.minds, cp["minds"], strict=True):
            load_mind_state(m, s)
