"""The scripted model makes towns from descriptions: the brief reads the description's
own words (its town type, the places it names and how many, nouns that look like
places, its name), each building gets rooms with objects, the review of its own town
finds nothing missing, and households are families that work at the town's places.
Every answer goes through the task's checks (schema and sense), as a model's would."""

from __future__ import annotations

import asyncio
import functools
import math

import pytest

from smallville.llm import schemas as k
from smallville.llm import schemas_town as t
from smallville.llm.scripted import ScriptedModel
from smallville.llm.scripted_town_catalogue import catalogue
from smallville.llm.sense import check_sense
from smallville.llm.task import PromptTask

RESIDENTS = 8
# description -> places its words ask for (the type's heart, the places it names)
DESCRIPTIONS = {
    "Port Ellis, a fishing village with three bakeries": {"Harbour", "Bakery"},
    "A university campus with an observatory": {"Lecture Hall", "Observatory"},
    "A hospital": {"Ward", "Emergency Department"},
    "A mountain monastery with an old watchtower": {"Prayer Hall", "Old Watchtower"},
    "A space station": {"Command Deck", "Hydroponics Bay"},
    "A night market with two noodle shops": {"Night Market", "Noodle Shop"},
    "A farm with a bakery": {"Farm", "Bakery"},
    "A small island with a lighthouse": {"Lighthouse", "Ferry Landing"},
    "A suburb with a dozen houses and a school": {"School", "House"},
    "A film studio": {"Sound Stage"},
}


def ask(kind: str, inputs):
    """The scripted answer, checked like any model's (a fallback fails the test)."""
    output = k.KINDS[kind][1]
    task = PromptTask(kind=kind, inputs=inputs, output=output, fallback=output.model_construct())
    c = asyncio.run(ScriptedModel().run(task))
    assert c.outcome == "valid", (kind, c.check, c.error)
    return c.value


def brief(description: str, residents: int = RESIDENTS) -> t.TownBrief:
    return ask("town_brief", t.TownBriefIn(description=description, residents=residents))


def names(b: t.TownBrief) -> dict[str, t.PlaceIdea]:
    return {p.name: p for p in b.places}


@functools.cache
def town(description: str):
    """(brief, buildings, review, households) as ``smallville world generate`` asks."""
    b = brief(description)
    buildings = {
        p.name: ask(
            "town_building",
            t.TownBuildingIn(
                town=b.name, feel=b.feel, place=p.name, kind=p.kind, purpose=p.purpose
            ),
        )
        for p in b.places
    }
    listing = tuple(
        f"{p.name} ({p.kind}, {p.count}): "
        + "; ".join(f"{r.name} [{', '.join(r.objects)}]" for r in buildings[p.name].rooms)
        for p in b.places
    )
    review = ask("town_review", t.TownReviewIn(description=description, places=listing))
    works = tuple(f"{p.name}: {p.purpose}" for p in b.places if p.kind != "home")
    homes = [f"{p.name} {n + 1}" for p in b.places if p.kind == "home" for n in range(p.count)]
    households, neighbours, left = [], [], RESIDENTS
    for home in homes:
        size = min(3, left)
        if size <= 0:
            break
        inputs = t.TownHouseholdIn(
            town=b.name,
            feel=b.feel,
            home=home,
            size=size,
            workplaces=works,
            neighbours=tuple(neighbours[-6:]),
        )
        h = ask("town_household", inputs)
        households.append((inputs, h))
        neighbours += [f"{m.name}, {m.age}, lives at {home}" for m in h.members]
        left -= size
    return b, buildings, review, households


@pytest.mark.parametrize("description", list(DESCRIPTIONS))
def test_the_brief_has_the_places_asked_for_and_homes_for_everyone(description):
    b = town(description)[0]
    places = names(b)
    assert DESCRIPTIONS[description] <= set(places), sorted(places)
    assert len(places) == len(b.places) <= t.MAX_PLACES
    assert all(1 <= p.count <= t.MAX_COPIES for p in b.places)
    homes = sum(p.count for p in b.places if p.kind == "home")
    assert homes >= math.ceil(RESIDENTS / 3)
    assert any(p.kind != "home" for p in b.places) and b.name and b.feel


@pytest.mark.parametrize("description", list(DESCRIPTIONS))
def test_every_building_has_rooms_with_objects(description):
    b, buildings, _, _ = town(description)
    for p in b.places:
        rooms = buildings[p.name].rooms
        assert 1 <= len(rooms) <= t.MAX_ROOMS and all(r.objects for r in rooms)
        if p.kind == "home":
            objects = {o for r in rooms for o in r.objects}
            assert {"stove", "toilet"} <= objects and objects & {"bed", "double bed"}, p.name


@pytest.mark.parametrize("description", list(DESCRIPTIONS))
def test_the_review_of_the_scripted_town_finds_nothing_missing(description):
    review = town(description)[2]
    assert review.missing_places == [] and review.missing_objects == []


@pytest.mark.parametrize("description", list(DESCRIPTIONS))
def test_households_are_families_working_in_town(description):
    b, _, _, households = town(description)
    assert sum(len(h.members) for _, h in households) == RESIDENTS
    everyone = [m.name for _, h in households for m in h.members]
    assert len(set(everyone)) == len(everyone), everyone
    works = {p.name for p in b.places if p.kind != "home"}
    for inputs, h in households:
        assert len(h.members) == inputs.size
        if not any(w in inputs.home.lower() for w in ("flat", "quarters", "cell")):
            assert len({m.name.split()[-1] for m in h.members}) == 1, h.members  # a family
        firsts = {m.name.split()[0] for m in h.members}
        for m in h.members:
            assert m.workplace in works or (m.workplace == "" and not 25 <= m.age < 65)
            assert m.workplace == "" or m.workplace in m.learned
            said = " ".join(m.memories)
            assert len(firsts) == 1 or firsts - {m.name.split()[0]} & set(said.split())
            if inputs.neighbours:
                assert any(n.split(",")[0] in said for n in inputs.neighbours), said


def test_households_spread_over_the_workplaces():
    _, _, _, households = town("Port Ellis, a fishing village with three bakeries")
    assert len({m.workplace for _, h in households for m in h.members if m.workplace}) >= 3


@pytest.mark.parametrize("town_type", [x.name for x in catalogue().town_types])
def test_every_town_type_expands_to_its_places(town_type):
    found = next(x for x in catalogue().town_types if x.name == town_type)
    b = brief(f"A {found.words[0]}")
    assert set(found.places) <= set(names(b)) and names(b)[found.home].kind == "home"


def test_numbers_are_read_and_clamped():
    b = names(brief("a dozen cottages, a couple of pubs, three bakeries and no school"))
    assert b["Cottage"].count == 12 and b["Pub"].count == 2 and b["Bakery"].count == 3
    assert "School" not in b
    assert names(brief("10,000 houses"))["House"].count == t.MAX_COPIES
    assert names(brief("thousands of shops"))["Shop"].count == t.MAX_COPIES
    assert names(brief("0 houses", residents=5))["House"].count == 2  # homes for everyone


def test_places_are_called_as_the_description_calls_them():
    """A "pub" is the Pub (furnished as a tavern), not a Tavern; a word that only asks
    for a place ("fishermen") gives it its catalogue name."""
    b = names(brief("Fishermen, a pub, the harbors and two lecture halls"))
    assert {"Pub", "Harbor", "Lecture Hall"} <= set(b) and "Harbour" not in b
    assert b["Lecture Hall"].count == 2 and b["Pub"].purpose
    rooms = ask("town_building", t.TownBuildingIn(town="X", place="Pub", kind="work")).rooms
    assert "bar counter" in rooms[0].objects
    assert "Harbour" in names(brief("A village of fishermen"))


def test_many_residents_get_many_homes_within_bounds():
    b = brief("A fishing village", residents=100)
    assert sum(p.count for p in b.places if p.kind == "home") >= 34
    assert len(b.places) <= t.MAX_PLACES and all(p.count <= t.MAX_COPIES for p in b.places)


def test_unknown_nouns_that_look_like_places_become_generic_buildings():
    b = names(brief("A town with a pagoda and an old watchtower, where people love a good story"))
    assert b["Pagoda"].kind == "public" and b["Old Watchtower"].kind == "work"
    assert not any("Story" in n for n in b)
    rooms = ask(
        "town_building",
        t.TownBuildingIn(town="X", place="Old Watchtower", kind="work", purpose="a lookout"),
    ).rooms
    assert [r.name for r in rooms] == ["entrance hall", "main room"]
    assert "telescope" in rooms[1].objects  # from the place's words


def test_the_town_is_named_by_the_description_or_made_up():
    assert brief("Port Ellis, a fishing village").name == "Port Ellis"
    assert brief("A village called Little Bramble with a bakery").name == "Little Bramble"
    made_up = brief("A Fishing Village").name
    assert made_up not in ("A Fishing Village", "Fishing Village")
    assert made_up == brief("A Fishing Village").name


def test_an_empty_description_is_a_small_default_town():
    """The CLI refuses an empty description; the scripted model still answers it."""
    b = names(brief(""))
    assert {"General Store", "Town Square", "Cafe"} <= set(b)
    assert sum(p.count for p in b.values() if p.kind == "home") >= 3
    assert set(names(brief("Something nice for everyone"))) == set(b)  # no place named


def test_night_workers_sleep_after_midnight_and_say_so():
    inputs = t.TownHouseholdIn(
        town="Port Ellis", home="Cottage 1", size=2, workplaces=("Tavern: drinks", "Bakery: bread")
    )
    members = ask("town_household", inputs).members
    night = next(m for m in members if m.workplace == "Tavern")
    baker = next(m for m in members if m.workplace == "Bakery")
    assert night.sleep_time < night.wake_time and "night" in night.learned
    assert baker.wake_time <= "05:00"


def test_every_catalogue_building_passes_its_sense_check():
    for name, place in catalogue().places.items():
        inputs = t.TownBuildingIn(town="X", place=name, kind=place.kind, purpose=place.purpose)
        rooms = [t.RoomIdea(name=r, objects=list(o)) for r, o in place.rooms.items()]
        check_sense("town_building", inputs, t.BuildingIdea(rooms=rooms))


def test_most_catalogue_objects_are_furniture_of_the_kit():
    """Objects are named by the kit's furniture tags where one fits; any other name is
    allowed (it becomes a generic object)."""
    furniture = pytest.importorskip("smallville.towngen.catalogue").FURNITURE
    objects = [o for p in catalogue().places.values() for r in p.rooms.values() for o in r]
    assert sum(o in furniture for o in objects) >= 0.7 * len(objects)
