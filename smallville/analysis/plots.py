"""PNG plots of a run's metrics (matplotlib, headless Agg backend)."""

from __future__ import annotations

from pathlib import Path

import networkx as nx

from smallville import gametime as gt


def _plt():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


class Plots(list):
    """The paths written, and ``skipped``: plot file name -> why it was not written."""

    def __init__(self, paths=(), skipped: dict[str, str] | None = None) -> None:
        super().__init__(paths)
        self.skipped: dict[str, str] = dict(skipped or {})

    def __str__(self) -> str:
        wrote = ", ".join(p.name for p in self) or "nothing"
        why = "".join(f"; no {name}: {reason}" for name, reason in self.skipped.items())
        return f"{wrote}{why}"


def write_plots(result: dict, folder: Path) -> Plots:
    """Diffusion curves, the relationship graph at start and end, time use, model cost.

    A plot with nothing to show is not written: a run that tracks no facts (no
    scenario, or one without ``facts``) has no diffusion plot. The returned list holds
    the paths written; its ``skipped`` says which plots were left out and why.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths: list[Path] = []
    skipped: dict[str, str] = {}
    if result.get("diffusion"):
        paths.append(_diffusion(result, folder / "diffusion.png"))
    else:
        skipped["diffusion.png"] = (
            "the run tracks no facts (run a scenario with facts, e.g. "
            "--scenario agents/the_ville/valentines.json)"
        )
    paths += [
        _graph(result, folder / "relationships.png"),
        _time_use(result, folder / "time_use.png"),
        _usage(result, folder / "llm_usage.png"),
    ]
    return Plots(paths, skipped)


def _diffusion(result: dict, out: Path) -> Path:
    plt = _plt()
    fig, ax = plt.subplots(figsize=(8, 4.5))
    n = result["run"]["residents"]
    start = gt.parse(result["run"]["start"])
    end = gt.parse(result["run"]["until"])
    for fact, d in sorted(result["diffusion"].items()):
        times = [(gt.parse(k["time"]) - start) / 3600 for k in d["knows"]]
        xs = [0.0] + [t for t in times for _ in (0, 1)] + [(end - start) / 3600]
        ys = [0.0]
        for i in range(len(times)):
            ys += [i / n * 100, (i + 1) / n * 100]
        ys.append(len(times) / n * 100)
        ax.plot(xs, ys, label=f"{fact} ({len(times)}/{n})", linewidth=2)
    ax.set_xlabel(f"game hours since {result['run']['start']}")
    ax.set_ylabel("residents who know (%)")
    ax.set_ylim(0, 105)
    ax.set_title("Information diffusion")
    ax.grid(alpha=0.3)
    ax.legend(loc="lower right")
    return _save(plt, fig, out, dpi=110)


def _graph(result: dict, out: Path) -> Path:
    """Who knows whom at the start and at the end (the paper's measure), with the pairs
    who talked drawn over it, thicker for more conversations."""
    plt = _plt()
    rel = result["relationships"]
    names = sorted(rel["degree"])
    pos = nx.circular_layout(names)
    talked_end = {(u, v): w for u, v, w in rel["edges"]}
    dens = rel["densities"]
    fig, axes = plt.subplots(1, 2, figsize=(12, 6.4))
    for ax, when, point in ((axes[0], "start", dens[0]), (axes[1], "end", dens[-1])):
        knows = nx.Graph()
        knows.add_nodes_from(names)
        knows.add_edges_from(tuple(e) for e in rel.get("knows_edges", {}).get(when, []))
        nx.draw_networkx_edges(knows, pos, ax=ax, width=0.6, alpha=0.35, edge_color="#9a9a9a")
        if when == "end":
            talked = nx.Graph()
            talked.add_weighted_edges_from((u, v, w) for (u, v), w in talked_end.items())
            widths = [0.8 + d["weight"] for _, _, d in talked.edges(data=True)]
            nx.draw_networkx_edges(
                talked, pos, ax=ax, width=widths, alpha=0.55, edge_color="#4a78b5"
            )
        nx.draw_networkx_nodes(knows, pos, ax=ax, node_size=260, node_color="#f0b54a")
        nx.draw_networkx_labels(
            knows, pos, ax=ax, labels={n: n.split()[0] for n in names}, font_size=8
        )
        ax.set_title(
            f"{when} ({point['day']}): knows density {point['knows_density']:.2f}, "
            f"talked {point['talked_density']:.2f}",
            fontsize=10,
        )
        ax.axis("off")
    fig.suptitle("Who knows whom (grey) and who talked with whom (blue)")
    return _save(plt, fig, out)


def _time_use(result: dict, out: Path) -> Path:
    plt = _plt()
    residents = sorted(result["time_use"])
    places = sorted(
        {p for r in residents for p in result["time_use"][r]},
        key=lambda p: -sum(result["time_use"][r].get(p, 0) for r in residents),
    )
    # tab20 has 20 distinguishable colours: every place gets its own up to 19 places
    # (the Ville has 18 sectors); past that the least-used share "other"
    top = places if len(places) <= 20 else places[:19]
    fig, ax = plt.subplots(figsize=(10, max(4, 0.32 * len(residents) + 1.5)))
    left = [0.0] * len(residents)
    cmap = plt.get_cmap("tab20")
    for i, place in enumerate(top if top is places else [*top, "other"]):
        vals = [
            sum(h for p, h in result["time_use"][r].items() if p not in top)
            if place == "other"
            else result["time_use"][r].get(place, 0.0)
            for r in residents
        ]
        ax.barh(residents, vals, left=left, label=place, color=cmap(i % 20))
        left = [a + b for a, b in zip(left, vals, strict=True)]
    ax.set_xlabel("hours")
    ax.set_title("Time use per resident and place")
    ax.invert_yaxis()
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1))
    return _save(plt, fig, out)


def _usage(result: dict, out: Path) -> Path:
    plt = _plt()
    kinds = result["llm_usage"]["by_kind"]
    names = sorted(kinds, key=lambda k: -kinds[k]["tokens"])
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(11, 4.5))
    a1.barh(names, [kinds[k]["calls"] for k in names], color="#4a78b5")
    a1.set_title("model calls by task kind")
    a1.invert_yaxis()
    a2.barh(names, [kinds[k]["tokens"] / 1000 for k in names], color="#f0b54a")
    a2.set_title("tokens (thousands) by task kind")
    a2.invert_yaxis()
    per = result["llm_usage"]["per_agent_day"]
    fig.suptitle(f"{per['calls']:.0f} calls and {per['tokens']:,.0f} tokens per agent-day")
    return _save(plt, fig, out)


def _save(plt, fig, out: Path, dpi: int = 100) -> Path:
    fig.tight_layout()
    fig.savefig(out, dpi=dpi)
    plt.close(fig)
    return out
