"""Small hand-made scenes for the tests."""

from __future__ import annotations

import copy
from typing import Any

ASSETS: dict[str, Any] = {
    "floor_wood": {
        "type": "tile",
        "description": "wooden floor",
        "base_size": [1, 1],
        "visual_size": [1, 1],
    },
    "floor_tiles": {
        "type": "tile",
        "description": "kitchen floor tiles",
        "base_size": [1, 1],
        "visual_size": [1, 1],
    },
    "wall": {
        "type": "tile",
        "description": "brick wall",
        "base_size": [1, 1],
        "visual_size": [1, 1],
    },
    "door": {
        "type": "object",
        "description": "wooden door",
        "base_size": [1, 1],
        "visual_size": [1, 2],
    },
    "bed": {"type": "object", "description": "a bed", "base_size": [1, 2], "visual_size": [1, 2]},
    "stove": {
        "type": "object",
        "description": "a stove",
        "base_size": [1, 1],
        "visual_size": [1, 1],
    },
    "painting": {
        "type": "object",
        "description": "a painting",
        "base_size": [1, 1],
        "visual_size": [1, 1],
    },
    "ann": {"type": "agent", "description": "a woman", "base_size": [1, 1], "visual_size": [1, 2]},
}
PROPS: dict[str, Any] = {
    "floor_wood": {
        "physics": "passable",
        "navigation": "walkable",
        "semantic_tag": "floor_bedroom",
    },
    "floor_tiles": {
        "physics": "passable",
        "navigation": "walkable",
        "semantic_tag": "floor_kitchen",
    },
    "wall": {"physics": "solid", "navigation": "obstacle", "semantic_tag": "wall"},
    "door": {"physics": "passable", "navigation": "walkable_door", "semantic_tag": "door_main"},
    "bed": {"physics": "solid", "navigation": "obstacle", "semantic_tag": "bed"},
    "stove": {"physics": "solid", "navigation": "obstacle", "semantic_tag": "stove"},
    "painting": {"physics": "passable", "navigation": "walkable", "semantic_tag": "painting"},
    "ann": {"character_name": "Ann Lee", "is_agent": True, "soul_file": "agents/t/ann_lee.json"},
}


def two_rooms(zones: bool = True) -> dict[str, Any]:
    """A 12 x 7 house: bedroom (x 1..5) | wall x=6 with a door at y=3 | kitchen (x 7..10).

    Outer walls on the border. Bed at tiles (2, 2)-(2, 3); stove at (9, 1); Ann at (4, 4).
    """
    scene: dict[str, Any] = {
        "metadata": {
            "scene_name": "Test House",
            "grid_size": [12, 7],
            "description": "two rooms",
            "style_prompt": "pixel art",
        },
        "assets": copy.deepcopy(ASSETS),
        "layout": {
            "floor_layer": [
                {"asset_id": "floor_wood", "command": "fill_rect", "area": [0, 0, 7, 7]},
                {"asset_id": "floor_tiles", "command": "fill_rect", "area": [7, 0, 5, 7]},
            ],
            "wall_layer": [
                {"asset_id": "wall", "command": "fill_rect", "area": [0, 0, 12, 1]},
                {"asset_id": "wall", "command": "fill_rect", "area": [0, 6, 12, 1]},
                {"asset_id": "wall", "command": "fill_rect", "area": [0, 0, 1, 7]},
                {"asset_id": "wall", "command": "fill_rect", "area": [11, 0, 1, 7]},
                {"asset_id": "wall", "command": "fill_rect", "area": [6, 0, 1, 7]},
            ],
            "object_layer": [
                {"asset_id": "door", "position": [6.5, 4]},
                {"asset_id": "bed", "position": [2.5, 4]},
                {"asset_id": "stove", "position": [9.5, 2]},
            ],
            "npc_layer": [{"asset_id": "ann", "position": [4.5, 5]}],
        },
        "properties": copy.deepcopy(PROPS),
    }
    if zones:
        scene["layout"]["zone_layer"] = [
            {"sector": "House", "arena": "bedroom", "area": [0, 0, 6, 7]},
            {"sector": "House", "arena": "kitchen", "area": [7, 0, 5, 7]},
        ]
    return scene
