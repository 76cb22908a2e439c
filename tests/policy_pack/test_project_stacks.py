"""The project's own stacks, run under mocks and analyzed through the protocol, break no
mandatory rule, in preview and at update."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import pytest

from offline.analyzer import Diagnostic, EnforcementLevel, analyze_program
from offline.program import run_program
from tests.policy_pack.world import PackFactory

ARCHIVE_STACK = "organization/log-archive/account-b"


@pytest.fixture(scope="module")
def archive_outputs() -> dict[str, Any]:
    return run_program("account-b").outputs


def mandatory(diagnostics: list[Diagnostic]) -> list[tuple[str, str, str]]:
    return [
        (d.policy_name, d.urn, d.message)
        for d in diagnostics
        if d.enforcement_level is EnforcementLevel.MANDATORY
    ]


ARCHIVE_VARIANTS = {
    "as configured": {},
    "organization form": {"organizationId": "o-abcdef1234", "sourceAccountIds": []},
    "three regions and two sources": {
        "sourceRegions": ["ap-northeast-1", "us-east-1", "eu-west-1"],
        "sourceAccountIds": ["111111111111", "333333333333"],
    },
}


@pytest.mark.parametrize("preview", [False, True], ids=["update", "preview"])
@pytest.mark.parametrize("variant", list(ARCHIVE_VARIANTS))
def test_the_archive_stack_breaks_no_mandatory_rule(packs: PackFactory, variant: str, preview: bool) -> None:
    program = run_program("account-b", preview=preview, overrides=ARCHIVE_VARIANTS[variant])

    assert mandatory(packs("account-b", preview).analyze(program.registrations)) == []


@pytest.mark.parametrize("preview", [False, True], ids=["update", "preview"])
def test_the_source_stack_breaks_no_rule_with_the_pack_made_mandatory(
    archive_outputs: dict[str, Any], preview: bool
) -> None:
    program = run_program("account-a", preview=preview, stack_outputs={ARCHIVE_STACK: archive_outputs})

    found = analyze_program(program, policy_config={"all": "mandatory"})

    assert mandatory(found) == []


def without_acl_condition(document: str) -> str:
    policy = json.loads(document)
    for statement in policy["Statement"]:
        if statement.get("Effect") == "Allow":
            statement.get("Condition", {}).pop("StringEquals", None)
    return json.dumps(policy)


def test_the_archive_stack_loses_its_acl_condition_and_the_pack_stops_it(packs: PackFactory) -> None:
    program = run_program("account-b")
    writes = [
        r
        for r in program.of_type("aws:s3/bucketPolicy:BucketPolicy")
        if "s3:x-amz-acl" in r.wire_inputs["policy"]
    ]
    assert len(writes) == 1
    broken = replace(
        writes[0],
        wire_inputs={
            **writes[0].wire_inputs,
            "policy": without_acl_condition(writes[0].wire_inputs["policy"]),
        },
    )
    registrations = [broken if r.urn == broken.urn else r for r in program.registrations]

    found = {
        (d.policy_name, d.urn, d.enforcement_level)
        for d in packs("account-b", False).analyze(registrations)
        if d.enforcement_level is EnforcementLevel.MANDATORY
    }

    assert found == {("s3-bucket-policy-write-requires-owner-acl", broken.urn, EnforcementLevel.MANDATORY)}


@pytest.mark.parametrize(
    ("granted", "replacement", "expected"),
    [
        pytest.param(
            "firehose:PutRecordBatch",
            "firehose:DescribeDeliveryStream",
            "is not allowed ['firehose:PutRecordBatch'] on FirehoseDeliveryStream",
            id="logs role loses PutRecordBatch",
        ),
        pytest.param(
            "kms:GenerateDataKey",
            "kms:Encrypt",
            "is not allowed ['kms:GenerateDataKey'] on Key",
            id="firehose role loses GenerateDataKey",
        ),
    ],
)
def test_the_chain_check_follows_the_archive_stack_own_links(
    packs: PackFactory, granted: str, replacement: str, expected: str
) -> None:
    program = run_program("account-b")
    holders = [
        r
        for r in program.of_type("aws:iam/rolePolicy:RolePolicy")
        if f'"{granted}"' in r.wire_inputs["policy"]
    ]
    assert len(holders) == 1
    changed = holders[0].wire_inputs["policy"].replace(f'"{granted}"', f'"{replacement}"')
    broken = replace(
        holders[0],
        wire_inputs={**holders[0].wire_inputs, "policy": changed},
        wire_outputs={**holders[0].wire_outputs, "policy": changed},
    )
    registrations = [broken if r.urn == broken.urn else r for r in program.registrations]

    found = [
        (d.policy_name, d.urn, expected in d.message)
        for d in packs("account-b", False).analyze(registrations)
    ]

    assert found == [("cloudwatch-destination-chain-granted", broken.urn, True)]
