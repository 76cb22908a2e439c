"""Coverage against moto: heartbeat and real-event objects in a moto bucket, a given ``now``."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from components.naming import heartbeat_log_group
from tests.tools.moto_env import fake_credentials
from tools.archive_format import PARTITIONED, day_prefix
from tools.coverage import main, run

REGION = "ap-northeast-1"
BUCKET = "log-archive-222222222222"
SOURCE, ARCHIVE = "111111111111", "222222222222"
OUTPUTS = {
    "bucketName": BUCKET,
    "layout": "partitioned",
    "logPrefix": "logs/",
    "sourceAccountIds": [SOURCE],
    "archiveAccountId": ARCHIVE,
    "destinationArns": {REGION: "arn:d1", "us-east-1": "arn:d2"},
}


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    fake_credentials(monkeypatch, REGION)
    with mock_aws():
        s3 = boto3.client("s3", region_name=REGION)
        s3.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
        yield s3


def put(s3: Any, account: str, log_group: str) -> None:
    key = day_prefix(PARTITIONED, "logs/", account, log_group, datetime.now(UTC).date()) + "obj.gz"
    s3.put_object(Bucket=BUCKET, Key=key, Body=b"x")


def outputs_file(tmp_path: Path, **changes: Any) -> str:
    path = tmp_path / "outputs.json"
    path.write_text(json.dumps({**OUTPUTS, **changes}))
    return str(path)


def test_a_region_without_a_recent_heartbeat_is_late_and_exits_1(aws: Any, tmp_path: Path) -> None:
    put(aws, SOURCE, heartbeat_log_group(REGION))
    put(aws, SOURCE, "/aws/lambda/checkout")
    put(aws, ARCHIVE, heartbeat_log_group(REGION))
    put(aws, ARCHIVE, heartbeat_log_group("us-east-1"))
    lines: list[str] = []
    now = datetime.now(UTC) + timedelta(minutes=5)
    code = run(["--archive-outputs", outputs_file(tmp_path), "--json"], now, boto3.Session, lines.append)
    rows = json.loads(lines[0])
    assert code == 1
    assert [(r["account"], r["region"], r["late"]) for r in rows] == [
        (SOURCE, REGION, False),
        (SOURCE, "us-east-1", True),
        (ARCHIVE, REGION, False),
        (ARCHIVE, "us-east-1", False),
    ]
    assert rows[1]["last_heartbeat"] is None
    assert rows[0]["last_event"] == rows[1]["last_event"] is not None
    assert rows[2]["last_event"] is None, "heartbeats are not real events"


def test_a_heartbeat_older_than_the_threshold_is_late(aws: Any, tmp_path: Path) -> None:
    for region in (REGION, "us-east-1"):
        put(aws, SOURCE, heartbeat_log_group(region))
    lines: list[str] = []
    later = datetime.now(UTC) + timedelta(minutes=30)
    args = ["--archive-outputs", outputs_file(tmp_path), "--accounts", SOURCE]
    assert run(args, later, boto3.Session, lines.append) == 1
    assert run([*args, "--late-after", "45"], later, boto3.Session, lines.append) == 0
    assert lines[-1].splitlines()[0].split() == [
        "ACCOUNT", "REGION", "LAST", "HEARTBEAT", "AGE", "(MIN)", "LAST", "EVENT", "STATUS",
    ]  # fmt: skip
    assert lines[-1].splitlines()[1].split()[-1] == "ok"


def test_an_organization_takes_its_active_accounts_from_organizations(aws: Any, tmp_path: Path) -> None:
    organizations = boto3.client("organizations", region_name="us-east-1")
    organizations.create_organization(FeatureSet="ALL")
    member = organizations.create_account(AccountName="a", Email="a@example.com")["CreateAccountStatus"]
    lines: list[str] = []
    path = outputs_file(tmp_path, organizationId="o-abcdef1234", sourceAccountIds=[])
    run(["--archive-outputs", path, "--json"], datetime.now(UTC), boto3.Session, lines.append)
    accounts = {row["account"] for row in json.loads(lines[0])}
    assert member["AccountId"] in accounts
    assert len(accounts) == 2, "the management account and the new member"


def test_the_messages_layout_cannot_be_checked_and_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--archive-outputs", outputs_file(tmp_path, layout="messages")]) == 2
    assert capsys.readouterr().err == (
        "error: layout 'messages' has no account in its keys: coverage needs 'partitioned'\n"
    )
