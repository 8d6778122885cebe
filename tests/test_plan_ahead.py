"""``plan_ahead`` (run --plan-ahead): every block's actions planned at waking, so a
block that begins asks the model nothing (issue #16's shorter chains, behind a flag)."""

from __future__ import annotations

import asyncio
from collections import Counter
from pathlib import Path

import pytest

from smallville import gametime as gt
from smallville.cognition.mind import load_mind_state, mind_state
from smallville.cognition.persona import load_personas
from smallville.cognition.settings import CognitionSettings
from smallville.llm import LLM
from smallville.llm.scripted import ScriptedModel
from smallville.sim.engine import Simulation
from smallville.world import World

ROOT = Path(__file__).resolve().parents[1]


def cafe(plan_ahead: bool, hours: int = 24) -> tuple[Simulation, list[tuple[int, str, str]]]:
    """``hours`` of the cafe from 05:00; the (tick, resident, kind) of each call."""
    world = World.load(ROOT / "worlds" / "cafe.json")
    personas = load_personas(ROOT / "agents" / "cafe")
    settings = CognitionSettings(plan_ahead=plan_ahead)
    start = gt.parse("2023-02-13 05:00")
    sim = Simulation(world, personas, LLM(ScriptedModel()), start=start, settings=settings)
    calls: list[tuple[int, str, str]] = []
    sim.llm.meter.on_call(lambda task, _c: calls.append((sim.state.tick, task.agent, task.kind)))

    async def go():
        await sim.prepare()
        await sim.advance(hours * 360, engine="lockstep")

    asyncio.run(go())
    return sim, calls


@pytest.fixture(scope="module")
def runs():
    return {flag: cafe(flag) for flag in (False, True)}


def at_waking(calls) -> float:
    """The share of decompositions asked in the tick their resident planned its day."""
    planned = {(agent, tick) for tick, agent, kind in calls if kind == "daily_plan"}
    decompose = [(agent, tick) for tick, agent, kind in calls if kind == "decompose"]
    return sum(d in planned for d in decompose) / len(decompose)


def test_blocks_are_planned_at_waking_only_with_the_flag(runs):
    _, paper = runs[False]
    _, ahead = runs[True]
    assert at_waking(ahead) > 0.6 > 0.4 > at_waking(paper)
    # the same kinds of request; the decompositions move, they do not multiply much
    kinds = Counter(k for _, _, k in ahead)
    assert kinds["decompose"] <= 1.5 * Counter(k for _, _, k in paper)["decompose"]


def test_planned_blocks_survive_a_checkpoint():
    sim, _ = cafe(True, hours=4)
    m = next(m for m in sim.minds if m.planner.state.ahead)
    saved = mind_state(m)
    before = dict(m.planner.state.ahead)
    load_mind_state(m, saved)
    assert m.planner.state.ahead == before
    assert all(isinstance(start, int) for start in m.planner.state.ahead)
