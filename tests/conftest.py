"""Fixtures shared by test files."""

from __future__ import annotations

from pathlib import Path

import pytest

from smallville.cli import main

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def cafe_run(tmp_path_factory) -> Path:
    """A 3-hour scripted run of the cafe, made once and only read by the tests using it."""
    out = tmp_path_factory.mktemp("cafe") / "cafe.sqlite"
    cmd = ["run", "--world", str(ROOT / "worlds" / "cafe.json"), "--quiet"]
    assert main([*cmd, "--hours", "3", "--out", str(out)]) == 0
    return out
