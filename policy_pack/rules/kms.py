"""Rules for KMS keys."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from pulumi_policy import EnforcementLevel, Severity

from .base import Guardrail, Resource, Rule, is_true, known, resource_policy
from .documents import parse_if_known
from .graph import KMS_KEY

ROTATED = Rule(
    name="kms-key-rotation-enabled",
    description="Symmetric encryption KMS keys have automatic rotation enabled.",
    level=EnforcementLevel.MANDATORY,
    severity=Severity.MEDIUM,
    why="Rotation limits how much archived data one key version protects.",
    remediation="Set enableKeyRotation: true on the aws.kms.Key.",
    control="KMS.4",
    url="https://docs.aws.amazon.com/securityhub/latest/userguide/kms-controls.html",
)


def _rotated(resource: Resource, _: Mapping[str, Any]) -> Iterable[str]:
    spec = known(resource.props.get("customerMasterKeySpec") or resource.props.get("keySpec"))
    usage = known(resource.props.get("keyUsage"))
    if spec not in (None, "SYMMETRIC_DEFAULT") or usage not in (None, "ENCRYPT_DECRYPT"):
        return
    if not is_true(known(resource.props.get("enableKeyRotation"))):
        yield f"{resource.label}: enableKeyRotation is not true."


GRANTS_FOR_AWS_RESOURCES = Rule(
    name="kms-key-policy-grants-only-for-aws-resources",
    description="Key policy statements that allow kms:CreateGrant require Bool "
    "kms:GrantIsForAWSResource = true.",
    level=EnforcementLevel.MANDATORY,
    severity=Severity.HIGH,
    why="A grant gives its grantee use of the key outside the key policy: an administrator allowed "
    "kms:CreateGrant (kms:Create*, kms:*) can grant itself Decrypt on the whole archive.",
    remediation="Name the administrative actions without kms:CreateGrant (kms:CreateAlias, not "
    'kms:Create*) and allow kms:CreateGrant only with "Condition": {"Bool": '
    '{"kms:GrantIsForAWSResource": "true"}}.',
    control="kms:GrantIsForAWSResource",
    url="https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-grant-is-for-aws-resource",
)


def _grants_for_aws_resources(resource: Resource, _: Mapping[str, Any]) -> Iterable[str]:
    document = parse_if_known(resource.props.get("policy"))
    if document is None:
        return
    for statement in document.statements:
        if statement.allows("kms:CreateGrant") and not statement.requires(
            "kms:GrantIsForAWSResource", lambda value: value.lower() == "true", "bool"
        ):
            yield (
                f"{resource.label}: policy: {statement.label} allows kms:CreateGrant without "
                "Bool kms:GrantIsForAWSResource = true."
            )


GUARDRAILS: list[Guardrail] = [
    resource_policy(ROTATED, [KMS_KEY], _rotated),
    resource_policy(GRANTS_FOR_AWS_RESOURCES, [KMS_KEY], _grants_for_aws_resources),
]
