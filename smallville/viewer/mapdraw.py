"""Draw a world's map with pygame: floors, walls, doors, objects, zone names, spawns.

The static map is drawn once to a Surface at a given tile size; the viewer blits it
and draws agents on top. ``render_png`` is what `smallville world render` calls.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import numpy as np

from smallville.world import World

WALL = (62, 58, 66)
DOOR = (176, 112, 52)
VOID = (24, 24, 28)
TEXT = (250, 250, 245)
OUTLINE = (20, 20, 24)
SECTOR = (255, 236, 150)

# floor semantic tag (or a word in it) -> colour
FLOOR_COLOURS = {
    "street": (96, 98, 104),
    "sidewalk": (178, 176, 168),
    "grass": (110, 170, 88),
    "path": (196, 178, 138),
    "wood": (196, 150, 102),
    "carpet": (150, 120, 160),
    "tiles": (214, 222, 226),
    "stone": (190, 186, 176),
    "concrete": (160, 158, 154),
    "kitchen": (214, 222, 226),
    "bedroom": (196, 150, 102),
}
# object tag words -> colour, checked in order
OBJECT_COLOURS = [
    (("bed",), (90, 130, 200)),
    (("sofa", "armchair", "chair", "stool", "bench"), (200, 96, 70)),
    (("table", "desk", "counter", "lectern", "podium"), (140, 92, 52)),
    (("stove", "fridge", "sink", "freezer", "coffee", "taps", "oven"), (236, 236, 240)),
    (("shelf", "bookshelf", "wardrobe", "cabinet", "crates", "case", "stand"), (120, 78, 40)),
    (("toilet", "shower"), (170, 220, 235)),
    (("piano", "jukebox", "guitar", "tv", "computer", "register"), (50, 50, 60)),
    (("easel", "sculpting"), (230, 190, 80)),
    (("fountain",), (90, 170, 230)),
    (("swing", "slide", "bandstand", "picnic"), (230, 150, 60)),
    (("board", "blackboard", "mailbox"), (60, 110, 80)),
]
AGENT_COLOURS = [
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
]


def ensure_display_driver() -> None:
    """Render without a screen: use SDL's dummy driver when there is no display."""
    if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
    os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")


def stable_colour(key: str) -> tuple[int, int, int]:
    """A pastel colour that is always the same for the same key."""
    h = hashlib.sha256(key.encode()).digest()
    return (140 + h[0] % 100, 140 + h[1] % 100, 140 + h[2] % 100)


def floor_colour(tag: str) -> tuple[int, int, int]:
    if tag in FLOOR_COLOURS:
        return FLOOR_COLOURS[tag]
    for word, colour in FLOOR_COLOURS.items():
        if word in tag:
            return colour
    return stable_colour(tag)


def object_colour(tag: str) -> tuple[int, int, int]:
    for words, colour in OBJECT_COLOURS:
        if any(w in tag for w in words):
            return colour
    return stable_colour(tag)


def agent_colour(index: int) -> tuple[int, int, int]:
    return AGENT_COLOURS[index % len(AGENT_COLOURS)]


def initials(name: str) -> str:
    parts = [p for p in name.split() if p]
    return "".join(p[0] for p in parts[:2]).upper() or "?"


class MapPainter:
    """Draws the static map of one world at one tile size."""

    def __init__(self, world: World, tile_px: int = 16) -> None:
        ensure_display_driver()
        import pygame

        if not pygame.font.get_init():
            pygame.font.init()
        self.pg = pygame
        self.world = world
        self.tile = tile_px

    def font(self, size: int):
        return self.pg.font.Font(None, max(8, size))

    def surface(self, labels: bool = True, spawns: bool = True):
        pg = self.pg
        g = self.world.grid
        t = self.tile
        surf = pg.Surface((g.width * t, g.height * t))
        surf.fill(VOID)
        self._floors(surf)
        self._walls(surf)
        self._objects(surf, labels)
        if spawns:
            self._spawns(surf)
        if labels:
            self._zone_names(surf)
        return surf

    # ---------------------------------------------------------------- layers
    def _floors(self, surf) -> None:
        g = self.world.grid
        scene = self.world.scene
        palette = np.array([floor_colour(scene.tag(a)) for a in g.floor_assets] + [VOID], np.uint8)
        rgb = palette[np.where(g.floor >= 0, g.floor, len(g.floor_assets))]
        rgb[g.wall & ~g.door] = WALL
        rgb[g.door] = DOOR
        self._blit_tiles(surf, rgb)

    def _blit_tiles(self, surf, rgb: np.ndarray) -> None:
        pg = self.pg
        small = pg.surfarray.make_surface(np.ascontiguousarray(rgb.transpose(1, 0, 2)))
        surf.blit(pg.transform.scale(small, surf.get_size()), (0, 0))

    def _walls(self, surf) -> None:
        # a light top edge on walls gives them a little depth
        g = self.world.grid
        t = self.tile
        if t < 6:
            return
        edge = g.wall & ~g.door
        ys, xs = np.nonzero(edge[1:, :] & ~edge[:-1, :])
        for x, y in zip(xs.tolist(), (ys + 1).tolist(), strict=True):
            self.pg.draw.line(surf, (96, 92, 102), (x * t, y * t), ((x + 1) * t - 1, y * t))

    def _objects(self, surf, labels: bool) -> None:
        pg = self.pg
        t = self.tile
        font = self.font(int(t * 0.8))
        placed: list = []
        for o in self.world.places.objects:
            x0, y0, x1, y1 = o.box
            rect = pg.Rect(x0 * t + 1, y0 * t + 1, (x1 - x0) * t - 2, (y1 - y0) * t - 2)
            colour = object_colour(o.tag)
            pg.draw.rect(surf, colour, rect, border_radius=max(1, t // 5))
            pg.draw.rect(surf, OUTLINE, rect, width=1, border_radius=max(1, t // 5))
            if labels and t >= 12:
                label = o.tag.rsplit(" ", 1)[0] if o.tag[-1].isdigit() else o.tag
                self._label(surf, font, label, rect.midbottom, placed, below=True)

    def _spawns(self, surf) -> None:
        pg = self.pg
        t = self.tile
        font = self.font(int(t * 0.9))
        for i, s in enumerate(self.world.places.spawns):
            cx = int(s.position[0] * t)
            cy = int((s.position[1] - 0.5) * t)
            pg.draw.circle(surf, agent_colour(i), (cx, cy), max(3, int(t * 0.55)))
            pg.draw.circle(surf, OUTLINE, (cx, cy), max(3, int(t * 0.55)), width=1)
            if t >= 10:
                img = font.render(initials(s.name), True, TEXT)
                surf.blit(img, img.get_rect(center=(cx, cy)))

    def _zone_names(self, surf) -> None:
        t = self.tile
        places = self.world.places
        arena_font = self.font(int(t * 1.1))
        sector_font = self.font(int(t * 1.6))
        placed: list = []
        centres: dict[str, list] = {}
        for a in places.arenas:
            ys, xs = np.nonzero(places.arena_grid == a.index)
            if xs.size == 0:
                continue
            centres.setdefault(a.sector, []).append((xs.min(), ys.min(), xs.max(), ys.max()))
            top = (int((xs.min() + xs.max() + 1) * t / 2), int(ys.min() * t + 2))
            self._label(surf, arena_font, a.name, top, placed, below=True)
        for sector, boxes in centres.items():
            x0 = min(b[0] for b in boxes)
            x1 = max(b[2] for b in boxes)
            y1 = max(b[3] for b in boxes)
            where = (int((x0 + x1 + 1) * t / 2), int((y1 + 1) * t + 2))
            self._label(
                surf, sector_font, sector, where, placed, below=True, colour=(255, 236, 150)
            )

    def _label(self, surf, font, text, anchor, placed, below=False, colour=TEXT) -> None:
        img = font.render(text, True, colour)
        rect = img.get_rect(midtop=anchor) if below else img.get_rect(center=anchor)
        rect.clamp_ip(surf.get_rect())
        if rect.collidelist(placed) != -1:
            return
        placed.append(rect)
        shadow = font.render(text, True, OUTLINE)
        for dx, dy in ((-1, 0), (1, 0), (0, -1), (0, 1)):
            surf.blit(shadow, rect.move(dx, dy))
        surf.blit(img, rect)


def draw_map(world: World, tile_px: int = 16, labels: bool = True):
    """The static map as a pygame Surface."""
    return MapPainter(world, tile_px).surface(labels=labels)


def render_png(world: World, out_path: Path | str, tile_px: int = 16, labels: bool = True) -> Path:
    """Write the map to a PNG with a title strip; returns the path."""
    painter = MapPainter(world, tile_px)
    pg = painter.pg
    body = painter.surface(labels=labels)
    strip = 28 if labels else 0
    out = pg.Surface((body.get_width(), body.get_height() + strip))
    out.fill(OUTLINE)
    out.blit(body, (0, strip))
    if labels:
        meta = world.scene.metadata
        w, h = meta.grid_size
        m = world.metrics
        text = (
            f"{meta.scene_name} - {w} x {h} tiles, {len(world.places.arenas)} arenas, "
            f"{len(world.places.objects)} objects - CFR {m.cfr} RCS {m.rcs} OPS {m.ops}"
        )
        img = painter.font(24).render(text, True, TEXT)
        out.blit(img, (8, (strip - img.get_height()) // 2))
    out_path = Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    pg.image.save(out, str(out_path))
    return out_path
