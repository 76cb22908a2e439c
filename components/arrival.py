"""Alarms that fire on silence: what reaches the archive bucket, watched from the bucket itself.

The stream alarms of ``components.monitoring`` see Firehose only: when a destination policy, a
logs role or a subscription breaks, nothing reaches Firehose and, with missing data not
breaching, nothing alarms. This module watches the end of the chain instead:

- The archive bucket sends its S3 events to EventBridge (``BucketNotification(eventbridge=True)``,
  one per bucket). AWS service events on the default bus cost nothing.
- **Heartbeat arrival**, per expected account x region (partitioned layout only: the messages
  layout keys objects by day alone, so no key tells who wrote it): a rule matching *Object
  Created* under ``naming.heartbeat_key_prefix``-style keys of that pair, and an alarm on the
  rule's ``AWS/Events MatchedEvents`` that fires when no heartbeat object arrived for
  ``heartbeatLatenessMinutes`` (missing data = breaching, every datapoint of the window must be
  missing or zero). The alarm's name carries the account and region, so the failing pairs are
  named in the alarm list itself.
- **Error objects**: a rule matching *Object Created* under ``errors/`` (every record Firehose
  could not decompress, extract metadata from with JQ, partition or deliver lands there) and an
  alarm when it matches anything.

Rules need no target: ``MatchedEvents`` counts the events a rule matched. No function, no log
group, no custom metric: cost is the alarms alone (docs/cost.md).
"""

from __future__ import annotations

import json
from typing import Any

import pulumi
import pulumi_aws as aws

from components import naming
from components.monitoring import PERIOD_SECONDS

MAX_HEARTBEAT_RULES = 250
"""EventBridge allows 300 rules per bus by default; the rest is left for the account's own."""
ERRORS_PREFIX = "errors/"


def heartbeat_key_prefix(log_prefix: str, account_id: str, region: str) -> str:
    """Where ``account_id``'s heartbeats from ``region`` arrive under ``log_prefix`` (a layout
    with account and log-group partitions): the log group percent-encoded as jq's ``@uri`` does
    (``/`` -> ``%2F``)."""
    encoded = naming.heartbeat_log_group(region).replace("/", "%2F")
    return f"{log_prefix}account={account_id}/log_group={encoded}/"


def object_created_pattern(bucket_name: str, key_prefix: str) -> dict[str, Any]:
    """The EventBridge pattern of S3 *Object Created* events under ``key_prefix`` in ``bucket_name``."""
    return {
        "source": ["aws.s3"],
        "detail-type": ["Object Created"],
        "detail": {"bucket": {"name": [bucket_name]}, "object": {"key": [{"prefix": key_prefix}]}},
    }


def heartbeat_rule_name(component: str, account_id: str, region: str) -> str:
    """``<component>-heartbeat-<account>-<region>``: at most 64 characters for the names used here."""
    return f"{component}-heartbeat-{account_id}-{region}"


def windows(minutes: int) -> int:
    """How many alarm periods of ``PERIOD_SECONDS`` make a window of ``minutes``."""
    return minutes * 60 // PERIOD_SECONDS


def arrival_watch(
    component: str,
    *,
    home_region: str,
    bucket: aws.s3.Bucket,
    bucket_name: str,
    log_prefix: str,
    expected: list[tuple[str, str]],
    lateness_minutes: int,
    topic_arn: pulumi.Input[str],
    parent: pulumi.Resource,
) -> None:
    """The bucket's EventBridge notifications, the error-object alarm and one heartbeat alarm per
    ``(account, region)`` of ``expected``, all in ``home_region`` (where the bucket's events are)."""

    def child(**options: Any) -> pulumi.ResourceOptions:
        return pulumi.ResourceOptions(parent=parent, **options)

    notification = aws.s3.BucketNotification(
        f"{component}-bucket-events",
        bucket=bucket.id,
        eventbridge=True,
        region=home_region,
        opts=child(),
    )

    def rule_and_alarm(suffix: str, rule_name: str, key_prefix: str, **alarm: Any) -> None:
        aws.cloudwatch.EventRule(
            f"{component}-{suffix}-rule",
            name=rule_name,
            description=f"Matches objects created under {key_prefix} in the archive bucket.",
            event_pattern=json.dumps(object_created_pattern(bucket_name, key_prefix)),
            state="ENABLED",
            region=home_region,
            opts=child(depends_on=[notification]),
        )
        aws.cloudwatch.MetricAlarm(
            f"{component}-{suffix}-alarm",
            name=rule_name,
            namespace="AWS/Events",
            metric_name="MatchedEvents",
            dimensions={"RuleName": rule_name},
            statistic="Sum",
            period=PERIOD_SECONDS,
            alarm_actions=[topic_arn],
            ok_actions=[topic_arn],
            region=home_region,
            opts=child(),
            **alarm,
        )

    rule_and_alarm(
        "error-objects",
        f"{component}-error-objects",
        ERRORS_PREFIX,
        alarm_description="Firehose wrote records to the error prefix (decompression, JQ metadata "
        "extraction, partitioning or S3 delivery failed): see errors/<error type>/ in the bucket.",
        comparison_operator="GreaterThanThreshold",
        threshold=0,
        evaluation_periods=1,
        treat_missing_data="notBreaching",
    )
    periods = windows(lateness_minutes)
    for account_id, region in expected:
        rule_and_alarm(
            f"heartbeat-{account_id}-{region}",
            heartbeat_rule_name(component, account_id, region),
            heartbeat_key_prefix(log_prefix, account_id, region),
            alarm_description=f"No heartbeat of account {account_id} in {region} reached the archive "
            f"bucket for {lateness_minutes} minutes: a hop between its log groups and the bucket is "
            "broken (docs/operations.md, 'Which alarm catches which failure').",
            comparison_operator="LessThanThreshold",
            threshold=1,
            evaluation_periods=periods,
            datapoints_to_alarm=periods,
            treat_missing_data="breaching",
        )
