"""Text to town, offline, end to end: ten kinds of description each give a valid world
whose residents live and work in it, and the town runs, renders and is analysed.

The scripted model answers every step from the description's own words. A separate
list of descriptions (``scripts/check_towngen.py``) checks the same properties on
towns this file was not written against."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from smallville.cli import main
from smallville.cognition.persona import load_personas
from smallville.replay import Run
from smallville.world import World

DESCRIPTIONS = {
    "fishing_village": "a fishing village with a harbour and a fish market",
    "campus": "a university campus with lecture halls, a library and student dorms",
    "hospital": "a hospital town: a hospital, a pharmacy and houses for the nurses",
    "monastery": "a mountain monastery with a chapel, a kitchen garden and cells for monks",
    "space_station": "a space station with a command deck, a hydroponics bay and crew quarters",
    "night_market": "a night market of food stalls by the river",
    "farm": "a farm with a barn, a farmhouse and an orchard",
    "island": "a small island with a lighthouse, a ferry dock and a pub",
    "suburb": "a quiet suburb of houses with a school and a supermarket",
    "film_studio": "a film studio with sound stages, a costume department and a canteen",
}
RUN_HOURS = 6  # game hours each town runs for


@pytest.fixture(scope="module")
def towns(tmp_path_factory) -> dict[str, Path]:
    """Each description generated once, offline, with 6 residents (~1 s each, run and
    analysis included)."""
    root = tmp_path_factory.mktemp("towns")
    out = {}
    for key, text in DESCRIPTIONS.items():
        folder = root / key
        assert main(["world", "generate", text, "--residents", "6", "--out", str(folder)]) == 0
        out[key] = folder
    return out


@pytest.mark.parametrize("key", sorted(DESCRIPTIONS))
def test_a_description_gives_a_valid_town_its_residents_live_in(towns, key):
    folder = towns[key]
    world = World.load(folder / "world.json")
    m = world.metrics
    assert (m.cfr, m.rcs) == (1, 1) and m.ops >= 0.95, m.failures
    arenas = {a.address for a in world.places.arenas}
    personas = load_personas(folder / "agents", arenas)  # homes and workplaces exist
    assert len(personas) == 6
    assert any(p.workplace for p in personas)
    plan = json.loads((folder / "plan.json").read_text(encoding="utf-8"))
    kinds = {p["kind"] for p in plan["places"]}
    assert {"home", "work"} <= kinds
    assert (folder / "preview.png").stat().st_size > 1000


def test_the_words_of_the_description_become_places(towns):
    """What the description names is in the town (by the place names the plan holds)."""
    wanted = {
        "fishing_village": ("harbour", "fish market"),
        "campus": ("library",),
        "farm": ("barn",),
        "island": ("lighthouse",),
        "film_studio": ("canteen",),
    }
    for key, words in wanted.items():
        plan = json.loads((towns[key] / "plan.json").read_text(encoding="utf-8"))
        names = " ".join(p["name"].lower() for p in plan["places"])
        assert all(w in names for w in words), (key, names)


@pytest.mark.parametrize("key", sorted(DESCRIPTIONS))
def test_a_generated_town_runs_renders_and_is_analysed(towns, key, tmp_path):
    _run_view_analyze(towns[key], tmp_path)


def test_a_world_craft_scene_without_zones_gets_residents_and_runs(tmp_path, capsys):
    """Any World Scaffold file becomes runnable: residents for a scene of World Craft's
    own format (no zones, no characters), then two game hours of it."""
    from scenes import two_rooms

    scene = two_rooms(zones=False)
    scene["layout"]["npc_layer"] = []
    world = tmp_path / "wc.json"
    world.write_text(json.dumps(scene), encoding="utf-8")
    agents = tmp_path / "people"
    argv = ["agents", "generate", "--world", str(world), "--residents", "3"]
    assert main([*argv, "--out", str(agents)]) == 0
    assert f"smallville run --world {world} --agents {agents}" in capsys.readouterr().out
    run = tmp_path / "run.sqlite"
    argv = ["run", "--world", str(world), "--agents", str(agents), "--hours", "2"]
    assert main([*argv, "--out", str(run), "--quiet"]) == 0
    with Run.open(run) as r:
        assert len(r.agents) == 3 and r.last_tick() == 2 * 360 - 1
        assert all(r.timeline(a.id) for a in r.agents)  # everyone did something


def _run_view_analyze(folder: Path, tmp: Path) -> None:
    run = tmp / "run.sqlite"
    world, agents = str(folder / "world.json"), str(folder / "agents")
    argv = ["run", "--world", world, "--agents", agents, "--hours", str(RUN_HOURS)]
    assert main([*argv, "--out", str(run), "--quiet"]) == 0
    assert main(["view", str(run), "--png", str(tmp / "frame.png")]) == 0
    assert (tmp / "frame.png").stat().st_size > 1000
    assert main(["analyze", str(run), "--json", str(tmp / "m.json")]) == 0
    result = json.loads((tmp / "m.json").read_text(encoding="utf-8"))
    assert result["run"]["residents"] == 6 and result["run"]["ticks"] == RUN_HOURS * 360
    time_use = result["time_use"]
    assert sum(len(v) > 1 for v in time_use.values()) >= 3  # most residents went somewhere


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        (["world", "generate", "  "], "description is empty"),
        (["world", "generate", "a village", "--residents", "0"], "--residents 0"),
        (["world", "generate", "a village", "--residents", "1000"], "--residents 1000"),
        (["agents", "generate", "--world", "nowhere.json"], "nowhere.json"),
    ],
)
def test_bad_requests_are_one_line_errors(argv, said, capsys, tmp_path):
    """Exit 2, one line naming what was wrong, and nothing written."""
    assert main([*argv, "--out", str(tmp_path / "t")]) == 2
    err = capsys.readouterr().err
    assert said in err and "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "t").exists()


def test_absurd_numbers_and_unknown_places_still_make_a_sensible_town(tmp_path, capsys):
    """'10,000 houses' is clamped, a place the catalogue lacks becomes a building of
    that name, and nothing invalid is written."""
    text = "a town of 10,000 houses, an observatory and a windmill"
    assert main(["world", "generate", text, "--residents", "5", "--out", str(tmp_path / "t")]) == 0
    world = World.load(tmp_path / "t" / "world.json")
    assert world.metrics.ok
    plan = json.loads((tmp_path / "t" / "plan.json").read_text(encoding="utf-8"))
    names = " ".join(p["name"].lower() for p in plan["places"])
    assert "observatory" in names and "windmill" in names
    assert len(plan["places"]) <= 60


def test_a_folder_that_holds_a_town_is_not_overwritten(towns, capsys):
    folder = towns["farm"]
    before = (folder / "world.json").read_bytes()
    assert main(["world", "generate", "a farm", "--out", str(folder)]) == 2
    assert "already holds a town" in capsys.readouterr().err
    assert (folder / "world.json").read_bytes() == before
