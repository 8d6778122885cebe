"""The run file: its schema (typed rows), its writer and its reads, in one place.

Below both the simulation (which writes it) and the readers (replay, viewer,
analysis, interview, CLI); nothing else speaks SQL to a run file.
"""

from smallville.runfile.log import RunFileError, RunLog, unreadable
from smallville.runfile.read import CallTotals
from smallville.runfile.schema import (
    SCHEMA_VERSION,
    ActionRow,
    AgentRow,
    CallRow,
    ConversationRow,
    InterventionRow,
    MemoryRow,
    ObjectRow,
    PlanRow,
    PositionRow,
    ReflectionRow,
    StateRow,
    TickRow,
    UtteranceRow,
)

__all__ = [
    "SCHEMA_VERSION",
    "ActionRow",
    "AgentRow",
    "CallRow",
    "CallTotals",
    "ConversationRow",
    "InterventionRow",
    "MemoryRow",
    "ObjectRow",
    "PlanRow",
    "PositionRow",
    "ReflectionRow",
    "RunFileError",
    "RunLog",
    "StateRow",
    "TickRow",
    "UtteranceRow",
    "unreadable",
]
