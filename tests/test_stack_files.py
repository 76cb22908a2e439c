"""The example stack files: what they set runs, and so does every commented-out example in them."""

from __future__ import annotations

import json
import re

import yaml

from offline.program import PROJECT_DIR, run_program

EXAMPLE_LINE = re.compile(r"^(\s*)# (log-archive:.*|- .*|  .*)$")
ARCHIVE_STACK = "organization/log-archive/account-b"


def uncommented_config(stack: str) -> dict[str, str]:
    """``Pulumi.<stack>.yaml`` with its commented-out examples switched on, flattened."""
    text = (PROJECT_DIR / f"Pulumi.{stack}.yaml").read_text()
    lines = [EXAMPLE_LINE.sub(r"\1\2", line) for line in text.splitlines()]
    config = yaml.safe_load("\n".join(lines))["config"]
    return {key: value if isinstance(value, str) else json.dumps(value) for key, value in config.items()}


def test_every_archive_example_is_a_valid_setting() -> None:
    config = uncommented_config("account-b")
    assert {"log-archive:organizationId", "log-archive:kmsKeyArn", "log-archive:accessLogsBucket"} <= set(
        config
    )
    run = run_program("account-b", config=config)
    assert run.outputs["organizationId"] == "o-abcd123456"
    assert {r.inputs["targetBucket"] for r in run.of_type("aws:s3/bucketLogging:BucketLogging")} == {
        "org-s3-access-logs-222222222222"
    }


def test_every_source_example_is_a_valid_setting() -> None:
    config = uncommented_config("account-a")
    assert {"log-archive:regions", "log-archive:accountPolicy"} <= set(config)
    regions = json.loads(config["log-archive:regions"])
    archive = run_program("account-b", overrides={"sourceRegions": regions})
    run = run_program("account-a", config=config, stack_outputs={ARCHIVE_STACK: archive.outputs})
    assert sorted(
        r.inputs["region"] for r in run.of_type("aws:cloudwatch/logAccountPolicy:LogAccountPolicy")
    ) == sorted(regions)
    created = run.of_type("aws:cloudwatch/logGroup:LogGroup")
    assert {(g.inputs["name"], g.inputs["retentionInDays"]) for g in created} == {
        ("/app/web", 30.0),
        ("/log-archive/heartbeat/ap-northeast-1", 365.0),
        ("/log-archive/heartbeat/us-east-1", 365.0),
    }


def test_every_organization_example_is_a_valid_setting() -> None:
    config = uncommented_config("organization")
    assert {
        "log-archive:regions",
        "log-archive:accountPolicy",
        "log-archive:callAs",
        "log-archive:operationPreferences",
        "log-archive:heartbeatMinutes",
    } <= set(config)
    targets = json.loads(config["log-archive:organizationalUnitIds"])
    assert targets == ["ou-ab12-cd34ef56", "r-ab12"]
    archive = run_program("account-b", overrides={"organizationId": "o-abcd123456"})
    run = run_program("organization", config=config, stack_outputs={ARCHIVE_STACK: archive.outputs})
    stack_set = run.one("aws:cloudformation/stackSet:StackSet")
    assert stack_set.inputs["callAs"] == "DELEGATED_ADMIN"
    template = json.loads(stack_set.inputs["templateBody"])
    assert (
        template["Resources"]["AccountPolicy"]["Properties"]["SelectionCriteria"].count(
            "/aws/lambda/very-noisy"
        )
        == 1
    )
    assert template["Resources"]["HeartbeatRule"]["Properties"]["ScheduleExpression"] == "rate(10 minutes)"
    instances = run.one("aws:cloudformation/stackInstances:StackInstances")
    assert instances.inputs["deploymentTargets"] == {"organizationalUnitIds": targets}
