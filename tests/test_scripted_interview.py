"""Issue 12, item 4: the scripted model's interview answers are whole words, depend on
the question, use a whispered memory, and stay in the first person."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest

from smallville.cli import main
from smallville.llm import schemas as k
from smallville.llm import scripted_rules as r
from smallville.llm.scripted_interview import interview
from smallville.llm.sense import check_sense

ROOT = Path(__file__).resolve().parents[1]
BEN = k.PersonaBrief(name="Ben Carter", age=41)
PARTY = "Ana Carter is planning a surprise party for Mei Tanaka on February 14 at 5 pm at the cafe"
MEMORIES = (
    # as `smallville interview` shows them: cut to 200 characters, mid-word
    k.MemoryBrief(id=0, text="Ben Carter is married to Ana Carter, a nurse", importance=8),
    k.MemoryBrief(
        id=1, text="Mei Tanaka owns the Corner Cafe; Ben photographs her pastries", importance=3
    ),
    k.MemoryBrief(
        id=2,
        text=(
            "Ben Carter conversed with Ana Carter about a surprise party. They talked about "
            "this: You are planning a surprise party for Mei Tanaka on February 14 at 5 pm at "
            "the cafe. Ana Carter is married to Ben Carter. Ben Carter is married to Ana Carter."
        )[:200],
        importance=9,
    ),
    k.MemoryBrief(
        id=3,
        text=(
            PARTY + ". The whole street is invited, and Ana asked that nobody tells Mei "
            "about it before the day, to keep the surprise"
        )[:200],
    ),
    k.MemoryBrief(
        id=4,
        text=(
            "This is Ben Carter's plan for Monday February 13, 2023: wake up and complete the "
            "morning routine at 7:00 am; have breakfast at 8:00 am; have coffee at the Corner "
            "Cafe at 10:00 am; have lunch at 12:00 pm; edit photos at 4:00 pm"
        )[:200],
        importance=3,
    ),
)


def ask(question: str, memories=MEMORIES) -> str:
    inputs = k.InterviewIn(
        persona=BEN, now="2023-02-13 12:00", question=question, memories=memories
    )
    answer = interview(inputs, random.Random(0))
    check_sense("interview", inputs, answer)  # first person, no full name
    return answer.answer


def words_of(text: str) -> set[str]:
    return set(re.findall(r"[A-Za-z']+", text))


KNOWN = words_of(" ".join(m.text for m in MEMORIES)) | words_of(
    "I me my Let think Yes remember Nothing about that comes to mind but here is what has "
    "been on am We talked it I'm not sure don't anything photograph"
)


@pytest.mark.parametrize(
    "question",
    [
        "Who is your wife?",
        "What do you know about Mei?",
        "Is anyone planning a party?",
        "What did you do today?",
        "Do you like football?",
    ],
)
def test_answers_are_whole_words_in_the_first_person(question):
    """No word cut mid-way (each is a whole word of the memories or of the phrasing)."""
    text = ask(question)
    # the words the 200-character cut left broken ("Ben C", "the surpris")
    broken = {m.text.split()[-1] for m in MEMORIES if len(m.text) == 200} - {"12:00"}
    assert broken == {"C", "surpris"}
    unknown = {w for w in words_of(text) if w not in KNOWN}
    assert not unknown and not broken & words_of(text), text
    assert "Ben Carter" not in text


def test_the_answer_depends_on_the_question():
    """Different questions pick the memories that share words with them."""
    wife, mei, party = (
        ask("Who is your wife?"),
        ask("What do you know about Mei?"),
        ask("Is anyone planning a surprise party?"),
    )
    assert len({wife, mei, party}) == 3
    assert "I am married to Ana Carter" in wife and "party" not in wife
    assert "Corner Cafe" in mei
    assert "surprise party for Mei Tanaka on February 14" in party


def test_a_cut_memory_is_told_to_its_last_whole_sentence_or_word():
    """'... February 14 fr' and '... married to Ben C' never reach the answer."""
    cut = "Ana Carter's party is on February 14 fr"
    assert r.whole_words(cut, shown=len(cut)) == "Ana Carter's party is on February 14"
    assert r.whole_words("A. Th", shown=5) == "A"
    assert r.whole_words("Ben Carter is married to Ana Carte…") == "Ben Carter is married to Ana"
    assert r.whole_words("a short whole memory.") == "a short whole memory"
    assert "fr" not in ask("When is the party?").split()


def test_a_whispered_memory_answers_the_question_it_is_about(tmp_path, capsys):
    """smallville run + whisper + resume + interview: the whisper is in the answer, in the
    first person, and another question gets another answer."""
    out = tmp_path / "cafe.sqlite"
    world = ["--world", str(ROOT / "worlds" / "cafe.json"), "--quiet"]
    assert main(["run", *world, "--hours", "0.2", "--out", str(out)]) == 0
    secret = "Mei Tanaka is secretly learning to play the violin for a concert"
    assert main(["whisper", str(out), "Ben Carter", secret]) == 0
    assert main(["run", "--resume", str(out), "--hours", "0.1", "--quiet"]) == 0
    capsys.readouterr()
    assert main(["interview", str(out), "Ben Carter", "Is Mei playing an instrument?"]) == 0
    violin = capsys.readouterr().out
    assert "learning to play the violin for a concert" in violin
    assert main(["interview", str(out), "Ben Carter", "Who is your wife?"]) == 0
    wife = capsys.readouterr().out
    assert "married to Ana Carter" in wife and "violin" not in wife
    for text in (violin, wife):
        answer = text.split("): ", 1)[1]
        assert re.search(r"\b(I|my|me)\b", answer) and "Ben Carter" not in answer


def test_an_interview_recalls_with_the_residents_own_stream(cafe_run):
    """At the end of a run an interview retrieves from the checkpointed stream, last
    access times as the run left them, so recency scores as it did for the resident;
    the log alone (last access taken as creation) ranks the same memories otherwise."""
    import asyncio
    from contextlib import closing

    from smallville.cognition.memory_keeper import Backlog, MemoryKeeper
    from smallville.cognition.settings import CognitionSettings
    from smallville.llm import LLM
    from smallville.llm.scripted import ScriptedModel
    from smallville.memory import MemoryStream
    from smallville.runfile import RunLog
    from smallville.sim.interventions import _stream_at, recall_at

    question, llm, settings = "What did you do today?", LLM(ScriptedModel()), CognitionSettings()
    persona, now, got = asyncio.run(recall_at(cafe_run, "ana carter", question, llm))
    with closing(RunLog.open(cafe_run, readonly=True)) as log:
        aid = next(a.id for a in log.agents() if a.name == "Ana Carter")
        saved = MemoryStream.from_state(log.states()[aid]["memory"])
        rebuilt = _stream_at(log, {}, aid, log.last_tick(), settings)  # no checkpoint: the log

    def recall(stream: MemoryStream) -> list[k.MemoryBrief]:
        keeper = MemoryKeeper(persona.brief(), settings, stream, Backlog(), [])
        return asyncio.run(keeper.recall(llm, question, now, settings.prompt_memories, False))

    records = [saved.record(i) for i in range(len(saved))]
    assert any(r.last_accessed != r.created for r in records)  # the run retrieved some
    assert got and got == recall(saved) and got != recall(rebuilt)


def test_an_introduction_comes_from_the_persona():
    """Asked to introduce itself, a resident gives its name, age and background in the
    first person, memories or not (the eval's self-knowledge questions)."""
    from smallville.cognition.persona import load_personas
    from smallville.llm.scripted_interview import interview

    for p in load_personas(ROOT / "agents" / "the_ville"):
        asked = k.InterviewIn(
            persona=p.brief(), now="", question="Give an introduction of yourself."
        )
        answer = interview(asked, random.Random(0))
        check_sense("interview", asked, answer)
        assert answer.answer.startswith(f"I'm {p.name}, {p.age}.")
        assert " he " not in answer.answer and " she " not in answer.answer, answer.answer
