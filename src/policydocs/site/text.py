"""Policy text → safe HTML: the one place where a policy body meets a Markdown renderer.

A policy body is data, not page source: raw HTML in it must show as text and no
link or image in it may run script. So the body is rendered here with one shared
Python-Markdown instance whose raw-HTML handling is switched off, and whose links
are checked against an allow-list of schemes, instead of going through the
site's own Markdown (which would honour raw HTML and ``{: onclick=...}``
attribute lists). One instance, reset between bodies, keeps large builds fast.
"""

from __future__ import annotations

import html
import re
import threading
from xml.etree.ElementTree import Element

import markdown
from markdown.treeprocessors import Treeprocessor

SAFE_SCHEMES = ("http:", "https:", "mailto:", "tel:", "#")
_SCHEME_RE = re.compile(r"^\s*([a-zA-Z][a-zA-Z0-9+.-]*):")


def is_safe_url(url: str) -> bool:
    """Links with no scheme (relative) or an allowed one; ``javascript:``/``data:`` are not."""
    cleaned = "".join(ch for ch in html.unescape(url) if ch.isprintable() and not ch.isspace())
    if cleaned.startswith("#") or not _SCHEME_RE.match(cleaned):
        return not cleaned.lower().startswith(("//",))
    return cleaned.lower().startswith(SAFE_SCHEMES)


class _InertLinks(Treeprocessor):
    """Drop unsafe ``href``/``src`` values and every event-handler attribute."""

    def run(self, root: Element) -> None:
        for el in root.iter():
            for attr in list(el.attrib):
                value = el.attrib[attr]
                if attr.lower().startswith("on"):
                    del el.attrib[attr]
                elif attr in ("href", "src") and not is_safe_url(value):
                    el.attrib[attr] = "#unsafe-link-removed"
                    el.set("title", f"unsafe link removed: {value}")
            if el.tag == "a" and el.get("href", "").startswith(("http:", "https:")):
                el.set("rel", "nofollow noopener")


class PolicyMarkdown:
    """A reusable, thread-safe renderer for policy bodies."""

    def __init__(self) -> None:
        self._md = markdown.Markdown(
            extensions=["tables", "sane_lists", "toc", "footnotes"],
            extension_configs={"toc": {"permalink": False},
                               "footnotes": {"UNIQUE_IDS": True, "BACKLINK_TITLE": "Back to the text"}},
            output_format="html",
        )
        # No raw HTML: blocks and inline tags fall through to the serializer, which escapes them.
        self._md.preprocessors.deregister("html_block")
        self._md.inlinePatterns.deregister("html")
        self._md.treeprocessors.register(_InertLinks(self._md), "policydocs_inert_links", 0)
        self._lock = threading.Lock()

    def render(self, body: str) -> str:
        with self._lock:
            self._md.reset()
            return self._md.convert(body)


_DEFAULT: PolicyMarkdown | None = None


def render_policy_body(body: str) -> str:
    """The body as escaped, script-free HTML (one renderer per process)."""
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = PolicyMarkdown()
    return _DEFAULT.render(body)


def split_title(body_html: str) -> tuple[str | None, str]:
    """A rendered body's leading ``<h1>`` and the rest: the policy's own title
    becomes the page heading instead of standing under a second copy of it."""
    stripped = body_html.lstrip()
    if stripped.startswith("<h1") and "</h1>" in stripped:
        end = stripped.index("</h1>") + len("</h1>")
        heading = stripped[:end]
        inner = heading[heading.index(">") + 1 : -len("</h1>")]
        return inner, stripped[end:]
    return None, body_html


def esc(text: object) -> str:
    """Escape any store value (titles, summaries, URLs) for HTML text and attributes."""
    return html.escape(str(text), quote=True)
