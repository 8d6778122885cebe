"""The adaptive in-flight limit, and the fake server's slots it is tested against."""

from __future__ import annotations

import asyncio

import pytest
from fake_openai import FakeOpenAI, minimal_answer
from llm_samples import sample

from smallville.llm.limit import Limit
from smallville.llm.openai_backend import OpenAIBackend
from smallville.llm.task import Completion

LATENCY = 0.1  # long enough that client overhead on a loaded machine reads as noise


class SlotServer:
    """An in-process model that, like llama.cpp, serves ``slots`` requests at a time."""

    name = "slots"

    def __init__(self, slots: int | None, latency: float = 0.01) -> None:
        self.slots, self.latency = slots, latency
        self.in_flight = self.peak = self.calls = 0
        self._gate: asyncio.Semaphore | None = None

    async def _serve(self) -> None:
        self.calls += 1
        self.in_flight += 1
        self.peak = max(self.peak, self.in_flight)
        try:
            if self.slots is None:
                await asyncio.sleep(self.latency)
            else:
                if self._gate is None:
                    self._gate = asyncio.Semaphore(self.slots)
                async with self._gate:
                    await asyncio.sleep(self.latency)
        finally:
            self.in_flight -= 1

    async def run(self, task):
        await self._serve()
        return Completion(value=task.fallback)

    async def embed(self, texts):
        await self._serve()
        return [[1.0]] * len(texts)


def hammer(fake: FakeOpenAI, n: int) -> tuple[list[int], Limit]:
    """``n`` concurrent importance tasks through Limit(OpenAIBackend); the window after each."""

    async def go():
        backend = OpenAIBackend(
            model="m", base_url=fake.base_url, timeout=5.0, max_attempts=2, backoff=(0.01, 0.05)
        )
        limit = Limit(backend, concurrency=16)
        windows = []

        async def one():
            c = await limit.run(sample("importance"))
            assert c.outcome == "valid", c.error
            windows.append(limit.window)

        try:
            await asyncio.gather(*(one() for _ in range(n)))
        finally:
            await backend.aclose()
        return windows, limit

    return asyncio.run(go())


def test_fake_server_slots_make_requests_queue():
    """slots=2 serves two at a time and records each request's wait; no slots, no waits."""
    with FakeOpenAI(minimal_answer, slots=2, latency=LATENCY) as fake:
        asyncio.run(_flood(fake, 6))
        waits = sorted(r["queued"] for r in fake.requests)
    assert fake.peak == 2
    assert waits[:2] == [0.0, 0.0] and waits[-1] > LATENCY
    with FakeOpenAI(minimal_answer, latency=LATENCY) as fake:
        asyncio.run(_flood(fake, 6))
    assert fake.peak > 2 and all(r["queued"] == 0.0 for r in fake.requests)
    with pytest.raises(ValueError, match="slots must be at least 1"):
        FakeOpenAI(slots=0)


async def _flood(fake: FakeOpenAI, n: int) -> None:
    backend = OpenAIBackend(model="m", base_url=fake.base_url, timeout=5.0, max_attempts=1)
    try:
        await asyncio.gather(*(backend.run(sample("importance")) for _ in range(n)))
    finally:
        await backend.aclose()


def test_window_stays_at_one_or_two_on_a_one_slot_server():
    """Against one slot, 40 concurrent tasks never wait in the server's queue for long."""
    with FakeOpenAI(minimal_answer, slots=1, latency=LATENCY) as fake:
        windows, limit = hammer(fake, 40)
    assert max(windows) <= 2 and limit.window in (1, 2)
    assert max(r["queued"] for r in fake.requests) <= 3 * LATENCY
    assert limit.concurrency == 16  # the ceiling is kept


def test_window_grows_on_a_server_with_eight_slots():
    """Against eight slots the window grows past six (and the server is kept busy)."""
    with FakeOpenAI(minimal_answer, slots=8, latency=LATENCY) as fake:
        windows, limit = hammer(fake, 120)
    assert max(windows) >= 8 and limit.window >= 6
    assert fake.peak == 8


def test_window_never_exceeds_the_configured_concurrency():
    """An unlimited server: the window reaches the ceiling, in flight never exceeds it."""
    server = SlotServer(slots=None)
    limit = Limit(server, concurrency=5)

    async def go():
        await asyncio.gather(*(limit.run(sample("react")) for _ in range(200)))

    asyncio.run(go())
    assert limit.window == 5 and server.peak == 5
    asyncio.run(go())  # another event loop: slots are per loop, the window is kept
    assert limit.window == 5 and server.peak == 5 and server.calls == 400


def test_chat_and_embeddings_share_one_window():
    """Embeddings count against the same window as chat requests."""
    server = SlotServer(slots=1)
    limit = Limit(server, concurrency=16)

    async def go():
        chats = (limit.run(sample("react")) for _ in range(30))
        embeds = (limit.embed(["a quiet morning"]) for _ in range(30))
        await asyncio.gather(*chats, *embeds)

    asyncio.run(go())
    assert server.peak <= 2 and limit.window <= 2


def test_window_does_not_grow_when_it_is_never_full():
    """Requests one after another prove nothing about parallelism: no growth past 2."""
    server = SlotServer(slots=None, latency=0.002)
    limit = Limit(server, concurrency=16)

    async def go():
        for _ in range(100):
            await limit.run(sample("react"))

    asyncio.run(go())
    assert limit.window <= 2


def test_cancelled_waiters_give_their_turn_back():
    """Tasks cancelled while waiting for a slot, or just after being handed one, leak none."""
    server = SlotServer(slots=None, latency=0.01)
    limit = Limit(server, concurrency=2)

    async def go():
        tasks = [asyncio.ensure_future(limit.run(sample("react"))) for _ in range(10)]
        await asyncio.sleep(0)
        for t in tasks[1::2]:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        assert server.calls == 5 and limit._slots().busy == 0 and not limit._slots().waiting

        await limit._acquire()  # hold the only slot (the window is 1)
        handed = asyncio.ensure_future(limit.run(sample("react")))
        await asyncio.sleep(0)
        limit._release()  # the slot goes to the waiting task...
        handed.cancel()  # ...which is cancelled before it could use it
        await asyncio.gather(handed, return_exceptions=True)
        assert limit._slots().busy == 0
        await asyncio.wait_for(limit.run(sample("react")), timeout=1.0)

    asyncio.run(go())
    assert limit.window == 1 and server.calls == 6


def test_a_dead_endpoint_is_found_out_together_not_one_request_at_a_time():
    """A narrow window must not serialise failures: 12 requests to a server that hangs
    cost about one timeout each way, not twelve."""
    from fake_openai import Fault

    async def go(url):
        backend = OpenAIBackend(model="m", base_url=url, timeout=0.3, max_attempts=1)
        limit = Limit(backend, concurrency=16)
        assert limit.window == 1
        t0 = asyncio.get_running_loop().time()
        cs = await asyncio.gather(*(limit.run(sample("importance")) for _ in range(12)))
        took = asyncio.get_running_loop().time() - t0
        await backend.aclose()
        return cs, took, limit.window

    with FakeOpenAI() as srv:
        srv.inject(*[Fault(hang=3.0)] * 40)
        cs, took, window = asyncio.run(go(srv.base_url))
    assert all(c.unreachable for c in cs) and window == 16
    assert took < 2.5, took  # one request at a time: 12 x 2 attempts x 0.3 s = 7.2 s
