"""The site stage: the store → every page and file of the public site.

`build_site` is the only entry point the MkDocs plugin needs; it knows nothing
of MkDocs, so tests can call it directly.
"""

from __future__ import annotations

import datetime as dt

from policydocs.changelog import changelog_entries
from policydocs.materiality import RuleSet
from policydocs.progress import ProgressCallback
from policydocs.site.feeds import api_index, feeds
from policydocs.site.history import PairComparisons, site_pairs
from policydocs.site.model import GeneratedPage, ExtraFile, SiteModel, SiteOptions, policy_uri
from policydocs.site.rendered import TextStore
from policydocs.site.templates import PageTemplates
from policydocs.site.pages import (
    SiteContext, changelog_page, compare_export_files, compare_page, compare_source_file, home_page, policy_page, version_page, versions_page,
)
from policydocs.store import Store


def build_site(store: Store, rules: RuleSet, today: dt.date, options: SiteOptions,
               cache: PairComparisons | None = None, texts: TextStore | None = None,
               progress: ProgressCallback | None = None) -> SiteModel:
    """Every generated page and extra file, in a stable order.

    Pass the same ``cache`` to successive builds (``mkdocs serve``) so that only
    changed pairs are compared again, and a ``texts`` store (the disk cache) so that
    bodies and redlines rendered by an earlier build are not rendered again.
    ``progress`` hears ``("comparing versions", done, total)`` while the versions are
    compared with their predecessors (the bulk of a cold build).
    """
    cache = cache if cache is not None else PairComparisons()
    pairs = {p.slug: p for p in site_pairs(store, today, options.compare)}
    entries = tuple(changelog_entries(store, rules, today, compare=_counted(cache, store, progress)))
    ctx = SiteContext(store, rules, today, options, cache, pairs, entries, texts,
                      templates=PageTemplates(options.template_dirs))
    pages: list[GeneratedPage] = [home_page(ctx)]
    for policy in store.policies.values():
        pages.append(policy_page(ctx, policy))
        pages.append(versions_page(ctx, policy))
        pages.extend(version_page(ctx, policy, v) for v in policy.versions)
    pages.extend(compare_page(ctx, pair) for pair in pairs.values())
    pages.append(changelog_page(ctx))
    files = [api_index(ctx), *(feeds(ctx) if options.feeds else []),
             *(compare_source_file(ctx, pair) for pair in pairs.values()),
             *(f for pair in pairs.values() for f in compare_export_files(ctx, pair))]
    return SiteModel(pages=tuple(pages), files=tuple(files),
                     nav_policies=tuple(policy_uri(p) for p in store.policies))


def _counted(compare: PairComparisons, store: Store, progress: ProgressCallback | None):
    """``compare``, telling ``progress`` how many of the store's versions are done."""
    if progress is None:
        return compare
    total = sum(len(p.versions) for p in store.policies.values())
    done = 0

    def counted(old, new, rules):
        nonlocal done
        result = compare(old, new, rules)
        done += 1
        progress("comparing versions", done, total)
        return result

    return counted


__all__ = ["PairComparisons", "ExtraFile", "GeneratedPage", "SiteModel", "SiteOptions", "build_site"]
