"""A whole run against a misbehaving endpoint: the real openai client over HTTP, a model
that answers garbage, half a JSON object, out-of-range numbers, unknown choices or
chatter around its JSON, and a server that fails with 500s, 429s and dropped
connections. The run must finish, count what went wrong, and keep the key secret."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

from fake_openai import THINK_PREFIX, FakeOpenAI, Fault, minimal_answer, rate_limited
from inprocess import run_town

from smallville.llm import LLM
from smallville.llm.openai_backend import OpenAIBackend
from smallville.runfile import RunLog

ROOT = Path(__file__).resolve().parents[1]
KEY = "sk-chaos-0123456789abcdef"


def chaotic(request: dict) -> str:
    """Answers chosen by the prompt's hash (so the run is repeatable): one in three is
    good, the rest are the ways small local models go wrong."""
    good = minimal_answer(request)
    prompt = json.dumps(request.get("messages", []))
    pick = int(hashlib.sha256(prompt.encode()).hexdigest(), 16) % 9
    return [
        good,
        good,
        good,
        "I'm sorry, but as an AI I cannot pretend to be a person.",
        good[: len(good) // 2],  # cut off mid-object
        re.sub(r"\b\d+\b", "1000000000", good) if re.search(r"\d", good) else "{}",
        re.sub(r'"(talk|wait|continue)"', '"dance"', good) if "talk" in good else "[]",
        THINK_PREFIX + good + "\nHope this helps!",
        "```json\n" + good + "\n```",
    ][pick]


def test_a_run_survives_a_misbehaving_endpoint(tmp_path):
    out = tmp_path / "chaos.sqlite"
    with FakeOpenAI(responder=chaotic) as server:
        for fault in (
            Fault(status=500),
            rate_limited(0.01),
            Fault(drop=True),
            Fault(status=503),
            Fault(body="<html>502 Bad Gateway</html>"),
        ):
            server.inject(fault)
        backend = OpenAIBackend(
            model="small-local",
            base_url=server.base_url,
            api_key=KEY,
            timeout=5,
            backoff=(0.01, 0.05),
        )
        llm = LLM(backend, model_name="small-local", concurrency=4)
        outcome = run_town("cafe", out, llm, hours=1, model="small-local")
        requests = len(server.requests)
    assert outcome.reason == "done" and outcome.ticks == 360
    log = RunLog.open(out, readonly=True)
    try:
        rows = log.calls()
        calls, fallbacks, retries = (
            len(rows),
            sum(r.fallback for r in rows),
            sum(r.retries for r in rows),
        )
        acted = {a.agent for a in log.actions()}
        dumped = list(log.dump())
    finally:
        log.close()
    assert requests > calls > 10  # re-asks and retries on top of one request a call
    assert 0 < fallbacks < calls  # bad answers fell back, good ones did not
    assert retries >= 4  # the injected 500, 429, drop, 503 and broken body were retried
    assert acted == {0, 1, 2}  # everyone still did things
    assert len(dumped) > 100
    for path in tmp_path.iterdir():
        assert KEY.encode() not in path.read_bytes()
