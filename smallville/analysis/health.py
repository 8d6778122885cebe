"""Behaviour health: did the residents live a day, or sleep through it? (issue #11)

A weak model can leave every answer schema-valid and still make a degenerate run:
residents who sleep all day, never talk, never leave one room, or a task kind that
mostly falls back to its safe default. ``health(run)`` measures these from the run log
and says plainly what looks wrong.

Time is counted by action spans, as ``time_use`` does: an action lasts from its tick to
the agent's next action (the last one to the end of the run). An action is asleep when
its description is ``schemas.SLEEPING`` (the planner and the mind use that word for every
sleep action). A resident's usual waking hours are ``[wake_time, sleep_time)`` of its
persona on each simulated day, cut to the run's span.
"""

from __future__ import annotations

from collections import Counter

from smallville import gametime as gt
from smallville.llm import schemas as k
from smallville.replay import Run

# A resident asleep for more than this share of its usual waking hours slept through its day.
ASLEEP_SHARE_MAX = 0.5
# Judge sleep and places only for residents with at least this many usual waking hours in
# the run: in a short run before breakfast, sleeping is what residents should do.
MIN_WAKING_HOURS = 2.0
# A resident who used at most this many distinct arenas in the run stayed in one place.
ONE_PLACE = 1
# Fewer conversations than this per resident per game day (each counts for both
# speakers) is too few; the scripted Ville has about 6.
MIN_CONVERSATIONS_PER_AGENT_DAY = 0.5
# ...judged only in runs at least this long, so that residents had time to meet.
MIN_HOURS_FOR_CONVERSATIONS = 6.0
# A task kind whose answers fall back more often than this is failing.
FALLBACK_SHARE_MAX = 0.30
# ...judged only for kinds with at least this many calls.
MIN_CALLS_PER_KIND = 3
# The failed checks listed per kind.
TOP_FAILED_CHECKS = 3

# The persona defaults (smallville.cognition.persona.Persona), for personas without them.
DEFAULT_WAKE = "07:00"
DEFAULT_SLEEP = "23:00"

HEALTHY = "behaviour looks healthy"

THRESHOLDS = {
    "asleep_share_max": ASLEEP_SHARE_MAX,
    "min_waking_hours": MIN_WAKING_HOURS,
    "one_place": ONE_PLACE,
    "min_conversations_per_agent_day": MIN_CONVERSATIONS_PER_AGENT_DAY,
    "min_hours_for_conversations": MIN_HOURS_FOR_CONVERSATIONS,
    "fallback_share_max": FALLBACK_SHARE_MAX,
    "min_calls_per_kind": MIN_CALLS_PER_KIND,
}


def health(run: Run) -> dict:
    """Sleep in waking hours, activity and conversations per resident, answer outcomes
    per task kind, and a verdict: plain sentences, ``["behaviour looks healthy"]`` when
    nothing crossed a threshold. Every field is described in docs/analysis/SCHEMA.md."""
    last = run.last_tick()
    start = run.start_time
    end = run.time_of(last) + run.tick_seconds if last >= 0 else start
    days = (end - start) / gt.DAY
    talks: Counter[int] = Counter()
    for _, _, a, b in run.conversation_pairs():
        talks[a] += 1
        talks[b] += 1
    timelines = run.timelines()
    residents = {
        a.name: _resident(a.persona, timelines.get(a.id, []), talks[a.id], run, start, end)
        for a in run.agents
    }
    by_kind = _by_kind(run.llm_outcomes())
    hours = (end - start) / gt.HOUR
    summary = _summary(residents, by_kind, sum(talks.values()) // 2, days)
    verdict = _verdict(residents, by_kind, summary, hours, last)
    return {
        "thresholds": dict(THRESHOLDS),
        "hours": hours,
        "agent_days": days * len(run.agents),
        "residents": residents,
        "summary": summary,
        "by_kind": by_kind,
        "verdict": verdict,
        "healthy": verdict == [HEALTHY],
    }


def _resident(persona: dict, rows, talks: int, run: Run, start: int, end: int) -> dict:
    wake_hm = persona.get("wake_time") or DEFAULT_WAKE
    sleep_hm = persona.get("sleep_time") or DEFAULT_SLEEP
    windows = _waking_windows(gt.parse_hm(wake_hm), gt.parse_hm(sleep_hm), start, end)
    spans = []  # (from, to, asleep, arena) with to > from
    for i, row in enumerate(rows):
        t0 = run.time_of(row.tick)
        t1 = run.time_of(rows[i + 1].tick) if i + 1 < len(rows) else end
        if t1 > t0:
            arena = ":".join(row.address.split(":")[:3])
            spans.append((t0, t1, row.description == k.SLEEPING, arena))
    waking = sum(b - a for a, b in windows)
    asleep = sum(
        _overlap(t0, t1, a, b) for t0, t1, sleeping, _ in spans if sleeping for a, b in windows
    )
    days = (end - start) / gt.DAY
    share = asleep / waking if waking else 0.0
    judged = waking >= MIN_WAKING_HOURS * gt.HOUR
    places = {arena for *_, arena in spans}
    flags = []
    if judged and share > ASLEEP_SHARE_MAX:
        flags.append("asleep")
    if judged and len(places) <= ONE_PLACE:
        flags.append("one place")
    return {
        "wake_time": wake_hm,
        "sleep_time": sleep_hm,
        "waking_hours": waking / gt.HOUR,
        "asleep_hours": asleep / gt.HOUR,
        "asleep_share": share,
        "actions": len(spans),
        "actions_per_day": len(spans) / days if days else 0.0,
        "places": len(places),
        "places_per_day": _places_per_day(spans, start, end),
        "conversations": talks,
        "conversations_per_day": talks / days if days else 0.0,
        "flags": flags,
    }


def _waking_windows(wake: int, sleep: int, start: int, end: int) -> list[tuple[int, int]]:
    """[wake, sleep) of each day, cut to [start, end); a sleep time at or before the wake
    time is the next day's (a night owl)."""
    length = (sleep - wake) % (24 * 60) * gt.MINUTE
    out = []
    day = gt.day_start(start) - gt.DAY  # yesterday's window may reach past midnight
    while day < end:
        a = max(day + wake * gt.MINUTE, start)
        b = min(day + wake * gt.MINUTE + length, end)
        if b > a:
            out.append((a, b))
        day += gt.DAY
    return out


def _overlap(a0: int, a1: int, b0: int, b1: int) -> int:
    return max(0, min(a1, b1) - max(a0, b0))


def _places_per_day(spans, start: int, end: int) -> float:
    """Distinct arenas in each 24 game hours from the start, averaged over those days by
    their length (a run's last, shorter day counts for its share)."""
    total = 0.0
    day = start
    while day < end:
        stop = min(day + gt.DAY, end)
        arenas = {arena for t0, t1, _, arena in spans if _overlap(t0, t1, day, stop)}
        total += len(arenas) * (stop - day)
        day = stop
    return total / (end - start) if end > start else 0.0


def _by_kind(outcomes: dict[str, dict]) -> dict[str, dict]:
    out = {}
    for kind, o in outcomes.items():
        calls = o["calls"]
        out[kind] = {
            "calls": calls,
            "valid": o["valid"],
            "repaired": o["repaired"],
            "fallback": o["fallback"],
            "shares": {k: o[k] / calls for k in ("valid", "repaired", "fallback")},
            "failed_checks": [
                {"check": c, "calls": n}
                for c, n in list(o["failed_checks"].items())[:TOP_FAILED_CHECKS]
            ],
        }
    return out


def _summary(residents: dict, by_kind: dict, conversations: int, days: float) -> dict:
    n = len(residents)
    agent_days = n * days
    calls = sum(k["calls"] for k in by_kind.values())

    def per_agent_day(key: str) -> float:
        return sum(r[key] for r in residents.values()) / agent_days if agent_days else 0.0

    return {
        "residents": n,
        "asleep_share_mean": sum(r["asleep_share"] for r in residents.values()) / n if n else 0.0,
        "slept_through": sum("asleep" in r["flags"] for r in residents.values()),
        "one_place": sum("one place" in r["flags"] for r in residents.values()),
        "actions_per_agent_day": per_agent_day("actions"),
        "places_per_agent_day": (
            sum(r["places_per_day"] for r in residents.values()) / n if n else 0.0
        ),
        "conversations": conversations,
        "conversations_per_agent_day": per_agent_day("conversations"),
        "calls": calls,
        "shares": {
            k: (sum(v[k] for v in by_kind.values()) / calls if calls else 0.0)
            for k in ("valid", "repaired", "fallback")
        },
    }


def _verdict(residents: dict, by_kind: dict, s: dict, hours: float, last_tick: int) -> list[str]:
    if last_tick < 0:
        return ["nothing to judge: no ticks logged yet"]
    n = s["residents"]
    lines = []
    if s["slept_through"]:
        lines.append(
            f"{s['slept_through']} of {n} residents slept through most of their waking hours "
            f"(> {ASLEEP_SHARE_MAX:.0%} asleep)"
        )
    if s["one_place"]:
        lines.append(f"{s['one_place']} of {n} residents stayed in one place all run")
    if n >= 2 and hours >= MIN_HOURS_FOR_CONVERSATIONS:
        span = f"{round(hours, 1):g} game hours"
        rate = s["conversations_per_agent_day"]
        if s["conversations"] == 0:
            lines.append(f"no conversations in {span}")
        elif rate < MIN_CONVERSATIONS_PER_AGENT_DAY:
            lines.append(
                f"few conversations: {s['conversations']} in {span} ({rate:.2f} per resident "
                f"per game day, < {MIN_CONVERSATIONS_PER_AGENT_DAY:g})"
            )
    failing = [
        kind
        for kind, k in sorted(by_kind.items())
        if k["calls"] >= MIN_CALLS_PER_KIND and k["shares"]["fallback"] > FALLBACK_SHARE_MAX
    ]
    if failing:
        lines.append(f"fallbacks above {FALLBACK_SHARE_MAX:.0%} for: {', '.join(failing)}")
    return lines or [HEALTHY]
