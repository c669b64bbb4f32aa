"""``policydocs diff``: resolve two arguments to bodies, compare, render.

Kept out of cli.py so the command stays a thin wrapper; it runs the same flow as
every other consumer (compare → materiality) on files or store refs.
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path

from policydocs import materiality
from policydocs.compare import Comparison
from policydocs.comparisons import compare_bodies, compare_versions, project_cache
from policydocs.errors import UserError
from policydocs.limits import COMPARE_TOO_LARGE, MAX_COMPARE_BYTES
from policydocs.store import (
    POLICIES_FILE, Store, Version, check_body, open_store, policy_id_problem, read_text_file,
    split_front_matter,
)


@dataclass(frozen=True)
class Side:
    """One side of a diff: where it came from, its title and its body."""

    ref: str
    title: str | None
    body: str
    version: Version | None = None  # set for store refs: its override applies


class _Resolver:
    """An existing file is read as it is; otherwise ``policy@version`` or a bare
    ``policy`` (its newest version) is looked up in the store, opened once."""

    def __init__(self, store_root: Path) -> None:
        self.store_root = store_root
        self.store: Store | None = None

    def side(self, arg: str) -> Side:
        bare_id = "@" not in arg and policy_id_problem(arg) is None
        if os.path.lexists(arg) or not (bare_id or "@" in arg):
            return _file_side(arg)
        if bare_id and not os.path.lexists(self.store_root / POLICIES_FILE):
            raise UserError(f"{arg}: no such file (and no policy store at {self.store_root} "
                            "to look up a policy of that name)")
        if self.store is None:
            self.store = open_store(self.store_root)
        if bare_id and arg not in self.store.policies:
            known = ", ".join(self.store.policies) or "none"
            raise UserError(f"{arg}: no such file, nor a policy in {self.store_root / POLICIES_FILE} "
                            f"(known: {known})")
        version = self.store.resolve(arg)
        return Side(version.ref, version.title, version.body, version)


def _file_side(arg: str) -> Side:
    """A file to compare: refused past `MAX_COMPARE_BYTES` while it is read, rather than
    make the user wait; its front matter is set aside."""
    text = read_text_file(Path(arg), where=arg, limit=MAX_COMPARE_BYTES, too_large=COMPARE_TOO_LARGE)
    meta, body = split_front_matter(text, where=arg)
    check_body(body, where=arg)
    title = meta.get("title") if isinstance(meta.get("title"), str) else None
    return Side(arg, title, body)


def run_diff(old_arg: str, new_arg: str, fmt: str, color: str, store_root: Path) -> tuple[str | bytes, bool]:
    """The rendered output (bytes for the docx and pdf exports) and whether the two
    bodies are identical."""
    from policydocs import redline

    resolver = _Resolver(store_root)
    old, new = resolver.side(old_arg), resolver.side(new_arg)
    rules = materiality.load_rules(resolver.store)
    cache = project_cache(store_root)  # the site's cache: files are keyed by their bodies too
    comparison: Comparison
    if old.version is not None and new.version is not None:
        # the same path as the site and notices: the new version's override applies
        comparison = compare_versions(old.version, new.version, rules, cache=cache)
    else:
        comparison = compare_bodies(old.body, new.body, rules, cache)
    if fmt == "json":
        doc = comparison.to_json({"ref": old.ref, "title": old.title}, {"ref": new.ref, "title": new.title})
        return json.dumps(doc, ensure_ascii=False, indent=1) + "\n", comparison.identical
    if fmt == "html":
        return redline.render_html_page(comparison, old.ref, new.ref), comparison.identical
    if fmt in ("docx", "pdf"):
        from policydocs.exports import export

        return export(fmt, comparison, old, new), comparison.identical
    use_color = color == "always" or (color == "auto" and sys.stdout.isatty())
    header = f"--- {old.ref}\n+++ {new.ref}\n"
    return header + redline.render_text(comparison, use_color), comparison.identical

