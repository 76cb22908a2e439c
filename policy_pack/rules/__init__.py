"""The guard-rail policies for cross-account CloudWatch Logs archiving. Importing this package
only builds the policy objects; ``policy_pack/__main__.py`` serves them."""

from pulumi_policy import Policy

from . import chain, firehose, iam, kms, logs, s3

POLICIES: list[Policy] = [
    *s3.POLICIES,
    *iam.POLICIES,
    *logs.POLICIES,
    *firehose.POLICIES,
    *kms.POLICIES,
    *chain.POLICIES,
]
"""Every policy of the pack, in the order the README table lists them."""
