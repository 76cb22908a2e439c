"""Rules for the archive's subscription-change buses, where the sources forward the calls that
end a log group's archiving."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from pulumi_policy import EnforcementLevel, Severity

from .base import Guardrail, Resource, Rule, resource_policy
from .documents import only_actions, public_without_organization

EVENT_BUS_POLICY = "aws:cloudwatch/eventBusPolicy:EventBusPolicy"
PUT_EVENTS = "events:PutEvents"
BUS_POLICY_DOCS = "https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-bus-perms.html"

BUS_PUBLIC_NEEDS_ORGANIZATION = Rule(
    name="eventbridge-bus-policy-public-requires-org-condition",
    description='Event bus policies allow Principal "*" only with an aws:PrincipalOrgID or '
    "aws:PrincipalOrgPaths condition.",
    level=EnforcementLevel.MANDATORY,
    severity=Severity.HIGH,
    why="Anyone allowed to put events on the subscription-change bus can raise the archive's "
    "change alarm at will, or bury a real change among forged ones in its record.",
    remediation='List the source accounts as principals, or keep "*" and add '
    '"Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-..."}}.',
    control="EventBridge resource-based policies",
    url=BUS_POLICY_DOCS,
)

BUS_PUT_EVENTS_ONLY = Rule(
    name="eventbridge-bus-policy-put-events-only",
    description="Event bus policies allow only events:PutEvents, named exactly.",
    level=EnforcementLevel.MANDATORY,
    severity=Severity.MEDIUM,
    why="Sources only forward events; rule or target actions would let another account read or "
    "re-route what the bus receives, or silence the change alarm by disabling its rule.",
    remediation='Set Action to "events:PutEvents".',
    control="EventBridge resource-based policies",
    url=BUS_POLICY_DOCS,
)


def _public_bus(resource: Resource, _: Mapping[str, Any]) -> Iterable[str]:
    raw = resource.props.get("policy")
    if raw is not None:
        yield from public_without_organization(resource.label, raw)


def _put_events_only(resource: Resource, _: Mapping[str, Any]) -> Iterable[str]:
    raw = resource.props.get("policy")
    if raw is not None:
        yield from only_actions(resource.label, raw, (PUT_EVENTS,))


GUARDRAILS: list[Guardrail] = [
    resource_policy(BUS_PUBLIC_NEEDS_ORGANIZATION, [EVENT_BUS_POLICY], _public_bus),
    resource_policy(BUS_PUT_EVENTS_ONLY, [EVENT_BUS_POLICY], _put_events_only),
]
