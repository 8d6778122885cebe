"""The port every cognitive step talks through, and the protocol its layers share."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, TypeVar, runtime_checkable

import numpy as np
from pydantic import BaseModel

from smallville.llm.task import Completion, PromptTask

T = TypeVar("T", bound=BaseModel)


@runtime_checkable
class Model(Protocol):
    """A backend (openai, scripted) or a wrapper of one (cache, meter, budget, limit).

    ``run`` never raises for anything a model says or a server does: it returns a
    validated value or the task's fallback with ``fallback=True``. It raises only for
    programming errors and for configuration the user must fix.
    """

    name: str  # e.g. "scripted", "openai:gpt-4o-mini"; part of the cache key

    async def run(self, task: PromptTask[T]) -> Completion[T]: ...

    async def embed(self, texts: Sequence[str]) -> np.ndarray:
        """float32 array of shape (len(texts), dim), rows L2-normalised."""
        ...
