"""Query the archive in place: a Glue table over the key layout (partition projection, no
crawler) and an Athena workgroup whose results land encrypted in their own bucket."""

from __future__ import annotations

from collections.abc import Sequence

import pulumi
import pulumi_aws as aws

from components import layout, outputs
from components.archive_args import LogArchiveArgs, results_bucket_name
from components.archive_policies import results_bucket_policy
from components.private_bucket import private_bucket

RESULTS_EXPIRY_DAYS = 30
PROJECTION_START = "2024-01-01"

ENVELOPE_COLUMNS = [
    ("messagetype", "string"),
    ("owner", "string"),
    ("loggroup", "string"),
    ("logstream", "string"),
    ("subscriptionfilters", "array<string>"),
    ("logevents", "array<struct<id:string,timestamp:bigint,message:string>>"),
]
"""The CloudWatch Logs envelope, lower-cased as the OpenX JSON SerDe matches keys."""


def projection_parameters(
    bucket_name: str, partitioned: bool, source_account_ids: Sequence[str]
) -> dict[str, str]:
    """Partition projection for the layout: ``dt`` always; ``account`` (listed accounts, or any
    account named in the query for an organization) and ``log_group`` (named in the query)."""
    root = f"s3://{bucket_name}/{layout.LOG_PREFIX}"
    parameters = {
        "projection.enabled": "true",
        "projection.dt.type": "date",
        "projection.dt.format": "yyyy-MM-dd",
        "projection.dt.range": f"{PROJECTION_START},NOW",
        "projection.dt.interval": "1",
        "projection.dt.interval.unit": "DAYS",
    }
    if not partitioned:
        return {**parameters, "storage.location.template": root + "dt=${dt}/"}
    account = (
        {"projection.account.type": "enum", "projection.account.values": ",".join(source_account_ids)}
        if source_account_ids
        else {"projection.account.type": "injected"}
    )
    return {
        **parameters,
        **account,
        "projection.log_group.type": "injected",
        "storage.location.template": root + "account=${account}/log_group=${log_group}/dt=${dt}/",
    }


def query_resources(
    name: str, args: LogArchiveArgs, bucket_name: str, key_arn: pulumi.Input[str], parent: pulumi.Resource
) -> dict[str, pulumi.Output[str]]:
    """Database, table, results bucket and workgroup; their names keyed by stack output name."""
    child = pulumi.ResourceOptions(parent=parent)
    partitioned = args.layout == "partitioned"
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
        name=name.replace("-", "_"),
        description="CloudWatch Logs archived from the source accounts.",
        opts=child,
    )
    if partitioned:
        columns = ENVELOPE_COLUMNS
        partition_keys = ["account", "log_group", "dt"]
        serde: aws.glue.CatalogTableStorageDescriptorSerDeInfoArgsDict = {
            "serialization_library": "org.openx.data.jsonserde.JsonSerDe",
            "parameters": {"ignore.malformed.json": "true"},
        }
    else:
        columns = [("message", "string")]
        partition_keys = ["dt"]
        serde = {"serialization_library": "org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe"}
    table = aws.glue.CatalogTable(
        f"{name}-table",
        name="logs",
        database_name=database.name,
        table_type="EXTERNAL_TABLE",
        parameters={
            "classification": "json" if partitioned else "text",
            "compressionType": "gzip",
            **projection_parameters(bucket_name, partitioned, args.source_account_ids),
        },
        partition_keys=[{"name": key, "type": "string"} for key in partition_keys],
        storage_descriptor={
            "location": f"s3://{bucket_name}/{layout.LOG_PREFIX}",
            "input_format": "org.apache.hadoop.mapred.TextInputFormat",
            "output_format": "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat",
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
