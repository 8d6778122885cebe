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


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="smallville",
        description="Generative agents in a World-Craft-style town.",
    )
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
    i.set_defaults(func=_world_info)
    r = wsub.add_parser(
        "render",
        help="draw a layout to a PNG file",
        description="Draw floors, walls, doors, objects, zone names and spawn points to PNG. "
        "Works without a display.",
    )
    r.add_argument("path", type=Path, help="world JSON file")
    r.add_argument("--png", type=Path, required=True, metavar="OUT.png", help="output file")
    r.add_argument("--tile", type=int, default=16, metavar="PX", help="pixels per tile (16)")
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
    span.add_argument("--hours", type=float, help="game hours to simulate (default 24)")
    span.add_argument("--until", metavar="'YYYY-MM-DD HH:MM'", help="game time to stop at")
    run.add_argument("--start", metavar="'YYYY-MM-DD HH:MM'", help="default 2023-02-13 06:00")
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
    iv.add_argument("--at", metavar="'YYYY-MM-DD HH:MM'", help="game time (default: the end)")
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
    v.add_argument("--at", metavar="'YYYY-MM-DD HH:MM'", help="start at this game time")
    v.add_argument("--png", type=Path, metavar="OUT.png", help="render one frame and exit")
    v.add_argument("--size", default="1280x800", help="window or frame size (1280x800)")
    v.add_argument("--select", metavar="NAME", help="resident shown in the inspector")
    v.add_argument("--frames", type=Path, metavar="DIR", help="write numbered frames here")
    v.add_argument("--from", dest="t_from", metavar="T1", help="first frame's game time")
    v.add_argument("--to", dest="t_to", metavar="T2", help="last frame's game time")
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
        help="write all metrics as JSON (every field: docs/analysis/SCHEMA.md)",
    )
    an.add_argument("--compare", type=Path, metavar="OTHER_RUN", help="a run to compare with")
    an.add_argument(
        "--plots",
        type=Path,
        metavar="DIR",
        help="write PNG plots: diffusion, relationships, time use, model usage",
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

    if args.view:
        return _run_and_view(args, args.argv)

    from smallville.llm import Budget, build
    from smallville.sim.progress import Progress, summary
    from smallville.sim.run import RunConfig, RunError, Runner

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
    ablations = {k: True for k in ("no_reflection", "no_planning", "no_memory") if getattr(args, k)}

    async def go():
        try:
            if args.resume:
                until = args.until
                if args.hours:
                    from smallville.sim.runlog import RunLog

                    log = RunLog.open(args.resume, readonly=True)
                    last = log.meta().get("checkpoint", {}).get("time")
                    log.close()
                    if last is not None:
                        from smallville import gametime as gt

                        until = gt.fmt(last + int(args.hours * 3600))
                runner = await Runner.resume(args.resume, llm, budget, until=until)
            else:
                args.world = _default_world(args.world)
                world_name = args.world.stem
                out = args.out or Path("runs") / f"{world_name}-{_stamp()}.sqlite"
                agents = args.agents or _agents_dir(args.world)
                start = args.start or ""
                until = args.until or ""
                cfg = RunConfig(  # absolute paths: resume works from any folder
                    world=args.world.resolve(),
                    agents=agents.resolve(),
                    out=out,
                    scenario=args.scenario.resolve() if args.scenario else None,
                    seed=args.seed,
                    start=start,
                    until=until,
                    hours=args.hours,
                    ablations=ablations,
                )
                runner = await Runner.start(cfg, llm, budget, config.describe())
            runner.install_sigint()
            bar = None if args.quiet else Progress(runner)
            outcome = await runner.run(bar.update if bar else None)
            if bar:
                bar.close()
            return runner, outcome
        finally:
            await llm.aclose()

    try:
        runner, outcome = asyncio.run(go())
    except RunError as e:
        raise UserError(str(e)) from e
    try:
        print(summary(runner, outcome))
    finally:
        runner.log.close()
    from smallville.analysis.health import health
    from smallville.replay import Run

    try:  # read after the writer closed, so its switch out of WAL mode is not refused
        with Run.open(outcome.path) as run:
            verdict = health(run)["verdict"]
    except Exception as e:  # advisory: the run is done and logged, whatever this says
        verdict = [f"not measured ({type(e).__name__}: {e})"]
    print(f"\nBehaviour health (details: smallville analyze {outcome.path})")
    print("\n".join(f"  {line}" for line in verdict))
    return 0 if outcome.reason == "done" else 3


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
    finally:
        log.close()
    return 0


def _whisper(args: argparse.Namespace) -> int:
    from smallville.sim.run import RunError, whisper
    from smallville.sim.runlog import RunLogError

    try:
        wid = whisper(args.run, args.agent, args.text)
    except (RunError, RunLogError) as e:
        raise UserError(str(e)) from e
    print(
        f"whisper {wid} queued for {args.agent}; it is planted when you run: "
        f"smallville run --resume {args.run}"
    )
    return 0


def _interview(args: argparse.Namespace) -> int:
    import asyncio

    from smallville.llm import build
    from smallville.sim.interview import interview
    from smallville.sim.run import RunError
    from smallville.sim.runlog import RunLogError

    config = _llm_config(args, probe=True)
    llm = build(config)

    async def go():
        try:
            return await interview(args.run, args.agent, args.question, llm, args.at)
        finally:
            await llm.aclose()

    try:
        when, answer = asyncio.run(go())
    except (RunError, RunLogError) as e:
        raise UserError(str(e)) from e
    print(f"{args.agent} ({when}): {answer}")
    return 0


def _view(args: argparse.Namespace) -> int:
    try:
        w, h = (int(x) for x in args.size.lower().split("x"))
    except ValueError as e:
        raise UserError(f"--size {args.size!r}: expected WIDTHxHEIGHT, e.g. 1280x800") from e
    from smallville.replay import RunFileError
    from smallville.viewer.app import main_window, render_frames, render_png

    try:
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
    except (RunFileError, KeyError, ValueError) as e:
        raise UserError(str(e).strip("'\"")) from e
    return 0


def _analyze(args: argparse.Namespace) -> int:
    import json

    from smallville.analysis import analyze, report
    from smallville.replay import Run, RunFileError

    results, labels = [], []
    for path in [args.run] + ([args.compare] if args.compare else []):
        try:
            with Run.open(path) as run:
                results.append(analyze(run))
        except (RunFileError, ValueError) as e:  # WorldError: an old run's world file moved
            raise UserError(str(e)) from e
        labels.append(path.name)
    print(report(results, labels))
    if args.json:
        payload = results[0] if len(results) == 1 else dict(zip(labels, results, strict=True))
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(payload, indent=1, ensure_ascii=False) + "\n")
        print(f"\nwrote {args.json}")
    if args.plots:
        from smallville.analysis.plots import write_plots

        for label, result in zip(labels, results, strict=True):
            folder = args.plots if len(results) == 1 else args.plots / Path(label).stem
            paths = write_plots(result, folder)
            print(f"wrote {len(paths)} plots to {folder}")
    return 0


def _seconds(text: str) -> int:
    units = {"s": 1, "m": 60, "h": 3600}
    try:
        return max(1, int(float(text[:-1]) * units[text[-1]]))
    except (KeyError, ValueError, IndexError) as e:
        raise UserError(f"--every {text!r}: expected a number and s, m or h (10m)") from e


if __name__ == "__main__":
    sys.exit(main())
