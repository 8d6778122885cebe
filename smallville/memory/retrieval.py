"""Retrieval scoring (paper section 4.1), as pure functions over the stream's columns.

score = w_recency * recency + w_importance * importance + w_relevance * relevance, each
component min-max normalised over the candidates (a component whose values are all equal
scores 0.5 for everyone). recency = decay ** (game hours since last access); importance is
the 1-10 rating; relevance is the cosine between the query and the record embedding.

Ties are broken by the higher id first: ids grow with insertion, so among equally scored
records the more recent one wins. Scores are float32 and ties are exact float equality.
"""

from __future__ import annotations

import math
import operator
from dataclasses import dataclass

import numpy as np

from smallville.gametime import HOUR

# Relevance comes from float32 dot products, exact to about 1e-7; candidates closer than this
# are treated as equally relevant, so identical embeddings score 0.5 rather than noise.
_RELEVANCE_TIE = 1e-6
# Recency of identical access times is computed identically; the relative slack only guards
# against the last ulp of exp.
_RECENCY_TIE = 1e-6
# Values sampled to guess the k-th best score on large candidate sets (see top_k).
_SAMPLE = 1024


@dataclass(frozen=True, kw_only=True)
class RetrievalSettings:
    """The paper's retrieval: every weight 1, recency decay 0.995 per game hour, top 30."""

    w_recency: float = 1.0
    w_importance: float = 1.0
    w_relevance: float = 1.0
    decay: float = 0.995
    k: int = 30

    def __post_init__(self) -> None:
        for name in ("w_recency", "w_importance", "w_relevance"):
            w = getattr(self, name)
            if not (math.isfinite(w) and w >= 0):
                raise ValueError(
                    f"RetrievalSettings.{name} must be a finite number >= 0, got {w!r}"
                )
        if not 0 < self.decay <= 1:
            raise ValueError(
                f"RetrievalSettings.decay must be in (0, 1] (per game hour, paper: 0.995), "
                f"got {self.decay!r}"
            )
        if not isinstance(self.k, int) or self.k < 1:
            raise ValueError(f"RetrievalSettings.k must be an int >= 1 (paper: 30), got {self.k!r}")


@dataclass(frozen=True, kw_only=True, eq=False)
class Scores:
    """Per-candidate components before normalisation, and the weighted normalised total.

    Arrays are aligned: ``ids[j]`` has ``recency[j]``, ``importance[j]``, ... ``total[j]``.
    ``ids`` ascend. The arrays are read-only.
    """

    ids: np.ndarray
    recency: np.ndarray
    importance: np.ndarray
    relevance: np.ndarray
    total: np.ndarray


def unit_query(query: np.ndarray, dim: int) -> np.ndarray:
    """The query as a float32 unit vector (a zero query stays zero: nothing is relevant)."""
    q = np.asarray(query, np.float32).reshape(-1)
    if q.shape[0] != dim:
        raise ValueError(f"query embedding has {q.shape[0]} dimensions, the stream holds {dim}")
    if not np.isfinite(q).all():
        raise ValueError("query embedding contains NaN or infinity")
    norm = float(np.linalg.norm(q))
    return q / np.float32(norm) if norm > 0 else q


def score(
    *,
    ids: np.ndarray,
    accessed: np.ndarray,
    importance: np.ndarray,
    embeddings: np.ndarray,
    query: np.ndarray,
    now: int,
    settings: RetrievalSettings,
) -> Scores:
    """Score candidates given their columns (``query`` already a unit vector, see unit_query)."""
    now = _game_seconds(now)
    n = ids.shape[0]
    # subtract in int64 (game seconds since 1970 do not fit float32 exactly), store float32
    recency = np.empty(n, np.float32)
    np.subtract(now, accessed, out=recency, casting="unsafe")
    if n and recency.min() < 0:
        raise ValueError(
            f"now={now} is earlier than a candidate's last access "
            f"({int(accessed.max())}); pass game seconds, as given to add()"
        )
    recency *= np.float32(math.log(settings.decay) / HOUR)
    np.exp(recency, out=recency)
    # einsum, not BLAS gemv: gemv rounds a row differently by its position in the matrix, so
    # identical embeddings would get different relevance and break exact ties
    relevance = np.einsum("ij,j->i", embeddings, query, optimize=False)
    total = np.zeros(n, np.float32)
    if n:
        scratch = np.empty(n, np.float32)
        offset = _add_normalised(total, recency, settings.w_recency, scratch, relative=True)
        offset += _add_normalised(total, importance, settings.w_importance, scratch)
        offset += _add_normalised(total, relevance, settings.w_relevance, scratch)
        total += np.float32(offset)
    for a in (ids, recency, importance, relevance, total):
        a.flags.writeable = False
    return Scores(ids=ids, recency=recency, importance=importance, relevance=relevance, total=total)


def _add_normalised(
    total: np.ndarray, x: np.ndarray, weight: float, scratch: np.ndarray, relative: bool = False
) -> float:
    """Add ``weight * (x - lo) / (hi - lo)`` into ``total``; return the constant for all-equal."""
    if weight == 0:
        return 0.0
    lo, hi = float(x.min()), float(x.max())
    tie = _RECENCY_TIE * hi if relative else _RELEVANCE_TIE
    if hi - lo <= tie:
        return 0.5 * weight
    # x - lo first: scaling before subtracting would cancel badly when hi - lo is tiny
    np.subtract(x, np.float32(lo), out=scratch)
    scratch *= np.float32(weight / (hi - lo))
    total += scratch
    return 0.0


def top_k(total: np.ndarray, k: int) -> np.ndarray:
    """Positions of the ``k`` best totals, best first; equal totals: the higher position first.

    Positions ascend with record ids, so the higher position is the more recent record.
    np.partition over 100k values costs about 1 ms, more than the scoring itself; on large
    sets a strided sample guesses a threshold that keeps a few times k candidates, and the
    exact selection runs on those. The result is the same either way: every value at or
    above the true k-th best is kept, so ties at the boundary are resolved as on the full set.
    """
    n = total.shape[0]
    if k >= n:
        chosen = np.arange(n)
    else:
        pool = None
        if n >= 16 * _SAMPLE:
            step = n // _SAMPLE
            sample = np.sort(total[::step])
            # each sampled value stands for ~step candidates: keep ~4k plus some slack
            guess = sample[-min(sample.shape[0], 4 * k // step + 8)]
            pool = np.flatnonzero(total >= guess)
            if pool.shape[0] < k:  # unlucky guess: select over everything
                pool = None
        chosen = _exact_top(total if pool is None else total[pool], k)
        if pool is not None:
            chosen = pool[chosen]
    return chosen[np.lexsort((-chosen, -total[chosen]))]


def _exact_top(values: np.ndarray, k: int) -> np.ndarray:
    """Ascending positions of the k largest values; ties at the k-th value: the highest."""
    m = values.shape[0]
    kth = np.partition(values, m - k)[m - k]
    above = np.flatnonzero(values > kth)
    tied = np.flatnonzero(values == kth)
    return np.concatenate((above, tied[tied.shape[0] - (k - above.shape[0]) :]))


def _game_seconds(t: object) -> int:
    try:
        return operator.index(t)
    except TypeError as e:
        raise TypeError(
            f"game time must be an int of game seconds (smallville.gametime), got {t!r}"
        ) from e
