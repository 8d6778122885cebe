"""Run a town in this process with any model backend (tests that need a model the CLI
cannot build: delayed, jittered, or pointed at a fake endpoint)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from smallville.llm import LLM, Budget
from smallville.sim.runner import Outcome, Runner
from smallville.sim.setup import RunConfig

ROOT = Path(__file__).resolve().parents[1]


def run_town(
    town: str,
    out: Path,
    llm: LLM,
    hours: float,
    model: str = "scripted",
    engine: str = "out-of-order",
) -> Outcome:
    """Simulate ``worlds/<town>.json`` with ``agents/<town>`` for ``hours`` into ``out``
    (on the out-of-order engine unless told otherwise)."""
    cfg = RunConfig(
        world=ROOT / "worlds" / f"{town}.json",
        agents=ROOT / "agents" / town,
        out=out,
        hours=hours,
        engine=engine,
    )

    async def go() -> Outcome:
        try:
            runner = await Runner.start(cfg, llm, Budget(), {"model": model})
            outcome = await runner.run()
            runner.log.close()
            return outcome
        finally:
            await llm.aclose()

    return asyncio.run(go())
