"""``tools.deploy --parallel N``: the archive stacks one by one, then the other stacks N at a time.

Source stacks (and the organization stack) only read the archive's outputs, never each other's,
so once every archive stack is up they can run concurrently. The concurrency is bounded (each
run is a Pulumi engine and a language host: memory and the AWS API rate limits set the bound).
Progress goes to stderr: one line rewritten in place on a terminal, else a line per finished
stack; a summary table follows on stdout, and the run fails naming every failed stack.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TextIO

from tools.deploy import StackRunner, StepFailed
from tools.stacks import StackInfo


@dataclass(frozen=True)
class Outcome:
    """How one stack's run ended."""

    stack: StackInfo
    ok: bool | None
    """``True`` passed, ``False`` failed, ``None`` not run (an archive stack failed first)."""
    seconds: float
    detail: str
    """The runner's summary, the error's first line, or why it was skipped."""


class Progress:
    """Counts of done / running / failed stacks, shown on ``stream`` as they change."""

    def __init__(self, total: int, stream: TextIO) -> None:
        self.total = total
        self.stream = stream
        self.done = self.running = self.failed = 0
        self._lock = threading.Lock()
        self._tty = stream.isatty()

    def line(self) -> str:
        finished = self.done + self.failed
        return f"[{finished}/{self.total}] done {self.done}, running {self.running}, failed {self.failed}"

    def started(self) -> None:
        with self._lock:
            self.running += 1
            if self._tty:
                self._show("")

    def finished(self, name: str, ok: bool) -> None:
        with self._lock:
            self.running -= 1
            if ok:
                self.done += 1
            else:
                self.failed += 1
            self._show(f" ({'ok' if ok else 'FAILED'}: {name})")

    def close(self) -> None:
        if self._tty:
            self.stream.write("\n")
            self.stream.flush()

    def _show(self, suffix: str) -> None:
        if self._tty:
            self.stream.write(f"\r\033[K{self.line()}{suffix}")
        else:
            self.stream.write(f"{self.line()}{suffix}\n")
        self.stream.flush()


def deploy_parallel(
    stacks: Sequence[StackInfo],
    runner: StackRunner,
    preview: bool,
    policy_packs: Sequence[str],
    parallel: int,
    *,
    stream: TextIO | None = None,
    report: Callable[[str], None] = print,
    clock: Callable[[], float] = time.monotonic,
) -> bool:
    """Run the archive stacks in order, then the others ``parallel`` at a time; True if all passed."""
    if parallel < 1:
        raise ValueError("parallel must be at least 1")
    progress = Progress(len(stacks), stream or sys.stderr)

    def run(stack: StackInfo) -> Outcome:
        progress.started()
        start = clock()
        try:
            detail, ok = runner(stack, preview, policy_packs), True
        except StepFailed as error:
            detail, ok = str(error), False
        progress.finished(stack.name, ok)
        return Outcome(stack, ok, clock() - start, detail)

    archives = [stack for stack in stacks if stack.is_archive]
    others = [stack for stack in stacks if not stack.is_archive]
    outcomes: list[Outcome] = []
    for stack in archives:
        outcomes.append(run(stack))
        if not outcomes[-1].ok:
            break
    if all(outcome.ok for outcome in outcomes) and len(outcomes) == len(archives):
        with ThreadPoolExecutor(max_workers=parallel) as pool:
            outcomes.extend(pool.map(run, others))
    ran = {outcome.stack.name for outcome in outcomes}
    outcomes.extend(
        Outcome(stack, None, 0.0, "not run: an archive stack failed")
        for stack in stacks
        if stack.name not in ran
    )
    progress.close()
    for line in summary_table(outcomes, preview):
        report(line)
    failed = [outcome for outcome in outcomes if outcome.ok is False]
    for outcome in failed:
        report(
            f"FAILED: pulumi {'preview' if preview else 'up'} of the {outcome.stack.kind} stack "
            f"{outcome.stack.name!r}:\n{outcome.detail}"
        )
    if failed:
        report(
            f"{len(failed)} stack(s) failed: {', '.join(o.stack.name for o in failed)}. "
            "Fix them and run again."
        )
    return not failed and all(outcome.ok for outcome in outcomes)


def summary_table(outcomes: Sequence[Outcome], preview: bool) -> list[str]:
    """A Markdown-style table: stack, kind, result, seconds, the runner's summary."""
    rows = [
        (
            outcome.stack.name,
            outcome.stack.kind,
            {True: "ok", False: "FAILED", None: "skipped"}[outcome.ok],
            f"{outcome.seconds:.1f}",
            outcome.detail.splitlines()[0] if outcome.detail else "",
        )
        for outcome in outcomes
    ]
    header = ("stack", "kind", "preview" if preview else "up", "seconds", "summary")
    widths = [max(len(row[i]) for row in (header, *rows)) for i in range(len(header))]

    def line(cells: Sequence[str]) -> str:
        return "| " + " | ".join(cell.ljust(width) for cell, width in zip(cells, widths, strict=True)) + " |"

    return [line(header), line(["-" * width for width in widths]), *(line(row) for row in rows)]
