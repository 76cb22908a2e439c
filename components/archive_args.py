"""``LogArchiveArgs``: every setting of the archive stack, read from config and validated."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Literal

import pulumi

from components import validation
from components.archive_policies import (
    destination_policy,
    destination_policy_capacity,
    logs_trust_policy,
)
from components.validation import ORGANIZATION_ID, ConfigError

Layout = Literal["partitioned", "messages"]
ObjectLockMode = Literal["GOVERNANCE", "COMPLIANCE"]

PRINCIPAL_ARN = re.compile(r"^arn:aws[a-z-]*:iam::\d{12}:(root|role/[\w+=,.@/-]+|user/[\w+=,.@/-]+)$")
KMS_KEY_ARN = re.compile(r"^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key/[a-zA-Z0-9-]+$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
BUCKET_NAME = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")

DESTINATION_POLICY_MAX_BYTES = 5120
"""PutDestinationPolicy's limit on the access policy document."""
TRUST_POLICY_MAX_CHARS = 2048
"""IAM's default quota for a role trust policy (characters, whitespace not counted)."""
PARTITIONED_MIN_BUFFER_MIB = 64
"""Dynamic partitioning needs a buffer of at least 64 MiB."""


@dataclass(frozen=True)
class LogArchiveArgs:
    """Settings of one log archive. ``from_config`` maps each ``log-archive:<camelCase>`` key."""

    account_id: str
    """The archive account (account B). Required: read from the caller identity."""
    region: str
    """Home region of the bucket and key. Required: the stack's ``aws:region``."""
    source_account_ids: tuple[str, ...] = ()
    """``sourceAccountIds``: accounts allowed to subscribe. Default: none (then
    ``organizationId`` is required)."""
    organization_id: str | None = None
    """``organizationId``: allow every account of this AWS Organization (``o-...``). Default: unset."""
    source_regions: tuple[str, ...] = ()
    """``sourceRegions``: one destination and one Firehose stream per region. Default: ``region``."""
    layout: Layout = "partitioned"
    """``layout``: ``partitioned`` (decompressed CloudWatch envelopes under
    ``account=/log_group=/dt=``) or ``messages`` (plain log lines under ``dt=``)."""
    buffering_size_mib: int = 64
    """``bufferingSizeMiB``: Firehose buffer size, 1-128 (at least 64 when partitioned). Default 64."""
    buffering_interval_seconds: int = 300
    """``bufferingIntervalSeconds``: Firehose buffer interval, 0-900 (at least 1 when
    partitioned). Default 300."""
    retention_days: int = 2557
    """``retentionDays``: objects expire after this many days. Default 2557 (seven years)."""
    glacier_transition_days: int = 90
    """``glacierTransitionDays``: move objects over 128 KiB to Glacier Instant Retrieval. Default 90."""
    deep_archive_transition_days: int = 365
    """``deepArchiveTransitionDays``: move objects over 128 KiB to Deep Archive. Default 365."""
    object_lock_mode: ObjectLockMode = "GOVERNANCE"
    """``objectLockMode``: default Object Lock mode. Default ``GOVERNANCE``."""
    object_lock_days: int | None = None
    """``objectLockDays``: default Object Lock retention. Default: ``retention_days``."""
    kms_key_arn: str | None = None
    """``kmsKeyArn``: encrypt with this existing key instead of a key the stack creates."""
    reader_principal_arns: tuple[str, ...] = ()
    """``readerPrincipalArns``: IAM principals given read-only access to the logs. Default: none."""
    alarm_email: str | None = None
    """``alarmEmail``: subscribe this address to the alarm topic. Default: no subscription."""
    access_logs_bucket: str | None = None
    """``accessLogsBucket``: an existing bucket (same account and region) that receives the archive
    bucket's S3 server access logs. Default: no access logging."""
    destination_name: str = "log-archive"
    """Name of the CloudWatch Logs destination in every source region."""
    regions: tuple[str, ...] = field(init=False)
    """The source regions, ``region`` when none are configured."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "regions", self.source_regions or (self.region,))
        self._validate()

    @property
    def lock_days(self) -> int:
        return self.object_lock_days if self.object_lock_days is not None else self.retention_days

    @classmethod
    def from_config(cls, config: pulumi.Config, account_id: str, region: str) -> LogArchiveArgs:
        """Read every ``log-archive:*`` key; raise ``ConfigError`` naming the first bad key."""
        accounts_form = 'a list of 12-digit account ids as strings, e.g. ["111111111111"]'
        accounts = validation.get_object(config, "sourceAccountIds", accounts_form)
        regions_form = 'a list of region codes, e.g. ["ap-northeast-1"]'
        readers_form = 'a list of IAM role or user ARNs, e.g. ["arn:aws:iam::222222222222:role/audit"]'
        readers = validation.get_object(config, "readerPrincipalArns", readers_form)
        layouts: tuple[Layout, ...] = ("partitioned", "messages")
        layout = validation.choice(config.get("layout"), "layout", layouts)

        def number(key: str, low: int, high: int, default: int) -> int:
            value = validation.get_object(config, key, f"an integer from {low} to {high}")
            return validation.integer(value, key, low, high, default)

        lock_modes: tuple[ObjectLockMode, ...] = ("GOVERNANCE", "COMPLIANCE")
        lock_days = validation.get_object(config, "objectLockDays", "an integer from 1 to 36500")
        return cls(
            account_id=account_id,
            region=region,
            source_account_ids=tuple(validation.account_ids(accounts or [], "sourceAccountIds")),
            organization_id=config.get("organizationId"),
            source_regions=tuple(
                validation.regions(
                    validation.get_object(config, "sourceRegions", regions_form),
                    "sourceRegions",
                    region,
                )
            ),
            layout=layout,
            buffering_size_mib=number(
                "bufferingSizeMiB",
                PARTITIONED_MIN_BUFFER_MIB if layout == "partitioned" else 1,
                128,
                64,
            ),
            buffering_interval_seconds=number(
                "bufferingIntervalSeconds", 1 if layout == "partitioned" else 0, 900, 300
            ),
            retention_days=number("retentionDays", 1, 36500, 2557),
            glacier_transition_days=number("glacierTransitionDays", 1, 36500, 90),
            deep_archive_transition_days=number("deepArchiveTransitionDays", 1, 36500, 365),
            object_lock_mode=validation.choice(config.get("objectLockMode"), "objectLockMode", lock_modes),
            object_lock_days=None
            if lock_days is None
            else validation.integer(lock_days, "objectLockDays", 1, 36500, 0),
            kms_key_arn=config.get("kmsKeyArn"),
            reader_principal_arns=tuple(
                validation.string_list(
                    readers or [],
                    "readerPrincipalArns",
                    readers_form,
                    lambda arn: bool(PRINCIPAL_ARN.match(arn)),
                )
            ),
            alarm_email=config.get("alarmEmail"),
            access_logs_bucket=config.get("accessLogsBucket"),
        )

    def _validate(self) -> None:
        if not self.source_account_ids and self.organization_id is None:
            raise ConfigError(
                "sourceAccountIds",
                "no source is allowed: neither sourceAccountIds nor organizationId is set",
                'a list of 12-digit account ids, e.g. ["111111111111"], and/or '
                "log-archive:organizationId (o-...)",
            )
        if self.organization_id is not None and not ORGANIZATION_ID.match(self.organization_id):
            raise ConfigError(
                "organizationId",
                f"{self.organization_id!r} is not an organization id",
                "the form o-abc123defg",
            )
        if self.kms_key_arn is not None and not KMS_KEY_ARN.match(self.kms_key_arn):
            raise ConfigError(
                "kmsKeyArn",
                f"{self.kms_key_arn!r} is not a KMS key ARN",
                "arn:aws:kms:<region>:<account>:key/<key-id> (a key in the bucket's region)",
            )
        if self.alarm_email is not None and not EMAIL.match(self.alarm_email):
            raise ConfigError(
                "alarmEmail", f"{self.alarm_email!r} is not an e-mail address", "name@example.com"
            )
        if self.access_logs_bucket is not None and not BUCKET_NAME.match(self.access_logs_bucket):
            raise ConfigError(
                "accessLogsBucket",
                f"{self.access_logs_bucket!r} is not a bucket name",
                "the name (not the ARN) of an existing S3 bucket, e.g. org-s3-access-logs-222222222222",
            )
        if not self.glacier_transition_days < self.deep_archive_transition_days < self.retention_days:
            raise ConfigError(
                "deepArchiveTransitionDays",
                f"transitions at {self.glacier_transition_days} and {self.deep_archive_transition_days} days "
                f"do not fit before expiry at {self.retention_days} days",
                "glacierTransitionDays < deepArchiveTransitionDays < retentionDays",
            )
        if self.lock_days > self.retention_days:
            raise ConfigError(
                "objectLockDays",
                f"{self.lock_days} days of lock outlast the {self.retention_days}-day retention",
                "at most log-archive:retentionDays",
            )
        self._validate_destination_policy_size()
        self._validate_trust_policy_size()

    def _validate_destination_policy_size(self) -> None:
        for region in self.regions:
            document = destination_policy(
                self.destination_arn(region), self.source_account_ids, self.organization_id
            )
            if len(document) > DESTINATION_POLICY_MAX_BYTES:
                fits = destination_policy_capacity(
                    self.destination_arn(region), self.organization_id, DESTINATION_POLICY_MAX_BYTES
                )
                raise ConfigError(
                    "sourceAccountIds",
                    f"{len(self.source_account_ids)} accounts make a destination policy of {len(document)} "
                    f"bytes, over AWS's {DESTINATION_POLICY_MAX_BYTES}-byte limit ({fits} accounts fit)",
                    f"at most {fits} account ids, or log-archive:organizationId (o-...), which allows "
                    "a whole organization in one statement and lifts the limit",
                )

    def _validate_trust_policy_size(self) -> None:
        policy = logs_trust_policy(
            self.account_id, self.source_account_ids, self.regions, self.organization_id
        )
        size = len(json.dumps(policy, separators=(",", ":")))
        if size > TRUST_POLICY_MAX_CHARS:
            fits = len(self.source_account_ids) - -(
                -(size - TRUST_POLICY_MAX_CHARS) // len('"000000000000",')
            )
            raise ConfigError(
                "sourceAccountIds",
                f"{len(self.source_account_ids)} accounts in {len(self.regions)} regions make the CloudWatch "
                f"Logs role's trust policy {size} characters, over IAM's {TRUST_POLICY_MAX_CHARS}",
                f"at most {fits} account ids with these regions, or log-archive:organizationId (o-...) "
                "with the accounts left out of sourceAccountIds: an organization is one aws:SourceOrgID "
                "condition, whatever its number of accounts",
            )

    def destination_arn(self, region: str) -> str:
        return f"arn:aws:logs:{region}:{self.account_id}:destination:{self.destination_name}"
