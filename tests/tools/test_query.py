"""``tools.query``: partitions found in S3, the SQL it writes, the cold-data horizon."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import boto3
import pytest
from moto import mock_aws

from tools import query

if TYPE_CHECKING:
    from types_boto3_s3 import S3Client
else:
    S3Client = Any

BUCKET = "log-archive-222222222222-ap-northeast-1"
KEYS = (
    "logs/account=111111111111/log_group=%2Faws%2Flambda%2Fcheckout/dt=2026-11-27/a.gz",
    "logs/account=111111111111/log_group=delivery-test/dt=2026-11-27/b.gz",
    "logs/account=222222222222/log_group=%2Fecs%2Fweb/dt=2026-11-26/c.gz",
    "errors/processing-failed/dt=2026-11-27/d.gz",
)


@pytest.fixture(scope="module")
def s3() -> Iterator[S3Client]:
    with mock_aws():
        client: S3Client = boto3.client("s3", region_name="ap-northeast-1")  # pyright: ignore[reportUnknownMemberType]
        client.create_bucket(
            Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "ap-northeast-1"}
        )
        for key in KEYS:
            client.put_object(Bucket=BUCKET, Key=key, Body=b"x")
        yield client


def test_every_account_and_its_log_groups_are_found_by_listing_prefixes(s3: S3Client) -> None:
    assert query.discover(s3, BUCKET, "logs/", None) == (
        ["111111111111", "222222222222"],
        ["%2Faws%2Flambda%2Fcheckout", "%2Fecs%2Fweb", "delivery-test"],
    )


def test_named_accounts_limit_the_log_groups_to_theirs(s3: S3Client) -> None:
    assert query.discover(s3, BUCKET, "logs/", ["111111111111"]) == (
        ["111111111111"],
        ["%2Faws%2Flambda%2Fcheckout", "delivery-test"],
    )


def test_the_partition_filter_names_every_partition_and_escapes_quotes() -> None:
    where = query.partition_filter(["111111111111"], ["a", "o'brien"], date(2026, 11, 26), date(2026, 11, 27))
    assert where == (
        "account IN ('111111111111')\n"
        "  AND log_group IN ('a', 'o''brien')\n"
        "  AND dt BETWEEN '2026-11-26' AND '2026-11-27'"
    )


def test_the_search_sql_is_the_readme_example_form() -> None:
    assert query.search_sql("log_archive.logs", "dt = 'x'", "203.0.113.77") == (
        "SELECT account, loggroup, logstream, from_unixtime(e.timestamp / 1000) AS time, e.message\n"
        "FROM log_archive.logs CROSS JOIN UNNEST(logevents) AS t(e)\n"
        "WHERE dt = 'x'\n"
        "  AND strpos(e.message, '203.0.113.77') > 0\n"
        "ORDER BY e.timestamp"
    )


def test_a_range_inside_the_horizon_gets_no_warning() -> None:
    assert query.horizon_warning(date(2025, 11, 28), date(2026, 11, 27), 365) is None


def test_a_range_reaching_past_the_horizon_warns_that_athena_skips_silently() -> None:
    warning = query.horizon_warning(date(2025, 11, 27), date(2026, 11, 27), 365)
    assert warning is not None
    assert warning.startswith("warning: 2025-11-27 is before 2025-11-28, the queryable horizon (365 days)")
    assert "WITHOUT ERROR" in warning
    assert "--allow-cold" in warning


def test_print_sql_writes_the_search_over_every_log_group_of_the_account(
    s3: S3Client, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    outputs = tmp_path / "outputs.json"
    outputs.write_text(
        json.dumps(
            {
                "bucketName": BUCKET,
                "logPrefix": "logs/",
                "glueDatabase": "log_archive",
                "glueTable": "logs",
                "athenaWorkgroup": "log-archive",
            }
        )
    )
    argv = ["--archive-outputs", str(outputs), "--region", "ap-northeast-1", "--account", "111111111111"]
    argv += ["--from", "2026-11-27", "--contains", "203.0.113.77", "--print-sql"]
    assert query.main(argv) == 0
    assert capsys.readouterr().out == (
        query.search_sql(
            "log_archive.logs",
            query.partition_filter(
                ["111111111111"],
                ["%2Faws%2Flambda%2Fcheckout", "delivery-test"],
                date(2026, 11, 27),
                date(2026, 11, 27),
            ),
            "203.0.113.77",
        )
        + "\n"
    )


def test_plain_log_group_names_are_encoded_as_the_keys_spell_them(
    s3: S3Client, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["--bucket", BUCKET, "--prefix", "logs/", "--database", "d", "--table", "t", "--workgroup", "w"]
    argv += ["--region", "ap-northeast-1", "--log-group", "/aws/lambda/checkout", "--from", "2026-11-27"]
    assert query.main([*argv, "--count", "--print-sql"]) == 0
    assert "AND log_group IN ('%2Faws%2Flambda%2Fcheckout')" in capsys.readouterr().out
