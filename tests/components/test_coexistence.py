"""An account enrolled by the organization stack's StackSet and with its own source stack."""

from __future__ import annotations

import pytest

from components.source_args import LogSourceArgs
from components.stack_config import StackConfig
from components.validation import ConfigError

ARCHIVE_STACK = "organization/log-archive/account-b"


def source(**values: str) -> StackConfig:
    return StackConfig(
        {"log-archive:archiveStack": ARCHIVE_STACK, **{f"log-archive:{k}": v for k, v in values.items()}}
    )


def test_an_enrolled_accounts_source_stack_may_not_add_a_second_account_policy() -> None:
    with pytest.raises(ConfigError) as raised:
        LogSourceArgs.from_config(
            source(stackSetEnrolled="true", accountPolicy="{}"), "111111111111", "ap-northeast-1"
        )
    assert str(raised.value).startswith(
        "log-archive:accountPolicy: this account is enrolled by the organization stack's StackSet "
        "(stackSetEnrolled: true)"
    )


def test_an_enrolled_accounts_source_stack_keeps_its_log_group_filters() -> None:
    args = LogSourceArgs.from_config(
        source(stackSetEnrolled="true", logGroups='[{"name": "/app/web"}]'), "111111111111", "ap-northeast-1"
    )
    assert args.stack_set_enrolled is True
    assert args.account_policy is None
    assert [group.name for group in args.log_groups] == ["/app/web"]


def test_stack_set_enrolled_is_a_strict_boolean() -> None:
    with pytest.raises(ConfigError) as raised:
        LogSourceArgs.from_config(
            source(stackSetEnrolled="1", logGroups='[{"name": "/app/web"}]'), "111111111111", "ap-northeast-1"
        )
    assert str(raised.value) == "log-archive:stackSetEnrolled: 1 is not a boolean. Expected true or false."


def test_an_enrolled_accounts_source_stack_leaves_the_heartbeat_to_the_stack_set() -> None:
    for values in ({}, {"heartbeatMinutes": "0"}):
        args = LogSourceArgs.from_config(
            source(stackSetEnrolled="true", logGroups='[{"name": "/app/web"}]', **values),
            "111111111111",
            "ap-northeast-1",
        )
        assert args.heartbeat_minutes == 0


def test_an_enrolled_accounts_source_stack_may_not_write_a_second_heartbeat() -> None:
    """The rule and the log resource policy are upserts by name: a second writer overwrites."""
    with pytest.raises(ConfigError) as raised:
        LogSourceArgs.from_config(
            source(stackSetEnrolled="true", logGroups='[{"name": "/app/web"}]', heartbeatMinutes="5"),
            "111111111111",
            "ap-northeast-1",
        )
    message = str(raised.value)
    assert message.startswith(
        "log-archive:heartbeatMinutes: this account is enrolled by the organization stack's StackSet "
        "(stackSetEnrolled: true), whose template writes this account's heartbeats"
    )
    assert "PutRule and PutResourcePolicy upsert by name" in message
    assert message.endswith(
        "Expected 0 or no heartbeatMinutes here, or stackSetEnrolled: false for an account outside the "
        "StackSet's OUs."
    )
