"""The least-privilege IAM policy of the identity that deploys one stack, derived from its plan.

    .venv/bin/python -m tools.deployer_policy account-b > archive-deployer.json
    .venv/bin/python -m tools.deployer_policy account-a [--archive-outputs FILE] > source-deployer.json

The stack is evaluated offline (``offline.plan``'s helpers, the same mocks as ``offline.plan``);
every resource it plans is looked up in ``PERMISSIONS`` (type -> the IAM actions the provider's
create, read, update and delete call, and the ARNs they act on) and the statements are scoped to
the names the stack gives its resources. On top come the grants AWS requires that no single
resource shows: ``iam:PassRole`` (only to the service the role is for, ``iam:PassedToService``)
and, in a source stack, ``logs:PutSubscriptionFilter`` / ``logs:PutAccountPolicy`` on the
archive's destinations (cross-account subscription checks the sender's identity policy as well as
the destination's access policy). A planned type missing from ``PERMISSIONS`` stops the command
(exit 3) naming it, so a new resource type cannot ship without its permissions.

The actions follow the AWS Service Authorization Reference and the API calls of each
terraform-provider-aws resource (its Create/Read/Update/Delete functions), which pulumi-aws
runs. Not covered: the Pulumi backend (state bucket or Pulumi Cloud) and the secrets provider,
which the deploying identity needs as well, and ``sts:GetCallerIdentity`` (never denied).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from offline.mocks import Registration
from offline.plan import Refusal, archive_outputs, evaluate
from offline.program import ProgramRun, read_stack_file, stack_file_path

VERSION = "2012-10-17"
EXIT_UNMAPPED = 3
MANAGED_POLICY_MAX_CHARS = 6144
"""IAM's limit on a customer managed policy, whitespace not counted."""
NOT_AWS = ("pulumi:", "log-archive:")
"""Type prefixes of resources no AWS API backs (stack references, components, providers)."""


@dataclass(frozen=True)
class Where:
    """What a resource's ARNs are built from."""

    account: str
    region: str
    """The resource's ``region`` input, else the stack's region."""
    inputs: Mapping[str, Any]
    name: str
    """The Pulumi resource name: auto-named resources are ``<name>-<7 random characters>``."""

    def input(self, key: str) -> str:
        value = self.inputs.get(key)
        return value if isinstance(value, str) and value else f"{self.name}-*"


Arns = Callable[[Where], list[str]]


@dataclass(frozen=True)
class Permissions:
    actions: tuple[str, ...]
    arns: Arns


def _bucket(w: Where) -> list[str]:
    return [f"arn:aws:s3:::{w.input('bucket')}"]


def _log_group(name: str, w: Where) -> list[str]:
    group = f"arn:aws:logs:{w.region}:{w.account}:log-group:{name}"
    return [group, f"{group}:*"]


def _bus(w: Where, name: str) -> str:
    return f"arn:aws:events:{w.region}:{w.account}:event-bus/{name}"


def _rule(w: Where, name: str) -> str:
    """A rule's ARN: ``rule/<name>`` on the default bus, ``rule/<bus>/<name>`` on another."""
    bus = w.inputs.get("eventBusName")
    return f"arn:aws:events:{w.region}:{w.account}:rule/{name if bus is None else f'{bus}/{name}'}"


def _role(w: Where) -> list[str]:
    return [f"arn:aws:iam::{w.account}:role/{w.input('name')}"]


S3_BUCKET_READ = (
    *("s3:GetAccelerateConfiguration", "s3:GetBucketAcl", "s3:GetBucketCORS", "s3:GetBucketLogging"),
    *("s3:GetBucketObjectLockConfiguration", "s3:GetBucketPolicy", "s3:GetBucketRequestPayment"),
    *(
        "s3:GetBucketTagging",
        "s3:GetBucketVersioning",
        "s3:GetBucketWebsite",
        "s3:GetEncryptionConfiguration",
    ),
    *("s3:GetLifecycleConfiguration", "s3:GetReplicationConfiguration", "s3:ListBucket"),
)
"""What terraform-provider-aws's bucket Read calls (s3/bucket.go resourceBucketRead)."""


def _s3(*actions: str) -> Permissions:
    return Permissions(actions, _bucket)


PERMISSIONS: dict[str, Permissions] = {
    "aws:s3/bucket:Bucket": Permissions(
        (
            *("s3:CreateBucket", "s3:DeleteBucket", "s3:PutBucketTagging"),
            # CreateBucket with Object Lock enabled: S3 also checks these two.
            *("s3:PutBucketObjectLockConfiguration", "s3:PutBucketVersioning"),
            *S3_BUCKET_READ,
        ),
        _bucket,
    ),
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": _s3(
        "s3:GetBucketPublicAccessBlock", "s3:PutBucketPublicAccessBlock"
    ),
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls": _s3(
        "s3:GetBucketOwnershipControls", "s3:PutBucketOwnershipControls"
    ),
    "aws:s3/bucketPolicy:BucketPolicy": _s3(
        "s3:DeleteBucketPolicy", "s3:GetBucketPolicy", "s3:PutBucketPolicy"
    ),
    "aws:s3/bucketVersioning:BucketVersioning": _s3("s3:GetBucketVersioning", "s3:PutBucketVersioning"),
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": _s3(
        "s3:GetLifecycleConfiguration", "s3:PutLifecycleConfiguration"
    ),
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": _s3(
        "s3:GetEncryptionConfiguration", "s3:PutEncryptionConfiguration"
    ),
    "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration": _s3(
        "s3:GetBucketObjectLockConfiguration", "s3:PutBucketObjectLockConfiguration"
    ),
    "aws:s3/bucketLogging:BucketLogging": _s3("s3:GetBucketLogging", "s3:PutBucketLogging"),
    "aws:s3/bucketReplicationConfig:BucketReplicationConfig": _s3(
        "s3:GetReplicationConfiguration", "s3:PutReplicationConfiguration"
    ),
    "aws:kms/key:Key": Permissions(
        (
            *("kms:DescribeKey", "kms:DisableKeyRotation", "kms:EnableKeyRotation", "kms:GetKeyPolicy"),
            *(
                "kms:GetKeyRotationStatus",
                "kms:ListResourceTags",
                "kms:PutKeyPolicy",
                "kms:ScheduleKeyDeletion",
            ),
            *("kms:TagResource", "kms:UntagResource", "kms:UpdateKeyDescription"),
        ),
        lambda w: [f"arn:aws:kms:{w.region}:{w.account}:key/*"],
    ),
    "aws:kms/alias:Alias": Permissions(
        ("kms:CreateAlias", "kms:DeleteAlias", "kms:UpdateAlias"),
        lambda w: [
            f"arn:aws:kms:{w.region}:{w.account}:{w.input('name')}",
            f"arn:aws:kms:{w.region}:{w.account}:key/*",
        ],
    ),
    "aws:iam/role:Role": Permissions(
        (
            *("iam:CreateRole", "iam:DeleteRole", "iam:GetRole", "iam:ListAttachedRolePolicies"),
            *("iam:ListInstanceProfilesForRole", "iam:ListRolePolicies", "iam:TagRole", "iam:UntagRole"),
            *("iam:UpdateAssumeRolePolicy", "iam:UpdateRole", "iam:UpdateRoleDescription"),
        ),
        _role,
    ),
    "aws:iam/rolePolicy:RolePolicy": Permissions(
        ("iam:DeleteRolePolicy", "iam:GetRolePolicy", "iam:PutRolePolicy"),
        lambda w: [f"arn:aws:iam::{w.account}:role/{w.input('role')}"],
    ),
    "aws:cloudwatch/logGroup:LogGroup": Permissions(
        (
            *(
                "logs:AssociateKmsKey",
                "logs:CreateLogGroup",
                "logs:DeleteLogGroup",
                "logs:DeleteRetentionPolicy",
            ),
            *("logs:DisassociateKmsKey", "logs:ListTagsForResource"),
            *("logs:PutRetentionPolicy", "logs:TagResource", "logs:UntagResource"),
        ),
        lambda w: _log_group(w.input("name"), w),
    ),
    "aws:cloudwatch/logStream:LogStream": Permissions(
        ("logs:CreateLogStream", "logs:DeleteLogStream", "logs:DescribeLogStreams"),
        lambda w: _log_group(w.input("logGroupName"), w),
    ),
    "aws:cloudwatch/logDestination:LogDestination": Permissions(
        (
            *("logs:DeleteDestination", "logs:ListTagsForResource"),
            *("logs:PutDestination", "logs:TagResource", "logs:UntagResource"),
        ),
        lambda w: [f"arn:aws:logs:{w.region}:{w.account}:destination:{w.input('name')}"],
    ),
    "aws:cloudwatch/logDestinationPolicy:LogDestinationPolicy": Permissions(
        ("logs:PutDestinationPolicy",),
        lambda w: [f"arn:aws:logs:{w.region}:{w.account}:destination:{w.input('destinationName')}"],
    ),
    "aws:cloudwatch/logSubscriptionFilter:LogSubscriptionFilter": Permissions(
        ("logs:DeleteSubscriptionFilter", "logs:DescribeSubscriptionFilters", "logs:PutSubscriptionFilter"),
        lambda w: _log_group(w.input("logGroup"), w),
    ),
    "aws:cloudwatch/logAccountPolicy:LogAccountPolicy": Permissions(
        # Account policies are no resource of their own: the actions take only "*".
        ("logs:DeleteAccountPolicy", "logs:DescribeAccountPolicies", "logs:PutAccountPolicy"),
        lambda w: ["*"],
    ),
    "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream": Permissions(
        (
            *(
                "firehose:CreateDeliveryStream",
                "firehose:DeleteDeliveryStream",
                "firehose:DescribeDeliveryStream",
            ),
            *("firehose:ListTagsForDeliveryStream", "firehose:StartDeliveryStreamEncryption"),
            *("firehose:StopDeliveryStreamEncryption", "firehose:TagDeliveryStream"),
            *("firehose:UntagDeliveryStream", "firehose:UpdateDestination"),
        ),
        lambda w: [f"arn:aws:firehose:{w.region}:{w.account}:deliverystream/{w.input('name')}"],
    ),
    "aws:cloudwatch/metricAlarm:MetricAlarm": Permissions(
        (
            *("cloudwatch:DeleteAlarms", "cloudwatch:DescribeAlarms", "cloudwatch:ListTagsForResource"),
            *("cloudwatch:PutMetricAlarm", "cloudwatch:TagResource", "cloudwatch:UntagResource"),
        ),
        lambda w: [f"arn:aws:cloudwatch:{w.region}:{w.account}:alarm:{w.input('name')}"],
    ),
    "aws:sns/topic:Topic": Permissions(
        (
            *("sns:CreateTopic", "sns:DeleteTopic", "sns:GetTopicAttributes", "sns:ListTagsForResource"),
            *("sns:SetTopicAttributes", "sns:TagResource", "sns:UntagResource"),
        ),
        lambda w: [f"arn:aws:sns:{w.region}:{w.account}:{w.input('name')}"],
    ),
    "aws:sns/topicSubscription:TopicSubscription": Permissions(
        (
            "sns:GetSubscriptionAttributes",
            "sns:SetSubscriptionAttributes",
            "sns:Subscribe",
            "sns:Unsubscribe",
        ),
        lambda w: [w.input("topic"), f"{w.input('topic')}:*"],
    ),
    "aws:glue/catalogDatabase:CatalogDatabase": Permissions(
        ("glue:CreateDatabase", "glue:DeleteDatabase", "glue:GetDatabase", "glue:UpdateDatabase"),
        lambda w: [
            f"arn:aws:glue:{w.region}:{w.account}:catalog",
            f"arn:aws:glue:{w.region}:{w.account}:database/{w.input('name')}",
            # Deleting a database deletes its tables.
            f"arn:aws:glue:{w.region}:{w.account}:table/{w.input('name')}/*",
            f"arn:aws:glue:{w.region}:{w.account}:userDefinedFunction/{w.input('name')}/*",
        ],
    ),
    "aws:glue/catalogTable:CatalogTable": Permissions(
        (
            *("glue:CreateTable", "glue:DeleteTable", "glue:GetPartitionIndexes", "glue:GetTable"),
            "glue:UpdateTable",
        ),
        lambda w: [
            f"arn:aws:glue:{w.region}:{w.account}:catalog",
            f"arn:aws:glue:{w.region}:{w.account}:database/{w.input('databaseName')}",
            f"arn:aws:glue:{w.region}:{w.account}:table/{w.input('databaseName')}/{w.input('name')}",
        ],
    ),
    "aws:athena/workgroup:Workgroup": Permissions(
        (
            *("athena:CreateWorkGroup", "athena:DeleteWorkGroup", "athena:GetWorkGroup"),
            *(
                "athena:ListTagsForResource",
                "athena:TagResource",
                "athena:UntagResource",
                "athena:UpdateWorkGroup",
            ),
        ),
        lambda w: [f"arn:aws:athena:{w.region}:{w.account}:workgroup/{w.input('name')}"],
    ),
    "aws:cloudwatch/eventRule:EventRule": Permissions(
        (
            *("events:DeleteRule", "events:DescribeRule", "events:DisableRule", "events:EnableRule"),
            *("events:ListTagsForResource", "events:ListTargetsByRule", "events:PutRule"),
            *("events:TagResource", "events:UntagResource"),
        ),
        lambda w: [_rule(w, w.input("name"))],
    ),
    "aws:cloudwatch/eventBus:EventBus": Permissions(
        (
            *("events:CreateEventBus", "events:DeleteEventBus", "events:DescribeEventBus"),
            *("events:ListTagsForResource", "events:TagResource", "events:UntagResource"),
            "events:UpdateEventBus",
        ),
        lambda w: [_bus(w, w.input("name"))],
    ),
    "aws:cloudwatch/eventBusPolicy:EventBusPolicy": Permissions(
        ("events:DescribeEventBus", "events:PutPermission", "events:RemovePermission"),
        lambda w: [_bus(w, w.input("eventBusName"))],
    ),
    "aws:cloudwatch/logResourcePolicy:LogResourcePolicy": Permissions(
        # The resource-policy actions take no resource ARN: "*" is the only form IAM accepts.
        ("logs:DeleteResourcePolicy", "logs:DescribeResourcePolicies", "logs:PutResourcePolicy"),
        lambda _: ["*"],
    ),
    "aws:cloudwatch/eventTarget:EventTarget": Permissions(
        ("events:ListTargetsByRule", "events:PutTargets", "events:RemoveTargets"),
        lambda w: [_rule(w, w.input("rule"))],
    ),
    "aws:s3/bucketNotification:BucketNotification": _s3(
        "s3:GetBucketNotification", "s3:PutBucketNotification"
    ),
    "aws:cloudformation/stackSet:StackSet": Permissions(
        (
            *("cloudformation:CreateStackSet", "cloudformation:DeleteStackSet"),
            *("cloudformation:DescribeStackSet", "cloudformation:DescribeStackSetOperation"),
            *("cloudformation:TagResource", "cloudformation:UntagResource"),
            "cloudformation:UpdateStackSet",
        ),
        lambda w: [f"arn:aws:cloudformation:{w.region}:{w.account}:stackset/{w.input('name')}:*"],
    ),
    "aws:cloudformation/stackInstances:StackInstances": Permissions(
        (
            *("cloudformation:CreateStackInstances", "cloudformation:DeleteStackInstances"),
            *("cloudformation:DescribeStackSetOperation", "cloudformation:ListStackInstances"),
            "cloudformation:UpdateStackInstances",
        ),
        lambda w: [
            f"arn:aws:cloudformation:{w.region}:{w.account}:stackset/{w.input('stackSetName')}:*",
            f"arn:aws:cloudformation:*:*:stackset-target/{w.input('stackSetName')}:*",
            "arn:aws:cloudformation:*::type/resource/*",
        ],
    ),
}
"""Every AWS resource type a stack may plan -> the deployer's actions on it and their ARNs;
an unmapped one stops the command."""

CREATE_WITHOUT_RESOURCE: Mapping[str, tuple[str, ...]] = {
    "aws:kms/key:Key": ("kms:CreateKey",),
    "aws:kms/alias:Alias": ("kms:ListAliases",),
    "aws:cloudwatch/logGroup:LogGroup": ("logs:DescribeLogGroups",),
    "aws:cloudwatch/logDestination:LogDestination": ("logs:DescribeDestinations",),
    "aws:cloudwatch/logDestinationPolicy:LogDestinationPolicy": ("logs:DescribeDestinations",),
}
"""Actions of a type that take no resource ARN (Resource "*" is the only form IAM accepts):
creating a key, and listing calls that return names only."""

PASSED_ROLES: Mapping[str, tuple[str, str]] = {
    "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream": (
        "extendedS3Configuration.roleArn",
        "firehose",
    ),
    "aws:cloudwatch/logDestination:LogDestination": ("roleArn", "logs"),
    "aws:cloudwatch/logSubscriptionFilter:LogSubscriptionFilter": ("roleArn", "logs"),
    "aws:cloudwatch/logAccountPolicy:LogAccountPolicy": ("policyDocument.RoleArn", "logs"),
    "aws:s3/bucketReplicationConfig:BucketReplicationConfig": ("role", "s3"),
    "aws:cloudwatch/eventTarget:EventTarget": ("roleArn", "events"),
}
"""Inputs that hand a role to a service (the caller needs ``iam:PassRole`` on it) and the service."""


class UnmappedTypes(Exception):
    def __init__(self, types: Sequence[str]) -> None:
        super().__init__(
            f"no deployer permissions known for {', '.join(types)}: add the type to "
            "tools/deployer_policy.py PERMISSIONS (the actions of its create, read, update and "
            "delete, and their ARNs)"
        )
        self.types = tuple(types)


def _lookup(inputs: Mapping[str, Any], path: str) -> str | None:
    value: Any = inputs
    for part in path.split("."):
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except ValueError:
                return None
        if not isinstance(value, dict):
            return None
        value = value.get(part)  # pyright: ignore[reportUnknownMemberType]
    return value if isinstance(value, str) else None


def _role_pattern(arn: str, by_arn: Mapping[str, Registration], account: str) -> str:
    """A passed role's ARN; for a role Pulumi names, the pattern of the names it may pick."""
    if arn in by_arn:
        registration = by_arn[arn]
        name = registration.inputs.get("name")
        if not isinstance(name, str):
            return f"arn:aws:iam::{account}:role/{registration.name}-*"
    return arn


def deployer_policy(run: ProgramRun, account: str, region: str) -> dict[str, Any]:
    """The policy document for ``run``'s stack; ``UnmappedTypes`` if a planned type is unknown."""
    planned = [r for r in run.registrations if not r.type.startswith(NOT_AWS)]
    unmapped = sorted({r.type for r in planned} - set(PERMISSIONS))
    if unmapped:
        raise UnmappedTypes(unmapped)
    grants: dict[tuple[str, tuple[str, ...]], set[str]] = {}
    """(service, resources) -> actions: types acting on the same ARNs share one statement."""
    for type_ in sorted({r.type for r in planned}):
        permissions = PERMISSIONS[type_]
        arns = tuple(
            sorted(
                {
                    arn
                    for r in planned
                    if r.type == type_
                    for arn in permissions.arns(Where(account, _region(r, region), r.inputs, r.name))
                }
            )
        )
        service = permissions.actions[0].split(":")[0]
        grants.setdefault((service, arns), set()).update(permissions.actions)
        if type_ in CREATE_WITHOUT_RESOURCE:
            grants.setdefault((service, ("*",)), set()).update(CREATE_WITHOUT_RESOURCE[type_])
    statements: list[dict[str, Any]] = []
    counts: dict[str, int] = {}
    for (service, arns), actions in sorted(grants.items()):
        counts[service] = counts.get(service, 0) + 1
        statements.append(
            {
                "Sid": f"{service.capitalize()}{counts[service]}",
                "Effect": "Allow",
                "Action": sorted(actions),
                "Resource": arns[0] if arns == ("*",) else list(arns),
            }
        )
    statements += _pass_role(planned, account)
    statements += _cross_account_subscription(planned, account)
    return {"Version": VERSION, "Statement": statements}


def _region(registration: Registration, default: str) -> str:
    value = registration.inputs.get("region")
    return value if isinstance(value, str) else default


def _pass_role(planned: Sequence[Registration], account: str) -> list[dict[str, Any]]:
    roles = {
        str(r.outputs["arn"]): r for r in planned if r.type == "aws:iam/role:Role" and "arn" in r.outputs
    }
    by_service: dict[str, set[str]] = {}
    for r in planned:
        if r.type in PASSED_ROLES:
            path, service = PASSED_ROLES[r.type]
            arn = _lookup(r.inputs, path)
            if arn is not None:
                by_service.setdefault(service, set()).add(_role_pattern(arn, roles, account))
    return [
        {
            "Sid": f"PassRolesTo{service.capitalize()}",
            "Effect": "Allow",
            "Action": "iam:PassRole",
            "Resource": sorted(arns),
            "Condition": {"StringEquals": {"iam:PassedToService": f"{service}.amazonaws.com"}},
        }
        for service, arns in sorted(by_service.items())
    ]


def _cross_account_subscription(planned: Sequence[Registration], account: str) -> list[dict[str, Any]]:
    """Subscribing to another account's destination is checked against the caller's identity
    policy too: it must allow ``logs:PutSubscriptionFilter`` on the destination ARN itself.
    ``logs:PutAccountPolicy`` takes only ``"*"`` (which covers the destination), granted with the
    account policy's own actions when the stack plans one."""
    destinations: set[str] = set()
    for r in planned:
        arn = (
            _lookup(r.inputs, "destinationArn")
            if r.type == "aws:cloudwatch/logSubscriptionFilter:LogSubscriptionFilter"
            else _lookup(r.inputs, "policyDocument.DestinationArn")
            if r.type == "aws:cloudwatch/logAccountPolicy:LogAccountPolicy"
            else None
        )
        if arn is not None and arn.split(":")[4:5] != [account]:
            destinations.add(arn)
    if not destinations:
        return []
    return [
        {
            "Sid": "SubscribeToTheArchiveDestinations",
            "Effect": "Allow",
            "Action": "logs:PutSubscriptionFilter",
            "Resource": sorted(destinations),
        }
    ]


def policy_size(document: Mapping[str, Any]) -> int:
    """Characters IAM counts against ``MANAGED_POLICY_MAX_CHARS`` (no whitespace)."""
    return len(json.dumps(document, separators=(",", ":")))


def plan_stack(stack: str, outputs_file: Path | None) -> tuple[ProgramRun, str, str]:
    """Evaluate ``stack`` as ``offline.plan`` does: the run, its account and its region."""
    stack_file = read_stack_file(stack_file_path(stack))
    config = stack_file.config
    run = evaluate(
        stack, stack_file, config, preview=False, stack_outputs=archive_outputs(config, outputs_file)
    )
    accounts: Any = json.loads(config.get("aws:allowedAccountIds", '["123456789012"]'))
    return run, str(accounts[0]), config.get("aws:region", "us-east-1")


def main(argv: Sequence[str] | None = None, out: Callable[[str], None] = print) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tools.deployer_policy",
        description="Print the least-privilege IAM policy of the identity that deploys the stack.",
    )
    parser.add_argument("stack", help="stack name (Pulumi.<stack>.yaml)")
    parser.add_argument(
        "--archive-outputs", type=Path, metavar="FILE", help="archive outputs for a source stack"
    )
    args = parser.parse_args(argv)
    try:
        run, account, region = plan_stack(args.stack, args.archive_outputs)
        document = deployer_policy(run, account, region)
    except Refusal as refusal:
        print(f"error: {refusal}", file=sys.stderr)
        return refusal.status
    except UnmappedTypes as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_UNMAPPED
    size = policy_size(document)
    if size > MANAGED_POLICY_MAX_CHARS:
        print(
            f"note: {size} characters, over IAM's {MANAGED_POLICY_MAX_CHARS} for one managed policy: "
            "split the statements over two policies",
            file=sys.stderr,
        )
    out(json.dumps(document, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
