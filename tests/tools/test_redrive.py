"""Re-drive against moto: Firehose error objects in a moto bucket, a moto stream that writes back
into the bucket, and the manifests that make a second run send nothing."""

from __future__ import annotations

import base64
import gzip
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from tests.tools.moto_env import fake_credentials
from tests.tools.objects import compact, envelope, gzip_lines
from tests.tools.test_verify_delivery import FakeClock
from tools.archive_format import RAW as RAW_LAYOUT
from tools.archive_format import iter_events
from tools.redrive import Redrive, error_records, error_type, main, run

REGION = "ap-northeast-1"
BUCKET = "log-archive-222222222222"
STREAM = f"log-archive-{REGION}"
FAILED_KEY = "errors/processing-failed/dt=2026-11-27/obj-1.gz"
OVERFLOW_KEY = "errors/partition-count-exceeded/dt=2026-11-28/obj-2.gz"


def error_object(raws: list[bytes], code: str) -> bytes:
    """What Firehose writes into errors/: one JSON error record per line, gzipped."""
    return gzip_lines(
        compact({"attemptsMade": 1, "arrivalTimestamp": 1, "errorCode": code, "errorMessage": "m",
                 "attemptEndingTimestamp": 2, "rawData": base64.b64encode(raw).decode()})
        for raw in raws
    )  # fmt: skip


RAW = [gzip.compress(compact(envelope("/app/web", [f"event {n}"])).encode()) for n in range(3)]


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Any]:
    fake_credentials(monkeypatch, REGION)
    with mock_aws():
        s3 = boto3.client("s3", region_name=REGION)
        s3.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
        stream = boto3.client("firehose", region_name=REGION).create_delivery_stream(
            DeliveryStreamName=STREAM,
            ExtendedS3DestinationConfiguration={
                "RoleARN": "arn:aws:iam::123456789012:role/firehose",
                "BucketARN": f"arn:aws:s3:::{BUCKET}",
                "Prefix": "logs/",
            },
        )
        s3.put_object(Bucket=BUCKET, Key=FAILED_KEY, Body=error_object(RAW[:2], "Decompression.Failed"))
        s3.put_object(Bucket=BUCKET, Key=OVERFLOW_KEY, Body=error_object(RAW[2:], "PartitionCountExceeded"))
        (tmp_path / "outputs.json").write_text(
            json.dumps({"bucketName": BUCKET, "deliveryStreamArns": {REGION: stream["DeliveryStreamARN"]}})
        )
        yield s3


def delivered(s3: Any) -> list[bytes]:
    found = s3.list_objects_v2(Bucket=BUCKET, Prefix="logs/").get("Contents", [])
    return [s3.get_object(Bucket=BUCKET, Key=item["Key"])["Body"].read() for item in found]


def redrive(tmp_path: Path, *extra: str) -> tuple[int, dict[str, Any]]:
    lines: list[str] = []
    argv = ["--archive-outputs", str(tmp_path / "outputs.json"), "--region", REGION, "--json", *extra]
    code = run(argv, FakeClock().clock(), boto3.Session, lines.append)
    return code, json.loads(lines[0])


def test_records_are_re_sent_once_with_a_report_per_error_type(aws: Any, tmp_path: Path) -> None:
    code, report = redrive(tmp_path)
    assert code == 0
    assert report["errorTypes"] == {
        "partition-count-exceeded": {"objects": 1, "records": 1},
        "processing-failed": {"objects": 1, "records": 2},
    }
    messages = [event.message for data in delivered(aws) for event in iter_events(data, RAW_LAYOUT)]
    assert sorted(messages) == ["event 0", "event 1", "event 2"], "moto stores the raw records it gets"
    manifest = json.loads(aws.get_object(Bucket=BUCKET, Key=f"redrive/{FAILED_KEY}.json")["Body"].read())
    assert (manifest["records"], manifest["errorCodes"], manifest["stream"]) == (
        2,
        {"Decompression.Failed": 2},
        STREAM,
    )
    code, again = redrive(tmp_path)
    assert (code, again["errorTypes"]["processing-failed"]) == (0, {"alreadyRedrivenObjects": 1})
    assert len(delivered(aws)) == 2, "the second run sent nothing (one object per batch)"


def test_a_dry_run_counts_and_sends_nothing(aws: Any, tmp_path: Path) -> None:
    code, report = redrive(tmp_path, "--dry-run", "--error-type", "processing-failed")
    assert (code, report["errorTypes"]) == (0, {"processing-failed": {"objects": 1, "records": 2}})
    assert delivered(aws) == []
    assert aws.list_objects_v2(Bucket=BUCKET, Prefix="redrive/").get("KeyCount") == 0


def test_since_selects_error_objects_by_their_day(aws: Any, tmp_path: Path) -> None:
    _, report = redrive(tmp_path, "--since", "2026-11-28")
    assert list(report["errorTypes"]) == ["partition-count-exceeded"]


def test_an_undecodable_object_is_reported_and_exits_1(aws: Any, tmp_path: Path) -> None:
    aws.put_object(Bucket=BUCKET, Key="errors/processing-failed/dt=2026-11-27/bad.gz", Body=b"not json\n")
    code, report = redrive(tmp_path, "--error-type", "processing-failed")
    assert code == 1
    assert report["errorTypes"]["processing-failed"] == {"objects": 1, "records": 2, "failedObjects": 1}
    assert report["problems"][0].startswith("errors/processing-failed/dt=2026-11-27/bad.gz: line 1 is not")


def test_error_records_decode_plain_and_gzip_objects() -> None:
    line = compact({"errorCode": "S3.AccessDenied", "rawData": base64.b64encode(b"abc").decode()})
    assert list(error_records(line.encode())) == [(b"abc", "S3.AccessDenied")]
    assert list(error_records(gzip.compress(line.encode()))) == [(b"abc", "S3.AccessDenied")]
    assert error_type("errors/s3-failed/dt=2026-11-27/x") == "s3-failed"


def test_no_stream_for_the_region_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "outputs.json").write_text(json.dumps({"bucketName": BUCKET, "deliveryStreamArns": {}}))
    assert main(["--archive-outputs", str(tmp_path / "outputs.json"), "--region", REGION]) == 2
    assert capsys.readouterr().err == (
        f"error: no stream for region {REGION}: pass --stream, or --region one of (none in the outputs)\n"
    )


class RefusingFirehose:
    """Refuses the first record of the first ``refusals`` calls, as Firehose does when throttled."""

    def __init__(self, refusals: int) -> None:
        self.refusals = refusals
        self.calls: list[list[bytes]] = []

    def put_record_batch(self, DeliveryStreamName: str, Records: list[dict[str, bytes]]) -> dict[str, Any]:  # noqa: N803
        self.calls.append([record["Data"] for record in Records])
        refused = self.refusals > 0
        self.refusals -= 1
        answers = [{"ErrorCode": "ServiceUnavailableException"} if refused and i == 0 else {"RecordId": "r"}
                   for i in range(len(Records))]  # fmt: skip
        return {"FailedPutCount": int(refused), "RequestResponses": answers}


def test_refused_records_are_retried_alone_with_backoff(aws: Any) -> None:
    firehose, clock = RefusingFirehose(refusals=2), FakeClock()
    redrive = Redrive(aws, firehose, BUCKET, STREAM, clock.clock())  # type: ignore[arg-type]
    redrive.object(FAILED_KEY)
    assert firehose.calls == [RAW[:2], RAW[:1], RAW[:1]]
    assert clock.slept == [1.0, 2.0]
    assert redrive.counts["processing-failed"] == {"objects": 1, "records": 2}


def test_records_refused_every_time_fail_the_object_and_write_no_manifest(aws: Any) -> None:
    redrive = Redrive(aws, RefusingFirehose(refusals=99), BUCKET, STREAM, FakeClock().clock())  # type: ignore[arg-type]
    redrive.object(FAILED_KEY)
    assert redrive.problems == [f"{FAILED_KEY}: Firehose refused 1 record(s) 5 times"]
    assert aws.list_objects_v2(Bucket=BUCKET, Prefix="redrive/").get("KeyCount") == 0
