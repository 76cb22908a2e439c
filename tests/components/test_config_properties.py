"""Property: any value of any key either parses to a valid setting or raises ``ConfigError``,
never anything else (no ``OverflowError`` from ``int(inf)``, no ``TypeError`` from a list where a
string was expected, no ``KeyError`` from a map missing a field)."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from components import outputs
from components.archive_args import LogArchiveArgs
from components.archive_reference import parse_outputs
from components.log_source import plan
from components.source_args import LogSourceArgs
from components.stack_config import ARCHIVE_KEYS, SOURCE_KEYS, Kind, StackConfig
from components.subscription_changes import bus_arn
from components.validation import ConfigError

ARCHIVE_ACCOUNT = "222222222222"
SOURCE_ACCOUNT = "111111111111"
REGION = "ap-northeast-1"
ARCHIVE_STACK = "organization/log-archive/account-b"
PROPERTY = settings(max_examples=30, deadline=None)
KINDS: tuple[Kind, ...] = ("archive", "source")

SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(),
    st.text(alphabet=' \t\n\u3000\uff10\uff11\u0661abcdefghijklmnopqrstuvwxyz0123456789-./:@{}[]()"%*'),
    st.sampled_from(["Infinity", "-Infinity", "NaN", "1e400", "30.0", "+30", " 30", "030", "64", "true", ""]),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=8,
)
LOG_GROUP_ENTRIES = st.lists(
    st.dictionaries(st.sampled_from(["name", "filterPattern", "create", "retentionDays"]), VALUES),
    max_size=3,
)


def raw(value: Any) -> str:
    """A config value as Pulumi passes it: a string as is, anything else JSON-encoded (NaN and
    Infinity included, as Python's encoder writes them)."""
    return value if isinstance(value, str) else json.dumps(value)


def parse_or_refuse(parse: Callable[..., object], *args: Any) -> None:
    with contextlib.suppress(ConfigError):
        parse(*args)


def archive_config(key: str, value: Any) -> StackConfig:
    return StackConfig({"log-archive:sourceAccountIds": '["111111111111"]', f"log-archive:{key}": raw(value)})


def archive_outputs() -> dict[str, Any]:
    regions = (REGION, "us-east-1")
    return {
        outputs.DESTINATION_ARNS: {
            r: f"arn:aws:logs:{r}:{ARCHIVE_ACCOUNT}:destination:log-archive" for r in regions
        },
        outputs.ARCHIVE_ACCOUNT_ID: ARCHIVE_ACCOUNT,
        outputs.SOURCE_ACCOUNT_IDS: [SOURCE_ACCOUNT],
        outputs.SUBSCRIPTION_ROLE_REQUIRED: False,
        outputs.PIPELINE_LOG_GROUPS: {r: [f"/aws/kinesisfirehose/log-archive-{r}"] for r in regions},
        outputs.CHANGE_BUS_ARNS: {r: bus_arn("aws", ARCHIVE_ACCOUNT, r) for r in regions},
    }


VALID_ARCHIVE = parse_outputs(ARCHIVE_STACK, archive_outputs(), frozenset())


def parse_source(config: StackConfig, region: str = REGION) -> None:
    plan(LogSourceArgs.from_config(config, SOURCE_ACCOUNT, region), VALID_ARCHIVE)


@pytest.mark.parametrize("key", ARCHIVE_KEYS)
@PROPERTY
@given(value=VALUES)
def test_any_archive_value_parses_or_is_a_config_error(key: str, value: Any) -> None:
    parse_or_refuse(
        LogArchiveArgs.from_config, archive_config(key, value), ARCHIVE_ACCOUNT, REGION, "log-archive"
    )


@pytest.mark.parametrize("key", SOURCE_KEYS)
@PROPERTY
@given(value=VALUES)
def test_any_source_value_parses_or_is_a_config_error(key: str, value: Any) -> None:
    config = {"log-archive:archiveStack": ARCHIVE_STACK, "log-archive:logGroups": '[{"name": "a"}]'}
    config[f"log-archive:{key}"] = raw(value)
    parse_or_refuse(parse_source, StackConfig(config))


@PROPERTY
@given(
    entries=LOG_GROUP_ENTRIES,
    policy=st.dictionaries(st.sampled_from(["filterPattern", "excludeLogGroups"]), VALUES),
)
def test_any_log_group_entry_or_account_policy_parses_or_is_a_config_error(
    entries: list[dict[str, Any]], policy: dict[str, Any]
) -> None:
    config = {
        "log-archive:archiveStack": ARCHIVE_STACK,
        "log-archive:logGroups": json.dumps(entries),
        "log-archive:accountPolicy": json.dumps(policy),
    }
    parse_or_refuse(parse_source, StackConfig(config))


@PROPERTY
@given(region=st.text() | st.sampled_from(["cn-north-1", "us-gov-west-1", "us-east-9", "aws-global"]))
def test_any_home_region_parses_or_is_a_config_error(region: str) -> None:
    parse_or_refuse(
        LogArchiveArgs.from_config,
        archive_config("layout", "partitioned"),
        ARCHIVE_ACCOUNT,
        region,
        "log-archive",
    )
    config = StackConfig(
        {"log-archive:archiveStack": ARCHIVE_STACK, "log-archive:logGroups": '[{"name": "a"}]'}
    )
    parse_or_refuse(parse_source, config, region)


@pytest.mark.parametrize("output", [*outputs.ARCHIVE_REQUIRED, outputs.ORGANIZATION_ID])
@PROPERTY
@given(value=VALUES)
def test_any_archive_output_is_accepted_or_a_config_error(output: str, value: Any) -> None:
    parse_or_refuse(parse_outputs, ARCHIVE_STACK, {**archive_outputs(), output: value}, frozenset())


@PROPERTY
@given(key=st.text(min_size=1), value=VALUES, kind=st.sampled_from(KINDS))
def test_any_key_is_known_or_a_config_error(key: str, value: Any, kind: Kind) -> None:
    config = StackConfig({f"log-archive:{key}": raw(value)})
    parse_or_refuse(config.check_keys, kind)
