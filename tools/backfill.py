"""Archive the existing history of log groups with CloudWatch Logs export tasks.

    .venv/bin/python -m tools.backfill --archive-outputs archive-outputs.json \\
        --source-profile workload-a --region ap-northeast-1 \\
        --log-group /aws/lambda/checkout --start 2026-10-01 --end 2026-11-01

``--all`` takes every log group of the account and region instead of ``--log-group``. ``--start``
and ``--end`` are UTC dates or times (``2026-11-27T10:00Z``); ``--end`` is exclusive.

One export task per log group and UTC day writes under
``backfill/account=<id>/log_group=<percent-encoded>/dt=<day>/<task id>/<log stream>/000000.gz``
(plain ``<ISO time> <message>`` lines, gzip), so ``dt`` is the day of the events and the archive's
``backfill`` Glue table reads them next to the live ``logs`` table. Only the source account's
credentials are needed (``logs:CreateExportTask``, ``logs:DescribeExportTasks``,
``logs:DescribeLogGroups``): the archive's bucket and key policies admit CloudWatch Logs itself
under ``backfill/`` (see ``components.archive_policies.export_task_bucket_statements``).

AWS runs one export task per account at a time: the tool queues, waits while another task is
active (``LimitExceededException``), backs off on ``ThrottlingException``, and records every task
in a JSON state file (written atomically) so that an interrupted run resumes where it stopped. A
rerun skips what is done, also without the state file: tasks are named after their log group and
day and found again with ``DescribeExportTasks``. Progress (log-group days and log groups done,
bytes written when ``--archive-profile`` can list the bucket, ETA) goes to stderr; ``--json``
prints the report on stdout. Exit 0 when everything is exported, 1 when a task failed, 2 for
usage or setup problems.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from components.archive_policies import BACKFILL_PREFIX
from tools.archive_format import encode_log_group
from tools.verify_delivery import (
    Clock,
    SessionFactory,
    VerifyError,
    archive_target,
    load_outputs,
    open_session,
)

if TYPE_CHECKING:
    from types_boto3_logs import CloudWatchLogsClient
    from types_boto3_s3 import S3Client

TASK_PREFIX = "log-archive-backfill-"
DEFAULT_POLL_SECONDS = 15.0
MAX_BACKOFF_SECONDS = 60.0
ACTIVE = ("PENDING", "RUNNING", "PENDING_CANCEL")
DAY = timedelta(days=1)


@dataclass(frozen=True)
class Unit:
    """One export task: a log group's events of one UTC day, clipped to the window."""

    log_group: str
    day: date
    start_ms: int
    end_ms: int

    @property
    def key(self) -> str:
        """Log group, day and window: a later run over a wider window exports the day again."""
        return f"{self.log_group}|{self.day.isoformat()}|{self.start_ms}|{self.end_ms}"

    @property
    def task_name(self) -> str:
        digest = hashlib.sha256(self.key.encode()).hexdigest()[:16]
        return f"{TASK_PREFIX}{self.day.isoformat()}-{digest}"

    def prefix(self, account: str) -> str:
        """The export task's ``destinationPrefix`` (AWS appends ``/<task id>/<stream>/...``)."""
        return (
            f"{BACKFILL_PREFIX}account={account}/log_group={encode_log_group(self.log_group)}"
            f"/dt={self.day.isoformat()}"
        )


def parse_time(text: str) -> datetime:
    """A UTC date (midnight) or ISO time; a time without zone is UTC."""
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise VerifyError(f"{text!r} is not a date or time like 2026-11-27 or 2026-11-27T10:00Z") from None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def plan_units(log_groups: Sequence[str], start: datetime, end: datetime) -> list[Unit]:
    """Every (log group, UTC day) of ``[start, end)``, log group by log group."""
    if end <= start:
        raise VerifyError(f"--end ({end:%Y-%m-%dT%H:%MZ}) must be after --start ({start:%Y-%m-%dT%H:%MZ})")
    units: list[Unit] = []
    for log_group in log_groups:
        day = start.date()
        while datetime(day.year, day.month, day.day, tzinfo=UTC) < end:
            midnight = datetime(day.year, day.month, day.day, tzinfo=UTC)
            first, last = max(start, midnight), min(end, midnight + DAY)
            units.append(
                Unit(log_group, day, int(first.timestamp() * 1000), int(last.timestamp() * 1000) - 1)
            )
            day += DAY
    return units


@dataclass
class State:
    """What is done, per unit key: ``{"task": id, "status": ..., "bytes": n}``; saved atomically."""

    path: Path
    units: dict[str, dict[str, Any]] = field(default_factory=dict[str, dict[str, Any]])

    @classmethod
    def load(cls, path: Path) -> State:
        if not path.exists():
            return cls(path)
        try:
            document: Any = json.loads(path.read_text())
        except (OSError, json.JSONDecodeError) as error:
            raise VerifyError(
                f"cannot read the state file {path}: {error}; move it away to start afresh"
            ) from None
        return cls(path, dict(document.get("units", {})))

    def update(self, unit: Unit, **values: Any) -> None:
        self.units[unit.key] = {**self.units.get(unit.key, {}), **values}
        self.save()

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=self.path.parent, prefix=self.path.name, suffix=".tmp")
        with os.fdopen(handle, "w") as file:
            json.dump({"units": self.units}, file, indent=1, sort_keys=True)
        os.replace(temporary, self.path)


def _code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


@dataclass
class Backfill:
    """Runs the units one export task at a time."""

    logs: CloudWatchLogsClient
    s3: S3Client | None
    bucket: str
    account: str
    state: State
    clock: Clock
    report: Callable[[str], None]
    poll_seconds: float = DEFAULT_POLL_SECONDS
    waits: dict[str, int] = field(default_factory=dict[str, int])

    def _call(self, call: Callable[[], Any]) -> Any:
        """``call`` with backoff on throttling and a wait while another export task is active."""
        backoff = 1.0
        while True:
            try:
                return call()
            except ClientError as error:
                code = _code(error)
                if code == "ThrottlingException":
                    self.waits["throttled"] = self.waits.get("throttled", 0) + 1
                    self.clock.sleep(backoff)
                    backoff = min(backoff * 2, MAX_BACKOFF_SECONDS)
                elif code == "LimitExceededException":
                    self.waits["anotherTaskActive"] = self.waits.get("anotherTaskActive", 0) + 1
                    self.report("  another export task is active in the account; waiting for it")
                    self.clock.sleep(self.poll_seconds)
                else:
                    raise

    def known_tasks(self) -> dict[str, dict[str, Any]]:
        """The account's export tasks of earlier runs, by task name (newest wins)."""
        found: dict[str, dict[str, Any]] = {}
        token: str | None = None
        while True:
            extra = {"nextToken": token} if token else {}
            page = self._call(lambda: self.logs.describe_export_tasks(**extra))  # noqa: B023 (called at once)
            for task in page.get("exportTasks", []):
                name = str(task.get("taskName", ""))
                if name.startswith(TASK_PREFIX) and task.get("destination") == self.bucket:
                    found[name] = dict(task)
            token = page.get("nextToken")
            if not token:
                return found

    def _status(self, task_id: str) -> str:
        found = self._call(lambda: self.logs.describe_export_tasks(taskId=task_id))
        return str(found["exportTasks"][0].get("status", {}).get("code", "UNKNOWN")).upper()

    def _bytes(self, unit: Unit, task_id: str) -> int | None:
        if self.s3 is None:
            return None
        total = 0
        try:
            prefix = f"{unit.prefix(self.account)}/{task_id}/"
            for page in self.s3.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=prefix):
                total += sum(item.get("Size", 0) for item in page.get("Contents", []))
        except (ClientError, BotoCoreError):
            return None
        return total

    def run_unit(self, unit: Unit, known: Mapping[str, Mapping[str, Any]]) -> str:
        """Export one unit (or resume its task); its final status: COMPLETED, FAILED or CANCELLED."""
        recorded = self.state.units.get(unit.key, {})
        task_id = recorded.get("task")
        if task_id is None and unit.task_name in known:
            previous = known[unit.task_name]
            status = str(previous.get("status", {}).get("code", "")).upper()
            if status == "COMPLETED" or status in ACTIVE:
                task_id = str(previous["taskId"])
                self.state.update(unit, task=task_id, status=status)
        if task_id is None or recorded.get("status") in ("FAILED", "CANCELLED"):
            created = self._call(
                lambda: self.logs.create_export_task(
                    taskName=unit.task_name,
                    logGroupName=unit.log_group,
                    fromTime=unit.start_ms,
                    to=unit.end_ms,
                    destination=self.bucket,
                    destinationPrefix=unit.prefix(self.account),
                )
            )
            task_id = str(created["taskId"])
            self.state.update(unit, task=task_id, status="PENDING")
        while (status := self._status(task_id)) in ACTIVE:
            self.clock.sleep(self.poll_seconds)
        values: dict[str, Any] = {"status": status}
        if status == "COMPLETED":
            values["bytes"] = self._bytes(unit, task_id)
        self.state.update(unit, **values)
        return status


def _size(count: int | None) -> str:
    if count is None:
        return "bytes unknown"
    value = float(count)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":
            return f"{value:.1f} {unit}" if unit != "B" else f"{count} B"
        value /= 1024
    return f"{count} B"


def progress_line(units: Sequence[Unit], state: State, started: float, now: float, done_now: int) -> str:
    """``[days done/total, log groups done/total, bytes, ETA]`` for stderr."""
    done = [u for u in units if state.units.get(u.key, {}).get("status") == "COMPLETED"]
    groups = sorted({u.log_group for u in units})
    done_keys = {u.key for u in done}
    groups_done = [g for g in groups if all(u.key in done_keys for u in units if u.log_group == g)]
    sizes = [state.units[u.key].get("bytes") for u in done]
    written = None if any(size is None for size in sizes) else sum(int(size or 0) for size in sizes)
    remaining = len(units) - len(done)
    if remaining == 0:
        eta = "done"
    elif done_now:
        eta = f"ETA {timedelta(seconds=round((now - started) / done_now * remaining))}"
    else:
        eta = "ETA unknown"
    return (
        f"[{len(done)}/{len(units)} log-group days, {len(groups_done)}/{len(groups)} log groups, "
        f"{_size(written)}, {eta}]"
    )


def _log_groups(logs: CloudWatchLogsClient) -> Iterator[str]:
    for page in logs.get_paginator("describe_log_groups").paginate():
        for group in page.get("logGroups", []):
            if "logGroupName" in group:
                yield group["logGroupName"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m tools.backfill",
        description="Export log groups' history for a time window into the archive's backfill/ prefix.",
    )
    which = parser.add_mutually_exclusive_group(required=True)
    which.add_argument("--log-group", action="append", default=[], help="log group (repeatable)")
    which.add_argument("--all", action="store_true", help="every log group of the account and region")
    parser.add_argument("--start", required=True, help="UTC date or time, inclusive")
    parser.add_argument("--end", required=True, help="UTC date or time, exclusive")
    parser.add_argument("--region", help="source region (default: the source profile's)")
    parser.add_argument("--source-profile", help="AWS profile of the source account")
    parser.add_argument("--archive-profile", help="AWS profile that may list the archive bucket (bytes)")
    parser.add_argument("--archive-outputs", type=Path, metavar="FILE", help="`pulumi stack output --json`")
    parser.add_argument("--bucket", help="archive bucket (overrides bucketName)")
    parser.add_argument("--state", type=Path, metavar="FILE", help="state file (default: per account/region)")
    parser.add_argument("--poll-interval", type=float, default=DEFAULT_POLL_SECONDS, metavar="SEC")
    parser.add_argument("--json", action="store_true", help="print the report as JSON on stdout")
    return parser


def run(
    argv: Sequence[str], clock: Clock, session: SessionFactory, report: Callable[[str], None]
) -> tuple[int, dict[str, Any]]:
    """The command: its exit code and report."""
    args = _parser().parse_args(argv)
    target = archive_target(load_outputs(args.archive_outputs) if args.archive_outputs else None, args.bucket)
    start, end = parse_time(args.start), parse_time(args.end)
    now = datetime.fromtimestamp(clock.now(), UTC)
    if end > now:
        report(f"--end is in the future: exporting up to now ({now:%Y-%m-%dT%H:%M:%SZ})")
        end = now
    source = open_session(session, args.source_profile, args.region, "source")
    region = args.region or source.region_name
    if not region:
        raise VerifyError("no source region: pass --region or set one in the source profile")
    if target.destination_arns and region not in target.destination_arns:
        raise VerifyError(
            f"the archive has no destination in {region}: it archives {sorted(target.destination_arns)}"
        )
    try:
        account = source.client("sts").get_caller_identity()["Account"]
        logs = source.client("logs", region_name=region)
        groups = sorted(_log_groups(logs)) if args.all else list(dict.fromkeys(args.log_group))
    except (ClientError, BotoCoreError) as error:
        raise VerifyError(f"cannot use the source credentials: {error}") from None
    s3 = None
    if args.archive_profile is not None:
        s3 = open_session(session, args.archive_profile, None, "archive").client("s3")
    state = State.load(args.state or Path(f"backfill-state-{account}-{region}.json"))
    units = plan_units(groups, start, end)
    backfill = Backfill(logs, s3, target.bucket, account, state, clock, report, args.poll_interval)
    report(
        f"Backfilling {len(groups)} log group(s) of account {account} ({region}), "
        f"{start:%Y-%m-%dT%H:%MZ} to {end:%Y-%m-%dT%H:%MZ}: {len(units)} export task(s) into "
        f"s3://{target.bucket}/{BACKFILL_PREFIX}; state in {state.path}"
    )
    try:
        known = backfill.known_tasks()
        started, done_now, skipped = clock.now(), 0, 0
        failed: list[str] = []
        for unit in units:
            if state.units.get(unit.key, {}).get("status") == "COMPLETED":
                skipped += 1
                continue
            status = backfill.run_unit(unit, known)
            if status == "COMPLETED":
                done_now += 1
            else:
                failed.append(unit.key)
                report(f"  export of {unit.log_group} on {unit.day} ended {status}; a rerun retries it")
            report("  " + progress_line(units, state, started, clock.now(), done_now))
    except ClientError as error:
        message = error.response.get("Error", {}).get("Message", "")
        raise VerifyError(
            f"CloudWatch Logs refused the export ({_code(error)}: {message}); "
            "check the log group names and that the archive's bucket policy admits this account and region"
        ) from None
    summary = {
        "account": account,
        "region": region,
        "bucket": target.bucket,
        "prefix": BACKFILL_PREFIX,
        "logGroups": len(groups),
        "tasks": len(units),
        "exported": done_now,
        "skipped": skipped,
        "failed": failed,
        "waits": dict(backfill.waits),
        "stateFile": str(state.path),
        "json": args.json,
    }
    return (1 if failed else 0), summary


def main(argv: Sequence[str] | None = None) -> int:
    def report(line: str) -> None:
        print(line, file=sys.stderr, flush=True)

    try:
        code, summary = run(sys.argv[1:] if argv is None else argv, Clock(), boto3.Session, report)
    except VerifyError as error:
        print(f"error: {error}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        print("interrupted: rerun the same command to resume from the state file", file=sys.stderr)
        return 130
    if summary.pop("json"):
        print(json.dumps(summary, indent=2))
    else:
        print(
            f"{summary['exported']} exported, {summary['skipped']} already done, "
            f"{len(summary['failed'])} failed (of {summary['tasks']} log-group days)"
        )
    return code


if __name__ == "__main__":
    sys.exit(main())
