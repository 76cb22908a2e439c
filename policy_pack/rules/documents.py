"""IAM policy documents as AWS reads them, in every shape a program may hand them over.

A document arrives as a JSON string or an object; ``Statement`` as an object or a list;
``Action``/``NotAction``, ``Resource``/``NotResource`` and principal values as a string or a list;
``Principal`` as ``"*"`` or a map; condition operators in any case, with ``...IfExists`` and the
``ForAnyValue:``/``ForAllValues:`` qualifiers; numbers and booleans as JSON or as strings.
Parsing never raises on bad input: what cannot be read becomes a ``problem``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from pulumi_policy.proxy import UnknownValueError

from .base import known, plain, text

ACCOUNT_ID = re.compile(r"^\d{12}$")
ORGANIZATION_ID = re.compile(r"^o-[a-z0-9]{10,32}$")


@dataclass(frozen=True)
class Condition:
    """One key of one condition operator, e.g. ``StringEquals`` / ``s3:x-amz-acl``."""

    operator: str
    """As written, e.g. ``ForAnyValue:StringLikeIfExists``."""
    test: str
    """The bare operator in lower case, e.g. ``stringlike``."""
    if_exists: bool
    qualifier: str
    """``""``, ``foranyvalue`` or ``forallvalues``."""
    key: str
    """The condition key in lower case (keys are case-insensitive)."""
    values: tuple[str, ...]

    @property
    def negated(self) -> bool:
        return "not" in self.test

    def is_strict(self, *tests: str) -> bool:
        """Whether this is one of ``tests``, without ``IfExists`` or a set qualifier."""
        return self.test in tests and not self.if_exists and not self.qualifier


@dataclass(frozen=True)
class Principal:
    """A ``Principal`` element: ``"*"`` or a map of kind (``AWS``, ``Service``...) to values."""

    entries: tuple[tuple[str, tuple[str, ...]], ...]

    def values(self, kind: str) -> tuple[str, ...]:
        return tuple(value for k, values in self.entries if k.lower() == kind.lower() for value in values)

    @property
    def everyone(self) -> bool:
        """``"*"`` or ``{"AWS": "*"}``: any principal at all."""
        return "*" in self.values("*") or "*" in self.values("AWS")

    @property
    def services(self) -> frozenset[str]:
        return frozenset(value.lower() for value in self.values("Service"))

    @property
    def accounts(self) -> frozenset[str]:
        """Account ids named by ``AWS`` values (ids, ``:root`` ARNs, role or user ARNs)."""
        found: set[str] = set()
        for value in self.values("AWS"):
            if ACCOUNT_ID.match(value):
                found.add(value)
            else:
                arn = parse_arn(value)
                if arn is not None and ACCOUNT_ID.match(arn.account):
                    found.add(arn.account)
        return frozenset(found)


@dataclass(frozen=True)
class Statement:
    index: int
    sid: str
    effect: str
    actions: tuple[str, ...] | None
    not_actions: tuple[str, ...] | None
    resources: tuple[str, ...] | None
    not_resources: tuple[str, ...] | None
    principal: Principal | None
    not_principal: Principal | None
    conditions: tuple[Condition, ...]

    @property
    def label(self) -> str:
        return f"statement '{self.sid}'" if self.sid else f"statement #{self.index + 1}"

    @property
    def is_deny(self) -> bool:
        return self.effect.lower() == "deny"

    @property
    def is_allow(self) -> bool:
        """Anything but ``Deny`` counts as an allow, so a misspelt effect never hides a grant."""
        return not self.is_deny

    def covers_action(self, action: str) -> bool:
        """Whether the statement applies to ``action`` (wildcards and ``NotAction`` included)."""
        if self.actions is not None:
            return any(matches(pattern, action) for pattern in self.actions)
        if self.not_actions is not None:
            return not any(matches(pattern, action) for pattern in self.not_actions)
        return False

    def allows(self, action: str) -> bool:
        return self.is_allow and self.covers_action(action)

    def covers_resource(self, arn: str) -> bool:
        if self.resources is not None:
            return any(matches(pattern, arn, case_sensitive=True) for pattern in self.resources)
        if self.not_resources is not None:
            return not any(matches(pattern, arn, case_sensitive=True) for pattern in self.not_resources)
        return False

    def conditions_on(self, key: str) -> tuple[Condition, ...]:
        return tuple(condition for condition in self.conditions if condition.key == key.lower())

    def requires(self, key: str, accept: Callable[[str], bool], *tests: str) -> bool:
        """Whether a strict ``tests`` condition on ``key`` admits only values ``accept`` takes."""
        return any(
            condition.is_strict(*tests) and condition.values and all(map(accept, condition.values))
            for condition in self.conditions_on(key)
        )


@dataclass(frozen=True)
class Document:
    statements: tuple[Statement, ...]
    problems: tuple[str, ...]
    """Why (part of) the document could not be read; empty for a well-formed document."""


def public_grants(document: Document, restricts: Callable[[Condition], bool]) -> list[tuple[Statement, str]]:
    """The Allow statements that open a resource to everyone, each with what it allows: every
    principal but a NotPrincipal, or Principal "*" under no condition ``restricts`` accepts."""
    grants: list[tuple[Statement, str]] = []
    for statement in document.statements:
        if not statement.is_allow:
            continue
        if statement.not_principal is not None:
            grants.append((statement, "allows everyone but the NotPrincipal"))
        elif (
            statement.principal is not None
            and statement.principal.everyone
            and not any(restricts(condition) for condition in statement.conditions)
        ):
            grants.append((statement, 'allows Principal "*"'))
    return grants


def parse_policy(value: Any) -> Document:
    """Parse a policy given as JSON text or as an object.

    Raises the SDK's ``UnknownValueError`` when (part of) the document is unknown in preview.
    """
    value = known(plain(value))
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except (ValueError, RecursionError) as error:
            return Document((), (f"the policy is not valid JSON ({error})",))
    if not isinstance(value, dict):
        return Document((), (f"the policy is a {type(value).__name__}, not a JSON object",))
    raw = value.get("Statement")  # pyright: ignore[reportUnknownMemberType]
    if raw is None:
        return Document((), ())
    items: list[Any] = raw if isinstance(raw, list) else [raw]  # pyright: ignore[reportUnknownVariableType]
    statements: list[Statement] = []
    problems: list[str] = []
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            problems.append(f"statement #{index + 1} is not an object")
            continue
        statement, statement_problems = _statement(index, item)  # pyright: ignore[reportUnknownArgumentType]
        statements.append(statement)
        problems.extend(statement_problems)
    return Document(tuple(statements), tuple(problems))


def _statement(index: int, raw: dict[str, Any]) -> tuple[Statement, list[str]]:
    problems: list[str] = []
    label = f"statement #{index + 1}"

    def strings(key: str) -> tuple[str, ...] | None:
        if key not in raw:
            return None
        values = _strings(raw[key])
        if values is None:
            problems.append(f"{label}: {key} is neither a string nor a list of strings")
        return values

    def principal(key: str) -> Principal | None:
        if key not in raw:
            return None
        parsed = _principal(raw[key])
        if parsed is None:
            problems.append(f'{label}: {key} is neither "*" nor a map of principals')
        return parsed

    effect = text(raw.get("Effect")) or ""
    conditions = _conditions(raw.get("Condition"), label, problems)
    statement = Statement(
        index=index,
        sid=text(raw.get("Sid")) or "",
        effect=effect,
        actions=strings("Action"),
        not_actions=strings("NotAction"),
        resources=strings("Resource"),
        not_resources=strings("NotResource"),
        principal=principal("Principal"),
        not_principal=principal("NotPrincipal"),
        conditions=conditions,
    )
    return statement, problems


def _strings(value: Any) -> tuple[str, ...] | None:
    items: list[Any] = value if isinstance(value, list) else [value]  # pyright: ignore[reportUnknownVariableType]
    texts = [text(item) for item in items]
    if any(item is None for item in texts):
        return None
    return tuple(item for item in texts if item is not None)


def _principal(value: Any) -> Principal | None:
    if value == "*":
        return Principal((("*", ("*",)),))
    if not isinstance(value, dict):
        return None
    entries: list[tuple[str, tuple[str, ...]]] = []
    for kind, raw in value.items():  # pyright: ignore[reportUnknownVariableType]
        values = _strings(raw)
        if values is None:
            return None
        entries.append((str(kind), values))  # pyright: ignore[reportUnknownArgumentType]
    return Principal(tuple(entries))


_OPERATOR = re.compile(r"^(?:(foranyvalue|forallvalues):)?(.+?)(ifexists)?$", re.IGNORECASE)


def _conditions(value: Any, label: str, problems: list[str]) -> tuple[Condition, ...]:
    if value is None:
        return ()
    if not isinstance(value, dict):
        problems.append(f"{label}: Condition is not an object")
        return ()
    found: list[Condition] = []
    for operator, block in value.items():  # pyright: ignore[reportUnknownVariableType]
        match = _OPERATOR.match(str(operator))  # pyright: ignore[reportUnknownArgumentType]
        if match is None or not isinstance(block, dict):
            problems.append(f"{label}: condition {operator!r} is not a map of keys to values")
            continue
        qualifier, test, if_exists = match.groups()
        for key, raw in block.items():  # pyright: ignore[reportUnknownVariableType]
            values = _strings(raw)
            if values is None:
                problems.append(f"{label}: condition {operator}/{key} has a value that is not a string")
                continue
            found.append(
                Condition(
                    operator=str(operator),  # pyright: ignore[reportUnknownArgumentType]
                    test=test.lower(),
                    if_exists=if_exists is not None,
                    qualifier=(qualifier or "").lower(),
                    key=str(key).lower(),  # pyright: ignore[reportUnknownArgumentType]
                    values=values,
                )
            )
    return tuple(found)


@lru_cache(maxsize=1024)
def _glob(pattern: str, case_sensitive: bool) -> re.Pattern[str]:
    body = "".join(".*" if char == "*" else "." if char == "?" else re.escape(char) for char in pattern)
    return re.compile(f"^{body}$", 0 if case_sensitive else re.IGNORECASE | re.DOTALL)


def matches(pattern: str, value: str, *, case_sensitive: bool = False) -> bool:
    """IAM wildcard matching: ``*`` any run of characters, ``?`` any one character."""
    return _glob(pattern, case_sensitive).match(value) is not None


def has_wildcard(value: str) -> bool:
    return "*" in value or "?" in value


@dataclass(frozen=True)
class Arn:
    partition: str
    service: str
    region: str
    account: str
    resource: str


def parse_arn(value: Any) -> Arn | None:
    if not isinstance(value, str) or not value.startswith("arn:"):
        return None
    parts = value.split(":", 5)
    if len(parts) != 6:
        return None
    return Arn(parts[1], parts[2], parts[3], parts[4], parts[5])


def parse_if_known(value: Any) -> Document | None:
    """``parse_policy(value)``, or ``None`` while (part of) the document is unknown in preview."""
    try:
        return parse_policy(value)
    except UnknownValueError:
        return None


def names_organization(condition: Condition, kind: str) -> bool:
    """Whether ``condition`` (already known to be positive) pins ``aws:<kind>OrgID`` to
    organization ids or ``aws:<kind>OrgPaths`` to organization paths; ``kind`` is ``principal``
    or ``source``."""
    if condition.test not in ("stringequals", "stringlike"):
        return False
    if condition.key == f"aws:{kind}orgid":
        return all(ORGANIZATION_ID.match(value) for value in condition.values)
    if condition.key == f"aws:{kind}orgpaths":
        return all(value.startswith("o-") for value in condition.values)
    return False


def principal_organization(condition: Condition) -> bool:
    """Whether ``condition`` restricts the principal to organizations (positive, with values)."""
    if condition.negated or condition.if_exists or not condition.values:
        return False
    return names_organization(condition, "principal")


def public_without_organization(label: str, raw: Any) -> Iterator[str]:
    """The problems of the resource policy ``raw`` of ``label`` that opens it to everyone with no
    aws:PrincipalOrgID or aws:PrincipalOrgPaths condition."""
    document = parse_policy(raw)
    yield from (f"{label}: {problem}." for problem in document.problems)
    for statement, grant in public_grants(document, principal_organization):
        yield (
            f"{label}: {statement.label} {grant} without an aws:PrincipalOrgID or "
            "aws:PrincipalOrgPaths condition."
        )


def only_actions(label: str, raw: Any, allowed: Sequence[str]) -> Iterator[str]:
    """The problems of the resource policy ``raw`` of ``label`` whose Allow statements grant more
    than the ``allowed`` actions, named exactly (a wildcard or NotAction is more)."""
    document = parse_policy(raw)
    yield from (f"{label}: {problem}." for problem in document.problems)
    wanted = {action.lower() for action in allowed}
    needed = f"only {' and '.join(allowed)} {'is' if len(allowed) == 1 else 'are'} needed"
    for statement in document.statements:
        if not statement.is_allow:
            continue
        if statement.not_actions is not None:
            yield f"{label}: {statement.label} allows every action but its NotAction."
        extra = [a for a in statement.actions or () if has_wildcard(a) or a.lower() not in wanted]
        if extra:
            yield f"{label}: {statement.label} allows {extra}; {needed}."
