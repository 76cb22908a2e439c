"""Benchmark 1: ``__main__.py`` evaluated under the offline mocks, beside a bare floor program.

The floor registers the same custom resources (same types, names and literal inputs, copied
from a recorded run's ``Registration.inputs``) through the same mocks in the same process, with
no components and no validation: what the Pulumi SDK alone costs for that many resources.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pulumi

from benchmarks.timing import median_seconds, peak_bytes
from components.validation import ConfigError
from offline.mocks import Registration
from offline.program import ProgramFailed, ProgramRun, run_program, run_pulumi, stack_config, with_overrides

ARCHIVE_STACK = "account-b"
SOURCE_STACK = "account-a"
ARCHIVE_STACK_NAME = "organization/log-archive/account-b"
ORGANIZATION_ID = "o-benchmark01"
REGIONS = (
    *("us-east-1", "us-east-2", "us-west-1", "us-west-2", "ca-central-1", "eu-west-1", "eu-west-2"),
    *("eu-west-3", "eu-central-1", "eu-north-1", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3"),
    *("ap-southeast-1", "ap-southeast-2", "ap-south-1", "sa-east-1"),
)
"""17 regions; the archive's home region (the stack's ``aws:region``) is among them."""


@dataclass(frozen=True)
class Case:
    """One stack size: the config a run uses and how many runs its median takes."""

    stack: str
    label: str
    config: dict[str, str]
    repeats: int
    note: str = ""
    stack_outputs: Mapping[str, Mapping[str, Any]] | None = None

    def run(self) -> ProgramRun:
        return run_program(self.stack, config=self.config, stack_outputs=self.stack_outputs)


@dataclass(frozen=True)
class ProgramRow:
    """The figures of one size."""

    stack: str
    label: str
    note: str
    resources: int
    repeats: int
    program_seconds: float
    floor_seconds: float
    program_peak_bytes: int
    floor_peak_bytes: int

    @property
    def ratio(self) -> float:
        return self.program_seconds / self.floor_seconds

    @property
    def per_resource_ms(self) -> float:
        return 1000 * self.program_seconds / self.resources

    @property
    def floor_per_resource_ms(self) -> float:
        return 1000 * self.floor_seconds / self.resources


class LiteralResource(pulumi.CustomResource):
    """A custom resource of any type with literal inputs.

    A concrete subclass, like every generated ``pulumi_aws`` class: the SDK records the stack
    trace of each resource from the third ``__init__`` up, so a bare ``CustomResource`` call
    would skip that per-resource cost and make the floor lower than any real program's.
    """

    def __init__(
        self, type_: str, name: str, inputs: dict[str, Any], opts: pulumi.ResourceOptions | None
    ) -> None:
        super().__init__(type_, name, inputs, opts)


def floor_program(registrations: Sequence[Registration]) -> Callable[[], None]:
    """A program that registers ``registrations``' custom resources with literal inputs."""
    custom = [r for r in registrations if r.custom]

    def body() -> None:
        for registration in custom:
            options = pulumi.ResourceOptions(id=registration.id) if registration.read else None
            LiteralResource(registration.type, registration.name, dict(registration.inputs), options)

    return body


def measure(case: Case) -> ProgramRow:
    """Time and trace ``case`` and its floor. With more than one repeat the first run of each
    warms up and is not timed; a single repeat (the largest sizes) times the first run."""
    start = time.perf_counter()
    recorded = case.run()
    first_program = time.perf_counter() - start
    floor = floor_program(recorded.registrations)

    def run_floor() -> None:
        run_pulumi(floor, stack=case.stack, config=case.config, stack_outputs=case.stack_outputs)

    start = time.perf_counter()
    run_floor()
    first_floor = time.perf_counter() - start
    single = case.repeats == 1
    return ProgramRow(
        stack=case.stack,
        label=case.label,
        note=case.note,
        resources=len([r for r in recorded.registrations if r.custom]),
        repeats=case.repeats,
        program_seconds=first_program if single else median_seconds(case.run, case.repeats),
        floor_seconds=first_floor if single else median_seconds(run_floor, case.repeats),
        program_peak_bytes=peak_bytes(case.run),
        floor_peak_bytes=peak_bytes(run_floor),
    )


def archive_config(accounts: int, regions: int, organization: bool) -> dict[str, str]:
    """The archive stack's config with ``accounts`` source accounts and ``regions`` regions."""
    home = stack_config(ARCHIVE_STACK)["aws:region"]
    chosen = [home, *(region for region in REGIONS if region != home)][:regions]
    settings: dict[str, Any] = {
        "sourceAccountIds": [f"{100000000000 + index:012d}" for index in range(accounts)],
        "sourceRegions": chosen,
    }
    if organization:
        settings["organizationId"] = ORGANIZATION_ID
        settings["sourceAccountIds"] = []
    return with_overrides(stack_config(ARCHIVE_STACK), settings)


def archive_case(accounts: int, regions: int, repeats: int) -> Case:
    """The archive at this size in the account-list form, or the organization form when the
    archive refuses the list (a policy document over its AWS size limit, see docs/limits.md)."""
    label = f"{accounts} accounts x {regions} regions"
    config = archive_config(accounts, regions, organization=False)
    try:
        run_program(ARCHIVE_STACK, config=config)
    except ProgramFailed as failed:
        if not isinstance(failed.error, ConfigError):
            raise
        return Case(
            ARCHIVE_STACK,
            label,
            archive_config(accounts, regions, organization=True),
            repeats,
            note=f"organization form (account list refused: ConfigError on {failed.error.key})",
        )
    return Case(ARCHIVE_STACK, label, config, repeats, note="account list")


def source_case(log_groups: int, repeats: int, archive_outputs: Mapping[str, Any]) -> Case:
    """The source stack subscribing ``log_groups`` existing log groups in its one region."""
    groups = [{"name": f"/app/service-{index:05d}", "filterPattern": ""} for index in range(log_groups)]
    config = with_overrides(stack_config(SOURCE_STACK), {"logGroups": groups})
    return Case(
        SOURCE_STACK,
        f"{log_groups} log groups",
        config,
        repeats,
        note="one subscription filter per log group",
        stack_outputs={ARCHIVE_STACK_NAME: archive_outputs},
    )


def cases(quick: bool) -> list[Case]:
    """Every size of the issue (only the smallest of each stack with ``quick``)."""
    archive_outputs = run_program(ARCHIVE_STACK).outputs
    if quick:
        return [archive_case(1, 1, 1), source_case(10, 1, archive_outputs)]
    sources = [(10, 5), (100, 5), (1000, 3), (5000, 1)]
    archives = [(accounts, regions) for accounts in (1, 10, 100) for regions in (1, 4, 17)]
    return [
        *(source_case(groups, repeats, archive_outputs) for groups, repeats in sources),
        *(archive_case(a, r, 5 if r < 17 else 3) for a, r in archives),
    ]


def run(quick: bool) -> list[ProgramRow]:
    """Measure every case, reporting progress on stderr."""
    rows: list[ProgramRow] = []
    for case in cases(quick):
        rows.append(measure(case))
        print(f"program: {case.stack} {case.label}: {rows[-1].ratio:.2f}x floor", file=sys.stderr)
    return rows
