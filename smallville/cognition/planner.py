"""What a mind does next: the day's plan, its hourly blocks, the queue of actions that
fill the current block, and the current action.

A day starts with choosing when to wake; until then the mind sleeps. At waking the
day is planned (a plan, then hourly blocks), and each block, when it begins, is broken
into actions with places. ``plan`` builds the requests.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from smallville import gametime as gt
from smallville.cognition import plan
from smallville.cognition.memory_keeper import MemoryKeeper
from smallville.cognition.schedule import Action, Block
from smallville.cognition.settings import CognitionSettings
from smallville.cognition.snapshot import Event
from smallville.cognition.spatial import PlaceIndex, SpatialMemory
from smallville.llm import schemas as k

# A chat is one action lasting a game minute for each utterance it may hold (both
# sides' max_rounds, and two to spare). The server plays one utterance a tick (10 game
# seconds by default), so the talk is over well before, and the mind then moves on to
# its next action at once: the length is only an upper bound, seen in the run log and
# the viewer.
CHAT_SECONDS_PER_UTTERANCE = gt.MINUTE


@dataclass
class PlanState:
    """A mind's plans and whereabouts."""

    day: int | None = None  # start of the day being lived; None before the first
    wake_at: int = 0  # when the mind wakes today (game seconds)
    day_plan: list[str] = field(default_factory=list)
    yesterday: list[str] = field(default_factory=list)  # the day before's plan
    blocks: list[Block] = field(default_factory=list)  # today's schedule, once planned
    queue: deque[Action] = field(default_factory=deque)  # the current block's next actions
    action: Action | None = None  # what the mind is doing now
    place: str = ""  # the arena it last stood in


class Planner:
    """Keeps a mind's current action, planning the day and its blocks when needed."""

    def __init__(
        self,
        brief: k.PersonaBrief,
        spatial: SpatialMemory,
        places: PlaceIndex,
        settings: CognitionSettings,
        keeper: MemoryKeeper,
        outbox: list[tuple],
        state: PlanState,
    ) -> None:
        self.brief = brief
        self.name = brief.name
        self.spatial = spatial
        self.places = places
        self.settings = settings
        self.keeper = keeper
        self.outbox = outbox
        self.state = state

    @property
    def asleep(self) -> bool:
        return self.state.action is not None and self.state.action.description == k.SLEEPING

    def new_day_due(self, now: int) -> bool:
        return self.state.day != gt.day_start(now)

    def action_due(self, now: int) -> bool:
        """Is there no current action, or has it ended?"""
        return self.state.action is None or now >= self.state.action.end

    def block_at(self, now: int) -> Block:
        """The schedule's block at ``now``; sleep where nothing is planned."""
        minute = gt.minute_of_day(now)
        for b in self.state.blocks:
            if b.start <= minute < b.end:
                return b
        return Block(start=minute, minutes=24 * 60 - minute, activity=k.SLEEPING)

    # ------------------------------------------------------------ the day
    async def new_day(self, llm, now: int) -> None:
        """Forget the old day's blocks and choose when to wake; the day itself is
        planned at waking."""
        s = self.state
        s.day = gt.day_start(now)
        s.yesterday, s.day_plan, s.blocks = s.day_plan, [], []
        s.queue.clear()
        wake = await plan.wake_hour(llm, self.brief, now)
        s.wake_at = s.day + wake * gt.HOUR
        self.outbox.append(("plan", "wake_up_hour", {"hour": wake}))

    async def _plan_day(self, llm, now: int) -> None:
        """At waking: the day's plan, its hourly blocks, and a memory of the plan."""
        s = self.state
        wake_hour = (s.wake_at - s.day) // gt.HOUR
        if not self.settings.planning:
            s.blocks = [Block(start=0, minutes=24 * 60, activity="going about the day")]
            return
        memories = self.keeper.important_recent(now, 12)
        s.day_plan = await plan.day_plan(llm, self.brief, now, wake_hour, s.yesterday, memories)
        s.blocks = await plan.hourly_blocks(llm, self.brief, now, wake_hour, s.day_plan)
        text = f"This is {self.name}'s plan for {gt.fmt_date(now)}: " + "; ".join(s.day_plan)
        await self.keeper.remember(llm, now, "thought", [text], subkind="plan", importance=[3])
        self.outbox.append(("plan", "day", {"items": s.day_plan}))
        blocks = [[b.start, b.minutes, b.activity] for b in s.blocks]
        self.outbox.append(("plan", "schedule", {"blocks": blocks}))

    # ------------------------------------------------------------ the next action
    async def next_action(self, llm, now: int) -> Action:
        """The action for ``now``: sleep before waking, else the next of the current
        block's queue (which is planned when the block changes)."""
        s = self.state
        if now < s.wake_at:
            s.action = plan.sleep_action(
                self.name, self._bed(), now, max(gt.MINUTE, s.wake_at - now), k.SLEEPING
            )
            return s.action
        if not s.blocks:
            await self._plan_day(llm, now)
        block = self.block_at(now)
        while s.queue and s.queue[0].end <= now:
            s.queue.popleft()
        if not s.queue or s.queue[0].block != block.activity:
            await self._fill_block(llm, now, block)
        s.action = s.queue.popleft()
        if s.action.start != now:  # start at once: the block's minutes still add up
            s.action = replace(s.action, start=now, duration=max(gt.MINUTE, s.action.end - now))
        return s.action

    async def _fill_block(self, llm, now: int, block: Block) -> None:
        """Decompose the rest of ``block`` into actions with places."""
        end_of_block = gt.day_start(now) + block.end * gt.MINUTE
        minutes = max(1, (end_of_block - now + 59) // 60)
        self.state.queue.clear()
        steps = await plan.decompose(llm, self.brief, now, block.activity, minutes)
        if plan.is_sleep(block.activity):
            acts = plan.sleep_actions(steps, now, self._bed(), block.activity, self.name)
        else:
            options = await self._options(llm, block.activity, steps)
            acts = await plan.place_actions(
                llm, self.brief, steps, block.activity, now, self.state.place, options
            )
        self.state.queue.extend(acts)
        steps_out = [[a.description, a.duration // 60, a.address] for a in acts]
        self.outbox.append(("plan", "actions", {"block": block.activity, "steps": steps_out}))

    async def _options(self, llm, block: str, steps: Sequence[k.Step]) -> list[str]:
        """The places offered for a block: home, work, and those most like its steps."""
        allowed = self.spatial.options()
        queries = await llm.embed([block, *[s.description for s in steps[:8]]])
        home = [a for a in allowed if a.startswith(self.brief.home + ":")]
        work = self.brief.workplace
        at_work = [a for a in allowed if work and a.startswith(work + ":")]
        return self.places.shortlist(allowed, queries, per_query=3, always=home + at_work, cap=24)

    def _bed(self) -> str:
        home = self.brief.home + ":"
        beds = [
            a for a in self.spatial.options() if a.startswith(home) and "bed" in a.rsplit(":", 1)[1]
        ]
        return beds[0] if beds else self.brief.home

    # ------------------------------------------------------------ interruptions
    def wait(self, now: int, event: Event) -> Action:
        """Wait five minutes for ``event``'s subject; the block is planned again after."""
        s = self.state
        s.queue.clear()
        s.action = Action(
            description=f"waiting for {event.subject} to finish"[:80],
            address=s.action.address if s.action else s.place,
            emoji="⏳",
            triple=(self.name, "is waiting for", event.subject),
            object_state=None,
            start=now,
            duration=5 * gt.MINUTE,
            block=self.block_at(now).activity,
        )
        return s.action

    def chat_with(self, partner: str, place: str, now: int) -> Action:
        """Talk with ``partner``; the queued actions that end meanwhile are dropped
        afterwards."""
        utterances = self.settings.max_rounds * 2 + 2
        self.state.action = Action(
            description=f"chatting with {partner}"[:80],
            address=place,
            emoji="💬",
            triple=(self.name, "is chatting with", partner),
            object_state=None,
            start=now,
            duration=utterances * CHAT_SECONDS_PER_UTTERANCE,
            block=self.block_at(now).activity if self.state.blocks else "",
        )
        return self.state.action
