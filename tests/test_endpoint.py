"""The endpoint before and during a run: a dead one fails fast in one line and leaves no
run file, an unnamed model is taken from what the endpoint serves, an endpoint that dies
mid-run stops the run resumably, the output mode is found once, timeouts are bounded."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import socket
import threading
import time
from pathlib import Path

import pytest
from fake_openai import FakeOpenAI, Fault, _error, minimal_answer

from smallville.cli import main
from smallville.llm import LLM, Budget, ConfigError, LLMConfig, build
from smallville.llm.client import FAILURES_TO_STOP, Breaker
from smallville.llm.openai_backend import OpenAIBackend
from smallville.llm.openai_transport import TIMEOUT_ATTEMPTS
from smallville.llm.probe import EndpointError, check_endpoint, choose_model
from smallville.llm.schemas import Importance, ImportanceIn, PersonaBrief
from smallville.llm.scripted import ScriptedModel
from smallville.llm.task import Completion, PromptTask
from smallville.runfile import RunLog
from smallville.sim.runner import Runner
from smallville.sim.setup import RunConfig

ROOT = Path(__file__).resolve().parents[1]
CAFE = ROOT / "worlds" / "cafe.json"
KEY = "sk-endpoint-test-0123456789abcdef"


@pytest.fixture(autouse=True)
def clean_env(monkeypatch):
    """No model settings from the machine running the tests."""
    for name in list(os.environ):
        if name.startswith(("SMALLVILLE_", "OPENAI_")):
            monkeypatch.delenv(name)


class Listing(FakeOpenAI):
    """The fake server, also answering ``GET /v1/models`` (the fake itself serves POST only)."""

    def __init__(self, models=(), *, status: int = 200, **kw) -> None:
        super().__init__(**kw)
        self.models = list(models)
        self.status = status

    def __enter__(self) -> Listing:
        super().__enter__()
        fake = self

        def do_get(h) -> None:
            with fake._lock:
                fake.requests.append({"path": h.path, "body": None, "headers": {}})
            if fake.status != 200:
                FakeOpenAI._send(h, fake.status, _error(f"no route {h.path}", fake.status))
                return
            data = [{"id": m, "object": "model", "owned_by": "test"} for m in fake.models]
            FakeOpenAI._send(h, 200, {"object": "list", "data": data})

        self._server.RequestHandlerClass.do_GET = do_get
        return self


def dead_url(user: str = "") -> str:
    """A 127.0.0.1 URL with nothing listening (a port bound, then let go)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://{user}127.0.0.1:{port}/v1"


@contextlib.contextmanager
def silent_server():
    """A port that accepts connections and never answers."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen(16)
        yield f"http://127.0.0.1:{s.getsockname()[1]}/v1"


def run_cli(argv: list[str], capsys) -> tuple[int, str, str, float]:
    capsys.readouterr()
    t0 = time.perf_counter()
    rc = main(argv)
    took = time.perf_counter() - t0
    out, err = capsys.readouterr()
    return rc, out, err, took


def endpoint_run(tmp_path: Path, url: str, *extra: str) -> list[str]:
    return [
        "run",
        "--world",
        str(CAFE),
        "--quiet",
        "--out",
        str(tmp_path / "run.sqlite"),
        "--cache",
        str(tmp_path / "cache.sqlite"),
        "--llm",
        "openai",
        "--base-url",
        url,
        *extra,
    ]


def assert_one_line_error(rc: int, out: str, err: str, took: float) -> str:
    assert rc == 2 and took < 10, (rc, took)
    assert "Traceback" not in out + err and KEY not in out + err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    return lines[0]


def probe_task() -> PromptTask:
    return PromptTask(
        kind="importance",
        inputs=ImportanceIn(persona=PersonaBrief(name="Test", age=30), texts=("a walk",)),
        output=Importance,
        fallback=Importance(scores=[5]),
        sizes={"scores": 1},
    )


# ----------------------------------------------------------------- dead endpoints fail fast
def test_nothing_listening_fails_fast_with_one_line_and_no_run_file(tmp_path, capsys, monkeypatch):
    """Connection refused: one line naming the (redacted) URL, exit 2, nothing written."""
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    url = dead_url("me:hunter2@")
    rc, out, err, took = run_cli(endpoint_run(tmp_path, url), capsys)
    line = assert_one_line_error(rc, out, err, took)
    assert "nothing answers at http://127.0.0.1:" in line and "(connection refused)" in line
    assert "hunter2" not in out + err
    assert list(tmp_path.iterdir()) == []  # no run file, no .partial, no cache


def test_a_server_that_never_answers_fails_within_the_probe_timeout(tmp_path, capsys):
    """A hung server is reported like a dead one, within the probe's few seconds."""
    with silent_server() as url:
        argv = endpoint_run(tmp_path, url, "--model", "m", "--timeout", "0.5")
        rc, out, err, took = run_cli(argv, capsys)
    line = assert_one_line_error(rc, out, err, took)
    assert "nothing answers at" in line and "no answer within 0.5 s" in line and took < 3
    assert not (tmp_path / "run.sqlite").exists()


def test_refused_key_is_named_and_never_shown(tmp_path, capsys, monkeypatch):
    """HTTP 401 says to check OPENAI_API_KEY; the key (echoed by the server) is not printed."""
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    with FakeOpenAI() as srv:  # it answers GET /models 501, so the chat request decides
        srv.inject(Fault(status=401, message=f"Incorrect API key provided: {KEY}"))
        rc, out, err, took = run_cli(endpoint_run(tmp_path, srv.base_url, "--model", "m"), capsys)
        chat = [r for r in srv.requests if r["path"].endswith("/chat/completions")]
    line = assert_one_line_error(rc, out, err, took)
    assert line == (
        f"error: the endpoint at {srv.base_url} refused the API key (HTTP 401): "
        "check OPENAI_API_KEY"
    )
    assert len(chat) == 1 and chat[0]["headers"]["authorization"] == f"Bearer {KEY}"
    assert not (tmp_path / "run.sqlite").exists()


def test_refused_key_on_the_model_list(tmp_path, capsys, monkeypatch):
    """A 403 on /models is a refused key too, and no chat request follows."""
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    with Listing(status=403) as srv:
        rc, out, err, took = run_cli(endpoint_run(tmp_path, srv.base_url), capsys)
        paths = [r["path"] for r in srv.requests]
    line = assert_one_line_error(rc, out, err, took)
    assert "refused the API key (HTTP 403): check OPENAI_API_KEY" in line
    assert paths == ["/v1/models"]


def test_unknown_model_is_named(tmp_path, capsys):
    """A 404 for the model names it and says how to choose another."""
    with FakeOpenAI() as srv:
        srv.inject(Fault(status=404, message="model 'llama9' not found, try pulling it first"))
        rc, out, err, took = run_cli(
            endpoint_run(tmp_path, srv.base_url, "--model", "llama9"), capsys
        )
    line = assert_one_line_error(rc, out, err, took)
    assert "does not serve the model 'llama9'" in line and "--model" in line
    assert not (tmp_path / "run.sqlite").exists()


def test_model_not_in_the_list_is_named_with_the_ones_served():
    """Not listed, and the chat request says 404 too: the served models are listed."""
    with Listing(["qwen2.5:7b", "llama3.2:3b"]) as srv:
        srv.inject(Fault(status=404, message='model "gpt-4o" not found'))
        cfg = LLMConfig.resolve({}, base_url=srv.base_url, model="gpt-4o")
        with pytest.raises(EndpointError) as err:
            check_endpoint(cfg)
    assert "'gpt-4o'" in str(err.value) and "it serves llama3.2:3b, qwen2.5:7b" in str(err.value)


def test_a_server_answering_for_any_model_name_is_accepted():
    """llama.cpp lists one model but answers for any name: the named model is kept."""
    with Listing(["models/qwen2.5-7b-q4.gguf"]) as srv:
        cfg = check_endpoint(LLMConfig.resolve({}, base_url=srv.base_url, model="qwen"))
        paths = [r["path"] for r in srv.requests]
    assert cfg.model == "qwen" and paths == ["/v1/models", "/v1/chat/completions"]


def test_models_404_alone_does_not_fail_a_working_server():
    """No /models route (some proxies): one tiny chat request decides, and it works."""
    with Listing(status=404) as srv:
        cfg = check_endpoint(LLMConfig.resolve({}, base_url=srv.base_url, model="m"))
        paths = [r["path"] for r in srv.requests]
        body = srv.requests[-1]["body"]
    assert cfg.model == "m" and paths == ["/v1/models", "/v1/chat/completions"]
    assert body["max_tokens"] == 1 and body["model"] == "m"


def test_404_everywhere_points_at_the_base_url():
    """Neither /models nor /chat/completions exists: the base URL is probably wrong."""
    with Listing(status=404) as srv:
        srv.inject(Fault(status=404, message="404 page not found"))
        with pytest.raises(EndpointError, match="check the base URL"):
            check_endpoint(LLMConfig.resolve({}, base_url=srv.base_url, model="m"))


@pytest.mark.parametrize(
    "fault",
    [Fault(status=503, message="loading model"), Fault(body="<html>hi</html>"), Fault(hang=2)],
    ids=["503", "html", "slow"],
)
def test_a_server_that_answers_badly_is_left_to_the_run(fault):
    """A 5xx, an unreadable 200 or a slow chat answer is not a dead endpoint."""
    with Listing(status=404) as srv:
        srv.inject(fault)
        cfg = LLMConfig.resolve({}, base_url=srv.base_url, model="m", timeout=0.3)
        assert check_endpoint(cfg).model == "m"


def test_connection_failures_are_said_in_words():
    """Refused, unknown host and anything else: the innermost cause, in a few words."""
    import openai

    from smallville.llm import probe

    def failure(cause: BaseException) -> BaseException:
        try:
            try:
                raise cause
            except OSError as e:
                raise openai.APIConnectionError(request=None) from e
        except openai.APIConnectionError as e:
            return e

    assert probe._why(failure(ConnectionRefusedError(111, "refused"))) == "connection refused"
    gai = socket.gaierror(-2, "Name or service not known")
    assert probe._why(failure(gai)) == "host name not found"
    assert probe._why(failure(OSError("No route to host"))) == "No route to host"


def test_resume_against_a_dead_endpoint_changes_nothing(tmp_path, capsys, cafe_run):
    """--resume probes first too: exit 2 and the run file is left as it was."""
    run = tmp_path / "copy.sqlite"
    shutil.copy(cafe_run, run)
    before = run.read_bytes()
    argv = ["run", "--resume", str(run), "--hours", "1", "--quiet", "--llm", "openai"]
    line = assert_one_line_error(*run_cli([*argv, "--base-url", dead_url()], capsys))
    assert "connection refused" in line and run.read_bytes() == before


def test_interview_against_a_dead_endpoint_fails_fast(capsys, cafe_run):
    """An interview with an endpoint model probes before it asks anything (it reads only
    the run file's header first, so a bad file is named before the network is tried)."""
    argv = ["interview", str(cafe_run), "Ben Carter", "How are you?"]
    line = assert_one_line_error(
        *run_cli([*argv, "--llm", "openai", "--base-url", dead_url()], capsys)
    )
    assert "nothing answers at" in line


def test_the_scripted_model_is_not_probed(tmp_path, capsys):
    """No endpoint: no probe, the run works offline as before."""
    out = tmp_path / "s.sqlite"
    argv = ["run", "--world", str(CAFE), "--quiet", "--hours", "0.05", "--out", str(out)]
    rc, _, err, _ = run_cli(argv, capsys)
    assert rc == 0 and out.exists() and "LLM: scripted" in err


# ----------------------------------------------------------------- the model, when unnamed
def test_the_one_served_model_is_used_and_recorded(tmp_path, capsys):
    """No model named and one served: requests and the run file name that model."""
    with Listing(["qwen2.5-7b-instruct"], responder=minimal_answer) as srv:
        rc, _, err, _ = run_cli(endpoint_run(tmp_path, srv.base_url, "--hours", "0.05"), capsys)
        chat = [r["body"]["model"] for r in srv.requests if r["body"] is not None]
    assert rc == 0 and chat and set(chat) == {"qwen2.5-7b-instruct"}
    assert f"LLM: qwen2.5-7b-instruct at {srv.base_url}" in err
    log = RunLog.open(tmp_path / "run.sqlite", readonly=True)
    try:
        assert log.meta()["llm"]["model"] == "qwen2.5-7b-instruct"
    finally:
        log.close()


def test_several_served_and_none_named_lists_them(tmp_path, capsys):
    """A local server with several models and none named: say which there are."""
    with Listing(["b-model", "a-model"]) as srv:
        rc, out, err, took = run_cli(endpoint_run(tmp_path, srv.base_url), capsys)
    line = assert_one_line_error(rc, out, err, took)
    assert "serves 2 models and none is named" in line and "a-model, b-model" in line
    assert "--model or SMALLVILLE_MODEL" in line


def test_model_choice_rules():
    """Named wins; one served is taken; the OpenAI API and unlisted endpoints default."""
    local = LLMConfig.resolve({}, base_url="http://127.0.0.1:9/v1")
    openai_api = LLMConfig.resolve({"OPENAI_API_KEY": KEY})
    assert local.model is None and openai_api.model is None
    assert choose_model(local.model_copy(update={"model": "x"}), ["a", "b"]) == "x"
    assert choose_model(local, ["only"]) == "only"
    assert choose_model(local, []) == "gpt-4o-mini"
    assert choose_model(openai_api, ["gpt-4o", "gpt-4o-mini", "o3"]) == "gpt-4o-mini"
    with pytest.raises(EndpointError, match="a, b"):
        choose_model(local, ["b", "a"])
    assert openai_api.describe()["model"] == "gpt-4o-mini"  # unresolved: as before


# ----------------------------------------------------------------- the breaker
class Down:
    """A backend whose endpoint is unreachable while ``down``; counts what it was asked."""

    name = "down"

    def __init__(self) -> None:
        self.down = True
        self.calls = 0

    async def run(self, task):
        self.calls += 1
        if self.down:
            return Completion(
                value=task.fallback,
                outcome="fallback",
                check="transport",
                error="connection failed (ConnectError)",
                unreachable=True,
            )
        return Completion(value=task.fallback)

    async def embed(self, texts):
        raise NotImplementedError


def test_breaker_opens_after_consecutive_failures_and_a_success_resets():
    """Failures in a row open it (no more requests); a success in between resets the count."""
    inner = Down()
    breaker = Breaker(inner)
    task = probe_task()

    async def go(n):
        return [await breaker.run(task) for _ in range(n)]

    asyncio.run(go(FAILURES_TO_STOP - 1))
    inner.down = False
    asyncio.run(go(1))
    assert breaker.streak == 0 and not breaker.open
    inner.down = True
    asyncio.run(go(FAILURES_TO_STOP))
    assert breaker.open and inner.calls == 2 * FAILURES_TO_STOP
    shed = asyncio.run(go(16))
    assert inner.calls == 2 * FAILURES_TO_STOP  # none of the 16 reached the backend
    assert all(c.unreachable and c.fallback for c in shed)
    assert "ConnectError" in shed[0].error


def test_a_tick_of_requests_against_a_dead_server_fails_fast():
    """64 requests to a dead server: after the first failures the rest fail at once."""
    backend = OpenAIBackend(model="m", base_url=dead_url(), max_attempts=2, backoff=(0.1, 0.1))
    llm = LLM(backend, model_name="m", concurrency=4)

    async def go():
        try:
            return await asyncio.gather(*(llm.run(probe_task()) for _ in range(64)))
        finally:
            await llm.aclose()

    t0 = time.perf_counter()
    cs = asyncio.run(go())
    took = time.perf_counter() - t0
    # without the breaker: 64 requests x a wait of 0.1-0.2 s, 4 at a time at most: 1.6 s
    # and more (the limit's window may start at 1: 6.4 s)
    assert all(c.unreachable for c in cs) and took < 1.6, took
    assert llm.usage().unreachable == 64
    failure = llm.endpoint_failure()
    assert failure and "connection failed" in failure and "in a row" in failure


class Flaky:
    """The scripted model behind an endpoint that goes down when told to."""

    def __init__(self) -> None:
        self.inner = ScriptedModel(seed=0)
        self.name = self.inner.name
        self.down = False
        self.failed = 0

    async def run(self, task):
        if self.down:
            self.failed += 1
            return await Down().run(task)
        return await self.inner.run(task)

    async def embed(self, texts):
        return await self.inner.embed(texts)


def test_a_stop_on_endpoint_failure_keeps_only_real_ticks_and_resumes_exactly(tmp_path):
    """Ticks computed on failures are dropped (no checkpoint holds them); a resume from
    the last good checkpoint logs what an uninterrupted run logs."""

    def cfg(out: Path) -> RunConfig:
        agents = ROOT / "agents" / "cafe"
        return RunConfig(world=CAFE, agents=agents, out=out, hours=1.5, checkpoint_every=1)

    async def whole(out: Path) -> None:
        llm = LLM(ScriptedModel(seed=0), model_name="scripted")
        runner = await Runner.start(cfg(out), llm, Budget(), {"model": "scripted"})
        assert (await runner.run()).reason == "done"
        runner.log.close()

    first_failed: list[int] = []  # the first tick that met the dead endpoint

    async def broken(out: Path):
        flaky = Flaky()
        llm = LLM(flaky, model_name="scripted", failures_to_stop=10)

        def progress(runner, ticks, wall):
            if flaky.failed and not first_failed:
                first_failed.append(runner.sim.state.tick - 1)
            flaky.down = True  # from the second tick on

        runner = await Runner.start(cfg(out), llm, Budget(), {"model": "scripted"})
        outcome = await runner.run(progress)
        runner.log.close()
        return outcome

    async def resumed(out: Path):
        llm = LLM(ScriptedModel(seed=0), model_name="scripted")
        runner = await Runner.resume(out, llm, Budget())
        outcome = await runner.run()
        runner.log.close()
        return outcome

    ref, out = tmp_path / "ref.sqlite", tmp_path / "broken.sqlite"
    asyncio.run(whole(ref))
    stop = asyncio.run(broken(out))
    assert stop.reason == "endpoint" and "failed 10 requests in a row" in stop.message
    assert "ConnectError" in stop.message and "back to its last checkpoint" in stop.message
    log = RunLog.open(out, readonly=True)
    try:
        cp = log.meta()["checkpoint"]
        assert log.last_tick() == cp["tick"] - 1 and stop.time == cp["time"]
        # checkpoints fell due every tick, but none was taken once requests failed
        assert first_failed and cp["tick"] <= first_failed[0]
        assert not [c for c in log.calls() if c.failed_check == "transport"]
    finally:
        log.close()
    assert asyncio.run(resumed(out)).reason == "done"
    with (
        contextlib.closing(RunLog.open(ref, readonly=True)) as a,
        contextlib.closing(RunLog.open(out, readonly=True)) as b,
    ):
        assert list(a.dump()) == list(b.dump())


def answer(request: dict) -> str:
    """A valid answer to a task, "OK" to the probe's tiny request."""
    return minimal_answer(request) if "response_format" in request else "OK"


def _fail_after_setup(how: str):
    """A responder that answers the probe and the setup, then takes the server down
    ``how``: 503 forever, dropped connections, or stopped."""
    state = {"down": False, "server": None}

    def responder(request: dict) -> str:
        fmt = request.get("response_format")
        if fmt is None:
            return "OK"  # the probe's tiny request
        kind = fmt.get("json_schema", {}).get("name")
        if not state["down"] and kind != "importance":  # the first tick starts
            state["down"] = True
            srv = state["server"]
            if how == "503":
                srv.inject(*[Fault(status=503, message="model overloaded")] * 10_000)
            elif how == "drop":
                srv.inject(*[Fault(drop=True)] * 10_000)
            else:
                threading.Thread(target=srv.__exit__, args=(None, None, None)).start()
        if state["down"]:
            raise RuntimeError("going down")
        return minimal_answer(request)

    return state, responder


@pytest.mark.parametrize(
    ("how", "said"),
    [
        ("503", "HTTP 503: model overloaded"),
        ("drop", "connection failed"),
        ("stopped", "connection failed"),
    ],
)
def test_an_endpoint_dying_mid_run_stops_it_resumably(tmp_path, capsys, monkeypatch, how, said):
    """`smallville run` stops within seconds, exit 3, saying what failed and how to go
    on; `--resume` against a working server finishes the run."""
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    state, responder = _fail_after_setup(how)
    flags = ["--model", "m", "--hours", "1", "--timeout", "2", "--max-attempts", "1"]
    with FakeOpenAI(responder=responder) as srv:
        state["server"] = srv
        rc, out, err, took = run_cli(endpoint_run(tmp_path, srv.base_url, *flags), capsys)
    assert rc == 3 and took < 10, (rc, took, out, err)
    assert "Traceback" not in out + err and KEY not in out + err
    assert f"stopped: the endpoint at {srv.base_url} failed" in out and said in out
    assert f"to continue: smallville run --resume {tmp_path / 'run.sqlite'}" in out
    log = RunLog.open(tmp_path / "run.sqlite", readonly=True)
    try:  # cut back to the checkpoint before the first tick: nothing computed on failures
        assert log.meta()["checkpoint"]["tick"] == 0 and log.last_tick() is None
    finally:
        log.close()

    run = tmp_path / "run.sqlite"
    with FakeOpenAI(responder=answer) as good:
        argv = ["run", "--resume", str(run), "--quiet", "--llm", "openai", "--model", "m"]
        argv += ["--base-url", good.base_url, "--cache", str(tmp_path / "cache.sqlite")]
        rc, out, err, _ = run_cli(argv, capsys)
    assert rc == 0 and "reached 2023-02-13 07:00" in out, out + err
    log = RunLog.open(run, readonly=True)
    try:
        assert log.last_tick() == 359
        assert not [c for c in log.calls() if c.failed_check == "transport"]
    finally:
        log.close()


# ----------------------------------------------------------------- output mode, timeouts
def test_mode_is_found_once_for_concurrent_first_requests():
    """16 first requests at once to a server refusing json_schema: one is refused, not 16."""
    with FakeOpenAI(responder=lambda r: '{"scores": [4]}', reject_formats={"json_schema"}) as srv:
        backend = OpenAIBackend(model="m", base_url=srv.base_url, timeout=2)

        async def go():
            try:
                return await asyncio.gather(*(backend.run(probe_task()) for _ in range(16)))
            finally:
                await backend.aclose()

        cs = asyncio.run(go())
        kinds = [(r["body"].get("response_format") or {}).get("type") for r in srv.requests]
    assert kinds.count("json_schema") == 1 and kinds.count("json_object") == 16
    assert all(c.mode == "json_object" and not c.fallback for c in cs)


def test_a_dead_first_request_does_not_serialise_the_others():
    """While the endpoint is down, concurrent first requests fail together, not in turn."""
    backend = OpenAIBackend(model="m", base_url=dead_url(), max_attempts=2, backoff=(0.5, 0.5))

    async def go():
        try:
            return await asyncio.gather(*(backend.run(probe_task()) for _ in range(8)))
        finally:
            await backend.aclose()

    t0 = time.perf_counter()
    cs = asyncio.run(go())
    assert all(c.unreachable for c in cs) and time.perf_counter() - t0 < 2.5


def test_a_timed_out_request_is_tried_twice_at_most():
    """Even with max_attempts 5, a hanging server costs two timeouts, not five."""
    with FakeOpenAI(responder=lambda r: '{"scores": [4]}') as srv:
        srv.inject(*[Fault(hang=3.0)] * 5)
        backend = OpenAIBackend(
            model="m", base_url=srv.base_url, timeout=0.3, max_attempts=5, backoff=(0.01, 0.02)
        )

        async def go():
            try:
                return await backend.run(probe_task())
            finally:
                await backend.aclose()

        t0 = time.perf_counter()
        c = asyncio.run(go())
        took = time.perf_counter() - t0
        sent = len(srv.requests)
    assert sent == TIMEOUT_ATTEMPTS == 2 and took < 1.5
    assert c.unreachable and c.error == "no answer within 0.3 s after 2 attempts"


def test_timeout_and_attempts_from_flags_and_environment(monkeypatch):
    """SMALLVILLE_TIMEOUT and SMALLVILLE_MAX_ATTEMPTS are read; flags win; nonsense is named."""
    env = {"SMALLVILLE_TIMEOUT": "7.5", "SMALLVILLE_MAX_ATTEMPTS": "3"}
    c = LLMConfig.resolve(env, base_url="http://127.0.0.1:9/v1")
    assert (c.timeout, c.max_attempts) == (7.5, 3)
    c = LLMConfig.resolve(env, base_url="http://127.0.0.1:9/v1", timeout=2.0, max_attempts=1)
    assert (c.timeout, c.max_attempts) == (2.0, 1) and c.describe()["timeout_s"] == 2.0
    with pytest.raises(ConfigError, match="SMALLVILLE_TIMEOUT='soon'"):
        LLMConfig.resolve({"SMALLVILLE_TIMEOUT": "soon"})
    with pytest.raises(ConfigError, match="timeout"):
        LLMConfig.resolve({}, timeout=0)
    llm = build(LLMConfig.resolve({}, base_url="http://127.0.0.1:9/v1", model="m", timeout=3))
    assert llm.backend.timeout == 3.0
    asyncio.run(llm.aclose())


@pytest.mark.parametrize("command", [["run"], ["interview"], ["llm", "check"]])
def test_timeout_flags_are_offered_and_documented(command, capsys):
    """--timeout and --max-attempts, with their environment variables, are in --help."""
    with pytest.raises(SystemExit):
        main([*command, "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "--timeout SECONDS" in text and "SMALLVILLE_TIMEOUT" in text
    assert "--max-attempts N" in text and "SMALLVILLE_MAX_ATTEMPTS" in text
    assert ("can be resumed (exit 3)" in text) == (command == ["run"])
