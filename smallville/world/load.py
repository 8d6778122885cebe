"""Read a scene file, reporting bad input by file, JSON path and expectation.

Structure (types, missing keys, bounds) and the floor/wall layers' references to
assets are checked here. An object or character naming an undefined asset still
loads: the validator reports it as an OPS failure, next to the other layout problems.
"""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import ValidationError

from smallville.world.errors import WorldError, from_validation
from smallville.world.schema import Scene


def load_scene(path: Path | str) -> Scene:
    """Parse and check the scene at ``path``; raise WorldError on any bad input."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as e:
        raise WorldError(path, "", "no such file", "a World Scaffold JSON file") from e
    except UnicodeDecodeError as e:
        raise WorldError(path, "", f"not UTF-8 text (byte {e.start})", "a JSON file") from e
    except OSError as e:
        raise WorldError(path, "", f"cannot read: {e.strerror}") from e
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise WorldError(
            path, f"line {e.lineno} column {e.colno}", f"malformed JSON: {e.msg}", "valid JSON"
        ) from e
    return parse_scene(data, path)


def parse_scene(data: object, file: Path | str | None = None) -> Scene:
    """Check already-parsed JSON (``file`` only names it in errors)."""
    if not isinstance(data, dict):
        raise WorldError(
            file, "<root>", "not a JSON object", "an object with metadata, assets, layout"
        )
    try:
        scene = Scene.model_validate(data)
    except ValidationError as e:
        raise from_validation(file, e) from e
    _check_tile_refs(scene, file)
    return scene


def _check_tile_refs(scene: Scene, file: Path | str | None) -> None:
    """Floors and walls must name defined assets: without one there is no tile to paint."""
    problems = [
        (f"layout.{layer}[{i}].asset_id", cmd.asset_id)
        for layer in ("floor_layer", "wall_layer")
        for i, cmd in enumerate(getattr(scene.layout, layer))
        if cmd.asset_id not in scene.assets
    ]
    if not problems:
        return
    known = ", ".join(repr(a) for a, v in scene.assets.items() if v.type == "tile") or "none"
    (path, asset), rest = problems[0], problems[1:]
    raise WorldError(
        file,
        path,
        f"undefined asset {asset!r}",
        f"a key of 'assets' (tile assets: {known})",
        tuple(f"{p}: undefined asset {a!r}" for p, a in rest),
    )
