"""The CloudFormation template the organization stack's StackSet deploys into every enrolled
account and region, built as data from the same builders ``LogSource`` uses.

One template, deployed to every target region of every account of the target OUs:

- ``SubscriptionRole`` (``AWS::IAM::Role``), the role CloudWatch Logs assumes in the account
  (organization form), with ``source_policies``' trust (confused-deputy ``aws:SourceArn``
  condition) and permissions. IAM is global, so the role exists only in the stack of the home
  region (``Condition: IsHomeRegion``, ``AWS::Region`` equal to the ``HomeRegion`` parameter);
  its name is fixed (``ROLE_NAME``) so every region's policy can name its ARN.
- ``AccountPolicy`` (``AWS::Logs::AccountPolicy``, ``SUBSCRIPTION_FILTER_POLICY``, scope
  ``ALL``), the document of ``account_policy.policy_document`` with the archive's destination of
  the stack's region (``Mappings``) and the role ARN; in the home region through ``Fn::GetAtt``
  so CloudFormation creates the role first.
- With heartbeats on, ``components.heartbeat``'s resources per region: ``HeartbeatLogGroup``
  (retained), ``HeartbeatResourcePolicy``, ``HeartbeatRule`` (its one target the log group) and,
  unless the account policy carries the heartbeat (``heartbeat.has_own_filter``),
  ``HeartbeatSubscriptionFilter``, named as the source stack names it (``Mappings``); the account
  policy then excludes the heartbeat log group and waits for that filter.

Why one stack set with a region condition rather than a second single-region stack set for the
role: one template, one auto-deployment and one set of operation preferences; the home region is
deployed first (``SEQUENTIAL`` region order starting with it), so other regions' policies find
the role. ``docs/organization.md`` discusses the trade-off.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from components import account_policy, heartbeat, naming, source_policies, subscription_changes
from components.validation import PARTITION

ROLE_NAME = "log-archive-subscription"
"""The subscription role's physical name in every enrolled account (deterministic: the account
policies of the other regions reference ``arn:aws:iam::<account>:role/log-archive-subscription``)."""
POLICY_NAME = "log-archive-stackset"
"""The StackSet's account policy name; distinct from ``naming.ACCOUNT_POLICY_NAME`` (the source
stack's), so an account policy of a source stack in an enrolled account is a second policy,
which AWS refuses, rather than an upsert that silently overwrites the StackSet's."""
ROLE_POLICY_NAME = "forward-subscribed-log-events"
CHANGE_RULE_NAME = "log-archive-stackset-changes"
"""The StackSet's change rule: not ``subscription_changes.BUS_NAME``, the name a source stack in an
enrolled account gives its own (PutRule upserts by name)."""
CHANGE_ROLE_NAME = "log-archive-stackset-change-forwarding"
CHANGE_ROLE_POLICY_NAME = "put-events-on-the-archive-change-buses"
DESTINATION_PLACEHOLDER = "arn:aws:logs:region:000000000000:destination:placeholder"
"""Stands for the region's destination while the change pattern is built, then replaced by the
``Destinations`` mapping's value."""
ACCOUNT_ID = "${AWS::AccountId}"
REGION = "${AWS::Region}"
PSEUDO_PARAMETER = "${AWS::"
HOME_CONDITION = "IsHomeRegion"
TEMPLATE_BODY_LIMIT = 51_200
"""Bytes of a template body passed inline (``TemplateBody`` of CreateStackSet / UpdateStackSet,
CloudFormation quotas: 51,200 bytes; 1 MB only from S3 through ``TemplateURL``)."""


def _substituted(value: Any) -> Any:
    """``value`` with every string that names a pseudo parameter (``${AWS::AccountId}``,
    ``${AWS::Region}``) wrapped in ``Fn::Sub``."""
    if isinstance(value, str):
        return {"Fn::Sub": value} if PSEUDO_PARAMETER in value else value
    if isinstance(value, list):
        return [_substituted(item) for item in value]
    if isinstance(value, dict):
        return {key: _substituted(item) for key, item in value.items()}
    return value


def _sub_literal(text: str) -> str:
    """``text`` as a literal inside ``Fn::Sub`` (``${`` is written ``${!``)."""
    return text.replace("${", "${!")


def _destination(field: str) -> dict[str, Any]:
    return {"Fn::FindInMap": ["Destinations", {"Ref": "AWS::Region"}, field]}


def _role_arn(resource: str, role_name: str) -> dict[str, Any]:
    """The ARN of the role ``resource`` (physical name ``role_name``): from the resource in the
    home region, where the stack creates it, from its deterministic name elsewhere."""
    return {
        "Fn::If": [
            HOME_CONDITION,
            {"Fn::GetAtt": [resource, "Arn"]},
            {"Fn::Sub": f"arn:{PARTITION}:iam::{ACCOUNT_ID}:role/{role_name}"},
        ]
    }


def _heartbeat_resources(minutes: int, own_filter: bool) -> dict[str, Any]:
    """The heartbeat of ``components.heartbeat`` for the stack's account and region."""
    resources: dict[str, Any] = {
        "HeartbeatLogGroup": {
            "Type": "AWS::Logs::LogGroup",
            "DeletionPolicy": "Retain",
            "UpdateReplacePolicy": "Retain",
            "Properties": {
                "LogGroupName": _substituted(naming.heartbeat_log_group(REGION)),
                "RetentionInDays": heartbeat.HEARTBEAT_RETENTION_DAYS,
            },
        },
        "HeartbeatResourcePolicy": {
            "Type": "AWS::Logs::ResourcePolicy",
            "Properties": {
                "PolicyName": heartbeat.RESOURCE_POLICY_NAME,
                "PolicyDocument": _substituted(
                    json.dumps(
                        heartbeat.log_resource_policy(PARTITION, ACCOUNT_ID, REGION), separators=(",", ":")
                    )
                ),
            },
        },
        "HeartbeatRule": {
            "Type": "AWS::Events::Rule",
            "DependsOn": ["HeartbeatLogGroup", "HeartbeatResourcePolicy"],
            "Properties": {
                "Name": heartbeat.RULE_NAME,
                "Description": _substituted(heartbeat.rule_description(REGION, minutes)),
                "ScheduleExpression": heartbeat.schedule_expression(minutes),
                "State": "ENABLED",
                "Targets": [
                    {
                        "Id": heartbeat.TARGET_ID,
                        "Arn": _substituted(heartbeat.log_group_arn(PARTITION, ACCOUNT_ID, REGION)),
                        "InputTransformer": {
                            "InputPathsMap": heartbeat.INPUT_PATHS,
                            "InputTemplate": heartbeat.INPUT_TEMPLATE,
                        },
                    }
                ],
            },
        },
    }
    if own_filter:
        resources["HeartbeatSubscriptionFilter"] = {
            "Type": "AWS::Logs::SubscriptionFilter",
            "Properties": {
                "FilterName": _destination("FilterName"),
                "LogGroupName": {"Ref": "HeartbeatLogGroup"},
                "DestinationArn": _destination("Arn"),
                "FilterPattern": "",
                "RoleArn": _role_arn("SubscriptionRole", ROLE_NAME),
            },
        }
    return resources


def _change_forwarding(
    regions: Sequence[str], change_bus_arns: Mapping[str, str], watched: list[str]
) -> dict[str, Any]:
    """``components.subscription_changes`` for the stack's account and region: a rule forwarding
    the calls that end archiving (the StackSet's policy deleted, the heartbeat's filter or group
    deleted) to the archive's change bus, with a role created once, in the home region."""
    [text] = subscription_changes.source_patterns(DESTINATION_PLACEHOLDER, watched)
    pattern = json.loads(text.replace(f'"{DESTINATION_PLACEHOLDER}"', json.dumps(_destination("Arn"))))
    return {
        "ChangeForwardingRole": {
            "Type": "AWS::IAM::Role",
            "Condition": HOME_CONDITION,
            "Properties": {
                "RoleName": CHANGE_ROLE_NAME,
                "Description": "Lets EventBridge forward log-archive subscription changes to the "
                "archive account.",
                "AssumeRolePolicyDocument": _substituted(
                    subscription_changes.forwarding_trust_policy(PARTITION, ACCOUNT_ID, CHANGE_RULE_NAME)
                ),
                "Policies": [
                    {
                        "PolicyName": CHANGE_ROLE_POLICY_NAME,
                        "PolicyDocument": subscription_changes.forwarding_permissions(
                            [change_bus_arns[region] for region in regions]
                        ),
                    }
                ],
            },
        },
        "ChangeRule": {
            "Type": "AWS::Events::Rule",
            "Properties": {
                "Name": CHANGE_RULE_NAME,
                "Description": "Forwards to the log archive the CloudWatch Logs calls that end archiving.",
                "EventPattern": _substituted(pattern),
                "State": "ENABLED",
                "Targets": [
                    {
                        "Id": subscription_changes.TARGET_ID,
                        "Arn": _destination("ChangeBus"),
                        "RoleArn": _role_arn("ChangeForwardingRole", CHANGE_ROLE_NAME),
                    }
                ],
            },
        },
    }


def template(
    regions: Sequence[str],
    *,
    destination_arns: Mapping[str, str],
    change_bus_arns: Mapping[str, str],
    filter_pattern: str,
    excluded_log_groups: Sequence[str],
    heartbeat_minutes: int,
) -> dict[str, Any]:
    """The template for ``regions`` (the first is the home region) as a dict.

    ``destination_arns`` and ``change_bus_arns`` map each region to the archive's destination
    and change bus there; ``excluded_log_groups`` are left out of the account policy in every
    region; ``heartbeat_minutes`` 0 leaves the heartbeat out.
    """
    home = regions[0]
    own_filter = heartbeat.has_own_filter(heartbeat_minutes, filter_pattern)
    document = account_policy.policy_document("${DestinationArn}", _sub_literal(filter_pattern), "${RoleArn}")
    policy_properties: dict[str, Any] = {
        "PolicyName": POLICY_NAME,
        "PolicyType": account_policy.POLICY_TYPE,
        "Scope": account_policy.SCOPE,
        "PolicyDocument": {
            "Fn::Sub": [
                json.dumps(document, separators=(",", ":")),
                {"DestinationArn": _destination("Arn"), "RoleArn": _role_arn("SubscriptionRole", ROLE_NAME)},
            ]
        },
    }
    policy: dict[str, Any] = {"Type": "AWS::Logs::AccountPolicy", "Properties": policy_properties}
    destinations = {
        region: {"Arn": destination_arns[region], "ChangeBus": change_bus_arns[region]} for region in regions
    }
    heartbeat_exclusion = [naming.heartbeat_log_group(REGION)] if own_filter else []
    criteria = account_policy.selection_criteria([*excluded_log_groups, *heartbeat_exclusion])
    if criteria is not None:
        policy_properties["SelectionCriteria"] = _substituted(criteria)
    if own_filter:
        policy["DependsOn"] = ["HeartbeatSubscriptionFilter"]
        for region, row in destinations.items():
            row["FilterName"] = naming.subscription_filter_name(destination_arns[region])
    resources: dict[str, Any] = {
        "SubscriptionRole": {
            "Type": "AWS::IAM::Role",
            "Condition": HOME_CONDITION,
            "Properties": {
                "RoleName": ROLE_NAME,
                "Description": "Assumed by CloudWatch Logs to subscribe this account's log groups "
                "to the organization-wide log archive.",
                "AssumeRolePolicyDocument": _substituted(
                    source_policies.subscription_role_trust_policy(PARTITION, ACCOUNT_ID, regions)
                ),
                "Policies": [
                    {
                        "PolicyName": ROLE_POLICY_NAME,
                        "PolicyDocument": _substituted(
                            source_policies.subscription_role_permissions(PARTITION, ACCOUNT_ID, regions)
                        ),
                    }
                ],
            },
        },
        "AccountPolicy": policy,
    }
    if heartbeat_minutes:
        resources.update(_heartbeat_resources(heartbeat_minutes, own_filter))
    watched = [naming.heartbeat_log_group(REGION)] if heartbeat_minutes else []
    resources.update(_change_forwarding(regions, change_bus_arns, watched))
    return {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": "log-archive: subscribes every log group of this account and region to the "
        "organization's log archive (account-level subscription filter policy).",
        "Parameters": {
            "HomeRegion": {
                "Type": "String",
                "Default": home,
                "AllowedValues": list(regions),
                "Description": "The one region whose stack creates the (global) subscription role.",
            }
        },
        "Mappings": {"Destinations": destinations},
        "Conditions": {HOME_CONDITION: {"Fn::Equals": [{"Ref": "AWS::Region"}, {"Ref": "HomeRegion"}]}},
        "Resources": resources,
    }


def template_body(template_document: Mapping[str, Any]) -> str:
    """The body passed to CloudFormation: compact JSON, sorted keys (stable diffs)."""
    return json.dumps(template_document, separators=(",", ":"), sort_keys=True)
