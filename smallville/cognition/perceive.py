"""Perception: what an agent notices among the people and objects around it."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from smallville.cognition.snapshot import AgentView, Event
from smallville.llm import schemas as k


def perceive(
    me: AgentView,
    agents: Iterable[AgentView],
    objects: Mapping[str, str],
    object_tiles: Mapping[str, tuple[int, int]],
    radius: int,
    bandwidth: int,
) -> list[Event]:
    """Events within ``radius`` tiles in the agent's own arena, closest first, at most
    ``bandwidth``; ``agents`` may be any superset of the people nearby. People are seen
    with their current action; objects only while in use (an idle object tells nothing
    new, and rating each would cost a model call)."""
    if me.arena is None:
        return []
    found = _people(me, agents, radius) + _objects(me, objects, object_tiles, radius)
    # closest first; at equal distance people ("agent") before objects, then by name
    found.sort(key=lambda t: (t[0], t[1].kind, t[1].subject))
    return [e for _, e in found[:bandwidth]]


def _people(me: AgentView, agents: Iterable[AgentView], radius: int) -> list[tuple[int, Event]]:
    """Others in ``me``'s arena within ``radius``, with their distance."""
    found = []
    for other in agents:
        if other.id == me.id or other.arena != me.arena:
            continue
        d = _distance(me.position, other.position)
        if d > radius:
            continue
        doing = k.SLEEPING if other.asleep else other.action
        event = Event(
            kind="agent",
            subject=other.name,
            predicate="is",
            object=doing,
            description=f"{other.name} is {doing}",
            address=other.address or me.arena,
            position=other.position,
        )
        found.append((d, event))
    return found


def _objects(
    me: AgentView,
    objects: Mapping[str, str],
    object_tiles: Mapping[str, tuple[int, int]],
    radius: int,
) -> list[tuple[int, Event]]:
    """Objects in use in ``me``'s arena within ``radius``, with their distance."""
    prefix = f"{me.arena}:"
    found = []
    for address, state in objects.items():
        if not address.startswith(prefix):
            continue
        d = _distance(me.position, object_tiles[address])
        if d > radius:
            continue
        tag = address.rsplit(":", 1)[1]
        event = Event(
            kind="object",
            subject=address,
            predicate="is",
            object=state,
            description=_object_sentence(tag, state),
            address=address,
            position=object_tiles[address],
        )
        found.append((d, event))
    return found


def _distance(a: tuple[int, int], b: tuple[int, int]) -> int:
    """Tiles apart, diagonal steps counting one (how far an agent sees)."""
    return max(abs(a[0] - b[0]), abs(a[1] - b[1]))


def _object_sentence(tag: str, state: str) -> str:
    return state if state.lower().startswith(("the ", tag.lower())) else f"the {tag} is {state}"
