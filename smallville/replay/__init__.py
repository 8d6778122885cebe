"""Read a run log back: timelines, positions at a tick, conversations, memories, usage."""

from smallville.replay.run import AgentInfo, Conversation, Memory, Run
from smallville.runfile import ActionRow, RunFileError

__all__ = ["ActionRow", "AgentInfo", "Conversation", "Memory", "Run", "RunFileError"]
