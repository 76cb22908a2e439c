"""``LogSourceArgs``: every setting of a source stack, read from config and validated."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pulumi

from components.archive_reference import ARCHIVE_STACK_KEY
from components.validation import ConfigError, get_object, regions, string_list

LOG_GROUPS_KEY = "logGroups"
ACCOUNT_POLICY_KEY = "accountPolicy"
REGIONS_KEY = "regions"

LOG_GROUP_NAME = re.compile(r"^[.\-_/#A-Za-z0-9]{1,512}$")
ARCHIVE_STACK_NAME = re.compile(r"^[^/\s]+/[^/\s]+/[^/\s]+$")
MAX_FILTER_PATTERN = 1024
"""CloudWatch Logs' limit on a filter pattern, in characters."""
MAX_SELECTION_CRITERIA = 25_000
"""Bytes; AWS documents "25 KB" for an account policy's selection criteria, read conservatively."""
RETENTION_DAYS = (
    *(1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731),
    *(1096, 1827, 2192, 2557, 2922, 3288, 3653),
)
"""The retention periods CloudWatch Logs accepts, in days."""
DEFAULT_RETENTION_DAYS = 365
"""Retention of a log group the stack creates: one year (Security Hub CloudWatch.16)."""

LOG_GROUP_ACCEPTED = "a log group name of 1-512 characters from [.-_/#A-Za-z0-9]"
LOG_GROUPS_ACCEPTED = (
    "a list of {name, filterPattern?, create?, retentionDays?} objects, e.g. "
    '[{"name": "/app/web", "filterPattern": "", "create": true, "retentionDays": 30}]'
)
ACCOUNT_POLICY_ACCEPTED = (
    'an object {filterPattern?, excludeLogGroups?}, e.g. {"filterPattern": "", '
    '"excludeLogGroups": ["/aws/lambda/noisy"]}'
)
REGIONS_ACCEPTED = 'a list of AWS region codes, e.g. ["ap-northeast-1", "us-east-1"]'
FILTER_PATTERN_ACCEPTED = (
    f'a CloudWatch Logs filter pattern of at most {MAX_FILTER_PATTERN} characters ("" matches every event)'
)


@dataclass(frozen=True)
class LogGroupSource:
    """One entry of ``log-archive:logGroups``."""

    name: str
    """Log group name. Required."""
    filter_pattern: str = ""
    """Events to archive; default ``""``, every event."""
    create: bool = False
    """Whether the stack creates the log group; default ``False``: it must already exist."""
    retention_days: int | None = None
    """Retention of a created log group; default ``DEFAULT_RETENTION_DAYS`` when ``create``,
    else ``None`` (an existing log group's retention is left alone)."""


@dataclass(frozen=True)
class AccountPolicySource:
    """``log-archive:accountPolicy``."""

    filter_pattern: str = ""
    """Events to archive from every covered log group; default ``""``, every event."""
    exclude_log_groups: tuple[str, ...] = ()
    """Log groups the account policy leaves out; default none."""


@dataclass(frozen=True)
class LogSourceArgs:
    """Everything a ``LogSource`` needs, parsed and checked from the stack configuration."""

    archive_stack: str
    """``log-archive:archiveStack``, the archive stack's full name. Required."""
    account_id: str
    """This stack's AWS account id (from the credentials). Required."""
    regions: tuple[str, ...]
    """``log-archive:regions``; default: the stack's region (``aws:region``)."""
    log_groups: tuple[LogGroupSource, ...] = ()
    """``log-archive:logGroups``; default none."""
    account_policy: AccountPolicySource | None = None
    """``log-archive:accountPolicy``; default ``None``, no account-wide subscription."""

    @classmethod
    def from_config(cls, config: pulumi.Config, account_id: str, region: str) -> LogSourceArgs:
        """Parse and check ``log-archive:*``; raises ``ConfigError`` naming the bad key."""
        if config.get("excludeLogGroups") is not None:
            raise ConfigError(
                "excludeLogGroups",
                "exclusions apply only to the account policy",
                'accountPolicy: {"excludeLogGroups": [...]}',
            )
        archive_stack = config.get(ARCHIVE_STACK_KEY) or ""
        if not ARCHIVE_STACK_NAME.match(archive_stack):
            raise ConfigError(
                ARCHIVE_STACK_KEY,
                f"{archive_stack!r} is not a full stack name",
                "<organization>/<project>/<stack>, e.g. organization/log-archive/account-b",
            )
        log_groups = _log_groups(get_object(config, LOG_GROUPS_KEY, LOG_GROUPS_ACCEPTED))
        account_policy = _account_policy(get_object(config, ACCOUNT_POLICY_KEY, ACCOUNT_POLICY_ACCEPTED))
        if not log_groups and account_policy is None:
            raise ConfigError(
                LOG_GROUPS_KEY,
                f"nothing to archive: neither {LOG_GROUPS_KEY} nor {ACCOUNT_POLICY_KEY} is set",
                f"{LOG_GROUPS_ACCEPTED}, or {ACCOUNT_POLICY_KEY}: {ACCOUNT_POLICY_ACCEPTED}",
            )
        return cls(
            archive_stack=archive_stack,
            account_id=account_id,
            regions=tuple(regions(get_object(config, REGIONS_KEY, REGIONS_ACCEPTED), REGIONS_KEY, region)),
            log_groups=log_groups,
            account_policy=account_policy,
        )


def _fields(value: Any, key: str, allowed: tuple[str, ...], accepted: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise ConfigError(key, f"got {value!r}", accepted)
    unknown = sorted(set(value) - set(allowed))
    if unknown:
        raise ConfigError(key, f"unknown key {', '.join(map(repr, unknown))}", accepted)
    return value


def _log_group_name(value: Any, key: str) -> str:
    if not isinstance(value, str) or not LOG_GROUP_NAME.match(value):
        raise ConfigError(key, f"{value!r} is not a valid log group name", LOG_GROUP_ACCEPTED)
    return value


def _filter_pattern(value: Any, key: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ConfigError(key, f"{value!r} is not a string", FILTER_PATTERN_ACCEPTED)
    if len(value) > MAX_FILTER_PATTERN:
        raise ConfigError(key, f"the pattern has {len(value)} characters", FILTER_PATTERN_ACCEPTED)
    return value


def _log_groups(value: Any) -> tuple[LogGroupSource, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise ConfigError(LOG_GROUPS_KEY, f"got {value!r}", LOG_GROUPS_ACCEPTED)
    seen: set[str] = set()
    sources: list[LogGroupSource] = []
    for index, item in enumerate(value):
        key = f"{LOG_GROUPS_KEY}[{index}]"
        fields = _fields(item, key, ("name", "filterPattern", "create", "retentionDays"), LOG_GROUPS_ACCEPTED)
        name = _log_group_name(fields.get("name"), f"{key}.name")
        if name in seen:
            raise ConfigError(f"{key}.name", f"{name!r} is listed twice", "each log group once")
        seen.add(name)
        create = fields.get("create", False)
        if not isinstance(create, bool):
            raise ConfigError(f"{key}.create", f"{create!r} is not a boolean", "true or false")
        sources.append(
            LogGroupSource(
                name=name,
                filter_pattern=_filter_pattern(fields.get("filterPattern"), f"{key}.filterPattern"),
                create=create,
                retention_days=_retention_days(fields.get("retentionDays"), key, create),
            )
        )
    return tuple(sources)


def _retention_days(value: Any, key: str, create: bool) -> int | None:
    accepted = f"one of {', '.join(map(str, RETENTION_DAYS))}"
    if value is None:
        return DEFAULT_RETENTION_DAYS if create else None
    if not create:
        raise ConfigError(
            f"{key}.retentionDays",
            "retention applies only to a log group the stack creates",
            '"create": true with it, or no retentionDays for an existing log group',
        )
    if isinstance(value, bool) or value not in RETENTION_DAYS:
        raise ConfigError(f"{key}.retentionDays", f"{value!r} is not accepted", accepted)
    return int(value)


def _account_policy(value: Any) -> AccountPolicySource | None:
    if value is None:
        return None
    fields = _fields(
        value, ACCOUNT_POLICY_KEY, ("filterPattern", "excludeLogGroups"), ACCOUNT_POLICY_ACCEPTED
    )
    exclusions_key = f"{ACCOUNT_POLICY_KEY}.excludeLogGroups"
    exclusions = string_list(
        fields.get("excludeLogGroups", []),
        exclusions_key,
        f"a list of log group names, each {LOG_GROUP_ACCEPTED}",
        lambda name: bool(LOG_GROUP_NAME.match(name)),
    )
    return AccountPolicySource(
        filter_pattern=_filter_pattern(fields.get("filterPattern"), f"{ACCOUNT_POLICY_KEY}.filterPattern"),
        exclude_log_groups=tuple(exclusions),
    )
