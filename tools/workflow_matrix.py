"""Build the GitHub Actions matrices of ``.github/workflows/pulumi.yml`` from the stack files.

Run as ``python -m tools.workflow_matrix >> "$GITHUB_OUTPUT"``. It prints three outputs, each a
JSON list of ``{"stack", "region", "role"}`` entries: ``all`` (archive stacks first, for the
pull-request previews), ``archives`` and ``sources`` (for ``pulumi up``, sources after archives).

The role each stack's job assumes through OIDC comes from the repository variable
``AWS_ROLE_ARNS``, passed in the environment: a JSON object mapping stack name to role ARN, e.g.
``{"account-b": "arn:aws:iam::222222222222:role/pulumi-deploy", "account-a": "..."}``. A stack
without a role is an error here, before any job tries to deploy it.
"""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from tools.stacks import StackFileError, StackInfo, ordered_stacks

ROLE_VARIABLE = "AWS_ROLE_ARNS"
ROLE_ARN = re.compile(r"^arn:aws[a-z-]*:iam::\d{12}:role/[\w+=,.@/-]+$")
PROJECT_DIR = Path(__file__).resolve().parent.parent


class MatrixError(ValueError):
    """The stacks or the role map cannot produce a matrix."""


def parse_roles(raw: str | None) -> dict[str, str]:
    """The stack -> role ARN map of the ``AWS_ROLE_ARNS`` variable."""
    if not raw:
        raise MatrixError(
            f"the repository variable {ROLE_VARIABLE} is not set: set it to a JSON object "
            'mapping each stack to the role its job assumes, e.g. {"account-b": '
            '"arn:aws:iam::222222222222:role/pulumi-deploy"}'
        )
    try:
        roles: Any = json.loads(raw)
    except json.JSONDecodeError as error:
        raise MatrixError(f"{ROLE_VARIABLE} is not valid JSON: {error}") from None
    if not isinstance(roles, dict):
        raise MatrixError(f"{ROLE_VARIABLE} must be a JSON object of stack name -> role ARN")
    parsed: dict[str, str] = {}
    for stack, role in roles.items():
        if not isinstance(role, str) or not ROLE_ARN.match(role):
            raise MatrixError(f"{ROLE_VARIABLE}[{stack!r}] is not an IAM role ARN: {role!r}")
        parsed[str(stack)] = role
    return parsed


def matrix_entries(stacks: Sequence[StackInfo], roles: Mapping[str, str]) -> list[dict[str, str]]:
    """One matrix entry per stack, in the given order; every stack needs a role and a region."""
    missing = [stack.name for stack in stacks if stack.name not in roles]
    if missing:
        raise MatrixError(f"{ROLE_VARIABLE} has no role for stack(s): {', '.join(missing)}")
    no_region = [stack.name for stack in stacks if stack.region is None]
    if no_region:
        raise MatrixError(f"aws:region is not set in Pulumi.<stack>.yaml of: {', '.join(no_region)}")
    return [
        {"stack": stack.name, "region": stack.region or "", "role": roles[stack.name]} for stack in stacks
    ]


def matrix_outputs(project_dir: Path, raw_roles: str | None) -> dict[str, str]:
    """The step outputs ``all``, ``archives`` and ``sources`` as compact JSON."""
    stacks = ordered_stacks(project_dir)
    entries = matrix_entries(stacks, parse_roles(raw_roles))
    kinds = [stack.kind for stack in stacks]

    def dump(items: list[dict[str, str]]) -> str:
        return json.dumps(items, separators=(",", ":"))

    return {
        "all": dump(entries),
        "archives": dump([e for e, kind in zip(entries, kinds, strict=True) if kind == "archive"]),
        "sources": dump([e for e, kind in zip(entries, kinds, strict=True) if kind == "source"]),
    }


def main() -> int:
    try:
        outputs = matrix_outputs(PROJECT_DIR, os.environ.get(ROLE_VARIABLE))
    except (MatrixError, StackFileError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    for key, value in outputs.items():
        print(f"{key}={value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
