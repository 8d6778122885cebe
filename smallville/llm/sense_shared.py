"""What the sense checks share: comparing texts, the persona's waking day, failing.

Cognition uses the same rules (``wake_window``, ``waking_hours``, ``is_sleep``,
``action_emoji``) to offer choices and to read plans, so a check and the code it
guards agree on what sleep or a plausible wake hour is.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence

from smallville.llm import schemas as k
from smallville.llm.scripted_profile import PROFILE
from smallville.llm.task import SenseError
from smallville.llm.text_times import end_hour_of, hour_of, hour_of_hm

WAKE_WINDOW = 2  # hours either side of the persona's usual wake time

_STOP = frozenset(
    (  # noqa: SIM905 - a word list reads best as words
        "the and for with from into onto that this then than have has had will would "
        "about at in on of to a an is are was be being been some any more most very their "
        "there them they his her him she he its it our your my me we you go goes going "
        "went get gets getting not but all can"
    ).split(" ")
)
_WORD = re.compile(r"[a-z]+")
BEDTIME = re.compile(r"\b(go|goes|going|get|gets|getting|head|heads|heading) (in)?to bed\b")


@functools.cache
def action_emoji() -> tuple[str, ...]:
    """The emoji an action may have: offered as choices, so a weak model's "smiling" or
    "Mei Tan3" cannot be decoded (the viewer draws these; the scripted rules use them)."""
    extra = ("🙂", "🍽️", "🥐", "🏃", "📖", "💻", "🧹", "🌳", "🛍️", "🎵", "🧘", "📞")
    return tuple(dict.fromkeys([e.emoji for e in PROFILE.emoji] + list(extra)))


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


def fail(check: str, message: str) -> None:
    raise SenseError(check, message)


def quote(text: str, n: int = 60) -> str:
    one = " ".join(text.split())
    return repr(one if len(one) <= n else one[: n - 3] + "...")


def covers(item: str, hour: int) -> bool:
    """Does a plan item's time span ("at 5 pm": two hours; "from 9 to 5") hold ``hour``?"""
    start = hour_of(item)
    if start is None:
        return False
    end = end_hour_of(item)
    return start <= hour < (end if end is not None and end > start else start + 2)


def ngrams(text: str, n: int) -> set[tuple[str, ...]]:
    words = norm(text).split()
    return {tuple(words[j : j + n]) for j in range(len(words) - n + 1)}


def mentions(text: str, thing: str) -> bool:
    """Does ``text`` name ``thing`` (an object tag such as "bed" or "coffee machine")?"""
    said = {w[:5] for w in _WORD.findall(text.lower())}
    return any(w[:5] in said for w in _WORD.findall(thing.lower()) if len(w) >= 3)


def is_script(text: str, names: Iterable[str]) -> bool:
    """Does ``text`` hold a line of script, "Name: words", for one of ``names``?"""
    who = {n.lower() for name in names for n in (name, name.split()[0])}
    for line in text.lower().splitlines():
        head, colon, _ = line.strip().partition(":")
        if colon and head.strip(" *\"'") in who:
            return True
    return False


def example_copies(texts: Iterable[str], examples: Sequence[str]) -> list[str]:
    """The ``texts`` that are one of the prompt's ``examples`` in other words."""
    shown = {content_words(e) for e in examples}
    return [t for t in texts if content_words(t) in shown]


def singular(word: str) -> str:
    """A lowercase noun's singular, near enough to match "bakeries" with "bakery"."""
    if len(word) <= 3 or word.endswith(("ss", "us", "is")):
        return word
    if word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith(("ches", "shes", "sses", "xes")):
        return word[:-2]
    return word[:-1] if word.endswith("s") else word
