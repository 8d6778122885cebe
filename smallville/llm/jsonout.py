"""Find the JSON object in what a model wrote.

Models wrap JSON in prose, code fences or ``<think>`` reasoning blocks. This drops
the reasoning, then returns the first balanced top-level ``{...}`` that parses as
JSON. It never evaluates text. Control characters inside strings (a raw newline in
a sentence) are accepted, as models write them.
"""

from __future__ import annotations

import json
import re
from typing import Any

_THINK = re.compile(r"<think>.*?</think>", re.DOTALL | re.IGNORECASE)
_OPEN = "<think>"
_CLOSE = "</think>"
_DECODER = json.JSONDecoder(strict=False)


class NoJSON(ValueError):
    """The text holds no complete JSON object."""


def extract_json(text: str | None) -> dict[str, Any]:
    """The first JSON object in ``text``.

    Raises:
        NoJSON: saying why (empty, only reasoning, cut off, no object) with a preview.
    """
    if not text or not text.strip():
        raise NoJSON("the answer is empty")
    cleaned = _strip_reasoning(text)
    if not cleaned.strip():
        raise NoJSON("the answer holds only a <think> block (cut off while reasoning?)")
    start = cleaned.find("{")
    cut_off = False
    while start != -1:
        end = _balanced_end(cleaned, start)
        if end is None:
            # an unmatched '{' may be prose ("use {braces}"): look further, but remember it
            cut_off = True
            start = cleaned.find("{", start + 1)
            continue
        try:
            value = _DECODER.decode(cleaned[start : end + 1])
        except json.JSONDecodeError:
            value = None
        if isinstance(value, dict):
            return value
        start = cleaned.find("{", end + 1)  # skip the whole span: its insides are not top-level
    if cut_off:
        raise NoJSON(f"the JSON object is not closed (answer cut off?): {_preview(text)}")
    raise NoJSON(f"no JSON object in the answer: {_preview(text)}")


def _strip_reasoning(text: str) -> str:
    cleaned = _THINK.sub("", text)
    lower = cleaned.lower()
    if _CLOSE in lower:
        # the opening tag was part of the prompt's chat template: reasoning ends here
        return cleaned[lower.rindex(_CLOSE) + len(_CLOSE) :]
    if lower.lstrip().startswith(_OPEN):
        return ""  # reasoning that never ended holds no answer
    return cleaned


def _balanced_end(text: str, start: int) -> int | None:
    """Index of the '}' closing the '{' at ``start``, skipping braces inside strings."""
    depth = 0
    in_string = False
    escape = False
    for i in range(start, len(text)):
        c = text[i]
        if in_string:
            if escape:
                escape = False
            elif c == "\\":
                escape = True
            elif c == '"':
                in_string = False
        elif c == '"':
            in_string = True
        elif c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
            if depth == 0:
                return i
    return None


def _preview(text: str, n: int = 80) -> str:
    one = " ".join(text.split())
    return repr(one[:n] + ("..." if len(one) > n else ""))
