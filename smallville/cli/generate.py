"""`smallville world generate` (a town and its residents from a description) and
`smallville agents generate` (residents for any world)."""

from __future__ import annotations

import argparse
import asyncio
import shlex
import time
from pathlib import Path

from smallville.cli.common import UserError
from smallville.cli.llm import llm_config, llm_flags


def add_world_generate(wsub) -> None:
    g = wsub.add_parser(
        "generate",
        help="make a town and its residents from a description",
        description="Make a town from a description: the places it needs, the rooms and "
        "objects of each (chosen by the model, or offline by the scripted model from the "
        "description's words), a procedural layout that passes CFR, RCS and OPS by "
        "construction, one model review with one repair round, and residents living and "
        "working in it. Writes OUT/world.json, OUT/agents/*.json, OUT/preview.png and "
        "OUT/plan.json, and prints the command to run it.",
    )
    g.add_argument("description", help='what the town is, e.g. "a fishing village"')
    g.add_argument("--residents", type=int, default=8, metavar="N", help="residents (8; 1-100)")
    g.add_argument("--seed", type=int, default=0, help="random seed for the residents (0)")
    g.add_argument("--out", type=Path, help="folder to write (default: towns/<town name>)")
    llm_flags(g)
    g.set_defaults(func=_world_generate)


def add_agents_parser(sub) -> None:
    agents = sub.add_parser("agents", help="make residents for a world")
    asub = agents.add_subparsers(title="agents commands", metavar="COMMAND")
    g = asub.add_parser(
        "generate",
        help="write persona files of residents for any world layout",
        description="Populate a world (ours or any World Scaffold scene, with or without "
        "zones): households in its homes, workplaces among its other places, one persona "
        "file each in OUT. Residents the world has no spawn point for start in their homes.",
    )
    g.add_argument("--world", type=Path, required=True, help="world JSON file")
    g.add_argument("--residents", type=int, default=8, metavar="N", help="residents (8; 1-100)")
    g.add_argument("--seed", type=int, default=0, help="random seed (0)")
    g.add_argument("--out", type=Path, required=True, help="persona folder to write (new)")
    llm_flags(g)
    g.set_defaults(func=_agents_generate)


def _world_generate(args: argparse.Namespace) -> int:
    from smallville.towngen.generate import GenerateError, generate_town, write_town
    from smallville.towngen.plan import file_name

    llm, t0 = _llm(args), time.perf_counter()
    try:
        town = _complete(llm, generate_town(args.description, args.residents, llm, seed=args.seed))
        out = args.out or Path("towns") / file_name(town.plan.name, "town")
        paths = write_town(town, out)
    except GenerateError as e:
        raise UserError(str(e)) from e
    m = town.world.metrics
    places = town.world.places
    print(
        f"{town.plan.name}: {len(town.plan.places)} buildings, {len(places.arenas)} rooms, "
        f"{len(places.objects)} objects, {len(town.personas)} residents "
        f"(CFR {float(m.cfr):.2f}, RCS {float(m.rcs):.2f}, OPS {float(m.ops):.2f}) "
        f"in {time.perf_counter() - t0:.1f} s"
    )
    _usage_line(llm)
    print(f"wrote {paths['world']}, {paths['agents']}/, {paths['preview']}")
    world, agents = shlex.quote(str(paths["world"])), shlex.quote(str(paths["agents"]))
    print(f"to run it: smallville run --world {world} --agents {agents} --hours 6")
    return 0


def _agents_generate(args: argparse.Namespace) -> int:
    from smallville.towngen.residents import make_residents, write_personas
    from smallville.world import World, WorldError

    if args.out.exists() and any(args.out.iterdir()):
        raise UserError(f"--out {args.out}: not empty; choose a new folder")
    try:
        world = World.load(args.world)
    except WorldError as e:
        raise UserError(str(e)) from e
    llm = _llm(args)
    try:
        personas = _complete(llm, make_residents(world, args.residents, llm, seed=args.seed))
    except ValueError as e:
        raise UserError(f"--residents {args.residents}: {e}") from e
    write_personas(personas, args.out)
    _usage_line(llm)
    print(f"wrote {len(personas)} residents to {args.out}")
    world_arg, out = shlex.quote(str(args.world)), shlex.quote(str(args.out))
    print(f"to run it: smallville run --world {world_arg} --agents {out} --hours 2")
    return 0


def _llm(args: argparse.Namespace):
    from smallville.llm import build

    return build(llm_config(args, probe=True))


def _complete(llm, coro):
    async def go():
        try:
            return await coro
        finally:
            await llm.aclose()

    return asyncio.run(go())


def _usage_line(llm) -> None:
    u = llm.usage()
    print(
        f"model: {u.calls} calls, {u.tokens:,} tokens, {u.repaired} repaired, "
        f"{u.fallbacks} fallbacks"
    )
