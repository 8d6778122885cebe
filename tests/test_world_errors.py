"""World layer on bad input: named load errors, and every kind of layout failure."""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

import pytest
from test_world import house

from smallville.world import World, WorldError, load_scene, parse_scene


def _write(tmp_path: Path, scene: dict, name: str = "scene.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(scene), encoding="utf-8")
    return path


def _load_error(tmp_path: Path, scene: dict) -> WorldError:
    with pytest.raises(WorldError) as e:
        load_scene(_write(tmp_path, scene))
    return e.value


def _failures(scene: dict, metric: str) -> list:
    return [f for f in World(parse_scene(scene)).metrics.failures if f.metric == metric]


# ---------------------------------------------------------------- load errors
def test_malformed_json_reports_line_and_column(tmp_path):
    """Broken JSON names the file, line and column."""
    path = tmp_path / "bad.json"
    path.write_text('{\n  "metadata": {,\n}', encoding="utf-8")
    with pytest.raises(WorldError) as e:
        load_scene(path)
    assert e.value.path == "line 2 column 16"
    assert str(e.value).startswith(f"{path}: line 2 column 16: malformed JSON")


def test_missing_file_and_non_object_root(tmp_path):
    """A missing file and a JSON list are reported, not raised as tracebacks."""
    with pytest.raises(WorldError, match="no such file"):
        load_scene(tmp_path / "nope.json")
    path = tmp_path / "list.json"
    path.write_text("[1, 2]", encoding="utf-8")
    with pytest.raises(WorldError, match=r"<root>: not a JSON object"):
        load_scene(path)


def test_wrong_type_names_the_json_path_and_expectation(tmp_path):
    """A wrong type is reported as file: JSON path: what came (expected what)."""
    scene = house()
    scene["layout"]["object_layer"][1]["position"] = ["left", 4]
    err = _load_error(tmp_path, scene)
    assert err.path == "layout.object_layer[1].position[0]"
    assert err.expected == "a number"
    assert str(err) == (
        f"{tmp_path / 'scene.json'}: layout.object_layer[1].position[0]: got 'left' "
        "(expected a number)"
    )


def test_unknown_asset_type_lists_the_allowed_ones(tmp_path):
    """An asset type outside tile|object|npc|agent names the four allowed."""
    scene = house()
    scene["assets"]["bed_single"]["type"] = "furniture"
    err = _load_error(tmp_path, scene)
    assert err.path == "assets.bed_single.type"
    assert all(t in err.expected for t in ("'tile'", "'object'", "'npc'", "'agent'"))


def test_missing_field_names_the_json_path(tmp_path):
    """A missing required key is reported where it belongs, with its shape."""
    scene = house()
    del scene["layout"]["floor_layer"][0]["area"]
    err = _load_error(tmp_path, scene)
    assert err.path == "layout.floor_layer[0].area"
    assert err.message == "missing" and "[x, y, w, h]" in err.expected


def test_every_problem_is_listed(tmp_path):
    """Several structural problems come back together, the first as the headline."""
    scene = house()
    scene["metadata"]["grid_size"] = [0, 7]
    scene["layout"]["npc_layer"][0]["position"] = [4.5]
    err = _load_error(tmp_path, scene)
    assert err.path == "metadata.grid_size[0]" and err.expected == "a value >= 1"
    assert any(m.startswith("layout.npc_layer[0].position") for m in err.more)


def test_nan_position_is_refused(tmp_path):
    """JSON NaN (which Python's json accepts) is not a position."""
    path = tmp_path / "nan.json"
    text = json.dumps(house()).replace("[9.5, 2]", "[NaN, 2]")
    path.write_text(text, encoding="utf-8")
    with pytest.raises(WorldError) as e:
        load_scene(path)
    assert e.value.path == "layout.object_layer[2].position[0]"
    assert e.value.expected == "a finite number"


def test_zone_names_cannot_contain_the_address_separator(tmp_path):
    """A ':' in a sector or arena name would break addresses, so it is refused."""
    scene = house(zones=True)
    scene["layout"]["zone_layer"][0]["arena"] = "bed:room"
    err = _load_error(tmp_path, scene)
    assert err.path == "layout.zone_layer[0].arena" and "':'" in err.expected


def test_undefined_floor_or_wall_asset_fails_at_load(tmp_path):
    """A floor or wall rectangle naming no asset is a load error with its JSON path."""
    scene = house()
    scene["layout"]["wall_layer"][2]["asset_id"] = "wall_marble"
    err = _load_error(tmp_path, scene)
    assert err.path == "layout.wall_layer[2].asset_id"
    assert "'wall_marble'" in err.message and "'wall_brick'" in err.expected


# ----------------------------------------------------------- layout failures
def test_unknown_object_and_character_assets_fail_ops():
    """Objects and characters naming undefined assets are OPS failures with positions."""
    scene = house()
    scene["layout"]["object_layer"].append({"asset_id": "piano", "position": [4.5, 2]})
    scene["layout"]["npc_layer"].append({"asset_id": "ghost", "position": [8.5, 4]})
    world = World(parse_scene(scene))
    bad = {(f.asset_id, f.position) for f in world.metrics.failures if f.metric == "OPS"}
    assert bad == {("piano", (4.5, 2.0)), ("ghost", (8.5, 4.0))}
    assert world.metrics.ops == Fraction(5, 7)  # 5 objects (no door) + 2 characters
    assert all("undefined asset" in f.message for f in world.metrics.failures)


def test_overlap_fails_cfr_naming_both():
    """Two blocking objects on one tile both fail CFR, each naming the other."""
    scene = house()
    scene["layout"]["object_layer"].append({"asset_id": "stove_iron", "position": [2.5, 3]})
    bad = _failures(scene, "CFR")
    assert [(f.asset_id, f.position) for f in bad] == [
        ("bed_single", (2.5, 4.0)),
        ("stove_iron", (2.5, 3.0)),
    ]
    assert "stove_iron at [2.5, 3.0]" in bad[0].message
    assert "bed_single at [2.5, 4.0]" in bad[1].message


def test_rug_under_a_table_is_not_a_collision():
    """A passable, walkable object has no body: furniture may stand on it."""
    scene = house()
    scene["layout"]["object_layer"].append({"asset_id": "stove_iron", "position": [8.5, 6]})
    scene["layout"]["object_layer"][4]["position"] = [8.5, 6]
    assert _failures(scene, "CFR") == []


def test_object_outside_grid_fails_cfr_and_ops():
    """A footprint past the grid edge is a CFR failure that says where, and in no arena."""
    scene = house()
    scene["layout"]["object_layer"].append({"asset_id": "stove_iron", "position": [13.5, 3]})
    (cfr,) = _failures(scene, "CFR")
    assert cfr.asset_id == "stove_iron" and cfr.position == (13.5, 3.0)
    assert "tiles x 13, y 2" in cfr.message and "outside the 12 x 7 grid" in cfr.message
    (ops,) = _failures(scene, "OPS")
    assert "outside the grid" in ops.message


def test_object_into_a_wall_fails_but_a_mounted_one_does_not():
    """Part on a wall is a collision; wholly on the wall is mounted."""
    scene = house()
    scene["layout"]["object_layer"].append({"asset_id": "rug_long", "position": [2, 2]})
    (bad,) = _failures(scene, "CFR")
    assert bad.asset_id == "rug_long" and "overlaps a wall" in bad.message
    scene = house()
    scene["layout"]["object_layer"].append({"asset_id": "rug_long", "position": [3.5, 7]})
    assert _failures(scene, "CFR") == [] and _failures(scene, "OPS") == []


def test_unreachable_room_fails_rcs():
    """Without the door the kitchen cannot be reached: RCS 1/2 naming the arena."""
    scene = house(zones=True)
    scene["layout"]["object_layer"].pop(0)
    world = World(parse_scene(scene))
    assert world.metrics.rcs == Fraction(1, 2)
    (bad,) = [f for f in world.metrics.failures if f.metric == "RCS"]
    assert bad.asset_id == "Test House:Lee House:kitchen" and bad.position == (7.0, 1.0)
    assert "door or opening" in bad.message


def test_object_straddling_arenas_fails_ops():
    """An object whose footprint crosses from one arena into another is misplaced."""
    scene = house(zones=True)
    scene["layout"]["zone_layer"] = [
        {"sector": "Lee House", "arena": "bedroom", "area": [0, 0, 3, 7]},
        {"sector": "Lee House", "arena": "study", "area": [3, 0, 3, 7]},
        {"sector": "Lee House", "arena": "kitchen", "area": [7, 0, 5, 7]},
    ]
    scene["layout"]["object_layer"].append({"asset_id": "rug_long", "position": [3.5, 3]})
    (bad,) = _failures(scene, "OPS")
    assert bad.asset_id == "rug_long" and "partly outside its arena" in bad.message


def test_object_boxed_in_fails_ops():
    """An object with no reachable walkable neighbour cannot be used."""
    scene = house()
    layer = scene["layout"]["object_layer"]
    layer[2]["position"] = [10.5, 2]  # stove in the corner (10, 1)
    layer += [
        {"asset_id": "bed_single", "position": [9.5, 3]},
        {"asset_id": "bed_single", "position": [10.5, 4]},
    ]
    bad = _failures(scene, "OPS")
    assert [(f.asset_id, f.position) for f in bad] == [("stove_iron", (10.5, 2.0))]
    assert "no reachable walkable tile" in bad[0].message


def test_characters_on_walls_or_each_other_fail_cfr():
    """A character on a wall, or two on one tile, fail CFR."""
    scene = house()
    scene["assets"]["npc_bob"] = {"type": "npc", "base_size": [1, 1]}
    scene["layout"]["npc_layer"] += [
        {"asset_id": "npc_bob", "position": [4.5, 5]},
        {"asset_id": "npc_bob", "position": [6.5, 2]},
    ]
    bad = _failures(scene, "CFR")
    assert [(f.asset_id, f.message.split(" ")[0]) for f in bad] == [
        ("agent_ann", "overlaps"),
        ("npc_bob", "overlaps"),
        ("npc_bob", "stands"),
    ]
    assert "wall" in bad[2].message


def test_scene_with_no_floor_fails_rcs():
    """A layout with nothing painted has no arena: RCS 0 and a failure saying why."""
    scene = house()
    scene["layout"]["floor_layer"] = []
    world = World(parse_scene(scene))
    assert world.metrics.rcs == 0 and not world.metrics.ok
    assert any("no arena" in f.message for f in world.metrics.failures)
