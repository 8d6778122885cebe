"""Generate worlds/the_ville.json and worlds/cafe.json from the readable spec below.

    python scripts/build_the_ville.py            # writes both worlds and the resident lists
    python scripts/build_the_ville.py --check    # build and validate only

Edit the town here, not in the JSON. Building coordinates are the top-left tile of the
building on the map; room areas are ``(x, y, w, h)`` inside the building (row and column
0 are the outer wall); furniture is ``(tag, dx, dy)``, the top-left tile of its footprint
inside the room; doors are building-local wall tiles.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from townkit import Building, Outdoor, Resident, Room, Town, free_tile, write_scene  # noqa: E402

from smallville.world import World, parse_scene  # noqa: E402


# ------------------------------------------------------------------ templates
def house(sector: str, x: int, y: int, piano: bool = False, study: bool = False) -> Building:
    """20 x 12: bedroom, second bedroom, bathroom / living room, kitchen."""
    second = [("bed", 0, 0), ("bookshelf", 2, 0), ("desk", 4, 0)]
    if study:
        second = [("desk", 0, 0), ("bookshelf", 2, 0), ("bookshelf", 3, 0), ("computer", 4, 0)]
    living = [("sofa", 0, 2), ("tv", 0, 4), ("bookshelf", 9, 0), ("armchair", 5, 0)]
    if piano:
        living.append(("piano", 6, 4))
    return Building(
        sector=sector,
        origin=(x, y),
        size=(20, 12),
        rooms=[
            Room(
                "bedroom",
                (1, 1, 6, 4),
                "wood",
                [("double bed", 0, 0), ("nightstand", 2, 0), ("wardrobe", 3, 0), ("desk", 5, 0)],
            ),
            Room("second bedroom", (8, 1, 5, 4), "carpet", second),
            Room(
                "bathroom",
                (14, 1, 5, 4),
                "tiles",
                [("toilet", 0, 0), ("bathroom sink", 2, 0), ("shower", 4, 0)],
            ),
            Room("living room", (1, 6, 10, 5), "wood", living),
            Room(
                "kitchen",
                (12, 6, 7, 5),
                "tiles",
                [
                    ("fridge", 0, 0),
                    ("stove", 1, 0),
                    ("kitchen sink", 2, 0),
                    ("counter", 3, 0),
                    ("counter", 6, 0),
                    ("dining table", 2, 3),
                    ("chair", 2, 4),
                    ("chair", 3, 4),
                    ("chair", 4, 3),
                ],
            ),
        ],
        doors=[(5, 11), (11, 8), (3, 5), (9, 5), (16, 5)],
    )


def cafe(sector: str, x: int, y: int) -> Building:
    """20 x 16: kitchen, restroom, the owner's apartment / the cafe room."""
    tables = [("cafe table", dx, dy) for dx in (7, 10, 13) for dy in (3, 6)]
    chairs = [("chair", dx + 1, dy) for _, dx, dy in tables]
    return Building(
        sector=sector,
        origin=(x, y),
        size=(20, 16),
        rooms=[
            Room(
                "kitchen",
                (1, 1, 8, 4),
                "tiles",
                [("stove", 0, 0), ("kitchen sink", 2, 0), ("fridge", 4, 0), ("counter", 6, 0)],
            ),
            Room("restroom", (10, 1, 3, 4), "tiles", [("toilet", 0, 0), ("bathroom sink", 2, 0)]),
            Room(
                "apartment",
                (14, 1, 5, 4),
                "wood",
                [("bed", 0, 0), ("wardrobe", 2, 0), ("desk", 4, 0)],
            ),
            Room(
                "cafe",
                (1, 6, 18, 9),
                "wood",
                [
                    ("coffee machine", 0, 0),
                    ("pastry case", 2, 0),
                    ("cafe counter", 1, 2),
                    ("piano", 15, 8),
                    *tables,
                    *chairs,
                ],
            ),
        ],
        doors=[(9, 15), (5, 5), (11, 5), (16, 5)],
    )


def pub(sector: str, x: int, y: int) -> Building:
    """18 x 16: back room, restroom / the bar."""
    return Building(
        sector=sector,
        origin=(x, y),
        size=(18, 16),
        rooms=[
            Room(
                "back room",
                (1, 1, 9, 4),
                "concrete",
                [
                    ("storage shelf", 0, 0),
                    ("crates", 2, 0),
                    ("crates", 3, 0),
                    ("storage shelf", 8, 0),
                ],
            ),
            Room(
                "restroom",
                (11, 1, 6, 4),
                "tiles",
                [("toilet", 0, 0), ("bathroom sink", 2, 0), ("toilet", 4, 0)],
            ),
            Room(
                "bar",
                (1, 6, 16, 9),
                "wood",
                [
                    ("beer taps", 0, 0),
                    ("bar counter", 1, 2),
                    ("bar stool", 1, 3),
                    ("bar stool", 2, 3),
                    ("bar stool", 3, 3),
                    ("bar stool", 4, 3),
                    ("pool table", 9, 2),
                    ("jukebox", 15, 0),
                    ("cafe table", 10, 6),
                    ("chair", 11, 6),
                    ("cafe table", 13, 6),
                    ("chair", 14, 6),
                ],
            ),
        ],
        doors=[(8, 15), (5, 5), (13, 5)],
    )


def town_hall(sector: str, x: int, y: int) -> Building:
    """40 x 20: council chamber, council office / lobby."""
    seats = [("chair", dx, 5) for dx in range(4, 20, 2)] + [("chair", dx, 7) for dx in (6, 10, 14)]
    return Building(
        sector=sector,
        origin=(x, y),
        size=(40, 20),
        rooms=[
            Room(
                "council chamber",
                (1, 1, 24, 10),
                "wood",
                [("podium", 11, 0), ("council table", 10, 2), *seats],
            ),
            Room(
                "council office",
                (26, 1, 13, 10),
                "carpet",
                [
                    ("filing cabinet", 0, 0),
                    ("bookshelf", 2, 0),
                    ("desk", 5, 2),
                    ("computer", 6, 2),
                    ("chair", 5, 3),
                    ("filing cabinet", 12, 0),
                ],
            ),
            Room(
                "lobby",
                (1, 12, 38, 7),
                "stone",
                [
                    ("reception desk", 2, 1),
                    ("computer", 4, 1),
                    ("notice board", 18, 0),
                    ("chair", 29, 4),
                    ("chair", 31, 4),
                    ("chair", 33, 4),
                ],
            ),
        ],
        doors=[(20, 19), (12, 11), (32, 11)],
    )


def college(sector: str, x: int, y: int) -> Building:
    """42 x 24: two classrooms, hallway, library / four dorm rooms, common room."""
    desks = [("student desk", dx, dy) for dy in (4, 6) for dx in (2, 4, 6, 8, 10)]
    classroom = [("blackboard", 5, 0), ("lectern", 6, 2), *desks]

    def dorm(n: int, extra: str) -> Room:
        return Room(
            f"dorm room {n}",
            (1 + 7 * (n - 1), 16, 6, 7),
            "carpet",
            [("bed", 0, 0), ("desk", 5, 0), ("wardrobe", 5, 3), (extra, 0, 5)],
        )

    return Building(
        sector=sector,
        origin=(x, y),
        size=(42, 24),
        rooms=[
            Room("classroom A", (1, 1, 13, 9), "wood", list(classroom)),
            Room("classroom B", (15, 1, 13, 9), "wood", list(classroom)),
            Room(
                "library",
                (29, 1, 12, 14),
                "carpet",
                [
                    *[("bookshelf", dx, 0) for dx in range(0, 12, 2)],
                    ("library table", 2, 4),
                    ("library table", 6, 4),
                    ("library table", 2, 7),
                    ("library table", 6, 7),
                    ("reading chair", 10, 5),
                    ("librarian desk", 3, 10),
                    ("computer", 11, 10),
                ],
            ),
            Room("hallway", (1, 11, 27, 4), "stone", [("notice board", 13, 0)]),
            dorm(1, "bookshelf"),
            dorm(2, "guitar stand"),
            dorm(3, "bookshelf"),
            dorm(4, "guitar stand"),
            Room(
                "common room",
                (29, 16, 12, 7),
                "wood",
                [
                    ("sofa", 0, 3),
                    ("tv", 0, 5),
                    ("dining table", 5, 3),
                    ("chair", 5, 4),
                    ("chair", 6, 4),
                    ("stove", 10, 0),
                    ("fridge", 11, 0),
                    ("piano", 8, 6),
                ],
            ),
        ],
        doors=[
            (0, 12),
            (41, 8),
            (7, 10),
            (21, 10),
            (28, 12),
            (4, 15),
            (11, 15),
            (18, 15),
            (25, 15),
            (35, 15),
        ],
    )


def pharmacy(sector: str, x: int, y: int) -> Building:
    """18 x 12: back office, dispensary / store."""
    return Building(
        sector=sector,
        origin=(x, y),
        size=(18, 12),
        rooms=[
            Room(
                "back office",
                (1, 1, 7, 3),
                "carpet",
                [("desk", 0, 0), ("filing cabinet", 2, 0), ("computer", 6, 0)],
            ),
            Room(
                "dispensary",
                (9, 1, 8, 3),
                "tiles",
                [
                    ("medicine shelf", 0, 0),
                    ("medicine shelf", 2, 0),
                    ("medicine shelf", 6, 0),
                    ("counter", 7, 0),
                ],
            ),
            Room(
                "store",
                (1, 5, 16, 6),
                "tiles",
                [
                    ("medicine shelf", 0, 0),
                    ("medicine shelf", 2, 0),
                    ("medicine shelf", 4, 0),
                    ("pharmacy counter", 9, 1),
                    ("cash register", 13, 1),
                    ("chair", 1, 5),
                ],
            ),
        ],
        doors=[(8, 11), (4, 4), (13, 4)],
    )


def grocery(sector: str, x: int, y: int) -> Building:
    """20 x 16: store / storage room, office."""
    shelves = [("grocery shelf", dx, 4) for dx in range(2, 16, 2)]
    return Building(
        sector=sector,
        origin=(x, y),
        size=(20, 16),
        rooms=[
            Room(
                "store",
                (1, 1, 18, 10),
                "tiles",
                [
                    ("cash register", 2, 1),
                    ("counter", 3, 1),
                    *shelves,
                    ("produce stand", 2, 7),
                    ("produce stand", 6, 7),
                    ("freezer", 12, 7),
                    ("freezer", 14, 7),
                ],
            ),
            Room(
                "storage room",
                (1, 12, 12, 3),
                "concrete",
                [
                    ("storage shelf", 0, 0),
                    ("storage shelf", 2, 0),
                    ("storage shelf", 4, 0),
                    ("crates", 8, 0),
                    ("crates", 10, 0),
                ],
            ),
            Room(
                "office",
                (14, 12, 5, 3),
                "carpet",
                [("desk", 0, 0), ("computer", 1, 0), ("filing cabinet", 4, 0)],
            ),
        ],
        doors=[(9, 0), (6, 11), (16, 11)],
    )


def coliving(sector: str, x: int, y: int) -> Building:
    """38 x 20: four bedrooms / studio, kitchen, common room."""

    def bedroom(n: int, x0: int, w: int, extra: str) -> Room:
        return Room(
            f"bedroom {n}",
            (x0, 1, w, 6),
            "wood",
            [("bed", 0, 0), ("wardrobe", 5, 0), ("desk", w - 1, 0), (extra, 0, 5)],
        )

    return Building(
        sector=sector,
        origin=(x, y),
        size=(38, 20),
        rooms=[
            bedroom(1, 1, 8, "easel"),
            bedroom(2, 10, 8, "sculpting stand"),
            bedroom(3, 19, 8, "bookshelf"),
            bedroom(4, 28, 9, "guitar stand"),
            Room(
                "studio",
                (1, 8, 22, 11),
                "concrete",
                [
                    ("supply cabinet", 0, 0),
                    ("easel", 2, 2),
                    ("easel", 5, 2),
                    ("easel", 8, 2),
                    ("sculpting stand", 12, 2),
                    ("sculpting stand", 15, 2),
                    ("work table", 3, 6),
                    ("work table", 9, 6),
                    ("supply cabinet", 18, 0),
                    ("guitar stand", 16, 8),
                ],
            ),
            Room(
                "kitchen",
                (24, 8, 13, 5),
                "tiles",
                [
                    ("fridge", 0, 0),
                    ("stove", 2, 0),
                    ("kitchen sink", 3, 0),
                    ("counter", 4, 0),
                    ("dining table", 3, 2),
                    ("chair", 3, 3),
                    ("chair", 4, 3),
                ],
            ),
            Room(
                "common room",
                (24, 14, 13, 5),
                "wood",
                [
                    ("sofa", 2, 4),
                    ("tv", 2, 0),
                    ("bookshelf", 12, 0),
                    ("armchair", 9, 4),
                    ("piano", 10, 2),
                ],
            ),
        ],
        doors=[(12, 19), (4, 7), (13, 7), (22, 7), (32, 7), (30, 13), (23, 16), (23, 10)],
    )


def cottage(sector: str, x: int, y: int) -> Building:
    """12 x 12: bedroom / living room with a kitchenette."""
    return Building(
        sector=sector,
        origin=(x, y),
        size=(12, 12),
        rooms=[
            Room(
                "bedroom",
                (1, 1, 10, 5),
                "wood",
                [("double bed", 0, 0), ("wardrobe", 3, 0), ("desk", 9, 0), ("bookshelf", 7, 0)],
            ),
            Room(
                "living room",
                (1, 7, 10, 4),
                "wood",
                [
                    ("sofa", 0, 0),
                    ("stove", 6, 0),
                    ("fridge", 7, 0),
                    ("kitchen sink", 8, 0),
                    ("dining table", 6, 2),
                ],
            ),
        ],
        doors=[(5, 11), (5, 6)],
    )


# ------------------------------------------------------------------ the Ville
WORLD = "the Ville"
COLLEGE = "Oak Hill College"
CAFE = "Bellini's Cafe"
PUB = "The Lantern Pub"
HALL = "Town Hall"
PHARMACY = "Ville Pharmacy"
GROCERY = "Nakamura Grocery"
COLIVING = "Birchwood Co-living"

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
            ("grass", (100, 50, 38, 46)),
            ("grass", (2, 80, 40, 16)),
        ],
    ),
    Outdoor(
        "Willow Park",
        "lawn",
        (52, 50, 24, 27),
        "grass",
        furniture=[
            ("fountain", 62, 62),
            ("bench", 56, 55),
            ("bench", 66, 55),
            ("bench", 56, 71),
            ("bench", 66, 71),
            ("picnic table", 70, 60),
            ("bandstand", 55, 61),
        ],
        paint=[("path", (52, 63, 24, 1)), ("path", (64, 50, 1, 27))],
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


def build(name: str, size, description: str, agents_dir: str, buildings, outdoors, residents):
    town = Town(name, size, description, agents_dir)
    for o in outdoors:
        town.outdoor(o)
    for b in buildings:
        town.building(b)
    # spawn points need the rasterised rooms: place them on a first build
    draft = World(parse_scene(town.scene()))
    taken: set[tuple[int, int]] = set()
    for r in residents:
        x, y = free_tile(draft, f"{name}:{r.home[0]}:{r.home[1]}", taken)
        taken.add((x, y))
        town.spawn(r, x, y, f"{agents_dir}/{_slug(r.name)}.json")
    scene = town.scene()
    world = World(parse_scene(scene))
    m = world.metrics
    if not m.ok:
        for f in m.failures:
            print(f"  {f}", file=sys.stderr)
        raise SystemExit(f"{name}: CFR {m.cfr} RCS {m.rcs} OPS {m.ops}: fix the spec")
    homes = {a.address for a in world.places.arenas}
    for r in residents:
        for place in (r.home, r.workplace):
            if place and f"{name}:{place[0]}:{place[1]}" not in homes:
                raise SystemExit(f"{r.name}: no arena {place}")
    return scene, world


def residents_json(name: str, residents) -> list[dict]:
    return [
        {
            "name": r.name,
            "age": r.age,
            "role": r.role,
            "household": r.household,
            "home": f"{name}:{r.home[0]}:{r.home[1]}",
            "workplace": f"{name}:{r.workplace[0]}:{r.workplace[1]}" if r.workplace else None,
        }
        for r in residents
    ]


def _slug(name: str) -> str:
    return name.lower().replace(" ", "_")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="build and validate, write nothing")
    args = ap.parse_args()
    towns = [
        (
            "the_ville",
            WORLD,
            (140, 100),
            "A small town of 25 residents: houses, a cafe, a pub, a college, a grocery, a "
            "pharmacy, an artists' co-living space, a park and the town hall.",
            "agents/the_ville",
            BUILDINGS,
            OUTDOORS,
            RESIDENTS,
        ),
        (
            "cafe",
            CAFE_WORLD,
            (38, 21),
            "A corner cafe, a cottage and a street: three residents, for quick runs and tests.",
            "agents/cafe",
            CAFE_BUILDINGS,
            CAFE_OUTDOORS,
            CAFE_RESIDENTS,
        ),
    ]
    for stem, name, size, desc, agents_dir, buildings, outdoors, residents in towns:
        scene, world = build(name, size, desc, agents_dir, buildings, outdoors, residents)
        p = world.places
        print(
            f"{name}: {len(p.sectors)} sectors, {len(p.arenas)} arenas, "
            f"{len(p.objects)} objects, {len(p.spawns)} residents: CFR/RCS/OPS = 1"
        )
        if not args.check:
            write_scene(scene, ROOT / "worlds" / f"{stem}.json")
            out = ROOT / "scripts" / f"{stem}_residents.json"
            out.write_text(json.dumps(residents_json(name, residents), indent=1) + "\n")


if __name__ == "__main__":
    main()
