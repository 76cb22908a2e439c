"""The account-level subscription filter policy, as data: shared by ``LogSource`` and the
organization stack's StackSet template, so both give an account exactly the same policy.

AWS allows one ``SUBSCRIPTION_FILTER_POLICY`` per account and region (PutAccountPolicy); the
policy covers existing and future log groups except those its selection criteria leave out.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

POLICY_TYPE = "SUBSCRIPTION_FILTER_POLICY"
SCOPE = "ALL"


def selection_criteria(excluded_log_groups: Iterable[str]) -> str | None:
    """``LogGroupName NOT IN [...]`` over the sorted names, or ``None`` to cover every log group."""
    names = sorted(set(excluded_log_groups))
    if not names:
        return None
    return f"LogGroupName NOT IN {json.dumps(names)}"


def policy_document(destination_arn: Any, filter_pattern: str, role_arn: Any | None) -> dict[str, Any]:
    """The policy document: the destination, the events to send and, in the organization form,
    the role CloudWatch Logs assumes in the account (``None``: no ``RoleArn`` key at all)."""
    document: dict[str, Any] = {"DestinationArn": destination_arn, "FilterPattern": filter_pattern}
    if role_arn is not None:
        document["RoleArn"] = role_arn
    return document
