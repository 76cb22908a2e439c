"""The organization stack's configuration, parsed and checked (``OrganizationSourcesArgs``).

The organization stack sets ``log-archive:organizationalUnitIds``; it is deployed in the
organization's management account or a CloudFormation StackSets delegated administrator, and
enrolls every account of those OUs through one service-managed StackSet. Every bad value is a
``ConfigError`` naming the key and the accepted form, raised before any resource is registered.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Literal

from components import validation
from components.heartbeat import DEFAULT_HEARTBEAT_MINUTES
from components.source_args import (
    ACCOUNT_POLICY_ACCEPTED,
    ACCOUNT_POLICY_KEY,
    REGIONS_KEY,
    AccountPolicySource,
    parse_account_policy,
    parse_archive_stack,
    parse_heartbeat_minutes,
)
from components.stack_config import ORGANIZATION_UNITS_KEY, StackConfig
from components.validation import ConfigError

ORGANIZATION_ID_KEY = "organizationId"
CALL_AS_KEY = "callAs"
RETAIN_KEY = "retainStacksOnAccountRemoval"
OPERATION_PREFERENCES_KEY = "operationPreferences"

TARGET_ID = re.compile(r"\A(ou-[0-9a-z]{4,32}-[0-9a-z]{8,32}|r-[0-9a-z]{4,32})\Z")
"""An OU id or the organization root's id (the patterns of the Organizations API model)."""
TARGETS_ACCEPTED = (
    "a non-empty list of organizational unit ids (ou-xxxx-xxxxxxxx) or the root id (r-xxxx), e.g. "
    '["ou-ab12-cd34ef56"]'
)
ORGANIZATION_ID_ACCEPTED = "the organization id (o- and 10-32 lowercase letters or digits), e.g. o-abcd123456"
CALL_AS = ("SELF", "DELEGATED_ADMIN")
REGION_CONCURRENCY = ("SEQUENTIAL", "PARALLEL")
PREFERENCE_FIELDS = (
    *("maxConcurrentCount", "maxConcurrentPercentage", "failureToleranceCount"),
    *("failureTolerancePercentage", "regionConcurrencyType"),
)
OPERATION_PREFERENCES_ACCEPTED = (
    '{"maxConcurrentPercentage": 1-100 or "maxConcurrentCount": 1-10000, '
    '"failureTolerancePercentage": 0-100 or "failureToleranceCount": 0-10000, '
    '"regionConcurrencyType": "SEQUENTIAL" or "PARALLEL"}, every field optional'
)
DEFAULT_MAX_CONCURRENT_PERCENTAGE = 25
DEFAULT_FAILURE_TOLERANCE_PERCENTAGE = 10
MAX_COUNT = 10_000


@dataclass(frozen=True)
class OperationPreferences:
    """How CloudFormation rolls a StackSet operation out (``log-archive:operationPreferences``).

    Exactly one of each ``*_count`` / ``*_percentage`` pair is set."""

    max_concurrent_count: int | None = None
    max_concurrent_percentage: int | None = DEFAULT_MAX_CONCURRENT_PERCENTAGE
    """Default 25 % of the accounts of a region at a time."""
    failure_tolerance_count: int | None = None
    failure_tolerance_percentage: int | None = DEFAULT_FAILURE_TOLERANCE_PERCENTAGE
    """Default: a region's operation stops once 10 % of its accounts failed."""
    region_concurrency_type: Literal["SEQUENTIAL", "PARALLEL"] = "SEQUENTIAL"
    """Default ``SEQUENTIAL``: the home region (which creates the global role) goes first."""


@dataclass(frozen=True)
class OrganizationSourcesArgs:
    """Everything ``OrganizationSources`` needs, parsed and checked from the stack configuration."""

    archive_stack: str
    """``log-archive:archiveStack``: the archive stack, in the organization form. Required."""
    organization_id: str
    """``log-archive:organizationId``: the organization the StackSet deploys into; must be the
    archive's. Required."""
    organizational_unit_ids: tuple[str, ...]
    """``log-archive:organizationalUnitIds``: the OUs (or root) whose accounts are enrolled,
    those that join later included. Required."""
    regions: tuple[str, ...]
    """``log-archive:regions``; default the stack's ``aws:region``. The first is the home region,
    where the StackSet creates the (global) subscription role."""
    account_policy: AccountPolicySource = field(default_factory=AccountPolicySource)
    """``log-archive:accountPolicy``: filter pattern and exclusions; default every event of every
    log group."""
    call_as: Literal["SELF", "DELEGATED_ADMIN"] = "SELF"
    """``log-archive:callAs``: ``SELF`` in the management account (default), ``DELEGATED_ADMIN``
    in a delegated administrator account."""
    retain_stacks_on_account_removal: bool = False
    """``log-archive:retainStacksOnAccountRemoval``; default ``False``: the stack instance of an
    account that leaves the OUs is deleted with its policy and role."""
    operation_preferences: OperationPreferences = field(default_factory=OperationPreferences)
    """``log-archive:operationPreferences``."""
    heartbeat_minutes: int = DEFAULT_HEARTBEAT_MINUTES
    """``log-archive:heartbeatMinutes``: the template writes a heartbeat every this many minutes
    in every enrolled account and region (``components.heartbeat``); ``0`` turns heartbeats off.
    Default 5."""

    @property
    def home_region(self) -> str:
        return self.regions[0]

    @classmethod
    def from_config(cls, config: StackConfig, region: str) -> OrganizationSourcesArgs:
        """Parse and check ``log-archive:*``; raises ``ConfigError`` naming the bad key."""
        config.check_keys("organization")
        home = validation.region(region, "aws:region", "aws:region set to " + validation.REGION_ACCEPTED)
        archive_stack = parse_archive_stack(config)
        organization_id = validation.text(
            config.get(ORGANIZATION_ID_KEY),
            ORGANIZATION_ID_KEY,
            ORGANIZATION_ID_ACCEPTED,
            validation.ORGANIZATION_ID,
            what="an organization id",
        )
        targets = validation.string_list(
            config.get_json(ORGANIZATION_UNITS_KEY, TARGETS_ACCEPTED),
            ORGANIZATION_UNITS_KEY,
            TARGETS_ACCEPTED,
            _target_id,
        )
        if not targets:
            raise ConfigError(ORGANIZATION_UNITS_KEY, "the list is empty", TARGETS_ACCEPTED)
        retain = config.get_json(RETAIN_KEY, "true or false")
        return cls(
            archive_stack=archive_stack,
            organization_id=organization_id,
            organizational_unit_ids=tuple(targets),
            regions=tuple(
                validation.regions(
                    config.get_json(REGIONS_KEY, validation.REGIONS_ACCEPTED), REGIONS_KEY, home
                )
            ),
            account_policy=parse_account_policy(config.get_json(ACCOUNT_POLICY_KEY, ACCOUNT_POLICY_ACCEPTED))
            or AccountPolicySource(),
            call_as=validation.choice(config.get(CALL_AS_KEY), CALL_AS_KEY, CALL_AS),
            retain_stacks_on_account_removal=retain is not None and validation.flag(retain, RETAIN_KEY),
            operation_preferences=_operation_preferences(
                config.get_json(OPERATION_PREFERENCES_KEY, OPERATION_PREFERENCES_ACCEPTED)
            ),
            heartbeat_minutes=parse_heartbeat_minutes(config, DEFAULT_HEARTBEAT_MINUTES),
        )


def _target_id(value: Any, key: str, accepted: str) -> str:
    return validation.text(value, key, accepted, TARGET_ID, what="an OU id or root id")


def _operation_preferences(value: Any) -> OperationPreferences:
    if value is None:
        return OperationPreferences()
    key = OPERATION_PREFERENCES_KEY
    fields = validation.mapping(value, key, PREFERENCE_FIELDS, OPERATION_PREFERENCES_ACCEPTED)
    for count, percentage in (
        ("maxConcurrentCount", "maxConcurrentPercentage"),
        ("failureToleranceCount", "failureTolerancePercentage"),
    ):
        if count in fields and percentage in fields:
            raise ConfigError(
                f"{key}.{count}",
                f"both {count} and {percentage} are set; CloudFormation takes one of them",
                OPERATION_PREFERENCES_ACCEPTED,
            )
    max_count = validation.integer(
        fields.get("maxConcurrentCount"), f"{key}.maxConcurrentCount", 1, MAX_COUNT
    )
    max_percentage = validation.integer(
        fields.get("maxConcurrentPercentage"), f"{key}.maxConcurrentPercentage", 1, 100
    )
    tolerance_count = validation.integer(
        fields.get("failureToleranceCount"), f"{key}.failureToleranceCount", 0, MAX_COUNT
    )
    tolerance_percentage = validation.integer(
        fields.get("failureTolerancePercentage"), f"{key}.failureTolerancePercentage", 0, 100
    )
    if max_count is None and max_percentage is None:
        max_percentage = DEFAULT_MAX_CONCURRENT_PERCENTAGE
    if tolerance_count is None and tolerance_percentage is None:
        tolerance_percentage = DEFAULT_FAILURE_TOLERANCE_PERCENTAGE
    if max_count is not None and tolerance_count is not None and max_count > tolerance_count + 1:
        raise ConfigError(
            f"{key}.maxConcurrentCount",
            f"{max_count} is more than failureToleranceCount + 1 ({tolerance_count + 1}); "
            "CloudFormation refuses it",
            "at most failureToleranceCount + 1, or maxConcurrentPercentage instead: "
            + OPERATION_PREFERENCES_ACCEPTED,
        )
    concurrency = validation.choice(
        fields.get("regionConcurrencyType"), f"{key}.regionConcurrencyType", REGION_CONCURRENCY
    )
    return OperationPreferences(
        max_concurrent_count=max_count,
        max_concurrent_percentage=max_percentage,
        failure_tolerance_count=tolerance_count,
        failure_tolerance_percentage=tolerance_percentage,
        region_concurrency_type=concurrency,
    )
