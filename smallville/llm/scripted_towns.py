"""Scripted answers to the town kinds ``town_brief``, ``town_building`` and
``town_review`` (``town_household`` is in ``scripted_households``).

They read the description's own words against the catalogue
(``scripted_town_catalogue``): the town type it names, the places it asks for and how
many, other nouns that look like places, and the town's own name. The brief adds the
type's places and enough homes for the residents (one for every three); a building's
rooms come from the catalogue entry its name or purpose matches, else an entrance hall
and a main room furnished from its words; the review lists the places the description
asks for that the town lacks, and homes without a bed. An empty description, or one
that names no type, is a small town (homes, a shop, a square, a cafe). Nothing is
random: the same inputs give the same answer (the generator passed in is not used).
"""

from __future__ import annotations

import functools
import math
import random
import re

from smallville.llm import schemas_town as t
from smallville.llm.scripted_town_catalogue import (
    NUMBERS,
    STOP,
    TownType,
    Words,
    catalogue,
    count_at,
    digest,
    find,
    fold,
    phrases,
    singular,
    title,
    tokens,
    triggers,
)


class Reading:
    """What a description asks for: its own name, its town type, the catalogue places
    it names (with counts, in the order written) and the unknown places."""

    def __init__(self, description: str) -> None:
        text = fold(description)
        self.name = own_name(text)
        if self.name:
            text = text.replace(self.name, " , ")
        self.toks = toks = tokens(text)
        self.used = [False] * len(toks)
        self.type = self._town_type()
        self.entry: dict[str, str] = {}  # a place's name as written -> its catalogue entry
        found = self._known()
        found.update(self._unknown(found))
        ordered = sorted(found.items(), key=lambda x: x[1][0])
        self.asked = [(n, c) for n, (_, c) in ordered if c > 0]
        self.entry = {n: e for n, e in self.entry.items() if n in dict(self.asked)}

    def _known(self) -> dict[str, tuple[int, int]]:
        """The catalogue places the words ask for: name -> (position, count). A place is
        called as the description calls it when that word names it ("a pub": Pub)."""
        hits: dict[str, list[tuple[int, int, str | None]]] = {}
        for phrase, entry in triggers():
            while (i := find(phrase, self.toks, self.used)) is not None:
                n = len(phrase)
                self.used[i : i + n] = [True] * n
                written = [*self.toks[i : i + n - 1], singular(self.toks[i + n - 1])]
                called = entry if list(phrase) == tokens(entry) else None
                if phrase in _names(entry):
                    called = title(written)
                hits.setdefault(entry, []).append((i, count_at(self.toks, i), called))
        found = {}
        for entry, seen in hits.items():
            at, count, _ = min(seen, key=lambda x: x[0])
            name = next((c for _, _, c in sorted(seen, key=lambda x: x[0]) if c), entry)
            found[name] = (at, count)
            self.entry[name] = entry
        return found

    def _town_type(self) -> TownType | None:
        cat = catalogue()
        for field in ("words", "hints"):
            hits = []
            for n, town in enumerate(cat.town_types):
                for phrase in phrases(getattr(town, field)):
                    i = find(phrase, self.toks, self.used)
                    if i is not None:
                        hits.append((i, n, phrase))
            if hits:
                i, n, phrase = min(hits)
                self.used[i : i + len(phrase)] = [True] * len(phrase)
                return cat.town_types[n]
        return None

    def _unknown(self, known: dict) -> dict[str, tuple[int, int]]:
        u = catalogue().unknown
        out: dict[str, tuple[int, int]] = {}
        chunk: list[int] = []
        for i, word in enumerate([*self.toks, "."]):
            if i < len(self.toks) and not self.used[i] and word not in STOP and word.isalpha():
                chunk.append(i)
                continue
            if chunk:
                head = singular(self.toks[chunk[-1]])
                place_like = head in u.nouns or head.endswith(u.suffixes)
                if place_like and len(head) > 3 and head not in u.not_places:
                    words = [self.toks[j] for j in chunk[-3:-1]] + [head]
                    name = " ".join(words).title()[:40]
                    if name not in known:
                        out.setdefault(name, (chunk[0], count_at(self.toks, chunk[0])))
            chunk = []
        return out

    def kind_of(self, name: str) -> str:
        place = catalogue().places.get(self.entry.get(name, name))
        if place is not None:
            return place.kind
        return "public" if set(tokens(name)) & set(catalogue().unknown.public) else "work"

    def purpose_of(self, name: str) -> str:
        place = catalogue().places.get(self.entry.get(name, name))
        return place.purpose if place else f"the town's {name.lower()}"[:120]


@functools.cache
def _names(entry: str) -> frozenset[tuple[str, ...]]:
    return frozenset(tuple(tokens(n)) for n in catalogue().places[entry].names)


_CAP = r"[A-Z][A-Za-z'-]*"
_NAME = rf"{_CAP}(?:\s+(?:(?:of|on|upon|by|the|de|la|le|del|di)\s+)?{_CAP}){{0,3}}"
_NAMED = (
    rf"\b(?:called|named)\s+(?:the\s+)?({_NAME})",
    rf"\b(?:town|village|city|hamlet|island|isle|station|campus|colony)\s+of\s+({_NAME})",
    rf"^\s*({_NAME})\s*(?:[,:;(-]|\bis\b|$)",
)


def own_name(text: str) -> str | None:
    """The town's name if the description gives one ("Port Ellis, a fishing village")."""
    for pattern in _NAMED:
        m = re.search(pattern, text)
        if m and set(tokens(m.group(1))) - _vocabulary():
            return m.group(1).strip()[:40]
    return None


@functools.cache
def _vocabulary() -> frozenset[str]:
    """Words that describe a town rather than name it ("A Fishing Village")."""
    cat = catalogue()
    words = [w for p in cat.places.values() for w in p.words]
    for town in (*cat.town_types, cat.default_town):
        words += [*town.words, *town.hints]
    return frozenset({x for w in words for x in tokens(w)} | STOP | set(NUMBERS) | {"small"})


def made_up_name(description: str, town: TownType) -> str:
    h = digest(" ".join(tokens(description)))
    return town.prefixes[h % len(town.prefixes)] + town.suffixes[(h >> 20) % len(town.suffixes)]


# ------------------------------------------------------------------ the brief
def town_brief(i: t.TownBriefIn, rng: random.Random | None = None) -> t.TownBrief:
    r = Reading(i.description)
    town = r.type or catalogue().default_town
    name = r.name or made_up_name(i.description, town)
    asked_homes = [(n, c) for n, c in r.asked if r.kind_of(n) == "home"]
    taken = set(r.entry.values())  # a type's place the description named already
    homes = enough_homes(asked_homes, i.residents, town.home, taken)
    others = [(n, c) for n, c in r.asked if r.kind_of(n) != "home"]
    typical = [(n, 1) for n in town.places if n not in dict(others) and n not in taken]
    others = typical[:1] + others + typical[1:]  # the type's heart first: never cut
    places = [
        t.PlaceIdea(name=n, kind=r.kind_of(n), purpose=r.purpose_of(n), count=c)
        for n, c in others[: t.MAX_PLACES - len(homes)] + homes
    ]
    return t.TownBrief(name=name, feel=town.feel, places=places)


def enough_homes(
    asked: list[tuple[str, int]], residents: int, home: str, taken: set[str]
) -> list[tuple[str, int]]:
    """The homes asked for, with copies added (then other home kinds) until there is
    one home for every three residents."""
    need = max(1, math.ceil(residents / 3))
    homes = [[n, c] for n, c in asked]
    spare = [home] + [n for n, p in catalogue().places.items() if p.kind == "home" and n != home]
    spare = [n for n in spare if n not in dict(asked) and n not in taken]
    while sum(c for _, c in homes) < need:
        open_ = [h for h in homes if h[1] < t.MAX_COPIES]
        if open_:
            open_[0][1] += min(t.MAX_COPIES - open_[0][1], need - sum(c for _, c in homes))
        elif spare and len(homes) < t.MAX_PLACES - 1:
            homes.append([spare.pop(0), 0])
        else:
            break
    return [(n, c) for n, c in homes]


# ------------------------------------------------------------------ buildings
def match(name: str, purpose: str, home: bool) -> str | None:
    """The catalogue place a place called ``name`` is, by its name, then its purpose."""
    places = catalogue().places.items()
    exact = {n.lower(): n for n, p in places if (p.kind == "home") == home}
    if name.strip().lower() in exact:
        return exact[name.strip().lower()]
    for text in (name, purpose):
        toks = tokens(text)
        for phrase, n in triggers(home):
            if find(phrase, toks, [False] * len(toks)) is not None:
                return n
    return None


def town_building(i: t.TownBuildingIn, rng: random.Random | None = None) -> t.BuildingIdea:
    home = i.kind == "home"
    found = match(i.place, i.purpose, home) or ("House" if home else None)
    rooms = catalogue().places[found].rooms if found else generic_rooms(i.place, i.purpose)
    return t.BuildingIdea(
        rooms=[
            t.RoomIdea(name=room, objects=list(objects[: t.MAX_OBJECTS]))
            for room, objects in list(rooms.items())[: t.MAX_ROOMS]
        ]
    )


def generic_rooms(place: str, purpose: str) -> dict[str, Words]:
    """An entrance hall and a main room with objects that suit the place's words."""
    toks = [singular(w) for w in tokens(f"{place} {purpose}")]
    objects: list[str] = []
    for hint in catalogue().object_words:
        if any(x == w or (len(w) >= 4 and x.startswith(w)) for x in toks for w in hint.words):
            objects += [o for o in hint.objects if o not in objects]
    for o in ("work table", "chair", "storage shelf"):
        if len(objects) < 3 and o not in objects:
            objects.append(o)
    return {
        "entrance hall": ("notice board", "bench", "reception desk"),
        "main room": tuple(objects[: t.MAX_OBJECTS]),
    }


# ------------------------------------------------------------------ review
def parse_place(text: str) -> tuple[str, str, dict[str, list[str]]]:
    """ "Fish Market (work, 2): hall [stall]; office [desk]" -> (name, kind, rooms)."""
    head, _, body = text.partition(":")
    kind = re.search(r"\((home|work|public)\b", head)  # "(work)" or "(work, 3)"
    name = re.sub(r"\s*\(.*", "", head).strip()
    rooms = {
        m.group(1).strip(): [o.strip() for o in m.group(2).split(",") if o.strip()]
        for m in re.finditer(r"([^;\[\]]+)\[([^\]]*)\]", body)
    }
    return name, kind.group(1) if kind else "", rooms


def present(name: str, have: list[str]) -> bool:
    """Does one of the place names ``have`` stand for the catalogue place (or new place)
    ``name``: its name or one of its trigger words?"""
    place = catalogue().places.get(name)
    words = (name, *place.words) if place else (singular(tokens(name)[-1]),) if tokens(name) else ()
    for other in have:
        toks = tokens(other)
        if any(find(p, toks, [False] * len(toks)) is not None for p in phrases(words)):
            return True
    return False


def town_review(i: t.TownReviewIn, rng: random.Random | None = None) -> t.TownReview:
    r = Reading(i.description)
    have = [parse_place(p) for p in i.places]
    names = [n for n, _, _ in have]
    wanted = [(n, c) for n, c in r.asked if r.kind_of(n) != "home"]
    heart = r.type.places[0] if r.type else None  # a fishing village's harbour
    if heart and heart not in dict(wanted) and heart not in r.entry.values():
        wanted.append((heart, 1))
    kinds = {kind for _, kind, _ in have} - {""}
    if kinds and "home" not in kinds:
        wanted.append(((r.type or catalogue().default_town).home, 1))
    missing = [
        t.PlaceIdea(name=n, kind=r.kind_of(n), purpose=r.purpose_of(n), count=c)
        for n, c in wanted
        if not present(r.entry.get(n, n), names)
    ]
    beds = [
        t.MissingObject(place=n, room=next(iter(rooms), "bedroom")[:40], object="bed")
        for n, kind, rooms in have
        if kind == "home" and rooms and not any("bed" in o for v in rooms.values() for o in v)
    ]
    return t.TownReview(missing_places=missing[:4], missing_objects=beds[:8])


__all__ = ["catalogue", "town_brief", "town_building", "town_review"]
