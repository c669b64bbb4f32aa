"""The site stage: the store → every page and file of the public site.

`build_site` is the only entry point the MkDocs plugin needs; it knows nothing
of MkDocs, so tests can call it directly.
"""

from __future__ import annotations

import datetime as dt

from policydocs.changelog import changelog_entries
from policydocs.materiality import RuleSet
from policydocs.site.feeds import api_index, feeds
from policydocs.site.history import PairComparisons, site_pairs
from policydocs.site.model import GeneratedPage, ExtraFile, SiteModel, SiteOptions, policy_uri
from policydocs.site.rendered import TextStore
from policydocs.site.pages import (
    SiteContext, changelog_page, compare_page, home_page, policy_page, version_page, versions_page,
)
from policydocs.store import Store


def build_site(store: Store, rules: RuleSet, today: dt.date, options: SiteOptions,
               cache: PairComparisons | None = None, texts: TextStore | None = None) -> SiteModel:
    """Every generated page and extra file, in a stable order.

    Pass the same ``cache`` to successive builds (``mkdocs serve``) so that only
    changed pairs are compared again, and a ``texts`` store (the disk cache) so that
    bodies and redlines rendered by an earlier build are not rendered again.
    """
    cache = cache if cache is not None else PairComparisons()
    pairs = {p.slug: p for p in site_pairs(store, today, options.compare)}
    entries = tuple(changelog_entries(store, rules, today, compare=cache))
    ctx = SiteContext(store, rules, today, options, cache, pairs, entries, texts)
    pages: list[GeneratedPage] = [home_page(ctx)]
    for policy in store.policies.values():
        pages.append(policy_page(ctx, policy))
        pages.append(versions_page(ctx, policy))
        pages.extend(version_page(ctx, policy, v) for v in policy.versions)
    pages.extend(compare_page(ctx, pair) for pair in pairs.values())
    pages.append(changelog_page(ctx))
    files = [api_index(ctx), *(feeds(ctx) if options.feeds else [])]
    return SiteModel(pages=tuple(pages), files=tuple(files),
                     nav_policies=tuple(policy_uri(p) for p in store.policies))


__all__ = ["PairComparisons", "ExtraFile", "GeneratedPage", "SiteModel", "SiteOptions", "build_site"]
