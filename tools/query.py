"""Search the archive through Athena without naming log groups, and never read cold data unawares.

    .venv/bin/python -m tools.query --archive-outputs archive-outputs.json --profile log-archive \\
        --account 111111111111 --from 2026-11-27 --to 2026-11-27 --contains 203.0.113.77

``archive-outputs.json`` is ``pulumi stack output --json --stack account-b`` (``bucketName``,
``logPrefix``, ``glueDatabase``, ``glueTable``, ``athenaWorkgroup``).

The table projects ``dt`` and ``account`` (an ``enum`` in the account-list form, ``injected`` in
the organization form) and ``log_group`` as ``injected``: Athena reads exactly the prefixes a
query names, and a query that names no log group is refused (``CONSTRAINT_VIOLATION``), never
answered from a subset. This helper finds what projection cannot enumerate: it lists the
``account=`` and ``log_group=`` prefixes in S3 (``ListObjectsV2`` with a delimiter: one request
per 1,000 accounts, and per account per 1,000 log groups; no object is read) and writes them into
the query as ``IN`` lists, so "every event mentioning this IP in account X on day D" scans exactly
that account's objects of that day, across every log group.

- ``--log-group`` takes plain names (``/aws/lambda/checkout``); the helper percent-encodes them
  as the keys do (jq ``@uri``; for the characters CloudWatch allows in a log group name this is
  what Athena's ``url_encode`` gives, so hand-written SQL may use ``url_encode('/aws/...')``).
- ``--count`` prints events per account and day instead of the events.
- ``--print-sql`` prints the query and exits without calling Athena.
- Cold data: objects older than the table's ``log_archive.queryable_days`` may be in Deep Archive,
  which Athena skips without error. When ``--from`` reaches past that horizon the helper warns on
  stderr and exits 3 unless ``--allow-cold`` is given (after a restore: docs/querying.md).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from components import outputs
from components.query import QUERYABLE_DAYS_PARAMETER
from tools.archive_format import encode_log_group

if TYPE_CHECKING:
    from types_boto3_s3 import S3Client
else:
    S3Client = Any
AthenaClient = Any
"""No Athena stubs are installed: the client is untyped."""

COLD_EXIT = 3
POLL_SECONDS = 1.0


@dataclass(frozen=True)
class Target:
    """Where the archive is and how to query it."""

    bucket: str
    root: str
    database: str
    table: str
    workgroup: str


def literal(value: str) -> str:
    """A SQL string literal."""
    return "'" + value.replace("'", "''") + "'"


def in_list(values: Iterable[str]) -> str:
    return "(" + ", ".join(literal(value) for value in values) + ")"


def partition_values(s3: S3Client, bucket: str, prefix: str, key: str) -> list[str]:
    """The values of the ``key=`` partition directly under ``prefix``, as the keys spell them."""
    found: list[str] = []
    paginator = s3.get_paginator("list_objects_v2")
    for page in paginator.paginate(Bucket=bucket, Prefix=prefix, Delimiter="/"):
        for common in page.get("CommonPrefixes", []):
            name = common.get("Prefix", "")[len(prefix) :].rstrip("/")
            if name.startswith(f"{key}="):
                found.append(name[len(key) + 1 :])
    return sorted(found)


def discover(
    s3: S3Client, bucket: str, root: str, accounts: Sequence[str] | None
) -> tuple[list[str], list[str]]:
    """The accounts (``accounts``, or every one with objects) and every log group they hold."""
    chosen = list(accounts) if accounts else partition_values(s3, bucket, root, "account")
    groups = {
        group
        for account in chosen
        for group in partition_values(s3, bucket, f"{root}account={account}/", "log_group")
    }
    return chosen, sorted(groups)


def partition_filter(accounts: Sequence[str], log_groups: Sequence[str], first: date, last: date) -> str:
    """The ``WHERE`` conditions that name every partition, log groups percent-encoded already."""
    return (
        f"account IN {in_list(accounts)}\n"
        f"  AND log_group IN {in_list(log_groups)}\n"
        f"  AND dt BETWEEN {literal(first.isoformat())} AND {literal(last.isoformat())}"
    )


def search_sql(table: str, where: str, contains: str | None) -> str:
    """Every event of the partitions in ``where`` (whose message contains ``contains``)."""
    message = "" if contains is None else f"\n  AND strpos(e.message, {literal(contains)}) > 0"
    return (
        "SELECT account, loggroup, logstream, from_unixtime(e.timestamp / 1000) AS time, e.message\n"
        f"FROM {table} CROSS JOIN UNNEST(logevents) AS t(e)\n"
        f"WHERE {where}{message}\n"
        "ORDER BY e.timestamp"
    )


def count_sql(table: str, where: str) -> str:
    """Events per account and day over the partitions in ``where``."""
    return (
        "SELECT account, dt, sum(cardinality(logevents)) AS events\n"
        f"FROM {table}\nWHERE {where}\nGROUP BY account, dt\nORDER BY account, dt"
    )


def horizon_warning(first: date, today: date, queryable_days: int) -> str | None:
    """A warning when objects of ``first`` may have left the instant-access classes.

    An object written on day D moves to Deep Archive ``queryable_days`` days later; Athena then
    skips it without error, so a query reaching back that far returns a silent subset.
    """
    oldest = today - timedelta(days=queryable_days - 1)
    if first >= oldest:
        return None
    return (
        f"warning: {first.isoformat()} is before {oldest.isoformat()}, the queryable horizon "
        f"({queryable_days} days): objects over 128 KiB from before it may be in S3 Glacier Deep "
        "Archive, which Athena skips WITHOUT ERROR, so the results may silently miss events. "
        "Restore them first (docs/querying.md, 'Cold data'), then rerun with --allow-cold."
    )


def run_athena(athena: AthenaClient, sql: str, target: Target) -> list[list[str]]:
    """Run ``sql`` in the workgroup and return its rows (the header row first)."""
    started = athena.start_query_execution(
        QueryString=sql,
        WorkGroup=target.workgroup,
        QueryExecutionContext={"Database": target.database},
    )
    query_id = started["QueryExecutionId"]
    while True:
        status = athena.get_query_execution(QueryExecutionId=query_id)["QueryExecution"]["Status"]
        state = status.get("State", "")
        if state in {"SUCCEEDED", "FAILED", "CANCELLED"}:
            break
        time.sleep(POLL_SECONDS)
    if state != "SUCCEEDED":
        raise RuntimeError(f"query {query_id} {state}: {status.get('StateChangeReason', '')}")
    rows: list[list[str]] = []
    for page in athena.get_paginator("get_query_results").paginate(QueryExecutionId=query_id):
        for row in page["ResultSet"].get("Rows", []):
            rows.append([cell.get("VarCharValue", "") for cell in row.get("Data", [])])
    return rows


def _target(options: argparse.Namespace) -> Target:
    stack: dict[str, Any] = (
        json.loads(Path(options.archive_outputs).read_text()) if options.archive_outputs else {}
    )

    def pick(flag: str | None, output: str) -> str:
        value = flag if flag is not None else stack.get(output)
        if not isinstance(value, str):
            raise SystemExit(f"error: neither --archive-outputs nor a flag gives {output}")
        return value

    return Target(
        bucket=pick(options.bucket, outputs.BUCKET_NAME),
        root=pick(options.prefix, outputs.LOG_PREFIX),
        database=pick(options.database, outputs.GLUE_DATABASE),
        table=pick(options.table, outputs.GLUE_TABLE),
        workgroup=pick(options.workgroup, outputs.ATHENA_WORKGROUP),
    )


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m tools.query", description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--archive-outputs", help="pulumi stack output --json of the archive stack")
    parser.add_argument("--profile", help="AWS profile of the archive account")
    parser.add_argument("--region", help="the archive's region (default: the profile's)")
    parser.add_argument("--bucket", help="archive bucket (overrides bucketName)")
    parser.add_argument("--prefix", help="key root (overrides logPrefix)")
    parser.add_argument("--database", help="Glue database (overrides glueDatabase)")
    parser.add_argument("--table", help="Glue table (overrides glueTable)")
    parser.add_argument("--workgroup", help="Athena workgroup (overrides athenaWorkgroup)")
    parser.add_argument("--account", action="append", help="source account (repeatable; default: all)")
    parser.add_argument(
        "--log-group", action="append", help="plain log group name (repeatable; default: all)"
    )
    parser.add_argument("--from", dest="first", type=date.fromisoformat, required=True, help="first UTC day")
    parser.add_argument("--to", dest="last", type=date.fromisoformat, help="last UTC day (default: --from)")
    parser.add_argument("--contains", help="only events whose message contains this text")
    parser.add_argument("--count", action="store_true", help="events per account and day")
    parser.add_argument("--print-sql", action="store_true", help="print the SQL, do not run it")
    parser.add_argument("--allow-cold", action="store_true", help="query past the horizon (after a restore)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    options = _parser().parse_args(argv)
    target = _target(options)
    session = boto3.Session(profile_name=options.profile, region_name=options.region)
    try:
        s3: S3Client = session.client("s3")  # pyright: ignore[reportUnknownMemberType]
        accounts, found = discover(s3, target.bucket, target.root, options.account)
        groups = [encode_log_group(name) for name in options.log_group] if options.log_group else found
        if not accounts or not groups:
            print("no objects under the archive's prefix for these accounts", file=sys.stderr)
            return 1
        where = partition_filter(accounts, groups, options.first, options.last or options.first)
        table = f"{target.database}.{target.table}"
        sql = count_sql(table, where) if options.count else search_sql(table, where, options.contains)
        if options.print_sql:
            print(sql)
            return 0
        glue = session.client("glue")  # pyright: ignore[reportUnknownMemberType]
        parameters = glue.get_table(DatabaseName=target.database, Name=target.table)["Table"].get(
            "Parameters", {}
        )
        horizon = int(parameters.get(QUERYABLE_DAYS_PARAMETER, "0"))
        warning = horizon_warning(options.first, datetime.now(UTC).date(), horizon) if horizon else None
        if warning is not None:
            print(warning, file=sys.stderr)
            if not options.allow_cold:
                return COLD_EXIT
        athena: AthenaClient = session.client("athena")  # pyright: ignore[reportUnknownMemberType]
        for row in run_athena(athena, sql, target):
            print("\t".join(row))
    except (ClientError, BotoCoreError, RuntimeError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
