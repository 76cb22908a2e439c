"""Config validation shared by both stacks: every error names the key and the accepted form."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import pulumi

NAMESPACE = "log-archive"

ACCOUNT_ID = re.compile(r"^\d{12}$")
ORGANIZATION_ID = re.compile(r"^o-[a-z0-9]{10,32}$")
REGION = re.compile(r"^(?!cn-)[a-z]{2}-[a-z]+-\d$")
"""A region of the commercial ``aws`` partition, the one whose ARNs and service principals the
policies are written for (no ``cn-``, ``us-gov-`` or ISO regions)."""

T = TypeVar("T")


class ConfigError(pulumi.RunError):
    """Invalid stack configuration. A ``RunError``, so Pulumi prints the message without a traceback."""

    def __init__(self, key: str, problem: str, accepted: str) -> None:
        qualified = key if ":" in key else f"{NAMESPACE}:{key}"
        super().__init__(f"{qualified}: {problem}. Expected {accepted}.")
        self.key = qualified


def get_object(config: pulumi.Config, key: str, accepted: str) -> Any:
    """The JSON value of ``key`` (``None`` when unset); a non-JSON value is a ``ConfigError``."""
    raw = config.get(key)
    if raw is None:
        return None
    try:
        return config.get_object(key)
    except Exception:
        raise ConfigError(key, f"{raw!r} is not valid YAML/JSON", accepted) from None


def string_list(value: Any, key: str, accepted: str, check: Callable[[str], bool]) -> list[str]:
    """A list of unique strings each passing ``check``."""
    if not isinstance(value, list):
        raise ConfigError(key, f"got {value!r}", accepted)
    items: list[str] = []
    for item in value:
        if not isinstance(item, str) or not check(item):
            raise ConfigError(key, f"{item!r} is not valid", accepted)
        if item in items:
            raise ConfigError(key, f"{item!r} is listed twice", accepted)
        items.append(item)
    return items


def account_ids(value: Any, key: str) -> list[str]:
    return string_list(
        value,
        key,
        'a list of 12-digit AWS account ids as strings, e.g. ["111111111111"]',
        lambda item: bool(ACCOUNT_ID.match(item)),
    )


def regions(value: Any, key: str, default: str) -> list[str]:
    """The regions listed under ``key``, or the stack's region ``default`` when none are."""
    accepted = 'a non-empty list of region codes of the commercial aws partition, e.g. ["ap-northeast-1"]'
    found = string_list(
        [default] if value is None else value, key, accepted, lambda item: bool(REGION.match(item))
    )
    if not found:
        raise ConfigError(key, "the list is empty", accepted)
    return found


def integer(value: Any, key: str, low: int, high: int, default: int) -> int:
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int | float) or int(value) != value:
        raise ConfigError(key, f"{value!r} is not a whole number", f"an integer from {low} to {high}")
    if not low <= value <= high:
        raise ConfigError(key, f"{int(value)} is out of range", f"an integer from {low} to {high}")
    return int(value)


def choice(value: Any, key: str, choices: Sequence[T]) -> T:
    """One of ``choices``; the first is the default."""
    if value is None:
        return choices[0]
    if value not in choices:
        raise ConfigError(key, f"{value!r} is not supported", "one of " + ", ".join(map(repr, choices)))
    return choices[choices.index(value)]
