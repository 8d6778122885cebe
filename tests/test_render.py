"""Map rendering: pixels show walls, floors, doors and objects where the layout puts them."""

from __future__ import annotations

import json
import os
from pathlib import Path

os.environ["SDL_VIDEODRIVER"] = "dummy"

import pygame  # noqa: E402

from smallville.viewer import mapdraw  # noqa: E402
from smallville.viewer.mapdraw import (  # noqa: E402
    DOOR,
    WALL,
    MapPainter,
    draw_map,
    render_png,
    tile_at,
    tile_rect,
)
from smallville.viewer.palette import (  # noqa: E402
    agent_colour,
    floor_colour,
    object_colour,
    object_kind,
)
from smallville.world import World  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
T = 8  # small enough that start discs carry no initials
TILE = {"type": "tile", "base_size": [1, 1], "visual_size": [1, 1]}


def _scene() -> dict:
    """A 10 x 6 house: bedroom x 1..4 | wall x=5 with a door at (5, 3) | kitchen x 6..8.

    A 2 x 1 table covers (2, 2)-(3, 2); a stove covers (7, 1); Ann starts at (3, 4).
    """
    wall = {"asset_id": "wall", "command": "fill_rect"}
    return {
        "metadata": {"scene_name": "Pixel House", "grid_size": [10, 6]},
        "assets": {
            "wood": {**TILE, "description": "floor: wooden boards"},
            "tiles": {**TILE, "description": "floor: white tiles"},
            "wall": {**TILE, "description": "wall: brick"},
            "door": {**TILE, "description": "a wooden door"},
            "table": {"type": "object", "base_size": [2, 1], "visual_size": [2, 1]},
            "stove": {"type": "object", "base_size": [1, 1], "visual_size": [1, 1]},
            "ann": {"type": "npc", "base_size": [1, 1], "visual_size": [1, 2]},
        },
        "layout": {
            "floor_layer": [
                {"asset_id": "wood", "command": "fill_rect", "area": [0, 0, 5, 6]},
                {"asset_id": "tiles", "command": "fill_rect", "area": [5, 0, 5, 6]},
            ],
            "wall_layer": [
                {**wall, "area": [0, 0, 10, 1]},
                {**wall, "area": [0, 5, 10, 1]},
                {**wall, "area": [0, 0, 1, 6]},
                {**wall, "area": [9, 0, 1, 6]},
                {**wall, "area": [5, 0, 1, 6]},
                {"asset_id": "door", "command": "fill_rect", "area": [5, 3, 1, 1]},
            ],
            "object_layer": [
                {"asset_id": "table", "position": [3, 3]},
                {"asset_id": "stove", "position": [7.5, 2]},
            ],
            "npc_layer": [{"asset_id": "ann", "position": [3.5, 5]}],
            "zone_layer": [
                {"sector": "House", "arena": "bedroom", "area": [1, 1, 4, 4]},
                {"sector": "House", "arena": "kitchen", "area": [6, 1, 3, 4]},
            ],
        },
        "properties": {
            "wood": {"navigation": "walkable", "semantic_tag": "floor_bedroom"},
            "tiles": {"navigation": "walkable", "semantic_tag": "floor_kitchen"},
            "wall": {"physics": "solid", "navigation": "obstacle", "semantic_tag": "wall"},
            "door": {"navigation": "walkable_door", "semantic_tag": "door_main"},
            "table": {"physics": "solid", "navigation": "obstacle", "semantic_tag": "table"},
            "stove": {"physics": "solid", "navigation": "obstacle", "semantic_tag": "stove"},
            "ann": {"character_name": "Ann Lee", "is_agent": False},
        },
    }


def _world(tmp_path: Path) -> World:
    path = tmp_path / "house.json"
    path.write_text(json.dumps(_scene()))
    return World.load(path)


def _centre(surf, x: int, y: int) -> tuple[int, int, int]:
    return tuple(surf.get_at((x * T + T // 2, y * T + T // 2)))[:3]


def test_pixels_follow_the_layout(tmp_path):
    """Walls, both floors, the door, the table and the stove have their colours at their tiles."""
    surf = draw_map(_world(tmp_path), tile_px=T, labels=False)
    assert surf.get_size() == (10 * T, 6 * T)
    for x, y in [(0, 0), (4, 0), (9, 2), (5, 1), (5, 4), (3, 5)]:
        assert _centre(surf, x, y) == WALL, (x, y)
    assert _centre(surf, 5, 3) == DOOR
    bedroom, kitchen = floor_colour("floor_bedroom"), floor_colour("floor_kitchen")
    assert bedroom != kitchen
    for x, y in [(1, 1), (4, 2), (1, 4)]:
        assert _centre(surf, x, y) == bedroom, (x, y)
    for x, y in [(6, 1), (8, 4), (6, 3)]:
        assert _centre(surf, x, y) == kitchen, (x, y)
    assert _centre(surf, 2, 2) == _centre(surf, 3, 2) == object_colour("table")
    assert _centre(surf, 7, 1) == object_colour("stove")
    assert _centre(surf, 3, 4) == agent_colour(0)  # Ann's start tile


def test_labels_draw_text_without_overlaps(tmp_path):
    """With labels on, names change pixels and no two name boxes overlap."""
    world = _world(tmp_path)
    plain = draw_map(world, tile_px=24, labels=False)
    painter = MapPainter(world, 24)
    labelled = painter.surface(labels=True)
    assert labelled.get_size() == plain.get_size()
    diff = pygame.surfarray.array3d(labelled) != pygame.surfarray.array3d(plain)
    assert diff.any() and painter.labels
    for i, a in enumerate(painter.labels):
        assert labelled.get_rect().contains(a)
        assert a.collidelist(painter.labels[i + 1 :]) == -1


def test_town_labels_stay_apart():
    """On the bundled cafe town every name lies on the map and overlaps no other name."""
    painter = MapPainter(World.load(ROOT / "worlds" / "cafe.json"), 16)
    surf = painter.surface()
    names = painter.labels
    assert len(names) > 10
    for i, a in enumerate(names):
        assert surf.get_rect().contains(a)
        assert a.collidelist(names[i + 1 :]) == -1


def test_render_png_writes_map_with_legend(tmp_path):
    """render_png writes a PNG of the map, plus a title and key strip when legend is on."""
    world = _world(tmp_path)
    out = render_png(world, tmp_path / "out" / "map.png", tile_px=16)
    assert out.exists()
    img = pygame.image.load(str(out))
    assert img.get_width() == 10 * 16 and img.get_height() > 6 * 16 + 28
    bare = pygame.image.load(str(render_png(world, tmp_path / "bare.png", 16, legend=False)))
    assert bare.get_size() == (10 * 16, 6 * 16)


def test_pixel_tile_conversion_round_trips(tmp_path):
    """A tile's pixel rect maps back to that tile; pixels off the grid have no tile."""
    painter = MapPainter(_world(tmp_path), 12)
    left, top, w, h = tile_rect(7, 3, 12)
    assert (w, h) == (12, 12)
    assert tile_at(left, top, 12) == tile_at(left + 11, top + 11, 12) == (7, 3)
    assert painter.to_tile(*painter.to_px(7, 3)) == (7, 3)
    assert painter.to_tile(-1, 5) is None and painter.to_tile(10 * 12, 0) is None


def test_palette_is_stable_and_reads_head_nouns():
    """Unknown tags get the same pastel every time; compound names go by their head noun."""
    assert floor_colour("floor_zorbulon") == floor_colour("floor_zorbulon")
    assert min(floor_colour("floor_zorbulon")) >= 140
    described = floor_colour("floor_x", "floor: oak wooden boards")
    assert described == floor_colour("wood") != floor_colour("floor_x")
    assert object_kind("desk chair") == "seat" and object_kind("bar stool") == "seat"
    assert object_kind("garden bed") == "plant" and object_kind("chair 3") == "seat"
    assert object_kind("zorbulon") is None
    assert object_colour("zorbulon") == object_colour("zorbulon")


def test_display_driver_is_dummy_only_without_a_display(monkeypatch):
    """Without DISPLAY or WAYLAND_DISPLAY the dummy driver is chosen; with one, nothing is."""
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "SDL_VIDEODRIVER"):
        monkeypatch.delenv(name, raising=False)
    mapdraw.ensure_display_driver()
    assert os.environ["SDL_VIDEODRIVER"] == "dummy"
    monkeypatch.delenv("SDL_VIDEODRIVER")
    monkeypatch.setenv("DISPLAY", ":0")
    mapdraw.ensure_display_driver()
    assert "SDL_VIDEODRIVER" not in os.environ
