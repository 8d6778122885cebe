"""A fake OpenAI-compatible server on 127.0.0.1, for tests and benchmarks.

It serves ``/v1/chat/completions`` and ``/v1/embeddings`` over real sockets, so the
real ``openai`` client, its timeouts and our retries are exercised. Faults queued
with ``inject`` are served one per request, in order: an HTTP status (with
headers), a hang past the client's timeout, a dropped connection, or a content
override (invalid JSON, a schema violation, a ``<think>`` prefix...).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import socket
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

LLAMA_CPP_REJECT = "Input should be 'text' or 'json_object'"


@dataclass(frozen=True, kw_only=True)
class Fault:
    status: int | None = None  # answer with this HTTP status
    headers: dict[str, str] = field(default_factory=dict)
    message: str = "injected fault"
    hang: float = 0.0  # sleep this long before answering
    drop: bool = False  # close the connection without an answer
    content: str | None = None  # answer with this message content
    prefix: str = ""  # put this before the normal content


def rate_limited(retry_after: float = 0.1) -> Fault:
    return Fault(status=429, headers={"Retry-After": str(retry_after)}, message="rate limited")


class FakeOpenAI:
    """Use as a context manager; ``base_url`` points the client at it."""

    def __init__(
        self,
        responder: Callable[[dict[str, Any]], str] | None = None,
        latency: float = 0.0,
        reject_json_schema: bool = False,
        embed_dim: int = 8,
        max_requests: int = 100_000,
    ) -> None:
        self.responder = responder or (lambda req: "{}")
        self.latency = latency
        self.reject_json_schema = reject_json_schema
        self.embed_dim = embed_dim
        self.max_requests = max_requests
        self.faults: deque[Fault] = deque()
        self.requests: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    def inject(self, *faults: Fault) -> None:
        self.faults.extend(faults)

    @property
    def base_url(self) -> str:
        assert self._server is not None, "start the server first"
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/v1"

    def __enter__(self) -> FakeOpenAI:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:  # keep test output clean
                pass

            def do_POST(self) -> None:  # noqa: N802 - the http.server API
                fake._handle(self)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    # ------------------------------------------------------------------ serving
    def _handle(self, h: BaseHTTPRequestHandler) -> None:
        length = int(h.headers.get("Content-Length", "0"))
        body = json.loads(h.rfile.read(length) or b"{}")
        with self._lock:
            if len(self.requests) >= self.max_requests:
                self._send(h, 503, {"error": {"message": "request limit reached"}})
                return
            self.requests.append({"path": h.path, "body": body, "headers": dict(h.headers)})
            fault = self.faults.popleft() if self.faults else None
        if self.latency:
            time.sleep(self.latency)
        if fault and fault.hang:
            time.sleep(fault.hang)
        if fault and fault.drop:
            with contextlib.suppress(OSError):
                h.connection.shutdown(socket.SHUT_RDWR)
            h.close_connection = True
            return
        if fault and fault.status:
            self._send(h, fault.status, {"error": {"message": fault.message}}, fault.headers)
            return
        if h.path.endswith("/embeddings"):
            self._send(h, 200, self._embeddings(body))
            return
        fmt = (body.get("response_format") or {}).get("type")
        if self.reject_json_schema and fmt == "json_schema":
            self._send(h, 500, {"error": {"code": 500, "message": LLAMA_CPP_REJECT}})
            return
        content = fault.content if fault and fault.content is not None else self.responder(body)
        if fault and fault.prefix:
            content = fault.prefix + content
        prompt = sum(len(str(m.get("content", ""))) for m in body.get("messages", [])) // 4
        self._send(
            h,
            200,
            {
                "id": f"fake-{len(self.requests)}",
                "object": "chat.completion",
                "created": 0,
                "model": body.get("model", "fake"),
                "choices": [
                    {
                        "index": 0,
                        "finish_reason": "stop",
                        "message": {"role": "assistant", "content": content},
                    }
                ],
                "usage": {
                    "prompt_tokens": prompt,
                    "completion_tokens": len(content) // 4,
                    "total_tokens": prompt + len(content) // 4,
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
        h: BaseHTTPRequestHandler, status: int, payload: dict, headers: dict[str, str] | None = None
    ) -> None:
        data = json.dumps(payload).encode()
        try:
            h.send_response(status)
            h.send_header("Content-Type", "application/json")
            h.send_header("Content-Length", str(len(data)))
            for k, v in (headers or {}).items():
                h.send_header(k, v)
            h.end_headers()
            h.wfile.write(data)
        except OSError:
            pass  # the client gave up (timeout): nothing to answer
