"""`smallville world validate|info|render`, and where a world and its residents are
found when no flag names them (`run` asks the same)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from smallville.cli.common import UserError, positive_int


def add_parser(sub) -> None:
    world = sub.add_parser("world", help="check, describe, render and generate world layouts")
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
        "--tile", type=positive_int, default=16, metavar="PX", help="pixels per tile (16)"
    )
    r.add_argument("--no-labels", action="store_true", help="omit object and zone labels")
    r.set_defaults(func=_world_render)
    from smallville.cli.generate import add_world_generate

    add_world_generate(wsub)


def default_world(world: Path | None) -> Path:
    """``--world``, else worlds/the_ville.json from here, else the repository's own copy
    (an editable install run from another folder)."""
    if world is not None:
        return world
    here = Path("worlds/the_ville.json")
    shipped = Path(__file__).resolve().parents[2] / here
    return here if here.is_file() or not shipped.is_file() else shipped


def agents_dir(world: Path) -> Path:
    """The world's ``metadata.agents_dir``, found beside the world file (a generated
    town's folder), from here, or beside the worlds folder."""
    import json

    try:
        meta = json.loads(world.read_text(encoding="utf-8")).get("metadata", {})
    except (OSError, ValueError):
        meta = {}
    name = meta.get("agents_dir") or f"agents/{world.stem}"
    here = world.resolve().parent
    for candidate in (here / name, Path(name), here.parent / name):
        if candidate.is_dir():
            return candidate
    return Path(name)


def _load_world(path: Path):
    """The layout even when it fails its checks: validate lists the failures, info and
    render still describe and draw it."""
    from smallville.world import World, WorldError

    try:
        return World.load(path, allow_invalid=True)
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
    folder = Path(given) if given else agents_dir(args.path)
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
