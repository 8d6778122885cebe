"""`smallville eval`: the paper's controlled evaluation of a run's residents."""

from __future__ import annotations

import argparse
from pathlib import Path

from smallville.cli.common import TIME, UserError, game_time
from smallville.cli.llm import llm_config, llm_flags
from smallville.cli.runfiles import check_run_file


def add_parser(sub) -> None:
    e = sub.add_parser(
        "eval",
        help="interview every resident under the paper's ablations and grade the answers",
        description="Interview each resident (self-knowledge, memory, plans, reactions, "
        "reflections) as it is at the end of the run or at --at, four ways: with all its "
        "memories, without reflections, without reflections and plans, without memory. "
        "Answers are graded against what the run log says happened; with --judge the model "
        "also rates each answer and compares the conditions. The run file is not changed.",
    )
    e.add_argument("run", type=Path)
    e.add_argument("--at", type=game_time, metavar=TIME, help="game time (default: the end)")
    e.add_argument("--residents", nargs="+", metavar="NAME", help="only these (default: all)")
    e.add_argument("--judge", action="store_true", help="rate and compare answers by model")
    e.add_argument("--json", type=Path, metavar="OUT", help="also write the results as JSON")
    llm_flags(e)
    e.set_defaults(func=_eval)


def _eval(args: argparse.Namespace) -> int:
    import asyncio
    import json

    check_run_file(args.run)
    from smallville.evaluation import evaluate, report
    from smallville.llm import build
    from smallville.runfile import RunFileError
    from smallville.sim.setup import RunError

    llm = build(llm_config(args, probe=True))

    async def go():
        try:
            judge = llm if args.judge else None
            return await evaluate(args.run, llm, at=args.at, residents=args.residents, judge=judge)
        finally:
            await llm.aclose()

    try:
        result = asyncio.run(go())
    except (RunError, RunFileError) as e:
        raise UserError(str(e)) from e
    if args.json:
        try:
            args.json.write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n")
        except OSError as e:
            raise UserError(f"{args.json}: cannot write ({e.strerror or e})") from e
    print(report(result))
    return 0
