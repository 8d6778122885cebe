"""Read a run log back: timelines, positions at a tick, conversations, memories, usage."""

from smallville.replay.run import (
    ActionRow,
    AgentInfo,
    ConversationRow,
    MemoryRow,
    Run,
    RunFileError,
)

__all__ = ["ActionRow", "AgentInfo", "ConversationRow", "MemoryRow", "Run", "RunFileError"]
