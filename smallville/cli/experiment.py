"""`smallville experiment SPEC.json`: repeated runs (seeds x conditions x models) in
one folder, resumable, aggregated with mean and 95% interval per condition."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from smallville.cli.common import UserError, positive_int


def add_parser(sub) -> None:
    ex = sub.add_parser(
        "experiment",
        help="repeated runs: seeds x conditions x models, with 95%% intervals",
        description="Run every cell of an experiment spec (seeds x ablation conditions x "
        "models, optionally x variants: other worlds or scenarios) as `smallville run` + "
        "`smallville analyze` in child processes, JOBS at a time, then write summary.json "
        "(n, mean and the 95% Student t interval of each metric per model and condition), "
        "summary.txt (the table printed) and summary.png. Running it again continues where "
        "it stopped: finished cells are skipped, runs stopped early are resumed. Paths in "
        "the spec are relative to the spec file's folder; its format is in "
        "smallville/experiment/spec.py and README.md.",
    )
    ex.add_argument("spec", type=Path, help="experiment spec JSON, e.g. experiments/cafe_ci.json")
    ex.add_argument(
        "--out",
        type=Path,
        metavar="DIR",
        help="the experiment's folder (default runs/experiments/<name>/ in the current folder)",
    )
    ex.add_argument(
        "--jobs",
        type=positive_int,
        metavar="N",
        help="cells at a time (default: the spec's jobs); for an endpoint model, what it "
        "takes in parallel",
    )
    ex.set_defaults(func=_experiment)


def _experiment(args: argparse.Namespace) -> int:
    """0 when every cell finished, 1 when some failed or stopped early (the summary has
    the others), 130 when Ctrl-C stopped it (run it again to continue)."""
    import time

    from smallville.experiment import SpecError, load
    from smallville.experiment.runner import ExperimentError, execute, prepare

    try:
        spec = load(args.spec)
    except SpecError as e:
        raise UserError(str(e)) from e
    out = (args.out or Path("runs") / "experiments" / spec.name).resolve()
    try:
        prepare(spec, out)
    except ExperimentError as e:
        raise UserError(str(e)) from e
    began = time.monotonic()
    outcome = execute(spec, out, args.jobs or spec.jobs, spec.eval, say=_say)
    _summarize(spec, out, spec.eval)
    print(f"\n{time.monotonic() - began:.1f} s; wrote {out}/summary.json, summary.txt, summary.png")
    if outcome.interrupted:
        print(
            "interrupted; runs stopped at a checkpoint. To continue, run the same command "
            f"again: smallville {' '.join(['experiment', *args.argv])}",
            file=sys.stderr,
        )
        return 130
    if outcome.failed:
        print(f"{len(outcome.failed)} cells did not finish:", file=sys.stderr)
        for name, why in outcome.failed.items():
            print(f"  {name}: {why}", file=sys.stderr)
        return 1
    return 0


def _say(line: str) -> None:
    print(line, flush=True)


def _summarize(spec, out: Path, evaluated: bool) -> None:
    import json

    from smallville.experiment.aggregate import plot, summarize, table
    from smallville.experiment.runner import cells

    summary = summarize(spec, cells(spec, out), evaluated)
    (out / "summary.json").write_text(json.dumps(summary, indent=1) + "\n", encoding="utf-8")
    text = table(summary)
    (out / "summary.txt").write_text(text + "\n", encoding="utf-8")
    print()
    print(text)
    plot(summary, out / "summary.png")
