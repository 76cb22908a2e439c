"""``LogSourceArgs``: every setting of a source stack, read from config and validated."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from components import naming, validation
from components.heartbeat import (
    DEFAULT_HEARTBEAT_MINUTES,
    HEARTBEAT_MINUTES_KEY,
    MAX_HEARTBEAT_MINUTES,
    has_own_filter,
)
from components.stack_config import ARCHIVE_STACK_KEY, StackConfig
from components.validation import LOG_GROUP_ACCEPTED, ConfigError, log_group_name, string_list

LOG_GROUPS_KEY = "logGroups"
ACCOUNT_POLICY_KEY = "accountPolicy"
REGIONS_KEY = "regions"
STACK_SET_ENROLLED_KEY = "stackSetEnrolled"

ARCHIVE_STACK_NAME = re.compile(r"\A[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+\Z")
"""``<organization>/<project>/<stack>``, each of the characters Pulumi allows in those names."""
RESERVED_LOG_GROUP_PREFIX = "aws/"
"""CloudWatch Logs refuses to create a log group whose name starts with it."""
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

LOG_GROUPS_ACCEPTED = (
    "a list of {name, filterPattern?, create?, retentionDays?, kmsKeyArn?} objects, e.g. "
    '[{"name": "/app/web", "filterPattern": "", "create": true, "retentionDays": 30}]'
)
KMS_KEY_ARN = re.compile(
    r"\Aarn:(?P<partition>[a-z-]+):kms:(?P<region>[a-z0-9-]+):(?P<account>[0-9]{12}):key/"
    r"(mrk-[0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\Z"
)
LOG_GROUP_KEY_ACCEPTED = (
    "with create: true, a KMS key ARN arn:aws:kms:<region>:<this account>:key/<key id> when the "
    'stack has one region, else an object {"<region>": "<key ARN in that region>"} naming every '
    "region of log-archive:regions, e.g. "
    '{"ap-northeast-1": "arn:aws:kms:ap-northeast-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab"}'
)
ACCOUNT_POLICY_ACCEPTED = (
    'an object {filterPattern?, excludeLogGroups?}, e.g. {"filterPattern": "", '
    '"excludeLogGroups": ["/aws/lambda/noisy"]}'
)
FILTER_PATTERN_ACCEPTED = (
    f"a CloudWatch Logs filter pattern of at most {MAX_FILTER_PATTERN} characters, its double quotes, "
    'braces, brackets and parentheses balanced ("" matches every event)'
)
ARCHIVE_STACK_ACCEPTED = "<organization>/<project>/<stack>, e.g. organization/log-archive/account-b"
CLOSING = {"{": "}", "[": "]", "(": ")"}
OPENING = {closing: opening for opening, closing in CLOSING.items()}


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
    kms_key_arns: Mapping[str, str] = field(default_factory=dict[str, str])
    """``kmsKeyArn``: region -> customer managed key that encrypts the created log group there;
    default none, CloudWatch Logs' own encryption. The key policy is the key owner's business
    (docs/security.md has the statement CloudWatch Logs needs)."""


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
    heartbeat_minutes: int = DEFAULT_HEARTBEAT_MINUTES
    """``log-archive:heartbeatMinutes``: a heartbeat event every this many minutes in every
    region (``components.heartbeat``); ``0`` turns heartbeats off. Default 5, or 0 with
    ``stack_set_enrolled`` (the StackSet writes the heartbeats; a non-zero value is refused)."""
    stack_set_enrolled: bool = False
    """``log-archive:stackSetEnrolled``: the organization stack's StackSet already gives this
    account its account policy and its heartbeats, so ``accountPolicy`` and a non-zero
    ``heartbeatMinutes`` are refused; default ``False``."""

    @property
    def heartbeat_has_own_filter(self) -> bool:
        """Whether the heartbeat log groups get a filter of their own (``heartbeat.has_own_filter``)."""
        pattern = None if self.account_policy is None else self.account_policy.filter_pattern
        return has_own_filter(self.heartbeat_minutes, pattern)

    @classmethod
    def from_config(cls, config: StackConfig, account_id: str, region: str) -> LogSourceArgs:
        """Parse and check ``log-archive:*``; raises ``ConfigError`` naming the bad key."""
        config.check_keys("source")
        home = validation.region(region, "aws:region", "aws:region set to " + validation.REGION_ACCEPTED)
        archive_stack = parse_archive_stack(config)

        regions = tuple(
            validation.regions(config.get_json(REGIONS_KEY, validation.REGIONS_ACCEPTED), REGIONS_KEY, home)
        )
        log_groups = _log_groups(config.get_json(LOG_GROUPS_KEY, LOG_GROUPS_ACCEPTED), account_id, regions)
        account_policy = _account_policy(config.get_json(ACCOUNT_POLICY_KEY, ACCOUNT_POLICY_ACCEPTED))
        enrolled = config.get_json(STACK_SET_ENROLLED_KEY, "true or false")
        stack_set_enrolled = enrolled is not None and validation.flag(enrolled, STACK_SET_ENROLLED_KEY)
        if stack_set_enrolled and account_policy is not None:
            raise ConfigError(
                ACCOUNT_POLICY_KEY,
                f"this account is enrolled by the organization stack's StackSet ({STACK_SET_ENROLLED_KEY}: "
                "true), which already gives it the account-level subscription policy; AWS allows one "
                "such policy per account and region",
                f"no {ACCOUNT_POLICY_KEY} here (only {LOG_GROUPS_KEY}, log-group-level filters), or "
                f"{STACK_SET_ENROLLED_KEY}: false for an account outside the StackSet's OUs",
            )
        if not log_groups and account_policy is None:
            raise ConfigError(
                LOG_GROUPS_KEY,
                f"nothing to archive: neither {LOG_GROUPS_KEY} nor {ACCOUNT_POLICY_KEY} is set",
                f"{LOG_GROUPS_ACCEPTED}, or {ACCOUNT_POLICY_KEY}: {ACCOUNT_POLICY_ACCEPTED}",
            )
        heartbeat_minutes = parse_heartbeat_minutes(
            config, 0 if stack_set_enrolled else DEFAULT_HEARTBEAT_MINUTES
        )
        if stack_set_enrolled and heartbeat_minutes != 0:
            raise ConfigError(
                HEARTBEAT_MINUTES_KEY,
                f"this account is enrolled by the organization stack's StackSet ({STACK_SET_ENROLLED_KEY}: "
                "true), whose template writes this account's heartbeats (the organization stack's "
                f"{HEARTBEAT_MINUTES_KEY}); a second heartbeat rule and log resource policy of the "
                "same names would silently overwrite the StackSet's (PutRule and PutResourcePolicy "
                "upsert by name)",
                f"0 or no {HEARTBEAT_MINUTES_KEY} here, or {STACK_SET_ENROLLED_KEY}: false for an account "
                "outside the StackSet's OUs",
            )
        if heartbeat_minutes != 0:
            _check_heartbeat_names(log_groups)
        return cls(
            archive_stack=archive_stack,
            account_id=account_id,
            regions=regions,
            log_groups=log_groups,
            account_policy=account_policy,
            heartbeat_minutes=heartbeat_minutes,
            stack_set_enrolled=stack_set_enrolled,
        )


def _check_heartbeat_names(log_groups: tuple[LogGroupSource, ...]) -> None:
    """The stack owns and subscribes the heartbeat log groups itself."""
    for index, source in enumerate(log_groups):
        if source.name.startswith(naming.HEARTBEAT_LOG_GROUP_PREFIX):
            raise ConfigError(
                f"{LOG_GROUPS_KEY}[{index}].name",
                f"{source.name!r} is a heartbeat log group, which the stack creates and subscribes "
                f"itself while {HEARTBEAT_MINUTES_KEY} is not 0",
                f"a log group whose name does not start with {naming.HEARTBEAT_LOG_GROUP_PREFIX!r}",
            )


def _filter_pattern(value: Any, key: str) -> str:
    """A pattern CloudWatch Logs can parse at all: within the length limit, and with its quotes
    and brackets balanced. Text between double quotes (backslash escapes a character) and
    between ``%`` regex delimiters is not bracket-checked."""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ConfigError(key, f"{value!r} is not a string", FILTER_PATTERN_ACCEPTED)
    if len(value) > MAX_FILTER_PATTERN:
        raise ConfigError(key, f"the pattern has {len(value)} characters", FILTER_PATTERN_ACCEPTED)
    problem = _unbalanced(value)
    if problem is not None:
        raise ConfigError(key, f"{value!r} {problem}", FILTER_PATTERN_ACCEPTED)
    return value


def _unbalanced(pattern: str) -> str | None:
    """What is unbalanced in ``pattern``, or ``None``."""
    expected: list[str] = []
    index = 0
    while index < len(pattern):
        char = pattern[index]
        if char == '"':
            index = _string_end(pattern, index)
            if index < 0:
                return "has an unclosed double quote"
        elif char == "%" and "%" in pattern[index + 1 :]:
            index = pattern.index("%", index + 1)
        elif char in CLOSING:
            expected.append(CLOSING[char])
        elif char in CLOSING.values() and expected[-1:] != [char]:
            return f"has an unmatched {char!r} at character {index + 1}"
        elif char in CLOSING.values():
            expected.pop()
        index += 1
    return f"opens {OPENING[expected[-1]]!r} without closing it" if expected else None


def _string_end(pattern: str, start: int) -> int:
    """Index of the double quote that closes the string opened at ``start``, or -1."""
    index = start + 1
    while index < len(pattern):
        if pattern[index] == "\\":
            index += 2
            continue
        if pattern[index] == '"':
            return index
        index += 1
    return -1


def _log_groups(value: Any, account_id: str, regions: Sequence[str]) -> tuple[LogGroupSource, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise ConfigError(LOG_GROUPS_KEY, f"got {value!r}", LOG_GROUPS_ACCEPTED)
    seen: set[str] = set()
    sources: list[LogGroupSource] = []
    for index, item in enumerate(value):
        key = f"{LOG_GROUPS_KEY}[{index}]"
        fields = validation.mapping(
            item, key, ("name", "filterPattern", "create", "retentionDays", "kmsKeyArn"), LOG_GROUPS_ACCEPTED
        )
        name = log_group_name(fields.get("name"), f"{key}.name")
        if name in seen:
            raise ConfigError(f"{key}.name", f"{name!r} is listed twice", "each log group once")
        seen.add(name)
        create = validation.flag(fields.get("create", False), f"{key}.create")
        if create and name.startswith(RESERVED_LOG_GROUP_PREFIX):
            raise ConfigError(
                f"{key}.name",
                f"{name!r} starts with {RESERVED_LOG_GROUP_PREFIX!r}, which CloudWatch Logs reserves "
                "for log groups it creates itself",
                f"with create: true, {LOG_GROUP_ACCEPTED} that does not start with "
                f"{RESERVED_LOG_GROUP_PREFIX!r} (or create: false for an existing log group)",
            )
        sources.append(
            LogGroupSource(
                name=name,
                filter_pattern=_filter_pattern(fields.get("filterPattern"), f"{key}.filterPattern"),
                create=create,
                retention_days=_retention_days(fields.get("retentionDays"), key, create),
                kms_key_arns=_log_group_keys(
                    fields.get("kmsKeyArn"), f"{key}.kmsKeyArn", create, account_id, regions
                ),
            )
        )
    return tuple(sources)


def _log_group_keys(
    value: Any, key: str, create: bool, account_id: str, regions: Sequence[str]
) -> dict[str, str]:
    """Region -> key ARN, one for every region; each key of partition aws, that region and this
    account (CloudWatch Logs uses no key of another region; a key of another account could be
    disabled under the log group, which then refuses new events)."""
    if value is None:
        return {}
    if not create:
        raise ConfigError(
            key,
            "a key applies only to a log group the stack creates (an existing one keeps its own)",
            LOG_GROUP_KEY_ACCEPTED,
        )
    if isinstance(value, str):
        if len(regions) != 1:
            raise ConfigError(
                key,
                f"one key ARN for {len(regions)} regions ({', '.join(regions)}): a key serves one region",
                LOG_GROUP_KEY_ACCEPTED,
            )
        value = {regions[0]: value}
    if not isinstance(value, dict):
        raise ConfigError(key, f"got {value!r}", LOG_GROUP_KEY_ACCEPTED)
    keys = cast(dict[str, Any], value)  # JSON object keys are strings
    if sorted(keys) != sorted(regions):
        raise ConfigError(
            key,
            f"names regions {', '.join(sorted(keys)) or 'none'}, "
            f"the stack's are {', '.join(sorted(regions))}",
            LOG_GROUP_KEY_ACCEPTED,
        )
    for region, arn in keys.items():
        match = KMS_KEY_ARN.match(arn) if isinstance(arn, str) else None
        if match is None:
            raise ConfigError(f"{key}.{region}", f"{arn!r} is not a KMS key ARN", LOG_GROUP_KEY_ACCEPTED)
        expected = {"partition": validation.PARTITION, "region": region, "account": account_id}
        for part, wanted in expected.items():
            if match[part] != wanted:
                raise ConfigError(
                    f"{key}.{region}",
                    f"the key's {part} is {match[part]}, the log group's is {wanted}",
                    LOG_GROUP_KEY_ACCEPTED,
                )
    return {region: keys[region] for region in regions}


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
    days = validation.integer(value, f"{key}.retentionDays", RETENTION_DAYS[0], RETENTION_DAYS[-1])
    if days not in RETENTION_DAYS:
        raise ConfigError(f"{key}.retentionDays", f"{days} is not accepted", accepted)
    return days


def parse_archive_stack(config: StackConfig) -> str:
    """``log-archive:archiveStack`` (shared with the organization stack), checked."""
    return validation.text(
        config.get(ARCHIVE_STACK_KEY),
        ARCHIVE_STACK_KEY,
        ARCHIVE_STACK_ACCEPTED,
        ARCHIVE_STACK_NAME,
        what="a full stack name",
    )


def parse_heartbeat_minutes(config: StackConfig, default: int) -> int:
    """``log-archive:heartbeatMinutes`` (shared with the organization stack), ``default`` if unset."""
    minutes = validation.integer(
        config.get(HEARTBEAT_MINUTES_KEY), HEARTBEAT_MINUTES_KEY, 0, MAX_HEARTBEAT_MINUTES
    )
    return default if minutes is None else minutes


def parse_account_policy(value: Any) -> AccountPolicySource | None:
    """``log-archive:accountPolicy`` parsed (shared with the organization stack), ``None`` if unset."""
    return _account_policy(value)


def _account_policy(value: Any) -> AccountPolicySource | None:
    if value is None:
        return None
    fields = validation.mapping(
        value, ACCOUNT_POLICY_KEY, ("filterPattern", "excludeLogGroups"), ACCOUNT_POLICY_ACCEPTED
    )
    exclusions = string_list(
        fields.get("excludeLogGroups", []),
        f"{ACCOUNT_POLICY_KEY}.excludeLogGroups",
        f"a list of log group names, each {LOG_GROUP_ACCEPTED}",
        log_group_name,
    )
    for index, name in enumerate(exclusions):
        if name.startswith(naming.HEARTBEAT_LOG_GROUP_PREFIX):
            raise ConfigError(
                f"{ACCOUNT_POLICY_KEY}.excludeLogGroups[{index}]",
                f"{name!r} is a heartbeat log group: the stack decides its subscription itself (the "
                'account policy carries it when its filter pattern is "", else its own filter '
                "does); excluding it would silence the heartbeat and raise a false alarm",
                f"log groups whose names do not start with {naming.HEARTBEAT_LOG_GROUP_PREFIX!r}",
            )
    return AccountPolicySource(
        filter_pattern=_filter_pattern(fields.get("filterPattern"), f"{ACCOUNT_POLICY_KEY}.filterPattern"),
        exclude_log_groups=tuple(exclusions),
    )
