"""`smallville log dump`: a run's events as stable JSON lines, for diffing two runs."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from smallville.cli.common import UserError
from smallville.cli.runfiles import run_file_errors


def add_parser(sub) -> None:
    logp = sub.add_parser("log", help="read a run file")
    logsub = logp.add_subparsers(title="log commands", metavar="COMMAND")
    dump = logsub.add_parser(
        "dump",
        help="the run's events as stable JSON lines (diff two runs)",
        description="Print every event of a run as one JSON object a line, in tick order, "
        "without wall-clock fields, so two runs can be compared with diff.",
    )
    dump.add_argument("run", type=Path)
    dump.set_defaults(func=_log_dump)


def _log_dump(args: argparse.Namespace) -> int:
    from smallville.runfile import RunFileError, RunLog

    try:
        log = RunLog.open(args.run, readonly=True)
    except RunFileError as e:
        raise UserError(str(e)) from e
    try:
        with run_file_errors(args.run):
            for line in log.dump():
                sys.stdout.write(line + "\n")
    except BrokenPipeError:
        pass
    finally:
        log.close()
    return 0
