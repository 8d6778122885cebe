"""Cache, meter, budget, limit, config and the LLM facade."""

from __future__ import annotations

import asyncio

import numpy as np
import pytest
from llm_samples import sample

from smallville.llm import LLM, Budget, ConfigError, LLMConfig, Usage, build
from smallville.llm.cache import ResponseCache
from smallville.llm.embed import HashingEmbedder, local_embedder
from smallville.llm.meter import Limit, Meter, load_prices
from smallville.llm.scripted import ScriptedModel
from smallville.llm.task import Completion


class Counting:
    """A fake model that counts calls and can be slow or fail."""

    name = "counting"

    def __init__(self, delay: float = 0.0, fallback: bool = False) -> None:
        self.calls = 0
        self.in_flight = 0
        self.peak = 0
        self.delay = delay
        self.fallback = fallback
        self.inner = ScriptedModel()

    async def run(self, task):
        self.calls += 1
        self.in_flight += 1
        self.peak = max(self.peak, self.in_flight)
        await asyncio.sleep(self.delay)
        self.in_flight -= 1
        c = await self.inner.run(task)
        if self.fallback:
            return Completion(
                value=task.fallback,
                fallback=True,
                error="forced",
                prompt_tokens=10,
                completion_tokens=0,
            )
        return Completion(value=c.value, prompt_tokens=100, completion_tokens=20, latency_s=0.5)

    async def embed(self, texts):
        self.calls += 1
        return HashingEmbedder(16).embed(texts)


def test_cache_hit_makes_no_request(tmp_path):
    """A second identical call is answered from the cache, also after reopening."""
    inner = Counting()
    cache = ResponseCache(inner, tmp_path / "cache.sqlite")
    first = asyncio.run(cache.run(sample("daily_plan")))
    second = asyncio.run(cache.run(sample("daily_plan")))
    assert inner.calls == 1 and second.cached and second.value == first.value
    reopened = ResponseCache(inner, tmp_path / "cache.sqlite")
    assert asyncio.run(reopened.run(sample("daily_plan"))).cached and inner.calls == 1
    asyncio.run(cache.run(sample("react")))
    assert inner.calls == 2


def test_fallbacks_are_not_cached(tmp_path):
    """A fallback answer is asked again next time."""
    inner = Counting(fallback=True)
    cache = ResponseCache(inner, tmp_path / "c.sqlite")
    asyncio.run(cache.run(sample("react")))
    asyncio.run(cache.run(sample("react")))
    assert inner.calls == 2


def test_embedding_cache(tmp_path):
    """Embeddings are cached by text; only new texts reach the model."""
    inner = Counting()
    cache = ResponseCache(inner, tmp_path / "c.sqlite")
    a = asyncio.run(cache.embed(["x", "y"]))
    b = asyncio.run(cache.embed(["y", "x", "z"]))
    assert inner.calls == 2 and np.allclose(a[0], b[1]) and b.shape == (3, 16)


def test_meter_totals_by_kind_agent_and_cost():
    """Calls, tokens, cache hits, fallbacks and cost add up per kind and per agent."""
    meter = Meter(ResponseCache(Counting(), None), model_name="gpt-4o-mini")
    seen = []
    meter.on_call(lambda task, c: seen.append((task.kind, c.cached)))
    for kind in ("daily_plan", "daily_plan", "react"):
        asyncio.run(meter.run(sample(kind)))
    t = meter.totals()
    assert (t.calls, t.cache_hits, t.prompt_tokens, t.completion_tokens) == (3, 1, 300, 60)
    assert meter.by_kind["daily_plan"].calls == 2 and meter.by_agent["Clara Bellini"].calls == 3
    assert t.cost_usd == pytest.approx(2 * (100 * 0.15 + 20 * 0.60) / 1e6)
    assert seen == [("daily_plan", False), ("daily_plan", True), ("react", False)]


def test_price_override_file(tmp_path):
    """A prices file overrides the table; malformed entries are named."""
    p = tmp_path / "prices.json"
    p.write_text('{"my-model": [1.0, 2.0]}')
    assert load_prices(p) == {"my-model": (1.0, 2.0)}
    p.write_text('{"my-model": [1.0]}')
    with pytest.raises(ValueError, match="my-model"):
        load_prices(p)


def test_budget_reasons():
    """Each limit gives a clear reason once reached, and cache hits are free."""
    used = Usage(calls=10, cache_hits=4, prompt_tokens=900, completion_tokens=100, cost_usd=0.5)
    assert Budget(max_calls=6).exceeded(used) == "budget reached: 6 model calls >= --max-calls 6"
    assert Budget(max_calls=7).exceeded(used) is None
    assert "1000 tokens" in Budget(max_tokens=1000).exceeded(used)
    assert "--max-cost 0.5" in Budget(max_cost=0.5).exceeded(used)


def test_llm_over_budget_after_calls():
    """The facade reports the budget once enough calls were made."""
    llm = LLM(ScriptedModel(), budget=Budget(max_calls=2))
    asyncio.run(llm.complete(sample("react")))
    assert llm.over_budget() is None
    asyncio.run(llm.complete(sample("daily_plan")))
    assert "2 model calls" in llm.over_budget()


def test_limit_bounds_requests_in_flight():
    """No more than `concurrency` requests run at once."""
    inner = Counting(delay=0.02)
    limited = Limit(inner, concurrency=3)

    async def go():
        await asyncio.gather(*(limited.run(sample("react")) for _ in range(12)))

    asyncio.run(go())
    assert inner.peak == 3 and inner.calls == 12


def test_config_defaults_and_precedence():
    """No endpoint means scripted; env selects openai; flags win; bad choices are named."""
    assert LLMConfig.resolve({}).backend == "scripted"
    env = {"OPENAI_API_KEY": "sk-1", "SMALLVILLE_MODEL": "m1", "OPENAI_BASE_URL": "http://b"}
    c = LLMConfig.resolve(env)
    assert (c.backend, c.model, c.base_url) == ("openai", "m1", "http://b")
    env["SMALLVILLE_BASE_URL"] = "http://a"
    assert LLMConfig.resolve(env, model="m2").base_url == "http://a"
    assert LLMConfig.resolve(env, model="m2").model == "m2"
    assert LLMConfig.resolve(env, backend="scripted").backend == "scripted"
    with pytest.raises(ConfigError, match="OPENAI_API_KEY"):
        LLMConfig.resolve({}, backend="openai")
    with pytest.raises(ConfigError, match="'claude'"):
        LLMConfig.resolve({"SMALLVILLE_LLM": "claude"})


def test_key_is_redacted_everywhere():
    """The key never shows in repr, str, dumps or the run-file description."""
    key = "sk-very-secret-123"
    c = LLMConfig.resolve({"OPENAI_API_KEY": key})
    for text in (repr(c), str(c), str(c.model_dump()), str(c.describe()), c.model_dump_json()):
        assert key not in text
    assert c.api_key.get_secret_value() == key


def test_build_scripted_answers_and_embeds():
    """build() gives a working offline port with a local embedder."""
    llm = build(LLMConfig.resolve({}))
    plan = asyncio.run(llm.complete(sample("daily_plan")))
    assert plan.items
    x = asyncio.run(llm.embed(["a party at the cafe", "a celebration at the coffee shop"]))
    assert x.shape[0] == 2 and np.allclose(np.linalg.norm(x, axis=1), 1, atol=1e-5)


def test_embedders_normalised_and_deterministic():
    """Both local embedders give float32 unit rows, the same for the same text."""
    for emb in (local_embedder(), HashingEmbedder()):
        a = emb.embed(["the stove is heating a pan", "a walk in the park"])
        b = emb.embed(["the stove is heating a pan"])
        assert a.dtype == np.float32 and a.shape == (2, emb.dim)
        assert np.allclose(a[0], b[0]) and np.allclose(np.linalg.norm(a, axis=1), 1, atol=1e-5)
        assert emb.embed([]).shape == (0, emb.dim)


def test_hashing_embedder_is_semantic_enough():
    """Paraphrases score closer than unrelated sentences with the fallback embedder."""
    e = HashingEmbedder()
    x = e.embed(
        [
            "Clara is planning a party at the cafe",
            "a party at the cafe is planned",
            "Jonah is writing his thesis in the library",
        ]
    )
    assert x[0] @ x[1] > x[0] @ x[2]
