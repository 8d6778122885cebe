"""One quick look at an endpoint before a run: does it answer, take the key, serve the model?

``probe(config)`` asks ``GET {base_url}/models`` once (no retries; ``PROBE_TIMEOUT``
seconds to connect, the run's request timeout for the answer, since a one-slot server
may be busy with someone else's request). Where the list is not served (some proxies
answer 404) or is empty, or does not name the model asked for, one tiny chat request
decides instead: llama.cpp
answers for any model name, Ollama and vLLM answer 404 for one they do not have. A
dead endpoint, a refused key or an unknown model raise EndpointError with one line
saying what is wrong and what to do; anything else (a 5xx, a slow answer) is left to
the run's own retries.

The model is resolved on the way: the one named, else the only one the endpoint
serves, else gpt-4o-mini on the OpenAI API (or where the endpoint lists no models);
an endpoint serving several with none named is an error listing them.
"""

from __future__ import annotations

import asyncio
import json
import socket
from typing import Any

from smallville.llm.config import DEFAULT_MODEL, ConfigError, LLMConfig

PROBE_TIMEOUT = 4.0  # per request; a dead endpoint is reported within about this
_SHOWN = 20  # served models named in a message


class EndpointError(ConfigError):
    """The endpoint cannot serve a run: nothing answers, the key is refused, no such model."""


def check_endpoint(config: LLMConfig, timeout: float = PROBE_TIMEOUT) -> LLMConfig:
    """``probe`` from synchronous code."""
    return asyncio.run(probe(config, timeout))


async def probe(config: LLMConfig, timeout: float = PROBE_TIMEOUT) -> LLMConfig:
    """``config`` with its model resolved; EndpointError when the endpoint cannot be used.

    The scripted model is returned as it is, without a request.
    """
    if config.backend != "openai":
        return config
    import openai

    key = config.api_key.get_secret_value() if config.api_key else None
    # Connecting must be quick (nothing listening is known at once), but a server that
    # serves one request at a time may be busy with another client's: the answer gets
    # the run's own request timeout.
    client = openai.AsyncOpenAI(
        base_url=config.base_url,
        api_key=key or "not-needed",
        timeout=openai.Timeout(config.timeout, connect=min(timeout, config.timeout)),
        max_retries=0,
    )
    try:
        served = await _served(client, config)
        model = choose_model(config, served)
        if model not in served:
            await _chat(client, config, model, served)
    finally:
        await client.close()
    return config.model_copy(update={"model": model})


async def _served(client: Any, config: LLMConfig) -> list[str]:
    """The model ids ``/models`` lists; [] when it lists none or is not served."""
    import openai

    try:
        raw = await client.models.with_raw_response.list()
    except openai.APIStatusError as e:
        if e.status_code in (401, 403):
            raise _refused(config, e.status_code) from None
        return []  # 404 and the like: not served here, the chat request decides
    except openai.APITimeoutError:
        raise _silent(config, f"no answer within {_seconds(client)} s") from None
    except openai.APIConnectionError as e:
        raise _silent(config, _why(e)) from None
    except openai.OpenAIError:
        return []
    try:
        data = json.loads(raw.text).get("data")
        return [m["id"] for m in data if isinstance(m.get("id"), str)]
    except (ValueError, AttributeError, TypeError, KeyError):
        return []  # a 200 that is not a model list (a proxy's page): as if not served


def _seconds(client: Any) -> str:
    t = client.timeout
    return f"{getattr(t, 'read', t):g}"


def choose_model(config: LLMConfig, served: list[str]) -> str:
    """The model named, else the only one ``served``, else gpt-4o-mini where that is
    the rule (the OpenAI API, an endpoint listing none); EndpointError otherwise."""
    if config.model:
        return config.model
    if len(served) == 1:
        return served[0]
    if len(served) > 1 and not config.openai_api:
        raise EndpointError(
            f"{config.endpoint_name} serves {len(served)} models and none is named: "
            f"choose one with --model or SMALLVILLE_MODEL ({_listing(served)})"
        )
    return DEFAULT_MODEL


async def _chat(client: Any, config: LLMConfig, model: str, served: list[str]) -> None:
    """One tiny chat request with ``model``: an error for a refused key or unknown model.

    Where ``served`` lists other models, any failure means the model is not served.
    """
    import openai

    try:
        await client.chat.completions.create(
            model=model,
            messages=[{"role": "user", "content": "Say OK."}],
            max_tokens=1,
            temperature=0,
        )
        return
    except openai.APIStatusError as e:
        if e.status_code in (401, 403):
            raise _refused(config, e.status_code) from None
        detail = _detail(config, e)
        if e.status_code == 404 and not served and "model" not in detail.lower():
            raise EndpointError(
                f"{config.endpoint_name} has no /chat/completions (HTTP 404: {detail}): "
                "check the base URL (it usually ends in /v1, e.g. http://localhost:11434/v1)"
            ) from None
        if e.status_code != 404 and not served:
            return  # the server answers; the run's retries deal with a 5xx or a 400
        why = f"HTTP {e.status_code}: {detail}"
    except openai.APITimeoutError:
        if not served:
            return  # it answers HTTP (/models said so) but is slow: the run will wait
        why = f"no answer within {_seconds(client)} s"
    except openai.APIConnectionError as e:
        raise _silent(config, _why(e)) from None
    except (openai.OpenAIError, ValueError) as e:  # a 200 the client cannot read
        if not served:
            return  # it answers; what it answers is the run's business
        why = f"unreadable answer: {type(e).__name__}"
    named = "" if config.model else f"no model is named, so {model} was tried; "
    raise EndpointError(
        f"{config.endpoint_name} does not serve the model {model!r} ({named}{why}): "
        "name one with --model or SMALLVILLE_MODEL"
        + (f"; it serves {_listing(served)}" if served else "")
    )


def _refused(config: LLMConfig, status: int) -> EndpointError:
    if config.api_key is None:
        return EndpointError(
            f"{config.endpoint_name} wants an API key (HTTP {status}): set OPENAI_API_KEY"
        )
    return EndpointError(
        f"{config.endpoint_name} refused the API key (HTTP {status}): check OPENAI_API_KEY"
    )


def _silent(config: LLMConfig, why: str) -> EndpointError:
    return EndpointError(
        f"nothing answers at {config.endpoint} ({why}): is the server running, and is "
        "--base-url / SMALLVILLE_BASE_URL right?"
    )


def _why(e: BaseException) -> str:
    """The innermost cause of a connection error, in words."""
    inner: BaseException | None = e
    last = e
    while inner is not None:
        if isinstance(inner, ConnectionRefusedError):
            return "connection refused"
        if isinstance(inner, socket.gaierror):
            return "host name not found"
        last = inner
        inner = inner.__cause__ or inner.__context__
    return _one_line(str(last)) or type(last).__name__


def _detail(config: LLMConfig, e: Any) -> str:
    body = getattr(e, "body", None)
    message = body.get("error", body) if isinstance(body, dict) else None
    if isinstance(message, dict):
        message = message.get("message")
    text = _one_line(str(message or getattr(e, "message", "") or ""))[:200]
    key = config.api_key.get_secret_value() if config.api_key else ""
    return text.replace(key, "***") if len(key) >= 8 else text


def _listing(served: list[str]) -> str:
    names = sorted(served)
    more = f" and {len(names) - _SHOWN} more" if len(names) > _SHOWN else ""
    return ", ".join(names[:_SHOWN]) + more


def _one_line(text: str) -> str:
    return " ".join(text.split())
