"""Rules for KMS keys."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from pulumi_policy import EnforcementLevel, Severity

from .base import Guardrail, Resource, Rule, is_true, known, resource_policy
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


GUARDRAILS: list[Guardrail] = [resource_policy(ROTATED, [KMS_KEY], _rotated)]
