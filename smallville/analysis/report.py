"""The readable report `smallville analyze` prints, alone or side by side."""

from __future__ import annotations


def report(results: list[dict], labels: list[str]) -> str:
    """Tables of the metrics; with two results, the columns compare them."""
    out: list[str] = []

    def row(name: str, values: list[str]) -> None:
        out.append(f"  {name:<34}" + "".join(f"{v:>22}" for v in values))

    out.append("Run")
    row("", labels)
    for key in ("start", "until", "ticks", "residents", "scenario"):
        row(key, [str(r["run"][key]) for r in results])
    row(
        "ablations",
        [", ".join(k for k, v in r["run"]["ablations"].items() if v) or "none" for r in results],
    )
    out.append("")
    out.append("Information diffusion (share of residents who know)")
    facts = sorted({f for r in results for f in r["diffusion"]})
    for fact in facts:
        row(fact, [_pct(r["diffusion"].get(fact, {}).get("share")) for r in results])
        if len(results) == 1:
            for c in results[0]["diffusion"].get(fact, {}).get("chain", [])[:6]:
                out.append(f"      {c['time']}  {c['from']} -> {c['to']}")
    out.append("")
    out.append("Relationships (density of the who-talked / who-knows-whom graph)")
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
        row(key, vals)
    row("conversations", [str(r["relationships"]["conversations"]) for r in results])
    out.append("")
    out.append("Coordination (told / planned / attended)")
    events = sorted({e for r in results for e in r["coordination"]})
    for e in events:
        vals = []
        for r in results:
            c = r["coordination"].get(e)
            vals.append(
                f"{len(c['told'])} / {len(c['planned'])} / {len(c['attended'])}" if c else "-"
            )
        row(e, vals)
        if len(results) == 1 and results[0]["coordination"].get(e):
            c = results[0]["coordination"][e]
            out.append(f"      attended: {', '.join(c['attended']) or 'nobody'}")
    out.append("")
    out.append("Plan adherence (share of time where the plan said)")
    row(
        "mean over residents", [f"{_mean(list(r['plan_adherence'].values())):.2f}" for r in results]
    )
    out.append("")
    out.append("Model usage")
    row("calls per agent-day", [f"{r['llm_usage']['per_agent_day']['calls']:.1f}" for r in results])
    row(
        "tokens per agent-day",
        [f"{r['llm_usage']['per_agent_day']['tokens']:,.0f}" for r in results],
    )
    row(
        "cost per agent-day (USD)",
        [f"{r['llm_usage']['per_agent_day']['cost_usd']:.4f}" for r in results],
    )
    row("cache hits", [str(r["llm_usage"]["total"]["cache_hits"]) for r in results])
    row("fallbacks", [str(r["llm_usage"]["total"]["fallbacks"]) for r in results])
    kinds = sorted({k for r in results for k in r["llm_usage"]["by_kind"]})
    for k in kinds:
        row(f"  {k}", [str(r["llm_usage"]["by_kind"].get(k, {}).get("calls", 0)) for r in results])
    if len(results) == 1:
        out.append("")
        out.append("Time use (hours per place, top 3 per resident)")
        for name, places in results[0]["time_use"].items():
            top = ", ".join(f"{p} {h:.1f}" for p, h in list(places.items())[:3])
            out.append(f"  {name:<20} {top}")
    return "\n".join(out)


def _pct(x) -> str:
    return "-" if x is None else f"{100 * x:.0f}%"


def _mean(xs: list[float]) -> float:
    return sum(xs) / len(xs) if xs else 0.0
