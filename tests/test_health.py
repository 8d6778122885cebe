"""Behaviour health on runs whose answers are known: a resident who sleeps through its
day, a night owl, a task kind that mostly falls back, a scripted cafe run."""

from __future__ import annotations

import importlib
import json
import re
import sqlite3
import time
from pathlib import Path

import pytest
from handmade import START, new_run

from smallville import gametime as gt
from smallville.analysis import analyze, health
from smallville.cli import main
from smallville.replay import Run
from smallville.runfile import (
    SCHEMA_VERSION,
    ActionRow,
    AgentRow,
    CallRow,
    ConversationRow,
    RunFileError,
    TickRow,
)

ROOT = Path(__file__).resolve().parents[1]
HOUR = 360  # ticks
SLEPT = "1 of 3 residents slept through most of their waking hours (> 50% asleep)"
FELL_BACK = "fallbacks above 30% for: daily_plan"


def build(path: Path, *, sam_sleeps: bool = True, talks: bool = True, failing: bool = True):
    """24 game hours from 06:00 of three residents.

    Sam (07:00-23:00) sleeps all day but for lunch: 15 of 16 waking hours asleep. Bea
    (06:00-22:00) moves through five arenas and sleeps from 22:00. Oli, a night owl
    (22:00-06:00), works the afternoon and sleeps from 03:00: 3 of 8 waking hours asleep.
    Bea and Oli talk once. daily_plan: valid, repaired, 2 fallbacks; utterance: 9 valid
    and a cached repaired answer; react: 2 fallbacks (too few calls to judge).
    """
    log = new_run(path, "2023-02-14 06:00", llm={"backend": "scripted", "model": "scripted"})
    people = [("Sam Sleepy", "07:00", "23:00"), ("Bea Busy", "06:00", "22:00")]
    people.append(("Oli Owl", "22:00", "06:00"))
    for i, (name, wake, sleep) in enumerate(people):
        persona = {"name": name, "age": 30, "wake_time": wake, "sleep_time": sleep}
        log.add(AgentRow(i, name, json.dumps(persona)))

    def act(agent: int, tick: int, what: str, address: str) -> None:
        log.add(ActionRow(tick, agent, 0, 600, what, address, "", "", "", "", None, ""))

    bed, kitchen = "the Cafe:Home:bedroom:bed", "the Cafe:Home:kitchen:stove"
    act(0, 0, "sleeping", bed)
    if sam_sleeps:
        act(0, 6 * HOUR, "eating lunch", kitchen)
        act(0, 7 * HOUR, "sleeping", bed)
    else:
        act(0, 1 * HOUR, "writing", "the Cafe:Home:study:desk")
        act(0, 17 * HOUR, "sleeping", bed)
    act(1, 0, "making coffee", kitchen)
    act(1, 2 * HOUR, "greeting Oli", "the Cafe:Cafe:counter")  # replaced in the same tick
    act(1, 2 * HOUR, "working", "the Cafe:Cafe:counter:till")
    act(1, 6 * HOUR, "eating lunch", "the Cafe:Cafe:dining:table")
    act(1, 8 * HOUR, "reading", "the Cafe:Park:lawn:bench")
    act(1, 12 * HOUR, "cooking dinner", kitchen)
    act(1, 16 * HOUR, "sleeping", bed)
    act(2, 0, "sleeping", bed)
    act(2, 8 * HOUR, "working", "the Cafe:Cafe:counter:till")
    act(2, 21 * HOUR, "sleeping", bed)
    if talks:
        log.add(ConversationRow(1, 3 * HOUR, 3 * HOUR + 12, 1, 2, "the Cafe:Cafe:counter"))

    def call(kind: str, outcome: str, check: str | None = None, cached: int = 0) -> None:
        fallback = int(outcome == "fallback")
        log.add(CallRow(10, 0, kind, 100, 20, cached, fallback, 0, None, outcome, check, 0.1))

    call("daily_plan", "valid")
    if failing:
        call("daily_plan", "repaired", "plan_examples")
        call("daily_plan", "fallback", "plan_examples")
        call("daily_plan", "fallback", "schema")
        call("react", "fallback", "choices")
        call("react", "fallback", "choices")
    for _ in range(9):
        call("utterance", "valid")
    call("utterance", "repaired", "utterance_repeat", cached=1)
    for t in (0, 24 * HOUR - 1):
        log.add(TickRow(t, gt.parse(START) + 10 * t))
    log.commit()
    log.close()
    return path


@pytest.fixture
def known(tmp_path) -> Path:
    return build(tmp_path / "known.sqlite")


def test_a_resident_who_sleeps_through_the_day_is_flagged(known):
    """Sam slept 15 of his 16 usual waking hours; Bea none of hers; the night owl's
    window wraps past midnight (3 of 8 hours asleep). Only Sam is flagged."""
    with Run.open(known) as run:
        h = health(run)
    sam, bea, oli = (h["residents"][n] for n in ("Sam Sleepy", "Bea Busy", "Oli Owl"))
    assert (sam["waking_hours"], sam["asleep_hours"]) == (16, 15)
    assert sam["asleep_share"] == pytest.approx(15 / 16) and sam["flags"] == ["asleep"]
    assert bea["asleep_share"] == 0 and bea["flags"] == []
    assert (oli["waking_hours"], oli["asleep_hours"]) == (8, 3) and oli["flags"] == []
    assert h["summary"]["slept_through"] == 1
    assert h["verdict"] == [SLEPT, FELL_BACK] and not h["healthy"]


def test_activity_per_agent_day(known):
    """Actions that lasted (not the one replaced in its tick), distinct arenas and
    conversations, per resident and per agent-day over one game day."""
    with Run.open(known) as run:
        h = health(run)
    bea = h["residents"]["Bea Busy"]
    assert (bea["actions"], bea["places"], bea["places_per_day"]) == (6, 5, 5)
    assert bea["conversations"] == 1 and h["residents"]["Sam Sleepy"]["conversations"] == 0
    assert h["hours"] == 24 and h["agent_days"] == 3
    assert h["summary"]["actions_per_agent_day"] == pytest.approx((3 + 6 + 3) / 3)
    assert h["summary"]["conversations_per_agent_day"] == pytest.approx(2 / 3)


def test_outcome_shares_per_kind(known):
    """Valid / repaired / fallback shares per kind, a cache hit counted with its stored
    outcome, the failed checks most common first; a kind with 2 calls is not judged."""
    with Run.open(known) as run:
        h = health(run)
    plan, utt, react = (h["by_kind"][k] for k in ("daily_plan", "utterance", "react"))
    assert plan["shares"] == {"valid": 0.25, "repaired": 0.25, "fallback": 0.5}
    assert plan["failed_checks"] == [
        {"check": "plan_examples", "calls": 2},
        {"check": "schema", "calls": 1},
    ]
    assert (utt["calls"], utt["valid"], utt["repaired"], utt["fallback"]) == (10, 9, 1, 0)
    assert react["shares"]["fallback"] == 1.0 and "react" not in " ".join(h["verdict"])
    assert h["summary"]["shares"]["fallback"] == pytest.approx(4 / 16)


def test_a_run_file_of_an_older_schema_is_refused_by_name(known):
    """Every open checks the schema version: an older file is refused with a message
    naming it, its version and what to do, rather than read wrongly."""
    with sqlite3.connect(known) as db:
        db.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (SCHEMA_VERSION - 1,))
    db.close()
    with pytest.raises(RunFileError) as e:
        Run.open(known)
    said = str(e.value)
    assert str(known) in said and f"schema {SCHEMA_VERSION - 1}, expected {SCHEMA_VERSION}" in said
    assert "run it again with this one" in said


def test_no_conversations_and_a_healthy_run(tmp_path):
    """A day without a conversation says so; with none of the problems the verdict is
    'behaviour looks healthy'."""
    with Run.open(build(tmp_path / "quiet.sqlite", talks=False)) as run:
        assert "no conversations in 24 game hours" in health(run)["verdict"]
    fine = build(tmp_path / "fine.sqlite", sam_sleeps=False, failing=False)
    with Run.open(fine) as run:
        h = health(run)
    assert h["verdict"] == ["behaviour looks healthy"] and h["healthy"]


def test_scripted_cafe_run_is_not_flagged(cafe_run):
    """The scripted residents keep their hours and move about: nobody is flagged and the
    verdict has no sleep or place line."""
    with Run.open(cafe_run) as run:
        t = time.perf_counter()
        h = health(run)
        elapsed = time.perf_counter() - t
    assert h["summary"]["slept_through"] == 0
    for name, r in h["residents"].items():
        assert r["flags"] == [] and r["asleep_share"] < 0.1, name
        assert r["waking_hours"] >= 2 and r["places"] >= 2, name
    assert not any("slept" in line or "one place" in line for line in h["verdict"])
    assert elapsed < 0.5


def test_analyze_reports_health(known, tmp_path, capsys):
    """`smallville analyze` prints the health section with the flagged resident and the
    verdict, the calls by kind with repaired and fallback, and the JSON has `health`."""
    out = tmp_path / "m.json"
    assert main(["analyze", str(known), "--json", str(out)]) == 0
    text = capsys.readouterr().out
    section = text[text.index("Behaviour health") : text.index("Time use")]
    assert f"verdict: {SLEPT}" in section and f"verdict: {FELL_BACK}" in section
    assert "Sam Sleepy (asleep): asleep 94% of 16.0 waking hours (07:00-23:00)" in section
    assert "Bea Busy" not in section and "Oli Owl" not in section
    assert "daily_plan failed checks: plan_examples 2, schema 1" in section
    assert "calls by kind (calls / repaired / fallback)" in text
    assert re.search(r"^    daily_plan +4 / 1 / 2$", text, re.MULTILINE)
    data = json.loads(out.read_text())
    assert data["health"]["verdict"] == [SLEPT, FELL_BACK]
    assert data["llm_usage"]["by_kind"]["utterance"]["repaired"] == 1
    with Run.open(known) as run:
        assert analyze(run)["health"] == data["health"]


def test_run_ends_with_the_health_verdict(tmp_path, capsys):
    """`smallville run` closes with the verdict of the finished run file."""
    out = tmp_path / "cafe.sqlite"
    cmd = ["run", "--world", str(ROOT / "worlds" / "cafe.json"), "--quiet"]
    assert main([*cmd, "--hours", "0.5", "--out", str(out)]) == 0
    text = capsys.readouterr().out
    with Run.open(out) as run:
        verdict = health(run)["verdict"]
    tail = text[text.index("Behaviour health") :].splitlines()
    assert tail[1:] == [f"  {line}" for line in verdict]
    header = next(ln for ln in text.splitlines() if ln.startswith("task kind"))
    assert header.split()[5:7] == ["repaired", "fallbacks"]


def test_health_never_fails_a_run(tmp_path, capsys, monkeypatch):
    """A failure measuring health is reported and the run's exit code is unchanged."""

    def broken(run):
        raise RuntimeError("boom")

    # the package's `health` attribute is the function, so patch the module itself
    monkeypatch.setattr(importlib.import_module("smallville.analysis.health"), "health", broken)
    out = tmp_path / "cafe.sqlite"
    cmd = ["run", "--world", str(ROOT / "worlds" / "cafe.json"), "--quiet"]
    assert main([*cmd, "--hours", "0.1", "--out", str(out)]) == 0
    assert "not measured (RuntimeError: boom)" in capsys.readouterr().out


@pytest.mark.slow
def test_health_of_a_ville_day_is_cheap(tmp_path):
    """24 game hours of the Ville (8640 ticks, 25 residents): health well under a second."""
    out = tmp_path / "ville.sqlite"
    assert main(["run", "--hours", "24", "--quiet", "--out", str(out)]) == 0
    with Run.open(out) as run:
        t = time.perf_counter()
        h = health(run)
        elapsed = time.perf_counter() - t
    assert h["summary"]["residents"] == 25 and h["summary"]["slept_through"] == 0
    assert elapsed < 0.25
