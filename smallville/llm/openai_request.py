"""What a chat request sends: the messages, how it asks for JSON, its token cap and re-asks.

Structured output is asked in one of ``MODES``: ``json_schema``; ``json_object`` with
the schema attached (llama.cpp answers 500 "Input should be 'text' or 'json_object'"
to the first); plain JSON described in the prompt. An answer that fails its checks is
re-asked once, quoting what was wrong, at ``REPAIR_TEMPERATURE``.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from smallville.llm.task import ChoiceError, PromptTask, SenseError
from smallville.llm.templates import render, schema_instructions

SYSTEM = (
    "You help simulate the residents of a small town. Answer every request with a "
    "single JSON object that fits the requested schema, and nothing else."
)
MODES = ("json_schema", "json_object", "plain")
# a repair at temperature 0 mostly repeats the answer it was told was wrong
REPAIR_TEMPERATURE = 0.7

# Completion tokens the longest valid answer of each kind takes (the schema bounds every
# string and list): a weak model that runs on ("minutes": 0, 0, 0...) is cut off in
# seconds, not after 1024 tokens at 30/s, and a valid answer is never cut.
# Kinds that answer one item per input item get a cap per item (``PromptTask.sizes``).
_TOKEN_CAPS: dict[str, tuple[int, int]] = {  # kind -> (base, per sized item)
    "wake_up_hour": (24, 0),
    "daily_plan": (480, 0),  # 8 items of <= 200 characters
    "hourly_schedule": (40, 45),  # an hour: {"hour", "activity" <= 120 characters}
    "decompose": (1000, 0),  # up to 24 steps of <= 120 characters
    "choose_place": (40, 120),  # a place: address, emoji, triple, object state
    "importance": (24, 6),
    "reflection_questions": (200, 0),
    "insights": (560, 0),
    "react": (100, 0),
    "utterance": (160, 0),
    "summarize_conversation": (240, 0),
    "interview": (400, 0),
    "town_brief": (1000, 0),  # 16 places: name, kind, purpose <= 120 characters, count
    "town_building": (360, 0),  # 5 rooms of 6 objects <= 30 characters
    "town_review": (560, 0),  # 4 places and 8 objects
    "town_household": (2300, 0),  # 5 members, each up to ~1,800 characters of text
    "eval_rate": (110, 0),  # a rating and a reason <= 300 characters
    "eval_compare": (110, 0),  # a verdict and a reason <= 300 characters
}


def token_cap(task: PromptTask) -> int:
    """The most completion tokens a sensible answer to ``task`` takes."""
    base, per_item = _TOKEN_CAPS.get(task.kind, (1024, 0))
    items = sum(task.sizes.values()) + sum(len(v) for v in task.positions.values())
    return base + per_item * items


def first_messages(task: PromptTask) -> list[dict[str, str]]:
    return [{"role": "system", "content": SYSTEM}, {"role": "user", "content": render(task)}]


def chat_request(
    task: PromptTask,
    messages: list[dict[str, str]],
    mode: str,
    *,
    model: str,
    temperature: float,
    seed: int | None,
    max_tokens: int,
) -> dict:
    """The keyword arguments of ``chat.completions.create`` for ``messages`` in ``mode``."""
    kwargs: dict[str, Any] = {
        "model": model,
        "messages": messages,
        "temperature": temperature if len(messages) <= 2 else REPAIR_TEMPERATURE,
        "max_tokens": min(max_tokens, token_cap(task)),
    }
    if seed is not None:
        kwargs["seed"] = seed
    # response_format goes in extra_body: the client would otherwise walk the whole
    # JSON schema through its typed-parameter transform, ~2 ms of CPU a request
    if mode == "json_schema":
        kwargs["extra_body"] = {
            "response_format": {
                "type": "json_schema",
                "json_schema": {
                    "name": task.kind,
                    "schema": task.json_schema(),
                    "strict": False,
                },
            }
        }
    elif mode == "json_object":
        # llama.cpp and vLLM constrain decoding with this extra field; others ignore it
        kwargs["extra_body"] = {
            "response_format": {"type": "json_object", "schema": task.json_schema()}
        }
    else:
        system, first, *rest = messages
        prompt = f"{first['content']}\n\n{schema_instructions(task)}"
        kwargs["messages"] = [system, {"role": "user", "content": prompt}, *rest]
    return kwargs


def ask_again(messages: list[dict[str, str]], raw: str, error: str) -> list[dict[str, str]]:
    """``messages`` with the unacceptable answer and a request to fix ``error``."""
    return [
        *messages,
        {"role": "assistant", "content": raw},
        {
            "role": "user",
            "content": f"That answer is not acceptable: {error}\n"
            "Answer again with one JSON object that fits the schema and fixes this.",
        },
    ]


def check_name(e: Exception) -> str:
    """The name of the check an answer failed, as ``Completion.check`` records it."""
    if isinstance(e, SenseError):
        return e.check
    return "choices" if isinstance(e, ChoiceError) else "schema"


def explain(e: Exception, cut_at: int | None = None) -> str:
    """What was wrong with an answer, in words a model can act on; ``cut_at`` is the
    token cap an answer that ran out of tokens was cut at."""
    if isinstance(e, ValidationError):
        parts = []
        for err in e.errors()[:5]:
            where = ".".join(str(p) for p in err["loc"]) or "<root>"
            parts.append(f"{where}: {err['msg']}")
        text = "; ".join(parts)
    else:
        text = str(e)
    if cut_at is not None:
        text += f" (the answer was cut off at max_tokens={cut_at}: keep it shorter)"
    return text
