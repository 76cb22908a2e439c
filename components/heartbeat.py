"""Source-side heartbeats: a small tagged event every few minutes, archived like any other log.

Per source region, an EventBridge rule with a schedule expression writes one event into the
log group ``naming.heartbeat_log_group(region)``, which is subscribed to the region's
destination like every other log group. When the archive stops seeing a pair's heartbeats, a
hop between this account and the bucket is broken (``components.arrival`` alarms on it).

Why an EventBridge rule and not EventBridge Scheduler's universal target
(``arn:aws:scheduler:::aws-sdk:cloudwatchlogs:putLogEvents``): ``PutLogEvents`` needs each
event's ``timestamp`` as epoch milliseconds (a JSON number) and refuses events older than 14
days or the retention. Scheduler substitutes its context attributes
(``<aws.scheduler.scheduled-time>``) only as ISO-8601 strings into a static input, so a schedule
could send only a fixed timestamp, which PutLogEvents rejects two weeks after deployment. A rule's
native CloudWatch Logs target takes the event's ``time`` (ISO-8601) as the log event's timestamp
itself. Neither path runs a function; the rule needs no role at all (EventBridge writes under the
log group's resource policy, scoped to this rule's ARN and this account).

Message (a string holding a JSON object)::

    {"logArchiveHeartbeat": true, "account": "111111111111", "region": "ap-northeast-1",
     "time": "2026-12-01T20:40:00Z", "id": "<EventBridge event id, unique per heartbeat>"}
"""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_aws as aws

from components import naming
from components.event_log_policy import rule_writes

HEARTBEAT_MINUTES_KEY = "heartbeatMinutes"
DEFAULT_HEARTBEAT_MINUTES = 5
MAX_HEARTBEAT_MINUTES = 60
"""An hour: rarer heartbeats would make the archive's lateness alarm slower than an hour."""
HEARTBEAT_RETENTION_DAYS = 365
"""A year (Security Hub CloudWatch.16): about 30 MB a year at one event every 5 minutes."""
RULE_NAME = "log-archive-heartbeat"
"""Physical name of the schedule rule (one per account and region)."""
RESOURCE_POLICY_NAME = "log-archive-heartbeat"
"""Physical name of the log group resource policy (AWS allows 10 per account and region)."""
TARGET_ID = "heartbeat-log-group"
INPUT_PATHS = {"account": "$.account", "region": "$.region", "time": "$.time", "id": "$.id"}
INPUT_TEMPLATE = (
    '{"timestamp": <time>, "message": "{\\"'
    + naming.HEARTBEAT_MARKER
    + '\\": true, \\"account\\": \\"<account>\\", \\"region\\": \\"<region>\\", '
    '\\"time\\": \\"<time>\\", \\"id\\": \\"<id>\\"}"}'
)
"""A CloudWatch Logs target accepts only ``{"timestamp": <time>, "message": <string>}``
(PutTargets API reference): the message is the heartbeat JSON, escaped into a string."""


def has_own_filter(minutes: int, account_policy_filter_pattern: str | None) -> bool:
    """Whether heartbeats are on (``minutes``) and their log group gets a subscription filter of
    its own, which an account policy then leaves out; ``account_policy_filter_pattern`` is
    ``None`` without an account policy.

    An account policy that sends every event (pattern ``""``) subscribes the heartbeat log group
    itself: the heartbeat then travels the same path as every covered log group, so removing the
    policy silences the heartbeat and its arrival alarm fires. A narrower pattern could drop the
    heartbeat, so then it keeps its own filter, and the heartbeat no longer proves the account
    policy (docs/operations.md names the alarm that does)."""
    return minutes != 0 and account_policy_filter_pattern != ""


def schedule_expression(minutes: int) -> str:
    """``rate(1 minute)`` or ``rate(<n> minutes)``: EventBridge refuses the other number."""
    return "rate(1 minute)" if minutes == 1 else f"rate({minutes} minutes)"


def rule_description(region: str, minutes: int) -> str:
    return (
        f"Writes a log-archive heartbeat into {naming.heartbeat_log_group(region)} every {minutes} minute(s)."
    )


def rule_arn(partition: str, account_id: str, region: str) -> str:
    return f"arn:{partition}:events:{region}:{account_id}:rule/{RULE_NAME}"


def log_group_arn(partition: str, account_id: str, region: str) -> str:
    return f"arn:{partition}:logs:{region}:{account_id}:log-group:{naming.heartbeat_log_group(region)}"


def log_resource_policy(partition: str, account_id: str, region: str) -> dict[str, Any]:
    """Lets EventBridge write into the heartbeat log group, for this account's heartbeat rule only."""
    return rule_writes(
        "HeartbeatRuleWritesHeartbeats",
        log_group_arn(partition, account_id, region),
        rule_arn(partition, account_id, region),
        account_id,
    )


def heartbeat_resources(
    component: str,
    *,
    partition: str,
    account_id: str,
    region: str,
    minutes: int,
    destination: pulumi.Input[str],
    filter_name: str,
    role_arn: pulumi.Output[str] | None,
    depends_on: list[pulumi.Resource],
    own_filter: bool,
    parent: pulumi.Resource,
) -> aws.cloudwatch.LogSubscriptionFilter | None:
    """The heartbeat log group of ``region``, its schedule rule and target, and (``own_filter``)
    its subscription filter, returned so that an account policy leaving the group out waits for
    it; without one, the account policy subscribes the group."""
    name = naming.heartbeat_log_group(region)

    def child(**options: Any) -> pulumi.ResourceOptions:
        return pulumi.ResourceOptions(parent=parent, **options)

    log_group = aws.cloudwatch.LogGroup(
        f"{component}-heartbeat-group-{region}",
        name=name,
        retention_in_days=HEARTBEAT_RETENTION_DAYS,
        region=region,
        opts=child(retain_on_delete=True),
    )
    policy = aws.cloudwatch.LogResourcePolicy(
        f"{component}-heartbeat-policy-{region}",
        policy_name=RESOURCE_POLICY_NAME,
        policy_document=pulumi.Output.json_dumps(log_resource_policy(partition, account_id, region)),
        region=region,
        opts=child(),
    )
    rule = aws.cloudwatch.EventRule(
        f"{component}-heartbeat-rule-{region}",
        name=RULE_NAME,
        description=rule_description(region, minutes),
        schedule_expression=schedule_expression(minutes),
        state="ENABLED",
        region=region,
        opts=child(),
    )
    aws.cloudwatch.EventTarget(
        f"{component}-heartbeat-target-{region}",
        rule=rule.name,
        target_id=TARGET_ID,
        arn=log_group_arn(partition, account_id, region),
        input_transformer={"input_paths": INPUT_PATHS, "input_template": INPUT_TEMPLATE},
        region=region,
        opts=child(depends_on=[log_group, policy]),
    )
    if not own_filter:
        return None
    return aws.cloudwatch.LogSubscriptionFilter(
        naming.subscription_filter_resource(component, region, name),
        name=filter_name,
        log_group=log_group.name,
        destination_arn=destination,
        filter_pattern="",
        role_arn=role_arn,
        region=region,
        opts=child(depends_on=depends_on, delete_before_replace=False),
    )
