"""Sense checks: is a schema-valid answer a sensible one for its inputs?

Constrained decoding makes a weak model's every answer valid JSON, so validity says
nothing about sense ("wake at 23:00", the prompt's own examples copied back, a bed
whose state is "house"). Each task kind's check is in ``CHECKS`` here;
``PromptTask.verify`` runs it after the schema and the choices, for every backend and
for cached answers too. A failed check raises ``SenseError`` naming the check and
saying what was wrong in words a model can act on: the openai backend re-asks once
quoting it, then uses the task's fallback, which cognition grounds in the persona.

The checks are in ``sense_planning`` (the planning kinds), ``sense_memory_talk``
(memory and people) and ``sense_town`` (making a town and its residents), the rules
they share in ``sense_shared``; the windows and tolerances named below are constants
there. What each kind must satisfy:

- wake_up_hour: within ``WAKE_WINDOW`` hours of the persona's usual wake time.
- daily_plan: at least ``MIN_PLAN_ITEMS`` different items; not only the prompt's own
  examples copied back; wake-up and bedtime items within an hour of the chosen wake
  hour and the persona's bedtime.
- hourly_schedule: one activity for each waking hour (``wake_hour`` to ``last_hour``,
  which cognition sets from the persona's bedtime), none of them sleep; each timed
  item of the day plan kept at its hour (or the hour either side).
- decompose: minutes that fill the block within ``DECOMPOSE_TOLERANCE``; steps that are
  activities, not the prompt restated ("Today is...", "Traits: ...", the persona's name
  or its background copied, the example steps for an unrelated activity).
- choose_place: an object state that is a phrase about the chosen object, not an
  address (the emoji is one of ``action_emoji``, offered as choices).
- importance: none beyond the schema's bounds (1-10, one score per item): a rating has
  no wrong answer that can be told from its inputs alone.
- reflection_questions: questions, all different. insights: statements that are not
  the question or the prompt's example restated, all different.
- react: never "talk" to someone asleep.
- utterance: non-empty, in the speaker's own voice (no "Name:" script, not about
  itself by name), not a repeat of an earlier line.
- summarize_conversation: a memo that is not a script; a planning thought that is not
  the prompt's example unless the conversation was about it.
- interview: in the first person.
- town_brief: a town name that is not a placeholder ("Town") or the prompt's words; at
  least one home and one place that is not a home; every place listed once; homes enough
  for the residents at ``MAX_HOUSEHOLD`` a home; the feel and purposes not the prompt's
  wording copied back.
- town_building: named rooms, each listed once; no object that is its room's name.
- town_review: a missing place is not one of the places listed; a missing object is in a
  place that is listed and not already there.
- town_household: the members asked for (``size``), each with a first and last name,
  none twice nor a neighbour's; a workplace that is one of the workplaces offered, or
  ""; awake ``MIN_AWAKE`` to ``MAX_AWAKE`` hours, waking before bedtime unless bedtime
  is a late night (up to ``LATE_NIGHT``) or the background says the work is at night;
  no text that repeats the prompt.
- eval_rate, eval_compare (``sense_eval``): a reason that is not the question or an
  answer copied back; two identical answers compare as "same".
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import BaseModel

from smallville.llm import sense_eval as evals
from smallville.llm import sense_memory_talk as talk
from smallville.llm import sense_planning as planning
from smallville.llm import sense_town as town
from smallville.llm.sense_shared import action_emoji, is_sleep, wake_window, waking_hours

Check = Callable[[Any, Any], None]
CHECKS: dict[str, Check] = {
    "wake_up_hour": planning.wake_up_hour,
    "daily_plan": planning.daily_plan,
    "hourly_schedule": planning.hourly_schedule,
    "decompose": planning.decompose,
    "choose_place": planning.choose_place,
    "reflection_questions": talk.reflection_questions,
    "insights": talk.insights,
    "react": talk.react,
    "utterance": talk.utterance,
    "summarize_conversation": talk.summarize_conversation,
    "interview": talk.interview,
    "town_brief": town.town_brief,
    "town_building": town.town_building,
    "town_review": town.town_review,
    "town_household": town.town_household,
    "eval_rate": evals.eval_rate,
    "eval_compare": evals.eval_compare,
}


def check_sense(kind: str, inputs: BaseModel, value: BaseModel) -> None:
    """Run the sense check of ``kind`` (if it has one); raise SenseError when it fails."""
    check = CHECKS.get(kind)
    if check is not None:
        check(inputs, value)


__all__ = [
    "CHECKS",
    "action_emoji",
    "check_sense",
    "is_sleep",
    "wake_window",
    "waking_hours",
]
