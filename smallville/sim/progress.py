"""What `smallville run` prints: a progress line while running, a summary at the end."""

from __future__ import annotations

import asyncio
import shlex
import sys
import time
from collections import deque

from smallville import gametime as gt


class Progress:
    """A one-line bar on a terminal, redrawn at most every 0.2 s; elsewhere (a pipe, a CI
    log) a plain line each game hour and at least every ``every`` seconds of wall time.

    Both show the recent pace, wall seconds per game minute over about the last
    ``window`` seconds, and the time left at that pace. ``update`` is called after each
    tick; ``pulse`` keeps the line going while one tick waits on a slow endpoint.
    """

    def __init__(self, runner, stream=None, *, clock=time.monotonic, every=5.0, window=30.0):
        self.runner = runner
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty()
        self.clock = clock
        self.every = every
        self.window = window
        self.start = runner.sim.state.time
        self.ticks = 0
        self.wall = 0.0
        self.last_out = clock()
        self.last_hour = None
        self.samples = deque([(self.last_out, self.start)])  # (clock, game time)

    def update(self, runner, ticks: int, wall: float) -> None:
        self.ticks, self.wall = ticks, wall
        now = runner.sim.state.time
        c = self.clock()
        if c - self.samples[-1][0] >= 1.0:
            self.samples.append((c, now))
            while len(self.samples) > 1 and self.samples[1][0] <= c - self.window:
                self.samples.popleft()
        if self.tty:
            if c - self.last_out >= 0.2:
                self._write(c)
            return
        on_the_hour = now % gt.HOUR == 0 and now // gt.HOUR != self.last_hour
        if on_the_hour:
            self.last_hour = now // gt.HOUR
        if on_the_hour or c - self.last_out >= self.every:
            self._write(c)

    def beat(self) -> None:
        """Redraw, or print a line when one is due, between ticks."""
        c = self.clock()
        if c - self.last_out >= (0.2 if self.tty else self.every):
            self._write(c)

    async def pulse(self, period: float = 1.0) -> None:
        while True:
            await asyncio.sleep(period)
            self.beat()

    def _write(self, c: float) -> None:
        self.last_out = c
        if self.tty:
            self.stream.write("\r" + self.line(self.ticks, self.wall) + "\033[K")
            self.stream.flush()
        else:
            print(self.line(self.ticks, self.wall), file=self.stream, flush=True)

    def pace(self) -> float | None:
        """Wall seconds per game minute over the recent window; None before any game time."""
        c0, g0 = self.samples[0]
        c, g = self.clock(), self.runner.sim.state.time
        if g <= g0:
            return None
        return (c - c0) / (g - g0) * 60

    def line(self, ticks: int, wall: float) -> str:
        r = self.runner
        now = r.sim.state.time
        span = max(1, r.end - self.start)
        done = min(1.0, (now - self.start) / span)
        width = 20
        bar = "#" * int(done * width) + "-" * (width - int(done * width))
        u = r.usage()
        rate = ticks / wall if wall > 0 else 0.0
        pace = self.pace()
        if pace is None:
            speed = "ETA --"
        else:
            eta = max(0, r.end - now) / 60 * pace
            speed = f"{pace:.{3 if pace < 0.1 else 1}f} s/game-min  ETA {_duration(eta)}"
        return (
            f"[{bar}] {gt.fmt(now)}  {rate:,.0f} ticks/s  {speed}  calls {u.calls:,}  "
            f"tokens {u.tokens:,}  ${u.cost_usd:.4f}  fallbacks {u.fallbacks}"
        )

    def close(self) -> None:
        if self.tty:
            self.stream.write("\n")
            self.stream.flush()


def _duration(seconds: float) -> str:
    s = round(seconds)
    if s < 60:
        return f"{s}s"
    if s < 3600:
        return f"{s // 60}m{s % 60:02d}s"
    return f"{s // 3600}h{s % 3600 // 60:02d}m"


def summary(runner, outcome) -> str:
    u = outcome.usage
    meter = runner.llm.meter
    lines = [
        "",
        f"{outcome.message}"
        + ("" if outcome.reason == "done" else f" at {gt.fmt(outcome.time)}")
        + f" after {outcome.ticks:,} ticks in "
        f"{outcome.wall_s:.1f} s ({outcome.ticks / max(outcome.wall_s, 1e-9):,.0f} ticks/s)",
        "",
        f"{'task kind':<24}{'calls':>8}{'tokens':>12}{'cached':>8}{'repaired':>10}"
        f"{'fallbacks':>11}{'cost $':>10}",
    ]
    for kind, k in sorted(meter.by_kind.items()):
        lines.append(
            f"{kind:<24}{k.calls:>8,}{k.tokens:>12,}{k.cache_hits:>8,}{k.repaired:>10,}"
            f"{k.fallbacks:>11,}{k.cost_usd:>10.4f}"
        )
    lines.append(
        f"{'this session':<24}{runner.llm.usage().calls:>8,}{runner.llm.usage().tokens:>12,}"
    )
    lines.append(
        f"{'whole run':<24}{u.calls:>8,}{u.tokens:>12,}{u.cache_hits:>8,}{u.repaired:>10,}"
        f"{u.fallbacks:>11,}{u.cost_usd:>10.4f}"
    )
    lines.append("")
    lines.append(f"run file: {outcome.path}")
    return "\n".join(lines)


def next_steps(outcome) -> str:
    """The closing lines: the commands that watch, measure and (when stopped early)
    continue the run."""
    run = shlex.quote(str(outcome.path))
    lines = [
        f"to watch it: smallville view {run}",
        f"to measure it: smallville analyze {run}",
    ]
    if outcome.reason != "done":
        lines.append(
            f"to continue: smallville run --resume {run}"
            + {
                "budget": " --max-calls/--max-tokens/--max-cost with a larger budget",
                "endpoint": " once the endpoint answers again (smallville llm check "
                "tells); answers already received come from the response cache",
            }.get(outcome.reason, "")
        )
    return "\n".join(lines)
