"""Pulumi entry point: a source stack when ``log-archive:archiveStack`` is set, else the archive."""

import pulumi
import pulumi_aws as aws

from components.log_archive import LogArchive, LogArchiveArgs
from components.log_source import LogSource, LogSourceArgs

config = pulumi.Config()
account_id = aws.get_caller_identity().account_id
region = pulumi.Config("aws").get("region") or aws.get_region().region

component: LogArchive | LogSource
if config.get("archiveStack"):
    component = LogSource("log-source", LogSourceArgs.from_config(config, account_id, region))
else:
    component = LogArchive("log-archive", LogArchiveArgs.from_config(config, account_id, region))

for output_name, value in component.exports.items():
    pulumi.export(output_name, value)
