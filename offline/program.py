"""Run ``__main__.py`` for one stack under mocks, as the Pulumi language host would."""

from __future__ import annotations

import json
import os
import runpy
import sys
from collections.abc import Callable, Generator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pulumi
import yaml
from pulumi.runtime import settings

from offline.mocks import PREVIEW_UNKNOWN, AwsMocks, RecordingMonitor, Registration

PROJECT_DIR = Path(__file__).resolve().parent.parent
PROJECT = "log-archive"


class ProgramFailed(Exception):
    """The program raised; ``registrations`` holds what it registered before it did."""

    def __init__(self, error: BaseException, registrations: list[Registration]) -> None:
        super().__init__(f"{type(error).__name__}: {error}")
        self.error = error
        self.registrations = registrations


@dataclass(frozen=True)
class ProgramRun:
    stack: str
    preview: bool
    registrations: list[Registration]
    outputs: dict[str, Any]
    """Stack outputs; in preview a value not known yet is ``PREVIEW_UNKNOWN``."""
    secret_outputs: frozenset[str] = frozenset()
    """Names of the outputs Pulumi would store encrypted (their values above are plain)."""

    def of_type(self, type_: str) -> list[Registration]:
        return sorted((r for r in self.registrations if r.type == type_), key=lambda r: r.name)

    def one(self, type_: str) -> Registration:
        found = self.of_type(type_)
        if len(found) != 1:
            raise AssertionError(f"expected one {type_}, found {[r.name for r in found]}")
        return found[0]

    def named(self, name: str) -> Registration:
        found = [r for r in self.registrations if r.name == name]
        if len(found) != 1:
            raise AssertionError(f"expected one resource named {name}, found {len(found)}")
        return found[0]


SECRET_PLACEHOLDER = "placeholder-for-a-secret@offline.invalid"
"""What an offline run reads for a ``secure:`` value, as no key decrypts the ciphertext here. Shaped
as an address of the reserved ``.invalid`` domain: the key this project is likeliest to keep
secret, ``alarmEmail``, must look like one; any other key may need ``--secret-value``."""


class StackFileError(Exception):
    """A stack file that cannot be used; the message names the file and the problem."""


class MissingStackFile(StackFileError):
    """No such stack file: most often a misspelt stack name."""


@dataclass(frozen=True)
class StackFile:
    """A ``Pulumi.<stack>.yaml`` as the CLI hands it to the program."""

    path: Path
    config: dict[str, str]
    """The flat config map (``PULUMI_CONFIG``): non-string values JSON-encoded."""
    secret_keys: tuple[str, ...]
    """Keys holding ``secure:`` values; their ciphertexts read as ``SECRET_PLACEHOLDER``."""


def stack_file_path(stack: str) -> Path:
    return PROJECT_DIR / f"Pulumi.{stack}.yaml"


def stack_config(stack: str) -> dict[str, str]:
    """The flat config map the Pulumi CLI passes to the program for ``Pulumi.<stack>.yaml``."""
    return read_stack_file(stack_file_path(stack)).config


def read_stack_file(path: Path) -> StackFile:
    """Parse a stack file; every problem is one ``StackFileError`` line, never a traceback."""
    config = _config_section(path, _parse_yaml(path, _read_text(path)))
    flat: dict[str, str] = {}
    secret_keys: list[str] = []
    for key, value in config.items():
        plain, secret = _without_ciphertexts(value)
        flat[key] = plain if isinstance(plain, str) else _json(path, key, plain)
        if secret:
            secret_keys.append(key)
    return StackFile(path, flat, tuple(secret_keys))


def _read_text(path: Path) -> str:
    try:
        return path.read_text()
    except FileNotFoundError:
        stacks = sorted(
            found.name.removeprefix("Pulumi.").removesuffix(".yaml")
            for found in path.parent.glob("Pulumi.*.yaml")
        )
        raise MissingStackFile(
            f"{path}: no such stack file; stacks in {path.parent}: {', '.join(stacks) or 'none'}"
        ) from None
    except (OSError, UnicodeDecodeError) as error:
        raise StackFileError(f"{path}: cannot read it ({error})") from None


def _parse_yaml(path: Path, text: str) -> Any:
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        problem = getattr(error, "problem", None) or str(error)
        raise StackFileError(f"{path}: invalid YAML{where}: {problem}") from None


def _config_section(path: Path, document: Any) -> dict[str, Any]:
    section = document.get("config") if isinstance(document, dict) else document
    if section is None:
        return {}
    if not isinstance(section, dict) or not all(isinstance(key, str) for key in section):  # pyright: ignore[reportUnknownVariableType]
        raise StackFileError(f"{path}: expected a mapping `config:` of `<namespace>:<key>: value` entries")
    return section  # pyright: ignore[reportUnknownVariableType]


def _without_ciphertexts(value: Any) -> tuple[Any, bool]:
    """``value`` with each ``{secure: <ciphertext>}`` replaced by the placeholder, and whether one was."""
    if isinstance(value, dict):
        if list(value) == ["secure"] and isinstance(value["secure"], str):
            return SECRET_PLACEHOLDER, True
        entries = {key: _without_ciphertexts(item) for key, item in value.items()}
        return {key: item for key, (item, _) in entries.items()}, any(s for _, s in entries.values())
    if isinstance(value, list):
        items = [_without_ciphertexts(item) for item in value]
        return [item for item, _ in items], any(s for _, s in items)
    return value, False


def _json(path: Path, key: str, value: Any) -> str:
    try:
        return json.dumps(value, allow_nan=False)
    except ValueError:
        raise StackFileError(
            f"{path}: {key}: infinity and NaN are not numbers a stack config can hold"
        ) from None


def with_overrides(config: Mapping[str, str], overrides: Mapping[str, Any]) -> dict[str, str]:
    """``config`` with ``overrides`` applied: a bare key means ``log-archive:<key>``, ``None`` unsets."""
    merged = dict(config)
    for key, value in overrides.items():
        full_key = key if ":" in key else f"{PROJECT}:{key}"
        if value is None:
            merged.pop(full_key, None)
        else:
            merged[full_key] = value if isinstance(value, str) else json.dumps(value)
    return merged


def run_program(
    stack: str,
    *,
    preview: bool = False,
    overrides: Mapping[str, Any] | None = None,
    config: Mapping[str, str] | None = None,
    stack_outputs: Mapping[str, Mapping[str, Any]] | None = None,
    secret_stack_outputs: Mapping[str, Sequence[str]] | None = None,
    secret_keys: Sequence[str] = (),
) -> ProgramRun:
    """Evaluate ``__main__.py`` with the config of ``Pulumi.<stack>.yaml`` (or ``config``).

    ``overrides`` change single keys (see ``with_overrides``); ``stack_outputs`` maps a
    referenced stack's full name to its outputs, ``secret_stack_outputs`` to the names of those
    it marks secret; ``secret_keys`` are the full config keys set with ``--secret`` (those of the
    stack file's ``secure:`` values are added when ``config`` is not given).
    """

    def main() -> None:
        with _project_on_path():
            runpy.run_path(str(PROJECT_DIR / "__main__.py"), run_name="__main__")

    if config is None:
        stack_file = read_stack_file(stack_file_path(stack))
        config, secret_keys = stack_file.config, (*secret_keys, *stack_file.secret_keys)
    return run_pulumi(
        main,
        stack=stack,
        preview=preview,
        config=with_overrides(config, overrides or {}),
        stack_outputs=stack_outputs,
        secret_stack_outputs=secret_stack_outputs,
        secret_keys=secret_keys,
    )


def run_pulumi(
    body: Callable[[], object],
    *,
    stack: str = "test",
    preview: bool = False,
    config: Mapping[str, str] | None = None,
    stack_outputs: Mapping[str, Mapping[str, Any]] | None = None,
    secret_stack_outputs: Mapping[str, Sequence[str]] | None = None,
    secret_keys: Sequence[str] = (),
) -> ProgramRun:
    """Run ``body`` as a Pulumi program under recording mocks and collect the stack outputs.

    The account id comes from ``aws:allowedAccountIds`` in ``config``, the region from
    ``aws:region``.
    """
    flat = dict(config or {})
    allowed = json.loads(flat.get("aws:allowedAccountIds", '["123456789012"]'))
    mocks = AwsMocks(
        account_id=allowed[0],
        region=flat.get("aws:region", "us-east-1"),
        preview=preview,
        stack_outputs={name: dict(outputs) for name, outputs in (stack_outputs or {}).items()},
        secret_stack_outputs={name: list(names) for name, names in (secret_stack_outputs or {}).items()},
    )
    monitor = RecordingMonitor(mocks)
    settings.ROOT.set(None)
    pulumi.runtime.set_all_config(flat, list(secret_keys))
    pulumi.runtime.set_mocks(mocks, project=PROJECT, stack=stack, preview=preview, monitor=monitor)
    outputs: dict[str, Any] = {}
    secret_outputs: set[str] = set()

    @pulumi.runtime.test  # type: ignore[untyped-decorator]
    def evaluate() -> pulumi.Output[Any]:
        body()
        root = settings.get_root_resource()
        exported: dict[str, Any] = getattr(root, "outputs", {})
        return pulumi.Output.all(
            *(_collect(outputs, secret_outputs, name, value) for name, value in sorted(exported.items()))
        )

    try:
        evaluate()
    except Exception as error:
        raise ProgramFailed(error, list(monitor.registrations)) from error
    return ProgramRun(stack, preview, list(monitor.registrations), outputs, frozenset(secret_outputs))


def _collect(into: dict[str, Any], secret: set[str], name: str, value: Any) -> pulumi.Output[None]:
    output = pulumi.Output.from_input(value)

    async def resolve() -> None:
        known = await output.is_known()
        into[name] = await output.future() if known else PREVIEW_UNKNOWN
        if await output.is_secret():
            secret.add(name)

    return pulumi.Output.from_input(resolve())  # type: ignore[arg-type]


@contextmanager
def _project_on_path() -> Generator[None]:
    previous_cwd = os.getcwd()
    sys.path.insert(0, str(PROJECT_DIR))
    os.chdir(PROJECT_DIR)
    try:
        yield
    finally:
        os.chdir(previous_cwd)
        sys.path.remove(str(PROJECT_DIR))
