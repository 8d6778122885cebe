"""`smallville run --resume`: what is checked before a stopped run continues, and what
Ctrl-C says about a run's file when it stops a run outside the runner's clean stop."""

from __future__ import annotations

import argparse

from smallville.cli.common import UserError

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


def check_resume(args: argparse.Namespace) -> tuple[str | None, int] | None:
    """Check ``run --resume`` before the endpoint is asked or anything is written.

    Returns the game time to stop at (None: the run's own end) and the run's seed, or
    None when the run is complete and no --hours/--until extends it (said on stdout).
    """
    import shlex

    from smallville import gametime as gt
    from smallville.sim.setup import RunError, resume_point

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


def interrupted(args: argparse.Namespace, started: list, again: str) -> str:
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
