"""Which of the facts docs/security.md could not verify failed, read from Firehose's error log.

Firehose logs every failed S3 delivery to the stream's error log group as JSON
(``{"deliveryStreamARN", "destination", "message", "errorCode"}``); the error code and message
tell the three unverified facts apart from the ordinary failures:

- ``OBJECT LOCK CHECKSUM``: S3 refused the upload because it carried no ``Content-MD5`` or
  ``x-amz-checksum-*`` header, which a bucket with a default retention requires;
- ``CROSS-REGION DELIVERY``: a stream outside the bucket's home region could not reach it;
- ``ROLE TRUST``: not in this log (CloudWatch Logs fails before Firehose sees a record), told
  by ``ROLE_TRUST_HINT``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from botocore.exceptions import BotoCoreError, ClientError

if TYPE_CHECKING:
    from types_boto3_logs import CloudWatchLogsClient

MAX_EVENTS = 100
REDIRECT_CODES = frozenset(
    {"S3.PermanentRedirect", "S3.AuthorizationHeaderMalformed", "S3.IllegalLocationConstraintException"}
)
"""What S3 answers a request signed for, or sent to, another region than the bucket's."""
ROLE_TRUST_HINT = (
    "ROLE TRUST (CloudWatch Logs request context): if the source log group's AWS/Logs "
    "DeliveryErrors is above 0 while the stream's IncomingRecords stays 0, CloudWatch Logs could "
    "not assume the logs role (archive account) or, in the organization form, the subscription role "
    "(source account): the aws:SourceAccount / aws:SourceArn / aws:SourceOrgID it sends does not match "
    "the role's trust policy (docs/security.md, unverified fact 3)"
)


def classify(code: str, message: str, stream_region: str, home_region: str) -> str:
    """One line naming the failed fact (or the plain error) for one Firehose error record."""
    text = message.lower()
    if "content-md5" in text or "x-amz-checksum" in text:
        return (
            f"OBJECT LOCK CHECKSUM: S3 refused Firehose's upload without a checksum header ({code}: "
            f"{message}); Firehose cannot write into a bucket with a default retention "
            "(docs/security.md, unverified fact 1)"
        )
    if code in REDIRECT_CODES or (
        stream_region != home_region and code.startswith("S3.") and "region" in text
    ):
        return (
            f"CROSS-REGION DELIVERY: the stream in {stream_region} could not write to the bucket in "
            f"{home_region} ({code}: {message}) (docs/security.md, unverified fact 2)"
        )
    if code.startswith("KMS.") or "kms" in code.lower():
        return f"KMS: the Firehose role could not use the archive key ({code}: {message})"
    return f"{code}: {message}"


def causes(records: Iterable[str], stream_region: str, home_region: str) -> list[str]:
    """The distinct classified lines of the error log's messages, in first-seen order."""
    found: list[str] = []
    for record in records:
        try:
            parsed: Any = json.loads(record)
        except ValueError:
            parsed = {"message": record}
        if not isinstance(parsed, dict):
            continue
        code = str(parsed.get("errorCode", "Unknown"))  # pyright: ignore[reportUnknownMemberType]
        message = str(parsed.get("message", ""))  # pyright: ignore[reportUnknownMemberType]
        line = classify(code, message, stream_region, home_region)
        if line not in found:
            found.append(line)
    return found


def firehose_causes(
    logs: CloudWatchLogsClient, log_group: str, since: float, stream_region: str, home_region: str
) -> list[str]:
    """Classified errors Firehose logged since ``since``; a line saying why when unreadable."""
    try:
        events = logs.filter_log_events(
            logGroupName=log_group, startTime=int(since * 1000), limit=MAX_EVENTS
        ).get("events", [])
    except (ClientError, BotoCoreError) as error:
        return [f"could not read Firehose's error log {log_group} ({error}); it needs logs:FilterLogEvents"]
    return causes((event.get("message", "") for event in events), stream_region, home_region)
