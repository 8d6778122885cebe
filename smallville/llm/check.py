"""`smallville llm check`: can this endpoint be used, and how?"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from smallville.llm.config import LLMConfig
from smallville.llm.schemas import Importance, ImportanceIn, PersonaBrief
from smallville.llm.task import PromptTask

if TYPE_CHECKING:  # the openai client is imported only when an endpoint is checked
    from smallville.llm.openai_backend import OpenAIBackend

RISING = 1.3  # doubling a burst must raise throughput this much, or the server is full


@dataclass
class CheckReport:
    ok: bool
    lines: list[str] = field(default_factory=list)


def probe_task() -> PromptTask:
    persona = PersonaBrief(name="Test Resident", age=30)
    return PromptTask(
        kind="importance",
        inputs=ImportanceIn(persona=persona, texts=("finding out a close friend is moving away",)),
        output=Importance,
        fallback=Importance(scores=[5]),
        sizes={"scores": 1},
    )


async def check(config: LLMConfig, max_burst: int = 16) -> CheckReport:
    """Probe the endpoint; ``max_burst`` bounds the parallelism measurement (< 2 skips it)."""
    if config.backend == "scripted":
        return CheckReport(ok=True, lines=[config.notice])
    from smallville.llm.openai_backend import OpenAIBackend

    backend = OpenAIBackend(
        model=config.model,
        base_url=config.base_url,
        api_key=config.api_key.get_secret_value() if config.api_key else None,
        embed_model=config.embed_model,
        timeout=min(config.timeout, 30.0),
        max_attempts=2,
    )
    report = CheckReport(ok=True, lines=[config.notice])
    try:
        t0 = time.perf_counter()
        c = await backend.run(probe_task())
        took = time.perf_counter() - t0
        if c.fallback:
            report.ok = False
            report.lines.append(f"structured request: FAILED after {took:.2f} s: {c.error}")
        else:
            report.lines.append(
                f"structured request: ok in {took:.2f} s using {c.mode} "
                f"(answer {c.value.model_dump_json()}, {c.prompt_tokens}+{c.completion_tokens} "
                "tokens)"
            )
            if max_burst >= 2:
                report.lines.append(await parallelism(backend, max_burst))
        if config.embed_model:
            t0 = time.perf_counter()
            try:
                vec = await backend.embed(["a quiet morning at the cafe"])
                report.lines.append(
                    f"embeddings: ok in {time.perf_counter() - t0:.2f} s ({vec.shape[1]} dims, "
                    f"{config.embed_model})"
                )
            except Exception as e:  # noqa: BLE001 - reported, not raised
                report.ok = False
                report.lines.append(f"embeddings: FAILED: {e}")
        else:
            report.lines.append("embeddings: local model (no SMALLVILLE_EMBED_MODEL set)")
    finally:
        await backend.aclose()
    return report


async def parallelism(backend: OpenAIBackend, max_burst: int = 16) -> str:
    """How many requests the server runs at once, and the ``--concurrency`` to use.

    Servers such as llama.cpp's and Ollama's answer one request at a time by default
    and queue the rest (issue #11). Bursts of 1, 2, 4... identical small requests are
    sent at once and timed: while the server runs them side by side a burst takes about
    as long as one request; once it queues them the time grows with the burst (a burst
    of n taking k times one request ran in k rounds of n / k; rounding k keeps client
    and connection overhead from reading as queueing). The ramp stops as soon as
    doubling the burst no longer raises throughput, when a request fails or is
    retried, or before a burst could outlast the per-request timeout.
    """
    single = await _burst(backend, 1)
    if isinstance(single, str):
        return f"parallel requests: not measured: {single}"
    parallel, n, took, note = 1.0, 1, single, ""
    while n * 2 <= max_burst:
        result = await _burst(backend, n * 2)
        if isinstance(result, str):
            note = f"; a burst of {n * 2} went wrong: {result}"
            break
        n, took = n * 2, result
        ran = n / max(1, round(took / single))  # k times one request: k rounds of n / k
        rising = ran >= parallel * RISING
        parallel = max(parallel, ran)
        if not rising:
            break
        if 2 * took > backend.timeout:
            note = f"; stopped before a burst could outlast the {backend.timeout:g} s timeout"
            break
    else:
        return (
            f"parallel requests: the server runs at least {n} at a time (burst of {n} took "
            f"{took / single:.1f}x one request); use --concurrency {n} or more"
        )
    runs = max(1, round(parallel))
    return (
        f"parallel requests: the server runs about {runs} at a time (burst of {n} took "
        f"{took / single:.1f}x one request{note}); use --concurrency {runs} (adaptive "
        "concurrency will find it anyway)"
    )


async def _burst(backend: OpenAIBackend, n: int) -> float | str:
    """Seconds ``n`` identical requests sent at once took, or what went wrong."""
    t0 = time.perf_counter()
    done = await asyncio.gather(*(backend.run(probe_task()) for _ in range(n)))
    took = time.perf_counter() - t0
    for c in done:
        if c.fallback:
            return c.error or "no valid answer"
        if c.retries:
            return "a request had to be retried (a timeout, 429 or 5xx)"
    return took


def run_check(config: LLMConfig, max_burst: int = 16) -> CheckReport:
    return asyncio.run(check(config, max_burst))
