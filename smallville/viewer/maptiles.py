"""The map's tile layer as one numpy pixel array: floors, walls and doors.

Composed in numpy rather than drawn tile by tile with pygame, as the Ville has 14,000
tiles. Floors get seams by texture, wall runs a lit top edge and a shadow below, doors
dark jambs where they meet a wall; none of these reach a tile's centre pixel, which is
always its plain colour. Below 6 pixels per tile there is no room for them.
"""

from __future__ import annotations

import numpy as np

from smallville.viewer.palette import DOOR, DOOR_JAMB, VOID, WALL, WALL_TOP, floor_style
from smallville.world import TileGrid, World

SEAM = {"tiles": 0.9, "boards": 0.86}  # how much darker a floor's tile/plank seams are


def tile_pixels(world: World, t: int) -> np.ndarray:
    """The ``(H * t, W * t, 3)`` uint8 pixels of the grid at ``t`` pixels per tile."""
    g = world.grid
    rgb, texture = _tile_colours(world)
    img = _big(rgb, t)
    if t < 6:
        return img.astype(np.uint8)
    iy = (np.arange(g.height * t) % t)[:, None]  # pixel offsets inside their tile
    ix = (np.arange(g.width * t) % t)[None, :]
    _seams(img, g, texture, t, iy, ix)
    solid = g.wall & ~g.door
    _wall_edges(img, solid, t, iy)
    _door_jambs(img, g, solid, t, iy, ix)
    return np.clip(img, 0, 255).astype(np.uint8)


def _tile_colours(world: World) -> tuple[np.ndarray, np.ndarray]:
    """Each tile's float colour and its floor's texture name ("plain" off the floor)."""
    g = world.grid
    scene = world.scene
    styles = [
        floor_style(scene.tag(a), getattr(scene.assets.get(a), "description", ""))
        for a in g.floor_assets
    ]
    palette = np.array([c for c, _ in styles] + [VOID], np.float32)
    idx = np.where(g.floor >= 0, g.floor, len(styles))
    rgb = palette[idx]
    texture = np.array([tx for _, tx in styles] + ["plain"])[idx]
    rgb[g.wall & ~g.door] = WALL
    rgb[g.door] = DOOR
    return rgb, texture


def _big(tiles: np.ndarray, t: int) -> np.ndarray:
    """A per-tile array blown up to one entry per pixel."""
    return np.repeat(np.repeat(tiles, t, 0), t, 1)


def _seams(img, g: TileGrid, texture, t: int, iy, ix) -> None:
    """Darkens the top and left pixel rows of tiled floors; boards get every top row but
    only every other tile's left one, so plank ends are staggered."""
    floor = ~g.wall & ~g.door
    for name, factor in SEAM.items():
        mask = floor & (texture == name)
        if name == "boards":
            ys, xs = np.indices(mask.shape)
            joints = _big(mask & ((xs + ys) % 2 == 0), t) & (ix == 0)
            seams = (_big(mask, t) & (iy == 0)) | joints
        else:
            seams = _big(mask, t) & ((iy == 0) | (ix == 0))
        img[seams] *= factor


def _wall_edges(img, solid: np.ndarray, t: int, iy) -> None:
    """A lit strip along the top of each wall run, a shadow on the open tile below a wall."""
    above = np.zeros_like(solid)
    above[1:] = solid[:-1]
    edge = max(1, t // 8)
    img[_big(solid & ~above, t) & (iy < edge)] = WALL_TOP
    img[_big(~solid & above, t) & (iy < max(2, t // 4))] *= 0.72


def _door_jambs(img, g: TileGrid, solid: np.ndarray, t: int, iy, ix) -> None:
    """A dark strip along each side of a door tile that meets a wall, framing the opening."""
    edge = max(1, t // 8)
    jamb = np.zeros(img.shape[:2], bool)
    for dy, dx, strip in (
        (0, -1, ix < edge),
        (0, 1, ix >= t - edge),
        (-1, 0, iy < edge),
        (1, 0, iy >= t - edge),
    ):
        beside = np.zeros_like(solid)
        src = solid[max(dy, 0) : g.height + min(dy, 0), max(dx, 0) : g.width + min(dx, 0)]
        beside[max(-dy, 0) : g.height + min(-dy, 0), max(-dx, 0) : g.width + min(-dx, 0)] = src
        jamb |= _big(g.door & beside, t) & strip
    img[jamb] = DOOR_JAMB
