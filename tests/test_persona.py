"""Persona files: the bundled residents load; bad files fail with named errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from smallville.cognition.persona import PersonaError, load_persona, load_personas
from smallville.world import World

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("town", ["the_ville", "cafe"])
def test_bundled_residents_match_their_world(town):
    """Every spawn has a persona whose home and workplace are arenas of the world."""
    world = World.load(ROOT / "worlds" / f"{town}.json")
    arenas = [a.address for a in world.places.arenas]
    personas = load_personas(ROOT / "agents" / town, arenas)
    assert {p.name for p in personas} == {s.name for s in world.places.spawns}
    for s in world.places.spawns:
        assert (ROOT / s.soul_file).is_file()
    assert len(personas) == (25 if town == "the_ville" else 3)


def _write(tmp_path: Path, data: dict, name: str = "ann_lee.json") -> Path:
    p = tmp_path / name
    p.write_text(json.dumps(data))
    return p


GOOD = {
    "name": "Ann Lee",
    "age": 30,
    "innate": "kind",
    "learned": "a baker",
    "living_area": "W:House:bedroom",
    "wake_time": "07:00",
    "sleep_time": "23:00",
}


def test_missing_field_is_named(tmp_path):
    """A missing required field names the file and the field."""
    bad = {k: v for k, v in GOOD.items() if k != "innate"}
    with pytest.raises(PersonaError, match=r"ann_lee\.json: innate: Field required"):
        load_persona(_write(tmp_path, bad))


def test_bad_time_and_address_are_named(tmp_path):
    """Wrong time and address formats say what was expected."""
    with pytest.raises(PersonaError, match=r"wake_time: .*expected 'HH:MM'"):
        load_persona(_write(tmp_path, {**GOOD, "wake_time": "7am"}))
    with pytest.raises(PersonaError, match=r"living_area: .*'<scene_name>:<sector>:<arena>'"):
        load_persona(_write(tmp_path, {**GOOD, "living_area": "the bedroom"}))


def test_wrong_type_and_unknown_key(tmp_path):
    """A wrong type shows the value; an unknown key is refused."""
    with pytest.raises(PersonaError, match=r"age: .*got 'thirty'"):
        load_persona(_write(tmp_path, {**GOOD, "age": "thirty"}))
    with pytest.raises(PersonaError, match=r"favourite_colour: Extra inputs"):
        load_persona(_write(tmp_path, {**GOOD, "favourite_colour": "blue"}))


def test_malformed_json_and_unknown_home(tmp_path):
    """Broken JSON gives line and column; a home that is not in the world is named."""
    p = tmp_path / "x.json"
    p.write_text('{"name": "A",')
    with pytest.raises(PersonaError, match=r"x\.json: line 1 column"):
        load_persona(p)
    p.unlink()
    _write(tmp_path, GOOD)
    with pytest.raises(PersonaError, match=r"living_area: 'W:House:bedroom' is not an arena"):
        load_personas(tmp_path, ["W:House:kitchen"])


def test_duplicate_names_refused(tmp_path):
    """Two files for one person are refused."""
    _write(tmp_path, GOOD, "a.json")
    _write(tmp_path, GOOD, "b.json")
    with pytest.raises(PersonaError, match="also used by"):
        load_personas(tmp_path)
