"""Text to town: a World Scaffold world and its residents from one description.

Through the language-model port, each step a typed task (``llm/schemas_town.py``):

1. brief: the places the town needs (homes, workplaces, public places), how many of
   each, what each is for, and the town's feel;
2. buildings: each distinct place's rooms and the objects in each room, by name;
3. layout: procedural (``layout.lay_out``): buildings along streets, rooms inside,
   furniture against walls, doors between rooms, so the validator's CFR, RCS and OPS
   hold by construction (and are checked);
4. critic: the validator, and one model review of whether the town matches the
   description (missing places or objects); one repair round adds what it names;
5. residents (``residents.make_residents``): households in the homes, workplaces
   among the generated places.

Every task has a fallback, the scripted rules' answer to the same inputs, so a model
that fails its checks still gives a town; the counts of repaired and fallback answers
are in ``Generated.usage``.
"""

from __future__ import annotations

import asyncio
import json
import math
from dataclasses import dataclass
from pathlib import Path

from smallville.llm import schemas_town as t
from smallville.llm.scripted import rule_answer
from smallville.llm.task import PromptTask
from smallville.towngen.layout import lay_out_world, sector_names
from smallville.towngen.plan import PlacePlan, RoomPlan, TownPlan
from smallville.towngen.residents import MAX_RESIDENTS, make_residents
from smallville.world import World

MAX_BUILDINGS = 60  # copies included: the layout's bound
PEOPLE_PER_HOME = 3  # homes needed: residents / this, rounded up


class GenerateError(ValueError):
    """The request cannot make a town; the message says what to change."""


@dataclass
class Generated:
    plan: TownPlan
    scene: dict
    world: World
    personas: list[dict]
    review: t.TownReview


async def generate_town(description: str, residents: int, llm, *, seed: int = 0) -> Generated:
    """The town ``description`` asks for, with ``residents`` people living in it."""
    description = " ".join(description.split())
    if not description:
        raise GenerateError(
            "the description is empty: say what kind of town, e.g. 'a fishing village'"
        )
    if not 1 <= residents <= MAX_RESIDENTS:
        raise GenerateError(f"--residents {residents}: expected 1 to {MAX_RESIDENTS}")
    brief = await _ask(
        llm, "town_brief", t.TownBriefIn(description=description, residents=residents), t.TownBrief
    )
    ideas = _with_homes(brief.places, residents)
    rooms = await _buildings(llm, brief, ideas)
    review = await _review(llm, description, ideas, rooms)
    if review.missing_places or review.missing_objects:
        ideas = _with_homes([*ideas, *review.missing_places], residents)
        rooms |= await _buildings(llm, brief, [i for i in ideas if i.name not in rooms])
        _add_objects(rooms, review.missing_objects)
    plan = _plan(brief, description, ideas, rooms)
    scene, world = lay_out_world(plan)
    sectors = list(zip(sector_names(plan), plan.places, strict=True))
    kinds = {name: p.kind for name, p in sectors}
    purposes = {name: p.purpose for name, p in sectors}
    personas = await make_residents(
        world, residents, llm, seed=seed, kinds=kinds, purposes=purposes, feel=brief.feel
    )
    return Generated(plan=plan, scene=scene, world=world, personas=personas, review=review)


async def _ask(llm, kind: str, inputs, output):
    """One task; its fallback is the scripted rules' answer to the same inputs."""
    fallback = rule_answer(kind, inputs, output)
    task = PromptTask(kind=kind, inputs=inputs, output=output, fallback=fallback)
    return await llm.complete(task)


def _with_homes(ideas: list[t.PlaceIdea], residents: int) -> list[t.PlaceIdea]:
    """The brief's places, one idea per name, with enough homes for everyone and no
    more buildings than the layout takes."""
    merged: dict[str, t.PlaceIdea] = {}
    for idea in ideas:
        key = idea.name.strip().lower()
        if key in merged:
            count = min(t.MAX_COPIES, merged[key].count + idea.count)
            idea = merged[key].model_copy(update={"count": count})
        merged[key] = idea
    out = list(merged.values())
    missing = math.ceil(residents / PEOPLE_PER_HOME) - sum(i.count for i in out if i.kind == "home")
    for name in _EXTRA_HOMES:
        if missing <= 0:
            break
        if name.lower() not in merged:
            count = min(missing, t.MAX_COPIES)
            out.append(t.PlaceIdea(name=name, kind="home", purpose="a family home", count=count))
            missing -= count
    return _trim(out)


_EXTRA_HOMES = ("House", "Town House", "Row House", "Garden House", "Corner House")


def _trim(ideas: list[t.PlaceIdea]) -> list[t.PlaceIdea]:
    """At most MAX_BUILDINGS buildings: the copies of non-home places shrink first."""
    out = list(ideas)
    while sum(i.count for i in out) > MAX_BUILDINGS:
        biggest = max(
            (i for i in out if i.kind != "home" and i.count > 1),
            key=lambda i: i.count,
            default=None,
        )
        biggest = biggest or max(out, key=lambda i: i.count)
        j = out.index(biggest)
        out[j] = biggest.model_copy(update={"count": biggest.count - 1})
    return out


async def _buildings(
    llm, brief: t.TownBrief, ideas: list[t.PlaceIdea]
) -> dict[str, t.BuildingIdea]:
    """Each distinct place's rooms and objects (copies of a place share them)."""
    answers = await asyncio.gather(
        *(
            _ask(
                llm,
                "town_building",
                t.TownBuildingIn(
                    town=brief.name, feel=brief.feel, place=i.name, kind=i.kind, purpose=i.purpose
                ),
                t.BuildingIdea,
            )
            for i in ideas
        )
    )
    return {i.name: a for i, a in zip(ideas, answers, strict=True)}


def _plan(
    brief: t.TownBrief, description: str, ideas: list[t.PlaceIdea], rooms: dict[str, t.BuildingIdea]
) -> TownPlan:
    places = []
    for idea in ideas:
        building = tuple(
            RoomPlan(name=r.name, objects=tuple(r.objects)) for r in rooms[idea.name].rooms
        )
        for n in range(idea.count):
            name = idea.name if n == 0 else f"{idea.name} {n + 1}"
            places.append(
                PlacePlan(name=name, kind=idea.kind, purpose=idea.purpose, rooms=building)
            )
    return TownPlan(name=brief.name, description=description, feel=brief.feel, places=tuple(places))


async def _review(
    llm, description: str, ideas: list[t.PlaceIdea], rooms: dict[str, t.BuildingIdea]
) -> t.TownReview:
    listing = tuple(
        f"{i.name} ({i.kind}, {i.count}): "
        + "; ".join(f"{r.name} [{', '.join(r.objects)}]" for r in rooms[i.name].rooms)
        for i in ideas
    )
    inputs = t.TownReviewIn(description=description, places=listing)
    return await _ask(llm, "town_review", inputs, t.TownReview)


def _add_objects(rooms: dict[str, t.BuildingIdea], missing: list[t.MissingObject]) -> None:
    """Put each missing object in the named room (or the place's first), within bounds."""
    for m in missing:
        building = rooms.get(m.place)
        if building is None:
            continue
        room = next(
            (r for r in building.rooms if r.name.lower() == m.room.lower()), building.rooms[0]
        )
        if m.object not in room.objects and len(room.objects) < t.MAX_OBJECTS:
            room.objects.append(m.object)


def write_town(g: Generated, out: Path) -> dict[str, Path]:
    """``out/world.json``, ``out/agents/*.json`` and ``out/preview.png``; refuses a
    folder that already holds a world, so nothing written before is lost."""
    from smallville.towngen.kit import write_scene
    from smallville.towngen.residents import write_personas

    out = Path(out)
    world_path = out / "world.json"
    if world_path.exists() or (out / "agents").exists():
        raise GenerateError(f"{out} already holds a town: choose another --out or delete it")
    out.mkdir(parents=True, exist_ok=True)
    write_scene(g.scene, world_path)
    write_personas(g.personas, out / "agents")
    preview = out / "preview.png"
    from smallville.viewer.mapdraw import render_png

    render_png(g.world, preview, tile_px=8)
    (out / "plan.json").write_text(
        json.dumps(_plan_json(g), indent=1, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    return {"world": world_path, "agents": out / "agents", "preview": preview}


def _plan_json(g: Generated) -> dict:
    return {
        "name": g.plan.name,
        "description": g.plan.description,
        "feel": g.plan.feel,
        "places": [
            {
                "name": p.name,
                "kind": p.kind,
                "purpose": p.purpose,
                "rooms": {r.name: list(r.objects) for r in p.rooms},
            }
            for p in g.plan.places
        ],
        "review": g.review.model_dump(),
    }
