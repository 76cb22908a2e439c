"""The stack's configuration as one map, and the registry of every ``log-archive:*`` key.

A stack is the organization stack when it sets ``log-archive:organizationalUnitIds``, else a
source stack when it sets ``log-archive:archiveStack``, else the archive stack. Each key belongs
to the kinds listed in ``KEYS``; before any value is parsed, ``StackConfig.check_keys`` refuses
a key of neither kind (a typo: ``objectLockmode`` silently left the default in force), a key of
the other kind (``logGroups`` on the archive stack would be ignored just as silently) and a key
set with ``--secret`` whose value cannot stay secret. ``aws:region`` is checked here too (it is
the stack's home region); every other ``aws:*`` key is the AWS provider's business.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

import pulumi
from pulumi.runtime import config as runtime_config

from components.validation import NAMESPACE, ConfigError, did_you_mean, parse_json

Kind = Literal["archive", "source", "organization"]

ARCHIVE_STACK_KEY = "archiveStack"
"""The key whose presence makes a stack a source stack (or, with ``ORGANIZATION_UNITS_KEY``, the
organization stack)."""
ORGANIZATION_UNITS_KEY = "organizationalUnitIds"
"""The key whose presence makes a stack the organization stack (StackSets to OUs)."""
REGION_KEY = "aws:region"

ARCHIVE_KEYS = (
    *("sourceAccountIds", "organizationId", "sourceRegions", "layout", "bufferingSizeMiB"),
    *("bufferingIntervalSeconds", "retentionDays", "glacierTransitionDays", "deepArchiveTransitionDays"),
    *("objectLockMode", "objectLockDays", "kmsKeyArn", "readerPrincipalArns", "alarmEmail"),
    "accessLogsBucket",
    "queryableDays",
    *("silenceMinutes", "heartbeatLatenessMinutes", "heartbeatAccountIds"),
    "keyAdminPrincipalArns",
    "replicaRegion",
)
"""Every key of the archive stack, in the README's order."""
SOURCE_KEYS = (
    *(ARCHIVE_STACK_KEY, "logGroups", "accountPolicy", "regions", "heartbeatMinutes"),
    "stackSetEnrolled",
)
"""Every key of a source stack, in the README's order."""
ORGANIZATION_KEYS = (
    *(ORGANIZATION_UNITS_KEY, ARCHIVE_STACK_KEY, "organizationId", "regions", "accountPolicy"),
    *("callAs", "retainStacksOnAccountRemoval", "operationPreferences", "heartbeatMinutes"),
)
"""Every key of the organization stack, in the README's order."""
KEYS: Mapping[Kind, tuple[str, ...]] = {
    "archive": ARCHIVE_KEYS,
    "source": SOURCE_KEYS,
    "organization": ORGANIZATION_KEYS,
}
BECAUSE: Mapping[Kind, str] = {
    "archive": f"{NAMESPACE}:{ARCHIVE_STACK_KEY} is not set",
    "source": f"{NAMESPACE}:{ARCHIVE_STACK_KEY} is set",
    "organization": f"{NAMESPACE}:{ORGANIZATION_UNITS_KEY} is set",
}
"""Why a stack is of its kind, as the refusal of another kind's key says it."""

SECRET_CAPABLE = frozenset({"alarmEmail"})
"""Keys whose value reaches resources only as a Pulumi secret, so ``--secret`` is honoured.
Every other value becomes part of resource names, URNs, policy documents or stack outputs,
which the program builds as plain strings: set with ``--secret``, it is refused rather than
leaked."""

MISPLACED: Mapping[str, tuple[str, str]] = {
    "excludeLogGroups": (
        "exclusions apply only to the account policy",
        'accountPolicy: {"excludeLogGroups": [...]}',
    )
}
"""Keys users write that belong inside another key, with the problem and where they belong."""


@dataclass(frozen=True)
class StackConfig:
    """Every config value of the stack (full key -> the string Pulumi passes) and which are secret."""

    values: Mapping[str, str]
    secret_keys: frozenset[str] = frozenset()

    @property
    def kind(self) -> Kind:
        """``organization`` when ``log-archive:organizationalUnitIds`` is set at all, else
        ``source`` when ``log-archive:archiveStack`` is set at all (an empty value included: its
        parser then refuses it), else ``archive``."""
        if _full(ORGANIZATION_UNITS_KEY) in self.values:
            return "organization"
        return "source" if _full(ARCHIVE_STACK_KEY) in self.values else "archive"

    def get(self, key: str) -> str | None:
        """The raw value of ``key`` (``log-archive:`` implied without a namespace), ``None`` if unset."""
        return self.values.get(_full(key))

    def get_json(self, key: str, accepted: str) -> Any:
        """The value of ``key`` parsed as strict JSON, ``None`` if unset."""
        raw = self.get(key)
        return None if raw is None else parse_json(raw, key, accepted)

    def is_secret(self, key: str) -> bool:
        return _full(key) in self.secret_keys

    def check_keys(self, kind: Kind) -> None:
        """Refuse unknown, misplaced and un-secret-able secret keys, in key order, first one wins."""
        for key in sorted(self.values):
            if key == REGION_KEY:
                self._check_secret(key)
            namespace, _, short = key.partition(":")
            if namespace == NAMESPACE:
                self._check_key(kind, short)

    def _check_key(self, kind: Kind, short: str) -> None:
        own = KEYS[kind]
        others: list[Kind] = [other for other in KEYS if other != kind and short in KEYS[other]]
        if short in own:
            self._check_secret(short)
            return
        if short in MISPLACED:
            raise ConfigError(short, *MISPLACED[short])
        accepted = f"one of the {kind} stack's keys: {', '.join(own)}"
        if others:
            kinds = " or ".join(f"{_article(other)} {other}-stack key" for other in others)
            raise ConfigError(
                short,
                f"{short} is {kinds}, but this stack is the {kind} stack because "
                f"{BECAUSE[kind]}{did_you_mean(short, own)}",
                accepted,
            )
        every = tuple(dict.fromkeys(key for keys in KEYS.values() for key in keys))
        raise ConfigError(short, f"unknown key{did_you_mean(short, every)}", accepted)

    def _check_secret(self, key: str) -> None:
        if self.is_secret(key) and key not in SECRET_CAPABLE:
            raise ConfigError(
                key,
                "is set with --secret, but its value becomes part of resource names, policies or "
                "stack outputs, which cannot keep it secret",
                f"the value set without --secret (`pulumi config set {_full(key)} <value>`); only "
                + ", ".join(_full(name) for name in sorted(SECRET_CAPABLE))
                + " may be secret",
            )


def _article(kind: Kind) -> str:
    return "an" if kind in ("archive", "organization") else "a"


def _full(key: str) -> str:
    return key if ":" in key else f"{NAMESPACE}:{key}"


def read() -> StackConfig:
    """The stack's whole configuration, as the running program sees it.

    The Pulumi SDK offers no public way to list config keys, only to read a named one, and an
    unknown key can only be refused if every key is seen. Under the CLI the map arrives in the
    ``PULUMI_CONFIG`` environment variable (with the secret keys in
    ``PULUMI_CONFIG_SECRET_KEYS``); tests and offline runs set it with
    ``pulumi.runtime.set_all_config``, which keeps it in ``pulumi.runtime.config.CONFIG``, a
    private-ish context variable. This function is the one place that reads both (explicitly set
    values win, as in ``pulumi.runtime.get_config``), so an SDK change breaks only here.
    """
    values: dict[str, str] = {
        key: _as_text(value)
        for source in (runtime_config.get_config_env(), runtime_config.CONFIG.get())
        for key, value in source.items()
    }
    secret = set(runtime_config.get_config_secret_keys_env())
    secret.update(key for key in values if pulumi.runtime.is_config_secret(key))
    return StackConfig(values, frozenset(secret))


def _as_text(value: Any) -> str:
    """Config values are strings; anything else is passed on JSON-encoded, as the CLI would."""
    return value if isinstance(value, str) else json.dumps(value)
