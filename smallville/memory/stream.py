"""The memory stream (paper section 4.1), stored column-wise.

Scalars live in numpy arrays that grow by doubling, embeddings in one float32 matrix, so
retrieval scores every candidate in a few vector operations; texts, triples, evidence and
sources are python lists indexed by id.

Time is an int of game seconds (``smallville.gametime``: seconds since 1970-01-01 of the
town's calendar), for ``created``, ``last_accessed`` and every ``now``. The stream never
reads a clock: callers pass ``now``. Nor does it embed: callers pass vectors (from the
LLM port's ``embed``), which are stored L2-normalised.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Sequence, Set
from dataclasses import dataclass

import numpy as np

from smallville.memory import state as _state
from smallville.memory.retrieval import RetrievalSettings, Scores, score, top_k, unit_query

KINDS = ("observation", "thought", "chat")
THOUGHT_SUBKINDS = ("reflection", "plan", "memo")
_CODE = {k: i for i, k in enumerate(KINDS)}
_OBSERVATION, _THOUGHT = _CODE["observation"], _CODE["thought"]


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


class MemoryStream:
    """One agent's memories; ids are 0..n-1 in insertion order.

    Args:
        dim: embedding dimension, fixed for the stream's life.
        capacity: initial rows; the columns double when full.
        retention: how many of the latest observation texts count as recent duplicates
            (the paper's perception rule: an event already among them is not stored again).
    """

    def __init__(self, dim: int, *, capacity: int = 64, retention: int = 8) -> None:
        if not isinstance(dim, int) or dim < 1:
            raise ValueError(f"MemoryStream dim must be an int >= 1, got {dim!r}")
        if not isinstance(capacity, int) or capacity < 1:
            raise ValueError(f"MemoryStream capacity must be an int >= 1, got {capacity!r}")
        if not isinstance(retention, int) or retention < 0:
            raise ValueError(f"MemoryStream retention must be an int >= 0, got {retention!r}")
        self._dim = dim
        self._retention = retention
        self._n = 0
        self._created = np.zeros(capacity, np.int64)
        self._accessed = np.zeros(capacity, np.int64)
        self._importance = np.zeros(capacity, np.float32)  # float: scored without a cast
        self._kind = np.zeros(capacity, np.int8)
        self._depth = np.zeros(capacity, np.int32)
        self._emb = np.zeros((capacity, dim), np.float32)
        self._text: list[str] = []
        self._subkind: list[str] = []
        self._evidence: list[tuple[int, ...]] = []
        self._triple: list[tuple[str, str, str] | None] = []
        self._source: list[str] = []
        self._by_kind: tuple[list[int], ...] = tuple([] for _ in KINDS)
        self._since_reflection = 0

    def __len__(self) -> int:
        return self._n

    @property
    def dim(self) -> int:
        return self._dim

    @property
    def retention(self) -> int:
        return self._retention

    @property
    def capacity(self) -> int:
        return self._created.shape[0]

    @property
    def importance_since_reflection(self) -> int:
        """Summed importance of observations and chats added since ``mark_reflected``."""
        return self._since_reflection

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
        triple: Sequence[str] | None = None,
        source: str = "",
    ) -> int:
        """Store a record and return its id.

        A thought needs a ``subkind`` (reflection, plan or memo) and may cite ``evidence``:
        ids of existing records; its depth is 1 + the deepest evidence (1 without any).
        Observations and chats have depth 0 and cite nothing.
        """
        code = _kind_code(kind, subkind)
        created = _int("created", created)
        imp = _importance(importance)
        vec = self._unit(embedding, text)
        ev = self._cited(evidence, kind)
        depth = 0 if code != _THOUGHT else 1 + max((int(self._depth[e]) for e in ev), default=0)
        spo = _triple(triple)

        if self._n == self.capacity:
            self._grow()
        i = self._n
        self._emb[i] = vec
        self._created[i] = created
        self._accessed[i] = created
        self._importance[i] = imp
        self._kind[i] = code
        self._depth[i] = depth
        self._text.append(text)
        self._subkind.append(subkind)
        self._evidence.append(ev)
        self._triple.append(spo)
        self._source.append(source)
        self._by_kind[code].append(i)
        self._n += 1
        if code != _THOUGHT:
            self._since_reflection += imp
        return i

    def _unit(self, embedding: np.ndarray, text: str) -> np.ndarray:
        """``embedding`` checked and L2-normalised (a zero vector stays zero)."""
        vec = np.asarray(embedding, np.float32).reshape(-1)
        if vec.shape[0] != self._dim:
            raise ValueError(f"embedding has {vec.shape[0]} dimensions, the stream {self._dim}")
        if not np.isfinite(vec).all():
            raise ValueError(f"embedding of {text[:60]!r} contains NaN or infinity")
        norm = float(np.linalg.norm(vec))
        return vec / np.float32(norm) if norm > 0 else vec

    def _cited(self, evidence: Sequence[int], kind: str) -> tuple[int, ...]:
        """``evidence`` checked: only thoughts cite, and only earlier records."""
        ev = tuple(_int("evidence id", e) for e in evidence)
        if ev and kind != "thought":
            raise ValueError(f"only thoughts cite evidence; {kind} got {list(ev)}")
        bad = [e for e in ev if not 0 <= e < self._n]
        if bad:
            raise ValueError(f"evidence {bad} does not name earlier records (ids 0..{self._n - 1})")
        return ev

    def mark_reflected(self) -> None:
        self._since_reflection = 0

    def touch(self, ids: Sequence[int], now: int) -> None:
        """Set the last access of ``ids`` to ``now``."""
        if len(ids):
            self._accessed[np.asarray(ids, np.int64)] = _int("now", now)

    def _grow(self) -> None:
        cap = self.capacity * 2
        for name in ("_created", "_accessed", "_importance", "_kind", "_depth", "_emb"):
            old = getattr(self, name)
            new = np.zeros((cap, *old.shape[1:]), old.dtype)
            new[: self._n] = old[: self._n]
            setattr(self, name, new)

    # ------------------------------------------------------------------ reading
    def record(self, i: int) -> MemoryRecord:
        i = self._index(i)
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
        """A copy of record ``i``'s (unit) embedding."""
        return self._emb[self._index(i)].copy()

    def _index(self, i: int) -> int:
        i = _int("memory id", i)
        if not 0 <= i < self._n:
            raise IndexError(f"no memory {i} (the stream holds ids 0..{self._n - 1})")
        return i

    def ids_by_kind(self, kind: str) -> list[int]:
        """Ids of every record of ``kind``, ascending."""
        return list(self._by_kind[self._codes([kind])[0]])

    def recent(self, n: int, kinds: Sequence[str] | None = None) -> list[int]:
        """Ids of the latest ``n`` records (of ``kinds``), oldest first."""
        if n <= 0:
            return []
        if kinds is None:
            return list(range(max(0, self._n - n), self._n))
        tails = [i for c in set(self._codes(kinds)) for i in self._by_kind[c][-n:]]
        return sorted(tails)[-n:]

    def is_recent_duplicate(self, text: str, window: int | None = None) -> bool:
        """Is ``text`` among the latest ``window`` (default: retention) observation texts?"""
        window = self._retention if window is None else window
        if window <= 0:
            return False
        return any(self._text[i] == text for i in self._by_kind[_OBSERVATION][-window:])

    def seen_recently(self, text: str) -> bool:
        """``is_recent_duplicate`` with the stream's retention (cognition's perception)."""
        return self.is_recent_duplicate(text)

    # ------------------------------------------------------------------ retrieval
    def scores(
        self,
        query: np.ndarray,
        now: int,
        settings: RetrievalSettings | None = None,
        kinds: Sequence[str] | None = None,
    ) -> Scores:
        """Every candidate's components and total (see ``retrieval``), without touching."""
        settings = settings or RetrievalSettings()
        q = unit_query(query, self._dim)
        n = self._n
        if kinds is None:
            ids = np.arange(n)
            accessed, importance, emb = self._accessed[:n], self._importance[:n], self._emb[:n]
        else:
            codes = self._codes(kinds)
            ids = np.flatnonzero(np.isin(self._kind[:n], codes))
            accessed, importance, emb = self._accessed[ids], self._importance[ids], self._emb[ids]
        return score(
            ids=ids,
            accessed=accessed,
            importance=importance,
            embeddings=emb,
            query=q,
            now=now,
            settings=settings,
        )

    def retrieve(
        self,
        query: np.ndarray,
        now: int,
        settings: RetrievalSettings | None = None,
        kinds: Sequence[str] | None = None,
        touch: bool = True,
    ) -> list[int]:
        """The top-k ids, best first (ties: the more recent record first).

        With ``touch`` the returned records' last access becomes ``now``.
        """
        settings = settings or RetrievalSettings()
        s = self.scores(query, now, settings, kinds)
        chosen = s.ids[top_k(s.total, settings.k)]
        if touch:
            self._accessed[chosen] = now
        return chosen.tolist()

    def subset(self, keep: Callable[[MemoryRecord], bool] | Set[int]) -> MemoryStream:
        """A new stream of the records ``keep`` accepts (a predicate or a set of ids),
        renumbered 0..m-1 in their order, with their times, importance, depth and
        embeddings; evidence is mapped to the new ids, a citation of a dropped record
        dropped. ``importance_since_reflection`` is kept."""
        pick = keep.__contains__ if isinstance(keep, Set) else lambda i: keep(self.record(i))
        ids = [i for i in range(self._n) if pick(i)]
        m = MemoryStream(self._dim, capacity=max(1, len(ids)), retention=self._retention)
        new = {old: j for j, old in enumerate(ids)}
        for name in ("_created", "_accessed", "_importance", "_kind", "_depth", "_emb"):
            getattr(m, name)[: len(ids)] = getattr(self, name)[np.asarray(ids, np.int64)]
        for name in ("_text", "_subkind", "_triple", "_source"):
            setattr(m, name, [getattr(self, name)[i] for i in ids])
        m._evidence = [tuple(new[e] for e in self._evidence[i] if e in new) for i in ids]
        for j, code in enumerate(m._kind[: len(ids)].tolist()):
            m._by_kind[code].append(j)
        m._n, m._since_reflection = len(ids), self._since_reflection
        return m

    def _codes(self, kinds: Sequence[str]) -> list[int]:
        if isinstance(kinds, str):
            raise TypeError(f"kinds must be a list of kinds, got the string {kinds!r}")
        bad = [k for k in kinds if k not in _CODE]
        if bad:
            raise ValueError(f"unknown memory kinds {bad}; expected some of {KINDS}")
        return [_CODE[k] for k in kinds]

    # ------------------------------------------------------------------ state
    def to_state(self) -> dict:
        """A JSON-serialisable dict from which ``from_state`` rebuilds this exact stream."""
        n = self._n
        return _state.dump(
            dim=self._dim,
            retention=self._retention,
            capacity=self.capacity,
            since_reflection=self._since_reflection,
            arrays={
                "created": self._created[:n],
                "accessed": self._accessed[:n],
                "importance": self._importance[:n],
                "kind": self._kind[:n],
                "depth": self._depth[:n],
                "emb": self._emb[:n],
            },
            lists={
                "text": self._text,
                "subkind": self._subkind,
                "evidence": [list(e) for e in self._evidence],
                "triple": [list(t) if t else None for t in self._triple],
                "source": self._source,
            },
        )

    @classmethod
    def from_state(cls, state: dict) -> MemoryStream:
        """Rebuild a stream from ``to_state``; ValueError says what is wrong with ``state``."""
        s = _state.load(state)
        m = cls(s.dim, capacity=s.capacity, retention=s.retention)
        n = len(s.lists["text"])
        for name, column in (
            ("created", m._created),
            ("accessed", m._accessed),
            ("importance", m._importance),
            ("kind", m._kind),
            ("depth", m._depth),
            ("emb", m._emb),
        ):
            column[:n] = s.arrays[name]
        m._text = list(s.lists["text"])
        m._subkind = list(s.lists["subkind"])
        m._evidence = [tuple(e) for e in s.lists["evidence"]]
        m._triple = [tuple(t) if t else None for t in s.lists["triple"]]
        m._source = list(s.lists["source"])
        for i, code in enumerate(m._kind[:n].tolist()):
            m._by_kind[code].append(i)
        m._since_reflection = s.since_reflection
        m._n = n
        return m


def _kind_code(kind: str, subkind: str) -> int:
    """The column code of ``kind``, checked together with ``subkind``."""
    code = _CODE.get(kind)
    if code is None:
        raise ValueError(f"memory kind must be one of {KINDS}, got {kind!r}")
    if code == _THOUGHT and subkind not in THOUGHT_SUBKINDS:
        raise ValueError(f"a thought needs a subkind in {THOUGHT_SUBKINDS}, got {subkind!r}")
    if code != _THOUGHT and subkind:
        raise ValueError(f"only thoughts have a subkind; {kind} got {subkind!r}")
    return code


def _importance(value: object) -> int:
    imp = _int("importance", value)
    if not 1 <= imp <= 10:
        raise ValueError(f"importance must be 1..10, got {value!r}")
    return imp


def _int(what: str, value: object) -> int:
    """An integral value as int (numpy ints and whole floats pass, 2.5 or "3" do not)."""
    if isinstance(value, bool):
        raise TypeError(f"{what} must be an int, got {value!r}")
    try:
        return operator.index(value)
    except TypeError:
        if isinstance(value, float | np.floating) and float(value).is_integer():
            return int(value)
        raise TypeError(f"{what} must be an int, got {value!r}") from None


def _triple(triple: Sequence[str] | None) -> tuple[str, str, str] | None:
    if triple is None:
        return None
    t = tuple(triple)
    if len(t) != 3 or not all(isinstance(x, str) for x in t):
        raise ValueError(f"triple must be (subject, predicate, object) strings, got {triple!r}")
    return (t[0], t[1], t[2])
