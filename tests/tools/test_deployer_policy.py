"""The deployer policies: every type the stacks plan is mapped, the documents are scoped to the
stack's names, carry the grants no single resource shows, and parliament finds nothing new."""

from __future__ import annotations

import json
import warnings
from typing import Any

import pytest

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # parliament imports the deprecated pkg_resources
    from parliament import analyze_policy_string

from offline.mocks import Registration
from offline.program import ProgramRun
from offline.replacement import TYPES
from tests.program_runs import memoized_run_program
from tools.deployer_policy import PERMISSIONS, UnmappedTypes, deployer_policy, main, policy_size

pytestmark = pytest.mark.xdist_group("deployer-policy")
"""One worker runs this module, so its memoized program runs are shared by all of its tests."""

ARCHIVE = "222222222222"
SOURCE = "111111111111"
TOKYO = "ap-northeast-1"
VIRGINIA = "us-east-1"
ARCHIVE_STACK = "organization/log-archive/account-b"
DESTINATION = f"arn:aws:logs:{TOKYO}:{ARCHIVE}:destination:log-archive"

EXPLAINED = {
    # A principal that manages a bucket's policy and lifecycle can change who reads or deletes:
    # inherent in deploying the bucket. Object Lock, not IAM, stops deletion (docs/security.md).
    "RESOURCE_POLICY_PRIVILEGE_ESCALATION",
    # parliament's action table lacks two resource types AWS documents: athena:*Tag* on a
    # workgroup, and logs:PutSubscriptionFilter on a destination (cross-account subscription).
    "RESOURCE_MISMATCH",
}


def archive(**overrides: Any) -> ProgramRun:
    return memoized_run_program("account-b", overrides=overrides)


def source(archive_run: ProgramRun | None = None, **overrides: Any) -> ProgramRun:
    outputs = (archive_run or archive()).outputs
    return memoized_run_program("account-a", overrides=overrides, stack_outputs={ARCHIVE_STACK: outputs})


def policy(run: ProgramRun, account: str) -> dict[str, Any]:
    return deployer_policy(run, account, TOKYO)


def statement(document: dict[str, Any], sid: str) -> dict[str, Any]:
    [found] = [s for s in document["Statement"] if s["Sid"] == sid]
    return found


RUNS = {
    "archive": lambda: (archive(), ARCHIVE),
    "archive, every option": lambda: (
        archive(
            organizationId="o-abcdef1234",
            sourceRegions=[TOKYO, VIRGINIA],
            accessLogsBucket="org-s3-access-logs-222222222222",
            alarmEmail="oncall@example.com",
            readerPrincipalArns=[f"arn:aws:iam::{ARCHIVE}:role/audit"],
            replicaRegion="us-west-2",
        ),
        ARCHIVE,
    ),
    "source": lambda: (source(), SOURCE),
    "source, organization form, created groups, account policy": lambda: (
        source(
            archive(organizationId="o-abcdef1234"),
            logGroups=[{"name": "/app/web", "create": True}],
            accountPolicy={"excludeLogGroups": ["/noisy"]},
        ),
        SOURCE,
    ),
}


def test_every_type_the_replacement_table_knows_is_mapped() -> None:
    assert set(TYPES) - set(PERMISSIONS) == set()


@pytest.mark.parametrize("case", list(RUNS))
def test_every_planned_type_is_mapped_and_parliament_finds_nothing_unexplained(case: str) -> None:
    run, account = RUNS[case]()
    document = policy(run, account)
    findings = analyze_policy_string(json.dumps(document), ignore_private_auditors=True).findings
    assert [(f.issue, f.detail) for f in findings if f.issue not in EXPLAINED] == []


def test_a_source_without_heartbeats_needs_the_filter_the_change_watch_and_the_cross_account_grant() -> None:
    forwarding_role = f"arn:aws:iam::{SOURCE}:role/log-source-change-forwarding-role"
    assert policy(source(heartbeatMinutes=0), SOURCE) == {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "Events1",
                "Effect": "Allow",
                "Action": [
                    *("events:DeleteRule", "events:DescribeRule", "events:DisableRule", "events:EnableRule"),
                    *("events:ListTagsForResource", "events:ListTargetsByRule", "events:PutRule"),
                    *("events:PutTargets", "events:RemoveTargets", "events:TagResource"),
                    "events:UntagResource",
                ],
                "Resource": [f"arn:aws:events:{TOKYO}:{SOURCE}:rule/log-archive-subscription-changes"],
            },
            {
                "Sid": "Iam1",
                "Effect": "Allow",
                "Action": [
                    *("iam:CreateRole", "iam:DeleteRole", "iam:GetRole", "iam:ListAttachedRolePolicies"),
                    *("iam:ListInstanceProfilesForRole", "iam:ListRolePolicies", "iam:TagRole"),
                    *("iam:UntagRole", "iam:UpdateAssumeRolePolicy", "iam:UpdateRole"),
                    "iam:UpdateRoleDescription",
                ],
                "Resource": [f"{forwarding_role}-*"],
            },
            {
                "Sid": "Iam2",
                "Effect": "Allow",
                "Action": ["iam:DeleteRolePolicy", "iam:GetRolePolicy", "iam:PutRolePolicy"],
                "Resource": [f"{forwarding_role}-7854058d"],
            },
            {
                "Sid": "Logs1",
                "Effect": "Allow",
                "Action": [
                    "logs:DeleteSubscriptionFilter",
                    "logs:DescribeSubscriptionFilters",
                    "logs:PutSubscriptionFilter",
                ],
                "Resource": [
                    f"arn:aws:logs:{TOKYO}:{SOURCE}:log-group:delivery-test",
                    f"arn:aws:logs:{TOKYO}:{SOURCE}:log-group:delivery-test:*",
                ],
            },
            {
                "Sid": "PassRolesToEvents",
                "Effect": "Allow",
                "Action": "iam:PassRole",
                "Resource": [f"{forwarding_role}-*"],
                "Condition": {"StringEquals": {"iam:PassedToService": "events.amazonaws.com"}},
            },
            {
                "Sid": "SubscribeToTheArchiveDestinations",
                "Effect": "Allow",
                "Action": "logs:PutSubscriptionFilter",
                "Resource": [DESTINATION],
            },
        ],
    }


def test_an_organization_source_may_pass_only_its_subscription_role_and_only_to_cloudwatch_logs() -> None:
    run = source(archive(organizationId="o-abcdef1234"), accountPolicy={}, heartbeatMinutes=0)
    document = policy(run, SOURCE)
    assert statement(document, "PassRolesToLogs") == {
        "Sid": "PassRolesToLogs",
        "Effect": "Allow",
        "Action": "iam:PassRole",
        "Resource": [f"arn:aws:iam::{SOURCE}:role/log-source-subscription-role-*"],
        "Condition": {"StringEquals": {"iam:PassedToService": "logs.amazonaws.com"}},
    }
    account_policy = [s for s in document["Statement"] if "logs:PutAccountPolicy" in s["Action"]]
    assert account_policy == [
        {
            "Sid": "Logs1",
            "Effect": "Allow",
            "Action": ["logs:DeleteAccountPolicy", "logs:DescribeAccountPolicies", "logs:PutAccountPolicy"],
            "Resource": "*",
        }
    ]


def test_the_archive_passes_each_role_only_to_its_service() -> None:
    document = policy(archive(), ARCHIVE)
    passed = {
        s["Condition"]["StringEquals"]["iam:PassedToService"]: s["Resource"]
        for s in document["Statement"]
        if s["Action"] == "iam:PassRole"
    }
    assert passed == {
        "firehose.amazonaws.com": [f"arn:aws:iam::{ARCHIVE}:role/log-archive-firehose"],
        "logs.amazonaws.com": [f"arn:aws:iam::{ARCHIVE}:role/log-archive-logs-to-firehose"],
    }
    assert "SubscribeToTheArchiveDestinations" not in {s["Sid"] for s in document["Statement"]}


def test_only_key_creation_and_name_listings_take_every_resource() -> None:
    document = policy(archive(), ARCHIVE)
    unscoped = sorted(a for s in document["Statement"] if s["Resource"] == "*" for a in s["Action"])
    assert unscoped == [
        "kms:CreateKey",
        "kms:ListAliases",
        # The resource-policy actions take no ARN (the change record's policy, subscription_changes.py).
        "logs:DeleteResourcePolicy",
        "logs:DescribeDestinations",
        "logs:DescribeLogGroups",
        "logs:DescribeResourcePolicies",
        "logs:PutResourcePolicy",
    ]


def test_the_default_archive_policy_fits_an_inline_role_policy() -> None:
    assert 6144 < policy_size(policy(archive(), ARCHIVE)) <= 10240


def test_an_unmapped_type_stops_the_policy_naming_it() -> None:
    run = archive()
    stranger = Registration("aws:ec2/vpc:Vpc", "vpc", "urn:vpc", "", True, {}, {}, "vpc-1")
    with pytest.raises(UnmappedTypes) as raised:
        deployer_policy(ProgramRun("x", False, [*run.registrations, stranger], {}), ARCHIVE, TOKYO)
    assert raised.value.types == ("aws:ec2/vpc:Vpc",)
    assert str(raised.value).startswith("no deployer permissions known for aws:ec2/vpc:Vpc: add the type")


def test_the_command_prints_the_document_of_the_named_stack() -> None:
    printed: list[str] = []
    assert main(["account-a"], out=printed.append) == 0
    assert json.loads(printed[0]) == policy(source(), SOURCE)
