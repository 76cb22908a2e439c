"""``LogSource``: a workload account's side of the pipeline.

It subscribes the account's CloudWatch Logs to the archive's destination in each region, in two
modes that may be combined:

- **Per log group** (``log-archive:logGroups``): one subscription filter per log group and
  region, on an existing log group or on one the stack creates (``create: true``).
- **Account-wide** (``log-archive:accountPolicy``): one account-level subscription filter policy
  per region, covering existing and future log groups except the excluded ones.

Subscription filter limits: a log group takes at most 2 log-group-level subscription filters
(some quota pages now say 5; this stack uses one), plus at most 1 account-level one, which does
not count against those 2. When both modes are combined, every log group listed in
``logGroups`` is excluded from the account policy, so each log event reaches the archive once.

Edits never unsubscribe anything by accident (docs/change-safety.md has the whole table):

- A filter is replaced only when its destination ARN changes; its physical name carries a digest
  of that ARN (``naming.subscription_filter_name``), and it is replaced create-first, so the new
  filter delivers before the old one is deleted (the replacement needs the log group's second
  filter slot for that moment). Without ``delete_before_replace=False`` pulumi-aws would delete
  first.
- The account policy's selection criteria force a replacement, and AWS allows one subscription
  policy per account and region: it keeps one name, is replaced create-first (an upsert by that
  name) and is retained on delete, so the old policy's delete never removes the new one. Turning
  ``accountPolicy`` off therefore leaves the policy in AWS, which ``offline.diff`` reports. It
  depends on the region's filters, so a log group newly listed in ``logGroups`` leaves the
  policy's coverage only once its own filter delivers.
- Log groups the stack creates are retained on delete: their stored events outlive the entry.

Regions: every resource sets pulumi-aws 7's per-resource ``region`` argument, so one default
provider (one set of credentials, the stack's ``aws:*`` config) manages every region. Before
pulumi-aws 7 this needed one explicit provider per region; the ``region`` argument replaces
that, keeps URNs free of provider references, and adding a region adds resources only.

Organization form: when the archive says subscriptions need a role ARN, the stack creates the
role CloudWatch Logs assumes in this account (``source_policies``) and sets it on every filter
and account policy; otherwise no role exists and none is passed.

Every check runs before the first resource is registered: config in ``source_args``,
the archive's outputs in ``plan``. A failed check is a ``ConfigError`` naming the key to fix.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

from components import account_policy as subscription_policy
from components import naming, outputs, source_policies
from components.archive_reference import ARCHIVE_STACK_KEY, ArchiveOutputs, read_archive
from components.heartbeat import heartbeat_resources
from components.source_args import (
    ACCOUNT_POLICY_KEY,
    LOG_GROUPS_KEY,
    MAX_SELECTION_CRITERIA,
    REGIONS_KEY,
    AccountPolicySource,
    LogGroupSource,
    LogSourceArgs,
)
from components.subscription_changes import source_change_forwarding
from components.validation import PARTITION, ConfigError

__all__ = ["LogSource", "LogSourceArgs"]


@dataclass(frozen=True)
class RegionPlan:
    """What the stack subscribes in one region, after every pre-flight check passed."""

    region: str
    destination_arn: str
    """The archive's destination in ``region``."""
    excluded_log_groups: tuple[str, ...]
    """Sorted names the account policy leaves out (empty without an account policy)."""

    @property
    def selection_criteria(self) -> str | None:
        """The account policy's ``LogGroupName NOT IN [...]``, or ``None`` to cover everything."""
        return subscription_policy.selection_criteria(self.excluded_log_groups)


def plan(args: LogSourceArgs, archive: ArchiveOutputs) -> tuple[RegionPlan, ...]:
    """Check ``args`` against the archive's outputs; the per-region plan, or a ``ConfigError``."""
    allowed = (
        args.account_id in archive.source_account_ids
        or archive.organization_id is not None
        or args.account_id == archive.archive_account_id
    )
    if not allowed:
        raise ConfigError(
            ARCHIVE_STACK_KEY,
            f"account {args.account_id} may not subscribe to the archive stack {archive.stack}: "
            f"its destinations allow only {', '.join(sorted(archive.source_account_ids)) or 'none'}"
            " and no organization",
            f"{args.account_id} added to log-archive:sourceAccountIds of the archive stack "
            "(or its organization form), deployed before this stack",
        )
    archive.check_regions(args.regions, REGIONS_KEY)
    return tuple(_region_plan(args, archive, region) for region in args.regions)


def _region_plan(args: LogSourceArgs, archive: ArchiveOutputs, region: str) -> RegionPlan:
    pipeline: tuple[str, ...] = ()
    if args.account_id == archive.archive_account_id:
        pipeline = archive.pipeline_log_groups.get(region, ())
        looping = sorted({source.name for source in args.log_groups}.intersection(pipeline))
        if looping:
            raise ConfigError(
                LOG_GROUPS_KEY,
                f"{', '.join(looping)} in {region} is written by the archive pipeline itself; "
                "subscribing it would send the pipeline's own logs round in a loop",
                "log groups other than the archive pipeline's",
            )
    excluded: set[str] = set()
    if args.account_policy is not None:
        excluded.update(args.account_policy.exclude_log_groups, pipeline)
        excluded.update(source.name for source in args.log_groups)
        if args.heartbeat_has_own_filter:
            excluded.add(naming.heartbeat_log_group(region))
    region_plan = RegionPlan(region, archive.destination_arns[region], tuple(sorted(excluded)))
    size = len((region_plan.selection_criteria or "").encode())
    if size > MAX_SELECTION_CRITERIA:
        raise ConfigError(
            f"{ACCOUNT_POLICY_KEY}.excludeLogGroups",
            f"the account policy's selection criteria in {region} would be {size} bytes: it "
            f"excludes {len(excluded)} log groups (the exclusions, every log group listed in "
            f"{LOG_GROUPS_KEY} and the archive pipeline's own)",
            f"at most {MAX_SELECTION_CRITERIA} bytes: fewer exclusions, or fewer "
            f"{LOG_GROUPS_KEY} next to the account policy",
        )
    return region_plan


class LogSource(pulumi.ComponentResource):
    """Subscriptions of one workload account's log groups to the archive, in every region."""

    subscription_role: aws.iam.Role | None
    """The role CloudWatch Logs assumes (organization form only)."""
    exports: dict[str, Any]
    """Stack outputs, keyed by the source names in ``components.outputs``."""

    def __init__(self, name: str, args: LogSourceArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        # The archive is read and checked before the component registers (so the stack
        # reference cannot be its child): a failed pre-flight check then leaves nothing behind
        # but the read of the archive stack, neither in the cloud nor in this stack's state.
        archive = read_archive(f"{name}-archive", args.archive_stack)
        region_plans = plan(args, archive)
        super().__init__("log-archive:index:LogSource", name, None, opts)
        self._name = name
        self._archive = archive

        role_arn: pulumi.Output[str] | None = None
        depends_on: list[pulumi.Resource] = []
        self.subscription_role = None
        if archive.subscription_role_required:
            self.subscription_role, role_policy = self._role(args)
            role_arn = self.subscription_role.arn
            depends_on = [role_policy]

        destinations = {region_plan.region: self._destination(region_plan) for region_plan in region_plans}
        account_policy_names: dict[str, pulumi.Output[str]] = {}
        for region_plan in region_plans:
            destination = destinations[region_plan.region]
            filters = [
                self._filter(region_plan, source, destination, role_arn, depends_on)
                for source in args.log_groups
            ]
            if args.heartbeat_minutes:
                heartbeat_filter = heartbeat_resources(
                    name,
                    partition=PARTITION,
                    account_id=args.account_id,
                    region=region_plan.region,
                    minutes=args.heartbeat_minutes,
                    destination=destination,
                    filter_name=naming.subscription_filter_name(region_plan.destination_arn),
                    role_arn=role_arn,
                    depends_on=depends_on,
                    own_filter=args.heartbeat_has_own_filter,
                    parent=self,
                )
                if heartbeat_filter is not None:
                    filters.append(heartbeat_filter)
            if args.account_policy is not None:
                account_policy_names[region_plan.region] = self._account_policy(
                    region_plan, args.account_policy, destination, role_arn, [*depends_on, *filters]
                ).policy_name

        source_change_forwarding(
            name,
            partition=PARTITION,
            account_id=args.account_id,
            bus_arns=archive.change_bus_arns,
            destination_arns={plan.region: plan.destination_arn for plan in region_plans},
            log_groups=[source.name for source in args.log_groups],
            heartbeats=bool(args.heartbeat_minutes),
            secret=outputs.DESTINATION_ARNS in archive.secret_outputs,
            parent=self,
        )

        self.exports = {
            outputs.SUBSCRIPTION_DESTINATIONS: destinations,
            outputs.SUBSCRIBED_LOG_GROUPS: {
                region: [source.name for source in args.log_groups] for region in args.regions
            },
            outputs.ACCOUNT_POLICY_NAMES: account_policy_names,
            outputs.USES_SUBSCRIPTION_ROLE: role_arn is not None,
        }
        if role_arn is not None:
            self.exports[outputs.SUBSCRIPTION_ROLE_ARN] = role_arn
        self.register_outputs(self.exports)

    def _child(self, **options: Any) -> pulumi.ResourceOptions:
        return pulumi.ResourceOptions(parent=self, **options)

    def _destination(self, region_plan: RegionPlan) -> pulumi.Input[str]:
        if outputs.DESTINATION_ARNS in self._archive.secret_outputs:
            return pulumi.Output.secret(region_plan.destination_arn)
        return region_plan.destination_arn

    def _role(self, args: LogSourceArgs) -> tuple[aws.iam.Role, aws.iam.RolePolicy]:
        role = aws.iam.Role(
            f"{self._name}-subscription-role",
            description="Assumed by CloudWatch Logs to subscribe this account's log groups "
            "to the organization-wide log archive.",
            assume_role_policy=pulumi.Output.json_dumps(
                source_policies.subscription_role_trust_policy(PARTITION, args.account_id, args.regions)
            ),
            opts=self._child(),
        )
        role_policy = aws.iam.RolePolicy(
            f"{self._name}-subscription-role-policy",
            role=role.id,
            policy=pulumi.Output.json_dumps(
                source_policies.subscription_role_permissions(PARTITION, args.account_id, args.regions)
            ),
            opts=self._child(),
        )
        return role, role_policy

    def _filter(
        self,
        region_plan: RegionPlan,
        source: LogGroupSource,
        destination: pulumi.Input[str],
        role_arn: pulumi.Output[str] | None,
        depends_on: list[pulumi.Resource],
    ) -> aws.cloudwatch.LogSubscriptionFilter:
        region = region_plan.region
        log_group: pulumi.Input[str] = source.name
        if source.create:
            log_group = aws.cloudwatch.LogGroup(
                naming.log_group_resource(self._name, region, source.name),
                name=source.name,
                retention_in_days=source.retention_days,
                kms_key_id=source.kms_key_arns.get(region),
                region=region,
                opts=self._child(retain_on_delete=True),
            ).name
        return aws.cloudwatch.LogSubscriptionFilter(
            naming.subscription_filter_resource(self._name, region, source.name),
            name=naming.subscription_filter_name(region_plan.destination_arn),
            log_group=log_group,
            destination_arn=destination,
            filter_pattern=source.filter_pattern,
            role_arn=role_arn,
            region=region,
            opts=self._child(depends_on=depends_on, delete_before_replace=False),
        )

    def _account_policy(
        self,
        region_plan: RegionPlan,
        account_policy: AccountPolicySource,
        destination: pulumi.Input[str],
        role_arn: pulumi.Output[str] | None,
        depends_on: list[pulumi.Resource],
    ) -> aws.cloudwatch.LogAccountPolicy:
        document = subscription_policy.policy_document(destination, account_policy.filter_pattern, role_arn)
        selection_criteria: pulumi.Input[str] | None = region_plan.selection_criteria
        if selection_criteria is not None and outputs.PIPELINE_LOG_GROUPS in self._archive.secret_outputs:
            selection_criteria = pulumi.Output.secret(selection_criteria)
        return aws.cloudwatch.LogAccountPolicy(
            naming.account_policy_resource(self._name, region_plan.region),
            policy_name=naming.ACCOUNT_POLICY_NAME,
            policy_type=subscription_policy.POLICY_TYPE,
            scope=subscription_policy.SCOPE,
            policy_document=pulumi.Output.json_dumps(document),
            selection_criteria=selection_criteria,
            region=region_plan.region,
            opts=self._child(depends_on=depends_on, delete_before_replace=False, retain_on_delete=True),
        )
