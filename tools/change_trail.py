"""Whether a source account and region records the calls the subscription-change alarm needs.

EventBridge receives *AWS API Call via CloudTrail* events only while a trail logs management
write events in that region (EventBridge user guide, "AWS service events delivered via AWS
CloudTrail"). Without one, ``components.subscription_changes`` forwards nothing and its alarm
stays quiet whatever happens to the subscriptions. ``tools.verify_delivery`` prints this check
with the source credentials.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from botocore.exceptions import BotoCoreError, ClientError

if TYPE_CHECKING:
    from types_boto3_cloudtrail import CloudTrailClient


def records_management_writes(selectors: Mapping[str, Any]) -> bool:
    """Whether ``GetEventSelectors``'s answer selects management write events. A trail without
    selectors logs every management event (CloudTrail's default for a new trail)."""
    if not selectors.get("EventSelectors") and not selectors.get("AdvancedEventSelectors"):
        return True
    for selector in selectors.get("EventSelectors", []):
        if (
            selector.get("IncludeManagementEvents", True)
            and selector.get("ReadWriteType", "All") != "ReadOnly"
        ):
            return True
    for advanced in selectors.get("AdvancedEventSelectors", []):
        fields: Iterable[Mapping[str, Any]] = advanced.get("FieldSelectors", [])
        by_field = {field["Field"]: field for field in fields}
        category = by_field.get("eventCategory", {})
        read_only = by_field.get("readOnly", {})
        if "Management" in category.get("Equals", []) and "true" not in read_only.get("Equals", []):
            return True
    return False


def change_trail(cloudtrail: CloudTrailClient, region: str) -> str:
    """Which logging trail records management writes in ``region``, or what is missing (a line
    starting ``NOT RECORDED`` or ``UNVERIFIED``)."""
    try:
        trails = cloudtrail.describe_trails(includeShadowTrails=True)["trailList"]
    except (ClientError, BotoCoreError) as error:
        return f"UNVERIFIED: the trails cannot be read ({error}); needs cloudtrail:DescribeTrails"
    unread: list[str] = []
    for trail in trails:
        if not (trail.get("IsMultiRegionTrail") or trail.get("HomeRegion") == region):
            continue
        arn = trail.get("TrailARN", trail.get("Name", "?"))
        try:
            logging = cloudtrail.get_trail_status(Name=arn).get("IsLogging", False)
            selectors = cloudtrail.get_event_selectors(TrailName=arn)
        except (ClientError, BotoCoreError) as error:
            unread.append(f"{arn} ({error})")
            continue
        if logging and records_management_writes(selectors):
            kind = "organization trail" if trail.get("IsOrganizationTrail") else "trail"
            return f"recorded by {kind} {arn}"
    if unread:
        return (
            f"UNVERIFIED: the status of {', '.join(unread)} cannot be read; check in the account "
            "that owns the trail that it logs management write events"
        )
    return (
        f"NOT RECORDED: no trail logs management write events in {region}, so the archive's "
        "subscription-changes alarm cannot see a filter or account policy deleted here. Create a "
        "multi-region trail (or an organization trail) with management events"
    )
