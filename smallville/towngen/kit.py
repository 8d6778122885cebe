"""Build World-Craft-style scenes from a compact spec of buildings, rooms and furniture.

A building is a rectangle; its rooms are rectangles of floor inside it; every other
tile of the building is wall. Doors are tiles of that wall. Furniture is placed by
its top-left tile inside a room: a kind of ``catalogue.FURNITURE``, or one the town
was taught (``Town.add_kind``). The builder writes floors, walls, doors, objects,
zones (our ``zone_layer``) and character spawns. Before anything is written the
scene passes two checks: our own rasterisation here (``check_scene``, which names
the building and room at fault) and the project's validator (CFR = RCS = OPS = 1).
"""

from __future__ import annotations

import json
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from smallville.towngen.catalogue import FLOORS, FURNITURE, Kind

STYLE = "cosy top-down pixel-art small town, 16 px tiles"
Pair = tuple[int, int]


class SpecError(ValueError):
    """The town spec is wrong: the message names the building, room and thing at fault."""


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

    def __init__(self, name: str, size: Pair, description: str, agents_dir: str, style=STYLE):
        self.name = name
        self.size = size
        self.description = description
        self.agents_dir = agents_dir
        self.style = style
        self.floor: list[dict] = []
        self.walls: list[dict] = []
        self.objects: list[dict] = []
        self.npcs: list[dict] = []
        self.zones: list[dict] = []
        self.floors_used: set[str] = set()
        self.kinds: dict[str, Kind] = dict(FURNITURE)
        self.kinds_used: set[str] = set()
        self.things: dict[str, str] = {}  # asset id -> tag of kinds added
        self.characters: dict[str, dict] = {}

    def add_kind(self, tag: str, kind: Kind) -> None:
        """Furnish with a thing the catalogue lacks. Its asset id is prefixed "thing_" so
        that no name ("wall", "door", "grass") can clash with another asset's id."""
        aid = self.asset_id(tag)
        if tag in FURNITURE or self.things.setdefault(aid, tag) != tag:
            raise SpecError(f"{tag!r}: its asset id {aid!r} is already another thing's")
        self.kinds[tag] = kind

    def asset_id(self, tag: str) -> str:
        return asset_id(tag) if tag in FURNITURE else "thing_" + asset_id(tag)

    def outdoor(self, o: Outdoor) -> None:
        self._floor(o.floor, o.area)
        for floor, area in o.paint:
            self._floor(floor, area)
        self.zones.append({"sector": o.sector, "arena": o.arena, "area": list(o.area)})
        x0, y0, w, h = o.area
        for tag, x, y in o.furniture:
            self._fits(tag, x - x0, y - y0, (w, h), f"{o.sector}/{o.arena}")
            self._place(tag, x, y)

    def building(self, b: Building) -> None:
        bx, by = b.origin
        bw, bh = b.size
        inside = np.zeros((bh, bw), bool)
        for room in b.rooms:
            where = f"{b.sector}/{room.name}"
            x, y, w, h = room.area
            if not (x > 0 and y > 0 and x + w < bw and y + h < bh):
                raise SpecError(f"{where}: room {room.area} must leave a wall inside {b.size}")
            if inside[y : y + h, x : x + w].any():
                raise SpecError(f"{where}: room {room.area} overlaps another room")
            inside[y : y + h, x : x + w] = True
            self.zones.append(
                {"sector": b.sector, "arena": room.name, "area": [bx + x, by + y, w, h]}
            )
            taken = np.zeros((h, w), bool)
            for tag, dx, dy in room.furniture:
                fw, fh = self._fits(tag, dx, dy, (w, h), where)
                if taken[dy : dy + fh, dx : dx + fw].any():
                    raise SpecError(f"{where}: {tag!r} at ({dx}, {dy}) overlaps other furniture")
                taken[dy : dy + fh, dx : dx + fw] = True
        # the floor under the walls, so doorways have something to stand on
        self._floor("floor_doorstep", (bx, by, bw, bh))
        for room in b.rooms:
            x, y, w, h = room.area
            self._floor(room.floor, (bx + x, by + y, w, h))
        for x, y, w, h in _rectangles(~inside):
            self.walls.append(_fill("wall", (bx + x, by + y, w, h)))
        for dx, dy in b.doors:
            _check_door(b, inside, dx, dy)
            self.objects.append({"asset_id": "door", "position": [bx + dx + 0.5, by + dy + 1]})
        for room in b.rooms:
            rx, ry = bx + room.area[0], by + room.area[1]
            for tag, dx, dy in room.furniture:
                self._place(tag, rx + dx, ry + dy)

    def spawn(self, resident: Resident, x: int, y: int, soul_file: str) -> None:
        asset = "char_" + slug(resident.name)
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

    def _floor(self, floor: str, area: tuple[int, int, int, int]) -> None:
        if floor not in FLOORS:
            raise SpecError(f"floor {floor!r} at {area} is not one of {sorted(FLOORS)}")
        self.floors_used.add(floor)
        self.floor.append(_fill(floor, area))

    def _fits(
        self, tag: str, dx: int, dy: int, room: tuple[int, int], where: str
    ) -> tuple[int, int]:
        if tag not in self.kinds:
            raise SpecError(f"{where}: unknown furniture {tag!r} (add it to catalogue.FURNITURE)")
        fw, fh = self.kinds[tag][:2]
        if dx < 0 or dy < 0 or dx + fw > room[0] or dy + fh > room[1]:
            raise SpecError(f"{where}: {tag!r} ({fw}x{fh}) at ({dx}, {dy}) sticks out of {room}")
        return fw, fh

    def _place(self, tag: str, x: int, y: int) -> None:
        w, h = self.kinds[tag][:2]
        self.kinds_used.add(tag)
        self.objects.append({"asset_id": self.asset_id(tag), "position": [x + w / 2, y + h]})

    def scene(self) -> dict[str, Any]:
        assets: dict[str, Any] = {}
        props: dict[str, Any] = {}
        for fid, (tag, desc) in FLOORS.items():
            if fid in self.floors_used:
                assets[fid] = _asset("tile", f"floor: {desc}", (1, 1), (1, 1))
                props[fid] = {"physics": "passable", "navigation": "walkable", "semantic_tag": tag}
        assets["wall"] = _asset("tile", "wall: painted brick wall", (1, 1), (1, 1))
        props["wall"] = {"physics": "solid", "navigation": "obstacle", "semantic_tag": "wall"}
        assets["door"] = _asset("object", "a wooden door", (1, 1), (1, 2))
        props["door"] = {
            "physics": "passable",
            "navigation": "walkable_door",
            "semantic_tag": "door",
        }
        for tag in sorted(self.kinds_used):
            w, h, vw, vh, physics, nav, desc = self.kinds[tag]
            aid = self.asset_id(tag)
            assets[aid] = _asset("object", desc, (w, h), (vw, vh))
            props[aid] = {"physics": physics, "navigation": nav, "semantic_tag": tag}
        for aid, c in self.characters.items():
            assets[aid] = c["asset"]
            props[aid] = c["properties"]
        w, h = self.size
        return {
            "metadata": {
                "scene_name": self.name,
                "grid_size": [w, h],
                "description": self.description,
                "style_prompt": self.style,
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


def check_scene(scene: dict[str, Any]) -> list[str]:
    """Our own reading of a built scene: what would fail CFR, RCS or OPS, in words.

    Independent of the project's validator on purpose: two implementations of the
    bottom-centre rule and of reachability have to agree before a town is written.
    """
    w, h = scene["metadata"]["grid_size"]
    lay, props = scene["layout"], scene["properties"]
    floor, wall = (_mask(lay[layer], (h, w)) for layer in ("floor_layer", "wall_layer"))
    arena = np.full((h, w), -1)
    names = []
    for z in lay["zone_layer"]:
        key = f"{z['sector']}:{z['arena']}"
        if key not in names:
            names.append(key)
        arena[_slice(z["area"])] = names.index(key)
    problems: list[str] = []
    occupied = np.full((h, w), -1)
    items = []
    for i, o in enumerate(lay["object_layer"]):
        aid = o["asset_id"]
        box = _footprint(o["position"], scene["assets"][aid]["base_size"])
        where = f"{aid} at {o['position']}"
        if box[0] < 0 or box[1] < 0 or box[2] > w or box[3] > h:
            problems.append(f"{where}: outside the grid")
            continue
        sl = (slice(box[1], box[3]), slice(box[0], box[2]))
        if props[aid]["navigation"] == "walkable_door":
            if not wall[sl].all():
                problems.append(f"{where}: a door must stand on a wall tile")
            wall[sl] = False
            continue
        if (occupied[sl] >= 0).any():
            problems.append(f"{where}: overlaps {lay['object_layer'][occupied[sl].max()]}")
        if wall[sl].any():
            problems.append(f"{where}: stands on a wall")
        if len(set(arena[sl].ravel().tolist())) != 1 or arena[sl].min() < 0:
            problems.append(f"{where}: not inside exactly one arena")
        occupied[sl] = i
        items.append((where, box, int(arena[sl].max())))
    walkable = floor & ~wall & (occupied < 0)
    reached = _reach(walkable)
    for where, (x0, y0, x1, y1), a in items:
        ring = [(x, y) for x in range(x0, x1) for y in (y0 - 1, y1)]
        ring += [(x, y) for y in range(y0, y1) for x in (x0 - 1, x1)]
        use = [(x, y) for x, y in ring if 0 <= x < w and 0 <= y < h and walkable[y, x]]
        if not any(arena[y, x] == a and reached[y, x] for x, y in use):
            problems.append(f"{where}: no reachable tile beside it in its own room")
    for i, name in enumerate(names):
        if not (reached & (arena == i)).any():
            problems.append(f"arena {name}: not reachable from the rest of the town")
    spawns: set[tuple[int, int]] = set()
    for c in lay["npc_layer"]:
        x0, y0, _, _ = _footprint(c["position"], [1, 1])
        if not (0 <= x0 < w and 0 <= y0 < h and walkable[y0, x0]) or (x0, y0) in spawns:
            problems.append(f"{c['asset_id']} at {c['position']}: spawn not on a free floor tile")
        spawns.add((x0, y0))
    return problems


def free_tile(world, arena_address: str, taken: set[tuple[int, int]]) -> tuple[int, int]:
    """A walkable tile of the arena, not an object's use tile if avoidable, not taken."""
    tiles = world.places.tiles(arena_address)
    walk = world.grid.walkable
    use = {t for o in world.places.objects for t in o.use_tiles}
    cands = [(int(x), int(y)) for x, y in tiles.tolist() if walk[y, x] and (x, y) not in taken]
    cands.sort(key=lambda t: (t in use, t[1], t[0]))
    if not cands:
        raise SpecError(f"no free tile for a spawn in {arena_address}")
    return cands[len(cands) // 2] if cands[0] in use else cands[0]


def write_scene(scene: dict[str, Any], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(scene, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def slug(name: str) -> str:
    return name.lower().replace(" ", "_")


def asset_id(tag: str) -> str:
    return tag.replace(" ", "_")


def _asset(kind: str, desc: str, base: tuple[int, int], visual: tuple[int, int]) -> dict:
    return {"type": kind, "description": desc, "base_size": list(base), "visual_size": list(visual)}


def _check_door(b: Building, inside: np.ndarray, dx: int, dy: int) -> None:
    """A door is a wall tile with open ground (a room or outdoors) on two opposite sides."""
    bw, bh = b.size
    if not (0 <= dx < bw and 0 <= dy < bh) or inside[dy, dx]:
        raise SpecError(f"{b.sector}: door ({dx}, {dy}) is not on the building's wall")

    def open_(x: int, y: int) -> bool:
        return not (0 <= x < bw and 0 <= y < bh) or bool(inside[y, x])

    if not (open_(dx - 1, dy) and open_(dx + 1, dy)) and not (
        open_(dx, dy - 1) and open_(dx, dy + 1)
    ):
        raise SpecError(f"{b.sector}: door ({dx}, {dy}) does not lead from one space to another")


def _footprint(pos: list[float], size: list[int]) -> tuple[int, int, int, int]:
    """Bottom-centre rule: tiles whose centres lie in [px - w/2, px + w/2) x [py - h, py)."""
    (px, py), (fw, fh) = pos, size
    x0 = int(np.ceil(px - fw / 2 - 0.5))
    y0 = int(np.ceil(py - fh - 0.5))
    return x0, y0, x0 + fw, y0 + fh


def _reach(walkable: np.ndarray) -> np.ndarray:
    """Tiles reachable on foot (4-neighbour BFS) from the first walkable tile."""
    h, w = walkable.shape
    seen = np.zeros_like(walkable)
    starts = np.argwhere(walkable)
    if not len(starts):
        return seen
    y, x = starts[0]
    seen[y, x] = True
    todo = deque([(int(x), int(y))])
    while todo:
        x, y = todo.popleft()
        for nx, ny in ((x + 1, y), (x - 1, y), (x, y + 1), (x, y - 1)):
            if 0 <= nx < w and 0 <= ny < h and walkable[ny, nx] and not seen[ny, nx]:
                seen[ny, nx] = True
                todo.append((nx, ny))
    return seen


def _mask(commands: list[dict], shape: tuple[int, int]) -> np.ndarray:
    """The tiles a layer's fill_rect commands paint."""
    mask = np.zeros(shape, bool)
    for c in commands:
        mask[_slice(c["area"])] = True
    return mask


def _slice(area: list[int]) -> tuple[slice, slice]:
    x, y, w, h = area
    return slice(max(y, 0), y + h), slice(max(x, 0), x + w)


def _fill(asset: str, area: tuple[int, int, int, int]) -> dict[str, Any]:
    return {"asset_id": asset, "command": "fill_rect", "area": list(area)}


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
