"""One global limit on model requests in flight, adapted to what the server can take.

Why adaptive (issue #11): llama.cpp's server and Ollama answer one request at a time
by default and queue the rest, so 16 requests sent at once made the last one wait
fifteen answers long, close to the client's timeout. More requests in flight only
help while the server runs them side by side; once it queues them, each extra one
adds a full answer to everyone's latency. So the window starts at one request, grows
while latency stays where it was with fewer in flight, and shrinks back when latency
grows with the number in flight.

The window changes only timing, never what is asked or answered: results stay
deterministic. Cache hits are answered above this wrapper and never wait here.
"""

from __future__ import annotations

import asyncio
import math
import statistics
import time
from collections import deque
from collections.abc import Sequence

import numpy as np

from smallville.llm.port import Model
from smallville.llm.task import Completion, PromptTask

START = 1  # the first round measures latency with nothing queued
ROUND = 12  # requests judged together (a window's worth when that is more)
QUEUEING = 1.5  # this much slower than at half the window: requests are queueing


class _Slots:
    """Requests in flight and callers waiting, for one event loop."""

    def __init__(self) -> None:
        self.busy = 0
        self.waiting: deque[asyncio.Future[None]] = deque()


class Limit:
    """Lets at most ``window`` requests (chat and embeddings together) run at once.

    ``concurrency`` is the ceiling; the window starts at 1. Each request's latency is
    taken relative to the lowest seen for its kind (a daily plan takes longer than an
    importance score). Every ``ROUND`` requests (a window's worth when that is more)
    the round's typical latency is compared with that of the latest rounds at half the
    window or less, which a server with that many slots ran without queueing:

    * ``QUEUEING`` times slower or more: the server queues, and latency grows with the
      number in flight, so the window shrinks to about what it runs side by side
      (``window / slowdown``), by one at least;
    * otherwise it grows, if it was ever full during the round (an idle window proves
      nothing): doubling until the first sign of queueing, by one after that.

    Only requests started at the current window count, and not answers that needed a
    re-ask (two requests). Timeouts and retries (429, 5xx) count with their whole
    latency: that is what overload looks like. Comparing rounds, not single requests,
    and against several earlier rounds, keeps the skewed latencies of language models
    (one long answer) from reading as a queue.
    """

    def __init__(self, inner: Model, concurrency: int = 16) -> None:
        if concurrency < 1:
            raise ValueError(f"concurrency must be at least 1, got {concurrency}")
        self.inner = inner
        self.name = inner.name
        self.concurrency = concurrency
        self.window = min(START, concurrency)
        self._lowest: dict[str, float] = {}  # per kind of request
        self._round: list[tuple[str, float]] = []
        self._rounds: dict[int, list[tuple[str, float]]] = {}  # the latest at each window
        self._generation = 0  # bumped whenever the window changes
        self._full = False
        self._doubling = True  # until the first sign of queueing
        self._bound: tuple[asyncio.AbstractEventLoop, _Slots] | None = None

    async def run(self, task: PromptTask) -> Completion:
        generation = await self._acquire()
        t0 = time.perf_counter()
        try:
            c = await self.inner.run(task)
        finally:
            self._release()
        if c.unreachable:
            # the endpoint is down, not queueing: let the waiting requests find out
            # together, so the breaker opens after one timeout, not one per request
            self._resize(self.concurrency)
        elif c.check is None:
            clean = c.outcome == "valid" and not c.retries
            self._observe(task.kind, time.perf_counter() - t0, clean, generation)
        return c

    async def embed(self, texts: Sequence[str]) -> np.ndarray:
        generation = await self._acquire()
        t0 = time.perf_counter()
        try:
            vectors = await self.inner.embed(texts)
        finally:
            self._release()
        # batches of 1 and of 256 texts take different times: a kind per power of two
        kind = f"embed/{len(texts).bit_length()}"
        self._observe(kind, time.perf_counter() - t0, True, generation)
        return vectors

    # ----------------------------------------------------------------- slots
    def _slots(self) -> _Slots:
        # futures belong to one event loop; one LLM may serve several asyncio.run()
        # calls (tests, CLI steps), so each loop gets its own (the window is shared)
        loop = asyncio.get_running_loop()
        if self._bound is None or self._bound[0] is not loop:
            self._bound = (loop, _Slots())
        return self._bound[1]

    async def _acquire(self) -> int:
        """Wait for a free slot; the window generation the request starts in."""
        slots = self._slots()
        if slots.busy < self.window and not slots.waiting:
            slots.busy += 1
        else:
            turn = asyncio.get_running_loop().create_future()
            slots.waiting.append(turn)
            try:
                await turn  # _wake counts us in before it lets us go
            except asyncio.CancelledError:
                if turn.done() and not turn.cancelled():  # a slot was handed over: pass it on
                    self._release()
                else:
                    slots.waiting.remove(turn)
                raise
        if slots.busy >= self.window:
            self._full = True
        return self._generation

    def _release(self) -> None:
        slots = self._slots()
        slots.busy -= 1
        self._wake(slots)

    def _wake(self, slots: _Slots) -> None:
        while slots.waiting and slots.busy < self.window:
            turn = slots.waiting.popleft()
            if not turn.done():
                slots.busy += 1
                turn.set_result(None)

    # ----------------------------------------------------------------- window
    def _observe(self, kind: str, latency: float, clean: bool, generation: int) -> None:
        lowest = self._lowest.get(kind)
        if clean and (lowest is None or latency < lowest):
            self._lowest[kind] = latency
        if generation != self._generation or kind not in self._lowest:
            return
        self._round.append((kind, latency))
        if len(self._round) < max(self.window, ROUND):
            return
        window, full, samples = self.window, self._full, self._round
        self._round, self._full = [], False
        self._rounds[window] = samples
        below = [s for w, r in self._rounds.items() if w <= window // 2 for s in r]
        slowdown = self._typical(samples) / self._typical(below) if below else 1.0
        if slowdown >= QUEUEING:
            self._doubling = False
            self._resize(min(window - 1, int(window / slowdown)))
        elif full:
            self._resize(window * 2 if self._doubling else window + 1)

    def _typical(self, samples: list[tuple[str, float]]) -> float:
        """Geometric mean of latency over the lowest seen for the same kind.

        Recomputed each time, as the lowest only fall; the geometric mean because LLM
        latencies are skewed (one long answer should not look like a queue).
        """
        return math.exp(statistics.fmean(math.log(t / self._lowest[k]) for k, t in samples))

    def _resize(self, window: int) -> None:
        window = max(1, min(window, self.concurrency))
        if window != self.window:
            self.window = window
            self._generation += 1
            if self._bound is not None:
                self._wake(self._bound[1])
