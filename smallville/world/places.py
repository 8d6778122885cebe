"""The place hierarchy world -> sector -> arena -> object, with string addresses.

Addresses read ``<world>:<sector>:<arena>[:<object tag>]``. Arenas are the grid's
(``TileGrid.arena``: from the zone_layer, or derived for a plain World Craft scene).
An object belongs to the arena holding most of its footprint; a wall-mounted one, to
the room it faces. Doors are openings, not things to use, so they are not objects here.
A ':' inside a World Craft name (scene name, semantic tag) becomes '-' in addresses.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np

from smallville.world.grid import Box, TileGrid, address_part
from smallville.world.schema import Scene

Tile = tuple[int, int]


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
    tag: str  # semantic tag, " 2", " 3" ... when repeated in one arena
    address: str
    arena: int  # arena index, -1 when outside every arena
    position: tuple[float, float]
    box: Box  # half-open, clipped to the grid
    tiles: tuple[Tile, ...]  # the footprint's (x, y) tiles in reading order
    use_tiles: tuple[Tile, ...]  # walkable (x, y) an agent uses it from


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
        self.world = address_part(scene.metadata.scene_name)
        self.grid = grid
        self.arenas = [
            Arena(index=i, sector=s, name=n, address=f"{self.world}:{s}:{n}")
            for i, (s, n) in enumerate(grid.arena_names)
        ]
        self.sectors: list[str] = list(dict.fromkeys(a.sector for a in self.arenas))
        self.objects = _objects(scene, grid, self.arenas)
        self.spawns = _spawns(scene)
        self._by_address: dict[str, Arena | Obj] = {a.address: a for a in self.arenas}
        self._by_address.update({o.address: o for o in self.objects})
        self._obj_at = {o.index: o for o in self.objects}
        self._in_arena: dict[int, list[Obj]] = {}
        for o in self.objects:
            self._in_arena.setdefault(o.arena, []).append(o)

    @property
    def arena_grid(self) -> np.ndarray:
        """int32 ``(H, W)`` arena index per tile, ``-1`` outside every arena."""
        return self.grid.arena

    def arena_at(self, x: int, y: int) -> Arena | None:
        if not self.grid.inside(x, y):
            return None
        i = int(self.grid.arena[y, x])
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
        """``(n, 2)`` int array of the ``(x, y)`` tiles of a sector, arena or object."""
        place = self.resolve(address)
        if isinstance(place, Obj):
            return np.array(place.tiles, np.int64).reshape(-1, 2)
        if isinstance(place, Arena):
            mask = self.grid.arena == place.index
        else:
            ids = [a.index for a in self.arenas if a.sector == place]
            mask = np.isin(self.grid.arena, ids)
        ys, xs = np.nonzero(mask)
        return np.stack([xs, ys], axis=1)

    def objects_in(self, arena_address: str) -> list[Obj]:
        place = self.resolve(arena_address)
        if not isinstance(place, Arena):
            raise KeyError(
                f"{arena_address!r} is not an arena address (expected world:sector:arena)"
            )
        return list(self._in_arena.get(place.index, []))


def _objects(scene: Scene, grid: TileGrid, arenas: list[Arena]) -> list[Obj]:
    out: list[Obj] = []
    seen: Counter[tuple[int, str]] = Counter()
    lost = f"{address_part(scene.metadata.scene_name)}:?:?"
    for i, placed in enumerate(scene.layout.object_layer):
        if placed.asset_id not in scene.assets or scene.props(placed.asset_id).is_door:
            continue  # undefined: an OPS failure; doors: openings, not things to use
        box = grid.footprints[i]
        x0, y0, x1, y1 = box
        if x0 >= x1 or y0 >= y1:
            continue  # wholly outside the grid: a CFR and OPS failure
        a = _majority(grid.arena[y0:y1, x0:x1])
        if a < 0:  # on a wall or in a doorway: the room it faces
            a = _majority(_ring(grid.arena, box))
        tag = address_part(scene.tag(placed.asset_id))
        seen[(a, tag)] += 1
        n = seen[(a, tag)]
        name = tag if n == 1 else f"{tag} {n}"
        ys, xs = np.mgrid[y0:y1, x0:x1]
        out.append(
            Obj(
                index=i,
                asset_id=placed.asset_id,
                tag=name,
                address=f"{arenas[a].address if a >= 0 else lost}:{name}",
                arena=a,
                position=placed.position,
                box=box,
                tiles=tuple(zip(xs.ravel().tolist(), ys.ravel().tolist(), strict=True)),
                use_tiles=_use_tiles(grid, box, a),
            )
        )
    return out


def _majority(values: np.ndarray) -> int:
    v = values[values >= 0]
    return int(np.argmax(np.bincount(v))) if v.size else -1


def _ring(grid: np.ndarray, box: Box) -> np.ndarray:
    x0, y0, x1, y1 = box
    h, w = grid.shape
    return grid[max(y0 - 1, 0) : min(y1 + 1, h), max(x0 - 1, 0) : min(x1 + 1, w)].ravel()


def _use_tiles(grid: TileGrid, box: Box, arena: int) -> tuple[Tile, ...]:
    """The footprint when one can stand on it (a rug), else the walkable tiles 4-adjacent
    to it, preferring those in the object's own arena; in reading order."""
    x0, y0, x1, y1 = box
    if grid.walkable[y0:y1, x0:x1].all():
        return tuple((x, y) for y in range(y0, y1) for x in range(x0, x1))
    ring = [(x, y0 - 1) for x in range(x0, x1)] + [(x, y1) for x in range(x0, x1)]
    ring += [(x0 - 1, y) for y in range(y0, y1)] + [(x1, y) for y in range(y0, y1)]
    ok = [(x, y) for x, y in ring if grid.inside(x, y) and grid.walkable[y, x]]
    same = [(x, y) for x, y in ok if arena >= 0 and grid.arena[y, x] == arena]
    return tuple(sorted(same or ok, key=lambda t: (t[1], t[0])))


def _spawns(scene: Scene) -> list[Spawn]:
    out = []
    for placed in scene.layout.npc_layer:
        props = scene.properties.get(placed.asset_id)
        asset = scene.assets.get(placed.asset_id)
        # is_agent when the scene says so, else from the asset type ("agent" vs "npc")
        if props is not None and "is_agent" in props.model_fields_set:
            is_agent = props.is_agent
        else:
            is_agent = asset is not None and asset.type == "agent"
        out.append(
            Spawn(
                name=(props.character_name if props else None) or placed.asset_id,
                asset_id=placed.asset_id,
                position=placed.position,
                soul_file=props.soul_file if props else None,
                is_agent=is_agent,
            )
        )
    return out
