"""The ``parquet`` layout under mocks: Firehose converts the envelopes against the Glue schema."""

from __future__ import annotations

import json

import pytest

from components import outputs
from offline.program import ProgramRun
from tests.components.test_log_archive import ARCHIVE, BUCKET, FIREHOSE_ROLE_ARN, REGION, archive

STREAM = "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream"


@pytest.fixture(scope="module")
def parquet() -> ProgramRun:
    return archive(layout="parquet")


def test_the_parquet_stream_converts_envelopes_against_the_glue_table(parquet: ProgramRun) -> None:
    stream = parquet.one(STREAM).inputs
    assert stream["name"] == f"log-archive-{REGION}-parquet"
    s3 = stream["extendedS3Configuration"]
    assert s3["prefix"] == (
        "logs-parquet/account=!{partitionKeyFromQuery:account}/log_group=!{partitionKeyFromQuery:log_group}/"
        "dt=!{timestamp:yyyy-MM-dd}/"
    )
    assert (s3["bufferingSize"], s3["compressionFormat"]) == (64.0, "UNCOMPRESSED")
    assert s3["dynamicPartitioningConfiguration"] == {"enabled": True}
    assert [p["type"] for p in s3["processingConfiguration"]["processors"]] == [
        "Decompression",
        "MetadataExtraction",
    ]
    assert s3["dataFormatConversionConfiguration"] == {
        "enabled": True,
        "inputFormatConfiguration": {"deserializer": {"openXJsonSerDe": {}}},
        "outputFormatConfiguration": {"serializer": {"parquetSerDe": {"compression": "SNAPPY"}}},
        "schemaConfiguration": {
            "databaseName": "log_archive",
            "tableName": "logs",
            "region": REGION,
            "roleArn": FIREHOSE_ROLE_ARN,
            "versionId": "LATEST",
        },
    }


def test_the_parquet_stream_waits_for_its_schema_and_the_glue_read_permission(parquet: ProgramRun) -> None:
    stream = parquet.named(f"log-archive-stream-{REGION}")
    assert parquet.named("log-archive-table").urn in stream.dependencies
    assert parquet.named("log-archive-firehose-glue-policy").urn in stream.dependencies


def test_the_firehose_role_may_read_only_the_archive_table_schema(parquet: ProgramRun) -> None:
    policy = json.loads(parquet.named("log-archive-firehose-glue-policy").inputs["policy"])
    prefix = f"arn:aws:glue:{REGION}:{ARCHIVE}"
    assert policy["Statement"] == [
        {
            "Sid": "ReadTheParquetSchema",
            "Effect": "Allow",
            "Action": ["glue:GetTable", "glue:GetTableVersion", "glue:GetTableVersions"],
            "Resource": [
                f"{prefix}:catalog",
                f"{prefix}:database/log_archive",
                f"{prefix}:table/log_archive/logs",
            ],
        }
    ]


def test_the_parquet_table_reads_parquet_under_its_own_root_with_the_envelope_schema(
    parquet: ProgramRun,
) -> None:
    table = parquet.named("log-archive-table").inputs
    assert [k["name"] for k in table["partitionKeys"]] == ["account", "log_group", "dt"]
    parameters = table["parameters"]
    assert (parameters["classification"], parameters["parquet.compression"]) == ("parquet", "SNAPPY")
    assert "compressionType" not in parameters
    assert parameters["storage.location.template"] == (
        f"s3://{BUCKET}/logs-parquet/account=${{account}}/log_group=${{log_group}}/dt=${{dt}}/"
    )
    descriptor = table["storageDescriptor"]
    assert descriptor["location"] == f"s3://{BUCKET}/logs-parquet/"
    assert descriptor["inputFormat"] == "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat"
    assert descriptor["outputFormat"] == "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat"
    assert descriptor["serDeInfo"]["serializationLibrary"] == (
        "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"
    )
    assert descriptor["columns"][-1] == {
        "name": "logevents",
        "type": "array<struct<id:string,timestamp:bigint,message:string>>",
    }
    assert parquet.outputs[outputs.LOG_PREFIX] == "logs-parquet/"


def test_the_parquet_layout_keeps_the_dynamic_partitioning_alarms(parquet: ProgramRun) -> None:
    alarms = {a.inputs["metricName"] for a in parquet.of_type("aws:cloudwatch/metricAlarm:MetricAlarm")}
    assert "PartitionCountExceeded" in alarms


def test_json_layouts_get_no_glue_permission() -> None:
    assert [r.name for r in archive().registrations if r.name.endswith("glue-policy")] == []
