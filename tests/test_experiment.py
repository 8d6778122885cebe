"""`smallville experiment`: a grid of scripted cafe runs end to end, killed and
continued, and bad spec files."""

from __future__ import annotations

import contextlib
import json
import math
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from smallville import gametime as gt
from smallville.cli import main
from smallville.experiment import load
from smallville.experiment.aggregate import expand, stats
from smallville.sim.setup import RunError, resume_point

ROOT = Path(__file__).resolve().parents[1]
CAFE = ROOT / "experiments" / "cafe_ci.json"


def _cafe_spec(folder: Path, hours: float = 12) -> Path:
    """experiments/cafe_ci.json with its paths absolute and fewer game hours."""
    spec = load(CAFE).model_dump()
    spec["hours"] = hours
    path = folder / "cafe.json"
    path.write_text(json.dumps(spec), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def cafe(tmp_path_factory):
    """The cafe experiment, uninterrupted: its spec and its folder."""
    folder = tmp_path_factory.mktemp("cafe")
    spec = _cafe_spec(folder)
    began = time.monotonic()
    assert main(["experiment", str(spec), "--out", str(folder / "out")]) == 0
    assert time.monotonic() - began < 60  # ~20 s on two cores
    return spec, folder / "out"


def test_cafe_experiment_has_mean_and_interval_per_metric_and_condition(cafe):
    _, out = cafe
    summary = json.loads((out / "summary.json").read_text())
    assert summary["conditions"] == ["full", "no_reflection"]
    assert summary["groups"]["scripted"]["pipeline_check"] is True
    assert not summary["missing"] and not summary["unmatched"]
    assert "plan_adherence.Ana Carter" in summary["metrics"]
    for cond in ("full", "no_reflection"):
        for metric in summary["metrics"]:
            s = summary["results"]["scripted"][cond][metric]
            assert s["n"] == 3 and s["seeds"] == [0, 1, 2]
            lo, hi = s["ci95"]
            assert lo <= s["mean"] <= hi
    assert len(list((out / "runs").glob("*.sqlite"))) == 6
    assert len(list((out / "metrics").glob("*.json"))) == 6
    assert "pipeline check" in (out / "summary.txt").read_text()
    assert (out / "summary.png").stat().st_size > 0


def test_a_finished_experiment_runs_nothing_again(cafe, capsys):
    spec, out = cafe
    before = {p: p.stat().st_mtime_ns for p in (out / "runs").glob("*.sqlite")}
    assert main(["experiment", str(spec), "--out", str(out)]) == 0
    assert "6 finished earlier, 0 to do" in capsys.readouterr().out
    assert before == {p: p.stat().st_mtime_ns for p in (out / "runs").glob("*.sqlite")}


def test_killed_experiment_continues_to_the_same_summary(cafe, tmp_path):
    """SIGKILL once a cell has finished and another is under way; the second call skips
    the finished cells, resumes the one under way from its last checkpoint, and its
    summary equals the uninterrupted one (resumed scripted runs are exact)."""
    spec, reference = cafe
    out = tmp_path / "out"
    argv = [sys.executable, "-m", "smallville.cli", "experiment", str(spec), "--out", str(out)]

    def under_way() -> bool:  # a run file past its first checkpoint, not at its end
        ends = []
        for p in (out / "runs").glob("*.sqlite"):
            with contextlib.suppress(RunError):  # a run file not yet readable
                meta = resume_point(p)
                ends.append(meta["checkpoint"]["time"] < gt.parse(meta["config"]["until"]))
        return any(ends)

    with (tmp_path / "first.log").open("w") as log:
        first = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not (
            list((out / "metrics").glob("*.json")) and under_way()
        ):
            time.sleep(0.05)
        time.sleep(0.3)  # some game hours into the run under way
        os.kill(first.pid, signal.SIGKILL)
        first.wait()
    finished = [p.stem for p in (out / "metrics").glob("*.json")]
    assert finished and len(finished) < 6
    mtimes = {c: (out / "runs" / f"{c}.sqlite").stat().st_mtime_ns for c in finished}
    time.sleep(0.3)  # the children die with it (PR_SET_PDEATHSIG)
    again = subprocess.run(argv, capture_output=True, text=True, timeout=120)
    assert again.returncode == 0, again.stderr
    assert f"{len(finished)} finished earlier" in again.stdout
    assert ": resumed (" in again.stdout  # the run under way continued from a checkpoint
    for c in finished:
        assert f"] {c}:" not in again.stdout
        assert (out / "runs" / f"{c}.sqlite").stat().st_mtime_ns == mtimes[c]
    got = json.loads((out / "summary.json").read_text())
    assert got == json.loads((reference / "summary.json").read_text())


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"colour": "blue"}, "colour: Extra inputs are not permitted"),
        ({"world": None}, "world: Field required"),
        ({"world": "../worlds/nowhere.json"}, "world: no file ../worlds/nowhere.json"),
        ({"seeds": []}, "seeds: List should have at least 1 item"),
        ({"conditions": {"x": ["--fast"]}}, "conditions: x: '--fast' is not an ablation flag"),
        ({"metrics": ["nothing.here"]}, "metrics: 'nothing.here': a metric is a dotted path"),
    ],
)
def test_a_bad_spec_is_one_line_naming_file_and_field(tmp_path, capsys, change, field):
    spec = json.loads(CAFE.read_text())
    spec["world"] = str(ROOT / "worlds" / "cafe.json")
    spec["agents"] = str(ROOT / "agents" / "cafe")
    spec.update(change)
    spec = {k: v for k, v in spec.items() if v is not None}
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(spec))
    assert main(["experiment", str(path), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith(f"error: {path}: {field}")
    assert not (tmp_path / "out").exists()


def test_stats_and_metric_paths():
    s = stats([1.0, 2.0, 3.0])
    half = 4.302652729911275 / math.sqrt(3)  # t(0.975, 2) * sd 1 / sqrt(3)
    assert s["n"] == 3 and s["mean"] == 2.0 and s["sd"] == 1.0
    assert s["ci95"] == pytest.approx([2 - half, 2 + half])
    assert stats([5.0]) == {"n": 1, "mean": 5.0, "sd": None, "ci95": None}
    result = {
        "diffusion": {"party": {"share": 0.5}, "vote": {"share": 1}},
        "r": {"d": [{"x": 1}, {"x": 2}]},
    }
    assert list(expand(result, "diffusion.*.share")) == [
        ("diffusion.party.share", 0.5),
        ("diffusion.vote.share", 1.0),
    ]
    assert list(expand(result, "r.d.-1.x")) == [("r.d.-1.x", 2.0)]
    assert list(expand(result, "r.d.5.x")) == [] == list(expand(result, "diffusion.party"))
