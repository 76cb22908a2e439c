"""Deploy (or preview) every stack of the project in dependency order, for users without CI.

    .venv/bin/python -m tools.deploy [--preview] [--policy-pack policy_pack] [--parallel N]

Archive stacks go first, then the source stacks (see ``tools.stacks``); the first failure stops
the run with a message naming the stack, and the stacks after it are not touched. It drives the
Pulumi CLI through the Automation API (``pulumi.automation``, a local workspace over the project
directory), so it needs the CLI on ``PATH``, a backend you are logged in to and credentials for
every account (the ``aws:profile`` of each stack file). Stacks must exist already
(``pulumi stack init``): the tool selects them and never creates one, so that a login to the
wrong backend fails instead of deploying a second copy of everything.

With ``--parallel N`` (``tools.parallel_deploy``) the archive stacks still go first, one by one;
then the other stacks run N at a time, a failure no longer stops the others, and the run ends
with a summary table and a non-zero exit naming every failed stack.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from pulumi import automation as auto

from tools.stacks import StackFileError, StackInfo, ordered_stacks

PROJECT_DIR = Path(__file__).resolve().parent.parent


class StepFailed(Exception):
    """One stack's preview or update failed; the message says why."""


class StackRunner(Protocol):
    """Runs ``pulumi preview`` or ``pulumi up`` on one stack and returns a one-line summary."""

    def __call__(self, stack: StackInfo, preview: bool, policy_packs: Sequence[str]) -> str: ...


@dataclass(frozen=True)
class AutomationRunner:
    """The real runner: Pulumi's Automation API over the project directory."""

    work_dir: Path
    on_output: Callable[[str], None] = print

    def __call__(self, stack: StackInfo, preview: bool, policy_packs: Sequence[str]) -> str:
        try:
            selected = auto.select_stack(stack_name=stack.name, work_dir=str(self.work_dir))
            if preview:
                result = selected.preview(policy_packs=list(policy_packs), on_output=self.on_output)
                return "preview: " + _changes(result.change_summary)
            up = selected.up(policy_packs=list(policy_packs), on_output=self.on_output)
            return f"up {up.summary.result}: " + _changes(up.summary.resource_changes or {})
        except FileNotFoundError:
            raise StepFailed(
                "the Pulumi CLI is not on PATH: install it (https://www.pulumi.com/docs/install/)"
            ) from None
        except auto.StackNotFoundError:
            raise StepFailed(
                f"the stack does not exist in the backend you are logged in to: check "
                f"`pulumi whoami -v`, or create it with `pulumi stack init {stack.name}`"
            ) from None
        except auto.CommandError as error:
            raise StepFailed(_last_lines(str(error))) from None


def _changes(summary: Mapping[Any, int]) -> str:
    """``create 3, same 10``; the keys are ``OpType`` members or, from JSON, plain strings."""
    counts = sorted((str(getattr(op, "value", op)), count) for op, count in summary.items())
    return ", ".join(f"{op} {count}" for op, count in counts) or "no changes"


def _last_lines(text: str, count: int = 15) -> str:
    return "\n".join(text.strip().splitlines()[-count:])


def deploy(
    stacks: Sequence[StackInfo],
    runner: StackRunner,
    preview: bool,
    policy_packs: Sequence[str],
    report: Callable[[str], None] = print,
) -> bool:
    """Run ``runner`` over ``stacks`` in order; stop at the first failure. True when all passed."""
    verb = "preview" if preview else "up"
    for index, stack in enumerate(stacks):
        report(f"==> pulumi {verb} --stack {stack.name} ({stack.kind} stack)")
        try:
            summary = runner(stack, preview, policy_packs)
        except StepFailed as error:
            skipped = [s.name for s in stacks[index + 1 :]]
            report(f"FAILED: pulumi {verb} of the {stack.kind} stack {stack.name!r}:\n{error}")
            if skipped:
                report(f"Stopped before: {', '.join(skipped)}. Fix the error and run again.")
            return False
        report(f"ok: {stack.name}: {summary}")
    return True


def main(argv: Sequence[str] | None = None, runner: StackRunner | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tools.deploy",
        description="Deploy every stack in dependency order: the archive stack, then the sources.",
    )
    parser.add_argument("--preview", action="store_true", help="run `pulumi preview` instead of `pulumi up`")
    parser.add_argument(
        "--policy-pack",
        action="append",
        default=[],
        metavar="DIR",
        help="policy pack directory to enforce (repeatable), e.g. policy_pack",
    )
    parser.add_argument(
        "--parallel",
        type=_positive,
        default=None,
        metavar="N",
        help="after the archive stacks, run the other stacks N at a time (summary table at the end)",
    )
    parser.add_argument("--project-dir", type=Path, default=PROJECT_DIR, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    project_dir: Path = args.project_dir
    try:
        stacks = ordered_stacks(project_dir)
    except StackFileError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print("Order: " + " -> ".join(f"{s.name} ({s.kind})" for s in stacks))
    packs = [str((project_dir / pack).resolve()) for pack in args.policy_pack]
    if args.parallel is not None:
        from tools.parallel_deploy import deploy_parallel

        quiet = AutomationRunner(project_dir, on_output=lambda _: None)  # interleaved output is noise
        ok = deploy_parallel(stacks, runner or quiet, args.preview, packs, args.parallel)
    else:
        ok = deploy(stacks, runner or AutomationRunner(project_dir), args.preview, packs)
    return 0 if ok else 1


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of at least 1")
    return int(text)


if __name__ == "__main__":
    sys.exit(main())
