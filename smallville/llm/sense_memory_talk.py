"""Sense checks of the kinds about memory and people: reflection questions, insights,
reactions, utterances, conversation summaries and interview answers.

What each must satisfy is listed in ``sense``.
"""

from __future__ import annotations

import re

from smallville.llm import schemas as k
from smallville.llm.sense_shared import fail, is_script, norm, quote

# The examples the prompts show; an answer that copies them back is not an answer.
SUMMARY_EXAMPLE = "I should go to the party at the cafe at 5 pm"
INSIGHT_EXAMPLE = "Ann is dedicated to her research"


# ------------------------------------------------------------------ reflection
def reflection_questions(i: k.ReflectionQuestionsIn, v: k.ReflectionQuestions) -> None:
    wh = ("what", "who", "why", "how", "when", "where", "which", "is ", "are ", "does ", "do ")
    for q in v.questions:
        if not (q.strip().endswith("?") or q.strip().lower().startswith(wh)):
            fail("questions_form", f"{quote(q)} is not a question")
    if len({norm(q) for q in v.questions}) < len(v.questions):
        fail("questions_repeat", "the questions must all be different")


def insights(i: k.InsightsIn, v: k.Insights) -> None:
    for x in v.insights:
        if norm(x.text) in (norm(i.question), norm(INSIGHT_EXAMPLE)) or not norm(x.text):
            fail(
                "insight_copied",
                f"{quote(x.text)} restates the question or the prompt's example; "
                "state something the statements show",
            )
    if len({norm(x.text) for x in v.insights}) < len(v.insights):
        fail("insight_repeat", "the insights must all be different")


# ------------------------------------------------------------------ people
def react(i: k.ReactIn, v: k.Reaction) -> None:
    if v.decision == "talk" and i.asleep_other:
        fail("react_asleep", f"{i.other} is asleep: {i.persona.name} cannot talk with them")


def utterance(i: k.UtteranceIn, v: k.Utterance) -> None:
    speaker = i.persona.name
    text = v.text.strip()
    if not norm(text):
        fail("utterance_empty", f"say something: the line for {speaker} is empty")
    if is_script(text, (speaker, i.listener)) or "conversation so far" in text.lower():
        fail(
            "utterance_voice",
            f"{quote(text)} reads like a script; write only the words {speaker} says next, "
            "without any name and colon before them",
        )
    if speaker.lower() in text.lower():
        fail(
            "utterance_voice",
            f"{quote(text)} speaks of {speaker} by name; {speaker} is the one speaking "
            "and says 'I'",
        )
    said = {norm(t.text) for t in i.transcript}
    if norm(text) in said:
        fail(
            "utterance_repeat",
            f"{quote(text)} was already said; respond to the last line with something new",
        )


def summarize_conversation(i: k.SummarizeConversationIn, v: k.ConversationSummary) -> None:
    if is_script(v.memo, (i.persona.name, i.other)) or not norm(v.memo):
        fail(
            "summary_form",
            f"the memo {quote(v.memo)} should be one sentence about what was discussed, "
            "not lines of the conversation",
        )
    said = " ".join(t.text for t in i.transcript).lower()
    copied = norm(SUMMARY_EXAMPLE) in norm(v.planning_thought + " " + v.memo)
    if copied and "party" not in said:
        fail(
            "summary_example",
            "the prompt's example ('I should go to the party...') is not part of this "
            "conversation; the planning thought is empty unless the conversation set a plan",
        )


_FIRST_PERSON = re.compile(r"\b(i|i'm|i've|i'd|i'll|me|my|mine|myself|we|our|us)\b", re.I)


def interview(i: k.InterviewIn, v: k.InterviewAnswer) -> None:
    """First person: not opening with the resident's own first name or he/she/they, not
    "<name> is/has/was...", and with an I/me/my. A leading speaker label ("Mei Tanaka:")
    is not part of the answer, and a resident may say its own name ("I'm Mei Tanaka")."""
    name = i.persona.name
    text = re.sub(rf"^\W*{re.escape(name)}\W*:\s*", "", v.answer.strip(), flags=re.I)
    first = name.split()[0].lower()
    opening = text.lower().split()[0].strip(",.:;!{}") if text.split() else ""
    about = rf"\b{re.escape(name)}\W*\s+(is|was|has|had|does|did|will|would|likes|loves)\b"
    if (
        opening in (first, "he", "she", "they")
        or re.search(about, text, re.I)
        or not _FIRST_PERSON.search(text)
    ):
        fail(
            "interview_voice",
            f"{quote(text)} is not in the first person: answer as {i.persona.name} "
            "speaking, with 'I' and 'my'",
        )
