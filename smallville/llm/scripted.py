"""The scripted model: deterministic, offline answers to every task kind.

It reads a task's inputs (never the rendered prompt) and answers with plausible,
schema-valid output: schedules that follow the persona's lifestyle, places matched
to the activity, importance from the content, reflections on recurring themes,
utterances that pass on what the speaker finds most important (so news spreads
between agents without a model). Randomness comes only from a generator seeded by
(seed, task key), so the same inputs give the same output. It is what tests, CI and
a machine without a model endpoint use.
"""

from __future__ import annotations

import hashlib
import logging
import math
import random
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Protocol

import numpy as np
from pydantic import BaseModel

from smallville.llm import schemas as k
from smallville.llm import scripted_eval as evals
from smallville.llm import scripted_interview as interviews
from smallville.llm import scripted_plans as plans
from smallville.llm import scripted_rules as r
from smallville.llm import scripted_towns as towns
from smallville.llm.embed import local_embedder
from smallville.llm.scripted_households import town_household
from smallville.llm.scripted_profile import PROFILE
from smallville.llm.sense_shared import norm
from smallville.llm.task import Completion, PromptTask
from smallville.llm.templates import render
from smallville.llm.text_times import clock, hour_of

log = logging.getLogger("smallville.llm")


class Embedder(Protocol):
    def embed(self, texts: Sequence[str]) -> np.ndarray: ...


class ScriptedModel:
    """A ``Model`` that needs no network and no weights (name ``"scripted"``)."""

    name = "scripted"

    def __init__(self, seed: int = 0, embedder: Embedder | None = None) -> None:
        self.seed = seed
        self._embedder = embedder

    async def run(self, task: PromptTask) -> Completion:
        answer = _ANSWERS.get(task.kind)
        if answer is None:
            raise KeyError(f"scripted model: unknown task kind {task.kind!r}; known: {_KNOWN}")
        prompt_tokens = estimate_tokens(render(task))
        digest = hashlib.sha256(f"{self.seed}:{task.key()}".encode()).digest()
        rng = random.Random(int.from_bytes(digest[:8], "big"))
        try:
            value = task.verify(answer(task.inputs, rng).model_dump())
        except ValueError as e:  # ValidationError, ChoiceError and SenseError included
            log.warning("scripted %s: no valid answer (%s); using the fallback", task.kind, e)
            return Completion(
                value=task.fallback,
                prompt_tokens=prompt_tokens,
                outcome="fallback",
                check=getattr(e, "check", "schema"),
                error=str(e)[:500],
                mode="scripted",
            )
        raw = value.model_dump_json()
        return Completion(
            value=value,
            raw=raw,
            prompt_tokens=prompt_tokens,
            completion_tokens=estimate_tokens(raw),
            mode="scripted",
        )

    async def embed(self, texts: Sequence[str]) -> np.ndarray:
        if self._embedder is None:
            self._embedder = local_embedder()
        return self._embedder.embed(texts)


def estimate_tokens(text: str) -> int:
    """About four characters a token for English prose (no tokenizer offline)."""
    return max(1, math.ceil(len(text) / 4))


# ------------------------------------------------------------------- memory
def importance(i: k.ImportanceIn, rng: random.Random) -> k.Importance:
    bump = 1 if i.kind == "chat" else 0
    return k.Importance(scores=[min(10, r.poignancy(t) + bump) for t in i.texts])


_GENERIC = {"idle", "used", "currently", "something", "nothing", "thing", "things", "time",
            "conversed", "talked", "said", "told", "people", "day", "going", "hear", "heard",
            "thanks", "telling", "interesting", "anyway", "get", "see", "soon", "good", "know",
            "well", "think", "yes", "hadn't", "i'm", "that's"}  # fmt: skip


def _themes(records: Sequence[k.MemoryBrief], name: str) -> tuple[Counter, Counter]:
    """(people, topics): how many records mention each other person and content word."""
    people: Counter = Counter()
    topics: Counter = Counter()
    for m in records:
        found = {n for n in r.names_in(m.text) if n != name}
        # sorted: Counter keeps insertion order for ties, and set order changes with
        # every process's string hashing
        people.update(sorted(found))
        skip = set(r.words(" ".join(found | {name})))
        topics.update(
            sorted(
                {w for w in r.words(m.text) if w not in skip | _GENERIC and not w.endswith("ing")}
            )
        )
    return people, topics


def reflection_questions(i: k.ReflectionQuestionsIn, rng: random.Random) -> k.ReflectionQuestions:
    name = i.persona.name
    people, topics = _themes(i.records, name)
    questions = []
    for person, _ in people.most_common(2):
        questions.append(
            rng.choice(
                [
                    f"What is {name}'s relationship with {person}?",
                    f"How does {name} feel about {person}?",
                ]
            )
        )
    for topic, _ in topics.most_common(3 - len(questions)):
        questions.append(
            rng.choice(
                [
                    f"What does {name} think about the {topic}?",
                    f"Why does the {topic} matter to {name}?",
                ]
            )
        )
    return k.ReflectionQuestions(questions=questions or [f"What matters most to {name} lately?"])


def insights(i: k.InsightsIn, rng: random.Random) -> k.Insights:
    name = i.persona.name
    if not i.records:
        raise ValueError("insights: no records offered to cite as evidence")
    asked = set(r.words(i.question)) - set(r.words(name))
    records = sorted(
        i.records, key=lambda m: (-len(asked & set(r.words(m.text))), -m.importance, m.id)
    )
    people, topics = _themes(records, name)
    focus = [n for n in r.names_in(i.question) if n != name]
    out: list[k.Insight] = []
    for person in focus + [p for p, c in people.most_common(3) if c >= 2 and p not in focus]:
        cited = _citing(records, person)
        if cited:
            how = ["knows", "often sees", "spends a lot of time with"][min(len(cited), 3) - 1]
            out.append(_insight(f"{name} {how} {person}", cited))
    for m in [m for m in records if m.importance >= 6][:2]:
        text = m.text.rstrip(".")
        said = text if text.startswith(r.first_name(name)) else f"{name} knows that {text}"
        out.append(_insight(said, [m]))
    for topic, count in topics.most_common(2):
        if count >= 2:
            phrase = rng.choice(["keeps coming back to", "cares about", "is often busy with"])
            out.append(_insight(f"{name} {phrase} the {topic}", _citing(records, topic)))
    if not out:
        out.append(_insight(f"{name} has a steady routine", records[:3]))
    return k.Insights(insights=_unique(out)[:5])


def _citing(records: Sequence[k.MemoryBrief], word: str) -> list[k.MemoryBrief]:
    return [m for m in records if word.lower() in m.text.lower()][:3]


def _insight(text: str, evidence: Sequence[k.MemoryBrief]) -> k.Insight:
    return k.Insight(text=r.clip(text, 300), evidence=[m.id for m in evidence[:3]])


def _unique(items: list[k.Insight]) -> list[k.Insight]:
    seen: set[str] = set()
    return [x for x in items if not (x.text in seen or seen.add(x.text))]


# ------------------------------------------------------------ social behaviour
def react(i: k.ReactIn, rng: random.Random) -> k.Reaction:
    me, other = i.persona.name, i.other
    if not other:
        return _reaction("continue", "nothing that needs a response")
    if i.asleep_other or r.matches(i.other_action or "", ("sleep",)):
        return _reaction("continue", f"{other} is asleep")
    shared = [t for t in PROFILE.single_use_objects if t in i.current_action.lower()]
    shared = [t for t in shared if t in (i.other_action or "").lower()]
    if shared:
        return _reaction("wait", f"{other} is using the {shared[0]}")
    if r.matches(i.current_action, ("sleep",)):
        return _reaction("continue", f"{me} is asleep")
    chance = 0.05 if _talked_recently(i.memories, other, i.now) else 0.35
    if any(m.importance >= 6 for m in i.memories):
        chance += 0.25  # something worth telling
    if any(r.first_name(other) in m.text for m in i.memories):
        chance += 0.15  # an acquaintance, not a stranger
    if rng.random() < chance:
        return _reaction("talk", f"{me} wants to catch up with {other}")
    return _reaction("continue", f"{me} is busy {i.current_action}")


def _reaction(decision: str, reason: str) -> k.Reaction:
    return k.Reaction(decision=decision, reason=r.clip(reason, 200))


def _talked_recently(memories: Sequence[k.MemoryBrief], other: str, now: str) -> bool:
    """A chat with ``other`` in the memories within the last two game hours."""
    first = r.first_name(other)
    chats = [m for m in memories if first in m.text and (m.kind == "chat" or "convers" in m.text)]
    when = _moment(now)
    if when is None:
        return bool(chats)
    return any(
        (t := _moment(m.created)) is None or 0 <= (when - t).total_seconds() <= 2 * 3600
        for m in chats
    )


def _moment(text: str) -> datetime | None:
    try:
        return datetime.strptime(text[:16], "%Y-%m-%d %H:%M")
    except ValueError:
        return None


def _news(memories: Sequence[k.MemoryBrief], transcript: Sequence[k.Turn]) -> list[k.MemoryBrief]:
    """Memories worth passing on that the conversation has not covered yet."""
    said = set(r.words(" ".join(t.text for t in transcript)))
    out = []
    for m in sorted(memories, key=lambda m: (-m.importance, -m.id)):
        content = set(r.words(m.text))
        if m.importance >= 5 and content and len(content & said) < 0.6 * len(content):
            out.append(m)
    return out


_ACKS = [
    "Oh, that's good to know!",
    "Really? Thanks for telling me.",
    "Interesting, I hadn't heard.",
]


_BYE = "It was nice talking to you. See you soon!"


def utterance(i: k.UtteranceIn, rng: random.Random) -> k.Utterance:
    me = i.persona.name
    mine = sum(t.speaker == me for t in i.transcript)
    news = _news(i.memories, i.transcript)
    last = i.transcript[-1] if i.transcript else None
    heard_news = bool(last and last.speaker != me and "did you hear" in last.text.lower())
    parts = []
    if last is None:
        parts.append(f"Hi {r.first_name(i.listener)}!")
    elif last.speaker != me:
        if heard_news:
            parts.append(rng.choice(_ACKS))
        elif last.text.rstrip().endswith("?"):
            parts.append("I'm doing well, thanks." if mine == 0 else "I think so, yes.")
        elif mine == 0:
            parts.append(f"Good to see you, {r.first_name(i.listener)}.")
    if news:
        parts.append(f"Did you hear? {r.first_person(news[0].text, me, i.listener)}.")
    elif last is None:
        parts.append("How are you doing today?")
    # a scripted speaker keeps the round limit (k.is_last_turn) at half of max_rounds
    rounds_left = not k.is_last_turn(i.transcript, me, math.ceil(i.max_rounds / 2))
    end = not rounds_left or (not news and mine >= 1 and not heard_news)
    if end:
        parts.append("Anyway, I should get going. See you soon!" if parts else _BYE)
    text = r.clip(" ".join(parts), 400)
    said = {norm(t.text) for t in i.transcript}
    if norm(text) in said:  # nothing new to say: wrap up rather than repeat a line
        text, end = "Anyway, I should get going. See you soon!", True
        if norm(text) in said:
            text = f"Bye for now, {r.first_name(i.listener)}!"
    return k.Utterance(text=text, end=end)


def summarize_conversation(
    i: k.SummarizeConversationIn, rng: random.Random
) -> k.ConversationSummary:
    me = i.persona.name
    told = [
        r.third_person(_told(t.text), t.speaker, i.other if t.speaker == me else me)
        for t in i.transcript
        if "Did you hear? " in t.text
    ]
    news = [t for t in told if r.poignancy(t) >= 5] or told
    said = news or [t.text for t in i.transcript]
    _, topics = _themes([k.MemoryBrief(id=n, text=t) for n, t in enumerate(said)], me)
    events = [e for e in dict.fromkeys(r.event_phrase(t) for t in news) if e]
    about = " and ".join(events[:2] or [w for w, _ in topics.most_common(2)])
    about = about or "how they are doing"
    memo = f"{me} conversed with {i.other} about {about}"
    if news:
        memo += ". They talked about this: " + " ".join(n.rstrip(".") + "." for n in news)
    thought = ""
    for line in news:
        phrase, h = r.event_phrase(line), hour_of(line)
        if phrase and h is not None:
            thought = f"{me} should go to {phrase} at {clock(h)}"
            break
    return k.ConversationSummary(memo=r.clip(memo, 300), planning_thought=r.clip(thought, 300))


def _told(text: str) -> str:
    """The news in a "Did you hear? ..." turn, without the small talk around it."""
    news = text.split("Did you hear? ", 1)[1]
    return news.split(". Anyway,", 1)[0].rstrip(".")


_ANSWERS: dict[str, Callable[[BaseModel, random.Random], BaseModel]] = {
    "wake_up_hour": plans.wake_up_hour,
    "daily_plan": plans.daily_plan,
    "hourly_schedule": plans.hourly_schedule,
    "decompose": plans.decompose,
    "choose_place": plans.choose_place,
    "importance": importance,
    "reflection_questions": reflection_questions,
    "insights": insights,
    "react": react,
    "utterance": utterance,
    "summarize_conversation": summarize_conversation,
    "interview": interviews.interview,
    "town_brief": towns.town_brief,
    "town_building": towns.town_building,
    "town_review": towns.town_review,
    "town_household": town_household,
    "eval_rate": evals.eval_rate,
    "eval_compare": evals.eval_compare,
}
_KNOWN = ", ".join(sorted(_ANSWERS))


def rule_answer(kind: str, inputs: BaseModel, output: type[BaseModel]) -> BaseModel | None:
    """What the scripted rules answer to ``inputs``: a default grounded in the persona
    (its wake time, routine, home and workplace) for a model's answer that failed its
    checks. None when the rules have no valid answer either."""
    digest = hashlib.sha256(inputs.model_dump_json().encode()).digest()
    try:
        return output.model_validate(
            _ANSWERS[kind](inputs, random.Random(int.from_bytes(digest[:8], "big"))).model_dump()
        )
    except (KeyError, ValueError):
        return None


__all__ = ["ScriptedModel", "estimate_tokens", "rule_answer"]
