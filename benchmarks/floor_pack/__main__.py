"""A policy pack with one trivial policy: the floor policy evaluation is measured against."""

from pulumi_policy import (
    EnforcementLevel,
    PolicyPack,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
)


def _never_violated(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    if args.resource_type == "":
        report_violation("a resource without a type", None)


PolicyPack(
    name="benchmark-floor",
    enforcement_level=EnforcementLevel.MANDATORY,
    policies=[
        ResourceValidationPolicy(
            name="resource-has-a-type",
            description="Every resource has a type (always true: the cheapest policy that reads its input).",
            validate=_never_violated,
        )
    ],
)
