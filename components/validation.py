"""Strict parsers for config values, shared by both stacks: every error names the key and the
accepted form.

Pulumi hands every config value to the program as a string; a YAML list or map in a stack file
arrives JSON-encoded. The parsers accept exactly the form AWS accepts and nothing near it: no
surrounding whitespace (a trailing newline included), ASCII only where AWS requires it (Python's
``\\d`` and ``str.isdigit`` accept full-width and other Unicode digits, so no pattern here uses
them), integers written in plain digits (no float, exponent, sign, ``NaN`` or ``Infinity``), and
region codes checked against the partition data botocore ships rather than a pattern.
"""

from __future__ import annotations

import difflib
import functools
import gzip
import importlib.resources
import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, TypeVar

import pulumi

NAMESPACE = "log-archive"

ACCOUNT_ID = re.compile(r"\A[0-9]{12}\Z")
ORGANIZATION_ID = re.compile(r"\Ao-[a-z0-9]{10,32}\Z")
REGION = re.compile(r"\A[a-z]{2}(-[a-z]+)+-[0-9]\Z")
"""The shape of every region code of the ``aws`` partition: exactly one digit, the last
character (``naming`` relies on it; a test holds botocore's region list to it). Whether a code
is a region at all is ``region``'s business."""
LOG_GROUP_NAME = re.compile(r"\A[.\-_/#A-Za-z0-9]{1,512}\Z")
LOG_GROUP_ACCEPTED = "a log group name of 1-512 characters from [.-_/#A-Za-z0-9]"
BUCKET_NAME = re.compile(r"\A[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]\Z")
BUCKET_RESERVED_PREFIXES = ("xn--", "sthree-", "amzn-s3-demo-")
BUCKET_RESERVED_SUFFIXES = ("-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3")
IP_ADDRESS = re.compile(r"\A[0-9]{1,3}(\.[0-9]{1,3}){3}\Z")
PLAIN_INTEGER = re.compile(r"\A(0|[1-9][0-9]*)\Z")
PARTITION = "aws"
"""The only partition the stacks support: their ARNs and service principals are written for it."""

T = TypeVar("T")


class ConfigError(pulumi.RunError):
    """Invalid stack configuration. A ``RunError``, so Pulumi prints the message without a traceback."""

    def __init__(self, key: str, problem: str, accepted: str) -> None:
        qualified = key if ":" in key else f"{NAMESPACE}:{key}"
        super().__init__(f"{qualified}: {problem}. Expected {accepted}.")
        self.key = qualified


def suggestion(name: str, candidates: Iterable[str]) -> str | None:
    """The candidate ``name`` most likely means: equal ignoring case, the one it abbreviates, else
    the closest spelling (a cutoff of 0.7 keeps ``regions`` -> ``sourceRegions`` and drops
    ``retentionDays`` -> ``regions``)."""
    options = list(candidates)
    folded = name.lower()
    for option in options:
        if option.lower() == folded:
            return option
    abbreviated = [option for option in options if len(folded) >= 4 and option.lower().startswith(folded)]
    if len(abbreviated) == 1:
        return abbreviated[0]
    close = difflib.get_close_matches(name, options, n=1, cutoff=0.7)
    return close[0] if close else None


def did_you_mean(name: str, candidates: Iterable[str]) -> str:
    """`` (did you mean 'x'?)`` for the likeliest candidate, or nothing."""
    found = suggestion(name, candidates)
    return "" if found is None else f" (did you mean {found!r}?)"


def parse_json(raw: str, key: str, accepted: str) -> Any:
    """``raw`` parsed as strict JSON: ``NaN`` and ``Infinity``, which Python's parser admits, are
    refused with every other non-JSON text."""

    def refuse(constant: str) -> Any:
        raise ValueError(constant)

    try:
        return json.loads(raw, parse_constant=refuse)
    except ValueError:
        raise ConfigError(key, f"{raw!r} is not valid YAML/JSON", accepted) from None


def text(
    value: Any,
    key: str,
    accepted: str,
    pattern: re.Pattern[str] | None = None,
    *,
    what: str = "valid",
    shown: str | None = None,
) -> str:
    """A string exactly as AWS takes it: no surrounding whitespace, ASCII, matching ``pattern``
    (else it "is not ``what``").

    ``shown`` replaces the value in the message (a secret's value is never printed).
    """
    label = shown or repr(value)
    if not isinstance(value, str):
        raise ConfigError(key, f"{label} is not a string", accepted)
    if value != value.strip():
        raise ConfigError(key, f"{label} has leading or trailing whitespace", accepted)
    if not value.isascii():
        raise ConfigError(key, f"{label} contains non-ASCII characters", accepted)
    if pattern is not None and not pattern.match(value):
        raise ConfigError(key, f"{label} is not {what}", accepted)
    return value


def integer(value: Any, key: str, low: int, high: int) -> int | None:
    """A whole number from ``low`` to ``high``: a JSON integer or a string of ASCII digits.

    ``None`` when unset. Floats (``30.0``, ``1e3``), booleans, signs and leading zeros are
    refused: each has a reading other than the integer the user may have meant.
    """
    accepted = f"an integer from {low} to {high}"
    if value is None:
        return None
    if isinstance(value, str) and PLAIN_INTEGER.match(value):
        if len(value) > len(str(high)):
            raise ConfigError(key, f"{value} is out of range", accepted)
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ConfigError(
            key,
            f"{value!r} is not a whole number in plain ASCII digits (no sign, decimal point, "
            "exponent, leading zero or spaces)",
            accepted,
        )
    if not low <= value <= high:
        raise ConfigError(key, f"{value} is out of range", accepted)
    return value


def flag(value: Any, key: str) -> bool:
    """A JSON boolean; ``"yes"``, ``1`` or ``"true"`` as a string are refused."""
    if not isinstance(value, bool):
        raise ConfigError(key, f"{value!r} is not a boolean", "true or false")
    return value


def choice(value: Any, key: str, choices: Sequence[T]) -> T:
    """One of ``choices``, exactly; the first is the default."""
    if value is None:
        return choices[0]
    if value not in choices:
        raise ConfigError(
            key,
            f"{value!r} is not supported{did_you_mean(str(value), map(str, choices))}",
            "one of " + ", ".join(map(repr, choices)),
        )
    return choices[choices.index(value)]


def mapping(value: Any, key: str, allowed: Sequence[str], accepted: str) -> Mapping[str, Any]:
    """A JSON object whose keys are all in ``allowed``."""
    if not isinstance(value, Mapping):
        raise ConfigError(key, f"got {value!r}", accepted)
    fields: Mapping[str, Any] = value
    unknown = sorted(set(fields) - set(allowed))
    if unknown:
        raise ConfigError(key, f"unknown key {unknown[0]!r}{did_you_mean(unknown[0], allowed)}", accepted)
    return fields


def string_list(value: Any, key: str, accepted: str, parse: Callable[[Any, str, str], str]) -> list[str]:
    """A list of unique items, each checked by ``parse(item, key, accepted)``."""
    if not isinstance(value, list):
        raise ConfigError(key, f"got {value!r}, not a list", accepted)
    items: list[str] = []
    for item in value:
        parsed = parse(item, key, accepted)
        if parsed in items:
            raise ConfigError(key, f"{parsed!r} is listed twice", accepted)
        items.append(parsed)
    return items


def account_id(value: Any, key: str, accepted: str) -> str:
    """A 12-digit account id; a number (an unquoted YAML id) is refused with the hint to quote it."""
    if isinstance(value, int) and not isinstance(value, bool):
        raise ConfigError(
            key,
            f'{value} is a number, not a string: quote account ids in YAML ("{value:012}"), '
            "or a leading zero is lost",
            accepted,
        )
    return text(value, key, accepted, ACCOUNT_ID, what="a 12-digit account id")


ACCOUNT_IDS_ACCEPTED = 'a list of 12-digit AWS account ids as quoted strings, e.g. ["111111111111"]'


def account_ids(value: Any, key: str) -> list[str]:
    return string_list(value, key, ACCOUNT_IDS_ACCEPTED, account_id)


def log_group_name(value: Any, key: str, accepted: str = LOG_GROUP_ACCEPTED) -> str:
    return text(value, key, accepted, LOG_GROUP_NAME, what="a valid log group name")


def bucket_name(value: Any, key: str, accepted: str) -> str:
    """An S3 general-purpose bucket name under S3's naming rules."""
    name = text(value, key, accepted, BUCKET_NAME, what="a valid bucket name")
    if ".." in name or IP_ADDRESS.match(name):
        raise ConfigError(
            key, f"{name!r} is not a valid bucket name (two dots in a row or an IP address)", accepted
        )
    if name.startswith(BUCKET_RESERVED_PREFIXES) or name.endswith(BUCKET_RESERVED_SUFFIXES):
        raise ConfigError(key, f"{name!r} uses a prefix or suffix S3 reserves", accepted)
    return name


@functools.cache
def partition_regions() -> Mapping[str, tuple[re.Pattern[str], frozenset[str]]]:
    """Partition id -> (its region-code pattern, its known region codes), from botocore's
    ``data/partitions.json`` (botocore is installed with boto3 and updated with it: a region
    newer than the installed botocore needs ``uv lock --upgrade-package botocore``).

    Read as a data file rather than through ``botocore.loaders``, whose import costs 0.4 s.
    """
    data = importlib.resources.files("botocore").joinpath("data")
    plain = data.joinpath("partitions.json")
    raw = (
        plain.read_bytes()
        if plain.is_file()
        else gzip.decompress(data.joinpath("partitions.json.gz").read_bytes())
    )
    found: dict[str, tuple[re.Pattern[str], frozenset[str]]] = {}
    for partition in json.loads(raw)["partitions"]:
        pattern = re.compile(partition["regionRegex"])
        codes = frozenset(code for code in partition["regions"] if pattern.match(code))
        found[partition["id"]] = (pattern, codes)
    return found


def aws_regions() -> frozenset[str]:
    """The region codes of the commercial ``aws`` partition botocore knows."""
    return partition_regions()[PARTITION][1]


REGION_ACCEPTED = "a region code of the commercial aws partition, e.g. ap-northeast-1"


def region(value: Any, key: str, accepted: str = REGION_ACCEPTED) -> str:
    """A region of the ``aws`` partition; another partition's region is refused with the reason."""
    code = text(value, key, accepted)
    if code in aws_regions():
        return code
    for partition, (pattern, codes) in partition_regions().items():
        if code in codes or (partition != PARTITION and pattern.match(code)):
            raise ConfigError(
                key,
                f"{code!r} is a region of the {partition} partition; the stacks' ARNs, service "
                f"principals and policies are written for the commercial {PARTITION} partition",
                accepted,
            )
    raise ConfigError(
        key, f"{code!r} is not an AWS region{did_you_mean(code, sorted(aws_regions()))}", accepted
    )


REGIONS_ACCEPTED = 'a non-empty list of region codes of the commercial aws partition, e.g. ["ap-northeast-1"]'


def regions(value: Any, key: str, default: str) -> list[str]:
    """The regions listed under ``key``, or the stack's region ``default`` when none are."""
    found = string_list([default] if value is None else value, key, REGIONS_ACCEPTED, region)
    if not found:
        raise ConfigError(key, "the list is empty", REGIONS_ACCEPTED)
    return found
