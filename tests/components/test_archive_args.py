"""Config parsing and validation of the archive stack: every bad value names its key."""

from __future__ import annotations

import json
import re
from typing import Any

import pulumi
import pytest

from components.archive_args import (
    DESTINATION_POLICY_MAX_BYTES,
    TRUST_POLICY_MAX_CHARS,
    LogArchiveArgs,
)
from components.archive_policies import destination_policy, destination_policy_capacity
from components.stack_config import StackConfig
from components.validation import ConfigError

ARCHIVE = "222222222222"
REGION = "ap-northeast-1"


def stack_config(**values: Any) -> StackConfig:
    return StackConfig(
        {f"log-archive:{k}": v if isinstance(v, str) else json.dumps(v) for k, v in values.items()}
    )


def from_config(**values: Any) -> LogArchiveArgs:
    return LogArchiveArgs.from_config(stack_config(**values), ARCHIVE, REGION, "log-archive")


def accounts(count: int) -> list[str]:
    return [f"{100000000000 + i}" for i in range(count)]


def test_defaults_are_the_documented_ones() -> None:
    args = from_config(sourceAccountIds=["111111111111"])
    assert args.regions == (REGION,)
    assert args.layout == "partitioned"
    assert (args.buffering_size_mib, args.buffering_interval_seconds) == (64, 300)
    assert (args.retention_days, args.glacier_transition_days, args.deep_archive_transition_days) == (
        2557,
        90,
        365,
    )
    assert (args.object_lock_mode, args.lock_days) == ("GOVERNANCE", 2557)
    assert args.organization_id is None
    assert args.kms_key_arn is None
    assert args.reader_principal_arns == ()


def test_every_key_is_read() -> None:
    args = from_config(
        sourceAccountIds=["111111111111", "333333333333"],
        organizationId="o-abcdef1234",
        sourceRegions=["ap-northeast-1", "us-east-1"],
        layout="messages",
        bufferingSizeMiB=5,
        bufferingIntervalSeconds=0,
        retentionDays=400,
        glacierTransitionDays=30,
        deepArchiveTransitionDays=200,
        objectLockMode="COMPLIANCE",
        objectLockDays=100,
        kmsKeyArn="arn:aws:kms:ap-northeast-1:222222222222:key/1234abcd-12ab-34cd-56ef-1234567890ab",
        readerPrincipalArns=["arn:aws:iam::222222222222:role/security-audit"],
        alarmEmail="oncall@example.com",
        accessLogsBucket="org-s3-access-logs-222222222222",
    )
    assert args.source_account_ids == ("111111111111", "333333333333")
    assert args.organization_id == "o-abcdef1234"
    assert args.regions == ("ap-northeast-1", "us-east-1")
    assert args.layout == "messages"
    assert (args.buffering_size_mib, args.buffering_interval_seconds) == (5, 0)
    assert (args.retention_days, args.glacier_transition_days, args.deep_archive_transition_days) == (
        400,
        30,
        200,
    )
    assert (args.object_lock_mode, args.lock_days) == ("COMPLIANCE", 100)
    assert args.kms_key_arn is not None
    assert args.reader_principal_arns == ("arn:aws:iam::222222222222:role/security-audit",)
    assert args.alarm_email == "oncall@example.com"
    assert args.access_logs_bucket == "org-s3-access-logs-222222222222"


def test_key_administrators_are_read_as_a_list() -> None:
    args = from_config(
        sourceAccountIds=["111111111111"],
        keyAdminPrincipalArns=["arn:aws:iam::222222222222:role/log-archive-deployer"],
    )
    assert args.key_admin_principal_arns == ("arn:aws:iam::222222222222:role/log-archive-deployer",)


def test_an_organization_alone_is_enough() -> None:
    args = from_config(organizationId="o-abcdef1234")
    assert args.source_account_ids == ()


KEY_ARN = "arn:aws:kms:ap-northeast-1:222222222222:key/1234abcd-12ab-34cd-56ef-1234567890ab"


@pytest.mark.parametrize(
    ("values", "key", "fragment"),
    [
        pytest.param(
            {"sourceAccountIds": None},
            "sourceAccountIds",
            "neither sourceAccountIds nor organizationId",
            id="no-source",
        ),
        pytest.param({"sourceAccountIds": ["12345"]}, "sourceAccountIds", "'12345'", id="short-account-id"),
        pytest.param(
            {"sourceAccountIds": [111111111111]}, "sourceAccountIds", "111111111111", id="account-id-number"
        ),
        pytest.param(
            {"sourceAccountIds": ["111111111111", "111111111111"]},
            "sourceAccountIds",
            "listed twice",
            id="duplicate-account",
        ),
        pytest.param(
            {"sourceAccountIds": "111111111111"}, "sourceAccountIds", "got", id="account-not-a-list"
        ),
        pytest.param({"organizationId": "org-1"}, "organizationId", "'org-1'", id="malformed-org-id"),
        pytest.param({"sourceRegions": ["tokyo"]}, "sourceRegions", "'tokyo'", id="unknown-region-form"),
        pytest.param(
            {"sourceRegions": ["us-east-1", "us-east-1"]},
            "sourceRegions",
            "listed twice",
            id="duplicate-region",
        ),
        pytest.param({"sourceRegions": []}, "sourceRegions", "empty", id="no-region"),
        pytest.param(
            {"sourceRegions": ["cn-north-1"]}, "sourceRegions", "'cn-north-1'", id="china-partition"
        ),
        pytest.param({"sourceRegions": ["us-gov-west-1"]}, "sourceRegions", "'us-gov-west-1'", id="govcloud"),
        pytest.param({"layout": "flat"}, "layout", "'flat'", id="unknown-layout"),
        pytest.param({"bufferingSizeMiB": 32}, "bufferingSizeMiB", "32", id="partitioned-buffer-below-64"),
        pytest.param({"bufferingSizeMiB": 129}, "bufferingSizeMiB", "129", id="buffer-over-128"),
        pytest.param(
            {"bufferingSizeMiB": 64.5},
            "bufferingSizeMiB",
            "'64.5' is not a whole number",
            id="fractional-buffer",
        ),
        pytest.param(
            {"bufferingIntervalSeconds": 0}, "bufferingIntervalSeconds", "0", id="partitioned-zero-buffering"
        ),
        pytest.param(
            {"bufferingIntervalSeconds": 901}, "bufferingIntervalSeconds", "901", id="interval-over-900"
        ),
        pytest.param({"retentionDays": 0}, "retentionDays", "0", id="zero-retention"),
        pytest.param(
            {"glacierTransitionDays": 400},
            "deepArchiveTransitionDays",
            "do not fit",
            id="transitions-out-of-order",
        ),
        pytest.param(
            {"retentionDays": 300}, "deepArchiveTransitionDays", "do not fit", id="expiry-before-deep-archive"
        ),
        pytest.param(
            {"objectLockMode": "governance"}, "objectLockMode", "'governance'", id="lowercase-lock-mode"
        ),
        pytest.param({"objectLockDays": 3000}, "objectLockDays", "outlast", id="lock-longer-than-retention"),
        pytest.param(
            {"kmsKeyArn": "alias/logs"},
            "kmsKeyArn",
            "'alias/logs' is not a KMS key ARN",
            id="key-alias-not-arn",
        ),
        pytest.param(
            {"readerPrincipalArns": ["arn:aws:iam::222222222222:group/auditors"]},
            "readerPrincipalArns",
            "group/auditors",
            id="reader-is-a-group",
        ),
        pytest.param(
            {"keyAdminPrincipalArns": ["arn:aws:iam::333333333333:role/admin"]},
            "keyAdminPrincipalArns",
            "'arn:aws:iam::333333333333:role/admin' is in account 333333333333, the key is in 222222222222",
            id="key-admin-of-another-account",
        ),
        pytest.param(
            {"keyAdminPrincipalArns": ["arn:aws:iam::222222222222:group/admins"]},
            "keyAdminPrincipalArns",
            "group/admins",
            id="key-admin-is-a-group",
        ),
        pytest.param(
            {
                "keyAdminPrincipalArns": ["arn:aws:iam::222222222222:role/admin"],
                "kmsKeyArn": KEY_ARN,
            },
            "keyAdminPrincipalArns",
            "is set together with kmsKeyArn",
            id="key-admins-with-a-supplied-key",
        ),
        pytest.param({"alarmEmail": "oncall"}, "alarmEmail", "'oncall'", id="alarm-email-without-domain"),
        pytest.param(
            {"accessLogsBucket": "arn:aws:s3:::logs"},
            "accessLogsBucket",
            "'arn:aws:s3:::logs' is not a valid bucket name",
            id="access-logs-arn",
        ),
        pytest.param({"sourceRegions": "[unclosed"}, "sourceRegions", "not valid", id="unparsable-json"),
    ],
)
def test_bad_values_are_refused_naming_the_key(values: dict[str, Any], key: str, fragment: str) -> None:
    merged = {"sourceAccountIds": ["111111111111"], **values}
    with pytest.raises(ConfigError) as raised:
        from_config(**{k: v for k, v in merged.items() if v is not None})
    message = str(raised.value)
    assert message.startswith(f"log-archive:{key}: ")
    assert fragment in message
    assert "Expected " in message


def test_the_destination_policy_capacity_is_exact() -> None:
    arn = f"arn:aws:logs:{REGION}:{ARCHIVE}:destination:log-archive"
    org = "o-abcdef1234"
    fits = destination_policy_capacity(arn, org, DESTINATION_POLICY_MAX_BYTES)
    assert len(destination_policy(arn, accounts(fits), org)) <= DESTINATION_POLICY_MAX_BYTES
    assert len(destination_policy(arn, accounts(fits + 1), org)) > DESTINATION_POLICY_MAX_BYTES


@pytest.mark.parametrize("count", [400, 500, 325], ids=["400 accounts", "500 accounts", "325 accounts"])
def test_too_many_accounts_are_refused_with_the_binding_limit_first(count: int) -> None:
    with pytest.raises(ConfigError) as raised:
        LogArchiveArgs(
            ARCHIVE, REGION, source_account_ids=tuple(accounts(count)), organization_id="o-abcdef1234"
        )
    message = str(raised.value)
    assert message.startswith(
        f"log-archive:sourceAccountIds: {count} accounts in 1 region(s) make the CloudWatch"
    )
    reported = re.search(r"Expected at most (\d+) account ids", message)
    assert reported is not None
    fits = int(reported.group(1))
    assert "(the binding limit: the destination policy would take " in message
    assert "organizationId" in message
    LogArchiveArgs(ARCHIVE, REGION, source_account_ids=tuple(accounts(fits)), organization_id="o-abcdef1234")


def test_the_trust_policy_limit_admits_exactly_the_accounts_it_reports() -> None:
    regions = ("us-east-1", "eu-west-1", REGION)
    with pytest.raises(ConfigError) as raised:
        LogArchiveArgs(ARCHIVE, REGION, source_account_ids=tuple(accounts(200)), source_regions=regions)
    message = str(raised.value)
    assert f"over IAM's {TRUST_POLICY_MAX_CHARS}" in message
    assert "organizationId" in message
    reported = re.search(r"at most (\d+) account ids", message)
    assert reported is not None
    fits = int(reported.group(1))
    assert fits > 90
    LogArchiveArgs(ARCHIVE, REGION, source_account_ids=tuple(accounts(fits)), source_regions=regions)
    with pytest.raises(ConfigError, match="trust policy"):
        LogArchiveArgs(ARCHIVE, REGION, source_account_ids=tuple(accounts(fits + 1)), source_regions=regions)


def test_an_organization_archive_scales_past_the_trust_policy_limit() -> None:
    args = LogArchiveArgs(
        ARCHIVE,
        REGION,
        organization_id="o-abcdef1234",
        source_regions=("us-east-1", "eu-west-1", "ap-northeast-1", "ap-southeast-1"),
    )
    assert len(args.regions) == 4


def test_a_stack_region_outside_the_commercial_partition_is_refused_as_the_home_region() -> None:
    config = stack_config(sourceAccountIds=["111111111111"])
    with pytest.raises(ConfigError, match=r"^aws:region: 'cn-north-1' is a region of the aws-cn partition"):
        LogArchiveArgs.from_config(config, ARCHIVE, "cn-north-1", "log-archive")


def test_a_secret_alarm_email_becomes_a_secret_endpoint() -> None:
    config = StackConfig(
        {"log-archive:sourceAccountIds": '["111111111111"]', "log-archive:alarmEmail": "oncall@example.com"},
        frozenset({"log-archive:alarmEmail"}),
    )
    args = LogArchiveArgs.from_config(config, ARCHIVE, REGION, "log-archive")
    assert args.alarm_email_secret
    assert isinstance(args.alarm_endpoint, pulumi.Output)
    assert from_config(sourceAccountIds=["111111111111"], alarmEmail="a@example.com").alarm_endpoint == (
        "a@example.com"
    )


def test_queryable_days_alone_moves_the_deep_archive_transition_to_the_horizon() -> None:
    args = from_config(sourceAccountIds=["111111111111"], queryableDays=730)
    assert (args.queryable_days, args.deep_archive_transition_days, args.queryable_horizon_days) == (
        730,
        730,
        730,
    )


def test_without_queryable_days_the_horizon_is_the_deep_archive_transition() -> None:
    args = from_config(sourceAccountIds=["111111111111"], deepArchiveTransitionDays=500)
    assert (args.queryable_days, args.queryable_horizon_days) == (None, 500)


def test_queryable_days_past_the_deep_archive_transition_is_refused() -> None:
    with pytest.raises(ConfigError) as error:
        from_config(sourceAccountIds=["111111111111"], queryableDays=400, deepArchiveTransitionDays=365)
    assert error.value.key == "log-archive:queryableDays"
    assert "move to Deep Archive after 365" in str(error.value)
    assert "at most log-archive:deepArchiveTransitionDays" in str(error.value)


def test_queryable_days_beyond_retention_is_refused_as_a_transition_past_expiry() -> None:
    with pytest.raises(ConfigError) as error:
        from_config(sourceAccountIds=["111111111111"], queryableDays=3000)
    assert error.value.key == "log-archive:deepArchiveTransitionDays"


def test_the_parquet_layout_needs_the_format_conversion_buffer() -> None:
    with pytest.raises(ConfigError) as error:
        from_config(sourceAccountIds=["111111111111"], layout="parquet", bufferingSizeMiB=5)
    assert error.value.key == "log-archive:bufferingSizeMiB"
    assert from_config(sourceAccountIds=["111111111111"], layout="parquet").layout == "parquet"
