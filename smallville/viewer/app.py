"""The pygame viewer: watch a run live or replay it, and export frames headless.

Live is a replay of a growing log: while the run file gains ticks and playback is at
the end, the viewer follows the end.
"""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

from smallville.replay import Run
from smallville.viewer.frame import HUD_H, Painter, Scene
from smallville.viewer.mapdraw import ensure_display_driver
from smallville.world import World

SPEEDS = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024]
HELP = [
    "Space  pause / play",
    "Left / Right  step a tick (with Shift: a game minute)",
    "+ / -  playback speed (1x to 1024x game time)",
    "Tab  select the next resident",
    "click  select a resident",
    "F  follow the selected resident",
    "wheel  zoom",
    "drag  pan the map",
    "Home  fit the map",
    "drag the timeline  seek",
    "H  this help",
    "Esc / Q  quit",
]


def open_run(path: Path) -> tuple[Run, World]:
    run = Run.open(path)
    try:
        return run, run.world()
    except BaseException:
        run.close()
        raise


@contextmanager
def _headless(path: Path, size: tuple[int, int]):
    """pygame without a window, the run and a painter for it; the run is closed after."""
    ensure_display_driver()
    import pygame

    pygame.display.init()
    pygame.font.init()
    run, world = open_run(path)
    try:
        yield pygame, run, Painter(run, world, size)
    finally:
        run.close()


def render_png(
    path: Path, out: Path, at: str | None = None, size=(1280, 800), select: str | None = None
) -> Path:
    """One frame, headless: the map, residents, HUD, inspector and timeline."""
    with _headless(path, size) as (pygame, run, painter):
        tick = run.tick_at(at) if at else run.last_tick()
        selected = run.agent(select).id if select else None
        surf = pygame.Surface(size)
        painter.draw(surf, Scene.load(run, tick), selected)
        out = Path(out)
        out.parent.mkdir(parents=True, exist_ok=True)
        pygame.image.save(surf, str(out))
        return out


def render_frames(
    path: Path,
    folder: Path,
    start: str | None,
    end: str | None,
    every_s: int,
    size=(1280, 800),
    select: str | None = None,
) -> list[Path]:
    """Numbered PNG frames from ``start`` to ``end``, one every ``every_s`` game seconds."""
    with _headless(path, size) as (pygame, run, painter):
        first = run.tick_at(start) if start else 0
        last = run.tick_at(end) if end else run.last_tick()
        step = max(1, every_s // run.tick_seconds)
        selected = run.agent(select).id if select else None
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        surf = pygame.Surface(size)
        out = []
        for n, tick in enumerate(range(first, last + 1, step)):
            painter.draw(surf, Scene.load(run, tick), selected)
            p = folder / f"frame_{n:05d}.png"
            pygame.image.save(surf, str(p))
            out.append(p)
        return out


class Viewer:
    """The interactive window. ``handle`` and ``advance`` are separate from the loop so
    tests can drive the viewer with posted events and a fake clock."""

    def __init__(
        self,
        path: Path,
        size=(1280, 800),
        at: str | None = None,
        select: str | None = None,
        display: bool = True,
    ) -> None:
        ensure_display_driver()
        import pygame

        self.pg = pygame
        pygame.display.init()
        pygame.font.init()
        flags = pygame.RESIZABLE
        self.screen = pygame.display.set_mode(size, flags) if display else pygame.Surface(size)
        pygame.display.set_caption(f"Smallville - {Path(path).name}")
        self.run, self.world = open_run(path)
        self.painter = Painter(self.run, self.world, size)
        self.tick = self.run.tick_at(at) if at else 0
        self.fraction = 0.0
        self.speed = 8
        self.playing = True
        self.selected = self.run.agent(select).id if select else None
        self.follow = False
        self.show_help = False
        self.quit = False
        self._drag: tuple[int, int] | None = None
        self._seeking = False
        self.scene = Scene.load(self.run, self.tick)

    @property
    def live(self) -> bool:
        return self.tick >= self.run.last_tick() - 1

    def seek(self, tick: int) -> None:
        self.tick = max(0, min(tick, max(self.run.last_tick(), 0)))
        self.fraction = 0.0
        self.scene = Scene.load(self.run, self.tick)

    def advance(self, seconds: float) -> None:
        """Move playback on by ``seconds`` of wall time at the current speed."""
        if not self.playing:
            return
        self.fraction += seconds * self.speed / self.run.tick_seconds
        whole = int(self.fraction)
        if whole:
            last = self.run.last_tick()
            target = min(self.tick + whole, last)
            self.fraction = self.fraction - whole if target < last else 0.0
            if target != self.tick:
                self.seek(target)
                self.fraction = 0.0 if target == last else self.fraction % 1

    def handle(self, event) -> None:
        pg = self.pg
        cam = self.painter.camera
        if event.type == pg.QUIT:
            self.quit = True
        elif event.type == pg.VIDEORESIZE:
            self.painter.resize((event.w, event.h))
        elif event.type == pg.KEYDOWN:
            self._key(event)
        elif event.type == pg.MOUSEWHEEL:
            factor = 1.25 if event.y > 0 else 0.8
            mx, my = pg.mouse.get_pos()
            wx, wy = cam.x + mx / cam.zoom, cam.y + (my - HUD_H) / cam.zoom
            cam.zoom = min(8.0, max(0.1, cam.zoom * factor))
            cam.x, cam.y = wx - mx / cam.zoom, wy - (my - HUD_H) / cam.zoom
        elif event.type == pg.MOUSEBUTTONDOWN and event.button == 1:
            if self.painter.timeline_rect().inflate(0, 12).collidepoint(event.pos):
                self._seeking = True
                self.seek(self.painter.tick_at_x(event.pos[0]))
            else:
                picked = self._pick(event.pos)
                if picked is not None:
                    self.selected = picked
                else:
                    self._drag = event.pos
        elif event.type == pg.MOUSEBUTTONUP and event.button == 1:
            self._drag = None
            self._seeking = False
        elif event.type == pg.MOUSEMOTION:
            if self._seeking:
                self.seek(self.painter.tick_at_x(event.pos[0]))
            elif self._drag is not None:
                dx, dy = event.pos[0] - self._drag[0], event.pos[1] - self._drag[1]
                cam.x -= dx / cam.zoom
                cam.y -= dy / cam.zoom
                self._drag = event.pos
                self.follow = False

    def _key(self, event) -> None:
        pg = self.pg
        k = event.key
        if k in (pg.K_ESCAPE, pg.K_q):
            self.quit = True
        elif k == pg.K_SPACE:
            self.playing = not self.playing
        elif k in (pg.K_RIGHT, pg.K_LEFT):
            step = 6 if event.mod & pg.KMOD_SHIFT else 1
            self.seek(self.tick + (step if k == pg.K_RIGHT else -step))
        elif k in (pg.K_PLUS, pg.K_EQUALS, pg.K_KP_PLUS):
            self.speed = SPEEDS[min(len(SPEEDS) - 1, SPEEDS.index(self.speed) + 1)]
        elif k in (pg.K_MINUS, pg.K_KP_MINUS):
            self.speed = SPEEDS[max(0, SPEEDS.index(self.speed) - 1)]
        elif k == pg.K_TAB:
            n = len(self.run.agents)
            self.selected = 0 if self.selected is None else (self.selected + 1) % n
        elif k == pg.K_f:
            self.follow = not self.follow and self.selected is not None
        elif k == pg.K_HOME:
            self.painter.home()
            self.follow = False
        elif k == pg.K_h:
            self.show_help = not self.show_help

    def _pick(self, pos) -> int | None:
        best, best_d = None, (self.painter.tile * self.painter.camera.zoom) ** 2 + 64
        for a in self.run.agents:
            if a.id not in self.scene.positions:
                continue
            sx, sy = self.painter.agent_screen(a.id, self.scene, self.fraction)
            d = (sx - pos[0]) ** 2 + (sy - pos[1]) ** 2
            if d < best_d:
                best, best_d = a.id, d
        return best

    def draw(self) -> None:
        if self.follow and self.selected is not None and self.selected in self.scene.positions:
            cam = self.painter.camera
            vw, vh = self.painter.view
            x, y = self.scene.where(self.selected, self.fraction)
            cam.x = (x + 0.5) * self.painter.tile - vw / 2 / cam.zoom
            cam.y = (y + 0.5) * self.painter.tile - vh / 2 / cam.zoom
        self.painter.draw(
            self.screen, self.scene, self.selected, self.fraction, self.speed, self.live
        )
        if self.show_help:
            self._help()

    def _help(self) -> None:
        pg = self.pg
        font = pg.font.Font(None, 22)
        box = pg.Rect(40, HUD_H + 20, 460, 30 + 22 * len(HELP))
        pg.draw.rect(self.screen, (20, 20, 28), box, border_radius=8)
        pg.draw.rect(self.screen, (120, 190, 240), box, width=2, border_radius=8)
        for i, line in enumerate(HELP):
            self.screen.blit(
                font.render(line, True, (240, 240, 240)), (box.left + 16, box.top + 14 + 22 * i)
            )

    def loop(self) -> None:
        pg = self.pg
        clock = pg.time.Clock()
        while not self.quit:
            for event in pg.event.get():
                self.handle(event)
            if self.live and self.playing:
                self.scene = Scene.load(self.run, self.tick)  # the log may have grown
            self.advance(clock.tick(60) / 1000)
            self.draw()
            pg.display.flip()
        self.run.close()
        pg.quit()


def main_window(path: Path, size, at, select, follow_end: bool = False) -> None:
    v = Viewer(path, size, at, select)
    if follow_end:
        v.seek(v.run.last_tick())
    v.loop()


__all__ = ["Viewer", "main_window", "render_frames", "render_png"]
