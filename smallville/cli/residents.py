"""`smallville whisper` and `smallville interview`: speaking to one resident of a run."""

from __future__ import annotations

import argparse
from pathlib import Path

from smallville.cli.common import TIME, UserError, game_time
from smallville.cli.llm import llm_config, llm_flags
from smallville.cli.runfiles import check_run_file


def add_whisper_parser(sub) -> None:
    w = sub.add_parser(
        "whisper",
        help="plant a memory in a resident for the next resume",
        description="Plant a memory in a resident (the paper's way to seed a party or an "
        "election). It takes effect when the run is next resumed.",
    )
    w.add_argument("run", type=Path)
    w.add_argument("agent", help="the resident's full name")
    w.add_argument("text", help="what they will remember")
    w.set_defaults(func=_whisper)


def add_interview_parser(sub) -> None:
    iv = sub.add_parser(
        "interview",
        help="ask a resident a question, from its memory",
        description="Ask a resident a question; it answers in its own voice from its memories "
        "at the end of the run or at --at. The run file is not changed.",
    )
    iv.add_argument("run", type=Path)
    iv.add_argument("agent", help="the resident's full name")
    iv.add_argument("question")
    iv.add_argument("--at", type=game_time, metavar=TIME, help="game time (default: the end)")
    llm_flags(iv)
    iv.set_defaults(func=_interview)


def _whisper(args: argparse.Namespace) -> int:
    check_run_file(args.run)
    from smallville.runfile import RunFileError
    from smallville.sim.interventions import whisper
    from smallville.sim.setup import RunError

    try:
        wid = whisper(args.run, args.agent, args.text)
    except (RunError, RunFileError) as e:
        raise UserError(str(e)) from e
    print(
        f"whisper {wid} queued for {args.agent}; it is planted when you run: "
        f"smallville run --resume {args.run}"
    )
    return 0


def _interview(args: argparse.Namespace) -> int:
    import asyncio

    check_run_file(args.run)
    from smallville.llm import build
    from smallville.runfile import RunFileError
    from smallville.sim.interventions import interview
    from smallville.sim.setup import RunError

    config = llm_config(args, probe=True)
    llm = build(config)

    async def go():
        try:
            return await interview(args.run, args.agent, args.question, llm, args.at)
        finally:
            await llm.aclose()

    try:
        name, when, answer = asyncio.run(go())
    except (RunError, RunFileError) as e:
        raise UserError(str(e)) from e
    print(f"{name} ({when}): {answer}")
    return 0
