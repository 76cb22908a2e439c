"""Serve the pack: the Pulumi CLI runs ``python -m pulumi.policy <engine> .`` in this directory."""

from pulumi_policy import PolicyPack
from rules import POLICIES

PolicyPack(name="log-archive-guardrails", policies=POLICIES)
