"""Usage metering, cost, budget and the in-flight limit: wrappers of the Model protocol."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, fields
from pathlib import Path

import numpy as np

from smallville.llm.port import Model
from smallville.llm.task import Completion, PromptTask

log = logging.getLogger("smallville.llm")

# USD per 1M tokens (input, output). Local servers and the scripted model cost nothing.
DEFAULT_PRICES: dict[str, tuple[float, float]] = {
    "gpt-4o-mini": (0.15, 0.60),
    "gpt-4o": (2.50, 10.00),
    "gpt-4.1": (2.00, 8.00),
    "gpt-4.1-mini": (0.40, 1.60),
    "gpt-4.1-nano": (0.10, 0.40),
    "gpt-3.5-turbo": (0.50, 1.50),
    "text-embedding-3-small": (0.02, 0.0),
    "text-embedding-3-large": (0.13, 0.0),
}


def load_prices(path: Path | str) -> dict[str, tuple[float, float]]:
    """A JSON file ``{"model": [input_usd_per_1M, output_usd_per_1M], ...}``."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as e:
        raise ValueError(f"{path}: cannot read prices: {e}") from e
    out = {}
    for model, pair in data.items():
        if not (isinstance(pair, list) and len(pair) == 2 and all(_num(v) for v in pair)):
            raise ValueError(f"{path}: {model}: expected [input_usd_per_1M, output_usd_per_1M]")
        out[model] = (float(pair[0]), float(pair[1]))
    return out


def _num(v: object) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and v >= 0


@dataclass
class Usage:
    calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    latency_s: float = 0.0
    cache_hits: int = 0
    retries: int = 0
    fallbacks: int = 0
    errors: int = 0
    cost_usd: float = 0.0

    @property
    def tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens

    def add(self, other: Usage) -> None:
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))

    def as_dict(self) -> dict[str, float]:
        d = {f.name: getattr(self, f.name) for f in fields(self)}
        d["tokens"] = self.tokens
        return d


class Meter:
    """Counts every call by task kind and by agent, prices it, and tells listeners."""

    def __init__(
        self,
        inner: Model,
        model_name: str = "",
        prices: Mapping[str, tuple[float, float]] | None = None,
    ) -> None:
        self.inner = inner
        self.name = inner.name
        self.model_name = model_name
        self.prices = dict(DEFAULT_PRICES if prices is None else prices)
        self.by_kind: dict[str, Usage] = {}
        self.by_agent: dict[str, Usage] = {}
        self._listeners: list[Callable[[PromptTask, Completion], None]] = []

    def on_call(self, callback: Callable[[PromptTask, Completion], None]) -> None:
        self._listeners.append(callback)

    def price(self, prompt_tokens: int, completion_tokens: int) -> float:
        p = self.prices.get(self.model_name)
        if p is None:
            return 0.0
        return (prompt_tokens * p[0] + completion_tokens * p[1]) / 1e6

    async def run(self, task: PromptTask) -> Completion:
        c = await self.inner.run(task)
        u = Usage(
            calls=1,
            prompt_tokens=c.prompt_tokens,
            completion_tokens=c.completion_tokens,
            latency_s=c.latency_s,
            cache_hits=int(c.cached),
            retries=c.retries,
            fallbacks=int(c.fallback),
            errors=int(c.error is not None),
            cost_usd=0.0 if c.cached else self.price(c.prompt_tokens, c.completion_tokens),
        )
        self.by_kind.setdefault(task.kind, Usage()).add(u)
        self.by_agent.setdefault(task.agent or "-", Usage()).add(u)
        if c.fallback:
            log.warning(
                "fallback for %s (%s): %s; raw output: %.300r",
                task.kind,
                task.agent or "-",
                c.error,
                c.raw,
            )
        for listener in self._listeners:
            listener(task, c)
        return c

    async def embed(self, texts: Sequence[str]) -> np.ndarray:
        return await self.inner.embed(texts)

    def totals(self) -> Usage:
        total = Usage()
        for u in self.by_kind.values():
            total.add(u)
        return total


@dataclass(frozen=True, kw_only=True)
class Budget:
    """Limits on a run. It never refuses a call mid-tick (that would make the tick's
    outcome depend on timing); the server asks ``exceeded`` at each tick boundary and
    stops cleanly, so a run may overshoot by at most one tick's calls."""

    max_calls: int | None = None
    max_tokens: int | None = None
    max_cost: float | None = None

    def exceeded(self, used: Usage) -> str | None:
        # cache hits cost nothing and are not counted against the budget
        calls = used.calls - used.cache_hits
        if self.max_calls is not None and calls >= self.max_calls:
            return f"budget reached: {calls} model calls >= --max-calls {self.max_calls}"
        if self.max_tokens is not None and used.tokens >= self.max_tokens:
            return f"budget reached: {used.tokens} tokens >= --max-tokens {self.max_tokens}"
        if self.max_cost is not None and used.cost_usd >= self.max_cost:
            return f"budget reached: ${used.cost_usd:.4f} >= --max-cost {self.max_cost}"
        return None


class Limit:
    """One global limit on requests in flight."""

    def __init__(self, inner: Model, concurrency: int = 16) -> None:
        if concurrency < 1:
            raise ValueError(f"concurrency must be at least 1, got {concurrency}")
        self.inner = inner
        self.name = inner.name
        self.concurrency = concurrency
        self._sem = asyncio.Semaphore(concurrency)

    async def run(self, task: PromptTask) -> Completion:
        async with self._sem:
            return await self.inner.run(task)

    async def embed(self, texts: Sequence[str]) -> np.ndarray:
        async with self._sem:
            return await self.inner.embed(texts)
