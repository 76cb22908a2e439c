"""The project's stacks, read from the ``Pulumi.<stack>.yaml`` files, in dependency order.

A stack is a *source* stack when its file sets ``log-archive:archiveStack`` and the *archive*
stack otherwise (the same rule ``__main__.py`` applies). Sources read the archive's outputs
through a StackReference, so every archive stack is deployed before any source stack.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

ARCHIVE_STACK_KEY = "log-archive:archiveStack"
ORGANIZATION_UNITS_KEY = "log-archive:organizationalUnitIds"
REGION_KEY = "aws:region"


class StackFileError(ValueError):
    """A ``Pulumi.<stack>.yaml`` file this tooling cannot read."""


@dataclass(frozen=True)
class StackInfo:
    """One stack of the project, as its stack file describes it."""

    name: str
    region: str | None
    """``aws:region`` of the stack file (``None`` when unset)."""
    archive_stack: str | None
    """The fully qualified archive stack a source stack references; ``None`` for an archive."""
    organization: bool = False
    """Whether it is the organization stack (``log-archive:organizationalUnitIds``, a StackSet)."""

    @property
    def is_archive(self) -> bool:
        return self.archive_stack is None

    @property
    def kind(self) -> str:
        if self.organization:
            return "organization"
        return "archive" if self.is_archive else "source"


def read_stack(path: Path) -> StackInfo:
    """The stack described by ``path`` (a ``Pulumi.<stack>.yaml`` file)."""
    name = path.name.removeprefix("Pulumi.").removesuffix(".yaml")
    try:
        document: Any = yaml.safe_load(path.read_text()) or {}
    except yaml.YAMLError as error:
        raise StackFileError(f"{path.name}: not valid YAML ({error})") from None
    if not isinstance(document, dict):
        raise StackFileError(f"{path.name}: expected a mapping with a 'config' key")
    config: Any = document.get("config") or {}
    if not isinstance(config, dict):
        raise StackFileError(f"{path.name}: 'config' must be a mapping")
    archive_stack = config.get(ARCHIVE_STACK_KEY)
    if archive_stack is not None and not (isinstance(archive_stack, str) and archive_stack):
        raise StackFileError(
            f"{path.name}: {ARCHIVE_STACK_KEY} must be a stack name such as "
            f"organization/log-archive/account-b, got {archive_stack!r}"
        )
    region = config.get(REGION_KEY)
    return StackInfo(
        name=name,
        region=region if isinstance(region, str) else None,
        archive_stack=archive_stack,
        organization=ORGANIZATION_UNITS_KEY in config,
    )


def ordered_stacks(project_dir: Path) -> list[StackInfo]:
    """Every stack of ``project_dir``: archive stacks first, then sources, each group by name.

    A source whose ``archiveStack`` names a stack of this directory (by its last path segment)
    must name an archive stack: pointing at another source is an error.
    """
    stacks = [read_stack(path) for path in sorted(project_dir.glob("Pulumi.*.yaml"))]
    if not stacks:
        raise StackFileError(f"no Pulumi.<stack>.yaml files in {project_dir}")
    by_name = {stack.name: stack for stack in stacks}
    for stack in stacks:
        if stack.archive_stack is None:
            continue
        target = by_name.get(stack.archive_stack.rsplit("/", 1)[-1])
        if target is not None and not target.is_archive:
            raise StackFileError(
                f"Pulumi.{stack.name}.yaml: {ARCHIVE_STACK_KEY} names {stack.archive_stack}, "
                f"which is a source stack (it sets {ARCHIVE_STACK_KEY} itself)"
            )
    return sorted(stacks, key=lambda stack: (not stack.is_archive, stack.name))
