"""Names on the map: sectors, arenas and objects, none overlapping another.

Placement is greedy (placed first wins), so the painter asks for big names before small
ones: a building's name matters more on a crowded map than a chair's. Names keep off
objects and start discs where there is room and are left out where there is none.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from smallville.viewer.palette import OUTLINE, SECTOR_TEXT, TEXT
from smallville.world import Obj

if TYPE_CHECKING:
    from smallville.viewer.mapdraw import MapPainter


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

    def object_names(self) -> None:
        """Each label under, over or on its object, skipped when all three collide."""
        size = max(11, int(self.p.tile * 0.75))
        for text, i in _object_labels(self.p.world.places.objects):
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


def _object_labels(objects: list[Obj]) -> list[tuple[str, int]]:
    """(label, object position in places.objects): a row of six chairs gets one
    label, so a tag is skipped near an object already labelled with it."""
    near = 12  # tiles
    labelled: dict[str, list[tuple[float, float]]] = {}
    out = []
    for i, o in enumerate(objects):
        tag = _plain_tag(o.tag)
        x, y = o.position
        others = labelled.setdefault(tag, [])
        if all(abs(x - ox) > near or abs(y - oy) > near for ox, oy in others):
            others.append((x, y))
            out.append((tag, i))
    return out


def _plain_tag(tag: str) -> str:
    """An object's tag without the " 2" that numbers repeats in one arena."""
    head, _, tail = tag.rpartition(" ")
    return head if head and tail.isdigit() else tag
