"""Geometry for a town plan: the plan says what exists, this says where, by construction.

Rules, each there so that the validator's CFR, RCS and OPS hold for any plan:

- A room's objects stand against its top or its bottom wall (two bands, balanced by
  width), left to right from its second column. Between the bands runs a walkway at
  least one row high, and the room's first column is kept free: every object touches
  free floor that leads to the walkway, and doors land on free floor.
- A place is one building. Its rooms are a row (one or two rooms) or two rows (three
  or more: the first half at the front); rooms in a row share a height, the last room
  of the shorter row stretches to the building's width. Rooms in a row are joined by
  a door in their shared wall at the walkway's height, the two rows by a door in the
  first column, and the front row's first room (the plan's first room) has the front
  door, in the first column, to the street.
- Buildings stand in rows, left to right in plan order, with a street between a row
  facing down and the row below it facing up; back-to-back rows have yards between
  them, and a street down the left side joins the streets. All ground outside the
  buildings is the outdoor arena ``Streets:street``. The row width is bisected for
  the narrowest town that is at least as wide as it is tall.

Names are free text, cleaned for addresses (``plan.clean_name``: ':' is the address
separator and becomes '-'; whitespace runs become one space) and made unique
(``plan.unique_names``): sectors in the town, with "Streets" taken by the outdoors,
arenas within their building. Object names find a catalogue kind or become a generic
1 x 1 solid thing (``catalogue.object_tag``). The same plan gives the same scene.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from smallville.towngen.catalogue import FURNITURE, Kind, generic_kind, object_tag, room_floor
from smallville.towngen.kit import STYLE, Building, Outdoor, Room, Town
from smallville.towngen.plan import PlacePlan, TownPlan, clean_name, unique_names
from smallville.world import World, parse_scene

STREETS = "Streets"  # the outdoor sector
STREET_ARENA = "street"
MARGIN = 2  # grass around the town
ROAD = 5  # a street: sidewalk, three tiles of road, sidewalk
X0 = MARGIN + ROAD + 1  # where rows of buildings start, right of the side street
GAP = 2  # between neighbours in a row
YARD = 2  # between back-to-back rows
MIN_SIDE = 4  # a room's smallest inner width and height

Band = tuple[tuple[str, int, int], ...]  # tag, footprint w, h; left to right
Spot = tuple[int, int, bool]  # a building's x, y and whether it faces up


class LayoutError(RuntimeError):
    """The layout broke a rule it is built to keep: a bug in this module, not the plan."""


@dataclass(frozen=True)
class _Room:
    """A room sized from its objects, before it has a place in its building."""

    name: str
    floor: str
    top: Band
    bottom: Band

    @property
    def width(self) -> int:
        """The free first column, then the wider band."""
        bands = max(sum(w for _, w, _ in band) for band in (self.top, self.bottom))
        return max(MIN_SIDE, 1 + bands)

    @property
    def depths(self) -> tuple[int, int]:
        """How deep the top and the bottom band reach into the room."""
        top, bottom = (max((h for _, _, h in b), default=0) for b in (self.top, self.bottom))
        return top, bottom


def sector_names(plan: TownPlan) -> list[str]:
    """The sector each place of the plan becomes, in plan order."""
    names = [clean_name(p.name, "Place") for p in plan.places]
    return unique_names(names, (STREETS,))


def arena_names(place: PlacePlan) -> list[str]:
    """The arena each room of the place becomes, in plan order."""
    return unique_names([clean_name(r.name, "Room") for r in place.rooms])


def lay_out(plan: TownPlan, agents_dir: str = "agents") -> dict:
    """The World Scaffold scene of ``plan`` (zone_layer included, no characters),
    checked by the project's validator; ValueError for a plan with nothing to build."""
    return lay_out_world(plan, agents_dir)[0]


def lay_out_world(plan: TownPlan, agents_dir: str = "agents") -> tuple[dict, World]:
    """``lay_out``'s scene and the World its check loaded (so callers need not load it
    again)."""
    _check(plan)
    kinds = dict(FURNITURE)
    buildings = [
        _building(sector, _rooms(place, kinds))
        for sector, place in zip(sector_names(plan), plan.places, strict=True)
    ]
    size, spots, streets = _arrange([b.size for b in buildings])
    feel = " ".join(plan.feel.split())
    town = Town(
        clean_name(plan.name, "Town"),
        size,
        plan.description,
        agents_dir,
        style=f"{STYLE}; {feel}" if feel else STYLE,
    )
    for tag, kind in kinds.items():
        if tag not in FURNITURE:
            town.add_kind(tag, kind)
    town.outdoor(_streets(size, streets))
    for b, (x, y, up) in zip(buildings, spots, strict=True):
        town.building(replace(_facing_up(b, kinds) if up else b, origin=(x, y)))
    scene = town.scene()
    return scene, _validate(scene)


def _check(plan: TownPlan) -> None:
    if not plan.places:
        raise ValueError(
            f"town plan {plan.name!r} has no places: a town needs at least one PlacePlan"
        )
    for place in plan.places:
        if not place.rooms:
            raise ValueError(
                f"place {place.name!r} of town plan {plan.name!r} has no rooms: "
                "a building needs at least one RoomPlan"
            )


def _rooms(place: PlacePlan, kinds: dict[str, Kind]) -> list[_Room]:
    """The place's rooms with their objects' kinds (unknown ones added to ``kinds``),
    each object in the band that is narrower so far, widest objects first."""
    out = []
    for room, name in zip(place.rooms, arena_names(place), strict=True):
        items = []
        for obj in room.objects:
            tag = object_tag(obj, name)
            kind = kinds.setdefault(tag, generic_kind(tag))
            items.append((tag, kind[0], kind[1]))
        top: list = []
        bottom: list = []
        for item in sorted(items, key=lambda t: -t[1]):
            narrower = bottom if sum(t[1] for t in bottom) < sum(t[1] for t in top) else top
            narrower.append(item)
        floor = room_floor(name, place.kind)
        out.append(_Room(name, floor, tuple(top), tuple(bottom)))
    return out


def _building(sector: str, rooms: list[_Room]) -> Building:
    """The rooms in one or two rows at the origin, facing down (front door at the bottom)."""
    k = len(rooms) if len(rooms) < 3 else (len(rooms) + 1) // 2  # rooms in the front row
    numbered = list(enumerate(rooms))
    grid = [row for row in (numbered[k:], numbered[:k]) if row]  # the back row on top
    inner = max(sum(r.width for _, r in row) + len(row) - 1 for row in grid)
    placed: dict[int, Room] = {}
    doors = []
    y = 1
    for row in grid:
        top = max(r.depths[0] for _, r in row)
        height = max(MIN_SIDE, top + 1 + max(r.depths[1] for _, r in row))
        x = 1
        for n, (i, r) in enumerate(row):
            w = r.width if n < len(row) - 1 else inner + 1 - x  # the last takes the rest
            placed[i] = Room(r.name, (x, y, w, height), r.floor, _furnish(r, height))
            x += w + 1
            if n < len(row) - 1:
                doors.append((x - 1, y + top))  # to the next room, across the walkway
        y += height + 1
        doors.append((1, y - 1))  # first column: to the front row, or to the street
    rooms_in_order = [placed[i] for i in sorted(placed)]
    return Building(sector, (0, 0), (inner + 2, y), rooms_in_order, doors)


def _furnish(room: _Room, height: int) -> list[tuple[str, int, int]]:
    """Top band against the top wall, bottom band against the bottom wall, from x = 1."""
    out = []
    for band, at_top in ((room.top, True), (room.bottom, False)):
        x = 1
        for tag, w, h in band:
            out.append((tag, x, 0 if at_top else height - h))
            x += w
    return out


def _facing_up(b: Building, kinds: dict[str, Kind]) -> Building:
    """The building mirrored top to bottom: its front door on the top wall."""
    bh = b.size[1]

    def flip(r: Room) -> Room:
        x, y, w, h = r.area
        things = [(t, dx, h - dy - kinds[t][1]) for t, dx, dy in r.furniture]
        return Room(r.name, (x, bh - y - h, w, h), r.floor, things)

    return replace(b, rooms=[flip(r) for r in b.rooms], doors=[(x, bh - 1 - y) for x, y in b.doors])


def _arrange(sizes: list[tuple[int, int]]) -> tuple[tuple[int, int], list[Spot], list[int]]:
    """Grid size, each building's (x, y, faces up), and the streets' top rows."""
    lo, hi = max(w for w, _ in sizes), sum(w + GAP for w, _ in sizes)
    while lo < hi:  # the narrowest rows that keep the town at least as wide as tall
        mid = (lo + hi) // 2
        (w, h), _, _ = _stack(sizes, _pack(sizes, mid))
        lo, hi = (lo, mid) if w >= h else (mid + 1, hi)
    return _stack(sizes, _pack(sizes, lo))


def _pack(sizes: list[tuple[int, int]], width: int) -> list[list[int]]:
    """Buildings (by index) into rows no wider than ``width``, in order."""
    rows: list[list[int]] = [[]]
    used = 0
    for i, (w, _) in enumerate(sizes):
        if rows[-1] and used + GAP + w > width:
            rows.append([])
        used = w if not rows[-1] else used + GAP + w
        rows[-1].append(i)
    return rows


def _stack(
    sizes: list[tuple[int, int]], rows: list[list[int]]
) -> tuple[tuple[int, int], list[Spot], list[int]]:
    """Rows top to bottom: a row facing down, a street, a row facing up, yards, ..."""
    spots: list[Spot] = [(0, 0, False)] * len(sizes)
    streets = []
    right = y = MARGIN
    for r, row in enumerate(rows):
        height = max(sizes[i][1] for i in row)
        up = r % 2 == 1
        x = X0
        for i in row:
            w, h = sizes[i]
            spots[i] = (x, y if up else y + height - h, up)
            x += w + GAP
        right = max(right, x - GAP)
        y += height
        if up:
            y += YARD
        else:
            streets.append(y)
            y += ROAD
    return (right + MARGIN, y + MARGIN), spots, streets


def _streets(size: tuple[int, int], streets: list[int]) -> Outdoor:
    """Grass everywhere outside, a street under each row facing down, one down the side."""
    w, h = size
    walks = [("sidewalk", (MARGIN, 0, ROAD, h))]
    roads = [("street", (MARGIN + 1, 0, ROAD - 2, h))]
    for y in streets:
        walks.append(("sidewalk", (0, y, w, ROAD)))
        roads.append(("street", (0, y + 1, w, ROAD - 2)))
    return Outdoor(STREETS, STREET_ARENA, (0, 0, w, h), "grass", paint=walks + roads)


def _validate(scene: dict) -> World:
    """The scene's World; the project's validator must pass: anything else is a bug."""
    world = World(parse_scene(scene))
    m = world.metrics
    if not m.ok:
        listing = "\n".join(f"  {f}" for f in m.failures[:20])
        raise LayoutError(
            f"laid-out town {scene['metadata']['scene_name']!r} fails its checks "
            f"(CFR {m.cfr}, RCS {m.rcs}, OPS {m.ops}):\n{listing}"
        )
    return world
