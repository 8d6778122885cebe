"""One sample task per kind, for tests that must cover every kind."""

from __future__ import annotations

from smallville.llm import schemas as k
from smallville.llm import schemas_eval as ev
from smallville.llm import schemas_town as town
from smallville.llm.task import PromptTask

CLARA = k.PersonaBrief(
    name="Clara Bellini",
    age=46,
    innate="warm, outgoing",
    learned="owns Bellini's Cafe",
    lifestyle="early riser",
    wake_time="06:00",
    sleep_time="22:00",
    home="the Ville:Bellini's Cafe:apartment",
    workplace="the Ville:Bellini's Cafe:cafe",
    daily_requirements=("check the pastry delivery",),
)
PARTY = k.MemoryBrief(
    id=4,
    importance=8,
    created="2023-02-13 09:00",
    text="Clara is planning a Valentine's Day party at Bellini's Cafe on February 14 "
    "from 5:00 pm to 7:00 pm",
)
ROUTINE = k.MemoryBrief(id=2, importance=1, created="2023-02-13 07:00", text="the bed is idle")
OPTIONS = (
    "the Ville:Bellini's Cafe:apartment:bed",
    "the Ville:Bellini's Cafe:cafe:coffee machine",
    "the Ville:Bellini's Cafe:kitchen:stove",
    "the Ville:Willow Park:lawn:bench",
)
TRANSCRIPT = (k.Turn(speaker="Clara Bellini", text=f"Hi Ann! Did you hear? {PARTY.text}."),)
TOWN = "Port Ellis, a fishing village with three bakeries and an old watchtower"
TOWN_PLACES = (
    "Harbour (work): quay [crates, bench, water tap]; net loft [work table, fishing nets]",
    "Bakery (work): shop [counter, pastry case]; bakehouse [bread oven, work table]",
    "Cottage (home): kitchen [stove, fridge, dining table]; bedroom [double bed, wardrobe]",
)
TOWN_SAMPLES = {
    "town_brief": town.TownBriefIn(description=TOWN, residents=8),
    "town_building": town.TownBuildingIn(
        town="Port Ellis",
        feel="a windswept fishing village by the sea",
        place="Fish Market",
        kind="work",
        purpose="sells the day's catch",
    ),
    "town_review": town.TownReviewIn(description=TOWN, places=TOWN_PLACES),
    "town_household": town.TownHouseholdIn(
        town="Port Ellis",
        feel="a windswept fishing village by the sea",
        home="Cottage 2",
        size=3,
        workplaces=("Harbour: where the boats land their catch", "Bakery: bakes bread"),
        neighbours=("Ana Carter, 34, works at the Harbour",),
    ),
}

ABOUT = "46, owns Bellini's Cafe; warm, outgoing"
EVAL_SAMPLES = {
    "eval_rate": ev.EvalRateIn(
        resident="Clara Bellini",
        about=ABOUT,
        question="Who did you talk with today?",
        answer="I talked with Ann Lee about my Valentine's Day party at the cafe.",
    ),
    "eval_compare": ev.EvalCompareIn(
        resident="Clara Bellini",
        about=ABOUT,
        question="Who did you talk with today?",
        answer_a="I talked with Ann Lee about my Valentine's Day party at the cafe.",
        answer_b="I'm not sure. I don't remember anything about that.",
    ),
}


def sample(kind: str, persona: k.PersonaBrief = CLARA) -> PromptTask:
    inputs_model, output = k.KINDS[kind]
    choices: dict = {}
    sizes: dict = {}
    if kind == "wake_up_hour":
        i = k.WakeUpHourIn(persona=persona, date="Tuesday February 14, 2023")
    elif kind == "daily_plan":
        i = k.DailyPlanIn(
            persona=persona,
            date="Tuesday February 14, 2023",
            wake_hour=6,
            yesterday=("work at the cafe",),
            memories=(PARTY, ROUTINE),
        )
    elif kind == "hourly_schedule":
        i = k.HourlyScheduleIn(
            persona=persona,
            date="Tuesday February 14, 2023",
            wake_hour=6,
            last_hour=21,
            day_plan=(
                "wake up at 6:00 am",
                "work at the cafe from 7:00 am to 3:00 pm",
                "go to the party at 5:00 pm",
                "go to bed at 10:00 pm",
            ),
        )
    elif kind == "decompose":
        i = k.DecomposeIn(
            persona=persona,
            activity="cooking breakfast",
            start="07:00",
            duration_minutes=60,
        )
    elif kind == "choose_place":
        acts = (
            "making coffee for customers",
            "cooking lunch",
            "sleeping",
            "taking a walk in the park",
        )
        i = k.ChoosePlaceIn(
            persona=persona,
            block_activity="a day at home and work",
            activities=acts,
            current_place=OPTIONS[0],
            options=OPTIONS,
        )
        choices = {"places.address": OPTIONS}
        sizes = {"places": len(acts)}
    elif kind == "importance":
        i = k.ImportanceIn(persona=persona, texts=(PARTY.text, ROUTINE.text))
        sizes = {"scores": 2}
    elif kind == "reflection_questions":
        i = k.ReflectionQuestionsIn(persona=persona, records=(PARTY, ROUTINE))
    elif kind == "insights":
        i = k.InsightsIn(
            persona=persona, question="What is Clara planning?", records=(PARTY, ROUTINE)
        )
        choices = {"insights.evidence": (2, 4)}
    elif kind == "react":
        i = k.ReactIn(
            persona=persona,
            now="2023-02-13 09:00",
            current_action="serving",
            observation="Ann Lee is ordering coffee",
            other="Ann Lee",
            other_action="ordering coffee",
        )
    elif kind == "utterance":
        i = k.UtteranceIn(persona=persona, listener="Ann Lee", memories=(PARTY, ROUTINE))
    elif kind == "summarize_conversation":
        i = k.SummarizeConversationIn(
            persona=k.PersonaBrief(name="Ann Lee", age=30),
            other="Clara Bellini",
            transcript=TRANSCRIPT,
        )
    elif kind == "interview":
        i = k.InterviewIn(
            persona=persona,
            now="2023-02-14 09:00",
            question="Are you planning a party?",
            memories=(PARTY, ROUTINE),
        )
    elif kind in EVAL_SAMPLES:
        i = EVAL_SAMPLES[kind]
    elif kind in TOWN_SAMPLES:  # no persona: the town and its residents are being made
        i = TOWN_SAMPLES[kind]
    else:
        raise KeyError(kind)
    fallback = output.model_construct()
    return PromptTask(
        kind=kind,
        inputs=i,
        output=output,
        fallback=fallback,
        choices=choices,
        sizes=sizes,
        agent=None if kind in TOWN_SAMPLES or kind in EVAL_SAMPLES else persona.name,
    )
