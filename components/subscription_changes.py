"""An alarm in the archive account on every change that ends a log group's archiving.

Heartbeats prove an account's path, not each subscription: a deleted application filter, a
filter pointed elsewhere, a deleted account policy or a subscribed log group deleted (re-created
by its owner without a filter) stop that log group's events and nothing else. CloudWatch Logs
metrics cannot tell such a log group from a quiet one, so this watches the API calls instead:

- CloudTrail records every CloudWatch Logs management call, and EventBridge receives it on the
  source account's default bus as *AWS API Call via CloudTrail*. That needs a trail logging
  management events in the region (an organization trail counts); ``tools.verify_delivery``
  checks it.
- Per source region, rules on the default bus (``source_patterns``) match the successful calls
  that end archiving and forward them, with a role, to the archive account's bus ``BUS_NAME``
  in the same region.
- There, per source region, a rule writes every forwarded event into ``CHANGES_LOG_GROUP`` (who
  did what to which log group, in which account) and an alarm on the rule's ``MatchedEvents``
  notifies the region's alarm topic within one period.

No function runs anywhere; cost is an alarm per region and EventBridge's cross-account events
(docs/cost.md).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import pulumi
import pulumi_aws as aws

from components import naming
from components.event_log_policy import rule_writes
from components.monitoring import PERIOD_SECONDS

BUS_NAME = "log-archive-subscription-changes"
"""The archive account's bus in each source region, and the name of the rules on both sides."""
CHANGES_LOG_GROUP = "/log-archive/subscription-changes"
"""Where the archive keeps every forwarded change event, in the region it came from."""
CHANGES_RETENTION_DAYS = 3653
"""Ten years: the record of who stopped archiving what is itself audit evidence."""
RESOURCE_POLICY_NAME = "log-archive-subscription-changes"
"""Physical name of the archive's log resource policy letting the rule write the record."""
TARGET_ID = "archive-account"
RECORD_TARGET_ID = "change-record"
MAX_EVENT_PATTERN = 4096
"""Characters of an event pattern (botocore's ``events`` model, ``EventPattern`` max)."""


def bus_arn(partition: str, account_id: str, region: str) -> str:
    return f"arn:{partition}:events:{region}:{account_id}:event-bus/{BUS_NAME}"


def source_rule_name(index: int) -> str:
    """``log-archive-subscription-changes`` for the first rule, ``...-<n>`` for the others."""
    return BUS_NAME if index == 0 else f"{BUS_NAME}-{index + 1}"


def source_patterns(destination_arn: str, log_groups: Sequence[str]) -> list[str]:
    """The event patterns of one source region's rules, as the JSON text sent to EventBridge.

    The first matches a deleted subscription filter or account policy of this project (names
    start with ``log-archive``, the StackSet's too), a filter of this project put with another
    destination than ``destination_arn``, and the deletion of one of ``log_groups``. Names that
    do not fit in ``MAX_EVENT_PATTERN`` characters go to further patterns of deletions only.
    """
    prefix = [{"prefix": naming.SUBSCRIPTION_FILTER_PREFIX}]
    changes: list[dict[str, Any]] = [
        {"eventName": ["DeleteSubscriptionFilter"], "requestParameters": {"filterName": prefix}},
        {
            "eventName": ["PutSubscriptionFilter"],
            "requestParameters": {
                "filterName": prefix,
                "destinationArn": [{"anything-but": destination_arn}],
            },
        },
        {
            "eventName": ["DeleteAccountPolicy"],
            "requestParameters": {"policyName": [{"prefix": naming.ACCOUNT_POLICY_NAME}]},
        },
    ]
    patterns: list[str] = []
    names: list[str] = []
    size = 0
    for name in sorted(set(log_groups)):
        if names and size + len(json.dumps(name)) + 1 > MAX_EVENT_PATTERN:
            patterns.append(_pattern(changes, names))
            changes, names = [], []
        names.append(name)
        size = len(_pattern(changes, names)) if len(names) == 1 else size + len(json.dumps(name)) + 1
    patterns.append(_pattern(changes, names))
    return patterns


def _pattern(changes: list[dict[str, Any]], deleted_log_groups: list[str]) -> str:
    calls = list(changes)
    if deleted_log_groups:
        calls.append(
            {"eventName": ["DeleteLogGroup"], "requestParameters": {"logGroupName": deleted_log_groups}}
        )
    detail = {"$or": calls} if len(calls) > 1 else calls[0]
    pattern = {
        "source": ["aws.logs"],
        "detail-type": ["AWS API Call via CloudTrail"],
        "detail": {"eventSource": ["logs.amazonaws.com"], "errorCode": [{"exists": False}], **detail},
    }
    return json.dumps(pattern, separators=(",", ":"))


def forwarding_trust_policy(partition: str, account_id: str, rule_prefix: str = BUS_NAME) -> dict[str, Any]:
    """EventBridge may assume the forwarding role for this account's rules named ``rule_prefix*``."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "EventBridgeForwardsSubscriptionChanges",
                "Effect": "Allow",
                "Principal": {"Service": "events.amazonaws.com"},
                "Action": "sts:AssumeRole",
                "Condition": {
                    "StringEquals": {"aws:SourceAccount": account_id},
                    "ArnLike": {
                        "aws:SourceArn": f"arn:{partition}:events:*:{account_id}:rule/{rule_prefix}*"
                    },
                },
            }
        ],
    }


def forwarding_permissions(bus_arns: Sequence[str]) -> dict[str, Any]:
    """``events:PutEvents`` on the archive's change buses of the source regions, nothing else."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "PutEventsOnTheArchiveChangeBuses",
                "Effect": "Allow",
                "Action": "events:PutEvents",
                "Resource": sorted(bus_arns),
            }
        ],
    }


def bus_policy(
    partition: str,
    account_id: str,
    region: str,
    source_account_ids: Sequence[str],
    organization_id: str | None,
) -> dict[str, Any]:
    """Who may put events on the change bus of ``region``: the listed source accounts and, in the
    organization form, any principal of the organization (``aws:PrincipalOrgID``)."""
    resource = bus_arn(partition, account_id, region)
    statements: list[dict[str, Any]] = []
    if source_account_ids:
        statements.append(
            {
                "Sid": "SourceAccountsForwardSubscriptionChanges",
                "Effect": "Allow",
                "Principal": {"AWS": [f"arn:{partition}:iam::{a}:root" for a in sorted(source_account_ids)]},
                "Action": "events:PutEvents",
                "Resource": resource,
            }
        )
    if organization_id is not None:
        statements.append(
            {
                "Sid": "OrganizationForwardsSubscriptionChanges",
                "Effect": "Allow",
                "Principal": "*",
                "Action": "events:PutEvents",
                "Resource": resource,
                "Condition": {"StringEquals": {"aws:PrincipalOrgID": organization_id}},
            }
        )
    return {"Version": "2012-10-17", "Statement": statements}


def archive_rule_arn(partition: str, account_id: str, region: str) -> str:
    return f"arn:{partition}:events:{region}:{account_id}:rule/{BUS_NAME}/{BUS_NAME}"


def record_policy(partition: str, account_id: str, region: str) -> dict[str, Any]:
    """Lets the archive's change rule of ``region`` (and only it) write the change record."""
    return rule_writes(
        "ChangeRuleWritesTheRecord",
        f"arn:{partition}:logs:{region}:{account_id}:log-group:{CHANGES_LOG_GROUP}",
        archive_rule_arn(partition, account_id, region),
        account_id,
    )


ARCHIVE_PATTERN = json.dumps({"source": ["aws.logs"], "detail-type": ["AWS API Call via CloudTrail"]})
"""What the archive's rule matches on its bus: every forwarded change (the bus policy decides
who may forward)."""


def archive_change_watch(
    component: str,
    *,
    partition: str,
    account_id: str,
    region: str,
    source_account_ids: Sequence[str],
    organization_id: str | None,
    topic_arn: pulumi.Input[str],
    parent: pulumi.Resource,
) -> aws.cloudwatch.EventBus:
    """The change bus of ``region``, its policy, the record, the rule and the alarm."""

    def child(**options: Any) -> pulumi.ResourceOptions:
        return pulumi.ResourceOptions(parent=parent, **options)

    bus = aws.cloudwatch.EventBus(
        f"{component}-change-bus-{region}",
        name=BUS_NAME,
        description="Source accounts forward the CloudWatch Logs calls that end a log group's archiving.",
        region=region,
        opts=child(),
    )
    aws.cloudwatch.EventBusPolicy(
        f"{component}-change-bus-policy-{region}",
        event_bus_name=BUS_NAME,
        policy=json.dumps(bus_policy(partition, account_id, region, source_account_ids, organization_id)),
        region=region,
        opts=child(depends_on=[bus]),
    )
    record = aws.cloudwatch.LogGroup(
        f"{component}-change-record-{region}",
        name=CHANGES_LOG_GROUP,
        retention_in_days=CHANGES_RETENTION_DAYS,
        region=region,
        opts=child(retain_on_delete=True),
    )
    record_access = aws.cloudwatch.LogResourcePolicy(
        f"{component}-change-record-policy-{region}",
        policy_name=RESOURCE_POLICY_NAME,
        policy_document=json.dumps(record_policy(partition, account_id, region)),
        region=region,
        opts=child(),
    )
    rule = aws.cloudwatch.EventRule(
        f"{component}-change-rule-{region}",
        name=BUS_NAME,
        event_bus_name=BUS_NAME,
        description=f"Every forwarded subscription change; kept in {CHANGES_LOG_GROUP}.",
        event_pattern=ARCHIVE_PATTERN,
        state="ENABLED",
        region=region,
        opts=child(depends_on=[bus]),
    )
    aws.cloudwatch.EventTarget(
        f"{component}-change-record-target-{region}",
        rule=rule.name,
        event_bus_name=BUS_NAME,
        target_id=RECORD_TARGET_ID,
        arn=record.arn,
        region=region,
        opts=child(depends_on=[record_access]),
    )
    aws.cloudwatch.MetricAlarm(
        f"{component}-subscription-changes-{region}",
        name=f"{component}-{region}-subscription-changes",
        alarm_description=f"A source account in {region} deleted a log-archive subscription filter or "
        "account policy, pointed a filter elsewhere, or deleted a subscribed log group: that log "
        f"group is no longer archived. Who and what: log group {CHANGES_LOG_GROUP} in {region} of "
        "the archive account (docs/operations.md, 'Which alarm catches which failure').",
        namespace="AWS/Events",
        metric_name="MatchedEvents",
        dimensions={"EventBusName": BUS_NAME, "RuleName": BUS_NAME},
        statistic="Sum",
        period=PERIOD_SECONDS,
        evaluation_periods=1,
        comparison_operator="GreaterThanThreshold",
        threshold=0,
        treat_missing_data="notBreaching",
        alarm_actions=[topic_arn],
        ok_actions=[topic_arn],
        region=region,
        opts=child(),
    )
    return bus


def source_change_forwarding(
    component: str,
    *,
    partition: str,
    account_id: str,
    bus_arns: Mapping[str, str],
    destination_arns: Mapping[str, str],
    log_groups: Sequence[str],
    heartbeats: bool,
    secret: bool,
    parent: pulumi.Resource,
) -> None:
    """The forwarding role and, per region of ``destination_arns``, the change rules forwarding to
    that region's archive bus (``bus_arns``). Watched for deletion in each region: ``log_groups``
    and, with ``heartbeats``, the region's heartbeat log group. ``secret`` keeps the patterns
    (they name the destination) secret."""

    def child(**options: Any) -> pulumi.ResourceOptions:
        return pulumi.ResourceOptions(parent=parent, **options)

    role = aws.iam.Role(
        f"{component}-change-forwarding-role",
        description="Lets EventBridge forward log-archive subscription changes to the archive account.",
        assume_role_policy=json.dumps(forwarding_trust_policy(partition, account_id)),
        opts=child(),
    )
    permissions = aws.iam.RolePolicy(
        f"{component}-change-forwarding-policy",
        role=role.id,
        policy=json.dumps(forwarding_permissions([bus_arns[region] for region in destination_arns])),
        opts=child(),
    )
    for region, destination_arn in destination_arns.items():
        watched = [*log_groups, naming.heartbeat_log_group(region)] if heartbeats else log_groups
        for index, pattern in enumerate(source_patterns(destination_arn, watched)):
            rule = aws.cloudwatch.EventRule(
                f"{component}-change-rule-{region}-{index + 1}",
                name=source_rule_name(index),
                description="Forwards to the log archive the CloudWatch Logs calls that end archiving.",
                event_pattern=pulumi.Output.secret(pattern) if secret else pattern,
                state="ENABLED",
                region=region,
                opts=child(),
            )
            aws.cloudwatch.EventTarget(
                f"{component}-change-target-{region}-{index + 1}",
                rule=rule.name,
                target_id=TARGET_ID,
                arn=bus_arns[region],
                role_arn=role.arn,
                region=region,
                opts=child(depends_on=[permissions]),
            )
