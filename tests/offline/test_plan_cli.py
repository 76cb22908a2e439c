"""``python -m offline.plan`` run as a user runs it: one process per command, exit statuses, no traceback.

Each run starts Python and imports pulumi (seconds), so only one command per exit status runs here,
plus the JSON round trip; the remaining error paths are tested in-process in ``test_plan.py``.
Stack files are written into ``tmp_path`` and passed with ``--config-file``: nothing is written
into the checkout.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from offline.program import PROJECT_DIR


def plan(*args: str | Path) -> subprocess.CompletedProcess[str]:
    """Run the command in the project directory; whatever happens, no traceback reaches the user."""
    result = subprocess.run(
        [sys.executable, "-m", "offline.plan", *map(str, args)],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        check=False,
        timeout=180,
    )
    assert "Traceback" not in result.stdout + result.stderr
    return result


def archive_stack_file(tmp_path: Path, extra_line: str) -> Path:
    """The project's archive stack file with one more config line."""
    path = tmp_path / "Pulumi.edited.yaml"
    path.write_text((PROJECT_DIR / "Pulumi.account-b.yaml").read_text() + f"  {extra_line}\n")
    return path


def test_the_archive_plan_as_json_feeds_the_source_plan_as_its_archive_outputs(tmp_path: Path) -> None:
    archive = plan("account-b", "--json")
    assert (archive.returncode, archive.stderr) == (0, "")
    (tmp_path / "plan.json").write_text(archive.stdout)

    source = plan("account-a", "--archive-outputs", tmp_path / "plan.json", "--json")

    assert (source.returncode, source.stderr) == (0, "")
    document = json.loads(source.stdout)
    filters = [
        r
        for r in document["resources"]
        if r["type"] == "aws:cloudwatch/logSubscriptionFilter:LogSubscriptionFilter"
    ]
    destination = json.loads(archive.stdout)["outputs"]["destinationArns"]["ap-northeast-1"]
    assert [f["inputs"]["destinationArn"] for f in filters] == [destination, destination]
    assert document["violations"] == []


def test_a_misspelt_stack_name_is_a_usage_error_that_lists_the_stacks() -> None:
    result = plan("acount-b")

    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr == (
        f"error: {PROJECT_DIR / 'Pulumi.acount-b.yaml'}: no such stack file; "
        f"stacks in {PROJECT_DIR}: account-a, account-b, organization\n"
    )


def test_a_value_the_program_refuses_is_a_config_error_naming_the_file_and_key(tmp_path: Path) -> None:
    stack_file = archive_stack_file(tmp_path, 'log-archive:bufferingSizeMiB: "32"')

    result = plan("edited", "--config-file", stack_file)

    assert result.returncode == 3
    assert result.stdout == ""
    assert result.stderr == (
        f"error: {stack_file}: log-archive:bufferingSizeMiB: 32 is out of range. "
        "Expected an integer from 64 to 128.\n"
    )


def test_a_stack_file_that_is_not_yaml_is_a_config_error_with_the_position(tmp_path: Path) -> None:
    stack_file = archive_stack_file(tmp_path, "log-archive:sourceRegions: [ap-northeast-1")

    end = len(stack_file.read_text().splitlines()) + 1

    result = plan("edited", "--config-file", stack_file)

    assert result.returncode == 3
    assert result.stderr.startswith(f"error: {stack_file}: invalid YAML at line {end}, column 1: ")
    assert result.stderr.count("\n") == 1


def test_a_mandatory_violation_exits_1_after_printing_the_plan(tmp_path: Path) -> None:
    policy_config = tmp_path / "policy-config.json"
    policy_config.write_text(
        json.dumps(
            {
                "s3-bucket-lifecycle-expiration": {
                    "enforcementLevel": "mandatory",
                    "minimumExpirationDays": 3000,
                }
            }
        )
    )

    result = plan("account-b", "--policy-pack-config", policy_config)

    assert result.returncode == 1
    assert result.stdout.startswith("Stack account-b (update): ")
    mandatory = [line for line in result.stdout.splitlines() if line.startswith("[mandatory] ")]
    assert [line.split(":")[0] for line in mandatory] == [
        "[mandatory] s3-bucket-lifecycle-expiration on log-archive-lifecycle"
    ]


def test_a_missing_option_file_is_refused_by_the_argument_parser(tmp_path: Path) -> None:
    missing = tmp_path / "outputs.json"

    result = plan("account-a", "--archive-outputs", missing)

    assert result.returncode == 2
    assert result.stderr.splitlines()[-1] == (
        f"python -m offline.plan: error: argument --archive-outputs: {missing}: no such file"
    )


def test_the_organization_stack_is_planned_against_the_archive_in_the_organization_form() -> None:
    result = plan("organization")

    assert result.returncode == 0, result.stderr
    assert result.stderr == (
        "note: Pulumi.account-b.yaml sets no log-archive:organizationId; planned the archive with "
        "o-abcd123456 (the organization stack's), as it must be deployed for this stack\n"
    )
    assert "create aws:cloudformation/stackSet:StackSet  organization-sources-stack-set" in result.stdout
    assert "Policy pack: no violations." in result.stdout
