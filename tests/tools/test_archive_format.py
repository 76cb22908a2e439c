"""Key prefixes and decoding of archive objects in every layout."""

from __future__ import annotations

import gzip
from datetime import UTC, date, datetime

import pytest

from components import layout as archive_layout
from tests.tools.objects import (
    SOURCE_ACCOUNT,
    envelope,
    gzip_lines,
    partitioned_object,
    raw_object,
)
from tools.archive_format import (
    ERROR_ROOT,
    MESSAGES,
    PARTITIONED,
    RAW,
    ArchivedEvent,
    DecodeError,
    day_prefix,
    days_between,
    encode_log_group,
    find_event,
    iter_events,
)

DAY = date(2026, 11, 27)


@pytest.mark.parametrize(
    ("name", "encoded"),
    [
        pytest.param("/aws/lambda/my-fn", "%2Faws%2Flambda%2Fmy-fn", id="slashes"),
        pytest.param("app_logs.v2~x", "app_logs.v2~x", id="unreserved-characters-kept"),
        pytest.param("my group#1", "my%20group%231", id="space-and-hash"),
        pytest.param("ログ", "%E3%83%AD%E3%82%B0", id="non-ascii-as-utf8-bytes"),
    ],
)
def test_log_group_is_percent_encoded_like_jq_uri(name: str, encoded: str) -> None:
    assert encode_log_group(name) == encoded


@pytest.mark.parametrize(
    ("layout", "log_prefix", "expected"),
    [
        pytest.param(
            PARTITIONED,
            "logs/",
            "logs/account=111111111111/log_group=%2Faws%2Flambda%2Fmy-fn/dt=2026-11-27/",
            id="partitioned",
        ),
        pytest.param(MESSAGES, "logs/", "logs/dt=2026-11-27/", id="messages"),
        pytest.param(RAW, "delivery-test/", "delivery-test/2026/11/27/", id="raw-firehose-default"),
        pytest.param(MESSAGES, "logs", "logs/dt=2026-11-27/", id="prefix-without-slash"),
        pytest.param(RAW, "", "2026/11/27/", id="empty-prefix"),
    ],
)
def test_day_prefix_follows_the_layout(layout: str, log_prefix: str, expected: str) -> None:
    assert day_prefix(layout, log_prefix, "111111111111", "/aws/lambda/my-fn", DAY) == expected


def test_day_prefix_rejects_an_unknown_layout() -> None:
    with pytest.raises(ValueError, match="unknown layout 'flat'"):
        day_prefix("flat", "logs/", "111111111111", "g", DAY)


@pytest.mark.parametrize(
    ("layout", "template"),
    [
        pytest.param(PARTITIONED, archive_layout.PARTITIONED_PREFIX, id="partitioned"),
        pytest.param(MESSAGES, archive_layout.MESSAGES_PREFIX, id="messages"),
    ],
)
def test_the_prefixes_are_the_firehose_templates_of_the_archive_filled_in(layout: str, template: str) -> None:
    rendered = (
        template.replace("!{partitionKeyFromQuery:account}", "111111111111")
        .replace("!{partitionKeyFromQuery:log_group}", "%2Faws%2Flambda%2Fmy-fn")
        .replace("!{timestamp:yyyy-MM-dd}", DAY.isoformat())
    )
    assert day_prefix(layout, archive_layout.LOG_PREFIX, "111111111111", "/aws/lambda/my-fn", DAY) == rendered
    assert archive_layout.ERROR_PREFIX.startswith(ERROR_ROOT)


def test_days_between_spans_midnight_in_utc() -> None:
    start = datetime(2026, 11, 27, 23, 58, tzinfo=UTC)
    end = datetime(2026, 11, 28, 0, 3, tzinfo=UTC)
    assert days_between(start, end) == [date(2026, 11, 27), date(2026, 11, 28)]


def test_days_between_is_one_day_within_a_day() -> None:
    start = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)
    assert days_between(start, start) == [date(2026, 11, 27)]


def test_partitioned_object_yields_every_event_with_its_envelope() -> None:
    data = partitioned_object(
        [envelope("/aws/lambda/a", ["one", "two"]), envelope("/aws/lambda/a", ["three"])]
    )
    events = list(iter_events(data, PARTITIONED))
    assert [event.message for event in events] == ["one", "two", "three"]
    assert events[0] == ArchivedEvent(
        message="one",
        owner=SOURCE_ACCOUNT,
        log_group="/aws/lambda/a",
        log_stream="stream-1",
        event_id="0" * 56,
        timestamp=1_764_200_000_000,
    )


def test_raw_concatenated_gzip_envelopes_decode_as_the_reference_guide_stores_them() -> None:
    data = raw_object([envelope("delivery-test", ["a"]), envelope("delivery-test", ["b", "c"])])
    assert [event.message for event in iter_events(data, RAW)] == ["a", "b", "c"]
    assert [event.message for event in iter_events(data, PARTITIONED)] == ["a", "b", "c"]


def test_raw_envelopes_compressed_again_by_the_stream_decode() -> None:
    data = gzip.compress(raw_object([envelope("g", ["twice"])]))
    assert [event.message for event in iter_events(data, RAW)] == ["twice"]


def test_control_messages_carry_no_events() -> None:
    data = partitioned_object(
        [
            envelope(
                "g",
                ["CWL CONTROL MESSAGE: Checking health of destination"],
                owner="CloudwatchLogs",
                message_type="CONTROL_MESSAGE",
            ),
            envelope("g", ["real"]),
        ]
    )
    assert [event.message for event in iter_events(data, PARTITIONED)] == ["real"]


def test_messages_object_yields_one_event_per_line() -> None:
    data = gzip_lines(["first line", '{"level":"info","msg":"json is a message too"}'])
    assert list(iter_events(data, MESSAGES)) == [
        ArchivedEvent(message="first line"),
        ArchivedEvent(message='{"level":"info","msg":"json is a message too"}'),
    ]


def test_find_event_returns_the_event_holding_the_token() -> None:
    data = partitioned_object(
        [envelope("g", ["noise"]), envelope("g", ["before", "check abc123 here", "after"])]
    )
    found = find_event(data, PARTITIONED, "abc123")
    assert found is not None
    assert (found.message, found.event_id) == ("check abc123 here", f"{1:056d}")


def test_find_event_returns_none_when_the_token_is_absent() -> None:
    assert find_event(gzip_lines(["a", "b"]), MESSAGES, "abc123") is None


@pytest.mark.parametrize(
    ("data", "layout", "message"),
    [
        pytest.param(b"\x1f\x8bnot really gzip", PARTITIONED, "not valid gzip", id="broken-gzip"),
        pytest.param(
            gzip_lines(["plain text"]), PARTITIONED, "not a CloudWatch Logs envelope", id="text-as-envelopes"
        ),
        pytest.param(
            gzip_lines(['{"a": 1}']), PARTITIONED, "not a CloudWatch Logs envelope", id="json-not-an-envelope"
        ),
        pytest.param(gzip_lines(["[1, 2]"]), RAW, "not a CloudWatch Logs envelope", id="json-array"),
    ],
)
def test_objects_that_do_not_match_their_layout_raise_decode_error(
    data: bytes, layout: str, message: str
) -> None:
    with pytest.raises(DecodeError, match=message):
        list(iter_events(data, layout))
