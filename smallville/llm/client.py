"""The port the rest of the code uses (``LLM``), and ``build`` to make one from a config."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TypeVar

import numpy as np
from pydantic import BaseModel

from smallville.llm.budget import Budget
from smallville.llm.cache import ResponseCache
from smallville.llm.config import LLMConfig
from smallville.llm.embed import local_embedder
from smallville.llm.limit import Limit
from smallville.llm.meter import Meter, Usage, load_prices
from smallville.llm.port import Model
from smallville.llm.task import Completion, PromptTask

T = TypeVar("T", bound=BaseModel)

# Local vectors kept in memory; past this many distinct texts the memo starts over
# (recomputing costs ~0.1 ms a call, so this only bounds memory on long runs).
_MEMO_LIMIT = 100_000

# Answers in a row that the endpoint itself failed (refused, timed out, 401...) before
# the breaker opens: more than a flaky server's bad luck (each answer already had its
# retries), few enough that a dead server is given up on within a tick or two.
FAILURES_TO_STOP = 8


class Breaker:
    """Stops asking an endpoint that keeps failing.

    After ``limit`` answers in a row that the endpoint failed (``unreachable``), every
    further request is answered at once with the task's fallback, ``unreachable`` too,
    without touching the network: a tick of sixteen calls against a dead server does
    not wait out sixteen calls' retries. The runner asks ``LLM.endpoint_failure`` at
    the tick boundary and stops. Any other answer (one still in flight included)
    closes it again.
    """

    def __init__(self, inner: Model, limit: int = FAILURES_TO_STOP) -> None:
        if limit < 1:
            raise ValueError(f"limit must be at least 1, got {limit}")
        self.inner = inner
        self.name = inner.name
        self.limit = limit
        self.streak = 0
        self.last_error: str | None = None

    @property
    def open(self) -> bool:
        return self.streak >= self.limit

    async def run(self, task: PromptTask[T]) -> Completion[T]:
        if self.open:
            return Completion(
                value=task.fallback,
                outcome="fallback",
                check="transport",
                error=f"not sent: the {self.streak} requests before it failed "
                f"(the last: {self.last_error})",
                unreachable=True,
            )
        c = await self.inner.run(task)
        if c.unreachable:
            self.streak += 1
            self.last_error = c.error
        else:
            self.streak = 0
        return c

    async def embed(self, texts: Sequence[str]) -> np.ndarray:
        return await self.inner.embed(texts)


class LLM:
    """``Meter(ResponseCache(Limit(Breaker(backend))))``, embeddings, and the run's budget.

    Cache hits are counted by the meter and never wait for a request slot, and still
    answer when the breaker is open. Embeddings come from the local embedder unless
    ``embed_model`` names a remote one, which then goes through the same limit and the
    cache file. ``endpoint`` names the endpoint in messages (redacted: no key, no
    URL credentials).
    """

    def __init__(
        self,
        backend: Model,
        *,
        model_name: str | None = None,
        cache_path: Path | str | None = None,
        concurrency: int = 16,
        prices: Mapping[str, tuple[float, float]] | None = None,
        budget: Budget | None = None,
        embed_model: str | None = None,
        endpoint: str | None = None,
        failures_to_stop: int = FAILURES_TO_STOP,
    ) -> None:
        self.backend = backend
        self.name = backend.name
        self.endpoint = endpoint or f"the endpoint of {backend.name}"
        embed_name = f"{backend.name}|embed:{embed_model}" if embed_model else None
        self.breaker = Breaker(backend, failures_to_stop)
        self.cache = ResponseCache(
            Limit(self.breaker, concurrency), cache_path, embed_name=embed_name
        )
        self.meter = Meter(self.cache, prices=prices, model_name=model_name)
        self.budget = budget or Budget()
        self._local = None if embed_model else local_embedder()
        self.embedder_name = embed_name or self._local.name
        self._vectors: dict[str, np.ndarray] = {}

    async def complete(self, task: PromptTask[T]) -> T:
        """The validated answer (or the task's fallback, counted and logged)."""
        return (await self.meter.run(task)).value

    async def run(self, task: PromptTask[T]) -> Completion[T]:
        return await self.meter.run(task)

    async def embed(self, texts: Sequence[str]) -> np.ndarray:
        """float32 (len(texts), dim), rows L2-normalised."""
        if self._local is None:
            return await self.cache.embed(texts)
        if not texts:
            return self._local.embed([])
        missing = [t for t in dict.fromkeys(texts) if t not in self._vectors]
        if missing:
            if len(self._vectors) + len(missing) > _MEMO_LIMIT:
                self._vectors.clear()
            self._vectors.update(zip(missing, self._local.embed(missing), strict=True))
        return np.stack([self._vectors[t] for t in texts])

    def usage(self) -> Usage:
        return self.meter.totals()

    @property
    def failing(self) -> bool:
        """The last answer the endpoint gave (or did not give) was a failure."""
        return self.breaker.streak > 0

    def endpoint_failure(self) -> str | None:
        """Why this session must stop asking the endpoint (the breaker is open), else None."""
        if not self.breaker.open:
            return None
        return (
            f"{self.endpoint} failed {self.breaker.streak} requests in a row "
            f"(the last: {self.breaker.last_error})"
        )

    def over_budget(self) -> str | None:
        """Why this session must stop (``Budget.exceeded`` on this meter's totals)."""
        return self.budget.exceeded(self.usage())

    async def aclose(self) -> None:
        close = getattr(self.backend, "aclose", None)
        if close is not None:
            await close()
        self.cache.close()


def build(config: LLMConfig, budget: Budget | None = None) -> LLM:
    """The LLM a config describes. The openai client is imported only when used."""
    prices = load_prices(config.prices_path) if config.prices_path else None
    if config.backend == "scripted":
        from smallville.llm.scripted import ScriptedModel

        # the scripted model is deterministic and free: an on-disk cache would only grow
        return LLM(
            ScriptedModel(seed=config.seed),
            model_name="scripted",
            concurrency=config.concurrency,
            prices=prices,
            budget=budget,
        )
    from smallville.llm.openai_backend import OpenAIBackend

    backend = OpenAIBackend(
        model=config.chat_model,
        base_url=config.base_url,
        api_key=config.api_key.get_secret_value() if config.api_key else None,
        embed_model=config.embed_model,
        timeout=config.timeout,
        max_attempts=config.max_attempts,
        seed=config.seed,
    )
    return LLM(
        backend,
        model_name=config.chat_model,
        cache_path=config.cache_path,
        concurrency=config.concurrency,
        prices=prices,
        budget=budget,
        embed_model=config.embed_model,
        endpoint=config.endpoint_name,
    )
