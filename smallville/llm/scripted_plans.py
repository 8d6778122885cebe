"""Scripted answers to the planning kinds: wake-up, day plan, hours, steps, places.

Each function reads a task's inputs and a seeded generator and returns the kind's
output model. Plans follow the persona's lifestyle and workplace and attend any
event the agent remembers for today (the paper's party invitation). The town's
workplaces, pastimes, steps and objects come from the profile (``scripted_profile``).
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass

from smallville.llm import schemas as k
from smallville.llm import scripted_rules as r
from smallville.llm.scripted_profile import PROFILE
from smallville.llm.text_times import (
    about_today,
    clock,
    end_hour_of,
    hour_of,
    hour_of_hm,
    strip_times,
)


def wake_up_hour(i: k.WakeUpHourIn, rng: random.Random) -> k.WakeUpHour:
    return k.WakeUpHour(hour=hour_of_hm(i.persona.wake_time, 7))


# ------------------------------------------------------------------ day plan
def work_hours(p: k.PersonaBrief) -> tuple[int, int] | None:
    """(start, end) hour of the persona's working day, by the kind of workplace."""
    if not p.workplace:
        return None
    where = p.workplace.lower()
    shift = next(
        (s for s in PROFILE.shifts if not s.workplaces or r.matches(where, s.workplaces)), None
    )
    return shift.hours_for(hour_of_hm(p.wake_time, 7)) if shift else None


def place_name(address: str | None) -> str:
    """A workplace as a plan names it: "Bellini's Cafe", "the library at Oak Hill College"."""
    parts = (address or "").split(":")
    if len(parts) < 3:
        return "work"
    sector, arena = parts[1], parts[2]
    return sector if arena.lower() in sector.lower() else f"the {arena} at {sector}"


def events_today(memories: Sequence[k.MemoryBrief], date: str) -> list[tuple[int, str]]:
    """(hour, "go to <event> at <time>") for remembered events with a time today."""
    out: list[tuple[int, str]] = []
    for m in sorted(memories, key=lambda m: (-m.importance, m.id)):
        h = hour_of(m.text)
        phrase = r.event_phrase(m.text)
        if h is None or not phrase or not about_today(m.text, m.created, date):
            continue
        if all(h != seen for seen, _ in out):
            out.append((h, f"go to {phrase} at {clock(h)}"))
    return out[:2]


def daily_plan(i: k.DailyPlanIn, rng: random.Random) -> k.DailyPlan:
    p = i.persona
    wake = i.wake_hour % 24
    sleep = hour_of_hm(p.sleep_time, 23)
    bedtime = sleep if sleep > wake else sleep + 24
    work = work_hours(p)
    early = bool(work) and work[0] <= wake + 1  # no time for a separate breakfast
    routine = "the morning routine and have breakfast" if early else "the morning routine"
    must = [(wake, f"wake up and complete {routine} at {clock(wake)}")]
    if work:
        where = place_name(p.workplace)
        must.append((work[0], f"work at {where} from {clock(work[0])} to {clock(work[1])}"))
    must += events_today(i.memories, i.date)
    busy = {h for h, _ in must} | (set(range(*work)) if work else set())
    optional = [] if early else [(wake + 1, f"have breakfast at {clock(wake + 1)}")]
    free = [h for h in range(wake + 2, bedtime - 1) if h not in busy and h not in (12, 18)]
    for req in p.daily_requirements[:2]:
        h = hour_of(req)  # "open the cafe at 7 am" keeps its time
        if h is not None and h in busy:
            continue  # it happens at work, which the plan already has
        if h is not None and h in free:
            free.remove(h)
        elif free:
            h = free.pop(rng.randrange(len(free)))
        else:
            continue
        optional.append((h, f"{strip_times(req)} at {clock(h)}"))
    if 12 not in busy:
        optional.append((12, f"have lunch at {clock(12)}"))
    if 18 not in busy:
        optional.append((18, f"have dinner at {clock(18)}"))
    evening = [h for h in free if h >= 19]
    if evening:
        optional.append((evening[0], f"{_leisure_options(p)[0]} at {clock(evening[0])}"))
    items = must + optional[: max(0, 7 - len(must))]
    items.sort(key=lambda t: t[0])
    items.append((bedtime, f"go to bed at {clock(sleep)}"))
    return k.DailyPlan(items=[r.clip(text, 200) for _, text in items[:8]])


# ------------------------------------------------------------- hourly schedule
def _leisure_options(p: k.PersonaBrief) -> list[str]:
    about = f"{p.innate} {p.learned} {p.currently} {p.lifestyle}"
    own = [x.activity for x in PROFILE.pastimes if r.matches(about, x.words)]
    return own + list(PROFILE.usual_pastimes)


def hourly_schedule(i: k.HourlyScheduleIn, rng: random.Random) -> k.HourlySchedule:
    """One activity for each waking hour (the hours the prompt asks for)."""
    p = i.persona
    waking = list(range(i.wake_hour, i.last_hour + 1))
    plan = _plan_hours(i.day_plan, lambda h: h not in waking)
    options = _leisure_options(p)
    hours, leisure = [], options[0]
    for h in waking:
        if h in plan:
            activity = plan[h]
        else:
            if h % 2 == 0 or h - 1 in plan:  # a pastime lasts about two hours
                leisure = options[0] if rng.random() < 0.5 else rng.choice(options)
            activity = leisure
        hours.append(k.HourSlot(hour=h, activity=r.clip(activity, 120)))
    return k.HourlySchedule(hours=hours)


def _plan_hours(day_plan: Sequence[str], asleep) -> dict[int, str]:
    """hour -> activity for the timed items of a day plan; events win over routine."""
    plan: dict[int, str] = {}
    for item in day_plan:
        start = hour_of(item)
        if start is None:
            continue
        end = end_hour_of(item)
        event = item.lower().startswith("go to ") and "bed" not in item.lower()
        if end is None or end <= start:
            end = start + (2 if event else 1)
        text = r.gerund(strip_times(item))
        if event:
            text = "attending " + text[len("going to ") :]
        for h in range(start, min(end, 24)):
            if not asleep(h) and (h not in plan or event):
                plan[h] = text
    return plan


# ------------------------------------------------------------------ decompose
def step_names(activity: str, p: k.PersonaBrief) -> tuple[list[str], bool]:
    """The sub-steps of ``activity`` and whether they come in a fixed order.

    Duties (serving customers, stocking shelves) repeat in any order; routines
    (getting up, cooking a meal) run once from first to last.
    """
    low = activity.lower()
    lessons = PROFILE.lessons
    if r.matches(low, lessons.words):
        teacher = r.matches(f"{p.learned} {p.currently}", lessons.teachers)
        return list(lessons.teaching if teacher else lessons.attending), False
    for entry in PROFILE.activity_steps:
        if r.matches(low, entry.words):
            meal = next((m for m in ("breakfast", "lunch", "dinner") if m in low), "the meal")
            names = [n.format(meal=meal) for n in entry.steps]
            names += [step for word, step in entry.also.items() if word in low]
            return names, entry.in_order
    x = r.gerund(activity)
    return [f"{x} (getting started)", x, f"{x} (wrapping up)"], True


def split_minutes(total: int, parts: int) -> list[int]:
    """``parts`` near-equal whole minutes summing to ``total``."""
    base, extra = divmod(total, parts)
    return [base + (1 if j < extra else 0) for j in range(parts)]


def decompose(i: k.DecomposeIn, rng: random.Random) -> k.Decomposition:
    activity = i.activity.strip() or "resting"
    total = max(1, i.duration_minutes)
    if total > 24 * 60:  # more than the schema holds: a day of hour-long steps
        return k.Decomposition(
            steps=[k.Step(description=r.clip(r.gerund(activity), 120), minutes=60)] * 24
        )
    names, ordered = step_names(activity, i.persona)
    # 5-15 minute steps; a long block gets at most 12 longer ones, sleep hour-long ones
    longest = 60 if "sleep" in activity.lower() else min(60, max(15, math.ceil(total / 12)))
    n = max(math.ceil(total / longest), 2 if total >= 10 else 1)
    if ordered:  # first to last; a long block lingers on the middle steps
        if n == 1:
            chosen = [r.gerund(activity)]
        else:
            chosen = [names[round(j * (len(names) - 1) / (n - 1))] for j in range(n)]
    else:
        first = rng.randrange(len(names))
        chosen = [names[(first + j) % len(names)] for j in range(n)]
    steps = [
        k.Step(description=r.clip(name, 120), minutes=m)
        for name, m in zip(chosen, split_minutes(total, n), strict=True)
    ]
    return k.Decomposition(steps=steps)


# ------------------------------------------------------------------ places
def choose_place(i: k.ChoosePlaceIn, rng: random.Random) -> k.PlaceChoices:
    p = i.persona
    here = ":".join(i.current_place.split(":")[:3])
    options = [_option(o, p, here) for o in i.options]
    block_clues = _clues(i.block_activity)
    block = [0.5 * place_score(o, block_clues) for o in options]
    out = []
    for activity in i.activities:
        clues = _clues(activity)
        best = max(
            range(len(options)), key=lambda j: (place_score(options[j], clues) + block[j], -j)
        )
        out.append(_place_choice(i.options[best], activity, i.block_activity, p))
    return k.PlaceChoices(places=out)


def _place_choice(address: str, activity: str, block: str, p: k.PersonaBrief) -> k.PlaceChoice:
    tag = address.split(":")[-1]
    base = tag.rstrip(" 0123456789") or tag
    doing = r.gerund(activity) or r.gerund(block) or "idle"
    subject, predicate, obj = r.triple(p.name.strip() or "someone", doing, base or "place")
    fits = any(r.matches(doing, h.words) and base in h.objects for h in PROFILE.object_hints)
    if fits and base in PROFILE.object_states:
        state = f"the {base} {PROFILE.object_states[base]}"
    else:
        state = f"the {base} is being used for {doing}"
    return k.PlaceChoice(
        address=address,
        emoji=r.emoji_for(f"{activity} {block}"),
        subject=r.clip(subject, 60),
        predicate=r.clip(predicate, 60),
        object=r.clip(obj, 60),
        object_state=r.clip(state, 80),
    )


@dataclass(frozen=True, kw_only=True)
class _Clues:
    """What a text says about where it happens: suitable tags and home / work words."""

    low: str
    tags: dict[str, float]
    home: bool
    work: bool


def _clues(text: str) -> _Clues:
    low = text.lower()
    tags: dict[str, float] = {}
    for hint in PROFILE.object_hints:
        if r.matches(low, hint.words):
            for rank, tag in enumerate(hint.objects):
                tags[tag] = max(tags.get(tag, 0.0), 6 - rank * 0.5)
    return _Clues(
        low=low,
        tags=tags,
        home=r.matches(low, PROFILE.home_words),
        work=r.matches(low, PROFILE.work_words),
    )


@dataclass(frozen=True, kw_only=True)
class _Option:
    """An offered address and what about it does not depend on the activity."""

    tag: str
    sector: str
    name_words: tuple[str, ...]
    base: float  # home, workplace, privacy and nearness
    own: bool  # in the persona's home (sector)
    work: bool
    valid: bool


def _option(address: str, p: k.PersonaBrief, here: str) -> _Option:
    parts = address.split(":")
    if len(parts) < 4:
        return _Option(tag="", sector="", name_words=(), base=0, own=False, work=False, valid=False)
    sector, arena = parts[1].lower(), parts[2].lower()
    own_sector = p.home.split(":")[:2] == parts[:2]
    home = bool(p.home) and address.startswith(p.home + ":")
    work = bool(p.workplace) and address.startswith(f"{p.workplace}:")
    base = 1.0 * own_sector + 0.5 * home + 0.25 * address.startswith(here + ":")
    if not own_sector and not work and r.matches(f"{sector} {arena}", PROFILE.private_places):
        base -= 2  # other people's homes only when nothing else fits
    return _Option(
        tag=parts[-1].lower().rstrip(" 0123456789"),
        sector=sector,
        name_words=tuple(w for w in r.words(f"{sector} {arena}") if len(w) > 3),
        base=base,
        own=own_sector,
        work=work,
        valid=True,
    )


def place_score(option: _Option, clues: _Clues) -> float:
    """How well ``option`` suits a text: object tags, named places, home and work."""
    if not option.valid:
        return -10.0
    score = clues.tags.get(option.tag, 0.0)
    if score == 0 and option.tag in PROFILE.seats:
        score = 0.3  # with no better clue, an agent sits somewhere rather than on a bed
    if option.sector in clues.low:
        score += 8  # "the party at Hobbs Cafe"
    score += sum(1.5 for w in option.name_words if w in clues.low)
    if score > 0.3 or not clues.tags:  # the right object elsewhere beats a wrong one here
        score += 3 * (option.work and clues.work) + 3 * (option.own and clues.home)
    return score + option.base
