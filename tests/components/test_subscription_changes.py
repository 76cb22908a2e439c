"""The subscription-change watch: what each side registers under mocks, and what the source
patterns match: each pattern is put as a rule in moto's EventBridge (which validates it) and
evaluated by moto's EventBridge pattern matcher (moto does not implement TestEventPattern; on AWS,
``aws events test-event-pattern`` runs the same check, docs/operations.md)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any, cast

import boto3
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from moto import mock_aws
from moto.events.models import EventPattern

from components import outputs, subscription_changes
from components.subscription_changes import BUS_NAME, CHANGES_LOG_GROUP, MAX_EVENT_PATTERN, source_patterns
from offline.program import ProgramRun, run_program
from tests.components.test_log_archive import ARCHIVE, REGION, SOURCE, archive
from tests.components.test_log_source import (
    ACCOUNT,
    ARCHIVE_ACCOUNT,
    ARCHIVE_STACK,
    STACK,
    TOKYO,
    VIRGINIA,
    account_list_archive,
    destination,
    organization_archive,
    run,
)
from tests.tools.moto_env import fake_credentials

RULE = "aws:cloudwatch/eventRule:EventRule"
BUS = "aws:cloudwatch/eventBus:EventBus"
TARGET = "aws:cloudwatch/eventTarget:EventTarget"
TOKYO_BUS = f"arn:aws:events:{TOKYO}:{ARCHIVE_ACCOUNT}:event-bus/{BUS_NAME}"
VIRGINIA_BUS = f"arn:aws:events:{VIRGINIA}:{ARCHIVE_ACCOUNT}:event-bus/{BUS_NAME}"
OUR_FILTER = "log-archive-541b6069"


def change_resources(program: ProgramRun, type_: str) -> list[dict[str, Any]]:
    return [r.inputs for r in program.of_type(type_) if "-change-" in r.name]


# The archive side


@pytest.fixture(scope="module")
def two_region_archive() -> ProgramRun:
    return archive(source_regions=(REGION, "us-east-1"))


def test_each_source_region_gets_a_bus_only_the_source_accounts_may_put_events_on(
    two_region_archive: ProgramRun,
) -> None:
    buses = {
        b.inputs["region"]: b.inputs for b in two_region_archive.of_type("aws:cloudwatch/eventBus:EventBus")
    }
    assert sorted(buses) == [REGION, "us-east-1"]
    assert {b["name"] for b in buses.values()} == {BUS_NAME}
    for policy in two_region_archive.of_type("aws:cloudwatch/eventBusPolicy:EventBusPolicy"):
        region = policy.inputs["region"]
        assert policy.inputs["eventBusName"] == BUS_NAME
        assert json.loads(policy.inputs["policy"]) == {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "SourceAccountsForwardSubscriptionChanges",
                    "Effect": "Allow",
                    "Principal": {"AWS": [f"arn:aws:iam::{SOURCE}:root"]},
                    "Action": "events:PutEvents",
                    "Resource": f"arn:aws:events:{region}:{ARCHIVE}:event-bus/{BUS_NAME}",
                }
            ],
        }
    assert two_region_archive.outputs["subscriptionChangeBusArns"] == {
        region: f"arn:aws:events:{region}:{ARCHIVE}:event-bus/{BUS_NAME}" for region in (REGION, "us-east-1")
    }


def test_the_organization_form_admits_any_principal_of_the_organization_only() -> None:
    [policy, *_] = archive(organization_id="o-abcdef1234", source_account_ids=()).of_type(
        "aws:cloudwatch/eventBusPolicy:EventBusPolicy"
    )
    assert json.loads(policy.inputs["policy"])["Statement"] == [
        {
            "Sid": "OrganizationForwardsSubscriptionChanges",
            "Effect": "Allow",
            "Principal": "*",
            "Action": "events:PutEvents",
            "Resource": f"arn:aws:events:{REGION}:{ARCHIVE}:event-bus/{BUS_NAME}",
            "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-abcdef1234"}},
        }
    ]


def test_every_forwarded_change_is_kept_ten_years_and_alarms_within_one_period(
    two_region_archive: ProgramRun,
) -> None:
    for region in (REGION, "us-east-1"):
        record = two_region_archive.named(f"log-archive-change-record-{region}")
        assert record.retain_on_delete
        assert (record.inputs["name"], record.inputs["retentionInDays"]) == (CHANGES_LOG_GROUP, 3653)
        rule = two_region_archive.named(f"log-archive-change-rule-{region}").inputs
        assert (rule["name"], rule["eventBusName"]) == (BUS_NAME, BUS_NAME)
        assert json.loads(rule["eventPattern"]) == {
            "source": ["aws.logs"],
            "detail-type": ["AWS API Call via CloudTrail"],
        }
        target = two_region_archive.named(f"log-archive-change-record-target-{region}")
        assert target.inputs["arn"] == f"arn:aws:logs:{region}:{ARCHIVE}:log-group:{CHANGES_LOG_GROUP}"
        assert (
            two_region_archive.named(f"log-archive-change-record-policy-{region}").urn in target.dependencies
        )
        alarm = two_region_archive.named(f"log-archive-subscription-changes-{region}").inputs
        assert {
            k: alarm[k] for k in ("name", "metricName", "dimensions", "threshold", "treatMissingData")
        } == {
            "name": f"log-archive-{region}-subscription-changes",
            "metricName": "MatchedEvents",
            "dimensions": {"EventBusName": BUS_NAME, "RuleName": BUS_NAME},
            "threshold": 0,
            "treatMissingData": "notBreaching",
        }
        assert (alarm["period"], alarm["evaluationPeriods"], alarm["comparisonOperator"]) == (
            300,
            1,
            "GreaterThanThreshold",
        )
        assert alarm["alarmActions"] == [f"arn:aws:sns:{region}:{ARCHIVE}:log-archive-alarms"]


def test_only_the_archives_change_rule_may_write_the_change_record(two_region_archive: ProgramRun) -> None:
    policy = two_region_archive.named(f"log-archive-change-record-policy-{REGION}").inputs
    assert policy["policyName"] == "log-archive-subscription-changes"
    [statement] = json.loads(policy["policyDocument"])["Statement"]
    assert statement["Resource"] == f"arn:aws:logs:{REGION}:{ARCHIVE}:log-group:{CHANGES_LOG_GROUP}:*"
    assert statement["Condition"] == {
        "ArnEquals": {"aws:SourceArn": f"arn:aws:events:{REGION}:{ARCHIVE}:rule/{BUS_NAME}/{BUS_NAME}"},
        "StringEquals": {"aws:SourceAccount": ARCHIVE},
    }


# The source side


@pytest.fixture(scope="module")
def two_region_source() -> ProgramRun:
    return run(regions=[TOKYO, VIRGINIA], logGroups=[{"name": "/app/web"}], heartbeatMinutes=None)


def test_each_region_forwards_to_the_archive_bus_of_that_region_with_the_forwarding_role(
    two_region_source: ProgramRun,
) -> None:
    role = two_region_source.named("log-source-change-forwarding-role")
    targets = {t["region"]: t for t in change_resources(two_region_source, TARGET)}
    assert {region: t["arn"] for region, t in targets.items()} == {TOKYO: TOKYO_BUS, VIRGINIA: VIRGINIA_BUS}
    assert {t["roleArn"] for t in targets.values()} == {role.outputs["arn"]}
    rules = {r["region"]: r for r in change_resources(two_region_source, RULE)}
    assert {r["name"] for r in rules.values()} == {BUS_NAME}
    assert all("eventBusName" not in r for r in rules.values())


def test_the_forwarding_role_may_only_put_events_on_the_archive_buses(two_region_source: ProgramRun) -> None:
    role = two_region_source.named("log-source-change-forwarding-role").inputs
    assert json.loads(role["assumeRolePolicy"])["Statement"] == [
        {
            "Sid": "EventBridgeForwardsSubscriptionChanges",
            "Effect": "Allow",
            "Principal": {"Service": "events.amazonaws.com"},
            "Action": "sts:AssumeRole",
            "Condition": {
                "StringEquals": {"aws:SourceAccount": ACCOUNT},
                "ArnLike": {"aws:SourceArn": f"arn:aws:events:*:{ACCOUNT}:rule/{BUS_NAME}*"},
            },
        }
    ]
    permissions = two_region_source.named("log-source-change-forwarding-policy").inputs
    assert json.loads(permissions["policy"])["Statement"] == [
        {
            "Sid": "PutEventsOnTheArchiveChangeBuses",
            "Effect": "Allow",
            "Action": "events:PutEvents",
            "Resource": sorted([TOKYO_BUS, VIRGINIA_BUS]),
        }
    ]


def test_the_rule_of_a_region_watches_its_destination_its_log_groups_and_its_heartbeat(
    two_region_source: ProgramRun,
) -> None:
    [rule] = [r for r in change_resources(two_region_source, RULE) if r["region"] == VIRGINIA]
    assert (
        rule["eventPattern"]
        == source_patterns(destination(VIRGINIA), ["/app/web", "/log-archive/heartbeat/us-east-1"])[0]
    )


def test_a_secret_destination_keeps_the_patterns_that_name_it_secret() -> None:
    program = run_program(
        STACK,
        overrides={"aws:allowedAccountIds": [ACCOUNT], "heartbeatMinutes": 0},
        stack_outputs={ARCHIVE_STACK: account_list_archive()},
        secret_stack_outputs={ARCHIVE_STACK: [outputs.DESTINATION_ARNS]},
    )
    [rule] = [r for r in program.of_type(RULE) if "-change-" in r.name]
    assert rule.wire_inputs["eventPattern"] == {
        "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270",
        "value": source_patterns(destination(TOKYO), ["delivery-test"])[0],
    }


# What the patterns match (moto's TestEventPattern)


@pytest.fixture
def events(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    fake_credentials(monkeypatch, TOKYO)
    with mock_aws():
        yield boto3.client("events", region_name=TOKYO)


def api_call(name: str, error: str | None = None, **parameters: str) -> dict[str, Any]:
    """An *AWS API Call via CloudTrail* event of CloudWatch Logs, as EventBridge delivers it."""
    detail: dict[str, Any] = {
        "eventVersion": "1.09",
        "userIdentity": {"type": "AssumedRole", "accountId": ACCOUNT},
        "eventTime": "2026-12-01T20:40:00Z",
        "eventSource": "logs.amazonaws.com",
        "eventName": name,
        "awsRegion": TOKYO,
        "requestParameters": parameters,
        "responseElements": None,
        "eventType": "AwsApiCall",
        "managementEvent": True,
    }
    if error is not None:
        detail["errorCode"] = error
    return {
        "version": "0",
        "id": "7bf73129-1428-4cd3-a780-95db273d1602",
        "detail-type": "AWS API Call via CloudTrail",
        "source": "aws.logs",
        "account": ACCOUNT,
        "time": "2026-12-01T20:40:00Z",
        "region": TOKYO,
        "resources": [],
        "detail": detail,
    }


def matched(events: Any, event: dict[str, Any], log_groups: list[str]) -> bool:
    patterns = source_patterns(destination(TOKYO), log_groups)
    for index, pattern in enumerate(patterns):
        events.put_rule(Name=subscription_changes.source_rule_name(index), EventPattern=pattern)
    return any(EventPattern.load(pattern).matches_event(cast(Any, event)) for pattern in patterns)


ENDS_ARCHIVING = [
    pytest.param(
        api_call("DeleteSubscriptionFilter", logGroupName="/app/web", filterName=OUR_FILTER),
        id="our filter deleted",
    ),
    pytest.param(
        api_call("DeleteSubscriptionFilter", logGroupName="/app/web", filterName="log-archive"),
        id="a filter of the previous version deleted",
    ),
    pytest.param(
        api_call(
            "PutSubscriptionFilter",
            logGroupName="/app/web",
            filterName=OUR_FILTER,
            destinationArn="arn:aws:firehose:ap-northeast-1:999999999999:deliverystream/elsewhere",
        ),
        id="our filter pointed elsewhere",
    ),
    pytest.param(api_call("DeleteAccountPolicy", policyName="log-archive"), id="account policy deleted"),
    pytest.param(
        api_call("DeleteAccountPolicy", policyName="log-archive-stackset"), id="StackSet's policy deleted"
    ),
    pytest.param(api_call("DeleteLogGroup", logGroupName="/app/web"), id="subscribed log group deleted"),
]
ROUTINE = [
    pytest.param(
        api_call(
            "PutSubscriptionFilter",
            logGroupName="/app/web",
            filterName=OUR_FILTER,
            destinationArn=destination(TOKYO),
        ),
        id="our filter put by a deploy",
    ),
    pytest.param(
        api_call("DeleteSubscriptionFilter", logGroupName="/app/web", filterName="team-lambda"),
        id="another team's filter deleted",
    ),
    pytest.param(
        api_call("DeleteLogGroup", logGroupName="/app/scratch"), id="an unwatched log group deleted"
    ),
    pytest.param(
        api_call("DeleteSubscriptionFilter", "AccessDenied", logGroupName="/app/web", filterName=OUR_FILTER),
        id="a refused delete",
    ),
    pytest.param(api_call("DeleteAccountPolicy", policyName="data-protection"), id="another account policy"),
]


@pytest.mark.parametrize("event", ENDS_ARCHIVING)
def test_every_call_that_ends_archiving_is_matched(events: Any, event: dict[str, Any]) -> None:
    assert matched(events, event, ["/app/web", "/app/worker"])


@pytest.mark.parametrize("event", ROUTINE)
def test_routine_calls_and_refused_ones_are_not(events: Any, event: dict[str, Any]) -> None:
    assert not matched(events, event, ["/app/web", "/app/worker"])


def test_five_thousand_log_groups_spread_over_rules_each_within_the_pattern_limit(events: Any) -> None:
    names = [f"/aws/lambda/service-{i:04d}-handler" for i in range(5000)]
    patterns = source_patterns(destination(TOKYO), names)
    assert max(len(p) for p in patterns) <= MAX_EVENT_PATTERN
    assert len(patterns) == 46
    for name in (names[0], names[2500], names[-1]):
        assert matched(events, api_call("DeleteLogGroup", logGroupName=name), names)


LOG_GROUP_NAMES = st.lists(st.from_regex(r"\A[\.\-_/#A-Za-z0-9]{1,512}\Z"), max_size=60)


@settings(max_examples=60, deadline=None)
@given(LOG_GROUP_NAMES)
def test_each_watched_log_group_is_in_exactly_one_pattern_within_the_limit(names: list[str]) -> None:
    patterns = [json.loads(p) for p in source_patterns(destination(TOKYO), names)]
    assert all(len(p) <= MAX_EVENT_PATTERN for p in source_patterns(destination(TOKYO), names))
    deleted: list[str] = []
    for pattern in patterns:
        detail = pattern["detail"]
        calls = detail.get("$or", [detail])
        deleted.extend(
            name
            for call in calls
            if call["eventName"] == ["DeleteLogGroup"]
            for name in call["requestParameters"]["logGroupName"]
        )
    assert sorted(deleted) == sorted(set(names))
    assert "$or" in patterns[0]["detail"]


def test_the_bus_arn_and_rule_names_follow_the_constants() -> None:
    assert subscription_changes.bus_arn("aws", ARCHIVE_ACCOUNT, TOKYO) == TOKYO_BUS
    assert [subscription_changes.source_rule_name(i) for i in range(3)] == [
        BUS_NAME,
        f"{BUS_NAME}-2",
        f"{BUS_NAME}-3",
    ]
    assert organization_archive()["subscriptionChangeBusArns"][TOKYO] == TOKYO_BUS
