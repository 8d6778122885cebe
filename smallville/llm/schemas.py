"""The catalogue of prompt kinds: inputs and output schema of each.

This is the contract between cognition (which builds tasks), the templates (one
``templates/<kind>.txt`` per kind), the scripted model (which answers every kind
from the inputs) and the openai backend. Every output field is bounded so that
small local models cannot return absurd values.

Times are game times as strings: ``"HH:MM"`` for a time of day, ``"YYYY-MM-DD HH:MM"``
for a moment; dates as ``"Monday February 13, 2023"``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Literal

from pydantic import BaseModel, Field

from smallville.llm.schema_base import In as _In
from smallville.llm.schema_base import Out as _Out
from smallville.llm.schemas_eval import EVAL_KINDS
from smallville.llm.schemas_town import TOWN_KINDS

# The description of every sleeping action (and its block and triple object): how the
# planner, the server, the scripted model and the analysis tell that someone sleeps.
SLEEPING = "sleeping"


# ----------------------------------------------------------------- shared inputs
class PersonaBrief(_In):
    """What every prompt knows about the agent it speaks for."""

    name: str
    age: int
    innate: str = ""  # innate traits, e.g. "friendly, outgoing, hospitable"
    learned: str = ""  # background
    currently: str = ""
    lifestyle: str = ""
    wake_time: str = "07:00"  # HH:MM
    sleep_time: str = "23:00"  # HH:MM
    home: str = ""  # address "<world>:<sector>:<arena>"
    workplace: str | None = None  # address, or None
    daily_requirements: tuple[str, ...] = ()


MEMORY_BRIEF_CHARS = 200  # a memory shown to the model is cut to this length


class MemoryBrief(_In):
    """A memory record as shown to the model. ``id`` is what evidence cites."""

    id: int
    text: str
    importance: int = 5
    created: str = ""  # YYYY-MM-DD HH:MM
    kind: str = "observation"  # observation | thought | chat


class Turn(_In):
    speaker: str
    text: str


# ------------------------------------------------------------------ wake_up_hour
class WakeUpHourIn(_In):
    persona: PersonaBrief
    date: str


class WakeUpHour(_Out):
    hour: int = Field(ge=0, le=23)


# -------------------------------------------------------------------- daily_plan
class DailyPlanIn(_In):
    persona: PersonaBrief
    date: str
    wake_hour: int
    yesterday: tuple[str, ...] = ()
    memories: tuple[MemoryBrief, ...] = ()


class DailyPlan(_Out):
    items: list[Annotated[str, Field(min_length=1, max_length=200)]] = Field(
        min_length=1, max_length=8
    )


# --------------------------------------------------------------- hourly_schedule
class HourlyScheduleIn(_In):
    """The waking day, ``wake_hour`` to ``last_hour`` inclusive, gets one activity an hour;
    the hours around it are sleep and are not asked for."""

    persona: PersonaBrief
    date: str
    wake_hour: int
    last_hour: int
    day_plan: tuple[str, ...]


class HourSlot(_Out):
    hour: int = Field(ge=0, le=23)
    activity: str = Field(min_length=3, max_length=120)


class HourlySchedule(_Out):
    """One activity for each waking hour, in order (cognition fixes each position's hour
    with ``PromptTask.positions``, so a constrained decoder cannot skip or repeat one)."""

    hours: list[HourSlot] = Field(min_length=1, max_length=24)


# --------------------------------------------------------------------- decompose
class DecomposeIn(_In):
    """No date: a weak model opened every decomposition with "Today is <date>."."""

    persona: PersonaBrief
    activity: str
    start: str  # HH:MM
    duration_minutes: int


class Step(_Out):
    description: str = Field(min_length=1, max_length=120)
    minutes: int = Field(ge=1, le=60)


class Decomposition(_Out):
    steps: list[Step] = Field(min_length=1, max_length=24)


# ------------------------------------------------------------------ choose_place
class ChoosePlaceIn(_In):
    """Every action of a block gets its place in one request (not one per action)."""

    persona: PersonaBrief
    block_activity: str  # the hourly block the actions belong to
    activities: tuple[str, ...]  # the 5-15 minute actions, in order
    current_place: str  # address
    options: tuple[str, ...]  # addresses "<world>:<sector>:<arena>:<object>"


class PlaceChoice(_Out):
    """Place, emoji, triple and object state of one action (its description is the
    decomposition's step)."""

    address: str
    emoji: str = Field(min_length=1, max_length=8)
    subject: str = Field(min_length=1, max_length=60)
    predicate: str = Field(min_length=1, max_length=60)
    object: str = Field(min_length=1, max_length=60)
    object_state: str = Field(min_length=1, max_length=80)


class PlaceChoices(_Out):
    places: list[PlaceChoice] = Field(min_length=1, max_length=24)


# -------------------------------------------------------------------- importance
class ImportanceIn(_In):
    """Rates a batch of new memories (one tick's observations) in one request."""

    persona: PersonaBrief
    texts: tuple[str, ...]
    kind: Literal["event", "thought", "chat"] = "event"


class Importance(_Out):
    scores: list[Annotated[int, Field(ge=1, le=10)]] = Field(min_length=1, max_length=32)


# ---------------------------------------------------------- reflection_questions
class ReflectionQuestionsIn(_In):
    persona: PersonaBrief
    records: tuple[MemoryBrief, ...]


class ReflectionQuestions(_Out):
    questions: list[Annotated[str, Field(min_length=1, max_length=200)]] = Field(
        min_length=1, max_length=3
    )


# ---------------------------------------------------------------------- insights
class InsightsIn(_In):
    persona: PersonaBrief
    question: str
    records: tuple[MemoryBrief, ...]


class Insight(_Out):
    text: str = Field(min_length=1, max_length=300)
    evidence: list[Annotated[int, Field(ge=0)]] = Field(min_length=1, max_length=10)


class Insights(_Out):
    insights: list[Insight] = Field(min_length=1, max_length=5)


# ------------------------------------------------------------------------- react
class ReactIn(_In):
    persona: PersonaBrief
    now: str
    current_action: str
    observation: str
    other: str | None = None  # the person perceived, if a person
    other_action: str | None = None
    memories: tuple[MemoryBrief, ...] = ()
    asleep_other: bool = False


class Reaction(_Out):
    decision: Literal["talk", "wait", "continue"]
    reason: str = Field(default="", max_length=200)


# --------------------------------------------------------------------- utterance
class UtteranceIn(_In):
    persona: PersonaBrief  # the speaker
    listener: str
    listener_action: str = ""
    place: str = ""
    now: str = ""
    memories: tuple[MemoryBrief, ...] = ()  # speaker's own retrieval about the listener
    transcript: tuple[Turn, ...] = ()
    max_rounds: int = 8


class Utterance(_Out):
    text: str = Field(min_length=1, max_length=400)
    end: bool = False


def is_last_turn(transcript: Sequence[Turn], speaker: str, max_rounds: int) -> bool:
    """The round limit of a conversation, defined once: each side says at most
    ``max_rounds`` utterances, so the one ``speaker`` adds after ``transcript`` ends the
    conversation when it is their ``max_rounds``-th."""
    return sum(t.speaker == speaker for t in transcript) + 1 >= max_rounds


# -------------------------------------------------------- summarize_conversation
class SummarizeConversationIn(_In):
    persona: PersonaBrief
    other: str
    transcript: tuple[Turn, ...]


class ConversationSummary(_Out):
    memo: str = Field(min_length=1, max_length=300)
    planning_thought: str = Field(default="", max_length=300)


# --------------------------------------------------------------------- interview
class InterviewIn(_In):
    persona: PersonaBrief
    now: str
    question: str
    memories: tuple[MemoryBrief, ...] = ()


class InterviewAnswer(_Out):
    answer: str = Field(min_length=1, max_length=1000)


KINDS: dict[str, tuple[type[BaseModel], type[BaseModel]]] = {
    "wake_up_hour": (WakeUpHourIn, WakeUpHour),
    "daily_plan": (DailyPlanIn, DailyPlan),
    "hourly_schedule": (HourlyScheduleIn, HourlySchedule),
    "decompose": (DecomposeIn, Decomposition),
    "choose_place": (ChoosePlaceIn, PlaceChoices),
    "importance": (ImportanceIn, Importance),
    "reflection_questions": (ReflectionQuestionsIn, ReflectionQuestions),
    "insights": (InsightsIn, Insights),
    "react": (ReactIn, Reaction),
    "utterance": (UtteranceIn, Utterance),
    "summarize_conversation": (SummarizeConversationIn, ConversationSummary),
    "interview": (InterviewIn, InterviewAnswer),
    **TOWN_KINDS,
    **EVAL_KINDS,
}
"""kind -> (inputs model, output model)."""
