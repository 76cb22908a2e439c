"""IAM, bucket, key and destination policy documents of the archive account, as plain data.

Each function returns a document (a dict, possibly holding ``pulumi.Output`` values that
``pulumi.Output.json_dumps`` resolves) so tests assert the exact statements.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import pulumi

Document = dict[str, Any]
Arn = pulumi.Input[str]
"""An ARN known only once its resource exists. Bucket ARNs are plain strings: the buckets have
fixed names, so their ARNs are known before anything is created."""

VERSION = "2012-10-17"
OWNER_FULL_CONTROL = "bucket-owner-full-control"
DESTINATION_ACTIONS = ["logs:PutSubscriptionFilter", "logs:PutAccountPolicy"]
"""Subscription filters and account-level subscription policies in the sources need both."""
KEY_ADMIN_ACTIONS = [
    "kms:CancelKeyDeletion",
    "kms:CreateAlias",
    "kms:Delete*",
    "kms:Describe*",
    "kms:Disable*",
    "kms:Enable*",
    "kms:Get*",
    "kms:List*",
    "kms:PutKeyPolicy",
    "kms:RevokeGrant",
    "kms:RotateKeyOnDemand",
    "kms:ScheduleKeyDeletion",
    "kms:TagResource",
    "kms:UntagResource",
    "kms:Update*",
]
"""Key administration without use and without ``kms:CreateGrant`` (``kms:Create*`` would include
it, and a grant gives its grantee Decrypt). What remains: an administrator keeps
``kms:PutKeyPolicy`` (PutKeyPolicy's lockout safety check refuses a policy that takes it from the
caller, and Pulumi needs it to update this policy), so an administrator can still rewrite the
policy to name itself: the key policy narrows *who* can do that, docs/security.md says who."""
GRANT_ACTIONS = ["kms:CreateGrant", "kms:ListGrants"]
"""Grants only for AWS services acting for the administrators (``kms:GrantIsForAWSResource``)."""


def _objects(bucket_arn: str) -> str:
    return f"{bucket_arn}/*"


def _deny_insecure_transport(bucket_arn: str) -> Document:
    return {
        "Sid": "DenyInsecureTransport",
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": [bucket_arn, _objects(bucket_arn)],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }


def results_bucket_policy(bucket_arn: str) -> Document:
    """The Athena results bucket: TLS only; access comes from the readers' own IAM policies."""
    return {"Version": VERSION, "Statement": [_deny_insecure_transport(bucket_arn)]}


def bucket_policy(bucket_arn: str, firehose_role_arn: Arn, reader_arns: Sequence[str]) -> Document:
    """TLS only; Firehose writes only objects handed to the bucket owner; readers read."""
    statements: list[Document] = [
        _deny_insecure_transport(bucket_arn),
        {
            "Sid": "AllowFirehoseWriteWithOwnerFullControl",
            "Effect": "Allow",
            "Principal": {"AWS": firehose_role_arn},
            "Action": "s3:PutObject",
            "Resource": _objects(bucket_arn),
            "Condition": {"StringEquals": {"s3:x-amz-acl": OWNER_FULL_CONTROL}},
        },
    ]
    if reader_arns:
        statements += [
            {
                "Sid": "AllowReadersList",
                "Effect": "Allow",
                "Principal": {"AWS": list(reader_arns)},
                "Action": ["s3:GetBucketLocation", "s3:ListBucket"],
                "Resource": bucket_arn,
            },
            {
                "Sid": "AllowReadersGetObjects",
                "Effect": "Allow",
                "Principal": {"AWS": list(reader_arns)},
                "Action": "s3:GetObject",
                "Resource": _objects(bucket_arn),
            },
        ]
    return {"Version": VERSION, "Statement": statements}


def firehose_trust_policy(account_id: str) -> Document:
    """Firehose may assume the role only for streams of the archive account."""
    return {
        "Version": VERSION,
        "Statement": [
            {
                "Sid": "AllowFirehoseOfThisAccount",
                "Effect": "Allow",
                "Principal": {"Service": "firehose.amazonaws.com"},
                "Action": "sts:AssumeRole",
                "Condition": {"StringEquals": {"sts:ExternalId": account_id}},
            }
        ],
    }


def _via_s3(region: str, bucket_arn: str) -> Document:
    return {
        "StringEquals": {"kms:ViaService": f"s3.{region}.amazonaws.com"},
        "StringLike": {"kms:EncryptionContext:aws:s3:arn": [bucket_arn, _objects(bucket_arn)]},
    }


def firehose_role_policy(
    bucket_arn: str, key_arn: Arn, bucket_region: str, error_log_stream_arns: Sequence[Arn]
) -> Document:
    """Write objects to the bucket, use the key through S3 only, log delivery errors."""
    return {
        "Version": VERSION,
        "Statement": [
            {
                "Sid": "WriteArchiveObjects",
                "Effect": "Allow",
                "Action": [
                    "s3:AbortMultipartUpload",
                    "s3:GetBucketLocation",
                    "s3:GetObject",
                    "s3:ListBucket",
                    "s3:ListBucketMultipartUploads",
                    "s3:PutObject",
                ],
                "Resource": [bucket_arn, _objects(bucket_arn)],
            },
            {
                "Sid": "EncryptThroughS3",
                "Effect": "Allow",
                "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
                "Resource": key_arn,
                "Condition": _via_s3(bucket_region, bucket_arn),
            },
            {
                "Sid": "LogDeliveryErrors",
                "Effect": "Allow",
                "Action": "logs:PutLogEvents",
                "Resource": list(error_log_stream_arns),
            },
        ],
    }


def logs_trust_policy(
    archive_account_id: str,
    source_account_ids: Sequence[str],
    regions: Sequence[str],
    organization_id: str | None,
) -> Document:
    """CloudWatch Logs may assume the role only on behalf of allowed sources in the source regions.

    Both keys are CloudWatch Logs' documented confused-deputy keys. ``aws:SourceAccount`` names
    the listed accounts and the archive account itself (CloudWatch Logs sends a test message on
    its behalf when a destination is created) and ``aws:SourceArn`` the regions: together exactly
    the account x region pairs of AWS's ``arn:aws:logs:<region>:<account>:*`` examples, in a
    policy that grows by one id per account instead of one ARN per account and region. An
    organization is matched by ``aws:SourceOrgID``, whatever its number of accounts.
    """
    regional = {"aws:SourceArn": [f"arn:aws:logs:{region}:*:*" for region in regions]}
    statements: list[Document] = [
        {
            "Sid": "AllowCloudWatchLogsForAllowedAccounts",
            "Effect": "Allow",
            "Principal": {"Service": "logs.amazonaws.com"},
            "Action": "sts:AssumeRole",
            "Condition": {
                "StringEquals": {"aws:SourceAccount": [*source_account_ids, archive_account_id]},
                "StringLike": regional,
            },
        }
    ]
    if organization_id is not None:
        statements.append(
            {
                "Sid": "AllowCloudWatchLogsForTheOrganization",
                "Effect": "Allow",
                "Principal": {"Service": "logs.amazonaws.com"},
                "Action": "sts:AssumeRole",
                "Condition": {"StringEquals": {"aws:SourceOrgID": organization_id}, "StringLike": regional},
            }
        )
    return {"Version": VERSION, "Statement": statements}


def logs_role_policy(stream_arns: Sequence[Arn]) -> Document:
    """Put records into the archive's delivery streams, nothing else."""
    return {
        "Version": VERSION,
        "Statement": [
            {
                "Sid": "PutRecordsIntoArchiveStreams",
                "Effect": "Allow",
                "Action": ["firehose:PutRecord", "firehose:PutRecordBatch"],
                "Resource": list(stream_arns),
            }
        ],
    }


def destination_policy(
    destination_arn: str, source_account_ids: Sequence[str], organization_id: str | None
) -> str:
    """The destination's access policy, compact JSON (its size counts against 5,120 bytes)."""
    statements: list[Document] = []
    if source_account_ids:
        statements.append(
            {
                "Sid": "AllowSourceAccounts",
                "Effect": "Allow",
                "Principal": {"AWS": list(source_account_ids)},
                "Action": DESTINATION_ACTIONS,
                "Resource": destination_arn,
            }
        )
    if organization_id is not None:
        statements.append(
            {
                "Sid": "AllowOrganizationAccounts",
                "Effect": "Allow",
                "Principal": "*",
                "Action": DESTINATION_ACTIONS,
                "Resource": destination_arn,
                "Condition": {"StringEquals": {"aws:PrincipalOrgID": organization_id}},
            }
        )
    return json.dumps({"Version": VERSION, "Statement": statements}, separators=(",", ":"))


def destination_policy_capacity(destination_arn: str, organization_id: str | None, limit: int) -> int:
    """How many account ids fit in a destination policy of at most ``limit`` bytes."""
    base = len(destination_policy(destination_arn, ["000000000000"], organization_id))
    per_account = len('"000000000000",')
    return 1 + max(0, (limit - base) // per_account)


def key_admin_statements(account_id: str, admin_arns: Sequence[str]) -> list[Document]:
    """Administration of a key by ``admin_arns`` (default: the account root), grants only for
    AWS resources; no use of the key."""
    admins: Any = list(admin_arns) if admin_arns else f"arn:aws:iam::{account_id}:root"
    sid = "ByTheNamedAdministrators" if admin_arns else "ByTheAccount"
    return [
        {
            "Sid": f"AllowKeyAdministration{sid}",
            "Effect": "Allow",
            "Principal": {"AWS": admins},
            "Action": KEY_ADMIN_ACTIONS,
            "Resource": "*",
        },
        {
            "Sid": f"AllowGrantsForAWSResourcesOnly{sid}",
            "Effect": "Allow",
            "Principal": {"AWS": admins},
            "Action": GRANT_ACTIONS,
            "Resource": "*",
            "Condition": {"Bool": {"kms:GrantIsForAWSResource": "true"}},
        },
    ]


def via_s3(region: str, bucket_arn: str) -> Document:
    """The condition that limits key use to S3 in ``region`` for objects of ``bucket_arn``."""
    return _via_s3(region, bucket_arn)


def key_policy(
    account_id: str,
    bucket_region: str,
    *,
    bucket_arn: str,
    results_bucket_arn: str,
    firehose_role_arn: Arn,
    reader_arns: Sequence[str],
    admin_arns: Sequence[str] = (),
) -> Document:
    """The archive key: administered by ``admin_arns`` (default: the account, i.e. any principal
    whose IAM policy allows it), used only through S3 by Firehose (encrypt archive objects) and by
    the named readers (decrypt archive objects, write query results). No administrator may
    create a grant except one for an AWS resource, so none can grant itself Decrypt."""
    statements: list[Document] = [
        *key_admin_statements(account_id, admin_arns),
        {
            "Sid": "AllowFirehoseThroughS3",
            "Effect": "Allow",
            "Principal": {"AWS": firehose_role_arn},
            "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
            "Resource": "*",
            "Condition": _via_s3(bucket_region, bucket_arn),
        },
    ]
    if reader_arns:
        statements += [
            {
                "Sid": "AllowReadersDecryptThroughS3",
                "Effect": "Allow",
                "Principal": {"AWS": list(reader_arns)},
                "Action": "kms:Decrypt",
                "Resource": "*",
                "Condition": _via_s3(bucket_region, bucket_arn),
            },
            {
                "Sid": "AllowReadersQueryResultsThroughS3",
                "Effect": "Allow",
                "Principal": {"AWS": list(reader_arns)},
                "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
                "Resource": "*",
                "Condition": _via_s3(bucket_region, results_bucket_arn),
            },
        ]
    return {"Version": VERSION, "Statement": statements}


BACKFILL_PREFIX = "backfill/"
"""Where ``tools.backfill`` has CloudWatch Logs export tasks write the history of log groups."""


def _export_task_conditions(
    account_ids: Sequence[str], regions: Sequence[str], organization_id: str | None
) -> list[Document]:
    """Confused-deputy conditions of CloudWatch Logs export tasks: the exporting account (or
    organization) and a log group of a source region (AWS docs, S3ExportTasksConsole)."""
    source_arns = {"aws:SourceArn": [f"arn:aws:logs:{region}:*:log-group:*" for region in regions]}
    conditions: list[Document] = []
    if account_ids:
        conditions.append({"StringEquals": {"aws:SourceAccount": list(account_ids)}, "ArnLike": source_arns})
    if organization_id is not None:
        conditions.append({"StringEquals": {"aws:SourceOrgID": organization_id}, "ArnLike": source_arns})
    return conditions


def export_task_bucket_statements(
    bucket_arn: str, account_ids: Sequence[str], regions: Sequence[str], organization_id: str | None
) -> list[Document]:
    """CloudWatch Logs of the source regions may check the bucket ACL and write objects handed to
    the bucket owner under ``backfill/`` only, on behalf of the allowed accounts or organization."""
    principal = {"Service": [f"logs.{region}.amazonaws.com" for region in regions]}
    statements: list[Document] = []
    for index, condition in enumerate(_export_task_conditions(account_ids, regions, organization_id)):
        suffix = "" if index == 0 else "ForTheOrganization"
        statements += [
            {
                "Sid": f"AllowExportTasksGetBucketAcl{suffix}",
                "Effect": "Allow",
                "Principal": principal,
                "Action": "s3:GetBucketAcl",
                "Resource": bucket_arn,
                "Condition": condition,
            },
            {
                "Sid": f"AllowExportTasksWriteBackfill{suffix}",
                "Effect": "Allow",
                "Principal": principal,
                "Action": "s3:PutObject",
                "Resource": f"{bucket_arn}/{BACKFILL_PREFIX}*",
                "Condition": {
                    **condition,
                    "StringEquals": {**condition["StringEquals"], "s3:x-amz-acl": OWNER_FULL_CONTROL},
                },
            },
        ]
    return statements


def export_task_key_statements(
    bucket_arn: str, account_ids: Sequence[str], regions: Sequence[str], organization_id: str | None
) -> list[Document]:
    """CloudWatch Logs export tasks may use the archive key for objects under ``backfill/``."""
    principal = {"Service": [f"logs.{region}.amazonaws.com" for region in regions]}
    context = {"kms:EncryptionContext:aws:s3:arn": [bucket_arn, f"{bucket_arn}/{BACKFILL_PREFIX}*"]}
    return [
        {
            "Sid": "AllowExportTasksEncryptBackfill" + ("" if index == 0 else "ForTheOrganization"),
            "Effect": "Allow",
            "Principal": principal,
            "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
            "Resource": "*",
            "Condition": {**condition, "StringLike": context},
        }
        for index, condition in enumerate(_export_task_conditions(account_ids, regions, organization_id))
    ]


def with_statements(document: Document, statements: Sequence[Document]) -> Document:
    """``document`` with ``statements`` appended (the document itself is left unchanged)."""
    return {**document, "Statement": [*document["Statement"], *statements]}
