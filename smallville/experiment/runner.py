"""Running an experiment's cells: each a `smallville run`, then `smallville analyze`
(and `smallville eval`), in child processes, ``jobs`` cells at a time, resumable.

The folder ``OUT`` holds ``spec.json`` (the spec as loaded), ``runs/<cell>.sqlite``,
``metrics/<cell>.json``, ``eval/<cell>.json``, ``logs/<cell>.log`` (what the children
printed) and ``llm-cache.sqlite`` (the endpoint models' responses). A cell is
``<model>[-<variant>]-<condition>-s<seed>``.

Resuming is read from the files: a run file that reached its end is not run again, one
that stopped early continues with ``--resume`` (from its last checkpoint), a metrics or
eval JSON that exists is not made again (both are written under a temporary name and
renamed when complete). A run killed before its first checkpoint leaves no run file, so
it starts again. The children die with this process (Linux: PR_SET_PDEATHSIG), so a
killed experiment leaves nothing running.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path

from smallville.experiment.spec import Model, Spec


class ExperimentError(RuntimeError):
    """The experiment cannot go on; the message says why and what to do."""


@dataclass(frozen=True)
class Cell:
    """One run of the grid and its files."""

    name: str
    group: str  # the model, or model-variant: what the summary groups by
    model: Model
    condition: str
    flags: tuple[str, ...]
    seed: int
    world: str
    agents: str | None
    scenario: str | None
    out: Path

    @property
    def run(self) -> Path:
        return self.out / "runs" / f"{self.name}.sqlite"

    @property
    def metrics(self) -> Path:
        return self.out / "metrics" / f"{self.name}.json"

    @property
    def eval(self) -> Path:
        return self.out / "eval" / f"{self.name}.json"

    @property
    def log(self) -> Path:
        return self.out / "logs" / f"{self.name}.log"


def cells(spec: Spec, out: Path) -> list[Cell]:
    """Every cell of the grid: models x variants x conditions x seeds, in that order."""
    variants = spec.variants or {None: None}
    result = []
    for m in spec.models:
        for vname, v in variants.items():
            group = m.name if vname is None else f"{m.name}-{vname}"
            for cond, flags in spec.conditions.items():
                for seed in spec.seeds:
                    result.append(
                        Cell(
                            name=f"{group}-{cond}-s{seed}",
                            group=group,
                            model=m,
                            condition=cond,
                            flags=tuple(flags),
                            seed=seed,
                            world=(v and v.world) or spec.world,
                            agents=(v and v.agents) or spec.agents,
                            scenario=(v and v.scenario) or spec.scenario,
                            out=out,
                        )
                    )
    names = [c.name for c in result]
    if len(set(names)) != len(names):
        raise ExperimentError("two cells have the same name: rename a model, variant or condition")
    return result


def prepare(spec: Spec, out: Path) -> None:
    """Make the folder, or check that its runs were made with the same settings."""
    saved = out / "spec.json"
    if saved.is_file():
        before = json.loads(saved.read_text(encoding="utf-8"))
        now = spec.run_affecting()
        changed = [k for k in now if before.get(k) != now[k]]
        if changed:
            raise ExperimentError(
                f"{out} holds runs made with a different {', '.join(changed)}; choose "
                "another --out, or delete the folder to start again"
            )
    for sub in ("runs", "metrics", "eval", "logs"):
        (out / sub).mkdir(parents=True, exist_ok=True)
    saved.write_text(json.dumps(spec.model_dump(), indent=1) + "\n", encoding="utf-8")


def run_state(cell: Cell) -> str:
    """``new`` (no run file), ``partial`` (stopped early: resume it) or ``done``."""
    from smallville import gametime as gt
    from smallville.sim.setup import RunError, resume_point

    if not cell.run.exists():
        return "new"
    try:
        meta = resume_point(cell.run)
    except RunError as e:
        raise ExperimentError(f"{cell.name}: {e}") from e
    cfg = meta["config"]
    wanted = {f[2:].replace("-", "_"): True for f in cell.flags}
    if cfg["seed"] != cell.seed or (cfg.get("ablations") or {}) != wanted:
        raise ExperimentError(
            f"{cell.run} is not this cell's run (seed {cfg['seed']}, ablations "
            f"{cfg.get('ablations')}); move it away or choose another --out"
        )
    return "done" if meta["checkpoint"]["time"] >= gt.parse(cfg["until"]) else "partial"


def steps(cell: Cell, hours: float | None, evaluate: bool) -> list[tuple[str, list[str]]]:
    """What a cell still needs, as (label, smallville argv); ``evaluate``: whether the
    spec asks for `smallville eval` too."""
    state = run_state(cell)
    todo = []
    cache = ["--cache", str(cell.out / "llm-cache.sqlite")]
    model = cell.model.flags()
    if state == "new":
        inputs = ["--world", cell.world]
        for flag, value in (("--agents", cell.agents), ("--scenario", cell.scenario)):
            if value:
                inputs += [flag, value]
        if hours:
            inputs += ["--hours", str(hours)]
        seed = ["--seed", str(cell.seed), "--out", str(cell.run)]
        todo.append(("ran", ["run", *inputs, *seed, *cell.flags, *cache, "--quiet", *model]))
    elif state == "partial":
        todo.append(("resumed", ["run", "--resume", str(cell.run), *cache, "--quiet", *model]))
    if state != "done":  # results of an earlier run of this cell are stale
        cell.metrics.unlink(missing_ok=True)
        cell.eval.unlink(missing_ok=True)
    if not cell.metrics.exists():
        todo.append(("analysed", ["analyze", str(cell.run), "--json", _tmp(cell.metrics)]))
    if evaluate and not cell.eval.exists():
        extra = cell.model.flags(concurrency=False)
        todo.append(("evaluated", ["eval", str(cell.run), "--json", _tmp(cell.eval), *extra]))
    return todo


def _tmp(path: Path) -> str:
    return str(path.with_name(path.name + ".tmp"))


@dataclass
class _Active:
    cell: Cell
    todo: deque
    done: list[str] = field(default_factory=list)
    proc: subprocess.Popen | None = None
    label: str = ""
    began: float = 0.0


@dataclass
class Outcome:
    finished: list[str] = field(default_factory=list)  # cells whose work is all done
    skipped: list[str] = field(default_factory=list)  # of those, done before this call
    failed: dict[str, str] = field(default_factory=dict)  # cell -> why
    interrupted: bool = False


def execute(spec: Spec, out: Path, jobs: int, evaluate: str | None, say=print) -> Outcome:
    """Run every cell's remaining steps, ``jobs`` cells at a time; one line per cell."""
    grid = cells(spec, out)
    outcome = Outcome()
    pending: deque[_Active] = deque()
    for c in grid:
        try:
            todo = steps(c, spec.hours, evaluate)
        except ExperimentError as e:  # a damaged or foreign run file: say so, go on
            outcome.failed[c.name] = str(e)
            say(f"{c.name}: {e}")
            continue
        if todo:
            pending.append(_Active(c, deque(todo)))
        else:
            outcome.finished.append(c.name)
            outcome.skipped.append(c.name)
    say(
        f"experiment {spec.name}: {len(grid)} cells, {len(outcome.skipped)} finished "
        f"earlier, {len(pending)} to do, {jobs} at a time -> {out}"
    )
    total, active = len(grid), []
    try:
        while pending or active:
            while pending and len(active) < jobs:
                a = pending.popleft()
                _next_step(a)
                active.append(a)
            time.sleep(0.05)
            for a in [a for a in active if a.proc.poll() is not None]:
                if not _step_finished(a, outcome):
                    _next_step(a)
                    continue
                active.remove(a)
                n = len(outcome.finished) + len(outcome.failed)
                why = outcome.failed.get(a.cell.name)
                say(f"[{n}/{total}] {a.cell.name}: {why or ', '.join(a.done)}")
    except KeyboardInterrupt:
        outcome.interrupted = True
        _stop(active)
    return outcome


def _next_step(a: _Active) -> None:
    a.label, argv = a.todo.popleft()
    a.began = time.monotonic()
    with a.cell.log.open("a", encoding="utf-8") as log:
        log.write(f"$ smallville {' '.join(argv)}\n")
        log.flush()
        a.proc = subprocess.Popen(
            [sys.executable, "-c", _LAUNCH, str(os.getpid()), *argv],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # Ctrl-C reaches this process, which passes it on once
        )


def _step_finished(a: _Active, outcome: Outcome) -> bool:
    """Book the step that ended; whether the cell is finished (done or failed)."""
    rc = a.proc.returncode
    if rc == 0:
        final = {"analysed": a.cell.metrics, "evaluated": a.cell.eval}.get(a.label)
        if final is not None:  # complete now: give it its name
            Path(_tmp(final)).replace(final)
        a.done.append(f"{a.label} ({time.monotonic() - a.began:.1f} s)")
        if not a.todo:
            outcome.finished.append(a.cell.name)
            return True
        return False
    what = "stopped early (run the experiment again to resume it)" if rc == 3 else "failed"
    outcome.failed[a.cell.name] = f"{_STEP[a.label]} {what}, exit code {rc}; see {a.cell.log}"
    return True


# a child: ask (Linux) to be killed when the experiment dies, however it dies, then
# become `smallville ARGV`; one whose experiment already died does nothing
_LAUNCH = """
import ctypes, os, signal, sys
try:
    ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
except (OSError, AttributeError):
    pass
if os.getppid() != int(sys.argv[1]):
    sys.exit(1)
os.execv(sys.executable, [sys.executable, "-m", "smallville.cli", *sys.argv[2:]])
"""
_STEP = {"ran": "the run", "resumed": "the resumed run", "analysed": "analyze", "evaluated": "eval"}


def _stop(active: list[_Active]) -> None:
    """Ctrl-C: each run stops at its next tick boundary with a checkpoint; a second
    Ctrl-C kills them (their run files keep their last checkpoint)."""
    for a in active:
        if a.proc.poll() is None:
            a.proc.send_signal(signal.SIGINT)
    try:
        for a in active:
            a.proc.wait()
    except KeyboardInterrupt:
        for a in active:
            if a.proc.poll() is None:
                a.proc.kill()
                a.proc.wait()
