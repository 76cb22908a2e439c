"""Pulumi mocks that answer like AWS would and record every registration the program makes."""

from __future__ import annotations

import asyncio
import hashlib
from dataclasses import dataclass, field
from typing import Any

import pulumi
from google.protobuf import json_format
from pulumi.runtime import rpc
from pulumi.runtime.mocks import MockCallArgs, MockMonitor, MockResourceArgs

PREVIEW_UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
"""The sentinel that stands for an unknown value on the wire during preview."""


@dataclass(frozen=True)
class Registration:
    """One resource as the program registered it (the request) and as the mock answered."""

    type: str
    name: str
    urn: str
    parent: str
    custom: bool
    inputs: dict[str, Any]
    """Inputs as the engine receives them: camelCase keys, numbers as floats."""
    outputs: dict[str, Any]
    id: str
    provider: str = ""
    dependencies: tuple[str, ...] = ()
    property_dependencies: dict[str, tuple[str, ...]] = field(default_factory=dict)
    protect: bool = False
    retain_on_delete: bool = False
    delete_before_replace: bool = False
    delete_before_replace_defined: bool = False
    """Whether the program set ``delete_before_replace`` at all (the SDK's
    ``deleteBeforeReplaceDefined``): only then does it override the provider's choice."""
    ignore_changes: tuple[str, ...] = ()
    read: bool = False
    wire_inputs: dict[str, Any] = field(default_factory=dict)
    """Inputs in the protobuf wire form (secrets and resource references still wrapped)."""
    wire_outputs: dict[str, Any] = field(default_factory=dict)


def _short_hash(*parts: str) -> str:
    return hashlib.sha256("/".join(parts).encode()).hexdigest()[:8]


class AwsMocks(pulumi.runtime.Mocks):
    """Answers resource registrations and invokes with realistic AWS identifiers.

    In update mode every computed attribute (ARN, id, autonamed physical name) is returned; in
    preview mode only the inputs are echoed back, so computed attributes stay unknown exactly
    as they do in a real ``pulumi preview`` of resources that do not exist yet.
    """

    def __init__(
        self,
        account_id: str,
        region: str,
        preview: bool,
        stack_outputs: dict[str, dict[str, Any]] | None = None,
        secret_stack_outputs: dict[str, list[str]] | None = None,
    ) -> None:
        self.account_id = account_id
        self.region = region
        self.preview = preview
        self.stack_outputs = stack_outputs or {}
        self.secret_stack_outputs = secret_stack_outputs or {}

    def call(self, args: MockCallArgs) -> dict[str, Any]:  # type: ignore[override]
        if args.token == "aws:index/getCallerIdentity:getCallerIdentity":
            return {
                "accountId": self.account_id,
                "arn": f"arn:aws:iam::{self.account_id}:user/deployer",
                "userId": "AIDAEXAMPLE",
                "id": self.account_id,
            }
        if args.token == "aws:index/getRegion:getRegion":
            return {"name": self.region, "region": self.region, "id": self.region}
        if args.token == "aws:index/getPartition:getPartition":
            return {"partition": "aws", "dnsSuffix": "amazonaws.com", "id": "aws"}
        raise NotImplementedError(f"no mock for invoke {args.token}")

    def new_resource(self, args: MockResourceArgs) -> tuple[str, dict[str, Any]]:
        if args.typ == "pulumi:pulumi:StackReference":
            stack = args.resource_id or args.inputs["name"]
            if stack not in self.stack_outputs:
                raise KeyError(f"no mocked outputs for stack {stack}")
            return stack, {
                "name": stack,
                "outputs": self.stack_outputs[stack],
                "secretOutputNames": self.secret_stack_outputs.get(stack, []),
            }
        physical_id, computed = self._computed(args)
        if self.preview:
            return physical_id, dict(args.inputs)
        return physical_id, {**args.inputs, **computed}

    def _computed(self, args: MockResourceArgs) -> tuple[str, dict[str, Any]]:
        inputs = args.inputs
        region = inputs.get("region") or self.region
        account = self.account_id
        auto_name = f"{args.name}-{_short_hash(args.typ, args.name)}"
        service = args.typ.split(":")[1].split("/")[0]
        if args.typ == "aws:s3/bucket:Bucket":
            bucket = inputs.get("bucket") or auto_name
            return bucket, {
                "bucket": bucket,
                "arn": f"arn:aws:s3:::{bucket}",
                "region": region,
                "bucketDomainName": f"{bucket}.s3.amazonaws.com",
            }
        if args.typ == "aws:iam/role:Role":
            name = inputs.get("name") or auto_name
            return name, {
                "name": name,
                "arn": f"arn:aws:iam::{account}:role/{name}",
                "uniqueId": "AROAEXAMPLE",
            }
        if args.typ == "aws:kms/key:Key":
            key_id = f"{_short_hash(args.name)}-0000-4000-8000-{_short_hash(args.name, 'key')}0000"
            return key_id, {"keyId": key_id, "arn": f"arn:aws:kms:{region}:{account}:key/{key_id}"}
        if args.typ == "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream":
            name = inputs.get("name") or auto_name
            arn = f"arn:aws:firehose:{region}:{account}:deliverystream/{name}"
            return arn, {"name": name, "arn": arn}
        if args.typ == "aws:cloudwatch/logDestination:LogDestination":
            name = inputs.get("name") or auto_name
            return name, {
                "name": name,
                "arn": f"arn:aws:logs:{region}:{account}:destination:{name}",
            }
        if args.typ == "aws:cloudwatch/logGroup:LogGroup":
            name = inputs.get("name") or auto_name
            return name, {"name": name, "arn": f"arn:aws:logs:{region}:{account}:log-group:{name}"}
        if args.typ == "aws:cloudwatch/eventBus:EventBus":
            name = inputs.get("name") or auto_name
            return name, {"name": name, "arn": f"arn:aws:events:{region}:{account}:event-bus/{name}"}
        if args.typ == "aws:sns/topic:Topic":
            name = inputs.get("name") or auto_name
            arn = f"arn:aws:sns:{region}:{account}:{name}"
            return arn, {"name": name, "arn": arn}
        name = inputs.get("name") or auto_name
        return f"{name}-id", {"arn": f"arn:aws:{service}:{region}:{account}:{name}"}


class RecordingMonitor(MockMonitor):
    """A mock monitor that keeps every registration with its options and dependencies."""

    def __init__(self, mocks: AwsMocks) -> None:
        super().__init__(mocks)
        self.registrations: list[Registration] = []

    def Invoke(self, request: Any) -> Any:
        """The SDK's mock ``Invoke`` runs on a worker thread and gives that thread an event loop
        it never closes; left to the garbage collector at interpreter exit, such a loop can print
        an "Exception ignored ... Invalid file descriptor" traceback after a command has finished.
        The loop serves only this call, so it is closed here."""
        try:
            asyncio.get_event_loop()
            had_loop = True
        except RuntimeError:
            had_loop = False
        try:
            return super().Invoke(request)
        finally:
            if not had_loop:
                asyncio.get_event_loop().close()
                asyncio.set_event_loop(None)

    def RegisterResource(self, request: Any) -> Any:
        response = super().RegisterResource(request)
        if request.type != "pulumi:pulumi:Stack":
            self._record(request, response.urn, response.id, response.object, read=False)
        return response

    def ReadResource(self, request: Any) -> Any:
        response = super().ReadResource(request)
        self._record(request, response.urn, request.id, response.properties, read=True)
        return response

    def _record(self, request: Any, urn: str, id_: str, state: Any, read: bool) -> None:
        wire_inputs = request.properties if read else request.object
        inputs = rpc.deserialize_properties(wire_inputs)
        outputs = rpc.deserialize_properties(state) if state is not None else {}
        self.registrations.append(
            Registration(
                type=request.type,
                name=request.name,
                urn=urn,
                parent=request.parent,
                custom=read or bool(request.custom),
                inputs=dict(inputs),
                outputs=dict(outputs),
                id=id_,
                provider=request.provider,
                dependencies=() if read else tuple(request.dependencies),
                property_dependencies={}
                if read
                else {k: tuple(v.urns) for k, v in request.propertyDependencies.items()},
                protect=False if read else bool(request.protect),
                retain_on_delete=False if read else bool(request.retainOnDelete),
                delete_before_replace=False if read else bool(request.deleteBeforeReplace),
                delete_before_replace_defined=False if read else bool(request.deleteBeforeReplaceDefined),
                ignore_changes=() if read else tuple(request.ignoreChanges),
                read=read,
                wire_inputs=json_format.MessageToDict(wire_inputs),
                wire_outputs=json_format.MessageToDict(state) if state is not None else {},
            )
        )
