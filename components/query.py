"""Query the archive in place: a Glue table over the key layout (partition projection, no
crawler) and an Athena workgroup whose results land encrypted in their own bucket."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pulumi
import pulumi_aws as aws

from components import layout, outputs
from components.archive_args import LogArchiveArgs, results_bucket_name
from components.archive_policies import results_bucket_policy
from components.private_bucket import private_bucket

RESULTS_EXPIRY_DAYS = 30
PROJECTION_START = "2024-01-01"
QUERYABLE_DAYS_PARAMETER = "log_archive.queryable_days"
"""Table parameter holding the queryable horizon, which ``tools.query`` reads to warn."""

ENVELOPE_COLUMNS = [
    ("messagetype", "string"),
    ("owner", "string"),
    ("loggroup", "string"),
    ("logstream", "string"),
    ("subscriptionfilters", "array<string>"),
    ("logevents", "array<struct<id:string,timestamp:bigint,message:string>>"),
]
"""The CloudWatch Logs envelope, lower-cased as the OpenX JSON SerDe matches keys."""


def projected_accounts(
    archive_account_id: str, source_account_ids: Sequence[str], organization_id: str | None
) -> tuple[str, ...] | None:
    """The accounts the ``account`` partition can hold, or ``None`` when they cannot be listed.

    In the account-list form: the source accounts and the archive account itself (a source stack
    may subscribe the archive account's own log groups). In the organization form any member may
    subscribe, and no list is complete: ``None``, and the table projects ``account`` as
    ``injected``, so a query that names no account fails with an error instead of silently
    reading only the listed ones.
    """
    if organization_id is not None:
        return None
    return tuple(sorted({archive_account_id, *source_account_ids}))


def projection_parameters(
    bucket_name: str, partitioned: bool, accounts: Sequence[str] | None, root: str = layout.LOG_PREFIX
) -> dict[str, str]:
    """Partition projection for the layout: ``dt`` always; ``account`` (an ``enum`` of
    ``accounts``, or ``injected`` when they cannot be listed) and ``log_group`` (``injected``:
    named in the query, or found by ``tools.query``, which lists them in S3)."""
    location = f"s3://{bucket_name}/{root}"
    parameters = {
        "projection.enabled": "true",
        "projection.dt.type": "date",
        "projection.dt.format": "yyyy-MM-dd",
        "projection.dt.range": f"{PROJECTION_START},NOW",
        "projection.dt.interval": "1",
        "projection.dt.interval.unit": "DAYS",
    }
    if not partitioned:
        return {**parameters, "storage.location.template": location + "dt=${dt}/"}
    account = (
        {"projection.account.type": "enum", "projection.account.values": ",".join(accounts)}
        if accounts is not None
        else {"projection.account.type": "injected"}
    )
    return {
        **parameters,
        **account,
        "projection.log_group.type": "injected",
        "storage.location.template": location + "account=${account}/log_group=${log_group}/dt=${dt}/",
    }


TABLE_NAME = "logs"
PARQUET_SERDE = "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"
PARQUET_INPUT = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat"
PARQUET_OUTPUT = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat"


def database_name(name: str) -> str:
    """The Glue database of the archive named ``name`` (Glue names take no hyphen)."""
    return name.replace("-", "_")


def glue_schema_policy(name: str, account_id: str, region: str) -> dict[str, Any]:
    """What Firehose's format conversion reads: the table's schema, nothing else."""
    database = database_name(name)
    arn = f"arn:aws:glue:{region}:{account_id}"
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "ReadTheParquetSchema",
                "Effect": "Allow",
                "Action": ["glue:GetTable", "glue:GetTableVersion", "glue:GetTableVersions"],
                "Resource": [
                    f"{arn}:catalog",
                    f"{arn}:database/{database}",
                    f"{arn}:table/{database}/{TABLE_NAME}",
                ],
            }
        ],
    }


def format_conversion(
    database: pulumi.Input[str], table: pulumi.Input[str], region: str, role_arn: pulumi.Input[str]
) -> aws.kinesis.FirehoseDeliveryStreamExtendedS3ConfigurationDataFormatConversionConfigurationArgsDict:
    """Firehose record format conversion: each envelope (JSON, keys matched case-insensitively by
    the OpenX SerDe, so ``logGroup`` fills ``loggroup``) becomes a Parquet row of the Glue table.
    ``database`` and ``table`` are the Glue resources' outputs, so the stream waits for them."""
    return {
        "enabled": True,
        "input_format_configuration": {"deserializer": {"open_x_json_ser_de": {}}},
        "output_format_configuration": {
            "serializer": {"parquet_ser_de": {"compression": layout.PARQUET_COMPRESSION}}
        },
        "schema_configuration": {
            "database_name": database,
            "table_name": table,
            "region": region,
            "role_arn": role_arn,
            "version_id": "LATEST",
        },
    }


def query_resources(
    name: str, args: LogArchiveArgs, bucket_name: str, key_arn: pulumi.Input[str], parent: pulumi.Resource
) -> dict[str, pulumi.Output[str]]:
    """Database, table, results bucket and workgroup; their names keyed by stack output name."""
    child = pulumi.ResourceOptions(parent=parent)
    partitioned = args.layout != "messages"
    results_name = results_bucket_name(name, args.account_id, args.region)
    results, versioning = private_bucket(
        f"{name}-query-results",
        results_name,
        key_arn,
        results_bucket_policy(f"arn:aws:s3:::{results_name}"),
        parent,
    )
    if args.access_logs_bucket is not None:
        aws.s3.BucketLogging(
            f"{name}-query-results-access-logging",
            bucket=results.id,
            target_bucket=args.access_logs_bucket,
            target_prefix=f"{results_name}/",
            opts=child,
        )
    aws.s3.BucketLifecycleConfiguration(
        f"{name}-query-results-lifecycle",
        bucket=results.id,
        rules=[
            {
                "id": "expire-query-results",
                "status": "Enabled",
                "filter": {"prefix": ""},
                "expiration": {"days": RESULTS_EXPIRY_DAYS},
                "noncurrent_version_expiration": {"noncurrent_days": 1},
                "abort_incomplete_multipart_upload": {"days_after_initiation": 1},
            }
        ],
        opts=pulumi.ResourceOptions(parent=parent, depends_on=[versioning]),
    )
    database = aws.glue.CatalogDatabase(
        f"{name}-database",
        name=database_name(name),
        description="CloudWatch Logs archived from the source accounts.",
        opts=child,
    )
    root = layout.log_prefix(args.layout)
    formats = (
        "org.apache.hadoop.mapred.TextInputFormat",
        "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat",
    )
    file_parameters = {"classification": "json", "compressionType": "gzip"}
    if args.layout == "parquet":
        columns = ENVELOPE_COLUMNS
        serde: aws.glue.CatalogTableStorageDescriptorSerDeInfoArgsDict = {
            "serialization_library": PARQUET_SERDE,
            "parameters": {"serialization.format": "1"},
        }
        formats = (PARQUET_INPUT, PARQUET_OUTPUT)
        file_parameters = {"classification": "parquet", "parquet.compression": layout.PARQUET_COMPRESSION}
    elif partitioned:
        columns = ENVELOPE_COLUMNS
        serde = {
            "serialization_library": "org.openx.data.jsonserde.JsonSerDe",
            "parameters": {"ignore.malformed.json": "true"},
        }
    else:
        columns = [("message", "string")]
        serde = {"serialization_library": "org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe"}
        file_parameters = {"classification": "text", "compressionType": "gzip"}
    partition_keys = ["account", "log_group", "dt"] if partitioned else ["dt"]
    table = aws.glue.CatalogTable(
        f"{name}-table",
        name=TABLE_NAME,
        database_name=database.name,
        table_type="EXTERNAL_TABLE",
        parameters={
            **file_parameters,
            QUERYABLE_DAYS_PARAMETER: str(args.queryable_horizon_days),
            **projection_parameters(
                bucket_name,
                partitioned,
                projected_accounts(args.account_id, args.source_account_ids, args.organization_id),
                root,
            ),
        },
        partition_keys=[{"name": key, "type": "string"} for key in partition_keys],
        storage_descriptor={
            "location": f"s3://{bucket_name}/{root}",
            "input_format": formats[0],
            "output_format": formats[1],
            "ser_de_info": serde,
            "columns": [{"name": column, "type": kind} for column, kind in columns],
        },
        opts=child,
    )
    workgroup = aws.athena.Workgroup(
        f"{name}-workgroup",
        name=name,
        description="Queries over the CloudWatch Logs archive.",
        configuration={
            "enforce_workgroup_configuration": True,
            "publish_cloudwatch_metrics_enabled": True,
            "result_configuration": {
                "output_location": f"s3://{results_name}/",
                "encryption_configuration": {"encryption_option": "SSE_KMS", "kms_key_arn": key_arn},
            },
        },
        opts=child,
    )
    return {
        outputs.GLUE_DATABASE: database.name,
        outputs.GLUE_TABLE: table.name,
        outputs.ATHENA_WORKGROUP: workgroup.name,
        outputs.QUERY_RESULTS_BUCKET: results.bucket,
    }
