"""Residents for any World Scaffold world: persona dicts in the persona file format.

The model says who people are (one ``town_household`` request per household); this
module says where they live and work, from the world's own places, and checks every
answer beyond its schema (unique names, household size, workplaces that exist, times),
so what it returns always loads with ``load_personas`` against that world's arenas.
"""

from __future__ import annotations

import json
import random
import re
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from smallville.cognition.persona import persona_files
from smallville.llm.schemas_town import PLACE_KINDS, Household, Member, TownHouseholdIn
from smallville.llm.task import PromptTask
from smallville.towngen.plan import file_name
from smallville.world import Arena, World

MAX_RESIDENTS = 100
SIZE_WEIGHTS = {1: 3, 2: 4, 3: 2, 4: 1}  # household sizes: couples most often
NEIGHBOURS_SHOWN = 24  # the latest neighbours in a prompt: names to avoid, bounded at n=100

_PUBLIC = {"park", "square", "street", "plaza", "garden", "outdoor", "outdoors", "field"}
_PUBLIC |= {"road", "lane", "path", "yard", "lawn", "grass", "beach", "green", "playground"}
_DOMESTIC = ("bed", "bath", "toilet", "restroom", "washroom", "living", "lounge", "kitchen")
_DOMESTIC += ("dining", "hallway", "corridor", "common room", "apartment", "dorm", "laundry")
_BEDS = {"bed", "bunk", "cot", "crib", "futon", "hammock"}
_NOT_BEDS = {"garden", "flower", "vegetable", "herb", "seed", "raised", "plant"}
_WORK_OBJECTS = {"counter", "register", "till", "desk", "lectern", "podium", "workbench"}
_SPOUSE = re.compile(r"\b(married|husband|wife|spouse)\b", re.I)

# fmt: off
FIRST_NAMES = (
    "Ada", "Alma", "Amir", "Ana", "Arlo", "Bea", "Ben", "Cal", "Cora", "Dan", "Dara", "Eli",
    "Ella", "Emil", "Eva", "Finn", "Gia", "Hana", "Hugo", "Ida", "Ines", "Ivan", "Jade", "Jon",
    "Kai", "Kira", "Leo", "Lena", "Lina", "Luca", "Mae", "Mara", "Max", "Mila", "Nia", "Noah",
    "Nora", "Omar", "Oren", "Otto", "Pia", "Raf", "Rosa", "Ruth", "Sami", "Sara", "Theo",
    "Tess", "Uma", "Vera", "Wren", "Yara", "Yusuf", "Zoe",
)
LAST_NAMES = (
    "Abbott", "Adler", "Baker", "Bauer", "Castillo", "Chen", "Dalton", "Duarte", "Ellis",
    "Engel", "Fischer", "Ford", "Garcia", "Grant", "Haddad", "Hale", "Ito", "Jensen", "Kaur",
    "Keller", "Lang", "Lopes", "Marsh", "Meyer", "Nakai", "Novak", "Ortiz", "Park", "Quinn",
    "Rossi", "Sato", "Silva", "Tanaka", "Torres", "Vance", "Weber", "Wolfe", "Young", "Zeller",
)
TRAITS = (
    "kind", "curious", "patient", "cheerful", "stubborn", "shy", "thoughtful", "talkative",
    "careful", "generous", "practical", "witty", "calm", "restless", "honest", "dreamy",
    "proud", "gentle",
)
# fmt: on


@dataclass(frozen=True)
class Home:
    name: str  # as the model sees it
    beds: tuple[str, ...]  # arena addresses households sleep in, one per household in turn


@dataclass(frozen=True)
class Workplace:
    name: str
    purpose: str
    arena: str  # the arena address a resident working here goes to

    def line(self) -> str:
        return f"{self.name}: {self.purpose}" if self.purpose else self.name


def town_places(
    world: World, kinds: dict[str, str] | None = None, purposes: dict[str, str] | None = None
) -> tuple[list[Home], list[Workplace]]:
    """The homes and workplaces of ``world``.

    A place is a sector; in a scene without zones (one sector of derived arenas) it is
    each arena, the only unit such a scene has. ``kinds`` (place name -> home / work /
    public) wins; otherwise a place is public by a name like park or street, a home
    when an arena sleeps people (a bed, a bedroom, a dorm) and a workplace when it has
    a room that is neither slept in nor domestic (a cafe with a flat upstairs is both).
    With no home at all (no bed anywhere), every resident still needs a living area:
    the quietest arenas (fewest objects, then world order; not public, not a
    workplace) become homes.
    """
    bad = {k: v for k, v in (kinds or {}).items() if v not in PLACE_KINDS}
    if bad:
        raise ValueError(f"kinds: {bad} : expected one of {', '.join(PLACE_KINDS)}")
    zoneless = not world.scene.layout.zone_layer
    homes, works = [], []
    for name, arenas in _groups(world, zoneless):
        sleeping = [a for a in arenas if _sleeps(world, a)]
        roles = _roles(name, arenas, sleeping, (kinds or {}).get(name))
        if "home" in roles:
            homes.append(Home(name, tuple(a.address for a in sleeping or arenas[:1])))
        if "work" in roles:
            arena = _work_arena(world, arenas, sleeping)
            works.append(Workplace(name, (purposes or {}).get(name, ""), arena.address))
    return homes or _quiet_homes(world, works, zoneless), works


def _groups(world: World, zoneless: bool) -> list[tuple[str, list[Arena]]]:
    arenas = world.places.arenas
    if zoneless:
        return [(a.name, [a]) for a in arenas]
    return [(s, [a for a in arenas if a.sector == s]) for s in world.places.sectors]


def _roles(name: str, arenas: list[Arena], sleeping: list[Arena], kind: str | None) -> set[str]:
    if kind is not None:
        return {kind}
    if _words(name) & _PUBLIC:
        return set()
    roles = {"home"} if sleeping else set()
    if any(a not in sleeping and not _domestic(a) and not _words(a.name) & _PUBLIC for a in arenas):
        roles.add("work")
    return roles


def _words(text: str) -> set[str]:
    words = re.findall(r"[a-z]+", text.casefold())
    return set(words) | {w[:-1] for w in words if w.endswith("s")}


def _domestic(arena: Arena) -> bool:
    return any(word in arena.name.casefold() for word in _DOMESTIC)


def _sleeps(world: World, arena: Arena) -> bool:
    if _words(arena.name) & {"bedroom", "dorm"}:
        return True
    tags = (_words(o.tag) for o in world.places.objects_in(arena.address))
    return any(t & _BEDS and not t & _NOT_BEDS for t in tags)


def _work_arena(world: World, arenas: list[Arena], sleeping: list[Arena]) -> Arena:
    """The working room (neither slept in nor domestic) with the most counters, desks
    and the like, the first on a tie; with no working room, the first room."""
    rooms = [a for a in arenas if a not in sleeping and not _domestic(a)] or arenas
    objects = world.places.objects_in
    return max(
        rooms, key=lambda a: sum(bool(_words(o.tag) & _WORK_OBJECTS) for o in objects(a.address))
    )


def _quiet_homes(world: World, works: list[Workplace], zoneless: bool) -> list[Home]:
    taken = {w.arena for w in works}
    arenas = world.places.arenas
    if not arenas:
        raise ValueError(f"{world.name!r} has no arenas (rooms) for residents to live in")
    free = [a for a in arenas if a.address not in taken and not _words(a.name) & _PUBLIC]
    quiet = sorted(free or arenas, key=lambda a: (len(world.places.objects_in(a.address)), a.index))
    return [Home(a.name if zoneless else f"{a.sector} {a.name}", (a.address,)) for a in quiet]


async def make_residents(
    world: World,
    n: int,
    llm,
    *,
    seed: int = 0,
    kinds: dict[str, str] | None = None,
    purposes: dict[str, str] | None = None,
    feel: str = "",
) -> list[dict]:
    """``n`` persona dicts (the persona file format) living in ``world``.

    Households of 1-4 (sizes drawn from ``seed``) take the homes of ``town_places`` in
    turn, sharing them when there are more households than homes; a household sleeps in
    its home's next bedroom-like arena. Each household is one ``town_household``
    request that sees the workplaces and the latest neighbours; its fallback is a
    generated family, so a bad answer costs realism, never a resident.
    """
    if not 1 <= n <= MAX_RESIDENTS:
        raise ValueError(f"expected 1 to {MAX_RESIDENTS} residents, got {n}")
    homes, works = town_places(world, kinds, purposes)
    rng = random.Random(f"households:{seed}")
    people: list[dict] = []
    neighbours: list[str] = []
    settled: dict[str, int] = {}  # households so far per home
    for i, size in enumerate(_sizes(n, rng)):
        home = homes[i % len(homes)]
        living = home.beds[settled.get(home.name, 0) % len(home.beds)]
        settled[home.name] = settled.get(home.name, 0) + 1
        taken = {p["name"].casefold() for p in people}
        hh_rng = random.Random(f"household:{seed}:{i}")
        inputs = TownHouseholdIn(
            town=world.name,
            feel=feel,
            home=home.name,
            size=size,
            workplaces=tuple(w.line() for w in works),
            neighbours=tuple(neighbours[-NEIGHBOURS_SHOWN:]),
        )
        fallback = _fallback(inputs, works, taken, hh_rng)
        task = PromptTask(kind="town_household", inputs=inputs, output=Household, fallback=fallback)
        answer = await llm.complete(task)
        members = _checked(answer, fallback, size, taken, hh_rng)
        for m in members:
            work = _match_work(m.workplace, works)
            people.append(_persona(m, members, living, work))
            where = f", works at {work.name}" if work else ""
            neighbours.append(f"{m.name}, {m.age}, lives at {home.name}{where}")
    return people


def _sizes(n: int, rng: random.Random) -> list[int]:
    sizes: list[int] = []
    while (left := n - sum(sizes)) > 0:
        sizes.append(min(left, rng.choices(list(SIZE_WEIGHTS), list(SIZE_WEIGHTS.values()))[0]))
    return sizes


def _fallback(
    inputs: TownHouseholdIn, works: list[Workplace], taken: set[str], rng: random.Random
) -> Household:
    """A family from the inputs alone: one surname new to the town if one is left, a
    couple first, then children a generation younger; adults work at the workplaces
    in turn, children go to school."""
    used_last = {name.rsplit(" ", 1)[-1] for name in taken}
    fresh = [s for s in rng.sample(LAST_NAMES, len(LAST_NAMES)) if s.casefold() not in used_last]
    last = fresh[0] if fresh else rng.choice(LAST_NAMES)
    names: list[str] = []
    for _ in range(inputs.size):
        names.append(_fresh_name(last, taken | {x.casefold() for x in names}, rng))
    elder = rng.randint(38, 62) if inputs.size > 2 else rng.randint(24, 70)
    ages = [elder, max(18, elder + rng.randint(-6, 6))]
    ages += [elder - rng.randint(22, 32) for _ in range(2)]
    place = f"{inputs.home} in {inputs.town}"
    start = rng.randrange(len(works)) if works else 0
    members = []
    for j, name in enumerate(names):
        adult = ages[j] >= 18
        work = works[(start + j) % len(works)].name if works and adult else ""
        job = f"works at {work}" if work else "keeps house" if adult else "goes to school"
        learned = f"{name} {job} and lives at {place}."
        if j >= 2:
            learned += f" {name.split()[0]} is the child of {names[0]} and {names[1]}."
        elif len(names) > 1:
            learned += f" {name.split()[0]} is married to {names[1 - j]}."
        todo = [f"work at {work}"] if work else ["go to school"] if not adult else []
        members.append(
            Member(
                name=name,
                age=ages[j],
                innate=", ".join(rng.sample(TRAITS, 3)),
                learned=_clip(learned, 300),
                currently=_clip(f"{name.split()[0]} is starting a new week at {place}.", 200),
                wake_time=rng.choice(["06:00", "06:30", "07:00", "07:30"]) if adult else "07:00",
                sleep_time=rng.choice(["22:00", "22:30", "23:00"]) if adult else "21:00",
                workplace=_clip(work, 40),
                daily_requirements=[_clip(t, 160) for t in [*todo, "take a walk"]],
            )
        )
    return Household(members=members)


def _checked(
    answer, fallback: Household, size: int, taken: set[str], rng: random.Random
) -> list[Member]:
    """Exactly ``size`` valid members with names new to the town: the answer's members
    that validate, then the fallback's to make up the number. A taken name keeps its
    surname and gets a new first name, also in what the household says about it."""
    members = []
    for m in list(getattr(answer, "members", None) or [])[:size]:
        try:
            members.append(Member.model_validate(m.model_dump()))
        except (AttributeError, ValidationError):
            continue
    members += fallback.members[len(members) : size]
    last = (members[0].name.split()[1:] or fallback.members[0].name.split())[-1]
    seen = set(taken)
    renamed: dict[str, str] = {}
    for j, m in enumerate(members):
        name = " ".join(m.name.split())
        name = name if " " in name else f"{name} {last}"
        if name.casefold() in seen:
            renamed[name] = name = _fresh_name(name.split()[-1], seen, rng)
        seen.add(name.casefold())
        hours = fallback.members[0] if m.wake_time == m.sleep_time else m  # no time asleep
        members[j] = m.model_copy(
            update={"name": name, "wake_time": hours.wake_time, "sleep_time": hours.sleep_time}
        )
    return [_renaming(m, renamed) for m in members]


def _renaming(m: Member, renamed: dict[str, str]) -> Member:
    def fix(text: str) -> str:
        for old, new in renamed.items():
            text = text.replace(old, new)
        return text

    update = {f: fix(getattr(m, f)) for f in ("learned", "currently")}
    update |= {f: [fix(x) for x in getattr(m, f)] for f in ("memories", "daily_requirements")}
    return m.model_copy(update=update)


def _fresh_name(last: str, taken: set[str], rng: random.Random) -> str:
    """A first name (from a seeded start) with ``last`` that nobody has; when every one
    is taken, the first free pair of any first and last name."""
    start = rng.randrange(len(FIRST_NAMES))
    firsts = FIRST_NAMES[start:] + FIRST_NAMES[:start]
    for surname in [last, *LAST_NAMES]:
        for first in firsts:
            if f"{first} {surname}".casefold() not in taken:
                return f"{first} {surname}"
    raise ValueError("no free resident name left")  # 2,000+ pairs for at most 100 people


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _match_work(text: str, works: list[Workplace]) -> Workplace | None:
    """The workplace a member's answer names (case, spacing, a leading 'the' and a
    purpose after ':' ignored), or None."""

    def key(s: str) -> str:
        s = " ".join(s.split(":")[0].split()).casefold()
        return s.removeprefix("the ")[:40]

    wanted = key(text)
    return next((w for w in works if wanted and key(w.name) == wanted), None)


def _persona(m: Member, household: list[Member], living: str, work: Workplace | None) -> dict:
    first = m.name.split()[0]
    ties = [_tie(m, other) for other in household if other is not m]
    return {
        "name": m.name,
        "age": m.age,
        "innate": m.innate,
        "learned": m.learned,
        "currently": m.currently,
        "lifestyle": f"{first} goes to bed around {_spoken(m.sleep_time)} and wakes up "
        f"around {_spoken(m.wake_time)}.",
        "wake_time": m.wake_time,
        "sleep_time": m.sleep_time,
        "living_area": living,
        "workplace": work.arena if work else None,
        "daily_requirements": list(m.daily_requirements),
        "memories": ties + [x for x in m.memories if x not in ties],
    }


def _tie(a: Member, b: Member) -> str:
    """'A is married to B' when a sentence of either's background or memories calls the
    other a spouse by first name; else 'A lives with B'."""
    for who, other in ((a, b), (b, a)):
        first = re.escape(other.name.split()[0])
        for sentence in re.split(r"[.;!?]", " ".join([who.learned, *who.memories])):
            if _SPOUSE.search(sentence) and re.search(rf"\b{first}\b", sentence):
                return f"{a.name} is married to {b.name}"
    return f"{a.name} lives with {b.name}"


def _spoken(hm: str) -> str:
    """'22:00' -> '10 pm', '06:30' -> '6:30 am', '00:00' -> 'midnight'."""
    h, m = (int(x) for x in hm.split(":"))
    if m == 0 and h in (0, 12):
        return "midnight" if h == 0 else "noon"
    clock = f"{(h - 1) % 12 + 1}" + (f":{m:02d}" if m else "")
    return f"{clock} {'am' if h < 12 else 'pm'}"


def write_personas(personas: list[dict], folder: Path) -> list[Path]:
    """One ``first_last.json`` per persona in ``folder`` (made if missing).

    Refuses with FileExistsError, before writing anything, when the folder already
    holds persona files or one of the target names: a town's residents are every
    persona file of its folder, so adding to a set would overwrite or mix residents.
    """
    folder = Path(folder)
    stems: list[str] = []
    for p in personas:
        stem = base = file_name(p["name"], "resident")
        k = 1
        while stem in stems:  # "Zoë Park" and "Zoe Park" are two people, one slug
            k += 1
            stem = f"{base}_{k}"
        stems.append(stem)
    paths = [folder / f"{stem}.json" for stem in stems]
    clash = (persona_files(folder) if folder.is_dir() else []) + [p for p in paths if p.exists()]
    if clash:
        shown = ", ".join(sorted({c.name for c in clash})[:5])
        raise FileExistsError(f"{folder} already holds persona files ({shown}): use a new one")
    folder.mkdir(parents=True, exist_ok=True)
    for path, p in zip(paths, personas, strict=True):
        path.write_text(json.dumps(p, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return paths
