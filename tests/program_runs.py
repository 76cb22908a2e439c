"""A per-process memo of ``run_program`` for tests that evaluate the same configuration repeatedly.

Each distinct call (stack, its stack file's text, and every argument) is evaluated once per
process; every caller gets its own deep copy, so no test can see another's mutations and the
result does not depend on which test ran first. A run that raises is not memoized.
"""

from __future__ import annotations

import copy
import json
from typing import Any

from offline.program import ProgramRun, run_program, stack_file_path

_RUNS: dict[str, ProgramRun] = {}


def memoized_run_program(stack: str, **arguments: Any) -> ProgramRun:
    """``run_program(stack, **arguments)``, evaluated once per distinct call and copied."""
    path = stack_file_path(stack)
    text = path.read_text() if path.exists() else None
    key = json.dumps([stack, text, arguments], sort_keys=True)
    if key not in _RUNS:
        _RUNS[key] = run_program(stack, **arguments)
    return copy.deepcopy(_RUNS[key])
