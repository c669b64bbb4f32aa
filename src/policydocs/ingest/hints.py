"""Hints files: what a maintainer knows about one capture that no rule can recover.

A hints file is YAML (data, not code) beside the sources, e.g.
``sources/hints/003_0cab994cbb3c20f8.yml``::

    headings: [Model outputs, "### Compliance"]   # these blocks are headings ("###": level 3)
    not_headings: [GDPR]                           # short blocks that are not headings
    list_items: [GDPR, "CCPA and other"]           # blocks (or their start) that are list items
    breaks: ["GDPR|CCPA"]                          # a lost line break where '|' is
    drop: [Quick links]                            # page furniture inside the article
    links: {Visit our trust portal: "https://trust.openai.com/"}  # a call to action: a link
    drop_spans: [{from: Featured roles, to: Apply now}]   # first 'from' to last 'to'
    tables:                                        # a flattened table and its rows
      - text: "API inputs and outputsFine-tuning ..."
        rows: [["", "API inputs and outputs", ...], ["Ownership ...", "Customer", ...]]

Texts are matched after mojibake repair, as they read in the repaired capture.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from policydocs.errors import UserError
from policydocs.store import read_text_file, safe_yaml_load, unknown_keys, web_url_problem

HINT_KEYS = ("title", "headings", "not_headings", "list_items", "breaks", "drop", "drop_spans", "tables",
             "links")


@dataclass(frozen=True)
class Table:
    text: str
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class Hints:
    title: str | None = None
    headings: tuple[str, ...] = ()
    not_headings: tuple[str, ...] = ()
    list_items: tuple[str, ...] = ()
    breaks: tuple[str, ...] = ()
    drop: tuple[str, ...] = ()
    drop_spans: tuple[tuple[str, str], ...] = ()
    tables: tuple[Table, ...] = ()
    links: tuple[tuple[str, str], ...] = ()  # (text, URL): a capture's call-to-action links

    def heading_level(self, text: str) -> int | None:
        for entry in self.headings:
            hashes, _, name = entry.partition(" ") if entry.startswith("#") else ("##", "", entry)
            if name == text:
                return len(hashes)
        return None

    @property
    def heading_texts(self) -> tuple[str, ...]:
        return tuple(h.partition(" ")[2] if h.startswith("#") else h for h in self.headings)


def load_hints(path: Path | None) -> Hints:
    if path is None:
        return Hints()
    where = str(path)
    data = safe_yaml_load(read_text_file(Path(path), where=where), where=where) or {}
    if not isinstance(data, dict):
        raise UserError(f"{where}: a hints file must be a mapping ({', '.join(HINT_KEYS)})")
    unknown = unknown_keys(data, HINT_KEYS)
    if unknown:
        raise UserError(f"{where}: unknown key(s) {unknown}; allowed: {', '.join(HINT_KEYS)}")

    def strings(key: str) -> tuple[str, ...]:
        value = data.get(key) or []
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            raise UserError(f"{where}: '{key}' must be a list of texts")
        return tuple(value)

    def entries(key: str) -> list:
        value = data.get(key) or []
        if not isinstance(value, list):
            raise UserError(f"{where}: '{key}' must be a list")
        return value

    spans = []
    for span in entries("drop_spans"):
        if not (isinstance(span, dict) and isinstance(span.get("from"), str) and isinstance(span.get("to"), str)):
            raise UserError(f"{where}: each of 'drop_spans' needs 'from' and 'to' texts")
        spans.append((span["from"], span["to"]))
    tables = []
    for table in entries("tables"):
        rows = table.get("rows") if isinstance(table, dict) else None
        if not (isinstance(table, dict) and isinstance(table.get("text"), str) and isinstance(rows, list)
                and rows and all(isinstance(r, list) and len(r) == len(rows[0]) for r in rows)):
            raise UserError(f"{where}: each of 'tables' needs 'text' and 'rows' (lists of equal length)")
        tables.append(Table(text=table["text"], rows=tuple(tuple(str(c) for c in r) for r in rows)))
    title = data.get("title")
    if title is not None and not isinstance(title, str):
        raise UserError(f"{where}: 'title' must be text")
    links = data.get("links") or {}
    if not isinstance(links, dict) or not all(isinstance(t, str) and t for t in links):
        raise UserError(f"{where}: 'links' must map each link's text to its address")
    for text, url in links.items():
        problem = web_url_problem(url, f"links: {text}")
        if problem:
            raise UserError(f"{where}: {problem}")
    return Hints(title=title, headings=strings("headings"), not_headings=strings("not_headings"),
                 list_items=strings("list_items"), breaks=strings("breaks"), drop=strings("drop"),
                 drop_spans=tuple(spans), tables=tuple(tables), links=tuple(links.items()))
