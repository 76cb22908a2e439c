"""IAM documents of the role CloudWatch Logs uses in a source account (organization form only).

When the archive's destination policy grants an AWS Organization instead of listing accounts,
CloudWatch Logs requires a role ARN on every subscription filter and account policy; it assumes
that role in the source account to check the sender may subscribe (AWS docs:
CreateSubscriptionFilter-IAMrole). With an account-list destination policy no role is needed.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


def _log_group_arns(partition: str, account_id: str, regions: Sequence[str]) -> list[str]:
    """ARN patterns of every log group of ``account_id`` in ``regions``."""
    return [f"arn:{partition}:logs:{region}:{account_id}:log-group:*" for region in regions]


def subscription_role_trust_policy(partition: str, account_id: str, regions: Sequence[str]) -> dict[str, Any]:
    """Trust for ``logs.amazonaws.com``, only on behalf of this account in the subscribed regions.

    The ``aws:SourceArn`` condition is the confused-deputy protection of the AWS docs
    (Subscriptions-confused-deputy): CloudWatch Logs acting for any other account or region
    cannot assume the role.
    """
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "CloudWatchLogsOfThisAccount",
                "Effect": "Allow",
                "Principal": {"Service": "logs.amazonaws.com"},
                "Action": "sts:AssumeRole",
                "Condition": {
                    "StringLike": {
                        "aws:SourceArn": [
                            f"arn:{partition}:logs:{region}:{account_id}:*" for region in regions
                        ]
                    }
                },
            }
        ],
    }


def subscription_role_permissions(partition: str, account_id: str, regions: Sequence[str]) -> dict[str, Any]:
    """``logs:PutLogEvents`` on this account's log groups in the subscribed regions, nothing else.

    AWS docs (CreateSubscriptionFilter-IAMrole) grant exactly this action on the subscribed log
    group. The log-group wildcard per region (rather than one ARN per log group) keeps the
    document small for thousands of log groups, covers the account-level policy (which applies
    to every log group), and means adding or removing a log group never changes the role.
    """
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "ForwardSubscribedLogEvents",
                "Effect": "Allow",
                "Action": "logs:PutLogEvents",
                "Resource": _log_group_arns(partition, account_id, regions),
            }
        ],
    }
