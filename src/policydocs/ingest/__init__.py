"""The importer: one source (HTML page, text capture, Markdown file) → one new version.

The first stage of the flow; it reads and writes the store only through
`policydocs.store`. `import_source` decides everything before it writes: the
text and its repairs, whether it duplicates a version already stored, the date
(stated in the text, or given by the user and recorded as observed — never
invented), the title and provenance. Any problem raises `UserError` before
anything is written. Then the store is written in its crash-safe order
(`policydocs.store.add_to_store`): the policy's folder, ``policies.yml`` when
the policy is new, then the version file, atomically (never over an existing
one).
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from policydocs.crashsafe import WriteLock
from policydocs.errors import UserError
from policydocs.ingest.dates import StatedDate
from policydocs.ingest.dedupe import DUPLICATE_THRESHOLD, Match, best_match
from policydocs.ingest.hints import Hints, load_hints
from policydocs.ingest.markdown import markdown_rules, markdown_to_article, opening_heading
from policydocs.ingest.sources import SourceText, decode_source
from policydocs.ingest.text import text_to_article
from policydocs.limits import MAX_SOURCE_BYTES, SOURCE_TOO_LARGE
from policydocs.store import (
    DATE_BASES, Source, Version, add_to_store, check_body, check_policy_id, check_version_id,
    first_day, normalise_date, parse_version, read_file_bytes, read_registry, read_text_file,
    store_lock, today_from_env, with_policy,
)

_LEFTOVER_MOJIBAKE = re.compile("[ÂÃ]|â(?=[\x80-\xbf€™œ\x9d])")
_BLANK_LINES = re.compile("\n\n\n+")  # (speedup) a literal prefix: ten times \n{3,}'s speed
_TEXT_LINE = re.compile(r"(?m)^(?!#+ ).*?[^\W_]")  # a letter or digit outside a heading line


@dataclass(frozen=True)
class Article:
    """What the importer made of a source, before any decision about the store."""

    title: str | None
    url: str | None
    body: str
    stated: StatedDate | None
    meta: dict  # the source's front matter keys the importer reads (data/markdown.yml)
    repairs: Counter
    sha256: str  # of the source bytes (provenance)
    name_title: str = ""  # the file name in words: the title when the text states none


@dataclass(frozen=True)
class ImportResult:
    """What an import did: the version written, or the version it duplicates."""

    source: Path
    written: Path | None = None
    version: Version | None = None
    duplicate: Match | None = None
    registry_updated: bool = False
    repairs: tuple[tuple[str, int], ...] = ()

    def message(self) -> str:
        if self.duplicate is not None:
            return (f"{self.source}: duplicate of {self.duplicate.version.ref} "
                    f"({self.duplicate.similarity * 100:.1f} % similar); nothing written")
        assert self.version is not None
        v = self.version
        line = f"wrote {self.written} ({v.ref}, date {v.date_basis}"
        line += f", text states {v.stated_date})" if v.stated_date else ")"
        if self.registry_updated:
            line += f"; added '{v.policy_id}' to policies.yml"
        if self.repairs:
            line += "; repairs: " + ", ".join(f"{n} {what}" for what, n in self.repairs)
        return line


def import_source(source: Path, *, store_root: Path, **options) -> ImportResult:
    """Import one source holding the store's write lock (see `_import_source`)."""
    with store_lock(Path(store_root)) as lock:
        return _import_source(Path(source), store_root=Path(store_root), lock=lock, **options)


def _import_source(source: Path, *, store_root: Path, lock: WriteLock, policy_id: str,
                   effective: str | None = None, date_basis: str | None = None,
                   announced: str | None = None, url: str | None = None,
                   title: str | None = None, owner: str | None = None,
                   supersedes: tuple[str, ...] = (), hints_file: Path | None = None,
                   today: dt.date | None = None) -> ImportResult:
    check_policy_id(policy_id, where="--policy")
    for option, value in (("--effective", effective), ("--announced", announced)):
        if value is not None:
            check_version_id(value, where=option)
    if date_basis is not None and date_basis not in DATE_BASES:
        raise UserError(f"--date-basis: must be 'stated' or 'observed', not {date_basis!r}")
    for other in supersedes:
        check_policy_id(other, where="--supersedes")
    hints = load_hints(hints_file)
    registry = read_registry(store_root)
    existing = _existing_versions(store_root, policy_id)

    article = read_article(source, hints=hints, base_url=url)
    duplicate = best_match(article.body, existing)
    if duplicate is not None and duplicate.similarity >= DUPLICATE_THRESHOLD:
        return ImportResult(source=source, duplicate=duplicate)

    effective = effective or normalise_date(article.meta.get("effective"))
    date_basis = date_basis or article.meta.get("date_basis")
    announced = announced or normalise_date(article.meta.get("announced"))
    version_id, basis, stated_date = _decide_date(source, article.stated, effective, date_basis)
    _check_announcement(version_id, announced, today or today_from_env())
    clash = next((v for v in existing if v.version_id == version_id), None)
    if clash is not None:
        pct = duplicate.similarity * 100 if duplicate and duplicate.version is clash else 0.0
        raise UserError(f"{source}: {clash.ref} exists with a different text ({pct:.1f} % similar); "
                        "two versions on one date are refused: check the date, or fix the source")
    entry = (registry.get("policies") or {}).get(policy_id) or {}
    title = title or article.title or entry.get("title") or article.name_title
    for other in supersedes:
        if other not in (registry.get("policies") or {}):
            raise UserError(f"--supersedes {other}: no such policy in {store_root / 'policies.yml'}")
    version = Version(
        policy_id=policy_id, version_id=version_id, title=title, effective=version_id,
        date_basis=basis, body=article.body, announced=announced, stated_date=stated_date,
        source=Source(url=url or article.url, file=source.name, sha256=article.sha256),
    )
    new_registry = with_policy(registry, policy_id, title=title, owner=owner, url=url or article.url,
                               supersedes=list(supersedes) or None)
    (written,) = add_to_store(store_root, registry, new_registry, [version], lock=lock)
    changed = new_registry != registry
    return ImportResult(source=source, written=written, version=version, registry_updated=changed,
                        repairs=tuple(sorted(article.repairs.items())))


def read_article(source: Path, *, hints: Hints = Hints(), base_url: str | None = None) -> Article:
    """One source file through the import pipeline (`article_from_bytes`)."""
    where = str(source)  # also its name: the folder of an index.md names it
    data = read_file_bytes(Path(source), where=where, limit=MAX_SOURCE_BYTES, too_large=SOURCE_TOO_LARGE)
    return article_from_bytes(data, name=where, where=where, hints=hints, base_url=base_url)


def article_from_bytes(data: bytes, *, name: str, where: str, kind: str | None = None,
                       hints: Hints = Hints(), base_url: str | None = None) -> Article:
    """The import pipeline, the one both `import` and `import-git` read a source with,
    so a file imports the same whichever command reads it: decode and repair the
    bytes, convert the text to a Markdown article by its kind (the converter finds
    its title and stated date), tidy, require policy text, report leftover mojibake.

    ``name`` is the file name (it tells the kind, and the title when the text has
    none); ``kind`` overrides what the name and text say."""
    text = decode_source(data, name=name, where=where, kind=kind)
    converted = CONVERTERS[text.kind](text.text, where=where, hints=hints, base_url=base_url)
    body = _tidy(converted.markdown)
    _require_policy_text(body, where)
    check_body(body, where=where)  # a body the engine and the renderer take in bounded time
    repairs = _mojibake_report(text, body) + converted.repairs
    return Article(title=hints.title or converted.title or opening_heading(body), url=converted.url,
                   body=body, stated=converted.stated, meta=converted.meta, repairs=repairs,
                   sha256=text.sha256, name_title=title_from_name(name))


@dataclass(frozen=True)
class Converted:
    """A source's text as a Markdown article, before tidying (what every converter gives)."""

    title: str | None
    url: str | None
    markdown: str
    stated: StatedDate | None
    meta: dict
    repairs: Counter


def _from_html(text: str, *, where: str, hints: Hints, base_url: str | None) -> Converted:
    from policydocs.ingest.html import html_to_article  # BeautifulSoup: only when a page needs it

    html = html_to_article(text, where=where, base_url=base_url)
    repairs = Counter({"footnotes converted to Markdown footnotes": html.footnotes} if html.footnotes else {})
    return Converted(html.title, html.url, html.markdown, html.stated, {}, repairs)


def _from_markdown(text: str, *, where: str, hints: Hints, base_url: str | None) -> Converted:
    md = markdown_to_article(text, where=where)
    return Converted(md.title, None, md.markdown, md.stated, md.meta, md.repairs)


def _from_text(text: str, *, where: str, hints: Hints, base_url: str | None) -> Converted:
    flat = text_to_article(text, hints)
    return Converted(flat.title, None, flat.markdown, flat.stated, {}, flat.repairs)


CONVERTERS = {"html": _from_html, "markdown": _from_markdown, "text": _from_text}


class NoPolicyText(UserError):
    """A source that holds no policy text (only headings, markup or navigation)."""


def _require_policy_text(body: str, where: str) -> None:
    if not _TEXT_LINE.search(body):
        raise NoPolicyText(f"{where}: no policy text found (only headings, markup or site navigation)")


def _mojibake_report(text: SourceText, body: str) -> Counter:
    repairs: Counter = Counter()
    if text.mojibake_repaired:
        repairs["mojibake sequences repaired (ftfy)"] = text.mojibake_repaired
    maybe = "Â" in body or "Ã" in body or "â" in body  # (speedup) str.find is C
    leftover = len(_LEFTOVER_MOJIBAKE.findall(body)) if maybe else 0
    if leftover:
        repairs["mojibake sequences left unrepaired (check the text)"] = leftover
    return repairs


def title_from_name(name: str) -> str:
    """A file name in words, the title of a text that has none: "Cookie-Policy.md" →
    "Cookie Policy", "privacy/index.md" → "Privacy" (an index page is its folder's)."""
    parts = [p for p in name.split("/") if p]
    stem = parts[-1].rsplit(".", 1)[0] if "." in parts[-1] else parts[-1]
    if stem.lower() in markdown_rules().page_index_names and len(parts) > 1:
        stem = parts[-2]
    words = " ".join(stem.replace("_", " ").replace("-", " ").split())
    return words[:1].upper() + words[1:] if words.islower() else words


def _tidy(body: str) -> str:
    """No trailing whitespace (but a Markdown hard line break, two spaces before the
    next line of a paragraph: "Automattic Inc.  " over its street), no runs of blank
    lines, one final newline."""
    lines = body.split("\n")
    tidy = [line.rstrip() for line in lines]
    if "  \n" in body:  # (speedup) only then look for hard breaks
        for i in [i for i, line in enumerate(lines[:-1]) if line[-2:] == "  "]:
            if tidy[i] and tidy[i + 1]:
                tidy[i] += "  "
    return _BLANK_LINES.sub("\n\n", "\n".join(tidy)).strip("\n") + "\n"


def _existing_versions(store_root: Path, policy_id: str) -> tuple[Version, ...]:
    folder = store_root / policy_id
    if not folder.is_dir():
        return ()
    versions = []
    for path in sorted(folder.glob("*.md")):
        text = read_text_file(path, store_file=True)
        versions.append(parse_version(text, policy_id=policy_id, version_id=path.stem, path=path,
                                      where=str(path)))
    return tuple(versions)


def _decide_date(source: Path, stated: StatedDate | None, effective: str | None,
                 date_basis: str | None) -> tuple[str, str, str | None]:
    """(version id, date basis, stated_date): the text's own date wins; never invent one."""
    if stated and effective and effective != stated.iso:
        if date_basis != "observed":
            raise UserError(
                f"{source}: the text states '{stated.phrase}' ({stated.iso}) but --effective is "
                f"{effective}; drop --effective to use the stated date, or add --date-basis observed "
                f"to record {effective} (the stated date is kept as stated_date)")
        return effective, "observed", stated.iso
    if stated:
        return stated.iso, "stated", None
    if effective:
        return effective, date_basis or "observed", None
    raise UserError(
        f"{source}: the text states no date ('Updated …', 'Effective date …'); give the date the "
        "version took effect with --effective YYYY-MM-DD (or YYYY-MM / YYYY): it is recorded as observed")


def _check_announcement(version_id: str, announced: str | None, today: dt.date) -> None:
    if announced is not None and first_day(announced) > first_day(version_id):
        raise UserError(f"--announced {announced}: after the effective date {version_id}; "
                        "a version is announced before it takes effect")
    if first_day(version_id) > today and announced is None:
        raise UserError(f"--effective {version_id}: in the future (today is {today.isoformat()}); "
                        "a future version needs --announced DATE, the day it was made public")


__all__ = ["Article", "ImportResult", "NoPolicyText", "article_from_bytes", "import_source",
           "read_article", "title_from_name"]
