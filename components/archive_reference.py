"""The archive stack's outputs, read as plain values so a source can check them before deploying."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pulumi
from pulumi.runtime.sync_await import _sync_await  # pyright: ignore[reportPrivateUsage]
from pulumi.stack_reference import StackReferenceOutputDetails

from components import outputs
from components.stack_config import ARCHIVE_STACK_KEY
from components.subscription_changes import BUS_NAME, bus_arn
from components.validation import (
    ACCOUNT_ID,
    LOG_GROUP_NAME,
    ORGANIZATION_ID,
    PARTITION,
    ConfigError,
    aws_regions,
)

__all__ = ["ARCHIVE_STACK_KEY", "ArchiveOutputs", "parse_outputs", "read_archive", "read_outputs"]

DESTINATION_ARN = re.compile(
    r"\Aarn:(?P<partition>[a-z-]+):logs:(?P<region>[a-z0-9-]+):(?P<account>[0-9]{12}):destination:[^:*]{1,512}\Z"
)


@dataclass(frozen=True)
class ArchiveOutputs:
    """What a source needs to know about the archive, validated."""

    stack: str
    """Full name of the archive stack these outputs were read from."""
    destination_arns: Mapping[str, str]
    """Region -> CloudWatch Logs destination ARN."""
    archive_account_id: str
    source_account_ids: frozenset[str]
    """Accounts the destination policy lists."""
    organization_id: str | None
    """The organization the destination policy allows, or ``None`` for the account-list form."""
    subscription_role_required: bool
    """Whether every filter and account policy must carry a role ARN (organization form)."""
    pipeline_log_groups: Mapping[str, tuple[str, ...]]
    """Region -> log groups the archive pipeline writes itself."""
    change_bus_arns: Mapping[str, str]
    """Region -> the archive's bus for subscription changes (``components.subscription_changes``)."""
    secret_outputs: frozenset[str]
    """Names of the outputs the archive stack marked secret."""

    def check_regions(self, regions: Sequence[str], key: str) -> None:
        """Refuse, naming ``key``, any of ``regions`` without a destination of this archive."""
        missing = [region for region in regions if region not in self.destination_arns]
        if missing:
            raise ConfigError(
                key,
                f"the archive stack {self.stack} has no destination in {', '.join(missing)} "
                "(regions defaults to aws:region)",
                f"regions the archive serves ({', '.join(sorted(self.destination_arns))}), or "
                "the region added to log-archive:sourceRegions of the archive stack and deployed",
            )


def read_outputs(reference: pulumi.StackReference, names: Sequence[str]) -> dict[str, tuple[Any, bool]]:
    """For each output in ``names``, its plain value (``None`` when absent) and whether it is secret.

    Pre-flight checks must fail before any resource is registered, so they need plain values,
    not ``Output``s. ``StackReference.get_output_details`` is a coroutine; the SDK's own
    synchronous invokes wait for theirs with the private ``_sync_await``, and so does this
    function, the only place that uses it (once, for all the outputs).
    """

    async def all_details() -> list[StackReferenceOutputDetails]:
        return list(await asyncio.gather(*(reference.get_output_details(name) for name in names)))

    return {
        name: (details.secret_value, True) if details.secret_value is not None else (details.value, False)
        for name, details in zip(names, _sync_await(all_details()), strict=True)
    }


def read_archive(resource_name: str, stack: str) -> ArchiveOutputs:
    """Read and check the outputs of the archive stack ``stack`` through a ``StackReference``."""
    reference = pulumi.StackReference(resource_name, stack_name=stack)
    read = read_outputs(reference, (*outputs.ARCHIVE_REQUIRED, outputs.ORGANIZATION_ID))
    values = {name: value for name, (value, _) in read.items()}
    secret = {name for name, (_, is_secret) in read.items() if is_secret}
    return parse_outputs(stack, values, frozenset(secret))


def parse_outputs(stack: str, values: Mapping[str, Any], secret_outputs: frozenset[str]) -> ArchiveOutputs:
    """Check the archive's output ``values`` one by one and against each other.

    Each output is checked for its form, then for consistency with the others: destinations in
    the ``aws`` partition, the archive account and the region they are listed under; the
    organization form (``organizationId``) exactly when subscriptions need a role; pipeline log
    groups for the destinations' regions. An absent output is ``None`` or missing from ``values``.
    """
    missing = [name for name in outputs.ARCHIVE_REQUIRED if values.get(name) is None]
    if missing:
        raise ConfigError(
            ARCHIVE_STACK_KEY,
            f"the archive stack {stack} has no output {', '.join(missing)}",
            "the name of a deployed archive stack: run `pulumi up` on the archive stack first "
            "(with this project's current version), then on this source stack",
        )
    archive = ArchiveOutputs(
        stack=stack,
        destination_arns=_destination_arns(stack, values[outputs.DESTINATION_ARNS]),
        archive_account_id=_account_id(stack, values[outputs.ARCHIVE_ACCOUNT_ID]),
        source_account_ids=_account_ids(stack, values[outputs.SOURCE_ACCOUNT_IDS]),
        organization_id=_organization_id(stack, values.get(outputs.ORGANIZATION_ID)),
        subscription_role_required=_flag(stack, values[outputs.SUBSCRIPTION_ROLE_REQUIRED]),
        pipeline_log_groups=_pipeline_log_groups(stack, values[outputs.PIPELINE_LOG_GROUPS]),
        change_bus_arns=_change_bus_arns(stack, values[outputs.CHANGE_BUS_ARNS]),
        secret_outputs=secret_outputs,
    )
    _check_consistency(archive)
    return archive


def _check_consistency(archive: ArchiveOutputs) -> None:
    for region, arn in sorted(archive.destination_arns.items()):
        partition, _, _, account = arn.split(":")[1:5]
        if partition != PARTITION or account != archive.archive_account_id:
            raise _inconsistent(
                archive.stack,
                f"{outputs.DESTINATION_ARNS}[{region}] is {arn}, not a destination of the aws "
                f"partition in account {archive.archive_account_id} ({outputs.ARCHIVE_ACCOUNT_ID})",
            )
    if (archive.organization_id is not None) != archive.subscription_role_required:
        raise _inconsistent(
            archive.stack,
            f"{outputs.ORGANIZATION_ID} is {archive.organization_id!r} but "
            f"{outputs.SUBSCRIPTION_ROLE_REQUIRED} is {str(archive.subscription_role_required).lower()}; "
            "the organization form and only it requires a role",
        )
    expected_buses = {
        region: bus_arn(PARTITION, archive.archive_account_id, region) for region in archive.destination_arns
    }
    if archive.change_bus_arns != expected_buses:
        raise _inconsistent(
            archive.stack,
            f"{outputs.CHANGE_BUS_ARNS} is {dict(archive.change_bus_arns)}, not the bus {BUS_NAME} "
            f"of account {archive.archive_account_id} in each region of {outputs.DESTINATION_ARNS}",
        )
    if set(archive.pipeline_log_groups) != set(archive.destination_arns):
        raise _inconsistent(
            archive.stack,
            f"{outputs.PIPELINE_LOG_GROUPS} covers {_regions(archive.pipeline_log_groups)}, "
            f"{outputs.DESTINATION_ARNS} {_regions(archive.destination_arns)}",
        )


def _regions(by_region: Mapping[str, Any]) -> str:
    return ", ".join(sorted(by_region)) or "no region"


def _inconsistent(stack: str, problem: str) -> ConfigError:
    return ConfigError(
        ARCHIVE_STACK_KEY,
        f"the outputs of the archive stack {stack} are inconsistent: {problem}",
        "an archive stack deployed with this project's current version, its outputs unedited "
        "(run `pulumi up` on the archive stack first)",
    )


def _malformed(stack: str, output: str, value: Any, expected: str) -> ConfigError:
    return ConfigError(
        ARCHIVE_STACK_KEY,
        f"output {output} of the archive stack {stack} is {value!r}, not {expected}",
        "an archive stack deployed with this project's current version "
        "(run `pulumi up` on the archive stack first)",
    )


def _change_bus_arns(stack: str, value: Any) -> dict[str, str]:
    if not isinstance(value, Mapping) or not all(
        isinstance(region, str) and isinstance(arn, str) for region, arn in value.items()
    ):
        raise _malformed(stack, outputs.CHANGE_BUS_ARNS, value, "a map of region -> event bus ARN")
    return {str(region): str(arn) for region, arn in value.items()}


def _destination_arns(stack: str, value: Any) -> dict[str, str]:
    expected = "a map of region -> destination ARN in that region"
    if not isinstance(value, Mapping):
        raise _malformed(stack, outputs.DESTINATION_ARNS, value, expected)
    arns: dict[str, str] = {}
    for region, arn in value.items():
        match = DESTINATION_ARN.match(arn) if isinstance(arn, str) else None
        if match is None or match["region"] != region or region not in aws_regions():
            raise _malformed(stack, outputs.DESTINATION_ARNS, value, expected)
        arns[str(region)] = arn
    return arns


def _account_id(stack: str, value: Any) -> str:
    if not isinstance(value, str) or not ACCOUNT_ID.match(value):
        raise _malformed(stack, outputs.ARCHIVE_ACCOUNT_ID, value, "a 12-digit account id")
    return value


def _account_ids(stack: str, value: Any) -> frozenset[str]:
    if not isinstance(value, list) or not all(
        isinstance(item, str) and ACCOUNT_ID.match(item) for item in value
    ):
        raise _malformed(stack, outputs.SOURCE_ACCOUNT_IDS, value, "a list of 12-digit account ids")
    return frozenset(value)


def _organization_id(stack: str, value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not ORGANIZATION_ID.match(value):
        raise _malformed(stack, outputs.ORGANIZATION_ID, value, "an organization id (o-...)")
    return value


def _flag(stack: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise _malformed(stack, outputs.SUBSCRIPTION_ROLE_REQUIRED, value, "true or false")
    return value


def _pipeline_log_groups(stack: str, value: Any) -> dict[str, tuple[str, ...]]:
    expected = "a map of region -> list of valid log group names"
    if not isinstance(value, Mapping):
        raise _malformed(stack, outputs.PIPELINE_LOG_GROUPS, value, expected)
    groups: dict[str, tuple[str, ...]] = {}
    for region, names in value.items():
        if not isinstance(names, list) or not all(
            isinstance(name, str) and LOG_GROUP_NAME.match(name) for name in names
        ):
            raise _malformed(stack, outputs.PIPELINE_LOG_GROUPS, value, expected)
        groups[str(region)] = tuple(names)
    return groups
