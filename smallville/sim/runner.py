"""Running, stopping and resuming a simulation against its run file.

A checkpoint (every mind's full state and the world state) is written in the same
transaction as a tick every ``checkpoint_every`` ticks and at every clean stop. A
resume loads the newest checkpoint, drops the rows of any later tick and continues;
those ticks are recomputed exactly (the scripted model is deterministic, and an
endpoint's answers come from the response cache), so a run killed at any moment and
resumed logs the same events as one that was never interrupted.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import platform
import signal
import sqlite3
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from smallville import __version__
from smallville import gametime as gt
from smallville.cognition.persona import Persona, PersonaError, load_personas, persona_files
from smallville.cognition.settings import CognitionSettings
from smallville.llm import LLM, Budget, Usage
from smallville.sim.engine import Simulation
from smallville.sim.runlog import RunLog, RunLogError
from smallville.world import World, WorldError

DEFAULT_START = "2023-02-13 06:00"


class RunError(RuntimeError):
    """A run cannot start or continue; the message says why and what to do."""


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
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
            return cls.model_validate(data)
        except OSError as e:
            raise RunError(f"{path}: cannot read the scenario: {e.strerror}") from e
        except json.JSONDecodeError as e:
            raise RunError(f"{path}: line {e.lineno} column {e.colno}: {e.msg}") from e
        except ValidationError as e:
            err = e.errors()[0]
            where = ".".join(str(p) for p in err["loc"])
            raise RunError(f"{path}: {where}: {err['msg']}") from e


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

    def meta(self) -> dict:
        return {
            "world": str(self.world),
            "agents": str(self.agents),
            "scenario": str(self.scenario) if self.scenario else None,
            "seed": self.seed,
            "start": self.start,
            "until": self.until,
            "tick_seconds": self.tick_seconds,
            "checkpoint_every": self.checkpoint_every,
            "ablations": self.ablations,
        }


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
    except (WorldError, PersonaError) as e:
        raise RunError(str(e)) from e
    scenario = Scenario.load(cfg.scenario) if cfg.scenario else None
    if scenario:
        names = {p.name for p in personas}
        unknown = sorted(set(scenario.seed_memories) - names)
        if unknown:
            raise RunError(
                f"{cfg.scenario}: seed_memories: no resident named {unknown[0]!r} "
                f"(expected one of the names in {cfg.agents})"
            )
    return world, personas, scenario


@dataclass
class Outcome:
    """How a session of a run ended. Every reason but "done" leaves the run resumable.

    ``reason``: "done", "budget", "interrupted" (Ctrl-C) or "endpoint" (the model
    endpoint kept failing: the run file is cut back to its last checkpoint, so ``time``
    is that checkpoint's game time and ``ticks`` counts the ticks dropped too).
    """

    reason: str
    message: str
    ticks: int
    time: int
    usage: Usage
    wall_s: float
    path: Path


class Runner:
    def __init__(
        self,
        cfg: RunConfig,
        llm: LLM,
        log: RunLog,
        sim: Simulation,
        end: int,
        previous: Usage,
        budget: Budget,
    ) -> None:
        self.cfg = cfg
        self.llm = llm
        self.log = log
        self.sim = sim
        self.end = end
        self.previous = previous
        self.budget = budget
        self.stop_requested = False
        self.resumed_from: dict | None = None  # the checkpoint a resumed run starts from

    # ---------------------------------------------------------------- creation
    @classmethod
    async def start(cls, cfg: RunConfig, llm: LLM, budget: Budget, llm_meta: dict) -> Runner:
        """Set a new run up and write its first checkpoint.

        The file is built as ``<out>.starting`` and takes its name only with that
        checkpoint: a start stopped before it (Ctrl-C, a crash) leaves nothing at
        ``cfg.out``, so the same command simply starts again.
        """
        over = budget.exceeded(Usage())
        if over:  # setting up plants seed memories, and each is a model call
            raise RunError(
                f"{over}: a new run needs model calls to set up, so nothing was written "
                f"to {cfg.out}; give a larger budget"
            )
        out = Path(cfg.out)
        if out.exists():
            raise RunError(f"{out} already exists: pass --resume {out} or choose --out")
        world, personas, scenario = load_inputs(cfg)
        start = gt.parse(cfg.start or (scenario.start if scenario else DEFAULT_START))
        hours = cfg.hours or (scenario.hours if scenario and scenario.hours else 24)
        end = gt.parse(cfg.until) if cfg.until else start + int(hours * 3600)
        if end <= start:
            raise RunError(f"--until {gt.fmt(end)} is not after the start {gt.fmt(start)}")
        cfg.start, cfg.until = gt.fmt(start), gt.fmt(end)
        meta = {
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
        starting = out.with_name(out.name + ".starting")
        _remove_db(starting)  # left by a start that was killed outright
        try:
            log = RunLog.create(starting, meta)
        except RunLogError as e:
            raise RunError(str(e)) from e
        try:
            sim = _simulation(cfg, world, personas, llm, log, start)
            for m in sim.minds:
                log.add("agents", m.id, m.name, m.persona.model_dump_json())
            await sim.prepare()
            sim.state.tick = -1  # setup rows belong before the first tick
            await sim.plant({p.name: list(p.memories) for p in personas}, "seed")
            if scenario:
                await sim.plant(scenario.seed_memories, "scenario")
            for m in sim.minds:  # where everyone starts; later rows are moves only
                log.add("positions", -1, m.id, *sim.state.positions[m.id])
            sim.state.tick = 0
            runner = cls(cfg, llm, log, sim, end, Usage(), budget)
            runner.save_checkpoint()
            _rename_open_log(log, out)
        except BaseException:  # Ctrl-C (a cancelled task) included: leave nothing behind
            with contextlib.suppress(sqlite3.Error):
                log.conn.close()
            _remove_db(starting)
            raise
        return runner

    @classmethod
    async def resume(cls, path: Path, llm: LLM, budget: Budget, until: str | None = None) -> Runner:
        """Continue a run from its newest checkpoint, to ``until`` when given."""
        meta = resume_point(path)
        cp = meta["checkpoint"]
        if until and gt.parse(until) <= cp["time"]:
            raise RunError(
                f"--until {until} is not after {path}'s checkpoint at {gt.fmt(cp['time'])}"
            )
        c = meta["config"]
        cfg = RunConfig(
            world=Path(c["world"]),
            agents=Path(c["agents"]),
            out=Path(path),
            scenario=Path(c["scenario"]) if c["scenario"] else None,
            seed=c["seed"],
            start=c["start"],
            until=until or c["until"],
            tick_seconds=c["tick_seconds"],
            checkpoint_every=c["checkpoint_every"],
            ablations=c["ablations"],
        )
        for key, paths, what in (
            ("world_hash", [cfg.world], "world"),
            ("persona_hash", None, "persona set"),
        ):
            try:
                files = paths or persona_files(cfg.agents)
                now_hash = file_hash(files)
            except OSError as e:
                raise RunError(f"{path}: cannot read the {what} it was made with: {e}") from e
            if now_hash != meta[key]:
                src = cfg.world if what == "world" else cfg.agents
                raise RunError(
                    f"{path} was made with a different {what} ({src} has changed since): "
                    "refusing to resume; start a new run instead"
                )
        world, personas, _ = load_inputs(cfg)
        try:
            log = RunLog.open(path)
        except RunLogError as e:
            raise RunError(str(e)) from e
        except sqlite3.Error as e:
            raise RunError(_damaged(path, e)) from e
        try:
            sim = _simulation(cfg, world, personas, llm, log, gt.parse(cfg.start))
            await sim.prepare()
            states = {aid: json.loads(d) for aid, d in log.rows("SELECT agent, data FROM state")}
            sim.restore({**cp, "minds": [states[m.id] for m in sim.minds]})
            log.truncate_after(cp["tick"] - 1)
            if until:
                meta["config"]["until"] = until
                log.set_meta("config", meta["config"])
            previous = _usage_from_log(log, llm.meter.price)
        except sqlite3.Error as e:
            log.close()
            raise RunError(_damaged(path, e)) from e
        except KeyError as e:  # a resident's state missing from the checkpoint
            log.close()
            raise RunError(_damaged(path, f"no saved state for resident {e}")) from e
        runner = cls(cfg, llm, log, sim, gt.parse(cfg.until), previous, budget)
        runner.resumed_from = cp
        return runner

    # ---------------------------------------------------------------- running
    def save_checkpoint(self) -> None:
        cp = self.sim.checkpoint()
        minds = cp.pop("minds")
        for m, s in zip(self.sim.minds, minds, strict=True):
            self.log.add("state", m.id, cp["tick"], json.dumps(s, sort_keys=True))
        self.log.add("meta", "checkpoint", json.dumps(cp, sort_keys=True))
        self.log.commit()

    async def apply_whispers(self) -> list[str]:
        """Plant the whispers queued since the last session; the residents, in order."""
        rows = self.log.rows(
            "SELECT id, agent, text FROM interventions WHERE applied_tick IS NULL ORDER BY id"
        )
        for wid, aid, text in rows:
            m = self.sim.minds[aid]
            await m.seed(self.llm, self.sim.state.time, [text], f"whisper:{wid}")
            self.log.conn.execute(
                "UPDATE interventions SET applied_tick=? WHERE id=?", (self.sim.state.tick, wid)
            )
        return [self.sim.minds[aid].name for _, aid, _ in rows]

    def resume_notice(self, planted: list[str]) -> str:
        """The line a resumed run starts with: where from, to when, what was whispered."""
        cp = self.resumed_from or {"tick": self.sim.state.tick, "time": self.sim.state.time}
        line = (
            f"resuming {self.cfg.out} from its checkpoint at tick {cp['tick']} "
            f"({gt.fmt(cp['time'])}) to {gt.fmt(self.end)}"
        )
        if planted:
            n = len(planted)
            names = ", ".join(dict.fromkeys(planted))
            line += f"; {n} whispered {'memory' if n == 1 else 'memories'} planted for {names}"
        return line

    def usage(self) -> Usage:
        u = Usage()
        u.add(self.previous)
        u.add(self.llm.usage())
        return u

    async def run(self, progress=None, announce: Callable[[str], None] | None = None) -> Outcome:
        """Step to the end, or to a clean stop at a tick boundary (Ctrl-C, budget).

        A budget already spent stops before the session's first model call (the
        whispers waiting to be planted stay queued). ``announce`` receives one line
        when a resumed run starts: its checkpoint and the whispers planted.

        When the endpoint keeps failing (the LLM's breaker opens) the run stops
        without a checkpoint and its file is cut back to the last one: the ticks
        computed on fallbacks are not kept as if they had happened, and ``--resume``
        recomputes from that checkpoint, the good answers from the response cache. A
        checkpoint falling due while the endpoint fails waits for an answer.
        """
        t0 = time.perf_counter()
        sim = self.sim
        reason, message = "done", f"reached {gt.fmt(self.end)}"
        ticks = 0
        due = False
        planted = None
        while sim.state.time < self.end:
            if self.stop_requested:
                reason, message = "interrupted", "stopped by Ctrl-C at a tick boundary"
                break
            over = self.budget.exceeded(self.usage())
            if over:
                reason, message = "budget", over
                break
            if planted is None:
                planted = await self.apply_whispers()
                if announce and self.resumed_from is not None:
                    announce(self.resume_notice(planted))
            await sim.step()
            ticks += 1
            failure = self.llm.endpoint_failure()
            if failure:
                reason = "endpoint"
                message = f"stopped: {failure}; the run file goes back to its last checkpoint"
                break
            due = due or sim.state.tick % self.cfg.checkpoint_every == 0
            if due and not self.llm.failing:
                self.save_checkpoint()
                due = False
            if progress:
                progress(self, ticks, time.perf_counter() - t0)
        if planted is None and announce and self.resumed_from is not None:
            announce(self.resume_notice([]))
        if reason == "endpoint":
            back_to = self._back_to_checkpoint()
        else:
            back_to = sim.state.time
            self.save_checkpoint()
        return Outcome(
            reason=reason,
            message=message,
            ticks=ticks,
            time=back_to,
            usage=self.usage(),
            wall_s=time.perf_counter() - t0,
            path=self.cfg.out,
        )

    def _back_to_checkpoint(self) -> int:
        """Drop every tick after the last checkpoint from the run file; its game time."""
        cp = self.log.meta()["checkpoint"]
        self.log.truncate_after(cp["tick"] - 1)
        return cp["time"]

    def install_sigint(self) -> None:
        def handler(signum, frame):  # noqa: ARG001 - signal API
            if self.stop_requested:
                raise KeyboardInterrupt
            self.stop_requested = True
            print("\nstopping at the next tick boundary (Ctrl-C again to abort)", file=sys.stderr)

        signal.signal(signal.SIGINT, handler)


_SQLITE_MAGIC = b"SQLite format 3\x00"


def resume_point(path: Path) -> dict:
    """The meta of a run file about to be resumed, read without changing the file.

    Raises RunError, naming the file, when it is missing, empty, not a run file,
    damaged (e.g. cut short by a copy) or has no checkpoint to continue from.
    """
    path = Path(path)
    if not path.exists():
        raise RunError(f"{path}: no such run file")
    if not path.is_file():
        raise RunError(f"{path}: not a file; --resume takes a run file (.sqlite)")
    try:
        with path.open("rb") as f:
            head = f.read(len(_SQLITE_MAGIC))
    except OSError as e:
        raise RunError(f"{path}: cannot read: {e.strerror}") from e
    if not head:
        raise RunError(f"{path}: empty file, not a smallville run file")
    if head != _SQLITE_MAGIC:
        raise RunError(f"{path}: not a smallville run file (not an SQLite database)")
    try:
        log = RunLog.open(path, readonly=True)
    except RunLogError as e:
        if "malformed" in str(e):
            raise RunError(_damaged(path, e.__cause__ or e)) from e
        raise RunError(str(e)) from e
    try:
        problems = [row[0] for row in log.rows("PRAGMA quick_check")]
        if problems != ["ok"]:
            raise RunError(_damaged(path, problems[0]))
        meta = log.meta()
    except sqlite3.Error as e:
        raise RunError(_damaged(path, e)) from e
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


def _damaged(path: Path, why: object) -> str:
    return (
        f"{path}: the run file is damaged ({why}); it cannot be resumed. A copy made "
        "while the run was writing can be incomplete: copy it again, or start a new run"
    )


def _remove_db(path: Path) -> None:
    for p in (path, *(path.with_name(path.name + x) for x in ("-wal", "-shm", ".partial"))):
        p.unlink(missing_ok=True)


def _rename_open_log(log: RunLog, dest: Path) -> None:
    """Give the run file its final name. Closing first folds the write-ahead log
    into the file (whose -wal/-shm are named after it); the same RunLog object goes on
    writing, since the simulation holds it."""
    log.close()
    if dest.exists():
        raise RunError(f"{dest} already exists: pass --resume {dest} or choose --out")
    log.path.rename(dest)
    reopened = RunLog.open(dest)
    log.conn, log.path = reopened.conn, reopened.path


def _simulation(cfg: RunConfig, world, personas, llm: LLM, log: RunLog, start: int) -> Simulation:
    """The simulation a run's config describes (one place for start and resume)."""
    return Simulation(
        world,
        personas,
        llm,
        settings=_settings(cfg.ablations),
        start=start,
        tick_seconds=cfg.tick_seconds,
        seed=cfg.seed,
        log=log,
    )


def _settings(ablations: dict[str, bool]) -> CognitionSettings:
    return CognitionSettings(
        reflection=not ablations.get("no_reflection", False),
        planning=not ablations.get("no_planning", False),
        memory=not ablations.get("no_memory", False),
    )


def _usage_from_log(log: RunLog, price) -> Usage:
    """What earlier sessions of this run spent, so budgets count the whole run.

    Cache hits cost nothing: their tokens are counted as ``cached_tokens`` and left
    out of the cost, which ``price(prompt_tokens, completion_tokens)`` gives in USD.
    """
    rows = log.rows(
        "SELECT cached, COUNT(*), COALESCE(SUM(prompt_tokens),0), "
        "COALESCE(SUM(completion_tokens),0), COALESCE(SUM(fallback),0), "
        "COALESCE(SUM(outcome = 'repaired'),0) FROM llm_calls GROUP BY cached"
    )
    u = Usage()
    for cached, calls, prompt, completion, fallbacks, repaired in rows:
        u.add(
            Usage(
                calls=calls,
                prompt_tokens=prompt,
                completion_tokens=completion,
                cached_tokens=(prompt + completion) if cached else 0,
                cache_hits=calls if cached else 0,
                fallbacks=fallbacks,
                repaired=repaired,
                cost_usd=0.0 if cached else price(prompt, completion),
            )
        )
    return u


def whisper(path: Path, agent: str, text: str) -> int:
    """Queue a memory for ``agent``; it is planted when the run next continues."""
    import sqlite3

    from smallville.sim.interview import damaged, resident_named

    # checked read-only first: a writable open turns any file, even an empty one, into
    # a database before it can be told apart from a run file
    RunLog.open(path, readonly=True).close()
    try:
        log = RunLog.open(path)
    except sqlite3.Error as e:
        raise damaged(path, e) from e
    try:
        names = dict(log.rows("SELECT name, id FROM agents"))
        cur = log.conn.execute(
            "INSERT INTO interventions (kind, agent, text, applied_tick, wall) "
            "VALUES ('whisper', ?, ?, NULL, ?)",
            (names[resident_named(names, agent, path)], text, time.time()),
        )
        log.conn.commit()
        return int(cur.lastrowid)
    except sqlite3.Error as e:
        raise damaged(path, e) from e
    finally:
        log.close()
