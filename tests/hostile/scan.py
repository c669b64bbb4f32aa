"""What a built site must never contain, whatever the store holds: read every page
the way a browser's parser would (lxml's HTML parser) and list what could run."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

from lxml import html as lxml_html

URL_ATTRIBUTES = ("href", "src", "action", "formaction", "xlink:href", "poster", "data")
ACTIVE_SCHEMES = re.compile(r"^\s*(javascript|vbscript|data):", re.IGNORECASE)
FORBIDDEN_TAGS = {"iframe", "object", "embed", "base", "frame", "frameset"}
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def script_risks(site: Path, marks: tuple[str, ...]) -> list[str]:
    """Every ``on*`` attribute, active-scheme URL, foreign element, script from
    elsewhere, or inline script carrying one of ``marks``, as ``page: what``."""
    risks = []
    for page in sorted(site.rglob("*.html")):
        rel = page.relative_to(site).as_posix()
        doc = lxml_html.fromstring(page.read_bytes())
        for el in doc.iter():
            if not isinstance(el.tag, str):
                continue
            tag = el.tag.lower()
            for name, value in el.attrib.items():
                if name.lower().startswith("on"):
                    risks.append(f"{rel}: <{tag} {name}=...>")
                elif name.lower() in URL_ATTRIBUTES and ACTIVE_SCHEMES.match(value):
                    risks.append(f"{rel}: <{tag} {name}={value[:40]!r}>")
            if tag in FORBIDDEN_TAGS:
                risks.append(f"{rel}: <{tag}>")
            if tag == "meta" and (el.get("http-equiv") or "").lower() == "refresh":
                risks.append(f"{rel}: <meta http-equiv=refresh>")
            if tag == "script":
                src = el.get("src")
                if src is not None and (re.match(r"^\s*([a-z]+:|//)", src, re.I)):
                    risks.append(f"{rel}: script from {src[:60]}")
                text = el.text or ""
                if any(mark in text for mark in marks):
                    risks.append(f"{rel}: injected inline script {text[:60]!r}")
    return risks


def unreadable_data_files(site: Path) -> list[str]:
    """Feeds that are not well-formed XML and JSON files that do not parse."""
    bad = []
    for path in sorted(site.rglob("*.xml")):
        try:
            ET.parse(path)
        except ET.ParseError as exc:
            bad.append(f"{path.relative_to(site)}: {exc}")
    for path in sorted(site.rglob("*.json")):
        try:
            json.loads(path.read_text(encoding="utf-8"))
        except ValueError as exc:
            bad.append(f"{path.relative_to(site)}: {exc}")
    return bad


def visible(text: str) -> str:
    """Text as a reader sees it: no control characters, whitespace collapsed."""
    return " ".join(CONTROL.sub("", text).split())


def page_title(page: Path) -> str:
    title = lxml_html.fromstring(page.read_bytes()).find(".//title")
    return visible(title.text_content()) if title is not None else ""
