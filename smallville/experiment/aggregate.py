"""An experiment's figures: per group (model, or model-variant) x condition, each
metric's n, mean and 95% interval over the seeds, as ``summary.json``, a table and a
plot.

The interval is the Student t interval of the mean, ``mean +- t(0.975, n-1) * sd /
sqrt(n)`` with the sample standard deviation; one run gives no interval (``ci95``
null). Values are taken in the spec's seed order, so the same runs give the same
summary to the last bit.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator
from pathlib import Path

from smallville.experiment.runner import Cell
from smallville.experiment.spec import Spec

_INDEX = re.compile(r"^-?[0-9]+$")
PIPELINE_NOTE = (
    "pipeline check: the scripted model answers by rules, so these figures measure its "
    "rules and test the pipeline, not a language model or the paper's architecture"
)


def expand(result: object, pattern: str) -> Iterator[tuple[str, float]]:
    """The numbers a metric pattern names in one analysis JSON: (concrete path, value)."""
    yield from _walk(result, pattern.split("."), [])


def _walk(node: object, parts: list[str], at: list[str]) -> Iterator[tuple[str, float]]:
    if not parts:
        if isinstance(node, int | float) and math.isfinite(node):
            yield ".".join(at), float(node)
        return
    head, rest = parts[0], parts[1:]
    if head == "*" and isinstance(node, dict):
        for key, value in node.items():
            yield from _walk(value, rest, [*at, str(key)])
    elif isinstance(node, dict) and head in node:
        yield from _walk(node[head], rest, [*at, head])
    elif isinstance(node, list) and _INDEX.match(head) and -len(node) <= int(head) < len(node):
        yield from _walk(node[int(head)], rest, [*at, head])


def eval_numbers(result: dict) -> Iterator[tuple[str, float]]:
    """An eval JSON's summary accuracies, ``eval.<interview condition>.<category>`` (the
    mean score; categories with nothing graded are left out)."""
    for cond, cats in result["summary"]["accuracy"].items():
        for cat, score in cats.items():
            mean = score["mean"]
            if mean is not None and math.isfinite(mean):
                yield f"eval.{cond}.{cat}", float(mean)


def stats(values: list[float]) -> dict:
    """n, mean, sample sd and the 95% Student t interval (None for n < 2)."""
    n = len(values)
    if n == 0:
        return {"n": 0, "mean": None, "sd": None, "ci95": None}
    mean = math.fsum(values) / n
    if n == 1:
        return {"n": 1, "mean": mean, "sd": None, "ci95": None}
    from scipy.stats import t

    sd = math.sqrt(math.fsum((v - mean) ** 2 for v in values) / (n - 1))
    half = float(t.ppf(0.975, n - 1)) * sd / math.sqrt(n)
    return {"n": n, "mean": mean, "sd": sd, "ci95": [mean - half, mean + half]}


def summarize(spec: Spec, grid: list[Cell], evaluated: bool) -> dict:
    """summary.json: every metric of every group x condition over the finished cells."""
    found: dict[tuple[str, str], dict[str, list]] = {}
    metrics: dict[str, None] = {}  # concrete paths, first seen first
    matched, missing = set(), {}
    for c in grid:
        numbers = _cell_numbers(c, spec.metrics, evaluated, matched)
        if numbers is None:
            missing.setdefault(c.group, {}).setdefault(c.condition, []).append(c.seed)
            continue
        bucket = found.setdefault((c.group, c.condition), {})
        for path, value in numbers:
            metrics.setdefault(path)
            bucket.setdefault(path, []).append((c.seed, value))
    groups = {}
    for c in grid:
        groups.setdefault(
            c.group,
            {"model": c.model.name, "llm": c.model.llm, "pipeline_check": c.model.scripted},
        )
    results = {
        g: {
            cond: {m: _stat(found.get((g, cond), {}).get(m, [])) for m in metrics}
            for cond in spec.conditions
        }
        for g in groups
    }
    return {
        "name": spec.name,
        "seeds": spec.seeds,
        "conditions": list(spec.conditions),
        "groups": groups,
        "metrics": list(metrics),
        "results": results,
        "missing": missing,
        "unmatched": [p for p in spec.metrics if p not in matched],
        "interval": "95% Student t interval of the mean, n-1 degrees of freedom",
    }


def _cell_numbers(c: Cell, patterns, evaluated: bool, matched: set) -> list | None:
    """The cell's (path, value) pairs, or None when its metrics are not there yet."""
    if not c.metrics.is_file():
        return None
    result = json.loads(c.metrics.read_text(encoding="utf-8"))
    numbers = []
    for p in patterns:
        got = list(expand(result, p))
        if got:
            matched.add(p)
        numbers += got
    if evaluated and c.eval.is_file():
        numbers += list(eval_numbers(json.loads(c.eval.read_text(encoding="utf-8"))))
    return numbers


def _stat(pairs: list[tuple[int, float]]) -> dict:
    values = [v for _, v in pairs]
    return {**stats(values), "values": values, "seeds": [s for s, _ in pairs]}


def table(summary: dict) -> str:
    """The summary as text: one block per group, conditions as columns."""
    conds = summary["conditions"]
    width = max([len("metric")] + [len(m) for m in summary["metrics"]])
    cols = [
        max(len(c), *(len(_cell(r[c][m])) for r in summary["results"].values() for m in r[c]), 8)
        for c in conds
    ]
    lines = [
        f"Experiment {summary['name']}: mean [95% interval] over n seeds "
        f"({len(summary['seeds'])} per condition; Student t, n-1 degrees of freedom)"
    ]
    for group, info in summary["groups"].items():
        lines += ["", f"{group} (model {info['model']}, {info['llm']})"]
        if info["pipeline_check"]:
            lines.append(f"  note: {PIPELINE_NOTE}")
        head = "  ".join(c.rjust(w) for c, w in zip(conds, cols, strict=True))
        lines.append(f"  {'metric'.ljust(width)}  {head}")
        for m in summary["metrics"]:
            row = [_cell(summary["results"][group][c][m]) for c in conds]
            lines.append(
                f"  {m.ljust(width)}  "
                + "  ".join(v.rjust(w) for v, w in zip(row, cols, strict=True))
            )
    for group, conds_missing in summary["missing"].items():
        for cond, seeds in conds_missing.items():
            lines.append(f"not finished: {group} {cond}, seeds {', '.join(map(str, seeds))}")
    for p in summary["unmatched"]:
        lines.append(f"no numbers for metric {p!r} in any run (docs/analysis/SCHEMA.md)")
    return "\n".join(lines)


def _cell(s: dict) -> str:
    if not s["n"]:
        return "-"
    if s["ci95"] is None:
        return f"{_num(s['mean'])} (n=1)"
    lo, hi = s["ci95"]
    return f"{_num(s['mean'])} [{_num(lo)}, {_num(hi)}] n={s['n']}"


def _num(x: float) -> str:
    return f"{x:,.0f}" if abs(x) >= 1000 else f"{x:.3g}"


def plot(summary: dict, out: Path) -> Path | None:
    """One panel per metric: each group's mean per condition with its interval."""
    # the spec's metrics, and of the eval's only each interview condition's overall score
    metrics = [m for m in summary["metrics"] if not m.startswith("eval.") or m.endswith(".all")]
    if not metrics:
        return None
    from smallville.analysis.plots import _plt

    plt = _plt()
    ncols = min(3, len(metrics))
    nrows = math.ceil(len(metrics) / ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(4.6 * ncols, 3.4 * nrows), squeeze=False)
    conds, groups = summary["conditions"], list(summary["groups"])
    for ax, m in zip(axes.flat, metrics, strict=False):
        for gi, g in enumerate(groups):
            xs, ys, err = [], [], [[], []]
            for ci, c in enumerate(conds):
                s = summary["results"][g][c][m]
                if not s["n"]:
                    continue
                lo, hi = s["ci95"] or (s["mean"], s["mean"])
                xs.append(ci + (gi - (len(groups) - 1) / 2) * 0.15)
                ys.append(s["mean"])
                err[0].append(s["mean"] - lo)
                err[1].append(hi - s["mean"])
            ax.errorbar(xs, ys, yerr=err, fmt="o", capsize=4, label=g)
        ax.set_title(m, fontsize=9)
        ax.set_xticks(range(len(conds)), conds, rotation=20, fontsize=8)
        ax.set_xlim(-0.6, len(conds) - 0.4)
        ax.grid(axis="y", alpha=0.3)
    for ax in list(axes.flat)[len(metrics) :]:
        ax.set_visible(False)
    axes.flat[0].legend(fontsize=8)
    check = any(i["pipeline_check"] for i in summary["groups"].values())
    fig.suptitle(
        f"{summary['name']}: mean and 95% interval over seeds"
        + (" (scripted model: a pipeline check)" if check else "")
    )
    fig.tight_layout()
    fig.savefig(out, dpi=110)
    plt.close(fig)
    return out
