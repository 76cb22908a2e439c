"""The StackSet rules through the analyzer protocol: the organization stack's real template
passes, and each mutation of it yields exactly the expected violations."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from components import heartbeat, organization_template
from components.subscription_changes import bus_arn
from offline.analyzer import PolicyPackProcess
from tests.policy_pack.world import ARCHIVE, REGION, Json, Spec, World, violations

MANAGEMENT = "333333333333"
TRUST = "cloudformation-stackset-logs-trust-requires-source-condition"
DESTINATION = "cloudformation-stackset-account-policy-archive-destination"
M = "mandatory"
REGIONS = (REGION, "us-east-1")


def template() -> dict[str, Any]:
    return organization_template.template(
        REGIONS,
        destination_arns={r: f"arn:aws:logs:{r}:{ARCHIVE}:destination:log-archive" for r in REGIONS},
        change_bus_arns={r: bus_arn("aws", ARCHIVE, r) for r in REGIONS},
        filter_pattern="",
        excluded_log_groups=[f"/aws/kinesisfirehose/log-archive-{REGION}"],
        heartbeat_minutes=heartbeat.DEFAULT_HEARTBEAT_MINUTES,
    )


def organization_world(body: dict[str, Any]) -> World:
    return World(
        "organization",
        {
            "management": Spec(
                "pulumi:providers:aws",
                {"region": REGION, "allowedAccountIds": json.dumps([MANAGEMENT])},
            ),
            "stack-set": Spec(
                "aws:cloudformation/stackSet:StackSet",
                {"name": "log-archive-sources", "templateBody": Json(body)},
                provider="management",
            ),
        },
    )


@dataclass(frozen=True)
class Mutation:
    id: str
    change: Callable[[dict[str, Any]], None]
    expected: set[tuple[str, str, str]]


def role(body: dict[str, Any]) -> dict[str, Any]:
    return body["Resources"]["SubscriptionRole"]["Properties"]


def document(body: dict[str, Any]) -> list[Any]:
    return body["Resources"]["AccountPolicy"]["Properties"]["PolicyDocument"]["Fn::Sub"]


def set_document(body: dict[str, Any], **changes: Any) -> None:
    text, variables = document(body)
    parsed = json.loads(text)
    parsed.update(changes)
    document(body)[0] = json.dumps({k: v for k, v in parsed.items() if v is not None})
    del variables


def set_destination(region: str, arn: str) -> Callable[[dict[str, Any]], None]:
    def change(body: dict[str, Any]) -> None:
        body["Mappings"]["Destinations"][region]["Arn"] = arn

    return change


MUTATIONS = [
    Mutation(
        "role trust without its source-arn condition",
        lambda body: role(body)["AssumeRolePolicyDocument"]["Statement"][0].pop("Condition"),
        {(TRUST, "stack-set", M)},
    ),
    Mutation(
        "role trust conditioned on a wildcard source arn",
        lambda body: role(body)["AssumeRolePolicyDocument"]["Statement"][0].update(
            Condition={"StringLike": {"aws:SourceArn": "arn:aws:logs:*:*:*"}}
        ),
        {(TRUST, "stack-set", M)},
    ),
    Mutation(
        "a destination in the administering account",
        set_destination("us-east-1", f"arn:aws:logs:us-east-1:{MANAGEMENT}:destination:log-archive"),
        {(DESTINATION, "stack-set", M)},
    ),
    Mutation(
        "a destination templated on the enrolled account",
        set_destination("us-east-1", "arn:aws:logs:us-east-1:${AWS::AccountId}:destination:log-archive"),
        {(DESTINATION, "stack-set", M)},
    ),
    Mutation(
        "destinations in two accounts",
        set_destination("us-east-1", "arn:aws:logs:us-east-1:444444444444:destination:log-archive"),
        {(DESTINATION, "stack-set", M)},
    ),
    Mutation(
        "a stream instead of a destination",
        set_destination("us-east-1", f"arn:aws:firehose:us-east-1:{ARCHIVE}:deliverystream/x"),
        {(DESTINATION, "stack-set", M)},
    ),
    Mutation(
        "an account policy without a role arn",
        lambda body: set_document(body, RoleArn=None),
        {(DESTINATION, "stack-set", M)},
    ),
]


def test_the_organization_template_has_no_violation(archive_pack: PolicyPackProcess) -> None:
    world = organization_world(template())
    assert violations(archive_pack.analyze(world.registrations(preview=False))) == set()


@pytest.mark.parametrize("mutation", MUTATIONS, ids=[m.id for m in MUTATIONS])
def test_each_template_mutation_yields_exactly_the_expected_violations(
    archive_pack: PolicyPackProcess, mutation: Mutation
) -> None:
    body = copy.deepcopy(template())
    mutation.change(body)
    world = organization_world(body)
    assert violations(archive_pack.analyze(world.registrations(preview=False))) == mutation.expected


def test_a_template_body_that_is_not_json_is_a_violation_of_both_rules(
    archive_pack: PolicyPackProcess,
) -> None:
    world = organization_world({})
    world["stack-set"].inputs["templateBody"] = "Resources: {}"
    assert violations(archive_pack.analyze(world.registrations(preview=False))) == {
        (TRUST, "stack-set", M),
        (DESTINATION, "stack-set", M),
    }
