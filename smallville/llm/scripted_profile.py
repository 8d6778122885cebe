"""The scripted model's town vocabulary, read once from ``scripted_profile.json``.

The rules (``scripted_rules``, ``scripted_plans``, ``scripted``) know English; what
they know about this town's objects, workplaces, pastimes and news is data, so a town
with other objects or trades edits the profile, not the code. Word lists match by
substring of the lower-cased text ("pharmac" matches "pharmacy" and "pharmacist").
Entries are read in order: where one is picked (a shift, an activity's steps, an emoji,
an importance) the first that matches wins.

Fields:

- ``object_hints``: activity ``words`` -> object tags that suit them, best first
  (where in a place an action happens).
- ``object_states``: object tag -> what it is doing while used ("is brewing coffee").
- ``single_use_objects``: tags one person uses at a time (another waits for them).
- ``seats``: tags an agent sits at when nothing better fits the activity.
- ``private_places``: words of a sector or arena name that make it someone's home.
- ``home_words``, ``work_words``: activity words that belong at home / at work.
- ``shifts``: working hours by the words of the workplace address (see ``Shift``).
- ``pastimes``: persona ``words`` -> a free-time ``activity``; ``usual_pastimes``
  follow everyone's own.
- ``lessons``: the steps of a class (activity ``words``, tried before
  ``activity_steps``), ``teaching`` for a persona whose background names one of
  ``teachers``, else ``attending``.
- ``activity_steps``: activity ``words`` -> the sub-steps of a block; ``in_order``
  steps run once first to last (a routine), the others repeat in any order (duties);
  ``{meal}`` in a step is the meal the activity names; ``also`` adds a step when the
  activity has a word ("breakfast" -> "eating breakfast").
- ``emoji``: activity ``words`` -> the emoji shown for it.
- ``importance``: a memory's importance: the first ``score`` whose ``words`` it has.
- ``event_words``: what makes a sentence news worth passing on ("party", "concert").
"""

from __future__ import annotations

from importlib import resources
from typing import Self

from pydantic import BaseModel, ConfigDict, model_validator

Words = tuple[str, ...]


class Data(BaseModel):
    """Profile and catalogue data: read once, frozen, no unknown fields."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class ObjectHint(Data):
    words: Words
    objects: Words


class Shift(Data):
    """Working hours at a workplace whose address has one of ``workplaces`` (any
    workplace when empty). It starts at ``start``, else ``after_wake`` hours after the
    persona wakes but not before ``earliest``; it ends at ``end``, else ``hours`` after
    the start but not after ``ends_by``. A workplace no shift matches has no hours."""

    workplaces: Words
    start: int | None = None
    after_wake: int | None = None
    earliest: int | None = None
    end: int | None = None
    hours: int | None = None
    ends_by: int | None = None

    @model_validator(mode="after")
    def _one_start_one_end(self) -> Self:
        if (self.start is None) == (self.after_wake is None or self.earliest is None):
            raise ValueError("a shift needs 'start', or 'after_wake' and 'earliest'")
        if (self.end is None) == (self.hours is None or self.ends_by is None):
            raise ValueError("a shift needs 'end', or 'hours' and 'ends_by'")
        return self

    def hours_for(self, wake: int) -> tuple[int, int]:
        """(start, end) hour of the shift of a persona who wakes at ``wake``."""
        start = self.start if self.start is not None else max(wake + self.after_wake, self.earliest)
        end = self.end if self.end is not None else min(start + self.hours, self.ends_by)
        return start, end


class Pastime(Data):
    words: Words
    activity: str


class Lessons(Data):
    words: Words
    teachers: Words
    teaching: Words
    attending: Words


class ActivitySteps(Data):
    words: Words
    steps: Words
    in_order: bool
    also: dict[str, str] = {}


class Emoji(Data):
    words: Words
    emoji: str


class Importance(Data):
    score: int
    words: Words


class Profile(Data):
    object_hints: tuple[ObjectHint, ...]
    object_states: dict[str, str]
    single_use_objects: Words
    seats: Words
    private_places: Words
    home_words: Words
    work_words: Words
    shifts: tuple[Shift, ...]
    pastimes: tuple[Pastime, ...]
    usual_pastimes: Words
    lessons: Lessons
    activity_steps: tuple[ActivitySteps, ...]
    emoji: tuple[Emoji, ...]
    importance: tuple[Importance, ...]
    event_words: Words


def _load() -> Profile:
    path = resources.files("smallville.llm") / "scripted_profile.json"
    return Profile.model_validate_json(path.read_text(encoding="utf-8"))


PROFILE = _load()
