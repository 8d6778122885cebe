"""Small text rules the scripted model reads its inputs and words its answers with.

Everything here is a pure function of strings, so the scripted answers stay
deterministic and easy to test. The English is here; what the town has (objects,
events, what matters) comes from the profile (``scripted_profile``), clock times
from ``text_times``.
"""

from __future__ import annotations

import re

from smallville.llm.schemas import MEMORY_BRIEF_CHARS
from smallville.llm.scripted_profile import PROFILE

_STOP_WORDS = """a an the and or but if of at to in on for with by from about as is are was were be
    been being it its this that these those he she they them his her their i me my we our
    you your what who whom which when where why how do does did has have had not no so than
    then there here very just also into over after before up down out will would can could
    should may might must shall today tomorrow yesterday tonight some any all each more most
    other such only own same too don now am pm lately recently really"""
STOP = set(_STOP_WORDS.split())


def words(text: str) -> list[str]:
    """Content words of ``text``, lower case, stop words dropped."""
    return [w for w in re.findall(r"[a-z']+", text.lower()) if w not in STOP and len(w) > 2]


def names_in(text: str) -> list[str]:
    """Capitalised two-word names ("Clara Bellini") in ``text``."""
    return re.findall(r"\b([A-Z][a-z]+ [A-Z][a-z]+)\b", text)


def first_name(name: str) -> str:
    """ "Clara Bellini" -> "Clara"; a blank name -> "there" (as in "Hi there")."""
    return (name.split() or ["there"])[0]


def poignancy(text: str) -> int:
    """A memory's importance by the profile's words; 3 (everyday) when it has none."""
    low = text.lower()
    return next((i.score for i in PROFILE.importance if any(k in low for k in i.words)), 3)


def matches(text: str, keys: tuple[str, ...]) -> bool:
    low = text.lower()
    return any(k in low for k in keys)


def emoji_for(text: str) -> str:
    return next((e.emoji for e in PROFILE.emoji if matches(text, e.words)), "🙂")


def clip(text: str, n: int) -> str:
    """``text`` cut to at most ``n`` characters, at a word boundary when possible."""
    text = " ".join(text.split())
    if len(text) <= n:
        return text
    cut = text[:n].rsplit(" ", 1)[0]
    return cut if len(cut) >= n // 2 else text[:n]


def event_phrase(text: str) -> str | None:
    """ "a Valentine's Day party at Hobbs Cafe" out of a sentence about an event."""
    low = text.lower()
    for w in PROFILE.event_words:
        i = low.find(w)
        if i < 0:
            continue
        starts = [low.rfind(a, 0, i) for a in (" a ", " the ", " an ", " her ", " his ")]
        start = max(starts)
        start = start + 1 if start >= 0 and i - start < 40 else i
        m = re.match(r"\w+(?: at (?:the )?[A-Z][\w']*(?: [A-Z][\w']*)*)?", text[i:])
        end = i + (len(m.group(0)) if m else len(w))
        return text[start:end].strip()
    return None


_TO_I = {"is": "am", "was": "was", "has": "have", "does": "do"}
_TO_YOU = {"is": "are", "was": "were", "has": "have", "does": "do"}


def _plain_verb(verb: str) -> str:
    """ "runs" -> "run", "watches" -> "watch", "goes" -> "go" (third person to first)."""
    if re.search(r"(?:sh|ch|x|ss|o)es$", verb):
        return verb[:-2]
    if verb.endswith("ies") and len(verb) > 4:
        return verb[:-3] + "y"
    return verb[:-1] if verb.endswith("s") and not verb.endswith("ss") else verb


def first_person(text: str, me: str, other: str = "") -> str:
    """``text`` as ``me`` would say it to ``other``: own name -> I, other's -> you."""
    out = text.strip().rstrip(".!")
    for name, subj, obj, poss, table in (
        (me, "I", "me", "my", _TO_I),
        (other, "you", "you", "your", _TO_YOU),
    ):
        name = " ".join(name.split())
        forms = [name, name.split()[0]] if " " in name else [name]
        start = subj[0].upper() + subj[1:]  # a sentence's subject: "I", "You"

        def as_subject(m: re.Match, start=start, table=table) -> str:
            verb = m.group(2)
            plain = table.get(verb) or (_plain_verb(verb) if len(verb) > 3 else verb)
            return f"{m.group(1)}{start} {plain}"

        for form in filter(None, forms):
            f = re.escape(form)
            out = re.sub(rf"\b{f}'s\b", poss, out)
            # the subject of a sentence or clause: at the start, or after . : ; ! ?
            out = re.sub(rf"(^|[.:;!?]\s+){f} ([a-z]+)\b", as_subject, out)
            out = re.sub(rf"(^|[.:;!?]\s+){f}\b", rf"\g<1>{start}", out)
            # mid-sentence before "is", "was", "has", "does": still the subject
            out = re.sub(
                rf"\b{f} ({'|'.join(table)})\b",
                lambda m, s=subj, t=table: f"{s} {t[m.group(1)]}",
                out,
            )
            out = re.sub(rf"\b{f}\b", obj, out)
    return out


# Memories shown to a model may be cut to this many characters, possibly mid-word.
SHOWN_CHARS = MEMORY_BRIEF_CHARS
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
_CLAUSE_END = re.compile(r"(?<=;)\s+")
_DANGLING = STOP | {"s"}


def whole_words(text: str, shown: int = SHOWN_CHARS) -> str:
    """``text`` without a cut-off tail: a memory shortened for a prompt ("... on
    February 14 fr", "... married to Ben C…") ends at its last whole sentence, or
    else at its last whole word (dropping words left dangling: "on", "the")."""
    out = " ".join(text.split())
    cut = out.endswith(("…", "...")) or len(text) >= shown
    if not cut:
        return out.rstrip(" .!;")
    out = out.rstrip("….").rstrip()
    for boundary in (_SENTENCE_END, _CLAUSE_END):
        parts = boundary.split(out)
        if len(parts) > 1:
            return " ".join(parts[:-1]).rstrip(" .!;")
    kept = out.split()[:-1]  # the last word may be a fragment
    while kept and kept[-1].lower().strip(",:;") in _DANGLING:
        kept.pop()
    return " ".join(kept).rstrip(",:; ")


def sentences(text: str) -> list[str]:
    """The sentences of ``text``, each without its final stop."""
    return [t.rstrip(" .!;") for t in _SENTENCE_END.split(text.strip()) if t.strip(" .!;")]


# Words of a question that a memory says differently ("your wife" -> "married").
_ASKED_AS = {
    "wife": ("married", "wife"), "husband": ("married", "husband"),
    "married": ("married", "wife", "husband"), "family": ("married", "daughter", "son"),
    "job": ("work", "works", "working", "job"), "work": ("work", "works", "working", "job"),
    "day": ("plan", "day"), "doing": ("plan",), "plans": ("plan", "planning"),
    "plan": ("plan", "planning"), "planning": ("plan", "planning"),
    "celebration": ("party", "celebration"), "party": ("party", "celebration"),
    "event": PROFILE.event_words, "events": PROFILE.event_words,
}  # fmt: skip
_QUESTION_WORDS = {"know", "think", "tell", "anything", "anyone", "someone", "hear", "heard"}


def stem(word: str) -> str:
    """A crude stem, enough to match "parties" with "party", "planned" with "planning"."""
    w = word.lower().removesuffix("'s")
    for end, to in (("ies", "y"), ("ing", ""), ("ed", ""), ("es", ""), ("s", "")):
        if w.endswith(end) and len(w) - len(end) >= 3:
            return w[: len(w) - len(end)] + to
    return w


def question_stems(question: str) -> set[str]:
    """What a question is about, as stems, with the words memories use for it."""
    asked = [w for w in words(question) if w not in _QUESTION_WORDS]
    out = {stem(w) for w in asked}
    for w in asked:
        out.update(stem(x) for x in _ASKED_AS.get(w, ()))
    if re.search(r"\btoday\b|\bthis morning\b", question, re.IGNORECASE):
        out.add("plan")
    return out


def shared(question: set[str], text: str) -> int:
    """How many of the question's stems ``text`` uses."""
    return len(question & {stem(w) for w in words(text)})


_FROM_I = {"am": "is", "was": "was", "have": "has", "do": "does", "'m": "is"}
_MODALS = {"will", "would", "can", "could", "should", "must", "might", "may", "had", "did"}
# past tenses take no -s: "I told" -> "Ann told", not "Ann tolds"
_PAST = {"went", "told", "heard", "saw", "met", "said", "made", "thought", "got", "came",
         "took", "knew", "found", "left", "felt", "gave", "ran", "ate", "bought", "brought",
         "spent", "wrote", "sent", "began", "forgot", "kept", "lost", "won"}  # fmt: skip


def _past(verb: str) -> bool:
    """Regular past tense ("talked"), not a present ending in -eed ("need", "feed")."""
    return verb.endswith("ed") and not verb.endswith("eed")


def third_person(text: str, speaker: str, listener: str) -> str:
    """``text`` said by ``speaker`` to ``listener``, retold with their names."""

    def subject(m: re.Match) -> str:
        verb = m.group(2)
        if verb in _FROM_I:
            verb = _FROM_I[verb]
        elif verb not in _MODALS | _PAST and not verb.endswith("ly") and not _past(verb):
            verb += "es" if re.search(r"(?:sh|ch|x|ss|o)$", verb) else "s"
        return f"{m.group(1)} {verb}"

    out = re.sub(r"\bI('m| [a-z]+\b)", lambda m: f"I {m.group(1).strip()}", text.strip())
    out = re.sub(r"\b(I) ([a-z']+)\b", lambda m: subject(m).replace("I", speaker, 1), out)
    out = re.sub(r"\byou are\b", f"{listener} is", out)
    for pattern, repl in ((r"\bmy\b", f"{speaker}'s"), (r"\bI\b", speaker), (r"\bme\b", speaker),
                          (r"\byour\b", f"{listener}'s"), (r"\byou\b", listener)):  # fmt: skip
        out = re.sub(pattern, repl, out)
    return out


_IRREGULAR = {"be": "being", "go": "going", "do": "doing", "see": "seeing", "lie": "lying"}
_NOT_VERBS = {"a", "an", "the", "my", "her", "his", "their", "our", "your", "some", "this", "that"}
_PREPOSITIONS = ("out of", "for", "on", "at", "to", "with", "in", "into", "about", "from")


def gerund(phrase: str) -> str:
    """ "call her mother and have tea" -> "calling her mother and having tea"."""
    return " and ".join(_gerund_clause(c) for c in phrase.strip().split(" and "))


def _gerund_clause(clause: str) -> str:
    verb, sep, rest = clause.partition(" ")
    low = verb.lower()
    if not verb.isalpha() or not verb.islower() or low.endswith("ing") or low in _NOT_VERBS:
        return clause
    if low in _IRREGULAR:
        ing = _IRREGULAR[low]
    elif low.endswith("ie"):
        ing = low[:-2] + "ying"
    elif low.endswith("e") and not low.endswith(("ee", "ye", "oe")):
        ing = low[:-1] + "ing"
    elif len(low) <= 4 and re.fullmatch(r"[^aeiou]*[aeiou][bdgmnprt]", low):
        ing = low + low[-1] + "ing"  # shop -> shopping, plan -> planning
    else:
        ing = low + "ing"
    return ing + sep + rest


def triple(name: str, activity: str, fallback_object: str) -> tuple[str, str, str]:
    """(subject, predicate, object) of "<name> is <activity>"."""
    verb, _, rest = gerund(activity).split(" and ")[0].partition(" ")
    if not verb.endswith("ing"):
        return name, "is doing", activity or fallback_object
    for prep in _PREPOSITIONS:
        if rest.startswith(prep + " "):
            return name, f"is {verb} {prep}", rest[len(prep) + 1 :] or fallback_object
    return name, f"is {verb}", rest or fallback_object
