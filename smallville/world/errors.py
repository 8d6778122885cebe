"""Errors for bad layouts: the file, the JSON path, and what was expected."""

from __future__ import annotations

from pathlib import Path

from pydantic import ValidationError


class WorldError(ValueError):
    """A layout cannot be used.

    ``str()`` reads ``<file>: <path>: <message> (expected <...>)``; ``path`` is a JSON
    path such as ``layout.object_layer[12].asset_id`` (or ``line L column C`` for JSON
    that does not parse).
    """

    def __init__(
        self,
        file: Path | str | None,
        path: str,
        message: str,
        expected: str = "",
        more: tuple[str, ...] = (),
    ):
        self.file = str(file) if file is not None else "<layout>"
        self.path = path
        self.message = message
        self.expected = expected
        self.more = more  # further problems found in the same pass, one line each
        tail = f" (expected {expected})" if expected else ""
        where = f"{self.file}: {path}: " if path else f"{self.file}: "
        super().__init__(f"{where}{message}{tail}" + "".join(f"\n  {m}" for m in more))


def json_path(loc: tuple) -> str:
    """``("layout", "object_layer", 12, "asset_id")`` -> ``layout.object_layer[12].asset_id``"""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "<root>"


# What a key holds, for "missing" and shape errors: the words of WORLD_FORMAT.md.
_SHAPES = {
    "metadata": "an object with scene_name and grid_size",
    "assets": "an object keyed by asset id",
    "layout": "an object with floor_layer, wall_layer, object_layer, npc_layer",
    "scene_name": "a non-empty string",
    "grid_size": "[W, H] in tiles",
    "base_size": "[w, h] in tiles",
    "visual_size": "[w, h] in tiles",
    "area": "[x, y, w, h] in tiles with w, h >= 1",
    "position": "[x, y], the bottom-centre of the footprint in tiles",
    "asset_id": "an asset id (a key of 'assets')",
    "type": "'tile', 'object', 'npc' or 'agent'",
    "sector": "a sector name without ':'",
    "arena": "an arena name without ':'",
}

_TYPES = {
    "int_parsing": "an integer",
    "int_type": "an integer",
    "int_from_float": "a whole number",
    "float_parsing": "a number",
    "float_type": "a number",
    "finite_number": "a finite number",
    "string_type": "a string",
    "bool_parsing": "true or false",
    "bool_type": "true or false",
    "dict_type": "an object",
    "model_type": "an object",
    "list_type": "a list",
    "tuple_type": "a list",
    "string_too_short": "a non-empty string",
    "string_pattern_mismatch": "a name without ':' (addresses use ':' between parts)",
}


def _expected(err: dict, field: str | None) -> str:
    kind = err["type"]
    ctx = err.get("ctx") or {}
    if kind == "literal_error":
        return str(ctx.get("expected", ""))
    if kind in ("greater_than_equal", "greater_than"):
        return f"a value {'>=' if kind.endswith('equal') else '>'} {ctx.get('ge', ctx.get('gt'))}"
    if kind in ("less_than_equal", "less_than"):
        return f"a value {'<=' if kind.endswith('equal') else '<'} {ctx.get('le', ctx.get('lt'))}"
    if kind in ("too_short", "too_long", "missing") and field in _SHAPES:
        return _SHAPES[field]
    return _TYPES.get(kind, "")


def from_validation(file: Path | str | None, error: ValidationError) -> WorldError:
    """One WorldError listing every problem pydantic found, the first one as headline."""
    problems = []
    for err in error.errors():
        loc = tuple(p for p in err["loc"] if not _is_union_tag(p))
        field = next((p for p in reversed(loc) if isinstance(p, str)), None)
        got = err.get("input")
        if err["type"] == "missing":
            msg = "missing"
        elif isinstance(got, (dict, list)):
            msg = err["msg"]
        else:
            msg = f"got {got!r}"
        problems.append((json_path(loc), msg, _expected(err, field) or err["msg"]))
    path, msg, expected = problems[0]
    more = tuple(f"{p}: {m} (expected {e})" for p, m, e in problems[1:])
    return WorldError(file, path, msg, expected, more)


def _is_union_tag(part: object) -> bool:
    # pydantic puts a union member's name (e.g. "list[Zone]") in the location
    return isinstance(part, str) and ("[" in part or part.startswith("function-"))
