"""A bucket no one outside can reach: Block Public Access, owner-enforced objects, versioning,
SSE-KMS with an S3 Bucket Key, and a bucket policy (which always denies plain HTTP)."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from components.archive_policies import Document


def private_bucket(
    resource_name: str,
    bucket_name: str,
    key_arn: pulumi.Input[str],
    policy: Document,
    parent: pulumi.Resource,
    *,
    object_lock: bool = False,
    region: str | None = None,
) -> tuple[aws.s3.Bucket, aws.s3.BucketVersioning]:
    """The bucket (retained on delete, and protected when it holds Object Lock data) and its
    versioning, which Object Lock and lifecycle settings must wait for. S3 refuses to delete a
    bucket that is not empty, so a delete would only fail the update: retained, it is left in
    AWS instead, and ``pulumi destroy`` completes. ``region``: another region than the
    provider's (the replica); default the provider's."""
    child = pulumi.ResourceOptions(parent=parent)
    bucket = aws.s3.Bucket(
        resource_name,
        bucket=bucket_name,
        object_lock_enabled=object_lock,
        force_destroy=False,
        region=region,
        opts=pulumi.ResourceOptions(parent=parent, protect=object_lock, retain_on_delete=True),
    )
    aws.s3.BucketPublicAccessBlock(
        f"{resource_name}-public-access-block",
        bucket=bucket.id,
        block_public_acls=True,
        block_public_policy=True,
        ignore_public_acls=True,
        restrict_public_buckets=True,
        region=region,
        opts=child,
    )
    aws.s3.BucketOwnershipControls(
        f"{resource_name}-ownership",
        bucket=bucket.id,
        rule={"object_ownership": "BucketOwnerEnforced"},
        region=region,
        opts=child,
    )
    aws.s3.BucketServerSideEncryptionConfiguration(
        f"{resource_name}-encryption",
        bucket=bucket.id,
        rules=[
            {
                "apply_server_side_encryption_by_default": {
                    "sse_algorithm": "aws:kms",
                    "kms_master_key_id": key_arn,
                },
                "bucket_key_enabled": True,
            }
        ],
        region=region,
        opts=child,
    )
    versioning = aws.s3.BucketVersioning(
        f"{resource_name}-versioning",
        bucket=bucket.id,
        versioning_configuration={"status": "Enabled"},
        region=region,
        opts=child,
    )
    aws.s3.BucketPolicy(
        f"{resource_name}-policy",
        bucket=bucket.id,
        policy=pulumi.Output.json_dumps(policy),
        region=region,
        opts=child,
    )
    return bucket, versioning
