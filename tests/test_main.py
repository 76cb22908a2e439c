"""``__main__.py`` as ``pulumi up``/``preview`` runs it, for both example stack files."""

from __future__ import annotations

import pulumi
import pytest

from components import outputs
from components.validation import ConfigError
from offline.program import ProgramFailed, ProgramRun, run_program

ARCHIVE_STACK = "organization/log-archive/account-b"


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
    [subscription] = run.of_type("aws:cloudwatch/logSubscriptionFilter:LogSubscriptionFilter")
    assert subscription.inputs["logGroup"] == "delivery-test"
    assert subscription.inputs["filterPattern"] == ""
    assert (
        subscription.inputs["destinationArn"] == archive.outputs[outputs.DESTINATION_ARNS]["ap-northeast-1"]
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
