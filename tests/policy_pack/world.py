"""A compliant archive stack and a compliant source stack, built as registrations the way the mocks
record them, to mutate one property at a time.

Values that name another resource are ``Ref``s and policy documents are ``Json``: at update they
resolve to the other resource's attribute and to JSON text; in a preview a ``Ref`` to a computed
attribute is unknown and so is every document that embeds one (as with ``Output.json_dumps``).
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from components import heartbeat
from components.subscription_changes import BUS_NAME
from offline.analyzer import Diagnostic, PolicyPackProcess
from offline.mocks import PREVIEW_UNKNOWN, Registration

ARCHIVE = "222222222222"
SOURCE = "111111111111"
REGION = "ap-northeast-1"
PROJECT = "log-archive"
CANT_RUN_IN_PREVIEW = "during preview:"

PackFactory = Callable[[str, bool], PolicyPackProcess]
"""``packs(stack, preview)`` gives the session's running pack for that stack and mode."""
"""In the SDK's advisory for a policy that read a value unknown in preview."""


def violations(diagnostics: list[Diagnostic]) -> set[tuple[str, str, str]]:
    """``(policy, resource name, level)`` of every violation, leaving out the SDK's preview notes."""
    return {
        (d.policy_name, d.urn.rsplit("::", 1)[-1], d.enforcement_level.value)
        for d in diagnostics
        if CANT_RUN_IN_PREVIEW not in d.message
    }


@dataclass(frozen=True)
class Ref:
    """Another resource's attribute, e.g. ``Ref("bucket", "arn")``."""

    name: str
    attribute: str


@dataclass
class Json:
    """A document serialized to JSON text at registration (set ``as_object`` to send it as is)."""

    value: Any
    as_object: bool = False


@dataclass
class Spec:
    type: str
    inputs: dict[str, Any]
    computed: dict[str, Any] = field(default_factory=dict[str, Any])
    """Attributes the provider computes: known at update, unknown in preview."""
    protect: bool = False
    delete_before_replace: bool | None = None
    """The program's option; ``None`` leaves the choice to the provider."""
    provider: str = ""
    """The name of an explicit provider spec; empty for the default provider."""


class World:
    """Named resource specs of one stack; ``registrations`` renders them."""

    def __init__(self, stack: str, specs: dict[str, Spec]) -> None:
        self.stack = stack
        self.specs = specs

    def copy(self) -> World:
        return World(self.stack, copy.deepcopy(self.specs))

    def __getitem__(self, name: str) -> Spec:
        return self.specs[name]

    def document(self, name: str, key: str) -> Any:
        """The document value inside ``Json`` at ``inputs[key]`` of resource ``name``."""
        wrapped = self.specs[name].inputs[key]
        assert isinstance(wrapped, Json)
        return wrapped.value

    def statements(self, name: str, key: str) -> list[dict[str, Any]]:
        statements = self.document(name, key)["Statement"]
        assert isinstance(statements, list)
        return statements  # pyright: ignore[reportUnknownVariableType]

    def urn(self, name: str) -> str:
        spec = self.specs[name]
        if spec.type.startswith("pulumi:providers:"):
            return f"urn:pulumi:{self.stack}::{PROJECT}::{spec.type}::{name}"
        return f"urn:pulumi:{self.stack}::{PROJECT}::{PROJECT}:index:Component${spec.type}::{name}"

    def registrations(self, *, preview: bool) -> list[Registration]:
        found: list[Registration] = []
        for name, spec in self.specs.items():
            dependencies: dict[str, set[str]] = {}
            inputs = {
                key: self._resolve(value, preview, dependencies.setdefault(key, set()))
                for key, value in spec.inputs.items()
            }
            outputs = dict(inputs)
            outputs.update(
                {key: PREVIEW_UNKNOWN if preview else value for key, value in spec.computed.items()}
            )
            provider = f"{self.urn(spec.provider)}::provider-id" if spec.provider else ""
            found.append(
                Registration(
                    type=spec.type,
                    name=name,
                    urn=self.urn(name),
                    parent=f"urn:pulumi:{self.stack}::{PROJECT}::{PROJECT}:index:Component::{PROJECT}",
                    custom=True,
                    inputs=inputs,
                    outputs=outputs,
                    id=f"{name}-id",
                    provider=provider,
                    dependencies=tuple(sorted({u for urns in dependencies.values() for u in urns})),
                    property_dependencies={k: tuple(sorted(v)) for k, v in dependencies.items() if v},
                    protect=spec.protect,
                    delete_before_replace=bool(spec.delete_before_replace),
                    delete_before_replace_defined=spec.delete_before_replace is not None,
                    wire_inputs=inputs,
                    wire_outputs=outputs,
                )
            )
        return found

    def _resolve(self, value: Any, preview: bool, dependencies: set[str]) -> Any:
        if isinstance(value, Ref):
            dependencies.add(self.urn(value.name))
            target = self.specs[value.name]
            if value.attribute in target.computed:
                return PREVIEW_UNKNOWN if preview else target.computed[value.attribute]
            return target.inputs[value.attribute]
        if isinstance(value, Json):
            resolved = self._resolve(value.value, preview, dependencies)
            if value.as_object:
                return resolved
            return PREVIEW_UNKNOWN if PREVIEW_UNKNOWN in json.dumps(resolved) else json.dumps(resolved)
        if isinstance(value, dict):
            return {k: self._resolve(v, preview, dependencies) for k, v in value.items()}  # pyright: ignore[reportUnknownVariableType]
        if isinstance(value, list):
            return [self._resolve(v, preview, dependencies) for v in value]  # pyright: ignore[reportUnknownVariableType]
        return value


def _document(*statements: dict[str, Any]) -> Json:
    return Json({"Version": "2012-10-17", "Statement": list(statements)})


def archive_world() -> World:
    """The archive account's resources, compliant with every rule of the pack."""
    bucket_arn = Ref("bucket", "arn")
    bucket_objects = f"arn:aws:s3:::archive-{ARCHIVE}/*"
    stream_arn = f"arn:aws:firehose:{REGION}:{ARCHIVE}:deliverystream/archive"
    key_arn = f"arn:aws:kms:{REGION}:{ARCHIVE}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    of_bucket = {"bucket": Ref("bucket", "bucket")}
    return World(
        "account-b",
        {
            "key": Spec(
                "aws:kms/key:Key",
                {"description": "archive", "enableKeyRotation": True, "deletionWindowInDays": 30.0},
                {"arn": key_arn, "keyId": key_arn.rsplit("/", 1)[1]},
            ),
            "bucket": Spec(
                "aws:s3/bucket:Bucket",
                {"objectLockEnabled": True, "forceDestroy": False},
                {"bucket": f"archive-{ARCHIVE}", "arn": f"arn:aws:s3:::archive-{ARCHIVE}"},
                protect=True,
            ),
            "public-access-block": Spec(
                "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
                {
                    **of_bucket,
                    "blockPublicAcls": True,
                    "blockPublicPolicy": True,
                    "ignorePublicAcls": True,
                    "restrictPublicBuckets": True,
                },
            ),
            "ownership": Spec(
                "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
                {**of_bucket, "rule": {"objectOwnership": "BucketOwnerEnforced"}},
            ),
            "versioning": Spec(
                "aws:s3/bucketVersioning:BucketVersioning",
                {**of_bucket, "versioningConfiguration": {"status": "Enabled"}},
            ),
            "encryption": Spec(
                "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
                {
                    **of_bucket,
                    "rules": [
                        {
                            "applyServerSideEncryptionByDefault": {
                                "sseAlgorithm": "aws:kms",
                                "kmsMasterKeyId": Ref("key", "arn"),
                            },
                            "bucketKeyEnabled": True,
                        }
                    ],
                },
            ),
            "object-lock": Spec(
                "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration",
                {**of_bucket, "rule": {"defaultRetention": {"mode": "GOVERNANCE", "days": 365.0}}},
            ),
            "lifecycle": Spec(
                "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
                {
                    **of_bucket,
                    "rules": [
                        {"id": "expire", "status": "Enabled", "filter": {}, "expiration": {"days": 3650.0}}
                    ],
                },
            ),
            "bucket-policy": Spec(
                "aws:s3/bucketPolicy:BucketPolicy",
                {
                    **of_bucket,
                    "policy": _document(
                        {
                            "Sid": "DenyInsecureTransport",
                            "Effect": "Deny",
                            "Principal": "*",
                            "Action": "s3:*",
                            "Resource": [bucket_arn, bucket_objects],
                            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                        },
                        {
                            "Sid": "AllowFirehoseWrites",
                            "Effect": "Allow",
                            "Principal": {"AWS": Ref("firehose-role", "arn")},
                            "Action": "s3:PutObject",
                            "Resource": bucket_objects,
                            "Condition": {"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control"}},
                        },
                    ),
                },
            ),
            "firehose-role": Spec(
                "aws:iam/role:Role",
                {
                    "assumeRolePolicy": _document(
                        {
                            "Effect": "Allow",
                            "Principal": {"Service": "firehose.amazonaws.com"},
                            "Action": "sts:AssumeRole",
                            "Condition": {"StringEquals": {"sts:ExternalId": ARCHIVE}},
                        }
                    )
                },
                {"name": "firehose-role", "arn": f"arn:aws:iam::{ARCHIVE}:role/firehose-role"},
            ),
            "firehose-role-policy": Spec(
                "aws:iam/rolePolicy:RolePolicy",
                {
                    "role": Ref("firehose-role", "name"),
                    "policy": _document(
                        {
                            "Sid": "WriteArchive",
                            "Effect": "Allow",
                            "Action": [
                                "s3:AbortMultipartUpload",
                                "s3:GetBucketLocation",
                                "s3:ListBucket",
                                "s3:ListBucketMultipartUploads",
                                "s3:PutObject",
                            ],
                            "Resource": [bucket_arn, bucket_objects],
                        },
                        {
                            "Sid": "UseBucketKey",
                            "Effect": "Allow",
                            "Action": ["kms:GenerateDataKey", "kms:Decrypt"],
                            "Resource": Ref("key", "arn"),
                        },
                    ),
                },
            ),
            "stream": Spec(
                "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream",
                {
                    "name": "archive",
                    "destination": "extended_s3",
                    "serverSideEncryption": {"enabled": True, "keyType": "AWS_OWNED_CMK"},
                    "extendedS3Configuration": {
                        "roleArn": Ref("firehose-role", "arn"),
                        "bucketArn": bucket_arn,
                        "prefix": "logs/",
                        "errorOutputPrefix": "errors/!{firehose:error-output-type}/",
                        "bufferingSize": 64.0,
                    },
                },
                {"arn": stream_arn},
                delete_before_replace=False,
            ),
            "logs-role": Spec(
                "aws:iam/role:Role",
                {
                    "assumeRolePolicy": _document(
                        {
                            "Effect": "Allow",
                            "Principal": {"Service": "logs.amazonaws.com"},
                            "Action": "sts:AssumeRole",
                            "Condition": {
                                "StringLike": {
                                    "aws:SourceArn": [
                                        f"arn:aws:logs:{REGION}:{SOURCE}:*",
                                        f"arn:aws:logs:{REGION}:{ARCHIVE}:*",
                                    ]
                                }
                            },
                        }
                    )
                },
                {"name": "logs-role", "arn": f"arn:aws:iam::{ARCHIVE}:role/logs-role"},
            ),
            "logs-role-policy": Spec(
                "aws:iam/rolePolicy:RolePolicy",
                {
                    "role": Ref("logs-role", "name"),
                    "policy": _document(
                        {
                            "Sid": "PutRecords",
                            "Effect": "Allow",
                            "Action": ["firehose:PutRecord", "firehose:PutRecordBatch"],
                            "Resource": Ref("stream", "arn"),
                        }
                    ),
                },
            ),
            "destination": Spec(
                "aws:cloudwatch/logDestination:LogDestination",
                {"name": "archive", "roleArn": Ref("logs-role", "arn"), "targetArn": Ref("stream", "arn")},
                {"arn": f"arn:aws:logs:{REGION}:{ARCHIVE}:destination:archive"},
                protect=True,
            ),
            "change-bus-policy": Spec(
                "aws:cloudwatch/eventBusPolicy:EventBusPolicy",
                {
                    "eventBusName": BUS_NAME,
                    "policy": _document(
                        {
                            "Sid": "SourceAccountsForwardSubscriptionChanges",
                            "Effect": "Allow",
                            "Principal": {"AWS": [f"arn:aws:iam::{SOURCE}:root"]},
                            "Action": "events:PutEvents",
                            "Resource": f"arn:aws:events:{REGION}:{ARCHIVE}:event-bus/{BUS_NAME}",
                        }
                    ),
                },
            ),
            "destination-policy": Spec(
                "aws:cloudwatch/logDestinationPolicy:LogDestinationPolicy",
                {
                    "destinationName": Ref("destination", "name"),
                    "accessPolicy": _document(
                        {
                            "Sid": "AllowSources",
                            "Effect": "Allow",
                            "Principal": {"AWS": [SOURCE]},
                            "Action": ["logs:PutSubscriptionFilter", "logs:PutAccountPolicy"],
                            "Resource": Ref("destination", "arn"),
                        }
                    ),
                },
            ),
        },
    )


def source_world() -> World:
    """A source account's subscriptions, through an explicit provider for the source account."""
    destination = f"arn:aws:logs:{REGION}:{ARCHIVE}:destination:archive"
    return World(
        "account-a",
        {
            "source-provider": Spec(
                "pulumi:providers:aws",
                {"region": REGION, "allowedAccountIds": json.dumps([SOURCE])},
            ),
            "filter": Spec(
                "aws:cloudwatch/logSubscriptionFilter:LogSubscriptionFilter",
                {"logGroup": "app", "filterPattern": "", "destinationArn": destination},
                provider="source-provider",
                delete_before_replace=False,
            ),
            "account-policy": Spec(
                "aws:cloudwatch/logAccountPolicy:LogAccountPolicy",
                {
                    "policyName": "archive",
                    "policyType": "SUBSCRIPTION_FILTER_POLICY",
                    "scope": "ALL",
                    "policyDocument": Json({"DestinationArn": destination, "FilterPattern": ""}),
                },
                provider="source-provider",
                delete_before_replace=False,
            ),
            "heartbeat-policy": Spec(
                "aws:cloudwatch/logResourcePolicy:LogResourcePolicy",
                {
                    "policyName": "log-archive-heartbeat",
                    "policyDocument": Json(heartbeat.log_resource_policy("aws", SOURCE, REGION)),
                },
                provider="source-provider",
            ),
        },
    )
