"""One agent's mind: memory, spatial memory, plans and conversation state, and the
step that decides what to do next.

During a tick's decide phase a mind reads the shared snapshot and changes only its
own state, so minds can step concurrently and the outcome does not depend on the
order the model answers in. What the server must apply (a new action, a request to
talk, an utterance) comes back as a Decision; what the run log must record is left
in ``outbox``.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace

import numpy as np

from smallville import gametime as gt
from smallville.cognition import plan, reflect, social
from smallville.cognition.persona import Persona
from smallville.cognition.settings import CognitionSettings
from smallville.cognition.spatial import SpatialMemory
from smallville.cognition.types import Action, AgentView, Block, Event
from smallville.llm import schemas as k
from smallville.memory import MemoryStream, RetrievalSettings

FLUSH_SECONDS = 2 * 3600  # rate pending observations at least every two game hours
FLUSH_COUNT = 32  # or as soon as a full batch is waiting
REACT_AGAIN_SECONDS = 3 * 3600  # the same person is considered at most every 3 hours
BRIEF_CHARS = 200  # a memory shown to the model is cut to this length
SOCIAL_GAP = 90 * 60  # no new conversation this soon after the last one
REACT_GAP = 20 * 60  # at most one reaction check in this time


@dataclass
class ChatState:
    partner: str | None = None
    conversation: int | None = None
    transcript: list[k.Turn] = field(default_factory=list)
    my_turn: bool = False
    ended: bool = False
    place: str = ""
    cooldown: dict[str, int] = field(default_factory=dict)  # partner -> game time
    considered: dict[str, int] = field(default_factory=dict)  # person -> last react check
    last_react: int = -(10**9)
    last_end: int = -(10**9)


@dataclass
class Decision:
    action: Action | None = None  # the new current action, when it changed
    talk_to: str | None = None
    utterance: k.Utterance | None = None


class PlaceIndex:
    """Embeddings of every object address, to offer each block a relevant shortlist."""

    def __init__(self, addresses: Sequence[str], vectors: np.ndarray) -> None:
        self.addresses = list(addresses)
        self.row = {a: i for i, a in enumerate(self.addresses)}
        self.vectors = np.asarray(vectors, np.float32)

    @staticmethod
    def text(address: str) -> str:
        _, sector, arena, obj = address.split(":")[:4]
        return f"{obj} in the {arena} of {sector}"

    def shortlist(
        self,
        allowed: Sequence[str],
        queries: np.ndarray,
        per_query: int,
        always: Sequence[str],
        cap: int,
    ) -> list[str]:
        rows = np.array([self.row[a] for a in allowed], np.int64)
        chosen: dict[str, None] = dict.fromkeys(a for a in always if a in self.row)
        sims = self.vectors[rows] @ np.asarray(queries, np.float32).T  # (options, queries)
        for q in range(sims.shape[1]):
            for j in np.argsort(-sims[:, q], kind="stable")[:per_query]:
                chosen[allowed[int(j)]] = None
        return sorted(chosen)[:cap] if len(chosen) > cap else sorted(chosen)


class Mind:
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
        self.retrieval = RetrievalSettings(
            w_recency=settings.w_recency,
            w_importance=settings.w_importance,
            w_relevance=settings.w_relevance,
            decay=settings.recency_decay,
            k=settings.retrieve_k,
        )
        self.memory = MemoryStream(dim, retention=settings.retention)
        self.day: int | None = None
        self.wake_at: int = 0
        self.day_plan: list[str] = []
        self.yesterday: list[str] = []
        self.blocks: list[Block] = []
        self.queue: deque[Action] = deque()
        self.action: Action | None = None
        self.pending: list[Event] = []
        self.last_flush = 0
        self.chat = ChatState()
        self.place = persona.living_area
        self.outbox: list[tuple] = []

    # ------------------------------------------------------------ what to do
    @property
    def asleep(self) -> bool:
        return self.action is not None and self.action.description == "sleeping"

    def needs_step(self, now: int, events: Sequence[Event]) -> bool:
        """Cheap test run every tick: is there anything to decide?"""
        if self.day != gt.day_start(now) or self.action is None or now >= self.action.end:
            return True
        if self.chat.ended or (self.chat.partner and self.chat.my_turn):
            return True
        if self.chat.partner or self.asleep:
            return False
        if self.pending and now - self.last_flush >= FLUSH_SECONDS:
            return True
        return any(self._is_new(e) for e in events)

    def _is_new(self, e: Event) -> bool:
        return not self.memory.seen_recently(e.description) and all(
            p.description != e.description for p in self.pending
        )

    async def step(
        self, llm, now: int, me: AgentView, events: Sequence[Event], others: dict[str, AgentView]
    ) -> Decision:
        d = Decision()
        self.place = me.arena or self.place
        if me.arena:
            self.spatial.learn(me.arena)
        if self.day != gt.day_start(now):
            await self._new_day(llm, now)
        if self.chat.ended:
            if self.blocks and now >= self.wake_at:
                # Independent chains, issued together: summarising the talk writes memory,
                # the next action reads none (the day is planned) and writes only the
                # queue. Memory ids and outbox rows therefore come out the same whichever
                # request answers first (the server writes the outbox in a fixed order).
                _, d.action = await asyncio.gather(
                    self._close_chat(llm, now), self._next_action(llm, now)
                )
            else:
                await self._close_chat(llm, now)
                d.action = await self._next_action(llm, now)
            return d
        if self.chat.partner:
            if self.chat.my_turn:
                d.utterance = await self._speak(llm, now, others.get(self.chat.partner))
            return d
        fresh = [e for e in events if self._is_new(e)] if not self.asleep else []
        self.pending.extend(fresh)
        if len(self.pending) >= FLUSH_COUNT or (
            self.pending and now - self.last_flush >= FLUSH_SECONDS
        ):
            await self._flush(llm, now)
        if fresh and not self.asleep and now >= self.wake_at:
            reaction = await self._react(llm, now, fresh, others)
            if reaction == "talk":
                d.talk_to = next(
                    e.subject
                    for e in fresh
                    if e.kind == "agent" and self._may_talk(e.subject, now, others)
                )
            elif reaction == "wait":
                d.action = self._wait(now, fresh[0])
                return d
        if (
            self.settings.reflection
            and self.memory.importance_since_reflection >= self.settings.reflection_threshold
        ):
            await self._flush(llm, now)
            await self._reflect(llm, now)
        if self.action is None or now >= self.action.end:
            d.action = await self._next_action(llm, now)
        return d

    # ------------------------------------------------------------ planning
    async def _new_day(self, llm, now: int) -> None:
        self.day = gt.day_start(now)
        self.yesterday = self.day_plan
        self.day_plan = []
        self.blocks = []
        self.queue.clear()
        wake = await plan.wake_hour(llm, self.brief, now)
        self.wake_at = self.day + wake * gt.HOUR
        self.outbox.append(("plan", "wake_up_hour", {"hour": wake}))

    async def _plan_day(self, llm, now: int) -> None:
        wake_hour = (self.wake_at - self.day) // gt.HOUR
        if not self.settings.planning:
            self.blocks = [Block(start=0, minutes=24 * 60, activity="going about the day")]
            return
        memories = self._important_recent(now, 12)
        self.day_plan = await plan.day_plan(
            llm, self.brief, now, wake_hour, self.yesterday, memories
        )
        self.blocks = await plan.hourly_blocks(llm, self.brief, now, wake_hour, self.day_plan)
        text = f"This is {self.name}'s plan for {gt.fmt_date(now)}: " + "; ".join(self.day_plan)
        await self._remember(llm, now, "thought", [text], subkind="plan", importance=[3])
        self.outbox.append(("plan", "day", {"items": self.day_plan}))
        self.outbox.append(
            (
                "plan",
                "schedule",
                {"blocks": [[b.start, b.minutes, b.activity] for b in self.blocks]},
            )
        )

    def block_at(self, now: int) -> Block:
        minute = gt.minute_of_day(now)
        for b in self.blocks:
            if b.start <= minute < b.end:
                return b
        return Block(start=minute, minutes=24 * 60 - minute, activity="sleeping")

    async def _next_action(self, llm, now: int, force: bool = False) -> Action:
        if now < self.wake_at:
            self.action = self._sleep_until(now, self.wake_at, "sleeping")
            return self.action
        if not self.blocks:
            await self._plan_day(llm, now)
        block = self.block_at(now)
        while self.queue and self.queue[0].end <= now:
            self.queue.popleft()
        if force or not self.queue or self.queue[0].block != block.activity:
            await self._fill_block(llm, now, block)
        self.action = self.queue.popleft()
        if self.action.start != now:  # start at once: the block's minutes still add up
            self.action = _retime(self.action, now, self.action.end - now)
        return self.action

    async def _fill_block(self, llm, now: int, block: Block) -> None:
        """Decompose the rest of ``block`` into actions with places."""
        end_of_block = gt.day_start(now) + block.end * gt.MINUTE
        minutes = max(1, (end_of_block - now + 59) // 60)
        self.queue.clear()
        steps = await plan.decompose(llm, self.brief, now, block.activity, minutes)
        if plan.is_sleep(block.activity):
            acts = plan.sleep_actions(steps, now, self._bed(), block.activity, self.name)
        else:
            options = await self._options(llm, block.activity, steps)
            acts = await plan.place_actions(
                llm, self.brief, steps, block.activity, now, self.place, options
            )
        self.queue.extend(acts)
        self.outbox.append(
            (
                "plan",
                "actions",
                {
                    "block": block.activity,
                    "steps": [[a.description, a.duration // 60, a.address] for a in acts],
                },
            )
        )

    async def _options(self, llm, block: str, steps: Sequence[k.Step]) -> list[str]:
        allowed = self.spatial.options()
        texts = [block, *[s.description for s in steps[:8]]]
        queries = await llm.embed(texts)
        home = [a for a in allowed if a.startswith(self.persona.living_area + ":")]
        work = [
            a
            for a in allowed
            if self.persona.workplace and a.startswith(self.persona.workplace + ":")
        ]
        return self.places.shortlist(allowed, queries, per_query=3, always=home + work, cap=24)

    def _bed(self) -> str:
        home = self.persona.living_area + ":"
        beds = [
            a for a in self.spatial.options() if a.startswith(home) and "bed" in a.rsplit(":", 1)[1]
        ]
        return beds[0] if beds else self.persona.living_area

    def _sleep_until(self, now: int, until: int, label: str) -> Action:
        return Action(
            description=label,
            address=self._bed(),
            emoji="😴",
            triple=(self.name, "is", "sleeping"),
            object_state="the bed is in use",
            start=now,
            duration=max(gt.MINUTE, until - now),
            block="sleeping",
        )

    def _wait(self, now: int, event: Event) -> Action:
        self.queue.clear()  # the rest of the block is planned again after waiting
        self.action = Action(
            description=f"waiting for {event.subject} to finish"[:80],
            address=self.action.address if self.action else self.place,
            emoji="⏳",
            triple=(self.name, "is waiting for", event.subject),
            object_state=None,
            start=now,
            duration=5 * gt.MINUTE,
            block=self.block_at(now).activity,
        )
        return self.action

    # ------------------------------------------------------------ memory
    async def _remember(
        self,
        llm,
        now: int,
        kind: str,
        texts: Sequence[str],
        *,
        subkind: str = "",
        importance: Sequence[int] | None = None,
        evidence: Sequence[Sequence[int]] | None = None,
        source: str = "",
        rate_as: str = "event",
    ) -> list[int]:
        if not texts:
            return []
        if importance is None:
            importance = await social.rate(llm, self.brief, texts, rate_as)
        vectors = await llm.embed(list(texts))
        ids = []
        for j, text in enumerate(texts):
            ev = tuple(evidence[j]) if evidence else ()
            i = self.memory.add(
                kind=kind,
                text=text,
                created=now,
                importance=int(importance[j]),
                embedding=vectors[j],
                subkind=subkind,
                evidence=ev,
                source=source,
            )
            ids.append(i)
            self.outbox.append(("memory", i))
        return ids

    async def _flush(self, llm, now: int) -> None:
        events, self.pending = self.pending, []
        self.last_flush = now
        await self._remember(llm, now, "observation", [e.description for e in events])

    async def seed(self, llm, now: int, texts: Sequence[str], source: str) -> list[int]:
        """Plant memories (persona seeds, scenario facts, whispers)."""
        return await self._remember(llm, now, "observation", list(texts), source=source)

    async def recall(
        self, llm, query: str, now: int, n: int, touch: bool = True
    ) -> list[k.MemoryBrief]:
        if not self.settings.memory or len(self.memory) == 0:
            return []
        vec = (await llm.embed([query]))[0]
        ids = self.memory.retrieve(vec, now, self.retrieval, touch=touch)[:n]
        return [self._brief(i) for i in ids]

    def _brief(self, i: int) -> k.MemoryBrief:
        r = self.memory.record(i)
        text = r.text if len(r.text) <= BRIEF_CHARS else r.text[: BRIEF_CHARS - 1] + "…"
        return k.MemoryBrief(
            id=i, text=text, importance=r.importance, created=gt.fmt(r.created), kind=r.kind
        )

    def _important_recent(self, now: int, n: int) -> list[k.MemoryBrief]:
        if not self.settings.memory:
            return []
        ids = self.memory.recent(200)
        ids = [i for i in ids if now - self.memory.record(i).created <= 2 * gt.DAY]
        ids.sort(key=lambda i: (-self.memory.record(i).importance, -i))
        return [self._brief(i) for i in sorted(ids[:n])]

    async def _reflect(self, llm, now: int) -> None:
        recent = [self._brief(i) for i in self.memory.recent(self.settings.reflection_records)]

        async def recall(q: str, n: int) -> list[k.MemoryBrief]:
            return await self.recall(llm, q, now, n)

        results = await reflect.reflect(
            llm,
            self.brief,
            recent,
            recall,
            self.settings.prompt_memories,
            self.settings.insights_per_question,
        )
        for question, found in results:
            texts = [i.text for i in found]
            ids = await self._remember(
                llm,
                now,
                "thought",
                texts,
                subkind="reflection",
                evidence=[i.evidence for i in found],
                rate_as="thought",
            )
            self.outbox.append(("reflection", question, ids))
        self.memory.mark_reflected()

    # ------------------------------------------------------------ people
    def _may_talk(self, person: str, now: int, others: dict[str, AgentView]) -> bool:
        v = others.get(person)
        return (
            v is not None
            and not v.asleep
            and v.chatting_with is None
            and self.chat.cooldown.get(person, 0) <= now
        )

    async def _react(
        self, llm, now: int, fresh: Sequence[Event], others: dict[str, AgentView]
    ) -> str:
        if now - self.chat.last_end < SOCIAL_GAP or now - self.chat.last_react < REACT_GAP:
            return "continue"
        for e in fresh:
            if e.kind != "agent" or not self._may_talk(e.subject, now, others):
                continue
            if (
                now - self.chat.considered.get(e.subject, -REACT_AGAIN_SECONDS)
                < REACT_AGAIN_SECONDS
            ):
                continue
            self.chat.considered[e.subject] = now
            self.chat.last_react = now
            memories = await self.recall(
                llm, f"{e.subject} {e.description}", now, self.settings.prompt_memories
            )
            doing = self.action.description if self.action else "idle"
            v = others[e.subject]
            return await social.react(
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

    def start_chat(
        self, partner: str, conversation: int, first: bool, place: str, now: int
    ) -> Action:
        """Called by the server, in agent order, when a conversation begins. The planned
        actions stay queued; those that end during the chat are dropped afterwards."""
        self.chat.partner = partner
        self.chat.conversation = conversation
        self.chat.transcript = []
        self.chat.my_turn = first
        self.chat.ended = False
        self.chat.place = place
        rounds = self.settings.max_rounds * 2 + 2
        self.action = Action(
            description=f"chatting with {partner}"[:80],
            address=place,
            emoji="💬",
            triple=(self.name, "is chatting with", partner),
            object_state=None,
            start=now,
            duration=rounds * 10 * 6,
            block=self.block_at(now).activity if self.blocks else "",
        )
        return self.action

    def hear(self, turn: k.Turn, ended: bool) -> None:
        """Called by the server for both sides after each utterance."""
        self.chat.transcript.append(turn)
        self.chat.my_turn = turn.speaker != self.name
        self.chat.ended = ended

    async def _speak(self, llm, now: int, listener: AgentView | None) -> k.Utterance:
        partner = self.chat.partner or ""
        last = self.chat.transcript[-1].text if self.chat.transcript else ""
        memories = await self.recall(llm, f"{partner} {last}", now, self.settings.prompt_memories)
        mine = sum(t.speaker == self.name for t in self.chat.transcript)
        u = await social.utterance(
            llm,
            self.brief,
            partner,
            listener.action if listener else "",
            self.chat.place,
            gt.fmt(now),
            memories,
            self.chat.transcript,
            self.settings.max_rounds,
        )
        if mine + 1 >= self.settings.max_rounds:
            u = k.Utterance(text=u.text, end=True)
        return u

    async def _close_chat(self, llm, now: int) -> None:
        partner = self.chat.partner or ""
        transcript = list(self.chat.transcript)
        source = f"conversation:{self.chat.conversation}"
        if transcript:
            summary = await social.summarize(llm, self.brief, partner, transcript)
            chat = f"{self.name} talked with {partner} at {self.chat.place.split(':')[-1]}"
            texts = [chat, summary.memo] + (
                [summary.planning_thought] if summary.planning_thought else []
            )
            scores = await social.rate(llm, self.brief, texts, "chat")
            await self._remember(llm, now, "chat", texts[:1], source=source, importance=scores[:1])
            await self._remember(
                llm, now, "thought", texts[1:], subkind="memo", source=source, importance=scores[1:]
            )
        self.chat.cooldown[partner] = now + self.settings.chat_cooldown_minutes * gt.MINUTE
        self.chat.last_end = now
        self.chat.partner = None
        self.chat.conversation = None
        self.chat.transcript = []
        self.chat.ended = False
        self.chat.my_turn = False

    # ------------------------------------------------------------ questions
    async def interview(self, llm, question: str, now: int) -> str:
        memories = await self.recall(llm, question, now, self.settings.prompt_memories, touch=False)
        return await social.interview(llm, self.brief, gt.fmt(now), question, memories)


def _retime(a: Action, start: int, duration: int) -> Action:
    return replace(a, start=start, duration=max(gt.MINUTE, duration))


# ---------------------------------------------------------------- checkpoints
def _action_d(a: Action | None) -> dict | None:
    return None if a is None else asdict(a) | {"triple": list(a.triple)}


def _action(d: dict | None) -> Action | None:
    if d is None:
        return None
    return Action(**{**d, "triple": tuple(d["triple"])})


def mind_state(m: Mind) -> dict:
    """Everything a mind needs to continue exactly where it was."""
    c = m.chat
    return {
        "memory": m.memory.to_state(),
        "spatial": m.spatial.to_state(),
        "day": m.day,
        "wake_at": m.wake_at,
        "day_plan": m.day_plan,
        "yesterday": m.yesterday,
        "blocks": [[b.start, b.minutes, b.activity] for b in m.blocks],
        "queue": [_action_d(a) for a in m.queue],
        "action": _action_d(m.action),
        "pending": [vars(e) | {"position": list(e.position)} for e in m.pending],
        "last_flush": m.last_flush,
        "place": m.place,
        "chat": {
            "partner": c.partner,
            "conversation": c.conversation,
            "transcript": [[t.speaker, t.text] for t in c.transcript],
            "my_turn": c.my_turn,
            "ended": c.ended,
            "place": c.place,
            "cooldown": c.cooldown,
            "considered": c.considered,
            "last_react": c.last_react,
            "last_end": c.last_end,
        },
    }


def load_mind_state(m: Mind, s: dict) -> None:
    m.memory = MemoryStream.from_state(s["memory"])
    m.spatial.load_state(s["spatial"])
    m.day, m.wake_at = s["day"], s["wake_at"]
    m.day_plan, m.yesterday = list(s["day_plan"]), list(s["yesterday"])
    m.blocks = [Block(start=a, minutes=b, activity=c) for a, b, c in s["blocks"]]
    m.queue = deque(_action(a) for a in s["queue"])
    m.action = _action(s["action"])
    m.pending = [Event(**{**e, "position": tuple(e["position"])}) for e in s["pending"]]
    m.last_flush, m.place = s["last_flush"], s["place"]
    c = s["chat"]
    m.chat = ChatState(
        partner=c["partner"],
        conversation=c["conversation"],
        transcript=[k.Turn(speaker=a, text=b) for a, b in c["transcript"]],
        my_turn=c["my_turn"],
        ended=c["ended"],
        place=c["place"],
        cooldown=dict(c["cooldown"]),
        considered=dict(c["considered"]),
        last_react=c["last_react"],
        last_end=c["last_end"],
    )
