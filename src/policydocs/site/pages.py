"""The content of every generated page, as finished HTML.

Each ``*_page`` function is pure: a `SiteContext` in, one `GeneratedPage` out.
Store values (titles, summaries, URLs, hashes) go through `esc`; policy bodies
go through `render_policy_body`; redlines come from `policydocs.redline`, which
escapes the compared texts. Nothing here reads the clock or the file system.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import json
from dataclasses import dataclass

from policydocs.changelog import ChangelogEntry
from policydocs.compare import Comparison, Stats
from policydocs.comparisons import Pair, previous_pair
from policydocs.materiality import RuleSet
from policydocs.redline import _paragraphs as paragraphs
from policydocs.redline import change_list, render_html_page
from policydocs.site.redline_view import digest, material_list, rendered_inline, rendered_sides
from policydocs.site.history import PairComparisons
from policydocs.site.rendered import TextStore, remembered
from policydocs.site.model import (
    ExtraFile, GeneratedPage, SiteOptions, changelog_uri, compare_uri, home_uri, link, policy_uri,
    version_uri, versions_uri,
)
from policydocs.site.text import esc, render_policy_body, split_title
from policydocs.store import Policy, Store, Version

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")
LATEST_NOTICES = 5


@dataclass(frozen=True)
class SiteContext:
    """Everything a page needs, computed once per build."""

    store: Store
    rules: RuleSet
    today: dt.date
    options: SiteOptions
    cache: PairComparisons
    pairs: dict[str, Pair]  # by slug: the compare pages that exist
    entries: tuple[ChangelogEntry, ...]  # newest first
    texts: TextStore | None = None  # rendered bodies and redlines from earlier builds
    _current: dict[str, Version | None] = dataclasses.field(default_factory=dict, repr=False)

    def href(self, from_src: str, to: str) -> str:
        return esc(link(from_src, to, self.options.directory_urls))

    def comparison(self, pair: Pair) -> Comparison:
        return self.cache.get(pair, self.rules)

    def material(self, pair: Pair) -> bool:
        return self.cache.material(pair, self.rules)

    def current(self, policy: Policy) -> Version | None:
        """The version in effect today, found once per policy (every page asks)."""
        if policy.id not in self._current:
            self._current[policy.id] = policy.current(self.today)
        return self._current[policy.id]

    def body_html(self, version: Version) -> str:
        return remembered(self.texts, ("body", version.body_sha256),
                          lambda: render_policy_body(version.body))

    def redline(self, pair: Pair) -> "RedlineParts":
        """The compare page's parts, without loading the comparison when an earlier
        build rendered the same pair."""
        def make() -> str:
            c = self.comparison(pair)
            head = {"material": c.material, "basis": c.verdict_basis, "stats": dataclasses.asdict(c.stats),
                    "digest": digest(c), "changes": len(c.changes),
                    "editorial": sum(1 for ch in c.changes if ch.kind == "editorial")}
            return json.dumps(head, sort_keys=True) + "\n" + "\x00".join(
                (material_list(c), redline_views(c)))
        parts = ("redline", pair.old.body_sha256, pair.new.body_sha256, self.rules.digest,
                 repr(pair.new.material), pair.new.material_reason or "")
        head_text, _, rest = remembered(self.texts, parts, make).partition("\n")
        head = json.loads(head_text)
        materials, views = rest.split("\x00")
        return RedlineParts(head["material"], head["basis"], Stats(**head["stats"]), head["digest"],
                            head["editorial"], materials, views)

    def source_redline(self, pair: Pair) -> str:
        """The Markdown source diff of a pair as a standalone page (one click away)."""
        parts = ("source", pair.old.body_sha256, pair.new.body_sha256, self.rules.digest,
                 repr(pair.new.material), pair.new.material_reason or "")
        return remembered(self.texts, parts, lambda: render_html_page(
            self.comparison(pair), side_title(pair.old), side_title(pair.new)))


@dataclass(frozen=True)
class RedlineParts:
    """What a compare page shows of its comparison (cached as one text)."""

    material: bool
    basis: str
    stats: Stats
    digest: str
    editorial: int
    material_list: str
    views: str


def side_title(version: Version) -> str:
    """``Privacy Policy (11 February 2021)``: a version as headings name it."""
    return f"{version.title} ({human_date(version.legal_date)})"


def redline_views(comparison: Comparison) -> str:
    """The full redline: the document with its changes (default), side by side, and
    the list of every change; the Markdown source diff is a link away."""
    return (
        '<div class="pd-redline" id="redline">'
        '<h2 class="pd-redline-title">Full redline</h2>'
        '<div class="pd-toggle" role="group" aria-label="View">'
        '<button type="button" hidden data-pd-show="inline">Document with changes</button> '
        '<button type="button" hidden data-pd-show="sides">Side by side</button> '
        '<a class="pd-source-link" href="source.html">Markdown source diff</a></div>'
        '<p class="pd-legend"><strong>Legend:</strong> <ins class="pd-ins">inserted text</ins> '
        '(underlined) · <del class="pd-del">deleted text</del> (struck through) · '
        '<ins class="pd-ins pd-move">moved text</ins> (dotted, linked both ways) · '
        '<ins class="pd-ins pd-editorial">editorial change</ins> (quieter)</p>'
        '<section class="pd-inline" data-pd-view="inline"><h3 class="pd-view-title">The new text '
        'with its changes</h3>'
        f'<div class="pd-text pd-rendered">{rendered_inline(comparison)}</div></section>'
        '<section class="pd-side-by-side" data-pd-view="sides"><h3 class="pd-view-title">Side by '
        f'side</h3>{rendered_sides(comparison, paragraphs)}</section>'
        f'<section class="pd-changes"><h3>Every change</h3>{change_list(comparison)}</section>'
        "</div>")


# --- small pieces --------------------------------------------------------------------


def human_date(version_id: str) -> str:
    """``2021-02-11`` → ``11 February 2021``, at the precision the id has."""
    parts = version_id.split("T")[0].split("-")
    words = [str(int(parts[2]))] if len(parts) > 2 else []
    if len(parts) > 1:
        words.append(MONTHS[int(parts[1]) - 1])
    words.append(parts[0])
    text = " ".join(words)
    if "T" in version_id:
        clock = version_id.split("T")[1]
        text += f", {clock[:2]}:{clock[2:4]} UTC"
    return text


def time_tag(version_id: str) -> str:
    iso = version_id.split("T")[0]
    return f'<time datetime="{esc(iso)}">{esc(human_date(version_id))}</time>'


def effective_line(version: Version) -> str:
    """"Effective <legal date>", saying where the date comes from, and when the text
    was published when that is another day."""
    if version.legal_date_basis == "observed":
        note = (' <span class="pd-observed" title="The text states no date; this is when it '
                'was first seen.">(date observed, not stated in the text)</span>')
    else:
        note = ""
    if version.legal_date != version.published:
        note += (f' <span class="pd-published">· published {time_tag(version.published)}'
                 '</span>')
    return f'<p class="pd-effective">Effective {time_tag(version.legal_date)}{note}</p>'


def verdict_label(material: bool | None) -> tuple[str, str]:
    """(css modifier, words) for a verdict; None is a first version."""
    if material is None:
        return "new", "First version"
    return ("material", "Material change") if material else ("minor", "Not material")


def verdict_badge(material: bool | None) -> str:
    css, words = verdict_label(material)
    return f'<span class="pd-badge pd-badge--{css}">{words}</span>'


def status_of(ctx: SiteContext, policy: Policy, version: Version) -> str:
    if ctx.current(policy) is version:
        return "current"
    return "upcoming" if version.effective_date > ctx.today else "superseded"


def compare_link(ctx: SiteContext, here: str, old: Version, new: Version, text: str) -> str:
    slug = Pair(old, new, "any").slug
    if slug not in ctx.pairs:
        return ""
    return f'<a href="{ctx.href(here, compare_uri(slug))}">{esc(text)}</a>'


def _successors(ctx: SiteContext, policy: Policy, here: str) -> list[str]:
    """Links to the policies that replace this one, wholly or in part (their
    ``supersedes`` lists it), each with the day its first version took effect."""
    return [f'<a href="{ctx.href(here, policy_uri(p.id))}">{esc(p.title)}</a>'
            + (f" (from {time_tag(p.versions[0].legal_date)})" if p.versions else "")
            for p in ctx.store.policies.values() if policy.id in p.supersedes]


def superseded_note(ctx: SiteContext, policy: Policy, here: str) -> str:
    """Policies that replace this one, wholly or in part."""
    links = _successors(ctx, policy, here)
    if not links:
        return ""
    return (f'<p class="pd-superseded" role="note">Replaced, wholly or in part, by '
            f'{", ".join(links)}.</p>')


def summary_box(ctx: SiteContext, here: str, version: Version) -> str:
    """What changed in this version, first: its human summary and the link to the redline."""
    pair = previous_pair(ctx.store, version)
    if pair is None or not version.summary:
        return ""
    link = compare_link(ctx, here, pair.old, pair.new, "See every change")
    return (f'<div class="pd-what-changed"><p class="pd-summary-text"><strong>What changed in this '
            f'version:</strong> {esc(version.summary.strip())}</p>'
            + (f"<p>{link}</p>" if link else "") + "</div>")


# --- the banner ----------------------------------------------------------------------


def policy_banner(ctx: SiteContext, policy: Policy, here: str) -> str:
    """A notice for the top of a policy's pages: an announced upcoming version, or a
    material change that took effect within the last ``banner_days`` days."""
    current = ctx.current(policy)
    upcoming = policy.upcoming(ctx.today)
    if upcoming:
        nxt = upcoming[0]
        target = (compare_link(ctx, here, current, nxt, "See what will change") if current
                  else f'<a href="{ctx.href(here, version_uri(policy.id, nxt.version_id))}">'
                       "Read it</a>")
        return (f'<span class="pd-banner pd-banner--upcoming">A new version of {esc(policy.title)} '
                f"takes effect on {time_tag(nxt.legal_date)}. {target}</span>")
    if current is None:
        return ""
    pair = previous_pair(ctx.store, current)
    if pair is None or not ctx.material(pair):
        return ""
    age = (ctx.today - current.effective_date).days
    if age > ctx.options.banner_days:
        return ""
    what = compare_link(ctx, here, pair.old, pair.new, "See what changed")
    return (f'<span class="pd-banner pd-banner--material">{esc(policy.title)} changed materially '
            f"on {time_tag(current.legal_date)}. {what}</span>")


# --- pages ---------------------------------------------------------------------------


def home_page(ctx: SiteContext) -> GeneratedPage:
    here = home_uri()
    rows = []
    for policy in ctx.store.policies.values():
        current = ctx.current(policy)
        when = (f"effective {time_tag(current.legal_date)}" if current
                else "not yet in effect")
        rows.append(
            f'<li class="pd-policy-item"><a href="{ctx.href(here, policy_uri(policy.id))}">'
            f"{esc(policy.title)}</a> — {when} · "
            f'<a href="{ctx.href(here, versions_uri(policy.id))}">{len(policy.versions)} '
            f"version{'s' if len(policy.versions) != 1 else ''}</a></li>")
    notices = "".join(_entry_item(ctx, here, e) for e in ctx.entries[:LATEST_NOTICES])
    intro = (f"<h1>{esc(ctx.options.site_name)}</h1>" if ctx.options.home_intro else "")
    feeds = (f' · <a href="{ctx.href(here, "feed.xml")}">Atom feed</a>' if ctx.options.feeds else "")
    html = (
        f'{intro}<div class="pd-home">'
        f'<h2 id="policies">Policies</h2><ul class="pd-policies">{"".join(rows)}</ul>'
        f'<h2 id="latest-notices">Latest notices</h2><ul class="pd-notices">{notices}</ul>'
        f'<p><a href="{ctx.href(here, changelog_uri())}">Full changelog</a>{feeds}</p></div>'
    )
    return GeneratedPage(here, ctx.options.site_name, html, in_nav=True, searchable=True,
                         kind="home")


def policy_page(ctx: SiteContext, policy: Policy) -> GeneratedPage:
    here = policy_uri(policy.id)
    current = ctx.current(policy)
    links = [f'<a href="{ctx.href(here, versions_uri(policy.id))}">All versions</a>']
    heading = esc(policy.title)
    if current is None:
        body = ('<p class="pd-effective">No version is in effect yet.</p>')
    else:
        pair = previous_pair(ctx.store, current)
        if pair is not None:
            links.insert(0, compare_link(ctx, here, pair.old, pair.new, "What changed"))
        own_title, text = split_title(ctx.body_html(current))
        heading = own_title or heading
        body = (summary_box(ctx, here, current) + effective_line(current)
                + f'<div class="pd-policy-text">{text}</div>')
    if ctx.options.feeds:
        links.append(f'<a href="{ctx.href(here, f"policies/{policy.id}/feed.xml")}">Atom feed</a>')
    actions = f'<p class="pd-actions">{" · ".join(x for x in links if x)}</p>'
    html = f"<h1>{heading}</h1>{superseded_note(ctx, policy, here)}{actions}{body}"
    return GeneratedPage(here, policy.title, html, in_nav=True, searchable=True,
                         banner=policy_banner(ctx, policy, here), kind="policy")


def versions_page(ctx: SiteContext, policy: Policy) -> GeneratedPage:
    here = versions_uri(policy.id)
    current = ctx.current(policy)
    rows = []
    for version in reversed(policy.versions):
        pair = previous_pair(ctx.store, version)
        material = ctx.material(pair) if pair else None
        status = status_of(ctx, policy, version)
        compares = [compare_link(ctx, here, pair.old, pair.new, "previous") if pair else ""]
        if current is not None and version is not current:
            old, new = sorted((version, current), key=lambda v: v.sort_key)
            compares.append(compare_link(ctx, here, old, new, "current"))
        rows.append(
            f'<tr class="pd-status-{status}">'
            f'<td><a href="{ctx.href(here, version_uri(policy.id, version.version_id))}">'
            f"{esc(version.version_id)}</a>"
            f"{' <strong>(current)</strong>' if status == 'current' else ''}"
            f"{' <em>(upcoming)</em>' if status == 'upcoming' else ''}</td>"
            f"<td>{time_tag(version.legal_date)}"
            f"{' (observed)' if version.legal_date_basis == 'observed' else ''}</td>"
            f"<td>{verdict_badge(material)}</td><td>{esc(version.summary or '')}</td>"
            f'<td>{" · ".join(c for c in compares if c) or "—"}</td></tr>')
    table = ("<table class=\"pd-versions\"><thead><tr><th>Version (published)</th><th>Effective</th>"
             "<th>Change</th><th>Summary</th><th>Compare with</th></tr></thead>"
             f"<tbody>{''.join(rows)}</tbody></table>")
    html = (f"<h1>{esc(policy.title)}: all versions</h1>"
            f'<p><a href="{ctx.href(here, policy_uri(policy.id))}">Current version</a></p>'
            f"{table}{_picker(ctx, here, policy)}")
    return GeneratedPage(here, f"{policy.title}: all versions", html, kind="versions")


def _picker(ctx: SiteContext, here: str, policy: Policy) -> str:
    """Compare any two versions: two selects; site.js turns the choice into a link."""
    if len(policy.versions) < 2:
        return ""
    targets = {slug: link(here, compare_uri(slug), ctx.options.directory_urls)
               for slug, pair in ctx.pairs.items() if pair.new.policy_id == policy.id}
    options = "".join(f'<option value="{esc(v.ref)}">{esc(v.version_id)}</option>'
                      for v in policy.versions)
    older = options.replace(f'value="{esc(policy.versions[0].ref)}"',
                            f'value="{esc(policy.versions[0].ref)}" selected', 1)
    newer = options.replace(f'value="{esc(policy.versions[-1].ref)}"',
                            f'value="{esc(policy.versions[-1].ref)}" selected', 1)
    return (
        '<h2 id="compare-any-two">Compare any two versions</h2>'
        f'<form class="pd-picker" data-targets="{esc(json.dumps(targets, sort_keys=True))}">'
        f'<label>From <select name="old">{older}</select></label> '
        f'<label>to <select name="new">{newer}</select></label> '
        '<button type="submit" class="md-button">Compare</button>'
        '<output class="pd-picker-message" aria-live="polite"></output></form>'
        '<noscript><p>Without JavaScript, use the compare links in the table above.</p></noscript>')


def version_page(ctx: SiteContext, policy: Policy, version: Version) -> GeneratedPage:
    """Rendered on demand: a store's bodies are its bulk."""
    title = f"{version.title} — version {version.version_id}"
    return GeneratedPage(version_uri(policy.id, version.version_id), title, kind="version",
                         render=functools.partial(_version_html, ctx, policy, version))


def _version_html(ctx: SiteContext, policy: Policy, version: Version) -> str:
    here = version_uri(policy.id, version.version_id)
    status = status_of(ctx, policy, version)
    current = ctx.current(policy)
    notes = {
        "current": "This is the current version.",
        "upcoming": "This version is not in effect yet.",
        "superseded": "This is not the current version: it has been replaced.",
    }
    successors = _successors(ctx, policy, here)
    if successors and status == "current":  # the newest text of a policy another replaces
        notes["current"] = (f"This is the latest version of {esc(policy.title)}; it has been replaced, "
                            f"wholly or in part, by {', '.join(successors)}.")
    extra = ""
    if status != "current" and current is not None:
        old, new = sorted((version, current), key=lambda v: v.sort_key)
        extra = (f' <a href="{ctx.href(here, policy_uri(policy.id))}">Read the current version</a>'
                 f" · {compare_link(ctx, here, old, new, 'Compare with the current version')}")
    pair = previous_pair(ctx.store, version)
    if pair is not None:
        extra += " · " + compare_link(ctx, here, pair.old, pair.new, "What changed from the previous version")
    status_box = (f'<div class="pd-status pd-status--{status}" role="note"><strong>{notes[status]}</strong>'
                  f"{extra} · <a href=\"{ctx.href(here, versions_uri(policy.id))}\">All versions</a></div>")
    title = f"{version.title} — version {version.version_id}"
    own_title, text = split_title(ctx.body_html(version))
    heading = f"{own_title} <small>version {esc(version.version_id)}</small>" if own_title else esc(title)
    replaced = "" if status == "current" else superseded_note(ctx, policy, here)
    html = (f"<h1>{heading}</h1>{status_box}{replaced}{summary_box(ctx, here, version)}"
            f"{effective_line(version)}"
            f'<div class="pd-policy-text">{text}</div>'
            f"{provenance(version)}")
    return html


def provenance(version: Version) -> str:
    src = version.source
    rows = [("Body SHA-256", f"<code>{esc(version.body_sha256)}</code>")]
    if src.url:
        rows.append(("Source", f'<a href="{esc(src.url)}" rel="nofollow noopener">{esc(src.url)}</a>'
                     if src.url.startswith(("https:", "http:")) else esc(src.url)))
    labels = (("sha256", "Capture SHA-256"), ("file", "Captured file"), ("retrieved", "Retrieved"),
              ("repo", "Repository"), ("commit", "Commit"), ("path", "Path"))
    for key, label in labels:
        value = getattr(src, key)
        if value:
            rows.append((label, f"<code>{esc(value)}</code>" if key in ("sha256", "commit") else esc(value)))
    if version.announced:
        rows.append(("Announced", time_tag(version.announced)))
    if version.stated_date:
        rows.append(("Date stated in the text", time_tag(version.stated_date)))
    rows.append(("Published or recorded", time_tag(version.published)))
    rows.append(("Date basis", "stated in the text" if version.legal_date_basis == "stated"
                 else "observed by us (the text states no date)"))
    items = "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in rows)
    return f'<h2 id="provenance">Provenance</h2><dl class="pd-provenance">{items}</dl>'


def compare_page(ctx: SiteContext, pair: Pair) -> GeneratedPage:
    """Rendered on demand: the comparison is fetched (memory or disk cache) only then."""
    return GeneratedPage(compare_uri(pair.slug), f"{side_title(pair.old)} → {side_title(pair.new)}",
                         kind="compare", render=functools.partial(_compare_html, ctx, pair))


def compare_source_file(ctx: SiteContext, pair: Pair) -> ExtraFile:
    """``compare/<slug>/source.html``: the Markdown source diff, made when written."""
    return ExtraFile(compare_source_uri(pair.slug), render=functools.partial(ctx.source_redline, pair))


def compare_source_uri(slug: str) -> str:
    return f"compare/{slug}/source.html"


def _compare_html(ctx: SiteContext, pair: Pair) -> str:
    """What changed first (the summary, the verdict and counts once, the material
    changes in plain words, a jump to the redline), then the redline's views."""
    here = compare_uri(pair.slug)
    parts = ctx.redline(pair)
    old, new = pair.old, pair.new
    css, words = verdict_label(parts.material)
    if parts.basis == "none":
        css, words = "none", "Materiality not assessed"
    elif parts.basis == "override":
        words += " (verdict set by the maintainers)"
    side = lambda v: (f'<a href="{ctx.href(here, version_uri(v.policy_id, v.version_id))}">'  # noqa: E731
                      f"{esc(v.title)}</a>, effective {time_tag(v.legal_date)}")
    summary = (f'<p class="pd-summary-text">{esc(new.summary.strip())}</p>' if new.summary
               else f'<p class="pd-summary-text pd-digest">{esc(parts.digest)}</p>')
    stats = parts.stats
    counts = (f"{stats.changes} change{'s' if stats.changes != 1 else ''}: "
              f"{stats.material_changes} material, {parts.editorial} editorial; "
              f"{stats.inserted_words} words inserted, {stats.deleted_words} deleted, "
              f"{stats.moved_words} moved.")
    materials = (f'<h2 id="material-changes">Material changes</h2>{parts.material_list}'
                 if parts.material_list else "")
    others = (f'<a href="{ctx.href(here, versions_uri(new.policy_id))}">All versions and compare '
              "any two</a>")
    title = f"{side_title(old)} → {side_title(new)}"
    views = parts.views.replace('href="source.html"',
                                f'href="{ctx.href(here, compare_source_uri(pair.slug))}"', 1)
    return (f"<h1>{esc(title)}</h1>"
            f'<div class="pd-what-changed">{summary}'
            f'<p class="pd-verdict pd-verdict--{css}"><strong>{words}.</strong> {counts}</p>'
            f'<p class="pd-compare-meta">From {side(old)} to {side(new)}.</p>'
            f"{materials}"
            f'<p class="pd-jump"><a href="#redline">Jump to the full redline ↓</a> · {others}</p></div>'
            f'<div class="pd-compare">{views}</div>')


def changelog_page(ctx: SiteContext) -> GeneratedPage:
    here = changelog_uri()
    items = "".join(_entry_item(ctx, here, e) for e in ctx.entries)
    html = (f"<h1>Changelog</h1><p>Every version of every policy, newest first.</p>"
            f'<ul class="pd-changelog">{items}</ul>')
    return GeneratedPage(here, "Changelog", html, in_nav=True, searchable=True, kind="changelog")


def _entry_item(ctx: SiteContext, here: str, entry: ChangelogEntry) -> str:
    page = ctx.href(here, version_uri(entry.policy_id, entry.version.version_id))
    what = (f' · <a href="{ctx.href(here, compare_uri(entry.compare_slug))}">what changed</a>'
            if entry.compare_slug and entry.compare_slug in ctx.pairs else "")
    upcoming = ' <em class="pd-upcoming">(upcoming)</em>' if entry.upcoming else ""
    return (f'<li class="pd-entry">{time_tag(entry.date)}{upcoming} — '
            f'<a href="{page}">{esc(entry.policy_title)}</a> {verdict_badge(entry.material)} '
            f'<span class="pd-line">{esc(entry.line)}</span>{what}</li>')
