"""Render a task's prompt from ``templates/<kind>.txt``.

Templates use ``$name`` placeholders (``string.Template``), one per input field,
plus ``$persona_name``.
Inputs are turned into text here, the same way for every kind: a persona becomes
a paragraph, memories become ``[id] (created, importance N) text`` lines, a
transcript becomes ``speaker: text`` lines, other sequences become ``- item`` lines.
"""

from __future__ import annotations

import functools
import json
from importlib import resources
from string import Template
from typing import Any

from pydantic import BaseModel

from smallville.llm.schemas import MemoryBrief, PersonaBrief, Turn
from smallville.llm.task import PromptTask


@functools.cache
def template(kind: str) -> Template:
    path = resources.files("smallville.llm") / "templates" / f"{kind}.txt"
    try:
        return Template(path.read_text(encoding="utf-8"))
    except FileNotFoundError as e:
        raise KeyError(f"no prompt template for kind {kind!r} (expected {path})") from e


def render(task: PromptTask) -> str:
    """The user prompt for ``task`` (without output-format instructions)."""
    values = {name: _text(getattr(task.inputs, name)) for name in type(task.inputs).model_fields}
    persona = getattr(task.inputs, "persona", None)
    if isinstance(persona, PersonaBrief):
        values["persona_name"] = persona.name
    return template(task.kind).safe_substitute(values).strip()


def schema_instructions(task: PromptTask) -> str:
    """Plain-JSON instructions for servers without structured output."""
    schema = json.dumps(task.json_schema(), ensure_ascii=False)
    return (
        "Answer with one JSON object only, no prose, that validates against this "
        f"JSON schema:\n{schema}"
    )


def _text(value: Any) -> str:
    if isinstance(value, PersonaBrief):
        return persona_text(value)
    if isinstance(value, MemoryBrief):
        when = f"{value.created}, " if value.created else ""
        return f"[{value.id}] ({when}importance {value.importance}) {value.text}"
    if isinstance(value, Turn):
        return f"{value.speaker}: {value.text}"
    if isinstance(value, (tuple, list)):
        if not value:
            return "(none)"
        lines = [_text(v) for v in value]
        if all(isinstance(v, (MemoryBrief, Turn)) for v in value):
            return "\n".join(lines)
        return "\n".join(f"- {line}" for line in lines)
    if isinstance(value, BaseModel):
        return json.dumps(value.model_dump(mode="json"), ensure_ascii=False)
    if value is None:
        return "(none)"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def persona_text(p: PersonaBrief) -> str:
    lines = [
        f"Name: {p.name} (age {p.age})",
        f"Innate traits: {p.innate}" if p.innate else "",
        f"Background: {p.learned}" if p.learned else "",
        f"Currently: {p.currently}" if p.currently else "",
        f"Lifestyle: {p.lifestyle}" if p.lifestyle else "",
        f"Usually wakes at {p.wake_time} and goes to bed at {p.sleep_time}.",
        f"Lives at: {p.home}" if p.home else "",
        f"Works at: {p.workplace}" if p.workplace else "",
        ("Daily requirements: " + "; ".join(p.daily_requirements)) if p.daily_requirements else "",
    ]
    return "\n".join(line for line in lines if line)
