"""No rule crashes on malformed input: random documents and property values, as JSON text, as
objects, unknown in preview, with floats for integers and read-only mappings."""

from __future__ import annotations

import contextlib
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pulumi_policy import (
    PolicyCustomTimeouts,
    PolicyResource,
    PolicyResourceOptions,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.proxy import UnknownValueError, unknown_checking_proxy

from offline.analyzer import engine_view
from offline.mocks import PREVIEW_UNKNOWN
from policy_pack.rules import POLICIES
from tests.policy_pack.world import Json, PackFactory, archive_world

CRASHED = "the rule could not evaluate it"

SLOTS = [
    ("bucket-policy", "policy"),
    ("firehose-role", "assumeRolePolicy"),
    ("logs-role", "assumeRolePolicy"),
    ("firehose-role", "inlinePolicies"),
    ("firehose-role-policy", "policy"),
    ("logs-role-policy", "policy"),
    ("destination-policy", "accessPolicy"),
    ("destination", "targetArn"),
    ("stream", "serverSideEncryption"),
    ("stream", "extendedS3Configuration"),
    ("encryption", "rules"),
    ("lifecycle", "rules"),
    ("ownership", "rule"),
    ("versioning", "versioningConfiguration"),
    ("public-access-block", "blockPublicAcls"),
    ("bucket", "objectLockEnabled"),
    ("key", "enableKeyRotation"),
]
KEYS = st.sampled_from(
    [
        "Statement", "Effect", "Action", "NotAction", "Resource", "NotResource", "Principal",
        "NotPrincipal", "Condition", "Sid", "AWS", "Service", "StringEquals", "stringlike",
        "Bool", "BoolIfExists", "ForAnyValue:StringLike", "ArnNotLike", "aws:SourceArn",
        "aws:SourceAccount", "sts:ExternalId", "s3:x-amz-acl", "aws:SecureTransport",
        "aws:PrincipalOrgID", "enabled", "status", "expiration", "days", "policy", "name",
        "applyServerSideEncryptionByDefault", "sseAlgorithm", "kmsMasterKeyId",
        "errorOutputPrefix", "bucketArn", "roleArn", "objectOwnership",
    ]
)  # fmt: skip
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.floats(allow_nan=False, allow_infinity=False),
    st.integers(min_value=-(2**53), max_value=2**53),
    st.text(max_size=10),
    st.sampled_from(
        [
            "*", "Allow", "Deny", "s3:PutObject", "s3:*", "sts:AssumeRole", "logs:*",
            "firehose.amazonaws.com", "logs.amazonaws.com", "bucket-owner-full-control",
            "false", "Enabled", "aws:kms", "arn:aws:logs:*:*:*", "arn:", "o-", PREVIEW_UNKNOWN,
        ]
    ),
)  # fmt: skip
VALUES = st.recursive(
    SCALARS,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(KEYS, children, max_size=4),
    max_leaves=20,
)
OPERATORS = st.sampled_from(
    ["StringEquals", "stringlike", "StringEqualsIfExists", "ArnLike", "ArnNotLike", "Bool",
     "BoolIfExists", "ForAnyValue:StringLike", "ForAllValues:StringEquals", "Null", "Weird"]
)  # fmt: skip
CONDITION_KEYS = st.sampled_from(
    ["aws:SourceArn", "AWS:SourceAccount", "aws:sourceorgid", "aws:SourceOrgPaths", "sts:ExternalId",
     "s3:x-amz-acl", "aws:SecureTransport", "aws:PrincipalOrgID", "aws:PrincipalOrgPaths"]
)  # fmt: skip
STATEMENTS = st.fixed_dictionaries(
    {},
    optional={
        "Sid": VALUES,
        "Effect": st.one_of(st.sampled_from(["Allow", "Deny", "allow"]), VALUES),
        "Action": VALUES,
        "NotAction": VALUES,
        "Resource": VALUES,
        "NotResource": VALUES,
        "Principal": st.one_of(
            VALUES, st.dictionaries(st.sampled_from(["AWS", "Service", "Federated"]), VALUES)
        ),
        "NotPrincipal": VALUES,
        "Condition": st.one_of(
            VALUES, st.dictionaries(OPERATORS, st.one_of(VALUES, st.dictionaries(CONDITION_KEYS, VALUES)))
        ),
    },
)
POLICY_DOCUMENTS = st.fixed_dictionaries(
    {"Statement": st.one_of(STATEMENTS, st.lists(STATEMENTS, max_size=3), VALUES)},
    optional={"Version": VALUES},
)
DOCUMENTS = st.one_of(
    POLICY_DOCUMENTS.map(Json),
    POLICY_DOCUMENTS.map(lambda value: Json(value, as_object=True)),
    VALUES.map(Json),
    st.text(max_size=40),
    VALUES,
)
CHANGES = st.lists(st.tuples(st.sampled_from(SLOTS), DOCUMENTS), min_size=1, max_size=3)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(changes=CHANGES, preview=st.booleans())
def test_malformed_inputs_never_crash_a_rule_over_the_protocol(
    packs: PackFactory, changes: list[tuple[tuple[str, str], Any]], preview: bool
) -> None:
    world = archive_world()
    for (name, key), value in changes:
        world[name].inputs[key] = value

    diagnostics = packs("account-b", preview).analyze(world.registrations(preview=preview))

    assert [d.message for d in diagnostics if CRASHED in d.message] == []


def _options() -> PolicyResourceOptions:
    return PolicyResourceOptions(False, [], None, [], PolicyCustomTimeouts(0, 0, 0), [], None)


def _resources(changes: list[tuple[tuple[str, str], Any]]) -> list[tuple[str, str, Any]]:
    world = archive_world()
    for (name, key), value in changes:
        world[name].inputs[key] = value
    return [
        (r.type, r.name, unknown_checking_proxy(engine_view(r.wire_outputs)))
        for r in world.registrations(preview=True)
    ]


@settings(max_examples=100, deadline=None)
@given(changes=CHANGES)
def test_malformed_read_only_inputs_never_crash_a_rule_called_directly(
    changes: list[tuple[tuple[str, str], Any]],
) -> None:
    resources = _resources(changes)
    reported: list[str] = []

    def report(message: str, _urn: str | None = None) -> None:
        reported.append(message)

    for policy in POLICIES:
        if isinstance(policy, ResourceValidationPolicy):
            for type_, name, props in resources:
                args = ResourceValidationArgs(type_, props, f"urn:{name}", name, _options(), None)
                with contextlib.suppress(UnknownValueError):
                    policy.validate(args, report)
        elif isinstance(policy, StackValidationPolicy):
            stack = [
                PolicyResource(type_, props, f"urn:{name}", name, _options(), None, None, [], {})
                for type_, name, props in resources
            ]
            policy.validate(StackValidationArgs(stack), report)

    assert [message for message in reported if CRASHED in message] == []
