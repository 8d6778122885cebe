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
    if not hasattr(args, "func"):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
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
        description="Check a layout. Exit 0 when CFR = RCS = OPS = 1, else 1 with every failure.",
    )
    v.add_argument("path", type=Path, help="world JSON file")
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
        help="send one structured and one embedding request and say what works",
        description="Send one tiny structured request (and an embedding request when an "
        "embedding model is set) to the configured endpoint; print the output mode that "
        "works (json_schema, json_object or plain), the latency and the answer. Exit 1 "
        "when the endpoint cannot be used.",
    )
    _llm_flags(c)
    c.set_defaults(func=_llm_check)
    return p


def _llm_flags(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("language model (flags override the environment)")
    g.add_argument("--llm", choices=["scripted", "openai"], help="backend (SMALLVILLE_LLM)")
    g.add_argument("--base-url", help="OpenAI-compatible endpoint (SMALLVILLE_BASE_URL)")
    g.add_argument("--model", help="model name (SMALLVILLE_MODEL)")


def _llm_config(args: argparse.Namespace, **extra):
    from smallville.llm import ConfigError, LLMConfig

    try:
        return LLMConfig.resolve(
            backend=args.llm, base_url=args.base_url, model=args.model, **extra
        )
    except ConfigError as e:
        raise UserError(str(e)) from e


def _llm_check(args: argparse.Namespace) -> int:
    from smallville.llm.check import run_check

    report = run_check(_llm_config(args))
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
    world = _load_world(args.path)
    m = world.metrics
    print(f"{args.path}: {_metric_line(m)}")
    for w in m.warnings:
        print(f"  warning: {w}")
    for fail in m.failures:
        print(f"  {fail}")
    if m.ok:
        print("ok")
        return 0
    print(f"{len(m.failures)} problem(s) to fix")
    return 1


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


if __name__ == "__main__":
    sys.exit(main())
