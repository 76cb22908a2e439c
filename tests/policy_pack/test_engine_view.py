"""The client forwards properties as the engine does (references resolved, internal keys dropped,
secrets unwrapped, unknowns kept) and reports a pack that cannot start."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from offline.analyzer import PolicyPackError, PolicyPackProcess, engine_view
from offline.mocks import PREVIEW_UNKNOWN
from tests.policy_pack.world import archive_world, violations

SIG = "4dabf18193072939515e22adb298388d"
SECRET = "1b47061264138c4ac30d75fd1eb44270"
RESOURCE = "5cf8f73096256a8f31e491e813e4eb8e"
OUTPUT = "d0e6a833031e9bbcd3f4e8bde6ca49a8"


def test_the_engine_view_resolves_references_unwraps_secrets_and_keeps_unknowns() -> None:
    wire = {
        "__defaults": ["name"],
        "bucket": {SIG: RESOURCE, "urn": "urn:pulumi:s::p::aws:s3/bucket:Bucket::b", "id": "bucket-1"},
        "parent": {SIG: RESOURCE, "urn": "urn:pulumi:s::p::my:index:Component::c"},
        "pending": {SIG: RESOURCE, "urn": "urn:pulumi:s::p::aws:s3/bucket:Bucket::b", "id": ""},
        "password": {SIG: SECRET, "value": {"nested": [1.0, True]}},
        "later": {SIG: OUTPUT, "dependencies": ["urn:pulumi:s::p::aws:s3/bucket:Bucket::b"]},
        "known": {SIG: OUTPUT, "value": "x", "secret": True},
        "arn": PREVIEW_UNKNOWN,
    }

    assert engine_view(wire) == {
        "bucket": "bucket-1",
        "parent": "urn:pulumi:s::p::my:index:Component::c",
        "pending": PREVIEW_UNKNOWN,
        "password": {"nested": [1.0, True]},
        "later": PREVIEW_UNKNOWN,
        "known": "x",
        "arn": PREVIEW_UNKNOWN,
    }


def test_a_secret_bucket_policy_is_checked_as_the_plain_document(archive_pack: PolicyPackProcess) -> None:
    world = archive_world()
    del world.statements("bucket-policy", "policy")[1]["Condition"]
    registrations = world.registrations(preview=False)
    policy = next(r for r in registrations if r.name == "bucket-policy")
    secret = {SIG: SECRET, "value": policy.wire_inputs["policy"]}
    assert json.loads(secret["value"])["Statement"][1]["Sid"] == "AllowFirehoseWrites"
    hidden = replace(policy, wire_inputs={**policy.wire_inputs, "policy": secret, "__defaults": []})

    found = archive_pack.analyze([hidden if r.urn == hidden.urn else r for r in registrations])

    assert violations(found) == {("s3-bucket-policy-write-requires-owner-acl", "bucket-policy", "mandatory")}


def test_a_pack_that_fails_to_start_is_reported_and_terminated(tmp_path: Path) -> None:
    (tmp_path / "__main__.py").write_text("raise SystemExit('no pack here')\n")
    pack = PolicyPackProcess(stack="account-b", preview=False, pack_dir=tmp_path)

    with pytest.raises(PolicyPackError, match="did not print its port"):
        pack.start()

    assert pack.stderr.strip().endswith("no pack here")
