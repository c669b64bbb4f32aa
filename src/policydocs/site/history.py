"""Which comparisons the site shows, computed once each.

`site_pairs` extends `comparisons.store_pairs` (consecutive versions and
``supersedes`` links) with what the archive links to: every version against
the current one (``adjacent``), or, with ``compare: all``, every pair of
versions of a policy; ``consecutive`` keeps only the store's pairs. Comparing
every old version with the current one costs more as versions pile up (the
texts drift apart), so very long histories build in linear time only with
``consecutive``. `PairComparisons` computes each pair once per process, keyed by the
two body hashes, the rules and the override, so ``mkdocs serve`` only
recompares what changed.
"""

from __future__ import annotations

import datetime as dt
from collections import OrderedDict

from policydocs.changelog import CompareFn
from policydocs.compare import Comparison
from policydocs.comparisons import Pair, compare_versions, store_pairs
from policydocs.materiality import RuleSet
from policydocs.store import Store, Version


def site_pairs(store: Store, today: dt.date, compare: str = "adjacent") -> list[Pair]:
    """The pairs with a compare page, old → new, without repeats, in a stable order."""
    pairs = list(store_pairs(store))
    seen = {p.slug for p in pairs}
    for policy in store.policies.values():
        versions = policy.versions
        if compare == "consecutive":
            break  # only the store's pairs: linear in versions, whatever their distance
        if compare == "all":
            extra = [(a, b) for i, a in enumerate(versions) for b in versions[i + 1:]]
        else:
            targets = [v for v in (policy.current(today), *policy.upcoming(today)) if v]
            extra = [(a, b) for b in targets for a in versions if a.sort_key < b.sort_key]
        for old, new in extra:
            pair = Pair(old, new, "any")
            if pair.slug not in seen:
                seen.add(pair.slug)
                pairs.append(pair)
    return pairs



class PairComparisons:
    """Comparisons by content: the same two bodies under the same rules compare once.

    Verdicts (small) are kept for every pair; whole comparisons (segments carry both
    texts) only for the ``keep`` most recently used when a disk cache stands behind
    ``compare_fn`` and can give them back cheaply. ``keep=None`` keeps them all
    (``mkdocs serve`` without a disk cache recomputes nothing).
    """

    def __init__(self, compare_fn: CompareFn = compare_versions, keep: int | None = None) -> None:
        self._compare = compare_fn
        self._keep = keep
        self._done: OrderedDict[tuple, Comparison] = OrderedDict()
        self._material: dict[tuple, bool] = {}

    @staticmethod
    def _key(pair: Pair, rules: RuleSet) -> tuple:
        return (pair.old.body_sha256, pair.new.body_sha256, rules.digest,
                pair.new.material, pair.new.material_reason)

    def get(self, pair: Pair, rules: RuleSet) -> Comparison:
        key = self._key(pair, rules)
        found = self._done.get(key)
        if found is not None:
            self._done.move_to_end(key)
            return found
        found = self._done[key] = self._compare(pair.old, pair.new, rules)
        self._material[key] = found.material
        if self._keep is not None and len(self._done) > self._keep:
            self._done.popitem(last=False)
        return found

    def material(self, pair: Pair, rules: RuleSet) -> bool:
        """The verdict alone, without holding on to the comparison."""
        known = self._material.get(self._key(pair, rules))
        return known if known is not None else self.get(pair, rules).material

    def __call__(self, old: Version, new: Version, rules: RuleSet) -> Comparison:
        """Use the cache wherever a `CompareFn` is expected (changelog entries)."""
        return self.get(Pair(old, new, "any"), rules)

    def __len__(self) -> int:
        return len(self._material)
