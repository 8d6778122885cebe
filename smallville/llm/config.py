"""Which model to talk to, from flags and the environment. The key stays secret.

Environment (flags override it):

- ``SMALLVILLE_LLM``: ``scripted`` or ``openai`` (``--llm``).
- ``SMALLVILLE_BASE_URL``, else ``OPENAI_BASE_URL``: an OpenAI-compatible endpoint
  (``--base-url``).
- ``SMALLVILLE_MODEL``: the chat model (``--model``). Unset: the one model the
  endpoint serves, or gpt-4o-mini on the OpenAI API (see ``probe``).
- ``OPENAI_API_KEY``: the key; never shown, logged or stored.
- ``SMALLVILLE_EMBED_MODEL``: a remote embedding model (else embeddings are local).
- ``SMALLVILLE_PRICES``: a JSON price file, see ``meter.load_prices``.
- ``SMALLVILLE_TIMEOUT``: seconds to wait for one HTTP request (``--timeout``, 60).
- ``SMALLVILLE_MAX_ATTEMPTS``: HTTP attempts for one answer (``--max-attempts``, 5);
  a request that timed out is tried at most twice whatever this says.

With no endpoint at all the scripted model runs.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit, urlunsplit

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError

DEFAULT_MODEL = "gpt-4o-mini"  # on the OpenAI API when no model is named

SCRIPTED_NOTICE = (
    "LLM: scripted (offline, deterministic); set SMALLVILLE_BASE_URL or OPENAI_API_KEY "
    "to use a model endpoint"
)


class ConfigError(ValueError):
    """The model configuration cannot work; the message says what to set."""


class LLMConfig(BaseModel):
    """Everything ``build`` needs. ``api_key`` is a SecretStr: repr, str and dumps
    show ``**********``; only the backend reads the value.

    ``model`` is None when no model was named; ``probe.probe`` resolves it from what
    the endpoint serves. Unresolved, ``chat_model`` (gpt-4o-mini) is used.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    backend: Literal["scripted", "openai"] = "scripted"
    base_url: str | None = None
    model: str | None = None
    api_key: SecretStr | None = None
    embed_model: str | None = None
    concurrency: int = Field(16, ge=1, le=1024)
    seed: int = 0
    timeout: float = Field(60.0, gt=0)
    max_attempts: int = Field(5, ge=1, le=20)
    cache_path: Path | None = None
    prices_path: Path | None = None

    @classmethod
    def resolve(
        cls,
        env: Mapping[str, str] | None = None,
        *,
        backend: str | None = None,
        base_url: str | None = None,
        model: str | None = None,
        **overrides: object,
    ) -> LLMConfig:
        """Flags win over the environment; with no endpoint at all, the scripted model.

        ``overrides`` are the other fields (concurrency, seed, timeout, max_attempts,
        cache_path, prices_path, embed_model); ``None`` means "not given".
        """
        env = os.environ if env is None else env
        url = base_url or env.get("SMALLVILLE_BASE_URL") or env.get("OPENAI_BASE_URL") or None
        key = (env.get("OPENAI_API_KEY") or "").strip() or None
        chosen = backend or env.get("SMALLVILLE_LLM") or ("openai" if (url or key) else "scripted")
        if chosen not in ("scripted", "openai"):
            raise ConfigError(f"SMALLVILLE_LLM / --llm: {chosen!r} is not 'scripted' or 'openai'")
        if chosen == "openai" and not (url or key):
            raise ConfigError(
                "the openai backend needs an endpoint: set OPENAI_API_KEY for OpenAI, or "
                "SMALLVILLE_BASE_URL (or --base-url) for a local server such as Ollama, "
                "vLLM or llama.cpp"
            )
        if url and (urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).netloc):
            raise ConfigError(
                f"base URL {_redact_url(url)!r} (--base-url / SMALLVILLE_BASE_URL / "
                "OPENAI_BASE_URL) is not an http(s) URL; expected e.g. http://localhost:11434/v1"
            )
        fields = {
            "embed_model": env.get("SMALLVILLE_EMBED_MODEL") or None,
            "prices_path": env.get("SMALLVILLE_PRICES") or None,
            "timeout": _number(env, "SMALLVILLE_TIMEOUT", float),
            "max_attempts": _number(env, "SMALLVILLE_MAX_ATTEMPTS", int),
        }
        fields = {k: v for k, v in fields.items() if v is not None}
        fields.update({k: v for k, v in overrides.items() if v is not None})
        try:
            return cls(
                backend=chosen,
                base_url=url,
                model=model or env.get("SMALLVILLE_MODEL") or None,
                api_key=SecretStr(key) if key else None,
                **fields,
            )
        except ValidationError as e:
            # our own message, not chained: pydantic's repeats every input value it saw
            problems = "; ".join(
                f"{'.'.join(map(str, err['loc']))}: {err['msg']}" for err in e.errors()
            )
            raise ConfigError(f"language model settings: {problems}") from None

    @property
    def chat_model(self) -> str:
        """The model requests name: the resolved or named one, else gpt-4o-mini."""
        return self.model or DEFAULT_MODEL

    @property
    def openai_api(self) -> bool:
        """True when the endpoint is OpenAI's own API (no base URL, or api.openai.com)."""
        return self.base_url is None or urlsplit(self.base_url).hostname == "api.openai.com"

    @property
    def endpoint(self) -> str:
        """The endpoint as it may be shown: no user name, password or query string."""
        return _redact_url(self.base_url) if self.base_url else "the OpenAI API"

    @property
    def endpoint_name(self) -> str:
        """The endpoint in a sentence: "the endpoint at URL" (redacted) or "the OpenAI API"."""
        return f"the endpoint at {self.endpoint}" if self.base_url else self.endpoint

    @property
    def notice(self) -> str:
        """One line for the CLI to print before a run."""
        if self.backend == "scripted":
            if self.base_url or self.api_key:
                return "LLM: scripted (offline, deterministic)"
            return SCRIPTED_NOTICE
        return f"LLM: {self.chat_model} at {self.endpoint}"

    def describe(self) -> dict[str, object]:
        """What a run file records: no key (not even its length), no URL credentials."""
        remote = self.backend == "openai"
        return {
            "backend": self.backend,
            "model": self.chat_model if remote else "scripted",
            "base_url": _redact_url(self.base_url) if remote and self.base_url else None,
            "embed_model": (self.embed_model if remote else None) or "local",
            "seed": self.seed,
            "concurrency": self.concurrency,
            "timeout_s": self.timeout,
            "max_attempts": self.max_attempts,
            "api_key_set": self.api_key is not None,
        }


def _number(env: Mapping[str, str], name: str, kind: type) -> float | int | None:
    text = (env.get(name) or "").strip()
    if not text:
        return None
    try:
        return kind(text)
    except ValueError:
        what = "a whole number" if kind is int else "a number of seconds"
        raise ConfigError(f"{name}={text!r} is not {what}") from None


def _redact_url(url: str) -> str:
    parts = urlsplit(url)
    host = parts.netloc.rpartition("@")[2]  # drop "user:password@"
    return urlunsplit((parts.scheme, host, parts.path, "", ""))
