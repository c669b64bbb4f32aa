"""Which versions are compared with which, and the one call that compares two versions.

Every consumer (CLI, notices, changelog, site) goes through `compare_versions`
so the verdict, the override and the on-disk cache are applied once,
in one place.
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from policydocs.cache import ComparisonCache, default_cache_dir
from policydocs.compare import Comparison, compare
from policydocs.materiality import RuleSet, apply_override, assess
from policydocs.store import Store, Version

CompareFn = Callable[[Version, Version, RuleSet], Comparison]


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
    return apply_override(compare_bodies(old.body, new.body, rules, cache,
                                         (old.body_sha256, new.body_sha256)), new)


def compare_bodies(old: str, new: str, rules: RuleSet, cache: ComparisonCache | None = None,
                   hashes: tuple[str, str] | None = None) -> Comparison:
    """compare → materiality for two bodies (files as well as versions), through ``cache``
    when there is one; ``hashes`` are the bodies' SHA-256 when the caller knows them."""
    old_sha, new_sha = hashes or (_sha256(old), _sha256(new))
    assessed = cache.get(old_sha, new_sha, rules.digest) if cache else None
    if assessed is None:
        assessed = assess(compare(old, new), rules)
        if cache is not None:
            cache.put(assessed, rules.digest)
    return assessed


def cached_compare(cache: ComparisonCache) -> CompareFn:
    """`compare_versions` through ``cache``: what every command hands the stages."""
    return functools.partial(compare_versions, cache=cache)


def project_cache(store_root: Path) -> ComparisonCache:
    """The comparison cache of the project the store belongs to (the store's parent
    folder, where mkdocs.yml usually sits; ``$POLICYDOCS_CACHE_DIR`` wins): the CLI and
    the site share it, so a pair compared by one is read back by the other."""
    return ComparisonCache(default_cache_dir(Path(store_root).resolve().parent))


def _sha256(body: str) -> str:
    return hashlib.sha256(body.encode("utf-8", "surrogatepass")).hexdigest()
