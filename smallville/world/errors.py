"""Errors for bad layouts: the file, the JSON path, and what was expected."""

from __future__ import annotations

from pathlib import Path

from pydantic import ValidationError


class WorldError(ValueError):
    """A layout cannot be used. ``str()`` reads ``<file>: <path>: <message>``."""

    def __init__(self, file: Path | str | None, path: str, message: str, expected: str = ""):
        self.file = str(file) if file is not None else "<layout>"
        self.path = path
        self.message = message
        self.expected = expected
        tail = f" (expected {expected})" if expected else ""
        where = f"{self.file}: {path}: " if path else f"{self.file}: "
        super().__init__(f"{where}{message}{tail}")


def json_path(loc: tuple) -> str:
    """``("layout", "object_layer", 12, "asset_id")`` -> ``layout.object_layer[12].asset_id``"""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "<root>"


def from_validation(file: Path | str | None, error: ValidationError) -> WorldError:
    """One WorldError listing every problem pydantic found, first one as the headline."""
    problems = []
    for err in error.errors():
        loc = tuple(p for p in err["loc"] if not _is_union_tag(p))
        got = err.get("input")
        shown = "" if isinstance(got, (dict, list)) else f", got {got!r}"
        problems.append((json_path(loc), f"{err['msg']}{shown}"))
    path, msg = problems[0]
    more = "".join(f"\n  {p}: {m}" for p, m in problems[1:])
    return WorldError(file, path, msg + more)


def _is_union_tag(part: object) -> bool:
    # pydantic puts the union member's name in the location for union fields
    return isinstance(part, str) and ("[" in part or part.startswith("function-"))
