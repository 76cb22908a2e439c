"""The archive stack's silence and heartbeat alarm settings, parsed and checked.

Kept apart from ``archive_args`` so the alarm settings change in one place; ``archive_args``
reads the values (``number``) and calls ``validate`` once the whole ``LogArchiveArgs`` exists.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from components import validation
from components.arrival import MAX_HEARTBEAT_RULES
from components.monitoring import PERIOD_SECONDS
from components.validation import ConfigError

if TYPE_CHECKING:
    from components.archive_args import LogArchiveArgs

SILENCE_KEY = "silenceMinutes"
SILENCE_RANGE = (10, 1440)
LATENESS_KEY = "heartbeatLatenessMinutes"
LATENESS_RANGE = (15, 1440)
"""At most a day: CloudWatch evaluates at most one day of 5-minute periods."""
ACCOUNTS_KEY = "heartbeatAccountIds"
ACCOUNTS_ACCEPTED = (
    'a list of 12-digit AWS account ids as quoted strings, e.g. ["111111111111"] ([] for none); '
    "each one allowed to subscribe (sourceAccountIds, the archive account, or organizationId)"
)
LATENESS_SLACK_MINUTES = 10
"""Beyond the Firehose buffer interval: one heartbeat interval (5 minutes by default) and S3's
delivery of the event."""


def account_ids(value: Any) -> tuple[str, ...] | None:
    return None if value is None else tuple(validation.account_ids(value, ACCOUNTS_KEY))


def validate(args: LogArchiveArgs) -> None:
    """Windows in whole alarm periods, a lateness that outlasts the buffer, accounts that may send
    heartbeats at all, and few enough pairs for the rules quota."""
    step = PERIOD_SECONDS // 60
    for key, minutes in (
        (SILENCE_KEY, args.silence_minutes),
        (LATENESS_KEY, args.heartbeat_lateness_minutes),
    ):
        if minutes % step:
            raise ConfigError(key, f"{minutes} is not a multiple of {step}", f"a multiple of {step} minutes")
    buffer_minutes = -(-args.buffering_interval_seconds // 60)
    if args.heartbeat_lateness_minutes < buffer_minutes + LATENESS_SLACK_MINUTES:
        raise ConfigError(
            LATENESS_KEY,
            f"{args.heartbeat_lateness_minutes} minutes is shorter than the Firehose buffer interval "
            f"({args.buffering_interval_seconds} s) plus {LATENESS_SLACK_MINUTES} minutes: healthy "
            "heartbeats would arrive late",
            f"at least {buffer_minutes + LATENESS_SLACK_MINUTES} minutes with this bufferingIntervalSeconds",
        )
    pairs = len(args.expected_heartbeats)
    if pairs > MAX_HEARTBEAT_RULES:
        raise ConfigError(
            ACCOUNTS_KEY,
            f"{pairs} account x region pairs need {pairs} EventBridge rules, over the "
            f"{MAX_HEARTBEAT_RULES} this stack allows itself of the default bus's 300",
            f"at most {MAX_HEARTBEAT_RULES // len(args.regions)} accounts with "
            f"{len(args.regions)} region(s); tools.coverage checks the others",
        )
    if args.heartbeat_account_ids is None:
        return
    if args.heartbeat_account_ids and args.layout == "messages":
        raise ConfigError(
            ACCOUNTS_KEY,
            "the messages layout keys objects by day only, so no heartbeat can be told apart by "
            "account and region; the per-region silence alarms still apply",
            'no heartbeatAccountIds (or []) with layout "messages", or layout "partitioned"',
        )
    if args.organization_id is None:
        allowed = {*args.source_account_ids, args.account_id}
        stray = [account for account in args.heartbeat_account_ids if account not in allowed]
        if stray:
            raise ConfigError(
                ACCOUNTS_KEY,
                f"{', '.join(stray)} may not subscribe (not in sourceAccountIds): its heartbeat "
                "alarm would never clear",
                ACCOUNTS_ACCEPTED,
            )
