"""Text to town on descriptions the tests were not written against, with time, model
requests and tokens per town (BENCHMARKS.md).

    python scripts/check_towngen.py                       # offline, the scripted model
    python scripts/check_towngen.py --llm openai --base-url http://127.0.0.1:8081/v1

Each town is generated (6 residents), laid out, validated (CFR, RCS, OPS) and its
residents loaded against it; with ``--run`` each also runs for 2 game hours.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from smallville.cli import main as cli  # noqa: E402
from smallville.cognition.persona import load_personas  # noqa: E402
from smallville.llm import LLMConfig, build  # noqa: E402
from smallville.llm.probe import check_endpoint  # noqa: E402
from smallville.towngen.generate import generate_town, write_town  # noqa: E402

# Kinds of town named neither in the tests nor, when this list was written, in the
# scripted model's catalogue: how it copes with what it was not written for.
HOLDOUT = [
    "a retirement village with a clubhouse, a bowling green and bungalows",
    "an old prison turned into a hostel, with a laundry and a canteen",
    "an oil rig with a drilling floor, a galley and crew cabins",
    "a boarding school with dormitories, a gym and a chapel",
    "a jungle research camp with a field lab, a generator shed and tents",
    "a music festival site with a main stage, food trucks and a campsite",
    "a ghost town with a saloon, a sheriff's office and abandoned houses",
    "a trading post by a river with a warehouse, a dock and a smokehouse",
    "a theatre district with two theatres, a rehearsal studio and flats",
    "a mountain rescue station with a helipad, a garage and a bunkhouse",
]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--llm", default="scripted")
    ap.add_argument("--base-url")
    ap.add_argument("--model")
    ap.add_argument("--timeout", type=float, default=120)
    ap.add_argument("--run", action="store_true", help="run each town for 2 game hours")
    ap.add_argument("--only", type=int, help="the first N descriptions")
    args = ap.parse_args()
    config = LLMConfig.resolve(
        backend=args.llm, base_url=args.base_url, model=args.model, timeout=args.timeout
    )
    if config.backend == "openai":
        config = check_endpoint(config)
    print(f"model: {config.model or 'scripted'}")
    print(
        "| description | CFR | RCS | OPS | buildings | residents | s | calls | tokens "
        "| repaired | fallback |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    walls, calls, tokens = [], [], []
    for text in HOLDOUT[: args.only]:
        row, usage, wall = _one(text, config, args.run)
        walls.append(wall)
        calls.append(usage.calls)
        tokens.append(usage.tokens)
        print(row, flush=True)
    print(
        f"\nmedian per town: {statistics.median(walls):.1f} s, "
        f"{statistics.median(calls):.0f} calls, {statistics.median(tokens):,.0f} tokens"
    )


def _one(text: str, config: LLMConfig, run: bool):
    llm = build(config)

    async def generate():
        try:
            return await generate_town(text, 6, llm)
        finally:
            await llm.aclose()

    t0 = time.perf_counter()
    town = asyncio.run(generate())
    wall = time.perf_counter() - t0
    u = llm.usage()
    m = town.world.metrics
    with tempfile.TemporaryDirectory() as tmp:
        paths = write_town(town, Path(tmp) / "town")
        arenas = [a.address for a in town.world.places.arenas]
        residents = len(load_personas(paths["agents"], arenas))
        if run:
            argv = ["run", "--world", str(paths["world"]), "--agents", str(paths["agents"])]
            argv += ["--llm", "scripted"]  # the town is checked, not the model
            assert cli([*argv, "--hours", "2", "--out", f"{tmp}/r.sqlite", "--quiet"]) == 0
    row = (
        f"| {text[:48]} | {float(m.cfr):.2f} | {float(m.rcs):.2f} | {float(m.ops):.2f} "
        f"| {len(town.plan.places)} | {residents} | {wall:.1f} | {u.calls} | {u.tokens:,} "
        f"| {u.repaired} | {u.fallbacks} |"
    )
    return row, u, wall


if __name__ == "__main__":
    main()
