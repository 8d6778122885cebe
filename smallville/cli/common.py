"""What every command module shares: the error a user can fix, and the argparse
types that check a value at parse time so a bad one is a usage error naming its flag."""

from __future__ import annotations

import argparse

TIME = "'YYYY-MM-DD HH:MM'"  # the metavar of every game-time flag


class UserError(Exception):
    """Bad input the user can fix; printed without a traceback."""


def game_time(text: str) -> str:
    """An argparse type: a game time, checked here and passed on as written."""
    from smallville import gametime as gt

    try:
        gt.parse(text)
    except ValueError as e:
        raise argparse.ArgumentTypeError(str(e)) from e
    return text


def hours(text: str) -> float:
    """An argparse type: a number of game hours above zero."""
    import math

    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and value > 0):
        raise argparse.ArgumentTypeError(f"expected a number of game hours above 0, got {text!r}")
    return value


def positive_int(text: str) -> int:
    """An argparse type: a whole number above zero."""
    try:
        n = int(text)
    except ValueError:
        n = 0
    if n <= 0:
        raise argparse.ArgumentTypeError(f"expected a whole number above 0, got {text!r}")
    return n
