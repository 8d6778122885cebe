"""A town as the model decides it: places, their rooms and the objects in each, by name.

The plan holds no geometry (``layout.lay_out`` adds it) and names are free text. Names
become parts of ``<world>:<sector>:<arena>:<object>`` addresses, so before use they are
cleaned (``clean_name``: ':' becomes '-', runs of whitespace one space) and made
unique where the address needs it (``unique_names``: "bedroom", "bedroom 2").
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass


@dataclass(frozen=True)
class RoomPlan:
    name: str
    objects: tuple[str, ...]  # by name: "stove", "fridge", "net rack"


@dataclass(frozen=True)
class PlacePlan:
    name: str  # unique in the town: the sector's name
    kind: str  # "home" | "work" | "public"
    purpose: str
    rooms: tuple[RoomPlan, ...]


@dataclass(frozen=True)
class TownPlan:
    name: str
    description: str
    feel: str
    places: tuple[PlacePlan, ...]


def clean_name(name: str, fallback: str) -> str:
    """``name`` fit for an address part: ':' is the separator, so it becomes '-';
    whitespace (newlines, tabs) collapses to single spaces; nothing left -> ``fallback``."""
    return " ".join(name.replace(":", "-").split()) or fallback


def unique_names(names: list[str], taken: tuple[str, ...] = ()) -> list[str]:
    """The names made distinct ignoring case, a repeat numbered from 2 ("bedroom",
    "bedroom 2"), none equal to a ``taken`` name."""
    seen = {t.casefold() for t in taken}
    out = []
    for name in names:
        candidate, n = name, 1
        while candidate.casefold() in seen:
            n += 1
            candidate = f"{name} {n}"
        seen.add(candidate.casefold())
        out.append(candidate)
    return out


def file_name(name: str, empty: str) -> str:
    """A file or folder name for ``name``: ASCII lowercase words joined by '_' ("Zoë
    Park" -> "zoe_park"); ``empty`` when nothing is left."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "_", ascii_name.casefold()).strip("_") or empty
