"""The optional second copy (``log-archive:replicaRegion``): S3 Replication of the archive bucket
into a bucket of another region with its own Object Lock, key and lifecycle.

- The replica bucket is private like the archive (Block Public Access, owner-enforced objects,
  versioning, SSE-KMS with its own key in the replica region, TLS only), locked with the same
  mode and days, and expires with the same retention; protected and retained on delete.
- The replication role is trusted by ``s3.amazonaws.com`` only for the archive bucket of this
  account (``aws:SourceAccount``, ``aws:SourceArn``), reads object versions with their retention
  and legal hold (S3 replicates Object Lock settings with the object), decrypts with the archive
  key through S3 in the home region and encrypts with the replica key through S3 in the replica
  region.
- The rule replicates every new object version, KMS-encrypted ones included; delete markers are
  not replicated (``delete_marker_replication`` off), so a delete in the archive never hides the
  copy. Replication Time Control (15 minutes) turns on the replication metrics, and an alarm on
  ``OperationsFailedReplication`` notifies a topic in the home region.
- Objects written before the replica existed are not copied (S3 Batch Replication does that, by
  hand: docs/cost.md).
"""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from components.archive_args import LogArchiveArgs, archive_bucket_name
from components.archive_policies import VERSION, Document, key_admin_statements, results_bucket_policy, via_s3
from components.private_bucket import private_bucket

REPLICATION_MINUTES = 15
"""Replication Time Control's only threshold: 99.99% of objects within 15 minutes."""
RULE_ID = "archive-to-replica"


def replica_bucket_name(component: str, account_id: str, region: str) -> str:
    return f"{component}-replica-{account_id}-{region}"


def replication_trust_policy(account_id: str, source_bucket_arn: str) -> Document:
    """S3 may assume the role only to replicate the archive bucket of this account."""
    return {
        "Version": VERSION,
        "Statement": [
            {
                "Sid": "AllowS3ReplicationOfTheArchiveBucket",
                "Effect": "Allow",
                "Principal": {"Service": "s3.amazonaws.com"},
                "Action": "sts:AssumeRole",
                "Condition": {
                    "StringEquals": {"aws:SourceAccount": account_id},
                    "ArnLike": {"aws:SourceArn": source_bucket_arn},
                },
            }
        ],
    }


def replication_role_policy(
    *,
    source_bucket_arn: str,
    replica_bucket_arn: str,
    source_key_arn: pulumi.Input[str],
    replica_key_arn: pulumi.Input[str],
    home_region: str,
    replica_region: str,
) -> Document:
    """Read versions (with their lock) from the archive, write them to the replica, re-encrypt."""
    return {
        "Version": VERSION,
        "Statement": [
            {
                "Sid": "ReadTheReplicationConfiguration",
                "Effect": "Allow",
                "Action": ["s3:GetReplicationConfiguration", "s3:ListBucket"],
                "Resource": source_bucket_arn,
            },
            {
                "Sid": "ReadArchiveVersionsWithTheirLock",
                "Effect": "Allow",
                "Action": [
                    "s3:GetObjectLegalHold",
                    "s3:GetObjectRetention",
                    "s3:GetObjectVersionAcl",
                    "s3:GetObjectVersionForReplication",
                    "s3:GetObjectVersionTagging",
                ],
                "Resource": f"{source_bucket_arn}/*",
            },
            {
                "Sid": "WriteReplicas",
                "Effect": "Allow",
                "Action": ["s3:ReplicateObject", "s3:ReplicateTags"],
                "Resource": f"{replica_bucket_arn}/*",
            },
            {
                "Sid": "DecryptArchiveObjectsThroughS3",
                "Effect": "Allow",
                "Action": "kms:Decrypt",
                "Resource": source_key_arn,
                "Condition": via_s3(home_region, source_bucket_arn),
            },
            {
                "Sid": "EncryptReplicasThroughS3",
                "Effect": "Allow",
                "Action": ["kms:Encrypt", "kms:GenerateDataKey"],
                "Resource": replica_key_arn,
                "Condition": via_s3(replica_region, replica_bucket_arn),
            },
        ],
    }


def replica_key_policy(
    account_id: str,
    replica_region: str,
    *,
    replica_bucket_arn: str,
    replication_role_arn: pulumi.Input[str],
    reader_arns: tuple[str, ...],
    admin_arns: tuple[str, ...],
) -> Document:
    """Administered like the archive key (no grants but for AWS resources); used only through
    S3 by the replication role (encrypt) and the readers (decrypt)."""
    statements: list[Document] = [
        *key_admin_statements(account_id, admin_arns),
        {
            "Sid": "AllowReplicationThroughS3",
            "Effect": "Allow",
            "Principal": {"AWS": replication_role_arn},
            "Action": ["kms:Encrypt", "kms:GenerateDataKey"],
            "Resource": "*",
            "Condition": via_s3(replica_region, replica_bucket_arn),
        },
    ]
    if reader_arns:
        statements.append(
            {
                "Sid": "AllowReadersDecryptThroughS3",
                "Effect": "Allow",
                "Principal": {"AWS": list(reader_arns)},
                "Action": "kms:Decrypt",
                "Resource": "*",
                "Condition": via_s3(replica_region, replica_bucket_arn),
            }
        )
    return {"Version": VERSION, "Statement": statements}


def replica_resources(
    name: str,
    args: LogArchiveArgs,
    *,
    source_bucket: aws.s3.Bucket,
    source_versioning: aws.s3.BucketVersioning,
    source_key_arn: pulumi.Input[str],
    alarm_email: pulumi.Input[str] | None,
    parent: pulumi.Resource,
) -> str:
    """Every replica resource; the replica bucket's name."""
    region = args.replica_region
    assert region is not None
    child = pulumi.ResourceOptions(parent=parent)
    source_arn = f"arn:aws:s3:::{source_bucket_name(name, args)}"
    bucket_name = replica_bucket_name(name, args.account_id, region)
    bucket_arn = f"arn:aws:s3:::{bucket_name}"

    role = aws.iam.Role(
        f"{name}-replication-role",
        name=f"{name}-replication",
        description="Lets S3 replicate the archive bucket into its replica.",
        assume_role_policy=pulumi.Output.json_dumps(replication_trust_policy(args.account_id, source_arn)),
        opts=child,
    )
    key = aws.kms.Key(
        f"{name}-replica-key",
        description="Encrypts the replica of the CloudWatch Logs archive.",
        enable_key_rotation=True,
        deletion_window_in_days=30,
        policy=pulumi.Output.json_dumps(
            replica_key_policy(
                args.account_id,
                region,
                replica_bucket_arn=bucket_arn,
                replication_role_arn=role.arn,
                reader_arns=args.reader_principal_arns,
                admin_arns=args.key_admin_principal_arns,
            )
        ),
        region=region,
        opts=pulumi.ResourceOptions(parent=parent, protect=True, retain_on_delete=True),
    )
    bucket, versioning = private_bucket(
        f"{name}-replica",
        bucket_name,
        key.arn,
        results_bucket_policy(bucket_arn),
        parent,
        object_lock=True,
        region=region,
    )
    aws.s3.BucketObjectLockConfiguration(
        f"{name}-replica-object-lock",
        bucket=bucket.id,
        object_lock_enabled="Enabled",
        rule={"default_retention": {"mode": args.object_lock_mode, "days": args.lock_days}},
        region=region,
        opts=pulumi.ResourceOptions(parent=parent, depends_on=[versioning]),
    )
    aws.s3.BucketLifecycleConfiguration(
        f"{name}-replica-lifecycle",
        bucket=bucket.id,
        transition_default_minimum_object_size="all_storage_classes_128K",
        rules=[
            {
                "id": "deep-archive-then-expire",
                "status": "Enabled",
                "filter": {"prefix": ""},
                "transitions": [{"days": 1, "storage_class": "DEEP_ARCHIVE"}],
                "expiration": {"days": args.retention_days},
                "noncurrent_version_expiration": {"noncurrent_days": 30},
                "abort_incomplete_multipart_upload": {"days_after_initiation": 7},
            }
        ],
        region=region,
        opts=pulumi.ResourceOptions(parent=parent, depends_on=[versioning]),
    )
    policy = aws.iam.RolePolicy(
        f"{name}-replication-policy",
        role=role.id,
        policy=pulumi.Output.json_dumps(
            replication_role_policy(
                source_bucket_arn=source_arn,
                replica_bucket_arn=bucket_arn,
                source_key_arn=source_key_arn,
                replica_key_arn=key.arn,
                home_region=args.region,
                replica_region=region,
            )
        ),
        opts=child,
    )
    aws.s3.BucketReplicationConfig(
        f"{name}-replication",
        bucket=source_bucket.id,
        role=role.arn,
        rules=[
            {
                "id": RULE_ID,
                "status": "Enabled",
                "priority": 1,
                "filter": {"prefix": ""},
                "delete_marker_replication": {"status": "Disabled"},
                "source_selection_criteria": {"sse_kms_encrypted_objects": {"status": "Enabled"}},
                "destination": {
                    "bucket": bucket.arn,
                    "encryption_configuration": {"replica_kms_key_id": key.arn},
                    "replication_time": {"status": "Enabled", "time": {"minutes": REPLICATION_MINUTES}},
                    "metrics": {"status": "Enabled", "event_threshold": {"minutes": REPLICATION_MINUTES}},
                },
            }
        ],
        opts=pulumi.ResourceOptions(parent=parent, depends_on=[source_versioning, versioning, policy]),
    )
    topic = aws.sns.Topic(f"{name}-replica-alarms", name=f"{name}-replica-alarms", opts=child)
    if alarm_email is not None:
        aws.sns.TopicSubscription(
            f"{name}-replica-alarm-email", topic=topic.arn, protocol="email", endpoint=alarm_email, opts=child
        )
    aws.cloudwatch.MetricAlarm(
        f"{name}-replication-failed",
        name=f"{name}-replication-failed",
        alarm_description="S3 could not replicate archive objects into the replica: check the "
        "replication role, both keys and the replica bucket.",
        namespace="AWS/S3",
        metric_name="OperationsFailedReplication",
        dimensions={
            "SourceBucket": source_bucket_name(name, args),
            "DestinationBucket": bucket_name,
            "RuleId": RULE_ID,
        },
        statistic="Sum",
        period=300,
        evaluation_periods=1,
        comparison_operator="GreaterThanThreshold",
        threshold=0,
        treat_missing_data="notBreaching",
        alarm_actions=[topic.arn],
        ok_actions=[topic.arn],
        opts=child,
    )
    return bucket_name


def source_bucket_name(name: str, args: LogArchiveArgs) -> str:
    return archive_bucket_name(name, args.account_id, args.region)
