"""Where the archive puts log events in S3 and how to read them back.

Layouts (the archive stack's ``layout`` output; see ``components/layout.py``):

``partitioned``
    ``<logPrefix>account=<source account>/log_group=<log group, jq @uri>/dt=<yyyy-MM-dd>/<object>.gz``.
    Each object is GZIP; its lines are CloudWatch Logs envelopes (``{"messageType":
    "DATA_MESSAGE", "owner", "logGroup", "logStream", "subscriptionFilters", "logEvents": [{"id",
    "timestamp", "message"}]}``), already decompressed by Firehose and re-compressed as a whole.
``messages``
    ``<logPrefix>dt=<yyyy-MM-dd>/<object>.gz``; GZIP; one plain log message per line.
``raw``
    Not produced by this project: the reference guide's setup, a Firehose stream with a static
    prefix and no processing, which stores what CloudWatch Logs sends as is. Keys are Firehose's
    default ``<prefix>yyyy/MM/dd/HH/<object>``; each object is a run of concatenated gzip members,
    one CloudWatch Logs envelope each.

Dates are UTC and come from the time the record reached Firehose. Reading is deliberately
lenient: every layer of gzip is removed (a multi-member object, and an object compressed twice
when raw CloudWatch data went through a stream with GZIP output), and envelopes may be separated
by newlines or simply concatenated, so a ``partitioned`` key holding raw envelopes decodes too.
Envelopes whose ``messageType`` is not ``DATA_MESSAGE`` (CloudWatch Logs' ``CONTROL_MESSAGE``
test records) carry no events and are skipped.
"""

from __future__ import annotations

import gzip
import io
import json
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, Final
from urllib.parse import quote

PARTITIONED: Final = "partitioned"
MESSAGES: Final = "messages"
RAW: Final = "raw"
LAYOUTS = (PARTITIONED, MESSAGES, RAW)
ERROR_ROOT = "errors/"
"""Where Firehose writes records it could not process or deliver: ``errors/<type>/dt=<day>/``."""
GZIP_MAGIC = b"\x1f\x8b"


class DecodeError(ValueError):
    """An object that does not hold what its layout promises."""


@dataclass(frozen=True)
class ArchivedEvent:
    """One log event read back from the archive; envelope fields are ``None`` for ``messages``."""

    message: str
    owner: str | None = None
    log_group: str | None = None
    log_stream: str | None = None
    event_id: str | None = None
    timestamp: int | None = None


def encode_log_group(name: str) -> str:
    """The log group as the ``log_group=`` partition spells it: jq's ``@uri`` percent-encoding."""
    return quote(name, safe="")


def days_between(start: datetime, end: datetime) -> list[date]:
    """Every UTC day from ``start`` to ``end`` inclusive (one day, or two around midnight)."""
    first = start.astimezone(UTC).date()
    last = max(end.astimezone(UTC).date(), first)
    return [first + timedelta(days=offset) for offset in range((last - first).days + 1)]


def day_prefix(layout: str, log_prefix: str, account: str, log_group: str, day: date) -> str:
    """The key prefix under which ``layout`` stores ``log_group``'s events of ``day``."""
    base = log_prefix if log_prefix.endswith("/") or not log_prefix else log_prefix + "/"
    if layout == PARTITIONED:
        return f"{base}account={account}/log_group={encode_log_group(log_group)}/dt={day.isoformat()}/"
    if layout == MESSAGES:
        return f"{base}dt={day.isoformat()}/"
    if layout == RAW:
        return f"{base}{day:%Y/%m/%d}/"
    raise ValueError(f"unknown layout {layout!r}; expected one of {', '.join(LAYOUTS)}")


def _decompressed(data: bytes) -> io.BufferedIOBase:
    stream: io.BufferedIOBase = io.BytesIO(data)
    head = data[:2]
    while head == GZIP_MAGIC:
        inner = gzip.GzipFile(fileobj=stream, mode="rb")
        head = inner.peek(2)[:2]
        stream = inner
    return stream


def _lines(data: bytes) -> Iterator[bytes]:
    try:
        yield from _decompressed(data)
    except (OSError, EOFError, zlib.error) as error:
        raise DecodeError(f"not valid gzip: {error}") from None


def _envelope_events(envelope: Any) -> Iterator[ArchivedEvent]:
    if not isinstance(envelope, dict) or "messageType" not in envelope:
        raise DecodeError("a JSON value that is not a CloudWatch Logs envelope")
    if envelope["messageType"] != "DATA_MESSAGE":
        return
    for event in envelope.get("logEvents") or []:
        yield ArchivedEvent(
            message=str(event.get("message", "")),
            owner=envelope.get("owner"),
            log_group=envelope.get("logGroup"),
            log_stream=envelope.get("logStream"),
            event_id=event.get("id"),
            timestamp=event.get("timestamp"),
        )


def _envelopes(chunk: str) -> Iterator[Any]:
    decoder = json.JSONDecoder()
    position = 0
    while True:
        while position < len(chunk) and chunk[position].isspace():
            position += 1
        if position == len(chunk):
            return
        try:
            value, position = decoder.raw_decode(chunk, position)
        except json.JSONDecodeError as error:
            raise DecodeError(f"not a CloudWatch Logs envelope: {error}") from None
        yield value


def _chunk_events(line: bytes, layout: str) -> Iterator[ArchivedEvent]:
    text = line.decode("utf-8", errors="replace")
    if layout == MESSAGES:
        yield ArchivedEvent(message=text.rstrip("\r\n"))
        return
    for envelope in _envelopes(text):
        yield from _envelope_events(envelope)


def iter_events(data: bytes, layout: str) -> Iterator[ArchivedEvent]:
    """Every log event of one archive object, in order. Raises ``DecodeError``."""
    if layout not in LAYOUTS:
        raise ValueError(f"unknown layout {layout!r}; expected one of {', '.join(LAYOUTS)}")
    for line in _lines(data):
        yield from _chunk_events(line, layout)


def find_event(data: bytes, layout: str, token: str) -> ArchivedEvent | None:
    """The first event of the object whose message contains ``token`` (an ASCII string).

    Lines are searched as bytes and only the first line and lines holding the token are parsed,
    so a large object costs little more than its decompression; parsing the first line still
    raises ``DecodeError`` for an object that does not hold what its layout promises.
    """
    needle = token.encode("ascii")
    for number, line in enumerate(_lines(data)):
        if number == 0 or needle in line:
            for event in list(_chunk_events(line, layout)):
                if token in event.message:
                    return event
    return None
