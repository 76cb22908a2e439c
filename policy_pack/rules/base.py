"""What every rule shares: its metadata, plain views of the engine's properties, and a safety net.

The engine hands policies read-only proxies that raise ``UnknownValueError`` when a value unknown
during preview is read. Rules work on plain copies instead (``plain``), in which an unknown value
is an ``Unknown`` marker; a rule that cannot decide without it calls ``known``, which raises the
SDK's ``UnknownValueError`` so the SDK reports its usual advisory "can't run policy during preview"
and the rule runs again at update with real values.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    Policy,
    PolicyComplianceFramework,
    PolicyConfigSchema,
    PolicyResource,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.proxy import (
    UNKNOWN_ARCHIVE_VALUE,
    UNKNOWN_ARRAY_VALUE,
    UNKNOWN_ASSET_VALUE,
    UNKNOWN_BOOLEAN_VALUE,
    UNKNOWN_NUMBER_VALUE,
    UNKNOWN_OBJECT_VALUE,
    UNKNOWN_STRING_VALUE,
    UnknownValueError,
)

UNKNOWN_SENTINELS = frozenset(
    {
        UNKNOWN_BOOLEAN_VALUE,
        UNKNOWN_NUMBER_VALUE,
        UNKNOWN_STRING_VALUE,
        UNKNOWN_ARRAY_VALUE,
        UNKNOWN_ASSET_VALUE,
        UNKNOWN_ARCHIVE_VALUE,
        UNKNOWN_OBJECT_VALUE,
    }
)

SECURITY_HUB = "AWS Foundational Security Best Practices"
SECURITY_HUB_CONTROL = re.compile(r"^[A-Za-z]+\.\d+$")
AWS_DOCS = "AWS documentation"


@dataclass(frozen=True)
class Unknown:
    """A value not known yet (preview); ``path`` is where it sits in the resource's properties."""

    sentinel: str
    path: tuple[str, ...]


def plain(value: Any, path: tuple[str, ...] = ()) -> Any:
    """A plain copy of ``value`` (dicts, lists, scalars) with unknowns replaced by ``Unknown``.

    Works on the SDK's read-only proxies and on ordinary data alike; never raises.
    """
    if isinstance(value, str):
        return Unknown(value, path) if value in UNKNOWN_SENTINELS else value
    if isinstance(value, Mapping):
        copy: dict[str, Any] = {}
        for key in list(value):  # pyright: ignore[reportUnknownVariableType]
            copy[str(key)] = _item(value, key, (*path, str(key)))
        return copy
    if isinstance(value, Sequence) and not isinstance(value, bytes | bytearray):
        return [_item(value, index, (*path, str(index))) for index in range(len(value))]
    return value


def _item(container: Any, key: Any, path: tuple[str, ...]) -> Any:
    try:
        return plain(container[key], path)
    except UnknownValueError as unknown:
        return Unknown(unknown.unknown_type_sentinel, path)


def known(value: Any) -> Any:
    """``value`` itself, or ``UnknownValueError`` if it (or anything inside it) is unknown."""
    marker = find_unknown(value)
    if marker is not None:
        raise UnknownValueError(marker.sentinel, list(marker.path))
    return value


def find_unknown(value: Any) -> Unknown | None:
    """The first ``Unknown`` inside ``value``, if any."""
    if isinstance(value, Unknown):
        return value
    if isinstance(value, dict):
        items: Iterable[Any] = value.values()  # pyright: ignore[reportUnknownMemberType]
    elif isinstance(value, list):
        items = value  # pyright: ignore[reportUnknownVariableType]
    else:
        return None
    for item in items:
        marker = find_unknown(item)
        if marker is not None:
            return marker
    return None


def is_unknown(value: Any) -> bool:
    return find_unknown(value) is not None


def get(value: Any, *path: str | int) -> Any:
    """``value[path[0]][path[1]]...`` on plain data, ``None`` where the path does not exist and
    the ``Unknown`` marker where it runs into an unknown value."""
    for step in path:
        if isinstance(value, Unknown):
            return value
        if isinstance(step, str) and isinstance(value, dict):
            value = value.get(step)  # pyright: ignore[reportUnknownMemberType]
        elif isinstance(step, int) and isinstance(value, list) and -len(value) <= step < len(value):  # pyright: ignore[reportUnknownArgumentType]
            value = value[step]
        else:
            return None
    return value


def text(value: Any) -> str | None:
    """A known scalar as the text IAM would compare (``True`` -> ``"true"``, ``2.0`` -> ``"2"``)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float) and math.isfinite(value):
        return str(int(value)) if value.is_integer() else str(value)
    return None


def is_true(value: Any) -> bool:
    """Whether ``value`` is true as a provider would read it (``True`` or ``"true"``)."""
    return value is True or (isinstance(value, str) and value.lower() == "true")


def number(value: Any) -> float | None:
    """A finite number from an int, float or numeric string, else ``None``."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float) and math.isfinite(value):
        return float(value)
    if isinstance(value, str):
        try:
            parsed = float(value)
        except ValueError:
            return None
        return parsed if math.isfinite(parsed) else None
    return None


@dataclass(frozen=True)
class Resource:
    """A resource as a rule sees it: plain properties and the options rules look at."""

    type: str
    name: str
    urn: str
    props: dict[str, Any]
    protect: bool = False
    delete_before_replace: bool | None = None
    """The program's ``delete_before_replace`` option; ``None`` when unset (the provider decides)."""
    provider: dict[str, Any] = field(default_factory=dict[str, Any])
    parent: str = ""
    dependencies: frozenset[str] = frozenset()
    property_dependencies: Mapping[str, frozenset[str]] = field(default_factory=dict[str, frozenset[str]])

    @property
    def label(self) -> str:
        """How messages name the resource: its short type and name."""
        return f"{self.type.rsplit(':', 1)[-1]} '{self.name}'"


def create_first(resource: Resource, _: Mapping[str, Any]) -> Iterable[str]:
    """A resource check: the problem when ``resource`` would be replaced delete-first."""
    if resource.delete_before_replace is not False:
        yield (
            f"{resource.label} does not set delete_before_replace=False: a replacement deletes it "
            "before its successor exists."
        )


@dataclass(frozen=True)
class Rule:
    """Metadata every rule carries, the README table's source."""

    name: str
    description: str
    level: EnforcementLevel
    severity: Severity
    why: str
    remediation: str
    control: str
    """A Security Hub control id (``S3.5``) or the name of the documented practice the rule follows."""
    url: str
    config: Mapping[str, Mapping[str, Any]] = field(default_factory=dict[str, Mapping[str, Any]])
    """JSON-schema properties of the rule's configuration, each with a ``default``."""

    @property
    def framework(self) -> str:
        return SECURITY_HUB if SECURITY_HUB_CONTROL.match(self.control) else AWS_DOCS

    def settings(self, configured: Mapping[str, Any]) -> dict[str, Any]:
        """The configured properties over the schema defaults."""
        values = {key: schema["default"] for key, schema in self.config.items()}
        values.update({key: plain(value) for key, value in configured.items() if key in values})
        return values

    def _common(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "description": self.description,
            "enforcement_level": self.level,
            "config_schema": PolicyConfigSchema({k: dict(v) for k, v in self.config.items()})
            if self.config
            else None,
            "severity": self.severity,
            "framework": PolicyComplianceFramework(name=self.framework, reference=self.control),
            "remediation_steps": self.remediation,
            "url": self.url,
        }

    def message(self, problem: str) -> str:
        return f"{problem} Fix: {self.remediation}"

    def error_message(self, subject: str, error: Exception) -> str:
        return self.message(
            f"{subject}: the rule could not evaluate it ({type(error).__name__}: {error}), "
            "so it cannot be shown to be compliant."
        )


@dataclass(frozen=True)
class Guardrail:
    """A rule and the policy that enforces it."""

    rule: Rule
    policy: Policy


ResourceCheck = Callable[[Resource, Mapping[str, Any]], Iterable[str]]
"""Yields one problem sentence per violation, naming the resource."""

StackCheck = Callable[[list[Resource], Mapping[str, Any]], Iterable[tuple[str, Resource]]]
"""Yields ``(problem, resource that breaks the rule)`` pairs."""


def resource_policy(rule: Rule, types: Iterable[str], check: ResourceCheck) -> Guardrail:
    """A resource policy that runs ``check`` on resources of ``types`` and never raises.

    ``UnknownValueError`` passes through (the SDK turns it into its preview advisory); any other
    error is reported as a violation rather than failing the whole preview.
    """
    wanted = frozenset(types)

    def validate(args: ResourceValidationArgs, report: ReportViolation) -> None:
        if args.resource_type not in wanted:
            return
        label = f"{args.resource_type.rsplit(':', 1)[-1]} '{args.name}'"
        try:
            resource = Resource(
                type=args.resource_type,
                name=args.name,
                urn=args.urn,
                props=_props(args.props),
                protect=bool(args.opts.protect),
                delete_before_replace=args.opts.delete_before_replace,
                provider=_props(args.provider.props) if args.provider else {},
                parent=args.opts.parent or "",
            )
            problems = list(check(resource, rule.settings(args.get_config())))
        except UnknownValueError:
            raise
        except Exception as error:  # the safety net: a broken input is a violation
            report(rule.error_message(label, error), None)
            return
        for problem in problems:
            report(rule.message(problem), None)

    return Guardrail(rule, ResourceValidationPolicy(validate=validate, **rule._common()))  # pyright: ignore[reportPrivateUsage]


def stack_policy(rule: Rule, types: Iterable[str], check: StackCheck) -> Guardrail:
    """A stack policy that runs ``check`` over the resources of ``types`` (their outputs; other
    resources are not even copied) and never raises (but for ``UnknownValueError``, as in
    ``resource_policy``)."""
    wanted = frozenset(types)

    def validate(args: StackValidationArgs, report: ReportViolation) -> None:
        try:
            resources = [_stack_resource(r) for r in args.resources if r.resource_type in wanted]
            findings = list(check(resources, rule.settings(args.get_config())))
        except UnknownValueError:
            raise
        except Exception as error:  # the safety net: a broken input is a violation
            report(rule.error_message("the stack", error), None)
            return
        for problem, resource in findings:
            report(rule.message(problem), resource.urn)

    return Guardrail(rule, StackValidationPolicy(validate=validate, **rule._common()))  # pyright: ignore[reportPrivateUsage]


def _props(props: Any) -> dict[str, Any]:
    copied = plain(props)
    return copied if isinstance(copied, dict) else {}  # pyright: ignore[reportUnknownVariableType]


def _stack_resource(resource: PolicyResource) -> Resource:
    return Resource(
        type=resource.resource_type,
        name=resource.name,
        urn=resource.urn,
        props=_props(resource.props),
        protect=bool(resource.opts.protect),
        delete_before_replace=resource.opts.delete_before_replace,
        provider=_props(resource.provider.props) if resource.provider else {},
        parent=resource.parent.urn if resource.parent else "",
        dependencies=frozenset(dependency.urn for dependency in resource.dependencies),
        property_dependencies={
            key: frozenset(dependency.urn for dependency in dependencies)
            for key, dependencies in resource.property_dependencies.items()
        },
    )
