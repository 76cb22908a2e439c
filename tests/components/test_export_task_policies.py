"""The statements that admit CloudWatch Logs export tasks (``tools.backfill``) into ``backfill/``."""

from __future__ import annotations

from components.archive_policies import (
    export_task_bucket_statements,
    export_task_key_statements,
    with_statements,
)
from components.backfill_table import backfill_table_parameters

BUCKET_ARN = "arn:aws:s3:::log-archive-222222222222"
ACCOUNTS = ["111111111111", "222222222222"]
REGIONS = ["ap-northeast-1", "us-east-1"]
PRINCIPAL = {"Service": ["logs.ap-northeast-1.amazonaws.com", "logs.us-east-1.amazonaws.com"]}
SOURCE_ARNS = {
    "aws:SourceArn": ["arn:aws:logs:ap-northeast-1:*:log-group:*", "arn:aws:logs:us-east-1:*:log-group:*"]
}


def test_export_tasks_write_only_owner_controlled_objects_under_backfill_for_the_listed_accounts() -> None:
    assert export_task_bucket_statements(BUCKET_ARN, ACCOUNTS, REGIONS, None) == [
        {
            "Sid": "AllowExportTasksGetBucketAcl",
            "Effect": "Allow",
            "Principal": PRINCIPAL,
            "Action": "s3:GetBucketAcl",
            "Resource": BUCKET_ARN,
            "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNTS}, "ArnLike": SOURCE_ARNS},
        },
        {
            "Sid": "AllowExportTasksWriteBackfill",
            "Effect": "Allow",
            "Principal": PRINCIPAL,
            "Action": "s3:PutObject",
            "Resource": f"{BUCKET_ARN}/backfill/*",
            "Condition": {
                "StringEquals": {
                    "aws:SourceAccount": ACCOUNTS,
                    "s3:x-amz-acl": "bucket-owner-full-control",
                },
                "ArnLike": SOURCE_ARNS,
            },
        },
    ]


def test_an_organization_adds_the_same_statements_conditioned_on_its_id() -> None:
    statements = export_task_bucket_statements(BUCKET_ARN, ACCOUNTS, REGIONS, "o-abcdef1234")
    assert [s["Sid"] for s in statements] == [
        "AllowExportTasksGetBucketAcl",
        "AllowExportTasksWriteBackfill",
        "AllowExportTasksGetBucketAclForTheOrganization",
        "AllowExportTasksWriteBackfillForTheOrganization",
    ]
    assert statements[3]["Condition"] == {
        "StringEquals": {"aws:SourceOrgID": "o-abcdef1234", "s3:x-amz-acl": "bucket-owner-full-control"},
        "ArnLike": SOURCE_ARNS,
    }


def test_export_tasks_use_the_key_only_for_backfill_objects_of_the_allowed_sources() -> None:
    assert export_task_key_statements(BUCKET_ARN, ACCOUNTS, REGIONS, None) == [
        {
            "Sid": "AllowExportTasksEncryptBackfill",
            "Effect": "Allow",
            "Principal": PRINCIPAL,
            "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
            "Resource": "*",
            "Condition": {
                "StringEquals": {"aws:SourceAccount": ACCOUNTS},
                "ArnLike": SOURCE_ARNS,
                "StringLike": {"kms:EncryptionContext:aws:s3:arn": [BUCKET_ARN, f"{BUCKET_ARN}/backfill/*"]},
            },
        }
    ]


def test_with_statements_appends_and_leaves_the_document_unchanged() -> None:
    document = {"Version": "2012-10-17", "Statement": [{"Sid": "A"}]}
    assert with_statements(document, [{"Sid": "B"}]) == {
        "Version": "2012-10-17",
        "Statement": [{"Sid": "A"}, {"Sid": "B"}],
    }
    assert document == {"Version": "2012-10-17", "Statement": [{"Sid": "A"}]}


def test_the_backfill_table_projects_the_live_partitions_under_backfill() -> None:
    parameters = backfill_table_parameters("log-archive-222222222222", ["111111111111"])
    organization = backfill_table_parameters("log-archive-222222222222", None)
    assert organization["projection.account.type"] == "injected"
    assert parameters["storage.location.template"] == (
        "s3://log-archive-222222222222/backfill/account=${account}/log_group=${log_group}/dt=${dt}/"
    )
    assert (parameters["projection.account.values"], parameters["projection.log_group.type"]) == (
        "111111111111",
        "injected",
    )
    assert (parameters["classification"], parameters["compressionType"]) == ("text", "gzip")
