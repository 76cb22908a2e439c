"""``__main__.py`` as ``pulumi up``/``preview`` runs it, for both example stack files."""

from __future__ import annotations

import json

import pulumi
import pytest

from components import outputs
from components.archive_args import archive_bucket_name, results_bucket_name
from components.validation import ConfigError
from offline.program import ProgramFailed, ProgramRun, run_program

ARCHIVE_STACK = "organization/log-archive/account-b"
ARCHIVE_COMPONENT = "log-archive"
"""The archive component's name in ``__main__.py``."""


@pytest.fixture(scope="module")
def archive() -> ProgramRun:
    return run_program("account-b")


@pytest.mark.parametrize("preview", [False, True], ids=["update", "preview"])
def test_the_archive_stack_file_builds_the_archive(preview: bool) -> None:
    run = run_program("account-b", preview=preview)
    component = run.one("log-archive:index:LogArchive")
    assert component.name == "log-archive"
    assert run.named("log-archive-bucket").inputs["bucket"] == "log-archive-222222222222-ap-northeast-1"
    assert run.of_type("aws:cloudwatch/logSubscriptionFilter:LogSubscriptionFilter") == []
    assert run.outputs[outputs.ARCHIVE_ACCOUNT_ID] == "222222222222"
    assert run.outputs[outputs.SOURCE_ACCOUNT_IDS] == ["111111111111"]


@pytest.mark.parametrize("preview", [False, True], ids=["update", "preview"])
def test_the_source_stack_file_subscribes_through_the_archive_stack_reference(
    archive: ProgramRun, preview: bool
) -> None:
    run = run_program("account-a", preview=preview, stack_outputs={ARCHIVE_STACK: archive.outputs})
    reference = run.one("pulumi:pulumi:StackReference")
    assert reference.inputs["name"] == ARCHIVE_STACK
    subscriptions = run.of_type("aws:cloudwatch/logSubscriptionFilter:LogSubscriptionFilter")
    assert sorted(s.inputs["logGroup"] for s in subscriptions) == [
        "/log-archive/heartbeat/ap-northeast-1",
        "delivery-test",
    ]
    for subscription in subscriptions:
        assert subscription.inputs["filterPattern"] == ""
        assert (
            subscription.inputs["destinationArn"]
            == archive.outputs[outputs.DESTINATION_ARNS]["ap-northeast-1"]
        )
        assert "roleArn" not in subscription.inputs
    assert run.of_type("log-archive:index:LogArchive") == []


def test_a_config_error_stops_the_program_before_any_resource_and_without_a_traceback() -> None:
    with pytest.raises(ProgramFailed) as failed:
        run_program("account-b", overrides={"sourceAccountIds": None})
    assert isinstance(failed.value.error, ConfigError)
    assert isinstance(failed.value.error, pulumi.RunError)
    assert str(failed.value.error).startswith("log-archive:sourceAccountIds: ")
    assert failed.value.registrations == []


SECRET_EMAIL = "oncall-secret@example.com"
SECRET_SIGNATURE = {"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270"}


def without_secrets(value: object) -> object:
    """``value`` (a wire form) with every secret-wrapped value dropped."""
    if isinstance(value, dict):
        if all(value.get(k) == v for k, v in SECRET_SIGNATURE.items()):
            return None
        return {k: without_secrets(v) for k, v in value.items()}
    if isinstance(value, list):
        return [without_secrets(v) for v in value]
    return value


@pytest.mark.parametrize("preview", [False, True], ids=["update", "preview"])
def test_an_alarm_email_set_with_secret_reaches_the_subscription_only_as_a_secret(preview: bool) -> None:
    run = run_program(
        "account-b",
        preview=preview,
        overrides={"alarmEmail": SECRET_EMAIL},
        secret_keys=["log-archive:alarmEmail"],
    )
    [subscription] = run.of_type("aws:sns/topicSubscription:TopicSubscription")
    assert subscription.wire_inputs["endpoint"] == {**SECRET_SIGNATURE, "value": SECRET_EMAIL}
    for registration in run.registrations:
        assert SECRET_EMAIL not in json.dumps(without_secrets(registration.wire_inputs)), registration.name
    assert SECRET_EMAIL not in json.dumps(run.outputs)


def test_an_alarm_email_set_in_plain_text_stays_plain() -> None:
    run = run_program("account-b", overrides={"alarmEmail": "oncall@example.com"})
    [subscription] = run.of_type("aws:sns/topicSubscription:TopicSubscription")
    assert subscription.wire_inputs["endpoint"] == "oncall@example.com"


def test_a_bad_secret_alarm_email_is_refused_without_printing_it() -> None:
    with pytest.raises(ProgramFailed) as failed:
        run_program(
            "account-b", overrides={"alarmEmail": "oncall-secret"}, secret_keys=["log-archive:alarmEmail"]
        )
    message = str(failed.value.error)
    assert message.startswith("log-archive:alarmEmail: the secret value is not an e-mail address. Expected ")
    assert "oncall-secret" not in message
    assert failed.value.registrations == []


@pytest.mark.parametrize(
    ("stack", "key"),
    [
        pytest.param("account-b", "log-archive:sourceAccountIds", id="archive source accounts"),
        pytest.param("account-b", "aws:region", id="archive home region"),
        pytest.param("account-a", "log-archive:logGroups", id="source log groups"),
    ],
)
def test_a_secret_that_would_end_up_in_plain_text_is_refused(
    archive: ProgramRun, stack: str, key: str
) -> None:
    with pytest.raises(ProgramFailed) as failed:
        run_program(stack, secret_keys=[key], stack_outputs={ARCHIVE_STACK: archive.outputs})
    assert str(failed.value.error).startswith(f"{key}: is set with --secret, but its value becomes part of")
    assert failed.value.registrations == []


def test_the_bucket_names_the_access_logs_check_derives_are_the_ones_the_program_creates() -> None:
    run = run_program("account-b")
    buckets = {r.inputs["bucket"] for r in run.of_type("aws:s3/bucket:Bucket")}
    account, region = "222222222222", "ap-northeast-1"
    assert buckets == {
        archive_bucket_name(ARCHIVE_COMPONENT, account, region),
        results_bucket_name(ARCHIVE_COMPONENT, account, region),
    }
