"""The redline as a paginated PDF, made by WeasyPrint from an HTML document.

`pdf_from_html` takes any redline HTML (today's Markdown-source redline from
`policydocs.redline`, or a rendered one later) and lays it out on pages with both
refs in the header and "Page N of M" in the footer; `redline_document` makes
that HTML from a comparison: title block, legend, material changes, then the
redline fragment. Policy text only reaches the HTML escaped.
"""

from __future__ import annotations

import html
import logging
import re

from policydocs.compare import Comparison
from policydocs.errors import UserError
from policydocs.exports.summary import SideLike, summarise
from policydocs.redline import REDLINE_CSS, render_html_fragment

LEGEND = ('<p class="pd-legend"><strong>Legend:</strong> <ins class="pd-ins">inserted text</ins> '
          '(underlined) · <del class="pd-del">deleted text</del> (struck through) · '
          '<ins class="pd-ins pd-move">moved text</ins> (dotted, marked “moved from” / “moved to”) · '
          '<ins class="pd-ins pd-editorial">editorial change</ins> (quieter)</p>')

# The PDF shows the inline redline: the side-by-side view would repeat it.
PRINT_CSS = """
body { font-family: "DejaVu Sans", "Liberation Sans", sans-serif; font-size: 10pt; margin: 0; }
h1 { font-size: 16pt; margin: 0 0 .4em; }
h2 { font-size: 12.5pt; margin: 1.2em 0 .4em; break-after: avoid; }
.pd-doc-head p { margin: .15em 0; }
.pd-verdict { font-weight: bold; margin-top: .5em !important; }
.pd-redline .pd-toggle, .pd-redline .pd-side-by-side { display: none; }
.pd-redline .pd-text { font-size: 9.5pt; }
/* grey instead of the screen's opacity: PDF text readers skip transparency groups */
:is(.pd-redline, .pd-legend) :is(ins, del).pd-editorial { opacity: 1; color: #5f6368; }
a { color: inherit; }
"""

_CSS_UNSAFE = re.compile(r"[\x00-\x1f\x7f]")
_SIDE_BY_SIDE = re.compile(r'<section class="pd-side-by-side".*?</section>', re.S)


def css_string(text: str) -> str:
    """``text`` as a CSS string literal (quotes and backslashes escaped, controls dropped)."""
    cleaned = _CSS_UNSAFE.sub(" ", text).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{cleaned}"'


def page_css(old_ref: str, new_ref: str) -> str:
    """Pages: both refs in the header, "Page N of M" in the footer."""
    return (
        "@page { size: A4; margin: 20mm 16mm 18mm 16mm;"
        f" @top-left {{ content: {css_string(f'{old_ref} → {new_ref}')}; font: 8.5pt sans-serif; color: #444; }}"
        ' @bottom-right { content: "Page " counter(page) " of " counter(pages); font: 8.5pt sans-serif; color: #444; }'
        " }"
    )


def redline_document(comparison: Comparison, old: SideLike, new: SideLike, fragment: str | None = None) -> str:
    """The HTML the PDF is made from; ``fragment`` is the redline (default: `render_html_fragment`)."""
    esc = lambda text: html.escape(text, quote=True)  # noqa: E731
    summary = summarise(comparison, old, new)
    if fragment is None:  # the side-by-side view would repeat the inline one: left out
        fragment = _SIDE_BY_SIDE.sub("", render_html_fragment(comparison))
    material = ""
    if summary.material:
        items = "".join(f"<li>{esc(line)}</li>" for line in summary.material)
        material = f'<section class="pd-material"><h2>Material changes</h2><ol>{items}</ol></section>'
    sides = "".join(f"<p>{esc(line)}</p>" for line in summary.sides)
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{esc(summary.heading)}</title><style>{REDLINE_CSS}{PRINT_CSS}</style></head><body>"
        f'<header class="pd-doc-head"><h1>{esc(summary.heading)}</h1>{sides}'
        f'<p class="pd-verdict">{esc(summary.verdict)}</p></header>'
        f"{LEGEND}{material}{fragment}</body></html>\n"
    )


def _no_fetching(url: str, *args, **kwargs):
    raise ValueError(f"the PDF export loads nothing ({url})")


def pdf_from_html(document: str, old_ref: str, new_ref: str) -> bytes:
    """Lay ``document`` out on A4 pages with the refs and page numbers; nothing is fetched."""
    try:
        import weasyprint
    except OSError as exc:  # WeasyPrint loads Pango when imported
        raise UserError(f"--format pdf needs the Pango library ({exc}); install it "
                        "(Debian: apt-get install libpango-1.0-0 libpangoft2-1.0-0)") from None
    logger = logging.getLogger("weasyprint")
    level = logger.level
    logger.setLevel(logging.ERROR)  # unsupported screen-only CSS is expected, not news
    try:
        page = weasyprint.CSS(string=page_css(old_ref, new_ref))
        return weasyprint.HTML(string=document, url_fetcher=_no_fetching).write_pdf(stylesheets=[page])
    finally:
        logger.setLevel(level)
