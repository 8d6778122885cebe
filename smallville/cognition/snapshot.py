"""What the server shows the agents each tick: how each person appears at the tick's
start, and the events an agent can perceive."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, kw_only=True)
class Event:
    """Something an agent can perceive: a person doing something, or an object's state."""

    kind: str  # "agent" | "object"
    subject: str  # a person's name or an object address
    predicate: str
    object: str
    description: str  # "Maria Lopez is making coffee", "the stove is heating a pan"
    address: str  # where it happens (object or arena address)
    position: tuple[int, int]


@dataclass(frozen=True, kw_only=True)
class AgentView:
    """How one agent appears to the others in a tick's snapshot."""

    id: int
    name: str
    position: tuple[int, int]
    arena: str | None  # arena address of the tile it stands on
    action: str  # current action description
    address: str  # where that action happens
    asleep: bool = False
    chatting_with: str | None = None
