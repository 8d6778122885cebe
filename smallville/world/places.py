"""The place hierarchy world -> sector -> arena -> object, with string addresses.

Addresses read ``<world>:<sector>:<arena>[:<object tag>]``. Arenas come from the
scene's ``zone_layer``; a plain World Craft scene has none, so arenas are derived: a
connected region of floor (not wall) painted with one floor asset is an arena named
after the floor's tag, all in one sector named after the scene.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np
from scipy import ndimage

from smallville.world.grid import TileGrid
from smallville.world.schema import Scene

_FOUR = ndimage.generate_binary_structure(2, 1)


@dataclass(frozen=True, kw_only=True)
class Arena:
    index: int
    sector: str
    name: str
    address: str


@dataclass(frozen=True, kw_only=True, eq=False)
class Obj:
    index: int  # position in scene.layout.object_layer
    asset_id: str
    tag: str
    address: str
    arena: int  # arena index, -1 when outside every arena
    position: tuple[float, float]
    box: tuple[int, int, int, int]  # x0, y0, x1, y1 (half-open, clipped)
    use_tiles: tuple[tuple[int, int], ...]  # walkable (x, y) an agent uses it from


@dataclass(frozen=True, kw_only=True)
class Spawn:
    name: str
    asset_id: str
    position: tuple[float, float]
    soul_file: str | None
    is_agent: bool


class Places:
    """Where things are, by address and by tile."""

    def __init__(self, scene: Scene, grid: TileGrid) -> None:
        self.world = scene.metadata.scene_name
        self.grid = grid
        self.arena_grid, self.arenas = _arenas(scene, grid)
        self.sectors: list[str] = list(dict.fromkeys(a.sector for a in self.arenas))
        self.objects = _objects(scene, grid, self.arena_grid, self.arenas)
        self.spawns = _spawns(scene)
        self._by_address: dict[str, Arena | Obj] = {a.address: a for a in self.arenas}
        self._by_address.update({o.address: o for o in self.objects})
        self._obj_at = {o.index: o for o in self.objects}
        self._in_arena: dict[int, list[Obj]] = {}
        for o in self.objects:
            self._in_arena.setdefault(o.arena, []).append(o)

    def arena_at(self, x: int, y: int) -> Arena | None:
        if not self.grid.inside(x, y):
            return None
        i = int(self.arena_grid[y, x])
        return self.arenas[i] if i >= 0 else None

    def object_at(self, x: int, y: int) -> Obj | None:
        if not self.grid.inside(x, y):
            return None
        return self._obj_at.get(int(self.grid.obj[y, x]))

    def address_at(self, x: int, y: int) -> str | None:
        """The object's address on an object tile, else the arena's, else None."""
        o = self.object_at(x, y)
        if o is not None:
            return o.address
        a = self.arena_at(x, y)
        return a.address if a else None

    def resolve(self, address: str) -> Arena | Obj | str:
        """The arena or object at ``address``, or the sector name for a sector address."""
        found = self._by_address.get(address)
        if found is not None:
            return found
        parts = address.split(":")
        if len(parts) == 2 and parts[0] == self.world and parts[1] in self.sectors:
            return parts[1]
        raise KeyError(
            f"no place {address!r} in {self.world!r}: expected '<world>:<sector>[:<arena>"
            f"[:<object>]]' with world {self.world!r}; sectors: {', '.join(self.sectors)}"
        )

    def tiles(self, address: str) -> np.ndarray:
        """``(n, 2)`` array of the ``(x, y)`` tiles of a sector, arena or object."""
        place = self.resolve(address)
        if isinstance(place, Obj):
            x0, y0, x1, y1 = place.box
            ys, xs = np.mgrid[y0:y1, x0:x1]
            return np.stack([xs.ravel(), ys.ravel()], axis=1)
        if isinstance(place, Arena):
            mask = self.arena_grid == place.index
        else:
            ids = [a.index for a in self.arenas if a.sector == place]
            mask = np.isin(self.arena_grid, ids)
        ys, xs = np.nonzero(mask)
        return np.stack([xs, ys], axis=1)

    def objects_in(self, arena_address: str) -> list[Obj]:
        place = self.resolve(arena_address)
        if not isinstance(place, Arena):
            raise KeyError(f"{arena_address!r} is not an arena address")
        return list(self._in_arena.get(place.index, []))

    def arena_of(self, address: str) -> Arena:
        """The arena an arena or object address lies in."""
        place = self.resolve(address)
        if isinstance(place, Arena):
            return place
        if isinstance(place, Obj) and place.arena >= 0:
            return self.arenas[place.arena]
        raise KeyError(f"{address!r} does not lie in an arena")


def _arenas(scene: Scene, grid: TileGrid) -> tuple[np.ndarray, list[Arena]]:
    world = scene.metadata.scene_name
    arena = np.full((grid.height, grid.width), -1, np.int32)
    arenas: list[Arena] = []
    zones = scene.layout.zone_layer
    if zones:
        index: dict[tuple[str, str], int] = {}
        for z in zones:
            key = (z.sector, z.arena)
            if key not in index:
                index[key] = len(arenas)
                arenas.append(
                    Arena(
                        index=len(arenas),
                        sector=z.sector,
                        name=z.arena,
                        address=f"{world}:{z.sector}:{z.arena}",
                    )
                )
            x, y, w, h = z.area
            arena[max(y, 0) : y + h, max(x, 0) : x + w] = index[key]
        # Walls and doorways belong to no room: a doorway joins the rooms on its sides.
        arena[grid.wall | grid.door] = -1
        return arena, arenas
    # Derived arenas: same-floor connected regions, walls separating them.
    names = Counter()
    open_floor = ~grid.wall & (grid.floor >= 0)
    regions = []
    for f, asset_id in enumerate(grid.floor_assets):
        labels, n = ndimage.label(open_floor & (grid.floor == f), structure=_FOUR)
        for k in range(1, n + 1):
            mask = labels == k
            ys, xs = np.nonzero(mask)
            regions.append(((int(ys.min()), int(xs.min())), asset_id, mask))
    regions.sort(key=lambda r: r[0])  # reading order, so names are stable
    for _, asset_id, mask in regions:
        base = _arena_name(scene.tag(asset_id))
        names[base] += 1
        name = base if names[base] == 1 else f"{base} {names[base]}"
        arena[mask] = len(arenas)
        arenas.append(
            Arena(index=len(arenas), sector=world, name=name, address=f"{world}:{world}:{name}")
        )
    return arena, arenas


def _arena_name(tag: str) -> str:
    for prefix in ("floor_", "floor-", "floor "):
        if tag.startswith(prefix):
            return tag[len(prefix) :] or tag
    return tag


def _objects(scene: Scene, grid: TileGrid, arena: np.ndarray, arenas: list[Arena]) -> list[Obj]:
    out: list[Obj] = []
    seen: Counter = Counter()
    for i, placed in enumerate(scene.layout.object_layer):
        if placed.asset_id not in scene.assets:
            continue  # reported by the validator
        if scene.props(placed.asset_id).navigation == "walkable_door":
            continue  # doors are openings, not things to use
        box = grid.footprints[i]
        x0, y0, x1, y1 = box
        if x0 >= x1 or y0 >= y1:
            continue
        a = _majority(arena[y0:y1, x0:x1])
        if a < 0:  # wall-mounted in a derived scene: take the room it faces
            a = _majority(_ring(arena, box))
        use = _use_tiles(grid, arena, box, a)
        tag = scene.tag(placed.asset_id)
        where = arenas[a].address if a >= 0 else f"{scene.metadata.scene_name}:?:?"
        seen[(a, tag)] += 1
        n = seen[(a, tag)]
        name = tag if n == 1 else f"{tag} {n}"
        out.append(
            Obj(
                index=i,
                asset_id=placed.asset_id,
                tag=name,
                address=f"{where}:{name}",
                arena=a,
                position=placed.position,
                box=box,
                use_tiles=use,
            )
        )
    return out


def _majority(values: np.ndarray) -> int:
    v = values[values >= 0]
    if v.size == 0:
        return -1
    counts = np.bincount(v)
    return int(np.argmax(counts))


def _ring(grid: np.ndarray, box: tuple[int, int, int, int]) -> np.ndarray:
    x0, y0, x1, y1 = box
    h, w = grid.shape
    window = grid[max(y0 - 1, 0) : min(y1 + 1, h), max(x0 - 1, 0) : min(x1 + 1, w)]
    return window.ravel()


def _use_tiles(grid: TileGrid, arena: np.ndarray, box, a: int) -> tuple[tuple[int, int], ...]:
    x0, y0, x1, y1 = box
    inside = grid.walkable[y0:y1, x0:x1]
    if inside.all():
        ys, xs = np.nonzero(inside)
        return tuple((int(x) + x0, int(y) + y0) for y, x in zip(ys, xs, strict=True))
    cand = [(x, y0 - 1) for x in range(x0, x1)] + [(x, y1) for x in range(x0, x1)]
    cand += [(x0 - 1, y) for y in range(y0, y1)] + [(x1, y) for y in range(y0, y1)]
    ok = [(x, y) for x, y in cand if grid.inside(x, y) and grid.walkable[y, x]]
    same = [(x, y) for x, y in ok if a >= 0 and arena[y, x] == a]
    return tuple(sorted(same or ok, key=lambda t: (t[1], t[0])))


def _spawns(scene: Scene) -> list[Spawn]:
    out = []
    for placed in scene.layout.npc_layer:
        props = scene.properties.get(placed.asset_id)
        asset = scene.assets.get(placed.asset_id)
        name = (props.character_name if props else None) or placed.asset_id
        is_agent = (
            props.is_agent
            if props and "is_agent" in props.model_fields_set
            else (asset is not None and asset.type == "agent")
        )
        out.append(
            Spawn(
                name=name,
                asset_id=placed.asset_id,
                position=placed.position,
                soul_file=props.soul_file if props else None,
                is_agent=is_agent,
            )
        )
    return out
