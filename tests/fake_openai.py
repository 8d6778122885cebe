"""A fake OpenAI-compatible server on 127.0.0.1, for tests and benchmarks.

It serves ``/v1/chat/completions`` and ``/v1/embeddings`` over real sockets, so the
real ``openai`` client, its timeouts and our retries are exercised. Faults queued
with ``inject`` are served one per request, in order: an HTTP status (with
headers), a hang past the client's timeout, a dropped connection, a broken body, or
a content override (invalid JSON, a schema violation, a ``<think>`` prefix...).
Servers that do not support a structured-output mode are imitated with
``reject_formats``; servers that answer only a few requests at a time (llama.cpp's
``--parallel``, Ollama's ``OLLAMA_NUM_PARALLEL``) with ``slots``. Everything stops when
the context manager exits, hangs included.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import socket
import threading
import time
from collections import deque
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

LLAMA_CPP_REJECT = "Input should be 'text' or 'json_object'"
THINK_PREFIX = "<think>The user wants JSON {like this}. Let me think...</think>\nSure! "


@dataclass(frozen=True, kw_only=True)
class Fault:
    """What to do with one request instead of answering it normally."""

    status: int | None = None  # answer with this HTTP status and an OpenAI-style error
    headers: dict[str, str] = field(default_factory=dict)
    message: str = "injected fault"
    hang: float = 0.0  # wait this long first (past the client's timeout: a hang)
    drop: bool = False  # close the connection without an answer
    body: str | None = None  # answer 200 with this raw body (not an OpenAI response)
    content: str | None = None  # answer with this message content
    prefix: str = ""  # put this before the normal content


def rate_limited(retry_after: float = 0.1, *, ms: bool = False) -> Fault:
    """A 429 asking to wait ``retry_after`` seconds (``retry-after-ms`` when ``ms``)."""
    header = {"retry-after-ms": str(round(retry_after * 1000))} if ms else {}
    return Fault(
        status=429,
        headers=header or {"Retry-After": f"{retry_after:g}"},
        message="Rate limit reached, please retry",
    )


def minimal_answer(request: dict[str, Any]) -> str:
    """A responder: the smallest answer valid for the schema a chat request carries
    (first enum value, fewest items, lowest numbers), in any structured-output mode."""
    fmt = request.get("response_format") or {}
    schema = fmt.get("json_schema", {}).get("schema") or fmt.get("schema")
    if schema is None:  # plain mode: the schema is in the prompt
        text = request["messages"][1]["content"]
        schema = json.loads(text[text.rindex("JSON schema:\n") + len("JSON schema:\n") :])
    return json.dumps(_instance(schema, schema))


def _instance(node: dict[str, Any], root: dict[str, Any]) -> Any:
    if "$ref" in node:
        node = root["$defs"][node["$ref"].rsplit("/", 1)[1]]
    if "anyOf" in node:
        node = next(v for v in node["anyOf"] if v.get("type") != "null")
    if "enum" in node:
        return node["enum"][0]
    if "const" in node:
        return node["const"]
    kind = node.get("type")
    if kind == "object":
        return {k: _instance(v, root) for k, v in node.get("properties", {}).items()}
    if kind == "array":
        if "prefixItems" in node:  # positions fixed one by one (a "const" each)
            return [_instance(item, root) for item in node["prefixItems"]]
        return [_instance(node["items"], root) for _ in range(max(1, node.get("minItems", 1)))]
    if kind == "integer":
        return max(node.get("minimum", 1), 1) if node.get("maximum", 10) >= 1 else 0
    if kind == "boolean":
        return False
    return "something ordinary"[: node.get("maxLength", 60)] or "x"


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    # the default backlog of 5 drops bursts of concurrent connects (the client then waits
    # a second for its SYN to be retried)
    request_queue_size = 512


class FakeOpenAI:
    """An OpenAI-compatible endpoint; use as a context manager, point clients at ``base_url``.

    Args:
        responder: request JSON -> message content; defaults to ``"{}"``.
        latency: seconds every request waits before answering.
        reject_formats: ``response_format`` types answered with llama.cpp's 500, every time.
        embed_dim: length of the (hash-derived, deterministic) embedding vectors.
        max_requests: requests past this many get a 503, so a runaway loop ends.
        slots: chat and embedding requests served at once; the others wait in a queue
            (as llama.cpp does) before their ``latency`` starts. None: no limit.

    ``requests`` records every request as ``{"path", "body", "headers", "queued"}``
    (header names lower-cased; ``queued`` is the seconds it waited for a slot).
    ``peak`` is the most requests served at once.
    """

    def __init__(
        self,
        responder: Callable[[dict[str, Any]], str] | None = None,
        *,
        latency: float = 0.0,
        reject_formats: Collection[str] = (),
        embed_dim: int = 8,
        max_requests: int = 100_000,
        slots: int | None = None,
    ) -> None:
        if slots is not None and slots < 1:
            raise ValueError(f"slots must be at least 1 or None, got {slots}")
        self.responder = responder or (lambda request: "{}")
        self.latency = latency
        self.reject_formats = frozenset(reject_formats)
        self.embed_dim = embed_dim
        self.max_requests = max_requests
        self.faults: deque[Fault] = deque()
        self.requests: list[dict[str, Any]] = []
        self.slots = slots
        self.peak = 0
        self._serving = 0
        self._line: deque[threading.Event] = deque()
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    def inject(self, *faults: Fault) -> None:
        """Queue faults; each is used for one request, in order."""
        with self._lock:
            self.faults.extend(faults)

    @property
    def base_url(self) -> str:
        if self._server is None:
            raise RuntimeError("the fake server is not running: use it as a context manager")
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/v1"

    def __enter__(self) -> FakeOpenAI:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # headers and body go out in two writes; without this the client's delayed ACK
            # adds ~40 ms to every answer
            disable_nagle_algorithm = True

            def log_message(self, *args: Any) -> None:  # keep test output clean
                pass

            def do_POST(self) -> None:  # noqa: N802 - the http.server API
                fake._handle(self)

        self._stopping.clear()
        self._serving, self._line = 0, deque()
        self._server = _Server(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stopping.set()  # wakes handlers that hang or wait out the latency
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    # ------------------------------------------------------------------ serving
    def _handle(self, h: BaseHTTPRequestHandler) -> None:
        length = int(h.headers.get("Content-Length") or 0)
        try:
            body = json.loads(h.rfile.read(length) or b"{}")
        except ValueError:
            self._send(h, 400, _error("request body is not JSON"))
            return
        with self._lock:
            if len(self.requests) >= self.max_requests:
                self._send(h, 503, _error("request limit of the fake server reached"))
                return
            headers = {k.lower(): v for k, v in h.headers.items()}
            record = {"path": h.path, "body": body, "headers": headers, "queued": 0.0}
            self.requests.append(record)
            fault = self.faults.popleft() if self.faults else Fault()
        slotted = h.path.endswith(("/chat/completions", "/embeddings"))
        if slotted and not self._take_slot(record):
            h.close_connection = True
            return
        try:
            self._serve(h, body, fault)
        finally:
            if slotted:
                self._free_slot()

    def _take_slot(self, record: dict[str, Any]) -> bool:
        """Wait in line for a free slot; False when the server stops first.

        The line is first come, first served (as llama.cpp's task queue), so the time a
        request waits depends only on how many were sent before it.
        """
        t0 = time.perf_counter()
        with self._lock:
            if self.slots is None or (self._serving < self.slots and not self._line):
                self._serving += 1
                self.peak = max(self.peak, self._serving)
                return True
            turn = threading.Event()
            self._line.append(turn)
        while not turn.wait(0.01):
            if self._stopping.is_set():
                return False
        record["queued"] = time.perf_counter() - t0
        return True

    def _free_slot(self) -> None:
        with self._lock:
            if self._line:  # hand the slot to the next in line
                self._line.popleft().set()
            else:
                self._serving -= 1

    def _serve(self, h: BaseHTTPRequestHandler, body: dict[str, Any], fault: Fault) -> None:
        if self._stopping.wait(self.latency + fault.hang):
            h.close_connection = True
            return
        if fault.drop:
            with contextlib.suppress(OSError):
                h.connection.shutdown(socket.SHUT_RDWR)
            h.close_connection = True
            return
        if fault.status:
            self._send(h, fault.status, _error(fault.message, fault.status), fault.headers)
        elif fault.body is not None:
            self._send(h, 200, fault.body)
        elif h.path.endswith("/embeddings"):
            self._send(h, 200, self._embeddings(body))
        elif h.path.endswith("/chat/completions"):
            self._chat(h, body, fault)
        else:
            self._send(h, 404, _error(f"no route {h.path}", 404))

    def _chat(self, h: BaseHTTPRequestHandler, body: dict[str, Any], fault: Fault) -> None:
        kind = (body.get("response_format") or {}).get("type")
        if kind in self.reject_formats:
            self._send(h, 500, _error(LLAMA_CPP_REJECT, 500))
            return
        if fault.content is not None:
            content = fault.content
        else:
            try:
                content = self.responder(body)
            except Exception as e:  # noqa: BLE001 - a broken responder is reported to the client
                self._send(h, 500, _error(f"responder failed: {type(e).__name__}: {e}", 500))
                return
        content = fault.prefix + content
        prompt = sum(len(str(m.get("content", ""))) for m in body.get("messages", [])) // 4
        completion = len(content) // 4
        message = {"role": "assistant", "content": content}
        self._send(
            h,
            200,
            {
                "id": f"fake-{len(self.requests)}",
                "object": "chat.completion",
                "created": 0,
                "model": body.get("model", "fake"),
                "choices": [{"index": 0, "finish_reason": "stop", "message": message}],
                "usage": {
                    "prompt_tokens": prompt,
                    "completion_tokens": completion,
                    "total_tokens": prompt + completion,
                },
            },
        )

    def _embeddings(self, body: dict[str, Any]) -> dict[str, Any]:
        texts = body.get("input") or []
        texts = [texts] if isinstance(texts, str) else texts
        data = []
        for i, text in enumerate(texts):
            digest = hashlib.sha256(str(text).encode()).digest()
            vec = [(b - 127.5) / 127.5 for b in digest[: self.embed_dim]]
            data.append({"object": "embedding", "index": i, "embedding": vec})
        return {
            "object": "list",
            "data": data,
            "model": body.get("model", "fake"),
            "usage": {"prompt_tokens": len(texts), "total_tokens": len(texts)},
        }

    @staticmethod
    def _send(
        h: BaseHTTPRequestHandler,
        status: int,
        payload: dict[str, Any] | str,
        headers: dict[str, str] | None = None,
    ) -> None:
        data = (payload if isinstance(payload, str) else json.dumps(payload)).encode()
        try:
            h.send_response(status)
            h.send_header("Content-Type", "application/json")
            h.send_header("Content-Length", str(len(data)))
            for k, v in (headers or {}).items():
                h.send_header(k, v)
            h.end_headers()
            h.wfile.write(data)
        except OSError:
            h.close_connection = True  # the client gave up (its timeout): nobody to answer


def _error(message: str, code: int = 400) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "type": "fake_error"}}
