"""What `smallville run` prints: a progress line while running, a summary at the end."""

from __future__ import annotations

import sys

from smallville import gametime as gt


class Progress:
    """A one-line bar on a terminal; a plain line every game hour otherwise."""

    def __init__(self, runner, stream=None) -> None:
        self.runner = runner
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty()
        self.start = runner.sim.state.time
        self.last_wall = 0.0
        self.last_hour = None

    def update(self, runner, ticks: int, wall: float) -> None:
        now = runner.sim.state.time
        if self.tty:
            if wall - self.last_wall < 0.2:
                return
            self.last_wall = wall
            self.stream.write("\r" + self.line(ticks, wall) + "\033[K")
            self.stream.flush()
        else:
            hour = now // gt.HOUR
            if hour != self.last_hour and now % gt.HOUR == 0:
                self.last_hour = hour
                print(self.line(ticks, wall), file=self.stream, flush=True)

    def line(self, ticks: int, wall: float) -> str:
        r = self.runner
        now = r.sim.state.time
        span = max(1, r.end - self.start)
        done = min(1.0, (now - self.start) / span)
        width = 20
        bar = "#" * int(done * width) + "-" * (width - int(done * width))
        u = r.usage()
        rate = ticks / wall if wall > 0 else 0.0
        return (
            f"[{bar}] {gt.fmt(now)}  {rate:,.0f} ticks/s  calls {u.calls:,}  "
            f"tokens {u.tokens:,}  ${u.cost_usd:.4f}  fallbacks {u.fallbacks}"
        )

    def close(self) -> None:
        if self.tty:
            self.stream.write("\n")
            self.stream.flush()


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
    if outcome.reason != "done":
        lines.append(
            f"to continue: smallville run --resume {outcome.path}"
            + {
                "budget": " --max-calls/--max-tokens/--max-cost with a larger budget",
                "endpoint": " once the endpoint answers again (smallville llm check "
                "tells); answers already received come from the response cache",
            }.get(outcome.reason, "")
        )
    return "\n".join(lines)
