"""Sense checks: is a schema-valid answer a sensible one for its inputs?

Constrained decoding makes a weak model's every answer valid JSON, so validity says
nothing about sense ("wake at 23:00", the prompt's own examples copied back, a bed
whose state is "house"). Each task kind registers a check here, beside the schemas in
``schemas``; ``PromptTask.verify`` runs it after the schema and the choices, for every
backend and for cached answers too. A failed check raises ``SenseError`` naming the
check and saying what was wrong in words a model can act on: the openai backend
re-asks once quoting it, then uses the task's fallback, which cognition grounds in the
persona.

What each kind must satisfy (the windows and tolerances are the constants below):

- wake_up_hour: within ``WAKE_WINDOW`` hours of the persona's usual wake time.
- daily_plan: at least ``MIN_PLAN_ITEMS`` different items; not only the prompt's own
  examples copied back; wake-up and bedtime items within an hour of the chosen wake
  hour and the persona's bedtime.
- hourly_schedule: one activity for each waking hour (``wake_hour`` to ``last_hour``,
  which cognition sets from the persona's bedtime), none of them sleep; each timed
  item of the day plan kept at its hour (or the hour either side).
- decompose: minutes that fill the block within ``DECOMPOSE_TOLERANCE``; steps that are
  activities, not the prompt restated ("Today is...", "Traits: ...", the persona's name
  or its background copied, the example steps for an unrelated activity).
- choose_place: an object state that is a phrase about the chosen object, not an
  address (the emoji is one of ``action_emoji``, offered as choices).
- importance: none beyond the schema's bounds (1-10, one score per item): a rating has
  no wrong answer that can be told from its inputs alone.
- reflection_questions: questions, all different. insights: statements that are not
  the question or the prompt's example restated, all different.
- react: never "talk" to someone asleep.
- utterance: non-empty, in the speaker's own voice (no "Name:" script, not about
  itself by name), not a repeat of an earlier line.
- summarize_conversation: a memo that is not a script; a planning thought that is not
  the prompt's example unless the conversation was about it.
- interview: in the first person.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from pydantic import BaseModel

from smallville.llm import schemas as k
from smallville.llm.scripted_rules import end_hour_of, hour_of, hour_of_hm
from smallville.llm.task import SenseError

Check = Callable[[Any, Any], None]
CHECKS: dict[str, Check] = {}

WAKE_WINDOW = 2  # hours either side of the persona's usual wake time
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
SUMMARY_EXAMPLE = "I should go to the party at the cafe at 5 pm"
INSIGHT_EXAMPLE = "Ann is dedicated to her research"

_STOP = frozenset(
    (  # noqa: SIM905 - a word list reads best as words
        "the and for with from into onto that this then than have has had will would "
        "about at in on of to a an is are was be being been some any more most very their "
        "there them they his her him she he its it our your my me we you go goes going "
        "went get gets getting not but all can"
    ).split(" ")
)
_WORD = re.compile(r"[a-z]+")
_BEDTIME = re.compile(r"\b(go|goes|going|get|gets|getting|head|heads|heading) (in)?to bed\b")


def action_emoji() -> tuple[str, ...]:
    """The emoji an action may have: offered as choices, so a weak model's "smiling" or
    "Mei Tan3" cannot be decoded (the viewer draws these; the scripted rules use them)."""
    from smallville.llm.scripted_rules import EMOJI

    extra = ("🙂", "🍽️", "🥐", "🏃", "📖", "💻", "🧹", "🌳", "🛍️", "🎵", "🧘", "📞")
    return tuple(dict.fromkeys([e for _, e in EMOJI] + list(extra)))


def check_sense(kind: str, inputs: BaseModel, value: BaseModel) -> None:
    """Run the sense check of ``kind`` (if it has one); raise SenseError when it fails."""
    check = CHECKS.get(kind)
    if check is not None:
        check(inputs, value)


def register(kind: str) -> Callable[[Check], Check]:
    def deco(f: Check) -> Check:
        CHECKS[kind] = f
        return f

    return deco


# ------------------------------------------------------------------ shared rules
def wake_window(p: k.PersonaBrief) -> list[int]:
    """The wake hours that make sense for a persona: its usual one +- WAKE_WINDOW."""
    usual = hour_of_hm(p.wake_time, 7)
    return [h for h in range(usual - WAKE_WINDOW, usual + WAKE_WINDOW + 1) if 0 <= h <= 23]


def waking_hours(p: k.PersonaBrief, wake: int) -> list[int]:
    """Hours of the day from ``wake`` to the persona's usual bedtime (not past midnight)."""
    bed = hour_of_hm(p.sleep_time, 23)
    end = bed if bed > wake else 24
    return list(range(wake, end))


def is_sleep(activity: str) -> bool:
    low = activity.lower()
    return any(w in low for w in ("sleep", "asleep", "bed for the night")) and (
        "go to bed at" not in low
    )


def norm(text: str) -> str:
    """Lower case, words only: what two texts are compared by."""
    return " ".join(_WORD.findall(text.lower()))


def content_words(text: str) -> frozenset[str]:
    """Stems of the words that carry meaning ("baking" and "bake" share one)."""
    return frozenset(
        _stem(w) for w in _WORD.findall(text.lower()) if len(w) >= 3 and w not in _STOP
    )


def _stem(word: str) -> str:
    for suffix in ("ing", "ed", "es", "s", "e"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)]
            break
    if len(word) > 3 and word[-1] == word[-2]:
        word = word[:-1]  # running -> run, planning -> plan
    return word[:6]


def _fail(check: str, message: str) -> None:
    raise SenseError(check, message)


def _quote(text: str, n: int = 60) -> str:
    one = " ".join(text.split())
    return repr(one if len(one) <= n else one[: n - 3] + "...")


def _covers(item: str, hour: int) -> bool:
    """Does a plan item's time span ("at 5 pm": two hours; "from 9 to 5") hold ``hour``?"""
    start = hour_of(item)
    if start is None:
        return False
    end = end_hour_of(item)
    return start <= hour < (end if end is not None and end > start else start + 2)


def _ngrams(text: str, n: int) -> set[tuple[str, ...]]:
    words = norm(text).split()
    return {tuple(words[j : j + n]) for j in range(len(words) - n + 1)}


def _mentions(text: str, thing: str) -> bool:
    """Does ``text`` name ``thing`` (an object tag such as "bed" or "coffee machine")?"""
    said = {w[:5] for w in _WORD.findall(text.lower())}
    return any(w[:5] in said for w in _WORD.findall(thing.lower()) if len(w) >= 3)


def _scripted(text: str, names: Iterable[str]) -> bool:
    """Does ``text`` hold a line of script, "Name: words", for one of ``names``?"""
    who = {n.lower() for name in names for n in (name, name.split()[0])}
    for line in text.lower().splitlines():
        head, colon, _ = line.strip().partition(":")
        if colon and head.strip(" *\"'") in who:
            return True
    return False


def _copied(texts: Iterable[str], examples: Sequence[str]) -> list[str]:
    shown = {content_words(e) for e in examples}
    return [t for t in texts if content_words(t) in shown]


# ------------------------------------------------------------------ planning
@register("wake_up_hour")
def _wake(i: k.WakeUpHourIn, v: k.WakeUpHour) -> None:
    window = wake_window(i.persona)
    if v.hour not in window:
        _fail(
            "wake_window",
            f"{v.hour}:00 is not a plausible wake-up hour for {i.persona.name}, who usually "
            f"wakes at {i.persona.wake_time}; answer an hour from {window[0]} to {window[-1]}",
        )


@register("daily_plan")
def _day_plan(i: k.DailyPlanIn, v: k.DailyPlan) -> None:
    items = [t for t in v.items if norm(t)]
    if len({norm(t) for t in items}) < MIN_PLAN_ITEMS:
        _fail(
            "plan_items",
            f"a day plan needs at least {MIN_PLAN_ITEMS} different items in time order, "
            f"got {len(set(map(norm, items)))}",
        )
    examples = [content_words(e) for e in PLAN_EXAMPLES]
    if all(content_words(t) in examples for t in items):
        _fail(
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
            _fail(
                "plan_wake",
                f"{_quote(item)} wakes at {h}:00, but {i.persona.name} wakes up at "
                f"{i.wake_hour}:00 today",
            )
        if _BEDTIME.search(low) and min(abs(h - bed), 24 - abs(h - bed)) > 1:
            _fail(
                "plan_bed",
                f"{_quote(item)} goes to bed at {h}:00, but {i.persona.name} usually goes "
                f"to bed at {i.persona.sleep_time}",
            )


@register("hourly_schedule")
def _hourly(i: k.HourlyScheduleIn, v: k.HourlySchedule) -> None:
    want = list(range(i.wake_hour, i.last_hour + 1))
    got = [s.hour for s in v.hours]
    if got != want:
        _fail(
            "hourly_cover",
            f"give one activity for each hour from {want[0]} to {want[-1]} "
            f"({i.persona.name}'s waking day), in order; got hours {got}",
        )
    by_hour = {s.hour: s.activity for s in v.hours}
    blank = [h for h in want if not content_words(by_hour[h])]
    if blank:
        _fail("hourly_blank", f"the activities for hours {blank} say nothing: name an activity")
    # going to bed is sleep too, but for the last hour, which may be spent getting ready
    asleep = [
        h
        for h in want
        if is_sleep(by_hour[h]) or (h != want[-1] and _BEDTIME.search(by_hour[h].lower()))
    ]
    if asleep:
        _fail(
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
        if not any(here & content_words(x) for x in i.day_plan if x != item and _covers(x, h)):
            _fail(
                "hourly_plan",
                f"the plan says {_quote(item)}, but the schedule has "
                f"{_quote(by_hour[h])} at {h}:00; keep each planned item at its time",
            )


@register("decompose")
def _decompose(i: k.DecomposeIn, v: k.Decomposition) -> None:
    total = sum(s.minutes for s in v.steps)
    want = min(i.duration_minutes, 24 * 60)  # the schema holds at most 24 hour-long steps
    slack = max(DECOMPOSE_SLACK, DECOMPOSE_TOLERANCE * want)
    if abs(total - want) > slack:
        _fail(
            "decompose_total",
            f"the steps' minutes add up to {total}, but they must fill the "
            f"{i.duration_minutes} minutes of {_quote(i.activity)}",
        )
    about = content_words(i.activity)
    name = i.persona.name.lower()
    background = [
        _ngrams(t, COPIED_WORDS)
        for t in (i.persona.learned, i.persona.currently, i.persona.lifestyle, i.persona.innate)
    ]
    activity = _ngrams(i.activity, COPIED_WORDS)  # words the block itself has are fine
    for s in v.steps:
        low = s.description.lower()
        runs = _ngrams(low, COPIED_WORDS) - activity
        copied = len(low.split()) >= LONG_STEP_WORDS and any(runs & b for b in background)
        if low.startswith("today") or ":" in low or name in low or copied:
            _fail(
                "decompose_prompt",
                f"{_quote(s.description)} restates the prompt; each step is an action "
                f"{i.persona.name} takes, such as 'washing the dishes'",
            )
    copied = _copied((s.description for s in v.steps), DECOMPOSE_EXAMPLES)
    if len(copied) >= 2 and not about & content_words(" ".join(DECOMPOSE_EXAMPLES)):
        _fail(
            "decompose_examples",
            f"{', '.join(map(_quote, copied))} are the prompt's example steps, not steps of "
            f"{_quote(i.activity)}",
        )


@register("choose_place")
def _places(i: k.ChoosePlaceIn, v: k.PlaceChoices) -> None:
    for n, c in enumerate(v.places, 1):
        what = f"action {n} ({_quote(i.activities[n - 1], 40)})" if n <= len(i.activities) else ""
        obj = c.address.rsplit(":", 1)[-1]
        state = c.object_state
        if ":" in state or not _mentions(state, obj):
            _fail(
                "place_state",
                f"{what}: the object state {_quote(state)} must be a short phrase about the "
                f"{obj} while it is used, such as 'the {obj} is in use'",
            )


# ------------------------------------------------------------------ reflection
@register("reflection_questions")
def _questions(i: k.ReflectionQuestionsIn, v: k.ReflectionQuestions) -> None:
    wh = ("what", "who", "why", "how", "when", "where", "which", "is ", "are ", "does ", "do ")
    for q in v.questions:
        if not (q.strip().endswith("?") or q.strip().lower().startswith(wh)):
            _fail("questions_form", f"{_quote(q)} is not a question")
    if len({norm(q) for q in v.questions}) < len(v.questions):
        _fail("questions_repeat", "the questions must all be different")


@register("insights")
def _insights(i: k.InsightsIn, v: k.Insights) -> None:
    for x in v.insights:
        if norm(x.text) in (norm(i.question), norm(INSIGHT_EXAMPLE)) or not norm(x.text):
            _fail(
                "insight_copied",
                f"{_quote(x.text)} restates the question or the prompt's example; "
                "state something the statements show",
            )
    if len({norm(x.text) for x in v.insights}) < len(v.insights):
        _fail("insight_repeat", "the insights must all be different")


# ------------------------------------------------------------------ people
@register("react")
def _react(i: k.ReactIn, v: k.Reaction) -> None:
    if v.decision == "talk" and i.asleep_other:
        _fail("react_asleep", f"{i.other} is asleep: {i.persona.name} cannot talk with them")


@register("utterance")
def _utterance(i: k.UtteranceIn, v: k.Utterance) -> None:
    speaker = i.persona.name
    text = v.text.strip()
    if not norm(text):
        _fail("utterance_empty", f"say something: the line for {speaker} is empty")
    if _scripted(text, (speaker, i.listener)) or "conversation so far" in text.lower():
        _fail(
            "utterance_voice",
            f"{_quote(text)} reads like a script; write only the words {speaker} says next, "
            "without any name and colon before them",
        )
    if speaker.lower() in text.lower():
        _fail(
            "utterance_voice",
            f"{_quote(text)} speaks of {speaker} by name; {speaker} is the one speaking "
            "and says 'I'",
        )
    said = {norm(t.text) for t in i.transcript}
    if norm(text) in said:
        _fail(
            "utterance_repeat",
            f"{_quote(text)} was already said; respond to the last line with something new",
        )


@register("summarize_conversation")
def _summary(i: k.SummarizeConversationIn, v: k.ConversationSummary) -> None:
    if _scripted(v.memo, (i.persona.name, i.other)) or not norm(v.memo):
        _fail(
            "summary_form",
            f"the memo {_quote(v.memo)} should be one sentence about what was discussed, "
            "not lines of the conversation",
        )
    said = " ".join(t.text for t in i.transcript).lower()
    copied = norm(SUMMARY_EXAMPLE) in norm(v.planning_thought + " " + v.memo)
    if copied and "party" not in said:
        _fail(
            "summary_example",
            "the prompt's example ('I should go to the party...') is not part of this "
            "conversation; the planning thought is empty unless the conversation set a plan",
        )


_FIRST_PERSON = re.compile(r"\b(i|i'm|i've|i'd|i'll|me|my|mine|myself|we|our|us)\b", re.I)


@register("interview")
def _interview(i: k.InterviewIn, v: k.InterviewAnswer) -> None:
    text = v.answer.strip()
    first = i.persona.name.split()[0].lower()
    opening = text.lower().split()[0].strip(",.:;!") if text.split() else ""
    if (
        opening in (first, "he", "she", "they")
        or i.persona.name.lower() in text.lower()
        or not _FIRST_PERSON.search(text)
    ):
        _fail(
            "interview_voice",
            f"{_quote(text)} is not in the first person: answer as {i.persona.name} "
            "speaking, with 'I' and 'my'",
        )


__all__ = [
    "CHECKS",
    "SenseError",
    "check_sense",
    "content_words",
    "action_emoji",
    "is_sleep",
    "norm",
    "register",
    "wake_window",
    "waking_hours",
]
