"""LogArchive under mocks: the exact inputs a ``pulumi up`` of the archive stack would send."""

from __future__ import annotations

import json
from typing import Any

import pulumi
import pytest

from components import outputs
from components.log_archive import LogArchive, LogArchiveArgs
from components.subscription_changes import bus_arn
from offline.mocks import PREVIEW_UNKNOWN
from offline.program import ProgramRun, run_pulumi

ARCHIVE = "222222222222"
SOURCE = "111111111111"
REGION = "ap-northeast-1"
BUCKET = f"log-archive-{ARCHIVE}-{REGION}"
BUCKET_ARN = f"arn:aws:s3:::{BUCKET}"
RESULTS_BUCKET = f"log-archive-query-results-{ARCHIVE}-{REGION}"
FIREHOSE_ROLE_ARN = f"arn:aws:iam::{ARCHIVE}:role/log-archive-firehose"
CONFIG = {"aws:region": REGION, "aws:allowedAccountIds": json.dumps([ARCHIVE])}


def archive(preview: bool = False, **settings: Any) -> ProgramRun:
    settings.setdefault("source_account_ids", (SOURCE,))
    args = LogArchiveArgs(account_id=ARCHIVE, region=REGION, **settings)

    def program() -> None:
        for name, value in LogArchive("log-archive", args).exports.items():
            pulumi.export(name, value)

    return run_pulumi(program, preview=preview, config=CONFIG)


@pytest.fixture(scope="module")
def deployed() -> ProgramRun:
    return archive()


def document(value: str) -> dict[str, Any]:
    return json.loads(value)


def statement(policy: str, sid: str) -> dict[str, Any]:
    [found] = [s for s in document(policy)["Statement"] if s["Sid"] == sid]
    return found


def test_every_child_is_parented_to_the_component(deployed: ProgramRun) -> None:
    component = deployed.one("log-archive:index:LogArchive")
    children = [r for r in deployed.registrations if r is not component]
    assert children
    assert {r.parent for r in children} == {component.urn}


def test_the_bucket_cannot_be_lost_by_accident(deployed: ProgramRun) -> None:
    bucket = deployed.named("log-archive-bucket")
    assert bucket.inputs["bucket"] == BUCKET
    assert bucket.inputs["objectLockEnabled"] is True
    assert bucket.inputs["forceDestroy"] is False
    assert (bucket.protect, bucket.retain_on_delete) == (True, True)
    key = deployed.one("aws:kms/key:Key")
    assert (key.protect, key.retain_on_delete) == (True, True)


def test_the_bucket_is_private_owner_enforced_versioned_and_kms_encrypted(deployed: ProgramRun) -> None:
    block = deployed.named("log-archive-bucket-public-access-block").inputs
    assert {
        k: block[k]
        for k in ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")
    } == {
        "blockPublicAcls": True,
        "blockPublicPolicy": True,
        "ignorePublicAcls": True,
        "restrictPublicBuckets": True,
    }
    ownership = deployed.named("log-archive-bucket-ownership").inputs
    assert ownership["rule"] == {"objectOwnership": "BucketOwnerEnforced"}
    versioning = deployed.named("log-archive-bucket-versioning").inputs
    assert versioning["versioningConfiguration"] == {"status": "Enabled"}
    key_arn = deployed.one("aws:kms/key:Key").outputs["arn"]
    encryption = deployed.named("log-archive-bucket-encryption").inputs
    assert encryption["rules"] == [
        {
            "applyServerSideEncryptionByDefault": {"sseAlgorithm": "aws:kms", "kmsMasterKeyId": key_arn},
            "bucketKeyEnabled": True,
        }
    ]


def test_object_lock_defaults_to_governance_for_the_whole_retention(deployed: ProgramRun) -> None:
    lock = deployed.one("aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration")
    assert lock.inputs["rule"] == {"defaultRetention": {"mode": "GOVERNANCE", "days": 2557.0}}
    versioning = deployed.named("log-archive-bucket-versioning")
    assert versioning.urn in lock.dependencies


def test_lifecycle_tiers_objects_over_128k_then_expires_them(deployed: ProgramRun) -> None:
    lifecycle = deployed.named("log-archive-lifecycle").inputs
    assert lifecycle["transitionDefaultMinimumObjectSize"] == "all_storage_classes_128K"
    assert lifecycle["rules"] == [
        {
            "id": "tier-then-expire",
            "status": "Enabled",
            "filter": {"prefix": ""},
            "transitions": [
                {"days": 90.0, "storageClass": "GLACIER_IR"},
                {"days": 365.0, "storageClass": "DEEP_ARCHIVE"},
            ],
            "expiration": {"days": 2557.0},
            "noncurrentVersionExpiration": {"noncurrentDays": 30.0},
            "abortIncompleteMultipartUpload": {"daysAfterInitiation": 7.0},
        }
    ]


def test_the_bucket_policy_denies_plain_http_and_lets_firehose_write_owner_controlled_objects(
    deployed: ProgramRun,
) -> None:
    policy = deployed.named("log-archive-bucket-policy").inputs["policy"]
    statements = document(policy)["Statement"]
    assert [s["Sid"] for s in statements[2:]] == [
        "AllowExportTasksGetBucketAcl",
        "AllowExportTasksWriteBackfill",
    ]
    assert statements[:2] == [
        {
            "Sid": "DenyInsecureTransport",
            "Effect": "Deny",
            "Principal": "*",
            "Action": "s3:*",
            "Resource": [BUCKET_ARN, f"{BUCKET_ARN}/*"],
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        },
        {
            "Sid": "AllowFirehoseWriteWithOwnerFullControl",
            "Effect": "Allow",
            "Principal": {"AWS": FIREHOSE_ROLE_ARN},
            "Action": "s3:PutObject",
            "Resource": f"{BUCKET_ARN}/*",
            "Condition": {"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control"}},
        },
    ]


def test_the_firehose_role_trusts_only_firehose_with_the_archive_account_as_external_id(
    deployed: ProgramRun,
) -> None:
    role = deployed.named("log-archive-firehose-role").inputs
    assert document(role["assumeRolePolicy"])["Statement"] == [
        {
            "Sid": "AllowFirehoseOfThisAccount",
            "Effect": "Allow",
            "Principal": {"Service": "firehose.amazonaws.com"},
            "Action": "sts:AssumeRole",
            "Condition": {"StringEquals": {"sts:ExternalId": ARCHIVE}},
        }
    ]


def test_the_firehose_role_writes_this_bucket_and_uses_the_key_only_through_s3(deployed: ProgramRun) -> None:
    policy = deployed.named("log-archive-firehose-policy").inputs["policy"]
    key_arn = deployed.one("aws:kms/key:Key").outputs["arn"]
    write = statement(policy, "WriteArchiveObjects")
    assert write["Resource"] == [BUCKET_ARN, f"{BUCKET_ARN}/*"]
    assert "s3:PutObjectAcl" not in write["Action"]
    assert statement(policy, "EncryptThroughS3") == {
        "Sid": "EncryptThroughS3",
        "Effect": "Allow",
        "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
        "Resource": key_arn,
        "Condition": {
            "StringEquals": {"kms:ViaService": f"s3.{REGION}.amazonaws.com"},
            "StringLike": {"kms:EncryptionContext:aws:s3:arn": [BUCKET_ARN, f"{BUCKET_ARN}/*"]},
        },
    }
    assert statement(policy, "LogDeliveryErrors")["Resource"] == [
        f"arn:aws:logs:{REGION}:{ARCHIVE}:log-group:/aws/kinesisfirehose/log-archive-{REGION}"
        ":log-stream:DestinationDelivery"
    ]


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


def test_the_key_is_rotated_and_its_policy_grants_use_only_through_s3(deployed: ProgramRun) -> None:
    key = deployed.one("aws:kms/key:Key").inputs
    assert key["enableKeyRotation"] is True
    assert key["deletionWindowInDays"] == 30.0
    statements = document(key["policy"])["Statement"]
    assert [s["Sid"] for s in statements] == [
        "AllowKeyAdministrationByTheAccount",
        "AllowGrantsForAWSResourcesOnlyByTheAccount",
        "AllowFirehoseThroughS3",
        "AllowExportTasksEncryptBackfill",
    ]
    assert statements[0] == {
        "Sid": "AllowKeyAdministrationByTheAccount",
        "Effect": "Allow",
        "Principal": {"AWS": f"arn:aws:iam::{ARCHIVE}:root"},
        "Action": KEY_ADMIN_ACTIONS,
        "Resource": "*",
    }
    assert statements[1] == {
        "Sid": "AllowGrantsForAWSResourcesOnlyByTheAccount",
        "Effect": "Allow",
        "Principal": {"AWS": f"arn:aws:iam::{ARCHIVE}:root"},
        "Action": ["kms:CreateGrant", "kms:ListGrants"],
        "Resource": "*",
        "Condition": {"Bool": {"kms:GrantIsForAWSResource": "true"}},
    }
    statements = statements[1:]
    assert statements[1]["Principal"] == {"AWS": FIREHOSE_ROLE_ARN}
    assert statements[1]["Condition"]["StringEquals"] == {"kms:ViaService": f"s3.{REGION}.amazonaws.com"}


def test_named_key_administrators_replace_the_account_root_in_both_admin_statements() -> None:
    admin = f"arn:aws:iam::{ARCHIVE}:role/log-archive-deployer"
    run = archive(key_admin_principal_arns=(admin,))
    statements = document(run.one("aws:kms/key:Key").inputs["policy"])["Statement"]
    assert [(s["Sid"], s["Principal"]) for s in statements[:2]] == [
        ("AllowKeyAdministrationByTheNamedAdministrators", {"AWS": [admin]}),
        ("AllowGrantsForAWSResourcesOnlyByTheNamedAdministrators", {"AWS": [admin]}),
    ]
    assert statements[0]["Action"] == KEY_ADMIN_ACTIONS
    assert f"arn:aws:iam::{ARCHIVE}:root" not in json.dumps(statements)


def test_the_stream_decompresses_partitions_and_logs_its_errors(deployed: ProgramRun) -> None:
    stream = deployed.one("aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream").inputs
    assert stream["name"] == f"log-archive-{REGION}"
    assert stream["region"] == REGION
    assert stream["serverSideEncryption"] == {"enabled": True, "keyType": "AWS_OWNED_CMK"}
    s3 = stream["extendedS3Configuration"]
    assert s3["roleArn"] == FIREHOSE_ROLE_ARN
    assert s3["bucketArn"] == BUCKET_ARN
    assert s3["prefix"] == (
        "logs/account=!{partitionKeyFromQuery:account}/log_group=!{partitionKeyFromQuery:log_group}/"
        "dt=!{timestamp:yyyy-MM-dd}/"
    )
    assert s3["errorOutputPrefix"] == "errors/!{firehose:error-output-type}/dt=!{timestamp:yyyy-MM-dd}/"
    assert (s3["bufferingSize"], s3["bufferingInterval"], s3["compressionFormat"]) == (64.0, 300.0, "GZIP")
    assert s3["dynamicPartitioningConfiguration"] == {"enabled": True}
    assert s3["cloudwatchLoggingOptions"] == {
        "enabled": True,
        "logGroupName": f"/aws/kinesisfirehose/log-archive-{REGION}",
        "logStreamName": "DestinationDelivery",
    }
    assert s3["processingConfiguration"] == {
        "enabled": True,
        "processors": [
            {
                "type": "Decompression",
                "parameters": [{"parameterName": "CompressionFormat", "parameterValue": "GZIP"}],
            },
            {
                "type": "MetadataExtraction",
                "parameters": [
                    {"parameterName": "JsonParsingEngine", "parameterValue": "JQ-1.6"},
                    {
                        "parameterName": "MetadataExtractionQuery",
                        "parameterValue": "{account: .owner, log_group: (.logGroup | @uri)}",
                    },
                ],
            },
            {"type": "AppendDelimiterToRecord"},
        ],
    }
    policy = deployed.named("log-archive-firehose-policy")
    assert policy.urn in deployed.named(f"log-archive-stream-{REGION}").dependencies


def test_a_replaced_stream_is_created_first_and_the_old_one_kept_to_flush_its_buffer(
    deployed: ProgramRun,
) -> None:
    stream = deployed.named(f"log-archive-stream-{REGION}")
    assert (stream.delete_before_replace_defined, stream.delete_before_replace) == (True, False)
    assert (stream.retain_on_delete, stream.protect) == (True, False)


def test_every_layout_names_its_streams_apart_so_a_switch_never_reuses_a_name() -> None:
    stream = archive(layout="messages").one("aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream")
    assert stream.inputs["name"] == f"log-archive-{REGION}-messages"
    assert stream.inputs["extendedS3Configuration"]["cloudwatchLoggingOptions"]["logGroupName"] == (
        f"/aws/kinesisfirehose/log-archive-{REGION}"
    )


def test_data_holders_are_retained_and_destinations_protected(deployed: ProgramRun) -> None:
    errors = deployed.named(f"log-archive-firehose-errors-{REGION}")
    assert (errors.retain_on_delete, errors.protect) == (True, False)
    destination = deployed.named(f"log-archive-destination-{REGION}")
    assert (destination.protect, destination.retain_on_delete) == (True, False)


def test_the_messages_layout_extracts_log_lines_without_dynamic_partitioning() -> None:
    run = archive(layout="messages", buffering_size_mib=5)
    s3 = run.one("aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream").inputs[
        "extendedS3Configuration"
    ]
    assert s3["prefix"] == "logs/dt=!{timestamp:yyyy-MM-dd}/"
    assert "dynamicPartitioningConfiguration" not in s3
    assert s3["bufferingSize"] == 5.0
    assert [p["type"] for p in s3["processingConfiguration"]["processors"]] == [
        "Decompression",
        "CloudWatchLogProcessing",
        "AppendDelimiterToRecord",
    ]
    assert s3["processingConfiguration"]["processors"][1]["parameters"] == [
        {"parameterName": "DataMessageExtraction", "parameterValue": "true"}
    ]
    alarms = {a.inputs["metricName"] for a in run.of_type("aws:cloudwatch/metricAlarm:MetricAlarm")}
    assert "PartitionCountExceeded" not in alarms


def test_the_logs_role_trusts_cloudwatch_logs_for_each_source_and_the_archive_in_each_region() -> None:
    run = archive(source_regions=(REGION, "us-east-1"))
    role = run.named("log-archive-logs-role").inputs
    assert document(role["assumeRolePolicy"])["Statement"] == [
        {
            "Sid": "AllowCloudWatchLogsForAllowedAccounts",
            "Effect": "Allow",
            "Principal": {"Service": "logs.amazonaws.com"},
            "Action": "sts:AssumeRole",
            "Condition": {
                "StringEquals": {"aws:SourceAccount": [SOURCE, ARCHIVE]},
                "StringLike": {"aws:SourceArn": [f"arn:aws:logs:{REGION}:*:*", "arn:aws:logs:us-east-1:*:*"]},
            },
        }
    ]
    policy = document(run.named("log-archive-logs-policy").inputs["policy"])
    assert policy["Statement"] == [
        {
            "Sid": "PutRecordsIntoArchiveStreams",
            "Effect": "Allow",
            "Action": ["firehose:PutRecord", "firehose:PutRecordBatch"],
            "Resource": [
                f"arn:aws:firehose:{REGION}:{ARCHIVE}:deliverystream/log-archive-{REGION}",
                f"arn:aws:firehose:us-east-1:{ARCHIVE}:deliverystream/log-archive-us-east-1",
            ],
        }
    ]


def test_each_source_region_gets_its_own_destination_stream_and_error_log() -> None:
    regions = (REGION, "us-east-1", "eu-west-1")
    run = archive(source_regions=regions)
    for typ in (
        "aws:cloudwatch/logDestination:LogDestination",
        "aws:cloudwatch/logDestinationPolicy:LogDestinationPolicy",
        "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream",
        "aws:sns/topic:Topic",
    ):
        assert sorted(r.inputs["region"] for r in run.of_type(typ)) == sorted(regions), typ
    error_groups = [r for r in run.of_type("aws:cloudwatch/logGroup:LogGroup") if "-errors-" in r.name]
    assert sorted(r.inputs["region"] for r in error_groups) == sorted(regions)
    for region in regions:
        destination = run.named(f"log-archive-destination-{region}")
        assert destination.inputs["targetArn"] == (
            f"arn:aws:firehose:{region}:{ARCHIVE}:deliverystream/log-archive-{region}"
        )
        assert run.named("log-archive-logs-policy").urn in destination.dependencies
    assert [b.name for b in run.of_type("aws:s3/bucket:Bucket")] == [
        "log-archive-bucket",
        "log-archive-query-results",
    ]
    assert run.outputs[outputs.DESTINATION_ARNS] == {
        region: f"arn:aws:logs:{region}:{ARCHIVE}:destination:log-archive" for region in regions
    }


def test_the_destination_policy_allows_the_listed_accounts_both_subscription_actions(
    deployed: ProgramRun,
) -> None:
    policy = deployed.one("aws:cloudwatch/logDestinationPolicy:LogDestinationPolicy").inputs
    assert policy["destinationName"] == "log-archive"
    assert policy["forceUpdate"] is False
    assert document(policy["accessPolicy"])["Statement"] == [
        {
            "Sid": "AllowSourceAccounts",
            "Effect": "Allow",
            "Principal": {"AWS": [SOURCE]},
            "Action": ["logs:PutSubscriptionFilter", "logs:PutAccountPolicy"],
            "Resource": f"arn:aws:logs:{REGION}:{ARCHIVE}:destination:log-archive",
        }
    ]


def test_an_organization_archive_allows_the_organization_with_a_forced_update() -> None:
    run = archive(source_account_ids=(), organization_id="o-abcdef1234")
    policy = run.one("aws:cloudwatch/logDestinationPolicy:LogDestinationPolicy").inputs
    assert policy["forceUpdate"] is True
    assert document(policy["accessPolicy"])["Statement"] == [
        {
            "Sid": "AllowOrganizationAccounts",
            "Effect": "Allow",
            "Principal": "*",
            "Action": ["logs:PutSubscriptionFilter", "logs:PutAccountPolicy"],
            "Resource": f"arn:aws:logs:{REGION}:{ARCHIVE}:destination:log-archive",
            "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-abcdef1234"}},
        }
    ]
    trust = document(run.named("log-archive-logs-role").inputs["assumeRolePolicy"])
    assert [s["Condition"] for s in trust["Statement"]] == [
        {
            "StringEquals": {"aws:SourceAccount": [ARCHIVE]},
            "StringLike": {"aws:SourceArn": [f"arn:aws:logs:{REGION}:*:*"]},
        },
        {
            "StringEquals": {"aws:SourceOrgID": "o-abcdef1234"},
            "StringLike": {"aws:SourceArn": [f"arn:aws:logs:{REGION}:*:*"]},
        },
    ]
    assert run.outputs[outputs.SUBSCRIPTION_ROLE_REQUIRED] is True
    assert run.outputs[outputs.ORGANIZATION_ID] == "o-abcdef1234"
    assert run.outputs[outputs.SOURCE_ACCOUNT_IDS] == []


def test_readers_get_read_only_access_to_objects_and_decrypt_through_s3() -> None:
    reader = f"arn:aws:iam::{ARCHIVE}:role/security-audit"
    run = archive(reader_principal_arns=(reader,))
    policy = run.named("log-archive-bucket-policy").inputs["policy"]
    assert statement(policy, "AllowReadersList") == {
        "Sid": "AllowReadersList",
        "Effect": "Allow",
        "Principal": {"AWS": [reader]},
        "Action": ["s3:GetBucketLocation", "s3:ListBucket"],
        "Resource": BUCKET_ARN,
    }
    assert statement(policy, "AllowReadersGetObjects") == {
        "Sid": "AllowReadersGetObjects",
        "Effect": "Allow",
        "Principal": {"AWS": [reader]},
        "Action": "s3:GetObject",
        "Resource": f"{BUCKET_ARN}/*",
    }
    key_policy = run.one("aws:kms/key:Key").inputs["policy"]
    readers = statement(key_policy, "AllowReadersDecryptThroughS3")
    assert (readers["Principal"], readers["Action"]) == ({"AWS": [reader]}, "kms:Decrypt")
    assert readers["Condition"] == {
        "StringEquals": {"kms:ViaService": f"s3.{REGION}.amazonaws.com"},
        "StringLike": {"kms:EncryptionContext:aws:s3:arn": [BUCKET_ARN, f"{BUCKET_ARN}/*"]},
    }
    results = statement(key_policy, "AllowReadersQueryResultsThroughS3")
    assert results["Action"] == ["kms:Decrypt", "kms:GenerateDataKey"]
    assert results["Condition"]["StringLike"] == {
        "kms:EncryptionContext:aws:s3:arn": [
            f"arn:aws:s3:::{RESULTS_BUCKET}",
            f"arn:aws:s3:::{RESULTS_BUCKET}/*",
        ]
    }


def test_a_supplied_key_replaces_the_stack_key() -> None:
    key_arn = f"arn:aws:kms:{REGION}:{ARCHIVE}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    run = archive(kms_key_arn=key_arn)
    assert run.of_type("aws:kms/key:Key") == []
    encryption = run.named("log-archive-bucket-encryption").inputs
    assert encryption["rules"][0]["applyServerSideEncryptionByDefault"]["kmsMasterKeyId"] == key_arn
    assert (
        statement(run.named("log-archive-firehose-policy").inputs["policy"], "EncryptThroughS3")["Resource"]
        == key_arn
    )
    assert run.outputs[outputs.KMS_KEY_ARN] == key_arn


def test_alarms_watch_each_stream_with_a_freshness_threshold_from_the_buffer_interval() -> None:
    run = archive(buffering_interval_seconds=600, alarm_email="oncall@example.com")
    topic_arn = f"arn:aws:sns:{REGION}:{ARCHIVE}:log-archive-alarms"
    alarms = {
        a.inputs["metricName"]: a.inputs
        for a in run.of_type("aws:cloudwatch/metricAlarm:MetricAlarm")
        if a.inputs["namespace"] == "AWS/Firehose" and a.inputs["metricName"] != "IncomingRecords"
    }
    assert set(alarms) == {
        "DeliveryToS3.DataFreshness",
        "DeliveryToS3.Success",
        "ThrottledRecords",
        "OutputDecompressedRecords.Failed",
        "PartitionCountExceeded",
    }
    freshness = alarms["DeliveryToS3.DataFreshness"]
    assert (freshness["threshold"], freshness["statistic"], freshness["comparisonOperator"]) == (
        1500.0,
        "Maximum",
        "GreaterThanThreshold",
    )
    for alarm in alarms.values():
        assert alarm["namespace"] == "AWS/Firehose"
        assert alarm["dimensions"] == {"DeliveryStreamName": f"log-archive-{REGION}"}
        assert alarm["alarmActions"] == [topic_arn]
        assert alarm["okActions"] == [topic_arn]
        assert alarm["treatMissingData"] == "notBreaching"
    subscription = run.one("aws:sns/topicSubscription:TopicSubscription").inputs
    assert (subscription["protocol"], subscription["endpoint"], subscription["topic"]) == (
        "email",
        "oncall@example.com",
        topic_arn,
    )


def test_without_an_email_no_subscription_is_made(deployed: ProgramRun) -> None:
    assert deployed.of_type("aws:sns/topicSubscription:TopicSubscription") == []


def test_outputs_tell_sources_everything_they_need(deployed: ProgramRun) -> None:
    assert deployed.outputs == {
        outputs.DESTINATION_ARNS: {REGION: f"arn:aws:logs:{REGION}:{ARCHIVE}:destination:log-archive"},
        outputs.ARCHIVE_ACCOUNT_ID: ARCHIVE,
        outputs.SOURCE_ACCOUNT_IDS: [SOURCE],
        outputs.SUBSCRIPTION_ROLE_REQUIRED: False,
        outputs.BUCKET_NAME: BUCKET,
        outputs.BUCKET_ARN: BUCKET_ARN,
        outputs.KMS_KEY_ARN: deployed.one("aws:kms/key:Key").outputs["arn"],
        outputs.DELIVERY_STREAM_ARNS: {
            REGION: f"arn:aws:firehose:{REGION}:{ARCHIVE}:deliverystream/log-archive-{REGION}"
        },
        outputs.LAYOUT: "partitioned",
        outputs.LOG_PREFIX: "logs/",
        outputs.PIPELINE_LOG_GROUPS: {REGION: [f"/aws/kinesisfirehose/log-archive-{REGION}"]},
        outputs.CHANGE_BUS_ARNS: {REGION: bus_arn("aws", ARCHIVE, REGION)},
        outputs.ALARM_TOPIC_ARNS: {REGION: f"arn:aws:sns:{REGION}:{ARCHIVE}:log-archive-alarms"},
        outputs.GLUE_DATABASE: "log_archive",
        outputs.GLUE_TABLE: "logs",
        outputs.GLUE_BACKFILL_TABLE: "backfill",
        outputs.ATHENA_WORKGROUP: "log-archive",
        outputs.QUERY_RESULTS_BUCKET: RESULTS_BUCKET,
    }


def test_preview_registers_the_same_resources_with_unknown_arns(deployed: ProgramRun) -> None:
    preview = archive(preview=True)
    assert sorted((r.type, r.name) for r in preview.registrations) == sorted(
        (r.type, r.name) for r in deployed.registrations
    )
    assert preview.outputs[outputs.BUCKET_ARN] == PREVIEW_UNKNOWN
    assert preview.outputs[outputs.BUCKET_NAME] == BUCKET
    destination_policy = preview.one("aws:cloudwatch/logDestinationPolicy:LogDestinationPolicy").inputs
    assert (
        destination_policy["accessPolicy"]
        == deployed.one("aws:cloudwatch/logDestinationPolicy:LogDestinationPolicy").inputs["accessPolicy"]
    )


def test_two_evaluations_send_identical_inputs(deployed: ProgramRun) -> None:
    again = archive()
    assert {r.urn: r.inputs for r in again.registrations} == {r.urn: r.inputs for r in deployed.registrations}


def test_the_glue_table_projects_account_log_group_and_day_partitions_over_the_key_layout(
    deployed: ProgramRun,
) -> None:
    table = deployed.named("log-archive-table").inputs
    assert table["databaseName"] == "log_archive"
    assert [k["name"] for k in table["partitionKeys"]] == ["account", "log_group", "dt"]
    assert table["parameters"] == {
        "classification": "json",
        "compressionType": "gzip",
        "log_archive.queryable_days": "365",
        "projection.enabled": "true",
        "projection.account.type": "enum",
        "projection.account.values": f"{SOURCE},{ARCHIVE}",
        "projection.log_group.type": "injected",
        "projection.dt.type": "date",
        "projection.dt.format": "yyyy-MM-dd",
        "projection.dt.range": "2024-01-01,NOW",
        "projection.dt.interval": "1",
        "projection.dt.interval.unit": "DAYS",
        "storage.location.template": f"s3://{BUCKET}/logs/account=${{account}}/log_group=${{log_group}}/dt=${{dt}}/",
    }
    descriptor = table["storageDescriptor"]
    assert descriptor["location"] == f"s3://{BUCKET}/logs/"
    assert descriptor["serDeInfo"]["serializationLibrary"] == "org.openx.data.jsonserde.JsonSerDe"
    assert [c["name"] for c in descriptor["columns"]] == [
        "messagetype",
        "owner",
        "loggroup",
        "logstream",
        "subscriptionfilters",
        "logevents",
    ]


def test_an_organization_archive_projects_accounts_named_in_the_query() -> None:
    run = archive(source_account_ids=(), organization_id="o-abcdef1234")
    parameters = run.named("log-archive-table").inputs["parameters"]
    assert parameters["projection.account.type"] == "injected"
    assert "projection.account.values" not in parameters


def test_an_organization_archive_with_listed_accounts_still_injects_the_account() -> None:
    """Any member may subscribe: an enum of the listed accounts would silently read no other."""
    run = archive(source_account_ids=(SOURCE,), organization_id="o-abcdef1234")
    parameters = run.named("log-archive-table").inputs["parameters"]
    assert parameters["projection.account.type"] == "injected"
    assert "projection.account.values" not in parameters


def test_the_account_enum_lists_every_source_and_the_archive_account_once_in_order() -> None:
    run = archive(source_account_ids=("333333333333", ARCHIVE, SOURCE))
    parameters = run.named("log-archive-table").inputs["parameters"]
    assert parameters["projection.account.values"] == f"{SOURCE},{ARCHIVE},333333333333"


def test_the_messages_layout_table_has_one_line_column_and_day_partitions() -> None:
    run = archive(layout="messages")
    table = run.named("log-archive-table").inputs
    assert [k["name"] for k in table["partitionKeys"]] == ["dt"]
    assert table["storageDescriptor"]["columns"] == [{"name": "message", "type": "string"}]
    assert table["parameters"]["storage.location.template"] == f"s3://{BUCKET}/logs/dt=${{dt}}/"


def test_athena_results_are_encrypted_with_the_archive_key_in_a_private_expiring_bucket(
    deployed: ProgramRun,
) -> None:
    key_arn = deployed.one("aws:kms/key:Key").outputs["arn"]
    workgroup = deployed.one("aws:athena/workgroup:Workgroup").inputs
    assert workgroup["configuration"] == {
        "enforceWorkgroupConfiguration": True,
        "publishCloudwatchMetricsEnabled": True,
        "resultConfiguration": {
            "outputLocation": f"s3://{RESULTS_BUCKET}/",
            "encryptionConfiguration": {"encryptionOption": "SSE_KMS", "kmsKeyArn": key_arn},
        },
    }
    results = deployed.named("log-archive-query-results")
    assert results.inputs["bucket"] == RESULTS_BUCKET
    assert results.inputs["objectLockEnabled"] is False
    assert (
        deployed.named("log-archive-query-results-public-access-block").inputs["restrictPublicBuckets"]
        is True
    )
    assert deployed.named("log-archive-query-results-encryption").inputs["rules"][0][
        "applyServerSideEncryptionByDefault"
    ] == {"sseAlgorithm": "aws:kms", "kmsMasterKeyId": key_arn}
    assert [
        s["Sid"]
        for s in document(deployed.named("log-archive-query-results-policy").inputs["policy"])["Statement"]
    ] == ["DenyInsecureTransport"]
    lifecycle = deployed.named("log-archive-query-results-lifecycle").inputs["rules"][0]
    assert lifecycle["expiration"] == {"days": 30.0}


def test_server_access_logs_of_both_buckets_go_to_the_configured_bucket_under_their_names() -> None:
    run = archive(access_logs_bucket="org-s3-access-logs-222222222222")
    logging = [
        (r.name, r.inputs["bucket"], r.inputs["targetBucket"], r.inputs["targetPrefix"])
        for r in run.of_type("aws:s3/bucketLogging:BucketLogging")
    ]
    assert sorted(logging) == [
        ("log-archive-access-logging", BUCKET, "org-s3-access-logs-222222222222", f"{BUCKET}/"),
        (
            "log-archive-query-results-access-logging",
            RESULTS_BUCKET,
            "org-s3-access-logs-222222222222",
            f"{RESULTS_BUCKET}/",
        ),
    ]


def test_without_an_access_logs_bucket_no_access_logging_is_configured(deployed: ProgramRun) -> None:
    assert deployed.of_type("aws:s3/bucketLogging:BucketLogging") == []
