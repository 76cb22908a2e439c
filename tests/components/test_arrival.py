"""Alarms that fire on silence, under mocks: the stream's silence alarm, the error-object alarm and
one heartbeat alarm per expected account x region, with the exact inputs a ``pulumi up`` sends."""

from __future__ import annotations

import json
from typing import Any

import pytest

from components.archive_args import LogArchiveArgs
from components.validation import ConfigError
from offline.program import ProgramRun
from tests.components.test_log_archive import ARCHIVE, BUCKET, REGION, SOURCE, archive

ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
RULE = "aws:cloudwatch/eventRule:EventRule"
VIRGINIA = "us-east-1"
TOPIC = f"arn:aws:sns:{REGION}:{ARCHIVE}:log-archive-alarms"


@pytest.fixture(scope="module")
def deployed() -> ProgramRun:
    return archive(source_regions=(REGION, VIRGINIA), source_account_ids=(SOURCE, "333333333333"))


def alarms_by_name(run: ProgramRun) -> dict[str, dict[str, Any]]:
    return {a.inputs["name"]: a.inputs for a in run.of_type(ALARM)}


def test_each_regions_stream_alarms_when_it_receives_nothing_for_the_silence_window(
    deployed: ProgramRun,
) -> None:
    alarms = alarms_by_name(deployed)
    for region in (REGION, VIRGINIA):
        silence = alarms[f"log-archive-{region}-no-incoming-records"]
        assert {k: silence[k] for k in silence if k not in ("alarmDescription",)} == {
            "name": f"log-archive-{region}-no-incoming-records",
            "namespace": "AWS/Firehose",
            "metricName": "IncomingRecords",
            "dimensions": {"DeliveryStreamName": f"log-archive-{region}"},
            "statistic": "Sum",
            "period": 300.0,
            "evaluationPeriods": 6.0,
            "datapointsToAlarm": 6.0,
            "comparisonOperator": "LessThanThreshold",
            "threshold": 1.0,
            "treatMissingData": "breaching",
            "alarmActions": [f"arn:aws:sns:{region}:{ARCHIVE}:log-archive-alarms"],
            "okActions": [f"arn:aws:sns:{region}:{ARCHIVE}:log-archive-alarms"],
            "region": region,
        }


def test_the_bucket_sends_its_events_to_eventbridge(deployed: ProgramRun) -> None:
    notification = deployed.one("aws:s3/bucketNotification:BucketNotification").inputs
    assert (notification["bucket"], notification["eventbridge"], notification["region"]) == (
        BUCKET,
        True,
        REGION,
    )


def test_any_object_under_the_error_prefix_raises_an_alarm(deployed: ProgramRun) -> None:
    rule = deployed.named("log-archive-error-objects-rule").inputs
    assert json.loads(rule["eventPattern"]) == {
        "source": ["aws.s3"],
        "detail-type": ["Object Created"],
        "detail": {"bucket": {"name": [BUCKET]}, "object": {"key": [{"prefix": "errors/"}]}},
    }
    alarm = alarms_by_name(deployed)["log-archive-error-objects"]
    assert (alarm["namespace"], alarm["metricName"], alarm["dimensions"]) == (
        "AWS/Events",
        "MatchedEvents",
        {"RuleName": "log-archive-error-objects"},
    )
    assert (alarm["comparisonOperator"], alarm["threshold"], alarm["treatMissingData"]) == (
        "GreaterThanThreshold",
        0.0,
        "notBreaching",
    )
    assert (alarm["alarmActions"], alarm["region"]) == ([TOPIC], REGION)


def test_every_expected_account_and_region_has_a_heartbeat_alarm_that_treats_silence_as_breaching(
    deployed: ProgramRun,
) -> None:
    rules = {r.inputs["name"]: json.loads(r.inputs["eventPattern"]) for r in deployed.of_type(RULE)}
    alarms = alarms_by_name(deployed)
    pairs = [(a, r) for a in (SOURCE, "333333333333") for r in (REGION, VIRGINIA)]
    assert sorted(name for name in rules if "heartbeat" in name) == sorted(
        f"log-archive-heartbeat-{a}-{r}" for a, r in pairs
    )
    for account, region in pairs:
        name = f"log-archive-heartbeat-{account}-{region}"
        assert rules[name]["detail"]["object"]["key"] == [
            {"prefix": f"logs/account={account}/log_group=%2Flog-archive%2Fheartbeat%2F{region}/"}
        ]
        alarm = alarms[name]
        assert (alarm["metricName"], alarm["dimensions"], alarm["region"]) == (
            "MatchedEvents",
            {"RuleName": name},
            REGION,
        )
        assert (alarm["evaluationPeriods"], alarm["datapointsToAlarm"], alarm["period"]) == (6.0, 6.0, 300.0)
        assert (alarm["comparisonOperator"], alarm["threshold"], alarm["treatMissingData"]) == (
            "LessThanThreshold",
            1.0,
            "breaching",
        )


def test_the_home_region_gets_a_topic_for_the_bucket_alarms_even_when_no_source_logs_there() -> None:
    run = archive(source_regions=(VIRGINIA,))
    topics = sorted(t.inputs["region"] for t in run.of_type("aws:sns/topic:Topic"))
    assert topics == [REGION, VIRGINIA]
    assert alarms_by_name(run)[f"log-archive-heartbeat-{SOURCE}-{VIRGINIA}"]["alarmActions"] == [TOPIC]


def test_heartbeat_account_ids_replaces_the_expected_accounts_and_an_empty_list_turns_them_off() -> None:
    def bucket_rules(run: ProgramRun) -> set[str]:
        return {r.inputs["name"] for r in run.of_type(RULE) if "eventBusName" not in r.inputs}

    chosen = bucket_rules(archive(heartbeat_account_ids=(ARCHIVE,)))
    assert chosen == {"log-archive-error-objects", f"log-archive-heartbeat-{ARCHIVE}-{REGION}"}
    assert bucket_rules(archive(heartbeat_account_ids=())) == {"log-archive-error-objects"}


def test_the_messages_layout_has_no_heartbeat_alarms_but_keeps_the_silence_alarm() -> None:
    run = archive(layout="messages", buffering_size_mib=5)
    names = set(alarms_by_name(run))
    assert not [n for n in names if "heartbeat" in n]
    assert f"log-archive-{REGION}-no-incoming-records" in names


def config_args(**values: Any) -> LogArchiveArgs:
    from components.stack_config import StackConfig

    raw = {f"log-archive:{k}": v if isinstance(v, str) else json.dumps(v) for k, v in values.items()}
    raw.setdefault("log-archive:sourceAccountIds", json.dumps([SOURCE]))
    return LogArchiveArgs.from_config(StackConfig(raw), ARCHIVE, REGION, "log-archive")


def test_the_windows_default_to_30_minutes_and_follow_config() -> None:
    assert (config_args().silence_minutes, config_args().heartbeat_lateness_minutes) == (30, 30)
    args = config_args(silenceMinutes=60, heartbeatLatenessMinutes=45, heartbeatAccountIds=[SOURCE, ARCHIVE])
    assert (args.silence_minutes, args.heartbeat_lateness_minutes) == (60, 45)
    assert args.expected_heartbeats == [(SOURCE, REGION), (ARCHIVE, REGION)]


@pytest.mark.parametrize(
    ("values", "key", "message"),
    [
        pytest.param(
            {"silenceMinutes": 12}, "silenceMinutes", "12 is not a multiple of 5", id="silence-not-5"
        ),
        pytest.param({"silenceMinutes": 5}, "silenceMinutes", "out of range", id="silence-too-short"),
        pytest.param({"silenceMinutes": "30.0"}, "silenceMinutes", "whole number", id="silence-float"),
        pytest.param(
            {"heartbeatLatenessMinutes": 15, "bufferingIntervalSeconds": 900},
            "heartbeatLatenessMinutes",
            "at least 25 minutes",
            id="lateness-shorter-than-buffer",
        ),
        pytest.param(
            {"heartbeatAccountIds": ["444444444444"]},
            "heartbeatAccountIds",
            "444444444444 may not subscribe",
            id="account-not-allowed",
        ),
        pytest.param(
            {"heartbeatAccountIds": [SOURCE], "layout": "messages", "bufferingSizeMiB": 5},
            "heartbeatAccountIds",
            "messages layout",
            id="accounts-with-messages-layout",
        ),
        pytest.param(
            {"organizationId": "o-abcd123456", "heartbeatAccountIds": [f"{n:012d}" for n in range(1, 252)]},
            "heartbeatAccountIds",
            "251 account x region pairs",
            id="over-the-rules-quota",
        ),
    ],
)
def test_bad_alarm_settings_are_refused_naming_the_key(
    values: dict[str, Any], key: str, message: str
) -> None:
    with pytest.raises(ConfigError) as raised:
        config_args(**values)
    assert raised.value.key == f"log-archive:{key}"
    assert message in str(raised.value)
