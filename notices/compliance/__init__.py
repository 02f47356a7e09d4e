"""Contact-compliance engine: statutory rule sets and the pure verdict function.

``rules`` holds the statutory rule sets, ``inputs`` the engine's vocabulary and value types,
``engine`` the verdict function, ``clock`` its local-time arithmetic and ``scenarios`` the
``scenarios.jsonl`` format.
"""

from notices.compliance.engine import (
    Channel,
    Consumer,
    Direction,
    Expectation,
    HistoryContact,
    Hold,
    LocalTimeRange,
    OptOut,
    Outcome,
    Party,
    ProposedContact,
    Purpose,
    ReasonCode,
    ScenarioError,
    ThirdPartyException,
    Verdict,
    evaluate,
    matches_expectation,
    parse_expectation,
    parse_scenario,
)
from notices.compliance.rules import STATUTORY, RuleSet, get_ruleset, tighten

__all__ = [
    "STATUTORY",
    "Channel",
    "Consumer",
    "Direction",
    "Expectation",
    "HistoryContact",
    "Hold",
    "LocalTimeRange",
    "OptOut",
    "Outcome",
    "Party",
    "ProposedContact",
    "Purpose",
    "ReasonCode",
    "RuleSet",
    "ScenarioError",
    "ThirdPartyException",
    "Verdict",
    "evaluate",
    "get_ruleset",
    "matches_expectation",
    "parse_expectation",
    "parse_scenario",
    "tighten",
]
