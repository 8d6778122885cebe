"""World layer: footprints, rasterising, places and addresses, metrics, bundled worlds."""

from __future__ import annotations

import json
import time
from collections import deque
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from smallville.world import World, WorldError, footprint, load_scene, parse_scene, rasterize
from smallville.world.grid import components

ROOT = Path(__file__).resolve().parents[1]


def _asset(kind: str, base: list[int], visual: list[int] | None = None) -> dict:
    return {"type": kind, "description": kind, "base_size": base, "visual_size": visual or base}


def _props(physics: str, navigation: str, tag: str) -> dict:
    return {"physics": physics, "navigation": navigation, "semantic_tag": tag}


def house(zones: bool = False) -> dict:
    """A World-Craft-style 12 x 7 house, no zone_layer unless asked.

    y\\x 0 1 2 3 4 5 6 7 8 9 10 11     W wall, D door (object at (6, 3)), B bed (2, 2-3),
    0    W W W W W W W W W W W  W      P painting on the top wall at (4, 0), S stove (9, 1),
    1    W . . . P'. W , , S ,  W      R rug (3 x 1) at (7-9, 5), A Ann at (4, 4).
    2    W . B . . . W , , , ,  W      Bedroom: wood floor x 0-5; kitchen: tiles x 7-11.
    3    W . B . . . D , , , ,  W
    4    W . . . A . W , , , ,  W
    5    W . . . . . W R R R ,  W
    6    W W W W W W W W W W W  W
    """
    scene = {
        "metadata": {
            "scene_name": "Test House",
            "grid_size": [12, 7],
            "description": "two rooms and a door",
            "style_prompt": "16-bit pixel art",
        },
        "assets": {
            "floor_wood": _asset("tile", [1, 1], [2, 2]),
            "floor_tiles": _asset("tile", [1, 1], [2, 2]),
            "wall_brick": _asset("tile", [1, 1], [1, 6]),
            "door_oak": _asset("object", [1, 1], [1, 2]),
            "bed_single": _asset("object", [1, 2], [1, 3]),
            "stove_iron": _asset("object", [1, 1], [1, 2]),
            "painting": _asset("object", [1, 1]),
            "rug_long": _asset("object", [3, 1]),
            "agent_ann": _asset("agent", [1, 1], [2, 3]),
        },
        "layout": {
            "floor_layer": [
                {"asset_id": "floor_tiles", "command": "fill_rect", "area": [0, 0, 12, 7]},
                {"asset_id": "floor_wood", "command": "fill_rect", "area": [0, 0, 7, 7]},
            ],
            "wall_layer": [
                {"asset_id": "wall_brick", "command": "fill_rect", "area": [0, 0, 12, 1]},
                {"asset_id": "wall_brick", "command": "fill_rect", "area": [0, 6, 12, 1]},
                {"asset_id": "wall_brick", "command": "fill_rect", "area": [0, 0, 1, 7]},
                {"asset_id": "wall_brick", "command": "fill_rect", "area": [11, 0, 1, 7]},
                {"asset_id": "wall_brick", "command": "fill_rect", "area": [6, 0, 1, 7]},
            ],
            "object_layer": [
                {"asset_id": "door_oak", "position": [6.5, 4]},
                {"asset_id": "bed_single", "position": [2.5, 4]},
                {"asset_id": "stove_iron", "position": [9.5, 2]},
                {"asset_id": "painting", "position": [4.5, 1]},
                {"asset_id": "rug_long", "position": [8.5, 6]},
            ],
            "npc_layer": [{"asset_id": "agent_ann", "position": [4.5, 5]}],
        },
        "properties": {
            "floor_wood": _props("passable", "walkable", "floor_bedroom"),
            "floor_tiles": _props("passable", "walkable", "floor_kitchen"),
            "wall_brick": _props("solid", "obstacle", "wall"),
            "door_oak": _props("passable", "walkable_door", "door_main"),
            "bed_single": _props("solid", "obstacle", "bed"),
            "stove_iron": _props("solid", "obstacle", "stove"),
            "painting": _props("passable", "walkable", "painting"),
            "rug_long": _props("passable", "walkable", "rug"),
            "agent_ann": {
                "character_name": "Ann Lee",
                "is_agent": True,
                "soul_file": "agents/test/ann_lee.json",
            },
        },
    }
    if zones:
        scene["layout"]["zone_layer"] = [
            {"sector": "Lee House", "arena": "bedroom", "area": [0, 0, 6, 7]},
            {"sector": "Lee House", "arena": "kitchen", "area": [7, 0, 5, 7]},
        ]
    return scene


def _write(tmp_path: Path, scene: dict, name: str = "scene.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(scene), encoding="utf-8")
    return path


# ----------------------------------------------------------------- footprints
def test_footprint_examples_odd_and_even():
    """Bottom-centre anchoring puts footprints exactly where WORLD_FORMAT.md says."""
    assert footprint((2.5, 4), (1, 2)) == (2, 2, 3, 4)
    assert footprint((3, 4), (2, 1)) == (2, 3, 4, 4)
    assert footprint((4.5, 5), (3, 3)) == (3, 2, 6, 5)
    assert footprint((4, 5), (3, 1)) == (2, 4, 5, 5)  # odd width, integer centre


@pytest.mark.parametrize("w", [1, 2, 3, 4, 5])
@pytest.mark.parametrize("h", [1, 2, 3])
def test_footprint_matches_the_tile_centre_rule(w, h):
    """Covered tiles are those whose centre lies in [px-w/2, px+w/2) x [py-h, py): w x h."""
    for px in np.arange(2.0, 4.01, 0.25):
        for py in (6.0, 6.5, 6.75):
            x0, y0, x1, y1 = footprint((float(px), py), (w, h))
            xs = [i for i in range(-5, 20) if px - w / 2 <= i + 0.5 < px + w / 2]
            ys = [j for j in range(-5, 20) if py - h <= j + 0.5 < py]
            assert (list(range(x0, x1)), list(range(y0, y1))) == (xs, ys)
            assert (x1 - x0, y1 - y0) == (w, h)


# ------------------------------------------------------------------ the grid
def test_grid_walls_doors_and_objects():
    """Walls block, the door cuts its wall, solid objects block, rugs and paintings do not."""
    g = rasterize(parse_scene(house()))
    assert g.walkable.shape == (7, 12) and g.walkable.dtype == bool
    assert not g.walkable[0, :].any() and not g.walkable[6, :].any()
    assert not g.walkable[[1, 2, 4, 5], 6].any()
    assert g.walkable[3, 6] and g.door[3, 6] and g.wall[3, 6]
    assert not g.walkable[2, 2] and not g.walkable[3, 2]  # the bed, 1 x 2
    assert g.walkable[1, 2] and g.walkable[4, 2]
    assert not g.walkable[1, 9] and g.obj[1, 9] == 2  # the stove, third object
    assert g.walkable[5, 7:10].all() and (g.obj[5, 7:10] == 4).all()  # rug, odd width 3
    assert g.obj[0, 4] == 3 and g.mounted[3]  # the painting hangs on the top wall
    assert g.floor_assets == ("floor_tiles", "floor_wood")
    assert (g.floor[:, :7] == 1).all() and (g.floor[:, 7:] == 0).all()  # later over earlier
    assert g.floor.dtype == np.int16 and g.obj.dtype == np.int32 and g.arena.dtype == np.int32


def test_wall_layer_paints_in_order_and_door_tiles_open_walls():
    """A door tile in the wall layer opens it; a later wall rectangle closes it again."""
    scene = house()
    scene["layout"]["object_layer"].pop(0)  # no door object
    scene["assets"]["door_tile"] = _asset("tile", [1, 1])
    scene["properties"]["door_tile"] = _props("passable", "walkable_door", "door_side")
    walls = scene["layout"]["wall_layer"]
    walls.append({"asset_id": "door_tile", "command": "fill_rect", "area": [6, 2, 1, 2]})
    g = rasterize(parse_scene(scene))
    assert g.walkable[2, 6] and g.walkable[3, 6] and g.door[2:4, 6].all()
    walls.append({"asset_id": "wall_brick", "command": "fill_rect", "area": [6, 2, 1, 1]})
    g = rasterize(parse_scene(scene))
    assert not g.walkable[2, 6] and not g.door[2, 6] and g.walkable[3, 6]


def test_wall_opening_without_door_connects_rooms():
    """A gap left in a wall rectangle is an opening people walk through."""
    scene = house()
    scene["layout"]["object_layer"].pop(0)
    scene["layout"]["wall_layer"][4] = {
        "asset_id": "wall_brick",
        "command": "fill_rect",
        "area": [6, 0, 1, 3],
    }
    scene["layout"]["wall_layer"].append(
        {"asset_id": "wall_brick", "command": "fill_rect", "area": [6, 4, 1, 3]}
    )
    world = World(parse_scene(scene))
    assert world.grid.walkable[3, 6] and not world.grid.door.any()
    assert world.metrics.ok and list(world.graph.edges) == [(0, 1)]


def test_components_match_a_plain_bfs():
    """The numpy union-find labels the same 4-connected regions as a BFS, in reading order."""
    rng = np.random.default_rng(7)
    for density in (0.3, 0.55, 0.8):
        mask = rng.random((23, 31)) < density
        labels, n = components(mask)
        expected = -np.ones(mask.shape, int)
        count = 0
        for y, x in zip(*np.nonzero(mask), strict=True):
            if expected[y, x] >= 0:
                continue
            expected[y, x] = count
            queue = deque([(y, x)])
            while queue:
                cy, cx = queue.popleft()
                for ny, nx_ in ((cy - 1, cx), (cy + 1, cx), (cy, cx - 1), (cy, cx + 1)):
                    if 0 <= ny < 23 and 0 <= nx_ < 31 and mask[ny, nx_] and expected[ny, nx_] < 0:
                        expected[ny, nx_] = count
                        queue.append((ny, nx_))
            count += 1
        assert n == count and (labels == expected).all()


# ------------------------------------------------------------ places, addresses
def test_derived_arenas_for_a_world_craft_scene(tmp_path):
    """Without zone_layer, rooms come from floors and walls, named from the floor tags."""
    world = World.load(_write(tmp_path, house(zones=False)))
    p = world.places
    assert [a.address for a in p.arenas] == [
        "Test House:Test House:bedroom",
        "Test House:Test House:kitchen",
    ]
    assert p.sectors == ["Test House"]
    assert p.arena_at(3, 3).name == "bedroom" and p.arena_at(8, 3).name == "kitchen"
    assert p.arena_at(6, 3) is None and p.arena_at(0, 0) is None  # doorway, wall
    assert world.graph.nodes[0]["name"] == "Test House:Test House:bedroom"
    assert list(world.graph.edges) == [(0, 1)]  # the door joins them
    assert world.metrics.ok


def test_derived_arenas_number_repeated_tags():
    """Two rooms with one floor tag get numbered names in reading order."""
    scene = house()
    scene["layout"]["floor_layer"] = [
        {"asset_id": "floor_wood", "command": "fill_rect", "area": [0, 0, 12, 7]}
    ]
    world = World(parse_scene(scene))
    assert [a.name for a in world.places.arenas] == ["bedroom", "bedroom 2"]
    assert world.places.arena_at(9, 4).name == "bedroom 2"


@pytest.mark.parametrize("zones", [True, False])
def test_address_lookups_both_ways(zones):
    """tile -> address -> tiles round-trips for objects and arenas, in both arena modes."""
    world = World(parse_scene(house(zones)))
    p = world.places
    sector = "Lee House" if zones else "Test House"
    bed = f"Test House:{sector}:bedroom:bed"
    assert p.address_at(2, 3) == bed and p.address_at(2, 2) == bed
    assert sorted(map(tuple, p.tiles(bed).tolist())) == [(2, 2), (2, 3)]
    assert p.address_at(8, 3) == f"Test House:{sector}:kitchen"
    assert p.address_at(0, 3) is None and p.address_at(40, 3) is None
    kitchen = p.tiles(f"Test House:{sector}:kitchen")
    assert kitchen.shape[1] == 2 and kitchen.dtype.kind == "i"
    assert all(
        p.address_at(x, y).startswith(f"Test House:{sector}:kitchen") for x, y in kitchen.tolist()
    )
    assert {tuple(t) for t in p.tiles(f"Test House:{sector}").tolist()} >= {
        tuple(t) for t in kitchen.tolist()
    }
    assert [o.tag for o in p.objects_in(f"Test House:{sector}:kitchen")] == ["stove", "rug"]
    assert p.resolve(f"Test House:{sector}") == sector
    assert p.resolve(bed).asset_id == "bed_single"
    with pytest.raises(KeyError, match=f"sectors: {sector}"):
        p.resolve("Test House:Nowhere:attic")


def test_objects_use_tiles_and_repeated_tags():
    """A solid object is used from walkable neighbours; a repeated tag gets ' 2'."""
    scene = house(zones=True)
    scene["layout"]["object_layer"].append({"asset_id": "stove_iron", "position": [8.5, 2]})
    p = World(parse_scene(scene)).places
    stoves = [o for o in p.objects if o.asset_id == "stove_iron"]
    assert [o.address for o in stoves] == [
        "Test House:Lee House:kitchen:stove",
        "Test House:Lee House:kitchen:stove 2",
    ]
    assert stoves[0].tiles == ((9, 1),) and stoves[0].use_tiles == ((10, 1), (9, 2))
    rug = next(o for o in p.objects if o.tag == "rug")
    assert rug.use_tiles == rug.tiles == ((7, 5), (8, 5), (9, 5))
    painting = next(o for o in p.objects if o.tag == "painting")
    assert painting.address == "Test House:Lee House:bedroom:painting"
    assert painting.use_tiles == ((4, 1),)


def test_spawns_carry_character_properties():
    """Characters keep name, persona file and agent flag; a bare npc falls back to its id."""
    scene = house()
    scene["assets"]["npc_cat"] = _asset("npc", [1, 1])
    scene["layout"]["npc_layer"].append({"asset_id": "npc_cat", "position": [8.5, 4]})
    world = World(parse_scene(scene))
    ann, cat = world.places.spawns
    assert (ann.name, ann.soul_file, ann.is_agent) == ("Ann Lee", "agents/test/ann_lee.json", True)
    assert (cat.name, cat.soul_file, cat.is_agent) == ("npc_cat", None, False)
    assert any("npc_cat" in w for w in world.metrics.warnings)


# -------------------------------------------------------------------- metrics
def test_metrics_are_exact_fractions():
    """CFR, RCS and OPS are Fractions; a clean layout scores exactly 1 on each."""
    m = World(parse_scene(house())).metrics
    assert all(isinstance(v, Fraction) for v in (m.cfr, m.rcs, m.ops))
    assert (m.cfr, m.rcs, m.ops) == (1, 1, 1) and m.ok and m.failures == ()
    scene = house()
    scene["layout"]["object_layer"].append({"asset_id": "stove_iron", "position": [2.5, 3]})
    m = World(parse_scene(scene)).metrics
    assert m.cfr == Fraction(5, 7) and not m.ok  # 6 objects + 1 character, bed and stove clash


def test_missing_properties_is_a_warning():
    """An asset without a properties entry is passable, walkable, tagged by its id."""
    scene = house()
    del scene["properties"]["stove_iron"]
    world = World(parse_scene(scene))
    assert world.metrics.ok
    assert any("'stove_iron' has no properties entry" in w for w in world.metrics.warnings)
    assert world.grid.walkable[1, 9]
    assert world.places.address_at(9, 1) == "Test House:Test House:kitchen:stove_iron"


def test_extra_keys_are_tolerated(tmp_path):
    """Keys World Craft may add (anywhere) load unchanged."""
    scene = house()
    scene["metadata"]["generator"] = "World Craft"
    scene["assets"]["bed_single"]["palette"] = ["red"]
    scene["layout"]["object_layer"][2]["rotation"] = 0
    scene["properties"]["bed_single"]["interactions"] = ["sleep"]
    scene["world_guild"] = {"version": 1}
    world = World.load(_write(tmp_path, scene))
    assert world.metrics.ok
    assert world.scene.layout.object_layer[2].model_extra == {"rotation": 0}


def test_world_load_refuses_a_failing_layout_unless_allowed(tmp_path):
    """World.load lists the failures and refuses; allow_invalid loads it anyway."""
    scene = house()
    scene["layout"]["object_layer"].pop(0)  # no door: the kitchen is cut off
    path = _write(tmp_path, scene)
    with pytest.raises(WorldError, match=r"RCS 1/2[\s\S]*Test House:Test House:kitchen"):
        World.load(path)
    assert World.load(path, allow_invalid=True).metrics.rcs == Fraction(1, 2)


# ------------------------------------------------------------ bundled worlds
def test_bundled_worlds_load_and_pass_checks():
    """Every world in worlds/ loads with CFR = RCS = OPS = 1."""
    paths = sorted((ROOT / "worlds").glob("*.json"))
    assert paths
    for path in paths:
        world = World.load(path)
        assert world.metrics.ok, (path, world.metrics.failures[:5])


def test_the_ville_rasterises_fast():
    """The 140 x 100 town with its objects rasterises well under 100 ms."""
    path = ROOT / "worlds" / "the_ville.json"
    scene = load_scene(path)
    best = min(_timed(rasterize, scene) for _ in range(3))
    assert best < 0.1
    assert len(scene.layout.object_layer) >= 150


def _timed(fn, *args) -> float:
    start = time.perf_counter()
    fn(*args)
    return time.perf_counter() - start
