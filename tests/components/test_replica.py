"""The optional replica under mocks: off by default; with replicaRegion, a locked, encrypted,
private bucket in that region, a least-privilege replication role and an alarm on failures."""

from __future__ import annotations

import json
from typing import Any

import pytest

from components.log_archive import LogArchive, LogArchiveArgs
from components.validation import ConfigError
from offline.program import ProgramFailed, ProgramRun, run_program, run_pulumi

ARCHIVE = "222222222222"
HOME = "ap-northeast-1"
REPLICA = "us-west-2"
SOURCE_BUCKET = f"log-archive-{ARCHIVE}-{HOME}"
REPLICA_BUCKET = f"log-archive-replica-{ARCHIVE}-{REPLICA}"
ROLE_ARN = f"arn:aws:iam::{ARCHIVE}:role/log-archive-replication"


def archive(**settings: Any) -> ProgramRun:
    args = LogArchiveArgs(ARCHIVE, HOME, source_account_ids=("111111111111",), **settings)
    return run_pulumi(
        lambda: LogArchive("log-archive", args),
        config={"aws:region": HOME, "aws:allowedAccountIds": json.dumps([ARCHIVE])},
    )


@pytest.fixture(scope="module")
def replicated() -> ProgramRun:
    return archive(replica_region=REPLICA)


def test_without_a_replica_region_nothing_is_replicated() -> None:
    run = archive()
    assert run.of_type("aws:s3/bucketReplicationConfig:BucketReplicationConfig") == []
    assert [r.name for r in run.registrations if "replica" in r.name] == []


def test_the_replica_bucket_is_locked_encrypted_private_and_kept(replicated: ProgramRun) -> None:
    bucket = replicated.named("log-archive-replica")
    assert bucket.inputs == {
        "bucket": REPLICA_BUCKET,
        "objectLockEnabled": True,
        "forceDestroy": False,
        "region": REPLICA,
    }
    assert (bucket.protect, bucket.retain_on_delete) == (True, True)
    lock = replicated.named("log-archive-replica-object-lock").inputs
    assert (lock["region"], lock["rule"]) == (
        REPLICA,
        {"defaultRetention": {"mode": "GOVERNANCE", "days": 2557.0}},
    )
    block = replicated.named("log-archive-replica-public-access-block").inputs
    assert all(
        block[k] is True
        for k in ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")
    )
    key = replicated.named("log-archive-replica-key")
    assert (key.inputs["region"], key.inputs["enableKeyRotation"], key.protect, key.retain_on_delete) == (
        REPLICA,
        True,
        True,
        True,
    )
    encryption = replicated.named("log-archive-replica-encryption").inputs["rules"][0]
    assert encryption["applyServerSideEncryptionByDefault"]["kmsMasterKeyId"] == key.outputs["arn"]
    lifecycle = replicated.named("log-archive-replica-lifecycle").inputs["rules"][0]
    assert (lifecycle["transitions"], lifecycle["expiration"]) == (
        [{"days": 1.0, "storageClass": "DEEP_ARCHIVE"}],
        {"days": 2557.0},
    )
    policy = json.loads(replicated.named("log-archive-replica-policy").inputs["policy"])
    assert [s["Sid"] for s in policy["Statement"]] == ["DenyInsecureTransport"]


def test_the_rule_replicates_new_versions_with_re_encryption_but_never_delete_markers(
    replicated: ProgramRun,
) -> None:
    config = replicated.one("aws:s3/bucketReplicationConfig:BucketReplicationConfig")
    key_arn = replicated.named("log-archive-replica-key").outputs["arn"]
    assert (config.inputs["bucket"], config.inputs["role"]) == (SOURCE_BUCKET, ROLE_ARN)
    assert config.inputs["rules"] == [
        {
            "id": "archive-to-replica",
            "status": "Enabled",
            "priority": 1.0,
            "filter": {"prefix": ""},
            "deleteMarkerReplication": {"status": "Disabled"},
            "sourceSelectionCriteria": {"sseKmsEncryptedObjects": {"status": "Enabled"}},
            "destination": {
                "bucket": f"arn:aws:s3:::{REPLICA_BUCKET}",
                "encryptionConfiguration": {"replicaKmsKeyId": key_arn},
                "replicationTime": {"status": "Enabled", "time": {"minutes": 15.0}},
                "metrics": {"status": "Enabled", "eventThreshold": {"minutes": 15.0}},
            },
        }
    ]
    versionings = {
        replicated.named(n).urn for n in ("log-archive-bucket-versioning", "log-archive-replica-versioning")
    }
    assert versionings <= set(config.dependencies)


def test_the_replication_role_is_trusted_by_s3_for_the_archive_bucket_only(replicated: ProgramRun) -> None:
    role = replicated.named("log-archive-replication-role").inputs
    assert json.loads(role["assumeRolePolicy"])["Statement"] == [
        {
            "Sid": "AllowS3ReplicationOfTheArchiveBucket",
            "Effect": "Allow",
            "Principal": {"Service": "s3.amazonaws.com"},
            "Action": "sts:AssumeRole",
            "Condition": {
                "StringEquals": {"aws:SourceAccount": ARCHIVE},
                "ArnLike": {"aws:SourceArn": f"arn:aws:s3:::{SOURCE_BUCKET}"},
            },
        }
    ]
    policy = json.loads(replicated.named("log-archive-replication-policy").inputs["policy"])
    grants = {s["Sid"]: (s["Action"], s["Resource"]) for s in policy["Statement"]}
    assert grants["WriteReplicas"] == (
        ["s3:ReplicateObject", "s3:ReplicateTags"],
        f"arn:aws:s3:::{REPLICA_BUCKET}/*",
    )
    assert "s3:ReplicateDelete" not in json.dumps(policy)
    assert grants["ReadArchiveVersionsWithTheirLock"][1] == f"arn:aws:s3:::{SOURCE_BUCKET}/*"
    assert "s3:GetObjectRetention" in grants["ReadArchiveVersionsWithTheirLock"][0]


def test_failed_replication_alarms_to_a_topic_of_the_home_region(replicated: ProgramRun) -> None:
    alarm = replicated.named("log-archive-replication-failed").inputs
    topic = replicated.named("log-archive-replica-alarms")
    assert (alarm["namespace"], alarm["metricName"], alarm["threshold"]) == (
        "AWS/S3",
        "OperationsFailedReplication",
        0.0,
    )
    assert alarm["dimensions"] == {
        "SourceBucket": SOURCE_BUCKET,
        "DestinationBucket": REPLICA_BUCKET,
        "RuleId": "archive-to-replica",
    }
    assert alarm["alarmActions"] == alarm["okActions"] == [topic.outputs["arn"]]
    assert "region" not in alarm
    assert "region" not in topic.inputs


def test_a_replica_in_the_home_region_is_refused_naming_the_key() -> None:
    with pytest.raises(ProgramFailed) as raised:
        run_program("account-b", overrides={"replicaRegion": HOME})
    assert isinstance(raised.value.error, ConfigError)
    assert str(raised.value.error).startswith(
        f"log-archive:replicaRegion: {HOME} is the archive's own region: "
        "a replica there adds no regional copy."
    )


def test_the_replica_key_is_used_only_through_s3_and_grants_only_for_aws_resources() -> None:
    reader = f"arn:aws:iam::{ARCHIVE}:role/audit"
    run = archive(replica_region=REPLICA, reader_principal_arns=(reader,))
    statements = json.loads(run.named("log-archive-replica-key").inputs["policy"])["Statement"]
    assert [s["Sid"] for s in statements] == [
        "AllowKeyAdministrationByTheAccount",
        "AllowGrantsForAWSResourcesOnlyByTheAccount",
        "AllowReplicationThroughS3",
        "AllowReadersDecryptThroughS3",
    ]
    assert statements[2]["Principal"] == {"AWS": ROLE_ARN}
    assert statements[2]["Condition"] == {
        "StringEquals": {"kms:ViaService": f"s3.{REPLICA}.amazonaws.com"},
        "StringLike": {
            "kms:EncryptionContext:aws:s3:arn": [
                f"arn:aws:s3:::{REPLICA_BUCKET}",
                f"arn:aws:s3:::{REPLICA_BUCKET}/*",
            ]
        },
    }
    assert (statements[3]["Principal"], statements[3]["Action"]) == ({"AWS": [reader]}, "kms:Decrypt")
