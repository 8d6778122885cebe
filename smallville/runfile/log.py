"""The run log: one SQLite file per run, the simulation's output and its recovery point.

Rows are typed (``schema``) and buffered during a tick, then written in one
transaction when the tick commits, so a killed run leaves whole ticks only. WAL mode
lets the viewer and the analysis read while the run writes. Every open checks the
schema version. This package is the only code that speaks SQL to a run file: the
writer (the simulation) and the readers (replay, viewer, analysis, interview, CLI)
go through ``RunLog``'s methods.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import operator
import sqlite3
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from smallville.runfile.read import Reads
from smallville.runfile.schema import (
    INDEXES,
    LEFT_OUT_OF_DUMP,
    SCHEMA_VERSION,
    TABLE_OF,
    TABLES,
    MetaRow,
)

_SQLITE_MAGIC = b"SQLite format 3\x00"


class RunFileError(RuntimeError):
    """The run file cannot be used as asked; the message says why and what to do."""


def unreadable(path: Path, e: Exception) -> str:
    """What to say of a file that opened as a run file but cannot be read as one."""
    return f"{path}: not a smallville run file, or a damaged one ({e})"


class RunLog(Reads):
    """Writer and reader of a run file."""

    def __init__(self, conn: sqlite3.Connection, path: Path, readonly: bool = False) -> None:
        self.conn = conn
        self.path = path
        self.readonly = readonly
        self._rows: dict[str, list[tuple]] = defaultdict(list)

    # ------------------------------------------------------------------ opening
    @classmethod
    def create(cls, path: Path, meta: dict[str, Any]) -> RunLog:
        path = Path(path)
        if path.exists():
            raise RunFileError(f"{path} already exists: pass --resume {path} or choose --out")
        path.parent.mkdir(parents=True, exist_ok=True)
        # built under a temporary name and renamed, so a run file always has its schema
        partial = path.with_name(path.name + ".partial")
        partial.unlink(missing_ok=True)
        conn = sqlite3.connect(partial)
        with conn:
            for table in TABLES:
                conn.execute(table.create_sql())
            for sql in INDEXES:
                conn.execute(sql)
            meta = {"schema_version": SCHEMA_VERSION, **meta}
            conn.executemany(
                "INSERT INTO meta VALUES (?, ?)",
                [(k, json.dumps(v, sort_keys=True)) for k, v in meta.items()],
            )
        conn.close()
        partial.rename(path)
        return cls(_connect(path), path)

    @classmethod
    def open(cls, path: Path, readonly: bool = False) -> RunLog:
        """Open a run file made by this version of smallville (read-only: while it is
        still being written, too). A file that is not an SQLite database is refused
        before SQLite sees it, so a writable open never turns it into one."""
        path = Path(path)
        if not path.exists():
            raise RunFileError(f"{path}: no such run file")
        if not path.is_file():
            raise RunFileError(f"{path}: not a file; a run file is one .sqlite file")
        try:
            with path.open("rb") as f:
                head = f.read(len(_SQLITE_MAGIC))
        except OSError as e:
            raise RunFileError(f"{path}: cannot read: {e.strerror}") from e
        if head != _SQLITE_MAGIC:
            what = "empty file" if not head else "not an SQLite database"
            raise RunFileError(f"{path}: not a smallville run file ({what})")
        if readonly:
            conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
        else:
            conn = _connect(path)
        try:
            version = conn.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
        except sqlite3.DatabaseError as e:
            conn.close()
            raise RunFileError(f"{path}: not a smallville run file ({e})") from e
        if version is None or json.loads(version[0]) != SCHEMA_VERSION:
            conn.close()
            raise RunFileError(
                f"{path}: run file schema {version and version[0]}, expected {SCHEMA_VERSION} "
                "(made by another version of smallville: run it again with this one)"
            )
        return cls(conn, path, readonly)

    def close(self) -> None:
        """Close; a writer also leaves WAL mode, so the finished file is one file and
        read-only opens add no ``-wal``/``-shm`` beside it (resuming turns WAL back on).
        While a viewer still reads the file the switch is refused; that is harmless."""
        if not self.readonly:
            with contextlib.suppress(sqlite3.OperationalError):
                self.conn.execute("PRAGMA journal_mode=DELETE")
        self.conn.close()

    def rename(self, dest: Path) -> None:
        """Give the file a new name and go on writing it. Closing first folds the
        write-ahead log into the file (whose -wal/-shm are named after it)."""
        self.close()
        self.path.rename(dest)
        reopened = RunLog.open(dest)
        self.conn, self.path = reopened.conn, reopened.path

    # --------------------------------------------------------------------- meta
    def meta(self) -> dict[str, Any]:
        rows = self.conn.execute("SELECT key, value FROM meta ORDER BY key")
        return {k: json.loads(v) for k, v in rows}

    def set_meta(self, key: str, value: Any) -> None:
        with self.conn:
            self.conn.execute(
                "INSERT OR REPLACE INTO meta VALUES (?, ?)",
                (key, json.dumps(value, sort_keys=True)),
            )

    def add_meta(self, key: str, value: Any) -> None:
        """Buffer a meta value, written with the tick by `commit`."""
        self.add(MetaRow(key, json.dumps(value, sort_keys=True)))

    # ------------------------------------------------------------------ writing
    def add(self, row: Any) -> None:
        """Buffer a typed row for the current tick; written by `commit`."""
        table = TABLE_OF[type(row)]
        self._rows[table.name].append(_GETTERS[table.name](row))

    def commit(self) -> None:
        """Write every buffered row in one transaction."""
        with self.conn:
            for name, rows in self._rows.items():
                table = _TABLES[name]
                marks = ",".join("?" * len(table.columns))
                verb = "INSERT OR REPLACE" if table.replace else "INSERT"
                self.conn.executemany(f"{verb} INTO {name} VALUES ({marks})", rows)
        self._rows.clear()

    def truncate_after(self, tick: int) -> None:
        """Drop every row of ticks after ``tick`` (resume from a checkpoint); whispers
        applied after it are pending again."""
        with self.conn:
            for table in TABLES:
                if table.tick:
                    self.conn.execute(f"DELETE FROM {table.name} WHERE {table.tick} > ?", (tick,))
            self.conn.execute(
                "UPDATE interventions SET applied_tick = NULL WHERE applied_tick > ?", (tick,)
            )

    def whisper(self, agent: int, text: str, wall: float) -> int:
        """Queue a whispered memory (committed at once); its id."""
        with self.conn:
            cur = self.conn.execute(
                "INSERT INTO interventions (kind, agent, text, applied_tick, wall) "
                "VALUES ('whisper', ?, ?, NULL, ?)",
                (agent, text, wall),
            )
        return int(cur.lastrowid)

    def mark_applied(self, intervention: int, tick: int) -> None:
        """A whisper was planted at ``tick`` (written with that tick's commit)."""
        self.conn.execute(
            "UPDATE interventions SET applied_tick=? WHERE id=?", (tick, intervention)
        )

    # ------------------------------------------------------------------ dump
    def dump(self) -> Iterator[str]:
        """The run's events as stable JSON lines, ordered by tick.

        Left out, so that identical simulations give identical dumps: wall-clock fields
        (``wall``, ``latency``, ``created_wall``) and the call columns that depend on
        the response cache's state rather than on what was simulated (``cached``,
        ``retries``, ``error``): an interrupted run, resumed, redoes the ticks after
        its last checkpoint and those requests are answered from the cache. The run
        file keeps them all (``smallville analyze`` counts cache hits from it). What a
        call answered is kept: its kind, tokens, ``outcome``, ``fallback`` and
        ``failed_check``.
        """
        yield _line({"type": "meta", **_stable_meta(self.meta())})
        for a in self.agents():
            yield _line(
                {"type": "agent", "id": a.id, "name": a.name, "persona": json.loads(a.persona)}
            )
        events: list[tuple[tuple, dict]] = []
        for order, table in enumerate(t for t in TABLES if t.event):
            cur = self.conn.execute(f"SELECT {', '.join(table.columns)} FROM {table.name}")
            for seq, row in enumerate(cur):
                rec = {
                    c: _plain(v)
                    for c, v in zip(table.columns, row, strict=True)
                    if c not in LEFT_OUT_OF_DUMP
                }
                tick = rec.get("tick", rec.get("tick_start", rec.get("applied_tick"))) or 0
                events.append(((tick, order, seq), {"type": table.event, **rec}))
        events.sort(key=lambda e: e[0])
        for _, rec in events:
            yield _line(rec)


_TABLES = {t.name: t for t in TABLES}
_GETTERS = {t.name: operator.attrgetter(*t.columns) for t in TABLES}


def _connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, check_same_thread=False)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    return conn


def _plain(v: Any) -> Any:
    if isinstance(v, bytes):
        return "sha256:" + hashlib.sha256(v).hexdigest()[:16]
    return v


def _stable_meta(meta: dict[str, Any]) -> dict[str, Any]:
    skip = ("created_wall", "versions", "checkpoint", "world_json")  # world_hash stands for it
    return {k: v for k, v in meta.items() if k not in skip}


def _line(rec: dict[str, Any]) -> str:
    return json.dumps(rec, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
