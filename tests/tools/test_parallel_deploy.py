"""``tools.deploy --parallel N``: archive first, then bounded concurrency, progress, summary, exit."""

from __future__ import annotations

import io
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.tools.stack_files import archive_stack, source_stack
from tools.deploy import StepFailed, main
from tools.parallel_deploy import deploy_parallel
from tools.stacks import StackInfo, ordered_stacks

ARCHIVE = "organization/log-archive/archive"


@dataclass
class ConcurrencyRunner:
    """Sleeps ``seconds`` per stack, records the order of starts and the peak concurrency."""

    seconds: float = 0.02
    failing: set[str] = field(default_factory=set[str])
    started: list[str] = field(default_factory=list[str])
    peak: int = 0
    _running: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __call__(self, stack: StackInfo, preview: bool, policy_packs: Sequence[str]) -> str:
        with self._lock:
            self.started.append(stack.name)
            self._running += 1
            self.peak = max(self.peak, self._running)
        time.sleep(self.seconds)
        with self._lock:
            self._running -= 1
        if stack.name in self.failing:
            raise StepFailed(f"error: AccessDenied in {stack.name}\nsecond line")
        return f"{'preview' if preview else 'up succeeded'}: create 3"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    archive_stack(tmp_path, "archive")
    for index in range(6):
        source_stack(tmp_path, f"app-{index}", ARCHIVE)
    return tmp_path


def test_the_archive_runs_alone_before_the_sources_which_run_at_most_n_at_a_time(project: Path) -> None:
    runner = ConcurrencyRunner()
    lines: list[str] = []
    ok = deploy_parallel(
        ordered_stacks(project), runner, False, [], 3, stream=io.StringIO(), report=lines.append
    )
    assert ok is True
    assert runner.started[0] == "archive"
    assert sorted(runner.started[1:]) == [f"app-{index}" for index in range(6)]
    assert runner.peak == 3
    assert lines[0].split() == ["|", "stack", "|", "kind", "|", "up", "|", "seconds", "|", "summary", "|"]
    assert len(lines) == 2 + 7


def test_a_failed_source_does_not_stop_the_others_and_each_failure_is_named(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    runner = ConcurrencyRunner(failing={"app-1", "app-4"})
    assert main(["--project-dir", str(project), "--parallel", "2"], runner) == 1
    out = capsys.readouterr()
    assert len(runner.started) == 7
    assert "2 stack(s) failed: app-1, app-4. Fix them and run again." in out.out
    assert (
        "FAILED: pulumi up of the source stack 'app-1':\nerror: AccessDenied in app-1\nsecond line" in out.out
    )
    table = [line for line in out.out.splitlines() if line.startswith("| app-1 ")]
    assert table[0].split(" | ")[2].strip() == "FAILED"
    assert "[7/7] done 5, running 0, failed 2" in out.err


def test_a_failed_archive_skips_every_source(project: Path) -> None:
    runner = ConcurrencyRunner(failing={"archive"})
    lines: list[str] = []
    ok = deploy_parallel(
        ordered_stacks(project), runner, False, [], 4, stream=io.StringIO(), report=lines.append
    )
    assert ok is False
    assert runner.started == ["archive"]
    skipped = [line for line in lines if "| skipped " in line]
    assert len(skipped) == 6


def test_preview_is_passed_through_with_the_policy_packs(project: Path) -> None:
    calls: list[tuple[str, bool, tuple[str, ...]]] = []
    lock = threading.Lock()

    def runner(stack: StackInfo, preview: bool, policy_packs: Sequence[str]) -> str:
        with lock:
            calls.append((stack.name, preview, tuple(policy_packs)))
        return "preview: create 1"

    assert (
        main(["--project-dir", str(project), "--parallel", "3", "--preview", "--policy-pack", "pp"], runner)
        == 0
    )
    pack = str((project / "pp").resolve())
    assert sorted(calls) == sorted(
        [("archive", True, (pack,))] + [(f"app-{i}", True, (pack,)) for i in range(6)]
    )


def test_progress_is_one_line_per_finished_stack_when_not_a_terminal(project: Path) -> None:
    stream = io.StringIO()
    deploy_parallel(
        ordered_stacks(project), ConcurrencyRunner(), False, [], 2, stream=stream, report=lambda _: None
    )
    lines = stream.getvalue().splitlines()
    assert len(lines) == 7
    assert lines[0] == "[1/7] done 1, running 0, failed 0 (ok: archive)"
    assert lines[-1].startswith("[7/7] done 7, running 0, failed 0 (ok: app-")


@pytest.mark.parametrize("value", ["0", "-1", "two"])
def test_parallel_must_be_a_positive_whole_number(project: Path, value: str) -> None:
    with pytest.raises(SystemExit) as raised:
        main(["--project-dir", str(project), "--parallel", value], ConcurrencyRunner())
    assert raised.value.code == 2
