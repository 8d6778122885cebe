"""A persistent response cache: same backend, model, task and parameters -> same answer.

Reruns and replays cost nothing, and a run with a warm cache is deterministic.
Only validated answers are stored (never fallbacks, never secrets). Embeddings are
cached by text hash in the same file.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from smallville.llm.port import Model
from smallville.llm.task import Completion, PromptTask


class ResponseCache:
    def __init__(self, inner: Model, path: Path | str | None) -> None:
        self.inner = inner
        self.name = inner.name
        self.path = Path(path) if path else None
        if self.path:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(str(self.path) if self.path else ":memory:")
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute(
            "CREATE TABLE IF NOT EXISTS responses (key TEXT PRIMARY KEY, kind TEXT, "
            "value TEXT, prompt_tokens INTEGER, completion_tokens INTEGER)"
        )
        self.db.execute("CREATE TABLE IF NOT EXISTS embeddings (key TEXT PRIMARY KEY, vector BLOB)")
        self.db.commit()
        self.hits = 0
        self.misses = 0

    def key(self, task: PromptTask) -> str:
        return hashlib.sha256(f"{self.inner.name}\n{task.key()}".encode()).hexdigest()

    async def run(self, task: PromptTask) -> Completion:
        key = self.key(task)
        row = self.db.execute(
            "SELECT value, prompt_tokens, completion_tokens FROM responses WHERE key=?", (key,)
        ).fetchone()
        if row is not None:
            try:
                value = task.output.model_validate_json(row[0])
                task.check_choices(value)
            except ValueError:
                pass  # an entry from an older schema: ask again
            else:
                self.hits += 1
                return Completion(
                    value=value,
                    raw=row[0],
                    prompt_tokens=row[1],
                    completion_tokens=row[2],
                    cached=True,
                    mode="cache",
                )
        self.misses += 1
        c = await self.inner.run(task)
        if not c.fallback:
            self.db.execute(
                "INSERT OR REPLACE INTO responses VALUES (?, ?, ?, ?, ?)",
                (key, task.kind, c.value.model_dump_json(), c.prompt_tokens, c.completion_tokens),
            )
            self.db.commit()
        return c

    async def embed(self, texts: Sequence[str]) -> np.ndarray:
        keys = [hashlib.sha256(f"{self.inner.name}\n{t}".encode()).hexdigest() for t in texts]
        found: dict[str, np.ndarray] = {}
        for i in range(0, len(keys), 500):
            chunk = keys[i : i + 500]
            marks = ",".join("?" * len(chunk))
            for k, blob in self.db.execute(
                f"SELECT key, vector FROM embeddings WHERE key IN ({marks})", chunk
            ):
                found[k] = np.frombuffer(blob, np.float32)
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
        if not keys:
            return await self.inner.embed([])
        return np.stack([found[k] for k in keys]).astype(np.float32)

    def close(self) -> None:
        self.db.close()


def cache_stats(path: Path | str) -> dict[str, int]:
    db = sqlite3.connect(str(path))
    try:
        kinds = dict(db.execute("SELECT kind, COUNT(*) FROM responses GROUP BY kind").fetchall())
        kinds["embeddings"] = db.execute("SELECT COUNT(*) FROM embeddings").fetchone()[0]
        return kinds
    finally:
        db.close()


__all__ = ["ResponseCache", "cache_stats"]
