"""The memory stream: a column-wise store of memories and the paper's retrieval."""

from smallville.memory.stream import KINDS, MemoryRecord, MemoryStream, RetrievalSettings

__all__ = ["KINDS", "MemoryRecord", "MemoryStream", "RetrievalSettings"]
