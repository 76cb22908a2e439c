"""The replacement simulator's engine rules, on hand-made registrations, and its table's sources."""

from __future__ import annotations

import importlib
import inspect
import json
import re
from pathlib import Path
from typing import Any

import pytest

from offline.mocks import PREVIEW_UNKNOWN, Registration
from offline.replacement import (
    FILTER,
    TYPES,
    Action,
    Kind,
    Verdict,
    force_new_table,
    normalise,
    simulate,
)

POLICY = "aws:cloudwatch/logAccountPolicy:LogAccountPolicy"
DESTINATION = "aws:cloudwatch/logDestination:LogDestination"
DESTINATION_POLICY = "aws:cloudwatch/logDestinationPolicy:LogDestinationPolicy"
STREAM = "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
BUCKET = "aws:s3/bucket:Bucket"
DOC = Path(__file__).resolve().parents[2] / "docs" / "change-safety.md"


def reg(
    type_: str,
    name: str,
    inputs: dict[str, Any],
    *,
    depends_on: tuple[str, ...] = (),
    dbr: bool | None = None,
    retain: bool = False,
    protect: bool = False,
) -> Registration:
    """A registration as the recording monitor would keep it."""
    return Registration(
        type=type_,
        name=name,
        urn=urn(type_, name),
        parent="",
        custom=True,
        inputs=inputs,
        outputs={},
        id=f"{name}-id",
        dependencies=tuple(urn(t, n) for t, n in (d.split("|") for d in depends_on)),
        protect=protect,
        retain_on_delete=retain,
        delete_before_replace=bool(dbr),
        delete_before_replace_defined=dbr is not None,
    )


def urn(type_: str, name: str) -> str:
    return f"urn:pulumi:test::log-archive::{type_}::{name}"


def a_filter(name: str = "log-archive", destination: str = "arn:d1", **options: Any) -> Registration:
    inputs = {
        "name": name,
        "logGroup": "app",
        "destinationArn": destination,
        "filterPattern": "",
        "region": "r1",
    }
    return reg(FILTER, "filter", inputs, **options)


def a_stream(name: str = "log-archive-r1", partitioned: bool = True, **options: Any) -> Registration:
    s3: dict[str, Any] = {"bufferingSize": 64, "prefix": "logs/"}
    if partitioned:
        s3["dynamicPartitioningConfiguration"] = {"enabled": True}
    inputs = {"name": name, "destination": "extended_s3", "extendedS3Configuration": s3, "region": "r1"}
    return reg(STREAM, "stream", inputs, **options)


def test_an_unchanged_stack_has_no_step_and_is_gap_free() -> None:
    report = simulate([a_filter()], [a_filter()])

    assert report.steps == ()
    assert report.verdict is Verdict.GAP_FREE


def test_a_change_to_an_input_that_does_not_force_new_is_an_update_in_place() -> None:
    after = reg(FILTER, "filter", {**a_filter().inputs, "filterPattern": "ERROR"})

    report = simulate([a_filter()], [after])

    assert [str(step) for step in report.steps] == ["update filter (filterPattern)"]
    assert report.findings == ()


def test_integers_and_floats_and_reordered_json_documents_compare_equal() -> None:
    assert normalise({"size": 64, "doc": '{"b": 1, "a": [2]}'}) == normalise(
        {"size": 64.0, "doc": '{"a":[2],"b":1}'}
    )


def test_a_filter_replaced_without_the_option_is_deleted_first_by_the_provider_override() -> None:
    report = simulate([a_filter()], [a_filter(destination="arn:d2")])

    assert [str(step) for step in report.steps] == [
        "delete-replaced filter (destinationArn)",
        "create-replacement filter (destinationArn)",
    ]
    assert [finding.kind for finding in report.findings] == [Kind.GAP]
    assert report.verdict is Verdict.GAP


def test_a_filter_replaced_create_first_under_the_same_name_falls_into_the_upsert_trap() -> None:
    report = simulate([a_filter(dbr=False)], [a_filter(destination="arn:d2", dbr=False)])

    assert report.names(Action.CREATE_REPLACEMENT, Action.DELETE_REPLACED) == ["filter", "filter"]
    (gap,) = report.of(Kind.GAP)
    assert "same name" in gap.message
    assert report.verdict is Verdict.GAP


def test_a_filter_replaced_create_first_under_a_new_name_is_gap_free_but_needs_a_free_slot() -> None:
    report = simulate(
        [a_filter("log-archive-1111", dbr=False)], [a_filter("log-archive-2222", "arn:d2", dbr=False)]
    )

    assert [step.action for step in report.steps] == [Action.CREATE_REPLACEMENT, Action.DELETE_REPLACED]
    assert [finding.kind for finding in report.findings] == [Kind.REQUIREMENT]
    assert "free subscription filter slot" in report.findings[0].message
    assert report.verdict is Verdict.GAP_FREE


def test_create_first_deletes_the_old_resource_only_after_every_create_and_update() -> None:
    role_before = reg(ROLE_POLICY, "logs-policy", {"role": "logs", "policy": '{"r": ["s1"]}'})
    role_after = reg(ROLE_POLICY, "logs-policy", {"role": "logs", "policy": '{"r": ["s2"]}'})
    destination = {"name": "log-archive", "region": "r1"}
    before = [
        a_stream(dbr=False, retain=True),
        role_before,
        reg(
            DESTINATION,
            "destination",
            {**destination, "targetArn": "s1"},
            depends_on=(f"{ROLE_POLICY}|logs-policy",),
        ),
    ]
    after = [
        reg(
            DESTINATION,
            "destination",
            {**destination, "targetArn": "s2"},
            depends_on=(f"{ROLE_POLICY}|logs-policy",),
        ),
        role_after,
        a_stream("log-archive-r1-messages", partitioned=False, dbr=False, retain=True),
    ]

    report = simulate(before, after)

    assert [str(step) for step in report.steps] == [
        "update logs-policy (policy)",
        "update destination (targetArn)",
        "create-replacement stream (name, extendedS3Configuration.dynamicPartitioningConfiguration, "
        "extendedS3Configuration.dynamicPartitioningConfiguration.enabled)",
        "forget stream",
    ]
    assert [(finding.kind, finding.message) for finding in report.findings] == [
        (
            Kind.LEFT_IN_AWS,
            "left in AWS: FirehoseDeliveryStream r1/log-archive-r1, remove by hand if intended",
        )
    ]
    assert report.verdict is Verdict.RETAINED_LEFTOVER


def test_a_nested_force_new_input_replaces_the_stream_and_its_explicit_name_makes_it_delete_first() -> None:
    report = simulate([a_stream()], [a_stream(partitioned=False)])

    assert report.names(Action.DELETE_REPLACED, Action.CREATE_REPLACEMENT) == ["stream", "stream"]
    assert report.steps[0].action is Action.DELETE_REPLACED
    assert [finding.kind for finding in report.findings] == [Kind.GAP, Kind.DATA_LOSS]


def test_a_stream_replaced_create_first_under_its_old_name_fails_because_its_create_refuses_the_name() -> (
    None
):
    report = simulate(
        [a_stream(dbr=False, retain=True)], [a_stream(partitioned=False, dbr=False, retain=True)]
    )

    assert [finding.kind for finding in report.findings] == [Kind.FAILURE, Kind.LEFT_IN_AWS]
    assert report.verdict is Verdict.GAP


def test_an_account_policy_replaced_as_a_retained_upsert_under_its_name_is_gap_free() -> None:
    inputs = {"policyName": "log-archive", "policyType": "SUBSCRIPTION_FILTER_POLICY", "region": "r1"}
    before = reg(POLICY, "policy", inputs, dbr=False, retain=True)
    after = reg(
        POLICY, "policy", {**inputs, "selectionCriteria": 'LogGroupName NOT IN ["a"]'}, dbr=False, retain=True
    )

    report = simulate([before], [after])

    assert [str(step) for step in report.steps] == [
        "create-replacement policy (selectionCriteria)",
        "forget policy",
    ]
    assert report.findings == ()


def test_an_account_policy_without_auto_name_is_replaced_create_first_by_default() -> None:
    inputs = {"policyName": "log-archive", "policyType": "SUBSCRIPTION_FILTER_POLICY", "region": "r1"}
    report = simulate(
        [reg(POLICY, "policy", inputs)], [reg(POLICY, "policy", {**inputs, "selectionCriteria": "x"})]
    )

    assert report.steps[0].action is Action.CREATE_REPLACEMENT
    assert "same name" in report.of(Kind.GAP)[0].message


def test_an_auto_named_resource_is_replaced_create_first_under_a_fresh_name() -> None:
    report = simulate(
        [reg(ROLE_POLICY, "policy", {"role": "old", "policy": "{}"})],
        [reg(ROLE_POLICY, "policy", {"role": "new", "policy": "{}"})],
    )

    assert [step.action for step in report.steps] == [Action.CREATE_REPLACEMENT, Action.DELETE_REPLACED]
    assert report.findings == ()


def test_a_log_group_named_by_the_program_is_replaced_delete_first_and_loses_its_events() -> None:
    before = reg(LOG_GROUP, "group", {"name": "/app/a", "region": "r1"})
    after = reg(LOG_GROUP, "group", {"name": "/app/a", "region": "r1", "logGroupClass": "INFREQUENT_ACCESS"})

    report = simulate([before], [after])

    assert report.steps[0].action is Action.DELETE_REPLACED
    assert [finding.kind for finding in report.findings] == [Kind.DATA_LOSS]


def test_an_unknown_value_in_a_force_new_input_counts_as_a_replacement() -> None:
    report = simulate([a_filter(dbr=False)], [a_filter(destination=PREVIEW_UNKNOWN, dbr=False)])

    assert report.steps[0].action is Action.CREATE_REPLACEMENT


@pytest.mark.parametrize(
    ("new_protect", "removed", "blocked"),
    [
        pytest.param(True, False, True, id="replacing-a-protected-resource"),
        pytest.param(False, False, False, id="replacing-it-unprotected-in-the-same-update"),
        pytest.param(True, True, True, id="removing-a-protected-resource"),
    ],
)
def test_protect_blocks_every_delete_of_a_protected_resource(
    new_protect: bool, removed: bool, blocked: bool
) -> None:
    before = reg(BUCKET, "bucket", {"bucket": "b1"}, protect=True, retain=True)
    after = [] if removed else [reg(BUCKET, "bucket", {"bucket": "b2"}, protect=new_protect, retain=True)]

    report = simulate([before], after)

    assert (report.verdict is Verdict.BLOCKED) is blocked
    assert (Action.BLOCKED in [step.action for step in report.steps]) is blocked


def test_a_removed_subscription_is_unsubscribed_by_intent() -> None:
    report = simulate([a_filter()], [])

    assert [str(step) for step in report.steps] == ["delete filter"]
    assert [finding.kind for finding in report.findings] == [Kind.UNSUBSCRIBED]
    assert report.verdict is Verdict.UNSUBSCRIBED_BY_INTENT


def test_a_removed_retained_data_holder_is_left_in_aws_and_a_removed_one_loses_its_data() -> None:
    group = {"name": "/app/a", "region": "r1"}

    retained = simulate([reg(LOG_GROUP, "group", group, retain=True)], [])
    deleted = simulate([reg(LOG_GROUP, "group", group)], [])

    assert [(f.kind, f.message) for f in retained.findings] == [
        (Kind.LEFT_IN_AWS, "left in AWS: LogGroup r1//app/a, remove by hand if intended")
    ]
    assert [f.kind for f in deleted.findings] == [Kind.DATA_LOSS]


def test_a_subscription_moved_to_another_urn_under_the_same_name_is_deleted_after_its_successor() -> None:
    moved = reg(FILTER, "renamed-filter", a_filter().inputs)

    report = simulate([a_filter()], [moved])

    assert [str(step) for step in report.steps] == ["create renamed-filter", "delete filter"]
    assert "moved to renamed-filter" in report.of(Kind.GAP)[0].message


def test_deleting_a_destination_policy_calls_no_api() -> None:
    policy = reg(DESTINATION_POLICY, "policy", {"destinationName": "log-archive", "region": "r1"})

    assert simulate([policy], []).findings == ()


def test_the_report_serialises_to_json() -> None:
    report = simulate([a_filter()], [])

    assert json.loads(json.dumps(report.as_json()))["verdict"] == "unsubscribed-by-intent"


def _module_and_class(type_: str) -> tuple[Any, str]:
    module, name = type_.split(":")[1].split("/", maxsplit=1)[0], type_.rsplit(":", 1)[1]
    return importlib.import_module(f"pulumi_aws.{module}"), name


def _snake(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).lower()


@pytest.mark.parametrize("type_", sorted(TYPES))
def test_every_force_new_input_is_an_input_of_the_pinned_pulumi_aws_class(type_: str) -> None:
    module, name = _module_and_class(type_)
    # The keyword arguments every constructor overload ends in (`<Name>Args` classes may be renamed
    # `<Name>InitArgs` where a nested type took the name).
    parameters = inspect.signature(vars(getattr(module, name))["_internal_init"]).parameters
    for path in (*TYPES[type_].force_new, *TYPES[type_].identity):
        head, *nested = path.split(".")
        assert _snake(head) in parameters, f"{type_}: {head} is not an input of {name}Args"
        prefix = name + head[0].upper() + head[1:]
        for part in nested:
            typed_dict = getattr(module, f"{prefix}ArgsDict")
            assert _snake(part) in typed_dict.__annotations__, f"{type_}: {path} is not in {prefix}ArgsDict"
            prefix += part[0].upper() + part[1:]


def test_the_change_safety_doc_embeds_the_force_new_table_as_generated() -> None:
    text = DOC.read_text()
    start, end = "<!-- force-new:start -->\n", "\n<!-- force-new:end -->"
    embedded = text[text.index(start) + len(start) : text.index(end)]

    assert embedded == force_new_table(), f"regenerate docs/change-safety.md's table:\n{force_new_table()}"


def _account_policy(excluded: list[str], depends_on: tuple[str, ...] = ()) -> Registration:
    inputs = {"policyName": "log-archive", "policyType": "SUBSCRIPTION_FILTER_POLICY", "region": "r1"}
    if excluded:
        inputs["selectionCriteria"] = f"LogGroupName NOT IN {json.dumps(excluded)}"
    return reg(POLICY, "policy", inputs, dbr=False, retain=True, depends_on=depends_on)


def test_a_log_group_handed_from_the_account_policy_to_a_new_filter_unordered_gaps_for_seconds() -> None:
    report = simulate([_account_policy([])], [_account_policy(["app"]), a_filter(dbr=False)])

    (gap,) = report.of(Kind.GAP)
    assert gap.name == "policy"
    assert gap.message.startswith("log group app in r1 leaves the account policy while its own filter")


def test_the_hand_off_is_gap_free_when_the_account_policy_waits_for_the_filter() -> None:
    after = [_account_policy(["app"], depends_on=(f"{FILTER}|filter",)), a_filter(dbr=False)]

    report = simulate([_account_policy([])], after)

    assert report.of(Kind.GAP) == []
    assert [str(step) for step in report.steps][:2] == [
        "create filter",
        "create-replacement policy (selectionCriteria)",
    ]


def test_deleting_a_bucket_without_force_destroy_fails_instead_of_deleting_its_objects() -> None:
    refused = simulate([reg(BUCKET, "bucket", {"bucket": "b1", "forceDestroy": False})], [])
    emptied = simulate([reg(BUCKET, "bucket", {"bucket": "b1", "forceDestroy": True})], [])

    assert [finding.kind for finding in refused.findings] == [Kind.FAILURE]
    assert [finding.kind for finding in emptied.findings] == [Kind.DATA_LOSS]
