"""Which model to talk to, from flags and the environment. The key stays secret."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr

SCRIPTED_NOTICE = (
    "LLM: scripted (offline, deterministic); set SMALLVILLE_BASE_URL or OPENAI_API_KEY "
    "to use a model endpoint"
)


class ConfigError(ValueError):
    """The model configuration cannot work; the message says what to set."""


class LLMConfig(BaseModel):
    model_config = ConfigDict(frozen=True)

    backend: Literal["scripted", "openai"] = "scripted"
    base_url: str | None = None
    model: str = "gpt-4o-mini"
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
        """Flags win over the environment; with no endpoint at all, the scripted model."""
        env = os.environ if env is None else env
        url = base_url or env.get("SMALLVILLE_BASE_URL") or env.get("OPENAI_BASE_URL") or None
        key = env.get("OPENAI_API_KEY") or None
        chosen = backend or env.get("SMALLVILLE_LLM") or ("openai" if (url or key) else "scripted")
        if chosen not in ("scripted", "openai"):
            raise ConfigError(f"SMALLVILLE_LLM / --llm: {chosen!r} is not 'scripted' or 'openai'")
        if chosen == "openai" and not (url or key):
            raise ConfigError(
                "the openai backend needs an endpoint: set OPENAI_API_KEY for OpenAI, or "
                "SMALLVILLE_BASE_URL (or --base-url) for a local server such as Ollama, "
                "vLLM or llama.cpp"
            )
        fields = {k: v for k, v in overrides.items() if v is not None}
        return cls(
            backend=chosen,
            base_url=url,
            model=model or env.get("SMALLVILLE_MODEL") or "gpt-4o-mini",
            api_key=SecretStr(key) if key else None,
            embed_model=env.get("SMALLVILLE_EMBED_MODEL") or None,
            **fields,
        )

    @property
    def notice(self) -> str:
        if self.backend == "scripted":
            return SCRIPTED_NOTICE
        return f"LLM: {self.model} at {self.base_url or 'the OpenAI API'}"

    def describe(self) -> dict[str, object]:
        """What a run file records: no key, not even its length."""
        return {
            "backend": self.backend,
            "model": self.model if self.backend == "openai" else "scripted",
            "base_url": self.base_url if self.backend == "openai" else None,
            "embed_model": self.embed_model,
            "seed": self.seed,
            "api_key_set": self.api_key is not None,
        }
