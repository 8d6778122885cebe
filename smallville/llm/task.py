"""The unit of work of the language-model port: a typed prompt task and its answer."""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from pydantic import BaseModel

T = TypeVar("T", bound=BaseModel)


class ChoiceError(ValueError):
    """A model picked a value outside the fixed set it was offered."""


class SenseError(ValueError):
    """A schema-valid answer that makes no sense for its inputs (a sense check failed).

    ``check`` is the check's short name (``wake_window``); the message says what was
    wrong in words a model can act on when it is re-asked.
    """

    def __init__(self, check: str, message: str) -> None:
        super().__init__(message)
        self.check = check


@dataclass(frozen=True, kw_only=True)
class PromptTask(Generic[T]):
    """One request to the model.

    Attributes:
        kind: the task kind; names the template and the scripted behaviour.
        inputs: the named inputs (a pydantic model from ``schemas``).
        output: the pydantic model the answer must validate against.
        fallback: the safe answer used, counted and logged, when the model fails.
        choices: fixed sets the answer must pick from, keyed by a dotted path into
            the output (``"address"``, ``"insights.evidence"``; arrays are walked
            through). They become JSON-schema enums and are checked again here.
        sizes: exact lengths of list fields, keyed like ``choices`` (``"scores"``): a
            batched task answers one item per input item.
        positions: a field of a list's items fixed per position, keyed
            ``"<list>.<field>"`` (``"hours.hour": [6, 7, ...]``): the list has exactly
            that many items and item i has value i. In the JSON schema each position is
            a ``prefixItems`` entry with a ``const``, so a constrained decoder writes
            the values itself and cannot skip or repeat one.
        agent: who asks, for metering per agent (not part of the cache key).
    """

    kind: str
    inputs: BaseModel
    output: type[T]
    fallback: T
    choices: Mapping[str, Sequence[str | int]] = field(default_factory=dict)
    sizes: Mapping[str, int] = field(default_factory=dict)
    positions: Mapping[str, Sequence[str | int]] = field(default_factory=dict)
    agent: str | None = None

    def json_schema(self) -> dict[str, Any]:
        """The output's JSON schema with ``choices`` injected as enums."""
        schema = json.loads(_schema_json(self.output))
        for path, values in self.choices.items():
            _inject(schema, schema, path.split("."), {"enum": list(values)})
        for path, n in self.sizes.items():
            _inject(schema, schema, path.split("."), {"minItems": n, "maxItems": n}, arrays=False)
        for path, values in self.positions.items():
            *where, name = path.split(".")
            array = _node(schema, where)
            item = _resolve(schema, array["items"])
            array["prefixItems"] = [
                {**item, "properties": {**item["properties"], name: {"const": v}}} for v in values
            ]
            array["items"] = False  # nothing past the fixed positions (JSON Schema 2020-12)
            array["minItems"] = array["maxItems"] = len(values)
        return schema

    def check_choices(self, value: T) -> None:
        """Raise ChoiceError when ``value`` strays outside ``choices``, ``sizes`` or
        ``positions``."""
        data = value.model_dump()
        for path, values in self.positions.items():
            got = list(_walk(data, path.split(".")))
            if got != list(values):
                raise ChoiceError(f"{path}: expected {list(values)} in this order, got {got}")
        for path, n in self.sizes.items():
            for got in _walk(data, path.split("."), into_lists=False):
                if len(got) != n:
                    raise ChoiceError(f"{path}: expected exactly {n} items, got {len(got)}")
        for path, values in self.choices.items():
            allowed = set(values)
            for got in _walk(data, path.split(".")):
                if got not in allowed:
                    shown = ", ".join(map(repr, list(values)[:12]))
                    more = "..." if len(values) > 12 else ""
                    raise ChoiceError(f"{path}: {got!r} is not one of [{shown}{more}]")

    def verify(self, data: Any) -> T:
        """``data`` (parsed JSON) as a checked answer: schema, choices, then sense.

        Raises:
            pydantic.ValidationError, ChoiceError, SenseError: saying what is wrong.
        """
        value = self.output.model_validate(data)
        self.check_choices(value)
        from smallville.llm.sense import check_sense  # the checks import the schemas

        check_sense(self.kind, self.inputs, value)
        return value

    def key(self) -> str:
        """A stable digest of kind, inputs, output schema and choices."""
        blob = json.dumps(
            {
                "kind": self.kind,
                "inputs": self.inputs.model_dump(mode="json"),
                "schema": self.json_schema(),
            },
            sort_keys=True,
            ensure_ascii=False,
            separators=(",", ":"),
        )
        return hashlib.sha256(blob.encode()).hexdigest()


OUTCOMES = ("valid", "repaired", "fallback")


@dataclass(frozen=True, kw_only=True)
class Completion(Generic[T]):
    """A validated answer and what it cost. ``raw`` is the model's text ('' if none).

    ``outcome`` says how the answer was reached: ``valid`` (the first answer passed
    every check), ``repaired`` (the first failed a check, the re-ask passed) or
    ``fallback`` (no answer passed: ``value`` is the task's fallback). ``check`` names
    the first check that failed (``schema``, ``choices``, a sense check such as
    ``wake_window``, or ``transport`` when the endpoint gave no answer) and ``error``
    says what was wrong. ``unreachable`` marks a fallback caused by the endpoint itself
    (refused, timed out, 401...), not by what the model wrote.
    """

    value: T
    raw: str = ""
    prompt_tokens: int = 0
    completion_tokens: int = 0
    latency_s: float = 0.0
    cached: bool = False
    outcome: str = "valid"
    check: str | None = None
    retries: int = 0
    error: str | None = None
    mode: str = ""
    unreachable: bool = False

    @property
    def fallback(self) -> bool:
        return self.outcome == "fallback"


@functools.cache
def _schema_json(output: type[BaseModel]) -> str:
    """An output model's JSON schema, built once (pydantic takes ~1 ms to build one)."""
    return json.dumps(output.model_json_schema())


def _resolve(root: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    ref = node.get("$ref")
    if ref:
        name = ref.rsplit("/", 1)[-1]
        return root["$defs"][name]
    return node


def _node(root: dict, parts: list[str]) -> dict:
    """The schema node at a dotted path of properties (no arrays walked)."""
    node = _resolve(root, root)
    for part in parts:
        node = _resolve(root, node["properties"][part])
    return node


def _inject(root: dict, node: dict, parts: list[str], extra: dict, arrays: bool = True) -> None:
    node = _resolve(root, node)
    if node.get("type") == "array" and "items" in node and (parts or arrays):
        _inject(root, node["items"], parts, extra, arrays)
        return
    if not parts:
        for variant in node.get("anyOf", []):
            if variant.get("type") != "null":
                variant.update(extra)
        if "anyOf" not in node:
            node.update(extra)
        return
    props = node.get("properties", {})
    if parts[0] not in props:
        raise KeyError(f"choice path {'.'.join(parts)!r} not in output schema")
    _inject(root, props[parts[0]], parts[1:], extra, arrays)


def _walk(data: Any, parts: list[str], into_lists: bool = True):
    if isinstance(data, list) and (parts or into_lists):
        for item in data:
            yield from _walk(item, parts, into_lists)
        return
    if not parts:
        if data is not None:
            yield data
        return
    if isinstance(data, dict) and parts[0] in data:
        yield from _walk(data[parts[0]], parts[1:], into_lists)
