"""How stack rules find related resources: by the value that names the other resource when it is
known, else by the property dependency the engine records (values are unknown in preview)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from .base import Resource, get
from .documents import ACCOUNT_ID, parse_arn

BUCKET = "aws:s3/bucket:Bucket"
BUCKET_POLICY = "aws:s3/bucketPolicy:BucketPolicy"
FIREHOSE = "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream"
ROLE = "aws:iam/role:Role"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
MANAGED_POLICY = "aws:iam/policy:Policy"
ROLE_POLICY_ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
KMS_KEY = "aws:kms/key:Key"
LOG_DESTINATION = "aws:cloudwatch/logDestination:LogDestination"
LOG_DESTINATION_POLICY = "aws:cloudwatch/logDestinationPolicy:LogDestinationPolicy"

NAMING_ATTRIBUTES = ("arn", "id", "bucket", "name", "keyId")


def of_type(resources: Iterable[Resource], *types: str) -> list[Resource]:
    return [resource for resource in resources if resource.type in types]


def names(resource: Resource) -> frozenset[str]:
    """The known strings other resources use to name ``resource`` (ARN, id, name...)."""
    return frozenset(
        value
        for attribute in NAMING_ATTRIBUTES
        if isinstance(value := resource.props.get(attribute), str) and value
    )


def refers(source: Resource, path: tuple[str | int, ...], target: Resource) -> bool:
    """Whether ``source``'s property at ``path`` names ``target``.

    True when the value equals one of ``target``'s names, or when the engine recorded that the
    property depends on ``target`` (how a preview, with values still unknown, tells).
    """
    value = get(source.props, *path)
    if isinstance(value, str) and value in names(target):
        return True
    return target.urn in source.property_dependencies.get(str(path[0]), frozenset())


def referring(
    resources: Iterable[Resource], type_: str, path: tuple[str | int, ...], target: Resource
) -> list[Resource]:
    """Resources of ``type_`` whose property at ``path`` names ``target``."""
    return [resource for resource in of_type(resources, type_) if refers(resource, path, target)]


def referred(
    resources: Iterable[Resource], source: Resource, path: tuple[str | int, ...], *types: str
) -> list[Resource]:
    """Resources of ``types`` that ``source``'s property at ``path`` names."""
    return [target for target in of_type(resources, *types) if refers(source, path, target)]


def archive_buckets(resources: list[Resource]) -> list[Resource]:
    """Buckets a Firehose stream of the stack delivers into (``extendedS3Configuration.bucketArn``)."""
    streams = of_type(resources, FIREHOSE)
    return [
        bucket
        for bucket in of_type(resources, BUCKET)
        if any(refers(stream, ("extendedS3Configuration", "bucketArn"), bucket) for stream in streams)
    ]


def role_documents(resources: list[Resource], role: Resource) -> list[tuple[Resource, Any]]:
    """The permission policies of ``role`` as ``(resource holding it, document)`` pairs:
    inline ``RolePolicy``s, the role's ``inlinePolicies`` and attached ``Policy`` resources."""
    found: list[tuple[Resource, Any]] = [
        (policy, policy.props.get("policy")) for policy in referring(resources, ROLE_POLICY, ("role",), role)
    ]
    inline = role.props.get("inlinePolicies")
    if isinstance(inline, list):
        found.extend((role, get(item, "policy")) for item in inline)  # pyright: ignore[reportUnknownVariableType]
    for attachment in referring(resources, ROLE_POLICY_ATTACHMENT, ("role",), role):
        for policy in referred(resources, attachment, ("policyArn",), MANAGED_POLICY):
            found.append((policy, policy.props.get("policy")))
    return found


def own_account(resource: Resource) -> str | None:
    """The account the resource lives in, from its provider (assumed role, allowed account ids)
    or from its own ARN; ``None`` when nothing tells."""
    provider = resource.provider
    roles: list[Any] = []
    assume_roles = provider.get("assumeRoles")
    if isinstance(assume_roles, list):
        roles.extend(assume_roles)  # pyright: ignore[reportUnknownArgumentType]
    roles.append(provider.get("assumeRole"))
    role_arns = [parse_arn(get(role, "roleArn")) for role in roles]
    accounts = [arn.account for arn in role_arns if arn is not None and ACCOUNT_ID.match(arn.account)]
    if accounts:
        return accounts[-1]
    allowed = provider.get("allowedAccountIds")
    if isinstance(allowed, str):
        try:
            allowed = json.loads(allowed)
        except ValueError:
            allowed = [allowed]
    if (
        isinstance(allowed, list)
        and len(allowed) == 1  # pyright: ignore[reportUnknownArgumentType]
        and isinstance(allowed[0], str)
        and ACCOUNT_ID.match(allowed[0])
    ):
        return allowed[0]
    arn = parse_arn(resource.props.get("arn"))
    if arn is not None and ACCOUNT_ID.match(arn.account):
        return arn.account
    return None
