"""The run log: one SQLite file per run, the simulation's output and its recovery point.

Rows are buffered during a tick and written in one transaction when the tick
commits, so a killed run leaves whole ticks only. WAL mode lets the viewer and the
analysis read while the run writes. Wall-clock values (latency, timestamps) and what
depends on the response cache's state (whether a call was a hit, its retries and
error text) are kept in their own columns and never enter ``dump``.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

SCHEMA_VERSION = 2  # 2: llm_calls.outcome and llm_calls.failed_check

_TABLES: dict[str, str] = {
    "meta": "key TEXT PRIMARY KEY, value TEXT NOT NULL",
    "ticks": "tick INTEGER PRIMARY KEY, time INTEGER NOT NULL, wall REAL",
    "agents": "id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, persona TEXT NOT NULL",
    "positions": "tick INTEGER, agent INTEGER, x INTEGER, y INTEGER",
    "actions": (
        "tick INTEGER, agent INTEGER, start INTEGER, duration INTEGER, description TEXT, "
        "address TEXT, emoji TEXT, subject TEXT, predicate TEXT, object TEXT, "
        "object_state TEXT, block TEXT"
    ),
    "objects": "tick INTEGER, address TEXT, state TEXT",
    "conversations": (
        "id INTEGER PRIMARY KEY, tick_start INTEGER, tick_end INTEGER, a INTEGER, "
        "b INTEGER, place TEXT"
    ),
    "utterances": "conversation INTEGER, seq INTEGER, tick INTEGER, speaker INTEGER, text TEXT",
    "memories": (
        "agent INTEGER, id INTEGER, tick INTEGER, created INTEGER, kind TEXT, subkind TEXT, "
        "text TEXT, importance INTEGER, subject TEXT, predicate TEXT, object TEXT, "
        "evidence TEXT, depth INTEGER, source TEXT, embedding BLOB"
    ),
    "memory_access": "tick INTEGER, agent INTEGER, ids TEXT",
    "reflections": "tick INTEGER, agent INTEGER, question TEXT, thoughts TEXT",
    "plans": "tick INTEGER, agent INTEGER, kind TEXT, content TEXT",
    "interventions": (
        "id INTEGER PRIMARY KEY, kind TEXT, agent INTEGER, text TEXT, "
        "applied_tick INTEGER, wall REAL"
    ),
    "llm_calls": (
        "tick INTEGER, agent INTEGER, kind TEXT, prompt_tokens INTEGER, "
        "completion_tokens INTEGER, cached INTEGER, fallback INTEGER, retries INTEGER, "
        "error TEXT, outcome TEXT, failed_check TEXT, latency REAL"
    ),
    "state": "agent INTEGER PRIMARY KEY, tick INTEGER, data TEXT",
}
_INDEXES = (
    "CREATE INDEX IF NOT EXISTS positions_tick ON positions(tick)",
    "CREATE INDEX IF NOT EXISTS positions_agent ON positions(agent, tick)",
    "CREATE INDEX IF NOT EXISTS actions_agent ON actions(agent, tick)",
    "CREATE INDEX IF NOT EXISTS memories_agent ON memories(agent, tick)",
    "CREATE INDEX IF NOT EXISTS utterances_tick ON utterances(tick)",
    "CREATE INDEX IF NOT EXISTS llm_calls_tick ON llm_calls(tick)",
)
# Tables whose rows belong to one tick; `truncate_after` drops the rows past a tick.
_TICKED = {
    "ticks": "tick",
    "positions": "tick",
    "actions": "tick",
    "objects": "tick",
    "utterances": "tick",
    "memories": "tick",
    "memory_access": "tick",
    "reflections": "tick",
    "plans": "tick",
    "llm_calls": "tick",
    "conversations": "tick_end",
}
# Columns left out of `dump`. Wall-clock values differ between identical runs. How a
# call was answered depends on the response cache's state, not on the simulation: a
# resumed run redoes the ticks after its checkpoint and its requests are then cache
# hits (``cached`` 1, no ``retries``, and no ``error`` for a repaired answer, since the
# cache keeps the answer and its outcome but not the first attempt's complaint).
_WALL = {"wall", "latency"}
_CACHE_STATE = {"cached", "retries", "error"}
_LEFT_OUT = _WALL | _CACHE_STATE
_DUMP_ORDER = (
    "ticks",
    "interventions",
    "positions",
    "objects",
    "actions",
    "plans",
    "conversations",
    "utterances",
    "memories",
    "memory_access",
    "reflections",
    "llm_calls",
)


_EVENT = {
    "ticks": "tick",
    "interventions": "intervention",
    "positions": "position",
    "objects": "object",
    "actions": "action",
    "plans": "plan",
    "conversations": "conversation",
    "utterances": "utterance",
    "memories": "memory",
    "memory_access": "memory_access",
    "reflections": "reflection",
    "llm_calls": "llm_call",
}


class RunLogError(RuntimeError):
    """The run file cannot be used as asked; the message says why and what to do."""


class RunLog:
    """Writer and low-level reader of a run file."""

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
            raise RunLogError(f"{path} already exists: pass --resume {path} or choose --out")
        path.parent.mkdir(parents=True, exist_ok=True)
        # built under a temporary name and renamed, so a run file always has its schema
        partial = path.with_name(path.name + ".partial")
        partial.unlink(missing_ok=True)
        conn = sqlite3.connect(partial)
        with conn:
            for name, cols in _TABLES.items():
                conn.execute(f"CREATE TABLE {name} ({cols})")
            for sql in _INDEXES:
                conn.execute(sql)
            meta = {"schema_version": SCHEMA_VERSION, **meta}
            conn.executemany(
                "INSERT INTO meta VALUES (?, ?)",
                [(k, json.dumps(v, sort_keys=True)) for k, v in meta.items()],
            )
        conn.close()
        partial.rename(path)
        log = cls(_connect(path), path)
        return log

    @classmethod
    def open(cls, path: Path, readonly: bool = False) -> RunLog:
        path = Path(path)
        if not path.is_file():
            raise RunLogError(f"{path}: no such run file")
        if readonly:
            conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
        else:
            conn = _connect(path)
        try:
            version = conn.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
        except sqlite3.DatabaseError as e:
            raise RunLogError(f"{path}: not a smallville run file ({e})") from e
        if version is None or json.loads(version[0]) != SCHEMA_VERSION:
            raise RunLogError(
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

    def last_tick(self) -> int | None:
        row = self.conn.execute("SELECT MAX(tick) FROM ticks").fetchone()
        return row[0]

    # ------------------------------------------------------------------ writing
    def add(self, table: str, *row: Any) -> None:
        """Buffer a row for the current tick; written by `commit`."""
        self._rows[table].append(row)

    def commit(self) -> None:
        """Write every buffered row in one transaction."""
        with self.conn:
            for table, rows in self._rows.items():
                marks = ",".join("?" * len(rows[0]))
                verb = "INSERT OR REPLACE" if table in ("state", "agents", "meta") else "INSERT"
                self.conn.executemany(f"{verb} INTO {table} VALUES ({marks})", rows)
        self._rows.clear()

    def truncate_after(self, tick: int) -> None:
        """Drop every row of ticks after ``tick`` (resume from a checkpoint); whispers
        applied after it are pending again."""
        with self.conn:
            for table, col in _TICKED.items():
                self.conn.execute(f"DELETE FROM {table} WHERE {col} > ?", (tick,))
            self.conn.execute(
                "UPDATE interventions SET applied_tick = NULL WHERE applied_tick > ?", (tick,)
            )

    # ------------------------------------------------------------------ reading
    def rows(self, sql: str, *params: Any) -> list[tuple]:
        return self.conn.execute(sql, params).fetchall()

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
        for aid, name, persona in self.rows("SELECT * FROM agents ORDER BY id"):
            yield _line({"type": "agent", "id": aid, "name": name, "persona": json.loads(persona)})
        events: list[tuple[tuple, dict]] = []
        for order, table in enumerate(_DUMP_ORDER):
            cur = self.conn.execute(f"SELECT * FROM {table}")
            cols = [d[0] for d in cur.description]
            for seq, row in enumerate(cur):
                rec = {c: _plain(v) for c, v in zip(cols, row, strict=True) if c not in _LEFT_OUT}
                tick = rec.get("tick", rec.get("tick_start", rec.get("applied_tick"))) or 0
                events.append(((tick, order, seq), {"type": _EVENT[table], **rec}))
        events.sort(key=lambda e: e[0])
        for _, rec in events:
            yield _line(rec)


def _connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, check_same_thread=False)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    return conn


def _plain(v: Any) -> Any:
    if isinstance(v, bytes):
        import hashlib

        return "sha256:" + hashlib.sha256(v).hexdigest()[:16]
    return v


def _stable_meta(meta: dict[str, Any]) -> dict[str, Any]:
    skip = ("created_wall", "versions", "checkpoint", "world_json")  # world_hash stands for it
    return {k: v for k, v in meta.items() if k not in skip}


def _line(rec: dict[str, Any]) -> str:
    return json.dumps(rec, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
