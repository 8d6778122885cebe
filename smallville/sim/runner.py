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
import json
import signal
import sqlite3
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from smallville import gametime as gt
from smallville.llm import LLM, Budget, Usage
from smallville.runfile import AgentRow, PositionRow, RunFileError, RunLog, StateRow
from smallville.sim.engine import Simulation
from smallville.sim.setup import (
    RunConfig,
    RunError,
    build_simulation,
    check_unchanged,
    damaged_message,
    load_inputs,
    new_meta,
    resolve_span,
    resume_point,
)


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
        start, end = resolve_span(cfg, scenario)
        starting = out.with_name(out.name + ".starting")
        _remove_db(starting)  # left by a start that was killed outright
        try:
            log = RunLog.create(starting, new_meta(cfg, scenario, llm_meta))
        except RunFileError as e:
            raise RunError(str(e)) from e
        try:
            sim = await build_simulation(cfg, world, personas, llm, log, start)
            for m in sim.minds:
                log.add(AgentRow(m.id, m.name, m.persona.model_dump_json()))
            sim.state.tick = -1  # setup rows belong before the first tick
            await sim.plant({p.name: list(p.memories) for p in personas}, "seed")
            if scenario:
                await sim.plant(scenario.seed_memories, "scenario")
            for m in sim.minds:  # where everyone starts; later rows are moves only
                log.add(PositionRow(-1, m.id, *sim.state.positions[m.id]))
            sim.state.tick = 0
            runner = cls(cfg, llm, log, sim, end, Usage(), budget)
            runner.save_checkpoint()
            _rename_open_log(log, out)
        except BaseException:  # Ctrl-C (a cancelled task) included: leave nothing behind
            with contextlib.suppress(sqlite3.Error):
                log.close()
            _remove_db(starting)
            raise
        return runner

    @classmethod
    async def resume(
        cls,
        path: Path,
        llm: LLM,
        budget: Budget,
        until: str | None = None,
        engine: str = "auto",
    ) -> Runner:
        """Continue a run from its newest checkpoint, to ``until`` when given, on
        ``engine`` (not part of the run: any gives the same)."""
        meta = resume_point(path)
        cp = meta["checkpoint"]
        if until and gt.parse(until) <= cp["time"]:
            raise RunError(
                f"--until {until} is not after {path}'s checkpoint at {gt.fmt(cp['time'])}"
            )
        cfg = RunConfig.from_meta(meta["config"], Path(path))
        cfg.until = until or cfg.until
        cfg.engine = engine
        check_unchanged(path, cfg, meta)
        world, personas, _ = load_inputs(cfg)
        try:
            log = RunLog.open(path)
        except RunFileError as e:
            raise RunError(str(e)) from e
        except sqlite3.Error as e:
            raise RunError(damaged_message(path, e)) from e
        try:
            sim = await build_simulation(cfg, world, personas, llm, log, gt.parse(cfg.start))
            states = log.states()
            sim.restore({**cp, "minds": [states[m.id] for m in sim.minds]})
            log.truncate_after(cp["tick"] - 1)
            if until:
                meta["config"]["until"] = until
                log.set_meta("config", meta["config"])
            previous = _usage_from_log(log, llm.meter.price)
        except sqlite3.Error as e:
            log.close()
            raise RunError(damaged_message(path, e)) from e
        except KeyError as e:  # a resident's state missing from the checkpoint
            log.close()
            raise RunError(damaged_message(path, f"no saved state for resident {e}")) from e
        runner = cls(cfg, llm, log, sim, gt.parse(cfg.until), previous, budget)
        runner.resumed_from = cp
        return runner

    # ---------------------------------------------------------------- running
    def save_checkpoint(self) -> None:
        cp = self.sim.checkpoint()
        minds = cp.pop("minds")
        for m, s in zip(self.sim.minds, minds, strict=True):
            self.log.add(StateRow(m.id, cp["tick"], json.dumps(s, sort_keys=True)))
        self.log.add_meta("checkpoint", cp)
        self.log.commit()

    async def apply_whispers(self) -> list[str]:
        """Plant the whispers queued since the last session; the residents, in order."""
        whispers = self.log.pending_whispers()
        for w in whispers:
            m = self.sim.minds[w.agent]
            await m.seed(self.llm, self.sim.state.time, [w.text], f"whisper:{w.id}")
            self.log.mark_applied(w.id, self.sim.state.tick)
        return [self.sim.minds[w.agent].name for w in whispers]

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
        go = _Going(t0, progress)
        planted = None
        while sim.state.time < self.end and go.reason == "done":
            go.stop_reason(self)
            if go.reason != "done":
                break
            if planted is None:
                planted = await self.apply_whispers()
                if announce and self.resumed_from is not None:
                    announce(self.resume_notice(planted))
            # to the next checkpoint, where every resident is at the same tick (one
            # tick at a time while a checkpoint waits for the endpoint to answer)
            left = -(-(self.end - sim.state.time) // sim.tick_seconds)
            every = self.cfg.checkpoint_every
            span = 1 if go.due else every - sim.state.tick % every
            until = sim.state.tick + min(left, span)
            await sim.advance(until, lambda: go.committed(self), engine=self.cfg.engine)
            failure = self.llm.endpoint_failure()
            if failure:
                go.reason = "endpoint"
                go.message = f"stopped: {failure}; the run file goes back to its last checkpoint"
                break
            if go.due and not self.llm.failing and go.reason == "done":
                self.save_checkpoint()
                go.due = False
        reason, message, ticks = go.reason, go.message or f"reached {gt.fmt(self.end)}", go.ticks
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


class _Going:
    """A session's progress: ticks written, a checkpoint due, why it stops."""

    def __init__(self, t0: float, progress) -> None:
        self.t0 = t0
        self.progress = progress
        self.ticks = 0
        self.due = False
        self.reason, self.message = "done", ""

    def stop_reason(self, runner: Runner) -> None:
        """Ctrl-C or a budget spent: say so in ``reason``."""
        if runner.stop_requested:
            self.reason, self.message = "interrupted", "stopped by Ctrl-C at a tick boundary"
            return
        over = runner.budget.exceeded(runner.usage())
        if over:
            self.reason, self.message = "budget", over

    def committed(self, runner: Runner) -> bool:
        """After each tick written: a checkpoint due, progress; True to stop."""
        self.ticks += 1
        if runner.llm.endpoint_failure():
            return True
        self.due = self.due or runner.sim.state.tick % runner.cfg.checkpoint_every == 0
        if self.progress:
            self.progress(runner, self.ticks, time.perf_counter() - self.t0)
        self.stop_reason(runner)
        return self.reason != "done"


def _remove_db(path: Path) -> None:
    for p in (path, *(path.with_name(path.name + x) for x in ("-wal", "-shm", ".partial"))):
        p.unlink(missing_ok=True)


def _rename_open_log(log: RunLog, dest: Path) -> None:
    """Give the run file its final name; the same RunLog object goes on writing,
    since the simulation holds it."""
    if dest.exists():
        raise RunError(f"{dest} already exists: pass --resume {dest} or choose --out")
    log.rename(dest)


def _usage_from_log(log: RunLog, price) -> Usage:
    """What earlier sessions of this run spent, so budgets count the whole run.

    Cache hits cost nothing: their tokens are counted as ``cached_tokens`` and left
    out of the cost, which ``price(prompt_tokens, completion_tokens)`` gives in USD.
    """
    u = Usage()
    for t in log.call_totals().values():
        u.add(
            Usage(
                calls=t.calls,
                prompt_tokens=t.prompt_tokens,
                completion_tokens=t.completion_tokens,
                cached_tokens=t.cached_prompt_tokens + t.cached_completion_tokens,
                cache_hits=t.cache_hits,
                fallbacks=t.fallbacks,
                repaired=t.repaired,
                cost_usd=price(t.spent_prompt_tokens, t.spent_completion_tokens),
            )
        )
    return u
