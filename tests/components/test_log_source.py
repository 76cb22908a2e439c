"""The source stack under mocks: what each mode registers, and every pre-flight check.

The archive stack is mocked through its StackReference outputs, in its account-list form and in
its organization form. Every run evaluates ``__main__.py`` with ``Pulumi.account-a.yaml``.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from components import naming, outputs
from components.outputs import (
    ACCOUNT_POLICY_NAMES,
    SUBSCRIBED_LOG_GROUPS,
    SUBSCRIPTION_DESTINATIONS,
    SUBSCRIPTION_ROLE_ARN,
    USES_SUBSCRIPTION_ROLE,
)
from components.subscription_changes import bus_arn
from offline.mocks import PREVIEW_UNKNOWN, Registration
from offline.program import ProgramFailed, ProgramRun, run_program

STACK = "account-a"
ARCHIVE_STACK = "organization/log-archive/account-b"
ACCOUNT = "111111111111"
ARCHIVE_ACCOUNT = "222222222222"
TOKYO = "ap-northeast-1"
VIRGINIA = "us-east-1"

FILTER = "aws:cloudwatch/logSubscriptionFilter:LogSubscriptionFilter"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
ACCOUNT_POLICY = "aws:cloudwatch/logAccountPolicy:LogAccountPolicy"
ROLE = "aws:iam/role:Role"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
STACK_REFERENCE = "pulumi:pulumi:StackReference"
COMPONENT = "log-archive:index:LogSource"

ROLE_NAME = "log-source-subscription-role"
CHANGE_FORWARDING_ROLE = "log-source-change-forwarding-role"
CHANGE_WATCH = [
    ROLE,
    ROLE_POLICY,
    "aws:cloudwatch/eventRule:EventRule",
    "aws:cloudwatch/eventTarget:EventTarget",
]
"""What forwards subscription changes to the archive in one region (test_subscription_changes.py)."""
ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/{ROLE_NAME}-05c738a1"
"""The ARN the mocks give the auto-named subscription role in update mode."""


def destination(region: str) -> str:
    return f"arn:aws:logs:{region}:{ARCHIVE_ACCOUNT}:destination:log-archive-{region}"


FILTER_NAMES = {TOKYO: "log-archive-541b6069", VIRGINIA: "log-archive-17ee6bca"}
"""Physical filter names: ``log-archive-`` + 8 hex digits of sha256 of ``destination(region)``."""


def pipeline_log_group(region: str) -> str:
    return f"/aws/kinesisfirehose/log-archive-{region}"


def account_list_archive(regions: tuple[str, ...] = (TOKYO, VIRGINIA)) -> dict[str, Any]:
    """Outputs of an archive whose destination policy lists this account."""
    return {
        outputs.DESTINATION_ARNS: {region: destination(region) for region in regions},
        outputs.ARCHIVE_ACCOUNT_ID: ARCHIVE_ACCOUNT,
        outputs.SOURCE_ACCOUNT_IDS: [ACCOUNT, "333333333333"],
        outputs.SUBSCRIPTION_ROLE_REQUIRED: False,
        outputs.PIPELINE_LOG_GROUPS: {region: [pipeline_log_group(region)] for region in regions},
        outputs.CHANGE_BUS_ARNS: {region: bus_arn("aws", ARCHIVE_ACCOUNT, region) for region in regions},
        outputs.BUCKET_NAME: "log-archive-222222222222-ap-northeast-1",
    }


def organization_archive() -> dict[str, Any]:
    """Outputs of an archive whose destination policy allows a whole organization."""
    return {
        **account_list_archive(),
        outputs.SOURCE_ACCOUNT_IDS: [],
        outputs.ORGANIZATION_ID: "o-abcdef1234",
        outputs.SUBSCRIPTION_ROLE_REQUIRED: True,
    }


def run(
    archive: dict[str, Any] | None = None,
    *,
    preview: bool = False,
    account: str = ACCOUNT,
    **overrides: Any,
) -> ProgramRun:
    """Run the source stack as ``account`` (the mocks' caller identity) against ``archive``.

    Heartbeats are off unless a test sets ``heartbeatMinutes``: these tests are about the
    subscriptions; tests/components/test_heartbeat.py covers the heartbeat resources."""
    return run_program(
        STACK,
        preview=preview,
        overrides={"aws:allowedAccountIds": [account], "heartbeatMinutes": 0, **overrides},
        stack_outputs={ARCHIVE_STACK: archive if archive is not None else account_list_archive()},
    )


def filters_by_log_group(program: ProgramRun, region: str) -> dict[str, Registration]:
    return {f.inputs["logGroup"]: f for f in program.of_type(FILTER) if f.inputs["region"] == region}


PREVIEW_AND_UPDATE = pytest.mark.parametrize(
    "preview", [pytest.param(True, id="preview"), pytest.param(False, id="update")]
)


@PREVIEW_AND_UPDATE
def test_the_example_stack_subscribes_its_log_group_to_the_destination_of_its_region(
    preview: bool,
) -> None:
    program = run(preview=preview)

    assert sorted(r.type for r in program.registrations) == sorted(
        [COMPONENT, FILTER, STACK_REFERENCE, *CHANGE_WATCH]
    )
    subscription = program.one(FILTER)
    assert subscription.name == "log-source-filter-ap-northeast-1-delivery-test"
    assert subscription.inputs == {
        "name": FILTER_NAMES[TOKYO],
        "logGroup": "delivery-test",
        "destinationArn": destination(TOKYO),
        "filterPattern": "",
        "region": TOKYO,
    }
    assert (subscription.delete_before_replace_defined, subscription.delete_before_replace) == (True, False)
    assert subscription.parent == program.one(COMPONENT).urn
    assert program.one(STACK_REFERENCE).inputs == {"name": ARCHIVE_STACK}
    assert program.outputs == {
        SUBSCRIPTION_DESTINATIONS: {TOKYO: destination(TOKYO)},
        SUBSCRIBED_LOG_GROUPS: {TOKYO: ["delivery-test"]},
        ACCOUNT_POLICY_NAMES: {},
        USES_SUBSCRIPTION_ROLE: False,
    }


@PREVIEW_AND_UPDATE
def test_every_log_group_is_subscribed_in_every_region_to_that_regions_destination(
    preview: bool,
) -> None:
    program = run(
        preview=preview,
        regions=[TOKYO, VIRGINIA],
        logGroups=[
            {"name": "/app/web", "filterPattern": "ERROR"},
            {"name": "/app/worker", "filterPattern": '{ $.level = "error" }'},
        ],
    )

    for region in (TOKYO, VIRGINIA):
        subscriptions = filters_by_log_group(program, region)
        assert {name: f.inputs for name, f in subscriptions.items()} == {
            "/app/web": {
                "name": FILTER_NAMES[region],
                "logGroup": "/app/web",
                "destinationArn": destination(region),
                "filterPattern": "ERROR",
                "region": region,
            },
            "/app/worker": {
                "name": FILTER_NAMES[region],
                "logGroup": "/app/worker",
                "destinationArn": destination(region),
                "filterPattern": '{ $.level = "error" }',
                "region": region,
            },
        }
    assert program.of_type(LOG_GROUP) == []
    assert program.outputs[SUBSCRIPTION_DESTINATIONS] == {
        TOKYO: destination(TOKYO),
        VIRGINIA: destination(VIRGINIA),
    }
    assert program.outputs[SUBSCRIBED_LOG_GROUPS] == {
        TOKYO: ["/app/web", "/app/worker"],
        VIRGINIA: ["/app/web", "/app/worker"],
    }


@PREVIEW_AND_UPDATE
def test_a_log_group_the_stack_creates_gets_its_retention_and_then_its_filter(
    preview: bool,
) -> None:
    program = run(
        preview=preview,
        logGroups=[
            {"name": "/app/web", "create": True, "retentionDays": 30},
            {"name": "/app/batch", "create": True},
            {"name": "/app/existing"},
        ],
    )

    created = {group.inputs["name"]: group for group in program.of_type(LOG_GROUP)}
    assert {name: group.inputs for name, group in created.items()} == {
        "/app/web": {"name": "/app/web", "retentionInDays": 30, "region": TOKYO},
        "/app/batch": {"name": "/app/batch", "retentionInDays": 365, "region": TOKYO},
    }
    assert created["/app/web"].name == "log-source-group-ap-northeast-1-/app/web"
    assert all(group.retain_on_delete and not group.protect for group in created.values())
    subscriptions = filters_by_log_group(program, TOKYO)
    assert sorted(subscriptions) == ["/app/batch", "/app/existing", "/app/web"]
    for name, group in created.items():
        assert subscriptions[name].property_dependencies["logGroup"] == (group.urn,)
    assert subscriptions["/app/existing"].property_dependencies.get("logGroup", ()) == ()


def test_a_created_log_group_with_a_key_is_encrypted_with_it_and_one_without_is_not() -> None:
    key = f"arn:aws:kms:{TOKYO}:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    program = run(
        logGroups=[
            {"name": "/app/web", "create": True, "kmsKeyArn": key},
            {"name": "/app/batch", "create": True},
        ]
    )
    keys = {group.inputs["name"]: group.inputs.get("kmsKeyId") for group in program.of_type(LOG_GROUP)}
    assert keys == {"/app/web": key, "/app/batch": None}


@PREVIEW_AND_UPDATE
def test_the_account_policy_covers_every_log_group_but_the_excluded_ones(preview: bool) -> None:
    program = run(
        preview=preview,
        regions=[TOKYO, VIRGINIA],
        logGroups=None,
        accountPolicy={"filterPattern": "ERROR", "excludeLogGroups": ["/noisy", "/aws/lambda/x"]},
    )

    assert program.of_type(FILTER) == []
    policies = {policy.inputs["region"]: policy for policy in program.of_type(ACCOUNT_POLICY)}
    assert sorted(policies) == [TOKYO, VIRGINIA]
    for region, policy in policies.items():
        assert policy.name == f"log-source-account-policy-{region}"
        assert (policy.delete_before_replace_defined, policy.delete_before_replace) == (True, False)
        assert policy.retain_on_delete
        assert policy.inputs == {
            "policyName": "log-archive",
            "policyType": "SUBSCRIPTION_FILTER_POLICY",
            "scope": "ALL",
            "policyDocument": json.dumps({"DestinationArn": destination(region), "FilterPattern": "ERROR"}),
            "selectionCriteria": 'LogGroupName NOT IN ["/aws/lambda/x", "/noisy"]',
            "region": region,
        }
    assert program.outputs[ACCOUNT_POLICY_NAMES] == {TOKYO: "log-archive", VIRGINIA: "log-archive"}
    assert program.outputs[SUBSCRIBED_LOG_GROUPS] == {TOKYO: [], VIRGINIA: []}


def test_an_account_policy_without_exclusions_has_no_selection_criteria() -> None:
    program = run(logGroups=None, accountPolicy={})

    assert program.one(ACCOUNT_POLICY).inputs == {
        "policyName": "log-archive",
        "policyType": "SUBSCRIPTION_FILTER_POLICY",
        "scope": "ALL",
        "policyDocument": json.dumps({"DestinationArn": destination(TOKYO), "FilterPattern": ""}),
        "region": TOKYO,
    }


def test_log_groups_with_their_own_filter_are_left_out_of_the_account_policy() -> None:
    program = run(
        logGroups=[{"name": "/app/web", "filterPattern": "ERROR"}, {"name": "/app/a-b"}],
        accountPolicy={"excludeLogGroups": ["/noisy"]},
    )

    assert sorted(filters_by_log_group(program, TOKYO)) == ["/app/a-b", "/app/web"]
    assert (
        program.one(ACCOUNT_POLICY).inputs["selectionCriteria"]
        == 'LogGroupName NOT IN ["/app/a-b", "/app/web", "/noisy"]'
    )


def test_in_the_archive_account_the_pipelines_own_log_groups_are_left_out() -> None:
    program = run(
        account=ARCHIVE_ACCOUNT,
        regions=[TOKYO, VIRGINIA],
        logGroups=None,
        accountPolicy={"excludeLogGroups": ["/noisy"]},
    )

    criteria = {
        policy.inputs["region"]: policy.inputs["selectionCriteria"]
        for policy in program.of_type(ACCOUNT_POLICY)
    }
    assert criteria == {
        TOKYO: 'LogGroupName NOT IN ["/aws/kinesisfirehose/log-archive-ap-northeast-1", "/noisy"]',
        VIRGINIA: 'LogGroupName NOT IN ["/aws/kinesisfirehose/log-archive-us-east-1", "/noisy"]',
    }


def test_in_the_archive_account_an_unexcluded_account_policy_still_leaves_out_the_pipeline() -> None:
    program = run(account=ARCHIVE_ACCOUNT, logGroups=None, accountPolicy={})

    assert (
        program.one(ACCOUNT_POLICY).inputs["selectionCriteria"]
        == 'LogGroupName NOT IN ["/aws/kinesisfirehose/log-archive-ap-northeast-1"]'
    )


@PREVIEW_AND_UPDATE
def test_an_organization_archive_gets_a_role_on_every_filter_and_account_policy(
    preview: bool,
) -> None:
    program = run(
        organization_archive(),
        preview=preview,
        regions=[TOKYO, VIRGINIA],
        logGroups=[{"name": "/app/web"}],
        accountPolicy={},
    )

    role = program.named(ROLE_NAME)
    assert role.type == ROLE
    assert json.loads(role.inputs["assumeRolePolicy"]) == {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "CloudWatchLogsOfThisAccount",
                "Effect": "Allow",
                "Principal": {"Service": "logs.amazonaws.com"},
                "Action": "sts:AssumeRole",
                "Condition": {
                    "StringLike": {
                        "aws:SourceArn": [
                            f"arn:aws:logs:{TOKYO}:{ACCOUNT}:*",
                            f"arn:aws:logs:{VIRGINIA}:{ACCOUNT}:*",
                        ]
                    }
                },
            }
        ],
    }
    role_policy = program.named(f"{ROLE_NAME}-policy")
    assert json.loads(role_policy.inputs["policy"]) == {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "ForwardSubscribedLogEvents",
                "Effect": "Allow",
                "Action": "logs:PutLogEvents",
                "Resource": [
                    f"arn:aws:logs:{TOKYO}:{ACCOUNT}:log-group:*",
                    f"arn:aws:logs:{VIRGINIA}:{ACCOUNT}:log-group:*",
                ],
            }
        ],
    }
    assert role_policy.property_dependencies["role"] == (role.urn,)

    users = [*program.of_type(FILTER), *program.of_type(ACCOUNT_POLICY)]
    assert len(users) == 4
    for user in users:
        assert role_policy.urn in user.dependencies
    for subscription in program.of_type(FILTER):
        expected = PREVIEW_UNKNOWN if preview else ROLE_ARN
        assert subscription.wire_inputs["roleArn"] == expected
    for policy in program.of_type(ACCOUNT_POLICY):
        if preview:
            assert policy.wire_inputs["policyDocument"] == PREVIEW_UNKNOWN
        else:
            assert json.loads(policy.inputs["policyDocument"]) == {
                "DestinationArn": destination(policy.inputs["region"]),
                "FilterPattern": "",
                "RoleArn": ROLE_ARN,
            }
    assert program.outputs[USES_SUBSCRIPTION_ROLE] is True
    assert program.outputs[SUBSCRIPTION_ROLE_ARN] == (PREVIEW_UNKNOWN if preview else ROLE_ARN)


def test_an_account_list_archive_gets_no_role_and_no_role_arn() -> None:
    program = run(regions=[TOKYO, VIRGINIA], accountPolicy={})

    assert [r.name for r in program.of_type(ROLE)] == [CHANGE_FORWARDING_ROLE]
    assert [r.name for r in program.of_type(ROLE_POLICY)] == ["log-source-change-forwarding-policy"]
    for subscription in program.of_type(FILTER):
        assert "roleArn" not in subscription.inputs
    for policy in program.of_type(ACCOUNT_POLICY):
        assert "RoleArn" not in json.loads(policy.inputs["policyDocument"])
    assert program.outputs[USES_SUBSCRIPTION_ROLE] is False
    assert SUBSCRIPTION_ROLE_ARN not in program.outputs


def test_an_organization_archive_allows_an_account_it_does_not_list() -> None:
    archive = {**organization_archive(), outputs.SOURCE_ACCOUNT_IDS: ["333333333333"]}

    program = run(archive)

    assert program.one(FILTER).inputs["destinationArn"] == destination(TOKYO)


def test_the_archive_account_may_subscribe_its_own_log_groups_without_being_listed() -> None:
    program = run(account=ARCHIVE_ACCOUNT, logGroups=[{"name": "/app"}])

    assert program.one(FILTER).inputs["destinationArn"] == destination(TOKYO)


def test_a_secret_destination_output_stays_secret_in_every_filter() -> None:
    program = run_program(
        STACK,
        overrides={"aws:allowedAccountIds": [ACCOUNT]},
        stack_outputs={ARCHIVE_STACK: account_list_archive()},
        secret_stack_outputs={ARCHIVE_STACK: [outputs.DESTINATION_ARNS]},
    )

    secret = {
        "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270",
        "value": destination(TOKYO),
    }
    assert {f.inputs["logGroup"]: f.wire_inputs["destinationArn"] for f in program.of_type(FILTER)} == {
        "delivery-test": secret,
        "/log-archive/heartbeat/ap-northeast-1": secret,
    }


def test_the_archive_stacks_real_outputs_satisfy_the_source() -> None:
    archive = run_program("account-b")

    program = run(archive.outputs)

    assert program.one(FILTER).inputs["destinationArn"] == (archive.outputs[outputs.DESTINATION_ARNS][TOKYO])


# --- Pre-flight checks: each fails before any resource but the archive's read is registered.


def failure(archive: dict[str, Any] | None = None, account: str = ACCOUNT, **overrides: Any) -> ProgramFailed:
    with pytest.raises(ProgramFailed) as raised:
        run(archive, account=account, **overrides)
    return raised.value


def assert_nothing_registered_but_the_archive_read(failed: ProgramFailed) -> None:
    assert [(r.type, r.name, r.read) for r in failed.registrations] == [
        (STACK_REFERENCE, "log-source-archive", True)
    ]


def without(output: str) -> dict[str, Any]:
    archive = account_list_archive()
    del archive[output]
    return archive


@pytest.mark.parametrize(
    ("archive", "overrides", "message"),
    [
        pytest.param(
            account_list_archive(regions=(TOKYO,)),
            {"regions": [TOKYO, "eu-west-1", "us-west-2"]},
            "log-archive:regions: the archive stack organization/log-archive/account-b has no "
            "destination in eu-west-1, us-west-2 (regions defaults to aws:region). Expected "
            "regions the archive serves (ap-northeast-1), or the region added to "
            "log-archive:sourceRegions of the archive stack and deployed.",
            id="no destination in a requested region",
        ),
        pytest.param(
            account_list_archive(regions=(VIRGINIA,)),
            {},
            "log-archive:regions: the archive stack organization/log-archive/account-b has no "
            "destination in ap-northeast-1 (regions defaults to aws:region)",
            id="no destination in the stack's own region",
        ),
        pytest.param(
            {**account_list_archive(), outputs.SOURCE_ACCOUNT_IDS: ["333333333333"]},
            {},
            "log-archive:archiveStack: account 111111111111 may not subscribe to the archive "
            "stack organization/log-archive/account-b: its destinations allow only 333333333333 "
            "and no organization. Expected 111111111111 added to log-archive:sourceAccountIds of "
            "the archive stack (or its organization form), deployed before this stack.",
            id="account not allowed by an account-list archive",
        ),
        pytest.param(
            without(outputs.DESTINATION_ARNS),
            {},
            "log-archive:archiveStack: the archive stack organization/log-archive/account-b has "
            "no output destinationArns. Expected the name of a deployed archive stack: run "
            "`pulumi up` on the archive stack first",
            id="archive output destinationArns missing",
        ),
        pytest.param(
            {outputs.BUCKET_NAME: "an-older-archive"},
            {},
            "log-archive:archiveStack: the archive stack organization/log-archive/account-b has "
            "no output destinationArns, archiveAccountId, sourceAccountIds, "
            "subscriptionRoleRequired, pipelineLogGroups, subscriptionChangeBusArns.",
            id="archive stack without any expected output",
        ),
        pytest.param(
            without(outputs.PIPELINE_LOG_GROUPS),
            {},
            "has no output pipelineLogGroups. Expected the name of a deployed archive stack",
            id="archive output pipelineLogGroups missing",
        ),
        pytest.param(
            {**account_list_archive(), outputs.SUBSCRIPTION_ROLE_REQUIRED: "yes"},
            {},
            "log-archive:archiveStack: output subscriptionRoleRequired of the archive stack "
            "organization/log-archive/account-b is 'yes', not true or false. Expected an archive "
            "stack deployed with this project's current version",
            id="archive output of the wrong type",
        ),
        pytest.param(
            {
                **account_list_archive(),
                outputs.DESTINATION_ARNS: {TOKYO: destination(VIRGINIA)},
            },
            {},
            "output destinationArns of the archive stack organization/log-archive/account-b is "
            "{'ap-northeast-1': 'arn:aws:logs:us-east-1:222222222222:destination:log-archive-us-"
            "east-1'}, not a map of region -> destination ARN in that region",
            id="destination of another region",
        ),
        pytest.param(
            {**account_list_archive(), outputs.ORGANIZATION_ID: "my-org"},
            {},
            "output organizationId of the archive stack organization/log-archive/account-b is "
            "'my-org', not an organization id (o-...)",
            id="malformed organization id",
        ),
        pytest.param(
            account_list_archive(),
            {
                "account": ARCHIVE_ACCOUNT,
                "logGroups": [{"name": "/app"}, {"name": pipeline_log_group(TOKYO)}],
            },
            "log-archive:logGroups: /aws/kinesisfirehose/log-archive-ap-northeast-1 in "
            "ap-northeast-1 is written by the archive pipeline itself; subscribing it would send "
            "the pipeline's own logs round in a loop. Expected log groups other than the archive "
            "pipeline's.",
            id="pipeline log group subscribed in the archive account",
        ),
        pytest.param(
            account_list_archive(),
            {"accountPolicy": {"excludeLogGroups": [f"/app/{i:04}/" + "x" * 90 for i in range(250)]}},
            "log-archive:accountPolicy.excludeLogGroups: the account policy's selection criteria "
            "in ap-northeast-1 would be 26037 bytes: it excludes 251 log groups (the exclusions, "
            "every log group listed in logGroups and the archive pipeline's own). Expected at "
            "most 25000 bytes",
            id="selection criteria over 25 KB",
        ),
    ],
)
def test_a_failed_pre_flight_check_names_the_key_and_registers_nothing(
    archive: dict[str, Any], overrides: dict[str, Any], message: str
) -> None:
    failed = failure(archive, **overrides)

    assert message in str(failed.error)
    assert_nothing_registered_but_the_archive_read(failed)


def test_a_config_error_fails_before_the_archive_is_even_read() -> None:
    failed = failure(logGroups=[{"name": "/app", "filterPatern": "ERROR"}])

    assert "log-archive:logGroups[0]: unknown key 'filterPatern'" in str(failed.error)
    assert failed.registrations == []


# --- Scale and stability of names.


def urns_to_inputs(program: ProgramRun) -> dict[str, dict[str, Any]]:
    return {r.urn: r.inputs for r in program.registrations}


def test_a_thousand_log_groups_get_unique_names_derived_from_each_log_group_alone() -> None:
    names = [f"/app/{i}/a-b" for i in range(500)] + [f"/app/{i}/a/b" for i in range(499)]
    names.append("/" + "z" * 511)

    program = run(logGroups=[{"name": name} for name in names])

    subscriptions = program.of_type(FILTER)
    assert len(subscriptions) == 1000
    assert len({s.urn for s in subscriptions}) == 1000
    assert {s.name: s.inputs["logGroup"] for s in subscriptions} == {
        naming.subscription_filter_resource("log-source", TOKYO, name): name for name in names
    }


def test_the_same_config_evaluated_twice_registers_identical_inputs() -> None:
    overrides: dict[str, Any] = {
        "regions": [TOKYO, VIRGINIA],
        "logGroups": [{"name": f"/app/{i}", "create": i % 3 == 0} for i in range(20)],
        "accountPolicy": {"excludeLogGroups": ["/b", "/a"]},
    }

    first = run(organization_archive(), **overrides)
    second = run(organization_archive(), **overrides)

    assert urns_to_inputs(first) == urns_to_inputs(second)


def test_adding_or_removing_one_log_group_changes_only_that_log_groups_resources() -> None:
    base = [{"name": f"/app/{i}", "create": i % 2 == 0} for i in range(20)]
    added = [*base[:10], {"name": "/app/new", "create": True}, *base[10:]]
    removed = base[:5] + base[6:]

    def resources(log_groups: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
        """Without the change rules, whose patterns list every watched log group by design."""
        found = urns_to_inputs(run(regions=[TOKYO, VIRGINIA], logGroups=log_groups))
        return {urn: inputs for urn, inputs in found.items() if "::log-source-change-rule-" not in urn}

    before = resources(base)
    after_adding = resources(added)
    after_removing = resources(removed)

    assert sorted(set(after_adding) - set(before)) == sorted(
        urn for urn in after_adding if urn.endswith("-/app/new")
    )
    assert len(set(after_adding) - set(before)) == 4
    assert {urn: after_adding[urn] for urn in before} == before
    assert sorted(set(before) - set(after_removing)) == sorted(
        urn for urn in before if urn.endswith("-/app/5")
    )
    assert len(set(before) - set(after_removing)) == 2
    assert {urn: before[urn] for urn in after_removing} == after_removing
