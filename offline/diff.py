"""What ``pulumi up`` would do to a deployed stack when its stack file changes, offline.

Evaluates the stack with the deployed (``--before``) and the edited (``--after``) stack file under
the recording mocks and runs the replacement simulator (``offline.replacement``) on the two: the
steps in the engine's order, then the delivery gaps, data deletions, blocked deletes, retained
leftovers and filter-slot requirements they imply. For a pull request::

    git show origin/main:Pulumi.account-a.yaml > /tmp/before.yaml
    .venv/bin/python -m offline.diff account-a --before /tmp/before.yaml --after Pulumi.account-a.yaml

A source stack reads the archive's outputs from ``--archive-outputs-before`` /
``--archive-outputs-after`` (``pulumi stack output --json`` of the archive, or ``offline.plan
<archive> --json``), else from an offline run of the archive's stack file in the project, for
both sides. ``secure:`` values read as offline.plan's placeholder. ``--json`` prints one
document: ``stack``, ``before``, ``after``, ``verdict``, ``steps`` (``action``, ``type``,
``name``, ``physical``, ``keys``, ``retained``) and ``findings`` (``kind``, ``name``,
``message``).

Exit statuses:
  0  safe: gap-free, unsubscribed by intent, or something retained left in AWS (reported)
  1  unsafe: a delivery gap, a deletion of data, or a step that would fail half-way
  2  usage: a wrong argument, a stack file or FILE that does not exist, no archive outputs
  3  configuration refused: a stack file, the program's config validation or the archive outputs
  4  internal error: a bug in the program or in the offline harness (--debug: the traceback)
  5  blocked: ``protect`` makes Pulumi refuse the update at preview
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from offline.plan import archive_outputs, evaluate, run_command, with_secret_values
from offline.program import ProgramRun, read_stack_file
from offline.replacement import Kind, Report, Verdict, simulate

EXIT_SAFE = 0
EXIT_UNSAFE = 1
EXIT_BLOCKED = 5

LABELS = {
    Kind.BLOCKED: "blocked",
    Kind.GAP: "delivery gap",
    Kind.DATA_LOSS: "data deleted",
    Kind.FAILURE: "fails",
    Kind.LEFT_IN_AWS: "left in AWS",
    Kind.UNSUBSCRIBED: "unsubscribed",
    Kind.REQUIREMENT: "requires",
}


def exit_status(report: Report) -> int:
    verdict = report.verdict
    if verdict is Verdict.BLOCKED:
        return EXIT_BLOCKED
    return EXIT_UNSAFE if verdict is Verdict.GAP else EXIT_SAFE


def run_side(stack: str, stack_file_name: Path, outputs_file: Path | None) -> ProgramRun:
    """One side of the diff: the stack evaluated with ``stack_file_name``."""
    stack_file = read_stack_file(stack_file_name)
    config, _ = with_secret_values(stack_file, {})
    return evaluate(
        stack, stack_file, config, preview=False, stack_outputs=archive_outputs(config, outputs_file)
    )


def render(stack: str, before: Path, after: Path, report: Report) -> str:
    lines = [f"Stack {stack}: {before} -> {after}"]
    if not report.steps:
        lines.append("  no changes")
    width = max((len(step.action.value) for step in report.steps), default=0)
    for number, step in enumerate(report.steps, 1):
        action = "forget" if step.retained else step.action.value
        keys = f"  ({', '.join(step.keys)})" if step.keys else ""
        kind = step.type.rsplit(":", 1)[-1]
        lines.append(f"  {number:>2}. {action:<{width}}  {kind}  {step.name}  [{step.physical}]{keys}")
    if report.findings:
        lines.append("")
    lines.extend(f"{LABELS[finding.kind]}: {finding.name}: {finding.message}" for finding in report.findings)
    lines += ["", f"Verdict: {report.verdict.value}"]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    return run_command(lambda: diff(args), debug=args.debug)


def diff(args: argparse.Namespace) -> int:
    """Simulate the edit of ``args`` and print it; the exit status of its verdict."""
    before = run_side(args.stack, args.before, args.archive_outputs_before)
    after = run_side(args.stack, args.after, args.archive_outputs_after)
    report = simulate(before.registrations, after.registrations)
    if args.json:
        document = {"stack": args.stack, "before": str(args.before), "after": str(args.after)}
        print(json.dumps({**document, **report.as_json()}, indent=2))
    else:
        print(render(args.stack, args.before, args.after, report))
    return exit_status(report)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m offline.diff",
        description="What pulumi up would replace, delete and gap when a stack file changes; offline.",
        epilog="exit statuses: 0 safe, 1 gap or data deleted, 2 usage, 3 configuration refused, "
        "4 internal error, 5 blocked by protect",
    )
    parser.add_argument("stack", help="stack name, e.g. account-a")
    parser.add_argument("--before", type=Path, required=True, metavar="FILE", help="the deployed stack file")
    parser.add_argument("--after", type=Path, required=True, metavar="FILE", help="the edited stack file")
    parser.add_argument(
        "--archive-outputs-before", type=Path, metavar="FILE", help="a source's archive outputs before"
    )
    parser.add_argument(
        "--archive-outputs-after", type=Path, metavar="FILE", help="a source's archive outputs after"
    )
    parser.add_argument("--json", action="store_true", help="one JSON document instead of the table")
    parser.add_argument("--debug", action="store_true", help="show the traceback of an internal error")
    return parser


if __name__ == "__main__":
    sys.exit(main())
