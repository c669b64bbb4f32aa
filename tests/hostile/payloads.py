"""Hostile store values: every field a store can hold, filled with text that would run
script, break out of its context or break a parser if it were not escaped for the
place it lands in (HTML text and attributes, ``<title>``, XML, JSON, YAML).

Used by the site's hostile-field tests and by ``generate.py``, which writes the same
cases out as stores to try by hand. Nothing here is a committed binary: every case
is made from these strings.
"""

from __future__ import annotations

import json
from pathlib import Path

import yaml

# What each payload would do if it ran: tests look for these marks in the browser.
MARKS = ("__pwned", "document.title='X'")

PAYLOADS: dict[str, str] = {
    "title-breakout": "</title><img src=x onerror=\"document.title='X'\">",
    "attribute-breakout": "\"><svg onload=window.__pwned=1>",
    "single-quote-breakout": "' onmouseover='window.__pwned=1' x='",
    "script-tag": "<script>window.__pwned=1</script>",
    "pre-escaped": "&lt;script&gt;window.__pwned=1&lt;/script&gt; &amp;lt;b&amp;gt;",
    "raw-text-elements": "</textarea></style></script><script>window.__pwned=1</script>",
    "xml-cdata": "]]></summary><script>window.__pwned=1</script><!--",
    "control-characters": "tab\there\vvertical\x01start\x1b[31m\x7fdel",
    "template-syntax": "{{ 7*7 }} {% raw %} {# c #} ${7*7} #{7*7}",
    "markdown-attr-list": "[x](javascript:window.__pwned=1){: onclick=\"window.__pwned=1\" }",
    "bidi-and-bom": "\u202eevil\u202c \ufeffbom \u2028line\u2029para",
}
# A well-formed https URL that breaks out of an attribute if not escaped: published.
URL_BREAKOUT = ("https://example.org/x?a=\"><script>window.__pwned=1</script>"
                "&b='onmouseover='window.__pwned=1")
# URLs that are not web addresses: refused by ``policydocs check``, never published.
BAD_URLS = ("javascript:window.__pwned=1", " JaVaScRiPt:window.__pwned=1",
            "data:text/html,<script>window.__pwned=1</script>", "//evil.example/x",
            "vbscript:msgbox(1)", "file:///etc/passwd")

# Where store values land: (file, key path). Every one is filled in a hostile store.
REGISTRY_FIELDS = ("site_name", "policies.privacy-policy.title", "policies.privacy-policy.owner",
                   "policies.api-data-privacy.title", "policies.api-data-privacy.owner")
REGISTRY_URL_FIELDS = ("policies.privacy-policy.url", "site_url")
VERSION_FIELDS = ("title", "summary", "material_reason", "source.file", "source.repo",
                  "source.path", "source.commit", "source.sha256", "source.retrieved")
VERSION_URL_FIELDS = ("source.url",)


def _put(data: dict, dotted: str, value: str) -> None:
    *parents, last = dotted.split(".")
    for key in parents:
        data = data.setdefault(key, {})
    data[last] = value


def _front_matter(path: Path) -> tuple[dict, str]:
    text = path.read_text(encoding="utf-8")
    _, meta, body = text.split("---\n", 2)
    return yaml.safe_load(meta), body


def fill_store(root: Path, text: str, url: str = URL_BREAKOUT) -> Path:
    """The store at ``root`` (made by ``sitekit.write_store``) with every field set to
    ``text`` (URL fields to ``url``); titles keep a plain prefix so they are never empty."""
    registry_path = root / "policies.yml"
    registry = yaml.safe_load(registry_path.read_text(encoding="utf-8"))
    for field in REGISTRY_FIELDS:
        _put(registry, field, f"R {text}")
    for field in REGISTRY_URL_FIELDS:
        _put(registry, field, url)
    registry_path.write_text(yaml.safe_dump(registry, allow_unicode=False), encoding="utf-8")
    for path in sorted(root.glob("*/*.md")):
        meta, body = _front_matter(path)
        for field in VERSION_FIELDS:
            _put(meta, field, f"V {text}")
        for field in VERSION_URL_FIELDS:
            _put(meta, field, url)
        if "material" not in meta:
            meta.pop("material_reason", None)
        path.write_text("---\n" + yaml.safe_dump(meta, allow_unicode=False, sort_keys=False)
                        + "---\n" + body, encoding="utf-8")
    return root


def describe() -> str:
    """The cases as JSON (what ``generate.py --list`` prints)."""
    return json.dumps({"payloads": PAYLOADS, "url_breakout": URL_BREAKOUT, "bad_urls": BAD_URLS,
                       "fields": REGISTRY_FIELDS + REGISTRY_URL_FIELDS
                       + tuple(f"<version>.{f}" for f in VERSION_FIELDS + VERSION_URL_FIELDS)},
                      indent=2, ensure_ascii=True)
