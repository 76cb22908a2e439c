"""Rules for the pipeline's IAM roles: who may assume them and what they may do."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from pulumi_policy import EnforcementLevel, Severity

from .base import Guardrail, Resource, Rule, get, resource_policy
from .documents import (
    ACCOUNT_ID,
    Condition,
    Document,
    Statement,
    has_wildcard,
    names_organization,
    parse_arn,
    parse_policy,
)
from .graph import MANAGED_POLICY, ROLE, ROLE_POLICY

FIREHOSE_SERVICE = "firehose.amazonaws.com"
LOGS_SERVICE = re.compile(r"^logs(\.[a-z0-9-]+)?\.amazonaws\.com(\.cn)?$")
EXTERNAL_ID_FORMAT = r"[\w+=,.@:/-]{2,1224}"

FIREHOSE_EXTERNAL_ID = Rule(
    name="iam-role-firehose-trust-requires-external-id",
    description="Roles that firehose.amazonaws.com may assume require StringEquals sts:ExternalId "
    "with a concrete value.",
    level=EnforcementLevel.MANDATORY,
    severity=Severity.HIGH,
    why="Without the external id any Firehose stream, in any account, that is told the role ARN "
    "could write into the archive as this role (confused deputy).",
    remediation='Add "Condition": {"StringEquals": {"sts:ExternalId": "<archive account id>"}} '
    "to the trust statement for firehose.amazonaws.com (no wildcards, no IfExists).",
    control="Firehose role trust (confused deputy)",
    url="https://docs.aws.amazon.com/firehose/latest/dev/controlling-access.html",
    config={
        "externalIdPattern": {
            "type": "string",
            "default": EXTERNAL_ID_FORMAT,
            "description": "Regular expression every accepted external id must fully match "
            "(default: any value in the STS external id format, which excludes wildcards).",
        }
    },
)

LOGS_SOURCE_CONDITION = Rule(
    name="iam-role-logs-trust-requires-source-condition",
    description="Roles that CloudWatch Logs (logs.amazonaws.com or a regional logs principal) may "
    "assume carry an aws:SourceArn, aws:SourceAccount or source-organization condition.",
    level=EnforcementLevel.MANDATORY,
    severity=Severity.HIGH,
    why="Without it CloudWatch Logs acting for any account could use the role to put records into "
    "the archive's delivery streams (confused deputy).",
    remediation='Add "Condition": {"StringLike": {"aws:SourceArn": '
    '["arn:aws:logs:<region>:<account>:*", ...]}} listing every source account and region and the '
    "archive account itself.",
    control="Subscriptions-confused-deputy",
    url="https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/Subscriptions-confused-deputy.html",
)

NO_WILDCARD_ACTIONS = Rule(
    name="iam-policy-no-wildcard-actions",
    description='Role and managed policies allow no wildcard actions ("*", "service:*") and use '
    "no Allow with NotAction.",
    level=EnforcementLevel.MANDATORY,
    severity=Severity.HIGH,
    why="Wildcard service actions grant far more than the pipeline needs, including actions added "
    "to the service later.",
    remediation="List the exact actions, e.g. firehose:PutRecord and firehose:PutRecordBatch, "
    "s3:PutObject, kms:GenerateDataKey.",
    control="IAM.21",
    url="https://docs.aws.amazon.com/securityhub/latest/userguide/iam-controls.html",
)


def _trust_document(resource: Resource) -> Document | None:
    document = resource.props.get("assumeRolePolicy")
    return None if document is None else parse_policy(document)


def _trusting(document: Document, accept: Callable[[str], bool]) -> Iterable[tuple[Statement, str]]:
    """``(statement, service)`` for each Allow of sts:AssumeRole to a service ``accept`` takes."""
    for statement in document.statements:
        if statement.allows("sts:AssumeRole") and statement.principal is not None:
            for service in sorted(statement.principal.services):
                if accept(service):
                    yield statement, service


def _firehose_trust(resource: Resource, settings: Mapping[str, Any]) -> Iterable[str]:
    document = _trust_document(resource)
    if document is None:
        return
    yield from (f"{resource.label}: trust policy: {problem}." for problem in document.problems)
    try:
        pattern = re.compile(str(settings["externalIdPattern"]))
    except re.error as error:
        yield f"{resource.label}: the configured externalIdPattern is not a regular expression ({error})."
        return

    def accept(value: str) -> bool:
        return not has_wildcard(value) and pattern.fullmatch(value) is not None

    for statement, _ in _trusting(document, lambda service: service == FIREHOSE_SERVICE):
        if not statement.requires("sts:ExternalId", accept, "stringequals"):
            yield (
                f"{resource.label}: trust {statement.label} lets {FIREHOSE_SERVICE} assume the role "
                f"{_external_id_shortfall(statement.conditions_on('sts:ExternalId'), pattern)}."
            )


def _external_id_shortfall(conditions: tuple[Condition, ...], pattern: re.Pattern[str]) -> str:
    if not conditions:
        return "without an sts:ExternalId condition"
    described = "; ".join(f"{c.operator} {list(c.values)}" for c in conditions)
    return (
        f"with sts:ExternalId only under {described}; required: StringEquals with values "
        f"matching {pattern.pattern!r} and no wildcard"
    )


def _source_condition(condition: Condition) -> bool:
    """Whether ``condition`` ties the caller to named accounts or organizations."""
    if condition.negated or condition.if_exists or not condition.values:
        return False
    if condition.key == "aws:sourcearn":
        return condition.test in ("stringequals", "stringlike", "arnequals", "arnlike") and all(
            (arn := parse_arn(value)) is not None and ACCOUNT_ID.match(arn.account) is not None
            for value in condition.values
        )
    if condition.key == "aws:sourceaccount":
        return condition.test in ("stringequals", "stringlike") and all(
            ACCOUNT_ID.match(value) for value in condition.values
        )
    return names_organization(condition, "source")


def _logs_trust(resource: Resource, _: Mapping[str, Any]) -> Iterable[str]:
    return logs_trust_problems(resource)


def logs_trust_problems(resource: Resource) -> Iterable[str]:
    """The logs-trust rule's findings on ``resource``'s ``assumeRolePolicy`` (shared with the
    StackSet rule, which checks the roles of a template)."""
    document = _trust_document(resource)
    if document is None:
        return
    yield from (f"{resource.label}: trust policy: {problem}." for problem in document.problems)
    for statement, service in _trusting(document, lambda s: LOGS_SERVICE.match(s) is not None):
        if not any(_source_condition(condition) for condition in statement.conditions):
            yield (
                f"{resource.label}: trust {statement.label} lets {service} assume the role without "
                "an aws:SourceArn/aws:SourceAccount/aws:SourceOrgID/aws:SourceOrgPaths condition "
                "naming concrete accounts or organizations."
            )


def _permission_documents(resource: Resource) -> Iterable[tuple[str, Any]]:
    if resource.type == ROLE:
        inline = resource.props.get("inlinePolicies")
        for index, item in enumerate(inline if isinstance(inline, list) else []):  # pyright: ignore[reportUnknownArgumentType]
            policy = get(item, "policy")
            if policy is not None:
                yield f"inline policy {get(item, 'name') or index!r}", policy
    elif resource.props.get("policy") is not None:
        yield "policy", resource.props.get("policy")


def _wildcard_actions(resource: Resource, _: Mapping[str, Any]) -> Iterable[str]:
    for where, raw in _permission_documents(resource):
        document = parse_policy(raw)
        yield from (f"{resource.label}: {where}: {problem}." for problem in document.problems)
        for statement in document.statements:
            if not statement.is_allow:
                continue
            if statement.not_actions is not None:
                yield f"{resource.label}: {where}: {statement.label} allows every action but its NotAction."
            wildcards = [a for a in statement.actions or () if a == "*" or a.endswith(":*")]
            if wildcards:
                yield f"{resource.label}: {where}: {statement.label} allows wildcard actions {wildcards}."


GUARDRAILS: list[Guardrail] = [
    resource_policy(FIREHOSE_EXTERNAL_ID, [ROLE], _firehose_trust),
    resource_policy(LOGS_SOURCE_CONDITION, [ROLE], _logs_trust),
    resource_policy(NO_WILDCARD_ACTIONS, [ROLE_POLICY, MANAGED_POLICY, ROLE], _wildcard_actions),
]
