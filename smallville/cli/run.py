"""`smallville run`: simulate the town headless, or beside the viewer with --view, and
end with a summary and the run's behaviour health."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from smallville.cli.common import TIME, UserError, game_time, hours
from smallville.cli.llm import llm_config, llm_flags
from smallville.cli.resume import check_resume, interrupted
from smallville.cli.runfiles import has_ticks
from smallville.cli.world import agents_dir, default_world
from smallville.sim import ENGINES

_ENDPOINT_FAILURES = (
    "An endpoint model is asked first: if nothing answers, the key is refused or "
    "the model is unknown, the run does not start (exit 2). If the endpoint fails "
    "request after request during the run, the run stops at a tick boundary, back "
    "at its last checkpoint, and can be resumed (exit 3)."
)


def add_parser(sub) -> None:
    run = sub.add_parser(
        "run",
        help="simulate the town headless and write a run file",
        description="Simulate the town, 10 game seconds a tick, and log everything to a SQLite "
        "run file that the viewer and the analysis read. Offline with the scripted model "
        "when no endpoint is configured. Ctrl-C stops cleanly at a tick boundary.",
    )
    run.add_argument(
        "--world",
        type=Path,
        help="world layout (default: worlds/the_ville.json here, else the one shipped "
        "beside the package)",
    )
    run.add_argument("--agents", type=Path, help="persona folder (default: the world's)")
    run.add_argument("--scenario", type=Path, help="scenario JSON (start, hours, seeds, facts)")
    span = run.add_mutually_exclusive_group()
    span.add_argument("--hours", type=hours, help="game hours to simulate (default 24)")
    span.add_argument("--until", type=game_time, metavar=TIME, help="game time to stop at")
    run.add_argument("--start", type=game_time, metavar=TIME, help="default 2023-02-13 06:00")
    run.add_argument("--seed", type=int, default=0, help="random seed (0)")
    run.add_argument("--out", type=Path, help="run file (default runs/<world>-<time>.sqlite)")
    run.add_argument("--resume", type=Path, metavar="RUN", help="continue a stopped run")
    run.add_argument(
        "--concurrency",
        type=int,
        default=16,
        help="most requests in flight (16); fewer while the server queues them (adaptive)",
    )
    run.add_argument("--max-calls", type=int, help="stop cleanly after this many model calls")
    run.add_argument("--max-tokens", type=int, help="stop cleanly after this many tokens")
    run.add_argument("--max-cost", type=float, help="stop cleanly after this many US dollars")
    run.add_argument(
        "--cache",
        type=Path,
        default=Path("runs/llm-cache.sqlite"),
        help="response cache for endpoint models (runs/llm-cache.sqlite)",
    )
    run.add_argument("--no-reflection", action="store_true", help="ablation: never reflect")
    run.add_argument("--no-planning", action="store_true", help="ablation: no day plan")
    run.add_argument("--no-memory", action="store_true", help="ablation: retrieval is empty")
    run.add_argument(
        "--engine",
        choices=ENGINES,
        default="auto",
        help="how ticks are run, not what happens (all write the same run): residents far "
        "apart on their own clocks (out-of-order), everyone tick by tick (lockstep), or "
        "out-of-order while model calls take time (auto, the default)",
    )
    run.add_argument("--quiet", action="store_true", help="only the summary")
    run.add_argument(
        "--view",
        action="store_true",
        help="watch the run in the viewer while it runs (closing it stops the run)",
    )
    llm_flags(run, _ENDPOINT_FAILURES)
    run.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    """0 when the run reached its end, 3 when it stopped early and can be resumed (a
    budget, the endpoint, Ctrl-C's clean stop), 130 when a second Ctrl-C aborted it."""
    import shlex

    resume_until = None
    if args.resume:
        point = check_resume(args)
        if point is None:
            return 0
        resume_until, args.seed = point
    if args.view:
        return _run_and_view(args, args.argv)

    again = "smallville run " + shlex.join(args.argv)
    started: list = []  # the runner, once its run file holds a checkpoint
    try:
        runner, outcome = _simulate(args, resume_until, started)
    except KeyboardInterrupt:
        print(interrupted(args, started, again), file=sys.stderr)
        return 130
    _report(runner, outcome)
    return 0 if outcome.reason == "done" else 3


def _simulate(args: argparse.Namespace, resume_until: str | None, started: list):
    """Build the model, then start or resume the run and drive it to its end or a stop.

    The endpoint is asked before anything is written: a dead one leaves no run file.
    ``started`` receives the runner once its run file holds a checkpoint.
    """
    import asyncio

    from smallville.llm import Budget, build
    from smallville.sim.runner import Runner
    from smallville.sim.setup import RunError

    config = llm_config(
        args, probe=True, concurrency=args.concurrency, seed=args.seed, cache_path=args.cache
    )
    print(config.notice, file=sys.stderr)
    try:
        budget = Budget(
            max_calls=args.max_calls, max_tokens=args.max_tokens, max_cost=args.max_cost
        )
        llm = build(config, budget)
    except ValueError as e:  # ConfigError included: a bad budget, prices file or model
        raise UserError(str(e)) from e

    async def go():
        try:
            if args.resume:
                runner = await Runner.resume(
                    args.resume, llm, budget, until=resume_until, engine=args.engine
                )
            else:
                runner = await Runner.start(_new_run_config(args), llm, budget, config.describe())
            started.append(runner)
            return runner, await _drive(runner, args.quiet)
        finally:
            await llm.aclose()

    try:
        return asyncio.run(go())
    except RunError as e:
        raise UserError(str(e)) from e


def _new_run_config(args: argparse.Namespace):
    """A new run's settings, with absolute paths so that resume works from any folder."""
    from smallville.sim.setup import RunConfig

    world = default_world(args.world)
    agents = args.agents or agents_dir(world)
    ablations = {k: True for k in ("no_reflection", "no_planning", "no_memory") if getattr(args, k)}
    return RunConfig(
        world=world.resolve(),
        agents=agents.resolve(),
        out=args.out or _default_out(world),
        scenario=args.scenario.resolve() if args.scenario else None,
        seed=args.seed,
        start=args.start or "",
        until=args.until or "",
        hours=args.hours,
        ablations=ablations,
        engine=args.engine,
    )


async def _drive(runner, quiet: bool):
    """Run to the end or a clean stop, under a progress bar unless ``quiet``."""
    import asyncio

    from smallville.sim.progress import Progress

    runner.install_sigint()
    bar = None if quiet else Progress(runner)
    pulse = asyncio.create_task(bar.pulse()) if bar else None
    try:
        outcome = await runner.run(
            bar.update if bar else None,
            announce=lambda line: print(line, file=sys.stderr, flush=True),
        )
    finally:
        if pulse:
            pulse.cancel()
    if bar:
        bar.close()
    return outcome


def _report(runner, outcome) -> None:
    """The summary, what to do next, and the behaviour health of the finished run."""
    import shlex

    from smallville.analysis.health import health
    from smallville.replay import Run
    from smallville.sim.progress import next_steps, summary

    try:
        print(summary(runner, outcome))
        print(next_steps(outcome))
    finally:
        runner.log.close()
    try:  # read after the writer closed, so its switch out of WAL mode is not refused
        with Run.open(outcome.path) as run:
            verdict = health(run)["verdict"]
    except Exception as e:  # advisory: the run is done and logged, whatever this says
        verdict = [f"not measured ({type(e).__name__}: {e})"]
    print(f"\nBehaviour health (details: smallville analyze {shlex.quote(str(outcome.path))})")
    print("\n".join(f"  {line}" for line in verdict))


def _run_and_view(args: argparse.Namespace, argv: list[str]) -> int:
    """The simulation in a child process, the viewer on its growing run file here."""
    import signal
    import subprocess
    import time

    world = default_world(args.world)
    out = args.resume or args.out or _default_out(world)
    child_argv = [a for a in argv if a != "--view"]
    if not args.resume and not args.out:
        child_argv += ["--out", str(out)]
    child = subprocess.Popen([sys.executable, "-m", "smallville.cli", "run", *child_argv])
    deadline = time.time() + 120
    while not has_ticks(out) and child.poll() is None and time.time() < deadline:
        time.sleep(0.1)
    if not has_ticks(out):
        child.wait()
        raise UserError(f"the run did not start (exit code {child.returncode})")
    from smallville.viewer.app import main_window

    try:
        main_window(out, (1280, 800), None, None, follow_end=True)
    finally:
        if child.poll() is None:
            child.send_signal(signal.SIGINT)  # a clean, resumable stop
        child.wait()
    return child.returncode


def _default_out(world: Path) -> Path:
    """A new run's file when --out is not given: runs/<world>-<wall-clock time>.sqlite."""
    from datetime import datetime

    return Path("runs") / f"{world.stem}-{datetime.now().strftime('%Y%m%d-%H%M%S')}.sqlite"
