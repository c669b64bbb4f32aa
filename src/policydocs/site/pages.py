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

from markupsafe import Markup

from policydocs.changelog import ChangelogEntry
from policydocs.compare import Comparison, Stats
from policydocs.comparisons import Pair, previous_pair
from policydocs.materiality import RuleSet
from policydocs.redline import render_html_page
from policydocs.site.redline_view import digest, material_list, redline_views
from policydocs.site.history import PairComparisons
from policydocs.site.rendered import TextStore, remembered, remembered_file
from policydocs.site.model import compare_export_uri as model_export_uri
from policydocs.site.model import (
    ExtraFile, GeneratedPage, SiteOptions, changelog_uri, compare_uri, home_uri, link, policy_uri,
    version_uri, versions_uri,
)
from policydocs.site.templates import PageTemplates
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
    templates: PageTemplates = dataclasses.field(default_factory=PageTemplates, repr=False)
    _current: dict[str, Version | None] = dataclasses.field(default_factory=dict, repr=False)

    def href(self, from_src: str, to: str) -> Markup:
        return Markup(esc(link(from_src, to, self.options.directory_urls)))

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

    def export(self, pair: Pair, fmt: str) -> bytes:
        """A Word or PDF export of a pair (the same bytes for the same texts and rules)."""
        from policydocs.exports import export

        def side(v: Version) -> ExportSide:
            return ExportSide(v.ref, v.title, v.body, v)

        parts = ("export", pair.old.body_sha256, pair.new.body_sha256, self.rules.digest,
                 repr(pair.new.material), pair.new.material_reason or "", pair.old.ref, pair.new.ref,
                 pair.old.title, pair.new.title, pair.new.legal_date)
        return remembered_file(self.texts, parts, fmt, lambda: export(
            fmt, self.comparison(pair), side(pair.old), side(pair.new)))

    def source_redline(self, pair: Pair) -> str:
        """The Markdown source diff of a pair as a standalone page (one click away)."""
        parts = ("source", pair.old.body_sha256, pair.new.body_sha256, self.rules.digest,
                 repr(pair.new.material), pair.new.material_reason or "")
        return remembered(self.texts, parts, lambda: render_html_page(
            self.comparison(pair), side_title(pair.old), side_title(pair.new)))


@dataclass(frozen=True)
class ExportSide:
    """One side of a pair as the exports read it."""

    ref: str
    title: str | None
    body: str
    version: Version | None


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


def _successors(ctx: SiteContext, policy: Policy, here: str) -> list[Markup]:
    """Links to the policies that replace this one, wholly or in part (their
    ``supersedes`` lists it), each with the day its first version took effect."""
    return [Markup(f'<a href="{ctx.href(here, policy_uri(p.id))}">{esc(p.title)}</a>'
                   + (f" (from {time_tag(p.versions[0].legal_date)})" if p.versions else ""))
            for p in ctx.store.policies.values() if policy.id in p.supersedes]


def _summary(ctx: SiteContext, here: str, version: Version) -> dict | None:
    """What changed in this version, first: its human summary and the link to the redline."""
    pair = previous_pair(ctx.store, version)
    if pair is None or not version.summary:
        return None
    return {"text": version.summary.strip(),
            "compare": Markup(compare_link(ctx, here, pair.old, pair.new, "See every change"))}


# --- the banner ----------------------------------------------------------------------


def policy_banner(ctx: SiteContext, policy: Policy, here: str) -> str:
    """A notice for the top of a policy's pages: an announced upcoming version, or a
    material change that took effect within the last ``banner_days`` days."""
    current = ctx.current(policy)
    upcoming = policy.upcoming(ctx.today)
    ahead = previous_pair(ctx.store, upcoming[0]) if upcoming else None
    if upcoming and (ahead is None or ctx.material(ahead)):  # an editorial revision gets no banner
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
    policies = []
    for policy in ctx.store.policies.values():
        current = ctx.current(policy)
        policies.append({"href": ctx.href(here, policy_uri(policy.id)), "title": policy.title,
                         "effective": Markup(time_tag(current.legal_date)) if current else None,
                         "versions_href": ctx.href(here, versions_uri(policy.id)),
                         "count": len(policy.versions)})
    html = ctx.templates.render(
        "home", intro=ctx.options.home_intro, site_name=ctx.options.site_name, policies=policies,
        notices=[_entry(ctx, here, e) for e in
                 [e for e in ctx.entries if e.material is not False][:LATEST_NOTICES]],
        changelog_href=ctx.href(here, changelog_uri()),
        feed_href=ctx.href(here, "feed.xml") if ctx.options.feeds else None)
    return GeneratedPage(here, ctx.options.site_name, html, in_nav=True, searchable=True,
                         kind="home")


def policy_page(ctx: SiteContext, policy: Policy) -> GeneratedPage:
    here = policy_uri(policy.id)
    current = ctx.current(policy)
    links = [f'<a href="{ctx.href(here, versions_uri(policy.id))}">All versions</a>']
    heading, text, summary, effective = Markup(esc(policy.title)), "", None, ""
    if current is not None:
        pair = previous_pair(ctx.store, current)
        if pair is not None:
            links.insert(0, compare_link(ctx, here, pair.old, pair.new, "What changed"))
        own_title, text = split_title(ctx.body_html(current))
        heading = Markup(own_title) if own_title else heading
        summary, effective = _summary(ctx, here, current), effective_line(current)
    if ctx.options.feeds:
        links.append(f'<a href="{ctx.href(here, f"policies/{policy.id}/feed.xml")}">Atom feed</a>')
    html = ctx.templates.render(
        "policy", heading=heading, successors=_successors(ctx, policy, here),
        actions=[Markup(x) for x in links if x], current=current is not None, summary=summary,
        effective=Markup(effective), text=Markup(text))
    return GeneratedPage(here, policy.title, html, in_nav=True, searchable=True,
                         banner=policy_banner(ctx, policy, here), kind="policy")


def versions_page(ctx: SiteContext, policy: Policy) -> GeneratedPage:
    here = versions_uri(policy.id)
    current = ctx.current(policy)
    rows = []
    for version in reversed(policy.versions):
        pair = previous_pair(ctx.store, version)
        material = ctx.material(pair) if pair else None
        compares = [compare_link(ctx, here, pair.old, pair.new, "previous") if pair else ""]
        if current is not None and version is not current:
            old, new = sorted((version, current), key=lambda v: v.sort_key)
            compares.append(compare_link(ctx, here, old, new, "current"))
        rows.append({"status": status_of(ctx, policy, version), "version_id": version.version_id,
                     "href": ctx.href(here, version_uri(policy.id, version.version_id)),
                     "effective": Markup(time_tag(version.legal_date)),
                     "observed": version.legal_date_basis == "observed",
                     "badge": Markup(verdict_badge(material)), "summary": version.summary or "",
                     "compares": [Markup(c) for c in compares if c]})
    html = ctx.templates.render("versions", title=policy.title, rows=rows,
                                policy_href=ctx.href(here, policy_uri(policy.id)),
                                picker=_picker(ctx, here, policy))
    return GeneratedPage(here, f"{policy.title}: all versions", html, kind="versions")


def _picker(ctx: SiteContext, here: str, policy: Policy) -> dict | None:
    """Compare any two versions: two selects; site.js turns the choice into a link."""
    if len(policy.versions) < 2:
        return None
    targets = {slug: link(here, compare_uri(slug), ctx.options.directory_urls)
               for slug, pair in ctx.pairs.items() if pair.new.policy_id == policy.id}
    return {"targets": json.dumps(targets, sort_keys=True),
            "versions": [{"ref": v.ref, "version_id": v.version_id} for v in policy.versions]}


def version_page(ctx: SiteContext, policy: Policy, version: Version) -> GeneratedPage:
    """Rendered on demand: a store's bodies are its bulk."""
    title = f"{version.title} — version {version.version_id}"
    return GeneratedPage(version_uri(policy.id, version.version_id), title, kind="version",
                         render=functools.partial(_version_html, ctx, policy, version))


def _version_html(ctx: SiteContext, policy: Policy, version: Version) -> str:
    here = version_uri(policy.id, version.version_id)
    status = status_of(ctx, policy, version)
    current = ctx.current(policy)
    links = []
    if status != "current" and current is not None:
        old, new = sorted((version, current), key=lambda v: v.sort_key)
        links += [f'<a href="{ctx.href(here, policy_uri(policy.id))}">Read the current version</a>',
                  compare_link(ctx, here, old, new, "Compare with the current version")]
    pair = previous_pair(ctx.store, version)
    if pair is not None:
        links.append(compare_link(ctx, here, pair.old, pair.new, "What changed from the previous version"))
    links.append(f'<a href="{ctx.href(here, versions_uri(policy.id))}">All versions</a>')
    own_title, text = split_title(ctx.body_html(version))
    return ctx.templates.render(
        "version", own_title=Markup(own_title) if own_title else None, version_id=version.version_id,
        title=f"{version.title} — version {version.version_id}", status=status,
        policy_title=policy.title, successors=_successors(ctx, policy, here),
        links=[Markup(x) for x in links if x], summary=_summary(ctx, here, version),
        effective=Markup(effective_line(version)), text=Markup(text), provenance=provenance(version))


def provenance(version: Version) -> list[tuple[str, str | Markup]]:
    """(label, value) rows: where the text came from and its dates."""
    src = version.source
    rows: list[tuple[str, str | Markup]] = [("Body SHA-256", Markup(f"<code>{esc(version.body_sha256)}</code>"))]
    if src.url:
        rows.append(("Source", Markup(f'<a href="{esc(src.url)}" rel="nofollow noopener">{esc(src.url)}</a>')
                     if src.url.startswith(("https:", "http:")) else src.url))
    labels = (("sha256", "Capture SHA-256"), ("file", "Captured file"), ("retrieved", "Retrieved"),
              ("repo", "Repository"), ("commit", "Commit"), ("path", "Path"))
    for key, label in labels:
        value = getattr(src, key)
        if value:
            rows.append((label, Markup(f"<code>{esc(value)}</code>") if key in ("sha256", "commit") else value))
    if version.announced:
        rows.append(("Announced", Markup(time_tag(version.announced))))
    if version.stated_date:
        rows.append(("Date stated in the text", Markup(time_tag(version.stated_date))))
    rows.append(("Published or recorded", Markup(time_tag(version.published))))
    rows.append(("Date basis", "stated in the text" if version.legal_date_basis == "stated"
                 else "observed by us (the text states no date)"))
    return rows


def compare_page(ctx: SiteContext, pair: Pair) -> GeneratedPage:
    """Rendered on demand: the comparison is fetched (memory or disk cache) only then."""
    return GeneratedPage(compare_uri(pair.slug), f"{side_title(pair.old)} → {side_title(pair.new)}",
                         kind="compare", render=functools.partial(_compare_html, ctx, pair))


def compare_source_file(ctx: SiteContext, pair: Pair) -> ExtraFile:
    """``compare/<slug>/source.html``: the Markdown source diff, made when written."""
    return ExtraFile(compare_source_uri(pair.slug), render=functools.partial(ctx.source_redline, pair))


def compare_source_uri(slug: str) -> str:
    return f"compare/{slug}/source.html"


def compare_export_uri(pair: Pair, fmt: str) -> str:
    return model_export_uri(pair.slug, pair.old.ref, pair.new.ref, fmt)


def compare_export_files(ctx: SiteContext, pair: Pair) -> list[ExtraFile]:
    """The reviewers' downloads of a compare page, made (or read from the cache) when written."""
    return [ExtraFile(compare_export_uri(pair, fmt), render=functools.partial(ctx.export, pair, fmt))
            for fmt in ctx.options.exports]


def _compare_html(ctx: SiteContext, pair: Pair) -> str:
    here = compare_uri(pair.slug)
    parts = ctx.redline(pair)
    old, new = pair.old, pair.new
    css, words = verdict_label(parts.material)
    if parts.basis == "none":
        css, words = "none", "Materiality not assessed"
    elif parts.basis == "override":
        words += " (verdict set by the maintainers)"
    stats = parts.stats
    counts = (f"{stats.changes} change{'s' if stats.changes != 1 else ''}: "
              f"{stats.material_changes} material, {parts.editorial} editorial; "
              f"{stats.inserted_words} words inserted, {stats.deleted_words} deleted, "
              f"{stats.moved_words} moved.")

    def side(v: Version) -> dict:
        return {"href": ctx.href(here, version_uri(v.policy_id, v.version_id)), "title": v.title,
                "effective": Markup(time_tag(v.legal_date))}

    views = parts.views.replace('href="source.html"',
                                f'href="{ctx.href(here, compare_source_uri(pair.slug))}"', 1)
    return ctx.templates.render(
        "compare", title=f"{side_title(old)} → {side_title(new)}",
        summary=new.summary.strip() if new.summary else None, digest=parts.digest,
        verdict_css=css, verdict=words, counts=counts, old=side(old), new=side(new),
        material_list=Markup(parts.material_list), views=Markup(views),
        downloads=[{"href": ctx.href(here, compare_export_uri(pair, fmt)),
                    "label": {"docx": "Word, with tracked changes (.docx)", "pdf": "PDF"}[fmt]}
                   for fmt in ctx.options.exports],
        versions_href=ctx.href(here, versions_uri(new.policy_id)))


def changelog_page(ctx: SiteContext) -> GeneratedPage:
    here = changelog_uri()
    html = ctx.templates.render("changelog", entries=[_entry(ctx, here, e) for e in ctx.entries])
    return GeneratedPage(here, "Changelog", html, in_nav=True, searchable=True, kind="changelog")


def _entry(ctx: SiteContext, here: str, entry: ChangelogEntry) -> dict:
    """A changelog entry as the ``entry_item`` macro shows it."""
    compare = (ctx.href(here, compare_uri(entry.compare_slug))
               if entry.compare_slug and entry.compare_slug in ctx.pairs else None)
    return {"date": Markup(time_tag(entry.date)), "upcoming": entry.upcoming,
            "href": ctx.href(here, version_uri(entry.policy_id, entry.version.version_id)),
            "policy_title": entry.policy_title, "badge": Markup(verdict_badge(entry.material)),
            "line": entry.line, "compare_href": compare}
