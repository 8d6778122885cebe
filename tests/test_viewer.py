"""The viewer, rendered headless with SDL's dummy driver: pixels, controls, seeking,
following a growing log, and the `smallville view` command."""

from __future__ import annotations

import os

os.environ["SDL_VIDEODRIVER"] = "dummy"

from pathlib import Path  # noqa: E402

import pygame  # noqa: E402

from smallville.cli import main  # noqa: E402
from smallville.viewer.app import Viewer  # noqa: E402
from smallville.viewer.frame import BUBBLE, HUD_H, PANEL_W  # noqa: E402
from smallville.viewer.mapdraw import agent_colour  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
CAFE = ["run", "--world", str(ROOT / "worlds" / "cafe.json"), "--quiet"]


def viewer(path, **kw) -> Viewer:
    v = Viewer(path, (1000, 700), display=False, **kw)
    v.painter.camera.zoom = 1.5
    v.painter.camera.x = v.painter.camera.y = 0
    return v


def test_agents_are_drawn_where_the_log_puts_them(cafe_run):
    """Each resident's marker has its colour at its logged tile."""
    v = viewer(cafe_run, at="2023-02-13 08:00")
    v.painter.camera.zoom = 1.0  # the whole cafe world fits
    v.draw()
    radius = max(8, int(16 * v.painter.camera.zoom * 0.6))
    seen = 0
    for a in v.run.agents:
        sx, sy = v.painter.agent_screen(a.id, v.scene)
        if 0 <= sx < 1000 - PANEL_W and HUD_H <= sy < 700 - 40:
            # below the initials, inside the disc
            assert tuple(v.screen.get_at((sx, sy + radius - 3)))[:3] == agent_colour(a.id)
            seen += 1
    assert seen == 3


def test_inspector_shows_the_selected_resident(cafe_run):
    """With a resident selected the panel shows its colour and name; without, a hint."""
    v = viewer(cafe_run, at="2023-02-13 08:00", select="Mei Tanaka")
    v.draw()
    dot = (1000 - PANEL_W + 18, HUD_H + 8 + 9)
    assert tuple(v.screen.get_at(dot))[:3] == agent_colour(v.selected)
    v.selected = None
    v.draw()
    assert tuple(v.screen.get_at(dot))[:3] != agent_colour(2)


def test_speech_bubble_during_a_conversation(cafe_run):
    """While someone speaks, a bubble is drawn above them."""
    v = viewer(cafe_run)
    first = v.run.log.utterances()[0]
    tick, speaker = first.tick, first.speaker
    v.seek(tick)
    cam = v.painter.camera
    x, y = v.scene.positions[speaker]
    cam.x, cam.y = (x + 0.5) * 16 - 300 / cam.zoom, (y + 0.5) * 16 - 300 / cam.zoom
    v.draw()
    sx, sy = v.painter.agent_screen(speaker, v.scene)
    radius = max(8, int(16 * cam.zoom * 0.6))
    assert speaker in v.scene.speech
    assert tuple(v.screen.get_at((sx - 3, sy - radius - 14)))[:3] == BUBBLE


def test_controls_by_posted_events(cafe_run):
    """Space, arrows, +/-, Tab, F, H and Q do what the help says."""
    v = viewer(cafe_run, at="2023-02-13 07:00")
    start, speed = v.tick, v.speed
    for key in (
        pygame.K_SPACE,
        pygame.K_RIGHT,
        pygame.K_RIGHT,
        pygame.K_PLUS,
        pygame.K_TAB,
        pygame.K_f,
        pygame.K_h,
    ):
        pygame.event.post(pygame.event.Event(pygame.KEYDOWN, key=key, mod=0, unicode=""))
    for e in pygame.event.get():
        v.handle(e)
    assert not v.playing and v.tick == start + 2 and v.speed == speed * 2
    assert v.selected == 0 and v.follow and v.show_help
    v.draw()
    v.handle(pygame.event.Event(pygame.KEYDOWN, key=pygame.K_LEFT, mod=pygame.KMOD_SHIFT))
    assert v.tick == start + 2 - 6
    v.handle(pygame.event.Event(pygame.KEYDOWN, key=pygame.K_q, mod=0))
    assert v.quit


def test_seek_by_clicking_the_timeline_and_playback(cafe_run):
    """A click on the timeline seeks; playback advances ticks at the chosen speed."""
    v = viewer(cafe_run)
    r = v.painter.timeline_rect()
    v.handle(pygame.event.Event(pygame.MOUSEBUTTONDOWN, button=1, pos=(r.centerx, r.centery)))
    assert abs(v.tick - v.run.last_tick() // 2) <= 2
    v.handle(pygame.event.Event(pygame.MOUSEBUTTONUP, button=1, pos=(r.centerx, r.centery)))
    before = v.tick
    v.speed = 64
    v.advance(1.0)  # one wall second at 64x = 64 game seconds = 6 ticks
    assert v.tick == before + 6


def test_follows_a_growing_log(tmp_path):
    """At the end of a run that keeps growing, playback moves on to the new ticks."""
    out = tmp_path / "grow.sqlite"
    assert main([*CAFE, "--hours", "0.5", "--out", str(out)]) == 0
    v = viewer(out)
    v.seek(10**9)
    end = v.tick
    assert v.live
    assert main(["run", "--resume", str(out), "--hours", "0.5", "--quiet"]) == 0
    v.speed = 1024
    v.advance(1.0)
    assert v.tick > end


def test_view_command_png_and_frames(cafe_run, tmp_path, capsys):
    """`smallville view --png` and `--frames` write images; bad sizes are named."""
    png = tmp_path / "f.png"
    assert (
        main(
            [
                "view",
                str(cafe_run),
                "--at",
                "2023-02-13 08:00",
                "--png",
                str(png),
                "--size",
                "800x500",
                "--select",
                "Ben Carter",
            ]
        )
        == 0
    )
    assert pygame.image.load(str(png)).get_size() == (800, 500)
    assert (
        main(
            [
                "view",
                str(cafe_run),
                "--frames",
                str(tmp_path / "fr"),
                "--from",
                "2023-02-13 07:00",
                "--to",
                "2023-02-13 08:00",
                "--every",
                "30m",
            ]
        )
        == 0
    )
    assert len(list((tmp_path / "fr").glob("frame_*.png"))) == 3
    assert main(["view", str(cafe_run), "--png", str(png), "--size", "big"]) == 2
    assert "expected WIDTHxHEIGHT" in capsys.readouterr().err


def test_view_uses_the_runs_copy_of_the_world(tmp_path, monkeypatch):
    """A run made with a relative world path renders from another folder and after the
    world file is gone: the run file keeps the layout it was made with."""
    import shutil

    made = tmp_path / "made"
    made.mkdir()
    shutil.copy(ROOT / "worlds" / "cafe.json", made / "cafe.json")
    monkeypatch.chdir(made)
    agents = str(ROOT / "agents" / "cafe")
    assert main(["run", "--world", "cafe.json", "--agents", agents, "--hours", "0.2",
                 "--out", "r.sqlite", "--quiet"]) == 0  # fmt: skip
    (made / "cafe.json").unlink()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    assert main(["view", str(made / "r.sqlite"), "--png", "f.png", "--size", "640x400"]) == 0
    assert pygame.image.load("f.png").get_size() == (640, 400)


def test_place_reads_from_the_object_out():
    """The inspector names a place from the object outwards, without the town's name."""
    from smallville.viewer.frame import _place

    assert _place("the Ville:Bellini's Cafe:cafe:cafe table") == "cafe table, cafe, Bellini's Cafe"
    assert _place("the Ville:Willow Park") == "Willow Park"
