"""Atom feeds and the JSON index: the site's machine-readable files.

Entry ids are ``urn:policydocs:<policy-id>@<version-id>``: they depend on
nothing but the version, so a feed reader never sees an entry twice when the
site moves or is rebuilt. ``updated`` is the legal date (stated in the text, else
the version's own), ``published`` the day the text was published (never "now").
"""

from __future__ import annotations

import json
import re
from xml.sax.saxutils import escape as _xml_escape
from xml.sax.saxutils import quoteattr as _xml_quoteattr

from policydocs.changelog import ChangelogEntry
from policydocs.comparisons import previous_pair
from policydocs.site.model import ExtraFile, compare_uri, page_url, policy_uri, version_uri
from policydocs.site.pages import SiteContext, human_date

API_FORMAT = 1

# Characters XML 1.0 forbids (C0 controls but tab/LF/CR, lone surrogates, U+FFFE/F):
# one in a title or summary would make the whole feed unreadable, so they are dropped.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def escape(text: str) -> str:
    """Store text as XML character data: escaped, and without characters XML forbids."""
    return _xml_escape(_NOT_XML.sub("", text))


def quoteattr(text: str) -> str:
    """Store text as a quoted XML attribute value (see `escape`)."""
    return _xml_quoteattr(_NOT_XML.sub("", text))


def _abs(ctx: SiteContext, src_or_path: str) -> str:
    path = page_url(src_or_path, ctx.options.directory_urls) if src_or_path.endswith(".md") else src_or_path
    base = ctx.options.site_url
    return f"{base.rstrip('/')}/{path}" if base else f"/{path}"


def _stamp(date: str) -> str:
    """An RFC 3339 instant for a version id (its first moment, UTC)."""
    day, _, clock = date.partition("T")
    parts = (day.split("-") + ["01", "01"])[:3]
    time = f"{clock[:2]}:{clock[2:4]}:{clock[4:6]}" if clock else "00:00:00"
    return f"{'-'.join(parts)}T{time}Z"


def atom_feed(ctx: SiteContext, entries: list[ChangelogEntry], *, title: str, path: str,
              page: str) -> ExtraFile:
    updated = _stamp(entries[0].date) if entries else "1970-01-01T00:00:00Z"
    items = []
    for e in entries:
        target = compare_uri(e.compare_slug) if e.compare_slug and e.compare_slug in ctx.pairs \
            else version_uri(e.policy_id, e.version.version_id)
        label = "material change" if e.material else ("first version" if e.material is None
                                                      else "not material")
        items.append(
            "  <entry>\n"
            f"    <id>urn:policydocs:{escape(e.ref)}</id>\n"
            f"    <title>{escape(f'{e.policy_title}: {human_date(e.date)} ({label})')}</title>\n"
            f"    <published>{_stamp(e.version.published)}</published>\n"
            f"    <updated>{_stamp(e.date)}</updated>\n"
            f"    <link rel=\"alternate\" href={quoteattr(_abs(ctx, target))}/>\n"
            f"    <category term={quoteattr('material' if e.material else 'not-material')}/>\n"
            f"    <summary>{escape(e.line)}</summary>\n"
            "  </entry>\n")
    xml = (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<feed xmlns="http://www.w3.org/2005/Atom">\n'
        f"  <id>urn:policydocs:feed:{escape(path)}</id>\n"
        f"  <title>{escape(title)}</title>\n"
        f"  <updated>{updated}</updated>\n"
        f"  <link rel=\"self\" href={quoteattr(_abs(ctx, path))}/>\n"
        f"  <link rel=\"alternate\" href={quoteattr(_abs(ctx, page))}/>\n"
        f"  <author><name>{escape(ctx.options.site_name)}</name></author>\n"
        + "".join(items) + "</feed>\n")
    return ExtraFile(path, xml)


def feeds(ctx: SiteContext) -> list[ExtraFile]:
    """The site feed and one per policy."""
    out = [atom_feed(ctx, list(ctx.entries), title=f"{ctx.options.site_name}: policy changes",
                     path="feed.xml", page="index.md")]
    for policy in ctx.store.policies.values():
        mine = [e for e in ctx.entries if e.policy_id == policy.id]
        out.append(atom_feed(ctx, mine, title=f"{policy.title}: changes",
                             path=f"policies/{policy.id}/feed.xml", page=policy_uri(policy.id)))
    return out


def api_index(ctx: SiteContext) -> ExtraFile:
    """``api/policies.json``: every policy and version, with the URLs of their pages."""
    policies = []
    for policy in ctx.store.policies.values():
        current = ctx.current(policy)
        versions = []
        for v in policy.versions:
            pair = previous_pair(ctx.store, v)
            versions.append({
                "id": v.version_id, "ref": v.ref, "title": v.title, "effective": v.legal_date,
                "date_basis": v.legal_date_basis, "published": v.published,
                "stated_date": v.stated_date, "sha256": v.body_sha256,
                "material": ctx.material(pair) if pair else None,
                "compared_with": pair.old.ref if pair else None,
                "compare_url": (_abs(ctx, compare_uri(pair.slug))
                                if pair and pair.slug in ctx.pairs else None),
                "summary": v.summary, "url": _abs(ctx, version_uri(policy.id, v.version_id)),
                "source": v.source.as_dict(),
            })
        policies.append({
            "id": policy.id, "title": policy.title, "owner": policy.owner, "source_url": policy.url,
            "supersedes": list(policy.supersedes),
            "current": current.version_id if current else None,
            "url": _abs(ctx, policy_uri(policy.id)), "versions": versions,
        })
    data = {"format": API_FORMAT, "as_of": ctx.today.isoformat(), "policies": policies}
    return ExtraFile("api/policies.json", json.dumps(data, indent=2, ensure_ascii=False) + "\n")
