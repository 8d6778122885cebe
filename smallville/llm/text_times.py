"""Clock times and days in plan and memory text: "at 5:00 pm", "from 9 am to 5 pm", "today".

The scripted model reads plans and remembered events with these; the sense checks
read the times a model's plan gives.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")

_TIME = re.compile(r"\b(\d{1,2})(?::(\d{2}))?\s*(am|pm|a\.m\.|p\.m\.)?(?![a-z])", re.IGNORECASE)
_END = re.compile(
    r"(?:\bto\b|\buntil\b|\btill\b|[-–])\s*(\d{1,2}(?::\d{2})?\s*(?:am|pm)?)", re.IGNORECASE
)
_STRIP_TIMES = re.compile(
    r"\s*\b(?:at|from|to|until|till)\s+\d{1,2}(?::\d{2})?\s*(?:am|pm)?(?![a-z])", re.IGNORECASE
)


def hour_of(text: str) -> int | None:
    """The first clock time in ``text`` as an hour 0-23 ("5:00 pm" -> 17, "17:00" -> 17)."""
    for m in _TIME.finditer(text):
        h = int(m.group(1))
        suffix = (m.group(3) or "").lower().replace(".", "")
        if not m.group(2) and not suffix:
            continue  # a bare number ("February 14") is not a time
        if suffix == "pm" and h < 12:
            h += 12
        elif suffix == "am" and h == 12:
            h = 0
        if 0 <= h <= 23:
            return h
    return None


def end_hour_of(text: str) -> int | None:
    """The hour after "to" / "until" / "-" in ``text``, if any."""
    m = _END.search(text)
    return hour_of(m.group(1)) if m else None


def strip_times(text: str) -> str:
    """``text`` without its "at 5:00 pm" / "from 9 am to 5 pm" clauses."""
    return _STRIP_TIMES.sub("", text).strip(" ,.") or text


def clock(h: int) -> str:
    h %= 24
    return f"{(h % 12) or 12}:00 {'am' if h < 12 else 'pm'}"


def hour_of_hm(hm: str, default: int) -> int:
    """The hour of an "HH:MM" string, ``default`` when it is malformed."""
    try:
        return int(hm.split(":")[0]) % 24
    except ValueError:
        return default


def about_today(text: str, created: str, date: str) -> bool:
    """Does a memory made at ``created`` speak about the day ``date``?

    Yes when it names the day ("Tuesday", "February 14"), says "today"/"tonight" and
    was made that day, says "tomorrow" and was made the day before, or names no day
    at all and was made that day or the day before.
    """
    try:
        day = datetime.strptime(date, "%A %B %d, %Y")
    except ValueError:
        return False
    low = text.lower()
    if day.strftime("%A").lower() in low or f"{day.strftime('%B').lower()} {day.day}" in low:
        return True
    try:
        made = datetime.strptime(created[:10], "%Y-%m-%d").date()
    except ValueError:
        return False
    if made == day.date() and ("today" in low or "tonight" in low):
        return True
    if made == (day - timedelta(days=1)).date() and "tomorrow" in low:
        return True
    names_a_day = any(w in low for w in (*_WEEKDAYS, "tomorrow", "today", "tonight")) or bool(
        re.search(r"\b(?:january|february|march|april|may|june|july|august|september|"
                  r"october|november|december) \d", low)
    )  # fmt: skip
    return not names_a_day and (day - timedelta(days=1)).date() <= made <= day.date()
