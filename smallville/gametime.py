"""Game time: whole seconds since 1970-01-01 00:00 of the town's (naive) calendar.

The engine owns the clock; nothing inside the simulation reads the wall clock.
An int is cheap to store, compare and log, and converts exactly.
"""

from __future__ import annotations

from datetime import datetime, timedelta

_EPOCH = datetime(1970, 1, 1)
DAY = 86_400
HOUR = 3_600
MINUTE = 60
FORMAT = "'YYYY-MM-DD HH:MM'"


def from_datetime(dt: datetime) -> int:
    return int((dt.replace(tzinfo=None) - _EPOCH).total_seconds())


def to_datetime(t: int) -> datetime:
    return _EPOCH + timedelta(seconds=int(t))


def parse(text: str) -> int:
    """Parse ``"YYYY-MM-DD HH:MM"`` (or ``"YYYY-MM-DDTHH:MM[:SS]"``)."""
    try:
        return from_datetime(datetime.fromisoformat(text.strip()))
    except ValueError as e:
        raise ValueError(f"bad game time {text!r}: expected {FORMAT}") from e


def parse_hm(text: str) -> int:
    """Minutes after midnight of ``"HH:MM"``."""
    try:
        h, m = text.strip().split(":")
        hours, minutes = int(h), int(m)
    except ValueError as e:
        raise ValueError(f"bad time of day {text!r}: expected 'HH:MM'") from e
    if not (0 <= hours <= 24 and 0 <= minutes < 60) or hours * 60 + minutes > 24 * 60:
        raise ValueError(f"bad time of day {text!r}: expected 'HH:MM' between 00:00 and 24:00")
    return hours * 60 + minutes


def fmt(t: int) -> str:
    """``"2023-02-13 06:00"``"""
    return to_datetime(t).strftime("%Y-%m-%d %H:%M")


def fmt_hm(t: int) -> str:
    return to_datetime(t).strftime("%H:%M")


def fmt_date(t: int) -> str:
    """``"Monday February 13, 2023"``, the form prompts use."""
    d = to_datetime(t)
    return f"{d.strftime('%A %B')} {d.day}, {d.year}"


def day_start(t: int) -> int:
    return t - t % DAY


def minute_of_day(t: int) -> int:
    return (t % DAY) // MINUTE
