"""The `smallville` command line. Subcommands import their layer lazily, so
`smallville world validate` never loads pygame or openai."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    args.argv = list(sys.argv[2:] if argv is None else argv[1:])
    if not hasattr(args, "func"):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `smallville analyze RUN | head`: the reader has gone
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except UserError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2


class UserError(Exception):
    """Bad input the user can fix; printed without a traceback."""


def _game_time(text: str) -> str:
    """An argparse type: a game time, checked here and passed on as written."""
    from smallville import gametime as gt

    try:
        gt.parse(text)
    except ValueError as e:
        raise argparse.ArgumentTypeError(str(e)) from e
    return text


def _hours(text: str) -> float:
    """An argparse type: a number of game hours above zero."""
    import math

    try:
        hours = float(text)
    except ValueError:
        hours = math.nan
    if not (math.isfinite(hours) and hours > 0):
        raise argparse.ArgumentTypeError(f"expected a number of game hours above 0, got {text!r}")
    return hours


def _positive_int(text: str) -> int:
    """An argparse type: a whole number above zero."""
    try:
        n = int(text)
    except ValueError:
        n = 0
    if n <= 0:
        raise argparse.ArgumentTypeError(f"expected a whole number above 0, got {text!r}")
    return n


_T = "'YYYY-MM-DD HH:MM'"


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="smallville",
        description="Generative agents in a World-Craft-style town.",
    )
    from smallville import __version__

    p.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = p.add_subparsers(title="commands", metavar="COMMAND")

    world = sub.add_parser("world", help="check, describe and render world layouts")
    wsub = world.add_subparsers(title="world commands", metavar="COMMAND")
    v = wsub.add_parser(
        "validate",
        help="check a layout: CFR, RCS and OPS must all be 1",
        description="Check layouts. Exit 0 when every one has CFR = RCS = OPS = 1, 1 when "
        "one fails its checks (every failure is listed), 2 when one cannot be read.",
    )
    v.add_argument("paths", type=Path, nargs="+", metavar="path", help="world JSON file(s)")
    v.set_defaults(func=_world_validate)
    i = wsub.add_parser(
        "info",
        help="size, sectors, arenas, objects, agents and metrics",
        description="Print a layout's size, sectors, arenas, objects, characters and metrics.",
    )
    i.add_argument("path", type=Path, help="world JSON file")
    i.add_argument("--agents", type=Path, help="persona folder to list (default: the world's)")
    i.set_defaults(func=_world_info)
    r = wsub.add_parser(
        "render",
        help="draw a layout to a PNG file",
        description="Draw floors, walls, doors, objects, zone names and spawn points to PNG. "
        "Works without a display.",
    )
    r.add_argument("path", type=Path, help="world JSON file")
    r.add_argument("--png", type=Path, required=True, metavar="OUT.png", help="output file")
    r.add_argument(
        "--tile", type=_positive_int, default=16, metavar="PX", help="pixels per tile (16)"
    )
    r.add_argument("--no-labels", action="store_true", help="omit object and zone labels")
    r.set_defaults(func=_world_render)

    llm = sub.add_parser("llm", help="check the language-model endpoint")
    lsub = llm.add_subparsers(title="llm commands", metavar="COMMAND")
    c = lsub.add_parser(
        "check",
        help="say what works at the endpoint and how many requests it runs at once",
        description="Send one tiny structured request (and an embedding request when an "
        "embedding model is set) to the configured endpoint; print the output mode that "
        "works (json_schema, json_object or plain), the latency and the answer. Then time "
        "bursts of 2, 4, 8... identical requests to see how many the server runs in "
        "parallel, and recommend --concurrency. Exit 1 when the endpoint cannot be used.",
    )
    _llm_flags(c)
    c.add_argument(
        "--max-burst",
        type=int,
        default=16,
        metavar="N",
        help="largest burst of identical requests sent at once (16; 0 skips the measurement)",
    )
    c.set_defaults(func=_llm_check)

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
    span.add_argument("--hours", type=_hours, help="game hours to simulate (default 24)")
    span.add_argument("--until", type=_game_time, metavar=_T, help="game time to stop at")
    run.add_argument("--start", type=_game_time, metavar=_T, help="default 2023-02-13 06:00")
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
    run.add_argument("--quiet", action="store_true", help="only the summary")
    run.add_argument(
        "--view",
        action="store_true",
        help="watch the run in the viewer while it runs (closing it stops the run)",
    )
    _llm_flags(run)
    run.set_defaults(func=_run)

    logp = sub.add_parser("log", help="read a run file")
    logsub = logp.add_subparsers(title="log commands", metavar="COMMAND")
    dump = logsub.add_parser(
        "dump",
        help="the run's events as stable JSON lines (diff two runs)",
        description="Print every event of a run as one JSON object a line, in tick order, "
        "without wall-clock fields, so two runs can be compared with diff.",
    )
    dump.add_argument("run", type=Path)
    dump.set_defaults(func=_log_dump)

    w = sub.add_parser(
        "whisper",
        help="plant a memory in a resident for the next resume",
        description="Plant a memory in a resident (the paper's way to seed a party or an "
        "election). It takes effect when the run is next resumed.",
    )
    w.add_argument("run", type=Path)
    w.add_argument("agent", help="the resident's full name")
    w.add_argument("text", help="what they will remember")
    w.set_defaults(func=_whisper)

    iv = sub.add_parser(
        "interview",
        help="ask a resident a question, from its memory",
        description="Ask a resident a question; it answers in its own voice from its memories "
        "at the end of the run or at --at. The run file is not changed.",
    )
    iv.add_argument("run", type=Path)
    iv.add_argument("agent", help="the resident's full name")
    iv.add_argument("question")
    iv.add_argument("--at", type=_game_time, metavar=_T, help="game time (default: the end)")
    _llm_flags(iv)
    iv.set_defaults(func=_interview)

    v = sub.add_parser(
        "view",
        help="watch a run (live while it is written) or render frames to PNG",
        description="Open a window on a run file: live while `smallville run` is still "
        "writing it, a replay afterwards. With --png, render one frame headless and exit; "
        "with --frames, write numbered PNG frames for a time-lapse. Press H in the window "
        "for the controls.",
    )
    v.add_argument("run", type=Path)
    v.add_argument("--at", type=_game_time, metavar=_T, help="start at this game time")
    v.add_argument("--png", type=Path, metavar="OUT.png", help="render one frame and exit")
    v.add_argument("--size", default="1280x800", help="window or frame size (1280x800)")
    v.add_argument("--select", metavar="NAME", help="resident shown in the inspector")
    v.add_argument("--frames", type=Path, metavar="DIR", help="write numbered frames here")
    v.add_argument(
        "--from", dest="t_from", type=_game_time, metavar="T1", help="first frame's game time"
    )
    v.add_argument(
        "--to", dest="t_to", type=_game_time, metavar="T2", help="last frame's game time"
    )
    v.add_argument("--every", default="10m", help="game time between frames (10m, 30s, 1h)")
    v.set_defaults(func=_view)

    an = sub.add_parser(
        "analyze",
        help="measure a run: diffusion, relationships, coordination, time use, cost",
        description="Print the metrics of a run as tables. --json writes every metric "
        "(top-level keys run, diffusion, relationships, coordination, time_use, "
        "plan_adherence, llm_usage); --compare puts a second run beside it.",
    )
    an.add_argument("run", type=Path, help="run file (it may still be growing)")
    an.add_argument(
        "--json",
        type=Path,
        metavar="OUT",
        help="write all metrics as JSON (every field: docs/analysis/SCHEMA.md); its folder "
        "must exist",
    )
    an.add_argument("--compare", type=Path, metavar="OTHER_RUN", help="a run to compare with")
    an.add_argument(
        "--plots",
        type=Path,
        metavar="DIR",
        help="write PNG plots: diffusion, relationships, time use, model usage (the folder "
        "is created)",
    )
    an.set_defaults(func=_analyze)
    return p


def _llm_flags(p: argparse.ArgumentParser) -> None:
    about = None
    if p.prog.endswith(" run"):
        about = (
            "An endpoint model is asked first: if nothing answers, the key is refused or "
            "the model is unknown, the run does not start (exit 2). If the endpoint fails "
            "request after request during the run, the run stops at a tick boundary, back "
            "at its last checkpoint, and can be resumed (exit 3)."
        )
    g = p.add_argument_group(
        "language model (flags override the environment; the key is read from OPENAI_API_KEY only)",
        about,
    )
    g.add_argument("--llm", choices=["scripted", "openai"], help="backend (SMALLVILLE_LLM)")
    g.add_argument(
        "--base-url",
        help="OpenAI-compatible endpoint (SMALLVILLE_BASE_URL, else OPENAI_BASE_URL)",
    )
    g.add_argument(
        "--model",
        help="model name (SMALLVILLE_MODEL; default: the one model the endpoint serves, "
        "or gpt-4o-mini on the OpenAI API)",
    )
    g.add_argument(
        "--timeout",
        type=float,
        metavar="SECONDS",
        help="wait this long for one HTTP request (SMALLVILLE_TIMEOUT; default 60)",
    )
    g.add_argument(
        "--max-attempts",
        type=int,
        metavar="N",
        help="HTTP attempts for one answer (SMALLVILLE_MAX_ATTEMPTS; default 5); a request "
        "that timed out is tried twice at most",
    )


def _llm_config(args: argparse.Namespace, *, probe: bool = False, **extra):
    """The model settings from flags and environment.

    With ``probe``, an endpoint is asked first (the scripted model is not): a dead one,
    a refused key or an unknown model is a UserError, and an unnamed model is resolved
    from what the endpoint serves. Without it (``llm check``, which reports failures
    itself) an unnamed model is still resolved when the endpoint allows it.
    """
    from smallville.llm import ConfigError, LLMConfig
    from smallville.llm.probe import EndpointError, check_endpoint

    try:
        config = LLMConfig.resolve(
            backend=args.llm,
            base_url=args.base_url,
            model=args.model,
            timeout=getattr(args, "timeout", None),
            max_attempts=getattr(args, "max_attempts", None),
            **extra,
        )
        if probe:
            return check_endpoint(config)
    except ConfigError as e:  # EndpointError included
        raise UserError(str(e)) from e
    if config.backend == "openai" and config.model is None:
        try:
            return check_endpoint(config)
        except EndpointError:
            pass  # `llm check` says what is wrong in its own words
    return config


def _llm_check(args: argparse.Namespace) -> int:
    from smallville.llm.check import run_check

    report = run_check(_llm_config(args), max_burst=args.max_burst)
    for line in report.lines:
        print(line)
    return 0 if report.ok else 1


def _load_world(path: Path, allow_invalid: bool = True):
    from smallville.world import World, WorldError

    try:
        return World.load(path, allow_invalid=allow_invalid)
    except WorldError as e:
        raise UserError(str(e)) from e
    except OSError as e:
        raise UserError(f"{path}: cannot read: {e.strerror}") from e


def _metric_line(m) -> str:
    def f(x) -> str:
        return f"{x} ({float(x):.3f})" if x.denominator != 1 else str(x)

    return f"CFR {f(m.cfr)}   RCS {f(m.rcs)}   OPS {f(m.ops)}"


def _world_validate(args: argparse.Namespace) -> int:
    rc = 0
    for path in args.paths:
        try:
            world = _load_world(path)
        except UserError as e:
            print(f"error: {e}", file=sys.stderr)
            rc = 2
            continue
        m = world.metrics
        print(f"{path}: {_metric_line(m)}")
        for w in m.warnings:
            print(f"  warning: {w}")
        for fail in m.failures:
            print(f"  {fail}")
        if m.ok:
            print("ok")
        else:
            print(f"{len(m.failures)} problem(s) to fix")
            rc = max(rc, 1)
    return rc


def _world_info(args: argparse.Namespace) -> int:
    world = _load_world(args.path)
    places = world.places
    meta = world.scene.metadata
    w, h = meta.grid_size
    print(f"{meta.scene_name}  ({args.path})")
    print(f"size        {w} x {h} tiles ({int(world.grid.walkable.sum())} walkable)")
    print(f"sectors     {len(places.sectors)}")
    print(f"arenas      {len(places.arenas)}")
    print(f"objects     {len(places.objects)}")
    agents = [s for s in places.spawns if s.is_agent]
    print(f"characters  {len(places.spawns)} ({len(agents)} agents)")
    print(f"metrics     {_metric_line(world.metrics)}")
    print()
    for sector in places.sectors:
        arenas = [a for a in places.arenas if a.sector == sector]
        n_obj = sum(len(places.objects_in(a.address)) for a in arenas)
        names = ", ".join(a.name for a in arenas)
        print(f"  {sector}: {len(arenas)} arenas, {n_obj} objects — {names}")
    # the residents: from --agents, else the world's own persona folder when it is found
    from smallville.cognition.persona import PersonaError, load_personas

    given = getattr(args, "agents", None)
    folder = Path(given) if given else _agents_dir(args.path)
    if not given and not folder.is_dir():
        return 0
    try:
        personas = load_personas(folder)
    except PersonaError as e:
        raise UserError(f"--agents: {e}" if given else f"residents: {e}") from e
    arenas = {a.address for a in places.arenas}

    def where(address: str | None) -> str:
        if address is None:
            return "-"
        shown = address.split(":", 1)[1] if address.startswith(f"{places.world}:") else address
        return shown if address in arenas else f"{shown} (not in this world)"

    rows = [("name", "age", "home", "workplace")]
    rows += [(p.name, str(p.age), where(p.living_area), where(p.workplace)) for p in personas]
    widths = [max(len(r[c]) for r in rows) for c in range(3)]
    print()
    print(f"residents   {len(personas)} ({folder})")
    for name, age, home, work in rows:
        print(f"  {name:<{widths[0]}}  {age:>{widths[1]}}  {home:<{widths[2]}}  {work}")
    return 0


def _world_render(args: argparse.Namespace) -> int:
    world = _load_world(args.path)
    from smallville.viewer.mapdraw import render_png

    out = render_png(world, args.png, tile_px=args.tile, labels=not args.no_labels)
    print(f"wrote {out}")
    return 0


def _run_and_view(args: argparse.Namespace, argv: list[str]) -> int:
    """The simulation in a child process, the viewer on its growing run file here."""
    import signal
    import subprocess
    import time

    world = _default_world(args.world)
    out = args.resume or args.out or Path("runs") / f"{world.stem}-{_stamp()}.sqlite"
    child_argv = [a for a in argv if a != "--view"]
    if not args.resume and not args.out:
        child_argv += ["--out", str(out)]
    child = subprocess.Popen([sys.executable, "-m", "smallville.cli", "run", *child_argv])
    deadline = time.time() + 120
    while not _has_ticks(out) and child.poll() is None and time.time() < deadline:
        time.sleep(0.1)
    if not _has_ticks(out):
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


def _has_ticks(path: Path) -> bool:
    import sqlite3

    if not Path(path).is_file():
        return False
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as c:
            return c.execute("SELECT COUNT(*) FROM ticks").fetchone()[0] > 0
    except sqlite3.Error:
        return False


def _run(args: argparse.Namespace) -> int:
    import asyncio
    import shlex

    if args.hours is not None and args.hours <= 0:
        raise UserError(f"--hours must be more than 0, got {args.hours:g}")
    resume_until = None
    if args.resume:
        point = _resume_point(args)
        if point is None:
            return 0
        resume_until, args.seed = point
    if args.view:
        return _run_and_view(args, args.argv)

    from smallville.llm import Budget, build
    from smallville.sim.progress import Progress, next_steps, summary
    from smallville.sim.runner import RunConfig, RunError, Runner

    again = "smallville run " + shlex.join(args.argv)
    started: list = []  # the runner, once its run file holds a checkpoint
    try:
        # the endpoint is asked before anything is written: a dead one leaves no run file
        config = _llm_config(
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
        ablations = {
            k: True for k in ("no_reflection", "no_planning", "no_memory") if getattr(args, k)
        }

        async def go():
            try:
                if args.resume:
                    runner = await Runner.resume(args.resume, llm, budget, until=resume_until)
                else:
                    args.world = _default_world(args.world)
                    world_name = args.world.stem
                    out = args.out or Path("runs") / f"{world_name}-{_stamp()}.sqlite"
                    agents = args.agents or _agents_dir(args.world)
                    cfg = RunConfig(  # absolute paths: resume works from any folder
                        world=args.world.resolve(),
                        agents=agents.resolve(),
                        out=out,
                        scenario=args.scenario.resolve() if args.scenario else None,
                        seed=args.seed,
                        start=args.start or "",
                        until=args.until or "",
                        hours=args.hours,
                        ablations=ablations,
                    )
                    runner = await Runner.start(cfg, llm, budget, config.describe())
                started.append(runner)
                runner.install_sigint()
                bar = None if args.quiet else Progress(runner)
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
                return runner, outcome
            finally:
                await llm.aclose()

        try:
            runner, outcome = asyncio.run(go())
        except RunError as e:
            raise UserError(str(e)) from e
    except KeyboardInterrupt:
        print(_interrupted(args, started, again), file=sys.stderr)
        return 130
    try:
        print(summary(runner, outcome))
        print(next_steps(outcome))
    finally:
        runner.log.close()
    from smallville.analysis.health import health
    from smallville.replay import Run

    try:  # read after the writer closed, so its switch out of WAL mode is not refused
        with Run.open(outcome.path) as run:
            verdict = health(run)["verdict"]
    except Exception as e:  # advisory: the run is done and logged, whatever this says
        verdict = [f"not measured ({type(e).__name__}: {e})"]
    print(f"\nBehaviour health (details: smallville analyze {shlex.quote(str(outcome.path))})")
    print("\n".join(f"  {line}" for line in verdict))
    return 0 if outcome.reason == "done" else 3


# flags that choose a new run's inputs; a resumed run keeps those it was started with
_NEW_RUN_FLAGS = (
    ("world", "--world"),
    ("agents", "--agents"),
    ("scenario", "--scenario"),
    ("start", "--start"),
    ("seed", "--seed"),
    ("out", "--out"),
    ("no_reflection", "--no-reflection"),
    ("no_planning", "--no-planning"),
    ("no_memory", "--no-memory"),
)


def _resume_point(args: argparse.Namespace) -> tuple[str | None, int] | None:
    """Check ``run --resume`` before the endpoint is asked or anything is written.

    Returns the game time to stop at (None: the run's own end) and the run's seed, or
    None when the run is complete and no --hours/--until extends it (said on stdout).
    """
    import shlex

    from smallville import gametime as gt
    from smallville.sim.runner import RunError, resume_point

    given = [flag for dest, flag in _NEW_RUN_FLAGS if _flag_given(args, dest, flag)]
    if given:
        raise UserError(
            f"{', '.join(given)} {'is' if len(given) == 1 else 'are'} not allowed with "
            f"--resume: a resumed run keeps the world, residents, scenario, start, seed, "
            f"ablations and run file it was started with (recorded in {args.resume}); "
            "leave out " + ("that flag" if len(given) == 1 else "those flags") + ", or start "
            "a new run to change them"
        )
    try:
        meta = resume_point(args.resume)
    except RunError as e:
        raise UserError(str(e)) from e
    at = meta["checkpoint"]["time"]
    seed = meta["config"]["seed"]
    if args.hours:
        return gt.fmt(at + int(args.hours * 3600)), seed
    if args.until:
        try:
            until = gt.parse(args.until)
        except ValueError as e:
            raise UserError(f"--until: {e}") from e
        if until <= at:
            raise UserError(
                f"--until {args.until} is not after {args.resume}'s checkpoint at "
                f"{gt.fmt(at)}; give a later time, or --hours N to add N game hours"
            )
        return gt.fmt(until), seed
    end = gt.parse(meta["config"]["until"])
    if at >= end:
        run = shlex.quote(str(args.resume))
        print(
            f"{args.resume} is complete: it ran to its end, {gt.fmt(end)}. To extend it: "
            f"smallville run --resume {run} --hours N (N more game hours) or "
            f"--until 'YYYY-MM-DD HH:MM'"
        )
        return None
    return None, seed


def _flag_given(args: argparse.Namespace, dest: str, flag: str) -> bool:
    if dest != "seed":
        return getattr(args, dest) not in (None, False)
    # --seed has a default, so look for it (or an abbreviation argparse took for it)
    names = (a.split("=", 1)[0] for a in args.argv if a.startswith("--") and len(a) > 3)
    return args.seed != 0 or any(flag.startswith(n) for n in names)


def _interrupted(args: argparse.Namespace, started: list, again: str) -> str:
    """What to say after Ctrl-C outside the runner's own clean stop."""
    import shlex

    if started:  # a second Ctrl-C: the run file keeps its last checkpoint
        path = shlex.quote(str(started[0].cfg.out))
        return (
            f"aborted; {started[0].cfg.out} continues from its last checkpoint: "
            f"smallville run --resume {path}"
        )
    if args.resume:
        return (
            f"interrupted before the run continued; {args.resume} is as it was. "
            f"To continue, run the same command again: {again}"
        )
    return (
        "interrupted before the run's first checkpoint, so no run file was written. "
        f"To start it, run the same command again: {again}"
    )


def _stamp() -> str:
    from datetime import datetime

    return datetime.now().strftime("%Y%m%d-%H%M%S")


def _default_world(world: Path | None) -> Path:
    """``--world``, else worlds/the_ville.json from here, else the repository's own copy
    (an editable install run from another folder)."""
    if world is not None:
        return world
    here = Path("worlds/the_ville.json")
    shipped = Path(__file__).resolve().parents[1] / here
    return here if here.is_file() or not shipped.is_file() else shipped


def _agents_dir(world: Path) -> Path:
    """The world's ``metadata.agents_dir``, found from here or beside the worlds folder."""
    import json

    try:
        meta = json.loads(world.read_text(encoding="utf-8")).get("metadata", {})
    except (OSError, ValueError):
        meta = {}
    name = meta.get("agents_dir") or f"agents/{world.stem}"
    for candidate in (Path(name), world.resolve().parent.parent / name):
        if candidate.is_dir():
            return candidate
    return Path(name)


def _log_dump(args: argparse.Namespace) -> int:
    import sqlite3

    from smallville.sim.runlog import RunLog, RunLogError

    try:
        log = RunLog.open(args.run, readonly=True)
    except RunLogError as e:
        raise UserError(str(e)) from e
    try:
        for line in log.dump():
            sys.stdout.write(line + "\n")
    except BrokenPipeError:
        pass
    except sqlite3.Error as e:
        raise UserError(f"{args.run}: not a smallville run file, or a damaged one ({e})") from e
    finally:
        log.close()
    return 0


def _whisper(args: argparse.Namespace) -> int:
    _check_run_file(args.run)
    from smallville.sim.runlog import RunLogError
    from smallville.sim.runner import RunError, whisper

    try:
        wid = whisper(args.run, args.agent, args.text)
    except (RunError, RunLogError) as e:
        raise UserError(str(e)) from e
    print(
        f"whisper {wid} queued for {args.agent}; it is planted when you run: "
        f"smallville run --resume {args.run}"
    )
    return 0


def _check_run_file(path: Path) -> None:
    """Refuse what is not a run file before the slow imports and the endpoint's probe."""
    from smallville.sim.runlog import RunLog, RunLogError

    try:
        RunLog.open(path, readonly=True).close()
    except RunLogError as e:
        raise UserError(str(e)) from e


def _interview(args: argparse.Namespace) -> int:
    import asyncio

    _check_run_file(args.run)
    from smallville.llm import build
    from smallville.sim.interview import interview
    from smallville.sim.runlog import RunLogError
    from smallville.sim.runner import RunError

    config = _llm_config(args, probe=True)
    llm = build(config)

    async def go():
        try:
            return await interview(args.run, args.agent, args.question, llm, args.at)
        finally:
            await llm.aclose()

    try:
        name, when, answer = asyncio.run(go())
    except (RunError, RunLogError) as e:
        raise UserError(str(e)) from e
    print(f"{name} ({when}): {answer}")
    return 0


def _view(args: argparse.Namespace) -> int:
    try:
        w, h = (int(x) for x in args.size.lower().split("x"))
    except ValueError as e:
        raise UserError(f"--size {args.size!r}: expected WIDTHxHEIGHT, e.g. 1280x800") from e
    import sqlite3

    from smallville.replay import RunFileError
    from smallville.viewer.app import main_window, render_frames, render_png

    try:
        if args.select:
            args.select = _resident(args.run, args.select)
        if args.png:
            print(f"wrote {render_png(args.run, args.png, args.at, (w, h), args.select)}")
        elif args.frames:
            frames = render_frames(
                args.run,
                args.frames,
                args.t_from,
                args.t_to,
                _seconds(args.every),
                (w, h),
                args.select,
            )
            print(f"wrote {len(frames)} frames to {args.frames}")
        else:
            main_window(args.run, (w, h), args.at, args.select)
    except (RunFileError, KeyError, ValueError) as e:  # KeyError's str() adds quotes
        raise UserError(e.args[0] if isinstance(e, KeyError) else str(e)) from e
    except sqlite3.Error as e:
        raise UserError(f"{args.run}: not a smallville run file, or a damaged one ({e})") from e
    return 0


def _resident(run_path: Path, name: str) -> str:
    """The resident of the run ``name`` means, ignoring case and repeated spaces."""
    from smallville.cognition.persona import match_name
    from smallville.replay import Run

    with Run.open(run_path) as run:
        names = [a.name for a in run.agents]
    found = match_name(names, name)
    if found is None:
        raise UserError(
            f"{run_path}: no resident named {name!r}; residents: {', '.join(sorted(names))}"
        )
    return found


def _analyze(args: argparse.Namespace) -> int:
    import json
    import sqlite3

    from smallville.analysis import analyze, report
    from smallville.replay import Run, RunFileError

    if args.json and not args.json.parent.is_dir():
        raise UserError(f"--json {args.json}: no folder {args.json.parent}; create it first")
    if args.json and args.json.is_dir():
        raise UserError(f"--json {args.json}: is a folder; give a file name, e.g. metrics.json")
    results, labels = [], []
    for path in [args.run] + ([args.compare] if args.compare else []):
        try:
            with Run.open(path) as run:
                results.append(analyze(run))
        except (RunFileError, ValueError) as e:  # WorldError: an old run's world file moved
            raise UserError(str(e)) from e
        except sqlite3.Error as e:
            raise UserError(f"{path}: not a smallville run file, or a damaged one ({e})") from e
        labels.append(path.name)
    print(report(results, labels))
    if args.json:
        payload = results[0] if len(results) == 1 else dict(zip(labels, results, strict=True))
        try:
            args.json.write_text(json.dumps(payload, indent=1, ensure_ascii=False) + "\n")
        except OSError as e:
            raise UserError(f"--json {args.json}: cannot write: {e.strerror}") from e
        print(f"\nwrote {args.json}")
    if args.plots:
        from smallville.analysis.plots import write_plots

        for label, result in zip(labels, results, strict=True):
            folder = args.plots if len(results) == 1 else args.plots / Path(label).stem
            paths = write_plots(result, folder)
            print(f"wrote {len(paths)} plots to {folder}")
            for name, why in paths.skipped.items():
                print(f"  no {name}: {why}")
    return 0


def _seconds(text: str) -> int:
    units = {"s": 1, "m": 60, "h": 3600}
    try:
        return max(1, int(float(text[:-1]) * units[text[-1]]))
    except (KeyError, ValueError, IndexError) as e:
        raise UserError(f"--every {text!r}: expected a number and s, m or h (10m)") from e


if __name__ == "__main__":
    sys.exit(main())
