"""The run file's schema: one typed row per table, the single source of its columns.

A table's columns are its row class's fields, in order; ``TABLES`` adds what SQL needs
beyond them (keys, which column places a row at a tick). JSON-valued columns hold the
JSON text as written, so ``dump`` reproduces it byte for byte. Wall-clock columns
(``wall``, ``latency``) and those that depend on the response cache's state
(``cached``, ``retries``, ``error``) are named in ``LEFT_OUT_OF_DUMP``.
"""

from __future__ import annotations

import typing
from dataclasses import dataclass, fields

# 2: llm_calls.outcome and llm_calls.failed_check
# 3: the unused memory_access table and memories.subject/predicate/object dropped
SCHEMA_VERSION = 3


@dataclass(frozen=True, slots=True)
class MetaRow:
    key: str
    value: str  # JSON


@dataclass(frozen=True, slots=True)
class TickRow:
    tick: int
    time: int  # game seconds
    wall: float | None = None


@dataclass(frozen=True, slots=True)
class AgentRow:
    id: int
    name: str
    persona: str  # JSON of the persona file


@dataclass(frozen=True, slots=True)
class PositionRow:
    tick: int  # -1: where the resident starts
    agent: int
    x: int
    y: int


@dataclass(frozen=True, slots=True)
class ActionRow:
    tick: int
    agent: int
    start: int  # game seconds
    duration: int  # seconds
    description: str
    address: str
    emoji: str
    subject: str
    predicate: str
    object: str
    object_state: str | None
    block: str | None  # the hourly-schedule activity the action belongs to

    @property
    def triple(self) -> tuple[str, str, str]:
        return (self.subject, self.predicate, self.object)


@dataclass(frozen=True, slots=True)
class ObjectRow:
    tick: int
    address: str
    state: str


@dataclass(frozen=True, slots=True)
class ConversationRow:
    """A conversation that ended (one still going on has utterances only)."""

    id: int
    tick_start: int
    tick_end: int
    a: int
    b: int
    place: str


@dataclass(frozen=True, slots=True)
class UtteranceRow:
    conversation: int
    seq: int
    tick: int
    speaker: int
    text: str


@dataclass(frozen=True, slots=True)
class MemoryRow:
    agent: int
    id: int
    tick: int
    created: int  # game seconds
    kind: str
    subkind: str | None
    text: str
    importance: int
    evidence: str  # JSON list of memory ids
    depth: int
    source: str | None
    embedding: bytes  # float32 vector


@dataclass(frozen=True, slots=True)
class ReflectionRow:
    tick: int
    agent: int
    question: str
    thoughts: str  # JSON list of memory ids


@dataclass(frozen=True, slots=True)
class PlanRow:
    tick: int
    agent: int
    kind: str  # "day", "schedule", ...
    content: str  # JSON


@dataclass(frozen=True, slots=True)
class InterventionRow:
    id: int | None  # None: numbered when written
    kind: str  # "whisper"
    agent: int
    text: str
    applied_tick: int | None  # None until a session plants it
    wall: float | None


@dataclass(frozen=True, slots=True)
class CallRow:
    tick: int
    agent: int  # -1: a call made for no resident
    kind: str
    prompt_tokens: int
    completion_tokens: int
    cached: int
    fallback: int
    retries: int
    error: str | None
    outcome: str  # valid / repaired / fallback
    failed_check: str | None
    latency: float


@dataclass(frozen=True, slots=True)
class StateRow:
    """A resident's state at the newest checkpoint (one row per resident)."""

    agent: int
    tick: int
    data: str  # JSON


@dataclass(frozen=True)
class Table:
    name: str
    row: type
    key: str | None = None  # INTEGER PRIMARY KEY / TEXT PRIMARY KEY column
    tick: str | None = None  # the column that places a row at a tick
    event: str | None = None  # the record type in ``dump``; None: not dumped as events
    replace: bool = False  # a row replaces the one with its key
    unique: tuple[str, ...] = ()

    @property
    def columns(self) -> tuple[str, ...]:
        return tuple(f.name for f in fields(self.row))

    def create_sql(self) -> str:
        hints = typing.get_type_hints(self.row)
        cols = []
        for name in self.columns:
            sql_type = _SQL_TYPES[_base(hints[name])]
            extra = " PRIMARY KEY" if name == self.key else ""
            extra += " UNIQUE" if name in self.unique else ""
            cols.append(f"{name} {sql_type}{extra}")
        return f"CREATE TABLE {self.name} ({', '.join(cols)})"


_SQL_TYPES = {int: "INTEGER", str: "TEXT", float: "REAL", bytes: "BLOB"}


def _base(hint) -> type:
    """``int | None`` -> int."""
    args = [a for a in typing.get_args(hint) if a is not type(None)]
    return args[0] if args else hint


# In ``dump`` order: events of one tick are listed table by table in this order.
TABLES: tuple[Table, ...] = (
    Table("meta", MetaRow, key="key", replace=True),
    Table("agents", AgentRow, key="id", replace=True, unique=("name",)),
    Table("ticks", TickRow, key="tick", tick="tick", event="tick"),
    Table("interventions", InterventionRow, key="id", event="intervention"),
    Table("positions", PositionRow, tick="tick", event="position"),
    Table("objects", ObjectRow, tick="tick", event="object"),
    Table("actions", ActionRow, tick="tick", event="action"),
    Table("plans", PlanRow, tick="tick", event="plan"),
    Table("conversations", ConversationRow, key="id", tick="tick_end", event="conversation"),
    Table("utterances", UtteranceRow, tick="tick", event="utterance"),
    Table("memories", MemoryRow, tick="tick", event="memory"),
    Table("reflections", ReflectionRow, tick="tick", event="reflection"),
    Table("llm_calls", CallRow, tick="tick", event="llm_call"),
    Table("state", StateRow, key="agent", replace=True),
)
TABLE_OF: dict[type, Table] = {t.row: t for t in TABLES}

INDEXES = (
    "CREATE INDEX positions_tick ON positions(tick)",
    "CREATE INDEX positions_agent ON positions(agent, tick)",
    "CREATE INDEX actions_agent ON actions(agent, tick)",
    "CREATE INDEX memories_agent ON memories(agent, tick)",
    "CREATE INDEX utterances_tick ON utterances(tick)",
    "CREATE INDEX llm_calls_tick ON llm_calls(tick)",
)

LEFT_OUT_OF_DUMP = frozenset({"wall", "latency", "cached", "retries", "error"})
