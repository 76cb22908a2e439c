"""Rules for the archive bucket and its policy."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from pulumi_policy import EnforcementLevel, Severity

from .base import Guardrail, Resource, Rule, get, is_true, is_unknown, number, resource_policy, stack_policy
from .documents import Condition, Statement, parse_if_known, parse_policy, public_grants
from .graph import BUCKET, BUCKET_POLICY, FIREHOSE, archive_buckets, of_type, referring

OWNER_ACL = "bucket-owner-full-control"
PUBLIC_ACCESS_BLOCK = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
ACCOUNT_PUBLIC_ACCESS_BLOCK = "aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock"
ENCRYPTION = "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
VERSIONING = "aws:s3/bucketVersioning:BucketVersioning"
OBJECT_LOCK = "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration"
LIFECYCLE = "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration"
OWNERSHIP = "aws:s3/bucketOwnershipControls:BucketOwnershipControls"
BLOCK_FLAGS = ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")
KMS_ALGORITHMS = ("aws:kms", "aws:kms:dsse")
RESTRICTING_KEYS = frozenset(
    {
        "aws:principalorgid",
        "aws:principalorgpaths",
        "aws:principalaccount",
        "aws:principalarn",
        "aws:sourcearn",
        "aws:sourceaccount",
        "aws:sourceorgid",
        "aws:sourceorgpaths",
        "aws:sourcevpce",
        "aws:sourcevpc",
        "aws:sourceip",
    }
)
S3_DOCS = "https://docs.aws.amazon.com/securityhub/latest/userguide/s3-controls.html"

WRITE_REQUIRES_OWNER_ACL = Rule(
    name="s3-bucket-policy-write-requires-owner-acl",
    description="Bucket policy statements that allow s3:PutObject require "
    "StringEquals s3:x-amz-acl = bucket-owner-full-control.",
    level=EnforcementLevel.MANDATORY,
    severity=Severity.HIGH,
    why="Objects written by another account without this ACL stay owned by the writer; the "
    "archive account could not read or protect its own archive.",
    remediation='Add "Condition": {"StringEquals": {"s3:x-amz-acl": '
    '"bucket-owner-full-control"}} to every Allow statement that grants s3:PutObject '
    "(including through s3:Put*, s3:* or *).",
    control="S3 Object Ownership: bucket-owner-full-control",
    url="https://docs.aws.amazon.com/AmazonS3/latest/userguide/about-object-ownership.html",
)

ARCHIVE_POLICY_PRESENT = Rule(
    name="s3-archive-bucket-policy-present",
    description="A bucket that a Firehose stream delivers into has a bucket policy.",
    level=EnforcementLevel.MANDATORY,
    severity=Severity.HIGH,
    why="Without a bucket policy nothing enforces the owner ACL on writes or denies plain HTTP.",
    remediation="Attach an aws.s3.BucketPolicy to the archive bucket with the TLS-only Deny and the "
    "ACL-conditioned write grant.",
    control="S3.5",
    url=S3_DOCS,
)

NO_PUBLIC_PRINCIPAL = Rule(
    name="s3-bucket-policy-no-public-principal",
    description='Bucket policies allow Principal "*" only under a condition that restricts who '
    "the caller is (organization, account, source ARN, VPC or IP).",
    level=EnforcementLevel.MANDATORY,
    severity=Severity.CRITICAL,
    why='An unconditioned Allow for "*" opens the archive to every AWS account and anonymous users.',
    remediation="Name the principals explicitly, or add a condition such as StringEquals "
    "aws:PrincipalOrgID = o-... to the statement.",
    control="S3.2",
    url=S3_DOCS,
)

DENIES_INSECURE_TRANSPORT = Rule(
    name="s3-bucket-policy-denies-insecure-transport",
    description="Every bucket's policy denies all S3 actions to everyone when aws:SecureTransport is false.",
    level=EnforcementLevel.MANDATORY,
    severity=Severity.MEDIUM,
    why="Requests over plain HTTP expose log data and credentials in transit.",
    remediation='Add {"Effect": "Deny", "Principal": "*", "Action": "s3:*", '
    '"Resource": [bucket ARN, bucket ARN/*], "Condition": {"Bool": '
    '{"aws:SecureTransport": "false"}}} to the bucket policy.',
    control="S3.5",
    url=S3_DOCS,
)

PUBLIC_ACCESS_BLOCKED = Rule(
    name="s3-bucket-public-access-block-enabled",
    description="Every bucket has a BucketPublicAccessBlock with all four settings true (or the "
    "account-level block does).",
    level=EnforcementLevel.MANDATORY,
    severity=Severity.HIGH,
    why="Block Public Access is the guard that holds even when a later policy or ACL change "
    "would make the archive public.",
    remediation="Add an aws.s3.BucketPublicAccessBlock for the bucket with blockPublicAcls, "
    "blockPublicPolicy, ignorePublicAcls and restrictPublicBuckets set to true.",
    control="S3.8",
    url=S3_DOCS,
)

KMS_ENCRYPTION = Rule(
    name="s3-bucket-encryption-kms",
    description="Every bucket's default encryption uses KMS (aws:kms or aws:kms:dsse).",
    level=EnforcementLevel.MANDATORY,
    severity=Severity.MEDIUM,
    why="A KMS key adds an access check of its own and an audit trail for every read of the archive.",
    remediation="Add an aws.s3.BucketServerSideEncryptionConfiguration with sseAlgorithm "
    '"aws:kms" and a customer managed key (bucketKeyEnabled keeps KMS costs down).',
    control="S3.17",
    url=S3_DOCS,
)

VERSIONED = Rule(
    name="s3-bucket-versioning-enabled",
    description="Every bucket has versioning enabled.",
    level=EnforcementLevel.MANDATORY,
    severity=Severity.MEDIUM,
    why="Versioning keeps overwritten or deleted log objects recoverable.",
    remediation="Add an aws.s3.BucketVersioning for the bucket with versioningConfiguration "
    '{"status": "Enabled"}.',
    control="S3.14",
    url=S3_DOCS,
)

OBJECT_LOCKED = Rule(
    name="s3-bucket-object-lock-enabled",
    description="Buckets that a Firehose stream delivers into have Object Lock enabled.",
    level=EnforcementLevel.ADVISORY,
    severity=Severity.MEDIUM,
    why="Object Lock makes archived logs immutable for the retention period, even for administrators "
    "(compliance mode).",
    remediation="Create the bucket with objectLockEnabled: true (or add an "
    'aws.s3.BucketObjectLockConfiguration with objectLockEnabled "Enabled") and a default retention.',
    control="S3.15",
    url=S3_DOCS,
)

LIFECYCLE_EXPIRATION = Rule(
    name="s3-bucket-lifecycle-expiration",
    description="Every bucket has an enabled lifecycle rule that expires objects; in a bucket that "
    "a Firehose stream delivers into, no sooner than the minimum retention.",
    level=EnforcementLevel.ADVISORY,
    severity=Severity.LOW,
    why="Without expiry the archive grows (and costs) forever; expiring sooner than the retention "
    "requirement loses evidence.",
    remediation="Add an aws.s3.BucketLifecycleConfiguration with an Enabled rule that expires "
    "objects (for the archive bucket after at least minimumExpirationDays days).",
    control="S3.13",
    url=S3_DOCS,
    config={
        "minimumExpirationDays": {
            "type": "number",
            "minimum": 1,
            "default": 365,
            "description": "Objects in the archive bucket may not expire sooner than this many days.",
        }
    },
)

OWNERSHIP_ENFORCED = Rule(
    name="s3-bucket-ownership-enforced",
    description="Every bucket's Object Ownership is BucketOwnerEnforced (ACLs disabled).",
    level=EnforcementLevel.ADVISORY,
    severity=Severity.MEDIUM,
    why="With ACLs disabled the bucket owner owns every object, whatever the writer sends.",
    remediation='Add an aws.s3.BucketOwnershipControls with rule {"objectOwnership": "BucketOwnerEnforced"}.',
    control="S3.12",
    url=S3_DOCS,
)

ARCHIVE_PROTECTED = Rule(
    name="s3-archive-bucket-protected",
    description="A bucket that a Firehose stream delivers into has the protect resource option.",
    level=EnforcementLevel.ADVISORY,
    severity=Severity.MEDIUM,
    why="protect makes `pulumi destroy` or a refactoring that drops the bucket fail instead of "
    "deleting the archive.",
    remediation="Pass opts=pulumi.ResourceOptions(protect=True, retain_on_delete=True) to the bucket.",
    control="Pulumi protect option",
    url="https://www.pulumi.com/docs/iac/concepts/options/protect/",
)


def _policy_document(resource: Resource) -> Any:
    return resource.props.get("policy")


def _write_grants_without_owner_acl(resource: Resource, _: Mapping[str, Any]) -> Iterable[str]:
    document = _policy_document(resource)
    if document is None:
        return
    parsed = parse_policy(document)
    yield from (f"{resource.label}: {problem}." for problem in parsed.problems)
    for statement in parsed.statements:
        if statement.allows("s3:PutObject") and not _requires_owner_acl(statement):
            yield (
                f"{resource.label}: {statement.label} allows s3:PutObject "
                f"{_acl_shortfall(statement.conditions_on('s3:x-amz-acl'))}."
            )


def _requires_owner_acl(statement: Statement) -> bool:
    return statement.requires("s3:x-amz-acl", lambda value: value == OWNER_ACL, "stringequals")


def _acl_shortfall(conditions: tuple[Condition, ...]) -> str:
    if not conditions:
        return f"without a condition on s3:x-amz-acl = {OWNER_ACL}"
    described = ", ".join(f"{c.operator} {list(c.values)}" for c in conditions)
    return f"with s3:x-amz-acl only under {described}, not StringEquals {OWNER_ACL}"


def _public_allows(resource: Resource, _: Mapping[str, Any]) -> Iterable[str]:
    document = _policy_document(resource)
    if document is None:
        return
    parsed = parse_policy(document)
    yield from (f"{resource.label}: {problem}." for problem in parsed.problems)
    for statement, grant in public_grants(parsed, _restricts):
        yield f"{resource.label}: {statement.label} {grant} without a condition restricting the caller."


def _restricts(condition: Condition) -> bool:
    return (
        condition.key in RESTRICTING_KEYS
        and not condition.negated
        and not condition.if_exists
        and bool(condition.values)
        and all(value.strip("*?") for value in condition.values)
    )


def _bucket_policies(resources: list[Resource], bucket: Resource) -> list[tuple[Resource, Any]]:
    found = [
        (policy, policy.props.get("policy"))
        for policy in referring(resources, BUCKET_POLICY, ("bucket",), bucket)
    ]
    if bucket.props.get("policy") is not None:
        found.append((bucket, bucket.props.get("policy")))
    return found


def _archive_without_policy(
    resources: list[Resource], _: Mapping[str, Any]
) -> Iterable[tuple[str, Resource]]:
    for bucket in archive_buckets(resources):
        if not _bucket_policies(resources, bucket):
            yield (
                f"{bucket.label} receives Firehose deliveries but has no bucket policy, so nothing "
                "requires the owner ACL or TLS.",
                bucket,
            )


def _denies_insecure(statement: Statement) -> bool:
    return (
        statement.is_deny
        and statement.principal is not None
        and statement.principal.everyone
        and statement.covers_action("s3:GetObject")
        and statement.covers_action("s3:PutObject")
        and any(
            condition.test == "bool"
            and not condition.qualifier
            and condition.key == "aws:securetransport"
            and condition.values
            and all(value.lower() == "false" for value in condition.values)
            for condition in statement.conditions
        )
    )


def _insecure_transport(resources: list[Resource], _: Mapping[str, Any]) -> Iterable[tuple[str, Resource]]:
    for bucket in of_type(resources, BUCKET):
        policies = _bucket_policies(resources, bucket)
        if not policies:
            yield (f"{bucket.label} has no bucket policy denying requests over plain HTTP.", bucket)
            continue
        documents = [parse_if_known(document) for _, document in policies]
        if None in documents:
            continue
        if not any(_denies_insecure(s) for d in documents if d for s in d.statements):
            yield (
                f'{policies[0][0].label}: no statement denies s3:* to Principal "*" when '
                "aws:SecureTransport is false.",
                policies[0][0],
            )


def _configured(
    resources: list[Resource],
    bucket: Resource,
    type_: str,
    what: str,
    inline: bool,
) -> tuple[list[Resource], str | None]:
    """The ``type_`` resources configuring ``bucket``, and the problem when there are none."""
    found = referring(resources, type_, ("bucket",), bucket)
    if found or inline:
        return found, None
    return found, f"{bucket.label} has no {what}."


def _public_access(resources: list[Resource], _: Mapping[str, Any]) -> Iterable[tuple[str, Resource]]:
    account_blocks = of_type(resources, ACCOUNT_PUBLIC_ACCESS_BLOCK)
    account_wide = any(all(is_true(b.props.get(flag)) for flag in BLOCK_FLAGS) for b in account_blocks)
    for bucket in of_type(resources, BUCKET):
        blocks, missing = _configured(
            resources, bucket, PUBLIC_ACCESS_BLOCK, "BucketPublicAccessBlock", account_wide
        )
        if missing:
            yield missing, bucket
        for block in blocks:
            off = [flag for flag in BLOCK_FLAGS if not is_true(block.props.get(flag))]
            if off and not any(is_unknown(block.props.get(flag)) for flag in off):
                yield f"{block.label}: {', '.join(off)} not set to true.", block


def _kms_encryption(resources: list[Resource], _: Mapping[str, Any]) -> Iterable[tuple[str, Resource]]:
    for bucket in of_type(resources, BUCKET):
        inline = get(
            bucket.props,
            "serverSideEncryptionConfiguration",
            "rule",
            "applyServerSideEncryptionByDefault",
            "sseAlgorithm",
        )
        configs, missing = _configured(
            resources, bucket, ENCRYPTION, "BucketServerSideEncryptionConfiguration", inline in KMS_ALGORITHMS
        )
        if missing:
            yield missing, bucket
        for config in configs:
            rules = config.props.get("rules")
            if is_unknown(rules):
                continue
            algorithms = (
                [get(rule, "applyServerSideEncryptionByDefault", "sseAlgorithm") for rule in rules]
                if isinstance(rules, list)
                else []
            )  # pyright: ignore[reportUnknownVariableType]
            if any(is_unknown(algorithm) for algorithm in algorithms):
                continue
            if not algorithms or any(algorithm not in KMS_ALGORITHMS for algorithm in algorithms):
                yield f"{config.label}: default encryption is {algorithms or 'not set'}, not aws:kms.", config


def _versioning(resources: list[Resource], _: Mapping[str, Any]) -> Iterable[tuple[str, Resource]]:
    for bucket in of_type(resources, BUCKET):
        inline = is_true(get(bucket.props, "versioning", "enabled"))
        configs, missing = _configured(resources, bucket, VERSIONING, "BucketVersioning", inline)
        if missing:
            yield missing, bucket
        for config in configs:
            status = get(config.props, "versioningConfiguration", "status")
            if status != "Enabled" and not is_unknown(status):
                yield f"{config.label}: versioning status is {status!r}, not 'Enabled'.", config


def _object_lock(resources: list[Resource], _: Mapping[str, Any]) -> Iterable[tuple[str, Resource]]:
    for bucket in archive_buckets(resources):
        enabled = bucket.props.get("objectLockEnabled")
        if is_true(enabled) or is_unknown(enabled):
            continue
        if get(bucket.props, "objectLockConfiguration", "objectLockEnabled") == "Enabled":
            continue
        configs = referring(resources, OBJECT_LOCK, ("bucket",), bucket)
        if any(
            config.props.get("objectLockEnabled") in ("Enabled", None)
            or is_unknown(config.props.get("objectLockEnabled"))
            for config in configs
        ):
            continue
        yield f"{bucket.label} has Object Lock disabled.", bucket


def _lifecycle(resources: list[Resource], settings: Mapping[str, Any]) -> Iterable[tuple[str, Resource]]:
    minimum = number(settings.get("minimumExpirationDays")) or 0.0
    archives = {bucket.urn for bucket in archive_buckets(resources)}
    for bucket in of_type(resources, BUCKET):
        configs = referring(resources, LIFECYCLE, ("bucket",), bucket)
        inline_rules = bucket.props.get("lifecycleRules")
        if is_unknown(inline_rules) or any(is_unknown(config.props.get("rules")) for config in configs):
            continue
        expirations = [
            get(rule, "expiration")
            for config in configs
            for rule in _list(config.props.get("rules"))
            if get(rule, "status") == "Enabled"
        ] + [get(rule, "expiration") for rule in _list(inline_rules) if is_true(get(rule, "enabled"))]
        days = [number(get(expiration, "days")) for expiration in expirations]
        dated = any(get(expiration, "date") for expiration in expirations)
        known_days = [day for day in days if day is not None and day > 0]
        holder = configs[0] if configs else bucket
        if not known_days and not dated:
            yield f"{bucket.label} has no enabled lifecycle rule that expires objects.", holder
        elif known_days and bucket.urn in archives and min(known_days) < minimum:
            yield (
                f"{holder.label}: objects expire after {min(known_days):g} days, sooner than the "
                f"minimum retention of {minimum:g} days.",
                holder,
            )


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []  # pyright: ignore[reportUnknownVariableType]


def _ownership(resources: list[Resource], _: Mapping[str, Any]) -> Iterable[tuple[str, Resource]]:
    for bucket in of_type(resources, BUCKET):
        configs, missing = _configured(resources, bucket, OWNERSHIP, "BucketOwnershipControls", False)
        if missing:
            yield missing, bucket
        for config in configs:
            ownership = get(config.props, "rule", "objectOwnership")
            if ownership != "BucketOwnerEnforced" and not is_unknown(ownership):
                yield f"{config.label}: objectOwnership is {ownership!r}, not 'BucketOwnerEnforced'.", config


def _protected(resources: list[Resource], _: Mapping[str, Any]) -> Iterable[tuple[str, Resource]]:
    for bucket in archive_buckets(resources):
        if not bucket.protect:
            yield f"{bucket.label} holds the archive but is not protected against deletion.", bucket


BUCKET_POLICY_TYPES = (BUCKET_POLICY, BUCKET)

GUARDRAILS: list[Guardrail] = [
    resource_policy(WRITE_REQUIRES_OWNER_ACL, BUCKET_POLICY_TYPES, _write_grants_without_owner_acl),
    stack_policy(ARCHIVE_POLICY_PRESENT, [BUCKET, BUCKET_POLICY, FIREHOSE], _archive_without_policy),
    resource_policy(NO_PUBLIC_PRINCIPAL, BUCKET_POLICY_TYPES, _public_allows),
    stack_policy(DENIES_INSECURE_TRANSPORT, [BUCKET, BUCKET_POLICY], _insecure_transport),
    stack_policy(
        PUBLIC_ACCESS_BLOCKED, [BUCKET, PUBLIC_ACCESS_BLOCK, ACCOUNT_PUBLIC_ACCESS_BLOCK], _public_access
    ),
    stack_policy(KMS_ENCRYPTION, [BUCKET, ENCRYPTION], _kms_encryption),
    stack_policy(VERSIONED, [BUCKET, VERSIONING], _versioning),
    stack_policy(OBJECT_LOCKED, [BUCKET, FIREHOSE, OBJECT_LOCK], _object_lock),
    stack_policy(LIFECYCLE_EXPIRATION, [BUCKET, FIREHOSE, LIFECYCLE], _lifecycle),
    stack_policy(OWNERSHIP_ENFORCED, [BUCKET, OWNERSHIP], _ownership),
    stack_policy(ARCHIVE_PROTECTED, [BUCKET, FIREHOSE], _protected),
]
