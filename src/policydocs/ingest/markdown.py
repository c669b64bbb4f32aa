"""A Markdown source → its policy text, without what else a publisher's page file holds.

A policy repository's Markdown files are pages of the publisher's own site
(Jekyll, Hugo, MkDocs ...), so besides the policy they hold:

- **front matter** (``---`` YAML or ``+++`` TOML): page metadata. ``title`` is
  the version's title; the keys in ``data/markdown.yml`` are read, every other
  key (``layout``, ``permalink`` ...) is dropped — the store has no place for
  it (`policydocs.store.SOURCE_KEYS` is fixed) and it is never body text. Front
  matter that does not parse is refused: guessing would lose text or keep
  metadata as text.
- **HTML comments** (``<!-- markdownlint-disable -->``, notes to editors):
  dropped and counted.
- **template code** of the site generator (Liquid ``{% ... %}``): a loop's text
  comes from site data that is not in the file, so the loop goes; a link whose
  target is a template (``[contact us]({{ site.email_support }})``) keeps its
  text; an image whose source is one goes; other tags go.
- **pictures** (``<figure>``, ``<img>``): illustrations, not text; dropped (the
  text of a ``<figcaption>`` stays).
- **raw HTML**: the site shows raw HTML in a policy as text, never as markup,
  so a block of it (``<dl>``, ``<p class=...>``) is converted to Markdown by
  the HTML importer's converter, and inline tags become Markdown (``<a href>``
  a link, ``<strong>`` ``**``) or lose their tags (``<span>``).

`markdown_to_article` runs these steps in that order, outside fenced code
blocks, and counts what each did. Setext headings (``Title`` over ``-----``)
are headings: the opening heading of either kind is the title.
"""

from __future__ import annotations

import functools
import html
import re
import tomllib
from collections import Counter
from dataclasses import dataclass
from typing import Any, Callable

from policydocs.errors import UserError
from policydocs.ingest.dates import StatedDate, find_stated_date
from policydocs.ingest.vocab import read_data
from policydocs.store import safe_yaml_load


@dataclass(frozen=True)
class MarkdownArticle:
    """A Markdown source's policy text, title, stated date and front matter keys read."""

    title: str | None
    markdown: str
    stated: StatedDate | None
    meta: dict[str, Any]
    repairs: Counter


@dataclass(frozen=True)
class MarkdownRules:
    """``data/markdown.yml``, compiled once."""

    front_matter_keys: frozenset[str]
    block_start: re.Pattern[str]
    pictures: re.Pattern[str]
    void_pictures: re.Pattern[str]
    strong: re.Pattern[str]
    emphasis: re.Pattern[str]
    unwrap: re.Pattern[str]
    any_inline: re.Pattern[str]
    any_tag: re.Pattern[str]  # (speedup) one scan says whether convert_raw_html has work
    page_index_names: frozenset[str]
    markdown_suffixes: tuple[str, ...]
    html_suffixes: tuple[str, ...]


@functools.cache
def markdown_rules() -> MarkdownRules:
    data = read_data("markdown.yml")
    inline = data["html_inline"]

    def names(tags: list[str]) -> str:
        return "|".join(re.escape(t) for t in tags)

    pictures = names(data["html_picture_tags"])
    inline_tags = inline["strong"] + inline["emphasis"] + inline["unwrap"]
    return MarkdownRules(
        front_matter_keys=frozenset(data["front_matter_keys"]),
        block_start=re.compile(rf"^[ \t]{{0,3}}</?(?:{names(data['html_block_tags'])})(?=[\s/>])", re.I),
        pictures=re.compile(rf"<({pictures})\b[^>]*>.*?</\1\s*>", re.I | re.S),
        void_pictures=re.compile(rf"</?(?:{pictures})\b[^>]*>", re.I),
        strong=re.compile(rf"<({names(inline['strong'])})\b[^>]*>(.*?)</\1\s*>", re.I | re.S),
        emphasis=re.compile(rf"<({names(inline['emphasis'])})\b[^>]*>(.*?)</\1\s*>", re.I | re.S),
        unwrap=re.compile(rf"</?(?:{names(inline['unwrap'])})\b[^>]*>", re.I),
        any_inline=re.compile(rf"</?(?:a|{names(inline_tags)})(?=[\s/>])", re.I),
        any_tag=re.compile(rf"</?(?:a|{names(data['html_block_tags'] + inline_tags)})(?=[\s/>])", re.I),
        page_index_names=frozenset(n.lower() for n in data["page_index_names"]),
        markdown_suffixes=tuple(data["markdown_suffixes"]),
        html_suffixes=tuple(data["html_suffixes"]),
    )


def markdown_to_article(text: str, *, where: str) -> MarkdownArticle:
    """The policy text of a Markdown source: its front matter read, then the cleaning
    steps (`CLEANING_STEPS`) run on the text outside fenced code."""
    meta, body = split_source_front_matter(text, where=where)
    repairs: Counter = Counter()
    parts = []
    for is_code, part in _code_and_prose(body):
        if not is_code:
            for step in CLEANING_STEPS:
                part = step(part, repairs)
        parts.append(part)
    body = "".join(parts)
    title = _text_title(meta.get("title")) or opening_heading(body)
    return MarkdownArticle(title=title, markdown=body, stated=find_stated_date(body),
                           meta=meta, repairs=repairs)


# --- front matter ----------------------------------------------------------------------


def split_source_front_matter(text: str, *, where: str) -> tuple[dict[str, Any], str]:
    """(the front matter keys the importer reads, the text after the front matter)."""
    first, _, rest = text.partition("\n")
    fence = first.rstrip()
    if fence not in ("---", "+++"):
        return {}, text
    closing = re.search(rf"(?m)^{re.escape(fence)}[ \t]*$", rest)
    if closing is None:
        raise UserError(f"{where}: front matter opened with '{fence}' has no closing '{fence}' line; "
                        "close it, or remove the opening line if it is not front matter")
    block, body = rest[:closing.start()], rest[closing.end():].lstrip("\n")
    data = _parse_yaml(block, where) if fence == "---" else _parse_toml(block, where)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise UserError(f"{where}: front matter must be a mapping of keys to values "
                        f"(key: value lines between the '{fence}' lines)")
    keys = markdown_rules().front_matter_keys
    return {k: v for k, v in data.items() if k in keys}, body


def _parse_yaml(block: str, where: str) -> Any:
    return safe_yaml_load(block, where=where, first_line=2)  # lines counted as in the file


def _parse_toml(block: str, where: str) -> Any:
    try:
        return tomllib.loads(block)
    except tomllib.TOMLDecodeError as exc:
        raise UserError(f"{where}: front matter: invalid TOML ({exc}); "
                        "fix the TOML between the '+++' lines") from None


def _text_title(value: Any) -> str | None:
    if isinstance(value, (str, int, float)) and str(value).strip():
        return plain_title(str(value))
    return None


# --- the cleaning steps ----------------------------------------------------------------

_FENCED = re.compile(r"(?ms)^[ ]{0,3}(`{3,}|~{3,})[^\n]*\n.*?(?:^[ ]{0,3}\1[ \t]*$|\Z)")


def _code_and_prose(text: str) -> list[tuple[bool, str]]:
    """The text cut into fenced code blocks (kept as written) and the prose between."""
    if "```" not in text and "~~~" not in text:  # (speedup)
        return [(False, text)]
    parts, last = [], 0
    for m in _FENCED.finditer(text):
        parts += [(False, text[last:m.start()]), (True, m.group(0))]
        last = m.end()
    return [*parts, (False, text[last:])]


_COMMENT = re.compile(r"<!--.*?-->", re.S)


def drop_html_comments(text: str, repairs: Counter) -> str:
    text, count = _COMMENT.subn("", text)
    if count:
        repairs["HTML comments dropped"] += count
    return text


_TEMPLATE = r"\{\{.*?\}\}|\{%.*?%\}"
_TEMPLATE_LOOP = re.compile(r"\{%-?\s*for\b(?:(?!\{%-?\s*for\b).)*?\{%-?\s*endfor\s*-?%\}", re.S)
_TEMPLATE_COMMENT = re.compile(r"\{%-?\s*comment\s*-?%\}.*?\{%-?\s*endcomment\s*-?%\}", re.S)
_TEMPLATE_LINK = re.compile(rf"(!?)\[([^\]\n]*)\]\(\s*(?:{_TEMPLATE})[^)\n]*\)")
_TEMPLATE_TAG = re.compile(r"\{%.*?%\}", re.S)
_TEMPLATE_VALUE = re.compile(r"\{\{.*?\}\}")


def drop_template_code(text: str, repairs: Counter) -> str:
    """Liquid: loops (text from site data) and tags go, template links keep their text."""
    if "{" not in text:  # (speedup)
        return text
    text, comments = _TEMPLATE_COMMENT.subn("", text)
    loops = 0
    while True:  # innermost loops first
        text, count = _TEMPLATE_LOOP.subn("", text)
        if not count:
            break
        loops += count
    links = images = 0

    def unlink(m: re.Match[str]) -> str:
        nonlocal links, images
        if m.group(1):
            images += 1
            return ""
        links += 1
        return m.group(2)

    text = _TEMPLATE_LINK.sub(unlink, text)
    text, tags = _TEMPLATE_TAG.subn("", text)
    for what, count in (("template comments dropped", comments),
                        ("template loops dropped (their text is site data, not in the file)", loops),
                        ("links to template targets kept as text", links),
                        ("images with a template source dropped", images),
                        ("template tags dropped", tags),
                        ("template values left as written (not resolvable)",
                         len(_TEMPLATE_VALUE.findall(text)))):
        if count:
            repairs[what] += count
    return text


_FIGCAPTION = re.compile(r"<figcaption\b[^>]*>(.*?)</figcaption\s*>", re.I | re.S)


def drop_pictures(text: str, repairs: Counter) -> str:
    """Figures, images and embeds go; a figure's caption text stays."""
    if "<" not in text:  # (speedup)
        return text
    rules = markdown_rules()
    count = 0

    def caption(m: re.Match[str]) -> str:
        nonlocal count
        count += 1
        return " ".join(c.strip() for c in _FIGCAPTION.findall(m.group(0)))

    text = rules.pictures.sub(caption, text)
    text, void = rules.void_pictures.subn("", text)
    if count + void:
        repairs["pictures dropped (figures, images: not text)"] += count + void
    return text


_BLANK_LINE = re.compile(r"(\n[ \t]*\n)")


def convert_raw_html(text: str, repairs: Counter) -> str:
    """Blocks of raw HTML → Markdown by the HTML converter; inline tags → Markdown."""
    rules = markdown_rules()
    if "<" not in text or not rules.any_tag.search(text):  # (speedup)
        return text
    pieces = _BLANK_LINE.split(text)
    for i in range(0, len(pieces), 2):
        block = pieces[i]
        if rules.block_start.match(block.lstrip("\n")):
            from policydocs.ingest.html import html_fragment_to_markdown  # BeautifulSoup, when needed

            pieces[i] = html_fragment_to_markdown(block).strip("\n")
            repairs["raw HTML blocks converted to Markdown"] += 1
        elif rules.any_inline.search(block):
            pieces[i], count = _inline_html(block, rules)
            if count:
                repairs["inline HTML tags converted to Markdown"] += count
    return "".join(pieces)


_LINK = re.compile(r"<a\b([^>]*)>(.*?)</a\s*>", re.I | re.S)
_HREF = re.compile(r"""\bhref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.I)


def _href(attributes: str) -> str:
    m = _HREF.search(attributes)
    return next((g for g in m.groups() if g is not None), "") if m else ""


def _inline_html(block: str, rules: MarkdownRules) -> tuple[str, int]:
    count = 0

    def link(m: re.Match[str]) -> str:
        nonlocal count
        count += 1
        href = _href(m.group(1))
        text = " ".join(m.group(2).split())
        if not text or not href:
            return text
        target = f"<{href}>" if re.search(r"[\s()<>]", href) else href
        return f"[{text}]({target})"

    def marked(marker: str) -> Callable[[re.Match[str]], str]:
        def mark(m: re.Match[str]) -> str:
            nonlocal count
            count += 1
            inner = m.group(2)
            core = inner.strip(" \t\n\xa0")
            if not core:
                return inner
            lead = inner[: len(inner) - len(inner.lstrip(" \t\n\xa0"))]
            trail = inner[len(inner.rstrip(" \t\n\xa0")):]
            return f"{lead}{marker}{core}{marker}{trail}"
        return mark

    block = _LINK.sub(link, block)
    block = rules.strong.sub(marked("**"), block)
    block = rules.emphasis.sub(marked("*"), block)
    block, unwrapped = rules.unwrap.subn("", block)
    return block, count + unwrapped


CLEANING_STEPS: tuple[Callable[[str, Counter], str], ...] = (
    drop_html_comments, drop_template_code, drop_pictures, convert_raw_html,
)


# --- the title -------------------------------------------------------------------------

_ATX = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.+?)(?:[ \t]+#+)?[ \t]*$")
_SETEXT_UNDERLINE = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_NOT_PARAGRAPH = re.compile(r"^ {0,3}([-*+>|]|\d+[.)]|#|<)")


def opening_heading(body: str) -> str | None:
    """The title heading a text opens with: level 1 or 2, ATX (``# Title``) or setext
    (``Title`` over ``=====`` or ``-----``). None when the text opens with anything
    else: a heading further down, or a ``###`` one, names a section, not the page."""
    block = body.lstrip("\n").split("\n\n", 1)[0]
    lines = [line for line in block.split("\n") if line.strip()]
    if not lines:
        return None
    atx = _ATX.match(lines[0])
    if atx:
        return plain_title(atx.group(2)) if len(atx.group(1)) <= 2 else None
    if (len(lines) >= 2 and _SETEXT_UNDERLINE.match(lines[-1])
            and not any(_NOT_PARAGRAPH.match(line) for line in lines[:-1])):
        return plain_title(" ".join(lines[:-1]))
    return None


_LINK_TEXT = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")


def plain_title(text: str) -> str | None:
    """A title as a reader sees it: no emphasis markers, link syntax or entities."""
    text = _LINK_TEXT.sub(r"\1", text)
    text = re.sub(r"(\*\*|__|\*|`)", "", text)
    text = " ".join(html.unescape(text).split())
    return text or None
