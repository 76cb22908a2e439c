"""The offline plan command: resources and the policy pack's verdicts, no credentials."""

from __future__ import annotations

import pytest

from offline.analyzer import Diagnostic, EnforcementLevel
from offline.plan import main, render
from offline.program import run_program


def test_planning_the_source_stack_lists_its_resources_and_a_clean_policy_verdict(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["account-a", "--preview"]) == 0
    printed = capsys.readouterr().out
    assert printed.startswith("Stack account-a (preview): 3 resources")
    assert "create aws:cloudwatch/logSubscriptionFilter:LogSubscriptionFilter  log-source-filter-" in printed
    assert "destinationArn=arn:aws:logs:ap-northeast-1:222222222222:destination:log-archive" in printed
    assert printed.rstrip().endswith("Policy pack: no violations.")


def test_a_mandatory_violation_is_shown_with_its_level_policy_and_resource() -> None:
    run = run_program("account-b")
    bucket = run.named("log-archive-bucket-policy")
    violation = Diagnostic(
        policy_name="s3-bucket-policy-owner-full-control",
        message="no statement carries the condition",
        urn=bucket.urn,
        enforcement_level=EnforcementLevel.MANDATORY,
        stack_level=False,
    )
    printed = render(run, [violation])
    assert printed.splitlines()[-1] == (
        "[mandatory] s3-bucket-policy-owner-full-control on log-archive-bucket-policy: "
        "no statement carries the condition"
    )
