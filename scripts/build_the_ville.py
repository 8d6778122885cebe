"""Generate worlds/the_ville.json and worlds/cafe.json from the readable spec below.

    python scripts/build_the_ville.py                  # both worlds and their resident lists
    python scripts/build_the_ville.py --only cafe      # just the cafe world
    python scripts/build_the_ville.py --check          # build and check, write nothing
    python scripts/build_the_ville.py --preview /tmp/the_ville.png

Edit the town here, not in the JSON. Buildings come from the templates in
``ville_buildings.py`` placed by their top-left map tile; outdoor areas and street
furniture use map coordinates. A town is written only when it passes our own checks
(``smallville.towngen.kit.check_scene``) and the project's validator with CFR = RCS = OPS = 1.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from ville_buildings import (  # noqa: E402
    cafe,
    coliving,
    college,
    cottage,
    grocery,
    house,
    pharmacy,
    pub,
    town_hall,
)

from smallville.towngen.kit import (  # noqa: E402
    Building,
    Outdoor,
    Resident,
    SpecError,
    Town,
    check_scene,
    free_tile,
    slug,
    write_scene,
)
from smallville.world import World, parse_scene  # noqa: E402

# ------------------------------------------------------------------ the Ville
WORLD = "the Ville"
COLLEGE = "Oak Hill College"
CAFE = "Bellini's Cafe"
PUB = "The Lantern Pub"
HALL = "Town Hall"
PHARMACY = "Ville Pharmacy"
GROCERY = "Nakamura Grocery"
COLIVING = "Birchwood Co-living"
FIELD = "Oak Hill Sports Field"
GARDEN = "Community Garden"

BUILDINGS = [
    house("Moreno House", 2, 2, study=False),
    house("Okafor House", 24, 2, study=False),
    house("Lindqvist House", 2, 16, piano=True, study=True),
    house("Hart House", 24, 16, study=True),
    house("Nakamura House", 2, 30, study=True),
    house("Reyes House", 24, 30, piano=True, study=True),
    house("Whitfield House", 100, 26, study=True),
    college(COLLEGE, 2, 52),
    cafe(CAFE, 52, 2),
    pub(PUB, 74, 2),
    town_hall(HALL, 52, 22),
    grocery(GROCERY, 52, 80),
    pharmacy(PHARMACY, 74, 82),
    coliving(COLIVING, 100, 2),
]

OUTDOORS = [
    Outdoor(
        "Streets",
        "street",
        (0, 0, 140, 100),
        "sidewalk",
        furniture=[
            ("mailbox", 45, 15),
            ("mailbox", 93, 19),
            ("bench", 30, 48),
            ("mailbox", 45, 79),
        ],
        paint=[
            ("street", (0, 44, 140, 4)),
            ("street", (46, 0, 4, 100)),
            ("street", (94, 0, 4, 100)),
        ],
    ),
    Outdoor(
        "Willow Park",
        "lawn",
        (52, 50, 24, 27),
        "grass",
        furniture=[
            ("fountain", 63, 62),
            ("bench", 56, 55),
            ("bench", 66, 55),
            ("bench", 56, 71),
            ("bench", 66, 71),
            ("picnic table", 70, 60),
            ("bandstand", 55, 61),
        ],
        paint=[("path", (52, 63, 24, 1)), ("path", (64, 50, 1, 27)), ("path", (61, 60, 6, 6))],
    ),
    Outdoor(
        "Willow Park",
        "playground",
        (76, 50, 16, 27),
        "grass",
        furniture=[
            ("swing", 79, 55),
            ("swing", 81, 55),
            ("slide", 85, 55),
            ("bench", 80, 70),
            ("picnic table", 84, 64),
        ],
    ),
    Outdoor(
        FIELD,
        "pitch",
        (2, 80, 40, 16),
        "grass",
        furniture=[
            ("soccer goal", 3, 86),
            ("soccer goal", 38, 86),
            ("bleachers", 10, 94),
            ("bleachers", 26, 94),
            ("bench", 19, 94),
            ("drinking fountain", 21, 81),
        ],
    ),
    Outdoor(
        GARDEN,
        "vegetable plots",
        (100, 50, 38, 22),
        "grass",
        furniture=[
            *[("garden bed", x, y) for y in (54, 58, 62) for x in (103, 108, 113, 122, 127, 132)],
            ("tool shed", 134, 67),
            ("compost bin", 103, 68),
            ("compost bin", 105, 68),
            ("water tap", 120, 56),
            ("bench", 110, 68),
        ],
        paint=[("path", (118, 50, 2, 46)), ("path", (100, 65, 38, 1))],
    ),
    Outdoor(
        GARDEN,
        "orchard",
        (100, 72, 38, 24),
        "grass",
        furniture=[
            *[("fruit tree", x, y) for y in (76, 82, 88) for x in (103, 108, 113, 123, 128, 133)],
            ("beehive", 135, 93),
            ("beehive", 133, 93),
            ("picnic table", 109, 93),
            ("bench", 122, 93),
        ],
    ),
]

RESIDENTS = [
    Resident(
        "Daniel Moreno",
        44,
        "the town's handyman, works at Town Hall",
        ("Moreno House", "bedroom"),
        (HALL, "lobby"),
        "Moreno",
    ),
    Resident(
        "Elena Moreno", 42, "pharmacist", ("Moreno House", "bedroom"), (PHARMACY, "store"), "Moreno"
    ),
    Resident(
        "Sofia Moreno",
        19,
        "college student of biology, lives at home",
        ("Moreno House", "second bedroom"),
        (COLLEGE, "classroom B"),
        "Moreno",
    ),
    Resident(
        "Chidi Okafor",
        47,
        "economics professor at Oak Hill College",
        ("Okafor House", "bedroom"),
        (COLLEGE, "classroom A"),
        "Okafor",
    ),
    Resident(
        "Grace Okafor", 45, "town clerk", ("Okafor House", "bedroom"), (HALL, "lobby"), "Okafor"
    ),
    Resident(
        "Tobi Okafor",
        17,
        "high-school senior who works part-time at the grocery",
        ("Okafor House", "second bedroom"),
        (GROCERY, "store"),
        "Okafor",
    ),
    Resident(
        "Arne Lindqvist",
        72,
        "retired ship's engineer",
        ("Lindqvist House", "bedroom"),
        None,
        "Lindqvist",
    ),
    Resident(
        "Margit Lindqvist",
        70,
        "retired schoolteacher and keen gardener",
        ("Lindqvist House", "bedroom"),
        None,
        "Lindqvist",
    ),
    Resident(
        "Samuel Hart",
        53,
        "town councillor running for mayor",
        ("Hart House", "bedroom"),
        (HALL, "council office"),
        "Hart",
    ),
    Resident(
        "Judith Hart",
        51,
        "college librarian",
        ("Hart House", "bedroom"),
        (COLLEGE, "library"),
        "Hart",
    ),
    Resident(
        "Kenji Nakamura",
        39,
        "owner of Nakamura Grocery",
        ("Nakamura House", "bedroom"),
        (GROCERY, "store"),
        "Nakamura",
    ),
    Resident(
        "Aiko Nakamura",
        37,
        "pharmacy technician",
        ("Nakamura House", "bedroom"),
        (PHARMACY, "dispensary"),
        "Nakamura",
    ),
    Resident(
        "Tomas Reyes",
        33,
        "bartender at The Lantern Pub",
        ("Reyes House", "bedroom"),
        (PUB, "bar"),
        "Reyes",
    ),
    Resident(
        "Lucia Reyes",
        31,
        "barista at Bellini's Cafe",
        ("Reyes House", "bedroom"),
        (CAFE, "cafe"),
        "Reyes",
    ),
    Resident(
        "Harold Whitfield",
        78,
        "retired family doctor",
        ("Whitfield House", "bedroom"),
        None,
        "Whitfield",
    ),
    Resident(
        "Dorothy Whitfield",
        76,
        "retired, knits and volunteers",
        ("Whitfield House", "bedroom"),
        None,
        "Whitfield",
    ),
    Resident(
        "Clara Bellini",
        46,
        "owner of Bellini's Cafe",
        (CAFE, "apartment"),
        (CAFE, "cafe"),
        "Bellini",
    ),
    Resident(
        "Maya Patel",
        20,
        "economics student",
        (COLLEGE, "dorm room 1"),
        (COLLEGE, "classroom A"),
        "dorm",
    ),
    Resident(
        "Jonah Fischer",
        22,
        "sociology student writing a thesis",
        (COLLEGE, "dorm room 2"),
        (COLLEGE, "library"),
        "dorm",
    ),
    Resident(
        "Priya Shah",
        19,
        "chemistry student",
        (COLLEGE, "dorm room 3"),
        (COLLEGE, "classroom B"),
        "dorm",
    ),
    Resident(
        "Leo Kowalski",
        21,
        "music student",
        (COLLEGE, "dorm room 4"),
        (COLLEGE, "classroom B"),
        "dorm",
    ),
    Resident(
        "Iris Novak", 29, "painter", (COLIVING, "bedroom 1"), (COLIVING, "studio"), "co-living"
    ),
    Resident(
        "Felix Durand", 34, "sculptor", (COLIVING, "bedroom 2"), (COLIVING, "studio"), "co-living"
    ),
    Resident(
        "Nadia Haddad",
        27,
        "poet and writer",
        (COLIVING, "bedroom 3"),
        (COLIVING, "studio"),
        "co-living",
    ),
    Resident(
        "Oscar Lund",
        31,
        "guitarist and songwriter",
        (COLIVING, "bedroom 4"),
        (COLIVING, "studio"),
        "co-living",
    ),
]

# ------------------------------------------------------------------ the Cafe
CAFE_WORLD = "the Cafe"
CAFE_BUILDINGS = [cafe("Corner Cafe", 2, 2), cottage("Rowan Cottage", 24, 4)]
CAFE_OUTDOORS = [
    Outdoor(
        "Street",
        "street",
        (0, 0, 38, 21),
        "sidewalk",
        furniture=[("bench", 26, 18)],
        paint=[("street", (0, 19, 38, 2))],
    ),
]
CAFE_RESIDENTS = [
    Resident(
        "Mei Tanaka",
        41,
        "owner of the Corner Cafe",
        ("Corner Cafe", "apartment"),
        ("Corner Cafe", "cafe"),
        "Tanaka",
    ),
    Resident(
        "Ben Carter",
        35,
        "freelance photographer and cafe regular",
        ("Rowan Cottage", "bedroom"),
        None,
        "Carter",
    ),
    Resident(
        "Ana Carter",
        34,
        "nurse who works night shifts",
        ("Rowan Cottage", "bedroom"),
        None,
        "Carter",
    ),
]


@dataclass(frozen=True, kw_only=True)
class TownSpec:
    stem: str  # worlds/<stem>.json, scripts/<stem>_residents.json
    name: str
    size: tuple[int, int]
    description: str
    agents_dir: str
    buildings: list[Building]
    outdoors: list[Outdoor]
    residents: list[Resident]


TOWNS = [
    TownSpec(
        stem="the_ville",
        name=WORLD,
        size=(140, 100),
        description="A small town of 25 residents: houses, a cafe, a pub, a college with a "
        "sports field, a grocery, a pharmacy, an artists' co-living space, a park, a "
        "community garden and the town hall.",
        agents_dir="agents/the_ville",
        buildings=BUILDINGS,
        outdoors=OUTDOORS,
        residents=RESIDENTS,
    ),
    TownSpec(
        stem="cafe",
        name=CAFE_WORLD,
        size=(38, 21),
        description="A corner cafe, a cottage and a street: three residents, for quick runs "
        "and tests.",
        agents_dir="agents/cafe",
        buildings=CAFE_BUILDINGS,
        outdoors=CAFE_OUTDOORS,
        residents=CAFE_RESIDENTS,
    ),
]


def build(spec: TownSpec) -> tuple[dict[str, Any], World]:
    """The scene of a town with one spawn per resident, checked twice; SpecError if not 1/1/1."""
    town = Town(spec.name, spec.size, spec.description, spec.agents_dir)
    for o in spec.outdoors:
        town.outdoor(o)
    for b in spec.buildings:
        town.building(b)
    # spawn points need the rasterised rooms: place them on a first build
    draft = World(parse_scene(town.scene()))
    arenas = {a.address for a in draft.places.arenas}
    taken: set[tuple[int, int]] = set()
    for r in spec.residents:
        for place in (r.home, r.workplace):
            if place and f"{spec.name}:{place[0]}:{place[1]}" not in arenas:
                raise SpecError(f"{spec.name}: {r.name}: no arena {place[0]!r}/{place[1]!r}")
        x, y = free_tile(draft, f"{spec.name}:{r.home[0]}:{r.home[1]}", taken)
        taken.add((x, y))
        town.spawn(r, x, y, f"{spec.agents_dir}/{slug(r.name)}.json")
    scene = town.scene()
    problems = check_scene(scene)
    world = World(parse_scene(scene))
    m = world.metrics
    problems += [str(f) for f in m.failures]
    if problems or not m.ok:
        listing = "\n".join(f"  {p}" for p in problems)
        raise SpecError(f"{spec.name}: CFR {m.cfr} RCS {m.rcs} OPS {m.ops}:\n{listing}")
    return scene, world


def residents_json(spec: TownSpec) -> list[dict[str, Any]]:
    def address(place: tuple[str, str] | None) -> str | None:
        return f"{spec.name}:{place[0]}:{place[1]}" if place else None

    return [
        {
            "name": r.name,
            "age": r.age,
            "role": r.role,
            "household": r.household,
            "home": address(r.home),
            "workplace": address(r.workplace),
        }
        for r in spec.residents
    ]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", choices=[t.stem for t in TOWNS], help="build just this world")
    ap.add_argument("--check", action="store_true", help="build and check, write nothing")
    ap.add_argument(
        "--preview", metavar="PNG", type=Path, help="draw the first world built to a PNG"
    )
    args = ap.parse_args()
    towns = [t for t in TOWNS if args.only in (None, t.stem)]
    for i, spec in enumerate(towns):
        try:
            scene, world = build(spec)
        except SpecError as e:
            raise SystemExit(f"{e}\nfix the spec in {Path(__file__).name}") from e
        p = world.places
        print(
            f"{spec.name}: {len(p.sectors)} sectors, {len(p.arenas)} arenas, "
            f"{len(p.objects)} objects, {len(p.spawns)} residents: CFR/RCS/OPS = 1"
        )
        if not args.check:
            write_scene(scene, ROOT / "worlds" / f"{spec.stem}.json")
            out = ROOT / "scripts" / f"{spec.stem}_residents.json"
            out.write_text(json.dumps(residents_json(spec), indent=1) + "\n", encoding="utf-8")
        if args.preview and i == 0:
            # the project's map renderer, so the preview is what `smallville world render` draws
            from smallville.viewer.mapdraw import render_png

            print(f"preview: {render_png(world, args.preview, tile_px=8)}")


if __name__ == "__main__":
    main()
