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
from markdown.treeprocessors import InlineProcessor, Treeprocessor

from policydocs.memo import memoised

SAFE_SCHEMES = ("http:", "https:", "mailto:", "tel:", "#")
_SCHEME_RE = re.compile(r"^\s*([a-zA-Z][a-zA-Z0-9+.-]*):")


@memoised("site: safe links", 4096)
def is_safe_url(url: str) -> bool:
    """Links with no scheme (relative) or an allowed one; ``javascript:``/``data:`` are not.
    Remembered by the link: every version of a policy carries the same links."""
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


# What each inline pattern's match must contain: a text without it cannot match.
INLINE_NEEDS = {
    "backtick": ("`",), "escape": ("\\",), "footnote": ("[^",), "reference": ("[",), "link": ("[",),
    "image_link": ("![",), "image_reference": ("![",), "short_reference": ("[",),
    "short_image_ref": ("![",), "autolink": ("<",), "automail": ("<",), "linebreak": ("  \n",),
    "entity": ("&",), "em_strong": ("*", "_"),
}


class _QuickInline(InlineProcessor):
    """Python-Markdown's inline step, skipping the patterns a text cannot match.

    The stock step searches every text for each of its 14 patterns, most of them in
    vain (a plain sentence has no backtick, bracket, ``<``, ``&``, ``*`` or ``_``):
    that was half of a policy's render. A pattern is tried only on a text holding
    what its match must contain (`INLINE_NEEDS`), so the tree, and the HTML, are
    exactly the stock step's."""

    def __init__(self, md: markdown.Markdown) -> None:
        super().__init__(md)
        self._needs = {md.inlinePatterns[name]: needs for name, needs in INLINE_NEEDS.items()}
        self._any = re.compile("|".join(sorted({re.escape(n) for ns in INLINE_NEEDS.values() for n in ns})))

    def _InlineProcessor__handleInline(self, data: str, patternIndex: int = 0) -> str:
        if self._any.search(data) is None:
            return data
        return InlineProcessor._InlineProcessor__handleInline(self, data, patternIndex)  # type: ignore[attr-defined]

    def _InlineProcessor__applyPattern(self, pattern, data: str, patternIndex: int,
                                       startIndex: int = 0) -> tuple[str, bool, int]:
        if not any(need in data for need in self._needs[pattern]):
            return data, False, 0  # what the stock step returns when nothing matches
        return InlineProcessor._InlineProcessor__applyPattern(  # type: ignore[attr-defined]
            self, pattern, data, patternIndex, startIndex)


class PolicyMarkdown:
    """A reusable, thread-safe renderer for policy bodies (``quick_inline=False``:
    with the stock inline step, which the tests hold the quick one to)."""

    def __init__(self, quick_inline: bool = True) -> None:
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
        patterns = self._md.inlinePatterns
        if quick_inline and len(patterns) == len(INLINE_NEEDS) and all(n in patterns for n in INLINE_NEEDS):
            self._md.treeprocessors.register(_QuickInline(self._md), "inline", 20)  # stock's place
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
