"""Every policy document the archive sends, linted by parliament (an offline IAM linter).

Each remaining finding is a known false positive of linting a non-identity policy, explained
below; any other finding fails the test.
"""

from __future__ import annotations

import json
import warnings

import pytest

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # parliament imports the deprecated pkg_resources
    from parliament import analyze_policy_string

from components.log_archive import LogArchive, LogArchiveArgs
from offline.program import run_pulumi

POLICY_INPUTS = ("policy", "assumeRolePolicy", "accessPolicy", "policyDocument")

EXPLAINED = {
    ("aws:iam/role:Role", "assumeRolePolicy"): {
        # A trust policy names no Resource: the role itself is the resource.
        "MALFORMED",
    },
    ("aws:kms/key:Key", "policy"): {
        # In a key policy "Resource": "*" means this key and nothing else.
        "RESOURCE_STAR",
        # aws:SourceOrgID (export tasks of an organization), newer than parliament's data.
        "UNKNOWN_CONDITION_FOR_ACTION",
    },
    ("aws:s3/bucketPolicy:BucketPolicy", "policy"): {
        # aws:SourceOrgID (export tasks of an organization) is a global condition key of 2023,
        # newer than parliament's bundled data.
        "UNKNOWN_CONDITION_FOR_ACTION",
    },
    ("aws:cloudwatch/logDestinationPolicy:LogDestinationPolicy", "accessPolicy"): {
        # A destination's access policy is on the destination; AWS's own examples name its ARN.
        "RESOURCE_MISMATCH",
    },
}


def documents() -> list[tuple[str, str, str, str]]:
    args = LogArchiveArgs(
        "222222222222",
        "ap-northeast-1",
        source_account_ids=("111111111111",),
        organization_id="o-abcdef1234",
        source_regions=("ap-northeast-1", "us-east-1"),
        reader_principal_arns=("arn:aws:iam::222222222222:role/security-audit",),
        replica_region="us-west-2",
    )
    run = run_pulumi(
        lambda: LogArchive("log-archive", args),
        config={"aws:region": "ap-northeast-1", "aws:allowedAccountIds": '["222222222222"]'},
    )
    return [
        (r.type, r.name, key, r.inputs[key])
        for r in sorted(run.registrations, key=lambda r: r.name)
        for key in POLICY_INPUTS
        if key in r.inputs
    ]


DOCUMENTS = documents()


def test_every_kind_of_policy_document_is_linted() -> None:
    kinds = {(typ, key) for typ, _, key, _ in DOCUMENTS}
    assert kinds == {
        ("aws:iam/role:Role", "assumeRolePolicy"),
        ("aws:iam/rolePolicy:RolePolicy", "policy"),
        ("aws:kms/key:Key", "policy"),
        ("aws:s3/bucketPolicy:BucketPolicy", "policy"),
        ("aws:cloudwatch/logDestinationPolicy:LogDestinationPolicy", "accessPolicy"),
        ("aws:cloudwatch/eventBusPolicy:EventBusPolicy", "policy"),
        ("aws:cloudwatch/logResourcePolicy:LogResourcePolicy", "policyDocument"),
    }


@pytest.mark.parametrize(
    ("typ", "name", "key", "document"), DOCUMENTS, ids=[f"{n}.{k}" for _, n, k, _ in DOCUMENTS]
)
def test_parliament_finds_nothing_unexplained(typ: str, name: str, key: str, document: str) -> None:
    json.loads(document)
    findings = analyze_policy_string(document, ignore_private_auditors=True).findings
    unexplained = [(f.issue, f.detail) for f in findings if f.issue not in EXPLAINED.get((typ, key), set())]
    assert unexplained == [], name
