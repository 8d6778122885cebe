"""Perception: what an agent notices in a tick's snapshot."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from smallville.cognition.types import AgentView, Event


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
    mx, my = me.position
    found: list[tuple[int, int, Event]] = []
    for other in agents:
        if other.id == me.id or other.arena != me.arena:
            continue
        d = max(abs(other.position[0] - mx), abs(other.position[1] - my))
        if d > radius:
            continue
        doing = "sleeping" if other.asleep else other.action
        found.append(
            (
                d,
                0,
                Event(
                    kind="agent",
                    subject=other.name,
                    predicate="is",
                    object=doing,
                    description=f"{other.name} is {doing}",
                    address=other.address or me.arena,
                    position=other.position,
                ),
            )
        )
    prefix = me.arena + ":"
    for address, state in objects.items():
        if not address.startswith(prefix):
            continue
        x, y = object_tiles[address]
        d = max(abs(x - mx), abs(y - my))
        if d > radius:
            continue
        tag = address.rsplit(":", 1)[1]
        found.append(
            (
                d,
                1,
                Event(
                    kind="object",
                    subject=address,
                    predicate="is",
                    object=state,
                    description=_object_sentence(tag, state),
                    address=address,
                    position=(x, y),
                ),
            )
        )
    found.sort(key=lambda t: (t[0], t[1], t[2].subject))
    return [e for _, _, e in found[:bandwidth]]


def _object_sentence(tag: str, state: str) -> str:
    return state if state.lower().startswith(("the ", tag.lower())) else f"the {tag} is {state}"
