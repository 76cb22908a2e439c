"""Every rule describes itself completely, and the README table says what the code does."""

from __future__ import annotations

import html
import re
from pathlib import Path

from offline.analyzer import EnforcementLevel, PolicyInfo
from policy_pack.rules import RULES
from tests.policy_pack.world import PackFactory

README = Path(__file__).resolve().parents[2] / "policy_pack" / "README.md"
NAME = re.compile(r"^(s3|iam|cloudwatch|eventbridge|firehose|kms|cloudformation)(-[a-z0-9]+){2,}$")

MANDATORY = {
    "s3-bucket-policy-write-requires-owner-acl",
    "s3-archive-bucket-policy-present",
    "s3-bucket-policy-no-public-principal",
    "s3-bucket-policy-denies-insecure-transport",
    "s3-bucket-public-access-block-enabled",
    "s3-bucket-encryption-kms",
    "s3-bucket-versioning-enabled",
    "iam-role-firehose-trust-requires-external-id",
    "iam-role-logs-trust-requires-source-condition",
    "iam-policy-no-wildcard-actions",
    "cloudwatch-destination-policy-public-requires-org-condition",
    "cloudwatch-destination-policy-subscription-actions-only",
    "firehose-delivery-stream-encrypted",
    "firehose-delivery-stream-error-prefix",
    "firehose-delivery-stream-replaced-create-first",
    "cloudwatch-subscription-replaced-create-first",
    "cloudwatch-log-resource-policy-service-writes-scoped",
    "kms-key-rotation-enabled",
    "cloudformation-stackset-logs-trust-requires-source-condition",
    "cloudformation-stackset-account-policy-archive-destination",
    "kms-key-policy-grants-only-for-aws-resources",
    "eventbridge-bus-policy-public-requires-org-condition",
    "eventbridge-bus-policy-put-events-only",
}
ADVISORY = {
    "s3-bucket-object-lock-enabled",
    "s3-bucket-lifecycle-expiration",
    "s3-bucket-ownership-enforced",
    "s3-archive-bucket-protected",
    "cloudwatch-subscription-filter-remote-destination",
    "cloudwatch-account-policy-remote-destination",
    "cloudwatch-destination-chain-granted",
    "cloudwatch-destination-protected",
}


def policies(packs: PackFactory) -> list[PolicyInfo]:
    return packs("account-b", False).policies


def test_rule_names_are_unique_and_kebab_case_service_resource_requirement(packs: PackFactory) -> None:
    names = [policy.name for policy in policies(packs)]
    assert len(names) == len(set(names))
    assert [name for name in names if not NAME.match(name)] == []


def test_the_default_levels_are_the_agreed_ones(packs: PackFactory) -> None:
    levels = {policy.name: policy.enforcement_level for policy in policies(packs)}
    assert levels == {
        **dict.fromkeys(MANDATORY, EnforcementLevel.MANDATORY),
        **dict.fromkeys(ADVISORY, EnforcementLevel.ADVISORY),
    }


def test_every_rule_has_description_remediation_severity_control_and_link(packs: PackFactory) -> None:
    incomplete = [
        policy.name
        for policy in policies(packs)
        if not policy.description.endswith(".")
        or len(policy.remediation) < 20
        or policy.severity not in ("low", "medium", "high", "critical")
        or not policy.control
        or not policy.framework
        or not policy.url.startswith("https://")
    ]
    assert incomplete == []


def test_rules_with_parameters_declare_a_schema_with_defaults(packs: PackFactory) -> None:
    schemas = {policy.name: policy.config_schema for policy in policies(packs) if policy.config_schema}
    assert {
        name: {key: prop["default"] for key, prop in schema["properties"].items()}
        for name, schema in schemas.items()
    } == {
        "iam-role-firehose-trust-requires-external-id": {"externalIdPattern": r"[\w+=,.@:/-]{2,1224}"},
        "s3-bucket-lifecycle-expiration": {"minimumExpirationDays": 365.0},
    }


def _readme_rows() -> list[list[str]]:
    text = README.read_text()
    table = text[text.index("| Rule | Default level |") :].split("\n\n", 1)[0]
    rows = [line.strip().strip("|").split(" | ") for line in table.splitlines()[2:]]
    return [[html.unescape(cell.strip().replace("\\*", "*")) for cell in row] for row in rows]


def test_the_readme_table_lists_every_rule_as_the_code_defines_it(packs: PackFactory) -> None:
    served = {policy.name: policy for policy in policies(packs)}
    expected = [
        [
            f"`{rule.name}`",
            served[rule.name].enforcement_level.value,
            served[rule.name].description,
            rule.why,
            served[rule.name].remediation,
            f"[{served[rule.name].control}]({served[rule.name].url})",
        ]
        for rule in RULES
    ]
    assert _readme_rows() == expected
    assert [rule.name for rule in RULES] == list(served)
