"""One frame of the viewer: what the run says at a tick, drawn over the map.

``Scene`` reads the run (through ``smallville.replay``) for a tick; ``Painter`` draws it
with a camera (zoom, pan), the HUD, the inspector of the selected agent and the
timeline. Both are used by the window and by headless PNG export.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from smallville import gametime as gt
from smallville.replay import Run
from smallville.viewer.mapdraw import OUTLINE, TEXT, MapPainter, agent_colour, initials
from smallville.world import World

PANEL_W = 340
TIMELINE_H = 34
HUD_H = 30
TRAIL_TICKS = 60


@dataclass
class Scene:
    """The run at one tick, with positions for smooth motion and recent trails."""

    tick: int
    time: int
    positions: dict[int, tuple[int, int]]
    nexts: dict[int, tuple[int, int]]
    actions: dict
    speech: dict[int, str] = field(default_factory=dict)
    trails: dict[int, list[tuple[int, int]]] = field(default_factory=dict)

    @classmethod
    def load(cls, run: Run, tick: int) -> Scene:
        tick = max(0, min(tick, max(run.last_tick(), 0)))
        positions = run.positions_at(tick)
        nexts = run.positions_at(tick + 1) if tick < run.last_tick() else positions
        # one bubble per conversation: its latest line of the last few ticks (both
        # partners' bubbles would cover each other, they stand side by side)
        latest: dict[int, tuple[int, str]] = {}
        for u in run.log.utterances(start=tick - 5, end=tick):
            latest[u.conversation] = (u.speaker, u.text)
        speech = dict(latest.values())
        trails: dict[int, list[tuple[int, int]]] = {}
        for p in run.log.positions(tick - TRAIL_TICKS, tick):
            trails.setdefault(p.agent, []).append((p.x, p.y))
        return cls(
            tick=tick,
            time=run.time_of(tick),
            positions=positions,
            nexts=nexts,
            actions=run.actions_at(tick),
            speech=speech,
            trails=trails,
        )

    def where(self, agent: int, fraction: float) -> tuple[float, float]:
        x0, y0 = self.positions.get(agent, (0, 0))
        x1, y1 = self.nexts.get(agent, (x0, y0))
        return x0 + (x1 - x0) * fraction, y0 + (y1 - y0) * fraction


@dataclass
class Camera:
    zoom: float = 1.0  # screen pixels per map pixel (the map is drawn at 16 px a tile)
    x: float = 0.0  # map pixel at the left edge
    y: float = 0.0

    def fit(self, map_w: int, map_h: int, view_w: int, view_h: int) -> None:
        self.zoom = min(view_w / map_w, view_h / map_h)
        self.x = (map_w - view_w / self.zoom) / 2
        self.y = (map_h - view_h / self.zoom) / 2

    def to_screen(self, px: float, py: float) -> tuple[int, int]:
        return int((px - self.x) * self.zoom), int((py - self.y) * self.zoom + HUD_H)


class Painter:
    """Draws frames of one run at a fixed window size."""

    def __init__(self, run: Run, world: World, size: tuple[int, int], tile_px: int = 16):
        self.run = run
        self.world = world
        self.tile = tile_px
        self.maps = MapPainter(world, tile_px)
        self.pg = self.maps.pg
        self.base = self.maps.surface(labels=True, spawns=False)
        self.size = size
        self.camera = Camera()
        self.home()
        self._scaled: tuple[float, object] | None = None
        self.font = self.pg.font.Font(None, 18)
        self.small = self.pg.font.Font(None, 15)
        self.big = self.pg.font.Font(None, 24)
        self.markers = self._markers()

    @property
    def view(self) -> tuple[int, int]:
        w, h = self.size
        return w - PANEL_W, h - HUD_H - TIMELINE_H

    def home(self) -> None:
        vw, vh = self.view
        self.camera.fit(self.base.get_width(), self.base.get_height(), vw, vh)

    def resize(self, size: tuple[int, int]) -> None:
        self.size = size
        self.home()

    def agent_screen(self, agent: int, scene: Scene, fraction: float = 0.0) -> tuple[int, int]:
        x, y = scene.where(agent, fraction)
        return self.camera.to_screen((x + 0.5) * self.tile, (y + 0.5) * self.tile)

    # ------------------------------------------------------------------ drawing
    def draw(
        self,
        surf,
        scene: Scene,
        selected: int | None = None,
        fraction: float = 0.0,
        speed: float = 1.0,
        live: bool = False,
    ) -> None:
        surf.fill((18, 18, 22))
        self._map(surf)
        self._agents(surf, scene, selected, fraction)
        self._hud(surf, scene, speed, live)
        self._inspector(surf, scene, selected)
        self._timeline(surf, scene)

    def _map(self, surf) -> None:
        pg = self.pg
        z = self.camera.zoom
        if self._scaled is None or self._scaled[0] != z:
            w, h = self.base.get_size()
            self._scaled = (
                z,
                pg.transform.smoothscale(self.base, (max(1, int(w * z)), max(1, int(h * z)))),
            )
        vw, vh = self.view
        clip = surf.get_clip()
        surf.set_clip(pg.Rect(0, HUD_H, vw, vh))
        surf.blit(self._scaled[1], (int(-self.camera.x * z), int(-self.camera.y * z) + HUD_H))
        surf.set_clip(clip)

    def _agents(self, surf, scene: Scene, selected: int | None, fraction: float) -> None:
        pg = self.pg
        vw, vh = self.view
        surf.set_clip(pg.Rect(0, HUD_H, vw, vh))
        radius = max(8, int(self.tile * self.camera.zoom * 0.6))
        for aid, trail in scene.trails.items():
            pts = [
                self.camera.to_screen((x + 0.5) * self.tile, (y + 0.5) * self.tile)
                for x, y in trail
            ]
            if len(pts) > 1:
                c = agent_colour(aid)
                pg.draw.lines(surf, tuple(v // 2 + 40 for v in c), False, pts, 2)
        for a in self.run.agents:
            if a.id not in scene.positions:
                continue
            sx, sy = self.agent_screen(a.id, scene, fraction)
            if a.id == selected:
                pg.draw.circle(surf, (255, 255, 255), (sx, sy), radius + 3, width=2)
            pg.draw.circle(surf, agent_colour(a.id), (sx, sy), radius)
            pg.draw.circle(surf, OUTLINE, (sx, sy), radius, width=1)
            img = self.small.render(initials(a.name), True, TEXT)
            surf.blit(img, img.get_rect(center=(sx, sy)))
            act = scene.actions.get(a.id)
            if act is not None and self.camera.zoom >= 0.45:
                self._label(surf, _short(act.description, 26), (sx, sy + radius + 2))
            if a.id in scene.speech:
                self._bubble(surf, scene.speech[a.id], (sx, sy - radius - 4))
        surf.set_clip(None)

    def _label(self, surf, text: str, midtop: tuple[int, int]) -> None:
        img = self.small.render(text, True, TEXT)
        rect = img.get_rect(midtop=midtop)
        bg = rect.inflate(6, 2)
        self.pg.draw.rect(surf, (20, 20, 26), bg, border_radius=3)
        surf.blit(img, rect)

    def _bubble(self, surf, text: str, midbottom: tuple[int, int]) -> None:
        pg = self.pg
        lines = _wrap(text, 34)
        if len(lines) > 3:
            lines = [*lines[:2], _short(lines[2] + " …", 34)]
        imgs = [self.small.render(line, True, (20, 20, 20)) for line in lines]
        w = max(i.get_width() for i in imgs) + 12
        h = sum(i.get_height() for i in imgs) + 8
        rect = pg.Rect(0, 0, w, h)
        rect.midbottom = (midbottom[0], midbottom[1] - 6)
        pg.draw.rect(surf, BUBBLE, rect, border_radius=6)
        pg.draw.polygon(
            surf,
            BUBBLE,
            [(rect.centerx - 5, rect.bottom - 1), (rect.centerx + 5, rect.bottom - 1), midbottom],
        )
        y = rect.top + 4
        for img in imgs:
            surf.blit(img, (rect.left + 6, y))
            y += img.get_height()

    def _hud(self, surf, scene: Scene, speed: float, live: bool) -> None:
        pg = self.pg
        w = self.size[0]
        pg.draw.rect(surf, (30, 30, 38), pg.Rect(0, 0, w, HUD_H))
        d = gt.to_datetime(scene.time)
        text = f"{d.strftime('%A %d %B %Y  %H:%M:%S')}   {speed:g}x   {self.run.path.name}"
        surf.blit(self.big.render(text, True, TEXT), (10, 6))
        badge = "LIVE" if live else "REPLAY"
        img = self.font.render(badge, True, (20, 20, 20))
        rect = img.get_rect(topright=(w - 10, 7)).inflate(10, 4)
        pg.draw.rect(surf, (230, 80, 70) if live else (120, 190, 240), rect, border_radius=4)
        surf.blit(img, img.get_rect(center=rect.center))

    def _inspector(self, surf, scene: Scene, selected: int | None) -> None:
        pg = self.pg
        w, h = self.size
        panel = pg.Rect(w - PANEL_W, HUD_H, PANEL_W, h - HUD_H - TIMELINE_H)
        pg.draw.rect(surf, PANEL, panel)
        x, y = panel.left + 10, panel.top + 8
        if selected is None:
            for line in ("Click a resident, or press Tab.", "H for help."):
                surf.blit(self.font.render(line, True, TEXT), (x, y))
                y += 20
            return
        a = self.run.agents[selected]
        p = a.persona
        pg.draw.circle(surf, agent_colour(a.id), (x + 8, y + 9), 8)
        surf.blit(self.big.render(f"{a.name}, {p.get('age')}", True, TEXT), (x + 22, y))
        y += 26
        y = self._para(surf, p.get("innate", ""), x, y, (200, 200, 210))
        act = scene.actions.get(a.id)
        if act:
            y = self._para(surf, f"Now: {act.description}", x, y + 4, (255, 236, 150))
            y = self._para(surf, f"at {_place(act.address)}", x, y, (200, 200, 210))
        y = self._schedule(surf, a.id, scene, x, y + 6)
        y = self._section(surf, "Recent memories", x, y + 4)
        for m in self.run.memories(a.id, scene.tick)[-6:][::-1]:
            y = self._para(surf, f"[{m.importance}] {m.text}", x, y, _kind_colour(m.kind), limit=2)
            if y > panel.bottom - 60:
                break
        if a.id in scene.speech:
            y = self._section(surf, "Saying", x, y + 4)
            self._para(surf, scene.speech[a.id], x, y, TEXT, limit=3)

    def _schedule(self, surf, aid: int, scene: Scene, x: int, y: int) -> int:
        plan = self.run.log.latest_plan(aid, "schedule", scene.tick)
        y = self._section(surf, "Today", x, y)
        if plan is None:
            return self._para(surf, "(no plan yet)", x, y, (160, 160, 170))
        minute = gt.minute_of_day(scene.time)
        for start, minutes, activity in json.loads(plan.content)["blocks"]:
            if start + minutes <= minute - 120 or start > minute + 360:
                continue
            now = start <= minute < start + minutes
            colour = (255, 236, 150) if now else (190, 190, 200)
            line = f"{start // 60:02d}:{start % 60:02d} {activity}"
            y = self._para(surf, ("> " if now else "  ") + line, x, y, colour, limit=1)
        return y

    def _section(self, surf, title: str, x: int, y: int) -> int:
        surf.blit(self.font.render(title, True, (150, 200, 255)), (x, y))
        return y + 18

    def _para(self, surf, text: str, x: int, y: int, colour, limit: int = 3) -> int:
        lines = _wrap(text, 46)
        if len(lines) > limit:  # say that something was cut
            lines = [*lines[: limit - 1], _short(lines[limit - 1] + " …", 46)]
        for line in lines:
            surf.blit(self.small.render(line, True, colour), (x, y))
            y += 15
        return y

    def _markers(self) -> list[tuple[int, tuple[int, int, int]]]:
        self._markers_at = max(self.run.last_tick(), 1)
        rows = [(t, (250, 200, 80)) for t in self.run.log.conversation_starts()]
        return rows + [(t, (180, 130, 255)) for t in self.run.log.reflection_ticks()]

    def timeline_rect(self):
        w, h = self.size
        return self.pg.Rect(10, h - TIMELINE_H + 8, w - 20, TIMELINE_H - 16)

    def tick_at_x(self, x: int) -> int:
        r = self.timeline_rect()
        frac = min(1.0, max(0.0, (x - r.left) / max(1, r.width)))
        return int(frac * max(self.run.last_tick(), 0))

    def _timeline(self, surf, scene: Scene) -> None:
        pg = self.pg
        w, h = self.size
        pg.draw.rect(surf, (28, 28, 34), pg.Rect(0, h - TIMELINE_H, w, TIMELINE_H))
        r = self.timeline_rect()
        pg.draw.rect(surf, (60, 60, 70), r, border_radius=4)
        last = max(self.run.last_tick(), 1)
        if last != self._markers_at:  # the log grew: new conversations and reflections
            self.markers = self._markers()
        for t, colour in self.markers:
            if t is not None and t >= 0:
                mx = r.left + int(r.width * t / last)
                pg.draw.line(surf, colour, (mx, r.top), (mx, r.bottom))
        px = r.left + int(r.width * scene.tick / last)
        pg.draw.rect(surf, (255, 255, 255), pg.Rect(px - 2, r.top - 3, 4, r.height + 6))


BUBBLE = (250, 250, 240)
PANEL = (26, 26, 32)


def _kind_colour(kind: str) -> tuple[int, int, int]:
    return {"thought": (180, 150, 255), "chat": (250, 200, 80)}.get(kind, (200, 200, 210))


def _place(address: str) -> str:
    """'town:Bellini's Cafe:cafe:cafe table' -> 'cafe table, cafe, Bellini's Cafe'."""
    parts = address.split(":")[1:]
    return ", ".join(reversed(parts)) if parts else address


def _short(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def _wrap(text: str, width: int) -> list[str]:
    words, lines, line = text.split(), [], ""
    for word in words:
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    if line:
        lines.append(line)
    return lines or [""]
