"""Sense checks: is a schema-valid answer a sensible one for its inputs?

Constrained decoding makes a weak model's every answer valid JSON, so validity says
nothing about sense ("wake at 23:00", the prompt's own examples copied back). Each
task kind may register a check here, beside the schema in ``kinds``; ``PromptTask.verify``
runs it after the schema and the choices. A check raises ``SenseError`` naming itself
and saying what was wrong, in words a model can act on when it is re-asked.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import BaseModel

from smallville.llm.task import SenseError

Check = Callable[[Any, Any], None]
CHECKS: dict[str, Check] = {}


def check_sense(kind: str, inputs: BaseModel, value: BaseModel) -> None:
    """Run the sense check of ``kind`` (if it has one); raise SenseError when it fails."""
    check = CHECKS.get(kind)
    if check is not None:
        check(inputs, value)


def register(kind: str) -> Callable[[Check], Check]:
    def deco(f: Check) -> Check:
        CHECKS[kind] = f
        return f

    return deco


__all__ = ["CHECKS", "SenseError", "check_sense", "register"]
