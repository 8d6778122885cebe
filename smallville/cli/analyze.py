"""`smallville analyze`: a run's metrics as tables, JSON and plots."""

from __future__ import annotations

import argparse
from pathlib import Path

from smallville.cli.common import UserError
from smallville.cli.runfiles import run_file_errors


def add_parser(sub) -> None:
    an = sub.add_parser(
        "analyze",
        help="measure a run: diffusion, relationships, coordination, time use, cost",
        description="Print the metrics of a run as tables. --json writes every metric "
        "(top-level keys run, diffusion, relationships, coordination, time_use, "
        "plan_adherence, llm_usage); --compare puts a second run beside it.",
    )
    an.add_argument("run", type=Path, help="run file (it may still be growing)")
    an.add_argument(
        "--json",
        type=Path,
        metavar="OUT",
        help="write all metrics as JSON (every field: docs/analysis/SCHEMA.md); its folder "
        "must exist",
    )
    an.add_argument("--compare", type=Path, metavar="OTHER_RUN", help="a run to compare with")
    an.add_argument(
        "--plots",
        type=Path,
        metavar="DIR",
        help="write PNG plots: diffusion, relationships, time use, model usage (the folder "
        "is created)",
    )
    an.set_defaults(func=_analyze)


def _analyze(args: argparse.Namespace) -> int:
    import json

    from smallville.analysis import analyze, report
    from smallville.replay import Run, RunFileError

    if args.json and not args.json.parent.is_dir():
        raise UserError(f"--json {args.json}: no folder {args.json.parent}; create it first")
    if args.json and args.json.is_dir():
        raise UserError(f"--json {args.json}: is a folder; give a file name, e.g. metrics.json")
    results, labels = [], []
    for path in [args.run] + ([args.compare] if args.compare else []):
        try:
            with run_file_errors(path), Run.open(path) as run:
                results.append(analyze(run))
        except (RunFileError, ValueError) as e:  # WorldError: an old run's world file moved
            raise UserError(str(e)) from e
        labels.append(path.name)
    print(report(results, labels))
    if args.json:
        payload = results[0] if len(results) == 1 else dict(zip(labels, results, strict=True))
        try:
            args.json.write_text(json.dumps(payload, indent=1, ensure_ascii=False) + "\n")
        except OSError as e:
            raise UserError(f"--json {args.json}: cannot write: {e.strerror}") from e
        print(f"\nwrote {args.json}")
    if args.plots:
        from smallville.analysis.plots import write_plots

        for label, result in zip(labels, results, strict=True):
            folder = args.plots if len(results) == 1 else args.plots / Path(label).stem
            paths = write_plots(result, folder)
            print(f"wrote {len(paths)} plots to {folder}")
            for name, why in paths.skipped.items():
                print(f"  no {name}: {why}")
    return 0
