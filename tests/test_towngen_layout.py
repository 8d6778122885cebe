"""The town kit and the procedural layout: any plan in bounds lays out into a town the
validator passes (CFR = RCS = 1, OPS >= 0.95), with every planned room and object
where the plan put it, the same scene for the same plan; and the shipped towns still
build byte for byte from scripts/build_the_ville.py."""

from __future__ import annotations

import importlib.util
import json
import random
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from smallville.towngen.catalogue import FURNITURE, object_tag
from smallville.towngen.kit import check_scene
from smallville.towngen.layout import STREETS, arena_names, lay_out, sector_names
from smallville.towngen.plan import PlacePlan, RoomPlan, TownPlan
from smallville.world import World, parse_scene

ROOT = Path(__file__).resolve().parents[1]

SPOKEN = ["beds", "Chairs", "sink", "Sinks", "table", "TABLES", "Bookshelves", "couch", "TV"]
SPOKEN += ["crate", "shelves", "  Stove ", "the fridge", "kitchen_sink", "Double Bed"]
UNKNOWN = ["net rack", "telescope", "loom", "lobster pot", "door", "wall", "grass", "street"]
UNKNOWN += ["thing", "thing_net", "Wall Clock", "a", ":", "", "   ", "anvil:iron", "x" * 30]
PLACES = ["House", "house", "HOUSE", "Streets", "streets", "Bakery: east", "Café ☕ Ünïcödé"]
PLACES += ["", " ", "The Old Lighthouse, Keeper's Cottage & Store", "::", "Smithy\n\tforge"]
ROOMS = ["bedroom", "Bedroom", "bedroom 2", "kitchen", "bathroom", "", ":", "Σαλόνι", "hall"]
ROOMS += ["room with a view: north-east corner (big)", "Küche", "工作室", "bar", "bar 2"]
CHARS = "abcdefghijklmnopqrstuvwxyz ABC:::-'&.,!?()éßøΣж漢字🐟\t\n_0123456789"


def _text(rng: random.Random, pool: list[str], longest: int) -> str:
    """A name from the pool, or random characters (punctuation, ':' and unicode too)."""
    if rng.random() < 0.6:
        return rng.choice(pool)
    return "".join(rng.choice(CHARS) for _ in range(rng.randint(0, longest)))


def _object(rng: random.Random) -> str:
    pool = rng.choice([sorted(FURNITURE), SPOKEN, UNKNOWN])
    return _text(rng, pool, 30)


def random_plan(seed: int) -> TownPlan:
    """1-60 places (mostly few), 1-5 rooms each, 1-6 objects per room, any names."""
    rng = random.Random(seed)
    places = []
    for _ in range(rng.choice([1, 1, 2, 3, 4, 6, 9, 14, 25, 60])):
        rooms = tuple(
            RoomPlan(
                name=_text(rng, ROOMS, 40),
                objects=tuple(_object(rng) for _ in range(rng.randint(1, 6))),
            )
            for _ in range(rng.randint(1, 5))
        )
        kind = rng.choice(["home", "work", "public"])
        places.append(PlacePlan(_text(rng, PLACES, 40), kind, "a purpose", rooms))
    name = _text(rng, ["Gullhaven", "Port: Ness", "Ville 🐟"], 40)
    return TownPlan(name, "a description", rng.choice(["", "salty", "misty\nquiet"]), tuple(places))


def _cleaned(name: str, fallback: str) -> str:
    return " ".join(name.replace(":", "-").split()) or fallback


def _numbered(name: str, planned: str, fallback: str) -> bool:
    """``name`` is the planned name, cleaned, perhaps with a number added to keep it unique."""
    base = _cleaned(planned, fallback)
    return name == base or (name.startswith(base + " ") and name[len(base) + 1 :].isdigit())


def check_town(plan: TownPlan, scene: dict) -> World:
    """Valid, every room an arena named as planned, every object in it with its tag."""
    world = World(parse_scene(scene))
    m = world.metrics
    assert m.cfr == 1 and m.rcs == 1 and m.ops >= 0.95, [str(f) for f in m.failures]
    assert check_scene(scene) == []
    places = world.places
    sectors = sector_names(plan)
    assert len({s.casefold() for s in [*sectors, STREETS]}) == len(plan.places) + 1
    want = {(STREETS, "street")}
    for sector, place in zip(sectors, plan.places, strict=True):
        assert _numbered(sector, place.name, "Place")
        arenas = arena_names(place)
        assert len({a.casefold() for a in arenas}) == len(arenas)
        for arena, room in zip(arenas, place.rooms, strict=True):
            assert _numbered(arena, room.name, "Room")
            want.add((sector, arena))
            objs = places.objects_in(f"{places.world}:{sector}:{arena}")
            got = Counter(world.scene.tag(o.asset_id) for o in objs)
            assert got == Counter(object_tag(n, arena) for n in room.objects), (sector, arena)
    assert {(a.sector, a.name) for a in places.arenas} == want
    assert scene["layout"]["npc_layer"] == []
    return world


@pytest.mark.parametrize("seed", range(120))
def test_random_plans_lay_out_valid_and_complete(seed):
    plan = random_plan(seed)
    scene = lay_out(plan)
    world = check_town(plan, scene)
    assert max(world.grid.width, world.grid.height) <= 250
    again = TownPlan(**{k: getattr(plan, k) for k in ("name", "description", "feel", "places")})
    assert json.dumps(lay_out(again)) == json.dumps(scene)


def test_layout_is_the_same_in_another_process():
    """Nothing depends on set or hash order: a new interpreter writes the same bytes."""
    code = (
        "import json, sys; sys.path.insert(0, 'tests')\n"
        "from test_towngen_layout import random_plan\n"
        "from smallville.towngen.layout import lay_out\n"
        "print(json.dumps([lay_out(random_plan(s)) for s in (3, 7)]))"
    )
    env = {"PYTHONHASHSEED": "12345", "PATH": ""}
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == json.dumps([lay_out(random_plan(s)) for s in (3, 7)])


def test_biggest_plan_with_the_biggest_furniture_fits():
    """60 places x 5 rooms x 6 of the widest and deepest objects: still within 250 x 250."""
    objects = ("soccer goal", "bleachers", "bandstand", "bar counter", "fountain", "tool shed")
    rooms = tuple(RoomPlan(f"room {j}", objects) for j in range(5))
    places = tuple(PlacePlan(f"Place {i}", "work", "work", rooms) for i in range(60))
    plan = TownPlan("Big", "a big town", "", places)
    world = check_town(plan, lay_out(plan))
    assert max(world.grid.width, world.grid.height) <= 250


def test_object_names_find_their_kind():
    assert object_tag("Beds", "Bedroom") == "bed"
    assert object_tag("sink", "Kitchen") == "kitchen sink"
    assert object_tag("sinks", "bathroom") == "bathroom sink"
    assert object_tag("TABLE", "dining room") == "dining table"
    assert object_tag("bookshelves", "study") == "bookshelf"
    assert object_tag("crate", "store") == "crates"
    assert object_tag("Net  Rack", "loft") == "net rack"
    assert object_tag("anvil: iron", "forge") == "anvil- iron"


def test_unknown_objects_are_generic_solid_things():
    plan = TownPlan("T", "", "", (PlacePlan("Loft", "work", "", (RoomPlan("loft", ("loom",)),)),))
    scene = lay_out(plan)
    assert scene["assets"]["thing_loom"] == {
        "type": "object",
        "description": "a loom",
        "base_size": [1, 1],
        "visual_size": [1, 1],
    }
    assert scene["properties"]["thing_loom"] == {
        "physics": "solid",
        "navigation": "obstacle",
        "semantic_tag": "loom",
    }


def test_names_are_cleaned_and_made_unique():
    rooms = tuple(RoomPlan(n, ("bed",)) for n in ("bedroom", "Bedroom", "bedroom 2", "a:b", " "))
    places = (PlacePlan("Streets", "home", "", rooms), PlacePlan("Inn", "public", "", rooms[:1]))
    plan = TownPlan("Port: Ness", "", "", (*places, PlacePlan("inn", "public", "", rooms[:1])))
    assert sector_names(plan) == ["Streets 2", "Inn", "inn 2"]
    assert arena_names(places[0]) == ["bedroom", "Bedroom 2", "bedroom 2 2", "a-b", "Room"]
    scene = lay_out(plan)
    assert scene["metadata"]["scene_name"] == "Port- Ness"
    check_town(plan, scene)


def test_a_plan_without_places_or_rooms_is_refused():
    with pytest.raises(ValueError, match="no places"):
        lay_out(TownPlan("Empty", "", "", ()))
    with pytest.raises(ValueError, match="'Hut'.*no rooms"):
        lay_out(TownPlan("T", "", "", (PlacePlan("Hut", "home", "", ()),)))


def test_shipped_worlds_build_byte_identical(tmp_path, monkeypatch):
    """scripts/build_the_ville.py, through the kit, still writes the worlds in worlds/."""
    monkeypatch.setattr(sys, "path", list(sys.path))  # the script adds scripts/ to it
    path = ROOT / "scripts" / "build_the_ville.py"
    found = importlib.util.spec_from_file_location("build_the_ville", path)
    script = importlib.util.module_from_spec(found)
    monkeypatch.setitem(sys.modules, "build_the_ville", script)  # its dataclasses need it
    found.loader.exec_module(script)
    for spec in script.TOWNS:
        scene, _ = script.build(spec)
        script.write_scene(scene, tmp_path / f"{spec.stem}.json")
        shipped = (ROOT / "worlds" / f"{spec.stem}.json").read_bytes()
        assert (tmp_path / f"{spec.stem}.json").read_bytes() == shipped, spec.stem
        residents = json.dumps(script.residents_json(spec), indent=1) + "\n"
        assert residents == (ROOT / "scripts" / f"{spec.stem}_residents.json").read_text()
