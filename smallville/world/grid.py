"""Rasterise a scene into numpy tile grids (indexed ``[y, x]``).

Floors, then walls, are painted in layer order, later over earlier. A door (an object
or a wall tile whose navigation is ``walkable_door``) cuts a walkable opening through
the walls it covers. Blocking objects (solid, or navigation obstacle) block their
footprint unless they hang on a wall. Arenas come from the zone_layer, or for a plain
World Craft scene are derived from floors and walls (WORLD_FORMAT.md).
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass

import numpy as np

from smallville.world.schema import Scene

Box = tuple[int, int, int, int]  # x0, y0, x1, y1: half-open tile range


def footprint(position: tuple[float, float], size: tuple[int, int]) -> Box:
    """Half-open tile range ``(x0, y0, x1, y1)`` covered by an asset placed bottom-centre.

    The footprint spans x in [px - w/2, px + w/2) and y in [py - h, py); a tile is covered
    when its centre lies in that span, so a w x h footprint covers exactly w x h tiles.
    """
    px, py = position
    w, h = size
    x0 = math.ceil(px - w / 2 - 0.5)
    y0 = math.ceil(py - h - 0.5)
    return x0, y0, x0 + w, y0 + h


def bottom_centre(x: int, y: int, size: tuple[int, int]) -> tuple[float, float]:
    """The position that puts a footprint's top-left tile at ``(x, y)``."""
    w, h = size
    return (x + w / 2, y + h)


def address_part(name: str) -> str:
    """A name as one part of a ``world:sector:arena:object`` address (no ':' inside)."""
    return name.replace(":", "-").strip() or "-"


@dataclass(frozen=True, kw_only=True, eq=False)
class TileGrid:
    """Per-tile facts of a layout. ``-1`` means none."""

    width: int
    height: int
    floor: np.ndarray  # int16 index into floor_assets
    floor_assets: tuple[str, ...]
    wall: np.ndarray  # bool: painted by the wall layer (tiles a door cuts stay True)
    door: np.ndarray  # bool: a door opens the tile
    walkable: np.ndarray  # bool
    obj: np.ndarray  # int32 index into object_layer of the topmost footprint here
    arena: np.ndarray  # int32 index into arena_names
    arena_names: tuple[tuple[str, str], ...]  # (sector, arena) per arena index
    footprints: tuple[Box, ...]  # per object, clipped to the grid (may be empty)
    mounted: tuple[bool, ...]  # per object: hangs on a wall, footprint entirely on uncut wall
    blockers: np.ndarray  # int16: blocking, not wall-mounted objects covering the tile

    @property
    def solid_wall(self) -> np.ndarray:
        """Wall tiles no door cuts."""
        return self.wall & ~self.door

    def inside(self, x: int, y: int) -> bool:
        return 0 <= x < self.width and 0 <= y < self.height


def rasterize(scene: Scene) -> TileGrid:
    w, h = scene.metadata.grid_size
    lay = scene.layout
    floor_assets = tuple(dict.fromkeys(c.asset_id for c in lay.floor_layer))
    floor = np.full((h, w), -1, np.int16)
    for cmd in lay.floor_layer:
        _paint(floor, cmd.area, floor_assets.index(cmd.asset_id))
    # A floor tile can block by its own properties (water); index -1 hits the last False.
    floor_open = np.array([not scene.props(a).blocking for a in floor_assets] + [False])
    open_floor = floor_open[floor]

    kind = np.zeros((h, w), np.int8)  # 0 nothing, 1 wall, 2 door tile
    for cmd in lay.wall_layer:
        _paint(kind, cmd.area, 2 if scene.props(cmd.asset_id).is_door else 1)
    wall = kind > 0
    door = kind == 2

    props = [scene.props(p.asset_id) for p in lay.object_layer]
    boxes = tuple(
        _clip(footprint(p.position, scene.base_size(p.asset_id)), w, h) for p in lay.object_layer
    )
    obj = np.full((h, w), -1, np.int32)
    for i, (x0, y0, x1, y1) in enumerate(boxes):
        obj[y0:y1, x0:x1] = i
        if props[i].is_door:
            door[y0:y1, x0:x1] = True
    solid_wall = wall & ~door
    blockers = np.zeros((h, w), np.int16)
    mounted = []
    for i, (x0, y0, x1, y1) in enumerate(boxes):
        under = solid_wall[y0:y1, x0:x1]
        on_wall = under.size > 0 and bool(under.all())
        on_wall = on_wall and scene.hangs_on_wall(lay.object_layer[i].asset_id)
        mounted.append(on_wall)
        if props[i].blocking and not props[i].is_door and not on_wall:
            blockers[y0:y1, x0:x1] += 1
    walkable = ((open_floor & ~wall) | door) & (blockers == 0)

    if lay.zone_layer:
        arena, names = _zone_arenas(scene, (h, w), wall | door)
    else:
        arena, names = _derived_arenas(scene, floor, floor_assets, open_floor & ~wall & ~door)
    return TileGrid(
        width=w,
        height=h,
        floor=floor,
        floor_assets=floor_assets,
        wall=wall,
        door=door,
        walkable=walkable,
        obj=obj,
        arena=arena,
        arena_names=names,
        footprints=boxes,
        mounted=tuple(mounted),
        blockers=blockers,
    )


def components(mask: np.ndarray, same: np.ndarray | None = None) -> tuple[np.ndarray, int]:
    """Label the 4-connected regions of ``mask``; with ``same``, neighbours join only
    when their ``same`` values are equal. Returns ``(labels, n)``: int32 labels
    ``0..n-1`` numbered in reading order of each region's first tile, ``-1`` off the mask.

    Union-find in numpy: hook every root to the smallest root across an edge, then
    compress by pointer jumping, until no edge joins two roots (a few rounds).
    """
    h, w = mask.shape
    cells = np.flatnonzero(mask)
    node = np.full(h * w, -1, np.int64)
    node[cells] = np.arange(cells.size)
    node = node.reshape(h, w)
    right = mask[:, :-1] & mask[:, 1:]
    down = mask[:-1, :] & mask[1:, :]
    if same is not None:
        right &= same[:, :-1] == same[:, 1:]
        down &= same[:-1, :] == same[1:, :]
    u = np.concatenate([node[:, :-1][right], node[:-1, :][down]])
    v = np.concatenate([node[:, 1:][right], node[1:, :][down]])
    parent = np.arange(cells.size)
    while True:
        pu, pv = parent[u], parent[v]
        apart = pu != pv
        if not apart.any():
            break
        np.minimum.at(parent, np.maximum(pu[apart], pv[apart]), np.minimum(pu[apart], pv[apart]))
        while True:
            jumped = parent[parent]
            if np.array_equal(jumped, parent):
                break
            parent = jumped
    # A root is its region's smallest node, i.e. its first tile in reading order.
    roots, label = np.unique(parent, return_inverse=True)
    labels = np.full(h * w, -1, np.int32)
    labels[cells] = label
    return labels.reshape(h, w), int(roots.size)


def _zone_arenas(
    scene: Scene, shape: tuple[int, int], between: np.ndarray
) -> tuple[np.ndarray, tuple[tuple[str, str], ...]]:
    index: dict[tuple[str, str], int] = {}
    arena = np.full(shape, -1, np.int32)
    for z in scene.layout.zone_layer or ():
        _paint(arena, z.area, index.setdefault((z.sector, z.arena), len(index)))
    # Walls and doorways belong to no room: a doorway joins the rooms on its sides.
    arena[between] = -1
    return arena, tuple(index)


def _derived_arenas(
    scene: Scene, floor: np.ndarray, floor_assets: tuple[str, ...], open_: np.ndarray
) -> tuple[np.ndarray, tuple[tuple[str, str], ...]]:
    """Same-floor connected regions; walls, doors and a change of floor separate them."""
    arena, n = components(open_, same=floor)
    _, first = np.unique(arena.ravel(), return_index=True)
    first = first[-n:] if n else first[:0]  # drop the -1 background entry
    sector = address_part(scene.metadata.scene_name)
    seen: Counter[str] = Counter()
    names = []
    for flat in first:
        base = _arena_name(scene.tag(floor_assets[floor.flat[flat]]))
        seen[base] += 1
        names.append((sector, base if seen[base] == 1 else f"{base} {seen[base]}"))
    return arena, tuple(names)


def _arena_name(tag: str) -> str:
    for prefix in ("floor_", "floor-", "floor "):
        if tag.startswith(prefix) and len(tag) > len(prefix):
            return address_part(tag[len(prefix) :])
    return address_part(tag)


def _paint(grid: np.ndarray, area: tuple[int, int, int, int], value: object) -> None:
    x, y, w, h = area
    x0, y0, x1, y1 = _clip((x, y, x + w, y + h), grid.shape[1], grid.shape[0])
    grid[y0:y1, x0:x1] = value


def _clip(box: Box, w: int, h: int) -> Box:
    """Clamp to the grid; a box wholly outside becomes empty (x0 == x1 or y0 == y1)."""
    x0, y0, x1, y1 = box
    return min(max(x0, 0), w), min(max(y0, 0), h), min(max(x1, 0), w), min(max(y1, 0), h)
