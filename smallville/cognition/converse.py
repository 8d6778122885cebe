"""The conversation requests (paper sections 4.3.1 and 4.3.2): whether to react to
someone, what to say next, what a conversation leaves to remember, and answering an
interviewer's question."""

from __future__ import annotations

from collections.abc import Sequence

from smallville.llm import schemas as k
from smallville.llm.scripted import rule_answer
from smallville.llm.task import PromptTask


async def react(
    llm,
    p: k.PersonaBrief,
    now: str,
    doing: str,
    observation: str,
    other: str | None,
    other_action: str | None,
    other_asleep: bool,
    memories: Sequence[k.MemoryBrief],
) -> str:
    """ "talk", "wait" or "continue"."""
    task = PromptTask(
        kind="react",
        inputs=k.ReactIn(
            persona=p,
            now=now,
            current_action=doing,
            observation=observation,
            other=other,
            other_action=other_action,
            asleep_other=other_asleep,
            memories=tuple(memories),
        ),
        output=k.Reaction,
        fallback=k.Reaction(decision="continue", reason="no answer"),
        agent=p.name,
    )
    return (await llm.complete(task)).decision


async def utterance(
    llm,
    p: k.PersonaBrief,
    listener: str,
    listener_action: str,
    place: str,
    now: str,
    memories: Sequence[k.MemoryBrief],
    transcript: Sequence[k.Turn],
    max_rounds: int,
) -> k.Utterance:
    task = PromptTask(
        kind="utterance",
        inputs=k.UtteranceIn(
            persona=p,
            listener=listener,
            listener_action=listener_action,
            place=place,
            now=now,
            memories=tuple(memories),
            transcript=tuple(transcript),
            max_rounds=max_rounds,
        ),
        output=k.Utterance,
        fallback=k.Utterance(text="Sorry, I have to go.", end=True),
        agent=p.name,
    )
    return await llm.complete(task)


async def summarize(
    llm, p: k.PersonaBrief, other: str, transcript: Sequence[k.Turn]
) -> k.ConversationSummary:
    """The memo; when the model's fail their checks, one made from the transcript's own
    words by the scripted rules (what was talked about, any event with a time)."""
    inputs = k.SummarizeConversationIn(persona=p, other=other, transcript=tuple(transcript))
    task = PromptTask(
        kind="summarize_conversation",
        inputs=inputs,
        output=k.ConversationSummary,
        fallback=rule_answer("summarize_conversation", inputs, k.ConversationSummary)
        or k.ConversationSummary(memo=f"{p.name} talked with {other}"),
        agent=p.name,
    )
    return await llm.complete(task)


async def interview(
    llm, p: k.PersonaBrief, now: str, question: str, memories: Sequence[k.MemoryBrief]
) -> str:
    inputs = k.InterviewIn(persona=p, now=now, question=question, memories=tuple(memories))
    task = PromptTask(
        kind="interview",
        inputs=inputs,
        output=k.InterviewAnswer,
        # when the model cannot answer in the first person: the memories it was shown,
        # retold in the first person by the scripted rules
        fallback=rule_answer("interview", inputs, k.InterviewAnswer)
        or k.InterviewAnswer(answer="I'm not sure; I don't remember anything about that."),
        agent=p.name,
    )
    return (await llm.complete(task)).answer
