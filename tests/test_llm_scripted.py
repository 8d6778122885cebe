"""The scripted model: every kind answered, valid, deterministic, and plausible."""

from __future__ import annotations

import asyncio
import dataclasses

import numpy as np
import pytest
from llm_samples import CLARA, PARTY, ROUTINE, sample

from smallville.llm import schemas as k
from smallville.llm.port import Model
from smallville.llm.scripted import ScriptedModel, estimate_tokens
from smallville.llm.task import PromptTask
from smallville.llm.templates import render

ANN = k.PersonaBrief(
    name="Ann Lee",
    age=30,
    innate="curious, kind",
    learned="a student at Oak Hill College",
    wake_time="08:00",
    sleep_time="23:00",
    home="the Ville:Moreno House:second bedroom",
)


def answer(task: PromptTask, seed: int = 0):
    return asyncio.run(ScriptedModel(seed=seed).run(task))


def with_inputs(task: PromptTask, **update) -> PromptTask:
    return dataclasses.replace(task, inputs=task.inputs.model_copy(update=update))


def task_for(kind: str, inputs, **extra) -> PromptTask:
    output = k.KINDS[kind][1]
    return PromptTask(
        kind=kind, inputs=inputs, output=output, fallback=output.model_construct(), **extra
    )


def test_is_a_model():
    """ScriptedModel satisfies the Model protocol under the name "scripted"."""
    model = ScriptedModel()
    assert isinstance(model, Model) and model.name == "scripted"


@pytest.mark.parametrize("kind", sorted(k.KINDS))
def test_every_kind_is_answered_valid_and_deterministic(kind):
    """Each kind gets a schema-valid answer within its choices, the same from two instances."""
    task = sample(kind)
    a, b = answer(task), answer(task)
    assert isinstance(a.value, task.output) and not a.fallback and a.mode == "scripted"
    task.output.model_validate_json(a.raw)
    task.check_choices(a.value)
    assert a.value == b.value and a.raw == b.raw
    assert a.prompt_tokens == estimate_tokens(render(task)) > 10
    assert a.completion_tokens == estimate_tokens(a.raw) and a.latency_s == 0


def test_seed_changes_some_answers():
    """Different seeds may choose differently; the same seed never does."""
    decisions = [answer(sample("react"), seed=s).value.decision for s in range(20)]
    assert set(decisions) == {"talk", "continue"}
    assert decisions == [answer(sample("react"), seed=s).value.decision for s in range(20)]


def test_bad_request_gives_counted_fallback_not_an_exception():
    """With nothing valid to answer (no options, no records) the fallback is flagged."""
    places = answer(with_inputs(sample("choose_place"), options=()))
    insights = answer(with_inputs(sample("insights"), records=()))
    for c in (places, insights):
        assert c.fallback and c.error and c.mode == "scripted"


def test_unknown_kind_is_a_programming_error():
    """A kind the scripted model does not know raises KeyError naming the known kinds."""
    task = dataclasses.replace(sample("importance"), kind="horoscope")
    with pytest.raises(KeyError, match="daily_plan"):
        answer(task)


def test_plan_follows_persona_and_remembered_party():
    """The day plan wakes at the persona's hour, works, and goes to the remembered party."""
    items = answer(sample("daily_plan")).value.items
    assert 5 <= len(items) <= 8
    assert "6:00 am" in items[0] and "bed at 10:00 pm" in items[-1]
    assert any("Bellini's Cafe" in i and "work" in i for i in items)
    assert any("party" in i and "5:00 pm" in i for i in items)
    assert any("pastry delivery" in i for i in items)


def test_plan_ignores_events_on_other_days():
    """A party remembered for another date does not enter today's plan."""
    other_day = PARTY.model_copy(update={"text": PARTY.text.replace("February 14", "March 3")})
    items = answer(with_inputs(sample("daily_plan"), memories=(other_day,))).value.items
    assert not any("party" in i for i in items)


def test_hourly_schedule_covers_the_waking_day():
    """One slot per waking hour, none asleep, work and the party at their hours."""
    hours = answer(sample("hourly_schedule")).value.hours
    assert [h.hour for h in hours] == list(range(6, 22))
    assert all(h.activity != "sleeping" for h in hours)
    by_hour = {h.hour: h.activity for h in hours}
    assert "party" in by_hour[17] and "work" in by_hour[9]


def test_decompose_sums_exactly_for_every_duration():
    """Steps add up to the block for every length 1..600 and every kind of activity."""
    base = sample("decompose")
    for activity, every in (("cooking breakfast", 1), ("working at the cafe", 1),
                            ("sleeping", 7), ("calling mom", 7)):  # fmt: skip
        for minutes in range(1, 601, every):
            task = with_inputs(base, activity=activity, duration_minutes=minutes)
            steps = answer(task).value.steps
            assert sum(s.minutes for s in steps) == minutes, (activity, minutes)
            if activity != "sleeping" and minutes <= 180:
                assert max(s.minutes for s in steps) <= 15, (activity, minutes)


def test_decompose_caps_blocks_longer_than_a_day():
    """A block over 24 hours is capped at 24 hour-long steps (the schema's limit)."""
    steps = answer(with_inputs(sample("decompose"), duration_minutes=2000)).value.steps
    assert len(steps) == 24 and {s.minutes for s in steps} == {60}


def test_decompose_gives_sensible_steps():
    """Cooking starts by gathering ingredients; sleeping is just sleeping."""
    cooking = [s.description for s in answer(sample("decompose")).value.steps]
    assert cooking[0] == "gathering ingredients" and "cooking breakfast" in cooking
    task = with_inputs(sample("decompose"), activity="sleeping", duration_minutes=240)
    assert {s.description for s in answer(task).value.steps} == {"sleeping"}


def test_places_match_activities():
    """Coffee at the machine, cooking at the stove, sleep in the bed, a walk on the bench."""
    places = answer(sample("choose_place")).value.places
    tags = [p.address.rsplit(":", 1)[1] for p in places]
    assert tags == ["coffee machine", "stove", "bed", "bench"]
    first = places[0]
    assert first.emoji == "☕" and first.subject == "Clara Bellini"
    assert (first.predicate, first.object) == ("is making", "coffee for customers")
    assert first.object_state == "the coffee machine is brewing coffee"


def test_places_prefer_own_home_to_a_neighbours():
    """Sleeping picks the persona's own bed even when a neighbour's bed comes first."""
    options = (
        "the Ville:Hart House:bedroom:double bed",
        "the Ville:Moreno House:second bedroom:bed",
    )
    inputs = k.ChoosePlaceIn(
        persona=ANN,
        block_activity="sleeping",
        activities=("sleeping",),
        current_place="the Ville:Willow Park:lawn",
        options=options,
    )
    task = task_for("choose_place", inputs, choices={"places.address": options})
    assert answer(task).value.places[0].address == options[1]


def test_importance_from_content():
    """Routine is mundane, chores low, talk middling, news and heartbreak high."""
    texts = (
        "Ann Lee is sleeping",
        "Ann Lee is washing the dishes",
        "Ann Lee is talking with Tom Hart",
        "Tom Hart is running for mayor in the election",
        "Ann Lee broke up with her boyfriend",
    )
    task = task_for("importance", k.ImportanceIn(persona=ANN, texts=texts), sizes={"scores": 5})
    sleeping, chore, talk, election, breakup = answer(task).value.scores
    assert sleeping <= 2 and 2 <= chore <= 3 and 3 <= talk <= 5
    assert election >= 6 and breakup >= 8


def test_reflection_questions_follow_recurring_people():
    """The most mentioned person is the subject of a reflection question."""
    records = tuple(
        k.MemoryBrief(id=n, text=t)
        for n, t in enumerate(["Ann Lee chatted with Tom Hart", "Tom Hart lent Ann Lee a book",
                               "Ann Lee is reading", "Tom Hart waved at Ann Lee"])
    )  # fmt: skip
    task = task_for("reflection_questions", k.ReflectionQuestionsIn(persona=ANN, records=records))
    questions = answer(task).value.questions
    assert 1 <= len(questions) <= 3 and "Tom Hart" in questions[0]


def test_insights_cite_offered_records():
    """Insights cite only the offered ids and carry the important news."""
    value = answer(sample("insights")).value
    assert all(e in (2, 4) for i in value.insights for e in i.evidence)
    assert any("party" in i.text for i in value.insights)


def test_react_rules():
    """Asleep or no person: continue; both need the same single-use object: wait."""
    base = sample("react")
    assert answer(with_inputs(base, asleep_other=True)).value.decision == "continue"
    assert answer(with_inputs(base, other=None)).value.decision == "continue"
    shower = with_inputs(base, current_action="taking a shower", other_action="using the shower")
    assert answer(shower).value.decision == "wait"


def test_react_rarely_talks_again_right_after_a_chat():
    """A chat with the same person minutes ago makes another one unlikely."""
    chat = k.MemoryBrief(id=9, kind="chat", created="2023-02-13 08:50", text="chatted with Ann Lee")
    fresh = [answer(sample("react"), seed=s).value.decision for s in range(40)]
    again = [answer(with_inputs(sample("react"), memories=(chat,)), seed=s).value.decision
             for s in range(40)]  # fmt: skip
    assert again.count("talk") < fresh.count("talk") and again.count("talk") <= 8


def test_utterance_spreads_news_and_summary_keeps_it():
    """The speaker shares its most important memory; the listener's memo keeps it."""
    said = answer(sample("utterance")).value
    assert said.text.startswith("Hi Ann!") and not said.end
    assert "Valentine's Day party at Bellini's Cafe" in said.text
    summary = answer(sample("summarize_conversation")).value
    assert "Valentine's Day party" in summary.memo and "Clara Bellini" in summary.memo
    assert "party at Bellini's Cafe at 5:00 pm" in summary.planning_thought


def test_utterance_ends_within_round_limit():
    """The speaker always ends by half of max_rounds own turns, even with news left."""
    turns = tuple(k.Turn(speaker=s, text="hello") for s in ["Clara Bellini", "Ann Lee"] * 3)
    task = with_inputs(sample("utterance"), transcript=turns, max_rounds=8)
    assert answer(task).value.end
    task = with_inputs(sample("utterance"), transcript=turns[:2], memories=(ROUTINE,))
    assert answer(task).value.end  # nothing new to say after the greeting


def test_news_spreads_through_a_conversation_into_the_next_plan():
    """Clara tells Ann about the party; Ann's memo plans it; Ann's next day plan attends."""
    memories = {CLARA.name: (PARTY, ROUTINE), ANN.name: ()}
    people = {CLARA.name: CLARA, ANN.name: ANN}
    transcript: list[k.Turn] = []
    speaker, listener = CLARA.name, ANN.name
    for _ in range(16):
        inputs = k.UtteranceIn(
            persona=people[speaker],
            listener=listener,
            memories=memories[speaker],
            transcript=tuple(transcript),
        )
        said = answer(task_for("utterance", inputs)).value
        transcript.append(k.Turn(speaker=speaker, text=said.text))
        if said.end:
            break
        speaker, listener = listener, speaker
    assert transcript[-1].text and len(transcript) < 16
    summary = answer(
        task_for(
            "summarize_conversation",
            k.SummarizeConversationIn(persona=ANN, other=CLARA.name, transcript=tuple(transcript)),
        )
    ).value
    memo = k.MemoryBrief(id=1, text=summary.memo, importance=7, created="2023-02-13 09:30")
    plan = answer(
        task_for(
            "daily_plan",
            k.DailyPlanIn(
                persona=ANN, date="Tuesday February 14, 2023", wake_hour=8, memories=(memo,)
            ),
        )
    ).value.items
    assert any("party" in item and "5:00 pm" in item for item in plan), plan


def test_interview_answers_from_memory():
    """The interview answer quotes the relevant memory in first person, or admits not knowing."""
    said = answer(sample("interview")).value.answer
    assert "Valentine's Day party" in said and "I am planning" in said
    out = answer(with_inputs(sample("interview"), memories=())).value.answer
    assert "don't" in out
    vague = answer(with_inputs(sample("interview"), question="How are things?")).value.answer
    assert vague.startswith("Let me think about what") and "Valentine's Day party" in vague


def test_wake_up_hour_reads_the_persona():
    """wake_up_hour is the persona's usual waking hour."""
    assert answer(sample("wake_up_hour")).value.hour == 6
    task = with_inputs(sample("wake_up_hour"), persona=ANN)
    assert answer(task).value.hour == 8


def test_embed_is_local_deterministic_and_normalised():
    """Embeddings need no network, repeat exactly and have unit rows."""
    texts = ["a party at the cafe", "a party at the cafe", "sleeping in bed"]
    a = asyncio.run(ScriptedModel().embed(texts))
    b = asyncio.run(ScriptedModel(seed=5).embed(texts))
    assert a.shape[0] == 3 and a.dtype == np.float32
    assert np.allclose(np.linalg.norm(a, axis=1), 1, atol=1e-5)
    assert np.array_equal(a, b) and np.allclose(a[0], a[1])


def test_retelling_in_the_third_person():
    """What a resident said is retold with names; past tenses take no -s."""
    from smallville.llm.scripted_rules import third_person

    said = "I conversed with Ben, I told my sister and I need your help"
    assert third_person(said, "Ann", "Cy") == (
        "Ann conversed with Ben, Ann told Ann's sister and Ann needs Cy's help"
    )


def test_speaking_in_the_first_person():
    """A memory told by its owner: names become I / you, as subject or object."""
    from smallville.llm.scripted_rules import first_person

    memory = "Ann met Bo. They talked about this: Ann told Bo's sister; Bo thinks Ann is late"
    assert first_person(memory, "Ann", "Bo") == (
        "I met you. They talked about this: I told your sister; You think I am late"
    )


def test_the_town_vocabulary_is_data_shipped_with_the_package():
    """Workplace hours come from the profile's shifts, the profile file is package data
    like the templates, and a shift that says neither when it starts nor ends is refused."""
    import tomllib
    from pathlib import Path

    import pydantic

    from smallville.llm.scripted_plans import work_hours
    from smallville.llm.scripted_profile import Shift

    pub = ANN.model_copy(update={"workplace": "the Ville:The Rose and Crown Pub"})
    cafe = ANN.model_copy(update={"workplace": "the Ville:Hobbs Cafe", "wake_time": "05:30"})
    assert work_hours(pub) == (16, 23) and work_hours(cafe) == (7, 15)
    assert work_hours(ANN) is None
    project = tomllib.loads((Path(__file__).parents[1] / "pyproject.toml").read_text())
    assert (
        "scripted_profile.json" in project["tool"]["setuptools"]["package-data"]["smallville.llm"]
    )
    with pytest.raises(pydantic.ValidationError, match="needs 'start'"):
        Shift(workplaces=("forge",), end=18)
