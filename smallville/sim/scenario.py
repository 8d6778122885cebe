"""Scenario files: when a run starts, for how long, what some residents know at the
start, and which facts the analysis tracks as they spread."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from smallville.jsonfile import read_model

DEFAULT_START = "2023-02-13 06:00"


class ScenarioError(ValueError):
    """A scenario file that cannot be used; the message names the file and the field."""


class Fact(BaseModel):
    """A fact to track for diffusion; an event also says where and when it happens."""

    model_config = ConfigDict(extra="forbid")
    description: str
    keywords: list[str] = Field(min_length=1)
    place: str | None = None  # a sector or arena name, e.g. "Bellini's Cafe"
    start: str | None = None  # "YYYY-MM-DD HH:MM"
    end: str | None = None


class Scenario(BaseModel):
    """A scenario file: when, how long, what some residents know, which facts to track."""

    model_config = ConfigDict(extra="forbid")
    name: str = "scenario"
    start: str = DEFAULT_START
    hours: float | None = Field(None, gt=0)
    seed_memories: dict[str, list[str]] = {}
    facts: dict[str, Fact] = {}

    @classmethod
    def load(cls, path: Path) -> Scenario:
        return read_model(path, cls, "the scenario", ScenarioError)
