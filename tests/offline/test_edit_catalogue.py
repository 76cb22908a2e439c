"""The edit catalogue: realistic edits to both stacks, each simulated from deployed to edited.

Every edit starts from ``Pulumi.account-a.yaml`` / ``Pulumi.account-b.yaml`` with a few keys
overridden, evaluates the deployed and the edited configuration offline and runs the replacement
simulator on the two. A source stack reads the archive's outputs from an offline run of the
archive stack (its own overrides per edit). Each edit states its verdict and the exact steps
``pulumi up`` takes, in order; docs/change-safety.md embeds the table generated from this list.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pytest

from offline.mocks import Registration
from offline.program import run_program
from offline.replacement import FILTER, TYPES, Action, Kind, Report, Verdict, simulate

pytestmark = pytest.mark.xdist_group("edit-catalogue")
"""One worker evaluates the catalogue: its program runs are cached per process, and each edit's
runs serve four tests."""

SOURCE = "account-a"
ARCHIVE = "account-b"
ARCHIVE_REFERENCE = "organization/log-archive/account-b"
ORGANIZATION = "organization"
ORGANIZATION_ARCHIVE = {"organizationId": "o-abcd123456", "sourceRegions": ["ap-northeast-1", "us-east-1"]}
TOKYO, VIRGINIA = "ap-northeast-1", "us-east-1"
DOC = Path(__file__).resolve().parents[2] / "docs" / "change-safety.md"
KEY_ARN = "arn:aws:kms:ap-northeast-1:222222222222:key/1234abcd-12ab-34cd-56ef-1234567890ab"
DESTROY = {"__destroy__": True}
"""An ``after`` that stands for ``pulumi destroy``: nothing left in the program."""


@dataclass(frozen=True)
class Edit:
    id: str
    stack: str
    summary: str
    """The edit, in the words of the person making it."""
    verdict: Verdict
    steps: tuple[str, ...]
    """Every step ``pulumi up`` takes, in order (``forget`` is a retained delete)."""
    before: Mapping[str, Any] = field(default_factory=dict[str, Any])
    after: Mapping[str, Any] = field(default_factory=dict[str, Any])
    archive_before: Mapping[str, Any] = field(default_factory=dict[str, Any])
    """Overrides of the archive stack whose outputs a source edit starts from."""
    archive_after: Mapping[str, Any] | None = None
    """Overrides of the archive stack after the edit; default: ``archive_before``."""
    legacy_filter_names: bool = False
    """Deployed with the previous version: every filter named ``log-archive``, deleted first."""
    gap: str | None = None
    """For a ``gap`` verdict: the scope and length of the gap, and how to recover the window."""


TWO_GROUPS = [{"name": "delivery-test"}, {"name": "/app/web", "filterPattern": "?ERROR ?WARN"}]
CREATED = [{"name": "delivery-test"}, {"name": "/app/web", "create": True, "retentionDays": 30}]
POLICY = {"filterPattern": ""}
EXCLUDING = {"filterPattern": "", "excludeLogGroups": ["/aws/lambda/noisy"]}
BOTH_REGIONS = {"sourceRegions": [TOKYO, VIRGINIA]}

FILTER_TOKYO = "log-source-filter-ap-northeast-1-delivery-test"
WEB_FILTER = "log-source-filter-ap-northeast-1-/app/web"
WEB_GROUP = "log-source-group-ap-northeast-1-/app/web"
ACCOUNT_POLICY = "log-source-account-policy-ap-northeast-1"
POLICY_UPSERT = (f"create-replacement {ACCOUNT_POLICY} (selectionCriteria)", f"forget {ACCOUNT_POLICY}")
PARTITIONING = (
    "name, extendedS3Configuration.dynamicPartitioningConfiguration, "
    "extendedS3Configuration.dynamicPartitioningConfiguration.enabled"
)

HEARTBEAT_FILTER = f"log-source-filter-{TOKYO}-/log-archive/heartbeat/{TOKYO}"
CHANGE_RULE = f"log-source-change-rule-{TOKYO}-1"
CHANGE_TARGET = f"log-source-change-target-{TOKYO}-1"
FORWARDING_POLICY = "log-source-change-forwarding-policy"
WINDOW_INPUTS = "alarmDescription, datapointsToAlarm, evaluationPeriods"

SOURCE_EDITS = [
    Edit("rename-nothing", SOURCE, "deploy the same configuration again", Verdict.GAP_FREE, ()),
    Edit(
        "add-ou",
        ORGANIZATION,
        "enroll one more OU through the StackSet",
        Verdict.GAP_FREE,
        ("update organization-sources-instances (deploymentTargets)",),
        after={"organizationalUnitIds": ["ou-ab12-cd34ef56", "r-ab12"]},
        archive_before=ORGANIZATION_ARCHIVE,
    ),
    Edit(
        "add-region-to-stack-set",
        ORGANIZATION,
        "subscribe every enrolled account in one more region",
        Verdict.GAP_FREE,
        (
            "update organization-sources-stack-set (operationPreferences, templateBody)",
            "update organization-sources-instances (operationPreferences, regions)",
        ),
        after={"regions": ["ap-northeast-1", "us-east-1"]},
        archive_before=ORGANIZATION_ARCHIVE,
    ),
    Edit(
        "turn-stack-set-heartbeats-off",
        ORGANIZATION,
        "stop the heartbeats of every enrolled account",
        Verdict.GAP_FREE,
        ("update organization-sources-stack-set (templateBody)",),
        after={"heartbeatMinutes": 0},
        archive_before=ORGANIZATION_ARCHIVE,
    ),
    Edit(
        "change-stack-set-heartbeat-interval",
        ORGANIZATION,
        "send the enrolled accounts' heartbeats every 10 minutes instead of 5",
        Verdict.GAP_FREE,
        ("update organization-sources-stack-set (templateBody)",),
        after={"heartbeatMinutes": 10},
        archive_before=ORGANIZATION_ARCHIVE,
    ),
    Edit(
        "add-log-group",
        SOURCE,
        "subscribe one more existing log group",
        Verdict.GAP_FREE,
        (
            f"update {CHANGE_RULE} (eventPattern)",
            f"create {WEB_FILTER}",
        ),
        after={"logGroups": TWO_GROUPS},
    ),
    Edit(
        "add-created-log-group",
        SOURCE,
        "subscribe a log group the stack creates",
        Verdict.GAP_FREE,
        (
            f"update {CHANGE_RULE} (eventPattern)",
            f"create {WEB_GROUP}",
            f"create {WEB_FILTER}",
        ),
        after={"logGroups": CREATED},
    ),
    Edit(
        "remove-log-group",
        SOURCE,
        "stop archiving one log group",
        Verdict.UNSUBSCRIBED_BY_INTENT,
        (
            f"update {CHANGE_RULE} (eventPattern)",
            f"delete {WEB_FILTER}",
        ),
        before={"logGroups": TWO_GROUPS},
    ),
    Edit(
        "remove-created-log-group",
        SOURCE,
        "drop a log group the stack created from logGroups",
        Verdict.RETAINED_LEFTOVER,
        (
            f"update {CHANGE_RULE} (eventPattern)",
            f"delete {WEB_FILTER}",
            f"forget {WEB_GROUP}",
        ),
        before={"logGroups": CREATED},
    ),
    Edit(
        "rename-log-group",
        SOURCE,
        "replace one log group in logGroups by another",
        Verdict.UNSUBSCRIBED_BY_INTENT,
        (
            f"update {CHANGE_RULE} (eventPattern)",
            "create log-source-filter-ap-northeast-1-/app/api",
            f"delete {WEB_FILTER}",
        ),
        before={"logGroups": TWO_GROUPS},
        after={"logGroups": [{"name": "delivery-test"}, {"name": "/app/api"}]},
    ),
    Edit(
        "reorder-log-groups",
        SOURCE,
        "list the same log groups in another order",
        Verdict.GAP_FREE,
        (),
        before={"logGroups": TWO_GROUPS},
        after={"logGroups": TWO_GROUPS[::-1]},
    ),
    Edit(
        "change-filter-pattern",
        SOURCE,
        "archive only errors of a log group",
        Verdict.GAP_FREE,
        (f"update {FILTER_TOKYO} (filterPattern)",),
        after={"logGroups": [{"name": "delivery-test", "filterPattern": "ERROR"}]},
    ),
    Edit(
        "stop-creating-log-group",
        SOURCE,
        "hand a created log group over to another owner (create: false)",
        Verdict.RETAINED_LEFTOVER,
        (f"forget {WEB_GROUP}",),
        before={"logGroups": CREATED},
        after={"logGroups": [{"name": "delivery-test"}, {"name": "/app/web"}]},
    ),
    Edit(
        "change-created-log-group-retention",
        SOURCE,
        "keep a created log group's events longer",
        Verdict.GAP_FREE,
        (f"update {WEB_GROUP} (retentionInDays)",),
        before={"logGroups": CREATED},
        after={
            "logGroups": [
                {"name": "delivery-test"},
                {"name": "/app/web", "create": True, "retentionDays": 90},
            ]
        },
    ),
    Edit(
        "account-policy-on",
        SOURCE,
        "subscribe every log group of the account",
        Verdict.GAP_FREE,
        (
            "create log-source-account-policy-ap-northeast-1",
            f"delete {HEARTBEAT_FILTER}",
        ),
        after={"accountPolicy": POLICY},
    ),
    Edit(
        "account-policy-off",
        SOURCE,
        "remove the account-wide subscription",
        Verdict.RETAINED_LEFTOVER,
        (
            f"create {HEARTBEAT_FILTER}",
            "forget log-source-account-policy-ap-northeast-1",
        ),
        before={"accountPolicy": POLICY},
    ),
    Edit(
        "add-exclusion",
        SOURCE,
        "exclude a noisy log group from the account policy",
        Verdict.GAP_FREE,
        POLICY_UPSERT,
        before={"accountPolicy": POLICY},
        after={"accountPolicy": EXCLUDING},
    ),
    Edit(
        "remove-last-exclusion",
        SOURCE,
        "cover the excluded log group again",
        Verdict.GAP_FREE,
        POLICY_UPSERT,
        before={"accountPolicy": EXCLUDING, "logGroups": None},
        after={"accountPolicy": POLICY, "logGroups": None},
    ),
    Edit(
        "change-account-policy-filter-pattern",
        SOURCE,
        "archive only errors account-wide",
        Verdict.GAP_FREE,
        (
            f"create {HEARTBEAT_FILTER}",
            "create-replacement log-source-account-policy-ap-northeast-1 (selectionCriteria)",
            "forget log-source-account-policy-ap-northeast-1",
        ),
        before={"accountPolicy": POLICY},
        after={"accountPolicy": {"filterPattern": "ERROR"}},
    ),
    Edit(
        "add-log-group-beside-account-policy",
        SOURCE,
        "give one log group its own filter pattern while the account policy runs",
        Verdict.GAP_FREE,
        (
            f"update {CHANGE_RULE} (eventPattern)",
            f"create {WEB_FILTER}",
            "create-replacement log-source-account-policy-ap-northeast-1 (selectionCriteria)",
            "forget log-source-account-policy-ap-northeast-1",
        ),
        before={"accountPolicy": POLICY},
        after={"accountPolicy": POLICY, "logGroups": TWO_GROUPS},
    ),
    Edit(
        "remove-log-group-beside-account-policy",
        SOURCE,
        "return a log group to the account policy's coverage",
        Verdict.GAP_FREE,
        (
            f"update {CHANGE_RULE} (eventPattern)",
            "create-replacement log-source-account-policy-ap-northeast-1 (selectionCriteria)",
            "forget log-source-account-policy-ap-northeast-1",
            f"delete {WEB_FILTER}",
        ),
        before={"accountPolicy": POLICY, "logGroups": TWO_GROUPS},
        after={"accountPolicy": POLICY},
    ),
    Edit(
        "add-region",
        SOURCE,
        "subscribe the same log groups in a second region",
        Verdict.GAP_FREE,
        (
            "create log-source-change-rule-us-east-1-1",
            "create log-source-heartbeat-rule-us-east-1",
            f"update {FORWARDING_POLICY} (policy)",
            "create log-source-change-target-us-east-1-1",
            "create log-source-heartbeat-group-us-east-1",
            "create log-source-heartbeat-policy-us-east-1",
            "create log-source-heartbeat-target-us-east-1",
            "create log-source-filter-us-east-1-/log-archive/heartbeat/us-east-1",
            "create log-source-filter-us-east-1-delivery-test",
        ),
        after={"regions": [TOKYO, VIRGINIA]},
        archive_before=BOTH_REGIONS,
    ),
    Edit(
        "change-heartbeat-interval",
        SOURCE,
        "send a heartbeat every 10 minutes instead of 5",
        Verdict.GAP_FREE,
        ("update log-source-heartbeat-rule-ap-northeast-1 (description, scheduleExpression)",),
        after={"heartbeatMinutes": 10},
    ),
    Edit(
        "turn-heartbeats-on",
        SOURCE,
        "turn heartbeats on in a stack deployed without them",
        Verdict.GAP_FREE,
        (
            f"update {CHANGE_RULE} (eventPattern)",
            "create log-source-heartbeat-rule-ap-northeast-1",
            "create log-source-heartbeat-group-ap-northeast-1",
            "create log-source-heartbeat-policy-ap-northeast-1",
            "create log-source-heartbeat-target-ap-northeast-1",
            f"create {HEARTBEAT_FILTER}",
        ),
        before={"heartbeatMinutes": 0},
    ),
    Edit(
        "turn-heartbeats-off",
        SOURCE,
        "stop sending heartbeats",
        Verdict.RETAINED_LEFTOVER,
        (
            f"update {CHANGE_RULE} (eventPattern)",
            f"delete {HEARTBEAT_FILTER}",
            "delete log-source-heartbeat-target-ap-northeast-1",
            "delete log-source-heartbeat-policy-ap-northeast-1",
            "forget log-source-heartbeat-group-ap-northeast-1",
            "delete log-source-heartbeat-rule-ap-northeast-1",
        ),
        after={"heartbeatMinutes": 0},
    ),
    Edit(
        "remove-region",
        SOURCE,
        "stop archiving one region",
        Verdict.RETAINED_LEFTOVER,
        (
            f"update {FORWARDING_POLICY} (policy)",
            "delete log-source-filter-us-east-1-delivery-test",
            "delete log-source-filter-us-east-1-/log-archive/heartbeat/us-east-1",
            "delete log-source-heartbeat-target-us-east-1",
            "delete log-source-heartbeat-policy-us-east-1",
            "forget log-source-heartbeat-group-us-east-1",
            "delete log-source-change-target-us-east-1-1",
            "delete log-source-heartbeat-rule-us-east-1",
            "delete log-source-change-rule-us-east-1-1",
        ),
        before={"regions": [TOKYO, VIRGINIA]},
        archive_before=BOTH_REGIONS,
    ),
    Edit(
        "change-archive-destination-arns",
        SOURCE,
        "follow the archive to a new log-archive account",
        Verdict.GAP_FREE,
        (
            f"update {CHANGE_RULE} (eventPattern)",
            f"update {FORWARDING_POLICY} (policy)",
            f"update {CHANGE_TARGET} (arn)",
            f"create-replacement {HEARTBEAT_FILTER} (destinationArn, name)",
            f"create-replacement {FILTER_TOKYO} (destinationArn, name)",
            f"delete-replaced {FILTER_TOKYO}",
            f"delete-replaced {HEARTBEAT_FILTER}",
        ),
        archive_after={"aws:allowedAccountIds": ["444444444444"]},
    ),
    Edit(
        "change-destination-arns-with-account-policy",
        SOURCE,
        "follow the archive to a new account with the account policy on",
        Verdict.GAP_FREE,
        (
            f"update {CHANGE_RULE} (eventPattern)",
            f"update {FORWARDING_POLICY} (policy)",
            f"update {CHANGE_TARGET} (arn)",
            f"create-replacement {FILTER_TOKYO} (destinationArn, name)",
            "update log-source-account-policy-ap-northeast-1 (policyDocument)",
            f"delete-replaced {FILTER_TOKYO}",
        ),
        before={"accountPolicy": POLICY},
        after={"accountPolicy": POLICY},
        archive_after={"aws:allowedAccountIds": ["444444444444"]},
    ),
    Edit(
        "switch-to-organization-form",
        SOURCE,
        "follow the archive to its organization-wide destination policy",
        Verdict.GAP_FREE,
        (
            "create log-source-subscription-role",
            "create log-source-subscription-role-policy",
            f"update {HEARTBEAT_FILTER} (roleArn)",
            f"update {FILTER_TOKYO} (roleArn)",
        ),
        archive_after={"organizationId": "o-abcd123456"},
    ),
    Edit(
        "switch-back-to-account-list",
        SOURCE,
        "follow the archive back to its account list",
        Verdict.GAP_FREE,
        (
            f"update {HEARTBEAT_FILTER} (roleArn)",
            f"update {FILTER_TOKYO} (roleArn)",
            "delete log-source-subscription-role-policy",
            "delete log-source-subscription-role",
        ),
        archive_before={"organizationId": "o-abcd123456"},
        archive_after={},
    ),
    Edit(
        "upgrade-to-digest-filter-names",
        SOURCE,
        "deploy this version over filters named log-archive by the previous one",
        Verdict.GAP_FREE,
        (
            f"create-replacement {HEARTBEAT_FILTER} (name)",
            f"create-replacement {FILTER_TOKYO} (name)",
            f"delete-replaced {FILTER_TOKYO}",
            f"delete-replaced {HEARTBEAT_FILTER}",
        ),
        legacy_filter_names=True,
    ),
    Edit(
        "destroy",
        SOURCE,
        "pulumi destroy",
        Verdict.RETAINED_LEFTOVER,
        (
            "forget log-source-account-policy-ap-northeast-1",
            f"delete {FILTER_TOKYO}",
            f"delete {WEB_FILTER}",
            f"forget {WEB_GROUP}",
            "delete log-source-heartbeat-target-ap-northeast-1",
            "delete log-source-heartbeat-policy-ap-northeast-1",
            "forget log-source-heartbeat-group-ap-northeast-1",
            f"delete {CHANGE_TARGET}",
            f"delete {FORWARDING_POLICY}",
            "delete log-source-change-forwarding-role",
            "delete log-source-heartbeat-rule-ap-northeast-1",
            f"delete {CHANGE_RULE}",
        ),
        before={"logGroups": CREATED, "accountPolicy": POLICY},
        after=DESTROY,
    ),
]

ARCHIVE_EDITS = [
    Edit("rename-nothing", ARCHIVE, "deploy the same configuration again", Verdict.GAP_FREE, ()),
    Edit(
        "add-source-account",
        ARCHIVE,
        "let one more workload account subscribe",
        Verdict.GAP_FREE,
        (
            "update log-archive-key (policy)",
            "update log-archive-change-bus-policy-ap-northeast-1 (policy)",
            "create log-archive-heartbeat-333333333333-ap-northeast-1-rule",
            "update log-archive-logs-role (assumeRolePolicy)",
            "update log-archive-destination-policy-ap-northeast-1 (accessPolicy)",
            "create log-archive-heartbeat-333333333333-ap-northeast-1-alarm",
            "update log-archive-backfill-table (parameters)",
            "update log-archive-table (parameters)",
            "update log-archive-bucket-policy (policy)",
        ),
        after={"sourceAccountIds": ["111111111111", "333333333333"]},
    ),
    Edit(
        "remove-source-account",
        ARCHIVE,
        "stop accepting a workload account",
        Verdict.GAP_FREE,
        (
            "update log-archive-key (policy)",
            "update log-archive-change-bus-policy-ap-northeast-1 (policy)",
            "update log-archive-logs-role (assumeRolePolicy)",
            "update log-archive-destination-policy-ap-northeast-1 (accessPolicy)",
            "update log-archive-backfill-table (parameters)",
            "update log-archive-table (parameters)",
            "update log-archive-bucket-policy (policy)",
            "delete log-archive-heartbeat-333333333333-ap-northeast-1-alarm",
            "delete log-archive-heartbeat-333333333333-ap-northeast-1-rule",
        ),
        before={"sourceAccountIds": ["111111111111", "333333333333"]},
    ),
    Edit(
        "switch-to-organization-form",
        ARCHIVE,
        "accept every account of the organization besides the list",
        Verdict.GAP_FREE,
        (
            "update log-archive-key (policy)",
            "update log-archive-change-bus-policy-ap-northeast-1 (policy)",
            "update log-archive-logs-role (assumeRolePolicy)",
            "update log-archive-destination-policy-ap-northeast-1 (accessPolicy, forceUpdate)",
            "update log-archive-backfill-table (parameters)",
            "update log-archive-table (parameters)",
            "update log-archive-bucket-policy (policy)",
        ),
        after={"organizationId": "o-abcd123456"},
    ),
    Edit(
        "organization-only",
        ARCHIVE,
        "drop the account list once the organization form is in place",
        Verdict.GAP_FREE,
        (
            "update log-archive-key (policy)",
            "update log-archive-change-bus-policy-ap-northeast-1 (policy)",
            "update log-archive-logs-role (assumeRolePolicy)",
            "update log-archive-destination-policy-ap-northeast-1 (accessPolicy)",
            "update log-archive-bucket-policy (policy)",
            "delete log-archive-heartbeat-111111111111-ap-northeast-1-alarm",
            "delete log-archive-heartbeat-111111111111-ap-northeast-1-rule",
        ),
        before={"organizationId": "o-abcd123456"},
        after={"organizationId": "o-abcd123456", "sourceAccountIds": None},
    ),
    Edit(
        "change-organization",
        ARCHIVE,
        "move the archive to another organization",
        Verdict.GAP_FREE,
        (
            "update log-archive-key (policy)",
            "update log-archive-change-bus-policy-ap-northeast-1 (policy)",
            "update log-archive-logs-role (assumeRolePolicy)",
            "update log-archive-destination-policy-ap-northeast-1 (accessPolicy)",
            "update log-archive-bucket-policy (policy)",
        ),
        before={"organizationId": "o-abcd123456"},
        after={"organizationId": "o-zyxw987654"},
    ),
    Edit(
        "change-silence-windows",
        ARCHIVE,
        "alarm after an hour of silence and 45 minutes without a heartbeat",
        Verdict.GAP_FREE,
        (
            f"update log-archive-heartbeat-111111111111-ap-northeast-1-alarm ({WINDOW_INPUTS})",
            f"update log-archive-no-incoming-records-ap-northeast-1 ({WINDOW_INPUTS})",
        ),
        after={"silenceMinutes": 60, "heartbeatLatenessMinutes": 45},
    ),
    Edit(
        "expect-heartbeats-from-the-archive-account",
        ARCHIVE,
        "expect heartbeats from the archive account's own source stack too",
        Verdict.GAP_FREE,
        (
            "create log-archive-heartbeat-222222222222-ap-northeast-1-rule",
            "create log-archive-heartbeat-222222222222-ap-northeast-1-alarm",
        ),
        after={"heartbeatAccountIds": ["111111111111", "222222222222"]},
    ),
    Edit(
        "add-source-region",
        ARCHIVE,
        "accept sources in a second region",
        Verdict.GAP_FREE,
        (
            "update log-archive-key (policy)",
            "create log-archive-change-bus-us-east-1",
            "create log-archive-change-bus-policy-us-east-1",
            "create log-archive-change-rule-us-east-1",
            "create log-archive-heartbeat-111111111111-us-east-1-rule",
            "create log-archive-change-record-us-east-1",
            "create log-archive-change-record-policy-us-east-1",
            "create log-archive-change-record-target-us-east-1",
            "update log-archive-logs-role (assumeRolePolicy)",
            "create log-archive-firehose-errors-us-east-1",
            "create log-archive-firehose-errors-stream-us-east-1",
            "update log-archive-firehose-policy (policy)",
            "create log-archive-stream-us-east-1",
            "update log-archive-logs-policy (policy)",
            "create log-archive-destination-us-east-1",
            "create log-archive-destination-policy-us-east-1",
            "create log-archive-alarms-us-east-1",
            "create log-archive-data-freshness-us-east-1",
            "create log-archive-decompression-failed-us-east-1",
            "create log-archive-delivery-success-us-east-1",
            "create log-archive-heartbeat-111111111111-us-east-1-alarm",
            "create log-archive-no-incoming-records-us-east-1",
            "create log-archive-partition-count-exceeded-us-east-1",
            "create log-archive-subscription-changes-us-east-1",
            "create log-archive-throttled-records-us-east-1",
            "update log-archive-bucket-policy (policy)",
        ),
        after=BOTH_REGIONS,
    ),
    Edit(
        "remove-source-region",
        ARCHIVE,
        "stop accepting sources in a region",
        Verdict.BLOCKED,
        (
            "update log-archive-key (policy)",
            "update log-archive-logs-role (assumeRolePolicy)",
            "update log-archive-firehose-policy (policy)",
            "update log-archive-logs-policy (policy)",
            "update log-archive-bucket-policy (policy)",
            "delete log-archive-throttled-records-us-east-1",
            "delete log-archive-subscription-changes-us-east-1",
            "delete log-archive-partition-count-exceeded-us-east-1",
            "delete log-archive-no-incoming-records-us-east-1",
            "delete log-archive-heartbeat-111111111111-us-east-1-alarm",
            "delete log-archive-delivery-success-us-east-1",
            "delete log-archive-decompression-failed-us-east-1",
            "delete log-archive-data-freshness-us-east-1",
            "delete log-archive-alarms-us-east-1",
            "delete log-archive-destination-policy-us-east-1",
            "blocked log-archive-destination-us-east-1",
            "forget log-archive-stream-us-east-1",
            "forget log-archive-firehose-errors-stream-us-east-1",
            "forget log-archive-firehose-errors-us-east-1",
            "delete log-archive-change-record-target-us-east-1",
            "delete log-archive-change-record-policy-us-east-1",
            "forget log-archive-change-record-us-east-1",
            "delete log-archive-heartbeat-111111111111-us-east-1-rule",
            "delete log-archive-change-rule-us-east-1",
            "delete log-archive-change-bus-policy-us-east-1",
            "delete log-archive-change-bus-us-east-1",
        ),
        before=BOTH_REGIONS,
    ),
    Edit(
        "switch-layout-to-messages",
        ARCHIVE,
        "keep only the log lines, by day",
        Verdict.RETAINED_LEFTOVER,
        (
            f"create-replacement log-archive-stream-ap-northeast-1 ({PARTITIONING})",
            "update log-archive-logs-policy (policy)",
            "update log-archive-destination-ap-northeast-1 (targetArn)",
            "update log-archive-data-freshness-ap-northeast-1 (dimensions)",
            "update log-archive-decompression-failed-ap-northeast-1 (dimensions)",
            "update log-archive-delivery-success-ap-northeast-1 (dimensions)",
            "update log-archive-no-incoming-records-ap-northeast-1 (dimensions)",
            "update log-archive-throttled-records-ap-northeast-1 (dimensions)",
            "update log-archive-table (parameters, partitionKeys, storageDescriptor)",
            "delete log-archive-partition-count-exceeded-ap-northeast-1",
            "delete log-archive-heartbeat-111111111111-ap-northeast-1-alarm",
            "forget log-archive-stream-ap-northeast-1",
            "delete log-archive-heartbeat-111111111111-ap-northeast-1-rule",
        ),
        after={"layout": "messages"},
    ),
    Edit(
        "switch-layout-to-parquet",
        ARCHIVE,
        "convert the envelopes to Parquet under logs-parquet/",
        Verdict.RETAINED_LEFTOVER,
        (
            "update log-archive-heartbeat-111111111111-ap-northeast-1-rule (description, eventPattern)",
            "update log-archive-table (parameters, storageDescriptor)",
            "create log-archive-firehose-glue-policy",
            "create-replacement log-archive-stream-ap-northeast-1 (name)",
            "update log-archive-logs-policy (policy)",
            "update log-archive-destination-ap-northeast-1 (targetArn)",
            "update log-archive-data-freshness-ap-northeast-1 (dimensions)",
            "update log-archive-decompression-failed-ap-northeast-1 (dimensions)",
            "update log-archive-delivery-success-ap-northeast-1 (dimensions)",
            "update log-archive-no-incoming-records-ap-northeast-1 (dimensions)",
            "update log-archive-partition-count-exceeded-ap-northeast-1 (dimensions)",
            "update log-archive-throttled-records-ap-northeast-1 (dimensions)",
            "forget log-archive-stream-ap-northeast-1",
        ),
        after={"layout": "parquet"},
    ),
    Edit(
        "switch-layout-to-partitioned",
        ARCHIVE,
        "partition by account, log group and day again",
        Verdict.RETAINED_LEFTOVER,
        (
            "create log-archive-heartbeat-111111111111-ap-northeast-1-rule",
            f"create-replacement log-archive-stream-ap-northeast-1 ({PARTITIONING})",
            "update log-archive-logs-policy (policy)",
            "update log-archive-destination-ap-northeast-1 (targetArn)",
            "update log-archive-data-freshness-ap-northeast-1 (dimensions)",
            "update log-archive-decompression-failed-ap-northeast-1 (dimensions)",
            "update log-archive-delivery-success-ap-northeast-1 (dimensions)",
            "create log-archive-heartbeat-111111111111-ap-northeast-1-alarm",
            "update log-archive-no-incoming-records-ap-northeast-1 (dimensions)",
            "create log-archive-partition-count-exceeded-ap-northeast-1",
            "update log-archive-throttled-records-ap-northeast-1 (dimensions)",
            "update log-archive-table (parameters, partitionKeys, storageDescriptor)",
            "forget log-archive-stream-ap-northeast-1",
        ),
        before={"layout": "messages"},
    ),
    Edit(
        "change-buffering-size",
        ARCHIVE,
        "buffer 128 MiB per object",
        Verdict.GAP_FREE,
        ("update log-archive-stream-ap-northeast-1 (extendedS3Configuration)",),
        after={"bufferingSizeMiB": 128},
    ),
    Edit(
        "change-buffering-interval",
        ARCHIVE,
        "flush every 15 minutes",
        Verdict.GAP_FREE,
        (
            "update log-archive-stream-ap-northeast-1 (extendedS3Configuration)",
            f"update log-archive-data-freshness-{TOKYO} (threshold)",
        ),
        after={"bufferingIntervalSeconds": 900},
    ),
    Edit(
        "change-retention",
        ARCHIVE,
        "keep the archive ten years",
        Verdict.GAP_FREE,
        ("update log-archive-lifecycle (rules)", "update log-archive-object-lock (rule)"),
        after={"retentionDays": 3653},
    ),
    Edit(
        "change-lifecycle-transitions",
        ARCHIVE,
        "move objects to the Glacier classes sooner",
        Verdict.GAP_FREE,
        ("update log-archive-table (parameters)", "update log-archive-lifecycle (rules)"),
        after={"glacierTransitionDays": 30, "deepArchiveTransitionDays": 180},
    ),
    Edit(
        "change-object-lock-mode",
        ARCHIVE,
        "lock new objects in COMPLIANCE mode",
        Verdict.GAP_FREE,
        ("update log-archive-object-lock (rule)",),
        after={"objectLockMode": "COMPLIANCE"},
    ),
    Edit(
        "shorten-object-lock",
        ARCHIVE,
        "lock new objects for one year only",
        Verdict.GAP_FREE,
        ("update log-archive-object-lock (rule)",),
        after={"objectLockDays": 365},
    ),
    Edit(
        "rotate-to-customer-key",
        ARCHIVE,
        "encrypt with a key managed outside the stack",
        Verdict.BLOCKED,
        (
            "update log-archive-workgroup (configuration)",
            "update log-archive-firehose-policy (policy)",
            "update log-archive-bucket-encryption (rules)",
            "update log-archive-query-results-encryption (rules)",
            "delete log-archive-key-alias",
            "blocked log-archive-key",
        ),
        after={"kmsKeyArn": KEY_ARN},
    ),
    Edit(
        "add-reader",
        ARCHIVE,
        "give an audit role read access",
        Verdict.GAP_FREE,
        (
            "update log-archive-key (policy)",
            "update log-archive-bucket-policy (policy)",
        ),
        after={"readerPrincipalArns": ["arn:aws:iam::222222222222:role/security-audit"]},
    ),
    Edit(
        "add-alarm-email",
        ARCHIVE,
        "send delivery alarms by e-mail",
        Verdict.GAP_FREE,
        (f"create log-archive-alarm-email-{TOKYO}",),
        after={"alarmEmail": "oncall@example.com"},
    ),
    Edit(
        "remove-alarm-email",
        ARCHIVE,
        "stop the alarm e-mails",
        Verdict.GAP_FREE,
        (f"delete log-archive-alarm-email-{TOKYO}",),
        before={"alarmEmail": "oncall@example.com"},
    ),
    Edit(
        "add-access-logs-bucket",
        ARCHIVE,
        "log S3 access to the archive and query-results buckets",
        Verdict.GAP_FREE,
        ("create log-archive-access-logging", "create log-archive-query-results-access-logging"),
        after={"accessLogsBucket": "org-s3-access-logs-222222222222"},
    ),
    Edit(
        "add-replica-region",
        ARCHIVE,
        "keep a second copy of the archive in another region",
        Verdict.GAP_FREE,
        (
            "create log-archive-replica-alarms",
            "create log-archive-replication-failed",
            "create log-archive-replication-role",
            "create log-archive-replica-key",
            "create log-archive-replication-policy",
            "create log-archive-replica",
            "create log-archive-replica-versioning",
            "create log-archive-replica-lifecycle",
            "create log-archive-replica-object-lock",
            "create log-archive-replica-ownership",
            "create log-archive-replica-policy",
            "create log-archive-replica-public-access-block",
            "create log-archive-replication",
            "create log-archive-replica-encryption",
        ),
        after={"replicaRegion": "us-west-2"},
    ),
    Edit(
        "move-home-region",
        ARCHIVE,
        "move the bucket and key to another region",
        Verdict.BLOCKED,
        (
            "update log-archive-key (policy)",
            "update log-archive-workgroup (configuration)",
            "blocked log-archive-bucket (bucket)",
            "create-replacement log-archive-bucket-events (bucket, region)",
            "delete-replaced log-archive-error-objects-rule (region)",
            "create-replacement log-archive-error-objects-rule (region)",
            "delete-replaced log-archive-heartbeat-111111111111-ap-northeast-1-rule (region)",
            "create-replacement log-archive-heartbeat-111111111111-ap-northeast-1-rule (region)",
            "update log-archive-firehose-policy (policy)",
            "update log-archive-stream-ap-northeast-1 (extendedS3Configuration)",
            "create log-archive-alarms-us-east-1",
            "delete-replaced log-archive-error-objects-alarm (region)",
            "create-replacement log-archive-error-objects-alarm (region)",
            "delete-replaced log-archive-heartbeat-111111111111-ap-northeast-1-alarm (region)",
            "create-replacement log-archive-heartbeat-111111111111-ap-northeast-1-alarm (region)",
            "update log-archive-backfill-table (parameters, storageDescriptor)",
            "update log-archive-table (parameters, storageDescriptor)",
            "forget log-archive-query-results (bucket)",
            "create-replacement log-archive-query-results (bucket)",
            "create-replacement log-archive-bucket-versioning (bucket)",
            "create-replacement log-archive-lifecycle (bucket)",
            "create-replacement log-archive-query-results-versioning (bucket)",
            "create-replacement log-archive-query-results-lifecycle (bucket)",
            "create-replacement log-archive-object-lock (bucket)",
            "create-replacement log-archive-bucket-ownership (bucket)",
            "create-replacement log-archive-query-results-ownership (bucket)",
            "create-replacement log-archive-bucket-policy (bucket)",
            "create-replacement log-archive-query-results-policy (bucket)",
            "create-replacement log-archive-bucket-public-access-block (bucket)",
            "create-replacement log-archive-query-results-public-access-block (bucket)",
            "create-replacement log-archive-bucket-encryption (bucket)",
            "create-replacement log-archive-query-results-encryption (bucket)",
            "delete-replaced log-archive-query-results-encryption",
            "delete-replaced log-archive-bucket-encryption",
            "delete-replaced log-archive-query-results-public-access-block",
            "delete-replaced log-archive-bucket-public-access-block",
            "delete-replaced log-archive-query-results-policy",
            "delete-replaced log-archive-bucket-policy",
            "delete-replaced log-archive-query-results-ownership",
            "delete-replaced log-archive-bucket-ownership",
            "delete-replaced log-archive-object-lock",
            "delete-replaced log-archive-query-results-lifecycle",
            "delete-replaced log-archive-query-results-versioning",
            "delete-replaced log-archive-lifecycle",
            "delete-replaced log-archive-bucket-versioning",
            "delete-replaced log-archive-bucket-events",
        ),
        before={"sourceRegions": [TOKYO]},
        after={"aws:region": VIRGINIA, "sourceRegions": [TOKYO]},
    ),
    Edit(
        "destroy",
        ARCHIVE,
        "pulumi destroy",
        Verdict.BLOCKED,
        (
            "delete log-archive-query-results-encryption",
            "delete log-archive-bucket-encryption",
            "delete log-archive-query-results-public-access-block",
            "delete log-archive-bucket-public-access-block",
            "delete log-archive-query-results-policy",
            "delete log-archive-bucket-policy",
            "delete log-archive-query-results-ownership",
            "delete log-archive-bucket-ownership",
            "delete log-archive-object-lock",
            "delete log-archive-query-results-lifecycle",
            "delete log-archive-query-results-versioning",
            "delete log-archive-lifecycle",
            "delete log-archive-bucket-versioning",
            "forget log-archive-query-results",
            "delete log-archive-key-alias",
            "delete log-archive-table",
            "delete log-archive-backfill-table",
            "delete log-archive-database",
            "delete log-archive-throttled-records-ap-northeast-1",
            "delete log-archive-subscription-changes-ap-northeast-1",
            "delete log-archive-partition-count-exceeded-ap-northeast-1",
            "delete log-archive-no-incoming-records-ap-northeast-1",
            "delete log-archive-heartbeat-111111111111-ap-northeast-1-alarm",
            "delete log-archive-error-objects-alarm",
            "delete log-archive-delivery-success-ap-northeast-1",
            "delete log-archive-decompression-failed-ap-northeast-1",
            "delete log-archive-data-freshness-ap-northeast-1",
            "delete log-archive-alarms-ap-northeast-1",
            "delete log-archive-destination-policy-ap-northeast-1",
            "blocked log-archive-destination-ap-northeast-1",
            "delete log-archive-logs-policy",
            "forget log-archive-stream-ap-northeast-1",
            "delete log-archive-firehose-policy",
            "forget log-archive-firehose-errors-stream-ap-northeast-1",
            "forget log-archive-firehose-errors-ap-northeast-1",
            "delete log-archive-logs-role",
            "delete log-archive-change-record-target-ap-northeast-1",
            "delete log-archive-change-record-policy-ap-northeast-1",
            "forget log-archive-change-record-ap-northeast-1",
            "delete log-archive-heartbeat-111111111111-ap-northeast-1-rule",
            "delete log-archive-error-objects-rule",
            "delete log-archive-bucket-events",
            "blocked log-archive-bucket",
            "delete log-archive-change-rule-ap-northeast-1",
            "delete log-archive-change-bus-policy-ap-northeast-1",
            "delete log-archive-change-bus-ap-northeast-1",
            "delete log-archive-workgroup",
            "blocked log-archive-key",
            "delete log-archive-firehose-role",
        ),
        after=DESTROY,
    ),
]

EDITS = [*SOURCE_EDITS, *ARCHIVE_EDITS]


def _frozen(overrides: Mapping[str, Any]) -> str:
    return json.dumps(overrides, sort_keys=True)


@functools.cache
def _archive_outputs(frozen: str) -> dict[str, Any]:
    return run_program(ARCHIVE, overrides=json.loads(frozen)).outputs


@functools.cache
def _registrations(stack: str, frozen: str, archive: str) -> tuple[Registration, ...]:
    overrides = json.loads(frozen)
    if overrides == DESTROY:
        return ()
    outputs = {ARCHIVE_REFERENCE: _archive_outputs(archive)} if stack in (SOURCE, ORGANIZATION) else {}
    return tuple(run_program(stack, overrides=overrides, stack_outputs=outputs).registrations)


def _legacy(registration: Registration) -> Registration:
    """``registration`` as the previous version registered it: one fixed name, deleted first."""
    if registration.type != FILTER:
        return registration
    inputs = {**registration.inputs, "name": "log-archive"}
    return replace(
        registration, inputs=inputs, delete_before_replace=True, delete_before_replace_defined=True
    )


@functools.cache
def report_of(edit_id: str, stack: str) -> Report:
    edit = next(e for e in EDITS if e.id == edit_id and e.stack == stack)
    archive_after = edit.archive_before if edit.archive_after is None else edit.archive_after
    before = _registrations(edit.stack, _frozen(edit.before), _frozen(edit.archive_before))
    after = _registrations(edit.stack, _frozen(edit.after), _frozen(archive_after))
    if edit.legacy_filter_names:
        before = tuple(_legacy(registration) for registration in before)
    return simulate(before, after)


def _params(edits: list[Edit]) -> list[Any]:
    return [pytest.param(edit, id=f"{edit.stack}-{edit.id}") for edit in edits]


def test_the_catalogue_holds_at_least_twenty_edits_to_each_stack_under_unique_ids() -> None:
    assert len(SOURCE_EDITS) >= 20
    assert len(ARCHIVE_EDITS) >= 20
    assert len({(edit.stack, edit.id) for edit in EDITS}) == len(EDITS)


@pytest.mark.parametrize("edit", _params(EDITS))
def test_each_edit_has_its_documented_verdict_and_steps(edit: Edit) -> None:
    report = report_of(edit.id, edit.stack)

    assert (report.verdict, tuple(str(step) for step in report.steps)) == (edit.verdict, edit.steps)


@pytest.mark.parametrize("edit", _params([e for e in EDITS if e.verdict is not Verdict.BLOCKED]))
def test_an_edit_pulumi_lets_through_gaps_delivery_only_where_the_catalogue_documents_it(edit: Edit) -> None:
    report = report_of(edit.id, edit.stack)

    assert report.of(Kind.DATA_LOSS) == report.of(Kind.FAILURE) == []
    assert bool(report.of(Kind.GAP)) == (edit.gap is not None) == (edit.verdict is Verdict.GAP)


@pytest.mark.parametrize("edit", _params(EDITS))
def test_nothing_that_holds_data_is_deleted_without_being_blocked_or_retained(edit: Edit) -> None:
    report = report_of(edit.id, edit.stack)
    deleted = {step.name for step in report.steps if step.action is Action.DELETE and not step.retained}
    data_loss = {finding.name for finding in report.of(Kind.DATA_LOSS)}

    assert data_loss <= deleted
    if report.verdict is not Verdict.BLOCKED:
        assert data_loss == set()


def test_every_resource_type_the_catalogue_deploys_has_replacement_rules_and_no_rule_is_stale() -> None:
    deployed = {
        registration.type
        for registrations in _cached_registrations()
        for registration in registrations
        if registration.custom and not registration.type.startswith("pulumi:")
    }

    assert deployed == set(TYPES)


def _cached_registrations() -> list[tuple[Registration, ...]]:
    return [
        _registrations(edit.stack, _frozen(overrides), _frozen(archive))
        for edit in EDITS
        for overrides, archive in (
            (edit.before, edit.archive_before),
            (edit.after, edit.archive_before if edit.archive_after is None else edit.archive_after),
        )
    ]


def test_a_blocked_edit_names_each_protected_resource_it_would_delete() -> None:
    blocked = {
        f"{edit.stack}-{edit.id}": sorted(f.name for f in report_of(edit.id, edit.stack).of(Kind.BLOCKED))
        for edit in EDITS
        if edit.verdict is Verdict.BLOCKED
    }

    assert blocked == {
        "account-b-remove-source-region": ["log-archive-destination-us-east-1"],
        "account-b-rotate-to-customer-key": ["log-archive-key"],
        "account-b-move-home-region": ["log-archive-bucket"],
        "account-b-destroy": [
            "log-archive-bucket",
            "log-archive-destination-ap-northeast-1",
            "log-archive-key",
        ],
    }


FINDING_LABELS = {
    Kind.BLOCKED: "blocked",
    Kind.GAP: "gap",
    Kind.DATA_LOSS: "data loss",
    Kind.FAILURE: "fails",
    Kind.LEFT_IN_AWS: "left in AWS",
    Kind.UNSUBSCRIBED: "unsubscribed",
    Kind.REQUIREMENT: "needs a free filter slot",
}


def catalogue_table() -> str:
    """The catalogue as docs/change-safety.md shows it, generated from the simulator's reports."""
    lines = [
        "| Stack | Edit | Verdict | Replaced | Reported |",
        "|---|---|---|---|---|",
    ]
    for edit in EDITS:
        report = report_of(edit.id, edit.stack)
        order = [(step.action, step.name) for step in report.steps]
        replaced = [
            f"{name} ({'delete-first' if (Action.DELETE_REPLACED, name) in order[:i] else 'create-first'})"
            for i, (action, name) in enumerate(order)
            if action is Action.CREATE_REPLACEMENT
        ]
        reported = [f"{FINDING_LABELS[finding.kind]}: {finding.name}" for finding in report.findings]
        lines.append(
            f"| {edit.stack} | `{edit.id}`: {edit.summary} | {report.verdict.value} | "
            f"{', '.join(replaced) or '-'} | {'; '.join(reported) or '-'} |"
        )
    return "\n".join(lines)


def test_the_change_safety_doc_embeds_the_catalogue_as_simulated() -> None:
    text = DOC.read_text()
    start, end = "<!-- catalogue:start -->\n", "\n<!-- catalogue:end -->"
    embedded = text[text.index(start) + len(start) : text.index(end)] if start in text else ""

    assert embedded == catalogue_table(), (
        f"regenerate docs/change-safety.md's catalogue:\n{catalogue_table()}"
    )
