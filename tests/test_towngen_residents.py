"""Residents for any world: homes and workplaces found in the world's own places,
households that share a home and a surname, and personas that load against the world
whatever the model answers."""

from __future__ import annotations

import asyncio
import copy
import json
from pathlib import Path

import pytest
from scenes import two_rooms

from smallville.cognition.persona import load_personas
from smallville.llm import LLM, Completion
from smallville.llm.schemas_town import Household, Member
from smallville.llm.scripted import ScriptedModel
from smallville.towngen.residents import make_residents, town_places, write_personas
from smallville.world import World, parse_scene

ROOT = Path(__file__).resolve().parents[1]


def residents(world: World, n: int, backend=None, **kw) -> list[dict]:
    return asyncio.run(make_residents(world, n, LLM(backend or ScriptedModel()), **kw))


def loaded(world: World, personas: list[dict], folder: Path):
    """The personas as the simulation reads them: written, then loaded for the world."""
    write_personas(personas, folder)
    return load_personas(folder, [a.address for a in world.places.arenas])


def households(personas: list[dict]) -> list[list[dict]]:
    """Residents grouped by the family ties in their memories."""
    by_name = {p["name"]: p for p in personas}
    groups: dict[str, set[str]] = {name: {name} for name in by_name}
    for p in personas:
        for memory in p["memories"]:
            for tie in (" is married to ", " lives with "):
                a, _, b = memory.partition(tie)
                if b in by_name and a == p["name"]:
                    merged = groups[a] | groups[b]
                    for name in merged:
                        groups[name] = merged
    unique = {frozenset(g) for g in groups.values()}
    return [[by_name[n] for n in sorted(g)] for g in sorted(unique, key=sorted)]


def zoneless_shop(bed: bool = True) -> World:
    """A World Craft scene with no zones: a bedroom (a bed) | a shop (a counter)."""
    scene = two_rooms(zones=False)
    scene["properties"]["floor_tiles"]["semantic_tag"] = "floor_shop"
    scene["assets"]["counter"] = copy.deepcopy(scene["assets"]["stove"]) | {
        "description": "a counter"
    }
    scene["properties"]["counter"] = scene["properties"]["stove"] | {"semantic_tag": "counter"}
    layer = scene["layout"]["object_layer"]
    layer[2]["asset_id"] = "counter"
    if not bed:  # and the room it stood in is a studio: nowhere says "sleep here"
        del layer[1]
        scene["properties"]["floor_wood"]["semantic_tag"] = "floor_studio"
    return World(parse_scene(scene))


@pytest.mark.parametrize(("town", "n"), [("cafe", 9), ("the_ville", 25)])
def test_residents_live_and_work_in_the_town(town, n, tmp_path):
    world = World.load(ROOT / "worlds" / f"{town}.json")
    personas = residents(world, n)
    assert len(loaded(world, personas, tmp_path)) == n  # homes and workplaces are arenas
    assert len({p["name"] for p in personas}) == n
    homes, works = town_places(world)
    beds = {b for h in homes for b in h.beds}
    assert {p["living_area"] for p in personas} <= beds
    assert {p["workplace"] for p in personas} - {None} <= {w.arena for w in works}
    assert any(p["workplace"] for p in personas)
    families = households(personas)
    assert any(len(family) > 1 for family in families)
    for family in families:  # one home, one surname
        assert 1 <= len(family) <= 4
        assert len({p["living_area"] for p in family}) == 1
        assert len({p["name"].split()[-1] for p in family}) == 1
    for p in personas:
        assert "goes to bed around" in p["lifestyle"] and p["lifestyle"].startswith(
            p["name"].split()[0]
        )


def test_inferred_kinds_in_the_shipped_towns():
    """A cafe with a flat upstairs is a home and a workplace; a garden with garden beds
    and the streets are neither; houses are homes only."""
    homes, works = town_places(World.load(ROOT / "worlds" / "the_ville.json"))
    home_names, work_names = {h.name for h in homes}, {w.name for w in works}
    assert {"Moreno House", "Bellini's Cafe", "Oak Hill College"} <= home_names
    assert {"Bellini's Cafe", "Town Hall", "Nakamura Grocery"} <= work_names
    assert not {"Community Garden", "Streets", "Willow Park"} & (home_names | work_names)
    assert "Moreno House" not in work_names
    cafe = {w.name: w.arena for w in works}["Bellini's Cafe"]
    assert cafe == "the Ville:Bellini's Cafe:cafe"


def test_given_kinds_and_purposes_win():
    world = World.load(ROOT / "worlds" / "cafe.json")
    kinds = {"Corner Cafe": "work", "Rowan Cottage": "home", "Street": "public"}
    homes, works = town_places(world, kinds, {"Corner Cafe": "coffee and buns"})
    assert [h.name for h in homes] == ["Rowan Cottage"]
    assert [w.line() for w in works] == ["Corner Cafe: coffee and buns"]
    with pytest.raises(ValueError, match="expected one of home, work, public"):
        town_places(world, {"Street": "shop"})


def test_a_scene_without_zones_gets_homes_and_workplaces_from_derived_arenas(tmp_path):
    world = zoneless_shop()
    assert not world.scene.layout.zone_layer
    arenas = {a.name: a.address for a in world.places.arenas}
    assert set(arenas) == {"bedroom", "shop"}
    personas = residents(world, 5)
    assert len(loaded(world, personas, tmp_path)) == 5
    assert {p["living_area"] for p in personas} == {arenas["bedroom"]}
    assert {p["workplace"] for p in personas} - {None} == {arenas["shop"]}


def test_without_a_bed_the_quietest_room_is_home(tmp_path):
    world = zoneless_shop(bed=False)
    arenas = {a.name: a.address for a in world.places.arenas}
    personas = residents(world, 3)
    assert len(loaded(world, personas, tmp_path)) == 3
    assert {p["living_area"] for p in personas} == {arenas["studio"]}


class Nonsense:
    """A model that answers every household badly, a different way each time: the
    same names again and again, a stranger's workplace, one-word names, no time
    asleep, too many members, an invalid member, or no members at all."""

    name = "nonsense"

    def __init__(self) -> None:
        self.calls = 0

    def member(self, name: str, **kw) -> Member:
        fields = dict(
            name=name,
            age=40,
            innate="loud",
            learned=f"{name} sells moon rocks.",
            wake_time="07:00",
            sleep_time="07:00",
            workplace="Moon Base",
        )
        return Member(**(fields | kw))

    async def run(self, task):
        self.calls += 1
        answers = [
            Household(members=[self.member("Ana Carter"), self.member("Ana Carter")]),
            Household(members=[self.member("Bob", workplace="the corner cafe")] * 5),
            Household.model_construct(members=[]),
            Household.model_construct(members=[Member.model_construct(name="X", age=500)]),
        ]
        return Completion(value=answers[self.calls % len(answers)])

    async def embed(self, texts):
        raise AssertionError("not used")


def test_a_bad_model_still_gives_valid_residents(tmp_path):
    world = World.load(ROOT / "worlds" / "cafe.json")
    backend = Nonsense()
    personas = residents(world, 20, backend)
    assert backend.calls >= 4  # every kind of bad answer was given
    assert len(loaded(world, personas, tmp_path)) == 20
    names = [p["name"].casefold() for p in personas]
    assert len(set(names)) == 20 and all(len(n.split()) >= 2 for n in names)
    cafe = "the Cafe:Corner Cafe:cafe"
    assert {p["workplace"] for p in personas} <= {None, cafe}
    assert any(p["workplace"] == cafe for p in personas)  # "the corner cafe" was understood
    assert all(p["wake_time"] != p["sleep_time"] for p in personas)
    for family in households(personas):
        assert 1 <= len(family) <= 4


def test_same_seed_same_residents():
    world = World.load(ROOT / "worlds" / "cafe.json")
    first = residents(world, 8, seed=3)
    assert residents(world, 8, seed=3) == first
    assert residents(world, 8, seed=4) != first


@pytest.mark.parametrize("n", [0, -1, 101])
def test_resident_count_is_bounded(n):
    world = zoneless_shop()
    with pytest.raises(ValueError, match="expected 1 to 100 residents"):
        residents(world, n)


def test_write_personas_never_overwrites(tmp_path):
    world = zoneless_shop()
    personas = residents(world, 3)
    paths = write_personas(personas, tmp_path / "agents")
    assert [json.loads(p.read_text(encoding="utf-8")) for p in paths] == personas
    before = {p: p.read_text(encoding="utf-8") for p in paths}
    with pytest.raises(FileExistsError, match="already holds persona files"):
        write_personas(personas, tmp_path / "agents")
    assert {p: p.read_text(encoding="utf-8") for p in paths} == before
    twins = [dict(personas[0], name="Zoë Park"), dict(personas[1], name="Zoe Park")]
    stems = [p.stem for p in write_personas(twins, tmp_path / "twins")]
    assert stems == ["zoe_park", "zoe_park_2"]
