"""Prompt templates: one per kind, every input used, nothing left unsubstituted."""

from __future__ import annotations

import json
import re
from importlib import resources

import pytest
from llm_samples import sample

from smallville.llm import schemas as k
from smallville.llm.templates import render, template


@pytest.mark.parametrize("kind", sorted(k.KINDS))
def test_every_kind_renders_completely(kind):
    """Each template uses every input field and leaves no $placeholder behind."""
    task = sample(kind)
    text = render(task)
    assert not re.search(r"\$\{?[A-Za-z_]", text), text
    raw = template(kind).template
    for field in type(task.inputs).model_fields:
        assert f"${field}" in raw or f"${{{field}}}" in raw, (kind, field)
    persona = getattr(task.inputs, "persona", None)  # the town kinds speak for no one
    assert persona is None or persona.name in text


@pytest.mark.parametrize("kind", sorted(k.KINDS))
def test_templates_name_only_known_placeholders(kind):
    """A template's placeholders are input fields or persona_name: a typo cannot hide."""
    fields = set(type(sample(kind).inputs).model_fields) | {"persona_name"}
    raw = template(kind).template
    used = {m.group(1) or m.group(2) for m in re.finditer(r"\$(?:\{(\w+)\}|(\w+))", raw)}
    assert used <= fields, used - fields


@pytest.mark.parametrize("kind", sorted(k.KINDS))
def test_prompt_shows_every_input_value(kind):
    """Every non-empty scalar input reaches the prompt text."""
    task = sample(kind)
    text = render(task)
    for name, value in task.inputs:
        if isinstance(value, str | int) and not isinstance(value, bool) and value != "":
            assert str(value) in text, (kind, name)


def test_one_template_per_kind():
    """The templates folder holds exactly one file per kind, no strays."""
    folder = resources.files("smallville.llm") / "templates"
    names = {p.name.removesuffix(".txt") for p in folder.iterdir() if p.name.endswith(".txt")}
    assert names == set(k.KINDS)


def test_options_are_listed_in_the_prompt():
    """The addresses offered to choose_place appear one per line in its prompt."""
    task = sample("choose_place")
    text = render(task)
    for option in task.inputs.options:
        assert f"- {option}" in text


def test_memories_render_with_ids():
    """Memories show their id, time and importance so evidence can cite them."""
    text = render(sample("insights"))
    assert "[4] (2023-02-13 09:00, importance 8)" in text


def test_importance_prompt_names_the_scale_anchors():
    """The importance prompt anchors 1 (mundane) and 10 (poignant) as in the paper."""
    text = render(sample("importance"))
    assert "1 to 10" in text and "brushing teeth" in text and "break-up" in text
    assert "events" in text  # the kind of memory being rated


@pytest.mark.parametrize("kind", sorted(k.KINDS))
def test_schema_patterns_use_no_backslash_classes(kind):
    """llama.cpp compiles a schema's patterns into a grammar; its converter emits
    ``\\d`` as an escape its own parser rejects, and the server stopped answering."""
    text = json.dumps(k.KINDS[kind][1].model_json_schema())
    assert "\\\\d" not in text and "\\\\w" not in text and "\\\\s" not in text
