"""HTTP requests to an OpenAI-compatible endpoint, retried until they answer or cannot.

Transient failures (429 honouring Retry-After, timeouts, dropped connections, 5xx,
unreadable bodies) are retried by tenacity with jittered exponential backoff, a
timed-out chat request at most once more; the client's own retries are off. A server
that rejects the ``response_format`` it was sent raises ``FormatRejected`` rather than
being retried: the backend asks again in a simpler mode. Every other failure ends in a
``TransportError`` that says what went wrong, with the API key redacted.
"""

from __future__ import annotations

import email.utils
import json
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime
from typing import Any, TypeVar

import openai
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception,
    stop_after_attempt,
    wait_exponential_jitter,
)

R = TypeVar("R")

# a chat request that timed out is sent once more at most: a server that hangs would
# otherwise hold a request for max_attempts x timeout
TIMEOUT_ATTEMPTS = 2
_REJECT_STATUS = (400, 415, 422, 500, 501)
_REJECT_HINTS = ("response_format", "json_schema", "json_object", "'text'")


class TransportError(RuntimeError):
    """The endpoint could not answer after every retry (or answered a non-retryable error)."""

    def __init__(self, message: str, retries: int = 0) -> None:
        super().__init__(message)
        self.retries = retries


class FormatRejected(Exception):
    """The server does not support the response_format it was sent."""

    def __init__(self, retries: int) -> None:
        super().__init__("response_format rejected")
        self.retries = retries


class _Malformed(Exception):
    """A 200 answer that is not a chat completion (a proxy's HTML page, a truncated body)."""


class _TimedOutAgain(openai.OpenAIError):
    """A chat request timed out ``TIMEOUT_ATTEMPTS`` times: not retryable any more."""


class Transport:
    """The ``openai`` client with the retry policy and the error wording around it.

    Args:
        base_url, api_key, timeout, http_client: for the ``openai`` client.
        max_attempts: HTTP attempts for one answer (so ``max_attempts - 1`` retries).
        backoff: (first, longest) wait in seconds between attempts, before jitter.
        max_retry_after: the longest Retry-After honoured, in seconds.
    """

    def __init__(
        self,
        *,
        base_url: str | None,
        api_key: str | None,
        timeout: float,
        max_attempts: int,
        backoff: tuple[float, float],
        max_retry_after: float,
        http_client: Any,
    ) -> None:
        self.timeout = timeout
        self.max_attempts = max_attempts
        self.max_retry_after = max_retry_after
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

    async def chat(self, kwargs: dict) -> tuple[Any, int]:
        """A chat completion and the retries it took.

        Raises FormatRejected when the server refuses the request's response_format,
        TransportError when there is no answer; a request that times out
        ``TIMEOUT_ATTEMPTS`` times is not sent again.
        """
        timeouts = 0

        async def create() -> Any:
            nonlocal timeouts
            try:
                return await self.client.chat.completions.create(**kwargs)
            except openai.APITimeoutError:
                timeouts += 1
                if timeouts >= TIMEOUT_ATTEMPTS:
                    raise _TimedOutAgain(f"no answer within {self.timeout:g} s") from None
                raise

        formatted = "response_format" in kwargs.get("extra_body", {})
        try:
            return await self._with_retries(create, chat=True, formatted=formatted)
        except TransportError as e:
            if timeouts >= TIMEOUT_ATTEMPTS:
                raise self._failed(f"no answer within {self.timeout:g} s", e.retries + 1) from None
            raise

    async def embeddings(self, model: str, texts: Sequence[str]) -> Any:
        """The ``/v1/embeddings`` answer for ``texts``; TransportError when there is none."""
        resp, _ = await self._with_retries(
            lambda: self.client.embeddings.create(model=model, input=texts, encoding_format="float")
        )
        return resp

    def redact(self, text: str) -> str:
        return text.replace(self._secret, "***") if self._secret else text

    async def _with_retries(
        self, call: Callable[[], Awaitable[R]], *, chat: bool = False, formatted: bool = False
    ) -> tuple[R, int]:
        """``call()``'s result and the retries it took; TransportError when it cannot.

        A ``chat`` answer must read as a completion (a malformed one is retried like a
        5xx); a request that sent a response_format (``formatted``) may be rejected for
        it, which raises FormatRejected instead of being retried.
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
                if formatted and _rejects_format(e):
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
                    if chat:
                        read_chat(result)
                    return result, attempts - 1
        except openai.APIStatusError as e:
            if formatted and _rejects_format(e):
                raise FormatRejected(attempts - 1) from None
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
        return TransportError(self.redact(f"{what}{tried}"), attempts - 1)

    def _wait(self, state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, openai.APIStatusError):
            after = _retry_after(exc)
            if after is not None:
                return min(after, self.max_retry_after)
        return self._backoff(state)


def read_chat(resp: Any) -> tuple[str, str | None, tuple[int | None, int | None]]:
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
