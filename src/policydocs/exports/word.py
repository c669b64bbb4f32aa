"""The merged document as a Word file with real tracked changes.

python-docx makes the document (styles, paragraphs, tables, core properties);
it has no tracked-change API, so the revision elements are built here with its
``OxmlElement``: ``w:ins``/``w:del`` around runs (deleted text in ``w:delText``),
``w:moveFrom``/``w:moveTo`` inside named ``w:moveFromRange*``/``w:moveToRange*``
ranges, inserted and deleted paragraph marks, inserted and deleted table rows,
and ``w:pPrChange`` where a block changed kind (a paragraph became a heading).
Every revision carries ``w:author`` and ``w:date``; the date is the new version's,
and the package's timestamps are fixed, so the same comparison gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from dataclasses import dataclass, field

import docx
from docx.enum.style import WD_STYLE_TYPE
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import RGBColor

from policydocs.exports.merged import NEW, OLD, Paragraph, Run
from policydocs.exports.reading import Block
from policydocs.exports.summary import Summary

AUTHOR = "policydocs"
BOOKMARK = "Redline"  # where the redline starts, after the title block
CODE_FONT = "Courier New"
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)
# XML 1.0 allows no other control characters (and no lone surrogates, U+FFFE, U+FFFF).
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_WRAPPER = {("ins", False): "w:ins", ("del", False): "w:del", ("ins", True): "w:moveTo",
            ("del", True): "w:moveFrom"}


def xml_text(text: str) -> str:
    """Policy text as XML can hold it: characters XML forbids are dropped."""
    return _NOT_XML.sub("", text)


def paragraph_style(block: Block) -> str:
    """The Word style a block is shown in."""
    if block.kind == "heading":
        return f"Heading {min(max(block.level, 1), 6)}"
    if block.kind == "item":
        depth = "" if block.level <= 1 else f" {min(block.level, 3)}"
        kind = "Continue" if block.continued else ("Number" if block.ordered else "Bullet")
        return f"List {kind}{depth}"
    if block.kind == "quote":
        return "Quote"
    if block.kind == "code":
        return "No Spacing"
    return "Normal"


@dataclass
class _Moves:
    """The first and last run of each end of each move, for its named range."""

    last: dict[tuple[str, str], int] = field(default_factory=dict)
    open: set[tuple[str, str]] = field(default_factory=set)


class WordWriter:
    """Writes one export: the title block, then the merged paragraphs."""

    def __init__(self, when: dt.date) -> None:
        self.doc = docx.Document()
        self.date = f"{when.isoformat()}T00:00:00Z"
        self.when = when
        self.next_id = 1
        self.moves = _Moves()
        self.range_ids: dict[tuple[str, str], str] = {}
        self.run_index = 0
        self.style_ids: dict[str, str] = {}
        self._prepare()

    def _prepare(self) -> None:
        styles = self.doc.styles
        if "Hyperlink" not in [s.name for s in styles]:
            link = styles.add_style("Hyperlink", WD_STYLE_TYPE.CHARACTER)
            link.font.color.rgb = RGBColor(0x05, 0x63, 0xC1)
            link.font.underline = True
        settings = self.doc.settings.element
        track = OxmlElement("w:trackRevisions")  # the reviewer's own edits are tracked too
        settings.find(qn("w:defaultTabStop")).addprevious(track)
        package_rels = self.doc.part.package.rels
        for rid, rel in list(package_rels.items()):
            if rel.reltype == RT.THUMBNAIL:  # python-docx's stock preview picture
                del package_rels[rid]

    def _id(self) -> str:
        self.next_id += 1
        return str(self.next_id - 1)

    def _revision(self, tag: str) -> OxmlElement:
        el = OxmlElement(tag)
        el.set(qn("w:id"), self._id())
        el.set(qn("w:author"), AUTHOR)
        el.set(qn("w:date"), self.date)
        return el

    # --- the title block -------------------------------------------------------------

    def title_block(self, summary: Summary) -> None:
        doc = self.doc
        doc.add_paragraph(xml_text(summary.heading), style="Title")
        for line in summary.sides:
            doc.add_paragraph(xml_text(line))
        doc.add_paragraph().add_run(xml_text(summary.verdict)).bold = True
        doc.add_paragraph(xml_text(summary.counts))
        if summary.material:
            doc.add_paragraph().add_run(f"Material changes ({len(summary.material)})").bold = True
            for line in summary.material:
                doc.add_paragraph(xml_text(line), style="List Bullet")
        doc.add_paragraph().add_run(xml_text(summary.how_to)).italic = True
        self._separator()

    def _separator(self) -> None:
        """A rule under the title block, holding the bookmark where the redline starts."""
        p = self.doc.add_paragraph()._p
        p.get_or_add_pPr().append(_bottom_border())
        mark = self._id()
        start = OxmlElement("w:bookmarkStart")
        start.set(qn("w:id"), mark)
        start.set(qn("w:name"), BOOKMARK)
        end = OxmlElement("w:bookmarkEnd")
        end.set(qn("w:id"), mark)
        p.append(start)
        p.append(end)

    # --- the redline -----------------------------------------------------------------

    def body(self, paragraphs: list[Paragraph]) -> None:
        self._find_move_ends(paragraphs)
        table: list[Paragraph] = []
        for para in paragraphs:
            if para.block.kind == "cell" and not (table and _starts_new_table(table, para)):
                table.append(para)
                continue
            if table:
                self._table(table)
                table = []
            if para.block.kind == "cell":
                table.append(para)
            else:
                self._paragraph(para)
        if table:
            self._table(table)

    def _find_move_ends(self, paragraphs: list[Paragraph]) -> None:
        index = 0
        for para in paragraphs:
            for run in para.runs:
                if run.move and para.block.kind != "cell":
                    self.moves.last[(run.move, run.status)] = index
                index += 1

    def _style_id(self, name: str) -> str:
        """Looked up once per style: python-docx searches every style on each lookup."""
        if name not in self.style_ids:
            self.style_ids[name] = self.doc.styles[name].style_id
        return self.style_ids[name]

    def _paragraph(self, para: Paragraph) -> None:
        style = paragraph_style(para.block)
        p = OxmlElement("w:p")
        self.doc.element.body.sectPr.addprevious(p)
        pPr = p.get_or_add_pPr()
        if style != "Normal":
            p.style = self._style_id(style)
        if para.block.kind == "rule":
            pPr.insert(1 if pPr.find(qn("w:pStyle")) is not None else 0, _bottom_border())
        if para.mark != "eq":
            rPr = OxmlElement("w:rPr")
            rPr.append(self._revision("w:ins" if para.mark == "ins" else "w:del"))
            pPr.append(rPr)
        if para.old is not None and para.new is not None and paragraph_style(para.old) != style:
            change = self._revision("w:pPrChange")
            old_pPr = OxmlElement("w:pPr")
            old_style = OxmlElement("w:pStyle")
            old_style.set(qn("w:val"), self._style_id(paragraph_style(para.old)))
            old_pPr.append(old_style)
            change.append(old_pPr)
            pPr.append(change)
        self._runs(p, para.runs, moves=True)

    def _runs(self, p, runs: list[Run], *, moves: bool, bold: bool = False) -> None:
        """Runs grouped into hyperlinks, then into revision wrappers."""
        k = 0
        while k < len(runs):
            link = _safe_link(runs[k].style.link)
            j = k
            while j < len(runs) and _safe_link(runs[j].style.link) == link:
                j += 1
            parent = p
            if link is not None:
                parent = OxmlElement("w:hyperlink")
                parent.set(qn("r:id"), self.doc.part.relate_to(link, RT.HYPERLINK, is_external=True))
                p.append(parent)
            self._wrapped(parent, runs[k:j], moves=moves, bold=bold)
            k = j

    def _wrapped(self, parent, runs: list[Run], *, moves: bool, bold: bool) -> None:
        k = 0
        while k < len(runs):
            first = runs[k]
            move = first.move if moves else None
            j = k + 1
            while j < len(runs) and runs[j].status == first.status and (runs[j].move if moves else None) == move:
                j += 1
            group = runs[k:j]
            first_index = self.run_index
            self.run_index += len(group)
            if first.status == "eq":
                for run in group:
                    parent.append(self._run(run, bold=bold))
                k = j
                continue
            end = (move, first.status) if move else None
            if end is not None and end not in self.moves.open:
                self.moves.open.add(end)
                parent.append(self._range("Start", first.status, move))
            wrapper = self._revision(_WRAPPER[(first.status, move is not None)])
            for run in group:
                wrapper.append(self._run(run, deleted=first.status == "del" and move is None, bold=bold))
            parent.append(wrapper)
            last = self.moves.last.get(end) if end else None
            if last is not None and first_index <= last < self.run_index:
                parent.append(self._range("End", first.status, move, start=False))
            k = j

    def _range(self, which: str, status: str, move: str, *, start: bool = True) -> OxmlElement:
        """``w:moveFromRangeStart`` ... ``w:moveToRangeEnd``: one named range per move end."""
        side = "From" if status == "del" else "To"
        key = (move, side)
        if start:
            el = self._revision(f"w:move{side}Range{which}")
            el.set(qn("w:name"), move)
            self.range_ids[key] = el.get(qn("w:id"))
            return el
        el = OxmlElement(f"w:move{side}Range{which}")
        el.set(qn("w:id"), self.range_ids[key])
        return el

    def _run(self, run: Run, *, deleted: bool = False, bold: bool = False) -> OxmlElement:
        r = OxmlElement("w:r")
        rPr = _run_properties(run, bold)
        if len(rPr):
            r.append(rPr)
        text_tag = "w:delText" if deleted else "w:t"
        for k, piece in enumerate(re.split(r"(\n|\t)", xml_text(run.text))):
            if piece == "\n":
                r.append(OxmlElement("w:br"))
            elif piece == "\t":
                r.append(OxmlElement("w:tab"))
            elif piece:
                t = OxmlElement(text_tag)
                t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
                t.text = piece
                r.append(t)
        return r

    # --- tables ----------------------------------------------------------------------

    def _table(self, cells: list[Paragraph]) -> None:
        rows = _rows(cells)
        width = max(len(row) for row in rows)
        table = self.doc.add_table(rows=0, cols=width)
        table.style = "Table Grid"
        for row_cells in rows:
            row = table.add_row()
            tr = row._tr
            trPr = OxmlElement("w:trPr")
            header = all(_cell_row(c) == 0 for c in row_cells)
            if header:
                trPr.append(OxmlElement("w:tblHeader"))
            if all(c.new is None for c in row_cells):
                trPr.append(self._revision("w:del"))
            elif all(c.old is None for c in row_cells):
                trPr.append(self._revision("w:ins"))
            if len(trPr):
                tr.insert(0, trPr)
            for cell, para in zip(row.cells, row_cells):
                self._runs(cell.paragraphs[0]._p, para.runs, moves=False, bold=header)

    # --- the package -----------------------------------------------------------------

    def save(self, title: str) -> bytes:
        props = self.doc.core_properties
        moment = dt.datetime.combine(self.when, dt.time(), tzinfo=dt.timezone.utc)
        props.author = props.last_modified_by = AUTHOR
        props.title = xml_text(title)
        props.created = props.modified = props.last_printed = moment
        props.revision = 1
        out = io.BytesIO()
        self.doc.save(out)
        return stable_zip(out.getvalue())


def stable_zip(data: bytes) -> bytes:
    """The same package with fixed timestamps and attributes: same input, same bytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=ZIP_EPOCH)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.create_system = 0
            entry.external_attr = 0
            dst.writestr(entry, src.read(info.filename))
    return out.getvalue()


def _bottom_border() -> OxmlElement:
    """A rule under a paragraph (Markdown's ``---``, the end of the title block)."""
    border = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("val", "single"), ("sz", "6"), ("space", "1"), ("color", "auto")):
        bottom.set(qn(f"w:{key}"), value)
    border.append(bottom)
    return border


def _run_properties(run: Run, bold: bool) -> OxmlElement:
    """``w:rPr`` in the schema's order: rStyle, rFonts, b, i, strike, vertAlign."""
    style = run.style
    rPr = OxmlElement("w:rPr")
    if _safe_link(style.link) is not None:
        el = OxmlElement("w:rStyle")
        el.set(qn("w:val"), "Hyperlink")
        rPr.append(el)
    if style.code:
        fonts = OxmlElement("w:rFonts")
        for key in ("ascii", "hAnsi", "cs"):
            fonts.set(qn(f"w:{key}"), CODE_FONT)
        rPr.append(fonts)
    if style.bold or bold:
        rPr.append(OxmlElement("w:b"))
    if style.italic:
        rPr.append(OxmlElement("w:i"))
    if style.strike:
        rPr.append(OxmlElement("w:strike"))
    if style.sup:
        el = OxmlElement("w:vertAlign")
        el.set(qn("w:val"), "superscript")
        rPr.append(el)
    return rPr


def _safe_link(href: str | None) -> str | None:
    """Only absolute web and mail links become hyperlinks (a relative one means nothing in a file)."""
    if not href:
        return None
    cleaned = xml_text(href).strip()
    return cleaned if re.match(r"(?i)^(https?://|mailto:)", cleaned) and " " not in cleaned else None


def _cell_row(para: Paragraph) -> int:
    return para.block.row


def _table_of(para: Paragraph, side: int) -> int | None:
    block = (para.old, para.new)[side]
    return block.table if block is not None and block.kind == "cell" else None


def _row_of(para: Paragraph, side: int) -> int | None:
    block = (para.old, para.new)[side]
    return block.row if block is not None and block.kind == "cell" else None


def _starts_new_table(table: list[Paragraph], para: Paragraph) -> bool:
    """A cell of another table (on either side) than the cells before it."""
    for side in (OLD, NEW):
        mine = _table_of(para, side)
        seen = next((t for t in map(lambda p: _table_of(p, side), reversed(table)) if t is not None), None)
        if mine is not None and seen is not None and mine != seen:
            return True
    return False


def _rows(cells: list[Paragraph]) -> list[list[Paragraph]]:
    """Cells cut into rows: a row changes when either side's row does, and a wholly
    deleted row never shares a row with a wholly inserted one."""
    rows: list[list[Paragraph]] = []
    current: dict[int, int | None] = {OLD: None, NEW: None}
    for para in cells:
        mine = {OLD: _row_of(para, OLD), NEW: _row_of(para, NEW)}
        new_row = not rows
        for side, other in ((OLD, NEW), (NEW, OLD)):
            if mine[side] is None:
                continue
            if current[side] is not None and mine[side] != current[side]:
                new_row = True
            if current[side] is None and current[other] is not None and mine[other] is None:
                new_row = True
        if new_row:
            rows.append([])
            current = {OLD: None, NEW: None}
        rows[-1].append(para)
        for side in (OLD, NEW):
            if mine[side] is not None:
                current[side] = mine[side]
    return rows
