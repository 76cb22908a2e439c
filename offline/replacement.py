"""What ``pulumi up`` would do to a deployed stack when its configuration changes, offline.

``simulate(before, after)`` takes the registrations of two offline runs of the same stack (the
deployed configuration and the edited one), matches them by URN and applies the engine's and the
provider's replacement rules, so a reviewer sees before deploying which resources are created,
updated, replaced (delete-first or create-first, in which order) and deleted, and what that does
to delivery and to stored data. The rules, each read from the public sources:

1. **Diff** (``_diff``). A resource whose inputs changed is updated in place unless a changed
   input is ``ForceNew`` in terraform-provider-aws; then it is replaced. ``TYPES`` lists the
   ``ForceNew`` inputs of every type both stacks create, by their Pulumi (camelCase) names, nested
   blocks as dotted paths (``extendedS3Configuration.dynamicPartitioningConfiguration``). Since
   provider v6 ``region`` forces a replacement on every regional resource (terraform-provider-aws
   ``website/docs/guides/enhanced-region-support.html.markdown``, "How region works").
2. **Delete-first or create-first** (``delete_first``). pulumi/pulumi
   ``pkg/resource/deploy/step_generator.go``, ``generateStepsFromDiff``: ``deleteBeforeReplace :=
   diff.DeleteBeforeReplace`` is overridden by ``goal.DeleteBeforeReplace`` when the program set
   the option (the Python SDK sends ``deleteBeforeReplaceDefined``). The provider's answer
   (pulumi-terraform-bridge ``pkg/tfbridge/provider.go``, ``Diff``) is ``res.Schema.
   DeleteBeforeReplace || nameRequiresDeleteBeforeReplace(...)``: the per-type override
   (pulumi-aws ``provider/resource_overrides.go``: ``aws_cloudwatch_log_subscription_filter``
   ``DeleteBeforeReplace: true, // only 1 active filter is legal at once``), or
   ``nameRequiresDeleteBeforeReplace`` (``pkg/tfbridge/schema.go``): an auto-named property the
   program set itself. pulumi-aws auto-names every input called ``name`` (``provider/
   resources.go``, ``setAutonaming``) and a bucket's ``bucket`` (``resource_overrides.go``,
   ``AutoNameTransform("bucket", 63, ...)``).
3. **Order** (``_steps``). Create-first: create the replacement, update the dependents, delete
   the old resource after every create and update ("the delete step is generated 'later' on");
   delete-first: delete, then create. Resources gone from the program are deleted at the end
   (``GenerateDeletes``), dependents first. ``retain_on_delete`` turns every delete into "forget
   it" (``pkg/resource/deploy/step.go``, ``DeleteStep.Apply``: "Deleting a 'drop on delete' is a
   no-op"), on removal and on replacement alike; ``protect`` fails the update, at preview too,
   when a protected resource would be replaced (``generateStepsFromDiff``: "unable to replace
   resource ... as it is currently marked for protection") or deleted (``DeleteStep.Apply``:
   ``deleteProtectedError``).
4. **Consequences** (``_findings``). A delivery resource deleted before its successor exists is
   a delivery gap; so is the upsert trap: a create-first replacement that keeps its physical name
   on a type whose AWS API upserts by name (``PutSubscriptionFilter``, ``PutAccountPolicy``,
   ``PutDestination``, ``PutDestinationPolicy``, ``PutRolePolicy``) overwrites the live object,
   and the old resource's delete then removes it, until the next update (unless the old one is
   retained). A create-first replacement that keeps its name on a type whose create refuses an
   existing name fails. Deleting a data holder (a log group, a bucket, a key, a Firehose stream's
   buffer) deletes data unless it is retained. A subscription filter replaced create-first under
   a new name needs a free filter slot on its log group for the moment both exist (2 per log
   group in the ``PutSubscriptionFilter`` API reference).
5. **Intent.** A subscription or endpoint removed from the program without a successor under the
   same physical name is "unsubscribed by intent"; a retained resource left behind is reported
   as "left in AWS", to be removed by hand if that was the intent.

Everything here is a pure function of two lists of ``Registration``; nothing runs the engine.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from offline.mocks import PREVIEW_UNKNOWN, Registration

TF = "hashicorp/terraform-provider-aws internal/service/"
FILTER = "aws:cloudwatch/logSubscriptionFilter:LogSubscriptionFilter"
ACCOUNT_POLICY = "aws:cloudwatch/logAccountPolicy:LogAccountPolicy"


class Role(Enum):
    """What a resource does for delivery; decides what its deletion means."""

    SUBSCRIPTION = "subscription"
    """Sends a source's log events (a subscription filter, an account policy)."""
    ENDPOINT = "endpoint"
    """Receives them (a destination, its access policy, a Firehose stream)."""
    PERMISSION = "permission"
    """Lets one hop call the next (a role, its policy)."""
    NONE = "none"


@dataclass(frozen=True)
class TypeRules:
    """The replacement rules of one resource type, from the provider sources."""

    force_new: tuple[str, ...]
    """Inputs (camelCase, nested blocks dotted) whose change replaces the resource."""
    source: str
    """Where ``force_new`` was read: file and function."""
    auto_name: str | None = None
    """The input pulumi-aws auto-names; set by the program, it makes replacements delete-first."""
    delete_before_replace: bool = False
    """pulumi-aws's per-type ``DeleteBeforeReplace`` override."""
    identity: tuple[str, ...] = ()
    """Inputs that together name the object in AWS (its physical identity)."""
    upsert: bool = False
    """The AWS create call upserts by ``identity`` (else it refuses an existing name)."""
    delete_is_noop: bool = False
    """The provider's Delete calls no API (``schema.NoopContext``)."""
    role: Role = Role.NONE
    holds: str | None = None
    """The data deleted with the resource, if any."""
    delete_refused_unless: str | None = None
    """An input without which the provider's Delete fails while the resource holds data (a
    bucket's ``forceDestroy``): the update stops there and nothing is deleted."""


def _logs(file: str, function: str) -> str:
    return f"{TF}logs/{file} {function}"


TYPES: dict[str, TypeRules] = {
    "aws:cloudformation/stackSet:StackSet": TypeRules(
        ("name", "permissionModel", "region"),
        f"{TF}cloudformation/stack_set.go resourceStackSet",
        identity=("region", "name"),
        # A template change is an UpdateStackSet: CloudFormation updates every stack instance in
        # place (the account policies are updated by name, never deleted).
        role=Role.SUBSCRIPTION,
    ),
    "aws:cloudformation/stackInstances:StackInstances": TypeRules(
        ("stackSetName", "deploymentTargets.accountFilterType", "region"),
        f"{TF}cloudformation/stack_instances.go resourceStackInstances",
        identity=("stackSetName", "callAs"),
        # Regions and OUs update in place: removed ones' stacks are deleted (with their account
        # policies, unless retainStacks), added ones created; nothing else is touched.
        role=Role.SUBSCRIPTION,
    ),
    FILTER: TypeRules(
        ("destinationArn", "logGroup", "name", "region"),
        _logs("subscription_filter.go", "resourceSubscriptionFilter"),
        auto_name="name",
        delete_before_replace=True,
        identity=("region", "logGroup", "name"),
        upsert=True,
        role=Role.SUBSCRIPTION,
    ),
    ACCOUNT_POLICY: TypeRules(
        ("policyName", "policyType", "selectionCriteria", "region"),
        _logs("account_policy.go", "resourceAccountPolicy"),
        identity=("region", "policyType", "policyName"),
        upsert=True,
        role=Role.SUBSCRIPTION,
    ),
    "aws:cloudwatch/logDestination:LogDestination": TypeRules(
        ("name", "region"),
        _logs("destination.go", "resourceDestination"),
        auto_name="name",
        identity=("region", "name"),
        upsert=True,
        role=Role.ENDPOINT,
    ),
    "aws:cloudwatch/logDestinationPolicy:LogDestinationPolicy": TypeRules(
        ("destinationName", "region"),
        _logs("destination_policy.go", "resourceDestinationPolicy"),
        identity=("region", "destinationName"),
        upsert=True,
        delete_is_noop=True,
        role=Role.ENDPOINT,
    ),
    "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream": TypeRules(
        (
            "name",
            "destination",
            "extendedS3Configuration.dynamicPartitioningConfiguration",
            "extendedS3Configuration.dynamicPartitioningConfiguration.enabled",
            "kinesisSourceConfiguration",
            "mskSourceConfiguration",
            "region",
        ),
        f"{TF}firehose/delivery_stream.go resourceDeliveryStream",
        auto_name="name",
        identity=("region", "name"),
        role=Role.ENDPOINT,
        holds="the records it still buffers",
    ),
    "aws:cloudwatch/logGroup:LogGroup": TypeRules(
        ("name", "namePrefix", "logGroupClass", "region"),
        _logs("group.go", "resourceGroup"),
        auto_name="name",
        identity=("region", "name"),
        holds="its stored log events",
    ),
    "aws:cloudwatch/logStream:LogStream": TypeRules(
        ("name", "logGroupName", "region"),
        _logs("stream.go", "resourceStream"),
        auto_name="name",
        identity=("region", "logGroupName", "name"),
        holds="its stored log events",
    ),
    "aws:cloudwatch/metricAlarm:MetricAlarm": TypeRules(
        ("name", "region"),
        f"{TF}cloudwatch/metric_alarm.go resourceMetricAlarm (alarm_name)",
        auto_name="name",
        identity=("region", "name"),
    ),
    "aws:cloudwatch/logResourcePolicy:LogResourcePolicy": TypeRules(
        ("policyName", "region"),
        _logs("resource_policy.go", "resourceResourcePolicy"),
        identity=("region", "policyName"),
        upsert=True,
        role=Role.PERMISSION,
    ),
    "aws:cloudwatch/eventRule:EventRule": TypeRules(
        ("name", "namePrefix", "eventBusName", "region"),
        f"{TF}events/rule.go resourceRule",
        auto_name="name",
        identity=("region", "eventBusName", "name"),
        upsert=True,
    ),
    "aws:cloudwatch/eventBus:EventBus": TypeRules(
        ("name", "eventSourceName", "region"),
        f"{TF}events/bus.go resourceBus",
        auto_name="name",
        identity=("region", "name"),
    ),
    "aws:cloudwatch/eventBusPolicy:EventBusPolicy": TypeRules(
        ("eventBusName", "region"),
        f"{TF}events/bus_policy.go resourceBusPolicy",
        identity=("region", "eventBusName"),
        upsert=True,
        role=Role.PERMISSION,
    ),
    "aws:cloudwatch/eventTarget:EventTarget": TypeRules(
        ("rule", "targetId", "eventBusName", "region"),
        f"{TF}events/target.go resourceTarget",
        identity=("region", "eventBusName", "rule", "targetId"),
        upsert=True,
    ),
    "aws:s3/bucketNotification:BucketNotification": TypeRules(
        ("bucket", "region"),
        f"{TF}s3/bucket_notification.go resourceBucketNotification",
        identity=("bucket",),
        upsert=True,
    ),
    "aws:iam/role:Role": TypeRules(
        ("name", "namePrefix", "path"),
        f"{TF}iam/role.go ResourceRole",
        auto_name="name",
        identity=("name",),
        role=Role.PERMISSION,
    ),
    "aws:iam/rolePolicy:RolePolicy": TypeRules(
        ("name", "namePrefix", "role"),
        f"{TF}iam/role_policy.go resourceRolePolicy",
        auto_name="name",
        identity=("role", "name"),
        upsert=True,
        role=Role.PERMISSION,
    ),
    "aws:kms/key:Key": TypeRules(
        ("customerMasterKeySpec", "keyUsage", "multiRegion", "customKeyStoreId", "xksKeyId", "region"),
        f"{TF}kms/key.go resourceKey",
        holds="every object encrypted with it (unreadable once the key is deleted)",
    ),
    "aws:kms/alias:Alias": TypeRules(
        ("name", "namePrefix", "region"),
        f"{TF}kms/alias.go ResourceAlias",
        auto_name="name",
        identity=("region", "name"),
    ),
    "aws:s3/bucket:Bucket": TypeRules(
        ("bucket", "bucketPrefix", "objectLockEnabled", "region"),
        f"{TF}s3/bucket.go resourceBucket",
        auto_name="bucket",
        identity=("bucket",),
        holds="its objects",
        delete_refused_unless="forceDestroy",
    ),
    **{
        f"aws:s3/{token}:{token[0].upper()}{token[1:]}": TypeRules(
            ("bucket", *(("expectedBucketOwner",) if owner else ()), "region"),
            f"{TF}s3/{file}.go",
            identity=("bucket",),
        )
        for token, file, owner in (
            ("bucketPublicAccessBlock", "bucket_public_access_block", False),
            ("bucketOwnershipControls", "bucket_ownership_controls", False),
            ("bucketPolicy", "bucket_policy", False),
            ("bucketVersioning", "bucket_versioning", True),
            ("bucketLifecycleConfiguration", "bucket_lifecycle_configuration", True),
            ("bucketServerSideEncryptionConfiguration", "bucket_server_side_encryption_configuration", True),
            ("bucketObjectLockConfiguration", "bucket_object_lock_configuration", True),
            ("bucketLogging", "bucket_logging", True),
        )
    },
    "aws:s3/bucketReplicationConfig:BucketReplicationConfig": TypeRules(
        ("bucket", "region"),
        f"{TF}s3/bucket_replication_configuration.go resourceBucketReplicationConfiguration",
        identity=("bucket",),
    ),
    "aws:sns/topic:Topic": TypeRules(
        ("name", "namePrefix", "fifoTopic", "region"),
        f"{TF}sns/topic.go resourceTopic",
        auto_name="name",
        identity=("region", "name"),
    ),
    "aws:sns/topicSubscription:TopicSubscription": TypeRules(
        ("topic", "protocol", "endpoint", "region"),
        f"{TF}sns/topic_subscription.go resourceTopicSubscription (topic_arn)",
    ),
    "aws:glue/catalogDatabase:CatalogDatabase": TypeRules(
        ("name", "catalogId", "region"),
        f"{TF}glue/catalog_database.go ResourceCatalogDatabase",
        identity=("region", "name"),
    ),
    "aws:glue/catalogTable:CatalogTable": TypeRules(
        ("name", "databaseName", "catalogId", "region"),
        f"{TF}glue/catalog_table.go ResourceCatalogTable",
        identity=("region", "databaseName", "name"),
    ),
    "aws:athena/workgroup:Workgroup": TypeRules(
        ("name", "region"),
        f"{TF}athena/workgroup.go ResourceWorkGroup",
        auto_name="name",
        identity=("region", "name"),
    ),
}
"""The replacement rules of every resource type the two stacks create."""


class Action(Enum):
    CREATE = "create"
    UPDATE = "update"
    CREATE_REPLACEMENT = "create-replacement"
    DELETE_REPLACED = "delete-replaced"
    DELETE = "delete"
    BLOCKED = "blocked"


@dataclass(frozen=True)
class Step:
    """One step of the update, in the order the engine takes them."""

    action: Action
    urn: str
    type: str
    name: str
    """Logical name."""
    physical: str
    """The object's name in AWS, as far as the program sets it."""
    keys: tuple[str, ...] = ()
    """Changed inputs (updates) or inputs that force the replacement (replacements)."""
    retained: bool = False
    """A delete that only drops the resource from the state (``retain_on_delete``)."""

    def __str__(self) -> str:
        action = "forget" if self.retained else self.action.value
        keys = f" ({', '.join(self.keys)})" if self.keys else ""
        return f"{action} {self.name}{keys}"


class Kind(Enum):
    GAP = "gap"
    DATA_LOSS = "data-loss"
    FAILURE = "failure"
    BLOCKED = "blocked"
    LEFT_IN_AWS = "left-in-aws"
    UNSUBSCRIBED = "unsubscribed"
    REQUIREMENT = "requirement"


@dataclass(frozen=True)
class Finding:
    kind: Kind
    name: str
    """Logical name of the resource concerned."""
    message: str


class Verdict(Enum):
    GAP_FREE = "gap-free"
    UNSUBSCRIBED_BY_INTENT = "unsubscribed-by-intent"
    RETAINED_LEFTOVER = "retained-leftover"
    GAP = "gap"
    """A delivery gap, a data deletion or an update that fails half-way."""
    BLOCKED = "blocked"
    """Pulumi refuses the update at preview (``protect``)."""


@dataclass(frozen=True)
class Report:
    steps: tuple[Step, ...]
    findings: tuple[Finding, ...]

    def of(self, kind: Kind) -> list[Finding]:
        return [finding for finding in self.findings if finding.kind is kind]

    def names(self, *actions: Action) -> list[str]:
        """Logical names of the steps with one of ``actions``, in order."""
        return [step.name for step in self.steps if step.action in actions]

    @property
    def verdict(self) -> Verdict:
        kinds = {finding.kind for finding in self.findings}
        if Kind.BLOCKED in kinds:
            return Verdict.BLOCKED
        if kinds & {Kind.GAP, Kind.DATA_LOSS, Kind.FAILURE}:
            return Verdict.GAP
        if Kind.LEFT_IN_AWS in kinds:
            return Verdict.RETAINED_LEFTOVER
        if Kind.UNSUBSCRIBED in kinds:
            return Verdict.UNSUBSCRIBED_BY_INTENT
        return Verdict.GAP_FREE

    def as_json(self) -> dict[str, Any]:
        return {
            "verdict": self.verdict.value,
            "steps": [
                {
                    "action": step.action.value,
                    "type": step.type,
                    "name": step.name,
                    "physical": step.physical,
                    "keys": list(step.keys),
                    "retained": step.retained,
                }
                for step in self.steps
            ],
            "findings": [
                {"kind": finding.kind.value, "name": finding.name, "message": finding.message}
                for finding in self.findings
            ],
        }


@dataclass(frozen=True)
class _Change:
    """How one URN changes between the two runs."""

    old: Registration | None
    new: Registration | None
    keys: tuple[str, ...] = ()
    replace: bool = False
    delete_first: bool = False
    successor: Registration | None = field(default=None)
    """For a removal: a new resource with the same physical identity (a renamed URN)."""


def normalise(value: Any) -> Any:
    """The form in which two input values compare equal iff the provider sees no change."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str) and value[:1] in "{[":
        try:
            return normalise(json.loads(value))
        except ValueError:
            return value
    if isinstance(value, Mapping):
        return {str(k): normalise(v) for k, v in value.items() if v is not None}  # pyright: ignore[reportUnknownVariableType]
    if isinstance(value, list | tuple):
        return [normalise(v) for v in value]  # pyright: ignore[reportUnknownVariableType]
    return value


def value_at(inputs: Mapping[str, Any], path: str) -> Any:
    """The value at a dotted ``path`` of ``inputs``, ``None`` where a step is missing."""
    value: Any = inputs
    for part in path.split("."):
        if not isinstance(value, Mapping):
            return None
        value = value.get(part)  # pyright: ignore[reportUnknownMemberType]
    return value


def _differs(old: Any, new: Any) -> bool:
    return new == PREVIEW_UNKNOWN or normalise(old) != normalise(new)


def rules(type_: str) -> TypeRules:
    """The rules of ``type_``; an unknown type is never replaced, so a missing entry shows up."""
    return TYPES.get(type_, TypeRules((), "not in offline.replacement.TYPES"))


def physical_identity(registration: Registration) -> tuple[str, ...] | None:
    """The object's name in AWS, or ``None`` when the provider generates it."""
    type_rules = rules(registration.type)
    if not type_rules.identity:
        return None
    if type_rules.auto_name is not None and type_rules.auto_name not in registration.inputs:
        return None
    return tuple(str(registration.inputs.get(key, "")) for key in type_rules.identity)


def physical_name(registration: Registration) -> str:
    identity = physical_identity(registration)
    if identity is None:
        return "(generated)"
    return "/".join(part for part in identity if part)


def delete_first(old: Registration, new: Registration) -> bool:
    """Whether the engine deletes ``old`` before creating ``new`` (rule 2)."""
    if new.delete_before_replace_defined:
        return new.delete_before_replace
    type_rules = rules(new.type)
    return type_rules.delete_before_replace or (
        type_rules.auto_name is not None and type_rules.auto_name in new.inputs
    )


def _diff(old: Registration, new: Registration) -> _Change:
    changed = tuple(
        sorted(
            key
            for key in set(old.inputs) | set(new.inputs)
            if _differs(old.inputs.get(key), new.inputs.get(key))
        )
    )
    forcing = tuple(
        path
        for path in rules(new.type).force_new
        if _differs(value_at(old.inputs, path), value_at(new.inputs, path))
    )
    if forcing:
        return _Change(old, new, forcing, replace=True, delete_first=delete_first(old, new))
    return _Change(old, new, changed)


def _managed(registrations: Iterable[Registration]) -> dict[str, Registration]:
    return {r.urn: r for r in registrations if r.custom and not r.read and not r.type.startswith("pulumi:")}


def _topological(registrations: Mapping[str, Registration]) -> list[str]:
    """URNs with every dependency before its dependents; ties broken by URN."""
    order: list[str] = []
    seen: set[str] = set()

    def visit(urn: str) -> None:
        if urn in seen or urn not in registrations:
            return
        seen.add(urn)
        registration = registrations[urn]
        dependencies = set(registration.dependencies)
        for urns in registration.property_dependencies.values():
            dependencies.update(urns)
        for dependency in sorted(dependencies):
            visit(dependency)
        order.append(urn)

    for urn in sorted(registrations):
        visit(urn)
    return order


def _changes(before: Mapping[str, Registration], after: Mapping[str, Registration]) -> dict[str, _Change]:
    changes = {urn: _diff(before[urn], after[urn]) for urn in after if urn in before}
    created = {physical_identity(after[urn]): after[urn] for urn in after if urn not in before}
    for urn in after:
        if urn not in before:
            changes[urn] = _Change(None, after[urn])
    for urn in before:
        if urn not in after:
            identity = physical_identity(before[urn])
            successor = created.get(identity) if identity is not None else None
            if successor is not None and successor.type != before[urn].type:
                successor = None
            changes[urn] = _Change(before[urn], None, successor=successor)
    return changes


def _step(action: Action, registration: Registration, keys: tuple[str, ...] = ()) -> Step:
    retained = action in (Action.DELETE, Action.DELETE_REPLACED) and registration.retain_on_delete
    return Step(
        action,
        registration.urn,
        registration.type,
        registration.name,
        physical_name(registration),
        keys,
        retained,
    )


def _blocked(change: _Change) -> bool:
    if change.old is None or not change.old.protect:
        return False
    return change.new is None or (change.replace and change.new.protect)


def _steps(
    before: Mapping[str, Registration], after: Mapping[str, Registration], changes: Mapping[str, _Change]
) -> list[Step]:
    steps: list[Step] = []
    for urn in _topological(after):
        change = changes[urn]
        new = after[urn]
        if change.old is None:
            steps.append(_step(Action.CREATE, new))
        elif _blocked(change):
            steps.append(_step(Action.BLOCKED, new, change.keys))
        elif change.replace and change.delete_first:
            steps.append(_step(Action.DELETE_REPLACED, change.old, change.keys))
            steps.append(_step(Action.CREATE_REPLACEMENT, new, change.keys))
        elif change.replace:
            steps.append(_step(Action.CREATE_REPLACEMENT, new, change.keys))
        elif change.keys:
            steps.append(_step(Action.UPDATE, new, change.keys))
    # After every create and update, one backwards walk of the old state deletes what create-first
    # replacements left behind and what the program no longer declares (GenerateDeletes).
    for urn in reversed(_topological(before)):
        change = changes[urn]
        if change.new is None:
            steps.append(_step(Action.BLOCKED if _blocked(change) else Action.DELETE, before[urn]))
        elif change.replace and not change.delete_first and not _blocked(change):
            steps.append(_step(Action.DELETE_REPLACED, before[urn]))
    return steps


def _describe(registration: Registration) -> str:
    return f"{registration.type.rsplit(':', 1)[-1]} {physical_name(registration)}"


def _replacement_findings(change: _Change, old: Registration, new: Registration) -> list[Finding]:
    type_rules = rules(new.type)
    same_name = physical_identity(old) is not None and physical_identity(old) == physical_identity(new)
    findings: list[Finding] = []
    deleted = not old.retain_on_delete and not type_rules.delete_is_noop
    delivery = type_rules.role is not Role.NONE
    if change.delete_first:
        if delivery and deleted:
            findings.append(
                Finding(
                    Kind.GAP,
                    new.name,
                    f"{_describe(old)} is deleted before its replacement exists: no delivery "
                    f"through it between the delete and the create ({', '.join(change.keys)} changed)",
                )
            )
        if not deleted and same_name and not type_rules.upsert:
            findings.append(
                Finding(
                    Kind.FAILURE,
                    new.name,
                    f"{_describe(new)} cannot be created: the retained old one keeps its name",
                )
            )
    elif same_name and type_rules.upsert and deleted and delivery:
        findings.append(
            Finding(
                Kind.GAP,
                new.name,
                f"{_describe(new)} is replaced create-first under the same name: the create overwrites "
                "the live object and the old resource's delete then removes it; no delivery until "
                "the next update",
            )
        )
    elif same_name and not type_rules.upsert:
        findings.append(
            Finding(
                Kind.FAILURE,
                new.name,
                f"{_describe(new)} is replaced create-first under the same name, which its create refuses",
            )
        )
    if deleted:
        findings.extend(_data_findings(old, "replacing"))
    if old.retain_on_delete and not (same_name and type_rules.upsert):
        findings.append(_left_in_aws(old))
    if new.type == FILTER and not change.delete_first and not same_name:
        findings.append(
            Finding(
                Kind.REQUIREMENT,
                new.name,
                f"log group {new.inputs.get('logGroup')} needs a free subscription filter slot (2 per "
                "log group) while both filters exist",
            )
        )
    return findings


def _left_in_aws(registration: Registration) -> Finding:
    return Finding(
        Kind.LEFT_IN_AWS,
        registration.name,
        f"left in AWS: {_describe(registration)}, remove by hand if intended",
    )


def _account_policy_covers(changes: Mapping[str, _Change], filter_: Registration) -> bool:
    """Whether an account policy of the new state subscribes the log group of ``filter_``: its
    deletion then hands the group over (deletes run last, after the policy's create or update)."""
    region, group = filter_.inputs.get("region"), str(filter_.inputs.get("logGroup"))
    return any(
        c.new is not None
        and c.new.type == ACCOUNT_POLICY
        and c.new.inputs.get("region") == region
        and group not in excluded_log_groups(c.new)
        for c in changes.values()
    )


def _removal_findings(changes: Mapping[str, _Change], change: _Change, old: Registration) -> list[Finding]:
    type_rules = rules(old.type)
    if old.retain_on_delete:
        if change.successor is not None and type_rules.upsert:
            return []
        return [_left_in_aws(old)]
    if type_rules.delete_is_noop:
        return []
    findings: list[Finding] = []
    if change.successor is not None and type_rules.role is not Role.NONE and type_rules.upsert:
        findings.append(
            Finding(
                Kind.GAP,
                old.name,
                f"{_describe(old)} moved to {change.successor.name}: the new resource is created first "
                "under the same name and the old one's delete at the end removes it",
            )
        )
    elif type_rules.role in (Role.SUBSCRIPTION, Role.ENDPOINT) and not (
        old.type == FILTER and _account_policy_covers(changes, old)
    ):
        findings.append(
            Finding(Kind.UNSUBSCRIBED, old.name, f"unsubscribed by intent: {_describe(old)} is deleted")
        )
    return [*findings, *_data_findings(old, "deleting")]


def _data_findings(old: Registration, verb: str) -> list[Finding]:
    """What deleting ``old`` (not retained) does to the data it holds."""
    type_rules = rules(old.type)
    if type_rules.holds is None:
        return []
    guard = type_rules.delete_refused_unless
    if guard is not None and not old.inputs.get(guard):
        return [
            Finding(
                Kind.FAILURE,
                old.name,
                f"{verb} {_describe(old)} fails while it holds {type_rules.holds} ({guard} is off): the "
                "update stops at that step",
            )
        ]
    return [Finding(Kind.DATA_LOSS, old.name, f"{verb} {_describe(old)} deletes {type_rules.holds}")]


def excluded_log_groups(registration: Registration | None) -> set[str]:
    """The log groups an account policy's ``LogGroupName NOT IN [...]`` leaves out."""
    criteria = registration.inputs.get("selectionCriteria") if registration is not None else None
    if not isinstance(criteria, str) or "[" not in criteria:
        return set()
    try:
        names = json.loads(criteria[criteria.index("[") :])
    except ValueError:
        return set()
    return {str(name) for name in names} if isinstance(names, list) else set()  # pyright: ignore[reportUnknownVariableType, reportUnknownArgumentType]


def _handoff_findings(changes: Mapping[str, _Change]) -> list[Finding]:
    """An account policy that newly excludes a log group whose own filter this update creates.

    Nothing orders the two steps unless the policy depends on the filter: the engine runs them
    side by side, and if the policy lands first the log group has no subscription until the
    filter exists.
    """
    created = {
        (str(c.new.inputs.get("region")), str(c.new.inputs.get("logGroup"))): c.new
        for c in changes.values()
        if c.new is not None and c.old is None and c.new.type == FILTER
    }
    findings: list[Finding] = []
    for change in changes.values():
        policy = change.new
        if policy is None or change.old is None or policy.type != ACCOUNT_POLICY:
            continue
        region = str(policy.inputs.get("region"))
        for group in sorted(excluded_log_groups(policy) - excluded_log_groups(change.old)):
            log_filter = created.get((region, group))
            if log_filter is not None and log_filter.urn not in policy.dependencies:
                findings.append(
                    Finding(
                        Kind.GAP,
                        policy.name,
                        f"log group {group} in {region} leaves the account policy while its own filter "
                        f"{log_filter.name} is created, unordered: no subscription for the seconds "
                        "between the two if the policy lands first",
                    )
                )
    return findings


def _findings(changes: Mapping[str, _Change]) -> list[Finding]:
    findings: list[Finding] = _handoff_findings(changes)
    for urn in sorted(changes):
        change = changes[urn]
        if _blocked(change):
            assert change.old is not None
            what = "replaced" if change.new is not None else "deleted"
            findings.append(
                Finding(
                    Kind.BLOCKED,
                    change.old.name,
                    f"{_describe(change.old)} is protected and would be {what}: the update fails at preview "
                    "until it is unprotected deliberately (pulumi state unprotect)",
                )
            )
        elif change.old is not None and change.new is not None and change.replace:
            findings.extend(_replacement_findings(change, change.old, change.new))
        elif change.old is not None and change.new is None:
            findings.extend(_removal_findings(changes, change, change.old))
    return findings


def simulate(before: Sequence[Registration], after: Sequence[Registration]) -> Report:
    """The steps ``pulumi up`` takes from ``before`` to ``after`` and what they mean for delivery."""
    old, new = _managed(before), _managed(after)
    changes = _changes(old, new)
    return Report(tuple(_steps(old, new, changes)), tuple(_findings(changes)))


def force_new_table() -> str:
    """The markdown table of ``TYPES`` that docs/change-safety.md embeds."""
    lines = [
        "| Resource type | Inputs that force replacement | Delete-first by default | Source |",
        "|---|---|---|---|",
    ]
    for type_, type_rules in sorted(TYPES.items()):
        if type_rules.delete_before_replace:
            default = "yes (pulumi-aws override)"
        elif type_rules.auto_name is not None:
            default = f"when the program sets `{type_rules.auto_name}`"
        else:
            default = "no"
        inputs = ", ".join(f"`{path}`" for path in type_rules.force_new)
        lines.append(f"| `{type_}` | {inputs} | {default} | `{type_rules.source}` |")
    return "\n".join(lines)
