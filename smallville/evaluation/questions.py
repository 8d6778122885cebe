"""The interview questions of the paper's five categories, each with what the run log
says the answer is (``truth``; None where the log cannot know) and the grader that
checks an answer against it (``grade.py``).

Questions are asked at one moment (a tick and its game time); "today" is that game
day up to that moment.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from typing import Any

from smallville import gametime as gt
from smallville.analysis.metrics import diffusion
from smallville.evaluation.grade import mentions
from smallville.replay import Run

CATEGORIES = ("self_knowledge", "memory", "plans", "reactions", "reflections")
REACTION = "Your breakfast is burning! What would you do?"


@dataclass(frozen=True)
class Question:
    category: str
    key: str  # stable id within a resident: "introduction", "fact:party", ...
    text: str
    truth: Any  # JSON-able; None: the log cannot know
    grader: str | None  # a grader of ``grade.grade``; None: judged only


class Ground:
    """What the run log says at one tick, read once for every resident."""

    def __init__(self, run: Run, tick: int, now: int) -> None:
        self.run, self.tick, self.now = run, tick, now
        self.day_tick = max(0, run.tick_at(gt.day_start(now)))
        self.names = {a.id: a.name for a in run.agents}
        talks = [(c.tick_start, c.a, c.b) for c in run.conversations(0, max(tick, -1))]
        self.talks_today = [(a, b) for t, a, b in talks if t >= self.day_tick]
        self.talks = [(a, b) for _, a, b in talks]
        self.facts = (run.meta.get("scenario") or {}).get("facts") or {}
        self.known = {
            fact: {k["resident"] for k in d["knows"] if k["tick"] <= tick}
            for fact, d in (diffusion(run).items() if self.facts else ())
        }

    def questions(self, agent: int) -> list[Question]:
        """Every question for one resident, in category order."""
        return [
            _introduction(self, agent),
            _talked_with(self, agent),
            _places(self, agent),
            *_facts(self, agent),
            _next_block(self, agent),
            Question("reactions", "burning_breakfast", REACTION, None, None),
            _learned_about(self, agent),
        ]


def _introduction(g: Ground, agent: int) -> Question:
    persona = g.run.agent(agent).persona
    work = persona.get("workplace")
    truth = {
        "name": persona["name"],
        "age": persona["age"],
        "workplace": work.split(":")[1] if work and ":" in work else None,
    }
    text = "Give an introduction of yourself."
    return Question("self_knowledge", "introduction", text, truth, "self")


def _partners(talks: list[tuple[int, int]], agent: int) -> Counter:
    return Counter(b if a == agent else a for a, b in talks if agent in (a, b) and a != b)


def _talked_with(g: Ground, agent: int) -> Question:
    truth = sorted(g.names[p] for p in _partners(g.talks_today, agent))
    return Question("memory", "talked_with", "Who did you talk with today?", truth, "names")


def _places(g: Ground, agent: int) -> Question:
    rows = g.run.log.actions(agent, g.day_tick, g.tick)
    before = g.run.log.action_at(agent, g.day_tick - 1) if g.day_tick > 0 else None
    sectors: list[str] = []
    for r in ([before] if before else []) + rows:
        parts = r.address.split(":")
        if len(parts) > 1 and parts[1] and parts[1] not in sectors:
            sectors.append(parts[1])
    return Question("memory", "places", "Where have you been today?", sectors, "places")


def _facts(g: Ground, agent: int) -> list[Question]:
    out = []
    for fact, spec in g.facts.items():
        keywords = list(spec.get("keywords") or [])
        about = " or ".join(keywords) or spec.get("description", fact)
        truth = {"knows": g.names[agent] in g.known.get(fact, ()), "keywords": keywords}
        text = f"Do you know anything about {about}?"
        out.append(Question("memory", f"fact:{fact}", text, truth, "fact"))
    return out


def _next_block(g: Ground, agent: int) -> Question:
    """The first block of the latest schedule of today that starts after now."""
    row = g.run.log.latest_plan(agent, "schedule", g.tick)
    minute = (g.now - gt.day_start(g.now)) // 60
    if row is not None and gt.day_start(g.run.time_of(row.tick)) == gt.day_start(g.now):
        for start, _, activity in json.loads(row.content).get("blocks", []):
            if start > minute:
                when = f"{start // 60 % 24:02d}:{start % 60:02d}"
                text = f"What will you be doing at {when}?"
                return Question("plans", f"at {when}", text, activity, "plan")
    when = gt.fmt_hm(g.now + gt.HOUR)
    return Question("plans", f"at {when}", f"What will you be doing at {when}?", None, "plan")


def _learned_about(g: Ground, agent: int) -> Question:
    """About the person named in the resident's reflections it talked with most (ties:
    the most named), else the person it talked with most, else itself."""
    texts = [m.text for m in g.run.log.memories(agent, g.tick, subkind="reflection")]
    talked = _partners(g.talks, agent)
    named = +Counter(
        {o: sum(mentions(t, n) for t in texts) for o, n in g.names.items() if o != agent}
    )
    pool = named or talked
    if not pool:
        text = "What have you learned about yourself lately?"
        return Question("reflections", "learned_about:self", text, texts or None, "reflections")
    other = max(pool, key=lambda o: (talked[o], named[o], -o))
    name = g.names[other]
    truth = [t for t in texts if mentions(t, name)] or None
    text = f"What have you learned about {name}?"
    return Question("reflections", f"learned_about:{name}", text, truth, "reflections")
