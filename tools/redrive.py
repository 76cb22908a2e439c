"""Re-send the records Firehose wrote under ``errors/`` back through the stream, once.

    .venv/bin/python -m tools.redrive --archive-outputs archive-outputs.json \\
        --archive-profile log-archive --region ap-northeast-1 [--error-type processing-failed] \\
        [--since 2026-11-27] [--dry-run] [--json]

Run it after the cause is fixed (a KMS grant, a bucket policy, a partition limit). Firehose writes
each failed record as one JSON line (``attemptsMade``, ``arrivalTimestamp``, ``errorCode``,
``errorMessage``, ``rawData`` and more) into ``errors/<error type>/dt=<day>/`` objects: the
``rawData`` (base64) is the record as the stream received it, a gzip CloudWatch Logs envelope, and
is sent unchanged with ``PutRecordBatch`` (500 records or 4 MiB per call, failed records retried
with backoff) into the stream of ``--region`` (``deliveryStreamArns``; ``--stream`` overrides).
All regional streams write the same layout into the same bucket, so any of them can take any
error object.

"Once" comes from the bucket, which Object Lock forbids to edit: after every record of an error
object was accepted, the tool writes ``redrive/<error object key>.json`` (records, codes, stream,
time), and every later run skips objects with such a manifest, whoever runs it. An object whose
records were sent but whose manifest could not be written (an interruption in between) would be
sent again: the envelopes' event ids let queries drop such duplicates (docs/operations.md).

Exit 0 when everything selected was re-sent (or is already), 1 when some records were refused or
an object could not be decoded, 2 for usage or setup problems.
"""

from __future__ import annotations

import argparse
import base64
import binascii
import gzip
import json
import sys
import time
import zlib
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from tools.archive_format import ERROR_ROOT, GZIP_MAGIC
from tools.verify_delivery import Clock, VerifyError, archive_target, load_outputs, open_session

if TYPE_CHECKING:
    from types_boto3_firehose import FirehoseClient
    from types_boto3_s3 import S3Client

MANIFEST_ROOT = "redrive/"
MAX_BATCH_RECORDS = 500
MAX_BATCH_BYTES = 4 * 1024 * 1024
MAX_ATTEMPTS = 5


class ErrorObjectError(ValueError):
    """An error object that does not hold Firehose error records."""


def error_records(data: bytes) -> Iterator[tuple[bytes, str]]:
    """``(raw record, error code)`` for every record of one Firehose error object."""
    while data[:2] == GZIP_MAGIC:
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError, zlib.error) as error:
            raise ErrorObjectError(f"not valid gzip: {error}") from None
    for number, line in enumerate(data.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record: Any = json.loads(line)
            raw = base64.b64decode(record["rawData"], validate=True)
        except (ValueError, KeyError, TypeError, binascii.Error) as error:
            raise ErrorObjectError(
                f"line {number} is not a Firehose error record with rawData: {error}"
            ) from None
        yield raw, str(record.get("errorCode") or record.get("ErrorCode") or "unknown")


def manifest_key(error_key: str) -> str:
    return f"{MANIFEST_ROOT}{error_key}.json"


def error_type(key: str) -> str:
    """``errors/<type>/dt=.../obj`` -> ``<type>``."""
    parts = key[len(ERROR_ROOT) :].split("/")
    return parts[0] if len(parts) > 1 else "unknown"


@dataclass
class Redrive:
    s3: S3Client
    firehose: FirehoseClient
    bucket: str
    stream: str
    clock: Clock
    dry_run: bool = False
    counts: dict[str, Counter[str]] = field(default_factory=dict[str, Counter[str]])
    problems: list[str] = field(default_factory=list[str])

    def _count(self, kind: str, what: str, amount: int = 1) -> None:
        self.counts.setdefault(kind, Counter[str]())[what] += amount

    def error_keys(self, types: Sequence[str], since: str | None) -> Iterator[str]:
        prefixes = [f"{ERROR_ROOT}{kind}/" for kind in types] or [ERROR_ROOT]
        for prefix in prefixes:
            for page in self.s3.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=prefix):
                for item in page.get("Contents", []):
                    key = item.get("Key", "")
                    day = next((p[3:] for p in key.split("/") if p.startswith("dt=")), "")
                    if since is None or day >= since:
                        yield key

    def _done(self, key: str) -> bool:
        try:
            self.s3.head_object(Bucket=self.bucket, Key=manifest_key(key))
        except ClientError as error:
            if str(error.response.get("Error", {}).get("Code")) in ("404", "NoSuchKey", "NotFound"):
                return False
            raise
        return True

    def _send(self, records: list[bytes]) -> None:
        """Put ``records``, retrying the refused ones; raises when some stay refused."""
        pending, backoff = records, 1.0
        for _ in range(MAX_ATTEMPTS):
            result = self.firehose.put_record_batch(
                DeliveryStreamName=self.stream, Records=[{"Data": record} for record in pending]
            )
            if not result.get("FailedPutCount"):
                return
            pending = [
                record
                for record, answer in zip(pending, result["RequestResponses"], strict=True)
                if answer.get("ErrorCode")
            ]
            self.clock.sleep(backoff)
            backoff *= 2
        raise ErrorObjectError(f"Firehose refused {len(pending)} record(s) {MAX_ATTEMPTS} times")

    def _batches(self, records: Sequence[bytes]) -> Iterator[list[bytes]]:
        batch: list[bytes] = []
        size = 0
        for record in records:
            if batch and (len(batch) == MAX_BATCH_RECORDS or size + len(record) > MAX_BATCH_BYTES):
                yield batch
                batch, size = [], 0
            batch.append(record)
            size += len(record)
        if batch:
            yield batch

    def object(self, key: str) -> None:
        kind = error_type(key)
        if self._done(key):
            self._count(kind, "alreadyRedrivenObjects")
            return
        try:
            found = list(error_records(self.s3.get_object(Bucket=self.bucket, Key=key)["Body"].read()))
            codes = Counter(code for _, code in found)
            if not self.dry_run:
                for batch in self._batches([raw for raw, _ in found]):
                    self._send(batch)
        except ErrorObjectError as error:
            self._count(kind, "failedObjects")
            self.problems.append(f"{key}: {error}")
            return
        self._count(kind, "objects")
        self._count(kind, "records", len(found))
        if self.dry_run:
            return
        manifest = {
            "source": key,
            "records": len(found),
            "errorCodes": dict(codes),
            "stream": self.stream,
            "redrivenAt": datetime.fromtimestamp(self.clock.now(), UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        }
        self.s3.put_object(
            Bucket=self.bucket,
            Key=manifest_key(key),
            Body=json.dumps(manifest, indent=1).encode(),
            ContentType="application/json",
            ChecksumAlgorithm="SHA256",
        )


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m tools.redrive", description="Re-send Firehose error records through the stream, once."
    )
    parser.add_argument("--archive-outputs", type=Path, metavar="FILE", help="`pulumi stack output --json`")
    parser.add_argument("--bucket", help="archive bucket (overrides bucketName)")
    parser.add_argument("--archive-profile", help="AWS profile of the archive account")
    parser.add_argument("--region", help="region of the stream to send through (default: the profile's)")
    parser.add_argument("--stream", help="stream name or ARN (overrides deliveryStreamArns)")
    parser.add_argument(
        "--error-type", action="append", default=[], help="e.g. processing-failed (repeatable)"
    )
    parser.add_argument("--since", metavar="YYYY-MM-DD", help="only error objects of this dt= day or later")
    parser.add_argument("--dry-run", action="store_true", help="count what would be re-sent, send nothing")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    return parser


def run(
    argv: Sequence[str], clock: Clock, session: Callable[..., boto3.Session], say: Callable[[str], None]
) -> int:
    args = _parser().parse_args(argv)
    target = archive_target(load_outputs(args.archive_outputs) if args.archive_outputs else None, args.bucket)
    archive = open_session(session, args.archive_profile, args.region, "archive")
    region = args.region or archive.region_name
    stream = args.stream or target.delivery_stream_arns.get(region or "")
    if not stream:
        raise VerifyError(
            f"no stream for region {region}: pass --stream, or --region one of "
            f"{', '.join(sorted(target.delivery_stream_arns)) or '(none in the outputs)'}"
        )
    stream_region = stream.split(":")[3] if stream.startswith("arn:") else region
    redrive = Redrive(
        archive.client("s3"),
        archive.client("firehose", region_name=stream_region),
        target.bucket,
        stream.rsplit("/", 1)[-1],
        clock,
        args.dry_run,
    )
    try:
        for key in list(redrive.error_keys(args.error_type, args.since)):
            redrive.object(key)
    except (ClientError, BotoCoreError) as error:
        raise VerifyError(
            f"AWS refused a call ({error}); the archive credentials need s3:ListBucket, s3:GetObject, "
            f"s3:PutObject on {MANIFEST_ROOT}*, kms:Decrypt/GenerateDataKey and firehose:PutRecordBatch"
        ) from None
    per_type = {kind: dict(counts) for kind, counts in sorted(redrive.counts.items())}
    report: dict[str, Any] = {
        "stream": redrive.stream,
        "dryRun": args.dry_run,
        "errorTypes": per_type,
        "problems": redrive.problems,
    }
    if args.json:
        say(json.dumps(report, indent=2))
    else:
        verb = "would re-send" if args.dry_run else "re-sent"
        for kind, counts in per_type.items():
            records, objects = counts.get("records", 0), counts.get("objects", 0)
            say(
                f"{kind}: {verb} {records} record(s) of {objects} object(s); "
                f"{counts.get('alreadyRedrivenObjects', 0)} object(s) already re-driven, "
                f"{counts.get('failedObjects', 0)} failed"
            )
        for problem in redrive.problems:
            say(f"  problem: {problem}")
        if not per_type:
            say(f"nothing under s3://{target.bucket}/{ERROR_ROOT}")
    return 1 if redrive.problems else 0


def main(argv: Sequence[str] | None = None) -> int:
    try:
        return run(sys.argv[1:] if argv is None else argv, Clock(time.time, time.sleep), boto3.Session, print)
    except VerifyError as error:
        print(f"error: {error}", file=sys.stderr)
        return error.exit_code


if __name__ == "__main__":
    sys.exit(main())
