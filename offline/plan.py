"""Plan a stack offline: the resources ``pulumi up`` would create and the policy pack's verdicts.

No credentials, no Pulumi CLI: the program runs under the recording mocks and the policy pack is
driven over the engine protocol, exactly as the tests do. For reviewers without cloud access and
for pull requests from forks::

    uv run python -m offline.plan account-b
    uv run python -m offline.plan account-a --archive-outputs archive-outputs.json

A source stack needs the archive's outputs: from ``--archive-outputs`` (the JSON of
``pulumi stack output --json``), else from an offline run of the archive stack file named by
``log-archive:archiveStack``. Exits 1 when a mandatory policy is violated.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from offline.analyzer import Diagnostic, EnforcementLevel, analyze_program, load_policy_config
from offline.mocks import Registration
from offline.program import PROJECT, ProgramRun, run_program, stack_config

SETTING_WIDTH = 90


def archive_outputs(stack: str, outputs_file: Path | None) -> dict[str, dict[str, Any]]:
    """Outputs of the archive stack a source stack references; none for the archive itself."""
    reference = stack_config(stack).get(f"{PROJECT}:archiveStack")
    if reference is None:
        return {}
    if outputs_file is not None:
        return {reference: json.loads(outputs_file.read_text())}
    return {reference: run_program(reference.rsplit("/", 1)[-1]).outputs}


def settings(registration: Registration) -> str:
    """Top-level inputs in one line; policy documents shown by their statement ids."""
    line = ", ".join(f"{key}={_summary(value)}" for key, value in sorted(registration.inputs.items()))
    return line if len(line) <= SETTING_WIDTH else line[: SETTING_WIDTH - 3] + "..."


def _summary(value: Any) -> str:
    if isinstance(value, str) and value.startswith("{"):
        try:
            document = json.loads(value)
        except ValueError:
            return value
        statements = document.get("Statement", []) if isinstance(document, dict) else []
        if isinstance(statements, list):
            return (
                "policy[" + ",".join(str(s.get("Sid", "?")) for s in statements if isinstance(s, dict)) + "]"
            )
    if isinstance(value, dict | list):
        return json.dumps(value, sort_keys=True, separators=(",", ":"))
    return str(value)


def render(run: ProgramRun, diagnostics: Sequence[Diagnostic]) -> str:
    lines = [
        f"Stack {run.stack} ({'preview' if run.preview else 'update'}): {len(run.registrations)} resources"
    ]
    for registration in sorted(run.registrations, key=lambda r: (r.type, r.name)):
        verb = "read  " if registration.read else "create"
        lines.append(f"  {verb} {registration.type}  {registration.name}")
        if registration.inputs and registration.custom:
            lines.append(f"           {settings(registration)}")
    lines.append("")
    if not diagnostics:
        lines.append("Policy pack: no violations.")
    for diagnostic in sorted(diagnostics, key=lambda d: (d.enforcement_level.value, d.policy_name, d.urn)):
        resource = diagnostic.urn.rsplit("::", 1)[-1]
        level = diagnostic.enforcement_level.value
        lines.append(f"[{level}] {diagnostic.policy_name} on {resource}: {diagnostic.message}")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m offline.plan",
        description="Plan a stack offline: resources and policy verdicts, no credentials.",
    )
    parser.add_argument("stack", help="stack name, e.g. account-b (reads Pulumi.<stack>.yaml)")
    parser.add_argument(
        "--preview", action="store_true", help="unknown computed values, as in pulumi preview"
    )
    parser.add_argument("--archive-outputs", type=Path, metavar="FILE", help="JSON of the archive's outputs")
    parser.add_argument("--policy-pack-config", type=Path, metavar="FILE", help="policy pack config file")
    args = parser.parse_args(argv)
    run = run_program(
        args.stack, preview=args.preview, stack_outputs=archive_outputs(args.stack, args.archive_outputs)
    )
    policy_config = load_policy_config(args.policy_pack_config) if args.policy_pack_config else None
    diagnostics = analyze_program(run, policy_config=policy_config)
    print(render(run, diagnostics))
    return 1 if any(d.enforcement_level is EnforcementLevel.MANDATORY for d in diagnostics) else 0


if __name__ == "__main__":
    sys.exit(main())
