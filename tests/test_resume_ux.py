"""What `smallville run` says and does around resuming (issue #12): broken run files,
flags a resume ignores, complete runs, the resume notice, Ctrl-C before the first
checkpoint, a spent budget, the closing lines, progress off a terminal."""

from __future__ import annotations

import io
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import pytest

from smallville.cli import main
from smallville.llm import Usage
from smallville.sim.progress import Progress

ROOT = Path(__file__).resolve().parents[1]
CAFE = ["--world", str(ROOT / "worlds" / "cafe.json")]


def cli(*argv: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for name in list(env):
        if name.startswith(("SMALLVILLE_", "OPENAI_")):
            env.pop(name)
    cmd = [sys.executable, "-m", "smallville.cli", *argv]
    return subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=120)


def calls_and_ticks(path: Path) -> tuple[int, int]:
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as c:
        calls = c.execute("SELECT COUNT(*) FROM llm_calls").fetchone()[0]
        ticks = c.execute("SELECT COUNT(*) FROM ticks").fetchone()[0]
    return calls, ticks


@pytest.fixture(autouse=True)
def clean_env(monkeypatch):
    for name in list(os.environ):
        if name.startswith(("SMALLVILLE_", "OPENAI_")):
            monkeypatch.delenv(name)


@pytest.fixture(scope="module")
def cafe_hour(tmp_path_factory) -> Path:
    """A complete one-hour cafe run (06:00-07:00)."""
    out = tmp_path_factory.mktemp("hour") / "hour.sqlite"
    assert main(["run", *CAFE, "--hours", "1", "--quiet", "--out", str(out)]) == 0
    return out


@pytest.fixture
def run_copy(tmp_path, cafe_hour) -> Path:
    out = tmp_path / "run.sqlite"
    shutil.copy(cafe_hour, out)
    return out


# ------------------------------------------------------------- 1. unusable run files
def _bad_file(kind: str, tmp_path: Path, good: Path) -> Path:
    path = tmp_path / f"{kind}.sqlite"
    if kind == "text":
        path.write_text("hello, not a database\n")
    elif kind == "empty":
        path.write_bytes(b"")
    elif kind == "truncated":
        data = good.read_bytes()
        path.write_bytes(data[: len(data) // 2])
    elif kind == "folder":
        path.mkdir()
    return path  # "missing": never created


@pytest.mark.parametrize("hours", [[], ["--hours", "1"]], ids=["plain", "hours"])
@pytest.mark.parametrize(
    ("kind", "said"),
    [
        ("text", "not a smallville run file"),
        ("empty", "empty file"),
        ("truncated", "damaged"),
        ("missing", "no such run file"),
        ("folder", "not a file"),
    ],
)
def test_an_unusable_run_file_is_a_one_line_error(tmp_path, cafe_hour, kind, said, hours):
    """--resume of a file that is no run file: exit 2, one line naming it, file untouched."""
    path = _bad_file(kind, tmp_path, cafe_hour)
    before = path.read_bytes() if path.is_file() else None
    proc = cli("run", "--resume", str(path), "--quiet", *hours)
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: {path}: "), proc.stderr
    assert said in lines[0]
    if before is not None:
        assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ([path.name] if kind != "missing" else [])


def test_a_run_file_without_a_checkpoint_says_what_to_type(tmp_path, capsys):
    """A file left by an older smallville before its first checkpoint: how to start over."""
    from smallville.runfile import RunLog

    path = tmp_path / "old.sqlite"
    RunLog.create(path, {"config": {}}).close()
    assert main(["run", "--resume", str(path)]) == 2
    err = capsys.readouterr().err
    assert "before its first checkpoint" in err and f"rm {path}" in err


# ------------------------------------------------------------- 2. new-run flags
@pytest.mark.parametrize(
    "flags",
    [
        ["--world", str(ROOT / "worlds" / "the_ville.json")],
        ["--agents", str(ROOT / "agents" / "the_ville")],
        ["--scenario", str(ROOT / "agents" / "the_ville" / "valentines.json")],
        ["--start", "2023-02-14 06:00"],
        ["--seed", "0"],
        ["--seed=7"],
        ["--out", "elsewhere.sqlite"],
        ["--no-reflection"],
        ["--no-planning"],
        ["--no-memory"],
    ],
)
def test_resume_refuses_the_flags_of_a_new_run(run_copy, capsys, flags):
    """A resumed run keeps its own inputs: a flag choosing others is refused, not ignored."""
    before = run_copy.read_bytes()
    assert main(["run", "--resume", str(run_copy), "--hours", "1", *flags]) == 2
    err = capsys.readouterr().err
    flag = flags[0].split("=")[0]
    assert f"error: {flag} is not allowed with --resume" in err
    assert "keeps the world, residents, scenario, start, seed, ablations" in err
    assert run_copy.read_bytes() == before


def test_several_refused_flags_are_named_together(run_copy, capsys):
    """Every refused flag is named in the one error."""
    argv = ["run", "--resume", str(run_copy), "--world", "x.json", "--seed", "3", "--no-memory"]
    assert main(argv) == 2
    assert "--world, --seed, --no-memory are not allowed with --resume" in capsys.readouterr().err


# ------------------------------------------------------------- 3. a complete run
def test_resuming_a_complete_run_says_so_and_how_to_extend_it(run_copy, capsys):
    """No --hours/--until on a finished run: exit 0, the end time, the way to go on."""
    before = run_copy.read_bytes()
    assert main(["run", "--resume", str(run_copy)]) == 0
    out = capsys.readouterr().out
    assert f"{run_copy} is complete: it ran to its end, 2023-02-13 07:00" in out
    assert f"smallville run --resume {run_copy} --hours N" in out and "--until" in out
    assert run_copy.read_bytes() == before


def test_until_before_the_checkpoint_is_refused(run_copy, capsys):
    """--until at or before where the run stands would run nothing: refused."""
    assert main(["run", "--resume", str(run_copy), "--until", "2023-02-13 06:30"]) == 2
    err = capsys.readouterr().err
    assert "is not after" in err and "2023-02-13 07:00" in err


def test_extending_a_complete_run_still_works(run_copy, capsys):
    """--hours on a finished run adds game hours from its end."""
    assert main(["run", "--resume", str(run_copy), "--hours", "0.5", "--quiet"]) == 0
    assert "reached 2023-02-13 07:30" in capsys.readouterr().out


# ------------------------------------------------------------- 4. the resume notice
def test_resume_says_where_it_starts_and_what_was_whispered(run_copy, capsys):
    """One stderr line: the checkpoint's tick and time, the end, the planted whisper."""
    assert main(["whisper", str(run_copy), "Ana Carter", "There is a tasting at six."]) == 0
    capsys.readouterr()
    assert main(["run", "--resume", str(run_copy), "--hours", "0.5", "--quiet"]) == 0
    err = capsys.readouterr().err
    assert (
        f"resuming {run_copy} from its checkpoint at tick 360 (2023-02-13 07:00) to "
        "2023-02-13 07:30; 1 whispered memory planted for Ana Carter"
    ) in err.splitlines()
    assert main(["run", "--resume", str(run_copy), "--hours", "0.5", "--quiet"]) == 0
    err = capsys.readouterr().err
    assert f"resuming {run_copy} from its checkpoint at tick 540 (2023-02-13 07:30)" in err
    assert "whispered" not in err


# ------------------------------------------------------------- 5. Ctrl-C during setup
def test_ctrl_c_during_setup_leaves_nothing_and_the_same_command_starts(
    tmp_path, capsys, monkeypatch
):
    """Interrupted before the first checkpoint: exit 130, no file at --out, a message
    with the exact command, and that command then runs."""
    from smallville.sim.engine import Simulation

    out = tmp_path / "run.sqlite"
    (tmp_path / "run.sqlite.starting").write_text("left by a start killed outright")
    argv = ["run", *CAFE, "--hours", "0.1", "--quiet", "--out", str(out)]
    real_plant = Simulation.plant

    async def interrupted(self, seeds, source):
        raise KeyboardInterrupt

    monkeypatch.setattr(Simulation, "plant", interrupted)
    assert main(argv) == 130
    err = capsys.readouterr().err
    assert "no run file was written" in err
    assert f"run the same command again: smallville {' '.join(argv)}" in err
    assert list(tmp_path.iterdir()) == []

    monkeypatch.setattr(Simulation, "plant", real_plant)
    assert main(argv) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run.sqlite"]


def test_sigint_in_the_first_moments_then_the_same_command(tmp_path):
    """A real Ctrl-C while the Ville is being set up: no traceback, no run file, and
    running the same command again works."""
    out = tmp_path / "ville.sqlite"
    argv = ["run", "--world", str(ROOT / "worlds" / "the_ville.json"), "--hours", "0.05"]
    argv += ["--quiet", "--out", str(out)]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "smallville.cli", *argv],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    starting = tmp_path / "ville.sqlite.starting"
    deadline = time.time() + 60
    while not starting.exists() and proc.poll() is None and time.time() < deadline:
        time.sleep(0.001)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "Traceback" not in err
    assert f"run the same command again: smallville {' '.join(argv)}" in err
    assert list(tmp_path.iterdir()) == []
    again = cli(*argv)
    assert again.returncode == 0, again.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ville.sqlite"]


# ------------------------------------------------------------- 6. a spent budget
def test_a_spent_budget_starts_nothing(tmp_path, capsys):
    """--max-calls 0 on a new run: no model call, no file, the budget named."""
    out = tmp_path / "zero.sqlite"
    assert main(["run", *CAFE, "--hours", "1", "--max-calls", "0", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "budget reached: 0 model calls >= --max-calls 0" in err
    assert "nothing was written" in err and not out.exists()


def test_a_spent_budget_on_resume_makes_no_call_and_stays_resumable(run_copy, capsys):
    """A resume whose budget is already used up stops before planting a whisper or
    taking a tick; a larger budget then continues, whisper and all."""
    calls, ticks = calls_and_ticks(run_copy)
    assert main(["whisper", str(run_copy), "Ben Carter", "The cafe closes early today."]) == 0
    argv = ["run", "--resume", str(run_copy), "--hours", "1", "--quiet"]
    assert main([*argv, "--max-calls", str(calls)]) == 3
    out = capsys.readouterr().out
    assert f"budget reached: {calls} model calls >= --max-calls {calls}" in out
    assert f"to continue: smallville run --resume {run_copy}" in out
    assert calls_and_ticks(run_copy) == (calls, ticks)
    with sqlite3.connect(run_copy) as c:
        assert c.execute("SELECT applied_tick FROM interventions").fetchall() == [(None,)]
    assert main([*argv, "--max-calls", "100000"]) == 0
    assert "1 whispered memory planted for Ben Carter" in capsys.readouterr().err
    with sqlite3.connect(run_copy) as c:
        assert c.execute("SELECT applied_tick FROM interventions").fetchall() == [(360,)]


# ------------------------------------------------------------- 7. closing lines
def next_lines(text: str) -> list[str]:
    lines = text.splitlines()
    i = next(i for i, ln in enumerate(lines) if ln.startswith("run file: "))
    return lines[i + 1 : lines.index("", i)]


def test_the_closing_lines_suggest_what_to_do_next(tmp_path, capsys):
    """After a run: view and analyze it; after an early stop, also how to continue."""
    out = tmp_path / "next.sqlite"
    assert main(["run", *CAFE, "--hours", "0.2", "--quiet", "--out", str(out)]) == 0
    assert next_lines(capsys.readouterr().out) == [
        f"to watch it: smallville view {out}",
        f"to measure it: smallville analyze {out}",
    ]
    assert main(["run", "--resume", str(out), "--hours", "1", "--quiet", "--max-calls", "1"]) == 3
    lines = next_lines(capsys.readouterr().out)
    assert lines[:2] == [
        f"to watch it: smallville view {out}",
        f"to measure it: smallville analyze {out}",
    ]
    assert lines[2].startswith(f"to continue: smallville run --resume {out} --max-calls")
    assert len(lines) == 3


# ------------------------------------------------------------- 8. progress
class Clock:
    def __init__(self) -> None:
        self.t = 100.0

    def __call__(self) -> float:
        return self.t


def fake_runner(start: int, end: int):
    state = SimpleNamespace(time=start)
    return SimpleNamespace(sim=SimpleNamespace(state=state), end=end, usage=Usage)


def drive(progress, runner, clock, ticks: int, wall_per_tick: float) -> None:
    for i in range(1, ticks + 1):
        clock.t += wall_per_tick
        runner.sim.state.time += 10
        progress.update(runner, i, i * wall_per_tick)


def test_off_a_terminal_a_slow_run_prints_every_few_seconds_with_an_eta():
    """2 wall seconds a tick: a line at least every 5 s (not once a game hour), with
    the pace in wall seconds per game minute and the time left at that pace."""
    from smallville import gametime as gt

    start = gt.parse("2023-02-13 06:00")
    runner, clock, stream = fake_runner(start, start + 2 * 3600), Clock(), io.StringIO()
    progress = Progress(runner, stream, clock=clock)
    drive(progress, runner, clock, 30, 2.0)  # 60 wall seconds, 5 game minutes
    lines = stream.getvalue().splitlines()
    assert len(lines) == 10  # every third tick: 6 s after the last line
    assert all("s/game-min" in line and "ETA" in line for line in lines)
    # 2 s per 10 game seconds = 12 s a game minute; 115 game minutes left
    assert "12.0 s/game-min  ETA 23m00s" in lines[-1]
    assert "2023-02-13 06:05" in lines[-1]


def test_the_eta_follows_the_recent_pace():
    """After the run speeds up, the pace is that of the last ~30 s, not the average."""
    from smallville import gametime as gt

    start = gt.parse("2023-02-13 06:00")
    runner, clock, stream = fake_runner(start, start + 2 * 3600), Clock(), io.StringIO()
    progress = Progress(runner, stream, clock=clock)
    drive(progress, runner, clock, 60, 2.0)  # slow: 12 s a game minute
    drive(progress, runner, clock, 300, 0.2)  # then 60 s at 1.2 s a game minute
    assert "1.2 s/game-min" in stream.getvalue().splitlines()[-1]


def test_off_a_terminal_a_fast_run_prints_once_a_game_hour():
    """A fast run prints a line on each game hour and not on every tick."""
    from smallville import gametime as gt

    start = gt.parse("2023-02-13 06:00")
    runner, clock, stream = fake_runner(start, start + 3 * 3600), Clock(), io.StringIO()
    progress = Progress(runner, stream, clock=clock)
    drive(progress, runner, clock, 3 * 360, 0.001)
    lines = stream.getvalue().splitlines()
    assert [line.split("] ")[1][:16] for line in lines] == [
        "2023-02-13 07:00",
        "2023-02-13 08:00",
        "2023-02-13 09:00",
    ]


def test_a_line_is_printed_while_a_long_tick_waits():
    """The pulse between ticks prints when a line is due, and only then."""
    from smallville import gametime as gt

    start = gt.parse("2023-02-13 06:00")
    runner, clock, stream = fake_runner(start, start + 3600), Clock(), io.StringIO()
    progress = Progress(runner, stream, clock=clock)
    clock.t += 3
    progress.beat()
    assert stream.getvalue() == ""
    clock.t += 3
    progress.beat()
    progress.beat()
    lines = stream.getvalue().splitlines()
    assert len(lines) == 1 and "ETA --" in lines[0]


def test_on_a_terminal_the_bar_is_redrawn_at_most_five_times_a_second():
    """On a terminal the bar is rewritten in place, not faster than every 0.2 s."""

    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    runner, clock, stream = fake_runner(0, 3600), Clock(), Tty()
    progress = Progress(runner, stream, clock=clock)
    drive(progress, runner, clock, 100, 0.01)  # one wall second
    assert stream.getvalue().count("\r") == 5 and "\n" not in stream.getvalue()


def test_quiet_prints_no_progress(tmp_path):
    """--quiet: stderr holds only the model notice, however long the run."""
    proc = cli("run", *CAFE, "--hours", "2", "--quiet", "--out", str(tmp_path / "q.sqlite"))
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.strip().splitlines() == [proc.stderr.strip().splitlines()[0]]
    assert proc.stderr.startswith("LLM: ")


def test_without_quiet_a_piped_run_prints_progress_lines(tmp_path):
    """Not quiet and not a terminal: plain progress lines with the pace on stderr."""
    proc = cli("run", *CAFE, "--hours", "2", "--out", str(tmp_path / "p.sqlite"))
    assert proc.returncode == 0, proc.stderr
    lines = [x for x in proc.stderr.splitlines() if x.startswith("[")]
    assert len(lines) >= 2 and all("s/game-min" in x for x in lines)
    assert "\r" not in proc.stderr
