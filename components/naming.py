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

Physical names are fixed per log group (subscription filter) or per account and region
(account policy): CloudWatch Logs identifies both by name within their scope.
"""

from __future__ import annotations

SUBSCRIPTION_FILTER_NAME = "log-archive"
"""Physical name of every subscription filter this stack puts on a log group."""
ACCOUNT_POLICY_NAME = "log-archive"
"""Physical name of the account-level subscription filter policy (one per account and region)."""


def log_group_resource(component: str, region: str, log_group: str) -> str:
    """Logical name of the ``LogGroup`` the stack creates for ``log_group`` in ``region``."""
    return f"{component}-group-{region}-{log_group}"


def subscription_filter_resource(component: str, region: str, log_group: str) -> str:
    """Logical name of the subscription filter on ``log_group`` in ``region``."""
    return f"{component}-filter-{region}-{log_group}"


def account_policy_resource(component: str, region: str) -> str:
    """Logical name of the account-level subscription filter policy in ``region``."""
    return f"{component}-account-policy-{region}"
