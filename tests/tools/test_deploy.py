"""The one-command deploy: order, stopping at the first failure, and its messages.

The Automation API needs the Pulumi CLI, which this machine does not have: the tests inject a
fake runner, and check only that the real runner reports the missing CLI clearly.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.tools.stack_files import archive_stack, source_stack
from tools.deploy import AutomationRunner, StepFailed, deploy, main
from tools.stacks import StackInfo

ARCHIVE = "organization/log-archive/archive"


@dataclass
class FakeRunner:
    """Records each call; raises ``StepFailed`` for the stacks listed in ``failing``."""

    failing: set[str] = field(default_factory=set[str])
    calls: list[tuple[str, bool, tuple[str, ...]]] = field(
        default_factory=list[tuple[str, bool, tuple[str, ...]]]
    )

    def __call__(self, stack: StackInfo, preview: bool, policy_packs: Sequence[str]) -> str:
        self.calls.append((stack.name, preview, tuple(policy_packs)))
        if stack.name in self.failing:
            raise StepFailed("error: AccessDenied: not authorized to perform: logs:PutSubscriptionFilter")
        return "update succeeded: create 3"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    source_stack(tmp_path, "app-1", ARCHIVE)
    source_stack(tmp_path, "app-2", ARCHIVE)
    source_stack(tmp_path, "app-3", ARCHIVE)
    archive_stack(tmp_path, "archive")
    return tmp_path


def test_up_runs_the_archive_then_each_source(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    runner = FakeRunner()
    assert main(["--project-dir", str(project)], runner) == 0
    assert runner.calls == [
        ("archive", False, ()),
        ("app-1", False, ()),
        ("app-2", False, ()),
        ("app-3", False, ()),
    ]
    assert capsys.readouterr().out.splitlines()[:3] == [
        "Order: archive (archive) -> app-1 (source) -> app-2 (source) -> app-3 (source)",
        "==> pulumi up --stack archive (archive stack)",
        "ok: archive: update succeeded: create 3",
    ]


def test_preview_passes_the_policy_pack_as_an_absolute_path(project: Path) -> None:
    runner = FakeRunner()
    assert main(["--project-dir", str(project), "--preview", "--policy-pack", "policy_pack"], runner) == 0
    assert {call[1:] for call in runner.calls} == {(True, (str(project / "policy_pack"),))}


def test_the_first_failure_stops_the_run_and_names_the_stack(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    runner = FakeRunner(failing={"app-2"})
    assert main(["--project-dir", str(project)], runner) == 1
    assert [call[0] for call in runner.calls] == ["archive", "app-1", "app-2"]
    assert capsys.readouterr().out.splitlines()[-3:] == [
        "FAILED: pulumi up of the source stack 'app-2':",
        "error: AccessDenied: not authorized to perform: logs:PutSubscriptionFilter",
        "Stopped before: app-3. Fix the error and run again.",
    ]


def test_a_failing_archive_stops_before_any_source(project: Path) -> None:
    runner = FakeRunner(failing={"archive"})
    lines: list[str] = []
    stacks = [StackInfo("archive", "ap-northeast-1", None), StackInfo("app", "ap-northeast-1", ARCHIVE)]
    assert not deploy(stacks, runner, preview=False, policy_packs=[], report=lines.append)
    assert runner.calls == [("archive", False, ())]
    assert lines[-1] == "Stopped before: app. Fix the error and run again."


def test_a_failing_last_stack_has_nothing_to_skip(project: Path) -> None:
    lines: list[str] = []
    stacks = [StackInfo("archive", "ap-northeast-1", None)]
    assert not deploy(stacks, FakeRunner(failing={"archive"}), True, [], report=lines.append)
    assert lines == [
        "==> pulumi preview --stack archive (archive stack)",
        "FAILED: pulumi preview of the archive stack 'archive':\n"
        "error: AccessDenied: not authorized to perform: logs:PutSubscriptionFilter",
    ]


def test_unreadable_stack_files_exit_2_before_running_anything(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    runner = FakeRunner()
    assert main(["--project-dir", str(tmp_path)], runner) == 2
    assert runner.calls == []
    assert capsys.readouterr().err == f"error: no Pulumi.<stack>.yaml files in {tmp_path}\n"


def test_the_real_runner_says_when_the_pulumi_cli_is_missing(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(project))
    with pytest.raises(StepFailed) as raised:
        AutomationRunner(project)(StackInfo("archive", None, None), preview=True, policy_packs=[])
    assert str(raised.value) == (
        "the Pulumi CLI is not on PATH: install it (https://www.pulumi.com/docs/install/)"
    )
