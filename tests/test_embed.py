"""Local embedders: shape, normalisation, determinism, fallback and semantic sanity."""

from __future__ import annotations

import importlib.util
import logging
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from smallville.llm import embed
from smallville.llm.embed import HashingEmbedder, StaticEmbedder, local_embedder

ROOT = Path(__file__).resolve().parents[1]
# the static model's wheel exists for x86_64 only; elsewhere only the fallback is tested
STATIC = importlib.util.find_spec("static_model") is not None
TEXTS = ["the stove is heating a pan", "a walk in the park", "Clara opens the cafe at 7"]
# (anchor, paraphrase, unrelated)
TRIPLES = [
    (
        "Clara is planning a party at the cafe",
        "a party at the cafe is being planned by Clara",
        "Jonah is writing his thesis in the library",
    ),
    (
        "Maya is studying for her economics exam",
        "Maya studies for the economics exam tonight",
        "the bartender pours beer at the pub",
    ),
    (
        "Arne takes a walk in Willow Park",
        "Arne walks through Willow Park",
        "Kenji is stocking the grocery shelves",
    ),
]


@pytest.fixture(params=["hashing", *(["static"] if STATIC else [])])
def embedder(request):
    return StaticEmbedder() if request.param == "static" else HashingEmbedder()


def test_shape_dtype_and_unit_rows(embedder):
    """Rows are float32 unit vectors of the embedder's dimension; no texts gives (0, dim)."""
    x = embedder.embed(TEXTS)
    assert x.dtype == np.float32 and x.shape == (3, embedder.dim)
    assert np.allclose(np.linalg.norm(x, axis=1), 1.0, atol=1e-5)
    empty = embedder.embed([])
    assert empty.shape == (0, embedder.dim) and empty.dtype == np.float32


def test_same_text_same_vector_whatever_the_batch(embedder):
    """A text's vector does not depend on the call or the other texts in its batch."""
    alone = embedder.embed([TEXTS[0]])[0]
    batched = embedder.embed([TEXTS[2], "x " * 200, TEXTS[0]])[2]
    assert np.array_equal(alone, batched)


def test_paraphrase_closer_than_unrelated(embedder):
    """On town sentences a paraphrase scores above an unrelated sentence."""
    for anchor, para, other in TRIPLES:
        a, p, o = embedder.embed([anchor, para, other])
        assert a @ p > a @ o + 0.1, (embedder.name, anchor)


def test_text_without_features_is_a_zero_row():
    """An empty text has no direction: a zero row (cosine 0 with everything), not NaN."""
    x = HashingEmbedder().embed(["", "!!!"])
    assert not np.isnan(x).any() and not x.any()


def test_hashing_is_the_same_in_every_process():
    """Feature hashing does not use Python's salted hash(): vectors match across processes."""
    code = (
        "from smallville.llm.embed import HashingEmbedder\n"
        "print(HashingEmbedder().embed(['Clara opens the cafe']).tobytes().hex())\n"
    )
    outs = set()
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        run = subprocess.run(
            [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
        )
        outs.add(run.stdout.strip())
    assert outs == {HashingEmbedder().embed(["Clara opens the cafe"]).tobytes().hex()}


def test_hashing_dimension_is_configurable():
    """A smaller hashing embedder names its size; too few dimensions are refused."""
    e = HashingEmbedder(32)
    assert e.name == "hashing-32" and e.embed(TEXTS).shape == (3, 32)
    with pytest.raises(ValueError, match="at least 8"):
        HashingEmbedder(4)


def test_local_embedder_prefers_static_model():
    """With the wheel installed the default is the 64-d static model; chosen once."""
    e = local_embedder()
    assert isinstance(e, StaticEmbedder) == STATIC and local_embedder() is e
    assert e.dim == (64 if STATIC else 256)


def test_local_embedder_falls_back_with_one_warning(monkeypatch, caplog):
    """When the static model cannot load, hashing takes over with a one-line warning."""
    monkeypatch.setitem(sys.modules, "static_model", None)  # import now raises ImportError
    embed.local_embedder.cache_clear()
    try:
        with caplog.at_level(logging.WARNING, logger="smallville.llm"):
            e = local_embedder()
            assert local_embedder() is e
    finally:
        embed.local_embedder.cache_clear()
    assert isinstance(e, HashingEmbedder) and e.embed(TEXTS).shape == (3, 256)
    (record,) = caplog.records
    assert "feature hashing" in record.getMessage() and "\n" not in record.getMessage()
