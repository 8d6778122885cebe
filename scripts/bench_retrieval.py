"""Memory-stream add and retrieve latency at 1k, 10k and 100k records.

python scripts/bench_retrieval.py [--dims 64 384] [--sizes 1000 10000 100000]
                                  [--queries 200] [--seed 0]

Records are observations a game minute apart with importance 1-10 and random unit
embeddings (fixed seed); each query is a random unit vector, retrieved with the paper's
settings (weights 1, decay 0.995, top 30) and touching the results, the game clock moving
on a minute per query. 64 is the dimension of the default local embedder; 384 is for
reference (a typical sentence-transformer). Prints a markdown table.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from datetime import date
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from smallville import gametime as gt  # noqa: E402
from smallville.memory import MemoryStream, RetrievalSettings  # noqa: E402

TARGET_MS = 5.0  # p50 retrieve at 100k records, top 30, dim 64


def unit_rows(rng: np.random.Generator, n: int, dim: int) -> np.ndarray:
    x = rng.standard_normal((n, dim)).astype(np.float32)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def bench(n: int, dim: int, queries: int, rng: np.random.Generator) -> tuple[float, ...]:
    """(add p50, add p95) in µs and (retrieve p50, retrieve p95) in ms."""
    emb = unit_rows(rng, n, dim)
    start = gt.parse("2023-02-13 00:00")
    m = MemoryStream(dim)
    adds = np.empty(n)
    for i in range(n):
        t = time.perf_counter_ns()
        m.add(
            kind="observation",
            text="event",
            created=start + i * gt.MINUTE,
            importance=1 + i % 10,
            embedding=emb[i],
        )
        adds[i] = time.perf_counter_ns() - t
    settings = RetrievalSettings()
    now = start + n * gt.MINUTE
    took = np.empty(queries)
    for j, q in enumerate(unit_rows(rng, queries, dim)):
        t = time.perf_counter_ns()
        m.retrieve(q, now + j * gt.MINUTE, settings)
        took[j] = time.perf_counter_ns() - t
    a50, a95 = np.percentile(adds, [50, 95]) / 1e3
    r50, r95 = np.percentile(took, [50, 95]) / 1e6
    return a50, a95, r50, r95


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dims", type=int, nargs="+", default=[64, 384])
    ap.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    print(
        f"{date.today()}, {os.cpu_count()} cores, {platform.machine()}, "
        f"Python {platform.python_version()}, numpy {np.__version__}; "
        f"{args.queries} queries, top 30, paper weights, seed {args.seed}"
    )
    print()
    print("| records | dim | add p50 | add p95 | retrieve p50 | retrieve p95 |")
    print("|---:|---:|---:|---:|---:|---:|")
    rng = np.random.default_rng(args.seed)
    verdict = None
    for dim in args.dims:
        for n in args.sizes:
            a50, a95, r50, r95 = bench(n, dim, args.queries, rng)
            print(f"| {n:,} | {dim} | {a50:.1f} µs | {a95:.1f} µs | {r50:.2f} ms | {r95:.2f} ms |")
            if n == 100_000 and dim == 64:
                verdict = r50 <= TARGET_MS
    if verdict is not None:
        print()
        met = "met" if verdict else "MISSED"
        print(f"target (100k records, dim 64, p50 <= {TARGET_MS} ms): {met}")


if __name__ == "__main__":
    main()
