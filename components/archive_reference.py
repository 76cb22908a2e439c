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
from components.validation import ACCOUNT_ID, ORGANIZATION_ID, ConfigError

ARCHIVE_STACK_KEY = "archiveStack"
DESTINATION_ARN = re.compile(r"^arn:[a-z-]+:logs:(?P<region>[a-z0-9-]+):\d{12}:destination:.+$")


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
    secret_outputs: frozenset[str]
    """Names of the outputs the archive stack marked secret."""

    def partition(self, region: str) -> str:
        """The AWS partition (``aws``, ``aws-cn``, ...) of the destination in ``region``."""
        return self.destination_arns[region].split(":")[1]


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
    missing = [name for name in outputs.ARCHIVE_REQUIRED if values[name] is None]
    if missing:
        raise ConfigError(
            ARCHIVE_STACK_KEY,
            f"the archive stack {stack} has no output {', '.join(missing)}",
            "the name of a deployed archive stack: run `pulumi up` on the archive stack first "
            "(with this project's current version), then on this source stack",
        )
    return ArchiveOutputs(
        stack=stack,
        destination_arns=_destination_arns(stack, values[outputs.DESTINATION_ARNS]),
        archive_account_id=_account_id(stack, values[outputs.ARCHIVE_ACCOUNT_ID]),
        source_account_ids=_account_ids(stack, values[outputs.SOURCE_ACCOUNT_IDS]),
        organization_id=_organization_id(stack, values[outputs.ORGANIZATION_ID]),
        subscription_role_required=_flag(stack, values[outputs.SUBSCRIPTION_ROLE_REQUIRED]),
        pipeline_log_groups=_pipeline_log_groups(stack, values[outputs.PIPELINE_LOG_GROUPS]),
        secret_outputs=frozenset(secret),
    )


def _malformed(stack: str, output: str, value: Any, expected: str) -> ConfigError:
    return ConfigError(
        ARCHIVE_STACK_KEY,
        f"output {output} of the archive stack {stack} is {value!r}, not {expected}",
        "an archive stack deployed with this project's current version "
        "(run `pulumi up` on the archive stack first)",
    )


def _destination_arns(stack: str, value: Any) -> dict[str, str]:
    expected = "a map of region -> destination ARN in that region"
    if not isinstance(value, Mapping):
        raise _malformed(stack, outputs.DESTINATION_ARNS, value, expected)
    arns: dict[str, str] = {}
    for region, arn in value.items():
        match = DESTINATION_ARN.match(arn) if isinstance(arn, str) else None
        if match is None or match["region"] != region:
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
    expected = "a map of region -> list of log group names"
    if not isinstance(value, Mapping):
        raise _malformed(stack, outputs.PIPELINE_LOG_GROUPS, value, expected)
    groups: dict[str, tuple[str, ...]] = {}
    for region, names in value.items():
        if not isinstance(names, list) or not all(isinstance(name, str) for name in names):
            raise _malformed(stack, outputs.PIPELINE_LOG_GROUPS, value, expected)
        groups[str(region)] = tuple(names)
    return groups
