"""The offline plan command: resources and the policy pack's verdicts, no credentials."""

from __future__ import annotations

import json
from pathlib import Path

import pulumi
import pulumi_aws as aws
import pytest

import offline.plan
from offline.analyzer import Diagnostic, EnforcementLevel
from offline.plan import SECRET_MARK, Refusal, main, plan_document, read_archive_outputs, render
from offline.program import (
    PROJECT_DIR,
    SECRET_PLACEHOLDER,
    ProgramFailed,
    ProgramRun,
    StackFileError,
    read_stack_file,
    run_program,
    run_pulumi,
    stack_file_path,
)


def test_planning_the_source_stack_lists_its_resources_and_a_clean_policy_verdict(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["account-a", "--preview"]) == 0
    printed = capsys.readouterr().out
    assert printed.startswith("Stack account-a (preview): 12 resources")
    assert "create aws:cloudwatch/logSubscriptionFilter:LogSubscriptionFilter  log-source-filter-" in printed
    assert "create aws:cloudwatch/eventRule:EventRule  log-source-change-rule-ap-northeast-1-1" in printed
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


def write(tmp_path: Path, name: str, content: str) -> Path:
    path = tmp_path / name
    path.write_text(content)
    return path


def archive_with(tmp_path: Path, extra: str) -> Path:
    """The project's archive stack file plus ``extra`` config lines, as ``Pulumi.edited.yaml``."""
    return write(tmp_path, "Pulumi.edited.yaml", stack_file_path("account-b").read_text() + extra)


def test_a_secure_value_is_planned_as_a_secret_placeholder_and_the_note_names_the_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    stack_file = archive_with(tmp_path, "  log-archive:alarmEmail:\n    secure: v1:Y2lwaGVydGV4dA==\n")

    assert main(["edited", "--config-file", str(stack_file), "--json"]) == 0

    printed = capsys.readouterr()
    assert printed.err == (
        f"note: {stack_file}: log-archive:alarmEmail is a secure: value, which cannot be decrypted offline; "
        f"planned with the placeholder {SECRET_PLACEHOLDER!r} "
        "(--secret-value log-archive:alarmEmail=VALUE sets one)\n"
    )
    assert json.loads(printed.out)["secretPlaceholders"] == ["log-archive:alarmEmail"]
    assert "v1:Y2lwaGVydGV4dA==" not in printed.out
    assert pulumi.runtime.is_config_secret("log-archive:alarmEmail")


def test_a_secret_value_given_for_a_key_without_a_secure_value_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    stack_file = archive_with(tmp_path, "  log-archive:alarmEmail:\n    secure: v1:Y2lwaGVydGV4dA==\n")

    assert (
        main(["edited", "--config-file", str(stack_file), "--secret-value", "alarmMail=a@example.com"]) == 2
    )
    assert capsys.readouterr().err == (
        f"error: --secret-value log-archive:alarmMail: {stack_file} holds no secure: value under that key "
        "(its secure keys: log-archive:alarmEmail)\n"
    )


def test_secure_values_nested_in_an_object_make_the_whole_key_secret(tmp_path: Path) -> None:
    stack_file = write(
        tmp_path,
        "Pulumi.nested.yaml",
        "config:\n  aws:region: ap-northeast-1\n  log-archive:accountPolicy:\n"
        "    filterPattern:\n      secure: v1:abc\n    excludeLogGroups: [a]\n",
    )

    read = read_stack_file(stack_file)

    assert read.secret_keys == ("log-archive:accountPolicy",)
    assert json.loads(read.config["log-archive:accountPolicy"]) == {
        "filterPattern": SECRET_PLACEHOLDER,
        "excludeLogGroups": ["a"],
    }
    assert read.config["aws:region"] == "ap-northeast-1"


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("config: [a, b]\n", "expected a mapping `config:` of `<namespace>:<key>: value` entries"),
        (
            "config:\n  log-archive:retentionDays: .inf\n",
            "log-archive:retentionDays: infinity and NaN are not numbers a stack config can hold",
        ),
        ("config:\n  a: 'b\n", "invalid YAML at line 3, column 1: found unexpected end of stream"),
    ],
    ids=["config-not-a-mapping", "infinite-number", "unterminated-quote"],
)
def test_a_stack_file_the_cli_could_not_load_is_refused_in_one_line(
    tmp_path: Path, content: str, problem: str
) -> None:
    stack_file = write(tmp_path, "Pulumi.bad.yaml", content)

    with pytest.raises(StackFileError) as refused:
        read_stack_file(stack_file)

    assert str(refused.value) == f"{stack_file}: {problem}"


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (
            '{"kms-key-rotated": "mandatory"}',
            "policy pack config names unknown policies: ['kms-key-rotated']; "
            "did you mean kms-key-rotation-enabled?",
        ),
        (
            '{"all": "mandtory"}',
            "all: 'mandtory' is not an enforcement level (advisory, mandatory, disabled, remediate)",
        ),
        ('{"all": ', "not JSON (Expecting value: line 1 column 9 (char 8))"),
        ("[]", "a policy pack config must be a JSON object"),
    ],
    ids=["unknown-policy", "unknown-level", "not-json", "not-an-object"],
)
def test_a_policy_pack_config_the_cli_would_refuse_is_a_config_error_naming_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str, problem: str
) -> None:
    config_file = write(tmp_path, "policy-config.json", content)

    assert main(["account-b", "--policy-pack-config", str(config_file)]) == 3
    assert capsys.readouterr() == ("", f"error: {config_file}: {problem}\n")


def test_an_unrecognisable_policy_name_is_answered_with_every_policy_name(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config_file = write(tmp_path, "policy-config.json", '{"zzz": "mandatory"}')

    assert main(["account-b", "--policy-pack-config", str(config_file)]) == 3
    error = capsys.readouterr().err
    assert error.startswith(
        f"error: {config_file}: policy pack config names unknown policies: ['zzz']; the pack's policies are "
    )
    assert "kms-key-rotation-enabled, " in error


def test_a_source_stack_whose_archive_file_is_not_in_the_project_asks_for_archive_outputs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = (
        stack_file_path("account-a").read_text().replace("log-archive/account-b", "log-archive/account-z")
    )
    stack_file = write(tmp_path, "Pulumi.source.yaml", source)

    assert main(["source", "--config-file", str(stack_file)]) == 2
    assert capsys.readouterr().err == (
        "error: no outputs of the archive stack organization/log-archive/account-z: "
        f"Pulumi.account-z.yaml is not in {PROJECT_DIR}; pass --archive-outputs FILE "
        "(from `pulumi stack output --json` or `offline.plan <archive> --json`)\n"
    )


def test_archive_outputs_are_read_flat_or_from_a_plan_document_but_not_from_a_preview_plan(
    tmp_path: Path,
) -> None:
    outputs = {"archiveAccountId": "222222222222"}
    flat = write(tmp_path, "flat.json", json.dumps(outputs))
    planned = {"stack": "account-b", "preview": False, "resources": [], "outputs": outputs, "violations": []}
    document = write(tmp_path, "plan.json", json.dumps(planned))
    previewed = write(tmp_path, "preview.json", json.dumps({**planned, "preview": True}))

    assert read_archive_outputs(flat) == read_archive_outputs(document) == outputs
    with pytest.raises(Refusal, match="a --preview plan, whose outputs are unknown"):
        read_archive_outputs(previewed)


def test_secrets_show_as_marked_placeholders_in_the_text_and_the_json_plan() -> None:
    def program() -> None:
        aws.sns.TopicSubscription(
            "alarm-mail",
            topic="arn:aws:sns:us-east-1:123456789012:alarms",
            protocol="email",
            endpoint=pulumi.Output.secret("ops@example.com"),
        )
        pulumi.export("alarmEmail", pulumi.Output.secret("ops@example.com"))

    run = run_pulumi(program)
    document = plan_document(run, [], [])

    assert "ops@example.com" not in render(run, []) + json.dumps(document)
    assert document["resources"][0]["inputs"]["endpoint"] == SECRET_MARK
    assert document["outputs"] == {"alarmEmail": SECRET_MARK}


def test_an_exception_the_program_did_not_mean_is_reported_as_a_bug_in_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def failing(*args: object, **kwargs: object) -> ProgramRun:
        raise ProgramFailed(TypeError("Bucket() got an unexpected keyword argument 'bucket_name'"), [])

    monkeypatch.setattr(offline.plan, "run_program", failing)

    assert main(["account-b"]) == 4
    assert capsys.readouterr().err == (
        "error: internal error, a bug in the program or the offline harness rather than in the input: "
        "TypeError: Bucket() got an unexpected keyword argument 'bucket_name' (--debug shows the traceback)\n"
    )
    with pytest.raises(ProgramFailed):
        main(["account-b", "--debug"])
