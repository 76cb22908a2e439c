"""Rules for CloudWatch Logs destinations and the subscriptions that ship to them."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from typing import Any

from pulumi_policy import EnforcementLevel, Severity

from .base import Guardrail, Resource, Rule, create_first, known, resource_policy
from .documents import (
    Statement,
    has_wildcard,
    only_actions,
    parse_arn,
    parse_policy,
    public_without_organization,
)
from .graph import LOG_DESTINATION, LOG_DESTINATION_POLICY, own_account

SUBSCRIPTION_FILTER = "aws:cloudwatch/logSubscriptionFilter:LogSubscriptionFilter"
ACCOUNT_POLICY = "aws:cloudwatch/logAccountPolicy:LogAccountPolicy"
LOG_RESOURCE_POLICY = "aws:cloudwatch/logResourcePolicy:LogResourcePolicy"
SERVICE_WRITE_ACTIONS = ("logs:CreateLogStream", "logs:PutLogEvents")
LOG_GROUP_ARN = re.compile(r"\Aarn:[a-z-]+:logs:[a-z0-9-]+:[0-9]{12}:log-group:[^*?:]+(:\*)?\Z")
"""One named log group (and its streams): no wildcard in the log group's name."""
DESTINATION_ACTIONS = ("logs:PutSubscriptionFilter", "logs:PutAccountPolicy")
CROSS_ACCOUNT_DOCS = "https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CreateDestination.html"

PUBLIC_NEEDS_ORGANIZATION = Rule(
    name="cloudwatch-destination-policy-public-requires-org-condition",
    description='Destination access policies allow Principal "*" only with an '
    "aws:PrincipalOrgID or aws:PrincipalOrgPaths condition.",
    level=EnforcementLevel.MANDATORY,
    severity=Severity.CRITICAL,
    why="An open destination lets any AWS account push log data into the archive.",
    remediation='List the source account ids as principals, or keep "*" and add '
    '"Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-..."}}.',
    control="CreateDestination access policy",
    url=CROSS_ACCOUNT_DOCS,
)

SUBSCRIPTION_ACTIONS_ONLY = Rule(
    name="cloudwatch-destination-policy-subscription-actions-only",
    description="Destination access policies allow only logs:PutSubscriptionFilter and "
    "logs:PutAccountPolicy, named exactly.",
    level=EnforcementLevel.MANDATORY,
    severity=Severity.MEDIUM,
    why="Source accounts need nothing else on the destination; wildcards would also grant actions "
    "added to the service later.",
    remediation='Set Action to ["logs:PutSubscriptionFilter", "logs:PutAccountPolicy"].',
    control="CreateDestination access policy",
    url=CROSS_ACCOUNT_DOCS,
)

FILTER_REMOTE_DESTINATION = Rule(
    name="cloudwatch-subscription-filter-remote-destination",
    description="Subscription filters that target a CloudWatch Logs destination target one in "
    "another account.",
    level=EnforcementLevel.ADVISORY,
    severity=Severity.LOW,
    why="A source stack shipping to a destination in its own account has most likely been given "
    "the wrong archive outputs (or the wrong credentials).",
    remediation="Point destinationArn at the archive account's destination (the archive stack's "
    "destinationArns output) and check the stack's AWS credentials.",
    control="CrossAccountSubscriptions",
    url="https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CrossAccountSubscriptions.html",
)

ACCOUNT_POLICY_REMOTE_DESTINATION = Rule(
    name="cloudwatch-account-policy-remote-destination",
    description="Subscription account policies whose DestinationArn is a CloudWatch Logs "
    "destination target one in another account.",
    level=EnforcementLevel.ADVISORY,
    severity=Severity.LOW,
    why="An account-wide subscription to a destination of the same account is most likely a "
    "wrong archive output or the wrong credentials.",
    remediation="Set DestinationArn in policyDocument to the archive account's destination.",
    control="CrossAccountSubscriptions",
    url="https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CrossAccountSubscriptions.html",
)


SUBSCRIPTION_CREATE_FIRST = Rule(
    name="cloudwatch-subscription-replaced-create-first",
    description="Subscription filters and subscription account policies set the "
    "delete_before_replace resource option to false.",
    level=EnforcementLevel.MANDATORY,
    severity=Severity.HIGH,
    why="Left unset, the provider replaces them delete-first (a filter always, a named account "
    "policy by Pulumi's naming rule): a new destination or selection criteria then unsubscribes "
    "the log groups until the successor exists, and their events in that window never reach the "
    "archive.",
    remediation="Pass opts=pulumi.ResourceOptions(delete_before_replace=False); give a filter a "
    "name derived from its destination ARN (a replacement then gets a new name) and set "
    "retain_on_delete=True on an account policy (one per account and region: its replacement is "
    "an upsert by the same name).",
    control="Pulumi deleteBeforeReplace option",
    url="https://www.pulumi.com/docs/iac/concepts/options/deletebeforereplace/",
)

DESTINATION_PROTECTED = Rule(
    name="cloudwatch-destination-protected",
    description="CloudWatch Logs destinations have the protect resource option.",
    level=EnforcementLevel.ADVISORY,
    severity=Severity.MEDIUM,
    why="Source stacks subscribe to a destination from other stacks the archive cannot see: "
    "deleting it (a region dropped from sourceRegions, a refactoring) silently cuts them off.",
    remediation="Pass opts=pulumi.ResourceOptions(protect=True) to the destination; remove a "
    "region deliberately, after its sources, with `pulumi state unprotect`.",
    control="Pulumi protect option",
    url="https://www.pulumi.com/docs/iac/concepts/options/protect/",
)


def _protected(resource: Resource, _: Mapping[str, Any]) -> Iterable[str]:
    if not resource.protect:
        yield f"{resource.label} is not protected: deleting it cuts off every source subscribed to it."


def _destination_document(resource: Resource) -> Any:
    return resource.props.get("accessPolicy")


def _public_destination(resource: Resource, _: Mapping[str, Any]) -> Iterable[str]:
    raw = _destination_document(resource)
    if raw is not None:
        yield from public_without_organization(resource.label, raw)


def _destination_actions(resource: Resource, _: Mapping[str, Any]) -> Iterable[str]:
    raw = _destination_document(resource)
    if raw is not None:
        yield from only_actions(resource.label, raw, DESTINATION_ACTIONS)


def _same_account(resource: Resource, destination: Any, role_arn: Any) -> str | None:
    """The problem when ``destination`` is a logs destination in ``resource``'s own account."""
    arn = parse_arn(known(destination))
    if arn is None or arn.service != "logs" or not arn.resource.startswith("destination:"):
        return None
    account = own_account(resource)
    if account is None:
        role = parse_arn(role_arn)
        account = role.account if role is not None else None
    if account is None or arn.account != account:
        return None
    return (
        f"{resource.label}: the destination {known(destination)} is in the resource's own account "
        f"{account}; the archive is expected in another account."
    )


def _filter_destination(resource: Resource, _: Mapping[str, Any]) -> Iterable[str]:
    problem = _same_account(resource, resource.props.get("destinationArn"), resource.props.get("roleArn"))
    if problem:
        yield problem


def _account_policy_destination(resource: Resource, _: Mapping[str, Any]) -> Iterable[str]:
    if resource.props.get("policyType") != "SUBSCRIPTION_FILTER_POLICY":
        return
    raw = known(resource.props.get("policyDocument"))
    document: Any = raw
    if isinstance(raw, str):
        try:
            document = json.loads(raw)
        except (ValueError, RecursionError) as error:
            yield f"{resource.label}: policyDocument is not valid JSON ({error})."
            return
    if not isinstance(document, dict):
        yield f"{resource.label}: policyDocument is not a JSON object."
        return
    problem = _same_account(resource, document.get("DestinationArn"), document.get("RoleArn"))  # pyright: ignore[reportUnknownMemberType]
    if problem:
        yield problem


RESOURCE_POLICY_SCOPED = Rule(
    name="cloudwatch-log-resource-policy-service-writes-scoped",
    description="Log group resource policies let service principals only create log streams and "
    "put log events, in named log groups, under an aws:SourceArn or aws:SourceAccount condition.",
    level=EnforcementLevel.MANDATORY,
    severity=Severity.HIGH,
    why="The heartbeat log group is written by EventBridge under this policy: a wildcard action, "
    "resource or principal, or no confused-deputy condition, would let other rules, other "
    "accounts' resources or other services write (or do more) in the account's log groups.",
    remediation='Allow only ["logs:CreateLogStream", "logs:PutLogEvents"] on '
    '"arn:aws:logs:<region>:<account>:log-group:<name>:*", for the service principal, with '
    '"Condition": {"ArnEquals": {"aws:SourceArn": "<rule ARN>"}, "StringEquals": '
    '{"aws:SourceAccount": "<account>"}}.',
    control="Confused deputy prevention",
    url="https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html",
)


def _scoped(statement: Statement) -> bool:
    arn_tests = ("arnequals", "arnlike", "stringequals", "stringlike")
    return statement.requires("aws:SourceArn", lambda v: not v.endswith(":*") and v != "*", *arn_tests) or (
        statement.requires("aws:SourceAccount", lambda v: v != "*" and not has_wildcard(v), "stringequals")
    )


def _resource_policy_scoped(resource: Resource, _: Mapping[str, Any]) -> Iterable[str]:
    raw = resource.props.get("policyDocument")
    if raw is None:
        return
    document = parse_policy(raw)
    yield from (f"{resource.label}: {problem}." for problem in document.problems)
    allowed = {action.lower() for action in SERVICE_WRITE_ACTIONS}
    for statement in document.statements:
        if not statement.is_allow:
            continue
        principal = statement.principal
        if statement.not_principal is not None or principal is None or principal.everyone:
            yield f"{resource.label}: {statement.label} allows any principal; name the service."
            continue
        if not principal.services:
            continue
        if statement.not_actions is not None:
            yield f"{resource.label}: {statement.label} allows every action but its NotAction."
        extra = [a for a in statement.actions or () if has_wildcard(a) or a.lower() not in allowed]
        if extra:
            needed = " and ".join(SERVICE_WRITE_ACTIONS)
            yield f"{resource.label}: {statement.label} allows {extra}; only {needed} are needed."
        broad = [r for r in statement.resources or ("*",) if not LOG_GROUP_ARN.match(r)]
        if statement.not_resources is not None or broad:
            yield (
                f"{resource.label}: {statement.label} applies to {broad or 'NotResource'}; "
                "name the log group."
            )
        if not _scoped(statement):
            yield (
                f"{resource.label}: {statement.label} has no strict aws:SourceArn or aws:SourceAccount "
                "condition (confused deputy)."
            )


GUARDRAILS: list[Guardrail] = [
    resource_policy(PUBLIC_NEEDS_ORGANIZATION, [LOG_DESTINATION_POLICY], _public_destination),
    resource_policy(SUBSCRIPTION_ACTIONS_ONLY, [LOG_DESTINATION_POLICY], _destination_actions),
    resource_policy(FILTER_REMOTE_DESTINATION, [SUBSCRIPTION_FILTER], _filter_destination),
    resource_policy(ACCOUNT_POLICY_REMOTE_DESTINATION, [ACCOUNT_POLICY], _account_policy_destination),
    resource_policy(SUBSCRIPTION_CREATE_FIRST, [SUBSCRIPTION_FILTER, ACCOUNT_POLICY], create_first),
    resource_policy(DESTINATION_PROTECTED, [LOG_DESTINATION], _protected),
    resource_policy(RESOURCE_POLICY_SCOPED, [LOG_RESOURCE_POLICY], _resource_policy_scoped),
]
