"""Material-change notices and notice periods (the changelog/notices stage).

A notice says in plain words what changed in a version, material changes first
and grouped by topic, each linking to its change on the compare page. The same
Markdown feeds the site banner and can be mailed as is.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from policydocs.compare import Comparison
from policydocs.comparisons import CompareFn, Pair, compare_versions, previous_pair
from policydocs.materiality import RuleSet
from policydocs.store import Problem, Store, Version, first_day


def _compare_url(pair: Pair, site_url: str) -> str:
    return f"{site_url.rstrip('/')}/compare/{pair.slug}/"


NOTICE_LINES_PER_TOPIC = 4  # a reader gets the gist; the redline has the rest
NOTICE_TOPICS_IN_SUMMARY = 5
NOTICE_LINE_CHARS = 240


def _topic_order(rules: RuleSet) -> dict[str, tuple[int, str]]:
    """Topic id → (rank, title): the rules file lists topics most important first."""
    return {t.id: (n, t.title) for n, t in enumerate(rules.rules)}


def _topics_changed(comparison: Comparison, rules: RuleSet) -> list[str]:
    order = _topic_order(rules)
    ids = {r.rule for c in comparison.changes if c.material for r in c.reasons[:1]}
    return [order.get(i, (len(order), i))[1] for i in sorted(ids, key=lambda i: order.get(i, (len(order), i)))]


def headline(version: Version, comparison: Comparison | None, rules: RuleSet) -> str:
    """The notice's first line: does this version change anything that matters?
    (``comparison`` is None for a first version.) The changelog, the feeds and the
    site banner all use this same sentence."""
    if comparison is None:
        return f"{version.title}: first published version, effective {version.legal_date}."
    if comparison.material:
        topics = _topics_changed(comparison, rules)
        shown = topics[:NOTICE_TOPICS_IN_SUMMARY]
        more = f" and {len(topics) - len(shown)} more" if len(topics) > len(shown) else ""
        what = f" ({', '.join(shown)}{more})" if topics else ""
        return f"{version.title} changed materially{what}, effective {version.legal_date}."
    if comparison.identical:
        return f"{version.title} was republished with the same text, effective {version.legal_date}."
    return f"{version.title} was updated (no material change), effective {version.legal_date}."


def no_notice_line(store: Store, version: Version, rules: RuleSet,
                   compare: CompareFn = compare_versions) -> str:
    """Why a version has no notice, in one line: what its changes were."""
    pair = previous_pair(store, version)
    comparison = compare(pair.old, pair.new, rules) if pair else None
    editorial = sum(c.kind == "editorial" for c in comparison.changes) if comparison else 0
    total = len(comparison.changes) if comparison else 0
    return (f"No notice: {version.title} {version.ref} has no material change "
            f"({total} change(s), {editorial} editorial); nothing to announce.")


def notice_first_line(store: Store, version: Version, rules: RuleSet,
                      compare: CompareFn = compare_versions) -> str:
    """`headline` of a version in its store."""
    pair = previous_pair(store, version)
    comparison = compare(pair.old, pair.new, rules) if pair else None
    return headline(version, comparison, rules)


def notice_markdown(store: Store, version: Version, rules: RuleSet, *, site_url: str = "",
                    compare: CompareFn = compare_versions) -> str:
    """The material-change notice of ``version`` as Markdown; "" when the version has no
    material change (an editorial revision is not announced to anyone)."""
    pair = previous_pair(store, version)
    comparison = compare(pair.old, pair.new, rules) if pair else None  # once, for all below
    if comparison is not None and not comparison.material:
        return ""
    lines = [f"# {version.title}: notice of changes", "", headline(version, comparison, rules), ""]
    lines += [f"- **Effective:** {version.legal_date}"
              + (" (stated in the text)" if version.legal_date_basis == "stated" else ""),
              f"- **Announced:** {_announced(version) or 'not announced'}"]
    if pair is None or comparison is None:
        return "\n".join(lines) + "\n"
    url = _compare_url(pair, site_url)
    lines += [f"- **Compared with:** {pair.old.title} ({pair.old.ref})",
              f"- **Full redline:** [{url}]({url})", ""]
    if comparison.verdict_basis == "override":
        lines += [f"> The publisher marked this version as "
                  f"{'material' if comparison.material else 'not material'}: "
                  f"{comparison.override_reason} (the rules said "
                  f"{'material' if comparison.computed_material else 'not material'}).", ""]
    if version.summary:
        lines += [version.summary.strip(), ""]
    lines += _material_sections(comparison, rules, url)
    others = [c for c in comparison.changes if not c.material]
    if others:
        lines += ["## Other changes", "",
                  f"{len(others)} other change(s) that do not affect your rights or data "
                  f"(editorial: {sum(c.kind == 'editorial' for c in others)}); see the redline.", ""]
    return "\n".join(lines).rstrip() + "\n"


def _material_sections(comparison: Comparison, rules: RuleSet, url: str) -> list[str]:
    """Material changes first, grouped by topic (most important topic first), one line
    each with a link to the change; a few per topic, then "and N more" to the redline."""
    order = _topic_order(rules)
    groups: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for change in comparison.changes:
        if change.material and change.reasons:
            first = change.reasons[0]
            _, _, rest = first.explanation.partition(": ")
            groups[first.rule].append((change.id, _first_letter_up(_shorten(rest or first.explanation))))
    if not groups:
        return []
    lines = ["## What changed", ""]
    for rule in sorted(groups, key=lambda r: order.get(r, (len(order), r))):
        title = order.get(rule, (0, rule))[1]
        entries = groups[rule]
        lines += [f"### {_first_letter_up(title)}", ""]
        lines += [f"- {text} ([{cid}]({url}#{cid}))" for cid, text in entries[:NOTICE_LINES_PER_TOPIC]]
        if len(entries) > NOTICE_LINES_PER_TOPIC:
            lines.append(f"- … and {len(entries) - NOTICE_LINES_PER_TOPIC} more change(s) on this topic: "
                         f"[see the full redline]({url})")
        lines.append("")
    return lines


def _shorten(text: str, limit: int = NOTICE_LINE_CHARS) -> str:
    """One line a reader takes in at a glance; the link leads to the whole change."""
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0]
    return cut + ("…”" if cut.count("“") > cut.count("”") else "…")


def _first_letter_up(text: str) -> str:
    return text[:1].upper() + text[1:]


def notice_period_problems(store: Store, rules: RuleSet, today: dt.date,
                           compare: CompareFn = compare_versions) -> list[Problem]:
    """Materially changed versions announced too late (or never), per ``notice_period_days``."""
    problems: list[Problem] = []
    for policy in store.policies.values():
        days = policy.notice_period_days if policy.notice_period_days is not None \
            else store.settings.notice_period_days
        if not days:
            continue
        for version in policy.versions:
            pair = previous_pair(store, version)
            if pair is None or not compare(pair.old, pair.new, rules).material:
                continue
            where = f"{store.root.name}/{version.policy_id}/{version.version_id}.md"
            upcoming = " (upcoming)" if version.effective_date > today else ""
            announced = _announced(version)
            if announced is None:
                problems.append(Problem(where, f"material change{upcoming} has no 'announced' date; "
                                               f"announce it at least {days} days before it takes effect"))
                continue
            gap = (version.effective_date - first_day(announced)).days
            if gap < days:
                problems.append(Problem(where, f"material change{upcoming} takes effect {gap} day(s) after "
                                               f"it was announced ({announced}); the notice "
                                               f"period is {days} days"))
    return problems


def _announced(version: Version) -> str | None:
    """When readers were told: the ``announced`` date, else — for a text published
    before the later date it states (announced ahead) — the day it was published."""
    if version.announced:
        return version.announced
    return version.published if version.announced_ahead else None
