"""The archive's S3 key layout and the Firehose processing that produces it.

``partitioned`` (default): Firehose decompresses the CloudWatch Logs envelopes, extracts the
source account (``.owner``) and log group (``.logGroup``, percent-encoded with jq's ``@uri`` so
``/`` cannot split a partition and no two names collide) and writes newline-delimited envelopes::

    logs/account=111111111111/log_group=%2Faws%2Flambda%2Fcheckout/dt=2026-11-27/<object>.gz

``messages``: Firehose decompresses and keeps only the log messages, one per line, partitioned
by day; the account and log group are lost (cheaper: no dynamic partitioning charges)::

    logs/dt=2026-11-27/<object>.gz
"""

from __future__ import annotations

from pulumi_aws.kinesis import (
    FirehoseDeliveryStreamExtendedS3ConfigurationProcessingConfigurationProcessorArgsDict as ProcessorArgs,
)

LOG_PREFIX = "logs/"
ERROR_PREFIX = "errors/!{firehose:error-output-type}/dt=!{timestamp:yyyy-MM-dd}/"
PARTITION_QUERY = "{account: .owner, log_group: (.logGroup | @uri)}"
PARTITIONED_PREFIX = (
    LOG_PREFIX
    + "account=!{partitionKeyFromQuery:account}/"
    + "log_group=!{partitionKeyFromQuery:log_group}/"
    + "dt=!{timestamp:yyyy-MM-dd}/"
)
MESSAGES_PREFIX = LOG_PREFIX + "dt=!{timestamp:yyyy-MM-dd}/"


def _processor(kind: str, **parameters: str) -> ProcessorArgs:
    processor: ProcessorArgs = {"type": kind}
    if parameters:
        processor["parameters"] = [
            {"parameter_name": key, "parameter_value": value} for key, value in parameters.items()
        ]
    return processor


def processors(partitioned: bool) -> list[ProcessorArgs]:
    """Native decompression (no Lambda), then partition keys or message extraction."""
    decompress = _processor("Decompression", CompressionFormat="GZIP")
    delimit = _processor("AppendDelimiterToRecord")
    if partitioned:
        extract = _processor(
            "MetadataExtraction",
            JsonParsingEngine="JQ-1.6",
            MetadataExtractionQuery=PARTITION_QUERY,
        )
    else:
        extract = _processor("CloudWatchLogProcessing", DataMessageExtraction="true")
    return [decompress, extract, delimit]


def prefix(partitioned: bool) -> str:
    return PARTITIONED_PREFIX if partitioned else MESSAGES_PREFIX
