"""The port the rest of the code uses: ``LLM.complete(task)`` and ``LLM.embed(texts)``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

import numpy as np
from pydantic import BaseModel

from smallville.llm.cache import ResponseCache
from smallville.llm.config import LLMConfig
from smallville.llm.embed import local_embedder
from smallville.llm.meter import Budget, Limit, Meter, Usage, load_prices
from smallville.llm.port import Model
from smallville.llm.task import Completion, PromptTask

T = TypeVar("T", bound=BaseModel)


class LLM:
    """Meter(ResponseCache(Limit(backend))) plus embeddings and a budget."""

    def __init__(
        self,
        backend: Model,
        *,
        model_name: str = "",
        cache_path=None,
        concurrency: int = 16,
        prices=None,
        budget: Budget | None = None,
        remote_embeddings: bool = False,
    ) -> None:
        self.backend = backend
        self.cache = ResponseCache(Limit(backend, concurrency), cache_path)
        self.meter = Meter(self.cache, model_name=model_name, prices=prices)
        self.budget = budget or Budget()
        self.name = backend.name
        self._remote_embeddings = remote_embeddings
        self._local = None if remote_embeddings else local_embedder()
        self.embedder_name = self.name if remote_embeddings else self._local.name
        # local embeddings cached by text (the same event, place or question recurs)
        self._vectors: dict[str, np.ndarray] = {}

    async def complete(self, task: PromptTask[T]) -> T:
        return (await self.meter.run(task)).value

    async def run(self, task: PromptTask[T]) -> Completion[T]:
        return await self.meter.run(task)

    async def embed(self, texts: Sequence[str]) -> np.ndarray:
        if self._remote_embeddings:
            return await self.cache.embed(texts)
        missing = [t for t in dict.fromkeys(texts) if t not in self._vectors]
        if missing:
            for t, v in zip(missing, self._local.embed(missing), strict=True):
                self._vectors[t] = v
        if not texts:
            return self._local.embed([])
        return np.stack([self._vectors[t] for t in texts])

    def usage(self) -> Usage:
        return self.meter.totals()

    def over_budget(self) -> str | None:
        return self.budget.exceeded(self.usage())

    async def aclose(self) -> None:
        close = getattr(self.backend, "aclose", None)
        if close is not None:
            await close()
        self.cache.close()


def build(config: LLMConfig, budget: Budget | None = None) -> LLM:
    prices = load_prices(config.prices_path) if config.prices_path else None
    if config.backend == "scripted":
        from smallville.llm.scripted import ScriptedModel

        backend: Model = ScriptedModel(seed=config.seed)
        return LLM(
            backend,
            model_name="scripted",
            cache_path=None,
            concurrency=config.concurrency,
            prices=prices,
            budget=budget,
        )
    from smallville.llm.openai_backend import OpenAIBackend

    backend = OpenAIBackend(
        model=config.model,
        base_url=config.base_url,
        api_key=config.api_key.get_secret_value() if config.api_key else None,
        embed_model=config.embed_model,
        timeout=config.timeout,
        max_attempts=config.max_attempts,
        seed=config.seed,
    )
    return LLM(
        backend,
        model_name=config.model,
        cache_path=config.cache_path,
        concurrency=config.concurrency,
        prices=prices,
        budget=budget,
        remote_embeddings=bool(config.embed_model),
    )
