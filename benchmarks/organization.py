"""The organization stack at 1, 50 and 500 OUs x 17 regions, and ``tools.deploy --parallel``
against sequential deploys with a fake runner of realistic (scaled-down) per-stack latencies.

    .venv/bin/python -m benchmarks.organization [--quick]

prints the two tables; ``python -m benchmarks`` puts them into ``docs/performance.md``.
"""

from __future__ import annotations

import io
import json
import random
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass

from benchmarks.program import ARCHIVE_STACK, ARCHIVE_STACK_NAME, ORGANIZATION_ID, REGIONS, archive_config
from benchmarks.timing import median_seconds
from components import organization_template
from offline.program import run_program, stack_config, with_overrides
from tools.deploy import deploy
from tools.parallel_deploy import deploy_parallel
from tools.stacks import StackInfo

ORGANIZATION_STACK = "organization"
STACK_SET_TYPE = "aws:cloudformation/stackSet:StackSet"
SCALE = 1 / 1000
"""Fake latencies run at 1/1000 of real time: 60 s of a real `pulumi up` sleeps 60 ms."""


@dataclass(frozen=True)
class OrganizationRow:
    ous: int
    regions: int
    resources: int
    seconds: float
    template_bytes: int


@dataclass(frozen=True)
class DeployRow:
    stacks: int
    parallel: int
    seconds: float
    """Scaled wall time; real time is ``seconds / SCALE``."""


def measure_organization(ous: int, regions: int, repeats: int) -> OrganizationRow:
    archive = run_program(ARCHIVE_STACK, config=archive_config(1, regions, organization=True)).outputs
    chosen = list(json.loads(archive_config(1, regions, organization=True)["log-archive:sourceRegions"]))
    config = with_overrides(
        stack_config(ORGANIZATION_STACK),
        {
            "organizationalUnitIds": [f"ou-ab12-{index:08d}" for index in range(ous)],
            "organizationId": ORGANIZATION_ID,
            "regions": chosen,
        },
    )

    def run() -> object:
        return run_program(ORGANIZATION_STACK, config=config, stack_outputs={ARCHIVE_STACK_NAME: archive})

    recorded = run_program(ORGANIZATION_STACK, config=config, stack_outputs={ARCHIVE_STACK_NAME: archive})
    body = recorded.one(STACK_SET_TYPE).inputs["templateBody"]
    return OrganizationRow(
        ous, regions, len(recorded.registrations), median_seconds(run, repeats), len(body.encode())
    )


@dataclass
class SleepingRunner:
    """A fake Automation API runner: each stack takes its own latency (seconds, scaled)."""

    latencies: dict[str, float]

    def __call__(self, stack: StackInfo, preview: bool, policy_packs: Sequence[str]) -> str:
        time.sleep(self.latencies[stack.name])
        return "up succeeded: same 12"


def deploy_stacks(count: int) -> tuple[list[StackInfo], SleepingRunner]:
    """One archive (about 4 min real) and ``count`` sources of 30-90 s real each (seeded)."""
    rng = random.Random(12)
    stacks = [StackInfo("archive", "ap-northeast-1", None)]
    latencies = {"archive": 240 * SCALE}
    for index in range(count):
        name = f"account-{index:03d}"
        stacks.append(StackInfo(name, "ap-northeast-1", "organization/log-archive/archive"))
        latencies[name] = rng.uniform(30, 90) * SCALE
    return stacks, SleepingRunner(latencies)


def measure_deploy(count: int, parallel: int) -> DeployRow:
    stacks, runner = deploy_stacks(count)
    start = time.perf_counter()
    if parallel == 1:
        deploy(stacks, runner, False, [], report=lambda _: None)
    else:
        deploy_parallel(stacks, runner, False, [], parallel, stream=io.StringIO(), report=lambda _: None)
    return DeployRow(count, parallel, time.perf_counter() - start)


def run(quick: bool) -> tuple[list[OrganizationRow], list[DeployRow]]:
    sizes = [1] if quick else [1, 50, 500]
    organization_rows: list[OrganizationRow] = []
    for ous in sizes:
        organization_rows.append(measure_organization(ous, len(REGIONS), 1 if quick or ous == 500 else 3))
        print(f"organization: {ous} OUs x {len(REGIONS)} regions measured", file=sys.stderr)
    count = 10 if quick else 100
    deploy_rows = [measure_deploy(count, parallel) for parallel in ((1, 4) if quick else (1, 4, 8, 16))]
    return organization_rows, deploy_rows


def render(organization_rows: list[OrganizationRow], deploy_rows: list[DeployRow]) -> list[str]:
    limit = organization_template.TEMPLATE_BODY_LIMIT
    lines = [
        "## 5. Organization stack (StackSet) and parallel deploys",
        "",
        "`Pulumi.organization.yaml` evaluated by `run_program` with N OUs x 17 regions (one "
        "`StackInstances` resource over all of them); neither resources nor template grow with OUs. "
        "Median of 3 runs (1 at 500 "
        f"OUs). Template body against CloudFormation's inline limit of {limit:,} bytes (1 MB via S3).",
        "",
        "| OUs x regions | resources | evaluation (s) | template (bytes) | of inline limit |",
        "|---|--:|--:|--:|--:|",
        *(
            f"| {row.ous} x {row.regions} | {row.resources} | {row.seconds:.2f} | {row.template_bytes:,} "
            f"| {100 * row.template_bytes / limit:.1f} % |"
            for row in organization_rows
        ),
        "",
        "`tools.deploy` over one archive (240 s) and N source stacks (30-90 s each, seeded) with a fake "
        f"runner sleeping those latencies scaled by {SCALE:g}; wall time shown back at real scale. "
        "Parallel 1 is the sequential `deploy`.",
        "",
        "| source stacks | parallel | wall time (real-scale min) | speed-up |",
        "|--:|--:|--:|--:|",
    ]
    sequential = {row.stacks: row.seconds for row in deploy_rows if row.parallel == 1}
    lines += [
        f"| {row.stacks} | {row.parallel} | {row.seconds / SCALE / 60:.1f} | "
        f"{sequential[row.stacks] / row.seconds:.1f}x |"
        for row in deploy_rows
    ]
    return lines


if __name__ == "__main__":
    print("\n".join(render(*run("--quick" in sys.argv[1:]))))
