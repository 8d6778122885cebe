"""Viewer speed: frames per second at 1280x800 with 25 residents, and seek latency.

python scripts/bench_viewer.py [RUN.sqlite]   # default: makes a full-day run of the Ville
"""

from __future__ import annotations

import os
import random
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402

from smallville.cli import main as cli  # noqa: E402
from smallville.viewer.app import Viewer  # noqa: E402
from smallville.viewer.frame import Scene  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    if len(sys.argv) > 1:
        run = Path(sys.argv[1])
    else:
        run = Path(tempfile.mkdtemp()) / "day.sqlite"
        cli(
            [
                "run",
                "--world",
                str(ROOT / "worlds" / "the_ville.json"),
                "--hours",
                "24",
                "--out",
                str(run),
                "--quiet",
            ]
        )
    v = Viewer(run, (1280, 800), at="2023-02-13 09:00", select="Clara Bellini", display=False)
    v.speed = 64
    times = []
    for _ in range(300):
        t0 = time.perf_counter()
        v.advance(1 / 60)
        v.draw()
        times.append(time.perf_counter() - t0)
    frame_ms = np.percentile(times, 50) * 1e3
    rng = random.Random(0)
    seeks = []
    for _ in range(100):
        t = rng.randrange(v.run.last_tick())
        t0 = time.perf_counter()
        Scene.load(v.run, t)
        seeks.append(time.perf_counter() - t0)
    print(
        f"machine: {os.cpu_count()} cores, {date.today()}; run {run.name}, "
        f"{v.run.last_tick() + 1} ticks, {len(v.run.agents)} residents, 1280x800, dummy video"
    )
    print()
    print("| measure | p50 | p95 |")
    print("|---|---|---|")
    print(
        f"| frame (advance + draw, 64x, inspector open) | {frame_ms:.1f} ms "
        f"({1000 / frame_ms:.0f} fps) | {np.percentile(times, 95) * 1e3:.1f} ms |"
    )
    print(
        f"| seek to a random tick | {np.percentile(seeks, 50) * 1e3:.1f} ms | "
        f"{np.percentile(seeks, 95) * 1e3:.1f} ms |"
    )


if __name__ == "__main__":
    main()
