"""Any OpenAI-compatible endpoint through the official ``openai`` client.

Structured output is asked as ``json_schema``; a server that rejects it (llama.cpp
answers 500 "Input should be 'text' or 'json_object'") is downgraded once per
backend to ``json_object`` with the schema attached, then to plain JSON described in
the prompt; the working mode is kept for later calls. The first request finds the
mode while concurrent ones wait for it, so finding it costs one rejection, not one a
request slot. Every answer is validated with pydantic, the task's choices and its
sense check (``sense``); a failed check is re-asked once quoting what was wrong, then
the task's fallback is returned with ``outcome="fallback"``. Transient failures (429
honouring Retry-After, timeouts, dropped connections, 5xx, unreadable bodies) are
retried by tenacity with jittered exponential backoff, a timed-out chat request at
most once more; the client's own retries are off. ``run`` never raises for what a
server or model does. The API key is redacted from every message this module produces.
"""

from __future__ import annotations

import asyncio
import email.utils
import functools
import json
import math
import time
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime
from typing import Any, TypeVar

import numpy as np
import openai
from pydantic import BaseModel, ValidationError
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception,
    stop_after_attempt,
    wait_exponential_jitter,
)

from smallville.llm.jsonout import NoJSON, extract_json
from smallville.llm.task import ChoiceError, Completion, PromptTask, SenseError
from smallville.llm.templates import render, schema_instructions

T = TypeVar("T", bound=BaseModel)
R = TypeVar("R")

SYSTEM = (
    "You help simulate the residents of a small town. Answer every request with a "
    "single JSON object that fits the requested schema, and nothing else."
)
MODES = ("json_schema", "json_object", "plain")
_REJECT_STATUS = (400, 415, 422, 500, 501)
_REJECT_HINTS = ("response_format", "json_schema", "json_object", "'text'")
_EMBED_BATCH = 256  # OpenAI caps one request at 2048 inputs; smaller batches fail less
# a chat request that timed out is sent once more at most: a server that hangs would
# otherwise hold a request for max_attempts x timeout
TIMEOUT_ATTEMPTS = 2


class TransportError(RuntimeError):
    """The endpoint could not answer after every retry (or answered a non-retryable error)."""

    def __init__(self, message: str, retries: int = 0) -> None:
        super().__init__(message)
        self.retries = retries


class _Rejected(Exception):
    """The server does not support the response_format it was sent."""

    def __init__(self, retries: int) -> None:
        super().__init__("response_format rejected")
        self.retries = retries


class _Malformed(Exception):
    """A 200 answer that is not a chat completion (a proxy's HTML page, a truncated body)."""


class _TimedOutAgain(openai.OpenAIError):
    """A chat request timed out ``TIMEOUT_ATTEMPTS`` times: not retryable any more."""


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
        self.max_attempts = max_attempts
        self.max_retry_after = max_retry_after
        self.mode = MODES[0]
        # False until a request has found the structured-output mode; until then
        # requests go one at a time (see _answer)
        self._mode_known = False
        self._mode_lock: tuple[asyncio.AbstractEventLoop, asyncio.Lock] | None = None
        self._backoff = wait_exponential_jitter(
            multiplier=backoff[0], max=backoff[1], jitter=backoff[0]
        )
        # a key shorter than this is a placeholder ("x"); redacting it would garble text
        self._secret = api_key if api_key and len(api_key) >= 8 else ""
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
    async def run(self, task: PromptTask[T]) -> Completion[T]:
        started = time.perf_counter()
        messages: list[dict[str, str]] = [
            {"role": "system", "content": SYSTEM},
            {"role": "user", "content": render(task)},
        ]
        prompt_tokens = completion_tokens = retries = 0
        raw, error, mode, failed = "", "no answer", self.mode, None

        def done(value: T, outcome: str, error: str | None, **extra: Any) -> Completion[T]:
            return Completion(
                value=value,
                raw=self._redact(raw),
                prompt_tokens=prompt_tokens,
                completion_tokens=completion_tokens,
                latency_s=time.perf_counter() - started,
                retries=retries,
                outcome=outcome,
                check=failed,
                error=None if error is None else self._redact(error),
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
                failed = failed or _check_name(e)
                error = _explain(e)
                if finish == "length":
                    error += (
                        " (the answer was cut off at max_tokens="
                        f"{min(self.max_tokens, token_cap(task))}: keep it shorter)"
                    )
                messages = [
                    *messages,
                    {"role": "assistant", "content": raw},
                    {
                        "role": "user",
                        "content": f"That answer is not acceptable: {error}\n"
                        "Answer again with one JSON object that fits the schema and fixes this.",
                    },
                ]
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
            kwargs = self._request(task, messages, mode)
            timeouts = [0]
            try:
                resp, tries = await self._with_retries(
                    functools.partial(self._create, kwargs, timeouts), mode
                )
            except _Rejected as e:
                retries += e.retries
                self._downgrade(mode)
                continue
            except TransportError as e:
                if timeouts[0] >= TIMEOUT_ATTEMPTS:
                    e = self._failed(f"no answer within {self.timeout:g} s", e.retries + 1)
                raise TransportError(str(e), retries + e.retries) from None
            text, finish, usage = _read_chat(resp)
            prompt = usage[0] if usage[0] is not None else _estimate_messages(kwargs["messages"])
            completion = usage[1] if usage[1] is not None else _estimate(text)
            return text, (prompt, completion), retries + tries, mode, finish

    async def _create(self, kwargs: dict, timeouts: list[int]) -> Any:
        """One chat request; counts its timeouts in ``timeouts[0]`` and makes the
        ``TIMEOUT_ATTEMPTS``-th one final."""
        try:
            return await self.client.chat.completions.create(**kwargs)
        except openai.APITimeoutError:
            timeouts[0] += 1
            if timeouts[0] >= TIMEOUT_ATTEMPTS:
                raise _TimedOutAgain(f"no answer within {self.timeout:g} s") from None
            raise

    def _downgrade(self, rejected: str) -> None:
        # concurrent requests may all be rejected in the same mode: step down only once
        if self.mode == rejected and rejected != MODES[-1]:
            self.mode = MODES[MODES.index(rejected) + 1]

    def _request(self, task: PromptTask, messages: list[dict[str, str]], mode: str) -> dict:
        kwargs: dict[str, Any] = {
            "model": self.model,
            "messages": messages,
            # a repair at temperature 0 mostly repeats the answer it was told was wrong
            "temperature": self.temperature if len(messages) <= 2 else REPAIR_TEMPERATURE,
            "max_tokens": min(self.max_tokens, token_cap(task)),
        }
        if self.seed is not None:
            kwargs["seed"] = self.seed
        # response_format goes in extra_body: the client would otherwise walk the whole
        # JSON schema through its typed-parameter transform, ~2 ms of CPU a request
        if mode == "json_schema":
            kwargs["extra_body"] = {
                "response_format": {
                    "type": "json_schema",
                    "json_schema": {
                        "name": task.kind,
                        "schema": task.json_schema(),
                        "strict": False,
                    },
                }
            }
        elif mode == "json_object":
            # llama.cpp and vLLM constrain decoding with this extra field; others ignore it
            kwargs["extra_body"] = {
                "response_format": {"type": "json_object", "schema": task.json_schema()}
            }
        else:
            system, first, *rest = messages
            prompt = f"{first['content']}\n\n{schema_instructions(task)}"
            kwargs["messages"] = [system, {"role": "user", "content": prompt}, *rest]
        return kwargs

    async def _with_retries(
        self, call: Callable[[], Awaitable[R]], mode: str | None = None
    ) -> tuple[R, int]:
        """``call()``'s result and the retries it took; TransportError when it cannot.

        ``mode`` is the structured-output mode of a chat request (a rejection of it is
        raised as _Rejected, not retried); None for embeddings.
        """
        attempts = 0

        async def once() -> R:
            nonlocal attempts
            attempts += 1
            try:
                return await call()
            except json.JSONDecodeError as e:  # the client could not decode the body
                raise _Malformed(f"the server's answer is not JSON ({e})") from None

        def retryable(e: BaseException) -> bool:
            if isinstance(e, openai.APIStatusError):
                if mode not in (None, MODES[-1]) and _rejects_format(e):
                    return False
                return e.status_code == 429 or e.status_code >= 500
            return isinstance(e, (openai.APIConnectionError, _Malformed))

        retrying = AsyncRetrying(
            stop=stop_after_attempt(self.max_attempts),
            wait=self._wait,
            retry=retry_if_exception(retryable),
            reraise=True,
        )
        try:
            async for attempt in retrying:
                with attempt:
                    result = await once()
                    if mode is not None:
                        _read_chat(result)  # a malformed completion is retried like a 5xx
                    return result, attempts - 1
        except openai.APIStatusError as e:
            if mode not in (None, MODES[-1]) and _rejects_format(e):
                raise _Rejected(attempts - 1) from None
            raise self._failed(f"HTTP {e.status_code}: {_message(e)}", attempts) from None
        except openai.APITimeoutError:
            raise self._failed(f"no answer within {self.timeout:g} s", attempts) from None
        except openai.APIConnectionError as e:
            raise self._failed(f"connection failed ({_cause(e)})", attempts) from None
        except _Malformed as e:
            raise self._failed(str(e), attempts) from None
        except openai.OpenAIError as e:
            raise self._failed(f"{type(e).__name__}: {e}", attempts) from None
        raise AssertionError("unreachable: tenacity either returns or raises")

    def _failed(self, what: str, attempts: int) -> TransportError:
        tried = f" after {attempts} attempts" if attempts > 1 else ""
        return TransportError(self._redact(f"{what}{tried}"), attempts - 1)

    def _wait(self, state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, openai.APIStatusError):
            after = _retry_after(exc)
            if after is not None:
                return min(after, self.max_retry_after)
        return self._backoff(state)

    def _redact(self, text: str) -> str:
        return text.replace(self._secret, "***") if self._secret else text

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
            resp, _ = await self._with_retries(
                lambda batch=batch: self.client.embeddings.create(
                    model=self.embed_model, input=batch, encoding_format="float"
                )
            )
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


def _read_chat(resp: Any) -> tuple[str, str | None, tuple[int | None, int | None]]:
    """Content, finish reason and reported (prompt, completion) tokens of a completion."""
    choices = getattr(resp, "choices", None)
    if not choices:
        raise _Malformed(f"the server's answer has no choices ({str(resp)[:80]!r})")
    message = getattr(choices[0], "message", None)
    text = getattr(message, "content", None) or ""
    usage = getattr(resp, "usage", None)
    return (
        text,
        getattr(choices[0], "finish_reason", None),
        (getattr(usage, "prompt_tokens", None), getattr(usage, "completion_tokens", None)),
    )


def _rejects_format(e: openai.APIStatusError) -> bool:
    if e.status_code not in _REJECT_STATUS:
        return False
    msg = _message(e).lower()
    return any(h in msg for h in _REJECT_HINTS)


def _message(e: openai.APIStatusError) -> str:
    body = e.body
    if isinstance(body, dict):
        err = body.get("error", body)
        if isinstance(err, dict):
            return str(err.get("message", err))
        return str(err)
    return str(getattr(e, "message", e))


def _cause(e: BaseException) -> str:
    inner = e.__cause__ or e.__context__
    return type(inner).__name__ if inner is not None else type(e).__name__


def _retry_after(e: openai.APIStatusError) -> float | None:
    """Seconds asked by ``retry-after-ms`` or ``Retry-After`` (seconds or an HTTP date)."""
    headers = e.response.headers if e.response is not None else {}
    try:
        if ms := headers.get("retry-after-ms"):
            return max(0.0, float(ms) / 1000)
        if sec := headers.get("retry-after"):
            try:
                return max(0.0, float(sec))
            except ValueError:
                when = email.utils.parsedate_to_datetime(sec)
                return max(0.0, (when - datetime.now(UTC)).total_seconds())
    except (ValueError, TypeError):
        return None
    return None


# Completion tokens the longest valid answer of each kind takes (the schema bounds every
# string and list): a weak model that runs on ("minutes": 0, 0, 0...) is cut off in
# seconds, not after 1024 tokens at 30/s, and a valid answer is never cut.
# Kinds that answer one item per input item get a cap per item (``PromptTask.sizes``).
_TOKEN_CAPS: dict[str, tuple[int, int]] = {  # kind -> (base, per sized item)
    "wake_up_hour": (24, 0),
    "daily_plan": (480, 0),  # 8 items of <= 200 characters
    "hourly_schedule": (40, 45),  # an hour: {"hour", "activity" <= 120 characters}
    "decompose": (1000, 0),  # up to 24 steps of <= 120 characters
    "choose_place": (40, 120),  # a place: address, emoji, triple, object state
    "importance": (24, 6),
    "reflection_questions": (200, 0),
    "insights": (560, 0),
    "react": (100, 0),
    "utterance": (160, 0),
    "summarize_conversation": (240, 0),
    "interview": (400, 0),
}


REPAIR_TEMPERATURE = 0.7


def token_cap(task: PromptTask) -> int:
    """The most completion tokens a sensible answer to ``task`` takes."""
    base, per_item = _TOKEN_CAPS.get(task.kind, (1024, 0))
    items = sum(task.sizes.values()) + sum(len(v) for v in task.positions.values())
    return base + per_item * items


def _check_name(e: Exception) -> str:
    if isinstance(e, SenseError):
        return e.check
    return "choices" if isinstance(e, ChoiceError) else "schema"


def _explain(e: Exception) -> str:
    if isinstance(e, ValidationError):
        parts = []
        for err in e.errors()[:5]:
            where = ".".join(str(p) for p in err["loc"]) or "<root>"
            parts.append(f"{where}: {err['msg']}")
        return "; ".join(parts)
    return str(e)


def _estimate(text: str) -> int:
    """About four characters a token: used only when the server reports no usage."""
    return max(1, math.ceil(len(text) / 4))


def _estimate_messages(messages: list[dict[str, str]]) -> int:
    return _estimate(" ".join(str(m.get("content", "")) for m in messages))
