"""Benchmark 2: policy evaluation through the engine protocol, beside ``floor_pack``.

Both packs run as the CLI runs them, driven by ``offline.analyzer.PolicyPackProcess``: one
``Analyze`` per resource, then one ``AnalyzeStack``. The resources are a recorded source-stack
run (subscription filters and their component), so the sizes are real program output.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from offline.analyzer import POLICY_PACK_DIR, PolicyPackProcess
from offline.program import ProgramRun, run_program

FLOOR_PACK_DIR = Path(__file__).resolve().parent / "floor_pack"


@dataclass(frozen=True)
class PolicyRow:
    """Per-resource figures of one size, the project's pack beside the floor pack."""

    resources: int
    analyze_ms: float
    floor_analyze_ms: float
    analyze_stack_ms: float
    floor_analyze_stack_ms: float

    @property
    def analyze_ratio(self) -> float:
        return self.analyze_ms / self.floor_analyze_ms

    @property
    def analyze_stack_ratio(self) -> float:
        return self.analyze_stack_ms / self.floor_analyze_stack_ms


def _per_resource_ms(run: ProgramRun, pack_dir: Path) -> tuple[int, float, float]:
    analyzed = [r for r in run.registrations if not r.read]
    with PolicyPackProcess(stack=run.stack, preview=run.preview, pack_dir=pack_dir) as pack:
        pack.configure()
        start = time.perf_counter()
        for registration in analyzed:
            pack.analyze_resource(registration)
        analyze = time.perf_counter() - start
        start = time.perf_counter()
        pack.analyze_stack(run.registrations)
        analyze_stack = time.perf_counter() - start
    return len(analyzed), 1000 * analyze / len(analyzed), 1000 * analyze_stack / len(analyzed)


def measure(run: ProgramRun) -> PolicyRow:
    """One pass of both packs over ``run``'s resources (the per-resource mean of that pass)."""
    resources, analyze, analyze_stack = _per_resource_ms(run, POLICY_PACK_DIR)
    _, floor_analyze, floor_analyze_stack = _per_resource_ms(run, FLOOR_PACK_DIR)
    return PolicyRow(resources, analyze, floor_analyze, analyze_stack, floor_analyze_stack)


def source_run(analyzed: int, archive_outputs: dict[str, object], stack_name: str) -> ProgramRun:
    """A source-stack run that registers ``analyzed`` resources (filters plus the component)."""
    groups = [{"name": f"/app/service-{index:05d}", "filterPattern": ""} for index in range(analyzed - 1)]
    return run_program(
        "account-a", overrides={"logGroups": groups}, stack_outputs={stack_name: archive_outputs}
    )


def run(quick: bool) -> list[PolicyRow]:
    """100, 1,000 and 5,000 resources (only 10 with ``quick``)."""
    archive_outputs = run_program("account-b").outputs
    sizes = (10,) if quick else (100, 1000, 5000)
    return [
        measure(source_run(size, archive_outputs, "organization/log-archive/account-b")) for size in sizes
    ]
