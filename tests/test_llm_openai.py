"""The openai backend driven through the real client and real sockets to a fake server."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from string import Template

import numpy as np
import pytest
from fake_openai import (
    LLAMA_CPP_REJECT,
    THINK_PREFIX,
    FakeOpenAI,
    Fault,
    rate_limited,
)
from pydantic import BaseModel, Field

from smallville.llm import templates
from smallville.llm.check import run_check
from smallville.llm.config import LLMConfig
from smallville.llm.jsonout import NoJSON, extract_json
from smallville.llm.openai_backend import OpenAIBackend
from smallville.llm.openai_transport import TransportError
from smallville.llm.port import Model
from smallville.llm.task import PromptTask

KEY = "sk-test-SECRET-0123456789"
COLORS = ("red", "green", "blue")
GOOD = json.dumps({"color": "green", "count": 2})


class PickIn(BaseModel):
    thing: str


class Pick(BaseModel):
    color: str
    count: int = Field(ge=1, le=5)


FALLBACK = Pick(color="red", count=1)


@pytest.fixture(autouse=True)
def pick_template(monkeypatch):
    """A template for this file's own tiny task kind, independent of the shipped ones."""
    real = templates.template

    def template(kind: str) -> Template:
        return Template("Pick a colour and a count for $thing.") if kind == "pick" else real(kind)

    monkeypatch.setattr(templates, "template", template)


def pick_task() -> PromptTask[Pick]:
    return PromptTask(
        kind="pick",
        inputs=PickIn(thing="the bakery door"),
        output=Pick,
        fallback=FALLBACK,
        choices={"color": COLORS},
    )


def backend(server: FakeOpenAI, **kw) -> OpenAIBackend:
    kw.setdefault("timeout", 2.0)
    kw.setdefault("max_attempts", 4)
    kw.setdefault("backoff", (0.01, 0.05))
    kw.setdefault("api_key", KEY)
    return OpenAIBackend(model="test-model", base_url=server.base_url, **kw)


def run_all(server: FakeOpenAI, n: int = 1, concurrent: bool = False, **kw):
    """Run ``n`` pick tasks on one backend; returns (completions, backend)."""

    async def go():
        b = backend(server, **kw)
        try:
            if concurrent:
                return list(await asyncio.gather(*(b.run(pick_task()) for _ in range(n)))), b
            return [await b.run(pick_task()) for _ in range(n)], b
        finally:
            await b.aclose()

    return asyncio.run(go())


def ask(server: FakeOpenAI, **kw):
    (c,), b = run_all(server, **kw)
    return c, b


def formats(server: FakeOpenAI) -> list[str | None]:
    return [(r["body"].get("response_format") or {}).get("type") for r in server.requests]


# ----------------------------------------------------------------- transport faults
@pytest.mark.parametrize(
    "fault",
    [
        rate_limited(0.05),
        rate_limited(0.05, ms=True),
        Fault(status=500),
        Fault(status=502),
        Fault(status=503),
        Fault(drop=True),
        Fault(hang=2.0),
        Fault(body="<html>bad gateway</html>"),
        Fault(body='{"object": "chat.completion", "choices": []}'),
    ],
    ids=["429", "429-ms", "500", "502", "503", "dropped", "hang", "html-body", "no-choices"],
)
def test_transient_faults_are_retried_to_a_valid_answer(fault):
    """Rate limits, 5xx, dropped connections, hangs and unreadable bodies are retried."""
    with FakeOpenAI(responder=lambda r: GOOD) as srv:
        srv.inject(fault)
        c, _ = ask(srv, timeout=1.0)  # room for a loaded machine; the hang outlasts it
    assert not c.fallback and c.error is None and c.value == Pick(color="green", count=2)
    assert c.retries == 1 and len(srv.requests) == 2


@pytest.mark.parametrize("ms", [False, True], ids=["retry-after", "retry-after-ms"])
def test_retry_after_is_honoured(ms):
    """A 429's Retry-After (seconds or ms) is waited before the next attempt."""
    with FakeOpenAI(responder=lambda r: GOOD) as srv:
        srv.inject(rate_limited(0.3, ms=ms))
        t0 = time.perf_counter()
        c, _ = ask(srv)
        took = time.perf_counter() - t0
    assert not c.fallback and c.retries == 1 and took >= 0.3


def test_retry_after_is_bounded():
    """A server asking for a long wait gets at most max_retry_after."""
    with FakeOpenAI(responder=lambda r: GOOD) as srv:
        srv.inject(rate_limited(3600))
        t0 = time.perf_counter()
        c, _ = ask(srv, max_retry_after=0.05)
    assert not c.fallback and time.perf_counter() - t0 < 1.5


@pytest.mark.parametrize("status", [400, 401, 404, 422])
def test_client_errors_are_not_retried(status):
    """A 4xx other than 429 is a fallback at once: one request, no retries."""
    with FakeOpenAI(responder=lambda r: GOOD) as srv:
        srv.inject(Fault(status=status, message="model not found"))
        c, _ = ask(srv)
    assert c.fallback and c.retries == 0 and len(srv.requests) == 1
    assert c.error == f"HTTP {status}: model not found" and c.value == FALLBACK


def test_server_down_ends_in_a_counted_fallback():
    """When every attempt fails the task falls back with the retries counted; nothing raises."""
    with FakeOpenAI(responder=lambda r: GOOD) as srv:
        srv.inject(*[Fault(status=503, message="overloaded")] * 10)
        c, _ = ask(srv, max_attempts=3)
    assert c.fallback and c.retries == 2 and len(srv.requests) == 3
    assert c.error == "HTTP 503: overloaded after 3 attempts" and c.raw == ""


def test_endless_hang_ends_in_a_timeout_fallback():
    """A server that never answers costs max_attempts timeouts, then a fallback."""
    with FakeOpenAI(responder=lambda r: GOOD) as srv:
        srv.inject(*[Fault(hang=5.0)] * 3)
        t0 = time.perf_counter()
        c, _ = ask(srv, timeout=0.2, max_attempts=2)
        took = time.perf_counter() - t0
    assert c.fallback and c.retries == 1 and "no answer within 0.2 s" in c.error
    assert took < 2.0


def test_unreachable_server_is_a_fallback():
    """Nothing listening on the port: a connection error, retried, then a fallback."""
    with FakeOpenAI() as srv:
        url = srv.base_url
    b_args = {"model": "m", "base_url": url, "api_key": KEY, "timeout": 0.5}

    async def go():
        b = OpenAIBackend(**b_args, max_attempts=2, backoff=(0.01, 0.02))
        try:
            return await b.run(pick_task())
        finally:
            await b.aclose()

    c = asyncio.run(go())
    assert c.fallback and c.retries == 1 and c.error.startswith("connection failed")


# ----------------------------------------------------------------- bad answers
@pytest.mark.parametrize(
    ("content", "why"),
    [
        ("this is not JSON", "no JSON object"),
        ('{"color": "green", "count": 9}', "count: Input should be less than or equal to 5"),
        ('{"count": 2}', "color: Field required"),
        ('{"color": "purple", "count": 2}', "color: 'purple' is not one of"),
        ("<think>Hmm, green or", "only a <think> block"),
    ],
    ids=["invalid-json", "schema-violation", "missing-field", "out-of-range-enum", "open-think"],
)
def test_bad_answer_is_reasked_once_with_the_error(content, why):
    """A bad answer is re-asked once in the same conversation, telling the model what failed."""
    with FakeOpenAI(responder=lambda r: GOOD) as srv:
        srv.inject(Fault(content=content))
        c, _ = ask(srv)
    assert c.outcome == "repaired" and c.value.color == "green" and c.retries == 0
    assert why in c.error and c.check in ("schema", "choices")
    reask = srv.requests[1]["body"]["messages"]
    assert reask[-2] == {"role": "assistant", "content": content}
    assert reask[-1]["role"] == "user" and why in reask[-1]["content"]
    assert c.prompt_tokens > srv.requests[0]["body"]["messages"][1]["content"].count(" ")


def test_two_bad_answers_fall_back_with_error_and_raw_text():
    """After the re-ask fails too, the fallback comes back marked, with the error and raw text."""
    with FakeOpenAI(responder=lambda r: '{"color": "purple", "count": 2}') as srv:
        c, _ = ask(srv)
    assert c.fallback and c.value == FALLBACK and len(srv.requests) == 2
    assert c.check == "choices" and not c.unreachable
    assert "'purple' is not one of" in c.error and c.raw == '{"color": "purple", "count": 2}'
    assert c.completion_tokens > 0 and c.mode == "json_schema"


def test_think_prefix_and_prose_are_stripped():
    """A reasoning model's <think> block and chatter around the JSON are ignored."""
    with FakeOpenAI(responder=lambda r: GOOD) as srv:
        srv.inject(Fault(prefix=THINK_PREFIX))
        c, _ = ask(srv)
    assert not c.fallback and c.value.color == "green" and len(srv.requests) == 1
    assert c.raw.startswith("<think>")


# ----------------------------------------------------------------- output modes
def test_first_request_asks_for_json_schema_with_choices_as_enums():
    """A Model whose request carries the schema (choices as enums), kind, seed and params."""
    with FakeOpenAI(responder=lambda r: GOOD) as srv:
        c, b = ask(srv, seed=7, temperature=0.0, max_tokens=99)
    assert isinstance(b, Model) and b.name == "openai:test-model"
    body = srv.requests[0]["body"]
    fmt = body["response_format"]
    assert fmt["type"] == "json_schema" and c.mode == "json_schema"
    assert fmt["json_schema"]["name"] == "pick" and fmt["json_schema"]["strict"] is False
    assert fmt["json_schema"]["schema"]["properties"]["color"]["enum"] == list(COLORS)
    assert (body["model"], body["seed"], body["temperature"], body["max_tokens"]) == (
        "test-model",
        7,
        0.0,
        99,
    )
    assert body["messages"][1]["content"] == "Pick a colour and a count for the bakery door."


def test_json_schema_rejection_downgrades_once_and_is_remembered():
    """llama.cpp's 500 on json_schema switches to json_object (with schema) for the session."""
    with FakeOpenAI(responder=lambda r: GOOD, reject_formats={"json_schema"}) as srv:
        (first, second), b = run_all(srv, n=2)
    assert first.mode == second.mode == b.mode == "json_object"
    assert not first.fallback and not second.fallback and first.retries == 0
    assert formats(srv) == ["json_schema", "json_object", "json_object"]
    assert srv.requests[1]["body"]["response_format"]["schema"]["properties"]["color"]["enum"]


def test_concurrent_rejections_downgrade_only_one_step():
    """Many calls rejected at once in json_schema mode do not skip json_object."""
    with FakeOpenAI(responder=lambda r: GOOD, reject_formats={"json_schema"}, latency=0.05) as srv:
        cs, b = run_all(srv, n=8, concurrent=True)
    assert b.mode == "json_object" and all(c.mode == "json_object" for c in cs)
    assert not any(c.fallback for c in cs) and None not in formats(srv)


def test_plain_mode_when_no_response_format_is_accepted():
    """A server rejecting both formats gets the schema in the prompt, remembered afterwards."""
    with FakeOpenAI(responder=lambda r: GOOD, reject_formats={"json_schema", "json_object"}) as srv:
        (first, second), _ = run_all(srv, n=2)
    assert first.mode == second.mode == "plain" and not first.fallback and not second.fallback
    assert formats(srv) == ["json_schema", "json_object", None, None]
    prompt = srv.requests[-1]["body"]["messages"][1]["content"]
    assert prompt.startswith("Pick a colour") and '"enum": ["red", "green", "blue"]' in prompt


@pytest.mark.parametrize("status", [400, 422])
def test_client_error_about_response_format_downgrades(status):
    """A 400/422 naming response_format is a downgrade, not a failure."""
    with FakeOpenAI(responder=lambda r: GOOD) as srv:
        srv.inject(Fault(status=status, message="response_format json_schema is not supported"))
        c, _ = ask(srv)
    assert c.mode == "json_object" and not c.fallback and formats(srv)[-1] == "json_object"


# ----------------------------------------------------------------- usage and secrets
def test_usage_comes_from_the_server():
    """Prompt and completion tokens are the server's usage figures."""
    with FakeOpenAI(responder=lambda r: GOOD) as srv:
        c, _ = ask(srv)
    sent = sum(len(m["content"]) for m in srv.requests[0]["body"]["messages"]) // 4
    assert (c.prompt_tokens, c.completion_tokens) == (sent, len(GOOD) // 4)


def test_usage_is_estimated_when_the_server_gives_none():
    """Without a usage block, tokens are estimated at about four characters each."""
    answer = {"choices": [{"index": 0, "message": {"role": "assistant", "content": GOOD}}]}
    with FakeOpenAI() as srv:
        srv.inject(Fault(body=json.dumps(answer)))
        c, _ = ask(srv)
    sent = len(" ".join(m["content"] for m in srv.requests[0]["body"]["messages"]))
    assert not c.fallback and c.completion_tokens == -(-len(GOOD) // 4)
    assert c.prompt_tokens == -(-sent // 4)


def test_api_key_is_sent_but_never_leaks(caplog):
    """The key goes out as a header but not into errors, raw text, reprs or logs."""
    with caplog.at_level(logging.DEBUG), FakeOpenAI(responder=lambda r: f"echo {KEY}") as srv:
        srv.inject(Fault(status=401, message=f"Incorrect API key provided: {KEY}"))
        c1, b = ask(srv)
        srv.inject(*[Fault(status=500, message=f"boom {KEY}")] * 2)
        c2, _ = ask(srv, max_attempts=2)
        c3, _ = ask(srv)

        async def embed_fails():
            e = backend(srv, embed_model="e", max_attempts=1)
            srv.inject(Fault(status=403, message=f"no access for {KEY}"))
            try:
                await e.embed(["a"])
            finally:
                await e.aclose()

        with pytest.raises(TransportError) as info:
            asyncio.run(embed_fails())
    assert srv.requests[0]["headers"]["authorization"] == f"Bearer {KEY}"
    assert c1.fallback and c2.fallback and c3.fallback and "***" in c1.error + c2.error
    for text in (repr(c1), repr(c2), repr(c3), repr(b), str(info.value), caplog.text):
        assert KEY not in text


def test_missing_key_sends_a_placeholder():
    """A local server without auth gets a placeholder key, not the environment's."""
    with FakeOpenAI(responder=lambda r: GOOD) as srv:
        c, _ = ask(srv, api_key=None)
    assert not c.fallback
    assert srv.requests[0]["headers"]["authorization"] == "Bearer not-needed"


# ----------------------------------------------------------------- embeddings
def test_embeddings_are_float32_unit_rows_in_input_order():
    """/v1/embeddings gives float32 L2-normalised rows, batched, retried on a 503."""
    texts = [f"text {i}" for i in range(300)]
    with FakeOpenAI() as srv:
        srv.inject(Fault(status=503))

        async def go():
            b = backend(srv, embed_model="e")
            try:
                return await b.embed(texts), await b.embed(["text 7"])
            finally:
                await b.aclose()

        x, one = asyncio.run(go())
    assert x.shape == (300, 8) and x.dtype == np.float32
    assert np.allclose(np.linalg.norm(x, axis=1), 1.0, atol=1e-5)
    assert np.allclose(x[7], one[0])
    sizes = [len(r["body"]["input"]) for r in srv.requests]
    assert sizes == [256, 256, 44, 1] and srv.requests[0]["body"]["model"] == "e"


def test_embed_without_a_model_says_what_to_set():
    """Asking for embeddings with no embed model is a configuration error naming the fix."""
    with FakeOpenAI() as srv:

        async def go():
            b = backend(srv)
            try:
                await b.embed(["a"])
            finally:
                await b.aclose()

        with pytest.raises(ValueError, match="SMALLVILLE_EMBED_MODEL"):
            asyncio.run(go())
    assert srv.requests == []


# ----------------------------------------------------------------- extract_json
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"a": 1}', {"a": 1}),
        ('```json\n{"a": "}{"}\n```', {"a": "}{"}),
        ('Sure! Here it is:\n{"a": {"b": [1, 2]}}\nHope that helps {:)}', {"a": {"b": [1, 2]}}),
        ('x {broken} y {"b": [1, {"c": 2}]}', {"b": [1, {"c": 2}]}),
        ('<think>maybe {"a": 0}</think>{"a": 1}', {"a": 1}),
        ('<THINK>a</THINK> <think>b</think>\n{"a": 1}', {"a": 1}),
        ('I reasoned {"a": 0} silently</think>{"a": 1}', {"a": 1}),
        ('Use { carefully. {"a": "x\\"}"}', {"a": 'x"}'}),
        ('{"a": "line\nbreak"}', {"a": "line\nbreak"}),
        ('{"a": 1, oops {"b": 2}} then {"c": 3}', {"c": 3}),
    ],
    ids=[
        "bare",
        "fence",
        "prose",
        "broken-first",
        "think",
        "two-thinks",
        "unopened-think",
        "stray-brace",
        "raw-newline",
        "nested-in-broken",
    ],
)
def test_extract_json_finds_the_first_top_level_object(text, expected):
    """Fences, prose, reasoning and stray braces around the object are skipped."""
    assert extract_json(text) == expected


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("", "empty"),
        ("   \n", "empty"),
        ("<think>no answer yet", "only a <think> block"),
        ('{"a": [1, 2', "not closed"),
        ("[1, 2, 3]", "no JSON object"),
        ("I cannot help with that.", "no JSON object"),
    ],
)
def test_extract_json_says_why_there_is_no_object(text, why):
    """No object, an unclosed one or only reasoning raise NoJSON with the reason."""
    with pytest.raises(NoJSON, match=why):
        extract_json(text)


# ----------------------------------------------------------------- fake server, llm check
def test_fake_server_stops_promptly_even_while_a_request_hangs():
    """Leaving the context ends hanging handlers; the port is closed afterwards."""
    t0 = time.perf_counter()
    with FakeOpenAI() as srv:
        srv.inject(Fault(hang=30.0))
        c, _ = ask(srv, timeout=0.2, max_attempts=1)
    assert c.fallback and time.perf_counter() - t0 < 2.0
    assert srv.requests[0]["path"] == "/v1/chat/completions"


def test_llm_check_reports_mode_and_failure():
    """`llm check` says which output mode works, and fails on a dead endpoint."""
    with FakeOpenAI(responder=lambda r: '{"scores": [7]}', reject_formats={"json_schema"}) as srv:
        cfg = LLMConfig.resolve({}, backend="openai", base_url=srv.base_url, model="m")
        report = run_check(cfg)
    assert report.ok and any("json_object" in line for line in report.lines)
    with FakeOpenAI() as srv:
        srv.inject(*[Fault(status=404, message="no such model")] * 3)
        cfg = LLMConfig.resolve({}, backend="openai", base_url=srv.base_url, model="m")
        report = run_check(cfg)
    assert not report.ok and any("FAILED" in line and "404" in line for line in report.lines)
    assert LLAMA_CPP_REJECT.startswith("Input should be")
