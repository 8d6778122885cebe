"""Memory-stream add and retrieve latency at 1k, 10k and 100k records.

python scripts/bench_retrieval.py [--dims 64 384] [--queries 200] [--seed 0]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import date
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from smallville.memory import MemoryStream, RetrievalSettings  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dims", type=int, nargs="+", default=[64, 384])
    ap.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    print(f"machine: {os.cpu_count()} cores, {date.today()}; top-k 30, paper weights")
    print()
    print("| records | dim | add p50 | retrieve p50 | retrieve p95 |")
    print("|---|---|---|---|---|")
    rng = np.random.default_rng(args.seed)
    for dim in args.dims:
        for n in args.sizes:
            emb = rng.standard_normal((n, dim)).astype(np.float32)
            m = MemoryStream(dim)
            adds = []
            for i in range(n):
                t = time.perf_counter_ns()
                m.add(
                    kind="observation",
                    text="event",
                    created=i * 30,
                    importance=1 + i % 10,
                    embedding=emb[i],
                )
                adds.append(time.perf_counter_ns() - t)
            now = n * 30 + 3600
            times = []
            for q in rng.standard_normal((args.queries, dim)).astype(np.float32):
                t = time.perf_counter_ns()
                m.retrieve(q, now, RetrievalSettings())
                times.append(time.perf_counter_ns() - t)
            a = np.percentile(adds, 50) / 1e3
            p50, p95 = (np.percentile(times, q) / 1e6 for q in (50, 95))
            print(f"| {n:,} | {dim} | {a:.1f} µs | {p50:.2f} ms | {p95:.2f} ms |")


if __name__ == "__main__":
    main()
