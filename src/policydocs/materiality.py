"""The materiality stage: a verdict and reasons for every content change.

Placeholder until issue #4 lands: every change is left non-material and the
verdict basis says no rules ran, exactly as ``policydocs diff`` must say until then.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from policydocs.compare import Comparison
from policydocs.store import Store, Version


@dataclass(frozen=True)
class RuleSet:
    """The materiality rules in force (built-in rules plus a project's own)."""

    rules: tuple = ()
    digest: str = "none"  # part of the comparison cache key


def load_rules(store: Store | None = None, extra: Path | None = None) -> RuleSet:
    return RuleSet()


def assess(comparison: Comparison, rules: RuleSet) -> Comparison:
    return replace(comparison, verdict_basis="none")


def apply_override(comparison: Comparison, version: Version) -> Comparison:
    return comparison
