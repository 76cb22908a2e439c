"""Enforcement levels and properties from a policy pack config file, and what a preview can and
cannot check."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from offline.analyzer import PolicyPackProcess, load_policy_config
from offline.mocks import PREVIEW_UNKNOWN
from tests.policy_pack.world import ARCHIVE, CANT_RUN_IN_PREVIEW, World, archive_world, violations

KEY_ROTATION = "kms-key-rotation-enabled"
STREAM_ENCRYPTED = "firehose-delivery-stream-encrypted"
LIFECYCLE = "s3-bucket-lifecycle-expiration"
EXTERNAL_ID = "iam-role-firehose-trust-requires-external-id"
ACL = "s3-bucket-policy-write-requires-owner-acl"


def config_file(tmp_path: Path, content: dict[str, Any]) -> dict[str, Any]:
    path = tmp_path / "policy-config.json"
    path.write_text(json.dumps(content))
    return load_policy_config(path)


def rotation_off_and_stream_unencrypted() -> World:
    world = archive_world()
    world["key"].inputs["enableKeyRotation"] = False
    del world["stream"].inputs["serverSideEncryption"]
    return world


def expiring_after(days: float) -> World:
    world = archive_world()
    world["lifecycle"].inputs["rules"][0]["expiration"] = {"days": days}
    return world


@pytest.mark.parametrize(
    ("config", "world", "expected"),
    [
        pytest.param(
            {"all": "advisory", KEY_ROTATION: "mandatory"},
            rotation_off_and_stream_unencrypted,
            {(KEY_ROTATION, "key", "mandatory"), (STREAM_ENCRYPTED, "stream", "advisory")},
            id="all advisory but one rule mandatory",
        ),
        pytest.param(
            {KEY_ROTATION: "disabled"},
            rotation_off_and_stream_unencrypted,
            {(STREAM_ENCRYPTED, "stream", "mandatory")},
            id="one rule disabled",
        ),
        pytest.param(
            {KEY_ROTATION: {}},
            rotation_off_and_stream_unencrypted,
            {(KEY_ROTATION, "key", "mandatory"), (STREAM_ENCRYPTED, "stream", "mandatory")},
            id="an entry without a level keeps the default level",
        ),
        pytest.param(
            {LIFECYCLE: {"enforcementLevel": "mandatory", "minimumExpirationDays": 10}},
            lambda: expiring_after(30.0),
            set(),
            id="a lower minimum retention admits a 30-day expiry",
        ),
        pytest.param(
            {LIFECYCLE: {"enforcementLevel": "mandatory", "minimumExpirationDays": 10}},
            lambda: expiring_after(5.0),
            {(LIFECYCLE, "lifecycle", "mandatory")},
            id="a level and a property together",
        ),
        pytest.param(
            {EXTERNAL_ID: {"externalIdPattern": "^o-[a-z0-9]{10,32}$"}},
            archive_world,
            {(EXTERNAL_ID, "firehose-role", "mandatory")},
            id="an external id pattern the account id does not match",
        ),
        pytest.param(
            {EXTERNAL_ID: {"externalIdPattern": f"^{ARCHIVE}$"}},
            archive_world,
            set(),
            id="an external id pattern the account id matches",
        ),
    ],
)
def test_a_config_file_sets_levels_and_properties(
    archive_pack: PolicyPackProcess,
    tmp_path: Path,
    config: dict[str, Any],
    world: Any,
    expected: set[tuple[str, str, str]],
) -> None:
    archive_pack.configure(config_file(tmp_path, config))

    assert violations(archive_pack.analyze(world().registrations(preview=False))) == expected


def test_a_config_file_naming_an_unknown_rule_is_refused(archive_pack: PolicyPackProcess) -> None:
    with pytest.raises(ValueError, match=r"unknown policies: \['kms-key-rotated'\]"):
        archive_pack.configure({"kms-key-rotated": "mandatory"})


def preview_notes(diagnostics: list[Any]) -> set[tuple[str, str, str]]:
    return {
        (d.policy_name, d.urn.rsplit("::", 1)[-1], d.enforcement_level.value)
        for d in diagnostics
        if CANT_RUN_IN_PREVIEW in d.message
    }


def test_a_compliant_preview_has_no_violation_only_advisory_notes_for_unknown_documents(
    preview_pack: PolicyPackProcess,
) -> None:
    diagnostics = preview_pack.analyze(archive_world().registrations(preview=True))

    assert violations(diagnostics) == set()
    assert preview_notes(diagnostics) == {
        (ACL, "bucket-policy", "advisory"),
        ("s3-bucket-policy-no-public-principal", "bucket-policy", "advisory"),
        ("iam-policy-no-wildcard-actions", "firehose-role-policy", "advisory"),
        ("iam-policy-no-wildcard-actions", "logs-role-policy", "advisory"),
        ("cloudwatch-destination-policy-public-requires-org-condition", "destination-policy", "advisory"),
        ("cloudwatch-destination-policy-subscription-actions-only", "destination-policy", "advisory"),
    }


def test_a_broken_document_unknown_in_preview_is_caught_at_update(
    preview_pack: PolicyPackProcess, archive_pack: PolicyPackProcess
) -> None:
    world = archive_world()
    del world.statements("bucket-policy", "policy")[1]["Condition"]

    in_preview = preview_pack.analyze(world.registrations(preview=True))
    at_update = archive_pack.analyze(world.registrations(preview=False))

    assert (ACL, "bucket-policy", "advisory") in preview_notes(in_preview)
    assert violations(in_preview) == set()
    assert violations(at_update) == {(ACL, "bucket-policy", "mandatory")}


def test_values_known_in_preview_are_checked_in_preview(preview_pack: PolicyPackProcess) -> None:
    world = rotation_off_and_stream_unencrypted()

    assert violations(preview_pack.analyze(world.registrations(preview=True))) == {
        (KEY_ROTATION, "key", "mandatory"),
        (STREAM_ENCRYPTED, "stream", "mandatory"),
    }


def test_a_trust_policy_known_in_preview_is_checked_in_preview(preview_pack: PolicyPackProcess) -> None:
    world = archive_world()
    del world.statements("firehose-role", "assumeRolePolicy")[0]["Condition"]

    assert violations(preview_pack.analyze(world.registrations(preview=True))) == {
        (EXTERNAL_ID, "firehose-role", "mandatory")
    }


UNKNOWN_SETTINGS = [
    ("encryption", "rules"),
    ("versioning", "versioningConfiguration"),
    ("ownership", "rule"),
    ("lifecycle", "rules"),
    ("object-lock", "objectLockEnabled"),
    ("public-access-block", "restrictPublicBuckets"),
    ("bucket", "objectLockEnabled"),
    ("stream", "extendedS3Configuration"),
]


@pytest.mark.parametrize(("name", "key"), UNKNOWN_SETTINGS, ids=[f"{n} {k}" for n, k in UNKNOWN_SETTINGS])
def test_a_stack_rule_skips_a_setting_unknown_in_preview(
    preview_pack: PolicyPackProcess, name: str, key: str
) -> None:
    world = archive_world()
    registrations = world.registrations(preview=True)
    target = next(r for r in registrations if r.name == name)
    unknown = replace(
        target,
        wire_inputs={**target.wire_inputs, key: PREVIEW_UNKNOWN},
        wire_outputs={**target.wire_outputs, key: PREVIEW_UNKNOWN},
    )

    found = preview_pack.analyze([unknown if r.urn == unknown.urn else r for r in registrations])

    assert violations(found) == set()
