"""Setting a run up: its config, its inputs checked, the simulation it describes, and
whether a run file can be resumed."""

from __future__ import annotations

import hashlib
import platform
import sqlite3
import time
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import TypeAdapter

from smallville import __version__
from smallville import gametime as gt
from smallville.cognition.persona import Persona, PersonaError, load_personas, persona_files
from smallville.cognition.settings import CognitionSettings
from smallville.llm import LLM
from smallville.runfile import RunFileError, RunLog
from smallville.sim.engine import Simulation
from smallville.sim.scenario import DEFAULT_START, Scenario, ScenarioError
from smallville.world import World, WorldError


class RunError(RuntimeError):
    """A run cannot start or continue; the message says why and what to do."""


@dataclass
class RunConfig:
    world: Path
    agents: Path
    out: Path
    scenario: Path | None = None
    seed: int = 0
    start: str = ""  # empty: the scenario's start, else DEFAULT_START
    until: str = ""  # empty: start + hours
    hours: float | None = None  # empty: the scenario's hours, else 24
    tick_seconds: int = 10
    checkpoint_every: int = 360
    ablations: dict[str, bool] = field(default_factory=dict)
    engine: str = "auto"  # how ticks are run, not what happens: all write the same log

    def meta(self) -> dict:
        """Every field as JSON values but those a resume supplies itself: the file (it
        may have been moved), ``hours`` (a start resolves it into ``until``) and the
        engine (either gives the same run)."""
        return _RUN_CONFIG.dump_python(self, mode="json", exclude=_NOT_IN_META)

    @classmethod
    def from_meta(cls, meta: dict, out: Path) -> RunConfig:
        return _RUN_CONFIG.validate_python({**meta, "out": out})


_NOT_IN_META = {"out", "hours", "engine"}
_RUN_CONFIG = TypeAdapter(RunConfig)


def file_hash(paths: list[Path]) -> str:
    h = hashlib.sha256()
    for p in sorted(paths):
        h.update(p.name.encode())
        h.update(p.read_bytes())
    return h.hexdigest()


def load_inputs(cfg: RunConfig) -> tuple[World, list[Persona], Scenario | None]:
    try:
        world = World.load(cfg.world)
        arenas = [a.address for a in world.places.arenas]
        personas = load_personas(cfg.agents, arenas)
        scenario = Scenario.load(cfg.scenario) if cfg.scenario else None
    except (WorldError, PersonaError, ScenarioError) as e:
        raise RunError(str(e)) from e
    if scenario:
        names = {p.name for p in personas}
        unknown = sorted(set(scenario.seed_memories) - names)
        if unknown:
            raise RunError(
                f"{cfg.scenario}: seed_memories: no resident named {unknown[0]!r} "
                f"(expected one of the names in {cfg.agents})"
            )
    return world, personas, scenario


def resume_point(path: Path) -> dict:
    """The meta of a run file about to be resumed, read without changing the file.

    Raises RunError, naming the file, when it is missing, empty, not a run file,
    damaged (e.g. cut short by a copy) or has no checkpoint to continue from.
    """
    try:
        log = RunLog.open(path, readonly=True)
    except RunFileError as e:
        if "malformed" in str(e):
            raise RunError(damaged_message(path, e.__cause__ or e)) from e
        raise RunError(str(e)) from e
    try:
        problems = log.quick_check()
        if problems != ["ok"]:
            raise RunError(damaged_message(path, problems[0]))
        meta = log.meta()
    except sqlite3.Error as e:
        raise RunError(damaged_message(path, e)) from e
    finally:
        log.close()
    if meta.get("checkpoint") is None:
        # only a run made by an older smallville: starts now take the name at their
        # first checkpoint
        raise RunError(
            f"{path}: the run stopped before its first checkpoint, so there is nothing "
            f"to resume; delete it and start again: rm {path}"
        )
    return meta


def damaged_message(path: Path, why: object) -> str:
    return (
        f"{path}: the run file is damaged ({why}); it cannot be resumed. A copy made "
        "while the run was writing can be incomplete: copy it again, or start a new run"
    )


async def build_simulation(
    cfg: RunConfig, world, personas, llm: LLM, log: RunLog, start: int
) -> Simulation:
    """The simulation a run's config describes, ready for its first decision (one
    place for start and resume)."""
    sim = Simulation(
        world,
        personas,
        llm,
        settings=cognition_settings(cfg.ablations),
        start=start,
        tick_seconds=cfg.tick_seconds,
        seed=cfg.seed,
        log=log,
    )
    await sim.prepare()
    return sim


def resolve_span(cfg: RunConfig, scenario: Scenario | None) -> tuple[int, int]:
    """A new run's start and end, from the command line, else the scenario, else the
    defaults; written back into ``cfg`` as game times."""
    start = gt.parse(cfg.start or (scenario.start if scenario else DEFAULT_START))
    hours = cfg.hours or (scenario.hours if scenario and scenario.hours else 24)
    end = gt.parse(cfg.until) if cfg.until else start + int(hours * 3600)
    if end <= start:
        raise RunError(f"--until {gt.fmt(end)} is not after the start {gt.fmt(start)}")
    cfg.start, cfg.until = gt.fmt(start), gt.fmt(end)
    return start, end


def new_meta(cfg: RunConfig, scenario: Scenario | None, llm_meta: dict) -> dict:
    return {
        "config": cfg.meta(),
        "llm": llm_meta,
        "world_hash": file_hash([Path(cfg.world)]),
        # the layout itself, so the viewer draws the map the run used from any folder
        # and after the world file has changed
        "world_json": Path(cfg.world).read_text(encoding="utf-8"),
        "persona_hash": file_hash(persona_files(cfg.agents)),
        "scenario": scenario.model_dump() if scenario else None,
        "versions": {"smallville": __version__, "python": platform.python_version()},
        "created_wall": time.time(),
    }


def check_unchanged(path: Path, cfg: RunConfig, meta: dict) -> None:
    """Refuse to resume a run whose world or personas have changed since it began."""
    for key, paths, what in (
        ("world_hash", [cfg.world], "world"),
        ("persona_hash", None, "persona set"),
    ):
        try:
            now_hash = file_hash(paths or persona_files(cfg.agents))
        except OSError as e:
            raise RunError(f"{path}: cannot read the {what} it was made with: {e}") from e
        if now_hash != meta[key]:
            src = cfg.world if what == "world" else cfg.agents
            raise RunError(
                f"{path} was made with a different {what} ({src} has changed since): "
                "refusing to resume; start a new run instead"
            )


def cognition_settings(ablations: dict[str, bool]) -> CognitionSettings:
    return CognitionSettings(
        reflection=not ablations.get("no_reflection", False),
        planning=not ablations.get("no_planning", False),
        memory=not ablations.get("no_memory", False),
    )
