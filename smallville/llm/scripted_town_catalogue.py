"""What the scripted town kinds know about towns, read once from ``scripted_towns.json``,
and the word rules they read a description with (``scripted_towns`` answers the kinds).

The catalogue's sections:

- ``places``: place kinds by name, each with its ``kind`` (home / work / public), a
  ``purpose``, the trigger ``words`` that ask for it ("harbor", "fisherman"), the
  ``names`` among them that name the place itself (a "harbor" is called Harbor, a
  "fisherman" asks for the Harbour) and its ``rooms`` (room name -> objects, mostly
  furniture tags of the town kit).
- ``town_types``: a town named by its type ("a fishing village", "a space station")
  expands to its ``places`` and its ``home``, and is named from ``prefixes`` and
  ``suffixes`` when the description gives no name. The type whose ``words`` come first
  in the text wins; ``hints`` count only when no type is named. ``default_town`` (a
  shop, a square, a cafe) is the town of a description that names no type, "" included.
- ``unknown``: which other nouns are places ("an old watchtower": a ``suffixes`` or
  ``nouns`` match, not one of ``not_places``), and which of those are ``public``.
- ``object_words``: objects for the main room of a place the catalogue does not know.

Words match whole words, singular or plural ("bakeries" asks for a "bakery"); a number
just before them is how many ("three bakeries", "10,000 houses": clamped to 1-12, "no
school": none). Nothing is random: the same description gives the same town.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
import unicodedata
from importlib import resources
from typing import Literal

from pydantic import model_validator

from smallville.llm import schemas_town as t
from smallville.llm.scripted_profile import Data, Words
from smallville.llm.sense_shared import singular

STOP = frozenset(
    (  # noqa: SIM905 - a word list reads best as words
        "a an the and or with where near next to by beside behind around in on at of for from "
        "who that which has have had is are was were be there its their his her lots plenty "
        "full some any this these those it they we our my your very also just while but as "
        "into over many few several couple dozen dozens hundred hundreds thousand thousands "
        "no not without"
    ).split()
)
_ONE_TO_TWELVE = "one two three four five six seven eight nine ten eleven twelve"
NUMBERS = {word: n for n, word in enumerate(_ONE_TO_TWELVE.split(), 1)} | dict(
    single=1, pair=2, couple=2, few=3, several=3, many=6, lots=6, numerous=6, dozen=12,
    dozens=12, hundred=12, hundreds=12, thousand=12, thousands=12,
)  # fmt: skip
_NEGATIONS = frozenset({"no", "not", "without", "never"})


class Place(Data):
    kind: Literal["home", "work", "public"]
    purpose: str
    words: Words
    names: Words  # the words that name the place itself: a "pub" is called Pub
    rooms: dict[str, Words]


class TownType(Data):
    name: str
    words: Words
    hints: Words
    feel: str
    places: Words
    home: str
    prefixes: Words
    suffixes: Words


class Unknown(Data):
    suffixes: Words
    nouns: Words
    not_places: Words
    public: Words


class ObjectWords(Data):
    words: Words
    objects: Words


class Catalogue(Data):
    places: dict[str, Place]
    town_types: tuple[TownType, ...]
    default_town: TownType
    unknown: Unknown
    object_words: tuple[ObjectWords, ...]
    households: dict  # read by scripted_households

    @model_validator(mode="after")
    def _consistent(self) -> Catalogue:
        seen: dict[str, str] = {}
        for name, p in self.places.items():
            if not 1 <= len(p.rooms) <= t.MAX_ROOMS or any(
                not 1 <= len(o) <= t.MAX_OBJECTS for o in p.rooms.values()
            ):
                raise ValueError(f"{name}: 1-{t.MAX_ROOMS} rooms of 1-{t.MAX_OBJECTS} objects")
            if not set(p.names) <= set(p.words):
                raise ValueError(f"{name}: names {set(p.names) - set(p.words)} not in its words")
            for w in (name.lower(), *p.words):
                if seen.setdefault(w, name) != name:
                    raise ValueError(f"trigger {w!r} of both {seen[w]} and {name}")
        for town in (*self.town_types, self.default_town):
            for name in (*town.places, town.home):
                if name not in self.places:
                    raise ValueError(f"town type {town.name}: unknown place {name!r}")
        return self


@functools.cache
def catalogue() -> Catalogue:
    path = resources.files("smallville.llm") / "scripted_towns.json"
    return Catalogue.model_validate(json.loads(path.read_text(encoding="utf-8")))


# ------------------------------------------------------------------ reading words
def fold(text: str) -> str:
    """``text`` in plain ASCII ("café" -> "cafe"), case kept."""
    text = text.replace("\u2013", "-").replace("\u2014", "-").replace("\u2019", "'")
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def digest(*parts: object) -> int:
    """A stable number from ``parts``: the scripted town rules' only randomness."""
    return int(hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()[:12], 16)


def tokens(text: str) -> list[str]:
    """Numbers and words; a possessive joins its noun ("sheriff's office" -> sheriff,
    office), so an apostrophe never splits a name."""
    text = re.sub(r"'s\b", "", fold(text).lower())
    return re.findall(r"\d[\d,]*\d|\d|[a-z]+", text)


def _is(word: str, token: str) -> bool:
    return word == token or singular(word) == singular(token)


def count_at(toks: list[str], i: int) -> int:
    """How many of the thing at ``toks[i]`` the words before it ask for (1 unless a
    number says so, 0 for "no" or "without"), clamped to ``MAX_COPIES``."""
    j, adjectives = i - 1, 0
    while j >= 0 and adjectives <= 2:
        word = toks[j]
        if word[0].isdigit():
            return max(0, min(t.MAX_COPIES, int(word.replace(",", ""))))
        if word in NUMBERS:
            return NUMBERS[word]
        if word in _NEGATIONS:
            return 0
        if word in STOP and word not in ("a", "an", "the", "of"):
            break
        adjectives += word not in ("a", "an", "the", "of")
        j -= 1
    return 1


def find(phrase: Words | list[str], toks: list[str], used: list[bool]) -> int | None:
    """Where the words of ``phrase`` stand together, unused, in ``toks``."""
    n = len(phrase)
    for i in range(len(toks) - n + 1):
        if not any(used[i : i + n]) and all(_is(w, toks[i + k]) for k, w in enumerate(phrase)):
            return i
    return None


def phrases(words: Words) -> list[list[str]]:
    return sorted((tokens(w) for w in words), key=len, reverse=True)


@functools.cache
def triggers(home: bool | None = None) -> tuple[tuple[tuple[str, ...], str], ...]:
    """(trigger words, place name) of the catalogue's places (only its homes, or only
    the others), its own name among them, longest first."""
    places = catalogue().places.items()
    found = [
        (tuple(p), n)
        for n, place in places
        if home is None or (place.kind == "home") == home
        for p in phrases((n, *place.words))
    ]
    return tuple(sorted(found, key=lambda x: -len(x[0])))


def title(words: list[str]) -> str:
    """ "bed and breakfast" -> "Bed and Breakfast"."""
    small = ("and", "of", "the", "on", "in", "by")
    return " ".join(w if w in small and n else w.capitalize() for n, w in enumerate(words))
