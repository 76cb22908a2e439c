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


def stack_config(stack: str) -> dict[str, str]:
    """The flat config map the Pulumi CLI passes to the program for ``Pulumi.<stack>.yaml``."""
    document = yaml.safe_load((PROJECT_DIR / f"Pulumi.{stack}.yaml").read_text()) or {}
    return {
        key: value if isinstance(value, str) else json.dumps(value)
        for key, value in (document.get("config") or {}).items()
    }


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
    it marks secret; ``secret_keys`` are the full config keys set with ``--secret``.
    """

    def main() -> None:
        with _project_on_path():
            runpy.run_path(str(PROJECT_DIR / "__main__.py"), run_name="__main__")

    flat = with_overrides(config if config is not None else stack_config(stack), overrides or {})
    return run_pulumi(
        main,
        stack=stack,
        preview=preview,
        config=flat,
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

    @pulumi.runtime.test  # type: ignore[untyped-decorator]
    def evaluate() -> pulumi.Output[Any]:
        body()
        root = settings.get_root_resource()
        exported: dict[str, Any] = getattr(root, "outputs", {})
        return pulumi.Output.all(
            *(_collect(outputs, name, value) for name, value in sorted(exported.items()))
        )

    try:
        evaluate()
    except Exception as error:
        raise ProgramFailed(error, list(monitor.registrations)) from error
    return ProgramRun(stack, preview, list(monitor.registrations), outputs)


def _collect(into: dict[str, Any], name: str, value: Any) -> pulumi.Output[None]:
    output = pulumi.Output.from_input(value)

    async def resolve() -> None:
        known = await output.is_known()
        into[name] = await output.future() if known else PREVIEW_UNKNOWN

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
