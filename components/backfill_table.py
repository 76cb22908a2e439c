"""The Glue table over ``backfill/``: what CloudWatch Logs export tasks (``tools.backfill``) write.

Export tasks write ``backfill/account=<id>/log_group=<percent-encoded>/dt=<event day>/<task id>/
<log stream>/000000.gz``, gzip text with one ``<ISO-8601 time> <message>`` line per event (no event
id, no envelope). This table reads it with a regex SerDe next to the live ``logs`` table: the same
partition keys and projection, rooted at ``backfill/``; Athena reads every object under a partition's
folder, the task and stream folders included, and ``"$path"`` gives the log stream.
"""

from __future__ import annotations

from collections.abc import Sequence

import pulumi
import pulumi_aws as aws

from components.archive_policies import BACKFILL_PREFIX
from components.query import projection_parameters

TABLE_NAME = "backfill"
LINE_REGEX = r"^(\S+) (.*)$"
"""``<time> <message>``; lines that do not match (the ``aws-logs-write-test`` object) read as nulls."""
COLUMNS = [("event_time", "string"), ("message", "string")]


def backfill_table_parameters(bucket_name: str, accounts: Sequence[str] | None) -> dict[str, str]:
    """The live table's projection (always partitioned by account, log group and day) under
    ``backfill/``; ``accounts`` as ``query.projected_accounts`` gives them for the live table."""
    return {
        "classification": "text",
        "compressionType": "gzip",
        **projection_parameters(bucket_name, True, accounts, root=BACKFILL_PREFIX),
    }


def backfill_table(
    name: str,
    database_name: pulumi.Input[str],
    bucket_name: str,
    accounts: Sequence[str] | None,
    parent: pulumi.Resource,
) -> aws.glue.CatalogTable:
    return aws.glue.CatalogTable(
        f"{name}-backfill-table",
        name=TABLE_NAME,
        database_name=database_name,
        table_type="EXTERNAL_TABLE",
        parameters=backfill_table_parameters(bucket_name, accounts),
        partition_keys=[{"name": key, "type": "string"} for key in ("account", "log_group", "dt")],
        storage_descriptor={
            "location": f"s3://{bucket_name}/{BACKFILL_PREFIX}",
            "input_format": "org.apache.hadoop.mapred.TextInputFormat",
            "output_format": "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat",
            "ser_de_info": {
                "serialization_library": "org.apache.hadoop.hive.serde2.RegexSerDe",
                "parameters": {"input.regex": LINE_REGEX},
            },
            "columns": [{"name": column, "type": kind} for column, kind in COLUMNS],
        },
        opts=pulumi.ResourceOptions(parent=parent),
    )
