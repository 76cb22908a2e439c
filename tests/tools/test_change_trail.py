"""tools.change_trail against moto's CloudTrail: which trails let the subscription-change alarm
see a source region's calls."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from tests.tools.moto_env import fake_credentials
from tools.change_trail import change_trail

REGION = "ap-northeast-1"
BUCKET = "trail-bucket"


@pytest.fixture
def cloudtrail(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    fake_credentials(monkeypatch, REGION)
    with mock_aws():
        boto3.client("s3", region_name=REGION).create_bucket(
            Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION}
        )
        yield boto3.client("cloudtrail", region_name=REGION)


def trail(cloudtrail: Any, name: str = "audit", *, logging: bool = True, multi_region: bool = True) -> str:
    arn = cloudtrail.create_trail(Name=name, S3BucketName=BUCKET, IsMultiRegionTrail=multi_region)["TrailARN"]
    if logging:
        cloudtrail.start_logging(Name=arn)
    return arn


def test_a_logging_multi_region_trail_with_default_selectors_records_the_changes(cloudtrail: Any) -> None:
    arn = trail(cloudtrail)
    assert change_trail(cloudtrail, REGION) == f"recorded by trail {arn}"


def test_without_any_trail_nothing_is_recorded(cloudtrail: Any) -> None:
    assert change_trail(cloudtrail, REGION).startswith(
        f"NOT RECORDED: no trail logs management write events in {REGION}"
    )


def test_a_stopped_trail_records_nothing(cloudtrail: Any) -> None:
    trail(cloudtrail, logging=False)
    assert change_trail(cloudtrail, REGION).startswith("NOT RECORDED")


def test_a_read_only_trail_records_no_deletion(cloudtrail: Any) -> None:
    arn = trail(cloudtrail)
    cloudtrail.put_event_selectors(
        TrailName=arn, EventSelectors=[{"ReadWriteType": "ReadOnly", "IncludeManagementEvents": True}]
    )
    assert change_trail(cloudtrail, REGION).startswith("NOT RECORDED")


def test_a_data_events_only_trail_records_no_management_call(cloudtrail: Any) -> None:
    arn = trail(cloudtrail)
    cloudtrail.put_event_selectors(
        TrailName=arn, EventSelectors=[{"ReadWriteType": "All", "IncludeManagementEvents": False}]
    )
    assert change_trail(cloudtrail, REGION).startswith("NOT RECORDED")


def test_advanced_selectors_of_management_writes_record_the_changes(cloudtrail: Any) -> None:
    arn = trail(cloudtrail)
    cloudtrail.put_event_selectors(
        TrailName=arn,
        AdvancedEventSelectors=[
            {
                "Name": "management writes",
                "FieldSelectors": [
                    {"Field": "eventCategory", "Equals": ["Management"]},
                    {"Field": "readOnly", "Equals": ["false"]},
                ],
            }
        ],
    )
    assert change_trail(cloudtrail, REGION) == f"recorded by trail {arn}"


def test_a_single_region_trail_elsewhere_does_not_count(monkeypatch: pytest.MonkeyPatch) -> None:
    fake_credentials(monkeypatch, "us-east-1")
    with mock_aws():
        boto3.client("s3", region_name="us-east-1").create_bucket(Bucket=BUCKET)
        elsewhere = boto3.client("cloudtrail", region_name="us-east-1")
        trail(elsewhere, multi_region=False)
        assert change_trail(boto3.client("cloudtrail", region_name=REGION), REGION).startswith("NOT RECORDED")


class Denied:
    """A CloudTrail client whose caller may not read trails."""

    def describe_trails(self, **_: Any) -> Any:
        raise ClientError({"Error": {"Code": "AccessDeniedException", "Message": "denied"}}, "DescribeTrails")


def test_unreadable_trails_are_reported_unverified_not_missing() -> None:
    line = change_trail(Denied(), REGION)  # pyright: ignore[reportArgumentType]
    assert line.startswith("UNVERIFIED: the trails cannot be read")
    assert "cloudtrail:DescribeTrails" in line
