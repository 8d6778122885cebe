"""The out-of-order engine (sim/clocks.py): residents far apart run ticks on their own
clocks, and the run is still the lock-step engine's (test_sim.py compares dumps under
random delays; SIGKILL, Ctrl-C and budget stops there run on this engine too)."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import numpy as np
import pytest
from inprocess import run_town

from smallville.llm import LLM
from smallville.llm.scripted import ScriptedModel
from smallville.sim.clocks import _components

SLOW = "Chidi Okafor"
START = "2023-02-13 06:00"
ROOT = Path(__file__).resolve().parents[1]


class Slow:
    """The scripted model, one resident's answers slow and the rest quick."""

    def __init__(self) -> None:
        self.inner = ScriptedModel()
        self.name = self.inner.name

    async def run(self, task):
        await asyncio.sleep(0.03 if task.agent == SLOW else 0.0005)
        return await self.inner.run(task)

    async def embed(self, texts):
        return await self.inner.embed(texts)


def ville(backend):
    from smallville import gametime as gt
    from smallville.cognition.persona import load_personas
    from smallville.sim.engine import Simulation
    from smallville.world import World

    world = World.load(ROOT / "worlds" / "the_ville.json")
    personas = load_personas(ROOT / "agents" / "the_ville")
    return Simulation(world, personas, LLM(backend, concurrency=64), start=gt.parse(START))


@pytest.mark.parametrize("engine", ["out-of-order", "auto"])
def test_residents_far_apart_do_not_wait_for_a_slow_one(monkeypatch, engine):
    monkeypatch.setattr("smallville.llm.limit.START", 64)  # no slow start: a wide window
    sim = ville(Slow())

    async def go():
        await sim.prepare()
        await sim.advance(360, engine=engine)

    asyncio.run(go())
    assert sim.state.tick == 360
    # while the slow resident waits for answers, those far from it run on
    assert sim.widest >= 20


def test_auto_runs_tick_by_tick_while_answers_take_no_time():
    sim = ville(ScriptedModel())
    whole = []
    step = sim.step

    async def counted():
        whole.append(sim.state.tick)
        await step()

    sim.step = counted

    async def go():
        await sim.prepare()
        await sim.advance(360, engine="auto")

    asyncio.run(go())
    assert sim.state.tick == 360
    assert len(whole) > 300  # after the first calls show there is no latency to hide


def test_an_object_is_in_use_only_while_its_user_stands_at_it(tmp_path):
    from smallville.world import World

    out = tmp_path / "run.sqlite"
    assert run_town("the_ville", out, LLM(ScriptedModel()), hours=2).reason == "done"
    places = World.load(ROOT / "worlds" / "the_ville.json").places
    c = sqlite3.connect(out)
    used = c.execute("SELECT tick, address FROM objects WHERE state != 'idle'").fetchall()
    assert len(used) > 20
    for tick, address in used:
        users = c.execute(
            "SELECT agent FROM actions a WHERE address = ? AND tick = "
            "(SELECT MAX(tick) FROM actions WHERE agent = a.agent AND tick <= ?)",
            (address, tick),
        ).fetchall()
        spots = set()
        for (agent,) in users:
            spots.add(
                c.execute(
                    "SELECT x, y FROM positions WHERE agent = ? AND tick <= ? "
                    "ORDER BY tick DESC LIMIT 1",
                    (agent, tick),
                ).fetchone()
            )
        assert spots & set(places.resolve(address).use_tiles), (tick, address)


def test_conversation_ids_are_unique_and_sort_by_start(tmp_path):
    out = tmp_path / "run.sqlite"
    assert run_town("the_ville", out, LLM(ScriptedModel()), hours=2).reason == "done"
    c = sqlite3.connect(out)
    rows = c.execute("SELECT id, tick_start, a FROM conversations ORDER BY id").fetchall()
    assert len(rows) >= 3
    assert [r[1] for r in rows] == sorted(r[1] for r in rows)
    assert len({r[0] for r in rows}) == len(rows)


def test_groups_are_linked_by_reach_and_by_conversations():
    pos = np.array([[0, 0], [5, 0], [10, 0], [40, 40], [80, 80]])
    label = _components(pos, 5, [])
    assert label[0] == label[1] == label[2]  # a chain of neighbours is one group
    assert len({label[0], label[3], label[4]}) == 3
    label = _components(pos, 5, [(3, 4)])  # partners run their ticks together
    assert label[3] == label[4] != label[0]
    big = np.array([[i * 3, 0] for i in range(100)] + [[500, 500]])  # scipy's path
    label = _components(big, 3, [])
    assert len(set(label[:100].tolist())) == 1 and label[100] != label[0]
