"""The offline diff command: two stack files in, the steps and their consequences out."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from offline.diff import EXIT_BLOCKED, EXIT_SAFE, main
from offline.plan import EXIT_USAGE
from offline.program import PROJECT_DIR, run_program

KEY_ARN = "arn:aws:kms:ap-northeast-1:222222222222:key/1234abcd-12ab-34cd-56ef-1234567890ab"


def stack_file(tmp_path: Path, stack: str, name: str, **config: Any) -> Path:
    """``Pulumi.<stack>.yaml`` with ``config`` set (``None`` removes a key), written to ``tmp_path``."""
    document = yaml.safe_load((PROJECT_DIR / f"Pulumi.{stack}.yaml").read_text())
    for key, value in config.items():
        full_key = f"log-archive:{key}"
        if value is None:
            document["config"].pop(full_key, None)
        else:
            document["config"][full_key] = value
    path = tmp_path / name
    path.write_text(yaml.safe_dump(document))
    return path


def test_the_same_stack_file_twice_has_no_changes_and_exits_safe(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    same = stack_file(tmp_path, "account-a", "same.yaml")

    assert main(["account-a", "--before", str(same), "--after", str(same)]) == EXIT_SAFE
    printed = capsys.readouterr().out
    assert printed.splitlines()[1:] == ["  no changes", "", "Verdict: gap-free"]


def test_an_exclusion_is_an_upsert_of_the_retained_account_policy(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = stack_file(tmp_path, "account-a", "before.yaml", accountPolicy={"filterPattern": ""})
    after = stack_file(
        tmp_path,
        "account-a",
        "after.yaml",
        accountPolicy={"filterPattern": "", "excludeLogGroups": ["/aws/lambda/noisy"]},
    )

    assert main(["account-a", "--before", str(before), "--after", str(after), "--json"]) == EXIT_SAFE
    report = json.loads(capsys.readouterr().out)
    assert report["verdict"] == "gap-free"
    assert [(step["action"], step["retained"]) for step in report["steps"]] == [
        ("create-replacement", False),
        ("delete-replaced", True),
    ]
    assert report["steps"][0]["physical"] == "ap-northeast-1/SUBSCRIPTION_FILTER_POLICY/log-archive"


def test_a_new_archive_account_replaces_the_filter_create_first_and_names_the_slot_it_needs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    same = stack_file(tmp_path, "account-a", "same.yaml")
    outputs = tmp_path / "outputs-after.json"
    moved = run_program("account-b", overrides={"aws:allowedAccountIds": ["444444444444"]}).outputs
    outputs.write_text(json.dumps(moved))

    status = main(
        ["account-a", "--before", str(same), "--after", str(same), "--archive-outputs-after", str(outputs)]
    )

    printed = capsys.readouterr().out
    assert status == EXIT_SAFE
    assert (
        "create-replacement  LogSubscriptionFilter  log-source-filter-ap-northeast-1-delivery-test" in printed
    )
    assert (
        "requires: log-source-filter-ap-northeast-1-delivery-test: log group delivery-test needs a free"
        in printed
    )


def test_a_hand_off_from_the_account_policy_to_a_new_filter_waits_for_the_filter(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    policy = {"filterPattern": ""}
    before = stack_file(tmp_path, "account-a", "before.yaml", accountPolicy=policy)
    groups = [{"name": "delivery-test"}, {"name": "/app/web"}]
    after = stack_file(tmp_path, "account-a", "after.yaml", accountPolicy=policy, logGroups=groups)

    assert main(["account-a", "--before", str(before), "--after", str(after)]) == EXIT_SAFE
    printed = capsys.readouterr().out
    assert printed.index("create              LogSubscriptionFilter") < printed.index(
        "create-replacement  LogAccountPolicy"
    )
    assert "delivery gap" not in printed


def test_switching_the_archive_to_an_external_key_is_blocked_by_the_protected_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = stack_file(tmp_path, "account-b", "before.yaml")
    after = stack_file(tmp_path, "account-b", "after.yaml", kmsKeyArn=KEY_ARN)

    assert main(["account-b", "--before", str(before), "--after", str(after)]) == EXIT_BLOCKED
    printed = capsys.readouterr().out
    assert "blocked  Key  log-archive-key" in printed
    assert printed.rstrip().endswith("Verdict: blocked")


def test_a_stack_file_that_does_not_exist_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "Pulumi.nowhere.yaml"

    assert main(["account-a", "--before", str(missing), "--after", str(missing)]) == EXIT_USAGE
    assert f"{missing}: no such stack file" in capsys.readouterr().err


def test_the_module_runs_as_a_command_and_prints_one_json_document(tmp_path: Path) -> None:
    same = stack_file(tmp_path, "account-b", "same.yaml")

    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "offline.diff",
            "account-b",
            "--before",
            str(same),
            "--after",
            str(same),
            "--json",
        ],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )

    assert done.returncode == EXIT_SAFE, done.stderr
    assert json.loads(done.stdout) == {
        "stack": "account-b",
        "before": str(same),
        "after": str(same),
        "verdict": "gap-free",
        "steps": [],
        "findings": [],
    }
