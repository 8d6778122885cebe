"""Limits on what a run may spend, checked at tick boundaries."""

from __future__ import annotations

from dataclasses import dataclass

from smallville.llm.meter import Usage


@dataclass(frozen=True, kw_only=True)
class Budget:
    """Limits on a run: model requests, tokens and dollars. ``None`` means no limit.

    A budget is a value, not a wrapper: it never refuses a call mid-tick (that would
    make a tick's outcome depend on how its calls interleave). The runner asks
    ``exceeded(usage)`` at each tick boundary and stops cleanly, so a run overshoots by
    at most one tick's calls. It takes the usage as an argument because a resumed run
    adds the usage of earlier sessions (from its log) to this session's meter.

    Only work an endpoint really did counts: cache hits are free.
    """

    max_calls: int | None = None
    max_tokens: int | None = None
    max_cost: float | None = None

    def __post_init__(self) -> None:
        for name in ("max_calls", "max_tokens", "max_cost"):
            value = getattr(self, name)
            if value is not None and value < 0:
                flag = "--" + name.replace("_", "-")
                raise ValueError(f"{flag} must be 0 or more, got {value}")

    def exceeded(self, used: Usage) -> str | None:
        """The first limit ``used`` has reached, as a sentence for the user, else None."""
        if self.max_calls is not None and used.requests >= self.max_calls:
            return f"budget reached: {used.requests} model calls >= --max-calls {self.max_calls}"
        if self.max_tokens is not None and used.spent_tokens >= self.max_tokens:
            return f"budget reached: {used.spent_tokens} tokens >= --max-tokens {self.max_tokens}"
        if self.max_cost is not None and used.cost_usd >= self.max_cost:
            return f"budget reached: ${used.cost_usd:.4f} >= --max-cost {self.max_cost}"
        return None
