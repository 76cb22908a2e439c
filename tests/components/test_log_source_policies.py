"""The source-account subscription role's documents, linted by parliament (an offline IAM linter)."""

from __future__ import annotations

import json
import warnings

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # parliament imports the deprecated pkg_resources
    from parliament import analyze_policy_string

from components.source_policies import subscription_role_permissions, subscription_role_trust_policy

REGIONS = ["ap-northeast-1", "us-east-1"]


def findings(document: dict[str, object]) -> set[str]:
    return {finding.issue for finding in analyze_policy_string(json.dumps(document)).findings}


def test_parliament_finds_nothing_in_the_permissions() -> None:
    assert findings(subscription_role_permissions("aws", "111111111111", REGIONS)) == set()


def test_parliament_finds_only_the_missing_resource_every_trust_policy_has() -> None:
    # A trust policy names no Resource: the role itself is the resource.
    assert findings(subscription_role_trust_policy("aws", "111111111111", REGIONS)) == {"MALFORMED"}
