"""One agent's mind, in three parts that each answer one question:

- ``Planner`` (planner.py): what do I do next? The day's plan, blocks and actions.
- ``MemoryKeeper`` (memory_keeper.py): what do I remember, and when do I reflect?
- ``Talker`` (chat.py): whom do I talk to, and what do we say?

``Mind.step`` runs them in turn. During a tick's decide phase a mind reads the shared
views and changes only its own state, so minds can step concurrently and the
outcome does not depend on the order the model answers in. What the server must apply
(a new action, a request to talk, an utterance) comes back as a Decision; what the run
log must record is left in ``outbox``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass

from pydantic import TypeAdapter

from smallville.cognition.chat import ChatState, Talker
from smallville.cognition.memory_keeper import Backlog, MemoryKeeper
from smallville.cognition.persona import Persona
from smallville.cognition.planner import Planner, PlanState
from smallville.cognition.schedule import Action
from smallville.cognition.settings import CognitionSettings
from smallville.cognition.snapshot import AgentView, Event
from smallville.cognition.spatial import PlaceIndex, SpatialMemory
from smallville.llm import schemas as k
from smallville.memory import MemoryStream


@dataclass
class Decision:
    action: Action | None = None  # the new current action, when it changed
    talk_to: str | None = None
    utterance: k.Utterance | None = None


@dataclass
class MindState:
    """What a mind carries from tick to tick besides its memory stream and spatial
    memory (each saved in a format of its own): a piece for each of its three parts.
    A checkpoint saves it whole, so a field added to a piece is saved with no more
    code."""

    plan: PlanState
    backlog: Backlog
    chat: ChatState


class Mind:
    """The agent the server talks to: it steps each tick and hears conversations."""

    def __init__(
        self,
        aid: int,
        persona: Persona,
        spatial: SpatialMemory,
        places: PlaceIndex,
        settings: CognitionSettings,
        dim: int,
    ) -> None:
        self.id = aid
        self.persona = persona
        self.brief = persona.brief()
        self.name = persona.name
        self.spatial = spatial
        self.places = places
        self.settings = settings
        self.outbox: list[tuple] = []
        fresh = MindState(PlanState(place=persona.living_area), Backlog(), ChatState())
        self._assemble(fresh, MemoryStream(dim, retention=settings.retention))

    def _assemble(self, state: MindState, memory: MemoryStream) -> None:
        """Build the three parts around ``state``, each holding its own piece."""
        self.keeper = MemoryKeeper(self.brief, self.settings, memory, state.backlog, self.outbox)
        self.planner = Planner(
            self.brief,
            self.spatial,
            self.places,
            self.settings,
            self.keeper,
            self.outbox,
            state.plan,
        )
        self.talker = Talker(self.brief, self.settings, self.keeper, state.chat)

    @property
    def state(self) -> MindState:
        """Gathered from the parts when asked: a part may replace its piece (a closed
        chat starts a fresh ChatState), so the mind keeps no copy of its own."""
        return MindState(self.planner.state, self.keeper.backlog, self.talker.state)

    # ------------------------------------------------------------ what the server reads
    @property
    def chat(self) -> ChatState:
        return self.talker.state

    @property
    def memory(self) -> MemoryStream:
        return self.keeper.stream

    @memory.setter
    def memory(self, stream: MemoryStream) -> None:
        """The server swaps in an empty stream once it knows the embedding size."""
        self.keeper.stream = stream

    @property
    def action(self) -> Action | None:
        return self.planner.state.action

    @property
    def place(self) -> str:
        return self.planner.state.place

    @property
    def asleep(self) -> bool:
        return self.planner.asleep

    # ------------------------------------------------------------ a tick
    def needs_step(self, now: int, events: Sequence[Event]) -> bool:
        """Cheap test run every tick: is there anything to decide?"""
        if self.planner.new_day_due(now) or self.planner.action_due(now):
            return True
        if self.chat.ended or (self.chat.partner and self.chat.my_turn):
            return True
        if self.chat.partner or self.asleep:
            return False
        if self.keeper.flush_due(now):
            return True
        return any(self.keeper.is_new(e) for e in events)

    async def step(
        self, llm, now: int, me: AgentView, events: Sequence[Event], others: dict[str, AgentView]
    ) -> Decision:
        """Decide this tick: close a conversation that ended, speak in one under way,
        or else go about the day."""
        if me.arena:
            self.planner.state.place = me.arena
            self.spatial.learn(me.arena)
        if self.planner.new_day_due(now):
            await self.planner.new_day(llm, now)
        if self.chat.ended:
            return Decision(action=await self._after_chat(llm, now))
        if self.chat.partner:
            if not self.chat.my_turn:
                return Decision()
            listener = others.get(self.chat.partner)
            return Decision(utterance=await self.talker.speak(llm, now, listener))
        return await self._go_about(llm, now, events, others)

    async def _after_chat(self, llm, now: int) -> Action:
        if self.planner.state.blocks and now >= self.planner.state.wake_at:
            # Independent chains, issued together: remembering the talk writes memory,
            # the next action reads none (the day is planned) and writes only the
            # queue. Memory ids and outbox rows therefore come out the same whichever
            # request answers first (the server writes the outbox in a fixed order).
            _, action = await asyncio.gather(
                self.talker.close(llm, now), self.planner.next_action(llm, now)
            )
            return action
        await self.talker.close(llm, now)
        return await self.planner.next_action(llm, now)

    async def _go_about(
        self, llm, now: int, events: Sequence[Event], others: dict[str, AgentView]
    ) -> Decision:
        """Outside conversations: take in what is new, perhaps react to a person or
        reflect, and move on when the current action is over."""
        d = Decision()
        fresh = [e for e in events if self.keeper.is_new(e)] if not self.asleep else []
        await self.keeper.observe(llm, now, fresh)
        if fresh and not self.asleep and now >= self.planner.state.wake_at:
            doing = self.action.description if self.action else "idle"
            reaction = await self.talker.react(llm, now, fresh, others, doing)
            if reaction == "talk":
                d.talk_to = self.talker.partner_among(fresh, now, others)
            elif reaction == "wait":
                return Decision(action=self.planner.wait(now, fresh[0]))
        await self.keeper.reflect_when_due(llm, now)
        if self.planner.action_due(now):
            d.action = await self.planner.next_action(llm, now)
        return d

    # ------------------------------------------------------------ called by the server
    async def seed(self, llm, now: int, texts: Sequence[str], source: str) -> list[int]:
        """Plant memories (persona seeds, scenario facts, whispers)."""
        return await self.keeper.remember(llm, now, "observation", list(texts), source=source)

    def start_chat(
        self, partner: str, conversation: int, first: bool, place: str, now: int
    ) -> Action:
        """Called by the server, in agent order, when a conversation begins. The planned
        actions stay queued; those that end during the chat are dropped afterwards."""
        self.talker.begin(partner, conversation, first, place)
        return self.planner.chat_with(partner, place, now)

    def hear(self, turn: k.Turn, ended: bool) -> None:
        """Called by the server for both sides after each utterance."""
        self.talker.hear(turn, ended)


# ---------------------------------------------------------------- checkpoints
_STATE = TypeAdapter(MindState)


def mind_state(m: Mind) -> dict:
    """Everything a mind needs to continue exactly where it was, as JSON values."""
    return {
        "memory": m.memory.to_state(),
        "spatial": m.spatial.to_state(),
        "mind": _STATE.dump_python(m.state, mode="json"),
    }


def load_mind_state(m: Mind, s: dict) -> None:
    """Put ``m`` back where ``mind_state`` saved it."""
    m.spatial.load_state(s["spatial"])
    m._assemble(_STATE.validate_python(s["mind"]), MemoryStream.from_state(s["memory"]))
