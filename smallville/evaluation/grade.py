"""Graders: an answer checked against what the run log says, a score in [0, 1] or None
(None: the log cannot know, so the answer is not graded).

Text rules shared by the graders: a *content word* is a lower-case run of letters or
digits (a possessive "'s" dropped) that is not in ``STOP``, compared by its stem (a
trailing "ing", "ed", "es" or "s" removed from words of five letters or more). A
resident is *mentioned* when their full name or their first name appears as whole
words, case-insensitive. *Similar* means the cosine of two embeddings made by the
run's own embedder (``llm.embed``) is at least ``SIMILAR``; an answer is compared
sentence by sentence and as a whole, and the best cosine counts.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

SIMILAR = 0.6  # cosine at which a phrase counts as paraphrased (local 64-d embedder)
# reflections are long: the local embedder puts unrelated long texts up to ~0.75 apart
REFLECTION_SIMILAR = 0.8
NAME_PENALTY = 0.25  # taken off the names score per resident named who was not met
DENIALS = (
    "don't know",
    "do not know",
    "haven't heard",
    "have not heard",
    "no idea",
    "not aware",
    "don't remember",
    "do not remember",
    "not sure",
)
_STOP_WORDS = """a an the and or but if of at to in on for with by from about as is are was were be
    been being am i me my mine you your he him his she her they them their we us our it its
    this that these those there here what which who whom when where why how do does did
    doing done have has had will would can could should shall may might must not no yes so
    then than too very just also all any some up down out over into onto off s t today"""
STOP = frozenset(_STOP_WORDS.split())
_WORD = re.compile(r"[a-z0-9]+")
_SENTENCE = re.compile(r"(?<=[.!?;])\s+")


def stem(word: str) -> str:
    for suffix in ("ing", "ed", "es", "s"):
        if len(word) >= 5 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def content_words(text: str) -> set[str]:
    text = text.lower().replace("'s", "").replace("\u2019s", "")
    return {stem(w) for w in _WORD.findall(text) if w not in STOP}


def overlap(phrase: str, answer: str) -> float:
    """The share of ``phrase``'s content words found in ``answer`` (0 for none)."""
    words = content_words(phrase)
    return len(words & content_words(answer)) / len(words) if words else 0.0


def mentions(text: str, name: str) -> bool:
    """Is the resident ``name`` named in ``text`` (full or first name, whole words)?"""
    first = name.split()[0]
    return any(re.search(rf"\b{re.escape(n)}\b", text, re.IGNORECASE) for n in {name, first})


async def similarity(llm, phrases: Sequence[str], answer: str) -> list[float]:
    """For each phrase, its best cosine with the answer or one of its sentences."""
    if not phrases or not answer.strip():
        return [0.0] * len(phrases)
    parts = [answer, *(s for s in _SENTENCE.split(answer) if s.strip())]
    vectors = np.asarray(await llm.embed([*phrases, *parts]), np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    vectors = vectors / np.where(norms > 0, norms, 1)
    cos = vectors[: len(phrases)] @ vectors[len(phrases) :].T
    return [float(x) for x in cos.max(axis=1)]


# ------------------------------------------------------------------ the graders
def names(answer: str, truth: Sequence[str], residents: Sequence[str]) -> float:
    """Conversation partners. Recall: the share of ``truth`` (those the resident talked
    with that day) mentioned in the answer (1 when ``truth`` is empty), minus
    ``NAME_PENALTY`` for each other resident of ``residents`` (the resident itself
    excluded by the caller) who is mentioned but was not talked with; clipped to
    [0, 1]."""
    found = sum(mentions(answer, n) for n in truth) / len(truth) if truth else 1.0
    wrong = sum(mentions(answer, n) for n in residents if n not in truth)
    return min(1.0, max(0.0, found - NAME_PENALTY * wrong))


async def places(llm, answer: str, truth: Sequence[str]) -> float | None:
    """Sectors visited. The share of ``truth`` (the sectors of that day's actions)
    the answer names: a sector counts when at least half of its content words are in
    the answer, or when it is similar to the answer. None when ``truth`` is empty."""
    if not truth:
        return None
    cos = await similarity(llm, truth, answer)
    hits = [overlap(s, answer) >= 0.5 or c >= SIMILAR for s, c in zip(truth, cos, strict=True)]
    return sum(hits) / len(truth)


async def plan(llm, answer: str, truth: str | None) -> float | None:
    """The next scheduled activity. 1 when at least half of the activity's content
    words are in the answer or the activity is similar to the answer, else 0; None
    when the log has no next block."""
    if not truth:
        return None
    if overlap(truth, answer) >= 0.5:
        return 1.0
    return 1.0 if (await similarity(llm, [truth], answer))[0] >= SIMILAR else 0.0


def fact(answer: str, truth: dict) -> float:
    """A tracked fact. The answer says the resident knows it when it contains one of
    the fact's keywords (case-insensitive) and none of ``DENIALS``; 1 when that agrees
    with ``truth["knows"]`` (diffusion: the resident held a memory formed from the
    fact by the time asked), else 0."""
    low = answer.lower()
    says = any(w.lower() in low for w in truth["keywords"]) and not any(d in low for d in DENIALS)
    return 1.0 if says == bool(truth["knows"]) else 0.0


def self_knowledge(answer: str, truth: dict) -> float:
    """An introduction. 0.5 when the resident's name is mentioned, plus 0.5 when its
    age (as digits) or its workplace (at least half of the workplace sector's content
    words) is in the answer."""
    name = 0.5 if mentions(answer, truth["name"]) else 0.0
    age = re.search(rf"\b{int(truth['age'])}\b", answer) is not None
    work = bool(truth.get("workplace")) and overlap(truth["workplace"], answer) >= 0.5
    return name + (0.5 if age or work else 0.0)


async def reflections(llm, answer: str, truth: Sequence[str] | None) -> float | None:
    """What the resident learned about someone. 1 when the best cosine between some
    reflection in ``truth`` (its reflection thoughts naming that person) and the
    answer (or a sentence of it) is at least ``REFLECTION_SIMILAR``, else 0; None when
    it has no such reflection."""
    if not truth:
        return None
    best = max(await similarity(llm, list(truth), answer))
    return 1.0 if best >= REFLECTION_SIMILAR else 0.0


async def grade(llm, grader: str | None, answer: str, truth, residents: Sequence[str]):
    """The score of ``answer`` by the grader named ``grader`` (None: not graded)."""
    if grader is None or truth is None:
        return None
    if grader == "names":
        return names(answer, truth, residents)
    if grader == "places":
        return await places(llm, answer, truth)
    if grader == "plan":
        return await plan(llm, answer, truth)
    if grader == "fact":
        return fact(answer, truth)
    if grader == "self":
        return self_knowledge(answer, truth)
    if grader == "reflections":
        return await reflections(llm, answer, truth)
    raise ValueError(f"unknown grader {grader!r}")
