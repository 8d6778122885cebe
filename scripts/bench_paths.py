"""Path-query latency: cold (goal's field not cached) and warm (cached), p50 / p95.

python scripts/bench_paths.py [--world worlds/the_ville.json | --synthetic]
                              [--pairs 1000] [--seed 0] [--compare-bfs]

Each pair has a distinct goal, so the first pass is all cold queries and the second,
over the same pairs, all warm. ``--synthetic`` builds a 140 x 100 town of walled
buildings, rooms, doors and furniture in numpy instead of loading a world.
``--compare-bfs`` also times other ways to compute one distance field.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from collections import deque
from collections.abc import Callable
from datetime import date
from pathlib import Path

import numpy as np
import scipy
from scipy.sparse.csgraph import shortest_path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from smallville.world import Navigator, World, WorldError, place_graph  # noqa: E402
from smallville.world.nav import _bfs  # noqa: E402

Town = tuple[np.ndarray, np.ndarray, list[str]]  # walkable, arena, arena names


def synthetic_town(seed: int, width: int = 140, height: int = 100) -> Town:
    """Streets around a 6 x 5 lattice of 20 x 16 buildings, each four rooms with doors."""
    rng = np.random.default_rng(seed)
    walk = np.ones((height, width), bool)
    arena = np.zeros((height, width), np.int32)
    names = ["synthetic:outside:street"]
    walk[rng.random((height, width)) < 0.01] = False  # trees, benches, lamp posts
    for b, (y0, x0) in enumerate(
        (y, x) for y in range(3, height - 16, 19) for x in range(3, width - 20, 23)
    ):
        y1, x1, my, mx = y0 + 15, x0 + 19, y0 + 7, x0 + 9
        walk[y0 : y1 + 1, x0 : x1 + 1] = False
        arena[y0 : y1 + 1, x0 : x1 + 1] = -1
        for ry0, ry1 in ((y0 + 1, my), (my + 1, y1)):
            for rx0, rx1 in ((x0 + 1, mx), (mx + 1, x1)):
                arena[ry0:ry1, rx0:rx1] = len(names)
                names.append(f"synthetic:house {b}:room {len(names)}")
                room = rng.random((ry1 - ry0 - 2, rx1 - rx0 - 2)) > 0.12  # furniture
                walk[ry0:ry1, rx0:rx1] = True
                walk[ry0 + 1 : ry1 - 1, rx0 + 1 : rx1 - 1] = room
        # doors (arena -1): two through the middle wall, one across, one to the street
        for y, x in (
            (rng.integers(y0 + 2, my - 1), mx),
            (rng.integers(my + 2, y1 - 1), mx),
            (my, rng.integers(x0 + 2, mx - 1)),
            (y1, rng.integers(mx + 2, x1 - 1)),
        ):
            walk[y, x] = True
    return walk, arena, names


def load_town(path: Path) -> Town:
    world = World.load(path)
    return world.grid.walkable, world.grid.arena, [a.address for a in world.places.arenas]


def pct(values: list[float], q: float) -> float:
    return float(np.percentile(np.array(values), q))


def timed_paths(nav: Navigator, pairs: list) -> tuple[list[float], list]:
    """Microseconds per ``nav.path`` call, and the paths."""
    times, paths = [], []
    for a, b in pairs:
        t = time.perf_counter_ns()
        paths.append(nav.path(a, b))
        times.append((time.perf_counter_ns() - t) / 1e3)
    return times, paths


def field_methods(walk: np.ndarray) -> dict[str, Callable[[tuple[int, int]], np.ndarray]]:
    """Ways to compute one distance field, for ``--compare-bfs``. The Navigator's own
    entry leaves out its next-step array (timed in the cold query), as the others have none."""
    h, w = walk.shape
    nav = Navigator(walk, cache_size=1)
    cells, nbr, n = nav._cells, nav._nbr, nav._cells.size
    node = nav._node
    nbr_flat = np.where(nbr < n, cells[np.minimum(nbr, n - 1)], h * w).T  # grid ids, pad h*w
    adj = [[v for v in row if v < n] for row in nbr.T.tolist()]  # node ids
    cell_of = cells.tolist()

    def navigator(goal):
        order, depth = _bfs(nav._graph, int(node[goal[1] * w + goal[0]]))
        d = np.full(h * w, -1, np.int32)
        d[cells[order]] = depth
        return d.reshape(h, w)

    def scipy_shortest_path(goal):
        d = np.full(h * w, -1, np.int32)
        r = shortest_path(nav._graph, unweighted=True, indices=int(node[goal[1] * w + goal[0]]))
        ok = np.isfinite(r)
        d[cells[ok]] = r[ok].astype(np.int32)
        return d.reshape(h, w)

    def numpy_frontier(goal):
        d = np.full(h * w + 1, -1, np.int32)
        d[h * w] = 0  # the padding id looks visited
        front = np.array([goal[1] * w + goal[0]])
        d[front] = 0
        mark = np.zeros(h * w + 1, np.int64)
        k = 0
        while front.size:
            k += 1
            new = nbr_flat[node[front]].ravel()
            new = new[d[new] < 0]
            d[new] = k
            first = np.arange(new.size)  # keep the first copy of each tile, no sort
            mark[new] = first
            front = new[mark[new] == first]
        return d[:-1].reshape(h, w)

    def deque_bfs(goal):
        d = [-1] * n
        s = int(node[goal[1] * w + goal[0]])
        d[s] = 0
        queue = deque([s])
        while queue:
            u = queue.popleft()
            for v in adj[u]:
                if d[v] < 0:
                    d[v] = d[u] + 1
                    queue.append(v)
        out = np.full(h * w, -1, np.int32)
        out[cell_of] = d
        return out.reshape(h, w)

    return {
        "scipy breadth_first_order + pointer jumping (Navigator)": navigator,
        "scipy csgraph.shortest_path(unweighted)": scipy_shortest_path,
        "numpy frontier BFS (neighbour table)": numpy_frontier,
        "collections.deque BFS (adjacency lists)": deque_bfs,
    }


def compare_bfs(walk: np.ndarray, rng: np.random.Generator, goals: int = 200) -> None:
    ys, xs = np.nonzero(walk)
    picks = [(int(xs[i]), int(ys[i])) for i in rng.choice(len(xs), goals, replace=False)]
    methods = field_methods(walk)
    reference = Navigator(walk, cache_size=1)
    times: dict[str, list[float]] = {name: [] for name in methods}
    for goal in picks:  # methods interleaved, so load from other processes hits all alike
        want = reference.distance_field(goal)
        for name, field in methods.items():
            t = time.perf_counter()
            d = field(goal)
            times[name].append(time.perf_counter() - t)
            if not np.array_equal(d, want):
                raise SystemExit(f"{name} disagrees with the Navigator at goal {goal}")
    print()
    print(f"| one distance field (H, W) int32, {goals} goals | p50 | p95 |")
    print("|---|---|---|")
    for name, ts in times.items():
        print(f"| {name} | {pct(ts, 50) * 1e3:.2f} ms | {pct(ts, 95) * 1e3:.2f} ms |")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    src = ap.add_mutually_exclusive_group()
    src.add_argument("--world", type=Path, default=ROOT / "worlds" / "the_ville.json")
    src.add_argument("--synthetic", action="store_true", help="a generated 140 x 100 town")
    ap.add_argument("--pairs", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--compare-bfs", action="store_true", help="time other field algorithms")
    args = ap.parse_args()

    t0 = time.perf_counter()
    try:
        walk, arena, names = synthetic_town(args.seed) if args.synthetic else load_town(args.world)
    except (OSError, WorldError) as e:
        raise SystemExit(f"cannot load the world: {e}\n(try --synthetic)") from e
    load_s = time.perf_counter() - t0
    label = "synthetic town" if args.synthetic else args.world.name

    builds = []
    for _ in range(5):
        t0 = time.perf_counter()
        nav = Navigator(walk, cache_size=args.pairs)
        graph = place_graph(arena, walk, names)
        builds.append(time.perf_counter() - t0)

    rng = np.random.default_rng(args.seed)
    ys, xs = np.nonzero(walk)
    if args.pairs > len(xs):
        raise SystemExit(f"--pairs {args.pairs}: only {len(xs)} walkable tiles to use as goals")
    starts = rng.integers(len(xs), size=args.pairs)
    goals = rng.choice(len(xs), size=args.pairs, replace=False)
    pairs = [
        ((int(xs[i]), int(ys[i])), (int(xs[j]), int(ys[j])))
        for i, j in zip(starts, goals, strict=True)
    ]
    cold, paths = timed_paths(nav, pairs)
    warm, _ = timed_paths(nav, pairs)
    lengths = [len(p) for p in paths if p is not None]

    h, w = walk.shape
    print(
        f"{label} ({w} x {h}, {len(xs)} walkable tiles, {len(names)} arenas, "
        f"{graph.number_of_edges()} place-graph edges); {args.pairs} random walkable pairs "
        f"with distinct goals, seed {args.seed}; {len(lengths)} reachable, mean path "
        f"{np.mean(lengths):.0f} tiles"
    )
    print(
        f"machine: {os.cpu_count()} cores, {date.today()}, Python {platform.python_version()}, "
        f"numpy {np.__version__}, scipy {scipy.__version__}"
    )
    print()
    print("| measure | p50 | p95 |")
    print("|---|---|---|")
    print(f"| cold path query (field + walk) | {pct(cold, 50):.0f} µs | {pct(cold, 95):.0f} µs |")
    print(f"| warm path query (cached field) | {pct(warm, 50):.1f} µs | {pct(warm, 95):.1f} µs |")
    what = "generate" if args.synthetic else "load + checks"
    print(f"| world {what} (one-off) | {load_s * 1e3:.0f} ms | |")
    build_ms = pct(builds, 50) * 1e3
    print(f"| Navigator + place graph build (one-off, median of 5) | {build_ms:.1f} ms | |")
    if args.compare_bfs:
        compare_bfs(walk, rng)


if __name__ == "__main__":
    main()
