"""Exports for reviewers: the redline as a Word document with tracked changes and
as a paginated PDF.

`export_docx` and `export_pdf` take a comparison and its two sides (anything with
``ref``, ``title``, ``body`` and ``version``, as `policydocs.diffcmd.Side`) and
return the file's bytes: the same input gives the same bytes.
"""

from __future__ import annotations

from policydocs.compare import Comparison
from policydocs.exports.merged import merge
from policydocs.exports.reading import read_markdown
from policydocs.exports.summary import SideLike, revision_date, summarise

BINARY_FORMATS = ("docx", "pdf")


def export_docx(comparison: Comparison, old: SideLike, new: SideLike) -> bytes:
    """A Word document: the title block, then the new text with tracked changes
    that accept to the new version and reject to the old."""
    from policydocs.exports.word import WordWriter

    summary = summarise(comparison, old, new)
    writer = WordWriter(revision_date(new))
    writer.title_block(summary)
    writer.body(merge(comparison, read_markdown(old.body), read_markdown(new.body)))
    return writer.save(summary.heading)


def export_pdf(comparison: Comparison, old: SideLike, new: SideLike) -> bytes:
    """The redline as a paginated PDF (legend, summary, material changes, then the new
    document rendered with its changes marked, as the compare page shows it)."""
    from policydocs.exports.pdf import pdf_from_html, redline_document
    from policydocs.redline import change_list
    from policydocs.site.redline_view import rendered_inline

    fragment = ('<div class="pd-redline"><h2>Redline</h2>'
                f'<div class="pd-text pd-rendered">{rendered_inline(comparison)}</div>'
                f'<section class="pd-changes"><h2>Every change</h2>{change_list(comparison)}</section></div>')
    return pdf_from_html(redline_document(comparison, old, new, fragment), old.ref, new.ref)


def export(fmt: str, comparison: Comparison, old: SideLike, new: SideLike) -> bytes:
    """The export in ``fmt`` (one of `BINARY_FORMATS`)."""
    return {"docx": export_docx, "pdf": export_pdf}[fmt](comparison, old, new)
