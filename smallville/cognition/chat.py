"""What a mind says: whether to talk to someone it sees, its side of a conversation,
and what the conversation leaves in memory. ``converse`` builds the requests; the
server pairs the speakers and passes each utterance to both (``hear``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from smallville import gametime as gt
from smallville.cognition import converse
from smallville.cognition.importance import rate
from smallville.cognition.memory_keeper import MemoryKeeper
from smallville.cognition.settings import CognitionSettings
from smallville.cognition.snapshot import AgentView, Event
from smallville.llm import schemas as k

REACT_AGAIN_SECONDS = 3 * 3600  # the same person is considered at most every 3 hours
SOCIAL_GAP = 90 * 60  # no new conversation this soon after the last one
REACT_GAP = 20 * 60  # at most one reaction check in this time


@dataclass
class ChatState:
    """The current conversation, if any, and what outlives conversations."""

    partner: str | None = None
    conversation: int | None = None  # the server's id
    transcript: list[k.Turn] = field(default_factory=list)
    my_turn: bool = False
    ended: bool = False  # the last utterance ended it; closed at the next step
    place: str = ""  # where the conversation happens
    # kept from one conversation to the next:
    cooldown: dict[str, int] = field(default_factory=dict)  # partner -> game time
    considered: dict[str, int] = field(default_factory=dict)  # person -> last react check
    last_react: int = -(10**9)
    last_end: int = -(10**9)


class Talker:
    """One mind's conversations: starting them, speaking, and remembering them."""

    def __init__(
        self,
        brief: k.PersonaBrief,
        settings: CognitionSettings,
        keeper: MemoryKeeper,
        state: ChatState,
    ) -> None:
        self.brief = brief
        self.name = brief.name
        self.settings = settings
        self.keeper = keeper
        self.state = state

    # ------------------------------------------------------------ whether to talk
    def may_talk(self, person: str, now: int, others: dict[str, AgentView]) -> bool:
        v = others.get(person)
        return (
            v is not None
            and not v.asleep
            and v.chatting_with is None
            and self.state.cooldown.get(person, 0) <= now
        )

    def partner_among(self, fresh: Sequence[Event], now: int, others: dict[str, AgentView]) -> str:
        """The first person in ``fresh`` the mind may talk to (``react`` found one)."""
        return next(
            e.subject for e in fresh if e.kind == "agent" and self.may_talk(e.subject, now, others)
        )

    async def react(
        self, llm, now: int, fresh: Sequence[Event], others: dict[str, AgentView], doing: str
    ) -> str:
        """Whether to "talk", "wait" or "continue", on seeing the first person in
        ``fresh`` the mind may talk to and has not considered lately."""
        s = self.state
        if now - s.last_end < SOCIAL_GAP or now - s.last_react < REACT_GAP:
            return "continue"
        for e in fresh:
            if e.kind != "agent" or not self.may_talk(e.subject, now, others):
                continue
            if now - s.considered.get(e.subject, -REACT_AGAIN_SECONDS) < REACT_AGAIN_SECONDS:
                continue
            s.considered[e.subject] = now
            s.last_react = now
            memories = await self.keeper.recall(
                llm, f"{e.subject} {e.description}", now, self.settings.prompt_memories
            )
            v = others[e.subject]
            return await converse.react(
                llm,
                self.brief,
                gt.fmt(now),
                doing,
                e.description,
                e.subject,
                v.action,
                v.asleep,
                memories,
            )
        return "continue"

    # ------------------------------------------------------------ a conversation
    def begin(self, partner: str, conversation: int, first: bool, place: str) -> None:
        s = self.state
        s.partner, s.conversation, s.place = partner, conversation, place
        s.transcript = []
        s.my_turn = first
        s.ended = False

    def hear(self, turn: k.Turn, ended: bool) -> None:
        self.state.transcript.append(turn)
        self.state.my_turn = turn.speaker != self.name
        self.state.ended = ended

    async def speak(self, llm, now: int, listener: AgentView | None) -> k.Utterance:
        s = self.state
        partner = s.partner or ""
        last = s.transcript[-1].text if s.transcript else ""
        memories = await self.keeper.recall(
            llm, f"{partner} {last}", now, self.settings.prompt_memories
        )
        u = await converse.utterance(
            llm,
            self.brief,
            partner,
            listener.action if listener else "",
            s.place,
            gt.fmt(now),
            memories,
            s.transcript,
            self.settings.max_rounds,
        )
        if k.is_last_turn(s.transcript, self.name, self.settings.max_rounds):
            u = k.Utterance(text=u.text, end=True)
        return u

    async def close(self, llm, now: int) -> None:
        """Remember the conversation that ended, and start the cooldown with the partner."""
        s = self.state
        if s.transcript:
            await self._remember(llm, now, s)
        s.cooldown[s.partner or ""] = now + self.settings.chat_cooldown_minutes * gt.MINUTE
        self.state = ChatState(
            cooldown=s.cooldown, considered=s.considered, last_react=s.last_react, last_end=now
        )

    async def _remember(self, llm, now: int, s: ChatState) -> None:
        """That the talk happened, the memo on it and any plan it led to (a plan thought,
        like the day plan's), rated together."""
        partner = s.partner or ""
        summary = await converse.summarize(llm, self.brief, partner, s.transcript)
        chat = f"{self.name} talked with {partner} at {s.place.split(':')[-1]}"
        texts = [chat, summary.memo] + (
            [summary.planning_thought] if summary.planning_thought else []
        )
        scores = await rate(llm, self.brief, texts, "chat")
        source = f"conversation:{s.conversation}"
        await self.keeper.remember(
            llm, now, "chat", texts[:1], source=source, importance=scores[:1]
        )
        thoughts = ["memo", "plan"][: len(texts) - 1]
        await self.keeper.remember(
            llm, now, "thought", texts[1:], subkind=thoughts, source=source, importance=scores[1:]
        )
