"""The memory stream's checkpoint format: a JSON-serialisable dict.

Numeric columns go into one ``np.savez`` archive, base64-encoded under ``"arrays"``
(exact bits, no float formatting); texts, subkinds, evidence, triples and sources stay
plain lists. Loading checks the shape of everything so a damaged checkpoint fails with
a message saying which part is wrong.
"""

from __future__ import annotations

import base64
import binascii
import io
import zipfile
from dataclasses import dataclass
from typing import Any, NoReturn

import numpy as np

_ARRAYS = {
    "created": np.int64,
    "accessed": np.int64,
    "importance": np.float32,
    "kind": np.int8,
    "depth": np.int32,
    "emb": np.float32,
}
_LISTS = ("text", "subkind", "evidence", "triple", "source")
_KIND_COUNT = 3


@dataclass(frozen=True, kw_only=True)
class LoadedState:
    dim: int
    retention: int
    capacity: int
    since_reflection: int
    arrays: dict[str, np.ndarray]
    lists: dict[str, list]


def dump(
    *,
    dim: int,
    retention: int,
    capacity: int,
    since_reflection: int,
    arrays: dict[str, np.ndarray],
    lists: dict[str, list],
) -> dict[str, Any]:
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    return {
        "dim": dim,
        "retention": retention,
        "capacity": capacity,
        "importance_since_reflection": since_reflection,
        "arrays": base64.b64encode(buf.getvalue()).decode("ascii"),
        **{name: list(lists[name]) for name in _LISTS},
    }


def load(state: Any) -> LoadedState:
    if not isinstance(state, dict):
        _fail(f"expected a dict from MemoryStream.to_state, got {type(state).__name__}")
    missing = [
        k
        for k in ("dim", "retention", "importance_since_reflection", "arrays", *_LISTS)
        if k not in state
    ]
    if missing:
        _fail(f"missing keys {missing}")
    dim = state["dim"]
    if not isinstance(dim, int) or dim < 1:
        _fail(f"'dim' must be an int >= 1, got {dim!r}")
    try:
        raw = base64.b64decode(state["arrays"], validate=True)
        with np.load(io.BytesIO(raw), allow_pickle=False) as archive:
            arrays = {name: archive[name] for name in _ARRAYS}
    except (binascii.Error, zipfile.BadZipFile, OSError, ValueError, KeyError, TypeError) as e:
        _fail(f"'arrays' is not a base64 npz archive with {sorted(_ARRAYS)} ({e})", e)
    n = arrays["created"].shape[0]
    for name in _LISTS:
        if not isinstance(state[name], list) or len(state[name]) != n:
            _fail(f"'{name}' must be a list of {n} entries (one per record)")
    for name, dtype in _ARRAYS.items():
        shape = (n, dim) if name == "emb" else (n,)
        if arrays[name].shape != shape:
            _fail(f"array '{name}' has shape {arrays[name].shape}, expected {shape}")
        arrays[name] = arrays[name].astype(dtype, copy=False)
    if n and not (arrays["kind"].min() >= 0 and arrays["kind"].max() < _KIND_COUNT):
        _fail(f"array 'kind' holds codes outside 0..{_KIND_COUNT - 1}")
    capacity = state.get("capacity") or 64
    if not isinstance(capacity, int) or capacity < 1:
        _fail(f"'capacity' must be an int >= 1, got {capacity!r}")
    while capacity < n:
        capacity *= 2
    try:
        since_reflection = int(state["importance_since_reflection"])
    except (TypeError, ValueError) as e:
        _fail(f"'importance_since_reflection' must be a number ({e})", e)
    return LoadedState(
        dim=dim,
        retention=state["retention"],
        capacity=capacity,
        since_reflection=since_reflection,
        arrays=arrays,
        lists={name: state[name] for name in _LISTS},
    )


def _fail(what: str, cause: BaseException | None = None) -> NoReturn:
    raise ValueError(f"memory state: {what}") from cause
