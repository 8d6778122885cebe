"""The `smallville` command line. Subcommands import their layer lazily, so
`smallville world validate` never loads pygame or openai.

Each command group lives in its own module and adds its sub-parser here; this module
only assembles them and turns a UserError into a one-line message and exit code 2.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from smallville.cli import (
    analyze,
    evaluate,
    experiment,
    generate,
    llm,
    log,
    residents,
    run,
    view,
    world,
)
from smallville.cli.common import UserError


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    args.argv = list(sys.argv[2:] if argv is None else argv[1:])
    if not hasattr(args, "func"):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `smallville analyze RUN | head`: the reader has gone
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except UserError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="smallville",
        description="Generative agents in a World-Craft-style town.",
    )
    from smallville import __version__

    p.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = p.add_subparsers(title="commands", metavar="COMMAND")
    # the order here is the order `smallville --help` lists them in
    world.add_parser(sub)
    generate.add_agents_parser(sub)
    llm.add_parser(sub)
    run.add_parser(sub)
    log.add_parser(sub)
    residents.add_whisper_parser(sub)
    residents.add_interview_parser(sub)
    view.add_parser(sub)
    analyze.add_parser(sub)
    evaluate.add_parser(sub)
    experiment.add_parser(sub)
    return p
