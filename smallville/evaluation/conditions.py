"""The paper's ablations, applied to a finished run (Park et al. 2023, section 6.1).

One resident, one run, one moment, answered four ways: the resident's memory stream
is filtered before retrieval (``MemoryStream.subset``), so the same retrieval, the
same settings and the same interview prompt see fewer records. The run itself is
not changed, nor re-run: ``no_reflection`` is the resident as it is, minus the
reflections it made, not a resident that never reflected (whose later memories and
plans would differ too).
"""

from __future__ import annotations

from collections.abc import Callable

from smallville.memory.stream import MemoryRecord

Keep = Callable[[MemoryRecord], bool]


def _all(r: MemoryRecord) -> bool:
    return True


def _no_reflection(r: MemoryRecord) -> bool:
    return not (r.kind == "thought" and r.subkind == "reflection")


def _no_reflection_no_planning(r: MemoryRecord) -> bool:
    return not (r.kind == "thought" and r.subkind in ("reflection", "plan"))


def _nothing(r: MemoryRecord) -> bool:
    return False


# name -> which records the condition keeps; in the paper's order, the full one first
CONDITIONS: dict[str, Keep] = {
    "full": _all,
    "no_reflection": _no_reflection,
    "no_reflection_no_planning": _no_reflection_no_planning,
    "no_memory": _nothing,
}
