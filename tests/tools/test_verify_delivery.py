"""The delivery check against moto: real objects in a moto bucket, the same-account subscription
-> Firehose -> S3 path, and every failure message. A fake clock replaces waiting."""

from __future__ import annotations

import gzip
import json
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any, Literal

import boto3
import pytest
from botocore.exceptions import ClientError
from botocore.stub import Stubber
from moto import mock_aws

from tests.tools.objects import (
    SOURCE_ACCOUNT,
    envelope,
    gzip_lines,
    partitioned_object,
    raw_object,
)
from tools.archive_format import MESSAGES, PARTITIONED, RAW, day_prefix, encode_log_group
from tools.delivery_causes import ROLE_TRUST_HINT, causes, classify
from tools.verify_delivery import (
    ArchiveTarget,
    Clock,
    Delivered,
    DeliveryTimeout,
    SentEvent,
    Source,
    VerifyError,
    archive_target,
    check_subscription,
    load_outputs,
    main,
    read_object,
    read_refusal,
    run,
    send_test_event,
    wait_for_event,
)

REGION = "ap-northeast-1"
BUCKET = "log-archive-222222222222"
LOG_GROUP = "/aws/lambda/checkout"
TOKEN = "0123456789abcdef0123456789abcdef"
DESTINATION = f"arn:aws:logs:{REGION}:222222222222:destination:log-archive-{REGION}"
TOPIC_ARN = f"arn:aws:sns:{REGION}:222222222222:log-archive-alarms-{REGION}"
STREAM_ARN = f"arn:aws:firehose:{REGION}:222222222222:deliverystream/log-archive-{REGION}"


@dataclass
class FakeClock:
    """Starts at the real time (CloudWatch Logs refuses old events); sleeping only advances it."""

    current: float = field(default_factory=time.time)
    slept: list[float] = field(default_factory=list[float])
    on_sleep: Callable[[], None] | None = None

    def now(self) -> float:
        return self.current

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.current += seconds
        if self.on_sleep is not None:
            self.on_sleep()

    def clock(self) -> Clock:
        return Clock(now=self.now, sleep=self.sleep)


@cache
def session() -> boto3.Session:
    """One session for every test: creating clients from it is much faster than afresh."""
    return boto3.Session(region_name=REGION)


@cache
def client(service: Literal["s3", "logs", "firehose"]) -> Any:
    return session().client(service)


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": REGION,
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    with mock_aws():
        client("s3").create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
        client("logs").create_log_group(logGroupName=LOG_GROUP)
        yield


def put(key: str, data: bytes) -> None:
    client("s3").put_object(Bucket=BUCKET, Key=key, Body=data)


def today() -> str:
    return datetime.now(UTC).date().isoformat()


def sent_messages() -> list[str]:
    """Messages the check wrote into the log group, read back from moto."""
    found = client("logs").filter_log_events(logGroupName=LOG_GROUP)
    return [event.get("message", "") for event in found["events"]]


def subscribe_to_firehose(prefix: str) -> str:
    """The same-account path moto implements: log group -> Firehose -> S3 (no processing)."""
    stream = client("firehose").create_delivery_stream(
        DeliveryStreamName="archive",
        ExtendedS3DestinationConfiguration={
            "RoleARN": f"arn:aws:iam::{SOURCE_ACCOUNT}:role/firehose",
            "BucketARN": f"arn:aws:s3:::{BUCKET}",
            "Prefix": prefix,
        },
    )["DeliveryStreamARN"]
    client("logs").put_subscription_filter(
        logGroupName=LOG_GROUP,
        filterName="log-archive",
        filterPattern="",
        destinationArn=stream,
    )
    return stream


def outputs_file(tmp_path: Path, **overrides: Any) -> Path:
    document: dict[str, Any] = {
        "bucketName": BUCKET,
        "layout": PARTITIONED,
        "logPrefix": "logs/",
        "destinationArns": {REGION: DESTINATION},
        "deliveryStreamArns": {REGION: STREAM_ARN},
        "alarmTopicArns": {REGION: TOPIC_ARN},
    }
    document.update(overrides)
    path = tmp_path / "archive-outputs.json"
    path.write_text(json.dumps(document))
    return path


@dataclass
class Sessions:
    """A session factory that records the profiles asked for (moto has no profiles)."""

    profiles: list[str | None] = field(default_factory=list[str | None])

    def __call__(self, profile_name: str | None, region_name: str | None) -> boto3.Session:
        self.profiles.append(profile_name)
        assert region_name in {REGION, None}
        return session()


def check(argv: list[str], clock: FakeClock, sessions: Sessions | None = None) -> tuple[int, list[str]]:
    lines: list[str] = []
    code = run(
        ["--log-group", LOG_GROUP, "--region", REGION, *argv],
        clock.clock(),
        sessions or Sessions(),
        TOKEN,
        lines.append,
    )
    return code, lines


# The same-account path that moto runs end to end.


@pytest.mark.parametrize(
    ("layout", "firehose_prefix", "expected_key_start"),
    [
        pytest.param(RAW, "delivery-test/", "delivery-test/", id="reference-guide-raw-layout"),
        pytest.param(
            PARTITIONED,
            f"logs/account={SOURCE_ACCOUNT}/log_group={encode_log_group(LOG_GROUP)}/dt={today()}/",
            f"logs/account={SOURCE_ACCOUNT}/log_group=%2Faws%2Flambda%2Fcheckout/dt=",
            id="partitioned-keys-holding-raw-envelopes",
        ),
    ],
)
def test_event_sent_through_moto_subscription_and_firehose_is_found_at_the_first_poll(
    aws: None, layout: str, firehose_prefix: str, expected_key_start: str
) -> None:
    subscribe_to_firehose(firehose_prefix)
    clock = FakeClock()
    prefix = firehose_prefix if layout == RAW else "logs/"
    code, lines = check(["--bucket", BUCKET, "--layout", layout, "--prefix", prefix], clock)
    assert code == 0
    assert clock.slept == []
    assert lines[1] == (
        f"  forwarded by subscription filter 'log-archive' -> "
        f"arn:aws:firehose:{REGION}:{SOURCE_ACCOUNT}:deliverystream/archive"
    )
    assert lines[-1].startswith(
        f"DELIVERED after 0 s (measured at the poll that found it, every 15 s): s3://{BUCKET}/{expected_key_start}"
    )


def test_moto_firehose_stores_the_gzip_envelope_unprocessed_under_its_time_prefix(
    aws: None,
) -> None:
    subscribe_to_firehose("delivery-test/")
    code, _ = check(["--bucket", BUCKET, "--layout", RAW, "--prefix", "delivery-test/"], FakeClock())
    s3 = client("s3")
    [key] = [item.get("Key", "") for item in s3.list_objects_v2(Bucket=BUCKET)["Contents"]]
    body = s3.get_object(Bucket=BUCKET, Key=key)["Body"].read()
    assert code == 0
    assert key.startswith("delivery-test/" + datetime.now(UTC).strftime("%Y/%m/%d/"))
    assert body[:2] == b"\x1f\x8b"
    assert json.loads(gzip.decompress(body))["logGroup"] == LOG_GROUP


# Polling and decoding real objects that a simulated Firehose writes while the check sleeps.

SENT_MESSAGE = f"log-archive delivery check {TOKEN}"


def source() -> Source:
    return Source(SOURCE_ACCOUNT, REGION, LOG_GROUP)


def sent_at(clock: FakeClock) -> SentEvent:
    return SentEvent(TOKEN, SENT_MESSAGE, f"log-archive-verify/{TOKEN}", clock.now())


def deliver_at_sleep(number: int, key: str, data: bytes) -> Callable[[], None]:
    """An ``on_sleep`` hook that writes ``data`` at ``key`` during the given sleep."""
    calls: list[None] = []

    def hook() -> None:
        calls.append(None)
        if len(calls) == number:
            put(key, data)

    return hook


def wait(layout: str, clock: FakeClock, lines: list[str], timeout: float = 900.0) -> Delivered:
    return wait_for_event(
        client("s3"),
        target=ArchiveTarget(BUCKET, layout, "logs/"),
        source=source(),
        sent=sent_at(clock),
        timeout=timeout,
        interval=15.0,
        clock=clock.clock(),
        report=lines.append,
    )


@pytest.mark.parametrize(
    ("layout", "key", "data"),
    [
        pytest.param(
            PARTITIONED,
            f"logs/account={SOURCE_ACCOUNT}/log_group=%2Faws%2Flambda%2Fcheckout/dt={today()}/o.gz",
            partitioned_object([envelope(LOG_GROUP, ["other", SENT_MESSAGE])]),
            id="partitioned-envelopes",
        ),
        pytest.param(
            MESSAGES,
            f"logs/dt={today()}/o.gz",
            gzip_lines(["noise", SENT_MESSAGE]),
            id="messages",
        ),
        pytest.param(
            RAW,
            f"logs/{datetime.now(UTC):%Y/%m/%d/%H}/o",
            raw_object([envelope(LOG_GROUP, ["noise"]), envelope(LOG_GROUP, [SENT_MESSAGE])]),
            id="raw-concatenated-gzip-envelopes",
        ),
    ],
)
def test_event_written_during_the_second_wait_is_found_at_the_third_poll(
    aws: None, layout: str, key: str, data: bytes
) -> None:
    clock = FakeClock()
    clock.on_sleep = deliver_at_sleep(2, key, data)
    prefix = day_prefix(
        layout, "logs/", SOURCE_ACCOUNT, LOG_GROUP, datetime.fromtimestamp(clock.current, UTC).date()
    )
    lines: list[str] = []
    delivered = wait(layout, clock, lines)
    assert (delivered.key, delivered.event.message, delivered.latency_seconds) == (
        key,
        SENT_MESSAGE,
        30.0,
    )
    assert clock.slept == [15.0, 15.0]
    assert lines == [
        f"[{elapsed:5d}s / 900s] not there yet; 0 new object(s) read under s3://{BUCKET}/{prefix}"
        for elapsed in (0, 15)
    ]


def test_each_object_is_read_once_and_other_objects_do_not_match(aws: None) -> None:
    key = f"logs/dt={today()}/"
    put(key + "a.gz", gzip_lines(["unrelated"]))
    clock = FakeClock()
    clock.on_sleep = deliver_at_sleep(1, key + "b.gz", gzip_lines([SENT_MESSAGE]))
    lines: list[str] = []
    delivered = wait(MESSAGES, clock, lines)
    assert delivered.key == key + "b.gz"
    assert "; 1 new object(s) read under" in lines[0]


def test_envelope_fields_of_the_found_event_are_kept(aws: None) -> None:
    key = f"logs/account={SOURCE_ACCOUNT}/log_group=%2Faws%2Flambda%2Fcheckout/dt={today()}/o.gz"
    put(key, partitioned_object([envelope(LOG_GROUP, [SENT_MESSAGE], log_stream="s-9")]))
    delivered = wait(PARTITIONED, FakeClock(), [])
    assert (delivered.event.owner, delivered.event.log_group, delivered.event.log_stream) == (
        SOURCE_ACCOUNT,
        LOG_GROUP,
        "s-9",
    )


def test_objects_written_long_before_the_event_was_sent_are_not_read(aws: None) -> None:
    put(f"logs/dt={today()}/old.gz", gzip_lines([SENT_MESSAGE]))
    with pytest.raises(DeliveryTimeout) as raised:
        wait(MESSAGES, FakeClock(current=time.time() + 3600), [], timeout=30)
    assert raised.value.checked == 0


def test_the_wait_ends_at_the_timeout_without_real_sleeping(aws: None) -> None:
    clock = FakeClock()
    started = time.monotonic()
    with pytest.raises(DeliveryTimeout) as raised:
        wait(MESSAGES, clock, [], timeout=40)
    assert clock.slept == [15.0, 15.0, 10.0]
    assert raised.value.checked == 0
    assert time.monotonic() - started < 2


def test_undecodable_objects_are_reported_and_the_wait_goes_on(aws: None) -> None:
    key = f"logs/account={SOURCE_ACCOUNT}/log_group=%2Faws%2Flambda%2Fcheckout/dt={today()}/x.gz"
    put(key, gzip_lines(["plain text, not an envelope"]))
    lines: list[str] = []
    with pytest.raises(DeliveryTimeout) as raised:
        wait(PARTITIONED, FakeClock(), lines, timeout=15)
    assert raised.value.undecodable == {
        key: "not a CloudWatch Logs envelope: Expecting value: line 1 column 1 (char 0)"
    }
    assert lines[0] == (
        f"  cannot decode s3://{BUCKET}/{key} as partitioned: "
        "not a CloudWatch Logs envelope: Expecting value: line 1 column 1 (char 0)"
    )
    assert len(lines) == 2


# The whole command: success, and every failure message.


def test_timeout_names_every_hop_with_commands_and_lists_recent_error_objects(
    aws: None, tmp_path: Path
) -> None:
    subscribe_to_firehose("elsewhere/")
    error_key = f"errors/decompression-failed/dt={today()}/failed-1"
    put(error_key, b"{}")
    clock = FakeClock()
    sessions = Sessions()
    code, lines = check(
        [
            "--archive-outputs",
            str(outputs_file(tmp_path, destinationArns={})),
            "--source-profile",
            "workload-a",
            "--archive-profile",
            "log-archive",
            "--timeout",
            "60",
        ],
        clock,
        sessions,
    )
    prefix = f"logs/account={SOURCE_ACCOUNT}/log_group=%2Faws%2Flambda%2Fcheckout/dt={today()}/"
    assert code == 1
    assert sessions.profiles == ["workload-a", "log-archive"]
    assert clock.slept == [15.0, 15.0, 15.0, 15.0]
    assert lines[-1] == ROLE_TRUST_HINT
    assert lines[-2].split("\n") == [
        f"NOT DELIVERED: the test event {TOKEN} did not appear within 60 s under "
        f"s3://{BUCKET}/{prefix} (0 new object(s) read).",
        f"Firehose wrote 1 object(s) under s3://{BUCKET}/errors/ since the event was sent "
        "(the folder after errors/ names the failure), e.g.:",
        f"  {error_key}",
        "Inspect each hop in order:",
        f"1. Subscription (source account {SOURCE_ACCOUNT}): is the filter there?",
        f"   aws logs describe-subscription-filters --log-group-name {LOG_GROUP} "
        f"--region {REGION} --profile workload-a",
        "   Metrics AWS/Logs DeliveryErrors and DeliveryThrottling (dimension LogGroupName): "
        "throttled deliveries are retried for up to 24 hours, then dropped.",
        f"2. Destination (archive account, {REGION}): <destination for the region>",
        f"   aws logs describe-destinations --region {REGION} --profile log-archive",
        f"   Its access policy must allow account {SOURCE_ACCOUNT}; its role must trust "
        "logs.amazonaws.com and allow firehose:PutRecord/PutRecordBatch on the stream.",
        f"3. Firehose stream log-archive-{REGION} ({REGION}): metrics AWS/Firehose "
        "DeliveryToS3.Success, DeliveryToS3.DataFreshness, OutputDecompressedRecords.Failed, "
        "PartitionCountExceeded, ThrottledRecords (dimension DeliveryStreamName), e.g.",
        "   aws cloudwatch get-metric-statistics --namespace AWS/Firehose --metric-name "
        f"DeliveryToS3.DataFreshness --dimensions Name=DeliveryStreamName,Value=log-archive-{REGION} "
        "--statistics Maximum --period 300 --start-time <sent time> --end-time <now> "
        f"--region {REGION} --profile log-archive",
        "   The buffer interval delays every object: raise --timeout if it is long.",
        f"4. Bucket and KMS key: s3://{BUCKET}/errors/ (Firehose keeps undeliverable data for 24 "
        "hours while it retries S3), metric KMSKeyAccessDenied, the bucket policy, and the "
        "stream's error log group.",
        f"The stream's alarms notify the SNS topic {TOPIC_ARN} (archive output alarmTopicArns).",
    ]


def test_run_reports_each_step_before_the_result(aws: None) -> None:
    subscribe_to_firehose("logs/")
    code, lines = check(["--bucket", BUCKET, "--layout", RAW, "--prefix", "logs/"], FakeClock())
    assert code == 0
    assert lines[0] == (
        f"Checking '{LOG_GROUP}' (account {SOURCE_ACCOUNT}, {REGION}) -> s3://{BUCKET}/ (layout raw)"
    )
    assert lines[2].startswith("  subscription changes NOT RECORDED: no trail logs management write events")
    assert lines[3].startswith(
        f"  sent 'log-archive delivery check {TOKEN}' to stream 'log-archive-verify/{TOKEN}' at "
    )
    assert sent_messages() == [f"log-archive delivery check {TOKEN}"]


def test_a_region_without_archive_destination_stops_before_sending(aws: None, tmp_path: Path) -> None:
    outputs = outputs_file(tmp_path, destinationArns={"us-east-1": DESTINATION})
    with pytest.raises(VerifyError) as raised:
        check(["--archive-outputs", str(outputs)], FakeClock())
    assert (str(raised.value), raised.value.exit_code) == (
        f"the archive has no destination in {REGION} (it has us-east-1): add {REGION} to "
        "log-archive:sourceRegions of the archive stack",
        1,
    )
    assert sent_messages() == []


def test_a_missing_log_group_is_a_setup_error(aws: None) -> None:
    with pytest.raises(VerifyError) as raised:
        check(["--bucket", BUCKET, "--log-group", "/no/such/group"], FakeClock())
    assert (str(raised.value), raised.value.exit_code) == (
        f"log group '/no/such/group' does not exist in account {SOURCE_ACCOUNT}, region "
        f"{REGION}: check --log-group, --region and --source-profile",
        2,
    )


def test_a_bucket_the_archive_credentials_cannot_list_is_a_setup_error(aws: None) -> None:
    subscribe_to_firehose("logs/")
    with pytest.raises(VerifyError) as raised:
        check(["--bucket", "no-such-bucket", "--layout", MESSAGES], FakeClock())
    assert str(raised.value) == (
        f"cannot list s3://no-such-bucket/logs/dt={today()}/ with the archive credentials "
        "(NoSuchBucket: The specified bucket does not exist); they need s3:ListBucket and "
        "s3:GetObject on the bucket and kms:Decrypt on its key"
    )


def test_main_prints_setup_errors_to_stderr_and_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = tmp_path / "outputs.json"
    broken.write_text("Current stack outputs (3):")
    code = main(["--log-group", LOG_GROUP, "--archive-outputs", str(broken)])
    assert code == 2
    assert capsys.readouterr().err == (
        f"error: {broken} is not JSON (Expecting value: line 1 column 1 (char 0)); create it "
        f"with `pulumi stack output --json --stack <archive stack> > {broken}`\n"
    )


# Reading the archive stack's outputs.


def test_outputs_give_bucket_layout_prefix_and_regional_arns(tmp_path: Path) -> None:
    target = archive_target(load_outputs(outputs_file(tmp_path, layout=MESSAGES)))
    assert target == ArchiveTarget(
        BUCKET, MESSAGES, "logs/", {REGION: DESTINATION}, {REGION: STREAM_ARN}, {REGION: TOPIC_ARN}
    )


def test_flags_override_the_outputs(tmp_path: Path) -> None:
    target = archive_target(load_outputs(outputs_file(tmp_path)), "other", RAW, "guide/")
    assert (target.bucket, target.layout, target.log_prefix) == ("other", RAW, "guide/")


def test_flags_alone_default_to_the_partitioned_layout_under_logs() -> None:
    assert archive_target(None, bucket=BUCKET) == ArchiveTarget(BUCKET, PARTITIONED, "logs/")


@pytest.mark.parametrize(
    ("document", "message"),
    [
        pytest.param(
            {}, "no bucket: pass --archive-outputs (with a bucketName output) or --bucket", id="no-bucket"
        ),
        pytest.param(
            {"bucketName": "b", "layout": "flat"},
            "unknown layout 'flat'; expected one of partitioned, messages, raw",
            id="unknown-layout",
        ),
        pytest.param(
            {"bucketName": "b", "destinationArns": ["arn"]},
            "stack output destinationArns must be a map of region -> ARN, got ['arn']",
            id="arns-not-a-map",
        ),
    ],
)
def test_unusable_outputs_are_rejected(document: dict[str, Any], message: str) -> None:
    with pytest.raises(VerifyError, match="^" + re.escape(message) + "$"):
        archive_target(document)


def test_a_missing_outputs_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(VerifyError, match=r"cannot read .*missing.json: No such file or directory"):
        load_outputs(tmp_path / "missing.json")


def test_outputs_that_are_not_an_object_are_rejected(tmp_path: Path) -> None:
    path = tmp_path / "outputs.json"
    path.write_text("[]")
    with pytest.raises(VerifyError, match="must hold a JSON object of stack outputs"):
        load_outputs(path)


# What forwards the log group: answers of CloudWatch Logs, stubbed (moto cannot create a
# cross-account destination filter, nor answer DescribeAccountPolicies).


def stubbed_check(
    filters: list[dict[str, Any]],
    policies: list[dict[str, Any]] | None = None,
    destination: str | None = DESTINATION,
) -> str:
    logs = session().client("logs", aws_access_key_id="x", aws_secret_access_key="x")
    with Stubber(logs) as stubber:
        stubber.add_response(
            "describe_subscription_filters",
            {"subscriptionFilters": filters},
            {"logGroupName": LOG_GROUP},
        )
        if policies is None:
            stubber.add_client_error("describe_account_policies", "AccessDeniedException")
        else:
            stubber.add_response("describe_account_policies", {"accountPolicies": policies})
        return check_subscription(logs, source(), destination)


def subscription_filter(destination: str, pattern: str = "") -> dict[str, Any]:
    return {"filterName": "log-archive", "filterPattern": pattern, "destinationArn": destination}


def account_policy(destination: str, selection: str = "") -> dict[str, Any]:
    policy: dict[str, Any] = {
        "policyName": "log-archive",
        "policyDocument": json.dumps({"DestinationArn": destination, "FilterPattern": ""}),
        "policyType": "SUBSCRIPTION_FILTER_POLICY",
    }
    if selection:
        policy["selectionCriteria"] = selection
    return policy


def test_a_filter_to_the_archive_destination_forwards() -> None:
    assert stubbed_check([subscription_filter(DESTINATION)]) == (
        f"subscription filter 'log-archive' -> {DESTINATION}"
    )


def test_a_filter_pattern_comes_with_a_note_about_the_test_message() -> None:
    assert stubbed_check([subscription_filter(DESTINATION, "ERROR")]) == (
        f"subscription filter 'log-archive' -> {DESTINATION}\n"
        "  note: its filter pattern 'ERROR' must match the test message; pass --message with "
        "text it matches"
    )


def test_an_account_policy_to_the_archive_destination_forwards() -> None:
    assert stubbed_check([], [account_policy(DESTINATION)]) == (
        "account subscription filter policy 'log-archive'"
    )


def test_an_account_policy_that_excludes_the_log_group_is_a_delivery_problem() -> None:
    selection = f'LogGroupName NOT IN ["{LOG_GROUP}"]'
    with pytest.raises(VerifyError) as raised:
        stubbed_check([], [account_policy(DESTINATION, selection)])
    assert (str(raised.value), raised.value.exit_code) == (
        f"the account subscription policy 'log-archive' excludes '{LOG_GROUP}' ({selection})",
        1,
    )


def test_filters_to_other_destinations_and_no_policy_name_hop_one() -> None:
    other = "arn:aws:lambda:ap-northeast-1:123456789012:function:shipper"
    with pytest.raises(VerifyError) as raised:
        stubbed_check([subscription_filter(other)], [account_policy(other)])
    assert (str(raised.value), raised.value.exit_code) == (
        f"nothing forwards '{LOG_GROUP}' to the archive: its subscription filters point to "
        f"{other}, and no account subscription filter policy targets {DESTINATION}. Deploy "
        "the source stack (hop 1, the subscription), then check: aws logs "
        f"describe-subscription-filters --log-group-name {LOG_GROUP} --region {REGION}",
        1,
    )


def test_unreadable_account_policies_are_mentioned_when_nothing_else_forwards() -> None:
    with pytest.raises(
        VerifyError,
        match=r"to nowhere, .* \(the account-level subscription "
        r"policies could not be read: logs:DescribeAccountPolicies denied\)",
    ):
        stubbed_check([], None)


def test_without_a_known_destination_any_filter_counts() -> None:
    other = "arn:aws:firehose:ap-northeast-1:123456789012:deliverystream/archive"
    assert stubbed_check([subscription_filter(other)], destination=None) == (
        f"subscription filter 'log-archive' -> {other}"
    )


def test_an_unknown_profile_is_a_setup_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "credentials"))
    lines: list[str] = []
    with pytest.raises(VerifyError) as raised:
        run(
            ["--log-group", LOG_GROUP, "--bucket", BUCKET, "--source-profile", "workload-a"],
            FakeClock().clock(),
            boto3.Session,
            TOKEN,
            lines.append,
        )
    assert (str(raised.value), raised.value.exit_code) == (
        "no source credentials: The config profile (workload-a) could not be found; check --source-profile",
        2,
    )


def test_no_region_anywhere_is_a_setup_error(aws: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWS_DEFAULT_REGION")
    with pytest.raises(
        VerifyError, match=r"^no source region: pass --region or set one in the source profile$"
    ):
        run(
            ["--log-group", LOG_GROUP, "--bucket", BUCKET],
            FakeClock().clock(),
            boto3.Session,
            TOKEN,
            list[str]().append,
        )


def test_a_test_event_that_cannot_be_written_names_the_permissions(aws: None) -> None:
    send_test_event(client("logs"), LOG_GROUP, "check", FakeClock().clock(), TOKEN)
    expected = (
        rf"^cannot write the test event into '{LOG_GROUP}' \(ResourceAlreadyExistsException: .+\); "
        r"the source credentials need logs:CreateLogStream and logs:PutLogEvents$"
    )
    with pytest.raises(VerifyError, match=expected):
        send_test_event(client("logs"), LOG_GROUP, "check", FakeClock().clock(), TOKEN)


def test_a_rejected_test_event_is_reported() -> None:
    logs = session().client("logs", aws_access_key_id="x", aws_secret_access_key="x")
    with Stubber(logs) as stubber:
        stubber.add_response("create_log_stream", {})
        stubber.add_response("put_log_events", {"rejectedLogEventsInfo": {"tooOldLogEventEndIndex": 1}})
        with pytest.raises(VerifyError) as raised:
            send_test_event(logs, LOG_GROUP, "check", FakeClock().clock(), TOKEN)
    assert str(raised.value) == ("CloudWatch Logs rejected the test event: {'tooOldLogEventEndIndex': 1}")


def test_subscription_filters_the_source_credentials_cannot_read_are_a_setup_error() -> None:
    logs = session().client("logs", aws_access_key_id="x", aws_secret_access_key="x")
    with Stubber(logs) as stubber:
        stubber.add_client_error("describe_subscription_filters", "AccessDeniedException", "not authorized")
        with pytest.raises(VerifyError) as raised:
            check_subscription(logs, source(), DESTINATION)
    assert (str(raised.value), raised.value.exit_code) == (
        f"cannot read the subscription filters of '{LOG_GROUP}' with the source credentials "
        "(AccessDeniedException: not authorized); they need logs:DescribeSubscriptionFilters",
        2,
    )


# Why a read was refused: the message names the missing permission and the setting that grants it.


def client_error(code: str, message: str) -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": message}}, "GetObject")


def test_a_kms_refusal_names_decrypt_and_the_reader_setting() -> None:
    error = client_error(
        "AccessDenied",
        "User: arn:aws:sts::222222222222:assumed-role/admin/x is not authorized to perform: kms:Decrypt",
    )
    assert read_refusal(error) == (
        "KMS DECRYPT DENIED: the archive credentials may not decrypt with the archive key; add the "
        "--archive-profile's role ARN to log-archive:readerPrincipalArns of the archive stack and run "
        "`pulumi up` on it (without readers the key policy lets nobody decrypt, administrators included)"
    )


def test_a_kms_error_code_is_a_kms_refusal() -> None:
    assert (read_refusal(client_error("KMS.DisabledException", "key disabled")) or "").startswith(
        "KMS DECRYPT DENIED"
    )


def test_an_s3_refusal_names_the_bucket_policy_and_the_reader_setting() -> None:
    refusal = read_refusal(client_error("AccessDenied", "Access Denied"))
    assert refusal is not None
    assert refusal.startswith(
        "S3 ACCESS DENIED: the bucket policy grants s3:ListBucket/s3:GetObject only to the principals "
        "in log-archive:readerPrincipalArns"
    )


def test_other_errors_are_no_refusal() -> None:
    assert read_refusal(client_error("NoSuchBucket", "The specified bucket does not exist")) is None


def test_a_read_refused_for_kms_stops_with_the_reader_setting(aws: None) -> None:
    s3 = session().client("s3")
    with Stubber(s3) as stubber:
        stubber.add_client_error("get_object", "AccessDenied", "not authorized to perform: kms:Decrypt")
        with pytest.raises(VerifyError) as raised:
            read_object(s3, BUCKET, "logs/x.gz")
    assert str(raised.value).startswith(
        f"cannot read s3://{BUCKET}/logs/x.gz (AccessDenied: not authorized to perform: kms:Decrypt); "
        "KMS DECRYPT DENIED"
    )


# Which unverified fact failed: Firehose's error log, classified.

CHECKSUM_MESSAGE = (
    "Content-MD5 OR x-amz-checksum- HTTP header is required "
    "for Put Object requests with Object Lock parameters"
)


def firehose_error(code: str, message: str) -> str:
    return json.dumps(
        {"deliveryStreamARN": STREAM_ARN, "destination": BUCKET, "message": message, "errorCode": code}
    )


def test_a_missing_checksum_is_the_object_lock_fact() -> None:
    assert classify("S3.InvalidRequest", CHECKSUM_MESSAGE, REGION, REGION) == (
        f"OBJECT LOCK CHECKSUM: S3 refused Firehose's upload without a checksum header (S3.InvalidRequest: "
        f"{CHECKSUM_MESSAGE}); Firehose cannot write into a bucket with a default retention "
        "(docs/security.md, unverified fact 1)"
    )


def test_a_redirect_from_another_region_is_the_cross_region_fact() -> None:
    line = classify(
        "S3.PermanentRedirect",
        "The bucket must be addressed using the specified endpoint",
        "us-east-1",
        REGION,
    )
    assert line.startswith(
        f"CROSS-REGION DELIVERY: the stream in us-east-1 could not write to the bucket in {REGION}"
    )


def test_other_errors_are_reported_as_they_are_and_each_kind_once() -> None:
    records = [
        firehose_error("S3.AccessDenied", "Access Denied"),
        firehose_error("S3.AccessDenied", "Access Denied"),
    ]
    assert causes([*records, "not json"], REGION, REGION) == [
        "S3.AccessDenied: Access Denied",
        "Unknown: not json",
    ]


def test_a_kms_error_is_named_kms() -> None:
    assert classify("S3.KMS.AccessDeniedException", "denied", REGION, REGION).startswith("KMS: ")


def test_the_timeout_reads_firehoses_error_log_and_names_the_failed_fact(aws: None, tmp_path: Path) -> None:
    subscribe_to_firehose("elsewhere/")
    group = f"/aws/kinesisfirehose/log-archive-{REGION}"
    logs = session().client("logs")
    logs.create_log_group(logGroupName=group)
    logs.create_log_stream(logGroupName=group, logStreamName="DestinationDelivery")
    clock = FakeClock()
    logs.put_log_events(
        logGroupName=group,
        logStreamName="DestinationDelivery",
        logEvents=[
            {
                "timestamp": int((clock.now() + 1) * 1000),
                "message": firehose_error("S3.InvalidRequest", CHECKSUM_MESSAGE),
            }
        ],
    )
    code, lines = check(
        [
            "--archive-outputs",
            str(outputs_file(tmp_path, destinationArns={}, pipelineLogGroups={REGION: [group]})),
            "--timeout",
            "30",
        ],
        clock,
    )
    assert code == 1
    assert lines[-3:] == [
        f"Firehose's error log {group} ({REGION}) since the event was sent: 1 kind(s) of failure",
        "  " + classify("S3.InvalidRequest", CHECKSUM_MESSAGE, REGION, REGION),
        ROLE_TRUST_HINT,
    ]
