"""Reading a JSON file into a pydantic model with one-line errors that name the file,
the field and what was expected."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, ValidationError

M = TypeVar("M", bound=BaseModel)


def read_model(path: Path, model: type[M], what: str, error: type[Exception]) -> M:
    """``model`` from the JSON in ``path``; ``error`` with "<path>: <field>: <why>" when
    the file cannot be read, is not JSON or does not fit (``what`` names the file's
    role in the unreadable case, e.g. "the scenario")."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        return model.model_validate(data)
    except OSError as e:
        raise error(f"{path}: cannot read {what}: {e.strerror}") from e
    except json.JSONDecodeError as e:
        raise error(f"{path}: line {e.lineno} column {e.colno}: {e.msg}") from e
    except ValidationError as e:
        err = e.errors()[0]
        where = ".".join(str(p) for p in err["loc"]) or "(top level)"
        raise error(f"{path}: {where}: {err['msg'].removeprefix('Value error, ')}") from e
