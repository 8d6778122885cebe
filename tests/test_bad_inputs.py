"""Bad input to any command is a one-line error naming what was wrong (exit 2), never a
traceback. One row of ``CASES`` per bad input: add the next one there."""

from __future__ import annotations

import os
import shlex
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from smallville.cli import main
from smallville.runfile import SCHEMA_VERSION

ROOT = Path(__file__).resolve().parents[1]
WORLD = str(ROOT / "worlds" / "cafe.json")

# files a run file should be and is not; {run} is a good run file, {tmp} a scratch folder
NOT_RUNS = ("empty", "text", "truncated", "meta_only", "older", "missing")
READERS = (
    "whisper {f} 'Ana Carter' hello",
    "interview {f} 'Ana Carter' hello",
    "log dump {f}",
    "analyze {f}",
    "view {f} --png {tmp}/frame.png",
)

# (arguments, what the error must name)
CASES = [
    *(
        pytest.param(cmd.format(f="{" + f + "}", tmp="{tmp}"), "{" + f + "}", id=f"{cmd[:9]}-{f}")
        for cmd in READERS
        for f in NOT_RUNS
    ),
    ("run --until tomorrow", "--until"),
    ("run --start 13/02/2023", "--start"),
    ("run --hours 0", "--hours"),
    ("run --hours -5", "--hours"),
    ("run --hours many", "--hours"),
    ("run --world {text} --out {tmp}/o.sqlite --quiet", "{text}"),
    (f"run --world {WORLD} --agents {{missing}} --out {{tmp}}/o.sqlite", "{missing}"),
    ("run --resume {missing}", "{missing}"),
    ("run --resume {empty}", "{empty}"),
    ("run --resume {text}", "{text}"),
    ("run --resume {truncated}", "{truncated}"),
    ("run --resume {meta_only}", "{meta_only}"),
    ("run --resume {older}", "{older}"),
    ("view {run} --at noon --png {tmp}/f.png", "--at"),
    ("view {run} --frames {tmp}/frames --from noon", "--from"),
    ("view {run} --frames {tmp}/frames --to 2023-13-01", "--to"),
    ("view {run} --select Nobody --png {tmp}/f.png", "Nobody"),
    ("view {run} --size big --png {tmp}/f.png", "--size"),
    ("view {run} --frames {tmp}/frames --every 10x", "--every"),
    ("analyze {run} --compare {text}", "{text}"),
    ("analyze {run} --json {tmp}/no/such/m.json", "{tmp}/no/such"),
    ("analyze {run} --json {tmp}", "--json"),
    ("interview {run} Nobody hello", "Nobody"),
    ("interview {run} 'Ana Carter' hello --at noon", "--at"),
    ("whisper {run} Nobody hello", "Nobody"),
    ("world validate {text}", "{text}"),
    ("world info {missing}", "{missing}"),
    ("world render {text} --png {tmp}/w.png", "{text}"),
    (f"world render {WORLD} --png {{tmp}}/w.png --tile 0", "--tile"),
    ("llm check --llm bogus", "--llm"),
    ("llm check --timeout -1", "timeout"),
]


@pytest.fixture(scope="module")
def paths(cafe_run, tmp_path_factory) -> dict[str, str]:
    """Bad run files of every kind, and a good one to pair with bad flags."""
    tmp = tmp_path_factory.mktemp("bad")
    (tmp / "empty.sqlite").write_bytes(b"")
    (tmp / "text.sqlite").write_text("not a database\n")
    data = cafe_run.read_bytes()
    (tmp / "truncated.sqlite").write_bytes(data[: len(data) // 2])
    with sqlite3.connect(tmp / "meta_only.sqlite") as c:  # the right schema version, no tables
        c.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT)")
        c.execute("INSERT INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))
    c.close()
    shutil.copy(cafe_run, tmp / "older.sqlite")  # a run made by an earlier smallville
    with sqlite3.connect(tmp / "older.sqlite") as c:
        c.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (SCHEMA_VERSION - 1,))
    c.close()
    run = tmp / "run.sqlite"  # a copy, as a failed whisper must not be able to spoil the shared one
    shutil.copy(cafe_run, run)
    names = {f: str(tmp / f"{f}.sqlite") for f in NOT_RUNS}
    return {**names, "run": str(run), "tmp": str(tmp)}


def _cli(argv: list[str], cwd: str) -> subprocess.CompletedProcess:
    # no endpoint settings from the environment: these tests never touch the network
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SMALLVILLE_", "OPENAI_"))}
    return subprocess.run(
        [sys.executable, "-m", "smallville.cli", *argv],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=60,
    )


def _args(case) -> str:
    return case.values[0] if hasattr(case, "values") else case[0]


@pytest.fixture(scope="module")
def outcomes(paths) -> dict[str, subprocess.CompletedProcess]:
    """Every case's process, four at a time: each one spends most of a second importing."""
    from concurrent.futures import ThreadPoolExecutor

    def one(args: str) -> subprocess.CompletedProcess:
        return _cli([a.format(**paths) for a in shlex.split(args)], paths["tmp"])

    cases = [_args(c) for c in CASES]
    with ThreadPoolExecutor(max_workers=4) as pool:
        return dict(zip(cases, pool.map(one, cases), strict=True))


@pytest.mark.parametrize(("args", "named"), CASES)
def test_bad_input_is_a_clean_error(outcomes, paths, args, named):
    """A bad file or flag exits 2 with a message naming it, and no traceback."""
    proc = outcomes[args]
    output = proc.stdout + proc.stderr
    assert "Traceback" not in output, output
    assert proc.returncode == 2, output
    assert named.format(**paths) in proc.stderr, proc.stderr


def test_whisper_leaves_a_file_that_is_not_a_run_alone(paths):
    """whisper refuses an empty file without first turning it into a database."""
    from smallville.runfile import RunFileError
    from smallville.sim.interventions import whisper

    with pytest.raises(RunFileError, match="not a smallville run file"):
        whisper(Path(paths["empty"]), "Ana Carter", "hello")
    assert Path(paths["empty"]).stat().st_size == 0
    assert not Path(paths["empty"] + "-wal").exists()


def test_names_ignore_case_and_spacing(paths, tmp_path, capsys):
    """whisper, interview and view --select find 'ana  CARTER' as Ana Carter."""
    run = tmp_path / "run.sqlite"
    shutil.copy(paths["run"], run)
    assert main(["whisper", str(run), "ana  CARTER", "hello"]) == 0
    with sqlite3.connect(run) as c:
        rows = c.execute("SELECT a.name FROM interventions i JOIN agents a ON a.id = i.agent")
        assert [r[0] for r in rows] == ["Ana Carter"]
    c.close()
    assert main(["interview", str(run), "ana carter", "How are you?"]) == 0
    png = tmp_path / "f.png"
    assert main(["view", str(run), "--select", "ANA carter", "--png", str(png)]) == 0
    assert png.is_file()


def test_an_unknown_name_lists_the_residents(paths, capsys):
    """An unknown resident's error lists who lives there."""
    for cmd in (["whisper"], ["interview"]):
        assert main([*cmd, paths["run"], "Nobody", "hello"]) == 2
        assert "Ana Carter, Ben Carter, Mei Tanaka" in capsys.readouterr().err
    assert main(["view", paths["run"], "--select", "Nobody", "--png", paths["tmp"] + "/f.png"]) == 2
    assert "Ana Carter, Ben Carter, Mei Tanaka" in capsys.readouterr().err


def test_analyze_json_does_not_create_folders(paths, capsys):
    """analyze --json into a missing folder is refused before anything is made."""
    out = Path(paths["tmp"]) / "nowhere" / "m.json"
    assert main(["analyze", paths["run"], "--json", str(out)]) == 2
    assert not out.parent.exists()
    assert "create it first" in capsys.readouterr().err


@pytest.mark.parametrize("cmd", [["run"], ["view", "r.sqlite"], ["interview", "r", "a", "q"]])
def test_a_bad_game_time_says_the_format(cmd, capsys):
    """A bad game time is a usage error that quotes the expected format whole."""
    with pytest.raises(SystemExit) as e:
        main([*cmd, "--start" if cmd == ["run"] else "--at", "noon"])
    assert e.value.code == 2
    assert "bad game time 'noon': expected 'YYYY-MM-DD HH:MM'" in capsys.readouterr().err


def test_version(capsys):
    """smallville --version prints the package version."""
    from smallville import __version__

    with pytest.raises(SystemExit) as e:
        main(["--version"])
    assert e.value.code == 0
    assert capsys.readouterr().out.strip() == f"smallville {__version__}"


@pytest.mark.parametrize("flag", ["--start", "--until"])
def test_good_game_times_pass_as_written(flag):
    """A valid game time reaches the command unchanged."""
    from smallville.cli import _parser

    args = _parser().parse_args(["run", flag, "2023-02-13 18:00"])
    assert getattr(args, flag[2:]) == "2023-02-13 18:00"


@pytest.mark.parametrize("hours", ["0", "-5", "nan", "inf"])
def test_hours_above_zero_at_parse_time(hours, capsys):
    """--hours 0 or below is a usage error naming --hours, before anything runs."""
    from smallville.cli import _parser

    with pytest.raises(SystemExit) as e:
        _parser().parse_args(["run", "--hours", hours])
    assert e.value.code == 2
    assert "argument --hours: expected a number of game hours above 0" in capsys.readouterr().err
