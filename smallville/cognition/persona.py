"""Personas: who each resident is, loaded from ``agents/<town>/<first_last>.json``."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from smallville.gametime import parse_hm
from smallville.llm.schemas import PersonaBrief


class PersonaError(ValueError):
    """A persona file is wrong; the message names the file, the field and what was expected."""


class Persona(BaseModel):
    """One resident, as written in a persona file."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(min_length=1, max_length=80)
    age: int = Field(ge=0, le=120)
    innate: str = Field(min_length=1, description="innate traits, e.g. 'kind, curious, shy'")
    learned: str = Field(min_length=1, description="background")
    currently: str = ""
    lifestyle: str = ""
    wake_time: str = "07:00"
    sleep_time: str = "23:00"
    living_area: str = Field(description="'<scene_name>:<sector>:<arena>' of the home")
    workplace: str | None = Field(None, description="'<scene_name>:<sector>:<arena>' or null")
    daily_requirements: tuple[str, ...] = ()
    memories: tuple[str, ...] = Field((), description="seed memories: family, friends, neighbours")

    @field_validator("wake_time", "sleep_time")
    @classmethod
    def _hm(cls, v: str) -> str:
        parse_hm(v)
        return v

    @field_validator("living_area", "workplace")
    @classmethod
    def _address(cls, v: str | None) -> str | None:
        if v is not None and len(v.split(":")) != 3:
            raise ValueError(f"{v!r} is not an address '<scene_name>:<sector>:<arena>'")
        return v

    def brief(self) -> PersonaBrief:
        return PersonaBrief(
            name=self.name,
            age=self.age,
            innate=self.innate,
            learned=self.learned,
            currently=self.currently,
            lifestyle=self.lifestyle,
            wake_time=self.wake_time,
            sleep_time=self.sleep_time,
            home=self.living_area,
            workplace=self.workplace,
            daily_requirements=self.daily_requirements,
        )


def match_name(names: Iterable[str], name: str) -> str | None:
    """The one of ``names`` that ``name`` means, ignoring case and repeated spaces."""
    names = list(names)
    if name in names:
        return name
    key = " ".join(name.split()).casefold()
    found = [n for n in names if " ".join(n.split()).casefold() == key]
    return found[0] if len(found) == 1 else None


def load_persona(path: Path) -> Persona:
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as e:
        raise PersonaError(f"{path}: cannot read: {e.strerror}") from e
    except json.JSONDecodeError as e:
        raise PersonaError(f"{path}: line {e.lineno} column {e.colno}: {e.msg}") from e
    try:
        return Persona.model_validate(data)
    except ValidationError as e:
        raise PersonaError(_describe(path, e)) from e


def load_personas(folder: Path, known_arenas: Iterable[str] | None = None) -> list[Persona]:
    """Every ``*.json`` persona in ``folder`` (not scenario files), sorted by name.

    With ``known_arenas`` (arena addresses of the world), homes and workplaces must exist.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise PersonaError(f"{folder}: not a folder of persona files")
    files = persona_files(folder)
    if not files:
        raise PersonaError(f"{folder}: no persona files (*.json with a 'name' field)")
    personas = [load_persona(p) for p in files]
    by_name: dict[str, Path] = {}
    for path, persona in zip(files, personas, strict=True):
        if persona.name in by_name:
            raise PersonaError(
                f"{path}: name: {persona.name!r} is also used by {by_name[persona.name]}"
            )
        by_name[persona.name] = path
    if known_arenas is not None:
        arenas = set(known_arenas)
        for path, persona in zip(files, personas, strict=True):
            for field in ("living_area", "workplace"):
                address = getattr(persona, field)
                if address is not None and address not in arenas:
                    raise PersonaError(
                        f"{path}: {field}: {address!r} is not an arena of the world "
                        "(expected an arena address as `smallville world info` lists)"
                    )
    return sorted(personas, key=lambda p: p.name)


def persona_files(folder: Path) -> list[Path]:
    """The persona files of a folder: every ``*.json`` but scenario files."""
    return sorted(p for p in Path(folder).glob("*.json") if not _is_scenario(p))


def _is_scenario(path: Path) -> bool:
    """Scenario files live beside personas; they have ``facts`` or ``seed_memories``."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return False  # let load_persona report it
    return isinstance(data, dict) and ("facts" in data or "seed_memories" in data)


def _describe(path: Path, error: ValidationError) -> str:
    lines = []
    for err in error.errors():
        where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in err["loc"]).lstrip(".")
        got = err.get("input")
        shown = "" if isinstance(got, dict) else f" (got {got!r})"
        lines.append(f"{path}: {where or '<root>'}: {err['msg']}{shown}")
    return "\n".join(lines)
