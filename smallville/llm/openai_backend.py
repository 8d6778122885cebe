"""Any OpenAI-compatible endpoint through the official ``openai`` client.

Structured output is asked as ``json_schema``; a server that rejects it (llama.cpp
answers 500 "Input should be 'text' or 'json_object'") is downgraded once per
backend to ``json_object`` with the schema attached, then to plain JSON described in
the prompt (``openai_request``); the working mode is kept for later calls. The first
request finds the mode while concurrent ones wait for it, so finding it costs one
rejection, not one a request slot. Every answer is validated with pydantic, the task's
choices and its sense check (``sense``); a failed check is re-asked once quoting what
was wrong, then the task's fallback is returned with ``outcome="fallback"``. Transient
failures are retried (``openai_transport``). ``run`` never raises for what a server or
model does. The API key is redacted from every message this module produces.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Sequence
from typing import Any, TypeVar

import numpy as np
from pydantic import BaseModel, ValidationError

from smallville.llm.jsonout import NoJSON, extract_json
from smallville.llm.openai_request import (
    MODES,
    ask_again,
    chat_request,
    check_name,
    explain,
    first_messages,
    token_cap,
)
from smallville.llm.openai_transport import (
    FormatRejected,
    Transport,
    TransportError,
    read_chat,
)
from smallville.llm.task import ChoiceError, Completion, PromptTask, SenseError

T = TypeVar("T", bound=BaseModel)

_EMBED_BATCH = 256  # OpenAI caps one request at 2048 inputs; smaller batches fail less


class OpenAIBackend:
    """The Model protocol over ``/v1/chat/completions`` and ``/v1/embeddings``.

    Token counts come from the server's ``usage``; a server that reports none gets an
    estimate of one token per four characters (no tokenizer is available offline).
    ``Completion.retries`` counts repeated HTTP attempts (not the re-ask of an invalid
    answer, which shows as a second request and in the tokens).

    Args:
        model: the chat model; the backend's name is ``openai:<model>``.
        base_url: the endpoint (``http://127.0.0.1:8080/v1``); None means OpenAI's.
        api_key: None or "" for local servers that want none.
        embed_model: the model for ``embed``; None means embeddings are not offered.
        timeout: seconds for one HTTP request.
        max_attempts: HTTP attempts for one answer (so ``max_attempts - 1`` retries);
            a chat request that times out gets ``TIMEOUT_ATTEMPTS`` at most.
        temperature, seed, max_tokens: sent with every chat request.
        backoff: (first, longest) wait in seconds between attempts, before jitter.
        max_retry_after: the longest Retry-After honoured, in seconds.
        http_client: an ``httpx`` async client for the openai client (tests, proxies).
    """

    def __init__(
        self,
        *,
        model: str,
        base_url: str | None = None,
        api_key: str | None = None,
        embed_model: str | None = None,
        timeout: float = 60.0,
        max_attempts: int = 5,
        temperature: float = 0.0,
        seed: int | None = None,
        max_tokens: int = 1024,
        backoff: tuple[float, float] = (0.5, 20.0),
        max_retry_after: float = 60.0,
        http_client: Any = None,
    ) -> None:
        if max_attempts < 1:
            raise ValueError(f"max_attempts must be at least 1, got {max_attempts}")
        self.name = f"openai:{model}"
        self.model = model
        self.embed_model = embed_model
        self.timeout = timeout
        self.temperature = temperature
        self.seed = seed
        self.max_tokens = max_tokens
        self.mode = MODES[0]
        # False until a request has found the structured-output mode; until then
        # requests go one at a time (see _answer)
        self._mode_known = False
        self._mode_lock: tuple[asyncio.AbstractEventLoop, asyncio.Lock] | None = None
        self.transport = Transport(
            base_url=base_url,
            api_key=api_key,
            timeout=timeout,
            max_attempts=max_attempts,
            backoff=backoff,
            max_retry_after=max_retry_after,
            http_client=http_client,
        )

    async def aclose(self) -> None:
        await self.transport.client.close()

    def __repr__(self) -> str:
        return f"OpenAIBackend(model={self.model!r}, mode={self.mode!r})"

    # --------------------------------------------------------------- chat
    async def run(self, task: PromptTask[T]) -> Completion[T]:
        started = time.perf_counter()
        messages = first_messages(task)
        prompt_tokens = completion_tokens = retries = 0
        raw, error, mode, failed = "", "no answer", self.mode, None
        redact = self.transport.redact

        def done(value: T, outcome: str, error: str | None, **extra: Any) -> Completion[T]:
            return Completion(
                value=value,
                raw=redact(raw),
                prompt_tokens=prompt_tokens,
                completion_tokens=completion_tokens,
                latency_s=time.perf_counter() - started,
                retries=retries,
                outcome=outcome,
                check=failed,
                error=None if error is None else redact(error),
                mode=mode,
                **extra,
            )

        for ask in range(2):  # the first answer, and one repair request quoting the problem
            try:
                raw, used, tries, mode, finish = await self._answer(task, messages)
            except TransportError as e:
                retries += e.retries
                why = str(e) if failed is None else f"{error}; then {e}"
                failed = failed or "transport"
                return done(task.fallback, "fallback", why, unreachable=True)
            retries += tries
            prompt_tokens += used[0]
            completion_tokens += used[1]
            try:
                value = task.verify(extract_json(raw))
            except (NoJSON, ValidationError, ChoiceError, SenseError) as e:
                failed = failed or check_name(e)
                cut = min(self.max_tokens, token_cap(task)) if finish == "length" else None
                error = explain(e, cut)
                messages = ask_again(messages, raw, error)
                continue
            return done(value, "repaired" if ask else "valid", error if ask else None)
        return done(task.fallback, "fallback", error)

    async def _answer(
        self, task: PromptTask, messages: list[dict[str, str]]
    ) -> tuple[str, tuple[int, int], int, str, str | None]:
        """Text, (prompt, completion) tokens, retries, mode used and finish reason.

        Until one request has settled the structured-output mode, requests go one at a
        time: sixteen first requests to llama.cpp would otherwise all be rejected in
        json_schema. A request that fails for another reason (the endpoint is down)
        settles nothing but lets the others go, so they fail together, not in turn.
        """
        if not self._mode_known:
            async with self._discovery_lock():
                if not self._mode_known:
                    try:
                        return await self._answer_in_mode(task, messages)
                    finally:
                        self._mode_known = True
        return await self._answer_in_mode(task, messages)

    def _discovery_lock(self) -> asyncio.Lock:
        # one backend may serve several asyncio.run() calls; a lock belongs to one loop
        loop = asyncio.get_running_loop()
        if self._mode_lock is None or self._mode_lock[0] is not loop:
            self._mode_lock = (loop, asyncio.Lock())
        return self._mode_lock[1]

    async def _answer_in_mode(
        self, task: PromptTask, messages: list[dict[str, str]]
    ) -> tuple[str, tuple[int, int], int, str, str | None]:
        retries = 0
        while True:
            mode = self.mode
            kwargs = chat_request(
                task,
                messages,
                mode,
                model=self.model,
                temperature=self.temperature,
                seed=self.seed,
                max_tokens=self.max_tokens,
            )
            try:
                resp, tries = await self.transport.chat(kwargs)
            except FormatRejected as e:
                retries += e.retries
                self._downgrade(mode)
                continue
            except TransportError as e:
                raise TransportError(str(e), retries + e.retries) from None
            text, finish, usage = read_chat(resp)
            prompt = usage[0] if usage[0] is not None else _estimate_messages(kwargs["messages"])
            completion = usage[1] if usage[1] is not None else _estimate(text)
            return text, (prompt, completion), retries + tries, mode, finish

    def _downgrade(self, rejected: str) -> None:
        # concurrent requests may all be rejected in the same mode: step down only once
        if self.mode == rejected and rejected != MODES[-1]:
            self.mode = MODES[MODES.index(rejected) + 1]

    # --------------------------------------------------------------- embeddings
    async def embed(self, texts: Sequence[str]) -> np.ndarray:
        """float32 rows, L2-normalised; raises TransportError when the endpoint fails."""
        if not self.embed_model:
            raise ValueError(
                f"no embedding model configured for {self.name}: set SMALLVILLE_EMBED_MODEL "
                "(e.g. text-embedding-3-small) or use the local embedder"
            )
        texts = list(texts)
        if not texts:
            return np.zeros((0, 0), np.float32)
        rows: list[list[float]] = []
        for i in range(0, len(texts), _EMBED_BATCH):
            batch = texts[i : i + _EMBED_BATCH]
            resp = await self.transport.embeddings(self.embed_model, batch)
            data = sorted(getattr(resp, "data", None) or [], key=lambda d: d.index or 0)
            if len(data) != len(batch):
                raise TransportError(
                    f"embeddings: sent {len(batch)} texts, got {len(data)} vectors back"
                )
            rows.extend(d.embedding for d in data)
        x = np.asarray(rows, np.float32)
        norms = np.linalg.norm(x, axis=1, keepdims=True)
        norms[norms == 0] = 1.0
        return x / norms


def _estimate(text: str) -> int:
    """About four characters a token: used only when the server reports no usage."""
    return max(1, math.ceil(len(text) / 4))


def _estimate_messages(messages: list[dict[str, str]]) -> int:
    return _estimate(" ".join(str(m.get("content", "")) for m in messages))
