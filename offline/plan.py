"""Plan a stack offline: the resources ``pulumi up`` would create and the policy pack's verdicts.

No credentials, no Pulumi CLI: the program runs under the recording mocks and the policy pack is
driven over the engine protocol, exactly as the tests do. For reviewers without cloud access and
for pull requests from forks::

    .venv/bin/python -m offline.plan account-b
    .venv/bin/python -m offline.plan account-b --json > archive-plan.json
    .venv/bin/python -m offline.plan account-a --archive-outputs archive-plan.json

A source stack needs the archive's outputs: from ``--archive-outputs`` (the JSON of ``pulumi
stack output --json``, or this command's ``--json`` document), else from an offline run of the
archive's stack file in the project, named after the last segment of ``log-archive:archiveStack``.

``secure:`` values cannot be decrypted offline: each reads as a marked placeholder (the program
sees the key as a secret, a note on stderr names it), or as the value given with
``--secret-value KEY=VALUE``. ``--json`` prints one document on stdout: ``stack``, ``preview``,
``resources`` (``type``, ``name``, ``urn``, ``parent``, ``provider``, ``custom``, ``read``,
``inputs``, ``dependencies``, ``protect``, ``retainOnDelete``, ``deleteBeforeReplace``,
``ignoreChanges``), ``outputs``, ``secretPlaceholders`` (the keys planned with the placeholder)
and ``violations`` (``policy``, ``level``, ``urn``, ``message``). Secret values show as
``[secret]``; values unknown in preview as the engine's unknown sentinel.

Exit statuses:
  0  planned, no mandatory policy violation
  1  planned, a mandatory policy violation (the violations are printed)
  2  usage: a wrong argument, a stack file or FILE that does not exist, no archive outputs
  3  configuration refused: the stack file, the program's config validation, the policy pack
     config or the archive outputs (one line naming the file or key)
  4  internal error: a bug in the program or in the offline harness, not in the input
     (the exception in one line; --debug shows the traceback)
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pulumi
from pulumi.runtime import rpc

from offline.analyzer import (
    Diagnostic,
    EnforcementLevel,
    PolicyConfigError,
    analyze_program,
    engine_view,
    load_policy_config,
)
from offline.mocks import Registration
from offline.program import (
    PROJECT,
    PROJECT_DIR,
    SECRET_PLACEHOLDER,
    MissingStackFile,
    ProgramFailed,
    ProgramRun,
    StackFile,
    StackFileError,
    read_stack_file,
    run_program,
    stack_file_path,
)

EXIT_PLANNED = 0
EXIT_MANDATORY = 1
EXIT_USAGE = 2
EXIT_CONFIG = 3
EXIT_BUG = 4

SECRET_MARK = "[secret]"
"""How a secret value shows in the plan: never in plaintext, as ``pulumi preview`` shows it."""
SETTING_WIDTH = 90
PLAN_KEYS = frozenset({"stack", "preview", "resources", "outputs", "violations"})
"""The keys that tell a ``--json`` plan apart from ``pulumi stack output --json``."""


class Refusal(Exception):
    """A user mistake: one line on stderr and the exit status that classifies it."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    return run_command(lambda: plan(args), debug=args.debug)


def run_command(command: Callable[[], int], *, debug: bool) -> int:
    """Run ``command`` for its exit status: a user mistake becomes one ``error:`` line on stderr and
    the status that classifies it; any other exception is a bug, reported in one line as well
    (``debug`` re-raises it, for the traceback)."""
    try:
        return command()
    except Refusal as refusal:
        return _fail(refusal.status, str(refusal))
    except MissingStackFile as error:
        return _fail(EXIT_USAGE, str(error))
    except (StackFileError, PolicyConfigError) as error:
        return _fail(EXIT_CONFIG, str(error))
    except Exception as error:
        if debug:
            raise
        cause = error.error if isinstance(error, ProgramFailed) else error
        return _fail(
            EXIT_BUG,
            f"internal error, a bug in the program or the offline harness rather than in the input: "
            f"{type(cause).__name__}: {cause} (--debug shows the traceback)",
        )


def plan(args: argparse.Namespace) -> int:
    """Plan the stack of ``args`` and print it; the exit status of a completed plan."""
    stack_file = read_stack_file(args.config_file or stack_file_path(args.stack))
    config, placeholders = with_secret_values(stack_file, dict(args.secret_value))
    for key in placeholders:
        _note(
            f"{stack_file.path}: {key} is a secure: value, which cannot be decrypted offline; planned "
            f"with the placeholder {SECRET_PLACEHOLDER!r} (--secret-value {key}=VALUE sets one)"
        )
    policy_config = load_policy_config(args.policy_pack_config) if args.policy_pack_config else None
    run = evaluate(
        args.stack,
        stack_file,
        config,
        preview=args.preview,
        stack_outputs=archive_outputs(config, args.archive_outputs),
    )
    try:
        diagnostics = analyze_program(run, config=config, policy_config=policy_config)
    except PolicyConfigError as error:
        raise PolicyConfigError(f"{args.policy_pack_config}: {error}") from None
    if args.json:
        print(json.dumps(plan_document(run, diagnostics, placeholders), indent=2))
    else:
        print(render(run, diagnostics))
    mandatory = any(d.enforcement_level is EnforcementLevel.MANDATORY for d in diagnostics)
    return EXIT_MANDATORY if mandatory else EXIT_PLANNED


def with_secret_values(stack_file: StackFile, values: dict[str, str]) -> tuple[dict[str, str], list[str]]:
    """The config with ``--secret-value`` values set, and the secure keys left at the placeholder."""
    unknown = sorted(set(values) - set(stack_file.secret_keys))
    if unknown:
        secure = ", ".join(stack_file.secret_keys) or "none"
        raise Refusal(
            EXIT_USAGE,
            f"--secret-value {unknown[0]}: {stack_file.path} holds no secure: value under that key "
            f"(its secure keys: {secure})",
        )
    placeholders = [key for key in stack_file.secret_keys if key not in values]
    return {**stack_file.config, **values}, placeholders


def evaluate(
    stack: str,
    stack_file: StackFile,
    config: dict[str, str],
    *,
    preview: bool,
    stack_outputs: dict[str, dict[str, Any]],
) -> ProgramRun:
    """Run the program; its refusal of the config (a ``pulumi.RunError``) is the user's to fix."""
    try:
        return run_program(
            stack,
            preview=preview,
            config=config,
            secret_keys=stack_file.secret_keys,
            stack_outputs=stack_outputs,
        )
    except ProgramFailed as failed:
        if isinstance(failed.error, pulumi.RunError):
            raise Refusal(EXIT_CONFIG, f"{stack_file.path}: {failed.error}") from None
        raise


def archive_outputs(config: dict[str, str], outputs_file: Path | None) -> dict[str, dict[str, Any]]:
    """Outputs of the archive stack a source stack references; none for the archive itself."""
    reference = config.get(f"{PROJECT}:archiveStack")
    if reference is None:
        return {}
    if outputs_file is not None:
        return {reference: read_archive_outputs(outputs_file)}
    archive = reference.rsplit("/", 1)[-1]
    path = stack_file_path(archive)
    if not path.is_file():
        raise Refusal(
            EXIT_USAGE,
            f"no outputs of the archive stack {reference}: {path.name} is not in {PROJECT_DIR}; pass "
            "--archive-outputs FILE (from `pulumi stack output --json` or `offline.plan <archive> --json`)",
        )
    archive_file = read_stack_file(path)
    archive_config = dict(archive_file.config)
    organization_id = config.get(f"{PROJECT}:organizationId")
    organization_key = f"{PROJECT}:organizationId"
    if (
        f"{PROJECT}:organizationalUnitIds" in config
        and organization_id
        and organization_key not in archive_config
    ):
        # The organization stack needs the archive in the organization form; the example archive
        # stack file leaves it commented out, so plan the archive as it would be with it on.
        _note(
            f"{path.name} sets no {organization_key}; planned the archive with {organization_id} "
            "(the organization stack's), as it must be deployed for this stack"
        )
        archive_config[organization_key] = organization_id
    return {
        reference: evaluate(archive, archive_file, archive_config, preview=False, stack_outputs={}).outputs
    }


def read_archive_outputs(path: Path) -> dict[str, Any]:
    """A flat output map (``pulumi stack output --json``), or the ``outputs`` of a ``--json`` plan."""
    try:
        loaded = json.loads(path.read_text())
    except OSError as error:
        raise Refusal(EXIT_CONFIG, f"{path}: cannot read it ({error.strerror})") from None
    except ValueError as error:
        raise Refusal(EXIT_CONFIG, f"{path}: not JSON ({error})") from None
    if isinstance(loaded, dict) and loaded.keys() >= PLAN_KEYS:
        if loaded["preview"]:
            raise Refusal(
                EXIT_CONFIG,
                f"{path}: a --preview plan, whose outputs are unknown; plan the archive without it",
            )
        loaded = loaded["outputs"]
    if not isinstance(loaded, dict):
        raise Refusal(EXIT_CONFIG, f"{path}: expected a JSON object of the archive's outputs")
    return loaded  # pyright: ignore[reportUnknownVariableType]


def shown_inputs(registration: Registration) -> Any:
    """The inputs as the engine sees them, every secret replaced by ``SECRET_MARK``."""
    return engine_view(_masked(registration.wire_inputs))


def _masked(wire: Any) -> Any:
    if rpc.is_rpc_secret(wire):
        return SECRET_MARK
    if isinstance(wire, dict):
        return {key: _masked(value) for key, value in wire.items()}  # pyright: ignore[reportUnknownVariableType]
    if isinstance(wire, list):
        return [_masked(item) for item in wire]  # pyright: ignore[reportUnknownVariableType]
    return wire


def plan_document(
    run: ProgramRun, diagnostics: Sequence[Diagnostic], placeholders: Sequence[str]
) -> dict[str, Any]:
    """The ``--json`` document (its keys are listed in the module docstring)."""
    return {
        "stack": run.stack,
        "preview": run.preview,
        "resources": [_resource(registration) for registration in _ordered_resources(run)],
        "outputs": {
            name: SECRET_MARK if name in run.secret_outputs else value
            for name, value in sorted(run.outputs.items())
        },
        "secretPlaceholders": list(placeholders),
        "violations": [
            {"policy": d.policy_name, "level": d.enforcement_level.value, "urn": d.urn, "message": d.message}
            for d in _ordered_diagnostics(diagnostics)
        ],
    }


def _resource(registration: Registration) -> dict[str, Any]:
    return {
        "type": registration.type,
        "name": registration.name,
        "urn": registration.urn,
        "parent": registration.parent,
        "provider": registration.provider,
        "custom": registration.custom,
        "read": registration.read,
        "inputs": shown_inputs(registration),
        "dependencies": list(registration.dependencies),
        "protect": registration.protect,
        "retainOnDelete": registration.retain_on_delete,
        "deleteBeforeReplace": registration.delete_before_replace,
        "ignoreChanges": list(registration.ignore_changes),
    }


def settings(registration: Registration) -> str:
    """Top-level inputs in one line; policy documents shown by their statement ids."""
    inputs: dict[str, Any] = shown_inputs(registration)
    line = ", ".join(f"{key}={_summary(value)}" for key, value in sorted(inputs.items()))
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
    for registration in _ordered_resources(run):
        verb = "read  " if registration.read else "create"
        lines.append(f"  {verb} {registration.type}  {registration.name}")
        if registration.inputs and registration.custom:
            lines.append(f"           {settings(registration)}")
    lines.append("")
    if not diagnostics:
        lines.append("Policy pack: no violations.")
    for diagnostic in _ordered_diagnostics(diagnostics):
        resource = diagnostic.urn.rsplit("::", 1)[-1]
        level = diagnostic.enforcement_level.value
        lines.append(f"[{level}] {diagnostic.policy_name} on {resource}: {diagnostic.message}")
    return "\n".join(lines)


def _ordered_resources(run: ProgramRun) -> list[Registration]:
    return sorted(run.registrations, key=lambda r: (r.type, r.name))


def _ordered_diagnostics(diagnostics: Sequence[Diagnostic]) -> list[Diagnostic]:
    return sorted(diagnostics, key=lambda d: (d.enforcement_level.value, d.policy_name, d.urn))


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m offline.plan",
        description="Plan a stack offline: resources and policy verdicts, no credentials.",
        epilog=(__doc__ or "")[(__doc__ or "").index("Exit statuses:") :],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("stack", help="stack name, e.g. account-b (reads Pulumi.<stack>.yaml)")
    parser.add_argument(
        "--preview", action="store_true", help="unknown computed values, as in pulumi preview"
    )
    parser.add_argument(
        "--config-file", type=_existing_file, metavar="FILE", help="read the stack's config from FILE instead"
    )
    parser.add_argument(
        "--archive-outputs",
        type=_existing_file,
        metavar="FILE",
        help="the archive's outputs: `pulumi stack output --json`, or this command's --json",
    )
    parser.add_argument(
        "--policy-pack-config", type=_existing_file, metavar="FILE", help="policy pack config file"
    )
    parser.add_argument(
        "--secret-value",
        type=_secret_value,
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="plan a secure: key with VALUE instead of the placeholder (repeatable)",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON document instead of the text")
    parser.add_argument("--debug", action="store_true", help="show the traceback of an internal error")
    return parser


def _existing_file(value: str) -> Path:
    path = Path(value)
    if not path.is_file():
        raise argparse.ArgumentTypeError(f"{value}: no such file")
    return path


def _secret_value(value: str) -> tuple[str, str]:
    key, separator, secret = value.partition("=")
    if not separator or not key:
        raise argparse.ArgumentTypeError(f"{value!r}: expected KEY=VALUE")
    return (key if ":" in key else f"{PROJECT}:{key}"), secret


def _note(message: str) -> None:
    print(f"note: {message}", file=sys.stderr)


def _fail(status: int, message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return status


if __name__ == "__main__":
    sys.exit(main())
