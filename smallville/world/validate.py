"""The three layout checks of World Craft: CFR, RCS and OPS, as exact fractions.

- CFR: share of objects and characters whose footprint lies inside the grid and
  overlaps no wall, no blocking object and no other character. "Blocking" is solid or
  navigation obstacle; a walkable, passable object (a rug) has no body, so it collides
  only with walls; a wall-mounted object (footprint entirely on wall, and a thing that
  hangs on walls: ``Scene.hangs_on_wall``) collides with nothing, while a floor object
  wholly on wall tiles (a bench in a wall) fails; a door collides only with a blocking
  object standing in it.
- RCS: share of arenas with a walkable tile in the main walkable component (the one
  joining the most arenas): the arenas one can walk between.
- OPS: share of placements that are well placed. An object (doors excepted) must name
  a defined asset, lie inside one arena, and have a usable tile that can be reached. A
  character must name a defined asset (its other checks are CFR's).
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from smallville.world.grid import Box, TileGrid, components, footprint
from smallville.world.places import Places
from smallville.world.schema import Scene


@dataclass(frozen=True, kw_only=True)
class Failure:
    metric: str  # "CFR" | "RCS" | "OPS"
    asset_id: str  # the asset, or the arena address for RCS
    position: tuple[float, float] | None
    message: str

    def __str__(self) -> str:
        where = f" at {list(self.position)}" if self.position is not None else ""
        return f"{self.metric}: {self.asset_id}{where}: {self.message}"


@dataclass(frozen=True, kw_only=True)
class Metrics:
    cfr: Fraction
    rcs: Fraction
    ops: Fraction
    failures: tuple[Failure, ...] = ()
    warnings: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return self.cfr == 1 and self.rcs == 1 and self.ops == 1


def validate(scene: Scene, grid: TileGrid, places: Places) -> Metrics:
    failures: list[Failure] = []
    cfr = _collisions(scene, grid, failures)
    main = _main_component(grid)
    rcs = _connectivity(grid, places, main, failures)
    ops = _placement(scene, grid, places, main, failures)
    return Metrics(cfr=cfr, rcs=rcs, ops=ops, failures=tuple(failures), warnings=_warnings(scene))


def _share(ok: int, total: int) -> Fraction:
    return Fraction(ok, total) if total else Fraction(1)


# ---------------------------------------------------------------------------- CFR
def _collisions(scene: Scene, grid: TileGrid, failures: list[Failure]) -> Fraction:
    w, h = grid.width, grid.height
    objs = scene.layout.object_layer
    chars = scene.layout.npc_layer
    obj_boxes = np.array([footprint(p.position, scene.base_size(p.asset_id)) for p in objs])
    char_boxes = np.array([footprint(p.position, scene.base_size(p.asset_id)) for p in chars])
    props = [scene.props(p.asset_id) for p in objs]
    body = np.array(
        [p.blocking and not p.is_door and not m for p, m in zip(props, grid.mounted, strict=True)],
        bool,
    )
    occupied = np.zeros((h, w), np.int16)  # characters per tile
    for box in char_boxes:
        x0, y0, x1, y1 = _clip(box, w, h)
        occupied[y0:y1, x0:x1] += 1
    solid_wall = grid.solid_wall
    ok = 0
    for i, placed in enumerate(objs):
        box = tuple(int(v) for v in obj_boxes[i])
        x0, y0, x1, y1 = box
        problem = _outside(box, w, h)
        if problem or grid.mounted[i]:
            pass
        elif props[i].is_door:
            if grid.blockers[y0:y1, x0:x1].any():
                problem = "the doorway is blocked by " + _names(objs, obj_boxes, body, box, i)
        elif solid_wall[y0:y1, x0:x1].all():
            problem = (
                f"is a floor object ({_kind(scene, placed.asset_id)}) standing wholly on wall "
                "tiles: only things that hang on a wall (windows, paintings, shelves, lamps, "
                "clocks...) or have no body may go there; move it onto the floor"
            )
        elif solid_wall[y0:y1, x0:x1].any():
            problem = "overlaps a wall (only an object wholly on wall tiles hangs on it)"
        elif body[i] and (grid.blockers[y0:y1, x0:x1] > 1).any():
            problem = "overlaps " + _names(objs, obj_boxes, body, box, i)
        elif body[i] and occupied[y0:y1, x0:x1].any():
            problem = "overlaps character " + _names(chars, char_boxes, None, box, -1)
        ok += _record(failures, "CFR", placed, problem)
    for i, placed in enumerate(chars):
        box = tuple(int(v) for v in char_boxes[i])
        x0, y0, x1, y1 = box
        problem = _outside(box, w, h)
        if problem:
            pass
        elif solid_wall[y0:y1, x0:x1].any():
            problem = "stands on a wall"
        elif grid.blockers[y0:y1, x0:x1].any():
            problem = "stands on " + _names(objs, obj_boxes, body, box, -1)
        elif (occupied[y0:y1, x0:x1] > 1).any():
            problem = "overlaps character " + _names(chars, char_boxes, None, box, i)
        elif not grid.walkable[y0:y1, x0:x1].all():
            problem = "stands where no one can walk (no walkable floor)"
        ok += _record(failures, "CFR", placed, problem)
    return _share(ok, len(objs) + len(chars))


def _kind(scene: Scene, asset_id: str) -> str:
    p = scene.props(asset_id)
    return f"tag {scene.tag(asset_id)!r}, {p.physics}, {p.navigation}"


def _record(failures: list[Failure], metric: str, placed, problem: str) -> int:
    """Add a failure when there is a problem; 1 when the placement passes."""
    if not problem:
        return 1
    failures.append(
        Failure(metric=metric, asset_id=placed.asset_id, position=placed.position, message=problem)
    )
    return 0


def _outside(box: Box, w: int, h: int) -> str:
    x0, y0, x1, y1 = box
    if x0 < 0 or y0 < 0 or x1 > w or y1 > h:
        return (
            f"footprint (tiles x {_span(x0, x1)}, y {_span(y0, y1)}) is outside the {w} x {h} "
            f"grid (expected 0 <= x < {w}, 0 <= y < {h})"
        )
    return ""


def _span(a: int, b: int) -> str:
    return str(a) if b - a == 1 else f"{a}..{b - 1}"


def _names(placed: list, boxes: np.ndarray, among: np.ndarray | None, box: Box, me: int) -> str:
    """The placements (of ``among``) whose footprints meet ``box``, with positions."""
    if boxes.size == 0:
        return "another placement"
    x0, y0, x1, y1 = box
    meet = (boxes[:, 0] < x1) & (boxes[:, 2] > x0) & (boxes[:, 1] < y1) & (boxes[:, 3] > y0)
    if among is not None:
        meet &= among
    if me >= 0:
        meet[me] = False
    hits = [f"{placed[j].asset_id} at {list(placed[j].position)}" for j in np.flatnonzero(meet)]
    return ", ".join(hits) or "another placement"


def _clip(box, w: int, h: int) -> Box:
    x0, y0, x1, y1 = (int(v) for v in box)
    return min(max(x0, 0), w), min(max(y0, 0), h), min(max(x1, 0), w), min(max(y1, 0), h)


# ---------------------------------------------------------------------------- RCS
def _main_component(grid: TileGrid) -> np.ndarray:
    """Mask of the walkable component joining the most arenas (ties: most tiles, first)."""
    labels, n = components(grid.walkable)
    if n == 0:
        return np.zeros_like(grid.walkable)
    both = (labels >= 0) & (grid.arena >= 0)
    pairs = np.unique(np.stack([labels[both], grid.arena[both]]), axis=1)
    arenas = np.bincount(pairs[0], minlength=n)
    tiles = np.bincount(labels[labels >= 0], minlength=n)
    best = max(range(n), key=lambda k: (arenas[k], tiles[k], -k))
    return labels == best


def _connectivity(grid: TileGrid, places: Places, main, failures) -> Fraction:
    if not places.arenas:
        failures.append(
            Failure(
                metric="RCS",
                asset_id=places.world,
                position=None,
                message="the layout has no arena (expected floor painted in floor_layer)",
            )
        )
        return Fraction(0)
    reached = set(np.unique(grid.arena[main & (grid.arena >= 0)]).tolist())
    for a in places.arenas:
        if a.index in reached:
            continue
        mine = grid.arena == a.index
        ys, xs = np.nonzero(mine)
        pos = (float(xs[0]), float(ys[0])) if xs.size else None
        if not (mine & grid.walkable).any():
            why = "has no walkable tile (expected floor not covered by walls or furniture)"
        else:
            why = "cannot be reached on foot from the other arenas (expected a door or opening)"
        failures.append(Failure(metric="RCS", asset_id=a.address, position=pos, message=why))
    return _share(len(reached), len(places.arenas))


# ---------------------------------------------------------------------------- OPS
def _placement(scene: Scene, grid: TileGrid, places: Places, main, failures) -> Fraction:
    by_index = {o.index: o for o in places.objects}
    ok = total = 0
    for i, placed in enumerate(scene.layout.object_layer):
        defined = placed.asset_id in scene.assets
        if defined and scene.props(placed.asset_id).is_door:
            continue
        total += 1
        o = by_index.get(i)
        problem = ""
        if not defined:
            problem = "references an undefined asset (expected a key of 'assets')"
        elif o is None:
            problem = "lies outside the grid, in no arena"
        elif o.arena < 0:
            problem = "lies in no arena"
        else:
            x0, y0, x1, y1 = o.box
            under = grid.arena[y0:y1, x0:x1]
            if not grid.mounted[i] and (under != o.arena).any():
                others = sorted({places.arenas[a].name for a in under.ravel() if a >= 0} - {""})
                where = f" (arenas: {', '.join(others)})" if len(others) > 1 else ""
                problem = f"lies partly outside its arena {places.arenas[o.arena].address}{where}"
            elif not any(main[y, x] for x, y in o.use_tiles):
                problem = "has no reachable walkable tile next to it to use it from"
        ok += _record(failures, "OPS", placed, problem)
    for placed in scene.layout.npc_layer:
        total += 1
        problem = ""
        if placed.asset_id not in scene.assets:
            problem = "references an undefined asset (expected a key of 'assets')"
        ok += _record(failures, "OPS", placed, problem)
    return _share(ok, total)


# ------------------------------------------------------------------------ warnings
def _warnings(scene: Scene) -> tuple[str, ...]:
    lay = scene.layout
    out = []
    used = {c.asset_id: "tile" for c in [*lay.floor_layer, *lay.wall_layer]}
    used.update({p.asset_id: "object" for p in lay.object_layer})
    used.update({p.asset_id: "character" for p in lay.npc_layer})
    for asset_id, role in used.items():
        asset = scene.assets.get(asset_id)
        if asset is None:
            continue  # an error, reported as such
        if asset_id not in scene.properties:
            out.append(
                f"asset {asset_id!r} has no properties entry: treated as passable, walkable, "
                f"tagged {asset_id!r}"
            )
        expected = {"tile": ("tile",), "object": ("object",), "character": ("npc", "agent")}[role]
        if asset.type not in expected:
            out.append(
                f"asset {asset_id!r} of type {asset.type!r} is used as a {role} "
                f"(expected type {' or '.join(repr(t) for t in expected)})"
            )
    return tuple(out)
