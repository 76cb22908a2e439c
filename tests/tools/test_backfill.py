"""The backfill against moto: real export tasks into a moto bucket; a wrapper around the logs
client injects what moto does not do (tasks that stay RUNNING, the one-active-task limit,
throttling), raising the ClientErrors AWS raises."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from tests.tools.moto_env import fake_credentials
from tests.tools.objects import SOURCE_ACCOUNT
from tests.tools.test_verify_delivery import FakeClock
from tools.backfill import Unit, main, parse_time, plan_units, run

REGION = "ap-northeast-1"
BUCKET = "log-archive-222222222222"
GROUPS = ["/aws/lambda/checkout", "/app/web"]
TODAY = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
START = TODAY - timedelta(days=2)


class FlakyLogs:
    """The moto logs client, with scripted errors and task statuses in front of it."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.create_errors: list[str] = []
        self.running_polls = 0
        self.created: list[dict[str, Any]] = []

    def __getattr__(self, name: str) -> Any:
        return getattr(self.client, name)

    def create_export_task(self, **kwargs: Any) -> Any:
        if self.create_errors:
            code = self.create_errors.pop(0)
            raise ClientError({"Error": {"Code": code, "Message": "injected"}}, "CreateExportTask")
        self.created.append(kwargs)
        return self.client.create_export_task(**kwargs)

    def describe_export_tasks(self, **kwargs: Any) -> Any:
        found = self.client.describe_export_tasks(**kwargs)
        if "taskId" in kwargs and self.running_polls:
            self.running_polls -= 1
            found["exportTasks"][0]["status"] = {"code": "RUNNING"}
        return found


class Sessions:
    """boto3.Session stand-in whose logs client is the FlakyLogs wrapper."""

    def __init__(self) -> None:
        self.logs = FlakyLogs(boto3.client("logs", region_name=REGION))

    def __call__(self, profile_name: str | None = None, region_name: str | None = None) -> Any:
        sessions = self

        class _Session:
            region_name = REGION

            def client(self, service: str, region_name: str | None = None) -> Any:
                if service == "logs":
                    return sessions.logs
                return boto3.client("s3" if service == "s3" else "sts", region_name=REGION)

        return _Session()


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    fake_credentials(monkeypatch, REGION)
    with mock_aws():
        s3 = boto3.client("s3", region_name=REGION)
        s3.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
        logs = boto3.client("logs", region_name=REGION)
        for group in GROUPS:
            logs.create_log_group(logGroupName=group)
            logs.create_log_stream(logGroupName=group, logStreamName="s1")
            logs.put_log_events(
                logGroupName=group,
                logStreamName="s1",
                logEvents=[
                    {"timestamp": int((START + timedelta(hours=h)).timestamp() * 1000), "message": f"m{h}"}
                    for h in (1, 25)
                ],
            )
        yield


def args(tmp_path: Path, *extra: str) -> list[str]:
    return [
        "--bucket", BUCKET, "--region", REGION, "--start", START.isoformat(),
        "--end", (START + timedelta(days=2)).isoformat(), "--state", str(tmp_path / "state.json"),
        "--archive-profile", "archive", *extra,
    ]  # fmt: skip


def keys(prefix: str) -> list[str]:
    found = boto3.client("s3", region_name=REGION).list_objects_v2(Bucket=BUCKET, Prefix=prefix)
    return sorted(item.get("Key", "") for item in found.get("Contents", []))


def test_units_are_utc_days_clipped_to_the_window() -> None:
    units = plan_units(["/g"], parse_time("2026-11-27T22:00Z"), parse_time("2026-11-28T01:00"))
    assert [(u.day.isoformat(), u.start_ms, u.end_ms) for u in units] == [
        ("2026-11-27", 1_795_816_800_000, 1_795_823_999_999),
        ("2026-11-28", 1_795_824_000_000, 1_795_827_599_999),
    ]
    assert units[0].prefix("111111111111") == "backfill/account=111111111111/log_group=%2Fg/dt=2026-11-27"


def test_every_log_group_day_is_exported_under_its_event_date(aws: None, tmp_path: Path) -> None:
    sessions, lines = Sessions(), list[str]()
    code, summary = run(args(tmp_path, "--all"), FakeClock().clock(), sessions, lines.append)
    assert (code, summary["tasks"], summary["exported"], summary["failed"]) == (0, 4, 4, [])
    day1, day2 = START.date().isoformat(), (START + timedelta(days=1)).date().isoformat()
    exported = [k for k in keys("backfill/") if k.endswith("000000.gz")]
    assert [k.split("/")[1:4] for k in exported] == [
        [f"account={SOURCE_ACCOUNT}", "log_group=%2Fapp%2Fweb", f"dt={day1}"],
        [f"account={SOURCE_ACCOUNT}", "log_group=%2Fapp%2Fweb", f"dt={day2}"],
        [f"account={SOURCE_ACCOUNT}", "log_group=%2Faws%2Flambda%2Fcheckout", f"dt={day1}"],
        [f"account={SOURCE_ACCOUNT}", "log_group=%2Faws%2Flambda%2Fcheckout", f"dt={day2}"],
    ]
    assert lines[-1].startswith("  [4/4 log-group days, 2/2 log groups, ")
    assert lines[-1].endswith(", done]")


def test_a_rerun_skips_what_is_done(aws: None, tmp_path: Path) -> None:
    sessions = Sessions()
    run(args(tmp_path, "--log-group", GROUPS[0]), FakeClock().clock(), sessions, lambda _: None)
    code, summary = run(
        args(tmp_path, "--log-group", GROUPS[0]), FakeClock().clock(), sessions, lambda _: None
    )
    assert (code, summary["exported"], summary["skipped"], len(sessions.logs.created)) == (0, 0, 2, 2)


def test_a_lost_state_file_is_rebuilt_from_the_named_export_tasks(aws: None, tmp_path: Path) -> None:
    sessions = Sessions()
    run(args(tmp_path, "--log-group", GROUPS[0]), FakeClock().clock(), sessions, lambda _: None)
    (tmp_path / "state.json").unlink()
    code, summary = run(
        args(tmp_path, "--log-group", GROUPS[0]), FakeClock().clock(), sessions, lambda _: None
    )
    assert (code, summary["exported"], len(sessions.logs.created)) == (0, 2, 2)


def test_an_interrupted_run_resumes_the_running_task_instead_of_starting_another(
    aws: None, tmp_path: Path
) -> None:
    sessions = Sessions()
    sessions.logs.running_polls = 1
    clock = FakeClock()

    def interrupt() -> None:
        raise KeyboardInterrupt

    clock.on_sleep = interrupt
    with pytest.raises(KeyboardInterrupt):
        run(args(tmp_path, "--log-group", GROUPS[0]), clock.clock(), sessions, lambda _: None)
    state = json.loads((tmp_path / "state.json").read_text())["units"]
    assert [entry["status"] for entry in state.values()] == ["PENDING"]
    sessions.logs.running_polls = 2
    code, summary = run(
        args(tmp_path, "--log-group", GROUPS[0]), FakeClock().clock(), sessions, lambda _: None
    )
    assert (code, summary["exported"], len(sessions.logs.created)) == (0, 2, 2)


def test_it_waits_while_another_task_is_active_and_backs_off_when_throttled(
    aws: None, tmp_path: Path
) -> None:
    sessions, clock = Sessions(), FakeClock()
    sessions.logs.create_errors = ["LimitExceededException", "ThrottlingException", "ThrottlingException"]
    code, summary = run(
        args(tmp_path, "--log-group", GROUPS[0], "--poll-interval", "30"),
        clock.clock(),
        sessions,
        lambda _: None,
    )
    assert (code, summary["exported"]) == (0, 2)
    assert summary["waits"] == {"anotherTaskActive": 1, "throttled": 2}
    assert clock.slept == [30.0, 1.0, 2.0]


def test_a_failed_task_exits_1_and_is_retried_by_the_rerun(aws: None, tmp_path: Path) -> None:
    sessions = Sessions()
    original = sessions.logs.describe_export_tasks

    def failing(**kwargs: Any) -> Any:
        found = original(**kwargs)
        if "taskId" in kwargs:
            found["exportTasks"][0]["status"] = {"code": "FAILED"}
        return found

    sessions.logs.describe_export_tasks = failing  # type: ignore[method-assign]
    code, summary = run(
        args(tmp_path, "--log-group", GROUPS[0]), FakeClock().clock(), sessions, lambda _: None
    )
    assert (code, len(summary["failed"])) == (1, 2)
    del sessions.logs.describe_export_tasks
    code, summary = run(
        args(tmp_path, "--log-group", GROUPS[0]), FakeClock().clock(), sessions, lambda _: None
    )
    assert (code, summary["exported"], len(sessions.logs.created)) == (0, 2, 4)


def test_user_mistakes_exit_2_with_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "nope.json"
    assert (
        main(["--all", "--start", "2026-11-01", "--end", "2026-11-02", "--archive-outputs", str(missing)])
        == 2
    )
    assert capsys.readouterr().err == f"error: cannot read {missing}: No such file or directory\n"
    assert main(["--all", "--start", "yesterday", "--end", "2026-11-02", "--bucket", BUCKET]) == 2
    assert "is not a date or time" in capsys.readouterr().err


def test_unit_keys_and_task_names_are_stable() -> None:
    unit = Unit("/g", START.date(), 0, 1)
    assert unit.task_name == Unit("/g", START.date(), 0, 1).task_name
    assert unit.task_name.startswith(f"log-archive-backfill-{START.date().isoformat()}-")


def test_an_end_in_the_future_is_clipped_to_now(aws: None, tmp_path: Path) -> None:
    lines: list[str] = []
    argv = args(tmp_path, "--log-group", GROUPS[0])
    argv[argv.index("--end") + 1] = (TODAY + timedelta(days=3)).isoformat()
    code, summary = run(argv, FakeClock().clock(), Sessions(), lines.append)
    assert (code, summary["tasks"]) == (0, 3), "two past days and today up to now"
    assert lines[0].startswith("--end is in the future: exporting up to now (")
