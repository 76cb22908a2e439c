"""Names of the source stack's resources: unique and stable for any valid log-group name.

Pulumi logical names may hold any character except the URN delimiter ``::``, and a log-group
name (``[.\\-_/#A-Za-z0-9]{1,512}``) holds no colon at all, so the log-group name itself goes into
the logical name, unchanged. Slugging it instead (``/app/a-b`` and ``/app/a/b`` both becoming
``app-a-b``) merges distinct log groups; hashing it makes previews unreadable. Kept verbatim,
two distinct log groups can never collide, names are O(1) to build, and adding or removing one
log group changes only that log group's resources.

A logical name is ``<component>-<kind>-<region>-<log group>``. Within one resource type the
prefix ``<component>-<kind>-`` is fixed and a region code (``validation.REGION``) holds exactly
one digit, its last character: the first digit after the prefix ends the region, so the name
parses back to one (region, log group) pair.

Physical names: CloudWatch Logs identifies a subscription filter by name within its log group
and an account policy by name within its account and region, and both ``Put`` APIs upsert by
name. A subscription filter's name carries a digest of its destination ARN (the one input
besides name and log group that forces a replacement), so a new destination gives a new filter
created before the old one is deleted. The account policy keeps one fixed name: AWS allows one
subscription policy per account and region, so its replacement must be an upsert by that name.
"""

from __future__ import annotations

import hashlib

SUBSCRIPTION_FILTER_PREFIX = "log-archive"
"""Start of the physical name of every subscription filter this stack puts on a log group."""
ACCOUNT_POLICY_NAME = "log-archive"
"""Physical name of the account-level subscription filter policy (one per account and region)."""


def subscription_filter_name(destination_arn: str) -> str:
    """``log-archive-<8 hex digits of sha256(destination ARN)>``: stable per destination."""
    digest = hashlib.sha256(destination_arn.encode()).hexdigest()[:8]
    return f"{SUBSCRIPTION_FILTER_PREFIX}-{digest}"


def log_group_resource(component: str, region: str, log_group: str) -> str:
    """Logical name of the ``LogGroup`` the stack creates for ``log_group`` in ``region``."""
    return f"{component}-group-{region}-{log_group}"


def subscription_filter_resource(component: str, region: str, log_group: str) -> str:
    """Logical name of the subscription filter on ``log_group`` in ``region``."""
    return f"{component}-filter-{region}-{log_group}"


def account_policy_resource(component: str, region: str) -> str:
    """Logical name of the account-level subscription filter policy in ``region``."""
    return f"{component}-account-policy-{region}"


HEARTBEAT_LOG_GROUP_PREFIX = "/log-archive/heartbeat/"
"""Start of every heartbeat log group's name; the region follows."""
HEARTBEAT_MARKER = "logArchiveHeartbeat"
"""Key of every heartbeat message (a JSON object): ``{"logArchiveHeartbeat": true, "account":
..., "region": ..., "time": ..., "id": ...}``. Readers (``tools.coverage``) match on it."""


def heartbeat_log_group(region: str) -> str:
    """``/log-archive/heartbeat/<region>``: the log group a source's heartbeats go to in ``region``.

    The region is in the name because the archive's partitioned layout keys objects by account and
    log group only: ``logs/account=<id>/log_group=%2Flog-archive%2Fheartbeat%2F<region>/``.
    """
    return f"{HEARTBEAT_LOG_GROUP_PREFIX}{region}"
