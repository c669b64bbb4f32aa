"""An HTML page → its article as Markdown.

The article is the first of ``<article>``, ``<main>``, ``[role=main]``, else
the element holding the densest run of paragraph text. Site chrome (the tags
and class/id markers in ``data/ingest.yml``, cookie banners, the page header
and footer) goes; inside the article's own header only headings stay (the
byline, breadcrumb and "Updated ..." line are page furniture: the date goes to
the front matter). Footnotes become Markdown footnotes (``[^1]`` and
``[^1]: ...``), relative links become absolute against the page's URL.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass
from urllib.parse import urljoin

from bs4 import BeautifulSoup, NavigableString, Tag
from markdownify import MarkdownConverter

from policydocs.errors import UserError
from policydocs.ingest.dates import StatedDate, find_stated_date
from policydocs.ingest.vocab import Vocabulary, vocabulary
from policydocs.nesting import check_html_depth

_FOOTNOTE_TOKEN = "PDFOOTNOTEREF{}X"
_BACKLINK_TEXT = {"↩", "↩︎", "^", "↑", "[return]"}


@dataclass(frozen=True)
class HtmlArticle:
    title: str | None
    url: str | None
    markdown: str
    stated: StatedDate | None
    footnotes: int
    chrome_removed: int


def parse_html(html: str) -> BeautifulSoup:
    """lxml's HTML parser, quietly: XHTML read as HTML is what we want, and bs4's
    multi-line warnings (XMLParsedAsHTMLWarning, MarkupResemblesLocatorWarning)
    would break the one-line-on-stderr rule."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # bs4's warnings are UserWarnings
        return BeautifulSoup(html, "lxml")


def html_to_article(html: str, *, where: str, base_url: str | None = None) -> HtmlArticle:
    check_html_depth(html, where=where)
    vocab = vocabulary()
    soup = parse_html(html)
    url = base_url or _canonical_url(soup)
    page_title = _page_title(soup)
    removed = _drop_chrome(soup, vocab)
    article = _find_article(soup)
    if article is None or not article.get_text(" ", strip=True):
        raise UserError(f"{where}: HTML with no article text (only navigation, scripts or markup); "
                        "save the page after it has loaded, or copy its text into a .txt file")
    stated = find_stated_date(article.get_text(" ", strip=True))
    removed += _prune_article_header(article)
    if stated:
        removed += _drop_date_line(article, stated)
    _escape_tag_like_text(article)
    heading = article.find(["h1"])
    title = heading.get_text(" ", strip=True) if heading else page_title
    footnotes = _convert_footnotes(article, soup)
    if url:
        for a in article.find_all("a", href=True):
            if not a["href"].startswith("#"):
                a["href"] = urljoin(url, a["href"])
    markdown = _to_markdown(article)
    for number, _ in enumerate(footnotes, start=1):
        markdown = markdown.replace(_FOOTNOTE_TOKEN.format(number), f"[^{number}]")
    if footnotes:
        markdown = markdown.rstrip("\n") + "\n\n" + "\n".join(
            f"[^{n}]: {text}" for n, text in enumerate(footnotes, start=1)) + "\n"
    if not re.search(r"\w", re.sub(r"^#.*$", "", markdown, flags=re.M)):
        raise UserError(f"{where}: HTML with no article text (only headings or markup)")
    return HtmlArticle(title=title, url=url, markdown=markdown, stated=stated,
                       footnotes=len(footnotes), chrome_removed=removed)


def _canonical_url(soup: BeautifulSoup) -> str | None:
    link = soup.find("link", rel="canonical", href=True)
    if link:
        return link["href"]
    meta = soup.find("meta", property="og:url", content=True)
    return meta["content"] if meta else None


def _page_title(soup: BeautifulSoup) -> str | None:
    meta = soup.find("meta", property="og:title", content=True)
    if meta:
        return meta["content"].strip()
    return soup.title.get_text(strip=True) if soup.title and soup.title.get_text(strip=True) else None


def _is_chrome_element(tag: Tag, vocab: Vocabulary) -> bool:
    marks = " ".join([*(tag.get("class") or []), tag.get("id") or "", tag.get("aria-label") or ""]).lower()
    if any(m in marks for m in vocab.html_chrome_markers):
        return True
    if tag.get("role") in ("navigation", "banner", "contentinfo", "search", "dialog", "alertdialog"):
        return tag.find_parent("article") is None or tag.get("role") in ("navigation", "search")
    if tag.get("aria-hidden") == "true" or tag.has_attr("hidden"):
        return True
    if tag.name not in ("div", "section", "aside", "dialog") or tag.find(["h1", "h2"]):
        return False
    text = tag.get_text(" ", strip=True).lower()
    return len(text) < 600 and any(p in text for p in vocab.cookie_phrases)


def _drop_chrome(soup: BeautifulSoup, vocab: Vocabulary) -> int:
    count = 0
    for button in soup.select("a[href] button"):  # a call-to-action link styled as a button
        button.unwrap()
    for tag in soup.find_all(vocab.html_drop_tags):
        tag.decompose()
        count += 1
    for tag in soup.find_all(["header", "footer"]):
        if tag.find_parent(["article", "main"]) is None and not tag.find("h1"):
            tag.decompose()
            count += 1
    for tag in soup.find_all(True):
        if tag.decomposed:
            continue
        if _is_chrome_element(tag, vocab):
            tag.decompose()
            count += 1
    for comment in soup.find_all(string=lambda s: type(s).__name__ == "Comment"):
        comment.extract()
    return count


def _find_article(soup: BeautifulSoup) -> Tag | None:
    for finder in (lambda: soup.find("article"), lambda: soup.find("main"),
                   lambda: soup.find(attrs={"role": "main"})):
        found = finder()
        if found is not None and found.get_text(" ", strip=True):
            return found
    # The densest container: the parent of the most paragraph text.
    scores: dict[int, tuple[int, Tag]] = {}
    for p in soup.find_all(["p", "li", "td"]):
        parent = p.parent
        if parent is None:
            continue
        length = len(p.get_text(" ", strip=True))
        old = scores.get(id(parent), (0, parent))
        scores[id(parent)] = (old[0] + length, parent)
    if scores:
        return max(scores.values(), key=lambda s: s[0])[1]
    return soup.body or soup


def _prune_article_header(article: Tag) -> int:
    """In the article's own header keep the headings only (title), not the byline."""
    count = 0
    for header in article.find_all("header"):
        headings = header.find_all(["h1", "h2", "h3"])
        if not headings:
            header.decompose()
        else:
            for heading in headings:
                header.insert_before(heading.extract())
            header.decompose()
        count += 1
    return count


def _drop_date_line(article: Tag, stated: StatedDate) -> int:
    """The block that holds only the stated date ("Effective date: 1 March 2024") goes:
    the date is kept in the front matter."""
    phrase = " ".join(stated.phrase.split()).lower()
    for tag in article.find_all(["p", "div", "span", "time", "small", "em"]):
        if " ".join(tag.get_text(" ", strip=True).split()).lower().rstrip(".") == phrase:
            tag.decompose()
            return 1
    return 0


def _escape_tag_like_text(article: Tag) -> None:
    """Text that reads like a tag ("&lt;script&gt;" in the page) stays text in Markdown."""
    for string in article.find_all(string=re.compile(r"<[A-Za-z/!?]")):
        string.replace_with(NavigableString(re.sub(r"<(?=[A-Za-z/!?])", "&lt;", str(string))))


def _convert_footnotes(article: Tag, soup: BeautifulSoup) -> list[str]:
    """Footnote references → tokens, footnote bodies → Markdown texts (in order)."""
    containers = article.select('div.footnotes, section.footnotes, [role="doc-endnotes"]')
    notes: dict[str, str] = {}
    for container in containers:
        for li in container.find_all("li", id=True):
            for back in li.select('a.reversefootnote, a[role="doc-backlink"], a.footnote-backref'):
                back.decompose()
            for a in li.find_all("a"):
                if a.get_text(strip=True) in _BACKLINK_TEXT:
                    a.decompose()
            body = parse_html("<div></div>").div
            for child in list(li.contents):
                body.append(child.extract())
            notes[li["id"]] = " ".join(_to_markdown(body).split())
        container.decompose()
    order: list[str] = []
    for a in article.find_all("a", href=re.compile(r"^#")):
        target = a["href"][1:]
        if target not in notes:
            continue
        if target not in order:
            order.append(target)
        ref = a.find_parent("sup") or a
        ref.replace_with(NavigableString(_FOOTNOTE_TOKEN.format(order.index(target) + 1)))
    return [notes[t] for t in order]


class _Converter(MarkdownConverter):
    """markdownify with ATX headings and '-' bullets; links with no text are dropped;
    a definition list's terms and definitions are paragraphs (the site's Markdown has
    no definition lists: ':   ' would show as text)."""

    def convert_a(self, el, text, *args, **kwargs):  # noqa: ANN001 - markdownify's signature
        if not text.strip():
            return ""
        return super().convert_a(el, text, *args, **kwargs)

    def convert_dd(self, el, text, *args, **kwargs):  # noqa: ANN001 - markdownify's signature
        return f"\n\n{text.strip()}\n\n" if text.strip() else ""

    convert_dt = convert_dd


def html_fragment_to_markdown(html: str) -> str:
    """Raw HTML written inside a Markdown source, as Markdown, by the converter HTML
    pages go through (so both importers turn one element into the same text)."""
    soup = BeautifulSoup(html, "lxml")
    return _to_markdown(soup.body or soup)


def _to_markdown(element: Tag) -> str:
    markdown = _Converter(heading_style="ATX", bullets="-", escape_underscores=False,
                          escape_asterisks=False, strip=["img"]).convert_soup(element)
    markdown = markdown.replace("\xa0", " ")
    markdown = re.sub(r"[ \t]+\n", "\n", markdown)
    markdown = re.sub(r"\n{3,}", "\n\n", markdown)
    return markdown.strip() + "\n"
