"""Archive objects as Firehose (or CloudWatch Logs) writes them, for the tools' tests."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterable
from typing import Any

SOURCE_ACCOUNT = "123456789012"
"""moto's default account: the source account in the moto tests."""


def envelope(
    log_group: str,
    messages: Iterable[str],
    owner: str = SOURCE_ACCOUNT,
    log_stream: str = "stream-1",
    message_type: str = "DATA_MESSAGE",
) -> dict[str, Any]:
    """A CloudWatch Logs subscription envelope with one event per message."""
    return {
        "messageType": message_type,
        "owner": owner,
        "logGroup": log_group,
        "logStream": log_stream,
        "subscriptionFilters": ["log-archive"],
        "logEvents": [
            {"id": f"{index:056d}", "timestamp": 1_764_200_000_000 + index, "message": message}
            for index, message in enumerate(messages)
        ],
    }


def compact(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"))


def gzip_lines(lines: Iterable[str]) -> bytes:
    """One GZIP object of newline-terminated lines: what the archive's streams write."""
    return gzip.compress("".join(line + "\n" for line in lines).encode())


def partitioned_object(envelopes: Iterable[dict[str, Any]]) -> bytes:
    """A ``partitioned`` object: decompressed envelopes, one per line, gzipped as a whole."""
    return gzip_lines(compact(item) for item in envelopes)


def raw_object(envelopes: Iterable[dict[str, Any]]) -> bytes:
    """What a stream without processing stores: one gzip member per envelope, concatenated."""
    return b"".join(gzip.compress(compact(item).encode()) for item in envelopes)
