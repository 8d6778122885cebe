"""Experiment spec files: a grid of runs (models x variants x conditions x seeds), how
long each run is, which metrics to aggregate and whether to evaluate.

Paths in a spec (``world``, ``agents``, ``scenario``, and the same in ``variants``) are
relative to the spec file's folder, so a spec works from any current folder; the shipped
ones in ``experiments/`` say ``../worlds/cafe.json``. ``load`` returns them absolute.

A metric is a dotted path into the JSON of ``smallville analyze --json``
(docs/analysis/SCHEMA.md): a part is a dict key, ``*`` (every key of a dict, each its own
metric) or a list index (``-1`` is the last), e.g. ``diffusion.*.share`` or
``relationships.densities.-1.knows_density``. Its value in each run must be a number.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from smallville.jsonfile import read_model

# the flags a condition may give `smallville run` (the paper's ablations)
ABLATION_FLAGS = ("--no-reflection", "--no-planning", "--no-memory")
# the top-level keys of the analysis JSON a metric path may start with
METRIC_ROOTS = (
    "run",
    "diffusion",
    "relationships",
    "coordination",
    "time_use",
    "plan_adherence",
    "llm_usage",
    "health",
)
_NAME = r"^[A-Za-z0-9_.]+$"  # names become parts of file names, joined with "-"


class SpecError(ValueError):
    """A spec file that cannot be used; the message names the file and the field."""


class Model(BaseModel):
    """One model the grid runs: a label, the backend and, for an endpoint, its settings."""

    model_config = ConfigDict(extra="forbid")
    name: str = Field(pattern=_NAME)
    llm: Literal["scripted", "openai"] = "scripted"
    model: str | None = None  # the endpoint's model name (--model)
    base_url: str | None = None  # --base-url
    concurrency: int | None = Field(None, ge=1)  # requests in flight per run

    def flags(self, concurrency: bool = True) -> list[str]:
        """The `smallville run` flags for this model (`eval` takes all but --concurrency)."""
        out = ["--llm", self.llm]
        for flag, value in (
            ("--model", self.model),
            ("--base-url", self.base_url),
            ("--concurrency", self.concurrency if concurrency else None),
        ):
            if value is not None:
                out += [flag, str(value)]
        return out

    @property
    def scripted(self) -> bool:
        return self.llm == "scripted"


class Variant(BaseModel):
    """Another town or scenario to run the grid in; unset fields are the spec's own."""

    model_config = ConfigDict(extra="forbid")
    world: str | None = None
    agents: str | None = None
    scenario: str | None = None


class Spec(BaseModel):
    """An experiment: every seed x condition x model (x variant) is one run."""

    model_config = ConfigDict(extra="forbid")
    name: str = Field(pattern=_NAME)
    world: str
    agents: str | None = None  # default: the world's residents
    scenario: str | None = None
    hours: float | None = Field(None, gt=0)  # default: the scenario's, else 24
    seeds: list[int] = Field(min_length=1)
    conditions: dict[str, list[str]] = Field(min_length=1)
    models: list[Model] = Field(default_factory=lambda: [Model(name="scripted")], min_length=1)
    variants: dict[str, Variant] = {}
    metrics: list[str] = Field(min_length=1)
    jobs: int = Field(1, ge=1)
    eval: bool = False

    @field_validator("seeds")
    @classmethod
    def _distinct_seeds(cls, seeds: list[int]) -> list[int]:
        if len(set(seeds)) != len(seeds):
            raise ValueError("seeds must be distinct")
        return seeds

    @field_validator("conditions")
    @classmethod
    def _ablations_only(cls, conditions: dict[str, list[str]]) -> dict[str, list[str]]:
        for name, flags in conditions.items():
            if not re.match(_NAME, name):
                raise ValueError(f"{name!r}: a name is letters, digits, '_' and '.'")
            bad = [f for f in flags if f not in ABLATION_FLAGS]
            if bad:
                allowed = ", ".join(ABLATION_FLAGS)
                raise ValueError(f"{name}: {bad[0]!r} is not an ablation flag (one of {allowed})")
        return conditions

    @field_validator("variants")
    @classmethod
    def _variant_names(cls, variants: dict[str, Variant]) -> dict[str, Variant]:
        for name in variants:
            if not re.match(_NAME, name):
                raise ValueError(f"{name!r}: a name is letters, digits, '_' and '.'")
        return variants

    @field_validator("models")
    @classmethod
    def _distinct_models(cls, models: list[Model]) -> list[Model]:
        names = [m.name for m in models]
        if len(set(names)) != len(names):
            raise ValueError("model names must be distinct")
        return models

    @field_validator("metrics")
    @classmethod
    def _metric_paths(cls, metrics: list[str]) -> list[str]:
        for m in metrics:
            parts = m.split(".")
            if parts[0] not in METRIC_ROOTS or not all(parts):
                raise ValueError(
                    f"{m!r}: a metric is a dotted path into the analysis JSON starting with "
                    f"one of {', '.join(METRIC_ROOTS)} (docs/analysis/SCHEMA.md)"
                )
        return metrics

    def run_affecting(self) -> dict:
        """The fields that change what a cell's run is: a folder's runs must agree on them."""
        return self.model_dump(include={"world", "agents", "scenario", "hours", "variants"})


def load(path: Path) -> Spec:
    """The spec in ``path``, its paths made absolute and checked to exist."""
    path = Path(path)
    spec = read_model(path, Spec, "the spec", SpecError)
    base = path.resolve().parent
    spec.world = _resolve(path, base, "world", spec.world, file=True)
    spec.agents = _resolve(path, base, "agents", spec.agents, file=False)
    spec.scenario = _resolve(path, base, "scenario", spec.scenario, file=True)
    for name, v in spec.variants.items():
        v.world = _resolve(path, base, f"variants.{name}.world", v.world, file=True)
        v.agents = _resolve(path, base, f"variants.{name}.agents", v.agents, file=False)
        v.scenario = _resolve(path, base, f"variants.{name}.scenario", v.scenario, file=True)
    return spec


def _resolve(spec: Path, base: Path, field: str, value: str | None, file: bool) -> str | None:
    if value is None:
        return None
    p = (base / value).resolve()
    if not (p.is_file() if file else p.is_dir()):
        what = "file" if file else "folder"
        raise SpecError(
            f"{spec}: {field}: no {what} {value} (paths are relative to the spec's folder: {p})"
        )
    return str(p)
