"""Benchmark 4: what typical queries cost in each layout, measured on a generated archive.

A synthetic archive of N accounts x M log groups x D days of realistic log lines is written to a
temporary directory in each layout with the live key layout (``tools.archive_format`` and
``components.layout``: percent-encoded ``log_group``, ``dt=`` days, gzip JSON envelopes, plain
messages, Parquet with the Glue table's schema) plus the reference setup's single-prefix raw
objects. For every query the bytes Athena would scan are computed from the files themselves:
the objects left after partition pruning, and for Parquet only the column chunks of the columns
the query reads (pyarrow metadata). Each query is then executed with DuckDB on the same files,
and its answer compared with the generator's ground truth, so the layout, the partition values
and the schema are proven to give the right rows.
"""

from __future__ import annotations

import gzip
import json
import random
import shutil
import tempfile
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from components import layout
from tools import query as helper
from tools.archive_format import encode_log_group

ATHENA_USD_PER_TB = 5.0
"""Athena SQL, per TB scanned (us-east-1 list price; aws.amazon.com/athena/pricing)."""
ATHENA_MINIMUM_BYTES = 10 * 1000 * 1000
"""Athena charges at least 10 MB per query."""
FIRST_DAY = date(2026, 11, 26)
NEEDLE = "203.0.113.77"
"""The IP the search queries look for; the generator puts it into a known set of events."""
NEEDLE_SHARE = 0.02
"""The share of events that mention ``NEEDLE`` (drawn from the seeded generator)."""
ENVELOPE_SCHEMA = pa.schema(
    [
        ("messagetype", pa.string()),
        ("owner", pa.string()),
        ("loggroup", pa.string()),
        ("logstream", pa.string()),
        ("subscriptionfilters", pa.list_(pa.string())),
        (
            "logevents",
            pa.list_(pa.struct([("id", pa.string()), ("timestamp", pa.int64()), ("message", pa.string())])),
        ),
    ]
)
"""``components.query.ENVELOPE_COLUMNS`` as Arrow types: what Firehose's conversion writes."""
LOG_GROUP_NAMES = (
    "/aws/lambda/checkout",
    "/aws/lambda/payments",
    "/ecs/web-frontend",
    "API-Gateway-Execution-Logs_a1b2c3d4e5/prod",
    "/aws/rds/instance/orders-db/error",
    "/aws/eks/platform/cluster",
    "delivery-test",
    "/aws/vendedlogs/states/fulfilment#1",
)
RAW_ROOT = "raw/"
"""The reference setup: one static prefix, Firehose's default ``yyyy/MM/dd/HH/`` keys."""
OBJECTS_PER_DAY = 4
"""Buffer flushes per partition and day (each object covers six hours)."""


@dataclass(frozen=True)
class Shape:
    accounts: int = 4
    log_groups: int = 8
    days: int = 7
    events_per_hour: int = 30
    """Per log group."""

    @property
    def label(self) -> str:
        return f"{self.accounts} accounts x {self.log_groups} log groups x {self.days} days"


QUICK = Shape(accounts=2, log_groups=2, days=2, events_per_hour=6)
FULL = Shape()


@dataclass(frozen=True)
class Event:
    account: str
    log_group: str
    stream: str
    timestamp: int
    message: str

    @property
    def day(self) -> date:
        return datetime.fromtimestamp(self.timestamp / 1000, UTC).date()


def accounts(shape: Shape) -> list[str]:
    return [f"{111111111111 + index * 111111111:012d}" for index in range(shape.accounts)]


def log_groups(shape: Shape) -> list[str]:
    names = list(LOG_GROUP_NAMES)
    return [
        names[index % len(names)] + ("" if index < len(names) else f"-{index}")
        for index in range(shape.log_groups)
    ]


def _message(rng: random.Random, group: str, when: datetime, needle: bool) -> str:
    ip = NEEDLE if needle else f"10.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}"
    request = f"{rng.getrandbits(64):016x}-{rng.getrandbits(32):08x}"
    path = rng.choice(("/api/orders/", "/api/cart/", "/health", "/api/users/")) + str(rng.randrange(10_000))
    status = rng.choice((200, 200, 200, 201, 204, 301, 404, 500))
    millis = rng.randrange(1, 2000)
    if group.startswith("/aws/lambda"):
        return (
            f"{when:%Y-%m-%dT%H:%M:%S}.{when.microsecond // 1000:03d}Z\t{request}\tINFO\t"
            f"handled GET {path} status={status} duration_ms={millis} client_ip={ip}"
        )
    if group.startswith("/aws/rds"):
        return (
            f"{when:%Y-%m-%d %H:%M:%S} UTC:{ip}(5432):app@orders:[{rng.randrange(99999)}]:LOG: "
            f"duration: {millis}.{rng.randrange(1000):03d} ms"
        )
    return (
        f'{ip} - - [{when:%d/%b/%Y:%H:%M:%S} +0000] "GET {path} HTTP/1.1" {status} '
        f'{rng.randrange(100, 50_000)} "-" "Mozilla/5.0 (X11; Linux x86_64)" rt={millis / 1000:.3f}'
    )


def generate(shape: Shape, seed: int = 14) -> list[Event]:
    """Every event of the synthetic archive, in time order per log group; ``NEEDLE_SHARE`` of
    them name ``NEEDLE``."""
    rng = random.Random(seed)
    events: list[Event] = []
    for account in accounts(shape):
        for group in log_groups(shape):
            streams = [f"2026/11/23/[$LATEST]{rng.getrandbits(32):08x}" for _ in range(3)]
            for day in range(shape.days):
                start = datetime.combine(FIRST_DAY + timedelta(days=day), datetime.min.time(), UTC)
                for hour in range(24):
                    for _ in range(shape.events_per_hour):
                        when = start + timedelta(hours=hour, seconds=rng.uniform(0, 3599.999))
                        events.append(
                            Event(
                                account,
                                group,
                                rng.choice(streams),
                                int(when.timestamp() * 1000),
                                _message(rng, group, when, rng.random() < NEEDLE_SHARE),
                            )
                        )
    events.sort(key=lambda e: (e.account, e.log_group, e.timestamp))
    return events


def _block(timestamp: int) -> tuple[date, int]:
    """The day and six-hour block an event's object belongs to (Firehose's arrival time, here the
    event time: envelopes never span two blocks)."""
    when = datetime.fromtimestamp(timestamp / 1000, UTC)
    return when.date(), when.hour // (24 // OBJECTS_PER_DAY)


def envelopes(events: list[Event], per_envelope: int = 20) -> Iterator[dict[str, Any]]:
    """CloudWatch Logs subscription envelopes: runs of one log stream's events within one block."""
    batch: list[Event] = []

    def place(event: Event) -> tuple[str, str, str, tuple[date, int]]:
        return event.account, event.log_group, event.stream, _block(event.timestamp)

    for event in [*events, None]:
        if batch and (event is None or len(batch) == per_envelope or place(event) != place(batch[0])):
            first = batch[0]
            yield {
                "messageType": "DATA_MESSAGE",
                "owner": first.account,
                "logGroup": first.log_group,
                "logStream": first.stream,
                "subscriptionFilters": ["log-archive"],
                "logEvents": [
                    {"id": f"{e.timestamp}{index:06d}", "timestamp": e.timestamp, "message": e.message}
                    for index, e in enumerate(batch)
                ],
            }
            batch = []
        if event is not None:
            batch.append(event)


@dataclass(frozen=True)
class Partition:
    account: str | None
    log_group: str | None
    day: date


@dataclass
class Archive:
    """A generated archive on disk: every object with the partition it lies in."""

    root: Path
    events: list[Event]
    objects: dict[str, dict[Path, Partition]] = field(default_factory=dict[str, dict[Path, Partition]])

    def size(self, layout_name: str, keep: Callable[[Partition], bool] = lambda _: True) -> int:
        return sum(path.stat().st_size for path, part in self.objects[layout_name].items() if keep(part))


def write(shape: Shape, root: Path) -> Archive:
    """Write the archive in every layout under ``root``."""
    events = generate(shape)
    archive = Archive(root, events)
    grouped: dict[tuple[str, str, date, int], list[dict[str, Any]]] = {}
    for envelope in envelopes(events):
        day, block = _block(envelope["logEvents"][0]["timestamp"])
        grouped.setdefault((envelope["owner"], envelope["logGroup"], day, block), []).append(envelope)
    partitioned: dict[Path, Partition] = {}
    parquet: dict[Path, Partition] = {}
    for (account, group, day, block), batch in grouped.items():
        suffix = f"account={account}/log_group={encode_log_group(group)}/dt={day.isoformat()}/"
        name = f"log-archive-ap-northeast-1-1-{day.isoformat()}-{block:02d}"
        path = root / layout.LOG_PREFIX / suffix / f"{name}.gz"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(gzip.compress("".join(json.dumps(e) + "\n" for e in batch).encode(), mtime=0))
        partitioned[path] = Partition(account, group, day)
        path = root / layout.PARQUET_LOG_PREFIX / suffix / f"{name}.parquet"
        path.parent.mkdir(parents=True, exist_ok=True)
        rows = [{key.lower(): value for key, value in e.items()} for e in batch]
        pq.write_table(pa.Table.from_pylist(rows, schema=ENVELOPE_SCHEMA), path, compression="snappy")
        parquet[path] = Partition(account, group, day)
    archive.objects["partitioned"] = partitioned
    archive.objects["parquet"] = parquet
    archive.objects["messages"] = _write_hourly(root, events, messages=True)
    archive.objects["raw"] = _write_hourly(root, events, messages=False)
    return archive


def _write_hourly(root: Path, events: list[Event], messages: bool) -> dict[Path, Partition]:
    """``messages``: ``logs-messages/dt=`` plain lines; raw: concatenated gzip envelopes."""
    hours: dict[tuple[date, int], list[Event]] = {}
    for event in sorted(events, key=lambda e: e.timestamp):
        when = datetime.fromtimestamp(event.timestamp / 1000, UTC)
        hours.setdefault((when.date(), when.hour), []).append(event)
    written: dict[Path, Partition] = {}
    for (day, hour), batch in hours.items():
        if messages:
            path = root / "logs-messages" / f"dt={day.isoformat()}" / f"o-{hour:02d}.gz"
            data = gzip.compress("".join(e.message + "\n" for e in batch).encode(), mtime=0)
        else:
            path = root / RAW_ROOT / f"{day:%Y/%m/%d}/{hour:02d}" / "o"
            data = b"".join(
                gzip.compress(json.dumps(e).encode(), mtime=0)
                for e in envelopes(sorted(batch, key=lambda e: (e.account, e.log_group, e.timestamp)))
            )
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        written[path] = Partition(None, None, day)
    return written


@dataclass(frozen=True)
class Query:
    """One typical query: what it prunes to, the columns it reads, its SQL and its true answer."""

    key: str
    title: str
    keep: Callable[[Partition], bool]
    columns: tuple[str, ...]
    sql: str
    """Athena SQL over ``log_archive.logs`` (the partitioned or parquet table)."""
    expected: Counter[tuple[Any, ...]]
    """The answer's rows as a multiset."""
    messages_sql: str | None = None
    """The same question over the ``messages`` table, when it can be asked there."""


def queries(archive: Archive, shape: Shape) -> list[Query]:
    """The four typical queries, built as a user (or ``tools.query``) would write them."""
    events = archive.events
    first_account, groups = accounts(shape)[0], log_groups(shape)
    encoded = [encode_log_group(g) for g in groups]
    day = FIRST_DAY + timedelta(days=shape.days - 1)
    last = FIRST_DAY + timedelta(days=shape.days - 1)
    week_start = max(FIRST_DAY, last - timedelta(days=6))
    hour_start = datetime.combine(day, datetime.min.time(), UTC) + timedelta(hours=9)
    low, high = int(hour_start.timestamp() * 1000), int((hour_start + timedelta(hours=1)).timestamp() * 1000)
    one_hour = Query(
        "one-log-group-one-hour",
        f"one log group ({groups[0]}), one hour",
        lambda p: (p.account, p.log_group, p.day) == (first_account, groups[0], day),
        ("logstream", "logevents"),
        f"""SELECT logstream, e.message
FROM log_archive.logs CROSS JOIN UNNEST(logevents) AS t(e)
WHERE account = '{first_account}'
  AND log_group = url_encode('{groups[0]}')
  AND dt = '{day.isoformat()}'
  AND e.timestamp >= to_unixtime(TIMESTAMP '{hour_start:%Y-%m-%d %H:%M:%S}') * 1000
  AND e.timestamp < to_unixtime(TIMESTAMP '{hour_start + timedelta(hours=1):%Y-%m-%d %H:%M:%S}') * 1000""",
        Counter(
            (e.stream, e.message)
            for e in events
            if (e.account, e.log_group) == (first_account, groups[0]) and low <= e.timestamp < high
        ),
    )
    where = helper.partition_filter([first_account], encoded, day, day)
    account_day = Query(
        "one-account-one-day-all-log-groups",
        "one IP in one account, one day, every log group (`tools.query --account --contains`)",
        lambda p: p.account == first_account and p.day == day,
        ("loggroup", "logstream", "logevents"),
        f"SELECT loggroup, e.message FROM log_archive.logs CROSS JOIN UNNEST(logevents) AS t(e)\n"
        f"WHERE {where}\n  AND strpos(e.message, '{NEEDLE}') > 0",
        Counter(
            (e.log_group, e.message)
            for e in events
            if e.account == first_account and e.day == day and NEEDLE in e.message
        ),
    )
    where = helper.partition_filter(accounts(shape), encoded, week_start, last)
    week = Query(
        "one-string-everywhere-one-week",
        "one IP across every account and log group, one week",
        lambda p: week_start <= p.day <= last,
        ("owner", "loggroup", "logevents"),
        f"SELECT owner, loggroup, e.message FROM log_archive.logs CROSS JOIN UNNEST(logevents) AS t(e)\n"
        f"WHERE {where}\n  AND strpos(e.message, '{NEEDLE}') > 0",
        Counter(
            (e.account, e.log_group, e.message)
            for e in events
            if week_start <= e.day <= last and NEEDLE in e.message
        ),
        messages_sql=(
            f"SELECT message FROM log_archive.logs WHERE dt BETWEEN '{week_start.isoformat()}' AND "
            f"'{last.isoformat()}' AND strpos(message, '{NEEDLE}') > 0"
        ),
    )
    counts = Query(
        "events-per-account-per-day",
        "events per account per day, every log group, one week",
        lambda p: week_start <= p.day <= last,
        ("logevents",),
        f"SELECT account, dt, sum(cardinality(logevents)) AS events FROM log_archive.logs\n"
        f"WHERE {where}\nGROUP BY account, dt",
        Counter(
            (account, day_text, count)
            for (account, day_text), count in Counter(
                (e.account, e.day.isoformat()) for e in events if week_start <= e.day <= last
            ).items()
        ),
    )
    return [one_hour, account_day, week, counts]


DUCKDB_REWRITES = (
    ("log_archive.logs", "logs"),
    ("from_unixtime(", "to_timestamp("),
    ("to_unixtime(", "epoch("),
    ("cardinality(", "len("),
)
"""Athena (Trino) -> DuckDB: the only differences the project's queries hit. ``UNNEST`` in a
``CROSS JOIN``, ``strpos``, ``url_encode``, ``BETWEEN`` on strings are the same in both."""
ENVELOPE_JSON_COLUMNS = (
    "{'messageType': 'VARCHAR', 'owner': 'VARCHAR', 'logGroup': 'VARCHAR', 'logStream': 'VARCHAR', "
    "'subscriptionFilters': 'VARCHAR[]', "
    "'logEvents': 'STRUCT(id VARCHAR, timestamp BIGINT, message VARCHAR)[]'}"
)


def to_duckdb(sql: str) -> str:
    for athena, duck in DUCKDB_REWRITES:
        sql = sql.replace(athena, duck)
    return sql


def connect(archive: Archive, layout_name: str) -> duckdb.DuckDBPyConnection:
    """A DuckDB view ``logs`` shaped like the Glue table of ``layout_name``.

    DuckDB URL-decodes Hive partition values, Athena does not: the view re-encodes ``log_group``
    so that it holds what the key holds (and what Athena compares), ``%2Faws%2Flambda%2F...``.
    """
    connection = duckdb.connect()
    root = archive.root.as_posix()
    if layout_name == "partitioned":
        source = (
            f"read_json('{root}/{layout.LOG_PREFIX}**/*.gz', format='newline_delimited', "
            f"hive_partitioning=true, hive_types_autocast=false, columns={ENVELOPE_JSON_COLUMNS})"
        )
    elif layout_name == "parquet":
        source = (
            f"read_parquet('{root}/{layout.PARQUET_LOG_PREFIX}**/*.parquet', hive_partitioning=true, "
            "hive_types_autocast=false)"
        )
    else:
        connection.execute(
            f"CREATE VIEW logs AS SELECT * FROM read_csv('{root}/logs-messages/**/*.gz', "
            "columns={'message': 'VARCHAR'}, delim=chr(0), quote='', escape='', header=false, "
            "hive_partitioning=true, hive_types_autocast=false)"
        )
        return connection
    connection.execute(
        f"CREATE VIEW logs AS SELECT * REPLACE (url_encode(log_group) AS log_group) FROM {source}"
    )
    return connection


def run_query(connection: duckdb.DuckDBPyConnection, sql: str) -> Counter[tuple[Any, ...]]:
    return Counter(tuple(row) for row in connection.execute(to_duckdb(sql)).fetchall())


@dataclass(frozen=True)
class ScanRow:
    """Scanned bytes and cost of one query in one layout; ``verified`` by DuckDB, or why not."""

    query: str
    layout: str
    scanned_bytes: int
    verified: str

    @property
    def cost_usd(self) -> float:
        return max(self.scanned_bytes, ATHENA_MINIMUM_BYTES) / 1e12 * ATHENA_USD_PER_TB


def parquet_bytes(archive: Archive, keep: Callable[[Partition], bool], columns: tuple[str, ...]) -> int:
    """Compressed size of the column chunks of ``columns`` (all their leaves) in the kept files."""
    total = 0
    for path, part in archive.objects["parquet"].items():
        if not keep(part):
            continue
        metadata = pq.ParquetFile(path).metadata
        for group in range(metadata.num_row_groups):
            row_group = metadata.row_group(group)
            for index in range(row_group.num_columns):
                chunk = row_group.column(index)
                if chunk.path_in_schema.split(".")[0] in columns:
                    total += chunk.total_compressed_size
    return total


def measure(archive: Archive, shape: Shape) -> list[ScanRow]:
    """Every typical query in every layout: scanned bytes, and DuckDB's answer checked."""
    rows: list[ScanRow] = []
    json_connection = connect(archive, "partitioned")
    parquet_connection = connect(archive, "parquet")
    messages_connection = connect(archive, "messages")
    for query in queries(archive, shape):
        rows.append(
            ScanRow(
                query.key, "raw (reference setup)", archive.size("raw"), "reads every object: no partitions"
            )
        )
        for name, connection, scanned in (
            ("partitioned", json_connection, archive.size("partitioned", query.keep)),
            ("parquet", parquet_connection, parquet_bytes(archive, query.keep, query.columns)),
        ):
            got = run_query(connection, query.sql)
            if got != query.expected:
                wanted = sum(query.expected.values())
                raise AssertionError(
                    f"{name} {query.key}: DuckDB returned {sum(got.values())} rows, not {wanted}"
                )
            rows.append(ScanRow(query.key, name, scanned, f"yes, {sum(got.values())} rows"))
        days = frozenset(p.day for p in archive.objects["partitioned"].values() if query.keep(p))
        scanned = archive.size("messages", lambda p, days=days: p.day in days)
        if query.messages_sql is None:
            rows.append(
                ScanRow(query.key, "messages", scanned, "cannot answer: account and log group are not kept")
            )
        else:
            got = run_query(messages_connection, query.messages_sql)
            expected = sum(query.expected.values())
            if sum(got.values()) != expected:
                raise AssertionError(f"messages {query.key}: {sum(got.values())} rows, expected {expected}")
            rows.append(
                ScanRow(query.key, "messages", scanned, f"yes, {expected} rows (no account or log group)")
            )
    return rows


def run(quick: bool) -> tuple[Shape, list[ScanRow]]:
    shape = QUICK if quick else FULL
    root = Path(tempfile.mkdtemp(prefix="log-archive-scan-"))
    try:
        archive = write(shape, root)
        return shape, measure(archive, shape)
    finally:
        shutil.rmtree(root, ignore_errors=True)


SECTION_TITLE = "## 4. Query scan cost per layout"
COMMAND = ".venv/bin/python -m benchmarks --only-query-scan"


def _size(scanned: int) -> str:
    return f"{scanned / 1024:,.1f}"


def section(shape: Shape, rows: list[ScanRow]) -> list[str]:
    """The section of ``docs/performance.md`` with this benchmark's table."""
    titles = {
        "one-log-group-one-hour": "one log group, one hour",
        "one-account-one-day-all-log-groups": "one IP, one account, one day, every log group",
        "one-string-everywhere-one-week": "one IP, everything, one week",
        "events-per-account-per-day": "events per account per day, one week",
    }
    lines = [
        SECTION_TITLE,
        "",
        f"`benchmarks/query_scan.py` (regenerate only this section with `{COMMAND}`): a generated archive of "
        f"{shape.label}, {shape.events_per_hour} events per log group and hour of realistic lines (Lambda, "
        "access-log and RDS formats), written in each layout with the live key layout: `partitioned` "
        "(gzip JSON envelopes under `account=/log_group=/dt=`, four objects per partition and day), "
        "`parquet` (the same envelopes as Parquet rows, SNAPPY), `messages` (plain lines under `dt=`), and "
        "the reference setup's `raw` objects (one static prefix, concatenated gzip envelopes, no table "
        "partitions). Scanned bytes are what Athena reads after partition pruning: the sizes of the "
        "objects in the pruned partitions, for Parquet the compressed column chunks of the columns the "
        "query reads (every leaf of `logevents`: no nested-field pruning is assumed). Cost at "
        f"${ATHENA_USD_PER_TB:.0f} per TB with Athena's 10 MB minimum per query. Every query ran in DuckDB "
        "on the same files and returned exactly the generator's ground truth (`verified`).",
        "",
        "| query | layout | scanned KiB | x partitioned | Athena cost per query (USD, 10 MB minimum) "
        "| cost at 1,000x the data (USD) | verified |",
        "|---|---|--:|--:|--:|--:|---|",
    ]
    by_query: dict[str, int] = {row.query: row.scanned_bytes for row in rows if row.layout == "partitioned"}
    for row in rows:
        ratio = row.scanned_bytes / by_query[row.query] if by_query[row.query] else 0.0
        at_scale = max(row.scanned_bytes * 1000, ATHENA_MINIMUM_BYTES) / 1e12 * ATHENA_USD_PER_TB
        lines.append(
            f"| {titles[row.query]} | {row.layout} | {_size(row.scanned_bytes)} | {ratio:.2f} "
            f"| {row.cost_usd:.8f} | {at_scale:.6f} | {row.verified} |"
        )
    return lines


def replace_section(document: str, lines: list[str]) -> str:
    """``document`` with this benchmark's section replaced (or inserted before the notes)."""
    text = "\n".join(lines) + "\n"
    if SECTION_TITLE in document:
        head, rest = document.split(SECTION_TITLE, 1)
        tail = rest[rest.index("\n## ") + 1 :] if "\n## " in rest else ""
        return head + text + "\n" + tail
    head, notes, tail = document.partition("## Notes")
    return head + text + "\n" + notes + tail
