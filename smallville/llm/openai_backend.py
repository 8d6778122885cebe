"""Any OpenAI-compatible endpoint through the official ``openai`` client.

Structured output is asked as ``json_schema``; a server that rejects it (llama.cpp
answers 500 "Input should be 'text' or 'json_object'") is downgraded once per
session to ``json_object`` with the schema attached, then to plain JSON described in
the prompt. Every answer is validated with pydantic and the task's choices; a
violation is re-asked once with the error, then the task's fallback is used and
counted. Transient failures (429 honouring Retry-After, timeouts, dropped
connections, 5xx) are retried by tenacity with jittered exponential backoff; the
client's own retries are off. Nothing here raises for what a server or model does.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from typing import Any

import numpy as np
import openai
from pydantic import ValidationError
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception,
    stop_after_attempt,
    wait_exponential_jitter,
)

from smallville.llm.jsonout import NoJSON, extract_json
from smallville.llm.task import ChoiceError, Completion, PromptTask
from smallville.llm.templates import render, schema_instructions

SYSTEM = (
    "You help simulate the residents of a small town. Answer every request with a "
    "single JSON object that fits the requested schema, and nothing else."
)
MODES = ("json_schema", "json_object", "plain")
_REJECT_HINTS = ("response_format", "json_schema", "json_object", "'text'", "schema")


class TransportError(RuntimeError):
    """The endpoint could not answer after every retry."""

    def __init__(self, message: str, retries: int = 0) -> None:
        super().__init__(message)
        self.retries = retries


class OpenAIBackend:
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
        self.name = f"openai:{model}"
        self.model = model
        self.embed_model = embed_model
        self.temperature = temperature
        self.seed = seed
        self.max_tokens = max_tokens
        self.max_attempts = max_attempts
        self.backoff = backoff
        self.max_retry_after = max_retry_after
        self.mode = MODES[0]
        self._secret = api_key or ""
        self.client = openai.AsyncOpenAI(
            base_url=base_url,
            api_key=api_key or "not-needed",
            timeout=timeout,
            max_retries=0,
            http_client=http_client,
        )

    async def aclose(self) -> None:
        await self.client.close()

    def __repr__(self) -> str:
        return f"OpenAIBackend(model={self.model!r}, mode={self.mode!r})"

    # --------------------------------------------------------------- chat
    async def run(self, task: PromptTask) -> Completion:
        started = time.perf_counter()
        messages = [
            {"role": "system", "content": SYSTEM},
            {"role": "user", "content": render(task)},
        ]
        usage = [0, 0]
        retries = 0
        raw = ""
        error = ""
        for _ask in range(2):  # the first answer, and one re-ask on a schema violation
            try:
                raw, used, tries = await self._chat(task, messages)
            except TransportError as e:
                error = self._redact(str(e))
                retries += e.retries
                break
            retries += tries
            usage[0] += used[0]
            usage[1] += used[1]
            try:
                value = task.output.model_validate(extract_json(raw))
                task.check_choices(value)
            except (NoJSON, ValidationError, ChoiceError) as e:
                error = _explain(e)
                messages = [
                    *messages,
                    {"role": "assistant", "content": raw},
                    {
                        "role": "user",
                        "content": f"That answer is not valid: {error}\n"
                        "Answer again with one JSON object that fits the schema exactly.",
                    },
                ]
                continue
            return Completion(
                value=value,
                raw=raw,
                prompt_tokens=usage[0],
                completion_tokens=usage[1],
                latency_s=time.perf_counter() - started,
                retries=retries,
                mode=self.mode,
            )
        return Completion(
            value=task.fallback,
            raw=self._redact(raw),
            prompt_tokens=usage[0],
            completion_tokens=usage[1],
            latency_s=time.perf_counter() - started,
            retries=retries,
            fallback=True,
            error=self._redact(error or "no answer"),
            mode=self.mode,
        )

    async def _chat(
        self, task: PromptTask, messages: list[dict]
    ) -> tuple[str, tuple[int, int], int]:
        """One answer's text, its (prompt, completion) tokens, and the retries it took."""
        while True:
            kwargs = self._format(task, messages)
            try:
                text, used, tries = await self._with_retries(kwargs)
                return text, used, tries
            except openai.APIStatusError as e:
                if self._rejects_format(e) and self.mode != MODES[-1]:
                    self.mode = MODES[MODES.index(self.mode) + 1]
                    continue
                raise TransportError(
                    f"{e.status_code}: {_message(e)}", getattr(e, "retries", 0)
                ) from None

    def _format(self, task: PromptTask, messages: list[dict]) -> dict:
        kwargs: dict[str, Any] = {
            "model": self.model,
            "messages": messages,
            "temperature": self.temperature,
            "max_tokens": self.max_tokens,
        }
        if self.seed is not None:
            kwargs["seed"] = self.seed
        schema = task.json_schema()
        if self.mode == "json_schema":
            kwargs["response_format"] = {
                "type": "json_schema",
                "json_schema": {"name": task.kind, "schema": schema, "strict": False},
            }
        elif self.mode == "json_object":
            kwargs["response_format"] = {"type": "json_object", "schema": schema}
        else:
            first = messages[1]
            kwargs["messages"] = [
                messages[0],
                {"role": "user", "content": f"{first['content']}\n\n{schema_instructions(task)}"},
                *messages[2:],
            ]
        return kwargs

    async def _with_retries(self, kwargs: dict) -> tuple[str, tuple[int, int], int]:
        attempts = 0
        retrying = AsyncRetrying(
            stop=stop_after_attempt(self.max_attempts),
            wait=self._wait,
            retry=retry_if_exception(self._transient),
            reraise=True,
        )
        try:
            async for attempt in retrying:
                with attempt:
                    attempts += 1
                    resp = await self.client.chat.completions.create(**kwargs)
        except openai.APIStatusError as e:
            if self._transient(e):
                raise TransportError(
                    f"{e.status_code} after {attempts} attempts: {_message(e)}", attempts - 1
                ) from None
            e.retries = attempts - 1
            raise
        except (openai.APITimeoutError, openai.APIConnectionError) as e:
            raise TransportError(
                f"{type(e).__name__} after {attempts} attempts", attempts - 1
            ) from None
        text = (resp.choices[0].message.content or "") if resp.choices else ""
        prompt = getattr(resp.usage, "prompt_tokens", None) if resp.usage else None
        completion = getattr(resp.usage, "completion_tokens", None) if resp.usage else None
        if prompt is None:
            prompt = _estimate(" ".join(str(m.get("content", "")) for m in kwargs["messages"]))
        if completion is None:
            completion = _estimate(text)
        return text, (int(prompt), int(completion)), attempts - 1

    def _transient(self, e: BaseException) -> bool:
        if isinstance(e, (openai.APITimeoutError, openai.APIConnectionError)):
            return True
        if isinstance(e, openai.APIStatusError):
            if self._rejects_format(e):
                return False
            return e.status_code == 429 or e.status_code >= 500
        return False

    def _rejects_format(self, e: openai.APIStatusError) -> bool:
        if e.status_code not in (400, 415, 422, 500, 501):
            return False
        msg = _message(e).lower()
        return any(h in msg for h in _REJECT_HINTS)

    def _wait(self, state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, openai.APIStatusError) and exc.status_code == 429:
            after = _retry_after(exc)
            if after is not None:
                return min(after, self.max_retry_after)
        initial, most = self.backoff
        return wait_exponential_jitter(multiplier=initial, max=most)(state)

    def _redact(self, text: str) -> str:
        return text.replace(self._secret, "***") if self._secret else text

    # --------------------------------------------------------------- embeddings
    async def embed(self, texts: Sequence[str]) -> np.ndarray:
        if not self.embed_model:
            raise ValueError(
                "no embedding model configured for the endpoint: set SMALLVILLE_EMBED_MODEL "
                "or use the local embedder"
            )
        if not texts:
            return np.zeros((0, 0), np.float32)
        try:
            resp = await self.client.embeddings.create(model=self.embed_model, input=list(texts))
        except openai.OpenAIError as e:
            raise TransportError(
                self._redact(f"embeddings failed: {type(e).__name__}: {e}")
            ) from None
        x = np.asarray([d.embedding for d in resp.data], np.float32)
        norms = np.linalg.norm(x, axis=1, keepdims=True)
        norms[norms == 0] = 1.0
        return x / norms


def _message(e: openai.APIStatusError) -> str:
    body = e.body
    if isinstance(body, dict):
        err = body.get("error", body)
        if isinstance(err, dict):
            return str(err.get("message", err))
        return str(err)
    return str(getattr(e, "message", e))


def _retry_after(e: openai.APIStatusError) -> float | None:
    headers = e.response.headers if e.response is not None else {}
    ms = headers.get("retry-after-ms")
    if ms:
        try:
            return float(ms) / 1000
        except ValueError:
            pass
    sec = headers.get("retry-after")
    if sec:
        try:
            return float(sec)
        except ValueError:
            return None
    return None


def _explain(e: Exception) -> str:
    if isinstance(e, ValidationError):
        parts = []
        for err in e.errors()[:5]:
            where = ".".join(str(p) for p in err["loc"]) or "<root>"
            parts.append(f"{where}: {err['msg']}")
        return "; ".join(parts)
    return str(e)


def _estimate(text: str) -> int:
    """About four characters a token (no tokenizer offline)."""
    return max(1, math.ceil(len(text) / 4))
