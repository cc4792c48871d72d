"""Per-jurisdiction rules loaded from versioned policy files."""

from selfservice.policy.loader import PolicyError, build_policy, current_policy, load_policy
from selfservice.policy.rules import Policy, RecordPeriods, Rule, add_months

__all__ = [
    "Policy",
    "PolicyError",
    "RecordPeriods",
    "Rule",
    "add_months",
    "build_policy",
    "current_policy",
    "load_policy",
]
