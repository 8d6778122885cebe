"""Draw a world's static map with pygame: floors, walls, doors, objects, names, spawns.

The map is drawn once to a Surface at a given tile size (``MapPainter.surface``); the
viewer caches that Surface, blits it and draws agents on top, using ``tile_at`` /
``tile_rect`` to convert between map pixels and tiles. ``render_png`` is what
`smallville world render` calls. Colours live in ``palette``.

The tile layers are composed as one numpy pixel array (floors with seams by texture,
lit wall tops, shadows under walls, door jambs), so a tile's centre pixel is always its
plain colour; shapes and text are drawn over that with pygame.
"""

from __future__ import annotations

import math
import os
from pathlib import Path

import numpy as np

from smallville.viewer.palette import (
    DOOR,
    DOOR_JAMB,
    OBJECT_KINDS,
    OUTLINE,
    SECTOR_TEXT,
    TEXT,
    TITLE_BG,
    VOID,
    WALL,
    WALL_TOP,
    agent_colour,
    floor_colour,
    floor_style,
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

SEAM = {"tiles": 0.9, "boards": 0.86}  # how much darker a floor's tile/plank seams are


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


def _plain_tag(tag: str) -> str:
    """An object's tag without the " 2" that numbers repeats in one arena."""
    head, _, tail = tag.rpartition(" ")
    return head if head and tail.isdigit() else tag


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
        surf = self.pg.surfarray.make_surface(self._tile_pixels().transpose(1, 0, 2))
        rects = self._objects(surf)
        self.labels = []
        people = self._spawns(surf) if spawns else []
        if labels:
            board = LabelBoard(self, surf, rects, people)
            board.sector_names()
            board.arena_names()
            if self.tile >= 12:
                board.object_names(self._object_labels())
            self.labels = board.placed
        return surf

    def legend_items(self) -> list[tuple[str, tuple[int, int, int]]]:
        """(name, colour) of the wall, the door and each object kind on this map."""
        kinds = {object_kind(o.tag) for o in self.world.places.objects}
        items = [("wall", WALL), ("door", DOOR)]
        items += [(k, c) for k, c in OBJECT_KINDS.items() if k in kinds]
        if None in kinds:
            items.append(("other (hashed colour)", (200, 200, 200)))
        return items

    # ---------------------------------------------------------------- layers
    def _tile_pixels(self) -> np.ndarray:
        g = self.world.grid
        scene = self.world.scene
        t = self.tile
        styles = [
            floor_style(scene.tag(a), getattr(scene.assets.get(a), "description", ""))
            for a in g.floor_assets
        ]
        palette = np.array([c for c, _ in styles] + [VOID], np.float32)
        idx = np.where(g.floor >= 0, g.floor, len(styles))
        rgb = palette[idx]
        texture = np.array([tx for _, tx in styles] + ["plain"])[idx]
        solid = g.wall & ~g.door
        rgb[solid] = WALL
        rgb[g.door] = DOOR
        img = np.repeat(np.repeat(rgb, t, 0), t, 1)
        if t < 6:
            return img.astype(np.uint8)

        def big(mask: np.ndarray) -> np.ndarray:
            return np.repeat(np.repeat(mask, t, 0), t, 1)

        iy = (np.arange(g.height * t) % t)[:, None]
        ix = (np.arange(g.width * t) % t)[None, :]
        floor = ~g.wall & ~g.door
        for name, factor in SEAM.items():
            mask = floor & (texture == name)
            if name == "boards":  # plank ends staggered on alternate tiles
                ys, xs = np.indices(mask.shape)
                joints = big(mask & ((xs + ys) % 2 == 0)) & (ix == 0)
                seams = (big(mask) & (iy == 0)) | joints
            else:
                seams = big(mask) & ((iy == 0) | (ix == 0))
            img[seams] *= factor
        above = np.zeros_like(solid)
        above[1:] = solid[:-1]
        edge = max(1, t // 8)
        img[big(solid & ~above) & (iy < edge)] = WALL_TOP
        img[big(~solid & above) & (iy < max(2, t // 4))] *= 0.72  # shadow under a wall
        jamb = np.zeros(img.shape[:2], bool)
        for dy, dx, strip in (
            (0, -1, ix < edge),
            (0, 1, ix >= t - edge),
            (-1, 0, iy < edge),
            (1, 0, iy >= t - edge),
        ):
            beside = np.zeros_like(solid)
            src = solid[max(dy, 0) : g.height + min(dy, 0), max(dx, 0) : g.width + min(dx, 0)]
            beside[max(-dy, 0) : g.height + min(-dy, 0), max(-dx, 0) : g.width + min(-dx, 0)] = src
            jamb |= big(g.door & beside) & strip
        img[jamb] = DOOR_JAMB
        return np.clip(img, 0, 255).astype(np.uint8)

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

    def _object_labels(self) -> list[tuple[str, int]]:
        """(label, object position in places.objects): a row of six chairs gets one
        label, so a tag is skipped near an object already labelled with it."""
        near = 12  # tiles
        labelled: dict[str, list[tuple[float, float]]] = {}
        out = []
        for i, o in enumerate(self.world.places.objects):
            tag = _plain_tag(o.tag)
            x, y = o.position
            others = labelled.setdefault(tag, [])
            if all(abs(x - ox) > near or abs(y - oy) > near for ox, oy in others):
                others.append((x, y))
                out.append((tag, i))
        return out

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


class LabelBoard:
    """Places names on a map Surface: none overlaps another, and names keep off objects
    where there is room. Placed first wins, so callers go from big names to small."""

    def __init__(self, painter: MapPainter, surf, object_rects: list, people: list) -> None:
        g = painter.world.grid
        t = painter.tile
        self.p = painter
        self.surf = surf
        self.objects = object_rects
        self.people = people
        self.placed: list = []
        self.walls = g.wall | g.door
        self.busy = self.walls | (g.obj >= 0)  # tiles a room's name should not cover
        for r in people:
            self.busy[
                r.top // t : (r.bottom - 1) // t + 1, r.left // t : (r.right - 1) // t + 1
            ] = True
        self.labelled = np.zeros_like(self.walls)

    def sector_names(self) -> None:
        """A building's name on a plate under its outer wall; an open area's, inside it."""
        places = self.p.world.places
        t = self.p.tile
        for sector in places.sectors:
            mask = np.isin(
                places.arena_grid, [a.index for a in places.arenas if a.sector == sector]
            )
            if not mask.any():
                continue
            if self._walled(mask):
                img = self._text(sector, max(12, int(t * 1.25)), SECTOR_TEXT, plate=True)
                ys, xs = np.nonzero(mask)
                cx = (xs.min() + xs.max() + 1) * t // 2
                below = img.get_rect(midtop=(cx, (ys.max() + 2) * t + 1))
                above = img.get_rect(midbottom=(cx, (ys.min() - 1) * t - 1))
                if not (self._try(img, below) or self._try(img, above)):
                    self._inside(sector, mask, max(12, int(t * 1.25)), SECTOR_TEXT)
            else:
                self._inside(sector, mask, max(12, int(t * 1.6)), SECTOR_TEXT, plate=True)

    def arena_names(self) -> None:
        places = self.p.world.places
        size = max(11, int(self.p.tile * 1.1))
        for a in places.arenas:
            # a lone arena named like its sector ("street" in "Streets") is named already
            alone = sum(b.sector == a.sector for b in places.arenas) == 1
            if alone and a.name.lower() in a.sector.lower():
                continue
            self._inside(a.name, places.arena_grid == a.index, size, TEXT)

    def object_names(self, labels: list[tuple[str, int]]) -> None:
        """Each label under, over or on its object, skipped when all three collide."""
        size = max(11, int(self.p.tile * 0.75))
        for text, i in labels:
            own = self.objects[i]
            img = self._text(text, size, TEXT)
            for rect in (
                img.get_rect(midtop=own.midbottom),
                img.get_rect(midbottom=own.midtop),
                img.get_rect(center=own.center),
            ):
                inner = rect.inflate(-2, -2)
                hits = inner.collidelistall(self.objects)
                clear = all(self.objects[h] is own for h in hits)
                if clear and inner.collidelist(self.people) == -1 and self._try(img, rect):
                    break

    # ---------------------------------------------------------------- helpers
    def _walled(self, mask: np.ndarray) -> bool:
        """Whether walls ring the area (a building) rather than open ground."""
        ys, xs = np.nonzero(mask)
        y0, y1 = max(ys.min() - 1, 0), min(ys.max() + 2, mask.shape[0])
        x0, x1 = max(xs.min() - 1, 0), min(xs.max() + 2, mask.shape[1])
        box = self.walls[y0:y1, x0:x1]
        ring = np.concatenate([box[0], box[-1], box[1:-1, 0], box[1:-1, -1]])
        return ring.size > 0 and ring.mean() >= 0.5

    def _inside(self, text: str, mask: np.ndarray, size: int, colour, plate=False) -> bool:
        """Puts the name on free tiles of the area nearest its middle; tries a smaller
        font, then allows covering objects, before giving up."""
        t = self.p.tile
        ys, xs = np.nonzero(mask)
        mid = (xs.mean() + 0.5, ys.mean() + 0.5)
        for free, font_size in (
            (mask & ~self.busy, size),
            (mask & ~self.busy, int(size * 0.8)),
            (mask & ~self.walls, int(size * 0.8)),
        ):
            img = self._text(text, font_size, colour, plate)
            spot = _window(free & ~self.labelled, img.get_width() / t, img.get_height() / t, mid)
            if spot is not None:
                rect = img.get_rect(center=(int(spot[0] * t), int(spot[1] * t)))
                if self._try(img, rect):
                    return True
        return False

    def _try(self, img, rect) -> bool:
        """Draws the label at ``rect`` unless it leaves the map or overlaps a label."""
        if not self.surf.get_rect().contains(rect) or rect.collidelist(self.placed) != -1:
            return False
        self.surf.blit(img, rect)
        self.placed.append(rect)
        t = self.p.tile
        self.labelled[
            rect.top // t : rect.bottom // t + 1, rect.left // t : rect.right // t + 1
        ] = True
        return True

    def _text(self, text: str, size: int, colour, plate: bool = False):
        """The text with a dark outline, or on a dark translucent plate."""
        pg = self.p.pg
        font = self.p.font(size)
        fg = font.render(text, True, colour)
        pad = 3 if plate else 1
        img = pg.Surface((fg.get_width() + 2 * pad, fg.get_height() + 2 * pad), pg.SRCALPHA)
        if plate:
            pg.draw.rect(img, (*OUTLINE, 190), img.get_rect(), border_radius=4)
        else:
            shadow = font.render(text, True, OUTLINE)
            for dx in (-1, 0, 1):
                for dy in (-1, 0, 1):
                    img.blit(shadow, (pad + dx, pad + dy))
        img.blit(fg, (pad, pad))
        return img


def _window(free: np.ndarray, w: float, h: float, mid: tuple[float, float]):
    """Centre (in tiles) of the all-free w x h tile window nearest ``mid``, or None."""
    lw, lh = max(1, math.ceil(w)), max(1, math.ceil(h))
    H, W = free.shape
    if lw > W or lh > H:
        return None
    s = np.pad(free.astype(np.int32).cumsum(0).cumsum(1), ((1, 0), (1, 0)))
    win = s[lh:, lw:] - s[:-lh, lw:] - s[lh:, :-lw] + s[:-lh, :-lw]
    ys, xs = np.nonzero(win == lw * lh)
    if xs.size == 0:
        return None
    cx, cy = xs + lw / 2, ys + lh / 2
    best = int(np.argmin((cx - mid[0]) ** 2 + (cy - mid[1]) ** 2))
    return float(cx[best]), float(cy[best])


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
        title = _title(painter, body.get_width())
        key = _key(painter, body.get_width())
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


def _title(painter: MapPainter, width: int):
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


def _key(painter: MapPainter, width: int):
    """The colour key, wrapped into as many rows as the width needs."""
    pg = painter.pg
    font = painter.font(18)
    row_h, pad = 20, 8
    cells = []
    for name, colour in painter.legend_items():
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
