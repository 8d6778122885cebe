"""Path-query latency on a world: cold (field not cached) and warm (cached), p50 / p95.

python scripts/bench_paths.py [--world worlds/the_ville.json] [--pairs 1000] [--seed 0]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import date
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from smallville.world import Navigator, World, place_graph  # noqa: E402


def pct(values: list[float], q: float) -> float:
    return float(np.percentile(np.array(values), q))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--world", type=Path, default=ROOT / "worlds" / "the_ville.json")
    ap.add_argument("--pairs", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()

    t0 = time.perf_counter()
    world = World.load(args.world)
    load_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    nav = Navigator(world.grid.walkable, cache_size=args.pairs + 10)
    place_graph(
        world.places.arena_grid, world.grid.walkable, [a.address for a in world.places.arenas]
    )
    build_s = time.perf_counter() - t0

    rng = np.random.default_rng(args.seed)
    ys, xs = np.nonzero(world.grid.walkable)
    pick = rng.integers(len(xs), size=(args.pairs, 2))
    pairs = [((int(xs[i]), int(ys[i])), (int(xs[j]), int(ys[j]))) for i, j in pick]

    cold, warm, lengths = [], [], []
    for a, b in pairs:
        t = time.perf_counter_ns()
        p = nav.path(a, b)
        cold.append((time.perf_counter_ns() - t) / 1e3)
        lengths.append(len(p) if p is not None else -1)
    for a, b in pairs:
        t = time.perf_counter_ns()
        nav.path(a, b)
        warm.append((time.perf_counter_ns() - t) / 1e3)

    w, h = world.scene.metadata.grid_size
    print(
        f"world {args.world.name} ({w} x {h}, {len(xs)} walkable tiles); {args.pairs} random "
        f"walkable pairs, seed {args.seed}; mean path {np.mean(lengths):.0f} tiles"
    )
    print(f"machine: {os.cpu_count()} cores, {date.today()}")
    print()
    print("| measure | p50 | p95 |")
    print("|---|---|---|")
    print(
        f"| cold path query (BFS field + walk) | {pct(cold, 50) / 1e3:.2f} ms "
        f"| {pct(cold, 95) / 1e3:.2f} ms |"
    )
    print(f"| warm path query (cached field) | {pct(warm, 50):.1f} µs | {pct(warm, 95):.1f} µs |")
    print(f"| world load + checks (one-off) | {load_s * 1e3:.0f} ms | |")
    print(f"| navigator + place graph build (one-off) | {build_s * 1e3:.1f} ms | |")


if __name__ == "__main__":
    main()
