"""Source heartbeats under mocks: per region a log group, a schedule rule writing into it through a
scoped resource policy, and the same subscription as every other log group."""

from __future__ import annotations

import json
from typing import Any

import pytest

from components import heartbeat, naming
from offline.program import ProgramFailed, ProgramRun
from tests.components.test_log_source import (
    ACCOUNT,
    FILTER,
    TOKYO,
    VIRGINIA,
    destination,
    organization_archive,
    run,
)

GROUP = "aws:cloudwatch/logGroup:LogGroup"
RULE = "aws:cloudwatch/eventRule:EventRule"
TARGET = "aws:cloudwatch/eventTarget:EventTarget"
POLICY = "aws:cloudwatch/logResourcePolicy:LogResourcePolicy"


def with_heartbeats(archive: dict[str, Any] | None = None, **overrides: Any) -> ProgramRun:
    return run(archive, heartbeatMinutes=None, **overrides)


@pytest.fixture(scope="module")
def two_regions() -> ProgramRun:
    return with_heartbeats(regions=[TOKYO, VIRGINIA])


def in_region(program: ProgramRun, type_: str, region: str) -> dict[str, Any]:
    [found] = [r.inputs for r in program.of_type(type_) if r.inputs["region"] == region]
    return found


def test_the_heartbeat_log_group_is_named_by_region() -> None:
    assert naming.heartbeat_log_group("ap-northeast-1") == "/log-archive/heartbeat/ap-northeast-1"


def test_every_region_gets_a_retained_heartbeat_log_group_kept_a_year(two_regions: ProgramRun) -> None:
    groups = {g.inputs["name"]: g for g in two_regions.of_type(GROUP)}
    assert sorted(groups) == [f"/log-archive/heartbeat/{TOKYO}", f"/log-archive/heartbeat/{VIRGINIA}"]
    for group in groups.values():
        assert group.inputs["retentionInDays"] == 365.0
        assert group.retain_on_delete is True


def test_a_schedule_rule_writes_the_default_five_minute_heartbeat(two_regions: ProgramRun) -> None:
    for region in (TOKYO, VIRGINIA):
        rule = in_region(two_regions, RULE, region)
        assert (rule["name"], rule["scheduleExpression"], rule["state"]) == (
            "log-archive-heartbeat",
            "rate(5 minutes)",
            "ENABLED",
        )
        target = in_region(two_regions, TARGET, region)
        assert target["arn"] == f"arn:aws:logs:{region}:{ACCOUNT}:log-group:/log-archive/heartbeat/{region}"
        assert target["inputTransformer"]["inputPaths"] == {
            "account": "$.account",
            "region": "$.region",
            "time": "$.time",
            "id": "$.id",
        }


def test_the_heartbeat_message_is_the_tagged_json_the_archive_tools_read() -> None:
    filled = (
        heartbeat.INPUT_TEMPLATE.replace("<time>", "2026-12-01T20:40:00Z", 1)
        .replace("<time>", "2026-12-01T20:40:00Z")
        .replace("<account>", ACCOUNT)
        .replace("<region>", TOKYO)
        .replace("<id>", "7bf73129-1428-4cd3-a780-95db273d1602")
    )
    # EventBridge inserts an unquoted string variable as a JSON string.
    event = json.loads(
        filled.replace('"timestamp": 2026-12-01T20:40:00Z', '"timestamp": "2026-12-01T20:40:00Z"')
    )
    assert event["timestamp"] == "2026-12-01T20:40:00Z"
    assert json.loads(event["message"]) == {
        naming.HEARTBEAT_MARKER: True,
        "account": ACCOUNT,
        "region": TOKYO,
        "time": "2026-12-01T20:40:00Z",
        "id": "7bf73129-1428-4cd3-a780-95db273d1602",
    }


def test_only_the_heartbeat_rule_of_this_account_may_write_into_the_heartbeat_log_group(
    two_regions: ProgramRun,
) -> None:
    for region in (TOKYO, VIRGINIA):
        policy = in_region(two_regions, POLICY, region)
        assert policy["policyName"] == "log-archive-heartbeat"
        assert json.loads(policy["policyDocument"])["Statement"] == [
            {
                "Sid": "HeartbeatRuleWritesHeartbeats",
                "Effect": "Allow",
                "Principal": {"Service": ["delivery.logs.amazonaws.com", "events.amazonaws.com"]},
                "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                "Resource": f"arn:aws:logs:{region}:{ACCOUNT}:log-group:/log-archive/heartbeat/{region}:*",
                "Condition": {
                    "ArnEquals": {
                        "aws:SourceArn": f"arn:aws:events:{region}:{ACCOUNT}:rule/log-archive-heartbeat"
                    },
                    "StringEquals": {"aws:SourceAccount": ACCOUNT},
                },
            }
        ]


def test_the_heartbeat_log_group_is_subscribed_like_any_other_create_first(two_regions: ProgramRun) -> None:
    for region in (TOKYO, VIRGINIA):
        [subscription] = [
            f
            for f in two_regions.of_type(FILTER)
            if f.inputs["region"] == region and f.inputs["logGroup"] == naming.heartbeat_log_group(region)
        ]
        assert subscription.inputs["destinationArn"] == destination(region)
        assert subscription.inputs["name"] == naming.subscription_filter_name(destination(region))
        assert subscription.inputs["filterPattern"] == ""
        assert (subscription.delete_before_replace, subscription.delete_before_replace_defined) == (
            False,
            True,
        )


def test_in_the_organization_form_the_heartbeat_filter_carries_the_role() -> None:
    program = with_heartbeats(organization_archive())
    [subscription] = [f for f in program.of_type(FILTER) if f.inputs["logGroup"].startswith("/log-archive/")]
    assert subscription.inputs["roleArn"] == program.one("aws:iam/role:Role").outputs["arn"]


def heartbeat_filters(program: ProgramRun) -> list[str]:
    return [
        f.inputs["logGroup"]
        for f in program.of_type(FILTER)
        if f.inputs["logGroup"].startswith("/log-archive/")
    ]


def test_an_account_policy_sending_every_event_carries_the_heartbeat_itself() -> None:
    """Then removing the account policy silences the heartbeat, and its arrival alarm fires."""
    program = with_heartbeats(accountPolicy={"filterPattern": ""})
    policy = program.one("aws:cloudwatch/logAccountPolicy:LogAccountPolicy").inputs
    assert policy["selectionCriteria"] == 'LogGroupName NOT IN ["delivery-test"]'
    assert heartbeat_filters(program) == []
    assert program.one(GROUP).inputs["name"] == "/log-archive/heartbeat/ap-northeast-1"


def test_a_narrower_account_policy_leaves_the_heartbeat_to_its_own_filter() -> None:
    """A pattern that could drop the heartbeat must not be the heartbeat's only path."""
    program = with_heartbeats(accountPolicy={"filterPattern": "ERROR"})
    policy = program.one("aws:cloudwatch/logAccountPolicy:LogAccountPolicy").inputs
    assert (
        policy["selectionCriteria"]
        == 'LogGroupName NOT IN ["/log-archive/heartbeat/ap-northeast-1", "delivery-test"]'
    )
    assert heartbeat_filters(program) == ["/log-archive/heartbeat/ap-northeast-1"]


@pytest.mark.parametrize(("minutes", "expression"), [(1, "rate(1 minute)"), (60, "rate(60 minutes)")])
def test_the_interval_follows_heartbeat_minutes(minutes: int, expression: str) -> None:
    assert run(heartbeatMinutes=minutes).one(RULE).inputs["scheduleExpression"] == expression


def test_zero_heartbeat_minutes_turns_heartbeats_off() -> None:
    program = run(heartbeatMinutes=0)
    assert [r.type for r in program.registrations if r.type in (GROUP, RULE, TARGET, POLICY)] == []


@pytest.mark.parametrize(
    ("value", "message"),
    [
        pytest.param(61, "61 is out of range", id="over-an-hour"),
        pytest.param("5.0", "is not a whole number", id="float"),
        pytest.param(True, "is not a whole number", id="boolean"),
    ],
)
def test_a_bad_heartbeat_interval_is_refused_naming_the_key(value: Any, message: str) -> None:
    with pytest.raises(ProgramFailed) as raised:
        run(heartbeatMinutes=value)
    assert "log-archive:heartbeatMinutes" in str(raised.value.error)
    assert message in str(raised.value.error)


def test_a_listed_log_group_may_not_be_a_heartbeat_log_group() -> None:
    with pytest.raises(ProgramFailed) as raised:
        run(heartbeatMinutes=5, logGroups=[{"name": "/log-archive/heartbeat/ap-northeast-1"}])
    assert "log-archive:logGroups[0].name" in str(raised.value.error)
