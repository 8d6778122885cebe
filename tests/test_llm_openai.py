"""The openai backend driven through the real client against a fake server on 127.0.0.1."""

from __future__ import annotations

import asyncio
import json
import logging

import pytest

from smallville.llm import LLM, LLMConfig
from smallville.llm.check import run_check
from smallville.llm.fakeserver import LLAMA_CPP_REJECT, FakeOpenAI, Fault, rate_limited
from smallville.llm.jsonout import NoJSON, extract_json
from smallville.llm.kinds import (
    ChoosePlaceIn,
    PersonaBrief,
    PlaceChoice,
    PlaceChoices,
    ReactIn,
    Reaction,
)
from smallville.llm.openai_backend import OpenAIBackend
from smallville.llm.task import PromptTask

KEY = "sk-test-SECRET-0123456789"
PERSONA = PersonaBrief(name="Ann Lee", age=30)
GOOD = json.dumps({"decision": "talk", "reason": "an old friend"})


def react_task() -> PromptTask:
    return PromptTask(
        kind="react",
        inputs=ReactIn(
            persona=PERSONA,
            now="2023-02-13 09:00",
            current_action="reading",
            observation="Bob is here",
            other="Bob Stone",
        ),
        output=Reaction,
        fallback=Reaction(decision="continue", reason="fallback"),
    )


def ask(server: FakeOpenAI, task: PromptTask | None = None, **kw):
    async def go():
        b = OpenAIBackend(
            model="test-model",
            base_url=server.base_url,
            api_key=KEY,
            timeout=kw.pop("timeout", 2.0),
            max_attempts=kw.pop("max_attempts", 4),
            backoff=(0.01, 0.05),
            **kw,
        )
        try:
            return await b.run(task or react_task()), b
        finally:
            await b.aclose()

    return asyncio.run(go())


@pytest.mark.parametrize(
    ("fault", "retries"),
    [
        (rate_limited(0.05), 1),
        (Fault(status=500), 1),
        (Fault(status=503), 1),
        (Fault(drop=True), 1),
        (Fault(hang=3.0), 1),
    ],
    ids=["429", "500", "503", "dropped", "hang"],
)
def test_transient_faults_are_retried(fault, retries):
    """Rate limits, 5xx, dropped connections and hangs are retried to a valid answer."""
    with FakeOpenAI(responder=lambda r: GOOD) as srv:
        srv.inject(fault)
        c, _ = ask(srv, timeout=1.0)
    assert not c.fallback and c.value.decision == "talk"
    assert c.retries == retries and len(srv.requests) == 2


def test_retry_after_is_honoured():
    """A 429's Retry-After is waited before the next attempt."""
    import time

    with FakeOpenAI(responder=lambda r: GOOD) as srv:
        srv.inject(rate_limited(0.4))
        t0 = time.perf_counter()
        c, _ = ask(srv)
        took = time.perf_counter() - t0
    assert not c.fallback and took >= 0.4


def test_bad_request_is_not_retried():
    """A 400 is a fallback at once: no retries, one request."""
    with FakeOpenAI(responder=lambda r: GOOD) as srv:
        srv.inject(Fault(status=400, message="model not found"))
        c, _ = ask(srv)
    assert c.fallback and c.retries == 0 and len(srv.requests) == 1
    assert "400" in c.error and c.value.reason == "fallback"


def test_server_down_ends_in_a_counted_fallback():
    """When every attempt fails the step falls back; nothing raises."""
    with FakeOpenAI(responder=lambda r: GOOD) as srv:
        srv.inject(*[Fault(status=503)] * 10)
        c, _ = ask(srv, max_attempts=3)
    assert c.fallback and c.retries == 2 and len(srv.requests) == 3


@pytest.mark.parametrize(
    "content",
    ["this is not JSON", '{"decision": "dance"}', '{"reason": "missing decision"}'],
    ids=["invalid-json", "out-of-range-enum", "schema-violation"],
)
def test_bad_answer_is_reasked_once_with_the_error(content):
    """A bad answer is re-asked once, telling the model what was wrong."""
    with FakeOpenAI(responder=lambda r: GOOD) as srv:
        srv.inject(Fault(content=content))
        c, _ = ask(srv)
    assert not c.fallback and c.value.decision == "talk"
    reask = srv.requests[1]["body"]["messages"]
    assert reask[-2]["content"] == content and "not valid" in reask[-1]["content"]


def test_two_bad_answers_fall_back_with_raw_output(caplog):
    """After the re-ask fails too, the fallback is used, counted and logged with the raw text."""
    with FakeOpenAI(responder=lambda r: '{"decision": "dance"}') as srv:

        async def go():
            b = OpenAIBackend(model="m", base_url=srv.base_url, api_key=KEY, timeout=2.0)
            llm = LLM(b)
            try:
                value = await llm.complete(react_task())
            finally:
                await llm.aclose()
            return value, llm

        with caplog.at_level(logging.WARNING, logger="smallville.llm"):
            value, llm = asyncio.run(go())
    assert value.decision == "continue"
    assert llm.usage().fallbacks == 1 and llm.meter.by_kind["react"].fallbacks == 1
    assert "dance" in caplog.text and len(srv.requests) == 2


def test_enum_choices_are_checked_on_our_side():
    """A place outside the offered options is rejected even if the schema was ignored."""
    options = ("w:s:a:bed", "w:s:a:desk")
    task = PromptTask(
        kind="choose_place",
        inputs=ChoosePlaceIn(
            persona=PERSONA,
            block_activity="home",
            activities=("sleep",),
            current_place="w:s:a",
            options=options,
        ),
        output=PlaceChoices,
        fallback=PlaceChoices(
            places=[
                PlaceChoice(
                    address="w:s:a:bed",
                    description="sleeping",
                    emoji="z",
                    subject="Ann",
                    predicate="is",
                    object="bed",
                    object_state="in use",
                )
            ]
        ),
        choices={"places.address": options},
        sizes={"places": 1},
    )
    place = {
        "description": "d",
        "emoji": "x",
        "subject": "s",
        "predicate": "p",
        "object": "o",
        "object_state": "st",
    }
    answers = iter(
        [
            {"places": [{**place, "address": "w:s:a:sofa"}]},
            {"places": [{**place, "address": "w:s:a:desk"}]},
        ]
    )
    with FakeOpenAI(responder=lambda r: json.dumps(next(answers))) as srv:
        c, _ = ask(srv, task)
    assert not c.fallback and c.value.places[0].address == "w:s:a:desk"
    sent = srv.requests[0]["body"]["response_format"]["json_schema"]["schema"]
    assert sent["$defs"]["PlaceChoice"]["properties"]["address"]["enum"] == list(options)
    assert "not one of" in srv.requests[1]["body"]["messages"][-1]["content"]


def test_json_schema_rejection_downgrades_once_per_session():
    """llama.cpp's 500 on json_schema switches to json_object, remembered for later calls."""
    with FakeOpenAI(responder=lambda r: GOOD, reject_json_schema=True) as srv:

        async def go():
            b = OpenAIBackend(model="m", base_url=srv.base_url, api_key=KEY, timeout=2.0)
            try:
                first = await b.run(react_task())
                second = await b.run(react_task())
            finally:
                await b.aclose()
            return first, second

        first, second = asyncio.run(go())
    assert first.mode == second.mode == "json_object" and not first.fallback
    kinds = [r["body"].get("response_format", {}).get("type") for r in srv.requests]
    assert kinds == ["json_schema", "json_object", "json_object"]
    assert srv.requests[1]["body"]["response_format"]["schema"]["title"] == "Reaction"


def test_plain_mode_when_no_response_format_is_accepted():
    """A server rejecting both formats gets the schema in the prompt instead."""

    def responder(body):
        return GOOD

    with FakeOpenAI(responder=responder) as srv:
        srv.inject(
            Fault(status=400, message="response_format json_schema not supported"),
            Fault(status=400, message="response_format json_object not supported"),
        )
        c, b = ask(srv)
    assert c.mode == "plain" and not c.fallback
    last = srv.requests[-1]["body"]
    assert "response_format" not in last and "JSON schema" in last["messages"][1]["content"]


def test_think_blocks_and_prose_are_stripped():
    """A reasoning model's <think> block and chatter around the JSON are ignored."""
    with FakeOpenAI(responder=lambda r: GOOD) as srv:
        srv.inject(Fault(prefix="<think>They are friends {so}...</think>\nSure! "))
        c, _ = ask(srv)
    assert not c.fallback and c.value.decision == "talk" and c.retries == 0


def test_extract_json_edge_cases():
    """Code fences, braces inside strings and leading junk are handled; no JSON raises."""
    assert extract_json('```json\n{"a": "}{"}\n```') == {"a": "}{"}
    assert extract_json('x {broken} y {"b": [1, {"c": 2}]}') == {"b": [1, {"c": 2}]}
    with pytest.raises(NoJSON):
        extract_json("<think>no answer yet")


def test_usage_from_server_and_estimated(monkeypatch):
    """Tokens come from the server's usage when present."""
    with FakeOpenAI(responder=lambda r: GOOD) as srv:
        c, _ = ask(srv)
    assert c.prompt_tokens > 20 and c.completion_tokens == len(GOOD) // 4


def test_api_key_never_leaks():
    """The key is sent as a header but never appears in completions, errors or logs."""
    with FakeOpenAI(responder=lambda r: f"leaked {KEY}") as srv:
        srv.inject(Fault(status=401, message=f"bad key {KEY}"))
        c1, b = ask(srv)
        c2, _ = ask(srv)
    headers = {k.lower(): v for k, v in srv.requests[0]["headers"].items()}
    assert headers["authorization"] == f"Bearer {KEY}"
    for c in (c1, c2):
        assert KEY not in f"{c.error} {c.raw} {c}"
    assert KEY not in repr(b)


def test_embeddings_through_the_endpoint():
    """/v1/embeddings answers float32 L2-normalised rows."""
    import numpy as np

    with FakeOpenAI() as srv:

        async def go():
            b = OpenAIBackend(model="m", base_url=srv.base_url, api_key=KEY, embed_model="e")
            try:
                return await b.embed(["a", "b", "c"])
            finally:
                await b.aclose()

        x = asyncio.run(go())
    assert x.shape == (3, 8) and x.dtype == np.float32
    assert np.allclose(np.linalg.norm(x, axis=1), 1.0, atol=1e-5)


def test_llm_check_reports_mode_and_failure():
    """`llm check` says which output mode works, and fails on a dead endpoint."""
    with FakeOpenAI(responder=lambda r: '{"scores": [7]}', reject_json_schema=True) as srv:
        cfg = LLMConfig.resolve({}, backend="openai", base_url=srv.base_url, model="m")
        report = run_check(cfg)
    assert report.ok and any("json_object" in line for line in report.lines)
    with FakeOpenAI() as srv:
        srv.inject(*[Fault(status=404, message="no such model")] * 3)
        cfg = LLMConfig.resolve({}, backend="openai", base_url=srv.base_url, model="m")
        report = run_check(cfg)
    assert not report.ok and any("FAILED" in line for line in report.lines)
    assert LLAMA_CPP_REJECT.startswith("Input should be")
