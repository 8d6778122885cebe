"""Find the JSON object in what a model wrote.

Models wrap JSON in prose, code fences or ``<think>`` blocks. This takes the first
balanced top-level object after removing reasoning blocks; it never evaluates text.
"""

from __future__ import annotations

import json
import re
from typing import Any

_THINK = re.compile(r"<think>.*?</think>", re.DOTALL | re.IGNORECASE)
_OPEN_THINK = re.compile(r"^\s*<think>.*", re.DOTALL | re.IGNORECASE)


class NoJSON(ValueError):
    """The text holds no JSON object."""


def extract_json(text: str) -> dict[str, Any]:
    """The first JSON object in ``text``; raises NoJSON with a short reason."""
    if not text or not text.strip():
        raise NoJSON("empty answer")
    cleaned = _THINK.sub("", text)
    if "</think>" not in cleaned.lower() and _OPEN_THINK.match(cleaned):
        # an unterminated reasoning block: the answer, if any, follows the last '}' run
        cleaned = cleaned[cleaned.lower().index("<think>") + len("<think>") :]
    elif "</think>" in cleaned.lower():
        cleaned = cleaned[cleaned.lower().rindex("</think>") + len("</think>") :]
    start = cleaned.find("{")
    while start != -1:
        end = _balanced_end(cleaned, start)
        if end is None:
            break
        try:
            value = json.loads(cleaned[start : end + 1])
        except json.JSONDecodeError:
            start = cleaned.find("{", start + 1)
            continue
        if isinstance(value, dict):
            return value
        start = cleaned.find("{", end + 1)
    raise NoJSON(f"no JSON object in the answer ({_preview(text)})")


def _balanced_end(text: str, start: int) -> int | None:
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
