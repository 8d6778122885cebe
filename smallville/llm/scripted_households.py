"""Scripted answer to ``town_household``: the people of one home, from the ``households``
section of ``scripted_towns.json``.

- ``names``: first and last names by origin. A household takes one origin and one last
  name (housemates one each), none a neighbour already has; the inputs choose which.
- ``traits``: innate traits, three to a person.
- ``jobs``: the working day by the words of the workplace (the first match): a ``role``
  ("baker"), ``wake`` and ``sleep`` times, a ``duty`` (a daily requirement, ``{place}``
  is the workplace) and ``night`` for work that keeps people up past midnight (said in
  the background, so the sense check accepts a sleep time before the wake time).
  ``default_job`` is for workplaces no entry matches.
- ``projects``, ``child_projects``: what someone is busy with these days.
- ``family_memories``, ``neighbour_memories``, ``home_memories``: ``{a}`` is the member,
  ``{b}`` a family member, ``{n}`` a neighbour (``{n_first}`` their first name), ``{town}``
  and ``{home}`` the town and the home.
- ``housemate_words``: home names that house housemates (a flat, crew quarters), not a
  family; ``school_words``: the workplace children go to school at.

A family is one or two adults (25-70), children when there are more than two members
and a retired grandparent in a household of five. Adults work at one of the
workplaces, chosen by a digest of the home's name and the member's place in the
family, so households spread over the town's workplaces; children and the retired
have no workplace. Nothing is random: the same inputs give the same people.
"""

from __future__ import annotations

import functools
import random

from smallville.llm import schemas_town as t
from smallville.llm.scripted_profile import Data, Words
from smallville.llm.scripted_town_catalogue import catalogue, digest, tokens
from smallville.llm.sense_shared import singular


class Origin(Data):
    first: Words
    last: Words


class Job(Data):
    words: Words
    role: str
    wake: str
    sleep: str
    night: bool
    duty: str


class Households(Data):
    names: tuple[Origin, ...]
    traits: Words
    jobs: tuple[Job, ...]
    default_job: Job
    projects: Words
    child_projects: Words
    family_memories: Words
    neighbour_memories: Words
    home_memories: Words
    housemate_words: Words
    school_words: Words


@functools.cache
def data() -> Households:
    return Households.model_validate(catalogue().households)


def job_for(workplace: str) -> Job:
    """The working day at a workplace ("Bakery: bakes bread..."), by its words."""
    toks = [singular(w) for w in tokens(workplace)]
    text = " ".join(toks)
    for job in data().jobs:
        for w in job.words:
            if f" {w} " in f" {text} " or any(len(w) >= 5 and x.startswith(w) for x in toks):
                return job
    return data().default_job


def _people(i: t.TownHouseholdIn) -> list[tuple[str, int]]:
    """(role, age) of each member: "adult", "child" or "retired"."""
    size = max(1, min(i.size, t.MAX_HOUSEHOLD))
    h = digest(i.town, i.home, size)
    if _housemates(i):
        return [("adult", 25 + digest(h, n) % 16) for n in range(size)]
    young = size >= 3
    first = (28 + h % 18) if young else (25 + h % 46)
    second = max(25, min(70, first + (h >> 8) % 7 - 3))
    people = [("adult", first), ("adult", second)][:size]
    for n in range(2, min(size, 4)):
        people.append(("child", 3 + digest(h, n) % max(1, min(15, min(first, second) - 22))))
    if size == 5:
        people.append(("retired", 65 + (h >> 16) % 6))
    return people


def _housemates(i: t.TownHouseholdIn) -> bool:
    home = " ".join(tokens(i.home))
    return i.size > 1 and any(w in home for w in data().housemate_words)


def _names(i: t.TownHouseholdIn, n: int) -> list[str]:
    """``n`` full names, a family's sharing one last name, none a neighbour's."""
    taken = {x.split(",")[0].strip().lower() for x in i.neighbours}
    taken_first = {x.split()[0] for x in taken if x}
    taken_last = {x.split()[-1] for x in taken if x}
    origins = data().names
    h = digest(i.town, i.home)
    family = not _housemates(i)
    out: list[str] = []
    for k in range(n):
        o = origins[(h + (0 if family else 7 * k)) % len(origins)]
        lasts = [o.last[(h + j) % len(o.last)] for j in range(len(o.last))]
        last = next((x for x in lasts if x.lower() not in taken_last), lasts[0])
        if family and out:
            last = out[0].split()[-1]
        firsts = [o.first[(digest(h, k) + j) % len(o.first)] for j in range(len(o.first))]
        firsts += [x for other in origins for x in other.first if x not in firsts]
        used = {x.split()[0].lower() for x in out}
        fresh = [x for x in firsts if x.lower() not in used]
        fresh.sort(key=lambda x: x.lower() in taken_first)  # a neighbour's first name last
        out.append(next(f"{x} {last}" for x in fresh if f"{x} {last}".lower() not in taken))
    return out


def _workplace(i: t.TownHouseholdIn, k: int) -> str:
    if not i.workplaces:
        return ""
    return i.workplaces[(digest(i.home) + k) % len(i.workplaces)]


def _the(place: str) -> str:
    return place if place.lower().startswith("the ") else f"the {place}"


def town_household(i: t.TownHouseholdIn, rng: random.Random | None = None) -> t.Household:
    people = _people(i)
    names = _names(i, len(people))
    firsts = [n.split()[0] for n in names]
    near = i.neighbours[digest(i.home) % len(i.neighbours)] if i.neighbours else ""
    neighbour = near.split(",")[0].strip()
    school = next(
        (w.split(":")[0].strip() for w in i.workplaces if job_for(w).role == "teacher"), ""
    )
    members = []
    for k, ((role, age), name) in enumerate(zip(people, names, strict=True)):
        family = [f for j, f in enumerate(firsts) if j != k]
        members.append(_member(i, k, role, age, name, family, neighbour, school))
    return t.Household(members=members)


def _member(
    i: t.TownHouseholdIn,
    k: int,
    role: str,
    age: int,
    name: str,
    family: list[str],
    neighbour: str,
    school: str,
) -> t.Member:
    d = data()
    h = digest(i.town, i.home, name)
    first = name.split()[0]
    traits = []
    for j in range(len(d.traits)):
        trait = d.traits[(h + 7 * j) % len(d.traits)]
        if trait not in traits:
            traits.append(trait)
        if len(traits) == 3:
            break
    workplace = _workplace(i, k) if role == "adult" else ""
    place = workplace.split(":")[0].strip()
    job = job_for(workplace) if workplace else None
    learned, duty, wake, sleep = _day(i, role, first, place, workplace, job, school)
    with_whom = _together(i, family)
    learned = f"{learned} {first} lives at {i.home} in {i.town}{with_whom}."
    projects = d.child_projects if role == "child" else d.projects
    wants = [duty] + ([f"spend the evening with {family[0]}"] if family else [])
    return t.Member(
        name=name,
        age=age,
        innate=", ".join(traits),
        learned=_clip(learned, 300),
        currently=_clip(f"{first} is {projects[h % len(projects)]}", 200),
        wake_time=wake,
        sleep_time=sleep,
        workplace=place[:40],
        daily_requirements=[_clip(w, 160) for w in wants],
        memories=_memories(i, first, family, neighbour, h),
    )


def _day(
    i: t.TownHouseholdIn,
    role: str,
    first: str,
    place: str,
    workplace: str,
    job: Job | None,
    school: str,
) -> tuple[str, str, str, str]:
    """(background, duty, wake time, sleep time) for the member's role and job."""
    if role == "child":
        where = f"goes to school at {_the(school)}" if school else "is too young to work"
        return f"{first} {where}.", "do homework after school", "07:00", "20:30"
    if role == "retired":
        return (
            f"{first} is retired and looks after the family's garden.",
            f"take a slow walk around {i.town}",
            "06:30",
            "21:30",
        )
    if job is None:
        return f"{first} has no steady work yet.", "look for work in town", "07:30", "22:30"
    purpose = workplace.partition(":")[2].strip()
    what = f" ({purpose})" if purpose else ""
    late = f" {first} works late into the night." if job.night else ""
    background = f"{first} is a {job.role} at {_the(place)}{what}.{late}"
    return background, job.duty.format(place=_the(place)), job.wake, job.sleep


def _together(i: t.TownHouseholdIn, family: list[str]) -> str:
    if not family:
        return ""
    others = " and ".join([", ".join(family[:-1]), family[-1]] if len(family) > 1 else family)
    if _housemates(i):
        return f" with housemates {others}"
    return f" with their family: {others}"


def _memories(
    i: t.TownHouseholdIn, first: str, family: list[str], neighbour: str, h: int
) -> list[str]:
    d = data()
    out = []
    if family:
        said = d.family_memories[h % len(d.family_memories)]
        out.append(said.format(a=first, b=family[0], town=i.town))
    if neighbour:
        said = d.neighbour_memories[(h >> 8) % len(d.neighbour_memories)]
        out.append(said.format(a=first, n=neighbour, n_first=neighbour.split()[0]))
    said = d.home_memories[(h >> 16) % len(d.home_memories)]
    out.append(said.format(a=first, home=i.home))
    return [_clip(m, 160) for m in out[:3]]


def _clip(text: str, n: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 3].rsplit(" ", 1)[0] + "..."


__all__ = ["data", "job_for", "town_household"]
