"""`smallville llm check` measures how many requests the server runs at once."""

from __future__ import annotations

import os
import re

import pytest
from fake_openai import FakeOpenAI, minimal_answer

from smallville.cli import main
from smallville.llm.check import run_check
from smallville.llm.config import LLMConfig


@pytest.fixture(autouse=True)
def clean_env(monkeypatch):
    """No model settings from the machine running the tests."""
    for name in list(os.environ):
        if name.startswith(("SMALLVILLE_", "OPENAI_")):
            monkeypatch.delenv(name)


def check(slots: int | None, latency: float = 0.15, **kw) -> tuple[str, int, int]:
    """The parallelism line, the --concurrency it recommends, and the requests it took."""
    with FakeOpenAI(minimal_answer, slots=slots, latency=latency) as fake:
        config = LLMConfig.resolve(
            {}, backend="openai", base_url=fake.base_url, model="m", **kw.pop("config", {})
        )
        report = run_check(config, **kw)
    assert report.ok
    (line,) = [x for x in report.lines if x.startswith("parallel requests:")]
    return line, int(re.search(r"--concurrency (\d+)", line).group(1)), len(fake.requests)


def test_one_slot_server_gets_concurrency_one():
    """A server that answers one at a time: recommend 1, after bursts of 1 and 2 only."""
    line, recommended, requests = check(slots=1)
    assert recommended == 1 and "runs about 1 at a time (burst of 2 took" in line
    assert "adaptive concurrency will find it anyway" in line
    assert requests == 1 + 1 + 2  # the structured request, then the ramp stops at once


def test_four_slot_server_gets_concurrency_four():
    """Four slots: bursts up to 4 take one request's time, 8 takes two; recommend 4."""
    line, recommended, requests = check(slots=4)
    assert recommended == 4 and "burst of 8 took" in line
    assert requests == 1 + 1 + 2 + 4 + 8


def test_ramp_stops_at_max_burst_and_says_it_is_a_lower_bound():
    """A server that never queues is reported as running at least the largest burst."""
    line, recommended, requests = check(slots=None, max_burst=4)
    assert recommended == 4 and "at least 4 at a time" in line and "or more" in line
    assert requests == 1 + 1 + 2 + 4


def test_a_burst_that_times_out_ends_the_ramp():
    """The second request of a burst of 2 outlasts the timeout: the ramp stops, says why."""
    line, recommended, _ = check(slots=1, latency=0.2, config={"timeout": 0.3})
    assert recommended == 1 and "a burst of 2 went wrong" in line


def test_measurement_can_be_skipped_and_scripted_is_not_measured():
    """--max-burst 0 sends only the structured request; the scripted model needs no check."""
    with FakeOpenAI(minimal_answer) as fake:
        config = LLMConfig.resolve({}, backend="openai", base_url=fake.base_url, model="m")
        report = run_check(config, max_burst=0)
    assert report.ok and len(fake.requests) == 1
    assert not any(x.startswith("parallel requests:") for x in report.lines)
    report = run_check(LLMConfig.resolve({}))
    assert report.ok and not any("parallel" in x for x in report.lines)


def test_cli_prints_the_recommendation(capsys):
    """`smallville llm check --max-burst 2` prints the parallelism line and exits 0."""
    with FakeOpenAI(minimal_answer, slots=1, latency=0.05) as fake:
        argv = ["llm", "check", "--base-url", fake.base_url, "--model", "m", "--max-burst", "2"]
        assert main(argv) == 0
    out = capsys.readouterr().out
    assert "structured request: ok" in out and "use --concurrency 1" in out
    assert len(fake.requests) == 1 + 1 + 2
