"""A day's schedule: the hourly blocks and the 5-15 minute actions that fill them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, kw_only=True)
class Block:
    """One block of the hourly schedule: minutes after midnight and a length in minutes."""

    start: int
    minutes: int
    activity: str

    @property
    def end(self) -> int:
        return self.start + self.minutes


@dataclass(frozen=True, kw_only=True)
class Action:
    """A 5-15 minute action with the place it happens at (game seconds)."""

    description: str
    address: str  # "<world>:<sector>:<arena>[:<object>]"
    emoji: str
    triple: tuple[str, str, str]
    object_state: str | None
    start: int
    duration: int
    block: str = ""  # the schedule block this belongs to

    @property
    def end(self) -> int:
        return self.start + self.duration
