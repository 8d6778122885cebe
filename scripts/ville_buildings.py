"""Building templates for our towns: a room layout per kind of building, placed by origin.

Each function returns a ``smallville.towngen.kit.Building`` at map position ``(x, y)``.
Room areas are ``(x, y, w, h)`` inside the building (row and column 0 are the outer
wall); furniture is ``(tag, dx, dy)``, the top-left tile of its footprint inside the
room; doors are building-local wall tiles. Floors are named for the room they pave
(``smallville.towngen.catalogue.FLOORS``).
"""

from __future__ import annotations

from smallville.towngen.kit import Building, Room


def house(sector: str, x: int, y: int, piano: bool = False, study: bool = False) -> Building:
    """20 x 12: bedroom, second bedroom, bathroom / living room, kitchen."""
    second = [("bed", 0, 0), ("bookshelf", 2, 0), ("desk", 4, 0)]
    floor2 = "floor_bedroom"
    if study:  # the spare bedroom became a study
        second = [("desk", 0, 0), ("bookshelf", 2, 0), ("bookshelf", 3, 0), ("computer", 4, 0)]
        floor2 = "floor_office"
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
                "floor_bedroom",
                [("double bed", 0, 0), ("nightstand", 2, 0), ("wardrobe", 3, 0), ("desk", 5, 0)],
            ),
            Room("second bedroom", (8, 1, 5, 4), floor2, second),
            Room(
                "bathroom",
                (14, 1, 5, 4),
                "floor_bathroom",
                [("toilet", 0, 0), ("bathroom sink", 2, 0), ("shower", 4, 0)],
            ),
            Room("living room", (1, 6, 10, 5), "floor_living_room", living),
            Room(
                "kitchen",
                (12, 6, 7, 5),
                "floor_kitchen",
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
                "floor_kitchen",
                [("stove", 0, 0), ("kitchen sink", 2, 0), ("fridge", 4, 0), ("counter", 6, 0)],
            ),
            Room(
                "restroom",
                (10, 1, 3, 4),
                "floor_bathroom",
                [("toilet", 0, 0), ("bathroom sink", 2, 0)],
            ),
            Room(
                "apartment",
                (14, 1, 5, 4),
                "floor_bedroom",
                [("bed", 0, 0), ("wardrobe", 2, 0), ("desk", 4, 0)],
            ),
            Room(
                "cafe",
                (1, 6, 18, 9),
                "floor_cafe",
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
                "floor_storage",
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
                "floor_bathroom",
                [("toilet", 0, 0), ("bathroom sink", 2, 0), ("toilet", 4, 0)],
            ),
            Room(
                "bar",
                (1, 6, 16, 9),
                "floor_bar",
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
                "floor_meeting_room",
                [("podium", 11, 0), ("council table", 10, 2), *seats],
            ),
            Room(
                "council office",
                (26, 1, 13, 10),
                "floor_office",
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
                "floor_hallway",
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
            "floor_bedroom",
            [("bed", 0, 0), ("desk", 5, 0), ("wardrobe", 5, 3), (extra, 0, 5)],
        )

    return Building(
        sector=sector,
        origin=(x, y),
        size=(42, 24),
        rooms=[
            Room("classroom A", (1, 1, 13, 9), "floor_classroom", list(classroom)),
            Room("classroom B", (15, 1, 13, 9), "floor_classroom", list(classroom)),
            Room(
                "library",
                (29, 1, 12, 14),
                "floor_library",
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
            Room("hallway", (1, 11, 27, 4), "floor_hallway", [("notice board", 13, 0)]),
            dorm(1, "bookshelf"),
            dorm(2, "guitar stand"),
            dorm(3, "bookshelf"),
            dorm(4, "guitar stand"),
            Room(
                "common room",
                (29, 16, 12, 7),
                "floor_common_room",
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
                "floor_office",
                [("desk", 0, 0), ("filing cabinet", 2, 0), ("computer", 6, 0)],
            ),
            Room(
                "dispensary",
                (9, 1, 8, 3),
                "floor_shop",
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
                "floor_shop",
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
                "floor_shop",
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
                "floor_storage",
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
                "floor_office",
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
            "floor_bedroom",
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
                "floor_studio",
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
                "floor_kitchen",
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
                "floor_common_room",
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
                "floor_bedroom",
                [("double bed", 0, 0), ("wardrobe", 3, 0), ("desk", 9, 0), ("bookshelf", 7, 0)],
            ),
            Room(
                "living room",
                (1, 7, 10, 4),
                "floor_living_room",
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
