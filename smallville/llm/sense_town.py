"""Sense checks of the kinds that make a town and its residents: the brief, a building,
the review, a household.

What each must satisfy is listed in ``sense``.
"""

from __future__ import annotations

import functools
import re

from smallville.llm import schemas_town as t
from smallville.llm.sense_shared import fail, norm, quote, singular

MIN_AWAKE, MAX_AWAKE = 8, 20  # hours a resident is up between waking and sleeping
LATE_NIGHT = 2  # a bedtime up to 02:00 is a late night, not a night shift
PLACEHOLDER_NAMES = frozenset(
    {"name", "town", "the town", "town name", "a name", "none", "unknown"}
)


@functools.cache
def _prompt_words(kind: str) -> str:
    """The fixed wording of a kind's prompt (its placeholders left out), normalised."""
    from smallville.llm.templates import template  # templates import the task module

    return norm(re.sub(r"\$\{?\w+\}?", " ", template(kind).template))


def copied(text: str, kind: str) -> bool:
    """Is ``text`` four words or more of the prompt of ``kind`` copied back?"""
    said = norm(text)
    return len(said.split()) >= 4 and f" {said} " in f" {_prompt_words(kind)} "


def _same(name: str) -> str:
    """A name as compared: words only, "the" and a plural "s" dropped."""
    return " ".join(singular(w) for w in norm(name).split() if w != "the")


def _head(text: str) -> str:
    """ "Fish Market (work): hall [...]" or "Ana Carter, 34, ..." -> its name."""
    return re.split(r"[(:,]", text, maxsplit=1)[0].strip()


# ------------------------------------------------------------------ the town
def town_brief(i: t.TownBriefIn, v: t.TownBrief) -> None:
    if _same(v.name) in PLACEHOLDER_NAMES or copied(v.name, "town_brief") or not norm(v.name):
        fail("brief_name", f"{quote(v.name)} is not a town's name; name the town")
    for text in (v.feel, *(p.purpose for p in v.places)):
        if copied(text, "town_brief"):
            fail("brief_copied", f"{quote(text)} repeats the prompt; describe this town")
    names = [_same(p.name) for p in v.places]
    repeated = sorted({p.name for p in v.places if names.count(_same(p.name)) > 1})
    if repeated or not all(names):
        fail(
            "brief_repeat",
            f"each place is listed once, by a name: {', '.join(repeated) or 'a blank name'}; "
            "several copies of one place are one place with a count",
        )
    homes = sum(p.count for p in v.places if p.kind == "home")
    if not homes:
        fail("brief_homes", "the town needs homes (kind home) for its residents to live in")
    if not any(p.kind != "home" for p in v.places):
        fail("brief_places", "the town needs places to work or meet (kind work or public)")
    most = t.MAX_PLACES * t.MAX_COPIES * t.MAX_HOUSEHOLD
    if homes * t.MAX_HOUSEHOLD < min(i.residents, most):
        fail(
            "brief_homes",
            f"{homes} homes cannot house {i.residents} residents: give the homes a count "
            f"of one home for every 2 to 4 people",
        )


def town_building(i: t.TownBuildingIn, v: t.BuildingIdea) -> None:
    rooms = [_same(r.name) for r in v.rooms]
    if not all(rooms):
        fail("building_rooms", "every room needs a name (such as kitchen or workshop)")
    if len(set(rooms)) < len(rooms):
        fail("building_repeat", "each room is listed once; give different rooms different names")
    for room in v.rooms:
        for obj in room.objects:
            if not norm(obj) or _same(obj) == _same(room.name):
                fail(
                    "building_objects",
                    f"{quote(obj)} in the {room.name} is not an object: list the furniture "
                    "and things people use in the room, not the room's name",
                )


def town_review(i: t.TownReviewIn, v: t.TownReview) -> None:
    listed = {_same(_head(p)): p for p in i.places}
    for p in v.missing_places:
        if _same(p.name) in listed:
            fail(
                "review_present",
                f"{p.name} is already one of the town's places; list only places it lacks",
            )
    for m in v.missing_objects:
        place = listed.get(_same(m.place))
        if place is None:
            fail("review_object_place", f"{quote(m.place)} is not one of the town's places")
        elif _same(m.object) in {_same(o) for o in re.split(r"[\[\],;]", place)}:
            fail("review_object_present", f"the {m.place} already has a {m.object}")


# ------------------------------------------------------------------ the people
def town_household(i: t.TownHouseholdIn, v: t.Household) -> None:
    size = max(1, min(i.size, t.MAX_HOUSEHOLD))
    if len(v.members) != size:
        fail("household_size", f"the household has {size} members, not {len(v.members)}")
    names = [_same(m.name) for m in v.members]
    neighbours = {_same(_head(n)) for n in i.neighbours}
    for m, name in zip(v.members, names, strict=True):
        if len(name.split()) < 2:
            fail("household_names", f"{quote(m.name)} needs a first and a last name")
        if names.count(name) > 1 or name in neighbours:
            fail("household_names", f"{m.name} is taken; every resident has their own name")
    _workplaces(i, v)
    for m in v.members:
        _hours(m)
        for text in (m.learned, m.currently, *m.daily_requirements, *m.memories):
            if copied(text, "town_household"):
                fail(
                    "household_copied",
                    f"{quote(text)} repeats the prompt; write about {m.name} in particular",
                )


def _workplaces(i: t.TownHouseholdIn, v: t.Household) -> None:
    allowed = {_same(_head(w)) for w in i.workplaces}
    for m in v.members:
        if m.workplace and _same(m.workplace) not in allowed:
            shown = ", ".join(_head(w) for w in i.workplaces) or "none"
            fail(
                "household_workplace",
                f"{quote(m.workplace)} is not one of the workplaces ({shown}); use the exact "
                'name of one, or "" for a child or someone retired',
            )


def _hours(m: t.Member) -> None:
    wake, sleep = (int(x[:2]) * 60 + int(x[3:]) for x in (m.wake_time, m.sleep_time))
    awake = (sleep - wake) % (24 * 60)
    night = "night" in f"{m.learned} {m.currently} {m.workplace}".lower()
    late = sleep <= LATE_NIGHT * 60
    if not MIN_AWAKE * 60 <= awake <= MAX_AWAKE * 60 or (sleep < wake and not (late or night)):
        fail(
            "household_hours",
            f"{m.name} wakes at {m.wake_time} and sleeps at {m.sleep_time}: wake in the "
            f"morning and sleep {MIN_AWAKE} to {MAX_AWAKE} hours later (someone who works "
            "at night says so in the background)",
        )
