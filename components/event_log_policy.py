"""The log group resource policy under which one EventBridge rule writes into one log group (the
heartbeat's, ``components.heartbeat``; the change record's, ``components.subscription_changes``)."""

from __future__ import annotations

from typing import Any

WRITER_SERVICES = ("delivery.logs.amazonaws.com", "events.amazonaws.com")


def rule_writes(sid: str, log_group_arn: str, rule_arn: str, account_id: str) -> dict[str, Any]:
    """Lets the rule ``rule_arn`` of ``account_id``, and nothing else, create streams and put
    events in the log group ``log_group_arn``."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": sid,
                "Effect": "Allow",
                "Principal": {"Service": list(WRITER_SERVICES)},
                "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                "Resource": log_group_arn + ":*",
                "Condition": {
                    "ArnEquals": {"aws:SourceArn": rule_arn},
                    "StringEquals": {"aws:SourceAccount": account_id},
                },
            }
        ],
    }
