"""Every rule through the analyzer protocol: the compliant stacks pass, and each mutation yields
exactly the expected violations on the expected resources."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from offline.analyzer import PolicyPackProcess
from tests.policy_pack.world import (
    ARCHIVE,
    REGION,
    SOURCE,
    Json,
    PackFactory,
    Ref,
    Spec,
    World,
    archive_world,
    source_world,
    violations,
)

M = "mandatory"
A = "advisory"


@dataclass(frozen=True)
class Mutation:
    id: str
    change: Callable[[World], Any]
    expected: set[tuple[str, str, str]]
    source: bool = False
    """Mutates the source stack instead of the archive stack."""


def statement(world: World, name: str, key: str, sid_or_index: str | int) -> dict[str, Any]:
    statements = world.statements(name, key)
    if isinstance(sid_or_index, int):
        return statements[sid_or_index]
    return next(s for s in statements if s.get("Sid") == sid_or_index)


def write_grant(world: World) -> dict[str, Any]:
    return statement(world, "bucket-policy", "policy", "AllowFirehoseWrites")


def tls_deny(world: World) -> dict[str, Any]:
    return statement(world, "bucket-policy", "policy", "DenyInsecureTransport")


def firehose_trust(world: World) -> dict[str, Any]:
    return statement(world, "firehose-role", "assumeRolePolicy", 0)


HEARTBEAT_RULE = "cloudwatch-log-resource-policy-service-writes-scoped"


def heartbeat_grant(world: World) -> dict[str, Any]:
    return statement(world, "heartbeat-policy", "policyDocument", "HeartbeatRuleWritesHeartbeats")


def logs_trust(world: World) -> dict[str, Any]:
    return statement(world, "logs-role", "assumeRolePolicy", 0)


def destination_grant(world: World) -> dict[str, Any]:
    return statement(world, "destination-policy", "accessPolicy", "AllowSources")


def bus_grant(world: World) -> dict[str, Any]:
    return statement(world, "change-bus-policy", "policy", "SourceAccountsForwardSubscriptionChanges")


def add_statement(world: World, name: str, key: str, added: dict[str, Any]) -> None:
    world.statements(name, key).append(added)


GRANTS = "kms-key-policy-grants-only-for-aws-resources"


def key_policy(admin: dict[str, Any]) -> str:
    """A key policy whose one statement lets the archive account's root do ``admin``."""
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "Admin",
                    "Effect": "Allow",
                    "Principal": {"AWS": f"arn:aws:iam::{ARCHIVE}:root"},
                    "Resource": "*",
                    **admin,
                }
            ],
        }
    )


def drop(world: World, name: str) -> None:
    del world.specs[name]


def setter(target: Callable[[World], dict[str, Any]], key: str, value: Any) -> Callable[[World], None]:
    def change(world: World) -> None:
        target(world)[key] = value

    return change


def remover(target: Callable[[World], dict[str, Any]], key: str) -> Callable[[World], None]:
    def change(world: World) -> None:
        del target(world)[key]

    return change


def inputs(name: str) -> Callable[[World], dict[str, Any]]:
    return lambda world: world[name].inputs


ACL = "s3-bucket-policy-write-requires-owner-acl"
ACL_CONDITION = {"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control"}}
PUBLIC = "s3-bucket-policy-no-public-principal"
TLS = "s3-bucket-policy-denies-insecure-transport"
PRESENT = "s3-archive-bucket-policy-present"
EXTERNAL_ID = "iam-role-firehose-trust-requires-external-id"
SOURCE_CONDITION = "iam-role-logs-trust-requires-source-condition"
WILDCARD = "iam-policy-no-wildcard-actions"
ORG = "cloudwatch-destination-policy-public-requires-org-condition"
ACTIONS = "cloudwatch-destination-policy-subscription-actions-only"
BUS_ORG = "eventbridge-bus-policy-public-requires-org-condition"
BUS_ACTIONS = "eventbridge-bus-policy-put-events-only"
CHAIN = "cloudwatch-destination-chain-granted"
PUBLIC_READ = {"Sid": "PublicRead", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}
ORG_CONDITION = {"StringEquals": {"aws:PrincipalOrgID": "o-abcdef1234"}}


def attach_managed_policy(world: World) -> None:
    """Move the Firehose role's inline policy into a managed policy attached to the role."""
    document = world.specs.pop("firehose-role-policy").inputs["policy"]
    world.specs["managed"] = Spec(
        "aws:iam/policy:Policy",
        {"policy": document},
        {"arn": f"arn:aws:iam::{ARCHIVE}:policy/archive-writer"},
    )
    world.specs["attachment"] = Spec(
        "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
        {"role": Ref("firehose-role", "name"), "policyArn": Ref("managed", "arn")},
    )


MUTATIONS = [
    # s3-bucket-policy-write-requires-owner-acl
    Mutation("acl condition removed", remover(write_grant, "Condition"), {(ACL, "bucket-policy", M)}),
    Mutation(
        "acl condition with the wrong value",
        setter(write_grant, "Condition", {"StringEquals": {"s3:x-amz-acl": "bucket-owner-read"}}),
        {(ACL, "bucket-policy", M)},
    ),
    Mutation(
        "acl condition with a wildcard value under StringLike",
        setter(write_grant, "Condition", {"StringLike": {"s3:x-amz-acl": "bucket-owner-*"}}),
        {(ACL, "bucket-policy", M)},
    ),
    Mutation(
        "acl condition under StringEqualsIfExists",
        setter(
            write_grant, "Condition", {"StringEqualsIfExists": {"s3:x-amz-acl": "bucket-owner-full-control"}}
        ),
        {(ACL, "bucket-policy", M)},
    ),
    Mutation(
        "acl condition that also admits public-read",
        setter(
            write_grant,
            "Condition",
            {"StringEquals": {"s3:x-amz-acl": ["bucket-owner-full-control", "public-read"]}},
        ),
        {(ACL, "bucket-policy", M)},
    ),
    Mutation(
        "acl condition moved to another statement",
        lambda w: add_statement(
            w,
            "bucket-policy",
            "policy",
            {
                **write_grant(w),
                "Sid": "Read",
                "Action": "s3:GetObject",
                "Condition": write_grant(w).pop("Condition"),
            },
        ),
        {(ACL, "bucket-policy", M)},
    ),
    Mutation(
        "write granted again through s3:Put* without the condition",
        lambda w: add_statement(
            w,
            "bucket-policy",
            "policy",
            {**write_grant(w), "Sid": "Put", "Action": "s3:Put*", "Condition": {}},
        ),
        {(ACL, "bucket-policy", M)},
    ),
    Mutation(
        "write granted through NotAction",
        lambda w: add_statement(
            w,
            "bucket-policy",
            "policy",
            {
                "Effect": "Allow",
                "Principal": {"AWS": SOURCE},
                "NotAction": "s3:DeleteObject",
                "Resource": "*",
            },
        ),
        {(ACL, "bucket-policy", M)},
    ),
    Mutation(
        "acl operator and key in other letter cases still pass",
        setter(write_grant, "Condition", {"stringequals": {"S3:X-Amz-Acl": "bucket-owner-full-control"}}),
        set(),
    ),
    Mutation(
        "bucket policy sent as an object instead of JSON text still passes",
        lambda w: setattr(w["bucket-policy"].inputs["policy"], "as_object", True),
        set(),
    ),
    Mutation(
        "bucket policy with a single Statement object missing the condition",
        lambda w: w.document("bucket-policy", "policy").update(Statement={**write_grant(w), "Condition": {}}),
        {(ACL, "bucket-policy", M), (TLS, "bucket-policy", M)},
    ),
    Mutation(
        "bucket policy that is not JSON",
        setter(inputs("bucket-policy"), "policy", '{"Statement": ['),
        {(ACL, "bucket-policy", M), (PUBLIC, "bucket-policy", M), (TLS, "bucket-policy", M)},
    ),
    Mutation(
        "bucket policy inline on the bucket without the acl condition",
        lambda w: (
            remover(write_grant, "Condition")(w),
            w["bucket"].inputs.update(policy=w.specs.pop("bucket-policy").inputs["policy"]),
        ),
        {(ACL, "bucket", M)},
    ),
    # s3-archive-bucket-policy-present and s3-bucket-policy-denies-insecure-transport
    Mutation(
        "bucket policy removed",
        lambda w: drop(w, "bucket-policy"),
        {(PRESENT, "bucket", M), (TLS, "bucket", M)},
    ),
    Mutation(
        "tls deny removed",
        lambda w: world_remove_statement(w, "DenyInsecureTransport"),
        {(TLS, "bucket-policy", M)},
    ),
    Mutation(
        "tls deny on aws:SecureTransport true",
        setter(tls_deny, "Condition", {"Bool": {"aws:SecureTransport": "true"}}),
        {(TLS, "bucket-policy", M)},
    ),
    Mutation(
        "tls deny for s3:GetObject only",
        setter(tls_deny, "Action", "s3:GetObject"),
        {(TLS, "bucket-policy", M)},
    ),
    Mutation(
        "tls deny for one account only",
        setter(tls_deny, "Principal", {"AWS": SOURCE}),
        {(TLS, "bucket-policy", M)},
    ),
    Mutation(
        "tls deny under BoolIfExists with a boolean still passes",
        setter(tls_deny, "Condition", {"BoolIfExists": {"aws:SecureTransport": False}}),
        set(),
    ),
    # s3-bucket-policy-no-public-principal
    Mutation(
        "public read for Principal *",
        lambda w: add_statement(w, "bucket-policy", "policy", {**PUBLIC_READ, "Principal": "*"}),
        {(PUBLIC, "bucket-policy", M)},
    ),
    Mutation(
        "public read for AWS *",
        lambda w: add_statement(w, "bucket-policy", "policy", {**PUBLIC_READ, "Principal": {"AWS": ["*"]}}),
        {(PUBLIC, "bucket-policy", M)},
    ),
    Mutation(
        "public read under a negated organization condition",
        lambda w: add_statement(
            w,
            "bucket-policy",
            "policy",
            {
                **PUBLIC_READ,
                "Principal": "*",
                "Condition": {"StringNotEquals": {"aws:PrincipalOrgID": "o-abcdef1234"}},
            },
        ),
        {(PUBLIC, "bucket-policy", M)},
    ),
    Mutation(
        "read for Principal * within the organization passes",
        lambda w: add_statement(
            w, "bucket-policy", "policy", {**PUBLIC_READ, "Principal": "*", "Condition": ORG_CONDITION}
        ),
        set(),
    ),
    # s3-bucket-public-access-block-enabled
    Mutation(
        "public access block removed",
        lambda w: drop(w, "public-access-block"),
        {("s3-bucket-public-access-block-enabled", "bucket", M)},
    ),
    Mutation(
        "restrictPublicBuckets false",
        setter(inputs("public-access-block"), "restrictPublicBuckets", False),
        {("s3-bucket-public-access-block-enabled", "public-access-block", M)},
    ),
    Mutation(
        "blockPublicPolicy left out",
        remover(inputs("public-access-block"), "blockPublicPolicy"),
        {("s3-bucket-public-access-block-enabled", "public-access-block", M)},
    ),
    Mutation(
        "bucket block replaced by the account-level block passes",
        lambda w: w.specs.update(
            {
                "account-block": Spec(
                    "aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock",
                    {k: v for k, v in w.specs.pop("public-access-block").inputs.items() if k != "bucket"},
                )
            }
        ),
        set(),
    ),
    # s3-bucket-encryption-kms
    Mutation(
        "encryption removed", lambda w: drop(w, "encryption"), {("s3-bucket-encryption-kms", "bucket", M)}
    ),
    Mutation(
        "encryption with AES256",
        lambda w: (
            w["encryption"]
            .inputs["rules"][0]["applyServerSideEncryptionByDefault"]
            .update(sseAlgorithm="AES256")
        ),
        {("s3-bucket-encryption-kms", "encryption", M)},
    ),
    Mutation(
        "encryption with aws:kms:dsse passes",
        lambda w: (
            w["encryption"]
            .inputs["rules"][0]["applyServerSideEncryptionByDefault"]
            .update(sseAlgorithm="aws:kms:dsse")
        ),
        set(),
    ),
    # s3-bucket-versioning-enabled
    Mutation(
        "versioning removed", lambda w: drop(w, "versioning"), {("s3-bucket-versioning-enabled", "bucket", M)}
    ),
    Mutation(
        "versioning suspended",
        setter(inputs("versioning"), "versioningConfiguration", {"status": "Suspended"}),
        {("s3-bucket-versioning-enabled", "versioning", M)},
    ),
    # advisory bucket rules
    Mutation(
        "object lock disabled on the bucket and its configuration removed",
        lambda w: (w["bucket"].inputs.update(objectLockEnabled=False), drop(w, "object-lock")),
        {("s3-bucket-object-lock-enabled", "bucket", A)},
    ),
    Mutation(
        "object lock enabled by its configuration resource alone passes",
        remover(inputs("bucket"), "objectLockEnabled"),
        set(),
    ),
    Mutation(
        "lifecycle removed", lambda w: drop(w, "lifecycle"), {("s3-bucket-lifecycle-expiration", "bucket", A)}
    ),
    Mutation(
        "lifecycle rule disabled",
        lambda w: w["lifecycle"].inputs["rules"][0].update(status="Disabled"),
        {("s3-bucket-lifecycle-expiration", "lifecycle", A)},
    ),
    Mutation(
        "objects expire after 30 days",
        lambda w: w["lifecycle"].inputs["rules"][0].update(expiration={"days": 30.0}),
        {("s3-bucket-lifecycle-expiration", "lifecycle", A)},
    ),
    Mutation(
        "ownership controls removed",
        lambda w: drop(w, "ownership"),
        {("s3-bucket-ownership-enforced", "bucket", A)},
    ),
    Mutation(
        "object ownership ObjectWriter",
        setter(inputs("ownership"), "rule", {"objectOwnership": "ObjectWriter"}),
        {("s3-bucket-ownership-enforced", "ownership", A)},
    ),
    Mutation(
        "archive bucket not protected",
        lambda w: setattr(w["bucket"], "protect", False),
        {("s3-archive-bucket-protected", "bucket", A)},
    ),
    Mutation(
        "destination not protected",
        lambda w: setattr(w["destination"], "protect", False),
        {("cloudwatch-destination-protected", "destination", A)},
    ),
    Mutation(
        "stream replaced as the provider decides (delete first)",
        lambda w: setattr(w["stream"], "delete_before_replace", None),
        {("firehose-delivery-stream-replaced-create-first", "stream", M)},
    ),
    # iam-role-firehose-trust-requires-external-id
    Mutation(
        "external id condition removed",
        remover(firehose_trust, "Condition"),
        {(EXTERNAL_ID, "firehose-role", M)},
    ),
    Mutation(
        "external id under StringLike",
        setter(firehose_trust, "Condition", {"StringLike": {"sts:ExternalId": ARCHIVE}}),
        {(EXTERNAL_ID, "firehose-role", M)},
    ),
    Mutation(
        "external id is a wildcard",
        setter(firehose_trust, "Condition", {"StringEquals": {"sts:ExternalId": "*"}}),
        {(EXTERNAL_ID, "firehose-role", M)},
    ),
    Mutation(
        "external id under StringEqualsIfExists",
        setter(firehose_trust, "Condition", {"StringEqualsIfExists": {"sts:ExternalId": ARCHIVE}}),
        {(EXTERNAL_ID, "firehose-role", M)},
    ),
    Mutation(
        "firehose trusted again in a second statement without the external id",
        lambda w: add_statement(
            w, "firehose-role", "assumeRolePolicy", {**firehose_trust(w), "Condition": {}}
        ),
        {(EXTERNAL_ID, "firehose-role", M)},
    ),
    Mutation(
        "firehose among a list of services without the external id",
        lambda w: firehose_trust(w).update(
            Principal={"Service": ["glue.amazonaws.com", "firehose.amazonaws.com"]}, Condition={}
        ),
        {(EXTERNAL_ID, "firehose-role", M)},
    ),
    # iam-role-logs-trust-requires-source-condition
    Mutation(
        "source condition removed", remover(logs_trust, "Condition"), {(SOURCE_CONDITION, "logs-role", M)}
    ),
    Mutation(
        "source arn with a wildcard account",
        setter(logs_trust, "Condition", {"StringLike": {"aws:SourceArn": "arn:aws:logs:*:*:*"}}),
        {(SOURCE_CONDITION, "logs-role", M)},
    ),
    Mutation(
        "source arn under a negated operator",
        setter(
            logs_trust, "Condition", {"ArnNotLike": {"aws:SourceArn": f"arn:aws:logs:{REGION}:{SOURCE}:*"}}
        ),
        {(SOURCE_CONDITION, "logs-role", M), (CHAIN, "logs-role", A)},
    ),
    Mutation(
        "regional logs principal without a condition",
        lambda w: logs_trust(w).update(Principal={"Service": f"logs.{REGION}.amazonaws.com"}, Condition={}),
        {(SOURCE_CONDITION, "logs-role", M)},
    ),
    Mutation(
        "source account condition passes",
        setter(logs_trust, "Condition", {"StringEquals": {"aws:SourceAccount": [SOURCE, ARCHIVE]}}),
        set(),
    ),
    Mutation(
        "source organization paths under ForAnyValue:StringLike pass",
        setter(
            logs_trust,
            "Condition",
            {"ForAnyValue:StringLike": {"aws:SourceOrgPaths": "o-abcdef1234/r-ab12/*"}},
        ),
        set(),
    ),
    # iam-policy-no-wildcard-actions
    Mutation(
        "logs role allowed firehose:*",
        lambda w: statement(w, "logs-role-policy", "policy", "PutRecords").update(Action="firehose:*"),
        {(WILDCARD, "logs-role-policy", M)},
    ),
    Mutation(
        "firehose role allowed *",
        lambda w: statement(w, "firehose-role-policy", "policy", "UseBucketKey").update(Action="*"),
        {(WILDCARD, "firehose-role-policy", M)},
    ),
    Mutation(
        "firehose role allowed everything but a NotAction",
        lambda w: add_statement(
            w, "firehose-role-policy", "policy", {"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}
        ),
        {(WILDCARD, "firehose-role-policy", M)},
    ),
    Mutation(
        "managed policy allows s3:*",
        lambda w: w.specs.update(
            {
                "managed": Spec(
                    "aws:iam/policy:Policy",
                    {"policy": Json({"Statement": {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}})},
                )
            }
        ),
        {(WILDCARD, "managed", M)},
    ),
    Mutation(
        "inline role policy allows kms:*",
        setter(
            inputs("firehose-role"),
            "inlinePolicies",
            [
                {
                    "name": "extra",
                    "policy": Json(
                        {"Statement": [{"Effect": "Allow", "Action": ["kms:*"], "Resource": "*"}]}
                    ),
                }
            ],
        ),
        {(WILDCARD, "firehose-role", M)},
    ),
    # eventbridge bus policy rules (the archive's subscription-change bus)
    Mutation(
        "change bus open to Principal *",
        setter(bus_grant, "Principal", "*"),
        {(BUS_ORG, "change-bus-policy", M)},
    ),
    Mutation(
        "change bus open to AWS * under a negated organization condition",
        lambda w: bus_grant(w).update(
            Principal={"AWS": "*"}, Condition={"StringNotEquals": {"aws:PrincipalOrgID": "o-abcdef1234"}}
        ),
        {(BUS_ORG, "change-bus-policy", M)},
    ),
    Mutation(
        "change bus open to the organization passes",
        lambda w: bus_grant(w).update(Principal="*", Condition=ORG_CONDITION),
        set(),
    ),
    Mutation(
        "change bus allows events:*",
        setter(bus_grant, "Action", "events:*"),
        {(BUS_ACTIONS, "change-bus-policy", M)},
    ),
    Mutation(
        "change bus also allows events:DisableRule",
        setter(bus_grant, "Action", ["events:PutEvents", "events:DisableRule"]),
        {(BUS_ACTIONS, "change-bus-policy", M)},
    ),
    Mutation(
        "change bus allows through NotAction",
        lambda w: (bus_grant(w).pop("Action"), bus_grant(w).update(NotAction="events:DeleteRule")),
        {(BUS_ACTIONS, "change-bus-policy", M)},
    ),
    # cloudwatch destination policy rules
    Mutation(
        "destination open to Principal *",
        setter(destination_grant, "Principal", "*"),
        {(ORG, "destination-policy", M)},
    ),
    Mutation(
        "destination open to AWS * with a wildcard organization id",
        lambda w: destination_grant(w).update(
            Principal={"AWS": "*"}, Condition={"StringLike": {"aws:PrincipalOrgID": "o-*"}}
        ),
        {(ORG, "destination-policy", M)},
    ),
    Mutation(
        "destination open to the organization passes",
        lambda w: destination_grant(w).update(Principal="*", Condition=ORG_CONDITION),
        set(),
    ),
    Mutation(
        "destination open to organization paths passes",
        lambda w: destination_grant(w).update(
            Principal="*", Condition={"ForAnyValue:StringLike": {"aws:PrincipalOrgPaths": "o-abcdef1234/*"}}
        ),
        set(),
    ),
    Mutation(
        "destination allows logs:*",
        setter(destination_grant, "Action", "logs:*"),
        {(ACTIONS, "destination-policy", M)},
    ),
    Mutation(
        "destination also allows logs:DeleteDestination",
        setter(destination_grant, "Action", ["logs:PutSubscriptionFilter", "logs:DeleteDestination"]),
        {(ACTIONS, "destination-policy", M)},
    ),
    Mutation(
        "destination allows through NotAction",
        lambda w: (
            destination_grant(w).pop("Action"),
            destination_grant(w).update(NotAction="logs:DeleteDestination"),
        ),
        {(ACTIONS, "destination-policy", M)},
    ),
    # firehose
    Mutation(
        "stream encryption removed",
        remover(inputs("stream"), "serverSideEncryption"),
        {("firehose-delivery-stream-encrypted", "stream", M)},
    ),
    Mutation(
        "stream encryption disabled",
        setter(inputs("stream"), "serverSideEncryption", {"enabled": False}),
        {("firehose-delivery-stream-encrypted", "stream", M)},
    ),
    Mutation(
        "error output prefix removed",
        lambda w: w["stream"].inputs["extendedS3Configuration"].pop("errorOutputPrefix"),
        {("firehose-delivery-stream-error-prefix", "stream", M)},
    ),
    Mutation(
        "error output prefix empty",
        lambda w: w["stream"].inputs["extendedS3Configuration"].update(errorOutputPrefix=""),
        {("firehose-delivery-stream-error-prefix", "stream", M)},
    ),
    # kms
    Mutation(
        "key rotation off",
        setter(inputs("key"), "enableKeyRotation", False),
        {("kms-key-rotation-enabled", "key", M)},
    ),
    Mutation(
        "key rotation left out",
        remover(inputs("key"), "enableKeyRotation"),
        {("kms-key-rotation-enabled", "key", M)},
    ),
    Mutation(
        "asymmetric signing key without rotation passes",
        lambda w: w["key"].inputs.update(
            enableKeyRotation=False, customerMasterKeySpec="RSA_2048", keyUsage="SIGN_VERIFY"
        ),
        set(),
    ),
    Mutation(
        "key policy lets the account root kms:Create*",
        lambda w: w["key"].inputs.update(policy=key_policy({"Action": ["kms:Create*", "kms:Describe*"]})),
        {(GRANTS, "key", M)},
    ),
    Mutation(
        "key policy lets the account root kms:*",
        lambda w: w["key"].inputs.update(policy=key_policy({"Action": "kms:*"})),
        {(GRANTS, "key", M)},
    ),
    Mutation(
        "key policy grant condition with IfExists",
        lambda w: w["key"].inputs.update(
            policy=key_policy(
                {
                    "Action": "kms:CreateGrant",
                    "Condition": {"BoolIfExists": {"kms:GrantIsForAWSResource": "true"}},
                }
            )
        ),
        {(GRANTS, "key", M)},
    ),
    Mutation(
        "key policy allows grants only for AWS resources passes",
        lambda w: w["key"].inputs.update(
            policy=key_policy(
                {"Action": "kms:CreateGrant", "Condition": {"Bool": {"kms:GrantIsForAWSResource": True}}}
            )
        ),
        set(),
    ),
    Mutation(
        "key policy without any grant action passes",
        lambda w: w["key"].inputs.update(
            policy=key_policy({"Action": ["kms:CreateAlias", "kms:PutKeyPolicy"]})
        ),
        set(),
    ),
    # cloudwatch-destination-chain-granted
    Mutation(
        "logs role does not trust the source account",
        lambda w: logs_trust(w)["Condition"]["StringLike"].update(aws_source_arns(ARCHIVE)),
        {(CHAIN, "logs-role", A)},
    ),
    Mutation(
        "logs role does not trust the archive account itself",
        lambda w: logs_trust(w)["Condition"]["StringLike"].update(aws_source_arns(SOURCE)),
        {(CHAIN, "logs-role", A)},
    ),
    Mutation(
        "logs role source arns under StringEquals match only literally",
        lambda w: logs_trust(w)["Condition"].update(
            StringEquals=logs_trust(w)["Condition"].pop("StringLike")
        ),
        {(CHAIN, "logs-role", A)},
    ),
    Mutation(
        "logs role may not PutRecordBatch",
        lambda w: statement(w, "logs-role-policy", "policy", "PutRecords").update(
            Action="firehose:PutRecord"
        ),
        {(CHAIN, "logs-role-policy", A)},
    ),
    Mutation(
        "logs role may put records into another stream only",
        lambda w: statement(w, "logs-role-policy", "policy", "PutRecords").update(
            Resource=f"arn:aws:firehose:{REGION}:{ARCHIVE}:deliverystream/other"
        ),
        {(CHAIN, "logs-role-policy", A)},
    ),
    Mutation(
        "destination policy removed",
        lambda w: drop(w, "destination-policy"),
        {(CHAIN, "destination", A)},
    ),
    Mutation(
        "firehose role may not write objects",
        lambda w: statement(w, "firehose-role-policy", "policy", "WriteArchive").update(
            Action="s3:GetBucketLocation"
        ),
        {(CHAIN, "firehose-role-policy", A)},
    ),
    Mutation(
        "firehose role may not use the bucket key",
        lambda w: statement(w, "firehose-role-policy", "policy", "UseBucketKey").update(Action="kms:Decrypt"),
        {(CHAIN, "firehose-role-policy", A)},
    ),
    Mutation(
        "firehose role permissions through an attached managed policy pass",
        attach_managed_policy,
        set(),
    ),
    Mutation(
        "attached managed policy without s3:PutObject",
        lambda w: (
            statement(w, "firehose-role-policy", "policy", "WriteArchive").update(Action="s3:ListBucket"),
            attach_managed_policy(w),
        ),
        {(CHAIN, "managed", A)},
    ),
    # source stacks
    Mutation(
        "subscription filter to a destination of its own account",
        setter(inputs("filter"), "destinationArn", f"arn:aws:logs:{REGION}:{SOURCE}:destination:archive"),
        {("cloudwatch-subscription-filter-remote-destination", "filter", A)},
        source=True,
    ),
    Mutation(
        "account policy to a destination of its own account",
        lambda w: w.document("account-policy", "policyDocument").update(
            DestinationArn=f"arn:aws:logs:{REGION}:{SOURCE}:destination:archive"
        ),
        {("cloudwatch-account-policy-remote-destination", "account-policy", A)},
        source=True,
    ),
    Mutation(
        "account policy document that is not JSON",
        setter(inputs("account-policy"), "policyDocument", "DestinationArn="),
        {("cloudwatch-account-policy-remote-destination", "account-policy", A)},
        source=True,
    ),
    Mutation(
        "subscription filter to a lambda of its own account passes",
        setter(inputs("filter"), "destinationArn", f"arn:aws:lambda:{REGION}:{SOURCE}:function:ship"),
        set(),
        source=True,
    ),
    Mutation(
        "subscription filter replaced as the provider decides (delete first)",
        lambda w: setattr(w["filter"], "delete_before_replace", None),
        {("cloudwatch-subscription-replaced-create-first", "filter", M)},
        source=True,
    ),
    Mutation(
        "subscription filter replaced delete-first on purpose",
        lambda w: setattr(w["filter"], "delete_before_replace", True),
        {("cloudwatch-subscription-replaced-create-first", "filter", M)},
        source=True,
    ),
    Mutation(
        "heartbeat resource policy allowing logs:* is a violation",
        lambda w: heartbeat_grant(w).update(Action="logs:*"),
        {(HEARTBEAT_RULE, "heartbeat-policy", M)},
        source=True,
    ),
    Mutation(
        "heartbeat resource policy allowing more than writes is a violation",
        lambda w: heartbeat_grant(w).update(Action=["logs:PutLogEvents", "logs:DeleteLogGroup"]),
        {(HEARTBEAT_RULE, "heartbeat-policy", M)},
        source=True,
    ),
    Mutation(
        "heartbeat resource policy on every log group is a violation",
        lambda w: heartbeat_grant(w).update(Resource=f"arn:aws:logs:{REGION}:{SOURCE}:log-group:*"),
        {(HEARTBEAT_RULE, "heartbeat-policy", M)},
        source=True,
    ),
    Mutation(
        "heartbeat resource policy without a confused-deputy condition is a violation",
        lambda w: heartbeat_grant(w).pop("Condition"),
        {(HEARTBEAT_RULE, "heartbeat-policy", M)},
        source=True,
    ),
    Mutation(
        "heartbeat resource policy scoped by account alone passes",
        lambda w: heartbeat_grant(w)["Condition"].pop("ArnEquals"),
        set(),
        source=True,
    ),
    Mutation(
        "heartbeat resource policy open to any principal is a violation",
        lambda w: heartbeat_grant(w).update(Principal="*"),
        {(HEARTBEAT_RULE, "heartbeat-policy", M)},
        source=True,
    ),
    Mutation(
        "account policy replaced as the provider decides (delete first)",
        lambda w: setattr(w["account-policy"], "delete_before_replace", None),
        {("cloudwatch-subscription-replaced-create-first", "account-policy", M)},
        source=True,
    ),
]


def aws_source_arns(account: str) -> dict[str, list[str]]:
    return {"aws:SourceArn": [f"arn:aws:logs:{REGION}:{account}:*"]}


def world_remove_statement(world: World, sid: str) -> None:
    statements = world.statements("bucket-policy", "policy")
    statements.remove(statement(world, "bucket-policy", "policy", sid))


def test_the_compliant_archive_stack_has_no_violation(archive_pack: PolicyPackProcess) -> None:
    assert violations(archive_pack.analyze(archive_world().registrations(preview=False))) == set()


def test_the_compliant_source_stack_has_no_violation(archive_pack: PolicyPackProcess) -> None:
    assert violations(archive_pack.analyze(source_world().registrations(preview=False))) == set()


@pytest.mark.parametrize("mutation", MUTATIONS, ids=[m.id for m in MUTATIONS])
def test_each_mutation_yields_exactly_the_expected_violations(
    archive_pack: PolicyPackProcess, mutation: Mutation
) -> None:
    world = (source_world() if mutation.source else archive_world()).copy()
    mutation.change(world)

    found = violations(archive_pack.analyze(world.registrations(preview=False)))

    assert found == mutation.expected


def test_every_rule_has_a_mutation_that_breaks_it(packs: PackFactory) -> None:
    from tests.policy_pack.test_stack_set_rules import MUTATIONS as STACK_SET_MUTATIONS

    broken = {policy for mutation in MUTATIONS for policy, _, _ in mutation.expected}
    broken |= {policy for mutation in STACK_SET_MUTATIONS for policy, _, _ in mutation.expected}
    assert broken == {policy.name for policy in packs("account-b", False).policies}
