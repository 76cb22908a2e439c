"""Bad configurations of both stacks: each stops the program with one ``ConfigError`` that names
the key and the accepted form, before anything is registered.

Every case is one mutation of an example stack file, run as the whole program through
``offline.program.run_program``: ``Pulumi.account-b.yaml`` for the archive, ``Pulumi.account-a.yaml``
for a source, which reads the outputs of a mocked archive (itself mutated in the archive-output
cases). A failing run stops within the config checks and costs about 20 ms, so every case runs
the whole program; the first run of a process pays about 0.6 s of imports.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from components import outputs
from components.archive_args import archive_bucket_name, results_bucket_name
from components.subscription_changes import bus_arn
from components.validation import ConfigError
from offline.program import ProgramFailed, run_program

ARCHIVE_STACK = "organization/log-archive/account-b"
ARCHIVE_ACCOUNT = "222222222222"
SOURCE_ACCOUNT = "111111111111"
TOKYO = "ap-northeast-1"
VIRGINIA = "us-east-1"
KEY_ID = "1234abcd-12ab-34cd-56ef-1234567890ab"


def destination(region: str, account: str = ARCHIVE_ACCOUNT, partition: str = "aws") -> str:
    return f"arn:{partition}:logs:{region}:{account}:destination:log-archive"


def archive_outputs(**changes: Any) -> dict[str, Any]:
    """Outputs of an account-list archive serving Tokyo and Virginia, with ``changes``
    (``None`` removes an output)."""
    regions = (TOKYO, VIRGINIA)
    found: dict[str, Any] = {
        outputs.DESTINATION_ARNS: {region: destination(region) for region in regions},
        outputs.ARCHIVE_ACCOUNT_ID: ARCHIVE_ACCOUNT,
        outputs.SOURCE_ACCOUNT_IDS: [SOURCE_ACCOUNT],
        outputs.SUBSCRIPTION_ROLE_REQUIRED: False,
        outputs.PIPELINE_LOG_GROUPS: {r: [f"/aws/kinesisfirehose/log-archive-{r}"] for r in regions},
        outputs.CHANGE_BUS_ARNS: {r: bus_arn("aws", ARCHIVE_ACCOUNT, r) for r in regions},
        **changes,
    }
    return {name: value for name, value in found.items() if value is not None}


@dataclass(frozen=True)
class Bad:
    """One bad configuration: the mutation, the key the error must name, a fragment of the
    accepted form it must state."""

    stack: str
    overrides: dict[str, Any]
    key: str
    accepted: str
    archive: dict[str, Any] = field(default_factory=archive_outputs)
    secret_keys: tuple[str, ...] = ()


def archive(overrides: dict[str, Any], key: str, accepted: str, *, secret: tuple[str, ...] = ()) -> Bad:
    return Bad("account-b", overrides, _full(key), accepted, secret_keys=secret)


def source(
    overrides: dict[str, Any],
    key: str,
    accepted: str,
    *,
    outputs_: dict[str, Any] | None = None,
    secret: tuple[str, ...] = (),
) -> Bad:
    return Bad(
        "account-a",
        overrides,
        _full(key),
        accepted,
        archive=archive_outputs() if outputs_ is None else outputs_,
        secret_keys=secret,
    )


def organization(overrides: dict[str, Any], key: str, accepted: str) -> Bad:
    return Bad(
        "organization",
        overrides,
        _full(key),
        accepted,
        archive=archive_outputs(organizationId="o-abcd123456", subscriptionRoleRequired=True),
    )


def _full(key: str) -> str:
    return key if ":" in key else f"log-archive:{key}"


INTEGER_KEYS = {
    "bufferingSizeMiB": (64, 128),
    "bufferingIntervalSeconds": (1, 900),
    "retentionDays": (1, 36500),
    "glacierTransitionDays": (1, 36500),
    "deepArchiveTransitionDays": (1, 36500),
    "objectLockDays": (1, 36500),
}
NOT_INTEGERS = {
    "Infinity": "Infinity",
    "-Infinity": "-Infinity",
    "NaN": "NaN",
    "1e400": "1e400",
    "a float": "64.0",
    "an exponent": "1e2",
    "a boolean": "true",
    "a leading plus": "+64",
    "a trailing newline": "64\n",
    "full-width digits": "\uff16\uff14",
    "a list": "[64]",
}


def integer_cases() -> Iterator[Any]:
    for key, (low, high) in INTEGER_KEYS.items():
        for label, raw in NOT_INTEGERS.items():
            yield pytest.param(
                archive({key: raw}, key, f"an integer from {low} to {high}"),
                id=f"archive {key} as {label}",
            )


ACCOUNTS = "12-digit AWS account ids as quoted strings"
REGIONS = "region codes of the commercial aws partition"
HOME_REGION = "aws:region set to a region code of the commercial aws partition"
READERS = "IAM role or user ARNs of the aws partition"
KMS = "arn:aws:kms:<the stack's region>:<the archive account>:key/<key id>"
EMAIL = "an e-mail address of ASCII characters"
BUCKET = "an existing S3 bucket other than the archive's own buckets"
ORGANIZATION = "o- and 10-32 lowercase letters or digits"
ARCHIVE_KEYS = "one of the archive stack's keys: sourceAccountIds, organizationId"
SOURCE_KEYS = "one of the source stack's keys: archiveStack, logGroups, accountPolicy, regions"
NOT_SECRET = "the value set without --secret"
STACK_NAME = "<organization>/<project>/<stack>"
LOG_GROUPS = "a list of {name, filterPattern?, create?, retentionDays?, kmsKeyArn?} objects"
LOG_GROUP = "a log group name of 1-512 characters from [.-_/#A-Za-z0-9]"
FILTER = "its double quotes, braces, brackets and parentheses balanced"
ACCOUNT_POLICY = "an object {filterPattern?, excludeLogGroups?}"
CURRENT_ARCHIVE = "an archive stack deployed with this project's current version"
CONSISTENT_ARCHIVE = "its outputs unedited"


def archive_key(arn_partition: str = "aws", region: str = TOKYO, account: str = ARCHIVE_ACCOUNT) -> str:
    return f"arn:{arn_partition}:kms:{region}:{account}:key/{KEY_ID}"


ARCHIVE_CASES = [
    *integer_cases(),
    # Ranges and cross-field rules between the numbers.
    pytest.param(
        archive({"bufferingSizeMiB": "32"}, "bufferingSizeMiB", "from 64 to 128"), id="buffer below 64"
    ),
    pytest.param(archive({"bufferingSizeMiB": "129"}, "bufferingSizeMiB", "to 128"), id="buffer over 128"),
    pytest.param(
        archive({"layout": "messages", "bufferingSizeMiB": "0"}, "bufferingSizeMiB", "from 1 to 128"),
        id="messages buffer of zero",
    ),
    pytest.param(
        archive({"bufferingIntervalSeconds": "0"}, "bufferingIntervalSeconds", "from 1 to 900"),
        id="partitioned zero buffering interval",
    ),
    pytest.param(
        archive({"bufferingIntervalSeconds": "901"}, "bufferingIntervalSeconds", "to 900"),
        id="interval over 900",
    ),
    pytest.param(archive({"retentionDays": "0"}, "retentionDays", "from 1 to 36500"), id="zero retention"),
    pytest.param(
        archive({"retentionDays": "36501"}, "retentionDays", "to 36500"), id="retention over 100 years"
    ),
    pytest.param(
        archive({"retentionDays": "9" * 30}, "retentionDays", "to 36500"), id="retention of thirty digits"
    ),
    pytest.param(
        archive({"retentionDays": "030"}, "retentionDays", "from 1 to 36500"),
        id="archive retention with a leading zero",
    ),
    pytest.param(
        archive({"retentionDays": "-30"}, "retentionDays", "from 1 to 36500"), id="negative retention"
    ),
    pytest.param(archive({"retentionDays": ""}, "retentionDays", "from 1 to 36500"), id="empty retention"),
    pytest.param(
        archive({"objectLockDays": "0"}, "objectLockDays", "from 1 to 36500"), id="zero object lock days"
    ),
    pytest.param(
        archive({"glacierTransitionDays": "400"}, "deepArchiveTransitionDays", "glacierTransitionDays <"),
        id="glacier after deep archive",
    ),
    pytest.param(
        archive({"retentionDays": "300"}, "deepArchiveTransitionDays", "< retentionDays"),
        id="expiry before deep archive",
    ),
    pytest.param(
        archive({"objectLockDays": "3000"}, "objectLockDays", "at most log-archive:retentionDays"),
        id="lock longer than retention",
    ),
    # Choices.
    pytest.param(archive({"layout": "flat"}, "layout", "'partitioned', 'messages'"), id="unknown layout"),
    pytest.param(
        archive({"layout": "Partitioned"}, "layout", "'partitioned', 'messages'"), id="layout capitalised"
    ),
    pytest.param(
        archive({"layout": "messages\n"}, "layout", "'partitioned', 'messages'"),
        id="layout with a trailing newline",
    ),
    pytest.param(
        archive({"objectLockMode": "governance"}, "objectLockMode", "'GOVERNANCE', 'COMPLIANCE'"),
        id="lock mode in lower case",
    ),
    pytest.param(
        archive({"objectLockMode": "COMPLIANCE "}, "objectLockMode", "'GOVERNANCE', 'COMPLIANCE'"),
        id="lock mode with a trailing space",
    ),
    pytest.param(
        archive({"objectLockMode": "NONE"}, "objectLockMode", "'GOVERNANCE', 'COMPLIANCE'"),
        id="lock mode none",
    ),
    # Source accounts: types, quoting, whitespace, Unicode.
    pytest.param(
        archive({"sourceAccountIds": "false"}, "sourceAccountIds", ACCOUNTS),
        id="accounts false",
    ),
    pytest.param(archive({"sourceAccountIds": "0"}, "sourceAccountIds", ACCOUNTS), id="accounts zero"),
    pytest.param(
        archive({"sourceAccountIds": "111111111111"}, "sourceAccountIds", ACCOUNTS),
        id="accounts a scalar instead of a list",
    ),
    pytest.param(
        archive({"sourceAccountIds": [111111111111]}, "sourceAccountIds", ACCOUNTS),
        id="account id unquoted in YAML",
    ),
    pytest.param(
        archive({"sourceAccountIds": [11111111111]}, "sourceAccountIds", ACCOUNTS),
        id="account id unquoted that lost its leading zero",
    ),
    pytest.param(
        archive({"sourceAccountIds": ["111111111111\n"]}, "sourceAccountIds", ACCOUNTS),
        id="account id with a trailing newline",
    ),
    pytest.param(
        archive({"sourceAccountIds": [" 111111111111"]}, "sourceAccountIds", ACCOUNTS),
        id="account id with a leading space",
    ),
    pytest.param(
        archive({"sourceAccountIds": ["\uff11" * 12]}, "sourceAccountIds", ACCOUNTS),
        id="account id in full-width digits",
    ),
    pytest.param(
        archive({"sourceAccountIds": ["\u0661" * 12]}, "sourceAccountIds", ACCOUNTS),
        id="account id in Arabic-Indic digits",
    ),
    pytest.param(
        archive({"sourceAccountIds": ["11111111111"]}, "sourceAccountIds", ACCOUNTS),
        id="account id of 11 digits",
    ),
    pytest.param(
        archive({"sourceAccountIds": ["1111-1111-1111"]}, "sourceAccountIds", ACCOUNTS),
        id="account id with dashes",
    ),
    pytest.param(
        archive({"sourceAccountIds": ["111111111111", "111111111111"]}, "sourceAccountIds", ACCOUNTS),
        id="duplicate account",
    ),
    pytest.param(archive({"sourceAccountIds": [None]}, "sourceAccountIds", ACCOUNTS), id="account id null"),
    pytest.param(
        archive({"sourceAccountIds": {"a": "111111111111"}}, "sourceAccountIds", ACCOUNTS),
        id="accounts a map",
    ),
    pytest.param(
        archive({"sourceAccountIds": "[111111111111"}, "sourceAccountIds", ACCOUNTS), id="accounts unparsable"
    ),
    pytest.param(
        archive({"sourceAccountIds": None}, "sourceAccountIds", "log-archive:organizationId (o-...)"),
        id="no source at all",
    ),
    pytest.param(
        archive({"sourceAccountIds": []}, "sourceAccountIds", "log-archive:organizationId (o-...)"),
        id="empty account list without an organization",
    ),
    pytest.param(
        archive(
            {"sourceAccountIds": [f"{100000000000 + i}" for i in range(500)]},
            "sourceAccountIds",
            "at most 115 account ids",
        ),
        id="500 accounts name the binding trust-policy limit first",
    ),
    pytest.param(
        archive(
            {"sourceAccountIds": [f"{100000000000 + i}" for i in range(324)]},
            "sourceAccountIds",
            "at most 115 account ids",
        ),
        id="324 accounts, what the destination policy alone would take",
    ),
    # Organization id.
    pytest.param(
        archive({"organizationId": "o-abcd123456\n"}, "organizationId", ORGANIZATION),
        id="organization id with a trailing newline",
    ),
    pytest.param(
        archive({"organizationId": "O-ABCD123456"}, "organizationId", ORGANIZATION),
        id="organization id upper case",
    ),
    pytest.param(
        archive({"organizationId": "o-abcd"}, "organizationId", ORGANIZATION), id="organization id too short"
    ),
    pytest.param(
        archive({"organizationId": "o-\uff41bcd123456"}, "organizationId", ORGANIZATION),
        id="organization id with a full-width letter",
    ),
    pytest.param(
        archive({"organizationId": "r-abcd"}, "organizationId", ORGANIZATION), id="organization root id"
    ),
    # Regions: the home region and the source regions, against botocore's partition data.
    pytest.param(
        archive({"aws:region": "cn-north-1"}, "aws:region", HOME_REGION),
        id="home region in China",
    ),
    pytest.param(
        archive({"aws:region": "us-gov-west-1"}, "aws:region", HOME_REGION), id="home region in GovCloud"
    ),
    pytest.param(archive({"aws:region": "xx-fake-1"}, "aws:region", HOME_REGION), id="home region made up"),
    pytest.param(archive({"aws:region": "us-east-9"}, "aws:region", HOME_REGION), id="home region us-east-9"),
    pytest.param(
        archive({"aws:region": "ap-northeast-1\n"}, "aws:region", HOME_REGION),
        id="home region with a trailing newline",
    ),
    pytest.param(
        archive({"sourceRegions": ["xx-fake-1"]}, "sourceRegions", REGIONS), id="made-up source region"
    ),
    pytest.param(
        archive({"sourceRegions": ["us-east-9"]}, "sourceRegions", REGIONS),
        id="source region us-east-9",
    ),
    pytest.param(
        archive({"sourceRegions": ["cn-north-1"]}, "sourceRegions", REGIONS), id="source region in China"
    ),
    pytest.param(
        archive({"sourceRegions": ["us-gov-west-1"]}, "sourceRegions", REGIONS),
        id="source region in GovCloud",
    ),
    pytest.param(
        archive({"sourceRegions": ["us-iso-east-1"]}, "sourceRegions", REGIONS), id="source region in ISO"
    ),
    pytest.param(
        archive({"sourceRegions": ["aws-global"]}, "sourceRegions", REGIONS),
        id="the aws-global pseudo-region",
    ),
    pytest.param(
        archive({"sourceRegions": ["us-east-1 "]}, "sourceRegions", REGIONS), id="source region with a space"
    ),
    pytest.param(
        archive({"sourceRegions": ["US-EAST-1"]}, "sourceRegions", REGIONS), id="source region upper case"
    ),
    pytest.param(
        archive({"sourceRegions": ["us-east-\uff11"]}, "sourceRegions", REGIONS),
        id="source region with a full-width digit",
    ),
    pytest.param(archive({"sourceRegions": ["tokyo"]}, "sourceRegions", REGIONS), id="source region by city"),
    pytest.param(archive({"sourceRegions": []}, "sourceRegions", REGIONS), id="no source region"),
    pytest.param(
        archive({"sourceRegions": "ap-northeast-1"}, "sourceRegions", REGIONS), id="source regions a scalar"
    ),
    pytest.param(archive({"sourceRegions": [1]}, "sourceRegions", REGIONS), id="source region a number"),
    pytest.param(
        archive({"sourceRegions": [TOKYO, TOKYO]}, "sourceRegions", REGIONS), id="duplicate source region"
    ),
    # KMS key: form, then the bucket's partition, region and account.
    pytest.param(archive({"kmsKeyArn": "alias/logs"}, "kmsKeyArn", KMS), id="key alias"),
    pytest.param(
        archive({"kmsKeyArn": archive_key() + "\n"}, "kmsKeyArn", KMS), id="key ARN with a trailing newline"
    ),
    pytest.param(
        archive({"kmsKeyArn": archive_key(region=VIRGINIA)}, "kmsKeyArn", KMS),
        id="key in another region",
    ),
    pytest.param(
        archive({"kmsKeyArn": archive_key(arn_partition="aws-cn")}, "kmsKeyArn", KMS),
        id="key in another partition",
    ),
    pytest.param(
        archive({"kmsKeyArn": archive_key(account="333333333333")}, "kmsKeyArn", KMS),
        id="key in another account",
    ),
    pytest.param(
        archive({"kmsKeyArn": archive_key().replace("key/", "alias/")}, "kmsKeyArn", KMS), id="alias ARN"
    ),
    pytest.param(archive({"kmsKeyArn": archive_key().upper()}, "kmsKeyArn", KMS), id="key ARN upper case"),
    # Readers.
    pytest.param(
        archive(
            {"readerPrincipalArns": ["arn:aws:iam::222222222222:group/auditors"]},
            "readerPrincipalArns",
            READERS,
        ),
        id="reader is a group",
    ),
    pytest.param(
        archive({"readerPrincipalArns": ["arn:aws:iam::222222222222:root"]}, "readerPrincipalArns", READERS),
        id="reader is an account root",
    ),
    pytest.param(
        archive(
            {"readerPrincipalArns": ["arn:aws-cn:iam::222222222222:role/audit"]},
            "readerPrincipalArns",
            READERS,
        ),
        id="reader in the China partition",
    ),
    pytest.param(
        archive(
            {"readerPrincipalArns": ["arn:aws-foo:iam::222222222222:role/a"]}, "readerPrincipalArns", READERS
        ),
        id="reader in a made-up partition",
    ),
    pytest.param(
        archive({"readerPrincipalArns": ["arn:aws:iam::22222222222:role/a"]}, "readerPrincipalArns", READERS),
        id="reader account of 11 digits",
    ),
    pytest.param(
        archive(
            {"readerPrincipalArns": ["arn:aws:iam::222222222222:role/" + "a" * 65]},
            "readerPrincipalArns",
            READERS,
        ),
        id="reader role name of 65 characters",
    ),
    pytest.param(
        archive(
            {"readerPrincipalArns": ["arn:aws:iam::222222222222:role/a b"]}, "readerPrincipalArns", READERS
        ),
        id="reader role name with a space",
    ),
    pytest.param(
        archive(
            {"readerPrincipalArns": ["arn:aws:iam::222222222222:role/a\n"]}, "readerPrincipalArns", READERS
        ),
        id="reader with a trailing newline",
    ),
    pytest.param(
        archive(
            {"readerPrincipalArns": ["arn:aws:sts::222222222222:assumed-role/a/b"]},
            "readerPrincipalArns",
            READERS,
        ),
        id="reader is an assumed-role session",
    ),
    pytest.param(
        archive({"readerPrincipalArns": "arn:aws:iam::222222222222:role/a"}, "readerPrincipalArns", READERS),
        id="readers a scalar",
    ),
    # Alarm e-mail.
    pytest.param(archive({"alarmEmail": "oncall"}, "alarmEmail", EMAIL), id="e-mail without a domain"),
    pytest.param(
        archive({"alarmEmail": "oncall@example.com\n"}, "alarmEmail", EMAIL),
        id="e-mail with a trailing newline",
    ),
    pytest.param(
        archive({"alarmEmail": "on call@example.com"}, "alarmEmail", EMAIL), id="e-mail with a space"
    ),
    pytest.param(
        archive({"alarmEmail": "oncall@\u4f8b\u3048.jp"}, "alarmEmail", EMAIL),
        id="e-mail with a Unicode domain",
    ),
    pytest.param(
        archive({"alarmEmail": "a@b@example.com"}, "alarmEmail", EMAIL), id="e-mail with two at signs"
    ),
    # Access-logs bucket.
    pytest.param(
        archive({"accessLogsBucket": "org..logs"}, "accessLogsBucket", BUCKET), id="bucket with two dots"
    ),
    pytest.param(
        archive({"accessLogsBucket": "192.168.1.1"}, "accessLogsBucket", BUCKET), id="bucket named as an IP"
    ),
    pytest.param(
        archive({"accessLogsBucket": "Org-Logs"}, "accessLogsBucket", BUCKET), id="bucket upper case"
    ),
    pytest.param(
        archive({"accessLogsBucket": "ab"}, "accessLogsBucket", BUCKET), id="bucket of two characters"
    ),
    pytest.param(
        archive({"accessLogsBucket": "-logs"}, "accessLogsBucket", BUCKET), id="bucket starting with -"
    ),
    pytest.param(
        archive({"accessLogsBucket": "xn--logs"}, "accessLogsBucket", BUCKET), id="bucket prefix xn--"
    ),
    pytest.param(
        archive({"accessLogsBucket": "sthree-logs"}, "accessLogsBucket", BUCKET), id="bucket prefix sthree-"
    ),
    pytest.param(
        archive({"accessLogsBucket": "logs-s3alias"}, "accessLogsBucket", BUCKET), id="bucket suffix -s3alias"
    ),
    pytest.param(
        archive({"accessLogsBucket": "logs--ol-s3"}, "accessLogsBucket", BUCKET), id="bucket suffix --ol-s3"
    ),
    pytest.param(
        archive({"accessLogsBucket": "arn:aws:s3:::logs"}, "accessLogsBucket", BUCKET), id="bucket ARN"
    ),
    pytest.param(
        archive({"accessLogsBucket": "org-logs\n"}, "accessLogsBucket", BUCKET),
        id="bucket with a trailing newline",
    ),
    pytest.param(
        archive(
            {"accessLogsBucket": archive_bucket_name("log-archive", ARCHIVE_ACCOUNT, TOKYO)},
            "accessLogsBucket",
            BUCKET,
        ),
        id="access logs into the archive bucket itself",
    ),
    pytest.param(
        archive(
            {"accessLogsBucket": results_bucket_name("log-archive", ARCHIVE_ACCOUNT, TOKYO)},
            "accessLogsBucket",
            BUCKET,
        ),
        id="access logs into the query-results bucket",
    ),
    # Unknown and misplaced keys.
    pytest.param(
        archive({"objectLockmode": "COMPLIANCE"}, "objectLockmode", ARCHIVE_KEYS),
        id="objectLockMode mis-capitalised",
    ),
    pytest.param(archive({"retentionDay": "30"}, "retentionDay", ARCHIVE_KEYS), id="retentionDays misspelt"),
    pytest.param(
        archive({"kmsKeyARN": archive_key()}, "kmsKeyARN", ARCHIVE_KEYS), id="kmsKeyArn upper-case ARN"
    ),
    pytest.param(archive({"bucketName": "x"}, "bucketName", ARCHIVE_KEYS), id="an output name as a key"),
    pytest.param(
        archive({"logGroups": [{"name": "a"}]}, "logGroups", ARCHIVE_KEYS),
        id="logGroups on the archive stack",
    ),
    pytest.param(
        archive({"accountPolicy": {}}, "accountPolicy", ARCHIVE_KEYS), id="accountPolicy on the archive"
    ),
    pytest.param(archive({"regions": [TOKYO]}, "regions", ARCHIVE_KEYS), id="regions on the archive"),
    pytest.param(
        archive({"archivestack": ARCHIVE_STACK}, "archivestack", ARCHIVE_KEYS),
        id="archiveStack mis-capitalised",
    ),
    pytest.param(
        archive({"excludeLogGroups": ["/noisy"]}, "excludeLogGroups", "accountPolicy"),
        id="excludeLogGroups at top level on the archive",
    ),
    # Secrets that would leak into names, policies or outputs.
    pytest.param(
        archive({}, "sourceAccountIds", NOT_SECRET, secret=("log-archive:sourceAccountIds",)),
        id="secret source accounts",
    ),
    pytest.param(
        archive(
            {"organizationId": "o-abcd123456"},
            "organizationId",
            NOT_SECRET,
            secret=("log-archive:organizationId",),
        ),
        id="secret organization id",
    ),
    pytest.param(
        archive({"kmsKeyArn": archive_key()}, "kmsKeyArn", NOT_SECRET, secret=("log-archive:kmsKeyArn",)),
        id="secret key ARN",
    ),
    pytest.param(archive({}, "aws:region", NOT_SECRET, secret=("aws:region",)), id="secret home region"),
    pytest.param(
        archive({"layout": "messages"}, "layout", NOT_SECRET, secret=("log-archive:layout",)),
        id="secret layout",
    ),
]


SOURCE_CASES = [
    # archiveStack.
    pytest.param(
        source({"archiveStack": [ARCHIVE_STACK]}, "archiveStack", STACK_NAME),
        id="archiveStack as a list",
    ),
    pytest.param(
        source({"archiveStack": "account-b"}, "archiveStack", STACK_NAME), id="archiveStack short name"
    ),
    pytest.param(
        source({"archiveStack": ARCHIVE_STACK + "\n"}, "archiveStack", STACK_NAME),
        id="archiveStack with a trailing newline",
    ),
    pytest.param(source({"archiveStack": ""}, "archiveStack", STACK_NAME), id="archiveStack empty"),
    pytest.param(
        source({"archiveStack": ARCHIVE_STACK + "/x"}, "archiveStack", STACK_NAME),
        id="archiveStack of four parts",
    ),
    pytest.param(
        source({"archiveStack": "organization/log archive/account-b"}, "archiveStack", STACK_NAME),
        id="archiveStack with a space",
    ),
    pytest.param(
        source({"archiveStack": "\uff4frganization/log-archive/account-b"}, "archiveStack", STACK_NAME),
        id="archiveStack with a full-width letter",
    ),
    # Home region and regions.
    pytest.param(
        source({"aws:region": "cn-north-1"}, "aws:region", HOME_REGION), id="source home region in China"
    ),
    pytest.param(
        source({"aws:region": "eu-fake-1"}, "aws:region", HOME_REGION),
        id="source home region made up",
    ),
    pytest.param(source({"regions": ["xx-fake-1"]}, "regions", REGIONS), id="made-up region"),
    pytest.param(source({"regions": ["cn-north-1"]}, "regions", REGIONS), id="region in China"),
    pytest.param(
        source({"regions": [" ap-northeast-1"]}, "regions", REGIONS), id="region with a leading space"
    ),
    pytest.param(source({"regions": "ap-northeast-1"}, "regions", REGIONS), id="regions a scalar"),
    pytest.param(source({"regions": []}, "regions", REGIONS), id="empty region list"),
    pytest.param(source({"regions": [TOKYO, TOKYO]}, "regions", REGIONS), id="duplicate region"),
    pytest.param(source({"regions": [True]}, "regions", REGIONS), id="region a boolean"),
    # Log groups: the list.
    pytest.param(source({"logGroups": None}, "logGroups", LOG_GROUPS), id="nothing to archive"),
    pytest.param(source({"logGroups": "false"}, "logGroups", LOG_GROUPS), id="log groups false"),
    pytest.param(source({"logGroups": "0"}, "logGroups", LOG_GROUPS), id="log groups zero"),
    pytest.param(
        source({"logGroups": "delivery-test"}, "logGroups", LOG_GROUPS), id="log groups a bare name"
    ),
    pytest.param(source({"logGroups": {"name": "a"}}, "logGroups", LOG_GROUPS), id="log groups a map"),
    pytest.param(source({"logGroups": ["a"]}, "logGroups[0]", LOG_GROUPS), id="log group a bare string"),
    pytest.param(
        source(
            {"logGroups": '[{"name": "a", "create": true, "retentionDays": NaN}]'}, "logGroups", LOG_GROUPS
        ),
        id="NaN inside the log group list",
    ),
    pytest.param(
        source({"logGroups": [{"name": "a", "filterPatern": ""}]}, "logGroups[0]", LOG_GROUPS),
        id="misspelt filterPattern",
    ),
    pytest.param(source({"logGroups": [{"Name": "a"}]}, "logGroups[0]", LOG_GROUPS), id="Name capitalised"),
    pytest.param(
        source({"logGroups": [{"name": "a"}, {"name": "a"}]}, "logGroups[1].name", "each log group once"),
        id="duplicate log group",
    ),
    # Log group names.
    pytest.param(
        source(
            {"logGroups": [{"name": "aws/app", "create": True}]},
            "logGroups[0].name",
            "does not start with 'aws/'",
        ),
        id="created log group in the reserved aws/ namespace",
    ),
    pytest.param(
        source({"logGroups": [{"name": "/app/web\n"}]}, "logGroups[0].name", LOG_GROUP),
        id="log group with a trailing newline",
    ),
    pytest.param(
        source({"logGroups": [{"name": " /app"}]}, "logGroups[0].name", LOG_GROUP),
        id="log group leading space",
    ),
    pytest.param(
        source({"logGroups": [{"name": "/app/w\u00e9b"}]}, "logGroups[0].name", LOG_GROUP),
        id="log group with an accent",
    ),
    pytest.param(
        source({"logGroups": [{"name": "/app/web prod"}]}, "logGroups[0].name", LOG_GROUP),
        id="log group with a space",
    ),
    pytest.param(
        source({"logGroups": [{"name": "/app:web"}]}, "logGroups[0].name", LOG_GROUP), id="log group colon"
    ),
    pytest.param(source({"logGroups": [{"name": ""}]}, "logGroups[0].name", LOG_GROUP), id="log group empty"),
    pytest.param(
        source({"logGroups": [{"name": "/" + "a" * 512}]}, "logGroups[0].name", LOG_GROUP),
        id="log group of 513",
    ),
    pytest.param(
        source({"logGroups": [{"name": 42}]}, "logGroups[0].name", LOG_GROUP), id="log group a number"
    ),
    pytest.param(
        source({"logGroups": [{"name": None}]}, "logGroups[0].name", LOG_GROUP), id="log group null"
    ),
    # create and retentionDays.
    pytest.param(
        source({"logGroups": [{"name": "a", "create": "true"}]}, "logGroups[0].create", "true or false"),
        id="create as the string true",
    ),
    pytest.param(
        source({"logGroups": [{"name": "a", "create": 1}]}, "logGroups[0].create", "true or false"),
        id="create 1",
    ),
    pytest.param(
        source({"logGroups": [{"name": "a", "create": "yes"}]}, "logGroups[0].create", "true or false"),
        id="create yes",
    ),
    pytest.param(
        source(
            {"logGroups": [{"name": "a", "create": True, "retentionDays": 10}]},
            "logGroups[0].retentionDays",
            "one of 1, 3, 5, 7",
        ),
        id="retention CloudWatch does not offer",
    ),
    pytest.param(
        source(
            {"logGroups": [{"name": "a", "create": True, "retentionDays": 30.0}]},
            "logGroups[0].retentionDays",
            "an integer from 1 to 3653",
        ),
        id="retention as a float",
    ),
    pytest.param(
        source(
            {"logGroups": '[{"name": "a", "create": true, "retentionDays": 1e400}]'},
            "logGroups[0].retentionDays",
            "an integer from 1 to 3653",
        ),
        id="retention 1e400",
    ),
    pytest.param(
        source(
            {"logGroups": [{"name": "a", "create": True, "retentionDays": True}]},
            "logGroups[0].retentionDays",
            "an integer from 1 to 3653",
        ),
        id="retention a boolean",
    ),
    pytest.param(
        source(
            {"logGroups": [{"name": "a", "create": True, "retentionDays": "030"}]},
            "logGroups[0].retentionDays",
            "an integer from 1 to 3653",
        ),
        id="retention with a leading zero",
    ),
    pytest.param(
        source(
            {"logGroups": [{"name": "a", "retentionDays": 30}]},
            "logGroups[0].retentionDays",
            '"create": true',
        ),
        id="retention on an existing log group",
    ),
    # Filter patterns.
    pytest.param(
        source(
            {"logGroups": [{"name": "a", "filterPattern": "{ $.level = "}]},
            "logGroups[0].filterPattern",
            FILTER,
        ),
        id="unclosed brace",
    ),
    pytest.param(
        source(
            {"logGroups": [{"name": "a", "filterPattern": '"ERROR'}]}, "logGroups[0].filterPattern", FILTER
        ),
        id="unclosed double quote",
    ),
    pytest.param(
        source(
            {"logGroups": [{"name": "a", "filterPattern": "[ip, user"}]}, "logGroups[0].filterPattern", FILTER
        ),
        id="unclosed bracket",
    ),
    pytest.param(
        source(
            {"logGroups": [{"name": "a", "filterPattern": "($.a = 1"}]}, "logGroups[0].filterPattern", FILTER
        ),
        id="unclosed parenthesis",
    ),
    pytest.param(
        source(
            {"logGroups": [{"name": "a", "filterPattern": "ERROR }"}]}, "logGroups[0].filterPattern", FILTER
        ),
        id="stray closing brace",
    ),
    pytest.param(
        source(
            {"logGroups": [{"name": "a", "filterPattern": '{ $.a = "x" ]'}]},
            "logGroups[0].filterPattern",
            FILTER,
        ),
        id="brace closed by a bracket",
    ),
    pytest.param(
        source(
            {"logGroups": [{"name": "a", "filterPattern": '{ $.a = "}" '}]},
            "logGroups[0].filterPattern",
            FILTER,
        ),
        id="brace closed only inside a quoted string",
    ),
    pytest.param(
        source(
            {"logGroups": [{"name": "a", "filterPattern": "x" * 1025}]}, "logGroups[0].filterPattern", FILTER
        ),
        id="pattern of 1025 characters",
    ),
    pytest.param(
        source(
            {"logGroups": [{"name": "a", "filterPattern": ["ERROR"]}]}, "logGroups[0].filterPattern", FILTER
        ),
        id="pattern a list",
    ),
    pytest.param(
        source({"logGroups": [{"name": "a", "filterPattern": 5}]}, "logGroups[0].filterPattern", FILTER),
        id="pattern a number",
    ),
    # Account policy.
    pytest.param(
        source({"accountPolicy": ["/noisy"]}, "accountPolicy", ACCOUNT_POLICY),
        id="account policy a list",
    ),
    pytest.param(
        source({"accountPolicy": "true"}, "accountPolicy", ACCOUNT_POLICY), id="account policy true"
    ),
    pytest.param(
        source({"accountPolicy": {"exclude": []}}, "accountPolicy", ACCOUNT_POLICY),
        id="account policy misspelt key",
    ),
    pytest.param(
        source(
            {"accountPolicy": {"excludeLogGroups": "/noisy"}}, "accountPolicy.excludeLogGroups", LOG_GROUP
        ),
        id="exclusions a scalar",
    ),
    pytest.param(
        source(
            {"accountPolicy": {"excludeLogGroups": ["/noisy\n"]}}, "accountPolicy.excludeLogGroups", LOG_GROUP
        ),
        id="exclusion with a trailing newline",
    ),
    pytest.param(
        source(
            {"accountPolicy": {"excludeLogGroups": ["/a", "/a"]}}, "accountPolicy.excludeLogGroups", LOG_GROUP
        ),
        id="duplicate exclusion",
    ),
    pytest.param(
        source(
            {"accountPolicy": {"excludeLogGroups": ["/log-archive/heartbeat/ap-northeast-1"]}},
            "accountPolicy.excludeLogGroups[0]",
            "log groups whose names do not start with '/log-archive/heartbeat/'",
        ),
        id="exclusion of the heartbeat log group",
    ),
    pytest.param(
        source({"accountPolicy": {"filterPattern": "{"}}, "accountPolicy.filterPattern", FILTER),
        id="account policy pattern unbalanced",
    ),
    # Unknown and misplaced keys.
    pytest.param(source({"region": TOKYO}, "region", SOURCE_KEYS), id="region instead of regions"),
    pytest.param(
        source({"retentionDays": "30"}, "retentionDays", SOURCE_KEYS), id="retentionDays on a source"
    ),
    pytest.param(
        source({"sourceRegions": [TOKYO]}, "sourceRegions", SOURCE_KEYS), id="sourceRegions on a source"
    ),
    pytest.param(
        source({"alarmEmail": "a@example.com"}, "alarmEmail", SOURCE_KEYS), id="alarmEmail on a source"
    ),
    pytest.param(source({"logGroup": [{"name": "a"}]}, "logGroup", SOURCE_KEYS), id="logGroup singular"),
    pytest.param(
        source({"LogGroups": [{"name": "a"}]}, "LogGroups", SOURCE_KEYS), id="LogGroups capitalised"
    ),
    pytest.param(
        source({"excludeLogGroups": ["/noisy"]}, "excludeLogGroups", 'accountPolicy: {"excludeLogGroups"'),
        id="excludeLogGroups at top level",
    ),
    # Secrets.
    pytest.param(
        source({}, "archiveStack", NOT_SECRET, secret=("log-archive:archiveStack",)),
        id="secret archive stack",
    ),
    pytest.param(
        source({}, "logGroups", NOT_SECRET, secret=("log-archive:logGroups",)), id="secret log groups"
    ),
    pytest.param(
        source({}, "aws:region", NOT_SECRET, secret=("aws:region",)), id="secret source home region"
    ),
    # Inconsistent or malformed archive outputs.
    pytest.param(
        source(
            {},
            "archiveStack",
            CONSISTENT_ARCHIVE,
            outputs_=archive_outputs(
                destinationArns={
                    TOKYO: destination(TOKYO, partition="aws-cn"),
                    VIRGINIA: destination(VIRGINIA),
                }
            ),
        ),
        id="archive destination in another partition",
    ),
    pytest.param(
        source(
            {},
            "archiveStack",
            CONSISTENT_ARCHIVE,
            outputs_=archive_outputs(
                destinationArns={TOKYO: destination(TOKYO, "333333333333"), VIRGINIA: destination(VIRGINIA)}
            ),
        ),
        id="archive destination in another account than archiveAccountId",
    ),
    pytest.param(
        source(
            {},
            "archiveStack",
            CONSISTENT_ARCHIVE,
            outputs_=archive_outputs(organizationId="o-abcd123456"),
        ),
        id="archive organization form without subscriptionRoleRequired",
    ),
    pytest.param(
        source(
            {}, "archiveStack", CONSISTENT_ARCHIVE, outputs_=archive_outputs(subscriptionRoleRequired=True)
        ),
        id="archive requiring a role without an organization",
    ),
    pytest.param(
        source(
            {},
            "archiveStack",
            CONSISTENT_ARCHIVE,
            outputs_=archive_outputs(pipelineLogGroups={TOKYO: ["/aws/kinesisfirehose/log-archive-x"]}),
        ),
        id="archive pipeline log groups for other regions than its destinations",
    ),
    pytest.param(
        source(
            {},
            "archiveStack",
            CONSISTENT_ARCHIVE,
            outputs_=archive_outputs(
                subscriptionChangeBusArns={TOKYO: bus_arn("aws", ARCHIVE_ACCOUNT, TOKYO)}
            ),
        ),
        id="archive change buses missing a destination region",
    ),
    pytest.param(
        source(
            {},
            "archiveStack",
            CONSISTENT_ARCHIVE,
            outputs_=archive_outputs(
                subscriptionChangeBusArns={r: bus_arn("aws", "333333333333", r) for r in (TOKYO, VIRGINIA)}
            ),
        ),
        id="archive change buses in another account than archiveAccountId",
    ),
    pytest.param(
        source(
            {}, "archiveStack", CURRENT_ARCHIVE, outputs_=archive_outputs(subscriptionChangeBusArns=["x"])
        ),
        id="archive change buses not a map",
    ),
    pytest.param(
        source(
            {},
            "archiveStack",
            CURRENT_ARCHIVE,
            outputs_=archive_outputs(destinationArns={TOKYO: destination(VIRGINIA)}),
        ),
        id="archive destination listed under another region",
    ),
    pytest.param(
        source(
            {},
            "archiveStack",
            CURRENT_ARCHIVE,
            outputs_=archive_outputs(destinationArns={"xx-fake-1": destination("xx-fake-1")}),
        ),
        id="archive destination in a made-up region",
    ),
    pytest.param(
        source(
            {},
            "archiveStack",
            CURRENT_ARCHIVE,
            outputs_=archive_outputs(destinationArns=[destination(TOKYO)]),
        ),
        id="archive destinations a list",
    ),
    pytest.param(
        source({}, "archiveStack", CURRENT_ARCHIVE, outputs_=archive_outputs(archiveAccountId=222222222222)),
        id="archive account id a number",
    ),
    pytest.param(
        source(
            {}, "archiveStack", CURRENT_ARCHIVE, outputs_=archive_outputs(sourceAccountIds=["111111111111 "])
        ),
        id="archive source account with a space",
    ),
    pytest.param(
        source(
            {}, "archiveStack", CURRENT_ARCHIVE, outputs_=archive_outputs(subscriptionRoleRequired="false")
        ),
        id="archive subscriptionRoleRequired a string",
    ),
    pytest.param(
        source(
            {},
            "archiveStack",
            CURRENT_ARCHIVE,
            outputs_=archive_outputs(pipelineLogGroups={TOKYO: ["bad name"], VIRGINIA: []}),
        ),
        id="archive pipeline log group with an invalid name",
    ),
    pytest.param(
        source({}, "archiveStack", CURRENT_ARCHIVE, outputs_=archive_outputs(organizationId="my-org")),
        id="archive organization id malformed",
    ),
    pytest.param(
        source(
            {},
            "archiveStack",
            "run `pulumi up` on the archive stack first",
            outputs_=archive_outputs(destinationArns=None),
        ),
        id="archive without destinations",
    ),
]

HEARTBEAT_MINUTES = "an integer from 0 to 60"
ENROLLED_HEARTBEAT = "0 or no heartbeatMinutes here, or stackSetEnrolled: false"

HEARTBEAT_CASES = [
    *(
        pytest.param(
            make({"heartbeatMinutes": raw}, "heartbeatMinutes", HEARTBEAT_MINUTES), id=f"{kind} {label}"
        )
        for kind, make in (("source", source), ("organization", organization))
        for label, raw in (
            ("heartbeat interval over an hour", "61"),
            ("heartbeat interval negative", "-5"),
            ("heartbeat interval a float", "5.0"),
            ("heartbeat interval with a leading zero", "05"),
            ("heartbeat interval a boolean", "true"),
        )
    ),
    pytest.param(
        source({"stackSetEnrolled": "true", "heartbeatMinutes": "5"}, "heartbeatMinutes", ENROLLED_HEARTBEAT),
        id="source heartbeat in an account the StackSet enrolls",
    ),
    pytest.param(
        organization(
            {"accountPolicy": {"excludeLogGroups": ["/log-archive/heartbeat/us-east-1"]}},
            "accountPolicy.excludeLogGroups[0]",
            "log groups whose names do not start with '/log-archive/heartbeat/'",
        ),
        id="organization exclusion of the heartbeat log group",
    ),
    pytest.param(
        organization({"heartbeatMinutes": ""}, "heartbeatMinutes", HEARTBEAT_MINUTES),
        id="organization heartbeat interval empty",
    ),
]

CASES = ARCHIVE_CASES + SOURCE_CASES + HEARTBEAT_CASES


def test_there_are_at_least_150_cases_with_distinct_ids() -> None:
    ids = [param.id for param in CASES]
    assert len(ids) >= 150
    assert len(set(ids)) == len(ids)


@pytest.mark.parametrize("case", CASES)
def test_a_bad_config_stops_the_program_naming_the_key_and_the_accepted_form(case: Bad) -> None:
    with pytest.raises(ProgramFailed) as failed:
        run_program(
            case.stack,
            overrides=case.overrides,
            stack_outputs={ARCHIVE_STACK: case.archive},
            secret_keys=case.secret_keys,
        )
    error = failed.value.error
    assert isinstance(error, ConfigError), repr(error)
    assert error.key == case.key
    message = str(error)
    assert message.startswith(f"{case.key}: ")
    assert case.accepted in message.partition(". Expected ")[2], message
    registered = [(r.type, r.read) for r in failed.value.registrations]
    assert registered in ([], [("pulumi:pulumi:StackReference", True)]), registered
    if case.stack == "account-b":
        assert registered == []
