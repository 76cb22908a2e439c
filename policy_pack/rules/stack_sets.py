"""Rules for the organization stack's CloudFormation StackSet: its ``templateBody`` is parsed and
the resources it deploys into every enrolled account are held to the rules their Pulumi
counterparts meet (the logs trust's confused-deputy condition, an account policy to the archive)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from typing import Any

from pulumi_policy import EnforcementLevel, Severity

from . import iam
from .base import Guardrail, Resource, Rule, known, resource_policy
from .documents import parse_arn
from .graph import own_account

STACK_SET = "aws:cloudformation/stackSet:StackSet"
STAND_IN_ACCOUNT = "000000000000"
"""What ``${AWS::AccountId}`` reads as when a template's document is checked: the enrolled
account, concrete in each deployed stack."""
SUBSTITUTION = re.compile(r"\$\{(?!!)([^}]+)\}")

STACK_SET_LOGS_TRUST = Rule(
    name="cloudformation-stackset-logs-trust-requires-source-condition",
    description="IAM roles in a StackSet template that CloudWatch Logs may assume carry an "
    "aws:SourceArn, aws:SourceAccount or source-organization condition.",
    level=EnforcementLevel.MANDATORY,
    severity=Severity.HIGH,
    why="The StackSet deploys the role into every account of the target OUs: without the condition "
    "CloudWatch Logs acting for any account could assume each of them (confused deputy).",
    remediation='Add "Condition": {"StringLike": {"aws:SourceArn": '
    '[{"Fn::Sub": "arn:aws:logs:<region>:${AWS::AccountId}:*"}, ...]}} to the role\'s '
    "AssumeRolePolicyDocument (source_policies.subscription_role_trust_policy builds it).",
    control="Subscriptions-confused-deputy",
    url="https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/Subscriptions-confused-deputy.html",
)

STACK_SET_ARCHIVE_DESTINATION = Rule(
    name="cloudformation-stackset-account-policy-archive-destination",
    description="Subscription account policies in a StackSet template target literal CloudWatch "
    "Logs destinations of one account other than the enrolled and the administering account, "
    "and carry a RoleArn.",
    level=EnforcementLevel.MANDATORY,
    severity=Severity.MEDIUM,
    why="Repeated in every enrolled account, a destination templated on the account, in the "
    "administering account or spread over several accounts sends the organization's logs "
    "somewhere other than the archive; without a RoleArn the organization-form destination "
    "refuses the policy.",
    remediation="Map each region to the archive stack's destinationArns output (Mappings) and set "
    "RoleArn to the subscription role (organization_template.template builds both).",
    control="CrossAccountSubscriptions",
    url="https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CrossAccountSubscriptions.html",
)


def _template(resource: Resource) -> tuple[dict[str, Any] | None, str | None]:
    """The parsed ``templateBody`` (``None`` when absent), or the problem."""
    raw = known(resource.props.get("templateBody"))
    if raw is None:
        return None, None
    try:
        parsed: Any = json.loads(raw) if isinstance(raw, str) else raw
    except (ValueError, RecursionError):
        return None, f"{resource.label}: templateBody is not JSON, so its resources cannot be checked."
    if not isinstance(parsed, dict):
        return None, f"{resource.label}: templateBody is not a JSON object."
    return parsed, None  # pyright: ignore[reportUnknownVariableType]


def _resources(template: Mapping[str, Any], type_: str) -> Iterable[tuple[str, Mapping[str, Any]]]:
    resources = template.get("Resources")
    if not isinstance(resources, dict):
        return
    for logical_id, body in sorted(resources.items()):  # pyright: ignore[reportUnknownVariableType]
        if isinstance(body, dict) and body.get("Type") == type_:  # pyright: ignore[reportUnknownMemberType]
            properties = body.get("Properties")  # pyright: ignore[reportUnknownMemberType]
            yield str(logical_id), properties if isinstance(properties, dict) else {}  # pyright: ignore[reportUnknownArgumentType]


def _rendered(value: Any) -> Any:
    """A document with each ``{"Fn::Sub": "..."}`` string rendered for a stand-in account."""
    if isinstance(value, dict):
        if set(value) == {"Fn::Sub"} and isinstance(value["Fn::Sub"], str):  # pyright: ignore[reportUnknownArgumentType]
            text: str = value["Fn::Sub"]
            return text.replace("${AWS::AccountId}", STAND_IN_ACCOUNT)
        return {key: _rendered(item) for key, item in value.items()}  # pyright: ignore[reportUnknownVariableType]
    if isinstance(value, list):
        return [_rendered(item) for item in value]  # pyright: ignore[reportUnknownVariableType]
    return value


def _stack_set_trust(resource: Resource, settings: Mapping[str, Any]) -> Iterable[str]:
    template, problem = _template(resource)
    if problem:
        yield problem
    if template is None:
        return
    for logical_id, properties in _resources(template, "AWS::IAM::Role"):
        document = properties.get("AssumeRolePolicyDocument")
        if document is None:
            continue
        role = Resource(
            type=resource.type,
            name=f"{resource.name}/{logical_id}",
            urn=resource.urn,
            props={"assumeRolePolicy": json.dumps(_rendered(document))},
        )
        for found in iam.logs_trust_problems(role):
            yield f"{resource.label}: template role {logical_id}: {found.split(': ', 1)[1]}"


def _destinations(arn: Any, variables: Mapping[str, Any], template: Mapping[str, Any]) -> list[Any] | None:
    """Every destination ARN ``arn`` stands for: itself, or each value of the mapping a ``${Var}``
    resolves to through ``Fn::FindInMap``; ``None`` when it cannot be resolved."""
    if not isinstance(arn, str):
        return None
    match = SUBSTITUTION.fullmatch(arn)
    if match is None:
        return [arn]
    found = variables.get(match[1])
    lookup = found.get("Fn::FindInMap") if isinstance(found, dict) else None  # pyright: ignore[reportUnknownMemberType]
    if not (isinstance(lookup, list) and len(lookup) == 3):  # pyright: ignore[reportUnknownArgumentType]
        return [arn] if match[1].startswith("AWS::") else None
    mappings = template.get("Mappings")
    table = mappings.get(lookup[0]) if isinstance(mappings, dict) else None  # pyright: ignore[reportUnknownMemberType]
    if not isinstance(table, dict):
        return None
    return [row.get(lookup[2]) if isinstance(row, dict) else None for row in table.values()]  # pyright: ignore[reportUnknownMemberType, reportUnknownVariableType]


def _policy_document(properties: Mapping[str, Any]) -> tuple[Any, Mapping[str, Any]]:
    raw = properties.get("PolicyDocument")
    variables: Mapping[str, Any] = {}
    if isinstance(raw, dict) and isinstance(raw.get("Fn::Sub"), list) and len(raw["Fn::Sub"]) == 2:  # pyright: ignore[reportUnknownMemberType, reportUnknownArgumentType]
        raw, variables = raw["Fn::Sub"]  # pyright: ignore[reportUnknownVariableType]
    elif isinstance(raw, dict) and isinstance(raw.get("Fn::Sub"), str):  # pyright: ignore[reportUnknownMemberType]
        raw = raw["Fn::Sub"]
    try:
        document = json.loads(raw) if isinstance(raw, str) else None
    except (ValueError, RecursionError):
        document = None
    return document, variables if isinstance(variables, dict) else {}  # pyright: ignore[reportUnknownVariableType]


def _stack_set_destination(resource: Resource, _: Mapping[str, Any]) -> Iterable[str]:
    template, problem = _template(resource)
    if problem:
        yield problem
    if template is None:
        return
    administering = own_account(resource)
    for logical_id, properties in _resources(template, "AWS::Logs::AccountPolicy"):
        if properties.get("PolicyType") != "SUBSCRIPTION_FILTER_POLICY":
            continue
        label = f"{resource.label}: template account policy {logical_id}"
        document, variables = _policy_document(properties)
        if not isinstance(document, dict):
            yield f"{label}: PolicyDocument is not a JSON object (or an Fn::Sub of one)."
            continue
        if not document.get("RoleArn"):  # pyright: ignore[reportUnknownMemberType]
            yield f"{label}: the document has no RoleArn; an organization-form destination requires one."
        arns = _destinations(document.get("DestinationArn"), variables, template)  # pyright: ignore[reportUnknownMemberType]
        if arns is None:
            yield f"{label}: DestinationArn cannot be resolved to literal destination ARNs."
            continue
        accounts: set[str] = set()
        for arn in arns:
            parsed = parse_arn(arn) if isinstance(arn, str) and "${" not in arn else None
            if parsed is None or parsed.service != "logs" or not parsed.resource.startswith("destination:"):
                yield f"{label}: {arn!r} is not a literal CloudWatch Logs destination ARN."
                continue
            accounts.add(parsed.account)
            if parsed.account == administering:
                yield (
                    f"{label}: the destination {arn} is in the administering account {administering}; "
                    "the archive is expected in the log-archive account."
                )
        if len(accounts) > 1:
            yield f"{label}: its destinations are in several accounts ({', '.join(sorted(accounts))})."


GUARDRAILS: list[Guardrail] = [
    resource_policy(STACK_SET_LOGS_TRUST, [STACK_SET], _stack_set_trust),
    resource_policy(STACK_SET_ARCHIVE_DESTINATION, [STACK_SET], _stack_set_destination),
]
