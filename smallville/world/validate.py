"""The three layout checks of World Craft: CFR, RCS and OPS, as exact fractions."""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np
from scipy import ndimage

from smallville.world.grid import TileGrid, footprint
from smallville.world.places import Places
from smallville.world.schema import Scene


@dataclass(frozen=True, kw_only=True)
class Failure:
    metric: str  # "CFR" | "RCS" | "OPS"
    asset_id: str
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
    warnings: tuple[str, ...] = field(default_factory=tuple)

    @property
    def ok(self) -> bool:
        return self.cfr == 1 and self.rcs == 1 and self.ops == 1

    def as_dict(self) -> dict:
        return {
            "cfr": str(self.cfr),
            "rcs": str(self.rcs),
            "ops": str(self.ops),
            "failures": [str(f) for f in self.failures],
            "warnings": list(self.warnings),
        }


def validate(scene: Scene, grid: TileGrid, places: Places) -> Metrics:
    failures: list[Failure] = []
    warnings = [
        f"asset {a!r} has no properties entry: treated as passable, walkable, tagged {a!r}"
        for a in sorted(_used_assets(scene))
        if a in scene.assets and a not in scene.properties
    ]
    cfr_ok, cfr_n = _collisions(scene, grid, failures)
    main = _main_component(grid, places)
    rcs_ok = _connectivity(grid, places, main, failures)
    ops_ok, ops_n = _placement(scene, grid, places, main, failures)
    return Metrics(
        cfr=Fraction(cfr_ok, cfr_n) if cfr_n else Fraction(1),
        rcs=Fraction(rcs_ok, len(places.arenas)) if places.arenas else Fraction(0),
        ops=Fraction(ops_ok, ops_n) if ops_n else Fraction(1),
        failures=tuple(failures),
        warnings=tuple(warnings),
    )


def _used_assets(scene: Scene) -> set[str]:
    lay = scene.layout
    return {
        c.asset_id for c in [*lay.floor_layer, *lay.wall_layer, *lay.object_layer, *lay.npc_layer]
    }


def _collisions(scene: Scene, grid: TileGrid, failures: list[Failure]) -> tuple[int, int]:
    w, h = grid.width, grid.height
    wall = grid.wall & ~grid.door
    chars = np.zeros((h, w), np.int16)
    char_boxes = []
    for placed in scene.layout.npc_layer:
        asset = scene.assets.get(placed.asset_id)
        box = footprint(placed.position, asset.base_size if asset else (1, 1))
        char_boxes.append(box)
        x0, y0, x1, y1 = _clip(box, w, h)
        chars[y0:y1, x0:x1] += 1
    ok = 0
    total = 0
    for i, placed in enumerate(scene.layout.object_layer):
        total += 1
        asset = scene.assets.get(placed.asset_id)
        box = footprint(placed.position, asset.base_size if asset else (1, 1))
        props = scene.props(placed.asset_id)
        problem = _outside(box, w, h)
        if not problem and props.navigation != "walkable_door":
            x0, y0, x1, y1 = box
            on_wall = wall[y0:y1, x0:x1]
            solid_here = grid.solid_count[y0:y1, x0:x1]
            mounted = bool(on_wall.all())
            own = 1 if props.physics == "solid" and not mounted else 0
            if on_wall.any() and not mounted:
                problem = "overlaps a wall"
            elif (solid_here - own).max() > 0:
                problem = f"overlaps a solid object ({_other(grid, box, i, scene)})"
            elif chars[y0:y1, x0:x1].any() and props.physics == "solid":
                problem = "overlaps a character's spawn point"
        if problem:
            failures.append(
                Failure(
                    metric="CFR",
                    asset_id=placed.asset_id,
                    position=placed.position,
                    message=problem,
                )
            )
        else:
            ok += 1
    for placed, box in zip(scene.layout.npc_layer, char_boxes, strict=True):
        total += 1
        problem = _outside(box, w, h)
        if not problem:
            x0, y0, x1, y1 = box
            if wall[y0:y1, x0:x1].any():
                problem = "stands on a wall"
            elif grid.solid_count[y0:y1, x0:x1].any():
                problem = "stands on a solid object"
            elif chars[y0:y1, x0:x1].max() > 1:
                problem = "overlaps another character"
            elif not grid.walkable[y0:y1, x0:x1].all():
                problem = "stands on a tile that is not walkable"
        if problem:
            failures.append(
                Failure(
                    metric="CFR",
                    asset_id=placed.asset_id,
                    position=placed.position,
                    message=problem,
                )
            )
        else:
            ok += 1
    return ok, total


def _outside(box: tuple[int, int, int, int], w: int, h: int) -> str:
    x0, y0, x1, y1 = box
    if x0 < 0 or y0 < 0 or x1 > w or y1 > h:
        return f"footprint x {x0}..{x1 - 1}, y {y0}..{y1 - 1} is outside the {w} x {h} grid"
    return ""


def _other(grid: TileGrid, box, me: int, scene: Scene) -> str:
    x0, y0, x1, y1 = box
    ids = {int(i) for i in np.unique(grid.obj[y0:y1, x0:x1]) if i >= 0 and i != me}
    names = sorted(scene.layout.object_layer[i].asset_id for i in ids)
    return ", ".join(names) if names else "another object"


def _clip(box, w, h):
    x0, y0, x1, y1 = box
    return max(x0, 0), max(y0, 0), min(x1, w), min(y1, h)


def _main_component(grid: TileGrid, places: Places) -> np.ndarray:
    """Mask of the walkable component that touches the most arenas (ties: most tiles)."""
    labels, n = ndimage.label(grid.walkable)
    if n == 0:
        return np.zeros_like(grid.walkable)
    arena_of = places.arena_grid
    best, best_key = 0, (-1, -1)
    for lab in range(1, n + 1):
        mask = labels == lab
        key = (len(np.unique(arena_of[mask & (arena_of >= 0)])), int(mask.sum()))
        if key > best_key:
            best, best_key = lab, key
    return labels == best


def _connectivity(grid: TileGrid, places: Places, main: np.ndarray, failures) -> int:
    ok = 0
    for a in places.arenas:
        mine = places.arena_grid == a.index
        if (mine & main).any():
            ok += 1
            continue
        ys, xs = np.nonzero(mine)
        pos = (float(xs.min()), float(ys.min())) if xs.size else None
        why = (
            "has no walkable tile"
            if not (mine & grid.walkable).any()
            else ("cannot be reached on foot from the other arenas (no door or opening)")
        )
        failures.append(Failure(metric="RCS", asset_id=a.address, position=pos, message=why))
    return ok


def _placement(scene: Scene, grid: TileGrid, places: Places, main, failures) -> tuple[int, int]:
    by_index = {o.index: o for o in places.objects}
    ok = total = 0
    for i, placed in enumerate(scene.layout.object_layer):
        if scene.props(placed.asset_id).navigation == "walkable_door" and (
            placed.asset_id in scene.assets
        ):
            continue
        total += 1
        problem = ""
        if placed.asset_id not in scene.assets:
            problem = "references an undefined asset (expected a key of 'assets')"
        else:
            o = by_index.get(i)
            if o is None or o.arena < 0:
                problem = "lies in no arena"
            else:
                x0, y0, x1, y1 = o.box
                inside = places.arena_grid[y0:y1, x0:x1] == o.arena
                mounted = bool((grid.wall & ~grid.door)[y0:y1, x0:x1].all())
                if not inside.all() and not mounted:
                    problem = f"straddles arenas (expected it inside {o.address.rsplit(':', 1)[0]})"
                elif not any(main[y, x] for x, y in o.use_tiles):
                    problem = "has no reachable walkable tile next to it to use it from"
        if problem:
            failures.append(
                Failure(
                    metric="OPS",
                    asset_id=placed.asset_id,
                    position=placed.position,
                    message=problem,
                )
            )
        else:
            ok += 1
    return ok, total
