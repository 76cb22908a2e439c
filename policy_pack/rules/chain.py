"""The stack-level check that every hop of the archive chain is granted where AWS checks it:

source account -> destination policy -> logs role (trust, then PutRecord on the stream) ->
Firehose role (PutObject on the bucket, GenerateDataKey on the bucket key).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from pulumi_policy import EnforcementLevel, Severity

from .base import Guardrail, Resource, Rule, get, stack_policy
from .documents import Condition, Document, Statement, matches, parse_arn, parse_if_known
from .graph import (
    BUCKET,
    FIREHOSE,
    KMS_KEY,
    LOG_DESTINATION,
    LOG_DESTINATION_POLICY,
    MANAGED_POLICY,
    ROLE,
    ROLE_POLICY,
    ROLE_POLICY_ATTACHMENT,
    of_type,
    own_account,
    referred,
    referring,
    role_documents,
)
from .s3 import ENCRYPTION, KMS_ALGORITHMS

CHAIN = Rule(
    name="cloudwatch-destination-chain-granted",
    description="Every hop from source account to bucket is granted: the destination policy names "
    "sources, the logs role trusts CloudWatch Logs for every source account, region and the archive "
    "account, may put records into the destination's stream, and the Firehose role may write to the "
    "bucket and use its key.",
    level=EnforcementLevel.ADVISORY,
    severity=Severity.MEDIUM,
    why='Each missing grant fails only at deploy time ("Could not deliver test message") or, '
    "worse, silently drops logs at delivery time.",
    remediation="Grant the missing hop named in the message: the account in the logs role's "
    "aws:SourceAccount (or aws:SourceArn) condition and the region in its aws:SourceArn, "
    "firehose:PutRecord/PutRecordBatch on the stream, s3:PutObject on <bucket ARN>/*, "
    "kms:GenerateDataKey on the bucket key.",
    control="CrossAccountSubscriptions-Firehose",
    url="https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CrossAccountSubscriptions-Firehose.html",
)

PUT_RECORD_ACTIONS = ("firehose:PutRecord", "firehose:PutRecordBatch")
SOURCE_KEYS = ("aws:sourcearn", "aws:sourceaccount")
_ARN_TESTS = ("arnequals", "arnlike", "stringlike")


def _chain(resources: list[Resource], _: Mapping[str, Any]) -> Iterable[tuple[str, Resource]]:
    for destination in of_type(resources, LOG_DESTINATION):
        yield from _destination_hops(resources, destination)
    for stream in of_type(resources, FIREHOSE):
        yield from _delivery_hops(resources, stream)


def _destination_hops(resources: list[Resource], destination: Resource) -> Iterable[tuple[str, Resource]]:
    arn = parse_arn(destination.props.get("arn"))
    region = (
        arn.region if arn else _string(destination.props.get("region") or destination.provider.get("region"))
    )
    archive_account = arn.account if arn else own_account(destination)
    partition = arn.partition if arn else "aws"
    policies = referring(resources, LOG_DESTINATION_POLICY, ("destinationName",), destination)
    if not policies:
        yield (
            f"{destination.label} has no LogDestinationPolicy, so no source account may subscribe.",
            destination,
        )
    sources: set[str] = set()
    for policy in policies:
        document = parse_if_known(policy.props.get("accessPolicy"))
        if document is None:
            continue
        grants = [s for s in document.statements if s.allows("logs:PutSubscriptionFilter") and s.principal]
        if not grants:
            yield (
                f"{policy.label}: no statement lets a source account call logs:PutSubscriptionFilter.",
                policy,
            )
        sources.update(account for s in grants if s.principal for account in s.principal.accounts)
    for role in referred(resources, destination, ("roleArn",), ROLE):
        trust = parse_if_known(role.props.get("assumeRolePolicy"))
        if trust is not None and region and archive_account:
            expected = sorted(sources | {archive_account})
            missing = [a for a in expected if not _logs_may_act_for(trust, partition, region, a)]
            if missing:
                yield (
                    f"{role.label}: its trust policy does not let CloudWatch Logs in {region} act for "
                    f"account(s) {missing}, which {destination.label} serves.",
                    role,
                )
        for stream in referred(resources, destination, ("targetArn",), FIREHOSE):
            stream_arn = stream.props.get("arn")
            if isinstance(stream_arn, str):
                yield from _missing(resources, role, PUT_RECORD_ACTIONS, stream_arn, f"on {stream.label}")


def _delivery_hops(resources: list[Resource], stream: Resource) -> Iterable[tuple[str, Resource]]:
    destination = ("extendedS3Configuration",)
    for role in referred(resources, stream, (*destination, "roleArn"), ROLE):
        for bucket in referred(resources, stream, (*destination, "bucketArn"), BUCKET):
            bucket_arn = bucket.props.get("arn")
            if not isinstance(bucket_arn, str):
                continue
            yield from _missing(
                resources, role, ("s3:PutObject",), f"{bucket_arn}/archived-object", f"on {bucket.label}/*"
            )
            for key in _bucket_keys(resources, bucket):
                key_arn = key.props.get("arn")
                if isinstance(key_arn, str):
                    yield from _missing(resources, role, ("kms:GenerateDataKey",), key_arn, f"on {key.label}")


def _bucket_keys(resources: list[Resource], bucket: Resource) -> list[Resource]:
    keys: list[Resource] = []
    for config in referring(resources, ENCRYPTION, ("bucket",), bucket):
        rules = config.props.get("rules")
        for rule in rules if isinstance(rules, list) else []:  # pyright: ignore[reportUnknownVariableType]
            default = get(rule, "applyServerSideEncryptionByDefault")
            if get(default, "sseAlgorithm") in KMS_ALGORITHMS:
                keys.extend(
                    key
                    for key in of_type(resources, KMS_KEY)
                    if _names_key(config, get(default, "kmsMasterKeyId"), key)
                )
    return keys


def _names_key(config: Resource, key_id: Any, key: Resource) -> bool:
    """Whether the configured ``kmsMasterKeyId`` is ``key`` (by value, or by dependency in preview)."""
    if isinstance(key_id, str) and key_id:
        return key_id in (key.props.get("arn"), key.props.get("keyId"), key.props.get("id"))
    return key_id is not None and key.urn in config.property_dependencies.get("rules", frozenset())


def _missing(
    resources: list[Resource], role: Resource, actions: tuple[str, ...], target: str, where: str
) -> Iterable[tuple[str, Resource]]:
    held = role_documents(resources, role)
    documents: list[Document] = []
    for _, raw in held:
        document = parse_if_known(raw)
        if document is None:
            return
        documents.append(document)
    statements = [s for document in documents for s in document.statements]
    missing = [a for a in actions if not _granted(statements, a, target)]
    if missing:
        holder = held[0][0] if held else role
        yield f"{holder.label}: {role.label} is not allowed {missing} {where}.", holder


def _granted(statements: list[Statement], action: str, target: str) -> bool:
    allowed = any(s.allows(action) and s.covers_resource(target) for s in statements)
    denied = any(
        s.is_deny and not s.conditions and s.covers_action(action) and s.covers_resource(target)
        for s in statements
    )
    return allowed and not denied


def _logs_may_act_for(trust: Document, partition: str, region: str, account: str) -> bool:
    """Whether CloudWatch Logs of ``region`` may assume the role on behalf of ``account``."""
    sample = f"arn:{partition}:logs:{region}:{account}:log-group:archived"
    for statement in trust.statements:
        if not (statement.allows("sts:AssumeRole") and statement.principal):
            continue
        serving = {f"logs.amazonaws.com{suffix}" for suffix in ("", ".cn")} | {
            f"logs.{region}.amazonaws.com{suffix}" for suffix in ("", ".cn")
        }
        if not statement.principal.services & serving:
            continue
        if all(_admits(c, sample, account) for c in statement.conditions if c.key in SOURCE_KEYS):
            return True
    return False


def _admits(condition: Condition, sample_arn: str, account: str) -> bool:
    """Whether a request from CloudWatch Logs acting for ``account`` passes ``condition``."""
    value = sample_arn if condition.key == "aws:sourcearn" else account
    test = condition.test.replace("not", "", 1) if condition.negated else condition.test
    if test in _ARN_TESTS:
        hit = any(matches(pattern, value, case_sensitive=True) for pattern in condition.values)
    elif test == "stringequals":
        hit = value in condition.values
    elif test == "stringequalsignorecase":
        hit = value.lower() in (v.lower() for v in condition.values)
    else:
        return False
    return hit != condition.negated


def _string(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


CHAIN_TYPES = (
    LOG_DESTINATION,
    LOG_DESTINATION_POLICY,
    ROLE,
    ROLE_POLICY,
    ROLE_POLICY_ATTACHMENT,
    MANAGED_POLICY,
    FIREHOSE,
    BUCKET,
    ENCRYPTION,
    KMS_KEY,
)

GUARDRAILS: list[Guardrail] = [stack_policy(CHAIN, CHAIN_TYPES, _chain)]
