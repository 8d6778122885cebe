"""The memory stream (paper section 4.1), stored column-wise.

Scalars live in numpy arrays that grow by doubling, embeddings in one float32 matrix,
so retrieval scores every candidate in a few vector operations. Times are game seconds
(``smallville.gametime``); the stream never reads a clock, callers pass ``now``.
"""

from __future__ import annotations

import base64
import io
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

KINDS = ("observation", "thought", "chat")
_KIND_CODE = {k: i for i, k in enumerate(KINDS)}


@dataclass(frozen=True, kw_only=True)
class MemoryRecord:
    id: int
    kind: str
    subkind: str
    text: str
    created: int
    last_accessed: int
    importance: int
    depth: int
    evidence: tuple[int, ...]
    triple: tuple[str, str, str] | None
    source: str


@dataclass(frozen=True, kw_only=True)
class RetrievalSettings:
    """The paper's retrieval: every weight 1, recency decay 0.995 per game hour, top 30."""

    w_recency: float = 1.0
    w_importance: float = 1.0
    w_relevance: float = 1.0
    decay: float = 0.995
    k: int = 30


class MemoryStream:
    def __init__(self, dim: int, capacity: int = 64, retention: int = 8) -> None:
        self.dim = dim
        self._n = 0
        self._created = np.zeros(capacity, np.int64)
        self._accessed = np.zeros(capacity, np.int64)
        self._importance = np.zeros(capacity, np.float32)
        self._kind = np.zeros(capacity, np.int8)
        self._depth = np.zeros(capacity, np.int16)
        self._emb = np.zeros((capacity, dim), np.float32)
        self._text: list[str] = []
        self._subkind: list[str] = []
        self._evidence: list[tuple[int, ...]] = []
        self._triple: list[tuple[str, str, str] | None] = []
        self._source: list[str] = []
        self.retention = retention
        self._recent_events: deque[str] = deque(maxlen=retention)
        self.importance_since_reflection = 0.0

    def __len__(self) -> int:
        return self._n

    @property
    def capacity(self) -> int:
        return self._created.shape[0]

    # ------------------------------------------------------------------ writing
    def add(
        self,
        *,
        kind: str,
        text: str,
        created: int,
        importance: int,
        embedding: np.ndarray,
        subkind: str = "",
        evidence: Sequence[int] = (),
        triple: tuple[str, str, str] | None = None,
        source: str = "",
    ) -> int:
        if kind not in _KIND_CODE:
            raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")
        if not 1 <= importance <= 10:
            raise ValueError(f"importance must be 1..10, got {importance}")
        vec = np.asarray(embedding, np.float32).reshape(-1)
        if vec.shape[0] != self.dim:
            raise ValueError(f"embedding has {vec.shape[0]} dimensions, the stream {self.dim}")
        evidence = tuple(int(e) for e in evidence)
        bad = [e for e in evidence if not 0 <= e < self._n]
        if bad:
            raise ValueError(f"evidence {bad} does not name earlier records (0..{self._n - 1})")
        if kind == "thought" and evidence:
            depth = 1 + int(max(self._depth[list(evidence)]))
        else:
            depth = 0 if kind != "thought" else 1
        if self._n == self.capacity:
            self._grow()
        i = self._n
        norm = float(np.linalg.norm(vec))
        self._emb[i] = vec / norm if norm else vec
        self._created[i] = created
        self._accessed[i] = created
        self._importance[i] = importance
        self._kind[i] = _KIND_CODE[kind]
        self._depth[i] = depth
        self._text.append(text)
        self._subkind.append(subkind)
        self._evidence.append(evidence)
        self._triple.append(triple)
        self._source.append(source)
        self._n += 1
        if kind == "observation":
            self._recent_events.append(text)
        if kind in ("observation", "chat"):
            self.importance_since_reflection += importance
        return i

    def seen_recently(self, text: str) -> bool:
        """Is ``text`` among the latest ``retention`` observations (not stored again)?"""
        return text in self._recent_events

    def mark_reflected(self) -> None:
        self.importance_since_reflection = 0.0

    def touch(self, ids: Sequence[int], now: int) -> None:
        if len(ids):
            self._accessed[np.asarray(ids, np.int64)] = now

    def _grow(self) -> None:
        cap = self.capacity * 2
        for name in ("_created", "_accessed", "_importance", "_kind", "_depth"):
            old = getattr(self, name)
            new = np.zeros(cap, old.dtype)
            new[: self._n] = old[: self._n]
            setattr(self, name, new)
        emb = np.zeros((cap, self.dim), np.float32)
        emb[: self._n] = self._emb[: self._n]
        self._emb = emb

    # ------------------------------------------------------------------ reading
    def record(self, i: int) -> MemoryRecord:
        if not 0 <= i < self._n:
            raise IndexError(f"no memory {i} (the stream holds {self._n})")
        return MemoryRecord(
            id=i,
            kind=KINDS[self._kind[i]],
            subkind=self._subkind[i],
            text=self._text[i],
            created=int(self._created[i]),
            last_accessed=int(self._accessed[i]),
            importance=int(self._importance[i]),
            depth=int(self._depth[i]),
            evidence=self._evidence[i],
            triple=self._triple[i],
            source=self._source[i],
        )

    def embedding(self, i: int) -> np.ndarray:
        return self._emb[i].copy()

    def recent(self, n: int, kinds: Sequence[str] | None = None) -> list[int]:
        """Ids of the latest ``n`` records (of ``kinds``), oldest first."""
        ids = np.arange(self._n)
        if kinds is not None:
            ids = ids[np.isin(self._kind[: self._n], [_KIND_CODE[k] for k in kinds])]
        return ids[-n:].tolist() if n > 0 else []

    def scores(
        self,
        query: np.ndarray,
        now: int,
        settings: RetrievalSettings,
        candidates: np.ndarray | None = None,
    ) -> tuple[np.ndarray, np.ndarray]:
        """(candidate ids, total scores) by the paper's formula, before any top-k."""
        n = self._n
        if candidates is None:
            ids = np.arange(n)
            accessed, importance, emb = self._accessed[:n], self._importance[:n], self._emb[:n]
        else:
            ids = np.asarray(candidates, np.int64)
            accessed, importance, emb = self._accessed[ids], self._importance[ids], self._emb[ids]
        if ids.size == 0:
            return ids, np.zeros(0, np.float32)
        # decay ** hours, as exp(hours * ln(decay)) in float32
        hours = (now - accessed).astype(np.float32)
        recency = np.exp(hours * np.float32(np.log(settings.decay) / 3600.0))
        q = np.asarray(query, np.float32).reshape(-1)
        qn = float(np.linalg.norm(q))
        relevance = emb @ (q / qn if qn else q)
        total = _minmax(recency, settings.w_recency)
        total += _minmax(importance, settings.w_importance)
        total += _minmax(relevance, settings.w_relevance)
        return ids, total

    def retrieve(
        self,
        query: np.ndarray,
        now: int,
        settings: RetrievalSettings | None = None,
        kinds: Sequence[str] | None = None,
        touch: bool = True,
    ) -> list[int]:
        """Top-k ids, best first (ties: the more recent record first); marks them accessed."""
        settings = settings or RetrievalSettings()
        candidates = None
        if kinds is not None:
            mask = np.isin(self._kind[: self._n], [_KIND_CODE[k] for k in kinds])
            candidates = np.flatnonzero(mask)
        ids, total = self.scores(query, now, settings, candidates)
        if ids.size == 0:
            return []
        k = min(settings.k, ids.size)
        if k < ids.size:
            # everything tied with the k-th best stays in, so ties break by recency
            kth = np.partition(total, ids.size - k)[ids.size - k]
            part = np.flatnonzero(total >= kth)
        else:
            part = np.arange(ids.size)
        order = part[np.lexsort((-ids[part], -total[part]))][:k]
        chosen = ids[order].tolist()
        if touch:
            self.touch(chosen, now)
        return chosen

    # ------------------------------------------------------------------ state
    def to_state(self) -> dict:
        n = self._n
        buf = io.BytesIO()
        np.savez(
            buf,
            created=self._created[:n],
            accessed=self._accessed[:n],
            importance=self._importance[:n],
            kind=self._kind[:n],
            depth=self._depth[:n],
            emb=self._emb[:n],
        )
        return {
            "dim": self.dim,
            "arrays": base64.b64encode(buf.getvalue()).decode(),
            "text": self._text,
            "subkind": self._subkind,
            "evidence": [list(e) for e in self._evidence],
            "triple": [list(t) if t else None for t in self._triple],
            "source": self._source,
            "recent_events": list(self._recent_events),
            "importance_since_reflection": self.importance_since_reflection,
            "retention": self.retention,
        }

    @classmethod
    def from_state(cls, state: dict) -> MemoryStream:
        arrays = np.load(io.BytesIO(base64.b64decode(state["arrays"])))
        n = len(state["text"])
        m = cls(
            state["dim"],
            capacity=max(64, 1 << max(n - 1, 1).bit_length()),
            retention=state["retention"],
        )
        m._created[:n] = arrays["created"]
        m._accessed[:n] = arrays["accessed"]
        m._importance[:n] = arrays["importance"]
        m._kind[:n] = arrays["kind"]
        m._depth[:n] = arrays["depth"]
        m._emb[:n] = arrays["emb"]
        m._text = list(state["text"])
        m._subkind = list(state["subkind"])
        m._evidence = [tuple(e) for e in state["evidence"]]
        m._triple = [tuple(t) if t else None for t in state["triple"]]
        m._source = list(state["source"])
        m._recent_events.extend(state["recent_events"])
        m.importance_since_reflection = state["importance_since_reflection"]
        m._n = n
        return m


def _minmax(x: np.ndarray, weight: float) -> np.ndarray:
    """``weight`` times ``x`` scaled to [0, 1]; all-equal values score 0.5."""
    lo = float(x.min())
    hi = float(x.max())
    if hi - lo <= 1e-12:
        return np.full(x.shape, 0.5 * weight, np.float32)
    out = x.astype(np.float32, copy=True)
    out -= lo
    out *= np.float32(weight / (hi - lo))
    return out
