"""One global limit on model requests in flight."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import numpy as np

from smallville.llm.port import Model
from smallville.llm.task import Completion, PromptTask


class Limit:
    """Lets at most ``concurrency`` requests (chat and embeddings) run at once."""

    def __init__(self, inner: Model, concurrency: int = 16) -> None:
        if concurrency < 1:
            raise ValueError(f"concurrency must be at least 1, got {concurrency}")
        self.inner = inner
        self.name = inner.name
        self.concurrency = concurrency
        self._bound: tuple[asyncio.AbstractEventLoop, asyncio.Semaphore] | None = None

    def _semaphore(self) -> asyncio.Semaphore:
        # A semaphore that ever made a caller wait is bound to that event loop; one LLM
        # may serve several asyncio.run() calls (tests, CLI steps), so each loop gets its own.
        loop = asyncio.get_running_loop()
        if self._bound is None or self._bound[0] is not loop:
            self._bound = (loop, asyncio.Semaphore(self.concurrency))
        return self._bound[1]

    async def run(self, task: PromptTask) -> Completion:
        async with self._semaphore():
            return await self.inner.run(task)

    async def embed(self, texts: Sequence[str]) -> np.ndarray:
        async with self._semaphore():
            return await self.inner.embed(texts)
