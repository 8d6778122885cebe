"""What a town can be furnished and paved with, and how an object's name finds its kind.

``FURNITURE`` and ``FLOORS`` are the kit's catalogue (the shipped towns use only these).
A generated town names its objects in free words: ``object_tag`` matches a name to a
catalogue tag (case-insensitively, through simple plurals and a few synonyms) and keeps
any other name as its own tag, which the layout turns into a generic 1 x 1 solid object
(``generic_kind``): a "net rack" or a "loom" is furniture too, it just has no picture.
"""

from __future__ import annotations

import re

from smallville.towngen.plan import clean_name

# footprint w, h; sprite w, h; physics; navigation; description
Kind = tuple[int, int, int, int, str, str, str]

# tag -> its kind
FURNITURE: dict[str, Kind] = {
    "bed": (1, 2, 1, 2, "solid", "obstacle", "a single bed with a quilt"),
    "double bed": (2, 2, 2, 2, "solid", "obstacle", "a double bed with two pillows"),
    "desk": (1, 1, 1, 1, "solid", "obstacle", "a wooden writing desk"),
    "wardrobe": (1, 1, 1, 2, "solid", "obstacle", "a tall wardrobe"),
    "nightstand": (1, 1, 1, 1, "solid", "obstacle", "a small nightstand with a lamp"),
    "bookshelf": (1, 1, 1, 2, "solid", "obstacle", "a bookshelf full of books"),
    "toilet": (1, 1, 1, 1, "solid", "obstacle", "a white toilet"),
    "bathroom sink": (1, 1, 1, 1, "solid", "obstacle", "a washbasin with a mirror"),
    "shower": (1, 1, 1, 2, "solid", "obstacle", "a shower cubicle"),
    "sofa": (2, 1, 2, 1, "solid", "obstacle", "a comfortable sofa"),
    "armchair": (1, 1, 1, 1, "solid", "obstacle", "an armchair"),
    "tv": (1, 1, 1, 1, "solid", "obstacle", "a television on a stand"),
    "piano": (2, 1, 2, 2, "solid", "obstacle", "an upright piano"),
    "stove": (1, 1, 1, 1, "solid", "obstacle", "a kitchen stove with an oven"),
    "fridge": (1, 1, 1, 2, "solid", "obstacle", "a refrigerator"),
    "kitchen sink": (1, 1, 1, 1, "solid", "obstacle", "a kitchen sink"),
    "counter": (1, 1, 1, 1, "solid", "obstacle", "a kitchen counter"),
    "dining table": (2, 1, 2, 1, "solid", "obstacle", "a dining table"),
    "chair": (1, 1, 1, 1, "solid", "obstacle", "a wooden chair"),
    "cafe counter": (3, 1, 3, 1, "solid", "obstacle", "a long serving counter with a till"),
    "coffee machine": (1, 1, 1, 1, "solid", "obstacle", "an espresso machine"),
    "pastry case": (1, 1, 1, 1, "solid", "obstacle", "a glass case of pastries"),
    "cafe table": (1, 1, 1, 1, "solid", "obstacle", "a small round cafe table"),
    "bar counter": (4, 1, 4, 1, "solid", "obstacle", "a polished bar counter"),
    "bar stool": (1, 1, 1, 1, "solid", "obstacle", "a tall bar stool"),
    "beer taps": (1, 1, 1, 1, "solid", "obstacle", "a row of beer taps"),
    "pool table": (2, 1, 2, 1, "solid", "obstacle", "a pool table"),
    "jukebox": (1, 1, 1, 2, "solid", "obstacle", "a jukebox"),
    "storage shelf": (1, 1, 1, 2, "solid", "obstacle", "metal storage shelves"),
    "crates": (1, 1, 1, 1, "solid", "obstacle", "stacked wooden crates"),
    "blackboard": (2, 1, 2, 1, "solid", "obstacle", "a blackboard on a stand"),
    "lectern": (1, 1, 1, 1, "solid", "obstacle", "a lectern"),
    "student desk": (1, 1, 1, 1, "solid", "obstacle", "a student desk"),
    "library table": (2, 1, 2, 1, "solid", "obstacle", "a long reading table"),
    "reading chair": (1, 1, 1, 1, "solid", "obstacle", "a reading chair"),
    "computer": (1, 1, 1, 1, "solid", "obstacle", "a desktop computer"),
    "librarian desk": (2, 1, 2, 1, "solid", "obstacle", "the librarian's desk"),
    "pharmacy counter": (3, 1, 3, 1, "solid", "obstacle", "the pharmacy counter"),
    "medicine shelf": (1, 1, 1, 2, "solid", "obstacle", "shelves of medicine"),
    "cash register": (1, 1, 1, 1, "solid", "obstacle", "a cash register"),
    "grocery shelf": (1, 1, 1, 2, "solid", "obstacle", "shelves of groceries"),
    "produce stand": (2, 1, 2, 1, "solid", "obstacle", "a stand of fresh produce"),
    "freezer": (1, 1, 1, 1, "solid", "obstacle", "a chest freezer"),
    "easel": (1, 1, 1, 2, "solid", "obstacle", "a painter's easel"),
    "sculpting stand": (1, 1, 1, 2, "solid", "obstacle", "a sculpting stand with clay"),
    "supply cabinet": (1, 1, 1, 2, "solid", "obstacle", "a cabinet of art supplies"),
    "work table": (2, 1, 2, 1, "solid", "obstacle", "a paint-spattered work table"),
    "guitar stand": (1, 1, 1, 1, "solid", "obstacle", "a guitar on a stand"),
    "council table": (3, 1, 3, 1, "solid", "obstacle", "the council table"),
    "podium": (1, 1, 1, 1, "solid", "obstacle", "a podium with a microphone"),
    "filing cabinet": (1, 1, 1, 2, "solid", "obstacle", "a filing cabinet"),
    "notice board": (1, 1, 1, 1, "solid", "obstacle", "the town notice board"),
    "reception desk": (2, 1, 2, 1, "solid", "obstacle", "a reception desk"),
    "bench": (2, 1, 2, 1, "solid", "obstacle", "a park bench"),
    "fountain": (2, 2, 2, 2, "solid", "obstacle", "a stone fountain"),
    "picnic table": (2, 1, 2, 1, "solid", "obstacle", "a picnic table"),
    "swing": (1, 1, 1, 2, "solid", "obstacle", "a children's swing"),
    "slide": (1, 1, 1, 2, "solid", "obstacle", "a slide"),
    "bandstand": (3, 2, 3, 3, "solid", "obstacle", "a wooden bandstand"),
    "mailbox": (1, 1, 1, 1, "solid", "obstacle", "a mailbox"),
    "garden bed": (3, 1, 3, 1, "solid", "obstacle", "a raised bed of vegetables"),
    "fruit tree": (1, 1, 2, 3, "solid", "obstacle", "an apple tree"),
    "tool shed": (2, 2, 2, 3, "solid", "obstacle", "a wooden shed of garden tools"),
    "compost bin": (1, 1, 1, 1, "solid", "obstacle", "a compost bin"),
    "water tap": (1, 1, 1, 1, "solid", "obstacle", "an outdoor tap with watering cans"),
    "beehive": (1, 1, 1, 1, "solid", "obstacle", "a wooden beehive"),
    "soccer goal": (1, 3, 1, 3, "solid", "obstacle", "a football goal with a net"),
    "bleachers": (4, 1, 4, 2, "solid", "obstacle", "wooden bleachers"),
    "drinking fountain": (1, 1, 1, 1, "solid", "obstacle", "a drinking fountain"),
}

# floor asset id -> (semantic tag, description). Indoor floors are named for the room
# they pave, so a scene read without our zone_layer still derives meaningful arenas.
FLOORS: dict[str, tuple[str, str]] = {
    "street": ("street", "asphalt road"),
    "sidewalk": ("sidewalk", "grey paving stones"),
    "grass": ("grass", "short green grass"),
    "path": ("floor_path", "gravel footpath"),
    "floor_doorstep": ("floor_doorstep", "stone thresholds under walls and doorways"),
    "floor_bedroom": ("floor_bedroom", "warm wooden floorboards"),
    "floor_living_room": ("floor_living_room", "oak parquet with a rug"),
    "floor_kitchen": ("floor_kitchen", "white ceramic tiles"),
    "floor_bathroom": ("floor_bathroom", "small blue and white mosaic tiles"),
    "floor_cafe": ("floor_cafe", "honey-coloured wooden boards"),
    "floor_bar": ("floor_bar", "dark stained floorboards"),
    "floor_classroom": ("floor_classroom", "scuffed wooden boards"),
    "floor_library": ("floor_library", "quiet green carpet"),
    "floor_hallway": ("floor_hallway", "polished stone"),
    "floor_office": ("floor_office", "grey carpet tiles"),
    "floor_meeting_room": ("floor_meeting_room", "polished parquet"),
    "floor_shop": ("floor_shop", "speckled vinyl tiles"),
    "floor_storage": ("floor_storage", "bare concrete"),
    "floor_studio": ("floor_studio", "paint-spattered concrete"),
    "floor_common_room": ("floor_common_room", "worn wooden floorboards"),
}

# other words for catalogue tags (after lower-casing and singular forms)
SYNONYMS: dict[str, str] = {
    "table": "dining table",
    "kitchen table": "dining table",
    "couch": "sofa",
    "settee": "sofa",
    "television": "tv",
    "refrigerator": "fridge",
    "oven": "stove",
    "cooker": "stove",
    "bookcase": "bookshelf",
    "shelf": "bookshelf",
    "closet": "wardrobe",
    "dresser": "wardrobe",
    "bedside table": "nightstand",
    "single bed": "bed",
    "bunk bed": "bed",
    "stool": "bar stool",
    "easy chair": "armchair",
    "till": "cash register",
    "register": "cash register",
    "chalkboard": "blackboard",
    "whiteboard": "blackboard",
    "washbasin": "bathroom sink",
    "wash basin": "bathroom sink",
    "lavatory": "toilet",
    "espresso machine": "coffee machine",
    "laptop": "computer",
    "pc": "computer",
    "shelving": "storage shelf",
    "goal": "soccer goal",
    "tree": "fruit tree",
    "hive": "beehive",
    "shed": "tool shed",
}

_ARTICLE = re.compile(r"^(a|an|the|some) ")

# room words -> the floor that paves such a room; first match wins
_ROOM_FLOORS: tuple[tuple[frozenset[str], str], ...] = tuple(
    (frozenset(words.split()), floor)
    for words, floor in (
        ("bathroom bath toilet restroom washroom shower lavatory wc", "floor_bathroom"),
        ("bedroom bed dormitory dorm bunkroom nursery", "floor_bedroom"),
        ("kitchen galley pantry bakehouse", "floor_kitchen"),
        ("cafe café coffee tearoom teashop", "floor_cafe"),
        ("bar pub tavern saloon taproom", "floor_bar"),
        ("classroom class school lecture schoolroom", "floor_classroom"),
        ("library reading study archive", "floor_library"),
        ("hall hallway corridor lobby foyer entrance reception", "floor_hallway"),
        ("office clinic surgery", "floor_office"),
        ("meeting council conference chamber boardroom", "floor_meeting_room"),
        ("shop store market showroom", "floor_shop"),
        ("storage storeroom cellar warehouse workshop garage stockroom shed", "floor_storage"),
        ("studio atelier gallery", "floor_studio"),
        ("living lounge sitting parlour parlor den", "floor_living_room"),
        ("common", "floor_common_room"),
    )
)
_KIND_FLOORS = {"home": "floor_living_room", "work": "floor_shop", "public": "floor_common_room"}


def object_tag(name: str, room: str) -> str:
    """The semantic tag for an object called ``name`` in the room called ``room``: a
    catalogue tag when the name (or its singular, or a synonym) is one, else the name
    itself, cleaned (lower case, one space between words, no ':')."""
    words = _ARTICLE.sub("", clean_name(name.replace("_", " "), "object").lower())
    if words in ("sink", "sinks"):
        return "kitchen sink" if "kitchen" in room.lower() else "bathroom sink"
    for form in _forms(words):
        if form in FURNITURE:
            return form
        if form in SYNONYMS:
            return SYNONYMS[form]
    return words


def generic_kind(tag: str) -> Kind:
    """A thing the catalogue does not know: one solid tile, described by its name."""
    return (1, 1, 1, 1, "solid", "obstacle", f"a {tag}")


def room_floor(room: str, kind: str) -> str:
    """The floor for a room, from a word of its name, else from the kind of place."""
    words = set(re.split(r"[^\w]+", room.lower()))
    words |= {w[:-1] for w in words if w.endswith("s")}
    for keys, floor in _ROOM_FLOORS:
        if words & keys:
            return floor
    return _KIND_FLOORS.get(kind, "floor_hallway")


def _forms(name: str) -> list[str]:
    """The name, its likely singulars, and its plural (the catalogue has "crates")."""
    forms = [name]
    if name.endswith("ies"):
        forms.append(name[:-3] + "y")
    if name.endswith("ves"):
        forms.append(name[:-3] + "f")
    if name.endswith("es"):
        forms.append(name[:-2])
    if name.endswith("s"):
        forms.append(name[:-1])
    return [*forms, name + "s"]
