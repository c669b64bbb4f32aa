"""Which versions are compared with which, and the one call that compares two versions.

Every consumer (CLI, notices, changelog, site) goes through `compare_versions`
so the verdict, the override and the on-disk cache are applied once,
in one place.
"""

from __future__ import annotations

from dataclasses import dataclass

from policydocs.cache import ComparisonCache
from policydocs.compare import Comparison, compare
from policydocs.materiality import RuleSet, apply_override, assess
from policydocs.store import Store, Version


@dataclass(frozen=True)
class Pair:
    """Two versions to compare; ``kind`` says why the pair exists."""

    old: Version
    new: Version
    kind: str  # "consecutive" | "supersedes"

    @property
    def slug(self) -> str:
        """The compare page's URL part: ``<old-ref>...<new-ref>``."""
        return f"{self.old.ref}...{self.new.ref}"


def store_pairs(store: Store) -> list[Pair]:
    """Every consecutive pair of each policy, and each ``supersedes`` link
    (the successor's first version against the predecessor's last)."""
    pairs: list[Pair] = []
    for policy in store.policies.values():
        for old, new in zip(policy.versions, policy.versions[1:]):
            pairs.append(Pair(old, new, "consecutive"))
        if policy.versions:
            for pred_id in policy.supersedes:
                pred = store.policies[pred_id]
                if pred.versions:
                    pairs.append(Pair(pred.versions[-1], policy.versions[0], "supersedes"))
    return pairs


def previous_pair(store: Store, version: Version) -> Pair | None:
    """What a version is compared with: its predecessor in the same policy, or —
    for a policy's first version — the last version of a policy it supersedes."""
    policy = store.policies[version.policy_id]
    previous = policy.previous(version)
    if previous is not None:
        return Pair(previous, version, "consecutive")
    for pred_id in policy.supersedes:
        pred = store.policies[pred_id]
        if pred.versions:
            return Pair(pred.versions[-1], version, "supersedes")
    return None


def compare_versions(old: Version, new: Version, rules: RuleSet,
                     cache: ComparisonCache | None = None) -> Comparison:
    """compare → materiality → the new version's override, for one pair of versions.

    With a ``cache``, the assessed comparison is looked up by the two body hashes
    and the rules digest first; the override (editable front matter) is applied
    after the cache, so changing it never needs a recompute.
    """
    assessed = cache.get(old.body_sha256, new.body_sha256, rules.digest) if cache else None
    if assessed is None:
        assessed = assess(compare(old.body, new.body), rules)
        if cache is not None:
            cache.put(assessed, rules.digest)
    return apply_override(assessed, new)
