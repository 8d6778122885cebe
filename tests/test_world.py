"""World layer: loading, footprints, grids, places, checks, errors."""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from scenes import two_rooms

from smallville.world import World, WorldError, footprint, load_scene, parse_scene

ROOT = Path(__file__).resolve().parents[1]


def _write(tmp_path: Path, scene: dict, name: str = "scene.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(scene), encoding="utf-8")
    return path


def test_footprint_covers_exactly_w_by_h_tiles():
    """The bottom-centre rule covers w x h tiles for odd and even sizes."""
    assert footprint((2.5, 4), (1, 2)) == (2, 2, 3, 4)
    assert footprint((3, 4), (2, 1)) == (2, 3, 4, 4)
    assert footprint((4.5, 5), (3, 3)) == (3, 2, 6, 5)
    for w in range(1, 5):
        for h in range(1, 4):
            for px in (3.0, 3.5, 3.25):
                x0, y0, x1, y1 = footprint((px, 7), (w, h))
                assert (x1 - x0, y1 - y0) == (w, h)


@pytest.mark.parametrize("zones", [True, False])
def test_two_rooms_grid_and_places(zones):
    """Walls block, the door opens the wall, objects block their footprint."""
    world = World(parse_scene(two_rooms(zones)))
    g = world.grid
    assert not g.walkable[0, :].any() and not g.walkable[:, 6][[1, 2, 4, 5]].any()
    assert g.walkable[3, 6] and g.door[3, 6]
    assert not g.walkable[2, 2] and not g.walkable[3, 2]  # the bed
    assert g.obj[1, 9] == 2  # the stove, third object
    assert [a.name for a in world.places.arenas] == ["bedroom", "kitchen"]
    sector = "House" if zones else "Test House"
    assert world.places.address_at(2, 3) == f"Test House:{sector}:bedroom:bed"
    assert world.places.address_at(8, 4) == f"Test House:{sector}:kitchen"
    tiles = world.places.tiles(f"Test House:{sector}:bedroom:bed")
    assert sorted(map(tuple, tiles.tolist())) == [(2, 2), (2, 3)]
    kitchen = world.places.tiles(f"Test House:{sector}:kitchen")
    assert all(
        world.places.address_at(x, y).startswith(f"Test House:{sector}:kitchen")
        for x, y in kitchen.tolist()
    )
    assert world.metrics.ok and world.metrics.cfr == Fraction(1)
    assert list(world.graph.edges) == [(0, 1)]


def test_derived_arenas_number_repeated_tags():
    """Two rooms with one floor tag get numbered names in reading order."""
    scene = two_rooms(zones=False)
    scene["layout"]["floor_layer"][1]["asset_id"] = "floor_wood"
    world = World(parse_scene(scene))
    assert [a.name for a in world.places.arenas] == ["bedroom", "bedroom 2"]


def test_unknown_address_is_a_clear_key_error():
    """Resolving a missing place names the world and the sectors."""
    world = World(parse_scene(two_rooms()))
    with pytest.raises(KeyError, match="sectors: House"):
        world.places.resolve("Test House:Nowhere:attic")


def test_bundled_worlds_load_and_pass_checks():
    """Every world in worlds/ loads with CFR = RCS = OPS = 1."""
    paths = sorted((ROOT / "worlds").glob("*.json"))
    assert {p.name for p in paths} >= {"the_ville.json", "cafe.json"}
    for path in paths:
        world = World.load(path)
        assert world.metrics.ok, (path, world.metrics.failures[:5])


def test_the_ville_size():
    """The town is about 140 x 100 with enough sectors, arenas, objects and residents."""
    world = World.load(ROOT / "worlds" / "the_ville.json")
    w, h = world.scene.metadata.grid_size
    assert 120 <= w <= 160 and 85 <= h <= 115
    assert len(world.places.sectors) >= 15
    assert len(world.places.arenas) >= 40
    assert len(world.places.objects) >= 150
    assert sum(s.is_agent for s in world.places.spawns) == 25


# ----------------------------------------------------------------- bad input
def test_malformed_json_reports_line_and_column(tmp_path):
    """Broken JSON names the file, line and column."""
    path = tmp_path / "bad.json"
    path.write_text('{\n  "metadata": {,\n}', encoding="utf-8")
    with pytest.raises(WorldError) as e:
        load_scene(path)
    assert "bad.json" in str(e.value) and "line 2 column" in str(e.value)


def test_wrong_type_names_the_json_path(tmp_path):
    """A wrong type is reported with its JSON path and the offending value."""
    scene = two_rooms()
    scene["layout"]["object_layer"][1]["position"] = ["left", 4]
    with pytest.raises(WorldError) as e:
        load_scene(_write(tmp_path, scene))
    assert e.value.path == "layout.object_layer[1].position[0]"
    assert "'left'" in str(e.value) and "scene.json" in str(e.value)


def test_missing_field_names_the_json_path(tmp_path):
    """A missing required key is reported where it belongs."""
    scene = two_rooms()
    del scene["layout"]["floor_layer"][0]["area"]
    with pytest.raises(WorldError, match=r"layout\.floor_layer\[0\]\.area"):
        load_scene(_write(tmp_path, scene))


def test_unknown_asset_fails_ops(tmp_path):
    """An object with an undefined asset id is an OPS failure naming the asset."""
    scene = two_rooms()
    scene["layout"]["object_layer"].append({"asset_id": "piano", "position": [4.5, 2]})
    world = World.load(_write(tmp_path, scene), allow_invalid=True)
    assert world.metrics.ops == Fraction(2, 3)
    assert any(
        f.metric == "OPS" and f.asset_id == "piano" and "undefined" in f.message
        for f in world.metrics.failures
    )
    with pytest.raises(WorldError, match="piano"):
        World.load(_write(tmp_path, scene, "again.json"))


def test_overlap_fails_cfr():
    """Two solid objects on one tile both fail CFR with their positions."""
    scene = two_rooms()
    scene["layout"]["object_layer"].append({"asset_id": "stove", "position": [2.5, 3]})
    m = World(parse_scene(scene)).metrics
    bad = [f for f in m.failures if f.metric == "CFR"]
    assert {f.asset_id for f in bad} == {"bed", "stove"}
    assert m.cfr == Fraction(3, 5)  # 4 objects + 1 character, 2 collide


def test_object_outside_grid_fails_cfr():
    """A footprint past the grid edge is a CFR failure that says so."""
    scene = two_rooms()
    scene["layout"]["object_layer"].append({"asset_id": "stove", "position": [12.5, 3]})
    m = World(parse_scene(scene)).metrics
    assert any("outside the 12 x 7 grid" in f.message for f in m.failures)


def test_wall_mounted_object_does_not_collide():
    """A painting whose footprint lies on wall tiles is mounted, not colliding."""
    scene = two_rooms()
    scene["layout"]["object_layer"].append({"asset_id": "painting", "position": [4.5, 1]})
    world = World(parse_scene(scene))
    assert world.metrics.ok
    assert world.places.object_at(4, 0).arena == 0


def test_unreachable_room_fails_rcs():
    """Without the door the kitchen cannot be reached: RCS 1/2 naming the arena."""
    scene = two_rooms()
    scene["layout"]["object_layer"].pop(0)
    m = World(parse_scene(scene)).metrics
    assert m.rcs == Fraction(1, 2)
    assert [f.asset_id for f in m.failures if f.metric == "RCS"] == ["Test House:House:kitchen"]


def test_missing_properties_is_a_warning():
    """An asset without a properties entry loads as passable and walkable, with a warning."""
    scene = two_rooms()
    del scene["properties"]["painting"]
    scene["layout"]["object_layer"].append({"asset_id": "painting", "position": [4.5, 2]})
    world = World(parse_scene(scene))
    assert world.metrics.ok
    assert any("painting" in w for w in world.metrics.warnings)
    assert world.grid.walkable[1, 4]


def test_world_craft_scene_without_extensions_loads(tmp_path):
    """A plain World Craft scene (no zones, extra keys) loads unchanged."""
    scene = two_rooms(zones=False)
    scene["metadata"]["generator"] = "World Craft"
    scene["layout"]["object_layer"][2]["rotation"] = 0
    world = World.load(_write(tmp_path, scene))
    assert world.metrics.ok and len(world.places.arenas) == 2


def test_arena_tiles_are_numpy_xy():
    """tiles() returns an (n, 2) array of x, y."""
    world = World(parse_scene(two_rooms()))
    t = world.places.tiles("Test House:House")
    assert t.shape[1] == 2 and t.dtype.kind == "i"
    assert np.all(t[:, 0] < 12) and np.all(t[:, 1] < 7)
