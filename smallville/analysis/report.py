"""The readable report `smallville analyze` prints, alone or side by side."""

from __future__ import annotations


def report(results: list[dict], labels: list[str]) -> str:
    """Tables of the metrics; with two results, the columns compare them."""
    sections = [
        _models(results, labels),
        _run(results, labels),
        _diffusion(results, labels),
        _relationships(results),
        _coordination(results, labels),
        _plan_adherence(results),
        _model_usage(results),
        _health(results, labels),
    ]
    if len(results) == 1:  # per-resident detail would not line up in columns
        sections.append(_time_use(results[0]))
    return "\n\n".join("\n".join(lines) for lines in sections)


def _row(name: str, values: list[str]) -> str:
    """One table row: the name, then one right-aligned column per result."""
    return f"  {name:<34}" + "".join(f"{v:>22}" for v in values)


def _models(results: list[dict], labels: list[str]) -> list[str]:
    out = []
    for r, label in zip(results, labels, strict=True):
        which = f" ({label})" if len(results) > 1 else ""
        out.append(f"Model{which}: {_model(r['run'].get('llm') or {})}")
    return out


def _run(results: list[dict], labels: list[str]) -> list[str]:
    """The settings, headed by the labels so every later column is named."""
    out = ["Run", _row("", labels)]
    for key in ("start", "until", "ticks", "residents", "scenario"):
        out.append(_row(key, [str(r["run"][key]) for r in results]))
    ablations = [
        ", ".join(k for k, v in r["run"]["ablations"].items() if v) or "none" for r in results
    ]
    out.append(_row("ablations", ablations))
    return out


def _diffusion(results: list[dict], labels: list[str]) -> list[str]:
    """Each fact's reach; a single run also shows the first links of who told whom."""
    out = ["Information diffusion (share of residents who know)"]
    facts = sorted({f for r in results for f in r["diffusion"]})
    for fact in facts:
        out.append(_row(fact, [_pct(r["diffusion"].get(fact, {}).get("share")) for r in results]))
        if len(results) == 1:
            for c in results[0]["diffusion"].get(fact, {}).get("chain", [])[:6]:
                out.append(f"      {c['time']}  {c['from']} -> {c['to']}")
    if facts:
        out.extend(_scripted_note(results, labels))
    return out


def _relationships(results: list[dict]) -> list[str]:
    """Densities at the first run's sample points; a run without that point shows "-"."""
    out = ["Relationships (density of the who-talked / who-knows-whom graph)"]
    for point in results[0]["relationships"]["densities"]:
        key = f"{point['day']} {point['at']}"
        vals = []
        for r in results:
            match = [
                p
                for p in r["relationships"]["densities"]
                if p["day"] == point["day"] and p["at"] == point["at"]
            ]
            vals.append(
                f"{match[0]['talked_density']:.2f} / {match[0]['knows_density']:.2f}"
                if match
                else "-"
            )
        out.append(_row(key, vals))
    out.append(_row("conversations", [str(r["relationships"]["conversations"]) for r in results]))
    return out


def _coordination(results: list[dict], labels: list[str]) -> list[str]:
    """Each event's counts; a single run also names who came."""
    out = ["Coordination (told / planned / attended)"]
    events = sorted({e for r in results for e in r["coordination"]})
    for e in events:
        vals = []
        for r in results:
            c = r["coordination"].get(e)
            vals.append(
                f"{len(c['told'])} / {len(c['planned'])} / {len(c['attended'])}" if c else "-"
            )
        out.append(_row(e, vals))
        if len(results) == 1 and results[0]["coordination"].get(e):
            c = results[0]["coordination"][e]
            out.append(f"      attended: {', '.join(c['attended']) or 'nobody'}")
    if events:
        out.extend(_scripted_note(results, labels))
    return out


def _plan_adherence(results: list[dict]) -> list[str]:
    means = [f"{_mean(list(r['plan_adherence'].values())):.2f}" for r in results]
    return [
        "Plan adherence (share of time where the plan said)",
        _row("mean over residents", means),
    ]


def _model_usage(results: list[dict]) -> list[str]:
    """Per-agent-day volume and cost, whole-run cache hits and fixed-up answers, then calls
    by task kind."""

    def usage(name: str, show) -> str:
        return _row(name, [show(r["llm_usage"]) for r in results])

    out = [
        "Model usage",
        usage("calls per agent-day", lambda u: f"{u['per_agent_day']['calls']:.1f}"),
        usage("tokens per agent-day", lambda u: f"{u['per_agent_day']['tokens']:,.0f}"),
        usage("cost per agent-day (USD)", lambda u: f"{u['per_agent_day']['cost_usd']:.4f}"),
        usage("cache hits", lambda u: str(u["total"]["cache_hits"])),
        usage("repaired", lambda u: str(u["total"]["repaired"])),
        usage("fallbacks", lambda u: str(u["total"]["fallbacks"])),
        "  calls by kind (calls / repaired / fallback)",
    ]
    kinds = sorted({k for r in results for k in r["llm_usage"]["by_kind"]})
    for k in kinds:
        out.append(_row(f"  {k}", [_kind_calls(r["llm_usage"]["by_kind"].get(k)) for r in results]))
    return out


def _health(results: list[dict], labels: list[str]) -> list[str]:
    """Summary numbers side by side, then each run's flagged residents, failed checks and
    verdict."""
    out = ["Behaviour health"]

    def summary(label: str, show) -> None:
        out.append(_row(label, [show(r["health"]["summary"]) for r in results]))

    summary("asleep in waking hours (mean)", lambda s: f"{s['asleep_share_mean']:.0%}")
    summary("slept through waking hours", lambda s: f"{s['slept_through']} of {s['residents']}")
    summary("actions per agent-day", lambda s: f"{s['actions_per_agent_day']:.1f}")
    summary("places per agent-day", lambda s: f"{s['places_per_agent_day']:.1f}")
    summary("conversations per agent-day", lambda s: f"{s['conversations_per_agent_day']:.1f}")
    summary(
        "answers valid / repaired / fallback",
        lambda s: " / ".join(f"{s['shares'][k]:.0%}" for k in _OUTCOMES),
    )
    for r, label in zip(results, labels, strict=True):
        h = r["health"]
        lead = f"  {label}: " if len(results) > 1 else "  "
        for name, x in h["residents"].items():
            if x["flags"]:
                out.append(
                    f"{lead}{name} ({', '.join(x['flags'])}): asleep {x['asleep_share']:.0%} of "
                    f"{x['waking_hours']:.1f} waking hours ({x['wake_time']}-{x['sleep_time']}), "
                    f"{x['places']} places, {x['conversations']} conversations"
                )
        for kind, k in h["by_kind"].items():
            if k["failed_checks"]:
                checks = ", ".join(f"{c['check']} {c['calls']}" for c in k["failed_checks"])
                out.append(f"{lead}{kind} failed checks: {checks}")
        out.extend(f"{lead}verdict: {line}" for line in h["verdict"])
    return out


def _time_use(result: dict) -> list[str]:
    out = ["Time use (hours per place, top 3 per resident)"]
    for name, places in result["time_use"].items():
        top = ", ".join(f"{p} {h:.1f}" for p, h in list(places.items())[:3])
        out.append(f"  {name:<20} {top}")
    return out


_OUTCOMES = ("valid", "repaired", "fallback")


def _model(llm: dict) -> str:
    if _scripted(llm):
        return "scripted (offline rules, no language model)"
    named = ", ".join(x for x in (llm.get("backend"), llm.get("model") or "?") if x)
    default = "the OpenAI API" if llm.get("backend") == "openai" else None
    where = llm.get("base_url") or default
    return f"{named} at {where}" if where else named


def _scripted(llm: dict) -> bool:
    """Run files name the backend; older ones and in-process test runs only the model."""
    return (llm.get("backend") or llm.get("model") or "scripted") == "scripted"


def _scripted_note(results: list[dict], labels: list[str]) -> list[str]:
    which = [
        label
        for r, label in zip(results, labels, strict=True)
        if _scripted(r["run"].get("llm") or {})
    ]
    if not which:
        return []
    runs = "" if len(results) == 1 else f" ({', '.join(which)})"
    return [
        f"  note{runs}: with the scripted model these figures measure its rules (it passes",
        "  news on and steers residents to events), not the architecture; they are not a",
        "  replication of the paper's numbers.",
    ]


def _kind_calls(k: dict | None) -> str:
    if not k:
        return "-"
    return f"{k['calls']} / {k['repaired']} / {k['fallbacks']}"


def _pct(x) -> str:
    return "-" if x is None else f"{100 * x:.0f}%"


def _mean(xs: list[float]) -> float:
    return sum(xs) / len(xs) if xs else 0.0
