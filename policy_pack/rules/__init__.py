"""The guard-rail policies for cross-account CloudWatch Logs archiving. Importing this package
only builds the policy objects; ``policy_pack/__main__.py`` serves them."""

from pulumi_policy import Policy

from . import chain, events, firehose, iam, kms, logs, s3, stack_sets
from .base import Guardrail, Rule

GUARDRAILS: list[Guardrail] = [
    *s3.GUARDRAILS,
    *iam.GUARDRAILS,
    *logs.GUARDRAILS,
    *events.GUARDRAILS,
    *stack_sets.GUARDRAILS,
    *firehose.GUARDRAILS,
    *kms.GUARDRAILS,
    *chain.GUARDRAILS,
]
"""Every rule of the pack with its policy, in the order of the README table."""

POLICIES: list[Policy] = [guardrail.policy for guardrail in GUARDRAILS]
RULES: list[Rule] = [guardrail.rule for guardrail in GUARDRAILS]
