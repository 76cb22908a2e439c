"""The one view of the stack's config: both places Pulumi keeps it, and which keys are secret."""

from __future__ import annotations

import json

import pulumi
import pytest

from components import stack_config, validation
from components.stack_config import ARCHIVE_KEYS, SOURCE_KEYS, StackConfig


def test_the_cli_environment_and_explicitly_set_config_are_read_together(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(
        "PULUMI_CONFIG", json.dumps({"log-archive:layout": "messages", "log-archive:retentionDays": "30"})
    )
    monkeypatch.setenv("PULUMI_CONFIG_SECRET_KEYS", json.dumps(["log-archive:layout"]))
    pulumi.runtime.set_all_config(
        {"log-archive:retentionDays": "40", "log-archive:alarmEmail": "a@example.com"},
        ["log-archive:alarmEmail"],
    )

    config = stack_config.read()

    assert config.values == {
        "log-archive:layout": "messages",
        "log-archive:retentionDays": "40",
        "log-archive:alarmEmail": "a@example.com",
    }
    assert config.secret_keys == {"log-archive:layout", "log-archive:alarmEmail"}


def test_a_stack_is_a_source_exactly_when_archive_stack_is_set_even_to_nothing() -> None:
    assert StackConfig({}).kind == "archive"
    assert StackConfig({"log-archive:archiveStack": ""}).kind == "source"


def test_the_two_kinds_of_stack_share_no_key() -> None:
    assert not set(ARCHIVE_KEYS) & set(SOURCE_KEYS)


def test_keys_of_other_projects_and_of_the_aws_provider_are_left_alone() -> None:
    StackConfig({"aws:profile": "x", "aws:allowedAccountIds": "[]", "other:key": "1"}).check_keys("archive")


def test_every_region_botocore_lists_for_aws_has_the_shape_resource_names_rely_on() -> None:
    regions = validation.aws_regions()
    assert {"us-east-1", "ap-northeast-1", "eu-west-1"} <= regions
    assert "aws-global" not in regions
    assert all(validation.REGION.match(region) for region in regions)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        pytest.param("objectLockmode", "objectLockMode", id="case only"),
        pytest.param("retentionDay", "retentionDays", id="one letter short"),
        pytest.param("exclude", "excludeLogGroups", id="abbreviation"),
        pytest.param("regions", "sourceRegions", id="the other stack's word"),
        pytest.param("retentionDays", None, id="nothing close"),
    ],
)
def test_the_suggestion_is_the_likeliest_key(name: str, expected: str | None) -> None:
    candidates = ["objectLockMode", "retentionDays", "excludeLogGroups", "sourceRegions", "kmsKeyArn"]
    assert validation.suggestion(name, [c for c in candidates if c != name]) == expected
