"""Local embedders: paraphrase vs unrelated similarity on town sentences, and speed.

python scripts/bench_embed.py
"""

from __future__ import annotations

import os
import sys
import time
from datetime import date
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from smallville.llm.embed import HashingEmbedder, StaticEmbedder  # noqa: E402

PAIRS = [
    (
        "Clara is planning a Valentine's Day party at the cafe",
        "There will be a Valentine's celebration at Bellini's Cafe",
    ),
    ("Samuel Hart is running for mayor", "Samuel wants to become the town's mayor"),
    ("the stove is heating a pan", "someone is cooking on the stove"),
    (
        "Jonah is writing his thesis in the library",
        "Jonah works on his dissertation at the library",
    ),
    ("Maya is studying for her economics exam", "Maya is preparing for an economics test"),
    ("Tomas is pouring beer at the pub", "the bartender serves drinks at The Lantern Pub"),
    ("Arne takes a walk in Willow Park", "Arne is strolling through the park"),
    ("Iris is painting at her easel", "Iris works on a canvas in the studio"),
    ("Elena fills a prescription at the pharmacy", "the pharmacist prepares medicine"),
    ("Dorothy is knitting a scarf", "Dorothy knits a woolen scarf at home"),
    ("Kenji is stocking the grocery shelves", "Kenji restocks the shelves of his store"),
    ("Leo practises the piano for his recital", "Leo rehearses piano music for a concert"),
    ("Grace opens the Town Hall lobby", "the town clerk starts work at Town Hall"),
    ("Harold is writing his memoirs", "Harold works on the story of his life"),
    ("Oscar plays guitar at the pub on Saturday", "Oscar performs songs at The Lantern Pub"),
    ("the bed is being used for sleeping", "someone is asleep in the bed"),
    ("Sofia has a crush on Leo", "Sofia is attracted to Leo"),
    ("Felix is sculpting clay in the studio", "Felix shapes a clay sculpture"),
    ("Lucia makes latte art at the cafe", "the barista draws patterns in the coffee foam"),
    ("Chidi teaches an economics class", "Professor Okafor gives an economics lecture"),
]


def measure(embedder) -> tuple[float, float, float]:
    a = embedder.embed([p[0] for p in PAIRS])
    b = embedder.embed([p[1] for p in PAIRS])
    sims = a @ b.T
    para = float(np.mean(np.diag(sims)))
    unrelated = float(np.mean(sims[~np.eye(len(PAIRS), dtype=bool)]))
    texts = [f"{p[0]} ({i})" for i in range(100) for p in PAIRS]
    t0 = time.perf_counter()
    embedder.embed(texts)
    rate = len(texts) / (time.perf_counter() - t0)
    return para, unrelated, rate


def main() -> None:
    print(
        f"machine: {os.cpu_count()} cores, {date.today()}; {len(PAIRS)} paraphrase pairs, "
        f"unrelated = every other pairing"
    )
    print()
    print("| embedder | dim | paraphrase cos | unrelated cos | gap | texts/s |")
    print("|---|---|---|---|---|---|")
    for make in (StaticEmbedder, HashingEmbedder):
        try:
            e = make()
        except Exception as err:  # noqa: BLE001 - report and go on
            print(f"| {make.__name__} | - | unavailable: {err} | | | |")
            continue
        para, unrelated, rate = measure(e)
        print(
            f"| {e.name} | {e.dim} | {para:.3f} | {unrelated:.3f} | {para - unrelated:.3f} "
            f"| {rate:,.0f} |"
        )


if __name__ == "__main__":
    main()
