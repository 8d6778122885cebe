"""Agent cognition with the scripted model: plans, places, reflection, reactions, talk."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import numpy as np
import pytest

from smallville import gametime as gt
from smallville.cognition.mind import Mind, load_mind_state, mind_state
from smallville.cognition.perceive import perceive
from smallville.cognition.persona import load_personas
from smallville.cognition.plan import fit_durations, sleep_action
from smallville.cognition.settings import CognitionSettings
from smallville.cognition.snapshot import AgentView, Event
from smallville.cognition.spatial import PlaceIndex, SpatialMemory
from smallville.llm import LLMConfig, build
from smallville.llm import schemas as k
from smallville.sim.engine import Simulation
from smallville.world import Obj, World

ROOT = Path(__file__).resolve().parents[1]
START = gt.parse("2023-02-13 06:00")


def run_town(town: str, hours: float, settings: CognitionSettings | None = None, until=None):
    """Run ``town`` for ``hours``, or until ``until(sim)`` holds after a tick."""

    async def go():
        world = World.load(ROOT / "worlds" / f"{town}.json")
        personas = load_personas(ROOT / "agents" / town)
        llm = build(LLMConfig.resolve({}))
        sim = Simulation(world, personas, llm, start=START, settings=settings)
        await sim.prepare()
        await sim.plant({p.name: list(p.memories) for p in personas}, "seed")
        actions = []
        for _ in range(int(hours * 360)):
            before = [m.action for m in sim.minds]
            await sim.step()
            actions += [
                (m, m.action) for m, b in zip(sim.minds, before, strict=True) if m.action is not b
            ]
            if until and until(sim):
                break
        return sim, llm, actions

    return asyncio.run(go())


@pytest.fixture(scope="module")
def cafe_day():
    return run_town("cafe", 16)


@pytest.mark.parametrize("minutes", [1, 5, 59, 60, 61, 119, 240, 600])
def test_fit_durations_sum_exactly(minutes):
    """Re-scaled step lengths always add up to the block and stay >= 1 minute."""
    steps = [k.Step(description=str(i), minutes=m) for i, m in enumerate([7, 13, 5, 40])]
    out = fit_durations(steps, minutes)
    assert sum(s.minutes for s in out) == minutes and all(s.minutes >= 1 for s in out)


def test_every_action_has_a_valid_place_and_blocks_add_up(cafe_day):
    """Each action's place resolves in the world; a block's actions cover it exactly."""
    sim, _, actions = cafe_day
    assert len(actions) > 30
    for m, a in actions:
        place = sim.places.resolve(a.address)
        assert place is not None
        if isinstance(place, Obj) and a.description != k.SLEEPING:
            assert sim.places.arenas[place.arena].address in m.spatial.known
    assert all(a.duration > 0 for _, a in actions)


def test_nobody_walks_into_other_peoples_homes(cafe_day):
    """Private arenas of others never appear as chosen places."""
    sim, _, actions = cafe_day
    for m, a in actions:
        arena = ":".join(a.address.split(":")[:3])
        assert m.spatial.allowed(arena), (m.name, a.address)


def test_conversations_happen_and_end_within_the_round_limit(cafe_day):
    """Residents talk; each conversation has at most 2 x max_rounds utterances."""
    sim, llm, _ = cafe_day
    assert llm.meter.by_kind["utterance"].calls >= 2
    assert llm.meter.by_kind["summarize_conversation"].calls >= 2
    assert not sim.state.conversations or all(
        c.turns <= 2 * sim.settings.max_rounds for c in sim.state.conversations.values()
    )
    chats = [
        r for m in sim.minds for r in map(m.memory.record, range(len(m.memory))) if r.kind == "chat"
    ]
    assert chats and all(r.source.startswith("conversation:") for r in chats)


def test_reflection_fires_with_evidence_and_depth():
    """Past the importance threshold a mind reflects; insights cite earlier records."""

    async def go():
        world = World.load(ROOT / "worlds" / "cafe.json")
        persona = load_personas(ROOT / "agents" / "cafe")[0]
        llm = build(LLMConfig.resolve({}))
        addresses = sorted(o.address for o in world.places.objects)
        index = PlaceIndex(addresses, await llm.embed([PlaceIndex.text(a) for a in addresses]))
        spatial = SpatialMemory(world.places, persona.living_area, set())
        spatial.start(persona.workplace)
        settings = CognitionSettings(reflection_threshold=30)
        m = Mind(0, persona, spatial, index, settings, dim=index.vectors.shape[1])
        texts = [
            f"Ben Carter told {persona.name} about the photography exhibition {i}" for i in range(6)
        ]
        await m.seed(llm, START, texts, "test")
        assert m.memory.importance_since_reflection >= 30
        await m.keeper.reflect(llm, START + 60)
        return m

    m = asyncio.run(go())
    thoughts = [
        m.memory.record(i)
        for i in range(len(m.memory))
        if m.memory.record(i).subkind == "reflection"
    ]
    assert thoughts and m.memory.importance_since_reflection == 0
    for t in thoughts:
        assert t.evidence and all(e < t.id for e in t.evidence)
        assert t.depth == 1 + max(m.memory.record(e).depth for e in t.evidence)
    assert any(o[0] == "reflection" for o in m.outbox)


def test_a_mind_state_survives_a_checkpoint():
    """Saved as JSON and loaded back, each mind's state (plans, queue, backlog, a
    conversation under way) equals what it was, with the same types."""
    sim, _, _ = run_town("cafe", 3, until=lambda sim: any(m.chat.transcript for m in sim.minds))
    assert any(m.chat.transcript for m in sim.minds)
    for m in sim.minds:
        before, saved = m.state, json.dumps(mind_state(m), sort_keys=True)
        load_mind_state(m, json.loads(saved))
        assert m.state == before
        assert json.dumps(mind_state(m), sort_keys=True) == saved
        assert isinstance(m.action.triple, tuple)


def test_no_reactions_while_asleep():
    """A sleeping agent perceives nothing and is not stepped for events."""

    sim, llm, _ = run_town("cafe", 0.5)
    sleeper = next(m for m in sim.minds if m.asleep) if any(m.asleep for m in sim.minds) else None
    if sleeper is None:  # everyone is up by 06:30 in the cafe: force one to sleep
        sleeper = sim.minds[0]
        now = sim.state.time
        sleeper.planner.state.action = sleep_action(sleeper.name, "bed", now, 3600, k.SLEEPING)
    e = Event(
        kind="agent",
        subject="Someone Else",
        predicate="is",
        object="waving",
        description="Someone Else is waving",
        address="x",
        position=(0, 0),
    )
    assert not sleeper.needs_step(sim.state.time, [e])


def test_perception_is_limited_to_arena_radius_and_bandwidth():
    """Only people in the same arena within the radius, closest first, at most N."""
    me = AgentView(
        id=0, name="A", position=(10, 10), arena="w:s:room", action="reading", address=""
    )
    others = [
        AgentView(
            id=i,
            name=f"P{i}",
            position=(10 + i, 10),
            arena="w:s:room",
            action="talking",
            address="",
        )
        for i in range(1, 12)
    ]
    others.append(
        AgentView(id=20, name="Far", position=(11, 11), arena="w:s:other", action="x", address="")
    )
    agents = (me, *others)
    got = perceive(me, agents, {}, {}, radius=8, bandwidth=5)
    assert [e.subject for e in got] == ["P1", "P2", "P3", "P4", "P5"]
    assert len(perceive(me, agents, {}, {}, radius=8, bandwidth=50)) == 8


def test_place_shortlist_keeps_home_and_relevant_objects():
    """The options offered for a block include home objects and the closest matches."""
    addresses = ["w:Home:bedroom:bed", "w:Cafe:cafe:coffee machine", "w:Park:lawn:bench"]
    vecs = np.eye(3, dtype=np.float32)
    index = PlaceIndex(addresses, vecs)
    got = index.shortlist(
        addresses,
        np.array([[0, 1, 0]], np.float32),
        per_query=1,
        always=["w:Home:bedroom:bed"],
        cap=10,
    )
    assert got == ["w:Cafe:cafe:coffee machine", "w:Home:bedroom:bed"]
