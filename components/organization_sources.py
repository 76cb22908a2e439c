"""``OrganizationSources``: every account of the target OUs archived through one service-managed
CloudFormation StackSet, with automatic deployment to accounts that join those OUs later.

Deployed in the organization's management account (``callAs: SELF``) or a CloudFormation
StackSets delegated administrator (``callAs: DELEGATED_ADMIN``). The StackSet's template
(``organization_template``) gives each enrolled account what a source stack with
``accountPolicy`` gives it: the subscription role (home region only) and one account-level
subscription filter policy per region, to the archive's destination of that region.

The stack instances are one ``aws.cloudformation.StackInstances`` resource over every OU and
region, not a ``StackSetInstance`` per OU and region: a ``StackSetInstance``'s deployment targets
and region force its replacement, whereas ``StackInstances`` updates in place, deleting exactly
the removed OUs' or regions' instances and creating the added ones (terraform-provider-aws
``stack_instances.go``, ``resourceStackInstancesUpdate``); and 500 OUs x 17 regions stay one
resource and one CloudFormation operation instead of 8,500. The operation's region order starts
with the home region, so the global role exists before other regions' policies name it.

Every check runs before the first resource is registered; a failed one is a ``ConfigError``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

from components import account_policy, heartbeat, naming, organization_template
from components.archive_reference import ArchiveOutputs, read_archive
from components.organization_args import ORGANIZATION_ID_KEY, OrganizationSourcesArgs
from components.source_args import ACCOUNT_POLICY_KEY, MAX_SELECTION_CRITERIA, REGIONS_KEY
from components.stack_config import ARCHIVE_STACK_KEY
from components.validation import ConfigError

__all__ = ["OrganizationPlan", "OrganizationSources", "OrganizationSourcesArgs", "plan"]

STACK_SET_NAME = "log-archive-sources"
STACK_SET_NAMES = "stackSetName"
TARGET_OUS = "organizationalUnitIds"
TARGET_REGIONS = "stackSetRegions"
TEMPLATE_BYTES = "templateBytes"


@dataclass(frozen=True)
class OrganizationPlan:
    """The checked StackSet template, ready to register."""

    template: dict[str, Any]
    body: str
    """``template`` serialized, at most ``TEMPLATE_BODY_LIMIT`` bytes."""


def plan(args: OrganizationSourcesArgs, archive: ArchiveOutputs) -> OrganizationPlan:
    """Check ``args`` against the archive's outputs; the template, or a ``ConfigError``."""
    if archive.organization_id is None:
        raise ConfigError(
            ARCHIVE_STACK_KEY,
            f"the archive stack {archive.stack} is not in the organization form (it exports no "
            "organizationId): its destinations admit only the accounts it lists, so accounts the "
            "StackSet enrolls could not subscribe",
            f"an archive stack with log-archive:organizationId: {args.organization_id}, deployed "
            "before this stack",
        )
    if archive.organization_id != args.organization_id:
        raise ConfigError(
            ORGANIZATION_ID_KEY,
            f"{args.organization_id} is not the organization the archive stack {archive.stack} "
            f"admits ({archive.organization_id})",
            f"{archive.organization_id}, or the archive's organizationId changed to this organization",
        )
    archive.check_regions(args.regions, REGIONS_KEY)
    pipeline = {name for region in args.regions for name in archive.pipeline_log_groups.get(region, ())}
    excluded = sorted(pipeline.union(args.account_policy.exclude_log_groups))
    own_heartbeat_filter = heartbeat.has_own_filter(
        args.heartbeat_minutes, args.account_policy.filter_pattern
    )
    heartbeat_exclusions = [
        [naming.heartbeat_log_group(region)] if own_heartbeat_filter else [] for region in args.regions
    ]
    size = max(
        len((account_policy.selection_criteria([*excluded, *extra]) or "").encode())
        for extra in heartbeat_exclusions
    )
    if size > MAX_SELECTION_CRITERIA:
        raise ConfigError(
            f"{ACCOUNT_POLICY_KEY}.excludeLogGroups",
            f"the account policy's selection criteria would be {size} bytes (the exclusions, the "
            "archive pipeline's own log groups of every region and, when it has its own filter, "
            "the heartbeat log group)",
            f"at most {MAX_SELECTION_CRITERIA} bytes: fewer exclusions",
        )
    template = organization_template.template(
        args.regions,
        destination_arns={region: archive.destination_arns[region] for region in args.regions},
        change_bus_arns={region: archive.change_bus_arns[region] for region in args.regions},
        filter_pattern=args.account_policy.filter_pattern,
        excluded_log_groups=excluded,
        heartbeat_minutes=args.heartbeat_minutes,
    )
    body = organization_template.template_body(template)
    size = len(body.encode())
    if size > organization_template.TEMPLATE_BODY_LIMIT:
        raise ConfigError(
            f"{ACCOUNT_POLICY_KEY}.excludeLogGroups",
            f"the StackSet's template would be {size} bytes, more than the "
            f"{organization_template.TEMPLATE_BODY_LIMIT} bytes CloudFormation accepts inline",
            "fewer exclusions or fewer regions (this stack passes the template inline, not from S3)",
        )
    return OrganizationPlan(template, body)


class OrganizationSources(pulumi.ComponentResource):
    """A service-managed StackSet that archives every account of the target OUs."""

    stack_set: aws.cloudformation.StackSet
    instances: aws.cloudformation.StackInstances
    """The stack instances of every target OU and region, one resource."""
    exports: dict[str, Any]

    def __init__(
        self, name: str, args: OrganizationSourcesArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        archive = read_archive(f"{name}-archive", args.archive_stack)
        checked = plan(args, archive)
        super().__init__("log-archive:index:OrganizationSources", name, None, opts)
        preferences = args.operation_preferences
        region_order = list(args.regions)
        operation_preferences: dict[str, Any] = {
            "max_concurrent_count": preferences.max_concurrent_count,
            "max_concurrent_percentage": preferences.max_concurrent_percentage,
            "failure_tolerance_count": preferences.failure_tolerance_count,
            "failure_tolerance_percentage": preferences.failure_tolerance_percentage,
            "region_concurrency_type": preferences.region_concurrency_type,
            "region_orders": region_order,
        }
        self.stack_set = aws.cloudformation.StackSet(
            f"{name}-stack-set",
            name=STACK_SET_NAME,
            description="log-archive: account-level subscription of every enrolled account's logs "
            "to the organization's log archive.",
            permission_model="SERVICE_MANAGED",
            auto_deployment=aws.cloudformation.StackSetAutoDeploymentArgs(
                enabled=True,
                retain_stacks_on_account_removal=args.retain_stacks_on_account_removal,
            ),
            managed_execution=aws.cloudformation.StackSetManagedExecutionArgs(active=True),
            capabilities=["CAPABILITY_NAMED_IAM"],
            call_as=args.call_as,
            operation_preferences=aws.cloudformation.StackSetOperationPreferencesArgs(
                **operation_preferences
            ),
            template_body=checked.body,
            opts=pulumi.ResourceOptions(parent=self, ignore_changes=["administrationRoleArn"]),
        )
        self.instances = aws.cloudformation.StackInstances(
            f"{name}-instances",
            stack_set_name=self.stack_set.name,
            call_as=args.call_as,
            deployment_targets=aws.cloudformation.StackInstancesDeploymentTargetsArgs(
                organizational_unit_ids=list(args.organizational_unit_ids)
            ),
            regions=list(args.regions),
            operation_preferences=aws.cloudformation.StackInstancesOperationPreferencesArgs(
                **operation_preferences
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.exports = {
            STACK_SET_NAMES: self.stack_set.name,
            TARGET_OUS: list(args.organizational_unit_ids),
            TARGET_REGIONS: list(args.regions),
            TEMPLATE_BYTES: len(checked.body.encode()),
        }
        self.register_outputs(self.exports)
