"""Sense checks through the real openai client and a fake endpoint: a degenerate answer
is repaired by a good second one, and when the repair is bad too the step falls back to
what the persona itself says. The repair request quotes what was wrong."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from fake_openai import FakeOpenAI, Fault

from smallville import gametime as gt
from smallville.cognition import converse, plan
from smallville.cognition.persona import load_persona
from smallville.llm import LLM
from smallville.llm import schemas as k
from smallville.llm import schemas_town as t
from smallville.llm.openai_backend import OpenAIBackend
from smallville.llm.openai_request import REPAIR_TEMPERATURE
from smallville.llm.sense import action_emoji, is_sleep

ROOT = Path(__file__).resolve().parents[1]
MEI = load_persona(ROOT / "agents" / "cafe" / "mei_tanaka.json").brief()  # wakes 6, bed 22
NOW = gt.parse("2023-02-13 06:00")
PLAN = (
    "wake up at 6:00 am",
    "open the cafe at 7:00 am",
    "bake pastries from 8:00 am to 11:00 am",
    "go for a walk at 3:00 pm",
    "go to bed at 10:00 pm",
)
OPTIONS = (
    "the Cafe:Corner Cafe:cafe:counter",
    "the Cafe:Corner Cafe:cafe:oven",
    "the Cafe:Corner Cafe:apartment:bed",
)
STEPS = [k.Step(description="mixing dough", minutes=20), k.Step(description="baking", minutes=40)]
TRANSCRIPT = (k.Turn(speaker="Ben Carter", text="Morning Mei! Are those new pastries?"),)


def hours(activity_at) -> str:
    return json.dumps({"hours": [{"hour": h, "activity": activity_at(h)} for h in range(6, 22)]})


def good_hour(h: int) -> str:
    return {7: "opening the cafe", 8: "baking pastries", 15: "going for a walk"}.get(
        h, "serving customers at the cafe"
    )


def place(address: str, emoji: str = "🥐", state: str = "the oven is baking") -> dict:
    return {
        "address": address,
        "emoji": emoji,
        "subject": "Mei Tanaka",
        "predicate": "is baking",
        "object": "pastries",
        "object_state": state,
    }


def ask(call, *answers: str):
    """Run ``call(llm)`` against a fake endpoint that gives ``answers`` in turn (the
    last one from then on); the value, the one completion and the requests sent."""
    seen = []
    with FakeOpenAI(responder=lambda r: answers[-1]) as srv:
        srv.inject(*[Fault(content=a) for a in answers[:-1]])
        backend = OpenAIBackend(model="weak", base_url=srv.base_url, max_attempts=1)
        llm = LLM(backend, model_name="weak", concurrency=1)
        llm.meter.on_call(lambda task, c: seen.append(c))

        async def go():
            try:
                return await call(llm)
            finally:
                await llm.aclose()

        value = asyncio.run(go())
        bodies = [r["body"] for r in srv.requests]
    assert len(seen) == 1
    return value, seen[0], bodies


# Each case: the step, a degenerate answer and the check it fails, a good answer, and
# what the persona-grounded fallback must look like.
CASES = {
    "wake hour 23": (
        lambda llm: plan.wake_hour(llm, MEI, NOW),
        '{"hour": 23}',
        "choices",  # the schema offers only hours near the usual one
        '{"hour": 6}',
        lambda v: v == 6,
        lambda v: v == 6,  # the persona's own wake time
    ),
    "plan of the prompt's examples": (
        lambda llm: plan.day_plan(llm, MEI, NOW, 6, [], []),
        json.dumps(
            {
                "items": [
                    "wake up and complete morning routine at 7:00 am",
                    "work at the cafe from 9:00 am to 5:00 pm",
                    "go to bed at 11:00 pm",
                ]
            }
        ),
        "plan_examples",
        json.dumps({"items": list(PLAN)}),
        lambda v: v == list(PLAN),
        lambda v: "6:00 am" in v[0] and "10:00 pm" in v[-1] and len(v) >= 4,
    ),
    "plan waking at the wrong hour": (
        lambda llm: plan.day_plan(llm, MEI, NOW, 6, [], []),
        json.dumps({"items": ["wake up at 9:00 am", "bake pastries", "go to bed at 10 pm"]}),
        "plan_wake",
        json.dumps({"items": list(PLAN)}),
        lambda v: v == list(PLAN),
        lambda v: "6:00 am" in v[0],
    ),
    "schedule of two hours": (
        lambda llm: plan.hourly_blocks(llm, MEI, NOW, 6, PLAN),
        json.dumps(
            {
                "hours": [
                    {"hour": 9, "activity": "opening the cafe"},
                    {"hour": 10, "activity": "serving breakfast"},
                ]
            }
        ),
        "choices",  # each position's hour is fixed in the schema
        hours(good_hour),
        lambda v: any(b.start == 7 * 60 and b.activity == "opening the cafe" for b in v),
        lambda v: all(not is_sleep(b.activity) for b in v if 6 * 60 <= b.start < 22 * 60),
    ),
    "schedule sleeping through the day": (
        lambda llm: plan.hourly_blocks(llm, MEI, NOW, 6, PLAN),
        hours(lambda h: "sleeping" if h >= 10 else good_hour(h)),
        "hourly_sleep",
        hours(good_hour),
        lambda v: all(not is_sleep(b.activity) for b in v if 6 * 60 <= b.start < 22 * 60),
        lambda v: all(not is_sleep(b.activity) for b in v if 6 * 60 <= b.start < 22 * 60),
    ),
    "schedule dropping a planned item": (
        lambda llm: plan.hourly_blocks(llm, MEI, NOW, 6, PLAN),
        hours(lambda h: "reading a book" if h == 15 else good_hour(h)),
        "hourly_plan",
        hours(good_hour),
        lambda v: any(b.start == 15 * 60 and "walk" in b.activity for b in v),
        lambda v: any(b.start <= 15 * 60 < b.end and "walk" in b.activity for b in v),
    ),
    "steps summing to 11 minutes": (
        lambda llm: plan.decompose(llm, MEI, NOW, "baking pastries for the cafe", 60),
        json.dumps(
            {
                "steps": [
                    {"description": "Today is Monday February 13, 2023.", "minutes": 6},
                    {"description": "baking", "minutes": 5},
                ]
            }
        ),
        "decompose_total",
        json.dumps(
            {
                "steps": [
                    {"description": "mixing dough", "minutes": 20},
                    {"description": "baking croissants", "minutes": 30},
                    {"description": "filling the pastry case", "minutes": 10},
                ]
            }
        ),
        lambda v: [s.minutes for s in v] == [20, 30, 10],
        lambda v: (
            sum(s.minutes for s in v) == 60 and not any("today" in s.description.lower() for s in v)
        ),
    ),
    "a step restating the prompt": (
        lambda llm: plan.decompose(llm, MEI, NOW, "baking pastries for the cafe", 60),
        json.dumps(
            {
                "steps": [
                    {"description": "Today is Monday February 13, 2023.", "minutes": 30},
                    {"description": "baking", "minutes": 30},
                ]
            }
        ),
        "decompose_prompt",
        json.dumps({"steps": [{"description": "baking", "minutes": 60}]}),
        lambda v: [s.description for s in v] == ["baking"],
        lambda v: sum(s.minutes for s in v) == 60,
    ),
    "an unknown place": (
        lambda llm: plan.place_actions(llm, MEI, STEPS, "baking", NOW, OPTIONS[2][:-4], OPTIONS),
        json.dumps({"places": [place("the Cafe:Town:square:bench"), place(OPTIONS[1])]}),
        "choices",
        json.dumps({"places": [place(OPTIONS[1]), place(OPTIONS[1])]}),
        lambda v: [a.address for a in v] == [OPTIONS[1]] * 2,
        lambda v: all(a.address in OPTIONS for a in v),
    ),
    "an object state that is not about the object": (
        lambda llm: plan.place_actions(llm, MEI, STEPS, "baking", NOW, OPTIONS[2][:-4], OPTIONS),
        json.dumps({"places": [place(OPTIONS[2], state="house"), place(OPTIONS[1])]}),
        "place_state",
        json.dumps({"places": [place(OPTIONS[1]), place(OPTIONS[1])]}),
        lambda v: [a.object_state for a in v] == ["the oven is baking"] * 2,
        lambda v: all(a.address.rsplit(":", 1)[1] in (a.object_state or "") for a in v),
    ),
    "a word for an emoji": (
        lambda llm: plan.place_actions(llm, MEI, STEPS, "baking", NOW, OPTIONS[2][:-4], OPTIONS),
        json.dumps({"places": [place(OPTIONS[1], emoji="smiling"), place(OPTIONS[1])]}),
        "choices",  # offered as a list: a constrained decoder cannot write a word
        json.dumps({"places": [place(OPTIONS[1], emoji="☕"), place(OPTIONS[1])]}),
        lambda v: [a.emoji for a in v] == ["☕", "🥐"],
        lambda v: all(a.emoji in action_emoji() for a in v),
    ),
    "an empty utterance": (
        lambda llm: converse.utterance(
            llm, MEI, "Ben Carter", "drinking coffee", "cafe", "09:00", [], TRANSCRIPT, 8
        ),
        '{"text": "  ...  ", "end": false}',
        "utterance_empty",
        '{"text": "Yes, a new recipe for Friday\'s tasting!", "end": false}',
        lambda v: v.text.startswith("Yes, a new recipe"),
        lambda v: v.end and v.text,  # the persona politely ends the conversation
    ),
    "an utterance repeating the last line": (
        lambda llm: converse.utterance(
            llm, MEI, "Ben Carter", "drinking coffee", "cafe", "09:00", [], TRANSCRIPT, 8
        ),
        '{"text": "Morning Mei! Are those new pastries?", "end": false}',
        "utterance_repeat",
        '{"text": "They are! Want to try one?", "end": false}',
        lambda v: v.text == "They are! Want to try one?",
        lambda v: v.end,
    ),
    "an utterance written as a script": (
        lambda llm: converse.utterance(
            llm, MEI, "Ben Carter", "drinking coffee", "cafe", "09:00", [], TRANSCRIPT, 8
        ),
        '{"text": "Mei Tanaka: Yes.\\nBen Carter: Great.", "end": false}',
        "utterance_voice",
        '{"text": "Yes, fresh this morning.", "end": false}',
        lambda v: v.text == "Yes, fresh this morning.",
        lambda v: v.end,
    ),
    "a third-person interview": (
        lambda llm: converse.interview(
            llm,
            MEI,
            "2023-02-13 18:00",
            "What did you do today?",
            [k.MemoryBrief(id=1, text="Mei Tanaka baked cinnamon buns", importance=3)],
        ),
        '{"answer": "Mei Tanaka baked cinnamon buns."}',
        "interview_voice",
        '{"answer": "I baked cinnamon buns for the cafe."}',
        lambda v: v == "I baked cinnamon buns for the cafe.",
        lambda v: " I " in f" {v} " and "cinnamon buns" in v and "Mei Tanaka" not in v,
    ),
    "a memo that is a script": (
        lambda llm: converse.summarize(llm, MEI, "Ben Carter", TRANSCRIPT),
        '{"memo": "Ben Carter: Morning Mei! Are those new pastries?"}',
        "summary_form",
        '{"memo": "Ben asked about my new pastries."}',
        lambda v: v.memo == "Ben asked about my new pastries.",
        lambda v: "Ben Carter" in v.memo and "pastries" in v.memo,  # from the transcript
    ),
    "talking to someone asleep": (
        lambda llm: converse.react(
            llm,
            MEI,
            "09:00",
            "baking",
            "Ben Carter is sleeping",
            "Ben Carter",
            "sleeping",
            True,
            [],
        ),  # fmt: skip
        '{"decision": "talk", "reason": "say hi"}',
        "react_asleep",
        '{"decision": "continue", "reason": "he is asleep"}',
        lambda v: v == "continue",
        lambda v: v == "continue",
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_a_degenerate_answer_is_repaired_by_a_good_second_one(case):
    call, bad, check, good, repaired_ok, _ = CASES[case]
    value, c, bodies = ask(call, bad, good)
    assert c.outcome == "repaired" and c.check == check, (c.outcome, c.check, c.error)
    assert repaired_ok(value), value
    repair = bodies[1]["messages"][-1]["content"]  # the repair quotes what was wrong
    assert repair.startswith("That answer is not acceptable: ") and c.error in repair
    assert bodies[1]["messages"][-2] == {"role": "assistant", "content": bad}
    # asked again at temperature 0 a model mostly repeats itself
    assert bodies[0]["temperature"] == 0 and bodies[1]["temperature"] == REPAIR_TEMPERATURE
    # room for the whole answer: every sized or positioned item counts
    assert bodies[0]["max_tokens"] >= 30 * len(json.loads(good).get("hours", []))


@pytest.mark.parametrize("case", list(CASES))
def test_a_bad_repair_falls_back_to_the_persona(case):
    call, bad, check, _, _, fallback_ok = CASES[case]
    value, c, bodies = ask(call, bad, bad)
    assert c.outcome == "fallback" and c.check == check and not c.unreachable
    assert len(bodies) == 2 and fallback_ok(value), value


def test_a_good_first_answer_is_valid_with_one_request():
    value, c, bodies = ask(lambda llm: plan.wake_hour(llm, MEI, NOW), '{"hour": 7}')
    assert value == 7 and c.outcome == "valid" and c.check is None and len(bodies) == 1


def test_every_kind_with_a_template_has_a_sense_check_or_says_why_not():
    """A new kind gets a check (or joins the documented exceptions) on purpose."""
    from smallville.llm import sense

    unchecked = set(k.KINDS) - set(sense.CHECKS)
    assert unchecked == {"importance"}  # bounded by the schema; see sense's docstring
    assert "importance: none beyond the schema" in sense.__doc__


def test_what_a_sensible_answer_may_do_passes():
    """The checks let through what a good model writes: an event of the plan over
    another of its items, a step taken from what the persona is currently doing."""
    from smallville.llm.sense import check_sense

    plan_ = ("wake up at 6:00 am", "go to the party at the cafe at 5:00 pm", "have dinner at 6 pm")
    inputs = k.HourlyScheduleIn(
        persona=MEI, date="Tuesday", wake_hour=6, last_hour=21, day_plan=plan_
    )
    day = {17: "attending the party at the cafe", 18: "attending the party at the cafe"}
    value = k.HourlySchedule(
        hours=[k.HourSlot(hour=h, activity=day.get(h, "baking pastries")) for h in range(6, 22)]
    )
    check_sense("hourly_schedule", inputs, value)  # dinner gave way to the party
    steps = k.Decomposition(
        steps=[k.Step(description="trying out a new pastry recipe", minutes=60)]
    )  # the persona is "trying out a new pastry recipe and planning a tasting evening"
    inputs = k.DecomposeIn(persona=MEI, activity="baking", start="08:00", duration_minutes=60)
    check_sense("decompose", inputs, steps)
    copied = k.Decomposition(
        steps=[k.Step(description="Mei is trying out a new pastry recipe and planning", minutes=60)]
    )
    with pytest.raises(ValueError, match="restates the prompt"):
        check_sense("decompose", inputs, copied)


def test_the_scripted_model_passes_every_check(cafe_run):
    """The rule-based answers are sensible by construction: a check that refuses one is
    a false positive (the scripted model would fall back to its own answer)."""
    import sqlite3

    with sqlite3.connect(f"file:{cafe_run}?mode=ro", uri=True) as db:
        outcomes = dict(db.execute("SELECT outcome, COUNT(*) FROM llm_calls GROUP BY outcome"))
    assert set(outcomes) == {"valid"} and outcomes["valid"] > 30, outcomes


@pytest.mark.parametrize("kind", sorted(k.KINDS))
def test_the_token_cap_holds_the_longest_valid_answer(kind):
    """Every string and list is bounded (an address is one of the options offered), and
    the cap leaves room for the longest answer (about four characters a token)."""
    from smallville.llm.openai_request import token_cap
    from smallville.llm.task import PromptTask

    output = k.KINDS[kind][1]
    schema = output.model_json_schema()

    def longest(node, name=""):
        node = schema["$defs"][node["$ref"].rsplit("/", 1)[1]] if "$ref" in node else node
        kind_ = node.get("type")
        if kind_ == "object":
            return {key: longest(v, key) for key, v in node["properties"].items()}
        if kind_ == "array":
            assert "maxItems" in node, f"{kind}.{name}: an unbounded list"
            return [longest(node["items"], name) for _ in range(node["maxItems"])]
        if kind_ == "string":
            if "enum" in node:
                return max(node["enum"], key=len)
            if name == "address":  # one of the options: "<world>:<sector>:<arena>:<object>"
                return "x" * 80
            assert "maxLength" in node, f"{kind}.{name}: an unbounded string"
            return "word " * (node["maxLength"] // 5)
        return 10 if kind_ == "integer" else False

    sized = {"importance": {"scores": 32}, "choose_place": {"places": 24}}.get(kind, {})
    task = PromptTask(
        kind=kind,
        inputs=None,
        output=output,
        fallback=None,
        sizes=sized,
        positions={"hours.hour": list(range(24))} if kind == "hourly_schedule" else {},
    )
    answer = json.dumps(longest(schema), ensure_ascii=False)
    assert token_cap(task) * 4 >= len(answer), (token_cap(task), len(answer))


# ------------------------------------------------------------------ the town kinds
FISHING = t.TownBriefIn(description="A fishing village", residents=8)
STALLS = t.TownBuildingIn(town="Port Ellis", place="Fish Market", kind="work", purpose="fish")
LISTED = t.TownReviewIn(
    description="A fishing village with a bakery",
    places=(
        "Harbour (work, 1): quay [crates, bench]",
        "Cottage (home, 3): kitchen [stove]; bedroom [bed]",
    ),
)
HOME = t.TownHouseholdIn(
    town="Port Ellis",
    home="Cottage 1",
    size=2,
    workplaces=("Harbour: where the boats land", "Tavern: drinks at night"),
    neighbours=("Ana Carter, 34, lives at Cottage 2",),
)


def _brief(**change) -> dict:
    good = {
        "name": "Port Ellis",
        "feel": "a windswept fishing village",
        "places": [
            {"name": "Harbour", "kind": "work", "purpose": "boats land their catch"},
            {"name": "Cottage", "kind": "home", "count": 3},
        ],
    }
    return good | change


def _building(*rooms: tuple[str, list[str]]) -> dict:
    rooms = rooms or (("market hall", ["fish counter", "crates"]), ("cold store", ["freezer"]))
    return {"rooms": [{"name": n, "objects": o} for n, o in rooms]}


def _member(name: str, **change) -> dict:
    good = {
        "name": name,
        "age": 40,
        "innate": "patient, warm, stubborn",
        "learned": f"{name.split()[0]} is a fisher at the Harbour.",
        "wake_time": "04:30",
        "sleep_time": "21:00",
        "workplace": "Harbour",
        "memories": ["Ben and Ada cooked dinner together last Sunday"],
    }
    return good | change


def _household(*members: dict) -> dict:
    return {"members": list(members) or [_member("Ben Okafor"), _member("Ada Okafor")]}


# case -> (kind, inputs, degenerate answer, the check it fails, sensible answer)
TOWN_CASES = {
    "a town without homes": (
        "town_brief",
        FISHING,
        _brief(places=_brief()["places"][:1]),
        "brief_homes",
        _brief(),
    ),
    "too few homes for the residents": (
        "town_brief",
        t.TownBriefIn(description="A fishing village", residents=40),
        _brief(),
        "brief_homes",
        _brief(places=[_brief()["places"][0], {"name": "Cottage", "kind": "home", "count": 10}]),
    ),
    "a town of homes only": (
        "town_brief",
        FISHING,
        _brief(places=_brief()["places"][1:]),
        "brief_places",
        _brief(),
    ),
    "a place listed twice": (
        "town_brief",
        FISHING,
        _brief(places=_brief()["places"] + [{"name": "harbours", "kind": "work"}]),
        "brief_repeat",
        _brief(),
    ),
    "a placeholder for a name": (
        "town_brief",
        FISHING,
        _brief(name="Town"),
        "brief_name",
        _brief(),
    ),
    "the prompt's words for a feel": (
        "town_brief",
        FISHING,
        _brief(feel="Describe its feel in one sentence."),
        "brief_copied",
        _brief(),
    ),  # fmt: skip
    "a room full of its own name": (
        "town_building",
        STALLS,
        _building(("market hall", ["market hall", "crates"])),
        "building_objects",
        _building(),
    ),
    "a room listed twice": (
        "town_building",
        STALLS,
        _building(("hall", ["crates"]), ("Hall", ["scale"])),
        "building_repeat",
        _building(),
    ),
    "a missing place that is there": (
        "town_review",
        LISTED,
        {"missing_places": [{"name": "the Harbour", "kind": "work"}]},
        "review_present",
        {"missing_places": [{"name": "Bakery", "kind": "work"}]},
    ),
    "a missing object in a place the town lacks": (
        "town_review",
        LISTED,
        {"missing_objects": [{"place": "Castle", "room": "hall", "object": "throne"}]},
        "review_object_place",
        {"missing_objects": [{"place": "Harbour", "room": "quay", "object": "fishing nets"}]},
    ),
    "a missing object that is there": (
        "town_review",
        LISTED,
        {"missing_objects": [{"place": "Harbour", "room": "quay", "object": "benches"}]},
        "review_object_present",
        {"missing_objects": []},
    ),
    "a member named like a neighbour": (
        "town_household",
        HOME,
        _household(_member("Ana Carter"), _member("Ada Okafor")),
        "household_names",
        _household(),
    ),
    "one name for two members": (
        "town_household",
        HOME,
        _household(_member("Ben Okafor"), _member("Ben Okafor")),
        "household_names",
        _household(),
    ),
    "a first name only": (
        "town_household",
        HOME,
        _household(_member("Ben"), _member("Ada Okafor")),
        "household_names",
        _household(),
    ),
    "a household of the wrong size": (
        "town_household",
        HOME,
        _household(_member("Ben Okafor")),
        "household_size",
        _household(),
    ),
    "a workplace the town does not have": (
        "town_household",
        HOME,
        _household(_member("Ben Okafor", workplace="Lighthouse"), _member("Ada Okafor")),
        "household_workplace",
        _household(_member("Ben Okafor", workplace="harbour"), _member("Ada Okafor")),
    ),
    "waking after bedtime": (
        "town_household",
        HOME,
        _household(
            _member("Ben Okafor", wake_time="23:00", sleep_time="22:00"), _member("Ada Okafor")
        ),
        "household_hours",
        _household(
            _member(
                "Ben Okafor",
                wake_time="13:00",
                sleep_time="03:00",
                workplace="Tavern",
                learned="Ben serves drinks at the Tavern late into the night.",
            ),
            _member("Ada Okafor", sleep_time="00:30", wake_time="08:00"),  # a late night
        ),
    ),
    "memories copied from the prompt": (
        "town_household",
        HOME,
        _household(
            _member("Ben Okafor", memories=["memories that mention family members and neighbours"]),
            _member("Ada Okafor"),
        ),
        "household_copied",
        _household(
            _member("Ben Okafor", memories=["Ben waved to Ana Carter on the way home"]),
            _member("Ada Okafor"),
        ),
    ),
}


@pytest.mark.parametrize("case", list(TOWN_CASES))
def test_a_town_check_refuses_the_degenerate_answer_and_takes_a_good_one(case):
    from smallville.llm.sense import check_sense
    from smallville.llm.task import SenseError

    kind, inputs, bad, check, good = TOWN_CASES[case]
    output = k.KINDS[kind][1]
    with pytest.raises(SenseError) as refused:
        check_sense(kind, inputs, output.model_validate(bad))
    assert refused.value.check == check, refused.value
    check_sense(kind, inputs, output.model_validate(good))


@pytest.mark.parametrize("case", ["a town without homes", "a workplace the town does not have"])
def test_a_degenerate_town_answer_is_repaired(case):
    from smallville.llm.task import PromptTask

    kind, inputs, bad, check, good = TOWN_CASES[case]
    output = k.KINDS[kind][1]
    task = PromptTask(kind=kind, inputs=inputs, output=output, fallback=output.model_construct())
    value, c, bodies = ask(lambda llm: llm.complete(task), json.dumps(bad), json.dumps(good))
    assert c.outcome == "repaired" and c.check == check, (c.outcome, c.check, c.error)
    assert value == output.model_validate(good) and c.error in bodies[1]["messages"][-1]["content"]


@pytest.mark.parametrize(
    ("answer", "ok"),
    [
        ("Mei Tanaka: I baked cinnamon buns this morning.", True),  # a speaker label
        ("Hi, I'm Mei Tanaka and I run the Corner Cafe.", True),  # naming oneself
        ("My name is Mei Tanaka; I bake for the cafe.", True),
        ("Mei Tanaka baked cinnamon buns.", False),
        ("{Mei Tanaka} has learned a lot about herself, and I am proud of her.", False),
        ("She baked cinnamon buns.", False),
        ("Mei Tanaka", False),
    ],
)
def test_interview_voice_allows_a_label_and_ones_own_name(answer, ok):
    """SmolLM2 opened answers with "Mei Tanaka:" and introductions name the speaker:
    neither is the third person."""
    from smallville.llm.sense import check_sense
    from smallville.llm.task import SenseError

    inputs = k.InterviewIn(persona=MEI, now="2023-02-13 18:00", question="Who are you?")
    if ok:
        check_sense("interview", inputs, k.InterviewAnswer(answer=answer))
    else:
        with pytest.raises(SenseError, match="first person"):
            check_sense("interview", inputs, k.InterviewAnswer(answer=answer))
