"""Which accounts and regions still reach the archive: last heartbeat and last real event.

    .venv/bin/python -m tools.coverage --archive-outputs archive-outputs.json \\
        --archive-profile log-archive [--json] [--late-after 20]

Expected accounts are the archive's ``sourceAccountIds`` plus ``archiveAccountId``; with an
organization (``organizationId``) they come from Organizations ``ListAccounts`` (the archive
credentials need ``organizations:ListAccounts``, i.e. the management or a delegated administrator
account) unless ``--accounts`` lists them. Regions are the keys of ``destinationArns``.

For each account and region the last heartbeat is the newest object under
``logs/account=<id>/log_group=<heartbeat log group of the region>/dt=<today or yesterday>/``;
the last real event the newest object of the account's other log groups on those days (the
partitioned layout has no region in its keys, so it is per account, shown on each of its rows).
Times are the objects' S3 ``LastModified``: when Firehose delivered. A row is LATE when its
heartbeat is older than ``--late-after`` minutes (default 20: the default 300 s buffer plus a
margin; raise it with a longer buffer interval) or missing. Only ``ListObjectsV2`` is called,
with a delimiter for the log groups and day prefixes for the objects: no object is read.

Exit 0 when every row is on time, 1 when one is late, 2 for usage or setup problems.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from components import outputs
from components.naming import heartbeat_log_group
from tools.archive_format import PARTITIONED, day_prefix, encode_log_group
from tools.verify_delivery import VerifyError, archive_target, load_outputs, open_session

if TYPE_CHECKING:
    from types_boto3_s3 import S3Client

DEFAULT_LATE_MINUTES = 20.0


@dataclass(frozen=True)
class Row:
    account: str
    region: str
    last_heartbeat: str | None
    last_event: str | None
    heartbeat_age_minutes: float | None
    late: bool


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _newest(s3: S3Client, bucket: str, prefixes: Sequence[str]) -> datetime | None:
    newest: datetime | None = None
    for prefix in prefixes:
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
            for item in page.get("Contents", []):
                modified = item.get("LastModified")
                if modified is not None and (newest is None or modified > newest):
                    newest = modified
    return newest


def _log_group_prefixes(s3: S3Client, bucket: str, account_prefix: str) -> Iterator[str]:
    paginator = s3.get_paginator("list_objects_v2")
    for page in paginator.paginate(Bucket=bucket, Prefix=account_prefix, Delimiter="/"):
        for common in page.get("CommonPrefixes", []):
            if "Prefix" in common:
                yield common["Prefix"]


def coverage(
    s3: S3Client,
    bucket: str,
    log_prefix: str,
    *,
    accounts: Sequence[str],
    regions: Sequence[str],
    now: datetime,
    late_after: timedelta,
) -> list[Row]:
    """One row per account and region, accounts and regions in the given order."""
    days = [(now - timedelta(days=1)).date(), now.date()]
    rows: list[Row] = []
    for account in accounts:
        heartbeat_groups = {encode_log_group(heartbeat_log_group(region)) for region in regions}
        account_prefix = day_prefix(PARTITIONED, log_prefix, account, "x", days[0]).split("log_group=")[0]
        others = [
            prefix
            for prefix in _log_group_prefixes(s3, bucket, account_prefix)
            if prefix[len(account_prefix) :].removeprefix("log_group=").rstrip("/") not in heartbeat_groups
        ]
        last_event = _newest(
            s3, bucket, [f"{prefix}dt={day.isoformat()}/" for prefix in others for day in days]
        )
        for region in regions:
            group = heartbeat_log_group(region)
            beat = _newest(
                s3, bucket, [day_prefix(PARTITIONED, log_prefix, account, group, day) for day in days]
            )
            age = None if beat is None else (now - beat).total_seconds() / 60
            rows.append(
                Row(
                    account=account,
                    region=region,
                    last_heartbeat=_iso(beat),
                    last_event=_iso(last_event),
                    heartbeat_age_minutes=None if age is None else round(age, 1),
                    late=age is None or age > late_after.total_seconds() / 60,
                )
            )
    return rows


def table(rows: Sequence[Row]) -> str:
    """The rows as an aligned text table."""
    header = ("ACCOUNT", "REGION", "LAST HEARTBEAT", "AGE (MIN)", "LAST EVENT", "STATUS")
    body = [
        (
            row.account,
            row.region,
            row.last_heartbeat or "never (today/yesterday)",
            "-" if row.heartbeat_age_minutes is None else f"{row.heartbeat_age_minutes:.1f}",
            row.last_event or "-",
            "LATE" if row.late else "ok",
        )
        for row in rows
    ]
    widths = [max(len(line[column]) for line in [header, *body]) for column in range(len(header))]
    return "\n".join("  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip()
                     for line in [header, *body])  # fmt: skip


def expected_accounts(
    stack_outputs: dict[str, Any], given: str | None, organizations: Callable[[], Any]
) -> list[str]:
    """``--accounts``, else the organization's active accounts, else the listed accounts + the archive."""
    if given:
        return list(dict.fromkeys(part.strip() for part in given.split(",") if part.strip()))
    if stack_outputs.get(outputs.ORGANIZATION_ID):
        try:
            pages = organizations().get_paginator("list_accounts").paginate()
            return sorted(
                str(a["Id"]) for page in pages for a in page["Accounts"] if a.get("Status") == "ACTIVE"
            )
        except (ClientError, BotoCoreError) as error:
            raise VerifyError(
                f"cannot list the organization's accounts ({error}); pass --accounts id,id,... "
                "or use credentials of the management or a delegated administrator account"
            ) from None
    listed = [str(account) for account in stack_outputs.get(outputs.SOURCE_ACCOUNT_IDS) or []]
    archive = stack_outputs.get(outputs.ARCHIVE_ACCOUNT_ID)
    return list(dict.fromkeys([*listed, *([str(archive)] if archive else [])]))


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m tools.coverage",
        description="Last heartbeat and last real event per expected account and region.",
    )
    parser.add_argument("--archive-outputs", type=Path, required=True, metavar="FILE")
    parser.add_argument("--archive-profile", help="AWS profile of the archive account")
    parser.add_argument(
        "--accounts", help="comma-separated account ids (instead of the outputs/Organizations)"
    )
    parser.add_argument("--late-after", type=float, default=DEFAULT_LATE_MINUTES, metavar="MIN")
    parser.add_argument("--json", action="store_true", help="print the rows as JSON")
    return parser


def run(
    argv: Sequence[str], now: datetime, session: Callable[..., boto3.Session], say: Callable[[str], None]
) -> int:
    args = _parser().parse_args(argv)
    stack_outputs = load_outputs(args.archive_outputs)
    target = archive_target(stack_outputs)
    if target.layout != PARTITIONED:
        raise VerifyError(
            f"layout {target.layout!r} has no account in its keys: coverage needs 'partitioned'"
        )
    regions = sorted(target.destination_arns)
    if not regions:
        raise VerifyError(f"{args.archive_outputs} has no {outputs.DESTINATION_ARNS}: no regions to check")
    archive = open_session(session, args.archive_profile, None, "archive")
    accounts = expected_accounts(stack_outputs, args.accounts, lambda: archive.client("organizations"))
    try:
        rows = coverage(
            archive.client("s3"),
            target.bucket,
            target.log_prefix,
            accounts=accounts,
            regions=regions,
            now=now,
            late_after=timedelta(minutes=args.late_after),
        )
    except (ClientError, BotoCoreError) as error:
        raise VerifyError(
            f"cannot list s3://{target.bucket}/ ({error}); the archive credentials need s3:ListBucket"
        ) from None
    say(json.dumps([asdict(row) for row in rows], indent=2) if args.json else table(rows))
    return 1 if any(row.late for row in rows) else 0


def main(argv: Sequence[str] | None = None) -> int:
    try:
        return run(
            sys.argv[1:] if argv is None else argv,
            datetime.fromtimestamp(time.time(), UTC),
            boto3.Session,
            print,
        )
    except VerifyError as error:
        print(f"error: {error}", file=sys.stderr)
        return error.exit_code


if __name__ == "__main__":
    sys.exit(main())
