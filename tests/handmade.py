"""Run files written by hand, for tests whose answers are known."""

from __future__ import annotations

from pathlib import Path

from smallville.runfile import RunLog

ROOT = Path(__file__).resolve().parents[1]
START = "2023-02-13 06:00"


def new_run(path: Path, until: str, **meta) -> RunLog:
    """An empty run file of the cafe world from START to ``until``, 10-second ticks;
    ``meta`` adds to (or replaces) the meta a real run writes."""
    config = {
        "world": str(ROOT / "worlds" / "cafe.json"),
        "agents": "x",
        "scenario": None,
        "seed": 0,
        "start": START,
        "until": until,
        "tick_seconds": 10,
        "checkpoint_every": 360,
        "ablations": {},
    }
    return RunLog.create(path, {"config": config, **meta})
