"""The memory stream: a column-wise store of memories and the paper's retrieval."""

from smallville.memory.retrieval import RetrievalSettings, Scores
from smallville.memory.stream import KINDS, THOUGHT_SUBKINDS, MemoryRecord, MemoryStream

__all__ = [
    "KINDS",
    "THOUGHT_SUBKINDS",
    "MemoryRecord",
    "MemoryStream",
    "RetrievalSettings",
    "Scores",
]
