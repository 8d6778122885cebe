"""`smallville view`: a run in a window (live or replayed), one PNG, or PNG frames."""

from __future__ import annotations

import argparse
from pathlib import Path

from smallville.cli.common import TIME, UserError, game_time
from smallville.cli.runfiles import run_file_errors


def add_parser(sub) -> None:
    v = sub.add_parser(
        "view",
        help="watch a run (live while it is written) or render frames to PNG",
        description="Open a window on a run file: live while `smallville run` is still "
        "writing it, a replay afterwards. With --png, render one frame headless and exit; "
        "with --frames, write numbered PNG frames for a time-lapse. Press H in the window "
        "for the controls.",
    )
    v.add_argument("run", type=Path)
    v.add_argument("--at", type=game_time, metavar=TIME, help="start at this game time")
    v.add_argument("--png", type=Path, metavar="OUT.png", help="render one frame and exit")
    v.add_argument("--size", default="1280x800", help="window or frame size (1280x800)")
    v.add_argument("--select", metavar="NAME", help="resident shown in the inspector")
    v.add_argument("--frames", type=Path, metavar="DIR", help="write numbered frames here")
    v.add_argument(
        "--from", dest="t_from", type=game_time, metavar="T1", help="first frame's game time"
    )
    v.add_argument("--to", dest="t_to", type=game_time, metavar="T2", help="last frame's game time")
    v.add_argument("--every", default="10m", help="game time between frames (10m, 30s, 1h)")
    v.set_defaults(func=_view)


def _view(args: argparse.Namespace) -> int:
    try:
        w, h = (int(x) for x in args.size.lower().split("x"))
    except ValueError as e:
        raise UserError(f"--size {args.size!r}: expected WIDTHxHEIGHT, e.g. 1280x800") from e
    from smallville.replay import RunFileError
    from smallville.viewer.app import main_window, render_frames, render_png

    try:
        with run_file_errors(args.run):
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


def _seconds(text: str) -> int:
    """An --every value (10m, 30s, 1h) in game seconds, at least one."""
    units = {"s": 1, "m": 60, "h": 3600}
    try:
        return max(1, int(float(text[:-1]) * units[text[-1]]))
    except (KeyError, ValueError, IndexError) as e:
        raise UserError(f"--every {text!r}: expected a number and s, m or h (10m)") from e
