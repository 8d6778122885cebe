"""The command line: world commands, exit codes and messages."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from scenes import two_rooms

from smallville.cli import main

ROOT = Path(__file__).resolve().parents[1]


def test_validate_ok(capsys):
    """A good world validates with exit 0 and prints the three metrics."""
    assert main(["world", "validate", str(ROOT / "worlds" / "cafe.json")]) == 0
    out = capsys.readouterr().out
    assert "CFR 1   RCS 1   OPS 1" in out and "ok" in out


def test_validate_lists_failures(tmp_path, capsys):
    """A bad world exits 1 and lists each failure with asset id and position."""
    scene = two_rooms()
    scene["layout"]["object_layer"].append({"asset_id": "stove", "position": [2.5, 3]})
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(scene))
    assert main(["world", "validate", str(path)]) == 1
    out = capsys.readouterr().out
    assert "CFR 3/5" in out and "CFR: stove at [2.5, 3.0]" in out


def test_validate_several_files_reports_each(tmp_path, capsys):
    """Several layouts are checked in one call; the exit code is the worst outcome."""
    good = str(ROOT / "worlds" / "cafe.json")
    broken = tmp_path / "broken.json"
    broken.write_text("{ nope")
    assert main(["world", "validate", good, good]) == 0
    assert capsys.readouterr().out.count("ok") == 2
    assert main(["world", "validate", str(broken), good]) == 2
    out, err = capsys.readouterr()
    assert "cafe.json: CFR 1" in out and "broken.json" in err


def test_malformed_file_is_an_error_not_a_traceback(tmp_path, capsys):
    """Broken JSON gives exit 2 and one line naming file, line and column."""
    path = tmp_path / "broken.json"
    path.write_text("{ nope")
    assert main(["world", "info", str(path)]) == 2
    err = capsys.readouterr().err
    assert "broken.json" in err and "line 1 column 3" in err and "Traceback" not in err


def test_info_lists_sectors(capsys):
    """world info prints size, counts and each sector's arenas."""
    assert main(["world", "info", str(ROOT / "worlds" / "the_ville.json")]) == 0
    out = capsys.readouterr().out
    assert "140 x 100 tiles" in out and "characters  25 (25 agents)" in out
    assert "Bellini's Cafe: 4 arenas" in out


def test_render_from_a_fresh_process_without_display(tmp_path):
    """The console entry point renders a PNG with no display configured."""
    out = tmp_path / "cafe.png"
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "smallville.cli",
            "world",
            "render",
            str(ROOT / "worlds" / "cafe.json"),
            "--png",
            str(out),
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert out.stat().st_size > 1000


def test_help_on_every_command(capsys):
    """Every command answers --help."""
    for argv in (
        ["--help"],
        ["world", "--help"],
        ["world", "validate", "--help"],
        ["world", "info", "--help"],
        ["world", "render", "--help"],
    ):
        try:
            main(argv)
        except SystemExit as e:
            assert e.code == 0
    assert "usage: smallville" in capsys.readouterr().out


def test_a_closed_pipe_is_not_a_traceback(cafe_run, monkeypatch):
    """`smallville analyze RUN | head -1` ends quietly when head has stopped reading."""
    import contextlib
    import os
    import sys

    read, write = os.pipe()
    os.close(read)  # the reader is gone: every write fails with EPIPE
    out = os.fdopen(write, "w", buffering=1)
    monkeypatch.setattr(sys, "stdout", out)
    try:
        assert main(["analyze", str(cafe_run)]) == 0
    finally:
        monkeypatch.undo()
        with contextlib.suppress(BrokenPipeError):
            out.close()
