"""Colours of the map: floors by what the floor is, objects by what kind of thing they are.

A floor is matched by its semantic tag first ("floor_kitchen"), then by its asset's
description ("white ceramic tiles"), so a World Craft scene with unfamiliar tags still
gets sensible colours; anything unmatched gets a pastel hashed from its name, the same
on every run. Objects are matched by known compound names, then by their head noun
(the last word: a "desk chair" is a chair, a "bar stool" a stool), then by any word.
No pygame here: the colours are plain tuples, usable by any renderer.
"""

from __future__ import annotations

import hashlib
from typing import Literal

RGB = tuple[int, int, int]
Texture = Literal["plain", "boards", "tiles", "carpet"]

WALL: RGB = (58, 54, 64)
WALL_TOP: RGB = (98, 92, 104)  # the lit top edge of a wall run
DOOR: RGB = (150, 94, 46)
DOOR_JAMB: RGB = (40, 30, 24)
VOID: RGB = (24, 24, 28)
TEXT: RGB = (250, 250, 245)
OUTLINE: RGB = (20, 20, 24)
SECTOR_TEXT: RGB = (255, 232, 140)
TITLE_BG: RGB = (30, 30, 36)

# (words, colour, texture), checked in order; the first word found in the name wins
FLOORS: tuple[tuple[tuple[str, ...], RGB, Texture], ...] = (
    (("street", "road", "asphalt"), (88, 90, 98), "plain"),
    (("sidewalk", "pavement", "paving"), (184, 180, 170), "tiles"),
    (("doorstep", "threshold"), (168, 158, 140), "plain"),
    (("path", "gravel", "dirt", "sand", "trail"), (210, 190, 144), "plain"),
    (("grass", "lawn", "meadow", "pitch", "field", "park"), (106, 170, 86), "plain"),
    (("garden", "soil"), (128, 98, 68), "plain"),
    (("water", "pond", "lake", "river", "pool"), (84, 148, 208), "plain"),
    (("bathroom", "restroom", "shower", "toilet", "mosaic"), (196, 222, 234), "tiles"),
    (("kitchen", "ceramic"), (226, 228, 220), "tiles"),
    (("bar", "pub", "tavern", "stained"), (142, 96, 70), "boards"),
    (("cafe", "diner", "honey"), (216, 178, 124), "boards"),
    (("bedroom", "dorm", "apartment"), (198, 152, 104), "boards"),
    (("living", "lounge"), (208, 170, 122), "boards"),
    (("classroom", "school"), (186, 150, 112), "boards"),
    (("library", "reading"), (126, 156, 118), "carpet"),
    (("office",), (162, 166, 172), "tiles"),
    (("meeting", "council", "parquet"), (192, 150, 106), "boards"),
    (("hallway", "corridor", "lobby", "hall", "stone", "marble"), (206, 202, 192), "tiles"),
    (("shop", "store", "grocery", "pharmacy", "market", "vinyl"), (224, 222, 208), "tiles"),
    (("storage", "garage", "warehouse", "concrete"), (172, 170, 164), "plain"),
    (("studio", "workshop"), (198, 194, 184), "plain"),
    (("common",), (194, 160, 124), "boards"),
    (("wood", "board", "plank", "timber"), (198, 154, 104), "boards"),
    (("carpet", "rug"), (158, 128, 166), "carpet"),
    (("tile",), (220, 222, 216), "tiles"),
)

# kind -> colour, in legend order
OBJECT_KINDS: dict[str, RGB] = {
    "bed": (84, 122, 200),
    "seat": (214, 96, 66),
    "table, desk, counter": (118, 78, 46),
    "storage": (184, 134, 62),
    "appliance, sink": (238, 238, 242),
    "toilet, shower": (150, 210, 234),
    "music, screens": (56, 56, 70),
    "art": (236, 190, 60),
    "board, sign": (46, 98, 72),
    "plant": (50, 124, 58),
    "water": (70, 150, 226),
    "play": (240, 140, 40),
}
# names whose head noun would mislead ("garden bed" is no bed)
OBJECT_PHRASES: dict[str, str] = {
    "garden bed": "plant",
    "flower bed": "plant",
    "pool table": "play",
    "sculpting stand": "art",
    "guitar stand": "music, screens",
    "bandstand": "play",
    "water tap": "water",
    "drinking fountain": "water",
    "beer taps": "appliance, sink",
}
OBJECT_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("plant", ("plant", "tree", "flower", "bush", "hedge", "vegetable", "crop", "herb")),
    ("play", ("swing", "slide", "goal", "seesaw", "sandbox", "playground", "trampoline")),
    ("water", ("fountain", "pond", "well", "tap")),
    ("bed", ("bed", "cot", "crib", "bunk", "hammock")),
    ("toilet, shower", ("toilet", "shower", "bath", "tub", "urinal")),
    (
        "appliance, sink",
        ("stove", "oven", "fridge", "freezer", "sink", "coffee", "taps", "microwave"),
    ),
    ("appliance, sink", ("dishwasher", "machine", "kettle", "grill", "espresso")),
    ("table, desk, counter", ("workbench",)),
    ("seat", ("sofa", "couch", "chair", "stool", "bench", "bleacher", "seat", "pew", "ottoman")),
    ("music, screens", ("piano", "jukebox", "guitar", "tv", "television", "computer", "radio")),
    ("music, screens", ("register", "speaker", "screen", "laptop", "monitor", "console")),
    ("art", ("easel", "sculpt", "canvas", "beehive", "loom", "pottery", "kiln")),
    ("storage", ("cupboard", "sideboard", "bookcase")),
    ("board, sign", ("board", "mailbox", "sign", "poster", "map")),
    ("storage", ("shelf", "wardrobe", "cabinet", "crate", "case", "stand", "dresser", "chest")),
    ("storage", ("shed", "bin", "rack", "locker", "drawer", "box", "barrel", "closet")),
    ("table, desk, counter", ("table", "desk", "counter", "lectern", "podium", "workbench")),
)

AGENT_COLOURS: tuple[RGB, ...] = (
    (231, 76, 60),
    (52, 152, 219),
    (46, 204, 113),
    (155, 89, 182),
    (241, 196, 15),
    (230, 126, 34),
    (26, 188, 156),
    (236, 112, 160),
    (127, 140, 141),
    (192, 57, 43),
)


def stable_colour(key: str) -> RGB:
    """A pastel colour that is always the same for the same key."""
    h = hashlib.sha256(key.encode()).digest()
    return (140 + h[0] % 100, 140 + h[1] % 100, 140 + h[2] % 100)


def floor_style(tag: str, description: str = "") -> tuple[RGB, Texture]:
    """Colour and texture of a floor, by its semantic tag, else its description."""
    for text in (tag.lower(), description.lower()):
        for words, colour, texture in FLOORS:
            if any(w in text for w in words):
                return colour, texture
    return stable_colour(tag), "plain"


def floor_colour(tag: str, description: str = "") -> RGB:
    return floor_style(tag, description)[0]


def object_kind(tag: str) -> str | None:
    """The legend kind of an object's semantic tag, or None when it is unfamiliar."""
    name = tag.lower().replace("_", " ").strip()
    name = name.rstrip("0123456789").strip()  # "chair 2" is a chair
    if name in OBJECT_PHRASES:
        return OBJECT_PHRASES[name]
    head = name.rsplit(" ", 1)[-1]
    for text in (head, name):
        for kind, words in OBJECT_WORDS:
            if any(w in text for w in words):
                return kind
    return None


def object_colour(tag: str) -> RGB:
    kind = object_kind(tag)
    return OBJECT_KINDS[kind] if kind else stable_colour(tag)


def agent_colour(index: int) -> RGB:
    return AGENT_COLOURS[index % len(AGENT_COLOURS)]


def shade(colour: RGB, factor: float) -> RGB:
    """The colour darkened (factor < 1) or lightened (factor > 1), clamped to 0..255."""
    r, g, b = (min(255, max(0, round(c * factor))) for c in colour)
    return (r, g, b)


def text_colour_on(colour: RGB) -> RGB:
    """Dark text on light fills, light text on dark ones."""
    r, g, b = colour
    return OUTLINE if 0.299 * r + 0.587 * g + 0.114 * b > 150 else TEXT
