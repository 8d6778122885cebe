"""Hierarchical planning (paper section 4.3): day plan -> hourly blocks -> 5-15 minute
actions, each action with its place, description, emoji and triple.

Every function builds typed tasks for the port and turns the answers into values;
each task carries a safe fallback so a failed step still yields a usable plan.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import accumulate

import numpy as np

from smallville import gametime as gt
from smallville.cognition.schedule import Action, Block
from smallville.llm import schemas as k
from smallville.llm import sense
from smallville.llm.scripted import rule_answer
from smallville.llm.task import PromptTask

is_sleep = sense.is_sleep  # one definition of sleep, beside the checks that use it


def _grounded(kind: str, inputs, output, default):
    """The persona-grounded answer used when the model's answers fail their checks:
    what the scripted rules make of the same inputs (the persona's wake time, routine,
    home, workplace and remembered events), else ``default``."""
    return rule_answer(kind, inputs, output) or default


async def wake_hour(llm, p: k.PersonaBrief, now: int) -> int:
    """Offered only hours near the persona's usual one (``sense.wake_window``): a
    constrained decoder cannot answer 23 for a resident who wakes at 6."""
    default = int(p.wake_time.split(":")[0])
    task = PromptTask(
        kind="wake_up_hour",
        inputs=k.WakeUpHourIn(persona=p, date=gt.fmt_date(now)),
        output=k.WakeUpHour,
        fallback=k.WakeUpHour(hour=default),
        choices={"hour": sense.wake_window(p)},
        agent=p.name,
    )
    return (await llm.complete(task)).hour


async def day_plan(
    llm,
    p: k.PersonaBrief,
    now: int,
    wake: int,
    yesterday: Sequence[str],
    memories: Sequence[k.MemoryBrief],
) -> list[str]:
    inputs = k.DailyPlanIn(
        persona=p,
        date=gt.fmt_date(now),
        wake_hour=wake,
        yesterday=tuple(yesterday),
        memories=tuple(memories),
    )
    default = k.DailyPlan(
        items=[
            f"wake up and complete the morning routine at {wake}:00",
            f"spend the day on {p.currently or 'the usual things'}",
            f"go to bed at {p.sleep_time}",
        ]
    )
    task = PromptTask(
        kind="daily_plan",
        inputs=inputs,
        output=k.DailyPlan,
        fallback=_grounded("daily_plan", inputs, k.DailyPlan, default),
        agent=p.name,
    )
    return list((await llm.complete(task)).items)


async def hourly_blocks(
    llm, p: k.PersonaBrief, now: int, wake: int, plan: Sequence[str]
) -> list[Block]:
    """One request for the waking day; the hours around it are sleep, and consecutive
    equal hours merge into blocks."""
    waking = sense.waking_hours(p, wake)
    inputs = k.HourlyScheduleIn(
        persona=p,
        date=gt.fmt_date(now),
        wake_hour=waking[0],
        last_hour=waking[-1],
        day_plan=tuple(plan),
    )
    default = k.HourlySchedule(
        hours=[k.HourSlot(hour=h, activity=p.currently or "going about the day") for h in waking]
    )
    task = PromptTask(
        kind="hourly_schedule",
        inputs=inputs,
        output=k.HourlySchedule,
        fallback=_grounded("hourly_schedule", inputs, k.HourlySchedule, default),
        positions={"hours.hour": waking},
        agent=p.name,
    )
    answer = await llm.complete(task)
    return blocks_from_hours(answer.hours, waking)


def blocks_from_hours(hours: Sequence[k.HourSlot], waking: Sequence[int]) -> list[Block]:
    """The 24 hours as blocks: sleep outside the waking hours, the answer inside them (a
    waking hour left out repeats the one before), runs of the same activity merged."""
    by_hour = {h.hour: h.activity.strip() for h in hours}
    awake = set(waking)
    filled = []
    last = k.SLEEPING
    for h in range(24):
        last = by_hour.get(h, last) if h in awake else k.SLEEPING
        filled.append(last)
    blocks: list[Block] = []
    for h, activity in enumerate(filled):
        if blocks and blocks[-1].activity == activity:
            b = blocks[-1]
            blocks[-1] = Block(start=b.start, minutes=b.minutes + 60, activity=activity)
        else:
            blocks.append(Block(start=h * 60, minutes=60, activity=activity))
    return blocks


async def decompose(llm, p: k.PersonaBrief, now: int, activity: str, minutes: int) -> list[k.Step]:
    """5-15 minute steps whose durations sum to ``minutes`` exactly."""
    if minutes <= 0:
        return []
    if is_sleep(activity):
        return [k.Step(description=k.SLEEPING, minutes=min(60, minutes))] * (minutes // 60) + (
            [k.Step(description=k.SLEEPING, minutes=minutes % 60)] if minutes % 60 else []
        )
    inputs = k.DecomposeIn(
        persona=p,
        activity=activity,
        start=gt.fmt_hm(now),
        duration_minutes=minutes,
    )
    default = k.Decomposition(steps=[k.Step(description=activity[:120], minutes=min(60, minutes))])
    task = PromptTask(
        kind="decompose",
        inputs=inputs,
        output=k.Decomposition,
        fallback=_grounded("decompose", inputs, k.Decomposition, default),
        agent=p.name,
    )
    steps = (await llm.complete(task)).steps
    return fit_durations(steps, minutes)


def fit_durations(steps: Sequence[k.Step], total: int) -> list[k.Step]:
    """Scale step lengths so they sum to ``total`` (largest remainder, each >= 1 minute)."""
    if not steps:
        return [k.Step(description="idle", minutes=total)] if total else []
    steps = list(steps)[:total] if len(steps) > total else list(steps)
    raw = np.array([s.minutes for s in steps], float)
    scaled = raw / raw.sum() * total
    base = np.maximum(1, np.floor(scaled)).astype(int)
    diff = total - int(base.sum())
    order = np.argsort(-(scaled - np.floor(scaled)), kind="stable")
    i = 0
    while diff != 0:
        j = order[i % len(order)]
        if diff > 0:
            base[j] += 1
            diff -= 1
        elif base[j] > 1:
            base[j] -= 1
            diff += 1
        i += 1
    # model_construct: a re-scaled step may be longer than the 60 minutes a model may ask for
    return [
        k.Step.model_construct(description=s.description, minutes=int(m))
        for s, m in zip(steps, base, strict=True)
    ]


async def place_actions(
    llm,
    p: k.PersonaBrief,
    steps: Sequence[k.Step],
    block: str,
    start: int,
    current: str,
    options: Sequence[str],
) -> list[Action]:
    """Places, descriptions, emoji and triples for all steps of a block in one request."""
    if not steps:
        return []
    options = tuple(options)
    inputs = k.ChoosePlaceIn(
        persona=p,
        block_activity=block,
        activities=tuple(s.description for s in steps),
        current_place=current,
        options=options,
    )
    fallback = rule_answer("choose_place", inputs, k.PlaceChoices)
    if fallback is None or len(fallback.places) != len(steps):
        fallback = _all_at(_fallback_place(options, p, block), p, steps)
    task = PromptTask(
        kind="choose_place",
        inputs=inputs,
        output=k.PlaceChoices,
        fallback=fallback,
        choices={"places.address": options, "places.emoji": sense.action_emoji()},
        sizes={"places": len(steps)},
        agent=p.name,
    )
    answer = await llm.complete(task)
    return [
        Action(
            description=s.description[:80],
            address=c.address,
            emoji=c.emoji,
            triple=(p.name, c.predicate, c.object),
            object_state=c.object_state,
            start=t,
            duration=s.minutes * gt.MINUTE,
            block=block,
        )
        for s, c, t in zip(steps, answer.places, _starts(steps, start), strict=True)
    ]


def sleep_actions(
    steps: Sequence[k.Step], start: int, bed: str, block: str, name: str
) -> list[Action]:
    """Sleeping needs no model call: the bed at home."""
    return [
        sleep_action(name, bed, t, s.minutes * gt.MINUTE, block)
        for s, t in zip(steps, _starts(steps, start), strict=True)
    ]


def sleep_action(name: str, bed: str, start: int, duration: int, block: str) -> Action:
    """The one way to sleep: in ``bed``, described as ``SLEEPING`` (which is how the
    server and the analysis tell a sleeper)."""
    return Action(
        description=k.SLEEPING,
        address=bed,
        emoji="😴",
        triple=(name, "is", k.SLEEPING),
        object_state="the bed is in use",
        start=start,
        duration=duration,
        block=block,
    )


def _starts(steps: Sequence[k.Step], start: int) -> list[int]:
    """When each step begins: one after the other from ``start`` (game seconds)."""
    return list(accumulate((s.minutes * gt.MINUTE for s in steps), initial=start))[:-1]


def _all_at(place: str, p: k.PersonaBrief, steps: Sequence[k.Step]) -> k.PlaceChoices:
    """The fallback answer: every step at ``place``."""
    obj = place.rsplit(":", 1)[-1]
    return k.PlaceChoices(
        places=[
            k.PlaceChoice(
                address=place,
                emoji="🙂",
                subject=p.name[:60],
                predicate="is",
                object=s.description[:60],
                object_state=f"the {obj} is in use"[:80],
            )
            for s in steps
        ]
    )


def _fallback_place(options: Sequence[str], p: k.PersonaBrief, block: str) -> str:
    low = block.lower()
    work = [o for o in options if p.workplace and o.startswith(p.workplace + ":")]
    home = [o for o in options if p.home and o.startswith(p.home + ":")]
    if "work" in low and work:
        return work[0]
    return (home or work or list(options))[0]
