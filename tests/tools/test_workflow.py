"""The GitHub Actions workflow, its stack matrix, and the pre-commit hooks."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.tools.stack_files import archive_stack, source_stack
from tools.stacks import StackInfo
from tools.workflow_matrix import MatrixError, main, matrix_entries, matrix_outputs, parse_roles

PROJECT_DIR = Path(__file__).resolve().parents[2]
WORKFLOW = PROJECT_DIR / ".github" / "workflows" / "pulumi.yml"
BIN = Path(sys.executable).parent
ROLES = {
    "account-b": "arn:aws:iam::222222222222:role/pulumi-deploy",
    "account-a": "arn:aws:iam::111111111111:role/pulumi-deploy",
    "organization": "arn:aws:iam::333333333333:role/pulumi-deploy",
}


def jobs() -> dict[str, Any]:
    return yaml.safe_load(WORKFLOW.read_text())["jobs"]


def step_using(job: dict[str, Any], action: str) -> dict[str, Any]:
    [step] = [step for step in job["steps"] if str(step.get("uses", "")).startswith(action)]
    return step


def check_workflow(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / "check-jsonschema"), "--builtin-schema", "vendor.github-workflows", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )


def test_the_workflow_matches_the_github_workflow_schema() -> None:
    result = check_workflow(WORKFLOW)
    assert (result.returncode, result.stdout.strip()) == (0, "ok -- validation done")


def test_the_schema_check_rejects_a_broken_workflow(tmp_path: Path) -> None:
    broken = yaml.safe_load(WORKFLOW.read_text())
    broken["jobs"]["preview"]["strategy"]["fail-fast"] = "sometimes"
    path = tmp_path / "broken.yml"
    path.write_text(yaml.safe_dump(broken))
    result = check_workflow(path)
    assert result.returncode == 1
    assert "Schema validation errors were encountered." in result.stdout


def test_pull_requests_preview_every_stack_with_the_policy_pack_and_comment() -> None:
    preview = jobs()["preview"]
    assert preview["needs"] == ["test", "stacks"]
    assert preview["strategy"]["matrix"]["include"] == "${{ fromJSON(needs.stacks.outputs.all) }}"
    assert step_using(preview, "pulumi/actions@")["with"] == {
        "command": "preview",
        "stack-name": "${{ matrix.stack }}",
        "cloud-url": "${{ vars.PULUMI_BACKEND_URL }}",
        "policyPacks": "policy_pack",
        "comment-on-pr": True,
        "github-token": "${{ secrets.GITHUB_TOKEN }}",
    }


def test_main_runs_up_on_the_archive_before_the_sources() -> None:
    workflow = jobs()
    assert workflow["up-archive"]["strategy"]["matrix"]["include"] == (
        "${{ fromJSON(needs.stacks.outputs.archives) }}"
    )
    assert workflow["up-sources"]["needs"] == ["stacks", "up-archive"]
    assert workflow["up-sources"]["strategy"]["matrix"]["include"] == (
        "${{ fromJSON(needs.stacks.outputs.sources) }}"
    )
    for name in ("up-archive", "up-sources"):
        assert step_using(workflow[name], "pulumi/actions@v7")["with"]["command"] == "up"


@pytest.mark.parametrize("name", ["preview", "up-archive", "up-sources"])
def test_each_deploying_job_assumes_its_stack_role_through_oidc(name: str) -> None:
    job = jobs()[name]
    assert job["permissions"]["id-token"] == "write"
    assert step_using(job, "aws-actions/configure-aws-credentials@")["with"]["role-to-assume"] == (
        "${{ matrix.role }}"
    )


def test_pull_requests_simulate_every_edited_stack_file_against_the_base_branch() -> None:
    job = jobs()["change-safety"]
    assert job["if"] == "github.event_name == 'pull_request'"
    assert job["steps"][0] == {"uses": "actions/checkout@v4", "with": {"fetch-depth": 0}}
    assert job["steps"][-1] == {"run": 'bash scripts/change-safety.sh "origin/${{ github.base_ref }}"'}


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
        cwd=cwd,
        check=True,
        capture_output=True,
    )


def test_the_change_safety_script_fails_on_a_blocked_edit_and_skips_new_stacks(tmp_path: Path) -> None:
    for name in ("components", "offline", "scripts"):
        shutil.copytree(PROJECT_DIR / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
    for path in [PROJECT_DIR / "__main__.py", *PROJECT_DIR.glob("Pulumi*.yaml")]:
        shutil.copy(path, tmp_path / path.name)
    archive = tmp_path / "Pulumi.account-b.yaml"
    one_region = archive.read_text()
    archive.write_text(
        one_region.replace("    - ap-northeast-1\n", "    - ap-northeast-1\n    - us-east-1\n", 1)
    )
    _git(tmp_path, "init", "-q")
    _git(tmp_path, "add", ".")
    _git(tmp_path, "commit", "-qm", "deployed")
    archive.write_text(one_region)
    (tmp_path / "Pulumi.account-c.yaml").write_text((tmp_path / "Pulumi.account-a.yaml").read_text())
    _git(tmp_path, "add", ".")

    done = subprocess.run(
        ["bash", "scripts/change-safety.sh", "HEAD"],
        cwd=tmp_path,
        env={**os.environ, "PYTHON": sys.executable},
        capture_output=True,
        text=True,
        check=False,
    )

    assert done.returncode == 1, done.stderr
    assert "==> account-c: new stack, nothing deployed to compare with" in done.stdout
    assert "blocked: log-archive-destination-us-east-1" in done.stdout
    assert "\nVerdict: blocked\n" in done.stdout


def test_the_test_job_runs_the_project_check_script() -> None:
    assert {"run": "bash scripts/check.sh"} in jobs()["test"]["steps"]
    assert (PROJECT_DIR / "scripts" / "check.sh").is_file()


def test_the_matrix_of_the_repository_lists_the_archive_first() -> None:
    outputs = matrix_outputs(PROJECT_DIR, json.dumps(ROLES))
    assert json.loads(outputs["all"])[0]["stack"] == "account-b"
    assert json.loads(outputs["archives"]) == [
        {"stack": "account-b", "region": "ap-northeast-1", "role": ROLES["account-b"]}
    ]


def test_the_matrix_splits_archives_and_sources_in_deploy_order(tmp_path: Path) -> None:
    source_stack(tmp_path, "a-app", "organization/log-archive/z-archive", region="us-east-1")
    archive_stack(tmp_path, "z-archive")
    roles = {"a-app": "arn:aws:iam::111111111111:role/ci", "z-archive": "arn:aws:iam::222222222222:role/ci"}
    archive = '{"stack":"z-archive","region":"ap-northeast-1","role":"arn:aws:iam::222222222222:role/ci"}'
    source = '{"stack":"a-app","region":"us-east-1","role":"arn:aws:iam::111111111111:role/ci"}'
    assert matrix_outputs(tmp_path, json.dumps(roles)) == {
        "all": f"[{archive},{source}]",
        "archives": f"[{archive}]",
        "sources": f"[{source}]",
    }


def test_main_prints_github_output_lines(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("AWS_ROLE_ARNS", json.dumps(ROLES))
    assert main() == 0
    assert [line.split("=", 1)[0] for line in capsys.readouterr().out.splitlines()] == [
        "all",
        "archives",
        "sources",
    ]


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        pytest.param(None, "the repository variable AWS_ROLE_ARNS is not set", id="unset"),
        pytest.param("{oops", "AWS_ROLE_ARNS is not valid JSON", id="not-json"),
        pytest.param('["arn"]', "AWS_ROLE_ARNS must be a JSON object", id="a-list"),
        pytest.param(
            '{"account-b": "arn:aws:iam::2222:role/x"}',
            "AWS_ROLE_ARNS['account-b'] is not an IAM role ARN: 'arn:aws:iam::2222:role/x'",
            id="short-account-id",
        ),
        pytest.param(
            '{"account-b": "arn:aws:iam::222222222222:user/x"}',
            "AWS_ROLE_ARNS['account-b'] is not an IAM role ARN",
            id="a-user-not-a-role",
        ),
    ],
)
def test_bad_role_maps_are_rejected(raw: str | None, message: str) -> None:
    with pytest.raises(MatrixError, match="^" + re.escape(message)):
        parse_roles(raw)


def test_a_stack_without_a_role_is_named() -> None:
    stacks = [StackInfo("account-b", "ap-northeast-1", None), StackInfo("account-a", "ap-northeast-1", "x")]
    with pytest.raises(MatrixError) as raised:
        matrix_entries(stacks, {"account-b": ROLES["account-b"]})
    assert str(raised.value) == "AWS_ROLE_ARNS has no role for stack(s): account-a"


def test_a_stack_without_a_region_is_named() -> None:
    with pytest.raises(MatrixError) as raised:
        matrix_entries([StackInfo("account-b", None, None)], ROLES)
    assert str(raised.value) == "aws:region is not set in Pulumi.<stack>.yaml of: account-b"


# pre-commit


def hooks() -> list[dict[str, Any]]:
    config = yaml.safe_load((PROJECT_DIR / ".pre-commit-config.yaml").read_text())
    return [hook for repo in config["repos"] for hook in repo["hooks"]]


def test_the_pre_commit_config_is_valid() -> None:
    result = subprocess.run(
        [str(BIN / "pre-commit"), "validate-config", ".pre-commit-config.yaml"],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        check=False,
    )
    assert (result.returncode, result.stdout + result.stderr) == (0, "")


def test_pre_commit_runs_the_same_commands_as_ci() -> None:
    ci_commands = {
        line.strip()
        for line in (PROJECT_DIR / "scripts" / "check.sh").read_text().splitlines()
        if line.strip().startswith("uv run")
    }
    assert {
        hook["entry"] + ' "$@"' if "pytest" in hook["entry"] else hook["entry"] for hook in hooks()
    } == ci_commands
    assert {hook["language"] for hook in hooks()} == {"system"}
