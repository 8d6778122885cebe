"""Cache, meter, budget, limit, config and the LLM facade."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from llm_samples import sample

from smallville.llm import LLM, Budget, ConfigError, LLMConfig, Usage, build
from smallville.llm.cache import ResponseCache
from smallville.llm.embed import HashingEmbedder
from smallville.llm.limit import Limit
from smallville.llm.meter import DEFAULT_PRICES, Meter, load_prices, price_of
from smallville.llm.scripted import ScriptedModel
from smallville.llm.task import Completion

KEY = "sk-very-secret-123"
ROOT = Path(__file__).resolve().parents[1]


class Counting:
    """A fake model that counts calls and can be slow or fail."""

    def __init__(self, delay: float = 0.0, fallback: bool = False, name: str = "counting"):
        self.name = name
        self.calls = 0
        self.embedded: list[str] = []
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
        if self.fallback:
            return Completion(
                value=task.fallback,
                raw="not json at all " * 100,
                outcome="fallback",
                error="forced",
                prompt_tokens=10,
            )
        c = await self.inner.run(task)
        return Completion(
            value=c.value, raw="PROMPT-ECHO", prompt_tokens=100, completion_tokens=20, latency_s=0.5
        )

    async def embed(self, texts):
        self.embedded += texts
        return HashingEmbedder(16).embed(texts)


def test_cache_hit_makes_no_request(tmp_path):
    """A second identical call is answered from the cache with the original tokens."""
    inner = Counting()
    cache = ResponseCache(inner, tmp_path / "cache.sqlite")
    first = asyncio.run(cache.run(sample("daily_plan")))
    second = asyncio.run(cache.run(sample("daily_plan")))
    assert inner.calls == 1 and not first.cached and second.cached
    assert second.value == first.value and second.latency_s == 0.0
    assert (second.prompt_tokens, second.completion_tokens) == (100, 20)
    asyncio.run(cache.run(sample("react")))
    assert inner.calls == 2 and (cache.hits, cache.misses) == (1, 2)


def test_cache_survives_reopening(tmp_path):
    """Answers persist in the file: a new cache on the same path answers without asking."""
    inner = Counting()
    asyncio.run(ResponseCache(inner, tmp_path / "c.sqlite").run(sample("daily_plan")))
    reopened = ResponseCache(inner, tmp_path / "c.sqlite")
    assert asyncio.run(reopened.run(sample("daily_plan"))).cached and inner.calls == 1


def test_cache_key_is_model_and_task_not_agent(tmp_path):
    """Another model misses; the same task asked for another agent hits."""
    path = tmp_path / "c.sqlite"
    asyncio.run(ResponseCache(Counting(name="m1"), path).run(sample("react")))
    other = Counting(name="m2")
    assert not asyncio.run(ResponseCache(other, path).run(sample("react"))).cached
    task = sample("react")
    again = type(task)(**{**task.__dict__, "agent": "someone else"})
    assert asyncio.run(ResponseCache(other, path).run(again)).cached


def test_cache_stores_only_the_validated_value(tmp_path):
    """The file holds the value JSON, not the raw model text (which may echo the prompt)."""
    cache = ResponseCache(Counting(), tmp_path / "c.sqlite")
    c = asyncio.run(cache.run(sample("daily_plan")))
    cache.close()
    db = sqlite3.connect(tmp_path / "c.sqlite")
    assert db.execute("SELECT value FROM responses").fetchall() == [(c.value.model_dump_json(),)]
    assert b"PROMPT-ECHO" not in (tmp_path / "c.sqlite").read_bytes()


def test_fallbacks_are_not_cached(tmp_path):
    """A fallback answer is asked again next time."""
    inner = Counting(fallback=True)
    cache = ResponseCache(inner, tmp_path / "c.sqlite")
    asyncio.run(cache.run(sample("react")))
    assert not asyncio.run(cache.run(sample("react"))).cached
    assert inner.calls == 2


def test_stale_cache_entry_is_asked_again(tmp_path):
    """An entry that no longer validates (older schema) is replaced, not returned."""
    inner = Counting()
    cache = ResponseCache(inner, tmp_path / "c.sqlite")
    task = sample("react")
    cache.db.execute(
        "INSERT INTO responses VALUES (?, 'react', ?, 1, 1, 'valid', NULL)",
        (cache.key(task), '{"x": 1}'),
    )
    c = asyncio.run(cache.run(task))
    assert not c.cached and inner.calls == 1
    assert asyncio.run(cache.run(task)).cached


def test_cache_concurrent_calls(tmp_path):
    """Many calls in flight on one connection all get answers, and later ones hit."""
    inner = Counting(delay=0.01)
    cache = ResponseCache(inner, tmp_path / "c.sqlite")
    kinds = ["react", "daily_plan", "importance", "utterance"] * 5

    async def go():
        return await asyncio.gather(*(cache.run(sample(k)) for k in kinds))

    first = asyncio.run(go())
    second = asyncio.run(go())
    assert all(c.cached for c in second)
    assert [c.value for c in first] == [c.value for c in second]


def test_bad_cache_file_is_named(tmp_path):
    """A file that is not SQLite gives a ConfigError naming it and what to do."""
    bad = tmp_path / "cache.sqlite"
    bad.write_bytes(b"this is not a database, just some text" * 100)
    with pytest.raises(ConfigError, match="cache.sqlite.*--cache"):
        ResponseCache(Counting(), bad)


def test_embedding_cache(tmp_path):
    """Embeddings are cached by model and text; only new texts reach the model."""
    inner = Counting()
    cache = ResponseCache(inner, tmp_path / "c.sqlite", embed_name="e1")
    a = asyncio.run(cache.embed(["x", "y"]))
    b = asyncio.run(cache.embed(["y", "x", "z", "z"]))
    assert sorted(inner.embedded) == ["x", "y", "z"]
    assert np.allclose(a[0], b[1]) and b.shape == (4, 16)
    assert asyncio.run(cache.embed([])).shape == (0, 16)
    other = ResponseCache(inner, tmp_path / "c.sqlite", embed_name="e2")
    asyncio.run(other.embed(["x"]))
    assert inner.embedded[-1] == "x" and len(inner.embedded) == 4


def test_meter_totals_by_kind_agent_and_cost():
    """Calls, tokens, cache hits and cost add up per kind and per agent; listeners hear all."""
    meter = Meter(ResponseCache(Counting(), None), model_name="gpt-4o-mini")
    seen = []
    meter.on_call(lambda task, c: seen.append((task.kind, c.cached)))
    for kind in ("daily_plan", "daily_plan", "react"):
        asyncio.run(meter.run(sample(kind)))
    t = meter.totals()
    assert (t.calls, t.cache_hits, t.prompt_tokens, t.completion_tokens) == (3, 1, 300, 60)
    assert (t.requests, t.cached_tokens, t.spent_tokens, t.latency_s) == (2, 120, 240, 1.0)
    assert meter.by_kind["daily_plan"].calls == 2 and meter.by_kind["react"].calls == 1
    assert meter.by_agent["Clara Bellini"].calls == 3
    assert t.cost_usd == pytest.approx(2 * (100 * 0.15 + 20 * 0.60) / 1e6)
    assert seen == [("daily_plan", False), ("daily_plan", True), ("react", False)]


def test_meter_logs_fallbacks_truncated(caplog):
    """A fallback is counted and logged with its kind, agent, error and a cut raw output."""
    meter = Meter(Counting(fallback=True))
    with caplog.at_level(logging.WARNING, logger="smallville.llm"):
        asyncio.run(meter.run(sample("react")))
    t = meter.totals()
    assert (t.fallbacks, t.errors, meter.by_agent["Clara Bellini"].fallbacks) == (1, 1, 1)
    (record,) = caplog.records
    message = record.getMessage()
    assert "react" in message and "Clara Bellini" in message and "forced" in message
    assert "not json at all" in message and len(message) < 500


def test_price_lookup_and_override(tmp_path):
    """Dated and routed names find their price; overrides merge; unknown models are free."""
    assert price_of("gpt-4o-mini-2024-07-18") == DEFAULT_PRICES["gpt-4o-mini"]
    assert price_of("openai/gpt-4o") == DEFAULT_PRICES["gpt-4o"]
    assert price_of("gpt-4.1-mini") == DEFAULT_PRICES["gpt-4.1-mini"]
    assert price_of("llama3.1:8b") is None
    assert Meter(Counting(name="openai:gpt-4o")).price(1_000_000, 0) == 2.5
    assert Meter(Counting(name="openai:llama3.1:8b")).price(10**6, 10**6) == 0.0
    assert Meter(ScriptedModel()).price(10**6, 10**6) == 0.0
    mine = Meter(Counting(name="openai:my-model"), prices={"my-model": (1.0, 2.0)})
    assert mine.price(10**6, 10**6) == 3.0 and "gpt-4o" in mine.prices
    p = tmp_path / "prices.json"
    p.write_text('{"my-model": [1.0, 2.0]}')
    assert load_prices(p) == {"my-model": (1.0, 2.0)}


def test_bad_price_files_are_named(tmp_path):
    """Malformed price files raise ConfigError naming the file, model and expected shape."""
    p = tmp_path / "prices.json"
    p.write_text('{"my-model": [1.0]}')
    with pytest.raises(ConfigError, match="prices.json: my-model: expected"):
        load_prices(p)
    p.write_text("[1, 2]")
    with pytest.raises(ConfigError, match="expected an object"):
        load_prices(p)
    with pytest.raises(ConfigError, match="missing.json"):
        load_prices(tmp_path / "missing.json")


def test_budget_reasons():
    """Each limit gives a clear reason once reached, and cache hits are free."""
    used = Usage(
        calls=10,
        cache_hits=4,
        prompt_tokens=900,
        completion_tokens=100,
        cached_tokens=300,
        cost_usd=0.5,
    )
    assert Budget(max_calls=6).exceeded(used) == "budget reached: 6 model calls >= --max-calls 6"
    assert Budget(max_calls=7).exceeded(used) is None
    assert Budget(max_tokens=700).exceeded(used) == (
        "budget reached: 700 tokens >= --max-tokens 700"
    )
    assert Budget(max_tokens=701).exceeded(used) is None
    assert Budget(max_cost=0.5).exceeded(used) == "budget reached: $0.5000 >= --max-cost 0.5"
    assert Budget(max_cost=0.51).exceeded(used) is None
    assert Budget().exceeded(used) is None
    with pytest.raises(ValueError, match="--max-calls must be 0 or more"):
        Budget(max_calls=-1)


def test_llm_over_budget_after_calls():
    """The facade reports the budget once enough requests were made; hits do not count."""
    llm = LLM(ScriptedModel(), budget=Budget(max_calls=2))
    asyncio.run(llm.complete(sample("react")))
    asyncio.run(llm.complete(sample("react")))
    assert llm.over_budget() is None
    asyncio.run(llm.complete(sample("daily_plan")))
    assert llm.over_budget() == "budget reached: 2 model calls >= --max-calls 2"


def test_limit_bounds_requests_in_flight():
    """No more than `concurrency` requests run at once, in any event loop."""
    inner = Counting(delay=0.02)
    limited = Limit(inner, concurrency=3)

    async def go():
        await asyncio.gather(*(limited.run(sample("react")) for _ in range(12)))

    asyncio.run(go())  # the window starts at 1 and grows (tests/test_limit.py)
    assert inner.peak <= 3 and inner.calls == 12
    asyncio.run(go())  # waiters bound to the first loop would raise here
    assert inner.peak <= 3 and inner.calls == 24
    with pytest.raises(ValueError, match="at least 1"):
        Limit(inner, concurrency=0)


def test_config_defaults_and_precedence():
    """No endpoint means scripted; env selects openai; flags win; bad choices are named."""
    c = LLMConfig.resolve({})
    assert (c.backend, c.concurrency, c.seed, c.timeout, c.cache_path) == (
        "scripted",
        16,
        0,
        60.0,
        None,
    )
    assert c.notice.startswith("LLM: scripted") and "OPENAI_API_KEY" in c.notice
    env = {"OPENAI_API_KEY": "sk-1", "SMALLVILLE_MODEL": "m1", "OPENAI_BASE_URL": "http://b"}
    c = LLMConfig.resolve(env)
    assert (c.backend, c.model, c.base_url) == ("openai", "m1", "http://b")
    env["SMALLVILLE_BASE_URL"] = "http://a"
    env["SMALLVILLE_EMBED_MODEL"] = "emb"
    env["SMALLVILLE_PRICES"] = "prices.json"
    c = LLMConfig.resolve(env, model="m2", concurrency=4, seed=7, cache_path=None)
    assert (c.base_url, c.model, c.embed_model, c.concurrency, c.seed) == (
        "http://a",
        "m2",
        "emb",
        4,
        7,
    )
    assert c.prices_path == Path("prices.json")
    assert LLMConfig.resolve(env, base_url="http://flag").base_url == "http://flag"
    scripted = LLMConfig.resolve(env, backend="scripted")
    assert scripted.backend == "scripted" and "OPENAI_API_KEY" not in scripted.notice
    assert LLMConfig.resolve({"SMALLVILLE_BASE_URL": "http://localhost:1/v1"}).backend == "openai"


def test_config_errors_say_what_to_set():
    """Explicit openai without an endpoint, unknown backends and bad values are named."""
    with pytest.raises(ConfigError, match="OPENAI_API_KEY"):
        LLMConfig.resolve({}, backend="openai")
    with pytest.raises(ConfigError, match="'claude'"):
        LLMConfig.resolve({"SMALLVILLE_LLM": "claude"})
    with pytest.raises(ConfigError, match="concurrency"):
        LLMConfig.resolve({}, concurrency=0)
    with pytest.raises(ConfigError, match="not an http"):
        LLMConfig.resolve({}, base_url="localhost:11434")


def test_key_is_redacted_everywhere():
    """The key never shows in repr, str, dumps, notices, descriptions or errors."""
    c = LLMConfig.resolve({"OPENAI_API_KEY": KEY})
    texts = [repr(c), str(c), str(c.model_dump()), c.model_dump_json(), c.notice]
    texts.append(str(c.describe()))
    with pytest.raises(ConfigError) as err:
        LLMConfig.resolve({"OPENAI_API_KEY": KEY}, concurrency=0)
    texts.append(str(err.value))
    assert all(KEY not in t for t in texts)
    assert c.api_key.get_secret_value() == KEY and c.describe()["api_key_set"] is True


def test_url_credentials_are_redacted():
    """User names, passwords and query strings in a base URL stay out of notices and logs."""
    c = LLMConfig.resolve({}, base_url="https://me:hunter2@proxy.example/v1?key=abc")
    assert c.describe()["base_url"] == "https://proxy.example/v1"
    assert "hunter2" not in c.notice and "abc" not in c.notice
    assert c.describe()["model"] == "gpt-4o-mini" and c.describe()["embed_model"] == "local"


def test_build_scripted_answers_and_embeds():
    """build() gives a working offline port with a local embedder and a budget."""
    llm = build(LLMConfig.resolve({}), Budget(max_calls=5))
    plan = asyncio.run(llm.complete(sample("daily_plan")))
    assert plan.items and llm.name == "scripted" and llm.budget.max_calls == 5
    assert asyncio.run(llm.run(sample("daily_plan"))).cached
    assert llm.meter.by_kind["daily_plan"].cache_hits == 1
    x = asyncio.run(llm.embed(["a party at the cafe", "a celebration at the coffee shop"]))
    assert x.shape[0] == 2 and np.allclose(np.linalg.norm(x, axis=1), 1, atol=1e-5)
    assert asyncio.run(llm.embed([])).shape == (0, x.shape[1])
    asyncio.run(llm.aclose())


def test_build_openai_without_network():
    """An openai config builds the right stack and prices (no request is made)."""
    cfg = LLMConfig.resolve({"OPENAI_API_KEY": KEY}, model="gpt-4o")
    llm = build(cfg)
    assert llm.name == "openai:gpt-4o" and llm.meter.price(1_000_000, 0) == 2.5
    assert llm.embedder_name != llm.name  # local embeddings unless an embed model is set
    assert KEY not in repr(llm.backend)
    asyncio.run(llm.aclose())


def test_remote_embeddings_go_through_the_cache(tmp_path):
    """With an embedding model, embeddings are asked of the backend once per text."""
    inner = Counting()
    llm = LLM(inner, cache_path=tmp_path / "c.sqlite", embed_model="e1")
    asyncio.run(llm.embed(["a", "b"]))
    x = asyncio.run(llm.embed(["b", "a"]))
    assert sorted(inner.embedded) == ["a", "b"] and x.shape == (2, 16)


def test_scripted_path_never_imports_openai():
    """Building and using the scripted port leaves the openai client unimported."""
    code = (
        "import asyncio, sys\n"
        "from smallville.llm import LLMConfig, build\n"
        "llm = build(LLMConfig.resolve({}))\n"
        "asyncio.run(llm.embed(['x']))\n"
        "print('openai' in sys.modules)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "False"
