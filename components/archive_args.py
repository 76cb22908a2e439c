"""``LogArchiveArgs``: every setting of the archive stack, read from config and validated."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

import pulumi

from components import validation
from components import watch_args as watch
from components.archive_policies import (
    destination_policy_capacity,
    logs_trust_policy,
)
from components.stack_config import StackConfig
from components.validation import ConfigError

Layout = Literal["partitioned", "messages", "parquet"]
ObjectLockMode = Literal["GOVERNANCE", "COMPLIANCE"]
LAYOUTS: tuple[Layout, ...] = ("partitioned", "messages", "parquet")
OBJECT_LOCK_MODES: tuple[ObjectLockMode, ...] = ("GOVERNANCE", "COMPLIANCE")

PRINCIPAL_ARN = re.compile(
    r"\Aarn:aws:iam::[0-9]{12}:(role|user)/(?=[!-~]{1,512}\Z)([!-.0-~]+/)*[A-Za-z0-9+=,.@_-]{1,64}\Z"
)
"""An IAM role or user of the ``aws`` partition: an optional path of printable ASCII, a name of
1-64 characters from IAM's set."""
READERS_ACCEPTED = (
    'a list of IAM role or user ARNs of the aws partition, e.g. ["arn:aws:iam::222222222222:role/audit"]'
)
KMS_KEY_ARN = re.compile(
    r"\Aarn:(?P<partition>[a-z-]+):kms:(?P<region>[a-z0-9-]+):(?P<account>[0-9]{12}):key/"
    r"(mrk-[0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\Z"
)
KMS_KEY_ACCEPTED = (
    "arn:aws:kms:<the stack's region>:<the archive account>:key/<key id>, e.g. "
    "arn:aws:kms:ap-northeast-1:222222222222:key/1234abcd-12ab-34cd-56ef-1234567890ab"
)
KEY_ADMINS_ACCEPTED = (
    "a list of IAM role or user ARNs of the archive account, the deploying identity among them, "
    'e.g. ["arn:aws:iam::222222222222:role/log-archive-deployer"]'
)
EMAIL = re.compile(
    r"\A(?=.{3,254}\Z)[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\Z"
)
EMAIL_ACCEPTED = "an e-mail address of ASCII characters, e.g. oncall@example.com"
ORGANIZATION_ACCEPTED = "an AWS Organizations id, o- and 10-32 lowercase letters or digits, e.g. o-abcd123456"
ACCESS_LOGS_ACCEPTED = (
    "the name (not the ARN) of an existing S3 bucket other than the archive's own buckets, "
    "e.g. org-s3-access-logs-222222222222"
)

DESTINATION_POLICY_MAX_BYTES = 5120
"""PutDestinationPolicy's limit on the access policy document."""
TRUST_POLICY_MAX_CHARS = 2048
"""IAM's default quota for a role trust policy (characters, whitespace not counted)."""
PARTITIONED_MIN_BUFFER_MIB = 64
"""Dynamic partitioning (and format conversion) needs a buffer of at least 64 MiB."""
ACCOUNT_ID_CHARS = len('"000000000000",')
"""What each listed account adds to a compact JSON policy document."""


def archive_bucket_name(component: str, account_id: str, region: str) -> str:
    """The archive bucket's name, unique per account and region."""
    return f"{component}-{account_id}-{region}"


def results_bucket_name(component: str, account_id: str, region: str) -> str:
    """The Athena query-results bucket's name."""
    return f"{component}-query-results-{account_id}-{region}"


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
    ``account=/log_group=/dt=``), ``messages`` (plain log lines under ``dt=``) or ``parquet``
    (the envelopes as Apache Parquet rows, same partitions, under ``logs-parquet/``)."""
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
    """``deepArchiveTransitionDays``: move objects over 128 KiB to Deep Archive. Default 365, or
    ``queryableDays`` when that is set."""
    queryable_days: int | None = None
    """``queryableDays``: how long every object stays readable by Athena (Standard or Glacier
    Instant Retrieval; Athena skips Deep Archive objects without error). Deep Archive may start no
    earlier. Default: ``deepArchiveTransitionDays``."""
    object_lock_mode: ObjectLockMode = "GOVERNANCE"
    """``objectLockMode``: default Object Lock mode. Default ``GOVERNANCE``."""
    object_lock_days: int | None = None
    """``objectLockDays``: default Object Lock retention. Default: ``retention_days``."""
    kms_key_arn: str | None = None
    """``kmsKeyArn``: encrypt with this existing key instead of a key the stack creates."""
    reader_principal_arns: tuple[str, ...] = ()
    """``readerPrincipalArns``: IAM principals given read-only access to the logs. Default: none."""
    key_admin_principal_arns: tuple[str, ...] = ()
    """``keyAdminPrincipalArns``: IAM roles or users of the archive account that administer the
    key the stack creates (the deploying identity must be one of them). Default: none, the account
    root administers it (any principal of the account whose IAM policy allows it)."""
    alarm_email: str | None = None
    """``alarmEmail``: subscribe this address to the alarm topic. Default: no subscription."""
    alarm_email_secret: bool = False
    """Whether ``alarmEmail`` was set with ``--secret``: the subscription then gets it as a
    Pulumi secret. Default: not secret."""
    access_logs_bucket: str | None = None
    """``accessLogsBucket``: an existing bucket (same account and region) that receives the archive
    bucket's S3 server access logs. Default: no access logging."""
    silence_minutes: int = 30
    """``silenceMinutes``: alarm when a region's stream receives nothing for this long (a multiple
    of 5, 10-1440). Default 30."""
    heartbeat_lateness_minutes: int = 30
    """``heartbeatLatenessMinutes``: alarm when an expected account x region's heartbeat has not
    reached the bucket for this long (a multiple of 5, 15-1440). Default 30."""
    heartbeat_account_ids: tuple[str, ...] | None = None
    """``heartbeatAccountIds``: accounts whose heartbeats are expected in every source region.
    Default ``None``: ``sourceAccountIds``; ``[]`` for none."""
    replica_region: str | None = None
    """``replicaRegion``: keep a second copy of the archive in this region (S3 Replication into a
    bucket with its own Object Lock, key and lifecycle). Default: no replica."""
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

    @property
    def queryable_horizon_days(self) -> int:
        """Days after which Athena may no longer read an object: the Deep Archive transition."""
        return self.deep_archive_transition_days

    @property
    def alarm_endpoint(self) -> pulumi.Input[str] | None:
        """The alarm subscription's endpoint: ``alarm_email``, as a secret when it was set as one."""
        if self.alarm_email is not None and self.alarm_email_secret:
            return pulumi.Output.secret(self.alarm_email)
        return self.alarm_email

    @classmethod
    def from_config(cls, config: StackConfig, account_id: str, region: str, component: str) -> LogArchiveArgs:
        """Read every ``log-archive:*`` key; raise ``ConfigError`` naming the first bad key.

        ``component`` is the name the ``LogArchive`` will get: its bucket names derive from it.
        """
        config.check_keys("archive")
        home = validation.region(region, "aws:region", "aws:region set to " + validation.REGION_ACCEPTED)
        layout = validation.choice(config.get("layout"), "layout", LAYOUTS)

        def number(key: str, low: int, high: int, default: int) -> int:
            value = validation.integer(config.get(key), key, low, high)
            return default if value is None else value

        def optional_text(key: str, accepted: str, pattern: re.Pattern[str], what: str) -> str | None:
            raw = config.get(key)
            shown = "the secret value" if config.is_secret(key) else None
            return (
                None if raw is None else validation.text(raw, key, accepted, pattern, what=what, shown=shown)
            )

        def json_list(key: str, accepted: str, parse: Callable[[object, str], list[str]]) -> tuple[str, ...]:
            value = config.get_json(key, accepted)
            return () if value is None else tuple(parse(value, key))

        def principals(accepted: str) -> Callable[[object, str], list[str]]:
            return lambda value, key: validation.string_list(
                value,
                key,
                accepted,
                lambda item, k, form: validation.text(
                    item, k, form, PRINCIPAL_ARN, what="an IAM role or user ARN of the aws partition"
                ),
            )

        access_logs = config.get("accessLogsBucket")
        queryable = validation.integer(config.get("queryableDays"), "queryableDays", 1, 36500)
        partitioned = layout != "messages"
        lowest_buffer = PARTITIONED_MIN_BUFFER_MIB if partitioned else 1
        args = cls(
            account_id=account_id,
            region=home,
            source_account_ids=json_list(
                "sourceAccountIds", validation.ACCOUNT_IDS_ACCEPTED, validation.account_ids
            ),
            organization_id=optional_text(
                "organizationId", ORGANIZATION_ACCEPTED, validation.ORGANIZATION_ID, "an organization id"
            ),
            source_regions=json_list(
                "sourceRegions",
                validation.REGIONS_ACCEPTED,
                lambda value, key: validation.regions(value, key, home),
            ),
            layout=layout,
            buffering_size_mib=number("bufferingSizeMiB", lowest_buffer, 128, 64),
            buffering_interval_seconds=number("bufferingIntervalSeconds", 1 if partitioned else 0, 900, 300),
            retention_days=number("retentionDays", 1, 36500, 2557),
            glacier_transition_days=number("glacierTransitionDays", 1, 36500, 90),
            deep_archive_transition_days=number(
                "deepArchiveTransitionDays", 1, 36500, 365 if queryable is None else queryable
            ),
            queryable_days=queryable,
            object_lock_mode=validation.choice(
                config.get("objectLockMode"), "objectLockMode", OBJECT_LOCK_MODES
            ),
            object_lock_days=validation.integer(config.get("objectLockDays"), "objectLockDays", 1, 36500),
            kms_key_arn=optional_text("kmsKeyArn", KMS_KEY_ACCEPTED, KMS_KEY_ARN, "a KMS key ARN"),
            reader_principal_arns=json_list(
                "readerPrincipalArns", READERS_ACCEPTED, principals(READERS_ACCEPTED)
            ),
            key_admin_principal_arns=json_list(
                "keyAdminPrincipalArns", KEY_ADMINS_ACCEPTED, principals(KEY_ADMINS_ACCEPTED)
            ),
            alarm_email=optional_text("alarmEmail", EMAIL_ACCEPTED, EMAIL, "an e-mail address"),
            alarm_email_secret=config.is_secret("alarmEmail"),
            replica_region=None
            if config.get("replicaRegion") is None
            else validation.region(
                config.get("replicaRegion"),
                "replicaRegion",
                "a region code of the commercial aws partition other than aws:region, e.g. us-west-2",
            ),
            access_logs_bucket=None
            if access_logs is None
            else validation.bucket_name(access_logs, "accessLogsBucket", ACCESS_LOGS_ACCEPTED),
            silence_minutes=number(watch.SILENCE_KEY, *watch.SILENCE_RANGE, 30),
            heartbeat_lateness_minutes=number(watch.LATENESS_KEY, *watch.LATENESS_RANGE, 30),
            heartbeat_account_ids=watch.account_ids(
                config.get_json(watch.ACCOUNTS_KEY, watch.ACCOUNTS_ACCEPTED)
            ),
        )
        if args.replica_region is not None and args.replica_region == home:
            raise ConfigError(
                "replicaRegion",
                f"{home} is the archive's own region: a replica there adds no regional copy",
                "a region code of the commercial aws partition other than aws:region, e.g. us-west-2",
            )
        args._validate_access_logs_bucket(component)
        watch.validate(args)
        return args

    def _validate(self) -> None:
        if not self.source_account_ids and self.organization_id is None:
            raise ConfigError(
                "sourceAccountIds",
                "no source is allowed: neither sourceAccountIds nor organizationId is set",
                'a list of 12-digit account ids, e.g. ["111111111111"], and/or '
                "log-archive:organizationId (o-...)",
            )
        self._validate_kms_key()
        self._validate_key_admins()
        if not self.glacier_transition_days < self.deep_archive_transition_days < self.retention_days:
            raise ConfigError(
                "deepArchiveTransitionDays",
                f"transitions at {self.glacier_transition_days} and {self.deep_archive_transition_days} days "
                f"do not fit before expiry at {self.retention_days} days",
                "glacierTransitionDays < deepArchiveTransitionDays < retentionDays",
            )
        if self.queryable_days is not None and self.queryable_days > self.deep_archive_transition_days:
            raise ConfigError(
                "queryableDays",
                f"objects must stay queryable for {self.queryable_days} days, but objects over 128 KiB "
                f"move to Deep Archive after {self.deep_archive_transition_days}, where Athena skips "
                "them without error",
                "at most log-archive:deepArchiveTransitionDays (leave deepArchiveTransitionDays unset "
                "and it follows queryableDays)",
            )
        if self.lock_days > self.retention_days:
            raise ConfigError(
                "objectLockDays",
                f"{self.lock_days} days of lock outlast the {self.retention_days}-day retention",
                "at most log-archive:retentionDays",
            )
        self._validate_policy_sizes()

    def _validate_kms_key(self) -> None:
        """A supplied key must be in the bucket's partition, region and account: S3 and Firehose
        use no key of another region, and a key another account controls could be disabled
        under the archive, after which Firehose drops what it cannot deliver within 24 hours."""
        if self.kms_key_arn is None:
            return
        match = KMS_KEY_ARN.match(self.kms_key_arn)
        if match is None:
            raise ConfigError("kmsKeyArn", f"{self.kms_key_arn!r} is not a KMS key ARN", KMS_KEY_ACCEPTED)
        expected = {"partition": validation.PARTITION, "region": self.region, "account": self.account_id}
        for part, value in expected.items():
            if match[part] != value:
                raise ConfigError(
                    "kmsKeyArn",
                    f"the key's {part} is {match[part]}, the archive bucket's is {value}",
                    KMS_KEY_ACCEPTED,
                )

    def _validate_key_admins(self) -> None:
        """Administrators of another account would need that account's IAM as well; a supplied
        key's policy is its owner's business, so naming administrators for it changes nothing."""
        if self.key_admin_principal_arns and self.kms_key_arn is not None:
            raise ConfigError(
                "keyAdminPrincipalArns",
                "is set together with kmsKeyArn, whose key policy the stack does not manage",
                "either kmsKeyArn (and that key's own policy) or keyAdminPrincipalArns for the key "
                "the stack creates",
            )
        for arn in self.key_admin_principal_arns:
            account = arn.split(":")[4]
            if account != self.account_id:
                raise ConfigError(
                    "keyAdminPrincipalArns",
                    f"{arn!r} is in account {account}, the key is in {self.account_id}",
                    KEY_ADMINS_ACCEPTED,
                )

    def _validate_access_logs_bucket(self, component: str) -> None:
        own = {
            archive_bucket_name(component, self.account_id, self.region): "the archive bucket itself",
            results_bucket_name(component, self.account_id, self.region): "the query-results bucket",
        }
        if self.access_logs_bucket in own:
            raise ConfigError(
                "accessLogsBucket",
                f"{self.access_logs_bucket!r} is {own[self.access_logs_bucket]}, which cannot log "
                "into itself (an Object Lock bucket cannot even be a log target)",
                ACCESS_LOGS_ACCEPTED,
            )

    def _validate_policy_sizes(self) -> None:
        """Both policies list every source account; the smaller capacity binds and is reported
        first, so the number the message names is one that really fits."""
        destination_fits = min(
            destination_policy_capacity(
                self.destination_arn(region), self.organization_id, DESTINATION_POLICY_MAX_BYTES
            )
            for region in self.regions
        )
        trust_fits = self._trust_policy_capacity()
        count = len(self.source_account_ids)
        if count <= min(destination_fits, trust_fits):
            return
        way_out = (
            "or log-archive:organizationId (o-...) with the accounts left out of sourceAccountIds: "
            "an organization is one condition in each policy, whatever its number of accounts"
        )
        if trust_fits <= destination_fits:
            raise ConfigError(
                "sourceAccountIds",
                f"{count} accounts in {len(self.regions)} region(s) make the CloudWatch Logs role's trust "
                f"policy {self._trust_policy_size()} characters, over IAM's {TRUST_POLICY_MAX_CHARS} "
                f"(the binding limit: the destination policy would take {destination_fits})",
                f"at most {trust_fits} account ids with these regions, {way_out}",
            )
        raise ConfigError(
            "sourceAccountIds",
            f"{count} accounts make a destination policy over AWS's {DESTINATION_POLICY_MAX_BYTES}-byte "
            f"limit (the binding limit: the trust policy would take {trust_fits})",
            f"at most {destination_fits} account ids, {way_out}",
        )

    def _trust_policy_size(self, source_account_ids: tuple[str, ...] | None = None) -> int:
        accounts = self.source_account_ids if source_account_ids is None else source_account_ids
        policy = logs_trust_policy(self.account_id, accounts, self.regions, self.organization_id)
        return len(json.dumps(policy, separators=(",", ":")))

    def _trust_policy_capacity(self) -> int:
        """How many source accounts fit in the logs role's trust policy with these regions."""
        return max(0, (TRUST_POLICY_MAX_CHARS - self._trust_policy_size(())) // ACCOUNT_ID_CHARS)

    @property
    def expected_heartbeats(self) -> list[tuple[str, str]]:
        """Every (account, region) whose heartbeat the archive alarms on; none in ``messages``."""
        if self.layout == "messages":
            return []
        accounts = (
            self.source_account_ids if self.heartbeat_account_ids is None else self.heartbeat_account_ids
        )
        return [(account, region) for account in dict.fromkeys(accounts) for region in self.regions]

    def destination_arn(self, region: str) -> str:
        return f"arn:aws:logs:{region}:{self.account_id}:destination:{self.destination_name}"
