"""Pulumi entry point: the organization stack when ``log-archive:organizationalUnitIds`` is set,
else a source stack when ``log-archive:archiveStack`` is set, else the archive."""

import pulumi
import pulumi_aws as aws

from components import stack_config
from components.log_archive import LogArchive, LogArchiveArgs
from components.log_source import LogSource, LogSourceArgs
from components.organization_sources import OrganizationSources, OrganizationSourcesArgs

ARCHIVE_COMPONENT = "log-archive"
SOURCE_COMPONENT = "log-source"
ORGANIZATION_COMPONENT = "organization-sources"

config = stack_config.read()
account_id = aws.get_caller_identity().account_id
region = config.get(stack_config.REGION_KEY) or aws.get_region().region

component: LogArchive | LogSource | OrganizationSources
if config.kind == "organization":
    component = OrganizationSources(
        ORGANIZATION_COMPONENT, OrganizationSourcesArgs.from_config(config, region)
    )
elif config.kind == "source":
    component = LogSource(SOURCE_COMPONENT, LogSourceArgs.from_config(config, account_id, region))
else:
    component = LogArchive(
        ARCHIVE_COMPONENT, LogArchiveArgs.from_config(config, account_id, region, ARCHIVE_COMPONENT)
    )

for output_name, value in component.exports.items():
    pulumi.export(output_name, value)
