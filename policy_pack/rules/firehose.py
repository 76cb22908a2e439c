"""Rules for the Firehose delivery streams."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from pulumi_policy import EnforcementLevel, Severity

from .base import Guardrail, Resource, Rule, create_first, get, is_true, known, resource_policy
from .graph import FIREHOSE

ENCRYPTED = Rule(
    name="firehose-delivery-stream-encrypted",
    description="Firehose delivery streams fed by Direct PUT (as CloudWatch Logs destinations are) "
    "have server-side encryption enabled.",
    level=EnforcementLevel.MANDATORY,
    severity=Severity.MEDIUM,
    why="Records wait in the stream's buffer for up to 24 hours while Firehose retries S3.",
    remediation='Set serverSideEncryption {"enabled": true, "keyType": "AWS_OWNED_CMK"} '
    "(or CUSTOMER_MANAGED_CMK with keyArn).",
    control="DataFirehose.1",
    url="https://docs.aws.amazon.com/securityhub/latest/userguide/datafirehose-controls.html",
)

ERROR_PREFIX = Rule(
    name="firehose-delivery-stream-error-prefix",
    description="Firehose streams that deliver to S3 set extendedS3Configuration.errorOutputPrefix.",
    level=EnforcementLevel.MANDATORY,
    severity=Severity.LOW,
    why="Failed records (decompression, partitioning, format) otherwise land among the archived "
    "logs, and dynamic partitioning refuses to work without it.",
    remediation="Set extendedS3Configuration.errorOutputPrefix, e.g. "
    '"errors/!{firehose:error-output-type}/!{timestamp:yyyy/MM/dd}/".',
    control="Firehose S3 object name format",
    url="https://docs.aws.amazon.com/firehose/latest/dev/s3-object-name.html",
)


CREATE_FIRST = Rule(
    name="firehose-delivery-stream-replaced-create-first",
    description="Firehose delivery streams set the delete_before_replace resource option to false.",
    level=EnforcementLevel.MANDATORY,
    severity=Severity.HIGH,
    why="A stream with an explicit name is otherwise replaced delete-first (dynamic partitioning "
    "forces a replacement): deleting it drops the records it buffers, and its destination refuses "
    "events until the new stream exists.",
    remediation="Pass opts=pulumi.ResourceOptions(delete_before_replace=False, retain_on_delete=True) "
    "and give each value of a replacing input (such as the layout) its own stream name.",
    control="Pulumi deleteBeforeReplace option",
    url="https://www.pulumi.com/docs/iac/concepts/options/deletebeforereplace/",
)


def _encrypted(resource: Resource, _: Mapping[str, Any]) -> Iterable[str]:
    if resource.props.get("kinesisSourceConfiguration") is not None:
        return
    enabled = known(get(resource.props, "serverSideEncryption", "enabled"))
    if not is_true(enabled):
        yield f"{resource.label}: serverSideEncryption is not enabled."


def _error_prefix(resource: Resource, _: Mapping[str, Any]) -> Iterable[str]:
    configuration = resource.props.get("extendedS3Configuration")
    if configuration is None and resource.props.get("destination") != "extended_s3":
        return
    prefix = known(get(configuration, "errorOutputPrefix"))
    if not isinstance(prefix, str) or not prefix.strip():
        yield f"{resource.label}: extendedS3Configuration.errorOutputPrefix is not set."


GUARDRAILS: list[Guardrail] = [
    resource_policy(ENCRYPTED, [FIREHOSE], _encrypted),
    resource_policy(ERROR_PREFIX, [FIREHOSE], _error_prefix),
    resource_policy(CREATE_FIRST, [FIREHOSE], create_first),
]
