"""The scripted model's interview answers: a resident introduces itself from its
persona, and answers other questions from the memories shown, in the first person."""

from __future__ import annotations

import random
import re

from smallville.llm import schemas as k
from smallville.llm import scripted_rules as r

_INTRODUCE = re.compile(
    r"\bintroduc|\babout yourself\b|\bwho are you\b|\bdescribe yourself\b", re.IGNORECASE
)


def introduction(p: k.PersonaBrief) -> str:
    """Name, age, and the background's first clause, told in the first person (up to
    an "and" or ";": the rules turn the first verb into the first person, not the next)."""
    first = re.split(r" and |;", r.sentences(p.learned)[0])[0] if p.learned.strip() else ""
    told = f" {_capital(r.first_person(first, p.name))}." if first else ""
    traits = f" People would call me {p.innate}." if p.innate else ""
    return r.clip(f"I'm {p.name}, {p.age}.{told}{traits}", 1000)


def interview(i: k.InterviewIn, rng: random.Random) -> k.InterviewAnswer:
    """The resident answers from the memories shown, in the first person: the sentences
    that share words with the question first (a whispered memory among them), else
    what is on its mind. Memories cut short for the prompt are told to their last
    whole sentence or word."""
    me = i.persona.name
    if _INTRODUCE.search(i.question):
        return k.InterviewAnswer(answer=introduction(i.persona))
    asked = r.question_stems(i.question)
    told: dict[str, tuple[int, int, int, int]] = {}  # sentence -> rank, first seen first
    for order, m in enumerate(i.memories):
        # a conversation memo quotes the lines said ("You are planning..."): out of
        # their conversation they would be misread, and the news has its own memories
        text = r.whole_words(m.text).split(" They talked about this:", 1)[0]
        for said in r.sentences(text):
            line = r.first_person(said, me)
            if len(r.words(line)) < 2 or line.lower() in map(str.lower, told):
                continue
            told[line] = (-r.shared(asked, said), -m.importance, order, len(told))
    ranked = sorted(told, key=told.__getitem__)
    relevant = [t for t in ranked if told[t][0] < 0][:3]
    if relevant:
        opening = "Let me think." if len(relevant) > 1 else "Yes, I remember."
    else:  # nothing shares a word: say what is on one's mind (retrieval chose them)
        relevant = ranked[:2]
        opening = "Let me think about what has been on my mind."
    if not relevant:
        return k.InterviewAnswer(answer="I'm not sure. I don't remember anything about that.")
    said = " ".join(_capital(t) + "." for t in relevant)
    return k.InterviewAnswer(answer=r.clip(f"{opening} {said}", 1000))


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]
