"""The command line's checks on run files (read through ``smallville.runfile``)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from smallville.cli.common import UserError


def has_ticks(path: Path) -> bool:
    """Whether the run file exists and holds a tick yet (`run --view` waits for one)."""
    from smallville.runfile import RunFileError, RunLog

    if not Path(path).is_file():
        return False
    try:
        log = RunLog.open(path, readonly=True)
    except (RunFileError, sqlite3.Error):
        return False
    try:
        return log.last_tick() is not None
    except sqlite3.Error:
        return False
    finally:
        log.close()


@contextmanager
def run_file_errors(path: Path) -> Iterator[None]:
    """Reading ``path`` inside this block: an SQLite error becomes a UserError, since it
    means the file is not a run file or is damaged."""
    try:
        yield
    except sqlite3.Error as e:
        from smallville.runfile import unreadable

        raise UserError(unreadable(path, e)) from e


def check_run_file(path: Path) -> None:
    """Refuse what is not a run file before the slow imports and the endpoint's probe."""
    from smallville.runfile import RunFileError, RunLog

    try:
        RunLog.open(path, readonly=True).close()
    except RunFileError as e:
        raise UserError(str(e)) from e
