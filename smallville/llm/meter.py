"""Usage metering and cost: a wrapper of the Model protocol that counts every call."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, fields
from pathlib import Path

import numpy as np

from smallville.llm.config import ConfigError
from smallville.llm.port import Model
from smallville.llm.task import Completion, PromptTask

log = logging.getLogger("smallville.llm")

Prices = Mapping[str, tuple[float, float]]

# USD per 1M tokens (input, output), list prices. Models not listed (the scripted model,
# local servers) cost nothing; a prices file adds or overrides entries.
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
    """Read a JSON file ``{"model": [input_usd_per_1M, output_usd_per_1M], ...}``."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise ConfigError(f"{path}: cannot read prices: {e}") from e
    if not isinstance(data, dict):
        raise ConfigError(
            f'{path}: expected an object like {{"gpt-4o-mini": [0.15, 0.60]}} '
            f"(USD per 1M input and output tokens), got {type(data).__name__}"
        )
    out = {}
    for model, pair in data.items():
        if not (isinstance(pair, list) and len(pair) == 2 and all(_num(v) for v in pair)):
            raise ConfigError(
                f"{path}: {model}: expected [input_usd_per_1M, output_usd_per_1M] "
                f"(two non-negative numbers), got {pair!r}"
            )
        out[model] = (float(pair[0]), float(pair[1]))
    return out


def _num(v: object) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and v >= 0


def price_of(model: str, prices: Prices = DEFAULT_PRICES) -> tuple[float, float] | None:
    """The price of ``model``, also for dated or routed names.

    ``gpt-4o-mini-2024-07-18`` and ``openai/gpt-4o-mini`` are priced as ``gpt-4o-mini``;
    the longest matching name wins, so ``gpt-4o-mini`` is never priced as ``gpt-4o``.
    """
    name = model.rsplit("/", 1)[-1]
    if name in prices:
        return prices[name]
    dated = [m for m in prices if name.startswith(m + "-")]
    return prices[max(dated, key=len)] if dated else None


@dataclass
class Usage:
    """Counters for a set of calls (mutable: the meter adds to it as calls finish).

    Cache hits report the tokens their answer first cost, so ``tokens`` says what the
    work is worth; ``cached_tokens`` is the part of it not spent again.
    """

    calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cached_tokens: int = 0
    latency_s: float = 0.0
    cache_hits: int = 0
    retries: int = 0
    repaired: int = 0
    fallbacks: int = 0
    unreachable: int = 0
    errors: int = 0
    cost_usd: float = 0.0

    @property
    def tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens

    @property
    def spent_tokens(self) -> int:
        """Tokens an endpoint actually processed (cache hits excluded)."""
        return self.tokens - self.cached_tokens

    @property
    def requests(self) -> int:
        """Calls that reached the backend (cache hits excluded)."""
        return self.calls - self.cache_hits

    def add(self, other: Usage) -> None:
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))


Listener = Callable[[PromptTask, Completion], None]


class Meter:
    """Counts every call by task kind and by agent, prices it, and tells listeners.

    Args:
        inner: the model to meter (usually the response cache, so hits are counted).
        prices: model -> (USD per 1M input, per 1M output); merged over DEFAULT_PRICES.
        model_name: the name to price by; default: ``inner.name`` without its backend
            prefix (``"openai:gpt-4o-mini"`` -> ``"gpt-4o-mini"``).
    """

    def __init__(
        self,
        inner: Model,
        prices: Prices | None = None,
        model_name: str | None = None,
    ) -> None:
        self.inner = inner
        self.name = inner.name
        self.model_name = model_name or inner.name.split(":", 1)[-1]
        self.prices = {**DEFAULT_PRICES, **(prices or {})}
        self._price = price_of(self.model_name, self.prices)
        self.by_kind: dict[str, Usage] = {}
        self.by_agent: dict[str, Usage] = {}
        self._listeners: list[Listener] = []
        # seconds a call takes, a moving average (slow until seen): whether there is
        # model latency to hide (the out-of-order engine's "auto")
        self.wait = 1.0

    def on_call(self, callback: Listener) -> None:
        """Call ``callback(task, completion)`` after every call, cache hits included."""
        self._listeners.append(callback)

    def price(self, prompt_tokens: int, completion_tokens: int) -> float:
        """USD for this many tokens of the metered model (0 when it has no price)."""
        if self._price is None:
            return 0.0
        return (prompt_tokens * self._price[0] + completion_tokens * self._price[1]) / 1e6

    async def run(self, task: PromptTask) -> Completion:
        t0 = time.perf_counter()
        c = await self.inner.run(task)
        self.wait += 0.2 * (time.perf_counter() - t0 - self.wait)
        tokens = c.prompt_tokens + c.completion_tokens
        u = Usage(
            calls=1,
            prompt_tokens=c.prompt_tokens,
            completion_tokens=c.completion_tokens,
            cached_tokens=tokens if c.cached else 0,
            latency_s=c.latency_s,
            cache_hits=int(c.cached),
            retries=c.retries,
            repaired=int(c.outcome == "repaired"),
            fallbacks=int(c.fallback),
            unreachable=int(c.unreachable),
            errors=int(c.error is not None),
            cost_usd=0.0 if c.cached else self.price(c.prompt_tokens, c.completion_tokens),
        )
        self.by_kind.setdefault(task.kind, Usage()).add(u)
        self.by_agent.setdefault(task.agent or "-", Usage()).add(u)
        if c.fallback or c.outcome == "repaired":
            log.log(
                logging.WARNING if c.fallback else logging.INFO,
                "%s for %s (agent %s), check %s: %s; raw output: %.300r",
                c.outcome,
                task.kind,
                task.agent or "-",
                c.check,
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
