"""Issue 12, items 2 and 3: only things that hang on walls may stand on wall tiles, and
a refused layout says what the user can actually do."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from scenes import two_rooms

from smallville.cli import main
from smallville.world import World
from smallville.world.errors import WorldError
from smallville.world.load import parse_scene

ROOT = Path(__file__).resolve().parents[1]


def with_object(asset_id: str, props: dict, size=(2, 1), position=(3.0, 1.0)) -> dict:
    """The two-room house plus one object ``asset_id`` placed at ``position`` (the
    default footprint, x 2..3 on row 0, lies wholly on the top wall)."""
    scene = two_rooms()
    scene["assets"][asset_id] = {"type": "object", "description": asset_id, "base_size": list(size)}
    scene["properties"][asset_id] = props
    scene["layout"]["object_layer"].append({"asset_id": asset_id, "position": list(position)})
    return scene


SOLID = {"physics": "solid", "navigation": "obstacle"}


def cfr(scene: dict) -> list:
    return [f for f in World(parse_scene(scene)).metrics.failures if f.metric == "CFR"]


def test_a_solid_bench_wholly_on_a_wall_is_a_cfr_failure_naming_it():
    """A bench is a floor object: on wall tiles it collides, it does not hang there."""
    scene = with_object("park_bench", {**SOLID, "semantic_tag": "bench"})
    world = World(parse_scene(scene))
    assert world.metrics.cfr < 1 and not world.metrics.ok
    (bad,) = cfr(scene)
    assert bad.asset_id == "park_bench" and bad.position == (3.0, 1.0)
    assert "floor object" in bad.message and "'bench'" in bad.message
    assert not world.grid.mounted[-1]


@pytest.mark.parametrize(
    ("asset_id", "tag"),
    [
        ("window_1", "window"),
        ("oil_painting", "painting"),
        ("w3", "wall_shelf"),
        ("lamp_a", "wall lamp"),
        ("kitchen_clock", "clock"),
        ("deco_7", "picture_frame"),
    ],
)
def test_solid_things_that_hang_on_walls_may_be_wall_mounted(asset_id, tag):
    """Windows, paintings, shelves, lamps, clocks: by tag or id, wholly on a wall is fine."""
    scene = with_object(asset_id, {**SOLID, "semantic_tag": tag})
    world = World(parse_scene(scene))
    assert cfr(scene) == [] and world.grid.mounted[-1]


def test_a_hung_thing_half_off_the_wall_still_collides():
    """Hanging is for a footprint wholly on the wall; one tile off it is a collision."""
    scene = with_object(
        "window_1", {**SOLID, "semantic_tag": "window"}, size=(1, 2), position=(2.5, 2.0)
    )
    (bad,) = cfr(scene)
    assert bad.asset_id == "window_1" and "overlaps a wall" in bad.message


def test_validate_command_fails_a_bench_in_a_wall(tmp_path, capsys):
    """`smallville world validate` exits 1 and names the bench."""
    path = tmp_path / "bench.json"
    path.write_text(json.dumps(with_object("park_bench", {**SOLID, "semantic_tag": "bench"})))
    assert main(["world", "validate", str(path)]) == 1
    out = capsys.readouterr()
    text = out.out + out.err
    assert "park_bench" in text and "floor object" in text


def test_shipped_towns_still_validate(capsys):
    """The bundled towns pass under the wall-mounting rule."""
    worlds = sorted(str(p) for p in (ROOT / "worlds").glob("*.json"))
    assert len(worlds) >= 2
    assert main(["world", "validate", *worlds]) == 0


def test_a_refused_layout_says_what_to_do_not_an_override_that_does_not_exist(tmp_path):
    """The refusal points at commands that exist, not at an 'explicit override'."""
    path = tmp_path / "bench.json"
    path.write_text(json.dumps(with_object("park_bench", {**SOLID, "semantic_tag": "bench"})))
    with pytest.raises(WorldError) as e:
        World.load(path)
    text = str(e.value)
    assert "override" not in text
    assert f"smallville world validate {path}" in text and "park_bench" in text
    assert "world render" in text


def test_world_info_lists_the_residents_of_the_worlds_agents_folder(capsys):
    """`world info` finds the world's persona folder and lists name, age, home, workplace."""
    assert main(["world", "info", str(ROOT / "worlds" / "cafe.json")]) == 0
    out = capsys.readouterr().out
    assert "residents   3" in out
    lines = [line.split() for line in out.splitlines()]
    assert ["Mei", "Tanaka", "41", "Corner", "Cafe:apartment", "Corner", "Cafe:cafe"] in lines
    assert ["Ana", "Carter", "34", "Rowan", "Cottage:bedroom", "-"] in lines


def test_world_info_with_an_explicit_agents_folder(capsys):
    """`_world_info` reads ``args.agents`` when the sub-parser gives it (--agents DIR)."""
    import argparse

    from smallville.cli.world import _world_info

    args = argparse.Namespace(
        path=ROOT / "worlds" / "the_ville.json", agents=ROOT / "agents" / "cafe"
    )
    assert _world_info(args) == 0
    out = capsys.readouterr().out
    assert "residents   3" in out and "(not in this world)" in out  # cafe people, Ville map
