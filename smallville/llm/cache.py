"""A persistent response cache: same model and same task -> the same answer.

Reruns and replays cost nothing, and a run with a warm cache is deterministic.
Only validated answers are stored (never fallbacks, never prompts, never secrets).
Embeddings are cached by text in the same file.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from smallville.llm.config import ConfigError
from smallville.llm.port import Model
from smallville.llm.task import Completion, PromptTask

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS responses (key TEXT PRIMARY KEY, kind TEXT, "
    "value TEXT, prompt_tokens INTEGER, completion_tokens INTEGER, outcome TEXT, "
    "failed_check TEXT)",
    "CREATE TABLE IF NOT EXISTS embeddings (key TEXT PRIMARY KEY, vector BLOB)",
)


class ResponseCache:
    """Answers a task from an SQLite file when ``inner`` answered it before.

    The key is sha256 of ``inner.name`` and ``task.key()`` (kind, inputs, output schema
    and choices); the agent asking is not part of it. A hit returns the stored value,
    re-validated against the task (an entry from an older schema is asked again), with
    ``cached=True``, no latency, and the tokens the answer cost when it was made.

    One connection, used only from the event loop's thread: each statement is a quick
    local write, so no threads are needed. ``path=None`` keeps the cache in memory.

    Args:
        embed_name: names the embedding model in embedding keys (default ``inner.name``),
            so that changing the embedding model never returns vectors of the old one.
    """

    def __init__(
        self, inner: Model, path: Path | str | None, *, embed_name: str | None = None
    ) -> None:
        self.inner = inner
        self.name = inner.name
        self.embed_name = embed_name or inner.name
        self.path = Path(path) if path else None
        self.hits = 0
        self.misses = 0
        try:
            if self.path:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            self.db = sqlite3.connect(str(self.path) if self.path else ":memory:")
            self.db.execute("PRAGMA journal_mode=WAL")
            # a lost last write costs one request again; the file itself stays sound
            self.db.execute("PRAGMA synchronous=NORMAL")
            for statement in _SCHEMA:
                self.db.execute(statement)
            columns = {r[1] for r in self.db.execute("PRAGMA table_info(responses)")}
            for column in ("outcome", "failed_check"):  # a cache file from before checks
                if column not in columns:
                    self.db.execute(f"ALTER TABLE responses ADD COLUMN {column} TEXT")
            self.db.commit()
        except (OSError, sqlite3.Error) as e:
            raise ConfigError(
                f"{self.path}: cannot use it as the response cache ({e}); "
                "pass another file with --cache, or delete this one"
            ) from e

    def key(self, task: PromptTask) -> str:
        return hashlib.sha256(f"{self.inner.name}\n{task.key()}".encode()).hexdigest()

    async def run(self, task: PromptTask) -> Completion:
        key = self.key(task)
        row = self.db.execute(
            "SELECT value, prompt_tokens, completion_tokens, outcome, failed_check "
            "FROM responses WHERE key=?",
            (key,),
        ).fetchone()
        if row is not None:
            try:
                value = task.verify(json.loads(row[0]))
            except ValueError:
                pass  # an older schema, or an answer a newer check refuses: ask again
            else:
                self.hits += 1
                return Completion(
                    value=value,
                    raw=row[0],
                    prompt_tokens=row[1],
                    completion_tokens=row[2],
                    cached=True,
                    outcome=row[3] or "valid",
                    check=row[4],
                    mode="cache",
                )
        self.misses += 1
        c = await self.inner.run(task)
        if not c.fallback:
            self.db.execute(
                "INSERT OR REPLACE INTO responses VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    key,
                    task.kind,
                    c.value.model_dump_json(),
                    c.prompt_tokens,
                    c.completion_tokens,
                    c.outcome,
                    c.check,
                ),
            )
            self.db.commit()
        return c

    async def embed(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return await self.inner.embed([])
        keys = [hashlib.sha256(f"{self.embed_name}\n{t}".encode()).hexdigest() for t in texts]
        found: dict[str, np.ndarray] = {}
        for i in range(0, len(keys), 500):  # SQLite caps the number of bound parameters
            chunk = keys[i : i + 500]
            marks = ",".join("?" * len(chunk))
            for k, blob in self.db.execute(
                f"SELECT key, vector FROM embeddings WHERE key IN ({marks})", chunk
            ):
                found[k] = np.frombuffer(blob, np.float32)
        # each new text once, in a fixed order, whatever the order of the request
        missing = sorted({k: t for k, t in zip(keys, texts, strict=True) if k not in found}.items())
        if missing:
            vectors = await self.inner.embed([t for _, t in missing])
            rows = []
            for (k, _), v in zip(missing, vectors, strict=True):
                v = np.asarray(v, np.float32)
                found[k] = v
                rows.append((k, v.tobytes()))
            self.db.executemany("INSERT OR REPLACE INTO embeddings VALUES (?, ?)", rows)
            self.db.commit()
        return np.stack([found[k] for k in keys]).astype(np.float32)

    def close(self) -> None:
        self.db.close()
