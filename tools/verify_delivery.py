"""Check end to end that a source log group reaches the archive bucket.

    .venv/bin/python -m tools.verify_delivery --log-group delivery-test \\
        --source-profile workload-a --archive-profile log-archive --region ap-northeast-1 \\
        --archive-outputs archive-outputs.json

``archive-outputs.json`` is ``pulumi stack output --json --stack account-b``; it gives the bucket
(``bucketName``), the ``layout``, the key prefix (``logPrefix``), and the per-region destination
and Firehose stream (``destinationArns``, ``deliveryStreamArns``) used in the diagnostics.
``--bucket``, ``--layout`` and ``--prefix`` replace or stand in for the file (``--layout raw``
reads the reference guide's hand-made setup; see ``tools.archive_format``).

Steps, with the source account's credentials and then the archive account's:

1. Checks that the log group forwards somewhere: a subscription filter to the archive's destination
   for the region, or an account-level subscription filter policy. Stops early when none does.
   Says whether a trail records the region's management writes, without which the archive's
   subscription-changes alarm sees nothing (``tools.change_trail``; it does not stop the check).
2. Writes one event carrying a unique token into a new log stream ``log-archive-verify/<token>``
   of the log group. The stream stays; it expires with the group's retention.
3. Polls the bucket under the prefix the layout gives for that account, log group and UTC day,
   reading each new object once (gzip, envelopes or messages), and prints progress at every poll.
4. Prints the latency when it finds the token (exit 0). At the timeout it names each hop to
   inspect, with commands and the CloudWatch metrics, lists recent objects under ``errors/``, and
   exits 1. Setup problems (bad outputs file, missing log group, no access) exit 2.

The latency includes Firehose buffering (up to the stream's buffer interval, 60-900 s), so the
default timeout is 15 minutes.

Tested with moto, which runs the same-account path (subscription filter -> Firehose -> S3)
synchronously and stores the gzip envelopes unprocessed. moto cannot emulate, so only a run
against AWS shows: the cross-account CloudWatch Logs destination and its access policy, the
permissions between services (logs role -> Firehose, Firehose role -> S3 and KMS), Firehose
decompression, dynamic partitioning and buffering, and the account-level subscription filter
policy (``DescribeAccountPolicies`` is not implemented).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from components import outputs
from tools.archive_format import (
    ERROR_ROOT,
    LAYOUTS,
    PARTITIONED,
    ArchivedEvent,
    DecodeError,
    day_prefix,
    days_between,
    find_event,
)
from tools.change_trail import change_trail
from tools.delivery_causes import ROLE_TRUST_HINT, firehose_causes

if TYPE_CHECKING:
    from types_boto3_logs import CloudWatchLogsClient
    from types_boto3_s3 import S3Client

DEFAULT_TIMEOUT_SECONDS = 900.0
DEFAULT_INTERVAL_SECONDS = 15.0
CLOCK_SKEW_SECONDS = 300.0
"""Objects written this long before the event was sent are still read (clocks differ)."""
DEFAULT_MESSAGE = "log-archive delivery check"
SHOWN_ERROR_OBJECTS = 5


class VerifyError(Exception):
    """The check cannot go on; ``exit_code`` 2 for setup problems, 1 for delivery problems."""

    def __init__(self, message: str, exit_code: int = 2) -> None:
        super().__init__(message)
        self.exit_code = exit_code


@dataclass(frozen=True)
class ArchiveTarget:
    """Where the archive stores events, from the archive stack's outputs or flags."""

    bucket: str
    layout: str
    log_prefix: str
    destination_arns: Mapping[str, str] = field(default_factory=dict[str, str])
    delivery_stream_arns: Mapping[str, str] = field(default_factory=dict[str, str])
    alarm_topic_arns: Mapping[str, str] = field(default_factory=dict[str, str])
    pipeline_log_groups: Mapping[str, str] = field(default_factory=dict[str, str])
    """Region -> the stream's error log group (the first of the region's pipeline log groups)."""
    home_region: str | None = None
    """The bucket's region, from the key ARN output."""


@dataclass(frozen=True)
class Clock:
    """Wall clock and sleep, injectable so that tests never wait."""

    now: Callable[[], float] = time.time
    sleep: Callable[[float], None] = time.sleep


@dataclass(frozen=True)
class SentEvent:
    token: str
    message: str
    log_stream: str
    sent_at: float


@dataclass(frozen=True)
class Delivered:
    key: str
    event: ArchivedEvent
    latency_seconds: float


@dataclass(frozen=True)
class Source:
    """The log group under test and the account and region it lives in."""

    account: str
    region: str
    log_group: str
    profile: str | None = None


def load_outputs(path: Path) -> dict[str, Any]:
    """The JSON of ``pulumi stack output --json`` for the archive stack."""
    try:
        document: Any = json.loads(path.read_text())
    except OSError as error:
        raise VerifyError(f"cannot read {path}: {error.strerror}") from None
    except json.JSONDecodeError as error:
        raise VerifyError(
            f"{path} is not JSON ({error}); create it with "
            f"`pulumi stack output --json --stack <archive stack> > {path}`"
        ) from None
    if not isinstance(document, dict):
        raise VerifyError(f"{path} must hold a JSON object of stack outputs")
    return document


def _string_map(stack_outputs: Mapping[str, Any], name: str) -> dict[str, str]:
    value = stack_outputs.get(name) or {}
    if not isinstance(value, dict):
        raise VerifyError(f"stack output {name} must be a map of region -> ARN, got {value!r}")
    return {str(key): str(item) for key, item in value.items()}


def archive_target(
    stack_outputs: Mapping[str, Any] | None,
    bucket: str | None = None,
    layout: str | None = None,
    prefix: str | None = None,
) -> ArchiveTarget:
    """The target from the stack outputs, each flag given overriding its output."""
    found = stack_outputs or {}
    bucket = bucket or found.get(outputs.BUCKET_NAME)
    if not bucket:
        raise VerifyError(
            f"no bucket: pass --archive-outputs (with a {outputs.BUCKET_NAME} output) or --bucket"
        )
    layout = layout or found.get(outputs.LAYOUT) or PARTITIONED
    if layout not in LAYOUTS:
        raise VerifyError(f"unknown layout {layout!r}; expected one of {', '.join(LAYOUTS)}")
    log_prefix = prefix if prefix is not None else found.get(outputs.LOG_PREFIX, "logs/")
    return ArchiveTarget(
        bucket=str(bucket),
        layout=str(layout),
        log_prefix=str(log_prefix),
        destination_arns=_string_map(found, outputs.DESTINATION_ARNS),
        delivery_stream_arns=_string_map(found, outputs.DELIVERY_STREAM_ARNS),
        alarm_topic_arns=_string_map(found, outputs.ALARM_TOPIC_ARNS),
        pipeline_log_groups={
            str(region): str(groups[0])
            for region, groups in (found.get(outputs.PIPELINE_LOG_GROUPS) or {}).items()
            if isinstance(groups, list) and groups
        },
        home_region=str(found[outputs.KMS_KEY_ARN]).split(":")[3] if found.get(outputs.KMS_KEY_ARN) else None,
    )


def _aws_error(error: ClientError | BotoCoreError) -> str:
    if isinstance(error, ClientError):
        details = error.response.get("Error", {})
        return f"{details.get('Code', 'Error')}: {details.get('Message', '')}".rstrip(": ")
    return str(error)


def _account_policies(logs: CloudWatchLogsClient) -> list[dict[str, Any]] | None:
    """The account's subscription filter policies; ``None`` when they cannot be read."""
    try:
        found = logs.describe_account_policies(policyType="SUBSCRIPTION_FILTER_POLICY")
    except ClientError:
        return None
    return [dict(policy) for policy in found.get("accountPolicies", [])]


def check_subscription(logs: CloudWatchLogsClient, source: Source, destination: str | None) -> str:
    """A line saying what forwards the log group's events; raises when nothing does."""
    try:
        filters = logs.describe_subscription_filters(logGroupName=source.log_group)["subscriptionFilters"]
    except logs.exceptions.ResourceNotFoundException:
        raise VerifyError(
            f"log group {source.log_group!r} does not exist in account {source.account}, "
            f"region {source.region}: check --log-group, --region and --source-profile"
        ) from None
    except (ClientError, BotoCoreError) as error:
        raise VerifyError(
            f"cannot read the subscription filters of {source.log_group!r} with the source "
            f"credentials ({_aws_error(error)}); they need logs:DescribeSubscriptionFilters"
        ) from None
    for found in filters:
        if destination is None or found.get("destinationArn") == destination:
            line = f"subscription filter {found.get('filterName')!r} -> {found.get('destinationArn')}"
            pattern = found.get("filterPattern", "")
            if pattern:
                line += (
                    f"\n  note: its filter pattern {pattern!r} must match the test message; "
                    "pass --message with text it matches"
                )
            return line
    policies = _account_policies(logs)
    for policy in policies or []:
        document: Any = json.loads(policy.get("policyDocument") or "{}")
        if destination is not None and document.get("DestinationArn") != destination:
            continue
        if f'"{source.log_group}"' in policy.get("selectionCriteria", ""):
            raise VerifyError(
                f"the account subscription policy {policy.get('policyName')!r} excludes "
                f"{source.log_group!r} ({policy.get('selectionCriteria')})",
                exit_code=1,
            )
        return f"account subscription filter policy {policy.get('policyName')!r}"
    elsewhere = ", ".join(str(f.get("destinationArn")) for f in filters) or "nowhere"
    unknown = (
        " (the account-level subscription policies could not be read: logs:DescribeAccountPolicies denied)"
        if policies is None
        else ""
    )
    raise VerifyError(
        f"nothing forwards {source.log_group!r} to the archive: its subscription filters point "
        f"to {elsewhere}, and no account subscription filter policy targets "
        f"{destination or 'the archive'}{unknown}. Deploy the source stack (hop 1, the "
        f"subscription), then check: aws logs describe-subscription-filters "
        f"--log-group-name {source.log_group} --region {source.region}",
        exit_code=1,
    )


def send_test_event(
    logs: CloudWatchLogsClient, log_group: str, text: str, clock: Clock, token: str
) -> SentEvent:
    """Write one event containing ``token`` into a new stream of ``log_group``."""
    stream = f"log-archive-verify/{token}"
    message = f"{text} {token}"
    try:
        logs.create_log_stream(logGroupName=log_group, logStreamName=stream)
        sent_at = clock.now()
        result = logs.put_log_events(
            logGroupName=log_group,
            logStreamName=stream,
            logEvents=[{"timestamp": int(sent_at * 1000), "message": message}],
        )
    except (ClientError, BotoCoreError) as error:
        raise VerifyError(
            f"cannot write the test event into {log_group!r} ({_aws_error(error)}); the source "
            "credentials need logs:CreateLogStream and logs:PutLogEvents"
        ) from None
    rejected = result.get("rejectedLogEventsInfo")
    if rejected:
        raise VerifyError(f"CloudWatch Logs rejected the test event: {rejected}")
    return SentEvent(token=token, message=message, log_stream=stream, sent_at=sent_at)


def _objects(s3: S3Client, bucket: str, prefix: str) -> Iterator[tuple[str, float]]:
    """``(key, last-modified timestamp)`` of every object under ``prefix``."""
    try:
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
            for item in page.get("Contents", []):
                key, modified = item.get("Key"), item.get("LastModified")
                if key is not None and modified is not None:
                    yield key, modified.timestamp()
    except (ClientError, BotoCoreError) as error:
        reason = read_refusal(error)
        raise VerifyError(
            f"cannot list s3://{bucket}/{prefix} with the archive credentials "
            f"({_aws_error(error)}); "
            + (reason or "they need s3:ListBucket and s3:GetObject on the bucket and kms:Decrypt on its key")
        ) from None


def read_object(s3: S3Client, bucket: str, key: str) -> bytes:
    try:
        return s3.get_object(Bucket=bucket, Key=key)["Body"].read()
    except (ClientError, BotoCoreError) as error:
        reason = read_refusal(error)
        raise VerifyError(
            f"cannot read s3://{bucket}/{key} ({_aws_error(error)}); "
            + (reason or "the archive credentials need s3:GetObject and kms:Decrypt on the bucket's key")
        ) from None


READER_KEY = "log-archive:readerPrincipalArns"
ADD_READER = (
    f"add the --archive-profile's role ARN to {READER_KEY} of the archive stack and run "
    "`pulumi up` on it (without readers the key policy lets nobody decrypt, administrators included)"
)


def read_refusal(error: ClientError | BotoCoreError) -> str | None:
    """Which permission a refused list or read lacks, or ``None`` when it was no refusal.

    S3 answers a GetObject whose SSE-KMS key the caller may not use with ``AccessDenied`` (or a
    ``KMS.*`` code) whose message names ``kms:Decrypt``; a refusal by the bucket policy or IAM
    names an ``s3:`` action or nothing."""
    if not isinstance(error, ClientError):
        return None
    details = error.response.get("Error", {})
    code, message = details.get("Code", ""), details.get("Message", "")
    if code.startswith("KMS.") or (code == "AccessDenied" and "kms" in message.lower()):
        return (
            f"KMS DECRYPT DENIED: the archive credentials may not decrypt with the archive key; {ADD_READER}"
        )
    if code in ("AccessDenied", "403", "Forbidden"):
        return (
            "S3 ACCESS DENIED: the bucket policy grants s3:ListBucket/s3:GetObject only to the "
            f"principals in {READER_KEY} (their IAM policies must allow it too); {ADD_READER}"
        )
    return None


class DeliveryTimeout(Exception):
    """The event did not appear in time; carries what the poller saw."""

    def __init__(self, checked: int, undecodable: Mapping[str, str], prefixes: Sequence[str]):
        super().__init__(f"not delivered: {checked} object(s) checked")
        self.checked = checked
        self.undecodable = dict(undecodable)
        self.prefixes = list(prefixes)


def wait_for_event(
    s3: S3Client,
    *,
    target: ArchiveTarget,
    source: Source,
    sent: SentEvent,
    timeout: float,
    interval: float,
    clock: Clock,
    report: Callable[[str], None],
) -> Delivered:
    """Poll the bucket until an object holds ``sent.token``; raise ``DeliveryTimeout`` at the end."""
    deadline = sent.sent_at + timeout
    checked: set[str] = set()
    undecodable: dict[str, str] = {}
    while True:
        days = days_between(_utc(sent.sent_at), _utc(clock.now()))
        prefixes = [
            day_prefix(target.layout, target.log_prefix, source.account, source.log_group, day)
            for day in days
        ]
        for prefix in prefixes:
            for key, modified in _objects(s3, target.bucket, prefix):
                if key in checked or modified < sent.sent_at - CLOCK_SKEW_SECONDS:
                    continue
                checked.add(key)
                try:
                    event = find_event(read_object(s3, target.bucket, key), target.layout, sent.token)
                except DecodeError as error:
                    undecodable[key] = str(error)
                    report(f"  cannot decode s3://{target.bucket}/{key} as {target.layout}: {error}")
                    continue
                if event is not None:
                    return Delivered(key, event, clock.now() - sent.sent_at)
        now = clock.now()
        if now >= deadline:
            raise DeliveryTimeout(len(checked), undecodable, prefixes)
        where = ", ".join(f"s3://{target.bucket}/{prefix}" for prefix in prefixes)
        report(
            f"[{now - sent.sent_at:5.0f}s / {timeout:.0f}s] not there yet; "
            f"{len(checked)} new object(s) read under {where}"
        )
        clock.sleep(min(interval, deadline - now))


def recent_errors(s3: S3Client, bucket: str, since: float) -> list[str]:
    """Keys under ``errors/`` written since ``since`` (minus clock skew), newest first."""
    found = [
        (modified, key)
        for key, modified in _objects(s3, bucket, ERROR_ROOT)
        if modified >= since - CLOCK_SKEW_SECONDS
    ]
    return [key for _, key in sorted(found, reverse=True)]


def timeout_message(
    target: ArchiveTarget,
    *,
    source: Source,
    sent: SentEvent,
    timeout: float,
    seen: DeliveryTimeout,
    error_keys: Sequence[str],
    archive_profile: str | None,
) -> str:
    """What to inspect, hop by hop, when the event did not arrive."""
    src = f" --region {source.region}" + (f" --profile {source.profile}" if source.profile else "")
    dst = f" --profile {archive_profile}" if archive_profile else ""
    destination = target.destination_arns.get(source.region, "<destination for the region>")
    stream_arn = target.delivery_stream_arns.get(source.region, "")
    stream = stream_arn.rsplit("/", 1)[-1] if stream_arn else "<stream name>"
    stream_region = stream_arn.split(":")[3] if stream_arn else source.region
    lines = [
        f"NOT DELIVERED: the test event {sent.token} did not appear within {timeout:.0f} s "
        f"under {', '.join(f's3://{target.bucket}/{p}' for p in seen.prefixes)} "
        f"({seen.checked} new object(s) read).",
    ]
    if seen.undecodable:
        lines.append(
            f"{len(seen.undecodable)} object(s) could not be decoded as layout "
            f"{target.layout!r} (is --layout right?), e.g. {next(iter(seen.undecodable))}"
        )
    if error_keys:
        lines.append(
            f"Firehose wrote {len(error_keys)} object(s) under s3://{target.bucket}/{ERROR_ROOT} "
            "since the event was sent (the folder after errors/ names the failure), e.g.:"
        )
        lines += [f"  {key}" for key in error_keys[:SHOWN_ERROR_OBJECTS]]
    lines += [
        "Inspect each hop in order:",
        f"1. Subscription (source account {source.account}): is the filter there?",
        f"   aws logs describe-subscription-filters --log-group-name {source.log_group}{src}",
        "   Metrics AWS/Logs DeliveryErrors and DeliveryThrottling (dimension LogGroupName): "
        "throttled deliveries are retried for up to 24 hours, then dropped.",
        f"2. Destination (archive account, {source.region}): {destination}",
        f"   aws logs describe-destinations --region {source.region}{dst}",
        f"   Its access policy must allow account {source.account}; its role must trust "
        "logs.amazonaws.com and allow firehose:PutRecord/PutRecordBatch on the stream.",
        f"3. Firehose stream {stream} ({stream_region}): metrics AWS/Firehose "
        "DeliveryToS3.Success, DeliveryToS3.DataFreshness, OutputDecompressedRecords.Failed, "
        "PartitionCountExceeded, ThrottledRecords (dimension DeliveryStreamName), e.g.",
        "   aws cloudwatch get-metric-statistics --namespace AWS/Firehose --metric-name "
        f"DeliveryToS3.DataFreshness --dimensions Name=DeliveryStreamName,Value={stream} "
        "--statistics Maximum --period 300 --start-time <sent time> --end-time <now>"
        f" --region {stream_region}{dst}",
        "   The buffer interval delays every object: raise --timeout if it is long.",
        f"4. Bucket and KMS key: s3://{target.bucket}/{ERROR_ROOT} (Firehose keeps undeliverable "
        "data for 24 hours while it retries S3), metric KMSKeyAccessDenied, the bucket policy, "
        "and the stream's error log group.",
        f"The stream's alarms notify the SNS topic "
        f"{target.alarm_topic_arns.get(stream_region, 'of its region')} "
        f"(archive output {outputs.ALARM_TOPIC_ARNS}).",
    ]
    return "\n".join(lines)


def report_causes(
    target: ArchiveTarget,
    source: Source,
    sent: SentEvent,
    archive_session: boto3.Session,
    report: Callable[[str], None],
) -> None:
    """Which unverified fact (docs/security.md) failed, from Firehose's error log, and how to
    tell the third, which leaves no trace there."""
    stream_arn = target.delivery_stream_arns.get(source.region, "")
    stream_region = stream_arn.split(":")[3] if stream_arn else source.region
    group = target.pipeline_log_groups.get(stream_region)
    if group is not None:
        logs = archive_session.client("logs", region_name=stream_region)
        home = target.home_region or stream_region
        found = firehose_causes(logs, group, sent.sent_at, stream_region, home)
        report(
            f"Firehose's error log {group} ({stream_region}) since the event was sent: "
            + ("nothing" if not found else f"{len(found)} kind(s) of failure")
        )
        for line in found:
            report(f"  {line}")
    report(ROLE_TRUST_HINT)


def _utc(timestamp: float) -> datetime:
    return datetime.fromtimestamp(timestamp, UTC)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m tools.verify_delivery",
        description="Write a tagged test event into a source log group and wait for it in the "
        "archive bucket.",
    )
    parser.add_argument("--log-group", required=True, help="source log group to test")
    parser.add_argument("--region", help="source region (default: the source profile's)")
    parser.add_argument("--source-profile", help="AWS profile of the source account")
    parser.add_argument("--archive-profile", help="AWS profile of the archive account")
    parser.add_argument("--archive-region", help="region for S3 calls (default: the profile's)")
    parser.add_argument("--source-account", help="source account id (default: from sts get-caller-identity)")
    parser.add_argument(
        "--archive-outputs",
        type=Path,
        metavar="FILE",
        help="JSON of `pulumi stack output --json` for the archive stack",
    )
    parser.add_argument("--bucket", help="archive bucket (overrides bucketName)")
    parser.add_argument("--layout", choices=LAYOUTS, help="key layout (overrides layout)")
    parser.add_argument("--prefix", help="key prefix of log objects (overrides logPrefix)")
    parser.add_argument("--message", default=DEFAULT_MESSAGE, help="text before the token")
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT_SECONDS, metavar="SEC")
    parser.add_argument("--interval", type=float, default=DEFAULT_INTERVAL_SECONDS, metavar="SEC")
    return parser


SessionFactory = Callable[..., boto3.Session]


def open_session(
    factory: SessionFactory, profile: str | None, region: str | None, role: str
) -> boto3.Session:
    try:
        return factory(profile_name=profile, region_name=region)
    except BotoCoreError as error:  # e.g. an unknown profile: one line, exit 2 (tools.backfill etc.)
        raise VerifyError(f"no {role} credentials: {error}; check --{role}-profile") from None


def run(
    argv: Sequence[str],
    clock: Clock,
    session: SessionFactory,
    token: str,
    report: Callable[[str], None],
) -> int:
    """The command: returns the exit code; everything it says goes through ``report``."""
    args = _parser().parse_args(argv)
    stack_outputs = load_outputs(args.archive_outputs) if args.archive_outputs else None
    target = archive_target(stack_outputs, args.bucket, args.layout, args.prefix)
    source_session = open_session(session, args.source_profile, args.region, "source")
    region = args.region or source_session.region_name
    if not region:
        raise VerifyError("no source region: pass --region or set one in the source profile")
    if target.destination_arns and region not in target.destination_arns:
        raise VerifyError(
            f"the archive has no destination in {region} (it has "
            f"{', '.join(sorted(target.destination_arns))}): add {region} to "
            "log-archive:sourceRegions of the archive stack",
            exit_code=1,
        )
    try:
        account = args.source_account or source_session.client("sts").get_caller_identity()["Account"]
    except (ClientError, BotoCoreError) as error:
        raise VerifyError(f"no usable source credentials: {_aws_error(error)}") from None
    source = Source(account, region, args.log_group, args.source_profile)
    archive_session = open_session(session, args.archive_profile, args.archive_region, "archive")
    logs = source_session.client("logs", region_name=region)
    s3 = archive_session.client("s3")

    report(
        f"Checking {source.log_group!r} (account {account}, {region}) -> s3://{target.bucket}/ "
        f"(layout {target.layout})"
    )
    report("  forwarded by " + check_subscription(logs, source, target.destination_arns.get(region)))
    report(
        "  subscription changes "
        + change_trail(source_session.client("cloudtrail", region_name=region), region)
    )
    sent = send_test_event(logs, source.log_group, args.message, clock, token)
    report(
        f"  sent {sent.message!r} to stream {sent.log_stream!r} at "
        f"{_utc(sent.sent_at):%Y-%m-%d %H:%M:%S} UTC; waiting up to {args.timeout:.0f} s "
        "(Firehose buffers before it writes)"
    )
    try:
        delivered = wait_for_event(
            s3,
            target=target,
            source=source,
            sent=sent,
            timeout=args.timeout,
            interval=args.interval,
            clock=clock,
            report=report,
        )
    except DeliveryTimeout as seen:
        errors = recent_errors(s3, target.bucket, sent.sent_at)
        report(
            timeout_message(
                target,
                source=source,
                sent=sent,
                timeout=args.timeout,
                seen=seen,
                error_keys=errors,
                archive_profile=args.archive_profile,
            )
        )
        report_causes(target, source, sent, archive_session, report)
        return 1
    report(
        f"DELIVERED after {delivered.latency_seconds:.0f} s (measured at the poll that found it, "
        f"every {args.interval:.0f} s): s3://{target.bucket}/{delivered.key}"
    )
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    def report(line: str) -> None:
        print(line, flush=True)

    try:
        return run(
            sys.argv[1:] if argv is None else argv,
            Clock(),
            boto3.Session,
            uuid.uuid4().hex,
            report,
        )
    except VerifyError as error:
        print(f"error: {error}", file=sys.stderr)
        return error.exit_code


if __name__ == "__main__":
    sys.exit(main())
