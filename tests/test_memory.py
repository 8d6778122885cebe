"""Memory stream: the retrieval formula, growth, evidence and depth, dedup, state."""

from __future__ import annotations

import numpy as np
import pytest

from smallville.memory import MemoryStream, RetrievalSettings

H = 3600


def unit(*xs: float) -> np.ndarray:
    v = np.array(xs, np.float32)
    return v / np.linalg.norm(v)


def stream_of(rows) -> MemoryStream:
    """rows: (created, importance, embedding)."""
    m = MemoryStream(2)
    for created, imp, emb in rows:
        m.add(kind="observation", text=f"r{len(m)}", created=created, importance=imp, embedding=emb)
    return m


def test_recency_decays_per_game_hour():
    """Recency alone ranks by 0.995 ** hours since last access, normalised."""
    m = stream_of([(0, 5, unit(1, 0)), (10 * H, 5, unit(1, 0)), (20 * H, 5, unit(1, 0))])
    s = RetrievalSettings(w_importance=0, w_relevance=0)
    ids, total = m.scores(unit(1, 0), 20 * H, s)
    raw = 0.995 ** np.array([20, 10, 0])
    expect = (raw - raw.min()) / (raw.max() - raw.min())
    assert np.allclose(total, expect, atol=1e-5)
    assert m.retrieve(unit(1, 0), 20 * H, s) == [2, 1, 0]


def test_weights_and_normalisation_combine():
    """Each component is min-max normalised and weighted; a zero weight removes it."""
    m = stream_of([(0, 10, unit(0, 1)), (0, 1, unit(1, 0)), (0, 4, unit(1, 1))])
    q = unit(1, 0)
    _, total = m.scores(q, 0, RetrievalSettings())
    rel = np.array([0.0, 1.0, np.sqrt(0.5)])
    imp = np.array([1.0, 0.0, 1 / 3])
    assert np.allclose(total, 0.5 + imp + (rel - rel.min()) / (rel.max() - rel.min()), atol=1e-5)
    assert m.retrieve(q, 0, RetrievalSettings(w_relevance=0), touch=False)[0] == 0
    assert m.retrieve(q, 0, RetrievalSettings(w_importance=0), touch=False)[0] == 1
    assert m.retrieve(q, 0, RetrievalSettings(w_importance=3, w_relevance=1), touch=False)[0] == 0


def test_all_equal_components_score_half_and_ties_prefer_recent():
    """Identical records score 0.5 per component; the newest comes first."""
    m = stream_of([(0, 5, unit(1, 0))] * 4)
    _, total = m.scores(unit(1, 0), 0, RetrievalSettings())
    assert np.allclose(total, 1.5)
    assert m.retrieve(unit(1, 0), 0, RetrievalSettings(k=3)) == [3, 2, 1]


def test_retrieval_marks_last_access():
    """Returned records get last-accessed = now, others keep theirs."""
    m = stream_of([(0, 9, unit(1, 0)), (0, 1, unit(0, 1))])
    assert m.retrieve(unit(1, 0), 5 * H, RetrievalSettings(k=1)) == [0]
    assert m.record(0).last_accessed == 5 * H and m.record(1).last_accessed == 0
    m.retrieve(unit(1, 0), 6 * H, RetrievalSettings(k=1), touch=False)
    assert m.record(0).last_accessed == 5 * H


def test_top_k_and_kind_filter():
    """Only k records come back, filtered by kind when asked."""
    m = MemoryStream(2)
    for i in range(40):
        m.add(
            kind="chat" if i % 4 == 0 else "observation",
            text=str(i),
            created=i,
            importance=1 + i % 10,
            embedding=unit(1, i / 40),
        )
    assert len(m.retrieve(unit(1, 0), 100)) == 30
    chats = m.retrieve(unit(1, 0), 100, kinds=["chat"])
    assert len(chats) == 10 and all(m.record(i).kind == "chat" for i in chats)


def test_grows_by_doubling():
    """Columns double when full and keep every record."""
    m = MemoryStream(2, capacity=4)
    for i in range(9):
        m.add(kind="observation", text=str(i), created=i, importance=1, embedding=unit(1, 0))
    assert m.capacity == 16 and len(m) == 9 and m.record(8).text == "8"


def test_thought_depth_and_evidence():
    """Depth is 1 + the deepest evidence; evidence must name earlier records."""
    m = stream_of([(0, 5, unit(1, 0)), (0, 5, unit(0, 1))])
    t1 = m.add(
        kind="thought", text="t1", created=1, importance=6, embedding=unit(1, 1), evidence=[0, 1]
    )
    t2 = m.add(
        kind="thought", text="t2", created=2, importance=7, embedding=unit(1, 1), evidence=[t1, 0]
    )
    assert m.record(t1).depth == 1 and m.record(t2).depth == 2
    assert m.record(t2).evidence == (t1, 0) and m.record(0).depth == 0
    with pytest.raises(ValueError, match="earlier records"):
        m.add(
            kind="thought", text="x", created=3, importance=5, embedding=unit(1, 0), evidence=[99]
        )
    with pytest.raises(ValueError, match="1..10"):
        m.add(kind="observation", text="x", created=3, importance=11, embedding=unit(1, 0))


def test_recent_events_window_and_reflection_sum():
    """The latest observations are remembered for dedup; importance accumulates."""
    m = MemoryStream(2, retention=2)
    for text in ("a", "b", "c"):
        m.add(kind="observation", text=text, created=0, importance=4, embedding=unit(1, 0))
    assert m.seen_recently("c") and m.seen_recently("b") and not m.seen_recently("a")
    assert m.importance_since_reflection == 12
    m.add(kind="thought", text="t", created=0, importance=9, embedding=unit(1, 0))
    assert m.importance_since_reflection == 12
    m.mark_reflected()
    assert m.importance_since_reflection == 0


def test_state_round_trip():
    """A stream restored from its state is identical and retrieves the same."""
    rng = np.random.default_rng(1)
    m = MemoryStream(8, retention=3)
    for i in range(100):
        m.add(
            kind=("observation", "chat")[i % 2],
            text=f"m{i}",
            created=i * 60,
            importance=1 + i % 10,
            embedding=rng.standard_normal(8),
            source="whisper" * (i == 5),
        )
    m.add(
        kind="thought",
        text="insight",
        created=7000,
        importance=8,
        embedding=rng.standard_normal(8),
        evidence=[1, 5],
        triple=("a", "b", "c"),
    )
    m.retrieve(rng.standard_normal(8), 9000)
    r = MemoryStream.from_state(m.to_state())
    assert len(r) == len(m)
    for i in range(len(m)):
        assert r.record(i) == m.record(i)
        assert np.array_equal(r.embedding(i), m.embedding(i))
    q = rng.standard_normal(8)
    assert r.retrieve(q, 10000) == m.retrieve(q, 10000)
    assert r.seen_recently("m98") and r.importance_since_reflection == m.importance_since_reflection
