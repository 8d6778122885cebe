"""Memory stream: the retrieval formula, growth, evidence and depth, dedup, state."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from smallville.memory import MemoryStream, RetrievalSettings
from smallville.memory.retrieval import top_k

H = 3600
T0 = 1_676_275_200  # 2023-02-13 08:00 in game seconds: large enough to expose float32 misuse


def unit(*xs: float) -> np.ndarray:
    v = np.array(xs, np.float32)
    return v / np.linalg.norm(v)


def stream_of(rows, dim: int = 2) -> MemoryStream:
    """rows: (created, importance, embedding)."""
    m = MemoryStream(dim)
    for created, imp, emb in rows:
        m.add(kind="observation", text=f"r{len(m)}", created=created, importance=imp, embedding=emb)
    return m


def reference_totals(m: MemoryStream, q: np.ndarray, now: int, s: RetrievalSettings) -> list:
    """The paper's formula in float64, one record at a time."""
    recs = [m.record(i) for i in range(len(m))]
    qn = q / np.linalg.norm(q)
    rec = [s.decay ** ((now - r.last_accessed) / H) for r in recs]
    imp = [float(r.importance) for r in recs]
    rel = [float(np.dot(m.embedding(r.id).astype(np.float64), qn)) for r in recs]

    def norm(xs):
        lo, hi = min(xs), max(xs)
        return [0.5] * len(xs) if hi - lo < 1e-9 else [(x - lo) / (hi - lo) for x in xs]

    parts = zip(norm(rec), norm(imp), norm(rel), strict=True)
    return [s.w_recency * a + s.w_importance * b + s.w_relevance * c for a, b, c in parts]


def test_recency_is_decay_power_of_game_hours_since_access():
    """Raw recency of a record accessed 10 game hours ago is 0.995**10, then min-max scaled."""
    m = stream_of([(T0, 5, unit(1, 0)), (T0 + 10 * H, 5, unit(1, 0)), (T0 + 20 * H, 5, unit(1, 0))])
    s = RetrievalSettings(w_importance=0, w_relevance=0)
    sc = m.scores(unit(1, 0), T0 + 20 * H, s)
    assert sc.recency[1] == pytest.approx(0.995**10, rel=1e-6)
    assert np.allclose(sc.recency, 0.995 ** np.array([20, 10, 0]), rtol=1e-6)
    assert np.allclose(sc.total, [0.0, (0.995**10 - 0.995**20) / (1 - 0.995**20), 1.0], atol=1e-5)
    assert m.retrieve(unit(1, 0), T0 + 20 * H, s) == [2, 1, 0]


def test_weights_and_normalisation_combine():
    """Each component is min-max normalised and weighted; a zero weight removes it."""
    m = stream_of([(0, 10, unit(0, 1)), (0, 1, unit(1, 0)), (0, 4, unit(1, 1))])
    q = unit(1, 0)
    sc = m.scores(q, 0)
    rel = np.array([0.0, 1.0, math.sqrt(0.5)])
    assert np.allclose(sc.relevance, rel, atol=1e-6)
    assert np.allclose(sc.total, 0.5 + np.array([1.0, 0.0, 1 / 3]) + rel, atol=1e-5)
    assert np.allclose(m.scores(q, 0, RetrievalSettings(w_importance=0)).total, 0.5 + rel)
    assert m.retrieve(q, 0, RetrievalSettings(w_relevance=0), touch=False)[0] == 0
    assert m.retrieve(q, 0, RetrievalSettings(w_importance=0), touch=False)[0] == 1
    heavy = RetrievalSettings(w_importance=3, w_relevance=1)
    assert np.allclose(m.scores(q, 0, heavy).total, 0.5 + 3 * np.array([1, 0, 1 / 3]) + rel)


def test_retrieval_matches_float64_reference():
    """On random records the ranking equals the paper's formula computed record by record."""
    rng = np.random.default_rng(3)
    m = MemoryStream(16)
    for i in range(400):
        m.add(
            kind="observation",
            text=str(i),
            created=T0 + int(rng.integers(0, 48 * H)),
            importance=int(rng.integers(1, 11)),
            embedding=rng.standard_normal(16),
        )
    q = rng.standard_normal(16)
    now = T0 + 50 * H
    for s in (RetrievalSettings(), RetrievalSettings(w_recency=0.5, w_relevance=2.0, k=50)):
        ref = np.array(reference_totals(m, q, now, s))
        got = m.retrieve(q, now, s, touch=False)
        assert np.allclose(m.scores(q, now, s).total, ref, atol=1e-5)
        assert len(got) == s.k and np.all(np.diff(ref[got]) <= 1e-5)
        rest = np.setdiff1d(np.arange(len(m)), got)
        assert ref[got].min() >= ref[rest].max() - 1e-5


def test_all_equal_components_score_half_and_ties_prefer_recent():
    """Identical records score 0.5 per component; the newest comes first, also at the cut."""
    m = stream_of([(0, 5, unit(0.3, 0.7))] * 40)
    sc = m.scores(unit(1, 0), 0)
    assert np.all(sc.total == np.float32(1.5))
    assert m.retrieve(unit(1, 0), 0, RetrievalSettings(k=3)) == [39, 38, 37]


def test_top_k_is_exact_on_large_sets_with_ties():
    """The sampled shortcut for large sets picks exactly what a full sort would."""
    rng = np.random.default_rng(0)
    misleading = rng.random(32_768).astype(np.float32)
    misleading[::32] += 2  # every sampled value beats the rest: the guess keeps too few
    for values in (
        misleading,
        rng.random(50_000).astype(np.float32),
        rng.integers(0, 7, 50_000).astype(np.float32),  # huge ties
        np.sort(rng.random(50_000)).astype(np.float32),  # best all at the end
        np.sort(rng.random(50_000))[::-1].astype(np.float32),  # best all at the start
    ):
        for k in (1, 30, 700):
            expect = np.lexsort((-np.arange(values.size), -values))[:k]
            assert np.array_equal(top_k(values, k), expect)


def test_retrieval_marks_last_access():
    """Returned records get last-accessed = now, others keep theirs; touch=False leaves all."""
    m = stream_of([(0, 9, unit(1, 0)), (0, 1, unit(0, 1))])
    assert m.retrieve(unit(1, 0), 5 * H, RetrievalSettings(k=1)) == [0]
    assert m.record(0).last_accessed == 5 * H and m.record(1).last_accessed == 0
    m.retrieve(unit(1, 0), 6 * H, RetrievalSettings(k=1), touch=False)
    assert m.record(0).last_accessed == 5 * H
    assert m.scores(unit(1, 0), 6 * H).recency[0] == pytest.approx(0.995)


def test_top_k_order_and_kind_filter():
    """k records come back in descending score, filtered by kind when asked."""
    m = MemoryStream(2)
    for i in range(40):
        m.add(
            kind="chat" if i % 4 == 0 else "observation",
            text=str(i),
            created=i,
            importance=1 + i % 10,
            embedding=unit(1, i / 40),
        )
    got = m.retrieve(unit(1, 0), 100, touch=False)
    total = m.scores(unit(1, 0), 100).total
    assert len(got) == 30 and np.all(np.diff(total[got]) <= 0)
    chats = m.retrieve(unit(1, 0), 100, kinds=["chat"])
    assert len(chats) == 10 and all(m.record(i).kind == "chat" for i in chats)
    with pytest.raises(ValueError, match="unknown memory kinds"):
        m.retrieve(unit(1, 0), 100, kinds=["dream"])


def test_bad_queries_and_times_are_refused():
    """A query of the wrong size or non-finite, or a time before the last access, is refused."""
    m = stream_of([(10 * H, 5, unit(1, 0))])
    with pytest.raises(ValueError, match="3 dimensions"):
        m.retrieve(unit(1, 0, 0), 10 * H)
    with pytest.raises(ValueError, match="NaN"):
        m.retrieve(np.array([np.nan, 1.0]), 10 * H)
    with pytest.raises(ValueError, match="earlier than"):
        m.retrieve(unit(1, 0), 9 * H)
    with pytest.raises(TypeError, match="game seconds"):
        m.retrieve(unit(1, 0), 10.5)
    assert m.retrieve(np.zeros(2), 11 * H) == [0]  # a zero query: relevance ties at 0.5
    assert MemoryStream(2).retrieve(unit(1, 0), 0) == []


def test_settings_are_validated():
    """Negative weights, a decay outside (0, 1] and k < 1 are refused with the field name."""
    with pytest.raises(ValueError, match="w_recency"):
        RetrievalSettings(w_recency=-1)
    with pytest.raises(ValueError, match="decay"):
        RetrievalSettings(decay=1.5)
    with pytest.raises(ValueError, match="k must"):
        RetrievalSettings(k=0)


def test_grows_by_doubling():
    """Columns double when full and keep every record and embedding."""
    m = MemoryStream(2, capacity=4)
    for i in range(9):
        m.add(kind="observation", text=str(i), created=i, importance=1, embedding=unit(1, i))
    assert m.capacity == 16 and len(m) == 9 and m.record(8).text == "8"
    assert np.allclose(m.embedding(3), unit(1, 3)) and m.record(5).created == 5
    with pytest.raises(IndexError, match="no memory 9"):
        m.record(9)


def test_thought_depth_and_evidence():
    """Depth is 1 + the deepest evidence; evidence must name earlier records."""
    m = stream_of([(0, 5, unit(1, 0)), (0, 5, unit(0, 1))])
    t1 = m.add(
        kind="thought",
        subkind="reflection",
        text="t1",
        created=1,
        importance=6,
        embedding=unit(1, 1),
        evidence=[0, 1],
    )
    t2 = m.add(
        kind="thought",
        subkind="reflection",
        text="t2",
        created=2,
        importance=7,
        embedding=unit(1, 1),
        evidence=[t1, 0],
        triple=("Isabella", "plans", "party"),
    )
    plan = m.add(
        kind="thought", subkind="plan", text="p", created=3, importance=3, embedding=[1, 0]
    )
    assert [m.record(i).depth for i in (0, t1, t2, plan)] == [0, 1, 2, 1]
    assert m.record(t2).evidence == (t1, 0)
    assert m.record(t2).triple == ("Isabella", "plans", "party")
    base = dict(text="x", created=3, importance=5, embedding=unit(1, 0))
    for bad, match in (
        (dict(kind="thought", subkind="memo", evidence=[len(m)]), "earlier records"),
        (dict(kind="thought", subkind="memo", evidence=[-1]), "earlier records"),
        (dict(kind="observation", evidence=[0]), "only thoughts cite"),
        (dict(kind="thought"), "needs a subkind"),
        (dict(kind="chat", subkind="memo"), "only thoughts have"),
        (dict(kind="dream"), "memory kind"),
        (dict(kind="thought", subkind="plan", triple=("a", "b")), "triple"),
    ):
        with pytest.raises(ValueError, match=match):
            m.add(**{**base, **bad})
    with pytest.raises(ValueError, match="1..10"):
        m.add(kind="observation", text="x", created=3, importance=11, embedding=unit(1, 0))
    with pytest.raises(TypeError, match="importance"):
        m.add(kind="observation", text="x", created=3, importance=2.5, embedding=unit(1, 0))
    with pytest.raises(ValueError, match="NaN"):
        m.add(kind="observation", text="x", created=3, importance=2, embedding=[np.inf, 0])
    assert len(m) == 5  # nothing half-stored by the refused adds


def test_recent_duplicates_and_listing():
    """Only the latest `retention` observation texts count as duplicates; listings by kind."""
    m = MemoryStream(2, retention=2)
    for text in ("a", "b", "c"):
        m.add(kind="observation", text=text, created=0, importance=4, embedding=unit(1, 0))
    m.add(kind="chat", text="a", created=0, importance=4, embedding=unit(1, 0))
    assert m.is_recent_duplicate("c") and m.is_recent_duplicate("b")
    assert not m.is_recent_duplicate("a")  # the chat does not count, "a" left the window
    assert m.is_recent_duplicate("a", window=3) and not m.is_recent_duplicate("c", window=0)
    assert m.seen_recently("b")
    assert m.ids_by_kind("observation") == [0, 1, 2] and m.ids_by_kind("chat") == [3]
    assert m.recent(2) == [2, 3] and m.recent(2, kinds=["observation"]) == [1, 2]
    assert m.recent(10, kinds=["chat", "observation"]) == [0, 1, 2, 3] and m.recent(0) == []


def test_importance_accumulates_until_reflection():
    """Observations and chats add their importance; thoughts do not; mark_reflected resets."""
    m = MemoryStream(2)
    m.add(kind="observation", text="o", created=0, importance=4, embedding=unit(1, 0))
    m.add(kind="chat", text="c", created=0, importance=7, embedding=unit(1, 0))
    m.add(kind="thought", subkind="memo", text="t", created=0, importance=9, embedding=unit(1, 0))
    assert m.importance_since_reflection == 11
    m.mark_reflected()
    assert m.importance_since_reflection == 0


def test_state_round_trip():
    """A restored stream has equal columns, retrieves identically and continues identically."""
    rng = np.random.default_rng(1)
    m = MemoryStream(8, retention=3)
    for i in range(100):
        m.add(
            kind=("observation", "chat")[i % 2],
            text=f"m{i}",
            created=T0 + i * 60,
            importance=1 + i % 10,
            embedding=rng.standard_normal(8),
            source="whisper" * (i == 5),
        )
    m.add(
        kind="thought",
        subkind="reflection",
        text="insight",
        created=T0 + 7000,
        importance=8,
        embedding=rng.standard_normal(8),
        evidence=[1, 5],
        triple=("a", "b", "c"),
    )
    m.retrieve(rng.standard_normal(8), T0 + 9000)
    state = json.loads(json.dumps(m.to_state()))  # survives a JSON checkpoint
    r = MemoryStream.from_state(state)
    assert (len(r), r.capacity, r.dim, r.retention) == (len(m), m.capacity, m.dim, m.retention)
    assert r.importance_since_reflection == m.importance_since_reflection
    for i in range(len(m)):
        assert r.record(i) == m.record(i)
        assert np.array_equal(r.embedding(i), m.embedding(i))
    for kind in ("observation", "thought", "chat"):
        assert r.ids_by_kind(kind) == m.ids_by_kind(kind)
    for _ in range(3):
        q = rng.standard_normal(8)
        assert np.array_equal(r.scores(q, T0 + 10_000).total, m.scores(q, T0 + 10_000).total)
        assert r.retrieve(q, T0 + 10_000) == m.retrieve(q, T0 + 10_000)
    assert r.is_recent_duplicate("m98") and not r.is_recent_duplicate("m92")
    e = rng.standard_normal(8)
    add = dict(kind="observation", text="new", created=T0 + 11_000, importance=3, embedding=e)
    assert r.add(**add) == m.add(**add) and r.to_state() == m.to_state()


def test_damaged_state_is_refused_with_a_reason():
    """from_state names the missing or malformed part instead of failing deep inside numpy."""
    m = stream_of([(0, 5, unit(1, 0)), (0, 6, unit(0, 1))])
    good = m.to_state()
    for broken, match in (
        ({k: v for k, v in good.items() if k != "text"}, "missing keys"),
        ({**good, "text": ["only one"]}, "'text' must be a list of 2"),
        ({**good, "arrays": "not base64!"}, "'arrays'"),
        ({**good, "dim": 3}, "shape"),
        ([1, 2], "expected a dict"),
    ):
        with pytest.raises(ValueError, match=match):
            MemoryStream.from_state(broken)
