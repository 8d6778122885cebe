"""Metrics over a run, each a plain function of a ``Run`` (paper section 7).

A resident *knows* a tracked fact from the first memory it holds that was formed from
it: one that mentions one of the fact's keywords, or one made from a conversation in
which the fact was said (the summary need not repeat it). A reflection citing such a
record comes after the record, so it never changes when a resident learned. Where that
memory came from (a seed, a whisper, a conversation, a reflection) gives the source
chain. Relationships are conversations (who talked with whom) and acquaintance (who
talked with whom, or is named in someone's memories).
"""

from __future__ import annotations

import itertools
import re
from collections import defaultdict
from dataclasses import asdict, dataclass

from smallville import gametime as gt
from smallville.analysis.health import health
from smallville.llm import schemas as k
from smallville.replay import Run


@dataclass(frozen=True, kw_only=True)
class Learned:
    resident: str
    tick: int
    time: str
    how: str  # "seed" | "scenario" | "whisper" | "conversation" | "reflection" | "observation"
    source: str | None  # who told them (conversations), else None
    text: str


def diffusion(run: Run) -> dict[str, dict]:
    """For each tracked fact: who knows it, since when, and who told whom."""
    facts = (run.meta.get("scenario") or {}).get("facts") or {}
    names = {a.id: a.name for a in run.agents}
    conv = {c.id: (c.a, c.b) for c in run.log.conversations()}
    memories = run.log.memories()
    utterances = run.log.utterances()
    out = {}
    for fact, spec in facts.items():
        pattern = re.compile("|".join(re.escape(k) for k in spec["keywords"]), re.IGNORECASE)
        said = {u.conversation for u in utterances if pattern.search(u.text)}
        learned: dict[int, Learned] = {}
        for m in memories:
            source = m.source or ""
            heard = source.startswith("conversation:") and int(source[13:]) in said
            if m.agent in learned or not (heard or pattern.search(m.text)):
                continue
            how, teller = _origin(source, m.kind, m.agent, conv, names)
            tick = max(m.tick, 0)
            learned[m.agent] = Learned(
                resident=names[m.agent],
                tick=tick,
                time=gt.fmt(run.time_of(tick)),
                how=how,
                source=teller,
                text=m.text[:200],
            )
        n = len(run.agents)
        knowers = sorted(learned.values(), key=lambda x: (x.tick, x.resident))
        out[fact] = {
            "description": spec.get("description", ""),
            "knows": [asdict(k) for k in knowers],
            "share": len(knowers) / n if n else 0.0,
            "chain": [
                {"from": k.source, "to": k.resident, "time": k.time} for k in knowers if k.source
            ],
        }
    return out


def _origin(source: str, kind: str, agent: int, conv, names) -> tuple[str, str | None]:
    if source.startswith("conversation:"):
        cid = int(source.split(":", 1)[1])
        a, b = conv.get(cid, (None, None))
        other = b if a == agent else a
        return "conversation", names.get(other)
    if source.startswith("whisper"):
        return "whisper", None
    if source in ("seed", "scenario"):
        return source, None
    return ("reflection" if kind == "thought" else "observation"), None


def relationships(run: Run) -> dict:
    """Who talked with whom and who knows whom, with densities per day."""
    import networkx as nx  # here, not at the top: `smallville run` imports health only

    names = [a.name for a in run.agents]
    n = len(names)
    pairs = n * (n - 1) / 2 or 1
    talks = [(t1, a, b) for _, t1, a, b in run.conversation_pairs()]
    mentioned = _mentions(run)
    days = _day_ticks(run)
    timeline = []
    for day, (first, last) in days.items():
        for label, tick in (("start", first), ("end", last)):
            talked = {frozenset((a, b)) for t, a, b in talks if t <= tick}
            known = talked | {p for t, p in mentioned if t <= tick}
            timeline.append(
                {
                    "day": day,
                    "at": label,
                    "tick": tick,
                    "talked_density": len(talked) / pairs,
                    "knows_density": len(known) / pairs,
                }
            )
    g = nx.Graph()
    g.add_nodes_from(names)
    for _, a, b in talks:
        u, v = names[a], names[b]
        w = g.get_edge_data(u, v, {"weight": 0})["weight"]
        g.add_edge(u, v, weight=w + 1)

    def knows_at(tick: int) -> list[list[str]]:
        pairs_known = {frozenset((a, b)) for t, a, b in talks if t <= tick}
        pairs_known |= {p for t, p in mentioned if t <= tick}
        return sorted(sorted(names[i] for i in p) for p in pairs_known)

    ends = [days[d] for d in days]
    return {
        "densities": timeline,
        "degree": {name: g.degree(name) for name in names},
        "conversations": len(talks),
        "edges": [[u, v, d["weight"]] for u, v, d in sorted(g.edges(data=True))],
        "knows_edges": {
            "start": knows_at(ends[0][0]) if ends else [],
            "end": knows_at(ends[-1][1]) if ends else [],
        },
    }


def _mentions(run: Run) -> list[tuple[int, frozenset]]:
    """(tick, pair) when a resident holds a memory naming another resident."""
    first_names = {a.id: a.name for a in run.agents}
    out = []
    seen: set[frozenset] = set()
    for m in run.log.memories():
        for other, name in first_names.items():
            if other != m.agent and name in m.text:
                pair = frozenset((m.agent, other))
                if pair not in seen:
                    seen.add(pair)
                    out.append((max(m.tick, 0), pair))
    return out


def _day_ticks(run: Run) -> dict[str, tuple[int, int]]:
    last = max(run.last_tick(), 0)
    days: dict[str, tuple[int, int]] = {}
    for tick in range(0, last + 1, 360):
        day = gt.fmt(run.time_of(tick))[:10]
        first, _ = days.get(day, (tick, tick))
        days[day] = (first, tick)
    if days:
        day = gt.fmt(run.time_of(last))[:10]
        first, _ = days.get(day, (last, last))
        days[day] = (first, last)
    return days


def coordination(run: Run, diffusion_result: dict | None = None) -> dict[str, dict]:
    """For each tracked event (a fact with place and time): told, planned, attended."""
    facts = (run.meta.get("scenario") or {}).get("facts") or {}
    diff = diffusion_result or diffusion(run)
    names = {a.id: a.name for a in run.agents}
    plans = [(p.agent, p.content) for p in run.log.plans(("day", "schedule"))]
    plans += [(m.agent, m.text) for m in run.log.memories(subkind="plan")]  # plan thoughts
    out = {}
    for fact, spec in facts.items():
        if not (spec.get("place") and spec.get("start") and spec.get("end")):
            continue
        pattern = re.compile("|".join(re.escape(k) for k in spec["keywords"]), re.IGNORECASE)
        planned = sorted({names[a] for a, text in plans if pattern.search(text)})
        t0, t1 = run.tick_at(spec["start"]), run.tick_at(spec["end"])
        place = spec["place"]
        here = f":{place}:".lower()
        acted = run.log.actions(start=t0, end=t1)
        there = sorted(
            {names[act.agent] for act in acted if here in act.address.lower()}
            | _present(run, t0, t1, place)
        )
        told = [k["resident"] for k in diff.get(fact, {}).get("knows", [])]
        out[fact] = {
            "place": place,
            "start": spec["start"],
            "end": spec["end"],
            "told": told,
            "planned": planned,
            "attended": there,
            "attended_of_told": len(set(there) & set(told)) / len(told) if told else 0,
        }
    return out


def _present(run: Run, t0: int, t1: int, place: str) -> set[str]:
    """Residents whose current action during [t0, t1] happens at ``place``."""
    names = {a.id: a.name for a in run.agents}
    out = set()
    for tick in range(t0, t1 + 1, 60):
        for aid, act in run.actions_at(tick).items():
            if f":{place}:" in f"{act.address}:":
                out.add(names[aid])
    return out


def time_use(run: Run) -> dict[str, dict[str, float]]:
    """Hours each resident spent per sector, from the actions' times and places."""
    out: dict[str, dict[str, float]] = {}
    end = run.time_of(run.last_tick())
    for a in run.agents:
        rows = run.timeline(a.id)
        hours: dict[str, float] = defaultdict(float)
        for cur, nxt in itertools.zip_longest(rows, rows[1:]):
            start = run.time_of(cur.tick)
            stop = run.time_of(nxt.tick) if nxt else end
            sector = cur.address.split(":")[1] if cur.address.count(":") >= 1 else "?"
            hours[sector] += max(0, stop - start) / 3600
        out[a.name] = dict(sorted(hours.items(), key=lambda kv: -kv[1]))
    return out


def plan_adherence(run: Run, every: int = 30) -> dict[str, float]:
    """Share of sampled ticks a resident stood in the arena its current action names."""
    places = run.world().places
    hits: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for tick in range(0, run.last_tick() + 1, every):
        pos = run.positions_at(tick)
        for aid, act in run.actions_at(tick).items():
            if aid not in pos or act.description == k.SLEEPING:
                continue
            arena = places.arena_at(*pos[aid])
            want = ":".join(act.address.split(":")[:3])
            hits[aid][1] += 1
            hits[aid][0] += int(arena is not None and arena.address == want)
    return {a.name: (hits[a.id][0] / hits[a.id][1] if hits[a.id][1] else 0.0) for a in run.agents}


def llm_usage(run: Run) -> dict:
    """Calls, tokens, cost, cache hits, repaired answers and fallbacks by kind, and per
    agent-day. Cost uses the built-in price of the run's model (0 for the scripted model
    and local servers)."""
    from smallville.llm.meter import price_of

    kinds = run.llm_usage()
    model = (run.meta.get("llm") or {}).get("model", "scripted")
    price_in, price_out = price_of(model) or (0.0, 0.0)
    for v in kinds.values():
        spent_in = v["prompt_tokens"] - v["cached_prompt_tokens"]
        spent_out = v["completion_tokens"] - v["cached_completion_tokens"]
        v["cost_usd"] = (spent_in * price_in + spent_out * price_out) / 1e6
    agent_days = len(run.agents) * max(run.last_tick() + 1, 1) * run.tick_seconds / 86400
    keys = (
        "calls",
        "prompt_tokens",
        "completion_tokens",
        "tokens",
        "cache_hits",
        "repaired",
        "fallbacks",
        "cost_usd",
    )
    total = {k: sum(v[k] for v in kinds.values()) for k in keys}
    per_day = {
        k: total[k] / agent_days if agent_days else 0 for k in ("calls", "tokens", "cost_usd")
    }
    return {"model": model, "by_kind": kinds, "total": total, "per_agent_day": per_day}


def analyze(run: Run) -> dict:
    """Every metric, in the JSON layout ``smallville analyze --json`` writes."""
    diff = diffusion(run)
    cfg = run.meta["config"]
    return {
        "run": {
            "path": str(run.path),
            "start": cfg["start"],
            "until": cfg["until"],
            "ticks": run.last_tick() + 1,
            "residents": len(run.agents),
            "ablations": cfg.get("ablations", {}),
            "llm": run.meta.get("llm", {}),
            "scenario": (run.meta.get("scenario") or {}).get("name"),
        },
        "diffusion": diff,
        "relationships": relationships(run),
        "coordination": coordination(run, diff),
        "time_use": time_use(run),
        "plan_adherence": plan_adherence(run),
        "llm_usage": llm_usage(run),
        "health": health(run),
    }
