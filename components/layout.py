"""The archive's S3 key layout and the Firehose processing that produces it.

``partitioned`` (default): Firehose decompresses the CloudWatch Logs envelopes, extracts the
source account (``.owner``) and log group (``.logGroup``, percent-encoded with jq's ``@uri`` so
``/`` cannot split a partition and no two names collide) and writes newline-delimited envelopes::

    logs/account=111111111111/log_group=%2Faws%2Flambda%2Fcheckout/dt=2026-11-27/<object>.gz

``messages``: Firehose decompresses and keeps only the log messages, one per line, partitioned
by day; the account and log group are lost (cheaper: no dynamic partitioning charges)::

    logs/dt=2026-11-27/<object>.gz

``parquet``: as ``partitioned`` (same partition keys, same envelope), but Firehose converts each
envelope into a row of Apache Parquet (SNAPPY inside the file) against the Glue table's schema,
under its own root so JSON and Parquet objects never share a table::

    logs-parquet/account=111111111111/log_group=%2Faws%2Flambda%2Fcheckout/dt=2026-11-27/<object>.parquet
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
PARQUET_LOG_PREFIX = "logs-parquet/"
PARTITION_SUFFIX = (
    "account=!{partitionKeyFromQuery:account}/"
    "log_group=!{partitionKeyFromQuery:log_group}/"
    "dt=!{timestamp:yyyy-MM-dd}/"
)
PARQUET_PREFIX = PARQUET_LOG_PREFIX + PARTITION_SUFFIX
PARQUET_COMPRESSION = "SNAPPY"


def log_prefix(layout: str) -> str:
    """The root under which ``layout`` writes its objects (the stack's ``logPrefix`` output)."""
    return PARQUET_LOG_PREFIX if layout == "parquet" else LOG_PREFIX


def stream_prefix(layout: str) -> str:
    """The Firehose ``prefix`` of ``layout``."""
    return {"partitioned": PARTITIONED_PREFIX, "messages": MESSAGES_PREFIX, "parquet": PARQUET_PREFIX}[layout]


def layout_processors(layout: str) -> list[ProcessorArgs]:
    """Processors of ``layout``. Parquet: decompression and partition keys only; the record must
    stay one JSON envelope for the format conversion, and the converter writes the file."""
    if layout == "parquet":
        return processors(True)[:2]
    return processors(layout == "partitioned")


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
