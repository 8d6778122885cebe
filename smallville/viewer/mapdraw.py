"""Draw a world's static map with pygame: floors, walls, doors, objects, names, spawns.

The map is drawn once to a Surface at a given tile size (``MapPainter.surface``); the
viewer caches that Surface, blits it and draws agents on top, using ``tile_at`` /
``tile_rect`` to convert between map pixels and tiles. ``render_png`` is what
`smallville world render` calls.

This module stacks the layers and draws the objects and start discs; the tile pixels
come from ``maptiles``, the names from ``maplabels``, a PNG's title and key from
``mapkey`` and the colours from ``palette``.
"""

from __future__ import annotations

import math
import os
from pathlib import Path

from smallville.viewer.mapkey import key_strip, title_strip
from smallville.viewer.maplabels import LabelBoard
from smallville.viewer.maptiles import tile_pixels
from smallville.viewer.palette import (
    DOOR,
    OUTLINE,
    TEXT,
    WALL,
    agent_colour,
    floor_colour,
    object_colour,
    object_kind,
    shade,
    text_colour_on,
)
from smallville.world import World

__all__ = [
    "DOOR",
    "OUTLINE",
    "TEXT",
    "WALL",
    "MapPainter",
    "agent_colour",
    "draw_map",
    "ensure_display_driver",
    "floor_colour",
    "initials",
    "object_colour",
    "render_png",
    "tile_at",
    "tile_rect",
]


def ensure_display_driver() -> None:
    """Render without a screen: use SDL's dummy driver when there is no display."""
    if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
    os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")


def tile_at(px: float, py: float, tile_px: int) -> tuple[int, int]:
    """The tile under map pixel ``(px, py)`` (may lie outside the grid)."""
    return math.floor(px / tile_px), math.floor(py / tile_px)


def tile_rect(x: int, y: int, tile_px: int) -> tuple[int, int, int, int]:
    """The map pixels ``(left, top, width, height)`` of tile ``(x, y)``."""
    return x * tile_px, y * tile_px, tile_px, tile_px


def initials(name: str) -> str:
    parts = [p for p in name.split() if p]
    return "".join(p[0] for p in parts[:2]).upper() or "?"


class MapPainter:
    """Draws the static map of one world at one tile size."""

    def __init__(self, world: World, tile_px: int = 16) -> None:
        if tile_px < 1:
            raise ValueError(f"tile_px must be a positive number of pixels, got {tile_px}")
        ensure_display_driver()
        import pygame

        if not pygame.font.get_init():
            pygame.font.init()
        self.pg = pygame
        self.world = world
        self.tile = tile_px
        self._fonts: dict[int, object] = {}
        self.labels: list = []  # pixel rects of the names the last surface() drew

    @property
    def size(self) -> tuple[int, int]:
        return self.world.grid.width * self.tile, self.world.grid.height * self.tile

    def to_tile(self, px: float, py: float) -> tuple[int, int] | None:
        """The grid tile under map pixel ``(px, py)``, or None off the map."""
        x, y = tile_at(px, py, self.tile)
        return (x, y) if self.world.grid.inside(x, y) else None

    def to_px(self, x: float, y: float) -> tuple[int, int]:
        """The map pixel at the centre of tile ``(x, y)``."""
        return int((x + 0.5) * self.tile), int((y + 0.5) * self.tile)

    def font(self, size: int):
        size = max(8, size)
        if size not in self._fonts:
            self._fonts[size] = self.pg.font.Font(None, size)
        return self._fonts[size]

    def surface(self, labels: bool = True, spawns: bool = True):
        """The whole map; ``labels`` adds names, ``spawns`` the characters' start tiles."""
        pixels = tile_pixels(self.world, self.tile)
        surf = self.pg.surfarray.make_surface(pixels.transpose(1, 0, 2))
        rects = self._objects(surf)
        self.labels = []
        people = self._spawns(surf) if spawns else []
        if labels:
            board = LabelBoard(self, surf, rects, people)
            board.sector_names()
            board.arena_names()
            if self.tile >= 12:
                board.object_names()
            self.labels = board.placed
        return surf

    def _objects(self, surf) -> list:
        """Draws each object over its footprint; returns their pixel rects."""
        pg = self.pg
        t = self.tile
        mounted = self.world.grid.mounted
        rects = []
        for o in self.world.places.objects:
            x0, y0, x1, y1 = o.box
            inset = max(1, t // 4) if mounted[o.index] else max(1, t // 10)
            rect = pg.Rect(x0 * t, y0 * t, (x1 - x0) * t, (y1 - y0) * t).inflate(-inset, -inset)
            colour = object_colour(o.tag)
            # trees, bushes and fountains are round from above
            round_ = object_kind(o.tag) in ("plant", "water") and rect.w == rect.h
            radius = rect.w // 2 if round_ else max(1, t // 4)
            pg.draw.rect(surf, colour, rect, border_radius=radius)
            if t >= 6:
                pg.draw.rect(surf, shade(colour, 0.5), rect, width=1, border_radius=radius)
            rects.append(rect)
        return rects

    def _spawns(self, surf) -> list:
        """Draws each character's start tile as a disc with initials; returns their rects."""
        pg = self.pg
        t = self.tile
        radius = max(3, int(t * 0.6))
        font = self.font(int(t * 0.95))
        rects = []
        for i, s in enumerate(self.world.places.spawns):
            centre = (int(s.position[0] * t), int((s.position[1] - 0.5) * t))
            colour = agent_colour(i)
            rects.append(pg.draw.circle(surf, colour, centre, radius))
            pg.draw.circle(surf, OUTLINE, centre, radius, width=max(1, t // 12))
            if t >= 10:
                img = font.render(initials(s.name), True, text_colour_on(colour))
                surf.blit(img, img.get_rect(center=centre))
        return rects


def draw_map(world: World, tile_px: int = 16, labels: bool = True):
    """The static map as a pygame Surface of ``(W * tile_px, H * tile_px)`` pixels."""
    return MapPainter(world, tile_px).surface(labels=labels)


def render_png(
    world: World,
    out_path: Path | str,
    tile_px: int = 16,
    legend: bool = True,
    labels: bool = True,
) -> Path:
    """Write the map to a PNG, with a title strip and a colour key when ``legend``."""
    painter = MapPainter(world, tile_px)
    pg = painter.pg
    body = painter.surface(labels=labels)
    if legend:
        title = title_strip(painter, body.get_width())
        key = key_strip(painter, body.get_width())
        out = pg.Surface(
            (body.get_width(), title.get_height() + body.get_height() + key.get_height())
        )
        out.blit(title, (0, 0))
        out.blit(body, (0, title.get_height()))
        out.blit(key, (0, title.get_height() + body.get_height()))
    else:
        out = body
    out_path = Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    pg.image.save(out, str(out_path))
    return out_path
