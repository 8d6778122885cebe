"""Prompt kinds that make a town from a description (``smallville world generate``) and
residents for a town (``smallville agents generate``).

The model chooses meaning, never coordinates: which places a town needs, the rooms
of each and the objects in each room, whether the result matches the description,
and who lives where. Geometry is procedural (``smallville.towngen.layout``). Every
field is bounded, numbers included, so a small model's runaway answer stays small.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from smallville.llm.schema_base import In, Out

PLACE_KINDS = ("home", "work", "public")
MAX_PLACES = 16  # distinct places in a brief
MAX_COPIES = 12  # copies of one place ("6 cottages")
MAX_ROOMS = 5
MAX_OBJECTS = 6  # per room
MAX_HOUSEHOLD = 5
# digits as [0-9], not \d: llama.cpp turns patterns into a grammar, and its converter
# emits "\d" as an escape its grammar parser rejects (the server then stopped answering)
HHMM = r"^([01][0-9]|2[0-3]):[0-5][0-9]$"

Name = Annotated[str, Field(min_length=1, max_length=40)]
ObjectName = Annotated[str, Field(min_length=1, max_length=30)]
Sentence = Annotated[str, Field(min_length=1, max_length=160)]


# ------------------------------------------------------------------- town_brief
class TownBriefIn(In):
    description: str
    residents: int  # how many people will live there (homes must hold them)


class PlaceIdea(Out):
    name: Name  # "Harbour", "Fish Market", "Cottage"
    kind: Literal["home", "work", "public"]
    purpose: str = Field(default="", max_length=120)
    count: int = Field(default=1, ge=1, le=MAX_COPIES)


class TownBrief(Out):
    name: Name  # the town's name
    feel: str = Field(default="", max_length=200)
    places: list[PlaceIdea] = Field(min_length=1, max_length=MAX_PLACES)


# --------------------------------------------------------------- town_building
class TownBuildingIn(In):
    town: str
    feel: str = ""
    place: str
    kind: str  # home / work / public
    purpose: str = ""


class RoomIdea(Out):
    name: Name  # "kitchen", "sales floor"
    objects: list[ObjectName] = Field(min_length=1, max_length=MAX_OBJECTS)


class BuildingIdea(Out):
    rooms: list[RoomIdea] = Field(min_length=1, max_length=MAX_ROOMS)


# ----------------------------------------------------------------- town_review
class TownReviewIn(In):
    description: str
    places: tuple[str, ...]  # "Fish Market (work): hall [stall, crates, scale]; office [...]"


class MissingObject(Out):
    place: Name
    room: Name
    object: ObjectName


class TownReview(Out):
    """What the town lacks for its description; empty lists when it matches."""

    missing_places: list[PlaceIdea] = Field(default_factory=list, max_length=4)
    missing_objects: list[MissingObject] = Field(default_factory=list, max_length=8)


# ------------------------------------------------------------- town_household
class TownHouseholdIn(In):
    town: str
    feel: str = ""
    home: str  # the home's place name
    size: int  # members to make
    workplaces: tuple[str, ...]  # "Fish Market: sells the day's catch"
    neighbours: tuple[str, ...] = ()  # "Ana Carter, 34, works at the Fish Market"


class Member(Out):
    name: Annotated[str, Field(min_length=3, max_length=40)]  # first and last name
    age: int = Field(ge=1, le=99)
    innate: str = Field(min_length=1, max_length=80)  # three traits
    learned: str = Field(min_length=1, max_length=300)  # background
    currently: str = Field(default="", max_length=200)
    wake_time: str = Field(pattern=HHMM, max_length=5)
    sleep_time: str = Field(pattern=HHMM, max_length=5)
    workplace: str = Field(default="", max_length=40)  # one of the workplaces, or ""
    daily_requirements: list[Sentence] = Field(default_factory=list, max_length=3)
    memories: list[Sentence] = Field(default_factory=list, max_length=3)


class Household(Out):
    members: list[Member] = Field(min_length=1, max_length=MAX_HOUSEHOLD)


TOWN_KINDS = {
    "town_brief": (TownBriefIn, TownBrief),
    "town_building": (TownBuildingIn, BuildingIdea),
    "town_review": (TownReviewIn, TownReview),
    "town_household": (TownHouseholdIn, Household),
}
