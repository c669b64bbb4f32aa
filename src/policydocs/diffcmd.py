"""``policydocs diff``: resolve two arguments to bodies, compare, render.

Kept out of cli.py so the command stays a thin wrapper; it runs the same flow as
every other consumer (compare → materiality) on files or store refs.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path

from policydocs import materiality
from policydocs.compare import Comparison
from policydocs.comparisons import compare_bodies, compare_versions, project_cache
from policydocs.errors import UserError
from policydocs.store import Store, Version, open_store, read_text_file, split_front_matter

MAX_BYTES = 8 * 1024 * 1024  # beyond this, refuse rather than make the user wait


@dataclass(frozen=True)
class Side:
    """One side of a diff: where it came from, its title and its body."""

    ref: str
    title: str | None
    body: str
    version: Version | None = None  # set for store refs: its override applies


class _Resolver:
    """Files are read as they are; ``policy@version`` refs open the store once."""

    def __init__(self, store_root: Path) -> None:
        self.store_root = store_root
        self.store: Store | None = None

    def side(self, arg: str) -> Side:
        path = Path(arg)
        if path.exists() or "@" not in arg:
            if path.is_file() and path.stat().st_size > MAX_BYTES:
                size = path.stat().st_size / 1024 / 1024
                raise UserError(f"{arg}: {size:.1f} MB is over the {MAX_BYTES // 1024 // 1024} MB "
                                "compare limit; split the document and compare the parts")
            text = read_text_file(path, where=arg)
            meta, body = split_front_matter(text, where=arg)
            title = meta.get("title") if isinstance(meta.get("title"), str) else None
            return Side(arg, title, body)
        if self.store is None:
            self.store = open_store(self.store_root)
        version = self.store.resolve(arg)
        return Side(version.ref, version.title, version.body, version)


def run_diff(old_arg: str, new_arg: str, fmt: str, color: str, store_root: Path) -> tuple[str, bool]:
    """The rendered output and whether the two bodies are identical."""
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
    use_color = color == "always" or (color == "auto" and sys.stdout.isatty())
    header = f"--- {old.ref}\n+++ {new.ref}\n"
    return header + redline.render_text(comparison, use_color), comparison.identical
