"""`smallville llm check`: can this endpoint be used, and how?"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field

from smallville.llm.config import LLMConfig
from smallville.llm.kinds import Importance, ImportanceIn, PersonaBrief
from smallville.llm.task import PromptTask


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


async def check(config: LLMConfig) -> CheckReport:
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


def run_check(config: LLMConfig) -> CheckReport:
    return asyncio.run(check(config))
