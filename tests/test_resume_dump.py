"""Issue 12, item 1: a run killed outright and resumed dumps exactly what an
uninterrupted run dumps, with an endpoint model whose answers go through the
response cache (so the resumed ticks are cache hits)."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from fake_openai import FakeOpenAI, minimal_answer

from smallville.runfile import CallRow, RunLog

ROOT = Path(__file__).resolve().parents[1]


def answer(request: dict) -> str:
    """The smallest valid answer to a task; "OK" to the endpoint probe."""
    return minimal_answer(request) if "response_format" in request else "OK"


@pytest.fixture(scope="module")
def endpoint():
    with FakeOpenAI(responder=answer) as server:
        yield server.base_url


def smallville(*argv: str, wait: bool = True):
    env = {**os.environ, "PYTHONPATH": str(ROOT), "SMALLVILLE_MODEL": "fake-model"}
    for name in ("OPENAI_API_KEY", "SMALLVILLE_LLM", "SMALLVILLE_BASE_URL", "OPENAI_BASE_URL"):
        env.pop(name, None)
    cmd = [sys.executable, "-m", "smallville.cli", *argv]
    if wait:
        return subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=300)
    return subprocess.Popen(
        cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env
    )


def last_tick(path: Path) -> int:
    if not path.exists():
        return -1
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as c:
            return c.execute("SELECT COALESCE(MAX(tick), -1) FROM ticks").fetchone()[0]
    except sqlite3.Error:
        return -1


def whole_dump(path: Path) -> str:
    proc = smallville("log", "dump", str(path))
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def cache_hits(path: Path) -> int:
    log = RunLog.open(path, readonly=True)
    try:
        return sum(t.cache_hits for t in log.call_totals().values())
    finally:
        log.close()


def killed_and_resumed_matches(tmp_path: Path, url: str, town: str, hours: str, kill_at: int):
    """Run ``town`` uninterrupted and, with a fresh cache, SIGKILLed past its first
    checkpoint (every game hour: 360 ticks) and resumed; compare the whole dumps."""
    world = ["--world", str(ROOT / "worlds" / f"{town}.json"), "--hours", hours]
    model = ["--base-url", url, "--quiet"]
    base = tmp_path / "base.sqlite"
    done = smallville(
        "run", *world, *model, "--cache", str(tmp_path / "c1.sqlite"), "--out", str(base)
    )
    assert done.returncode == 0, done.stderr

    out, cache = tmp_path / "killed.sqlite", str(tmp_path / "c2.sqlite")
    proc = smallville("run", *world, *model, "--cache", cache, "--out", str(out), wait=False)
    deadline = time.time() + 120
    while last_tick(out) < kill_at and proc.poll() is None and time.time() < deadline:
        time.sleep(0.005)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    end = round(float(hours) * 360) - 1
    assert kill_at <= last_tick(out) < end, "the kill should land after a checkpoint"
    resumed = smallville("run", "--resume", str(out), *model, "--cache", cache)
    assert resumed.returncode == 0, resumed.stderr

    # the resumed ticks were answered from the cache: the run files differ there...
    assert cache_hits(out) > cache_hits(base)
    # ...and the whole dump, every line, does not
    expected, got = whole_dump(base), whole_dump(out)
    assert got.count("\n") > 1000 and '"type":"llm_call"' in got
    assert got == expected
    rows = [json.loads(line) for line in got.splitlines()]
    calls = [r for r in rows if r["type"] == "llm_call"]
    assert calls and not any({"cached", "retries", "error", "latency"} & r.keys() for r in calls)
    assert all({"kind", "outcome", "fallback", "prompt_tokens"} <= r.keys() for r in calls)


def test_killed_and_resumed_cafe_with_a_cached_endpoint_dumps_the_same(tmp_path, endpoint):
    """Cafe, endpoint model with a response cache: SIGKILL mid-run, resume, same dump."""
    killed_and_resumed_matches(tmp_path, endpoint, "cafe", "3", kill_at=800)


@pytest.mark.slow
def test_killed_and_resumed_ville_with_a_cached_endpoint_dumps_the_same(tmp_path, endpoint):
    """The Ville (25 residents), endpoint model with a response cache: SIGKILL mid-run,
    resume, the whole dump equals the uninterrupted run's."""
    killed_and_resumed_matches(tmp_path, endpoint, "the_ville", "2", kill_at=450)


def test_dump_leaves_out_what_depends_on_the_cache(tmp_path):
    """Two call rows that differ only in cache hit, retries, error and latency dump alike."""
    dumps = []
    for cached, retries, error, latency in ((0, 2, "429 then ok", 1.5), (1, 0, None, 0.0)):
        log = RunLog.create(tmp_path / f"r{cached}.sqlite", {"config": {}})
        call = ("daily_plan", 10, 5, cached, 0, retries, error, "repaired", "plan_examples")
        log.add(CallRow(0, 0, *call, latency))
        log.commit()
        dumps.append(list(log.dump()))
        log.close()
    assert dumps[0] == dumps[1]
    call = json.loads(dumps[0][-1])
    assert call["outcome"] == "repaired" and call["failed_check"] == "plan_examples"


def test_plots_of_a_run_without_tracked_facts_skip_diffusion(tmp_path, recwarn):
    """No tracked facts: no diffusion plot, no matplotlib warning, and the reason is given."""
    from smallville.analysis.plots import write_plots

    out = tmp_path / "cafe.sqlite"
    cafe = ["--world", str(ROOT / "worlds" / "cafe.json"), "--llm", "scripted", "--quiet"]
    proc = smallville("run", *cafe, "--hours", "0.2", "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    from smallville.analysis import analyze
    from smallville.replay import Run

    with Run.open(out) as run:
        result = analyze(run)
    assert not result["diffusion"]
    paths = write_plots(result, tmp_path / "plots")
    assert sorted(p.name for p in paths) == ["llm_usage.png", "relationships.png", "time_use.png"]
    assert not (tmp_path / "plots" / "diffusion.png").exists()
    assert "diffusion.png" in paths.skipped and "tracks no facts" in str(paths)
    assert not [w for w in recwarn if "legend" in str(w.message).lower()]
