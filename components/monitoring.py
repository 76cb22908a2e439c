"""Delivery-health alarms for one regional Firehose stream, sent to that region's SNS topic."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

FRESHNESS_SLACK_SECONDS = 900
"""How far past the buffer interval the oldest record may be before the archive is late."""
PERIOD_SECONDS = 300


@dataclass(frozen=True)
class AlarmSpec:
    suffix: str
    metric: str
    statistic: str
    comparison: str
    threshold: float
    evaluation_periods: int
    description: str
    treat_missing_data: str = "notBreaching"
    """``breaching`` for an alarm on silence: no datapoint at all is what it watches for."""
    datapoints_to_alarm: int | None = None
    """Default: every one of ``evaluation_periods``."""


def alarm_specs(buffering_interval_seconds: int, partitioned: bool) -> list[AlarmSpec]:
    """The alarms of one stream; the freshness threshold follows the buffer interval."""
    specs = [
        AlarmSpec(
            "data-freshness",
            "DeliveryToS3.DataFreshness",
            "Maximum",
            "GreaterThanThreshold",
            buffering_interval_seconds + FRESHNESS_SLACK_SECONDS,
            1,
            "The oldest record waiting in Firehose is older than the buffer interval plus 15 "
            "minutes: S3 delivery is failing or falling behind.",
        ),
        AlarmSpec(
            "delivery-success",
            "DeliveryToS3.Success",
            "Minimum",
            "LessThanThreshold",
            1,
            3,
            "S3 PutObject calls have been failing for 15 minutes (bucket policy, KMS key, Object "
            "Lock). Firehose retries for up to 24 hours, then writes to the error prefix.",
        ),
        AlarmSpec(
            "throttled-records",
            "ThrottledRecords",
            "Sum",
            "GreaterThanThreshold",
            0,
            1,
            "Firehose is throttling records: raise the stream's throughput quota.",
        ),
        AlarmSpec(
            "decompression-failed",
            "OutputDecompressedRecords.Failed",
            "Sum",
            "GreaterThanThreshold",
            0,
            1,
            "Records failed decompression and went to the error prefix: only CloudWatch Logs "
            "subscription data may reach this stream.",
        ),
    ]
    if partitioned:
        specs.append(
            AlarmSpec(
                "partition-count-exceeded",
                "PartitionCountExceeded",
                "Sum",
                "GreaterThanThreshold",
                0,
                1,
                "More active partitions (account x log group x day) than the stream allows: "
                "records went to the error prefix. Raise the partition quota.",
            )
        )
    return specs


def silence_spec(silence_minutes: int) -> AlarmSpec:
    """The stream received no record at all for ``silence_minutes`` (a multiple of the period)."""
    periods = silence_minutes * 60 // PERIOD_SECONDS
    return AlarmSpec(
        "no-incoming-records",
        "IncomingRecords",
        "Sum",
        "LessThanThreshold",
        1,
        periods,
        f"No record reached the stream for {silence_minutes} minutes: every source of this region "
        "is cut off (destination, destination policy, logs role) or sends nothing, heartbeats "
        "included.",
        treat_missing_data="breaching",
        datapoints_to_alarm=periods,
    )


def stream_alarms(
    *,
    name: str,
    region: str,
    stream_name: str,
    topic_arn: pulumi.Input[str],
    specs: list[AlarmSpec],
    parent: pulumi.Resource,
) -> list[aws.cloudwatch.MetricAlarm]:
    """One ``MetricAlarm`` per spec on ``stream_name``, alarming and recovering to ``topic_arn``.

    Alarm names follow the region, not the stream: a layout switch renames the stream, and a
    renamed alarm would be replaced delete-first (an explicit name), leaving the region unwatched.
    """
    return [
        aws.cloudwatch.MetricAlarm(
            f"{name}-{spec.suffix}-{region}",
            name=f"{name}-{region}-{spec.suffix}",
            alarm_description=spec.description,
            namespace="AWS/Firehose",
            metric_name=spec.metric,
            dimensions={"DeliveryStreamName": stream_name},
            statistic=spec.statistic,
            period=PERIOD_SECONDS,
            evaluation_periods=spec.evaluation_periods,
            datapoints_to_alarm=spec.datapoints_to_alarm,
            comparison_operator=spec.comparison,
            threshold=spec.threshold,
            treat_missing_data=spec.treat_missing_data,
            alarm_actions=[topic_arn],
            ok_actions=[topic_arn],
            region=region,
            opts=pulumi.ResourceOptions(parent=parent),
        )
        for spec in specs
    ]
