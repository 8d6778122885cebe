"""Sense checks of the planning kinds: wake-up hour, day plan, hours, steps, places.

What each must satisfy is listed in ``sense``; the windows and tolerances are here.
"""

from __future__ import annotations

from smallville.llm import schemas as k
from smallville.llm.sense_shared import (
    BEDTIME,
    content_words,
    covers,
    example_copies,
    fail,
    is_sleep,
    mentions,
    ngrams,
    norm,
    quote,
    wake_window,
)
from smallville.llm.text_times import hour_of, hour_of_hm

MIN_PLAN_ITEMS = 3
DECOMPOSE_TOLERANCE = 0.2  # share of the block the steps' minutes may miss by
DECOMPOSE_SLACK = 10  # ... or this many minutes, whichever is larger
COPIED_WORDS = 5  # this many words in a row from the persona's background ...
LONG_STEP_WORDS = 8  # ... in a step this long (a sentence, not an action) is a copy

# The examples the prompts show; an answer that copies them back is not an answer.
PLAN_EXAMPLES = (
    "wake up and complete the morning routine at 7:00 am",
    "work at the cafe from 9:00 am to 5:00 pm",
    "go to bed at 11:00 pm",
)
DECOMPOSE_EXAMPLES = ("gathering ingredients", "cooking eggs", "eating breakfast")


def wake_up_hour(i: k.WakeUpHourIn, v: k.WakeUpHour) -> None:
    window = wake_window(i.persona)
    if v.hour not in window:
        fail(
            "wake_window",
            f"{v.hour}:00 is not a plausible wake-up hour for {i.persona.name}, who usually "
            f"wakes at {i.persona.wake_time}; answer an hour from {window[0]} to {window[-1]}",
        )


def daily_plan(i: k.DailyPlanIn, v: k.DailyPlan) -> None:
    items = [t for t in v.items if norm(t)]
    if len({norm(t) for t in items}) < MIN_PLAN_ITEMS:
        fail(
            "plan_items",
            f"a day plan needs at least {MIN_PLAN_ITEMS} different items in time order, "
            f"got {len(set(map(norm, items)))}",
        )
    examples = [content_words(e) for e in PLAN_EXAMPLES]
    if all(content_words(t) in examples for t in items):
        fail(
            "plan_examples",
            f"the plan is the prompt's examples copied, not {i.persona.name}'s own plan "
            "for today: use the lifestyle, the workplace and the daily requirements",
        )
    bed = hour_of_hm(i.persona.sleep_time, 23)
    for item in items:
        low = item.lower()
        h = hour_of(item)
        if h is None:
            continue
        if ("wake" in low or "get up" in low) and abs(h - i.wake_hour) > 1:
            fail(
                "plan_wake",
                f"{quote(item)} wakes at {h}:00, but {i.persona.name} wakes up at "
                f"{i.wake_hour}:00 today",
            )
        if BEDTIME.search(low) and min(abs(h - bed), 24 - abs(h - bed)) > 1:
            fail(
                "plan_bed",
                f"{quote(item)} goes to bed at {h}:00, but {i.persona.name} usually goes "
                f"to bed at {i.persona.sleep_time}",
            )


def hourly_schedule(i: k.HourlyScheduleIn, v: k.HourlySchedule) -> None:
    want = list(range(i.wake_hour, i.last_hour + 1))
    got = [s.hour for s in v.hours]
    if got != want:
        fail(
            "hourly_cover",
            f"give one activity for each hour from {want[0]} to {want[-1]} "
            f"({i.persona.name}'s waking day), in order; got hours {got}",
        )
    by_hour = {s.hour: s.activity for s in v.hours}
    blank = [h for h in want if not content_words(by_hour[h])]
    if blank:
        fail("hourly_blank", f"the activities for hours {blank} say nothing: name an activity")
    # going to bed is sleep too, but for the last hour, which may be spent getting ready
    asleep = [
        h
        for h in want
        if is_sleep(by_hour[h]) or (h != want[-1] and BEDTIME.search(by_hour[h].lower()))
    ]
    if asleep:
        fail(
            "hourly_sleep",
            f"{i.persona.name} is awake from {want[0]}:00 to {want[-1] + 1}:00, so hours "
            f"{asleep} cannot be sleeping: say what {i.persona.name} does then",
        )
    for item in i.day_plan:
        h = hour_of(item)
        low = item.lower()
        if h is None or h not in want or h == want[0] or "bed" in low or "sleep" in low:
            continue
        if not content_words(item):
            continue
        near = [content_words(by_hour[x]) for x in (h - 1, h, h + 1) if x in by_hour]
        if any(content_words(item) & a for a in near):
            continue
        # another timed item of the plan in its place is the plan's own conflict (a
        # party from 5 over dinner at 6), not a dropped item
        here = content_words(by_hour[h])
        if not any(here & content_words(x) for x in i.day_plan if x != item and covers(x, h)):
            fail(
                "hourly_plan",
                f"the plan says {quote(item)}, but the schedule has "
                f"{quote(by_hour[h])} at {h}:00; keep each planned item at its time",
            )


def decompose(i: k.DecomposeIn, v: k.Decomposition) -> None:
    total = sum(s.minutes for s in v.steps)
    want = min(i.duration_minutes, 24 * 60)  # the schema holds at most 24 hour-long steps
    slack = max(DECOMPOSE_SLACK, DECOMPOSE_TOLERANCE * want)
    if abs(total - want) > slack:
        fail(
            "decompose_total",
            f"the steps' minutes add up to {total}, but they must fill the "
            f"{i.duration_minutes} minutes of {quote(i.activity)}",
        )
    about = content_words(i.activity)
    name = i.persona.name.lower()
    background = [
        ngrams(t, COPIED_WORDS)
        for t in (i.persona.learned, i.persona.currently, i.persona.lifestyle, i.persona.innate)
    ]
    activity = ngrams(i.activity, COPIED_WORDS)  # words the block itself has are fine
    for s in v.steps:
        low = s.description.lower()
        runs = ngrams(low, COPIED_WORDS) - activity
        copied = len(low.split()) >= LONG_STEP_WORDS and any(runs & b for b in background)
        if low.startswith("today") or ":" in low or name in low or copied:
            fail(
                "decompose_prompt",
                f"{quote(s.description)} restates the prompt; each step is an action "
                f"{i.persona.name} takes, such as 'washing the dishes'",
            )
    copied = example_copies((s.description for s in v.steps), DECOMPOSE_EXAMPLES)
    if len(copied) >= 2 and not about & content_words(" ".join(DECOMPOSE_EXAMPLES)):
        fail(
            "decompose_examples",
            f"{', '.join(map(quote, copied))} are the prompt's example steps, not steps of "
            f"{quote(i.activity)}",
        )


def choose_place(i: k.ChoosePlaceIn, v: k.PlaceChoices) -> None:
    for n, c in enumerate(v.places, 1):
        what = f"action {n} ({quote(i.activities[n - 1], 40)})" if n <= len(i.activities) else ""
        obj = c.address.rsplit(":", 1)[-1]
        state = c.object_state
        if ":" in state or not mentions(state, obj):
            fail(
                "place_state",
                f"{what}: the object state {quote(state)} must be a short phrase about the "
                f"{obj} while it is used, such as 'the {obj} is in use'",
            )
