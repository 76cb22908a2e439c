"""Drive the policy pack over the engine's analyzer protocol, as ``pulumi preview --policy-pack`` does.

The pack is launched exactly as the CLI launches a Python pack (``python -u -m pulumi.policy
<engine> .`` in the pack directory, stack settings in the environment), the port is read from its
stdout, and the engine's calls follow: ``Handshake`` (Python packs answer UNIMPLEMENTED),
``ConfigureStack``, ``GetAnalyzerInfo``, ``Configure``, ``Analyze`` per resource (its inputs) and
``AnalyzeStack`` once (every resource's outputs).

Resources are forwarded the way the engine forwards them: resource references become the
referenced resource's id (custom) or URN (component), keys starting with ``__`` are dropped,
secrets are unwrapped and unknowns stay the preview sentinel. Resources without an explicit
provider get the engine's default provider, whose inputs are the stack's ``<package>:*`` config
values (as the strings the stack file holds) and ``version``.

Not modelled: provider ``Check`` (inputs are the program's, without provider defaults) and the
JSON-schema validation of policy config (unknown policy names and enforcement levels are
refused, though).
"""

from __future__ import annotations

import difflib
import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from importlib import metadata
from pathlib import Path
from types import TracebackType
from typing import IO, Any

import grpc
from google.protobuf import empty_pb2, json_format, struct_pb2
from pulumi.runtime.proto import analyzer_pb2, analyzer_pb2_grpc

from offline.mocks import PREVIEW_UNKNOWN, Registration
from offline.program import ProgramRun, stack_config

POLICY_PACK_DIR = Path(__file__).resolve().parent.parent / "policy_pack"

_SIG = "4dabf18193072939515e22adb298388d"
_SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"
_RESOURCE_SIG = "5cf8f73096256a8f31e491e813e4eb8e"
_OUTPUT_SIG = "d0e6a833031e9bbcd3f4e8bde6ca49a8"


class EnforcementLevel(Enum):
    """The levels of the protocol (``pulumirpc.EnforcementLevel``), named as config files name them."""

    ADVISORY = "advisory"
    MANDATORY = "mandatory"
    DISABLED = "disabled"
    REMEDIATE = "remediate"

    @classmethod
    def from_wire(cls, value: analyzer_pb2.EnforcementLevel.ValueType) -> EnforcementLevel:
        return {
            analyzer_pb2.ADVISORY: cls.ADVISORY,
            analyzer_pb2.MANDATORY: cls.MANDATORY,
            analyzer_pb2.DISABLED: cls.DISABLED,
            analyzer_pb2.REMEDIATE: cls.REMEDIATE,
        }[value]

    def to_wire(self) -> analyzer_pb2.EnforcementLevel.ValueType:
        return {
            EnforcementLevel.ADVISORY: analyzer_pb2.ADVISORY,
            EnforcementLevel.MANDATORY: analyzer_pb2.MANDATORY,
            EnforcementLevel.DISABLED: analyzer_pb2.DISABLED,
            EnforcementLevel.REMEDIATE: analyzer_pb2.REMEDIATE,
        }[self]


@dataclass(frozen=True)
class Diagnostic:
    """A policy violation as the engine receives it."""

    policy_name: str
    message: str
    urn: str
    """The resource the violation is reported on (for ``Analyze``, the analyzed resource)."""
    enforcement_level: EnforcementLevel
    stack_level: bool
    """Reported by ``AnalyzeStack`` (a stack policy) rather than by ``Analyze``."""


@dataclass(frozen=True)
class PolicyInfo:
    name: str
    description: str
    enforcement_level: EnforcementLevel
    severity: str
    """``low`` ... ``critical``, or ``unspecified``."""
    remediation: str
    url: str
    framework: str
    control: str
    stack_level: bool
    config_schema: dict[str, Any] = field(default_factory=dict[str, Any])


class PolicyPackError(RuntimeError):
    """The pack failed to start or failed a call; carries what it wrote to stderr."""


class PolicyConfigError(ValueError):
    """A policy pack config the CLI would refuse; the message says why in one line."""


def load_policy_config(path: Path) -> dict[str, Any]:
    """A ``--policy-pack-config`` file: ``{"all": level, "<policy>": level | {...}}``.

    Refuses, naming the file, what the CLI refuses before any policy runs: an unreadable file,
    text that is not a JSON object, an enforcement level that does not exist. Unknown policy
    names are refused when the pack is configured, as only the running pack knows its policies.
    """
    try:
        loaded = json.loads(path.read_text())
    except OSError as error:
        raise PolicyConfigError(f"{path}: cannot read it ({error.strerror})") from None
    except ValueError as error:
        raise PolicyConfigError(f"{path}: not JSON ({error})") from None
    if not isinstance(loaded, dict):
        raise PolicyConfigError(f"{path}: a policy pack config must be a JSON object")
    levels = [member.value for member in EnforcementLevel]
    for name, entry in loaded.items():  # pyright: ignore[reportUnknownVariableType]
        if isinstance(entry, dict) and "enforcementLevel" not in entry:
            continue
        level = entry.get("enforcementLevel") if isinstance(entry, dict) else entry  # pyright: ignore[reportUnknownMemberType, reportUnknownVariableType]
        if level not in levels:
            raise PolicyConfigError(
                f"{path}: {name}: {level!r} is not an enforcement level ({', '.join(levels)})"
            )
    return loaded  # pyright: ignore[reportUnknownVariableType]


class PolicyPackProcess:
    """One running policy pack. Use as a context manager (or ``start``/``close``)."""

    def __init__(
        self,
        *,
        stack: str,
        project: str = "log-archive",
        organization: str = "organization",
        preview: bool,
        config: Mapping[str, str] | None = None,
        pack_dir: Path = POLICY_PACK_DIR,
        python: str = sys.executable,
        start_timeout: float = 30.0,
    ) -> None:
        self.stack = stack
        self.project = project
        self.organization = organization
        self.preview = preview
        self.config = dict(config or {})
        self.pack_dir = pack_dir
        self.python = python
        self.start_timeout = start_timeout
        self._process: subprocess.Popen[bytes] | None = None
        self._channel: grpc.Channel | None = None
        self._stub: analyzer_pb2_grpc.AnalyzerStub | None = None
        self._stderr: list[str] = []
        self._drainer: threading.Thread | None = None
        self._info: list[PolicyInfo] = []

    def __enter__(self) -> PolicyPackProcess:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    @property
    def stderr(self) -> str:
        """What the pack wrote to stderr so far."""
        return "".join(self._stderr)

    @property
    def policies(self) -> list[PolicyInfo]:
        """The pack's policies as ``GetAnalyzerInfo`` described them at start."""
        return list(self._info)

    def start(self) -> None:
        """Launch the pack, connect, and make the engine's opening calls (terminating the pack if
        any of that fails)."""
        try:
            self.launch()
            self.connect()
        except BaseException:
            self.close()
            raise

    def launch(self) -> None:
        """Start the pack process without waiting for it (to start several packs at once)."""
        if self._process is not None:
            return
        environment = {
            **os.environ,
            "PULUMI_CONFIG": json.dumps(self.config),
            "PULUMI_PROJECT": self.project,
            "PULUMI_STACK": self.stack,
            "PULUMI_ORGANIZATION": self.organization,
            "PULUMI_DRY_RUN": "true" if self.preview else "false",
        }
        # The engine passes its own address; Python packs (pulumi-policy 1.21) never dial it.
        self._process = subprocess.Popen(
            [self.python, "-u", "-m", "pulumi.policy", "127.0.0.1:0", "."],
            cwd=self.pack_dir,
            env=environment,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        assert self._process.stderr is not None
        self._drainer = threading.Thread(target=self._drain, args=(self._process.stderr,), daemon=True)
        self._drainer.start()

    def connect(self) -> None:
        """Wait for the launched pack's port, connect, and make the engine's opening calls."""
        if self._stub is not None:
            return
        self.launch()
        assert self._process is not None
        assert self._process.stdout is not None
        port = self._read_port(self._process.stdout)
        self._channel = grpc.insecure_channel(f"127.0.0.1:{port}")
        grpc.channel_ready_future(self._channel).result(timeout=self.start_timeout)
        self._stub = analyzer_pb2_grpc.AnalyzerStub(self._channel)
        self._opening_calls()

    def close(self) -> None:
        """Disconnect and terminate the pack (it never exits by itself)."""
        self._stub = None
        if self._channel is not None:
            self._channel.close()
            self._channel = None
        if self._process is not None:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
            if self._drainer is not None:
                self._drainer.join(timeout=10)
            for stream in (self._process.stdout, self._process.stderr):
                if stream is not None:
                    stream.close()
            self._process = None

    def configure(self, policy_config: Mapping[str, Any] | None = None) -> None:
        """Send ``Configure`` for every policy, its level always explicit.

        ``policy_config`` has the ``--policy-pack-config`` form; policies it does not name keep
        their default level (or the ``all`` level), properties default to their schema defaults.
        A ``PolicyConfig`` without a level would mean ADVISORY, so one is always sent.
        """
        policy_config = dict(policy_config or {})
        known = {policy.name: policy for policy in self._info}
        unknown = sorted(set(policy_config) - set(known) - {"all"})
        if unknown:
            raise PolicyConfigError(
                f"policy pack config names unknown policies: {unknown}; {_nearest(unknown, known)}"
            )
        everything = policy_config.get("all")
        request = analyzer_pb2.ConfigureAnalyzerRequest()
        for name, policy in known.items():
            level = EnforcementLevel(everything) if everything else policy.enforcement_level
            properties = {
                key: schema["default"]
                for key, schema in policy.config_schema.get("properties", {}).items()
                if "default" in schema
            }
            entry = policy_config.get(name)
            if isinstance(entry, str):
                level = EnforcementLevel(entry)
            elif isinstance(entry, Mapping):
                for key, value in entry.items():  # pyright: ignore[reportUnknownVariableType]
                    if key == "enforcementLevel":
                        level = EnforcementLevel(value)
                    else:
                        properties[key] = value
            config = analyzer_pb2.PolicyConfig(enforcementLevel=level.to_wire())
            config.properties.update(properties)
            request.policyConfig[name].CopyFrom(config)
        self._call("Configure", request)

    def analyze(self, registrations: Sequence[Registration]) -> list[Diagnostic]:
        """``Analyze`` every registered resource, then ``AnalyzeStack`` once."""
        providers = self._providers(registrations)
        diagnostics: list[Diagnostic] = []
        for registration in registrations:
            if not registration.read:
                diagnostics.extend(self.analyze_resource(registration, providers))
        diagnostics.extend(self.analyze_stack(registrations, providers))
        return diagnostics

    def analyze_resource(
        self, registration: Registration, providers: Mapping[str, Registration] | None = None
    ) -> list[Diagnostic]:
        """``Analyze`` one resource (its inputs); ``providers`` maps URNs to provider registrations
        (default: explicit providers among the given registrations, else the default provider)."""
        providers = providers if providers is not None else self._providers([registration])
        request = analyzer_pb2.AnalyzeRequest(
            type=registration.type,
            name=registration.name,
            urn=registration.urn,
            properties=_struct(engine_view(registration.wire_inputs)),
            options=_options(registration),
        )
        provider = providers.get(registration.urn)
        if provider is not None:
            request.provider.CopyFrom(_provider(provider))
        response = self._call("Analyze", request)
        return [_diagnostic(d, registration.urn, stack_level=False) for d in response.diagnostics]

    def analyze_stack(
        self, registrations: Sequence[Registration], providers: Mapping[str, Registration] | None = None
    ) -> list[Diagnostic]:
        """``AnalyzeStack`` over every resource (its outputs), the providers included."""
        providers = providers if providers is not None else self._providers(registrations)
        everything = [*registrations, *{p.urn: p for p in providers.values()}.values()]
        request = analyzer_pb2.AnalyzeStackRequest()
        for registration in _unique(everything):
            resource = request.resources.add(
                type=registration.type,
                name=registration.name,
                urn=registration.urn,
                properties=_struct(engine_view(registration.wire_outputs)),
                options=_options(registration),
                parent=registration.parent,
                dependencies=list(registration.dependencies),
            )
            for key, urns in registration.property_dependencies.items():
                resource.propertyDependencies[key].urns.extend(urns)
            provider = providers.get(registration.urn)
            if provider is not None:
                resource.provider.CopyFrom(_provider(provider))
        response = self._call("AnalyzeStack", request)
        return [_diagnostic(d, d.urn, stack_level=True) for d in response.diagnostics]

    def _opening_calls(self) -> None:
        assert self._stub is not None
        try:
            self._stub.Handshake(
                analyzer_pb2.AnalyzerHandshakeRequest(
                    engine_address="127.0.0.1:0", root_directory=str(self.pack_dir.parent)
                )
            )
        except grpc.RpcError as error:
            if error.code() != grpc.StatusCode.UNIMPLEMENTED:  # pyright: ignore[reportAttributeAccessIssue, reportUnknownMemberType]
                raise
        self._call(
            "ConfigureStack",
            analyzer_pb2.AnalyzerStackConfigureRequest(
                stack=self.stack,
                project=self.project,
                organization=self.organization,
                dry_run=self.preview,
                config=self.config,
            ),
        )
        info = self._call("GetAnalyzerInfo", empty_pb2.Empty())
        self._info = [_policy_info(policy) for policy in info.policies]
        self.configure()

    def _call(self, method: str, request: Any) -> Any:
        assert self._stub is not None, "the pack is not running"
        try:
            return getattr(self._stub, method)(request)
        except grpc.RpcError as error:
            raise PolicyPackError(f"{method} failed: {error}\n{self.stderr}") from error

    def _read_port(self, stdout: IO[bytes]) -> int:
        line = stdout.readline().decode().strip()
        if not line.isdigit():
            assert self._process is not None
            self._process.wait(timeout=10)
            if self._drainer is not None:
                self._drainer.join(timeout=10)
            raise PolicyPackError(f"the pack did not print its port (got {line!r}):\n{self.stderr}")
        return int(line)

    def _drain(self, stream: IO[bytes]) -> None:
        for line in iter(stream.readline, b""):
            self._stderr.append(line.decode(errors="replace"))

    def _providers(self, registrations: Iterable[Registration]) -> dict[str, Registration]:
        """The provider of each resource (by URN): its explicit provider, or the default one."""
        by_urn = {r.urn: r for r in registrations}
        found: dict[str, Registration] = {}
        for registration in by_urn.values():
            if registration.type.startswith("pulumi:"):
                continue
            if registration.provider:
                explicit = by_urn.get(registration.provider.rsplit("::", 1)[0])
                if explicit is not None:
                    found[registration.urn] = explicit
            elif registration.custom:
                found[registration.urn] = self._default_provider(registration.type.split(":")[0])
        return found

    def _default_provider(self, package: str) -> Registration:
        try:
            version = metadata.version(f"pulumi_{package}")
        except metadata.PackageNotFoundError:
            version = "0.0.0"
        name = f"default_{version.replace('.', '_')}"
        inputs: dict[str, Any] = {
            key.split(":", 1)[1]: value
            for key, value in sorted(self.config.items())
            if key.startswith(f"{package}:")
        }
        inputs["version"] = version
        return Registration(
            type=f"pulumi:providers:{package}",
            name=name,
            urn=f"urn:pulumi:{self.stack}::{self.project}::pulumi:providers:{package}::{name}",
            parent="",
            custom=True,
            inputs=inputs,
            outputs=inputs,
            id="00000000-0000-4000-8000-000000000000",
            wire_inputs=inputs,
            wire_outputs=inputs,
        )


def analyze_program(
    run: ProgramRun,
    *,
    config: Mapping[str, str] | None = None,
    policy_config: Mapping[str, Any] | None = None,
) -> list[Diagnostic]:
    """Analyze one program run with a pack of its own, as ``pulumi preview``/``up`` of that stack
    with ``--policy-pack policy_pack [--policy-pack-config ...]`` would.

    ``config`` is the stack's flat config (default: ``Pulumi.<stack>.yaml``).
    """
    stack_settings = config if config is not None else stack_config(run.stack)
    with PolicyPackProcess(stack=run.stack, preview=run.preview, config=stack_settings) as pack:
        pack.configure(policy_config)
        return pack.analyze(run.registrations)


def _nearest(unknown: Sequence[str], known: Iterable[str]) -> str:
    """The policy each unknown name was most likely meant to be, else every policy's name."""
    names = sorted(known)
    close = [match for name in unknown for match in difflib.get_close_matches(name, names, n=1)]
    if len(close) == len(unknown):
        return f"did you mean {', '.join(close)}?"
    return f"the pack's policies are {', '.join(names)}"


def engine_view(wire: Any) -> Any:
    """Properties in wire form as the engine forwards them to analyzers."""
    if isinstance(wire, Mapping):
        if wire.get(_SIG) == _SECRET_SIG:
            return engine_view(wire.get("value"))
        if wire.get(_SIG) == _RESOURCE_SIG:
            if "id" in wire:
                return wire["id"] or PREVIEW_UNKNOWN
            return wire.get("urn", "")
        if wire.get(_SIG) == _OUTPUT_SIG:
            return engine_view(wire["value"]) if "value" in wire else PREVIEW_UNKNOWN
        return {
            str(key): engine_view(value)
            for key, value in wire.items()  # pyright: ignore[reportUnknownVariableType]
            if not str(key).startswith("__")  # pyright: ignore[reportUnknownArgumentType]
        }
    if isinstance(wire, list):
        return [engine_view(item) for item in wire]  # pyright: ignore[reportUnknownVariableType]
    return wire


def _struct(properties: Any) -> struct_pb2.Struct:
    struct = struct_pb2.Struct()
    if isinstance(properties, Mapping):
        struct.update(properties)  # pyright: ignore[reportUnknownArgumentType]
    return struct


def _options(registration: Registration) -> analyzer_pb2.AnalyzerResourceOptions:
    return analyzer_pb2.AnalyzerResourceOptions(
        protect=registration.protect,
        ignoreChanges=list(registration.ignore_changes),
        deleteBeforeReplace=registration.delete_before_replace,
        deleteBeforeReplaceDefined=registration.delete_before_replace_defined,
        parent=registration.parent,
    )


def _provider(provider: Registration) -> analyzer_pb2.AnalyzerProviderResource:
    return analyzer_pb2.AnalyzerProviderResource(
        type=provider.type,
        name=provider.name,
        urn=provider.urn,
        properties=_struct(engine_view(provider.wire_inputs)),
    )


def _unique(registrations: Iterable[Registration]) -> list[Registration]:
    return list({r.urn: r for r in registrations}.values())


def _diagnostic(wire: Any, urn: str, *, stack_level: bool) -> Diagnostic:
    return Diagnostic(
        policy_name=wire.policyName,
        message=wire.message,
        urn=urn,
        enforcement_level=EnforcementLevel.from_wire(wire.enforcementLevel),
        stack_level=stack_level,
    )


def _policy_info(wire: Any) -> PolicyInfo:
    schema = json_format.MessageToDict(wire.configSchema) if wire.HasField("configSchema") else {}
    return PolicyInfo(
        name=wire.name,
        description=wire.description,
        enforcement_level=EnforcementLevel.from_wire(wire.enforcementLevel),
        severity=analyzer_pb2.PolicySeverity.Name(wire.severity).removeprefix("POLICY_SEVERITY_").lower(),
        remediation=wire.remediation_steps,
        url=wire.url,
        framework=wire.framework.name,
        control=wire.framework.reference,
        stack_level=wire.policy_type == analyzer_pb2.POLICY_TYPE_STACK,
        config_schema=schema,
    )
