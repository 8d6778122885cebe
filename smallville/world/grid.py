"""Rasterise a scene into numpy tile grids (indexed ``[y, x]``)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from smallville.world.schema import Scene


def footprint(position: tuple[float, float], size: tuple[int, int]) -> tuple[int, int, int, int]:
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


@dataclass(frozen=True, eq=False)
class TileGrid:
    """Per-tile facts of a layout. ``-1`` means none."""

    width: int
    height: int
    floor: np.ndarray  # int16 index into floor_assets
    floor_assets: tuple[str, ...]
    wall: np.ndarray  # bool: a wall stands here (doors included)
    door: np.ndarray  # bool: a door cuts the wall here
    walkable: np.ndarray  # bool
    obj: np.ndarray  # int32 index into scene.layout.object_layer
    footprints: tuple[tuple[int, int, int, int], ...]  # per object, clipped to the grid
    solid_count: np.ndarray  # int16: how many solid objects cover the tile

    def inside(self, x: int, y: int) -> bool:
        return 0 <= x < self.width and 0 <= y < self.height


def rasterize(scene: Scene) -> TileGrid:
    w, h = scene.metadata.grid_size
    floor_assets: list[str] = []
    floor = np.full((h, w), -1, np.int16)
    for cmd in scene.layout.floor_layer:
        if cmd.asset_id not in floor_assets:
            floor_assets.append(cmd.asset_id)
        _paint(floor, cmd.area, floor_assets.index(cmd.asset_id))

    wall = np.zeros((h, w), bool)
    door = np.zeros((h, w), bool)
    for cmd in scene.layout.wall_layer:
        nav = scene.props(cmd.asset_id).navigation
        _paint(door if nav == "walkable_door" else wall, cmd.area, True)

    walkable = (floor >= 0) & ~wall
    obj = np.full((h, w), -1, np.int32)
    solid_count = np.zeros((h, w), np.int16)
    boxes = []
    blocked = np.zeros((h, w), bool)
    for i, placed in enumerate(scene.layout.object_layer):
        asset = scene.assets.get(placed.asset_id)
        size = asset.base_size if asset else (1, 1)
        box = _clip(footprint(placed.position, size), w, h)
        boxes.append(box)
        x0, y0, x1, y1 = box
        if x0 >= x1 or y0 >= y1:
            continue
        obj[y0:y1, x0:x1] = i
        props = scene.props(placed.asset_id)
        if props.navigation == "walkable_door":
            door[y0:y1, x0:x1] = True
            continue
        mounted = bool(wall[y0:y1, x0:x1].all())
        if props.physics == "solid" and not mounted:
            solid_count[y0:y1, x0:x1] += 1
        if (props.physics == "solid" or props.navigation == "obstacle") and not mounted:
            blocked[y0:y1, x0:x1] = True
    walkable = (walkable | door) & ~blocked
    return TileGrid(
        width=w,
        height=h,
        floor=floor,
        floor_assets=tuple(floor_assets),
        wall=wall,
        door=door,
        walkable=walkable,
        obj=obj,
        footprints=tuple(boxes),
        solid_count=solid_count,
    )


def _paint(grid: np.ndarray, area: tuple[int, int, int, int], value) -> None:
    x, y, w, h = area
    h_, w_ = grid.shape
    grid[max(y, 0) : min(y + h, h_), max(x, 0) : min(x + w, w_)] = value


def _clip(box: tuple[int, int, int, int], w: int, h: int) -> tuple[int, int, int, int]:
    x0, y0, x1, y1 = box
    return max(x0, 0), max(y0, 0), min(x1, w), min(y1, h)
