"""``LogArchive``: the log-archive account's side of the pipeline.

Per source region: a CloudWatch Logs destination -> a Firehose stream (native decompression,
partitioning) -> the one archive bucket in the stack's region (SSE-KMS, Object Lock,
versioning, lifecycle, TLS only, no public access), with delivery alarms to a regional topic.

Edits never delete data or open a delivery gap (docs/change-safety.md has the whole table):

- Switching ``layout`` replaces the streams (dynamic partitioning forces it). Each layout has its
  own stream name, the new stream is created first and the destination retargeted in place
  (``PutDestination`` updates the target); the old stream is retained on delete, so the records
  it still buffers reach the bucket, and it stays in AWS, idle and free, until removed by hand.
- Destinations are protected: removing a source region would cut off every source that still
  subscribes there, so Pulumi refuses it until someone deliberately unprotects them.
- The bucket, the key and the Firehose error log groups hold data: protected and/or retained on
  delete, never deleted by an edit or ``pulumi destroy``.
"""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_aws as aws

from components import archive_policies, layout, outputs
from components.archive_args import LogArchiveArgs, archive_bucket_name, results_bucket_name
from components.arrival import arrival_watch
from components.backfill_table import backfill_table
from components.monitoring import alarm_specs, silence_spec, stream_alarms
from components.private_bucket import private_bucket
from components.query import format_conversion, glue_schema_policy, projected_accounts, query_resources
from components.replica import replica_resources
from components.subscription_changes import archive_change_watch
from components.validation import PARTITION

__all__ = ["LogArchive", "LogArchiveArgs"]

ERROR_LOG_RETENTION_DAYS = 365
"""Firehose error logs are kept a year (Security Hub CloudWatch.16)."""
ERROR_LOG_STREAM = "DestinationDelivery"
KEY_DELETION_WINDOW_DAYS = 30


class LogArchive(pulumi.ComponentResource):
    """The archive bucket, its key, one destination and Firehose stream per source region."""

    bucket: aws.s3.Bucket
    key_arn: pulumi.Output[str]
    streams: dict[str, aws.kinesis.FirehoseDeliveryStream]
    destinations: dict[str, aws.cloudwatch.LogDestination]
    exports: dict[str, Any]
    """Stack outputs, keyed by the names in ``components.outputs``."""

    def __init__(self, name: str, args: LogArchiveArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("log-archive:index:LogArchive", name, None, opts)
        self._name = name
        self._args = args
        bucket_name = archive_bucket_name(name, args.account_id, args.region)
        bucket_arn = f"arn:aws:s3:::{bucket_name}"

        self.firehose_role = aws.iam.Role(
            f"{name}-firehose-role",
            name=f"{name}-firehose",
            description="Lets Firehose deliver archived logs into the archive bucket.",
            assume_role_policy=pulumi.Output.json_dumps(
                archive_policies.firehose_trust_policy(args.account_id)
            ),
            opts=self._child(),
        )
        self.key_arn = self._key(bucket_arn)
        self.bucket = self._bucket(bucket_name, bucket_arn)

        self._query = query_resources(name, args, bucket_name, self.key_arn, self)
        error_logging = {region: self._error_logging(region) for region in args.regions}
        firehose_policy = aws.iam.RolePolicy(
            f"{name}-firehose-policy",
            role=self.firehose_role.id,
            policy=pulumi.Output.json_dumps(
                archive_policies.firehose_role_policy(
                    bucket_arn,
                    self.key_arn,
                    args.region,
                    [
                        pulumi.Output.concat(group.arn, ":log-stream:", stream.name)
                        for group, stream in error_logging.values()
                    ],
                )
            ),
            opts=self._child(),
        )
        if args.layout == "parquet":
            firehose_policy = aws.iam.RolePolicy(
                f"{name}-firehose-glue-policy",
                role=self.firehose_role.id,
                policy=pulumi.Output.json_dumps(glue_schema_policy(name, args.account_id, args.region)),
                opts=self._child(depends_on=[firehose_policy]),
            )
        self.streams = {
            region: self._stream(region, group, stream, firehose_policy)
            for region, (group, stream) in error_logging.items()
        }
        self.destinations = self._destinations()
        topics = self._alarms()
        change_buses = {
            region: archive_change_watch(
                name,
                partition=PARTITION,
                account_id=args.account_id,
                region=region,
                source_account_ids=args.source_account_ids,
                organization_id=args.organization_id,
                topic_arn=topics[region].arn,
                parent=self,
            )
            for region in args.regions
        }

        self.exports = {
            outputs.DESTINATION_ARNS: {r: d.arn for r, d in self.destinations.items()},
            outputs.ARCHIVE_ACCOUNT_ID: args.account_id,
            outputs.SOURCE_ACCOUNT_IDS: list(args.source_account_ids),
            outputs.SUBSCRIPTION_ROLE_REQUIRED: args.organization_id is not None,
            outputs.BUCKET_NAME: self.bucket.bucket,
            outputs.BUCKET_ARN: self.bucket.arn,
            outputs.KMS_KEY_ARN: self.key_arn,
            outputs.DELIVERY_STREAM_ARNS: {r: s.arn for r, s in self.streams.items()},
            outputs.LAYOUT: args.layout,
            outputs.LOG_PREFIX: layout.log_prefix(args.layout),
            outputs.PIPELINE_LOG_GROUPS: {r: [group.name] for r, (group, _) in error_logging.items()},
            outputs.ALARM_TOPIC_ARNS: {r: t.arn for r, t in topics.items()},
            outputs.CHANGE_BUS_ARNS: {r: b.arn for r, b in change_buses.items()},
        }
        self.exports.update(self._query)
        self.exports[outputs.GLUE_BACKFILL_TABLE] = backfill_table(
            name,
            self.exports[outputs.GLUE_DATABASE],
            bucket_name,
            projected_accounts(args.account_id, args.source_account_ids, args.organization_id),
            self,
        ).name
        if args.organization_id is not None:
            self.exports[outputs.ORGANIZATION_ID] = args.organization_id
        if args.replica_region is not None:
            replica_resources(
                name,
                args,
                source_bucket=self.bucket,
                source_versioning=self._versioning,
                source_key_arn=self.key_arn,
                alarm_email=args.alarm_endpoint,
                parent=self,
            )
        self.register_outputs(self.exports)

    def _child(self, **options: Any) -> pulumi.ResourceOptions:
        return pulumi.ResourceOptions(parent=self, **options)

    def _key(self, bucket_arn: str) -> pulumi.Output[str]:
        args = self._args
        if args.kms_key_arn is not None:
            return pulumi.Output.from_input(args.kms_key_arn)
        key = aws.kms.Key(
            f"{self._name}-key",
            description="Encrypts the CloudWatch Logs archive.",
            enable_key_rotation=True,
            deletion_window_in_days=KEY_DELETION_WINDOW_DAYS,
            policy=pulumi.Output.json_dumps(
                archive_policies.with_statements(
                    archive_policies.key_policy(
                        args.account_id,
                        args.region,
                        bucket_arn=bucket_arn,
                        results_bucket_arn="arn:aws:s3:::"
                        + results_bucket_name(self._name, args.account_id, args.region),
                        firehose_role_arn=self.firehose_role.arn,
                        reader_arns=args.reader_principal_arns,
                        admin_arns=args.key_admin_principal_arns,
                    ),
                    archive_policies.export_task_key_statements(
                        bucket_arn,
                        [*args.source_account_ids, args.account_id],
                        args.regions,
                        args.organization_id,
                    ),
                )
            ),
            opts=self._child(protect=True, retain_on_delete=True),
        )
        aws.kms.Alias(
            f"{self._name}-key-alias",
            name=f"alias/{self._name}",
            target_key_id=key.key_id,
            opts=self._child(),
        )
        return key.arn

    def _bucket(self, bucket_name: str, bucket_arn: str) -> aws.s3.Bucket:
        name, args = self._name, self._args
        bucket, versioning = private_bucket(
            f"{name}-bucket",
            bucket_name,
            self.key_arn,
            archive_policies.with_statements(
                archive_policies.bucket_policy(
                    bucket_arn, self.firehose_role.arn, args.reader_principal_arns
                ),
                archive_policies.export_task_bucket_statements(
                    bucket_arn,
                    [*args.source_account_ids, args.account_id],
                    args.regions,
                    args.organization_id,
                ),
            ),
            self,
            object_lock=True,
        )
        self._versioning = versioning
        if args.access_logs_bucket is not None:
            aws.s3.BucketLogging(
                f"{name}-access-logging",
                bucket=bucket.id,
                target_bucket=args.access_logs_bucket,
                target_prefix=f"{bucket_name}/",
                opts=self._child(),
            )
        aws.s3.BucketObjectLockConfiguration(
            f"{name}-object-lock",
            bucket=bucket.id,
            object_lock_enabled="Enabled",
            rule={"default_retention": {"mode": args.object_lock_mode, "days": args.lock_days}},
            opts=self._child(depends_on=[versioning]),
        )
        aws.s3.BucketLifecycleConfiguration(
            f"{name}-lifecycle",
            bucket=bucket.id,
            transition_default_minimum_object_size="all_storage_classes_128K",
            rules=[
                {
                    "id": "tier-then-expire",
                    "status": "Enabled",
                    "filter": {"prefix": ""},
                    "transitions": [
                        {"days": args.glacier_transition_days, "storage_class": "GLACIER_IR"},
                        {"days": args.deep_archive_transition_days, "storage_class": "DEEP_ARCHIVE"},
                    ],
                    "expiration": {"days": args.retention_days},
                    "noncurrent_version_expiration": {"noncurrent_days": 30},
                    "abort_incomplete_multipart_upload": {"days_after_initiation": 7},
                }
            ],
            opts=self._child(depends_on=[versioning]),
        )
        return bucket

    def _stream_name(self, region: str) -> str:
        """``<name>-<region>``, with a ``-messages`` or ``-parquet`` suffix for the layouts that
        replace the stream."""
        suffix = "" if self._args.layout == "partitioned" else f"-{self._args.layout}"
        return f"{self._name}-{region}{suffix}"

    def _error_logging(self, region: str) -> tuple[aws.cloudwatch.LogGroup, aws.cloudwatch.LogStream]:
        log_group = aws.cloudwatch.LogGroup(
            f"{self._name}-firehose-errors-{region}",
            name=f"/aws/kinesisfirehose/{self._name}-{region}",
            retention_in_days=ERROR_LOG_RETENTION_DAYS,
            region=region,
            opts=self._child(retain_on_delete=True),
        )
        log_stream = aws.cloudwatch.LogStream(
            f"{self._name}-firehose-errors-stream-{region}",
            name=ERROR_LOG_STREAM,
            log_group_name=log_group.name,
            region=region,
            opts=self._child(retain_on_delete=True),
        )
        return log_group, log_stream

    def _stream(
        self,
        region: str,
        log_group: aws.cloudwatch.LogGroup,
        log_stream: aws.cloudwatch.LogStream,
        firehose_policy: aws.iam.RolePolicy,
    ) -> aws.kinesis.FirehoseDeliveryStream:
        args = self._args
        partitioned = args.layout != "messages"
        s3: aws.kinesis.FirehoseDeliveryStreamExtendedS3ConfigurationArgsDict = {
            "role_arn": self.firehose_role.arn,
            "bucket_arn": self.bucket.arn,
            "prefix": layout.stream_prefix(args.layout),
            "error_output_prefix": layout.ERROR_PREFIX,
            "buffering_size": args.buffering_size_mib,
            "buffering_interval": args.buffering_interval_seconds,
            "compression_format": "UNCOMPRESSED" if args.layout == "parquet" else "GZIP",
            "cloudwatch_logging_options": {
                "enabled": True,
                "log_group_name": log_group.name,
                "log_stream_name": log_stream.name,
            },
            "processing_configuration": {
                "enabled": True,
                "processors": layout.layout_processors(args.layout),
            },
        }
        if partitioned:
            s3["dynamic_partitioning_configuration"] = {"enabled": True}
        if args.layout == "parquet":
            s3["data_format_conversion_configuration"] = format_conversion(
                self._query[outputs.GLUE_DATABASE],
                self._query[outputs.GLUE_TABLE],
                args.region,
                self.firehose_role.arn,
            )
        return aws.kinesis.FirehoseDeliveryStream(
            f"{self._name}-stream-{region}",
            name=self._stream_name(region),
            destination="extended_s3",
            server_side_encryption={"enabled": True, "key_type": "AWS_OWNED_CMK"},
            extended_s3_configuration=s3,
            region=region,
            opts=self._child(
                depends_on=[firehose_policy], delete_before_replace=False, retain_on_delete=True
            ),
        )

    def _destinations(self) -> dict[str, aws.cloudwatch.LogDestination]:
        name, args = self._name, self._args
        logs_role = aws.iam.Role(
            f"{name}-logs-role",
            name=f"{name}-logs-to-firehose",
            description="Lets CloudWatch Logs put subscribed log events into the archive streams.",
            assume_role_policy=pulumi.Output.json_dumps(
                archive_policies.logs_trust_policy(
                    args.account_id, args.source_account_ids, args.regions, args.organization_id
                )
            ),
            opts=self._child(),
        )
        logs_policy = aws.iam.RolePolicy(
            f"{name}-logs-policy",
            role=logs_role.id,
            policy=pulumi.Output.json_dumps(
                archive_policies.logs_role_policy([s.arn for s in self.streams.values()])
            ),
            opts=self._child(),
        )
        destinations: dict[str, aws.cloudwatch.LogDestination] = {}
        for region, stream in self.streams.items():
            destination = aws.cloudwatch.LogDestination(
                f"{name}-destination-{region}",
                name=args.destination_name,
                role_arn=logs_role.arn,
                target_arn=stream.arn,
                region=region,
                opts=self._child(depends_on=[logs_policy], protect=True),
            )
            aws.cloudwatch.LogDestinationPolicy(
                f"{name}-destination-policy-{region}",
                destination_name=destination.name,
                access_policy=archive_policies.destination_policy(
                    args.destination_arn(region), args.source_account_ids, args.organization_id
                ),
                force_update=args.organization_id is not None,
                region=region,
                opts=self._child(),
            )
            destinations[region] = destination
        return destinations

    def _alarms(self) -> dict[str, aws.sns.Topic]:
        name, args = self._name, self._args
        specs = alarm_specs(args.buffering_interval_seconds, args.layout != "messages")
        specs.append(silence_spec(args.silence_minutes))
        topics: dict[str, aws.sns.Topic] = {}
        # The home region has a topic too: the bucket's arrival alarms live there (arrival.py).
        for region in dict.fromkeys((*args.regions, args.region)):
            topic = aws.sns.Topic(
                f"{name}-alarms-{region}", name=f"{name}-alarms", region=region, opts=self._child()
            )
            if args.alarm_email is not None:
                aws.sns.TopicSubscription(
                    f"{name}-alarm-email-{region}",
                    topic=topic.arn,
                    protocol="email",
                    endpoint=args.alarm_endpoint,
                    region=region,
                    opts=self._child(),
                )
            topics[region] = topic
            if region not in args.regions:
                continue
            stream_alarms(
                name=name,
                region=region,
                stream_name=self._stream_name(region),
                topic_arn=topic.arn,
                specs=specs,
                parent=self,
            )
        arrival_watch(
            name,
            home_region=args.region,
            bucket=self.bucket,
            bucket_name=archive_bucket_name(name, args.account_id, args.region),
            log_prefix=layout.log_prefix(args.layout),
            expected=args.expected_heartbeats,
            lateness_minutes=args.heartbeat_lateness_minutes,
            topic_arn=topics[args.region].arn,
            parent=self,
        )
        return topics
