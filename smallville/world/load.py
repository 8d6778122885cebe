"""Read a scene file, reporting bad input by file, JSON path and expectation."""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import ValidationError

from smallville.world.errors import WorldError, from_validation
from smallville.world.schema import Scene


def load_scene(path: Path | str) -> Scene:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as e:
        raise WorldError(path, "", "no such file") from e
    except OSError as e:
        raise WorldError(path, "", f"cannot read: {e.strerror}") from e
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise WorldError(
            path, f"line {e.lineno} column {e.colno}", f"malformed JSON: {e.msg}"
        ) from e
    return parse_scene(data, path)


def parse_scene(data: object, file: Path | str | None = None) -> Scene:
    if not isinstance(data, dict):
        raise WorldError(
            file, "<root>", "not a JSON object", "an object with metadata, assets, layout"
        )
    try:
        return Scene.model_validate(data)
    except ValidationError as e:
        raise from_validation(file, e) from e
