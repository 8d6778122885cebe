"""A real model against the towns (issue #11): the cafe for a game day and the Ville for
three game hours, each with a fresh response cache so every answer is really asked,
then a Markdown section ready to paste into BENCHMARKS.md.

    python scripts/bench_real_model.py --base-url http://localhost:8080/v1 [--model M]
        [--out runs/bench-real-model] [--cafe-hours 24] [--ville-hours 3]
        [--concurrency N] [--timeout S]
    python scripts/bench_real_model.py --report RUN [RUN ...]   # report on existing runs

Each town runs as ``smallville run`` in a child process (its output streams through);
the report is read back from the run files and printed and written to
OUT/bench_real_model.md. It flags the issue's targets (every resident awake >= 80% of
its usual waking hours; repaired + fallback < 30% of calls for every task kind) and
exits 0 whatever the numbers.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import shlex
import subprocess
import sys
import time
from collections import Counter, defaultdict
from datetime import date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from smallville import gametime as gt  # noqa: E402
from smallville.replay import Run  # noqa: E402

START = "2023-02-13 06:00"
AWAKE_TARGET = 0.80  # share of its usual waking hours a resident must be awake
BAD_TARGET = 0.30  # repaired + fallback must stay below this share of a kind's calls
OUTCOMES = ("valid", "repaired", "fallback")


def run_town(name: str, world: str, hours: float, args: argparse.Namespace) -> dict:
    """``smallville run`` one town into its own run file and a fresh cache."""
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    out = args.out / f"{name}-{stamp}.sqlite"
    cache = args.out / f"{name}-{stamp}-cache.sqlite"
    cmd = ["smallville", "run", "--world", world, "--hours", f"{hours:g}", "--start", START]
    cmd += ["--llm", "openai", "--base-url", args.base_url, "--out", str(out)]
    cmd += ["--cache", str(cache)]
    if args.model:
        cmd += ["--model", args.model]
    if args.concurrency:
        cmd += ["--concurrency", str(args.concurrency)]
    env = dict(os.environ)
    if args.timeout:  # the environment, not a flag: works whether or not `run` has --timeout
        env["SMALLVILLE_TIMEOUT"] = f"{args.timeout:g}"
    shown = (f"SMALLVILLE_TIMEOUT={args.timeout:g} " if args.timeout else "") + shlex.join(cmd)
    print(f"\n$ {shown}", flush=True)
    t0 = time.perf_counter()
    child = subprocess.Popen([sys.executable, "-m", "smallville.cli", *cmd[1:]], cwd=ROOT, env=env)
    stopped = False
    while child.returncode is None:
        try:
            child.wait()
        except KeyboardInterrupt:  # the child got it too: let it stop at a tick boundary
            stopped = True
    wall = time.perf_counter() - t0
    return {"path": out, "command": shown, "wall": wall, "rc": child.returncode, "stop": stopped}


# ---------------------------------------------------------------------------- report
def report(runs: list[dict], argv: list[str]) -> str:
    lines = [f"## A real model: {_model(runs)} ({date.today()})", ""]
    lines += [
        f"`python scripts/bench_real_model.py {shlex.join(argv)}` — machine: "
        f"{os.cpu_count()} cores, {platform.platform()}, Python {platform.python_version()}.",
        "",
    ]
    for r in runs:
        if not Path(r["path"]).is_file():
            lines += [f"### {r['path']}", "", f"No run file (exit code {r['rc']}).", ""]
            continue
        with Run.open(r["path"]) as run:
            lines += town_section(run, r)
    return "\n".join(lines)


def _model(runs: list[dict]) -> str:
    for r in runs:
        if Path(r["path"]).is_file():
            with Run.open(r["path"]) as run:
                return str((run.meta.get("llm") or {}).get("model", "?"))
    return "?"


def town_section(run: Run, r: dict) -> list[str]:
    llm = run.meta.get("llm") or {}
    first, last = run.time_range()
    end = last + run.tick_seconds
    residents = len(run.agents)
    agent_days = residents * (end - first) / 86400
    wall = r["wall"] if "wall" in r else _wall_from_file(run)
    lines = [
        f"### {Path(run.meta['config']['world']).stem}: {residents} residents, "
        f"{gt.fmt(first)} to {gt.fmt(end)} ({round((end - first) / 3600, 2):g} game hours)",
        "",
    ]
    if r.get("command"):
        lines += [f"`{r['command']}`", ""]
    lines += [
        f"Model `{llm.get('model')}` at {llm.get('base_url')}, concurrency "
        f"{llm.get('concurrency')}, timeout {llm.get('timeout_s')} s. Wall "
        f"{wall:,.0f} s"
        + (" (stopped with Ctrl-C)" if r.get("stop") else "")
        + (f" (exit code {r['rc']})" if r.get("rc") else "")
        + ".",
        "",
    ]
    table, bad = calls_table(run, agent_days)
    return lines + table + health_lines(run, bad)


def calls_table(run: Run, agent_days: float) -> tuple[list[str], dict[str, float]]:
    """The per-kind table, and each kind's share of repaired + fallback answers."""
    rows = run.log.calls()
    by_kind: dict[str, list] = defaultdict(list)
    for row in rows:
        by_kind[row.kind].append(row)
    lines = [
        "| task kind | calls | valid | repaired | fallback | most common failed checks "
        "| prompt tok (mean) | completion tok (mean) | latency p50 | p95 |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    bad = {}
    for kind in [*sorted(by_kind), "**total**"]:
        calls = rows if kind == "**total**" else by_kind[kind]
        n = len(calls)
        outcomes = Counter(c.outcome for c in calls)
        checks = Counter(c.failed_check for c in calls if c.failed_check)
        asked = [c for c in calls if not c.cached]  # cache hits cost the server nothing
        lat = sorted(c.latency or 0.0 for c in asked)
        if kind != "**total**":
            bad[kind] = (outcomes["repaired"] + outcomes["fallback"]) / n
        valid, repaired, fallback = (_share(outcomes, o, n) for o in OUTCOMES)
        lines.append(
            f"| {kind} | {n} | {valid} | {repaired} | {fallback} | "
            f"{', '.join(f'{k} ({v})' for k, v in checks.most_common(3)) or '-'} | "
            f"{_mean(c.prompt_tokens for c in asked)} | "
            f"{_mean(c.completion_tokens for c in asked)} | "
            f"{_pct(lat, 0.50)} | {_pct(lat, 0.95)} |"
        )
    asked = [c for c in rows if not c.cached]
    tokens = sum((c.prompt_tokens or 0) + (c.completion_tokens or 0) for c in asked)
    # a call is one request, plus its re-ask when the first answer failed a check (not
    # when the endpoint failed), plus its transport retries
    requests = sum(
        1 + (c.failed_check not in (None, "transport")) + (c.retries or 0) for c in asked
    )
    rate = 1 / agent_days if agent_days else 0.0
    lines += [
        "",
        f"{len(asked)} calls asked ({len(rows) - len(asked)} cache hits, left out of the token "
        f"and latency columns), {requests} HTTP requests with re-asks and retries. Per "
        f"agent-day ({agent_days:.3f} agent-days): **{len(asked) * rate:,.1f} calls "
        f"({requests * rate:,.1f} requests), {tokens * rate:,.0f} tokens** as the server "
        "counted them.",
        "",
    ]
    return lines, bad


def _share(counts: Counter, key: str, n: int) -> str:
    return f"{counts[key]} ({counts[key] / n:.0%})" if n else "0"


def _mean(xs) -> str:
    xs = [x or 0 for x in xs]
    return f"{sum(xs) / len(xs):,.0f}" if xs else "-"


def _pct(sorted_xs: list[float], q: float) -> str:
    if not sorted_xs:
        return "-"
    return f"{sorted_xs[max(0, math.ceil(q * len(sorted_xs)) - 1)]:.2f} s"


def _wall_from_file(run: Run) -> float:
    """Last write minus creation: the run log keeps no wall time per tick."""
    created = run.meta.get("created_wall")
    return Path(run.path).stat().st_mtime - created if created else 0.0


# ---------------------------------------------------------------------------- health
def awake_shares(run: Run) -> dict[str, tuple[float, float | None]]:
    """Per resident: hours of its usual waking time (persona wake_time..sleep_time) inside
    the run, and the share of them not spent on an action described "sleeping"."""
    first, last = run.time_range()
    end = last + run.tick_seconds
    out = {}
    for a in run.agents:
        wake = gt.parse_hm(a.persona.get("wake_time", "07:00")) * 60
        sleep = gt.parse_hm(a.persona.get("sleep_time", "23:00")) * 60
        windows = []
        for day in range(gt.day_start(first) - gt.DAY, end, gt.DAY):  # the day before: wraps
            w0, w1 = day + wake, day + sleep + (gt.DAY if sleep <= wake else 0)
            if min(w1, end) > max(w0, first):
                windows.append((max(w0, first), min(w1, end)))
        rows = run.timeline(a.id)
        asleep = 0
        for i, act in enumerate(rows):
            if not act.description.strip().lower().startswith("sleep"):
                continue
            s0 = run.time_of(act.tick)
            s1 = run.time_of(rows[i + 1].tick) if i + 1 < len(rows) else end
            asleep += sum(max(0, min(s1, w1) - max(s0, w0)) for w0, w1 in windows)
        total = sum(w1 - w0 for w0, w1 in windows)
        out[a.name] = (total / 3600, 1 - asleep / total if total else None)
    return out


def health_lines(run: Run, bad: dict[str, float]) -> list[str]:
    shares = awake_shares(run)
    lines = ["| resident | usual waking hours in the run | awake |", "|---|---|---|"]
    for name, (hours, share) in shares.items():
        lines.append(f"| {name} | {hours:.1f} h | {'-' if share is None else f'{share:.0%}'} |")
    lines.append("")
    lines += analysis_health(run)
    sleepy = [
        f"{n} ({s:.0%})" for n, (_, s) in shares.items() if s is not None and s < AWAKE_TARGET
    ]
    missed = [f"{k} ({share:.0%})" for k, share in bad.items() if share >= BAD_TARGET]
    lines += [
        "Targets:",
        f"- every resident awake >= {AWAKE_TARGET:.0%} of its usual waking hours: "
        + ("met" if not sleepy else "**missed** by " + ", ".join(sleepy)),
        f"- repaired + fallback < {BAD_TARGET:.0%} of calls for each kind: "
        + ("met" if not missed else "**missed** by " + ", ".join(missed)),
        "",
    ]
    return lines


def analysis_health(run: Run) -> list[str]:
    """``smallville.analysis.health.health(run)`` when that module exists: its verdict
    lines, then the whole dict."""
    try:
        from smallville.analysis.health import health
    except ImportError:
        return []
    try:
        result = health(run)
    except Exception as e:  # noqa: BLE001 - reported: a failing metric must not lose the report
        return [f"`health()` failed: {type(e).__name__}: {e}", ""]
    lists = [
        (k, v)
        for k, v in result.items()
        if isinstance(v, list) and v and all(isinstance(x, str) for x in v)
    ]
    lists.sort(key=lambda kv: "verdict" not in kv[0])  # a key naming verdicts first
    verdicts = lists[0][1] if lists else []
    return [
        "Behaviour health (`smallville.analysis.health`):",
        "",
        *[f"- {v}" for v in verdicts],
        "",
        "<details><summary>health(run)</summary>",
        "",
        "```",
        json.dumps(result, default=str, ensure_ascii=False),
        "```",
        "",
        "</details>",
        "",
    ]


# ---------------------------------------------------------------------------- main
def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--base-url", help="OpenAI-compatible endpoint, e.g. http://localhost:8080/v1")
    ap.add_argument("--model", help="model name (default: smallville's)")
    ap.add_argument("--out", type=Path, default=Path("runs/bench-real-model"), help="folder")
    ap.add_argument("--cafe-hours", type=float, default=24.0)
    ap.add_argument("--ville-hours", type=float, default=3.0)
    ap.add_argument("--concurrency", type=int, help="requests in flight (default: smallville's)")
    ap.add_argument("--timeout", type=float, help="seconds for one request (SMALLVILLE_TIMEOUT)")
    ap.add_argument("--report", type=Path, nargs="+", metavar="RUN", help="only report on runs")
    args = ap.parse_args()
    if not (args.base_url or args.report):
        ap.error("--base-url is required (or --report RUN ...)")
    args.out = args.out.resolve()
    args.out.mkdir(parents=True, exist_ok=True)
    if args.report:
        runs = [{"path": p, "rc": 0} for p in args.report]
    else:
        runs = []
        for name, world, hours in (
            ("cafe", "worlds/cafe.json", args.cafe_hours),
            ("ville", "worlds/the_ville.json", args.ville_hours),
        ):
            if hours > 0:
                runs.append(run_town(name, world, hours, args))
                if runs[-1]["stop"]:
                    break  # Ctrl-C: report on what there is
    text = report(runs, sys.argv[1:])
    print("\n" + text)
    md = args.out / "bench_real_model.md"
    md.write_text(text + "\n", encoding="utf-8")
    print(f"wrote {md}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
