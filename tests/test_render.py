"""Map rendering: pixels show walls, floors, doors and objects where the layout puts them."""

from __future__ import annotations

import os

os.environ["SDL_VIDEODRIVER"] = "dummy"

import pygame  # noqa: E402
from scenes import two_rooms  # noqa: E402

from smallville.viewer.mapdraw import (  # noqa: E402
    DOOR,
    WALL,
    draw_map,
    floor_colour,
    object_colour,
    render_png,
)
from smallville.world import World, parse_scene  # noqa: E402

T = 8


def _centre(surf, x: int, y: int) -> tuple[int, int, int]:
    return tuple(surf.get_at((x * T + T // 2, y * T + T // 2)))[:3]


def test_pixels_follow_the_layout():
    """Walls, floors, the door and the stove are drawn in their colours at their tiles."""
    world = World(parse_scene(two_rooms()))
    surf = draw_map(world, tile_px=T, labels=False)
    assert surf.get_size() == (12 * T, 7 * T)
    assert _centre(surf, 0, 0) == WALL and _centre(surf, 6, 1) == WALL
    assert _centre(surf, 6, 3) == DOOR
    assert _centre(surf, 3, 2) == floor_colour("floor_bedroom")
    assert _centre(surf, 8, 4) == floor_colour("floor_kitchen")
    assert _centre(surf, 9, 1) == object_colour("stove")
    assert _centre(surf, 2, 3) == object_colour("bed")


def test_render_png_writes_a_labelled_image(tmp_path):
    """render_png writes a PNG of the map plus a title strip."""
    world = World(parse_scene(two_rooms()))
    out = render_png(world, tmp_path / "map.png", tile_px=16)
    img = pygame.image.load(str(out))
    assert img.get_width() == 12 * 16 and img.get_height() > 7 * 16
