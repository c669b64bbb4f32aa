"""What a reviewer reads on a pull request (issue #13): every version added or
changed since a git ref, its verdict with the material changes in plain words,
the draft notice, links to the redline, and what ``check --against REF`` says.

Pure reading: nothing is written. The Markdown fits one GitHub comment (under
`COMMENT_LIMIT` characters): long lists sit in ``<details>``, and past the limit
the text is cut with a link to the full redline.
"""

from __future__ import annotations

import datetime as dt
import subprocess
from dataclasses import dataclass
from pathlib import Path

from policydocs.comparisons import compare_versions, previous_pair
from policydocs.site.model import compare_export_uri
from policydocs.errors import UserError
from policydocs.store import Problem, Store, Version, _published_tree, immutability_problems, load_store

COMMENT_LIMIT = 65_536  # GitHub's limit on a comment or pull request body
MARGIN = 1_024  # room for the truncation line
SHOWN_CHANGES = 10  # material changes listed in the open; the rest in <details>
CHANGE_CHARS = 400


@dataclass(frozen=True)
class MaterialChange:
    """One material change in plain words: before → after, and why it matters."""

    id: str
    section: str
    before: str
    after: str
    why: str


@dataclass(frozen=True)
class Reviewed:
    """One version added or changed on the branch, with what a reviewer needs of it."""

    ref: str
    policy: str
    title: str
    state: str  # added | changed
    old_ref: str | None
    old_date: str | None
    new_date: str
    verdict: str  # material | editorial | first version | same text
    changes: tuple[MaterialChange, ...]
    other_changes: int
    notice: str
    compare_url: str | None
    downloads: tuple[tuple[str, str], ...] = ()  # (format, URL) of the compare page's Word/PDF redlines


@dataclass(frozen=True)
class Review:
    base: str
    versions: tuple[Reviewed, ...]
    problems: tuple[Problem, ...]
    note: str | None = None

    def as_dict(self) -> dict:
        return {
            "base": self.base,
            "versions": [{
                "ref": v.ref, "policy": v.policy, "title": v.title, "state": v.state,
                "compared_with": v.old_ref, "old_date": v.old_date, "new_date": v.new_date,
                "verdict": v.verdict, "compare_url": v.compare_url, "other_changes": v.other_changes,
                "downloads": {fmt: url for fmt, url in v.downloads},
                "material_changes": [{"id": c.id, "section": c.section, "before": c.before,
                                      "after": c.after, "why": c.why} for c in v.changes],
                "notice": v.notice,
            } for v in self.versions],
            "check": [str(p) for p in self.problems],
            "note": self.note,
        }


def default_base(root: Path) -> str:
    """``origin/main`` when the repository has it (a pull request's target), else HEAD."""
    try:
        subprocess.run(["git", "rev-parse", "--verify", "--quiet", "origin/main^{commit}"],
                       cwd=Path(root).resolve() if Path(root).is_dir() else None, check=True,
                       capture_output=True, timeout=30)
    except (subprocess.CalledProcessError, FileNotFoundError, subprocess.TimeoutExpired, OSError):
        return "HEAD"
    return "origin/main"


def changed_versions(store: Store, base: str) -> list[tuple[Version, str]]:
    """The versions whose files differ from ``base`` (added or changed), in store order."""
    tree, _note = _published_tree(store.root, base)
    out = []
    for version in store.all_versions():
        rel = f"{version.policy_id}/{version.version_id}.md"
        try:
            blob = tree / rel if tree is not None else None
        except KeyError:
            blob = None
        if blob is None:
            out.append((version, "added"))
        elif version.path is not None and blob.data_stream.read() != version.path.read_bytes():
            out.append((version, "changed"))
    return out


def build_review(store_root: Path, base: str | None = None, *, site_url: str = "",
                 today: dt.date | None = None, exports: tuple[str, ...] = ("docx", "pdf")) -> Review:
    """Everything the review says, decided before anything is rendered."""
    from policydocs.materiality import load_rules
    from policydocs.notices import notice_markdown, notice_period_problems
    from policydocs.store import today_from_env

    base = base or default_base(store_root)
    store, problems = load_store(store_root)
    rules = load_rules(store)
    try:
        immutable, note = immutability_problems(store_root, base)
    except UserError as exc:
        raise UserError(str(exc).replace("--against", "--base", 1)) from None
    problems = [*problems, *immutable, *notice_period_problems(store, rules, today or today_from_env())]
    site_url = site_url or store.settings.site_url or ""
    reviewed = []
    for version, state in changed_versions(store, base):
        reviewed.append(_review_version(store, version, state, rules, site_url, notice_markdown, exports))
    return Review(base=base, versions=tuple(reviewed), problems=tuple(problems), note=note)


def _review_version(store: Store, version: Version, state: str, rules, site_url: str,
                    notice_markdown, exports: tuple[str, ...] = ()) -> Reviewed:
    pair = previous_pair(store, version)
    comparison = compare_versions(pair.old, pair.new, rules) if pair else None
    if comparison is None:
        verdict = "first version"
    elif comparison.identical:
        verdict = "same text"
    else:
        verdict = "material" if comparison.material else "editorial"
    material = [c for c in comparison.changes if c.material] if comparison else []
    changes = tuple(MaterialChange(
        id=c.id, section=" › ".join(c.section), before=_clip(c.old_text), after=_clip(c.new_text),
        why=c.reasons[0].explanation if c.reasons else "marked material by the publisher")
        for c in material)
    url = f"{site_url.rstrip('/')}/compare/{pair.slug}/" if pair else None
    downloads = tuple((fmt, f"{site_url.rstrip('/')}/{compare_export_uri(pair.slug, pair.old.ref, pair.new.ref, fmt)}")
                      for fmt in exports) if pair and site_url else ()
    return Reviewed(
        ref=version.ref, policy=version.policy_id, title=version.title, state=state,
        old_ref=pair.old.ref if pair else None, old_date=pair.old.legal_date if pair else None,
        new_date=version.legal_date, verdict=verdict, changes=changes,
        other_changes=len(comparison.changes) - len(material) if comparison else 0,
        notice=notice_markdown(store, version, rules, site_url=site_url), compare_url=url, downloads=downloads)


def _clip(text: str, limit: int = CHANGE_CHARS) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0] + " …"


def _quote(text: str) -> str:
    return f"“{text}”" if text else "(nothing)"


def render_markdown(review: Review) -> str:
    """The review as one GitHub comment: under `COMMENT_LIMIT`, cut with a link to
    the full redline when a branch changes more than a comment holds."""
    head = ["## policydocs review", "",
            f"{len(review.versions)} version(s) added or changed since `{review.base}`.", ""]
    check = ["### check --against " + review.base, ""]
    if review.problems:
        check += [f"**{len(review.problems)} problem(s): fix them before merging.**", ""]
        check += [f"- ❌ `{p}`" for p in review.problems]
    else:
        check += ["✅ no problems: published versions unchanged, notice periods kept."]
    if review.note:
        check += ["", f"_{review.note}_"]
    check.append("")
    sections = [_version_markdown(v) for v in review.versions]
    text = "\n".join(head + check) + "\n" + "".join(sections)
    if len(text) <= COMMENT_LIMIT:
        return text
    return _truncated(head + check, sections, review)


def _truncated(head: list[str], sections: list[str], review: Review) -> str:
    text = "\n".join(head) + "\n"
    budget = COMMENT_LIMIT - MARGIN
    left = []
    for section, version in zip(sections, review.versions):
        if len(text) + len(section) <= budget:
            text += section
        else:
            left.append(version)
    links = ", ".join(f"[{v.ref}]({v.compare_url})" if v.compare_url else v.ref for v in left[:20])
    more = f" and {len(left) - 20} more" if len(left) > 20 else ""
    text += (f"\n**Review cut to fit a GitHub comment: {len(left)} version(s) not shown; "
             f"read the full redline: {links}{more}.**\n")
    return text[:COMMENT_LIMIT]


def _version_markdown(v: Reviewed) -> str:
    lines = [f"### {v.title} — `{v.ref}` ({v.state})", ""]
    if v.old_ref:
        lines.append(f"- **Dates:** {v.old_date} → {v.new_date} (compared with `{v.old_ref}`)")
    else:
        lines.append(f"- **Date:** {v.new_date}")
    label = {"material": "**material change**", "editorial": "editorial only (no material change)",
             "first version": "first version (nothing to compare with)",
             "same text": "same text as the previous version"}[v.verdict]
    lines.append(f"- **Verdict:** {label}")
    if v.compare_url:
        lines.append(f"- **Redline:** [{v.compare_url}]({v.compare_url})")
    if v.downloads:
        names = {"docx": "Word, with tracked changes", "pdf": "PDF"}
        lines.append("- **Downloads:** " + " · ".join(f"[{names.get(fmt, fmt)}]({url})" for fmt, url in v.downloads))
    lines.append("")
    shown, rest = v.changes[:SHOWN_CHANGES], v.changes[SHOWN_CHANGES:]
    if shown:
        lines += ["**Material changes**", ""]
        lines += [_change_line(c) for c in shown]
        lines.append("")
    if rest:
        lines += [f"<details><summary>{len(rest)} more material change(s)</summary>", ""]
        lines += [_change_line(c) for c in rest]
        lines += ["", "</details>", ""]
    if v.other_changes:
        lines += [f"{v.other_changes} other (editorial or immaterial) change(s): see the redline.", ""]
    if v.notice:
        lines += ["<details><summary>Draft notice</summary>", "", v.notice.rstrip(), "", "</details>", ""]
    else:
        lines += ["No notice: the version has no material change, so nothing is announced.", ""]
    return "\n".join(lines) + "\n"


def _change_line(c: MaterialChange) -> str:
    """The rule's plain-words explanation, then the exact words before → after."""
    return f"- {c.why} — words: {_quote(c.before)} → {_quote(c.after)}"


__all__ = ["COMMENT_LIMIT", "Review", "Reviewed", "build_review", "default_base", "render_markdown"]

