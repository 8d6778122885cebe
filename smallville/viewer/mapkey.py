"""The title strip and colour key framing the map in `smallville world render` PNGs.

Kept apart from the map itself: the viewer blits the bare map and never shows these.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from smallville.viewer.palette import DOOR, OBJECT_KINDS, TEXT, TITLE_BG, WALL, object_kind, shade
from smallville.world import World

if TYPE_CHECKING:
    from smallville.viewer.mapdraw import MapPainter


def title_strip(painter: MapPainter, width: int):
    """The scene's name, size, counts and layout metrics on a dark strip."""
    world = painter.world
    meta = world.scene.metadata
    w, h = meta.grid_size
    places = world.places
    m = world.metrics
    text = (
        f"{meta.scene_name}  -  {w} x {h} tiles, {len(places.sectors)} sectors, "
        f"{len(places.arenas)} arenas, {len(places.objects)} objects, "
        f"{len(places.spawns)} characters  -  CFR {m.cfr}  RCS {m.rcs}  OPS {m.ops}"
    )
    font = painter.font(22)
    strip = painter.pg.Surface((width, 28))
    strip.fill(TITLE_BG)
    strip.blit(font.render(text, True, TEXT), (8, 7))
    return strip


def key_strip(painter: MapPainter, width: int):
    """The colour key, wrapped into as many rows as the width needs."""
    pg = painter.pg
    font = painter.font(18)
    row_h, pad = 20, 8
    cells = []
    for name, colour in legend_items(painter.world):
        img = font.render(name, True, TEXT)
        cells.append((img, colour, 14 + 5 + img.get_width() + 16))
    rows: list[list] = [[]]
    used = pad
    for cell in cells:
        if rows[-1] and used + cell[2] > width - pad:
            rows.append([])
            used = pad
        rows[-1].append(cell)
        used += cell[2]
    strip = pg.Surface((width, len(rows) * row_h + 2 * pad - 4))
    strip.fill(TITLE_BG)
    for r, row in enumerate(rows):
        x, y = pad, pad + r * row_h
        for img, colour, cell_w in row:
            swatch = pg.Rect(x, y, 14, 14)
            pg.draw.rect(strip, colour, swatch, border_radius=3)
            pg.draw.rect(strip, shade(colour, 0.5), swatch, width=1, border_radius=3)
            strip.blit(img, (x + 19, y + 1))
            x += cell_w
    return strip


def legend_items(world: World) -> list[tuple[str, tuple[int, int, int]]]:
    """(name, colour) of the wall, the door and each object kind on this map, so the key
    lists only what the map shows."""
    kinds = {object_kind(o.tag) for o in world.places.objects}
    items = [("wall", WALL), ("door", DOOR)]
    items += [(k, c) for k, c in OBJECT_KINDS.items() if k in kinds]
    if None in kinds:
        items.append(("other (hashed colour)", (200, 200, 200)))
    return items
