"""Build World-Craft-style scenes from a compact spec of buildings, rooms and furniture.

A building is a rectangle; its rooms are rectangles of floor inside it; every other
tile of the building is wall. Doors are tiles of that wall. Furniture is placed by
its top-left tile inside a room. The builder writes floors, walls, doors, objects,
zones (our ``zone_layer``) and character spawns, and the result is checked with the
project's own validator before it is written.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

# tag -> (footprint w, h; sprite w, h; physics; navigation; description)
FURNITURE: dict[str, tuple[int, int, int, int, str, str, str]] = {
    "bed": (1, 2, 1, 2, "solid", "obstacle", "a single bed with a quilt"),
    "double bed": (2, 2, 2, 2, "solid", "obstacle", "a double bed with two pillows"),
    "desk": (1, 1, 1, 1, "solid", "obstacle", "a wooden writing desk"),
    "wardrobe": (1, 1, 1, 2, "solid", "obstacle", "a tall wardrobe"),
    "nightstand": (1, 1, 1, 1, "solid", "obstacle", "a small nightstand with a lamp"),
    "bookshelf": (1, 1, 1, 2, "solid", "obstacle", "a bookshelf full of books"),
    "toilet": (1, 1, 1, 1, "solid", "obstacle", "a white toilet"),
    "bathroom sink": (1, 1, 1, 1, "solid", "obstacle", "a washbasin with a mirror"),
    "shower": (1, 1, 1, 2, "solid", "obstacle", "a shower cubicle"),
    "sofa": (2, 1, 2, 1, "solid", "obstacle", "a comfortable sofa"),
    "armchair": (1, 1, 1, 1, "solid", "obstacle", "an armchair"),
    "tv": (1, 1, 1, 1, "solid", "obstacle", "a television on a stand"),
    "piano": (2, 1, 2, 2, "solid", "obstacle", "an upright piano"),
    "stove": (1, 1, 1, 1, "solid", "obstacle", "a kitchen stove with an oven"),
    "fridge": (1, 1, 1, 2, "solid", "obstacle", "a refrigerator"),
    "kitchen sink": (1, 1, 1, 1, "solid", "obstacle", "a kitchen sink"),
    "counter": (1, 1, 1, 1, "solid", "obstacle", "a kitchen counter"),
    "dining table": (2, 1, 2, 1, "solid", "obstacle", "a dining table"),
    "chair": (1, 1, 1, 1, "solid", "obstacle", "a wooden chair"),
    "cafe counter": (3, 1, 3, 1, "solid", "obstacle", "a long serving counter with a till"),
    "coffee machine": (1, 1, 1, 1, "solid", "obstacle", "an espresso machine"),
    "pastry case": (1, 1, 1, 1, "solid", "obstacle", "a glass case of pastries"),
    "cafe table": (1, 1, 1, 1, "solid", "obstacle", "a small round cafe table"),
    "bar counter": (4, 1, 4, 1, "solid", "obstacle", "a polished bar counter"),
    "bar stool": (1, 1, 1, 1, "solid", "obstacle", "a tall bar stool"),
    "beer taps": (1, 1, 1, 1, "solid", "obstacle", "a row of beer taps"),
    "pool table": (2, 1, 2, 1, "solid", "obstacle", "a pool table"),
    "jukebox": (1, 1, 1, 2, "solid", "obstacle", "a jukebox"),
    "storage shelf": (1, 1, 1, 2, "solid", "obstacle", "metal storage shelves"),
    "crates": (1, 1, 1, 1, "solid", "obstacle", "stacked wooden crates"),
    "blackboard": (2, 1, 2, 1, "solid", "obstacle", "a blackboard on a stand"),
    "lectern": (1, 1, 1, 1, "solid", "obstacle", "a lectern"),
    "student desk": (1, 1, 1, 1, "solid", "obstacle", "a student desk"),
    "library table": (2, 1, 2, 1, "solid", "obstacle", "a long reading table"),
    "reading chair": (1, 1, 1, 1, "solid", "obstacle", "a reading chair"),
    "computer": (1, 1, 1, 1, "solid", "obstacle", "a desktop computer"),
    "librarian desk": (2, 1, 2, 1, "solid", "obstacle", "the librarian's desk"),
    "pharmacy counter": (3, 1, 3, 1, "solid", "obstacle", "the pharmacy counter"),
    "medicine shelf": (1, 1, 1, 2, "solid", "obstacle", "shelves of medicine"),
    "cash register": (1, 1, 1, 1, "solid", "obstacle", "a cash register"),
    "grocery shelf": (1, 1, 1, 2, "solid", "obstacle", "shelves of groceries"),
    "produce stand": (2, 1, 2, 1, "solid", "obstacle", "a stand of fresh produce"),
    "freezer": (1, 1, 1, 1, "solid", "obstacle", "a chest freezer"),
    "easel": (1, 1, 1, 2, "solid", "obstacle", "a painter's easel"),
    "sculpting stand": (1, 1, 1, 2, "solid", "obstacle", "a sculpting stand with clay"),
    "supply cabinet": (1, 1, 1, 2, "solid", "obstacle", "a cabinet of art supplies"),
    "work table": (2, 1, 2, 1, "solid", "obstacle", "a paint-spattered work table"),
    "guitar stand": (1, 1, 1, 1, "solid", "obstacle", "a guitar on a stand"),
    "council table": (3, 1, 3, 1, "solid", "obstacle", "the council table"),
    "podium": (1, 1, 1, 1, "solid", "obstacle", "a podium with a microphone"),
    "filing cabinet": (1, 1, 1, 2, "solid", "obstacle", "a filing cabinet"),
    "notice board": (1, 1, 1, 1, "solid", "obstacle", "the town notice board"),
    "reception desk": (2, 1, 2, 1, "solid", "obstacle", "a reception desk"),
    "bench": (2, 1, 2, 1, "solid", "obstacle", "a park bench"),
    "fountain": (2, 2, 2, 2, "solid", "obstacle", "a stone fountain"),
    "picnic table": (2, 1, 2, 1, "solid", "obstacle", "a picnic table"),
    "swing": (1, 1, 1, 2, "solid", "obstacle", "a children's swing"),
    "slide": (1, 1, 1, 2, "solid", "obstacle", "a slide"),
    "bandstand": (3, 2, 3, 3, "solid", "obstacle", "a wooden bandstand"),
    "mailbox": (1, 1, 1, 1, "solid", "obstacle", "a mailbox"),
}

# floor asset id -> (semantic tag, description)
FLOORS: dict[str, tuple[str, str]] = {
    "street": ("street", "asphalt road"),
    "sidewalk": ("sidewalk", "grey paving stones"),
    "grass": ("grass", "short green grass"),
    "path": ("floor_path", "gravel footpath"),
    "wood": ("floor_wood", "warm wooden floorboards"),
    "carpet": ("floor_carpet", "soft carpet"),
    "tiles": ("floor_tiles", "white ceramic tiles"),
    "stone": ("floor_stone", "polished stone floor"),
    "concrete": ("floor_concrete", "bare concrete floor"),
}


@dataclass
class Room:
    name: str
    area: tuple[int, int, int, int]  # x, y, w, h inside the building
    floor: str
    furniture: list[tuple[str, int, int]] = field(default_factory=list)  # tag, dx, dy


@dataclass
class Building:
    sector: str
    origin: tuple[int, int]
    size: tuple[int, int]
    rooms: list[Room]
    doors: list[tuple[int, int]]  # building-local wall tiles


@dataclass
class Outdoor:
    sector: str
    arena: str
    area: tuple[int, int, int, int]
    floor: str
    furniture: list[tuple[str, int, int]] = field(default_factory=list)  # tag, x, y (global)
    paint: list[tuple[str, tuple[int, int, int, int]]] = field(default_factory=list)


@dataclass
class Resident:
    name: str
    age: int
    role: str
    home: tuple[str, str]  # sector, arena
    workplace: tuple[str, str] | None
    household: str


class Town:
    """Collects the parts of a scene and writes it as World Scaffold JSON."""

    def __init__(self, name: str, size: tuple[int, int], description: str, agents_dir: str):
        self.name = name
        self.size = size
        self.description = description
        self.agents_dir = agents_dir
        self.floor: list[dict] = []
        self.walls: list[dict] = []
        self.objects: list[dict] = []
        self.npcs: list[dict] = []
        self.zones: list[dict] = []
        self.used: set[str] = set()
        self.characters: dict[str, dict] = {}
        w, h = size
        self.solid = np.zeros((h, w), bool)

    def outdoor(self, o: Outdoor) -> None:
        self.floor.append(_fill(o.floor, o.area))
        for floor, area in o.paint:
            self.floor.append(_fill(floor, area))
            self.used.add(floor)
        self.used.add(o.floor)
        self.zones.append({"sector": o.sector, "arena": o.arena, "area": list(o.area)})
        for tag, x, y in o.furniture:
            self._place(tag, x, y)

    def building(self, b: Building) -> None:
        bx, by = b.origin
        bw, bh = b.size
        inside = np.zeros((bh, bw), bool)
        for room in b.rooms:
            x, y, w, h = room.area
            assert x > 0 and y > 0 and x + w < bw and y + h < bh, (b.sector, room.name)
            assert not inside[y : y + h, x : x + w].any(), (b.sector, room.name, "overlaps")
            inside[y : y + h, x : x + w] = True
            self.floor.append(_fill(room.floor, (bx + x, by + y, w, h)))
            self.used.add(room.floor)
            self.zones.append(
                {"sector": b.sector, "arena": room.name, "area": [bx + x, by + y, w, h]}
            )
        # the floor under the walls, so doorways have something to stand on
        self.floor.insert(0, _fill("concrete", (bx, by, bw, bh)))
        self.used.add("concrete")
        for x, y, w, h in _rectangles(~inside):
            self.walls.append(_fill("wall", (bx + x, by + y, w, h)))
        for dx, dy in b.doors:
            assert not inside[dy, dx], (b.sector, "door not on a wall", dx, dy)
            self.objects.append({"asset_id": "door", "position": [bx + dx + 0.5, by + dy + 1]})
        for room in b.rooms:
            rx, ry = bx + room.area[0], by + room.area[1]
            for tag, dx, dy in room.furniture:
                self._place(tag, rx + dx, ry + dy)

    def spawn(self, resident: Resident, x: int, y: int, soul_file: str) -> None:
        asset = "char_" + resident.name.lower().replace(" ", "_")
        self.characters[asset] = {
            "asset": {
                "type": "agent",
                "description": f"{resident.name}, {resident.age}, {resident.role}",
                "base_size": [1, 1],
                "visual_size": [1, 2],
            },
            "properties": {
                "character_name": resident.name,
                "is_agent": True,
                "soul_file": soul_file,
            },
        }
        self.npcs.append({"asset_id": asset, "position": [x + 0.5, y + 1]})

    def _place(self, tag: str, x: int, y: int) -> None:
        w, h = FURNITURE[tag][:2]
        self.used.add(tag)
        self.objects.append({"asset_id": _asset_id(tag), "position": [x + w / 2, y + h]})

    def scene(self) -> dict[str, Any]:
        assets: dict[str, Any] = {}
        props: dict[str, Any] = {}
        for fid, (tag, desc) in FLOORS.items():
            if fid in self.used:
                assets[fid] = {
                    "type": "tile",
                    "description": f"floor: {desc}",
                    "base_size": [1, 1],
                    "visual_size": [1, 1],
                }
                props[fid] = {"physics": "passable", "navigation": "walkable", "semantic_tag": tag}
        assets["wall"] = {
            "type": "tile",
            "description": "wall: painted brick wall",
            "base_size": [1, 1],
            "visual_size": [1, 1],
        }
        props["wall"] = {"physics": "solid", "navigation": "obstacle", "semantic_tag": "wall"}
        assets["door"] = {
            "type": "object",
            "description": "a wooden door",
            "base_size": [1, 1],
            "visual_size": [1, 2],
        }
        props["door"] = {
            "physics": "passable",
            "navigation": "walkable_door",
            "semantic_tag": "door",
        }
        for tag in sorted(t for t in self.used if t in FURNITURE):
            w, h, vw, vh, physics, nav, desc = FURNITURE[tag]
            assets[_asset_id(tag)] = {
                "type": "object",
                "description": desc,
                "base_size": [w, h],
                "visual_size": [vw, vh],
            }
            props[_asset_id(tag)] = {"physics": physics, "navigation": nav, "semantic_tag": tag}
        for asset_id, c in self.characters.items():
            assets[asset_id] = c["asset"]
            props[asset_id] = c["properties"]
        w, h = self.size
        return {
            "metadata": {
                "scene_name": self.name,
                "grid_size": [w, h],
                "description": self.description,
                "style_prompt": "cosy top-down pixel-art small town, 16 px tiles",
                "agents_dir": self.agents_dir,
            },
            "assets": assets,
            "layout": {
                "floor_layer": self.floor,
                "wall_layer": self.walls,
                "object_layer": self.objects,
                "npc_layer": self.npcs,
                "zone_layer": self.zones,
            },
            "properties": props,
        }


def free_tile(world, arena_address: str, taken: set[tuple[int, int]]) -> tuple[int, int]:
    """A walkable tile of the arena, not an object's use tile if avoidable, not taken."""
    tiles = world.places.tiles(arena_address)
    walk = world.grid.walkable
    use = {t for o in world.places.objects for t in o.use_tiles}
    cands = [(int(x), int(y)) for x, y in tiles.tolist() if walk[y, x] and (x, y) not in taken]
    cands.sort(key=lambda t: (t in use, t[1], t[0]))
    if not cands:
        raise SystemExit(f"no free tile for a spawn in {arena_address}")
    return cands[len(cands) // 2] if cands[0] in use else cands[0]


def write_scene(scene: dict[str, Any], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(scene, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def _fill(asset_id: str, area: tuple[int, int, int, int]) -> dict[str, Any]:
    return {"asset_id": asset_id, "command": "fill_rect", "area": list(area)}


def _asset_id(tag: str) -> str:
    return tag.replace(" ", "_")


def _rectangles(mask: np.ndarray) -> list[tuple[int, int, int, int]]:
    """Cover a boolean mask with few rectangles: row runs grown downwards."""
    mask = mask.copy()
    out = []
    h, w = mask.shape
    for y in range(h):
        x = 0
        while x < w:
            if not mask[y, x]:
                x += 1
                continue
            x1 = x
            while x1 < w and mask[y, x1]:
                x1 += 1
            y1 = y + 1
            while y1 < h and mask[y1, x:x1].all():
                y1 += 1
            mask[y:y1, x:x1] = False
            out.append((x, y, x1 - x, y1 - y))
            x = x1
    return out
