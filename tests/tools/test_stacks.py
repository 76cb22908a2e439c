"""Which stacks the project has and the order they deploy in."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.tools.stack_files import archive_stack, source_stack
from tools.stacks import StackFileError, StackInfo, ordered_stacks

PROJECT_DIR = Path(__file__).resolve().parents[2]


def names(directory: Path) -> list[str]:
    return [stack.name for stack in ordered_stacks(directory)]


def test_the_archive_stack_comes_before_sources_that_sort_earlier(tmp_path: Path) -> None:
    source_stack(tmp_path, "a-workload", "organization/log-archive/z-archive")
    source_stack(tmp_path, "b-workload", "organization/log-archive/z-archive")
    archive_stack(tmp_path, "z-archive")
    assert names(tmp_path) == ["z-archive", "a-workload", "b-workload"]


def test_every_archive_precedes_every_source(tmp_path: Path) -> None:
    archive_stack(tmp_path, "prod-archive")
    archive_stack(tmp_path, "dev-archive")
    source_stack(tmp_path, "dev-app", "organization/log-archive/dev-archive")
    source_stack(tmp_path, "prod-app", "acme/log-archive/prod-archive")
    assert names(tmp_path) == ["dev-archive", "prod-archive", "dev-app", "prod-app"]


def test_a_source_may_reference_an_archive_managed_elsewhere(tmp_path: Path) -> None:
    source_stack(tmp_path, "app", "acme/central-logging/archive")
    assert ordered_stacks(tmp_path) == [StackInfo("app", "ap-northeast-1", "acme/central-logging/archive")]


def test_the_repository_stacks_deploy_archive_first() -> None:
    first, *rest = ordered_stacks(PROJECT_DIR)
    assert first == StackInfo("account-b", "ap-northeast-1", None)
    assert {stack.kind for stack in rest} == {"source", "organization"}


def test_a_stack_file_without_region_reads_as_none(tmp_path: Path) -> None:
    archive_stack(tmp_path, "archive", region=None)
    assert ordered_stacks(tmp_path) == [StackInfo("archive", None, None)]


def test_a_source_pointing_at_another_source_is_rejected(tmp_path: Path) -> None:
    archive_stack(tmp_path, "archive")
    source_stack(tmp_path, "one", "organization/log-archive/archive")
    source_stack(tmp_path, "two", "organization/log-archive/one")
    with pytest.raises(StackFileError) as raised:
        ordered_stacks(tmp_path)
    assert str(raised.value) == (
        "Pulumi.two.yaml: log-archive:archiveStack names organization/log-archive/one, which is "
        "a source stack (it sets log-archive:archiveStack itself)"
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param("config: [", "Pulumi.bad.yaml: not valid YAML", id="broken-yaml"),
        pytest.param("- a\n- b\n", "Pulumi.bad.yaml: expected a mapping with a 'config' key", id="a-list"),
        pytest.param("config: [1]\n", "Pulumi.bad.yaml: 'config' must be a mapping", id="config-a-list"),
        pytest.param(
            "config:\n  log-archive:archiveStack: 12\n",
            "Pulumi.bad.yaml: log-archive:archiveStack must be a stack name such as "
            "organization/log-archive/account-b, got 12",
            id="archive-stack-a-number",
        ),
    ],
)
def test_unreadable_stack_files_are_named(tmp_path: Path, text: str, message: str) -> None:
    (tmp_path / "Pulumi.bad.yaml").write_text(text)
    with pytest.raises(StackFileError) as raised:
        ordered_stacks(tmp_path)
    assert str(raised.value).startswith(message)


def test_a_directory_without_stack_files_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(StackFileError, match=r"^no Pulumi.<stack>.yaml files in "):
        ordered_stacks(tmp_path)
