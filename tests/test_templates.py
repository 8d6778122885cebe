"""Prompt templates: one per kind, every input used, nothing left unsubstituted."""

from __future__ import annotations

import re

import pytest
from llm_samples import sample

from smallville.llm import kinds as k
from smallville.llm.templates import render, template


@pytest.mark.parametrize("kind", sorted(k.KINDS))
def test_every_kind_renders_completely(kind):
    """Each template exists, uses every input field and leaves no $placeholder behind."""
    task = sample(kind)
    text = render(task)
    assert not re.search(r"\$[a-z_{]", text), text
    raw = template(kind).template
    for field in type(task.inputs).model_fields:
        assert f"${field}" in raw or f"${{{field}}}" in raw, (kind, field)
    assert task.inputs.persona.name in text


def test_choices_are_listed_in_the_prompt():
    """The options offered appear in the prompt of choose_place."""
    task = sample("choose_place")
    text = render(task)
    for option in task.choices["places.address"]:
        assert f"- {option}" in text


def test_memories_render_with_ids():
    """Memories show their id, time and importance so evidence can cite them."""
    text = render(sample("insights"))
    assert "[4] (2023-02-13 09:00, importance 8)" in text
