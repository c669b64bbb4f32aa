"""Exports for reviewers (issue #12 item 3): ``diff --format docx`` and ``--format pdf``.

The Word document is read back as Word would: its XML is walked with tracked
changes accepted (keep ``w:ins``/``w:moveTo``, drop ``w:del``/``w:moveFrom`` and
deleted paragraph marks) or rejected (the reverse), and compared paragraph by
paragraph with what a reader sees of each Markdown body, worked out here from
markdown-it's tokens (not from the export's own code).
"""

from __future__ import annotations

import io
import os
import pty
import re
import subprocess
import sys
import zipfile

import docx
import pypdf
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree
from markdown_it import MarkdownIt
from mdit_py_plugins.footnote import footnote_plugin

from conftest import ROOT, STORE, snapshot
from policydocs import materiality
from policydocs.compare import compare
from policydocs.comparisons import compare_versions
from policydocs.diffcmd import Side
from policydocs.exports import export_docx, export_pdf
from policydocs.exports.pdf import pdf_from_html
from policydocs.store import open_store

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
ARTIFACTS = ROOT / "test-artifacts"
SEED_OLD, SEED_NEW = "privacy-policy@2021-02-11", "api-data-privacy@2023-07-21"

OLD = """# Terms

## Scope

This first paragraph explains the scope of these terms in some detail for all users.

Second paragraph stays where it is and says nothing new at all.

## Data

We keep **your data** for thirty days and then delete it, see [our policy](https://example.com/p).

- Item one
- Item two

| Name | Days |
|------|------|
| Logs | 30 |
| Backups | 90 |
"""
NEW = """# Terms

## Scope of use

Second paragraph stays where it is and says nothing new at all.

This first paragraph explains the scope of these terms in some detail for all users.

## Data

We keep **your personal data** for thirty days and then delete it, see [our policy](https://example.com/p).

- Item one
- Item two
- Item three

| Name | Days |
|------|------|
| Logs | 60 |
| Backups | 90 |
"""


# --- reading a docx back, as Word's Accept All / Reject All would --------------------------


def document_xml(data: bytes) -> etree._Element:
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        return etree.fromstring(package.read("word/document.xml"))


def redline_elements(root: etree._Element) -> list[etree._Element]:
    """The body after the title block (which ends at the "Redline" bookmark)."""
    body = [k for k in root.find(W + "body") if k.tag != W + "sectPr"]
    for n, element in enumerate(body):
        if element.find(f"{W}bookmarkStart[@{W}name='Redline']") is not None:
            return body[n + 1:]
    raise AssertionError("no Redline bookmark after the title block")


def _visible_text(p: etree._Element, accept: bool) -> str:
    dropped = {W + "del", W + "moveFrom"} if accept else {W + "ins", W + "moveTo"}
    out: list[str] = []

    def walk(element: etree._Element) -> None:
        for child in element:
            if child.tag in dropped or child.tag == W + "pPr":
                continue
            if child.tag in (W + "t", W + "delText"):
                out.append(child.text or "")
            elif child.tag in (W + "br", W + "tab"):
                out.append(" ")
            else:
                walk(child)

    walk(p)
    return "".join(out)


def _mark_dropped(p: etree._Element, accept: bool) -> bool:
    return p.find(f"{W}pPr/{W}rPr/{W}{'del' if accept else 'ins'}") is not None


def docx_paragraphs(elements: list[etree._Element], accept: bool) -> list[str]:
    """The text after accepting (or rejecting) every change, one string per paragraph
    and table cell, whitespace collapsed, empty ones left out."""
    out: list[str] = []
    pending = ""
    for element in elements:
        if element.tag == W + "p":
            pending += _visible_text(element, accept)
            if not _mark_dropped(element, accept):  # a dropped mark joins the next paragraph
                out.append(pending)
                pending = ""
        elif element.tag == W + "tbl":
            out.append(pending)
            pending = ""
            for row in element.iterfind(W + "tr"):
                if row.find(f"{W}trPr/{W}{'del' if accept else 'ins'}") is not None:
                    continue
                out += [_visible_text(p, accept) for p in row.iterfind(f"{W}tc/{W}p")]
    out.append(pending)
    return [t for t in (" ".join(s.split()) for s in out) if t]


_MD = MarkdownIt("commonmark").enable(["table", "strikethrough"]).use(footnote_plugin)


def reader_paragraphs(body: str) -> list[str]:
    """What a reader sees of a Markdown body: each heading, paragraph, list item and
    table cell as plain text (a footnote starts with its label)."""
    out: list[str] = []
    label = None
    for token in _MD.parse(body):
        if token.type == "footnote_open":
            label = token.meta["label"]
        elif token.type == "inline":
            text = "".join(_inline_text(child) for child in token.children or ())
            out.append(f"{label} {text}" if label is not None else text)
            label = None
        elif token.type in ("fence", "code_block"):
            out.append(token.content)
        elif token.type == "html_block":
            out.append(re.sub(r"<[^>]*>", "", token.content))
    return [t for t in (" ".join(s.split()) for s in out) if t]


def _inline_text(token) -> str:
    if token.type in ("text", "code_inline", "image"):
        return token.content
    if token.type in ("softbreak", "hardbreak"):
        return " "
    if token.type == "footnote_ref":
        return token.meta["label"]
    return ""


def assert_accepts_and_rejects(data: bytes, old_body: str, new_body: str) -> None:
    elements = redline_elements(document_xml(data))
    assert docx_paragraphs(elements, accept=True) == reader_paragraphs(new_body)
    assert docx_paragraphs(elements, accept=False) == reader_paragraphs(old_body)


def sides(old_body: str, new_body: str) -> tuple[Side, Side, object]:
    comparison = materiality.assess(compare(old_body, new_body), materiality.load_rules(None))
    return Side("old.md", "Old terms", old_body), Side("new.md", "New terms", new_body), comparison


# --- fixtures ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def seed():
    store = open_store(STORE)
    old, new = store.resolve(SEED_OLD), store.resolve(SEED_NEW)
    comparison = compare_versions(old, new, materiality.load_rules(store))
    return (Side(old.ref, old.title, old.body, old), Side(new.ref, new.title, new.body, new), comparison)


def _kept(data: bytes, suffix: str) -> bytes:
    """An export of the seed compare, kept in test-artifacts/ (git-ignored) for a human to open."""
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / f"redline-privacy-policy-2021-to-api-data-privacy-2023.{suffix}").write_bytes(data)
    return data


@pytest.fixture(scope="module")
def seed_docx(seed) -> bytes:
    return _kept(export_docx(seed[2], seed[0], seed[1]), "docx")


@pytest.fixture(scope="module")
def seed_pdf(seed) -> bytes:
    return _kept(export_pdf(seed[2], seed[0], seed[1]), "pdf")


@pytest.fixture(scope="module")
def small():
    old, new, comparison = sides(OLD, NEW)
    return old, new, comparison, export_docx(comparison, old, new)


# --- the Word document ---------------------------------------------------------------------


def test_seed_docx_accepts_to_the_2023_text_and_rejects_to_the_2021_text(seed, seed_docx):
    assert_accepts_and_rejects(seed_docx, seed[0].body, seed[1].body)


def test_small_docx_accepts_to_the_new_text_and_rejects_to_the_old(small):
    old, new, _, data = small
    assert_accepts_and_rejects(data, old.body, new.body)


def test_accepted_text_shows_no_markdown_syntax(seed_docx):
    text = "\n".join(docx_paragraphs(redline_elements(document_xml(seed_docx)), accept=True))
    for syntax in ("##", "**", "](", "|---", "[^1]"):
        assert syntax not in text
    assert "We do not train on any user data" in text


def test_every_revision_has_author_and_the_new_versions_date(seed_docx):
    root = document_xml(seed_docx)
    revisions = root.iter(*(W + t for t in ("ins", "del", "moveFrom", "moveTo", "pPrChange",
                                             "moveFromRangeStart", "moveToRangeStart")))
    revisions = list(revisions)
    assert len(revisions) > 40
    for revision in revisions:
        assert revision.get(W + "author") == "policydocs"
        assert revision.get(W + "date") == "2023-07-21T00:00:00Z"  # the new version's legal date


def test_deleted_text_is_in_deltext_and_inserted_text_in_t(small):
    root = document_xml(small[3])
    assert root.findall(f".//{W}del/{W}r/{W}delText")
    assert not root.findall(f".//{W}del//{W}t")
    assert [t.text for t in root.findall(f".//{W}ins/{W}r/{W}t")] == [" of use", "personal ", "Item three", "60"]


def test_headings_use_word_heading_styles(small):
    document = docx.Document(io.BytesIO(small[3]))
    headings = [(p.style.name, _visible_text(p._p, accept=True)) for p in document.paragraphs
                if p.style.name.startswith("Heading")]
    assert headings == [("Heading 1", "Terms"), ("Heading 2", "Scope of use"), ("Heading 2", "Data")]


def test_list_items_use_list_styles_and_the_added_item_is_inserted(small):
    root = document_xml(small[3])
    items = [p for p in redline_elements(root) if p.find(f"{W}pPr/{W}pStyle[@{W}val='ListBullet']") is not None]
    assert [_visible_text(p, accept=True) for p in items] == ["Item one", "Item two", "Item three"]
    added = items[-1]
    assert added.find(f"{W}ins") is not None and added.find(f"{W}pPr/{W}rPr/{W}ins") is not None


def test_table_is_a_word_table_with_the_changed_cell_tracked(small):
    document = docx.Document(io.BytesIO(small[3]))
    (table,) = document.tables
    root = document_xml(small[3])
    (tbl,) = root.iter(W + "tbl")
    cell = tbl.findall(f"{W}tr")[1].findall(f"{W}tc")[1]
    assert [t.text for t in cell.iter(W + "delText")] == ["30"]
    assert [t.text for t in cell.iter(W + "t")] == ["60"]
    assert [c.text for c in table.rows[2].cells] == ["Backups", "90"]
    assert tbl.find(f"{W}tr/{W}trPr/{W}tblHeader") is not None


def test_moved_paragraph_is_a_word_move_with_named_ranges(small):
    root = document_xml(small[3])
    moved = "This first paragraph explains the scope of these terms in some detail for all users."
    assert ["".join(e.itertext()) for e in root.iter(W + "moveFrom")] == [moved]
    assert ["".join(e.itertext()) for e in root.iter(W + "moveTo")] == [moved]
    (start_from,) = root.iter(W + "moveFromRangeStart")
    (start_to,) = root.iter(W + "moveToRangeStart")
    assert start_from.get(W + "name") == start_to.get(W + "name")
    (end_from,) = root.iter(W + "moveFromRangeEnd")
    (end_to,) = root.iter(W + "moveToRangeEnd")
    assert end_from.get(W + "id") == start_from.get(W + "id") and end_to.get(W + "id") == start_to.get(W + "id")


def test_bold_and_links_are_kept(small):
    root = document_xml(small[3])
    bold = ["".join(r.itertext()) for r in root.iter(W + "r") if r.find(f"{W}rPr/{W}b") is not None]
    assert "your " in bold and "personal " in bold and "data" in bold
    (link,) = root.iter(W + "hyperlink")
    assert "".join(link.itertext()) == "our policy"
    document = docx.Document(io.BytesIO(small[3]))
    assert document.part.rels[link.get(f"{{{docx.oxml.ns.nsmap['r']}}}id")].target_ref == "https://example.com/p"


def test_title_block_gives_both_sides_dates_verdict_and_material_changes(seed, seed_docx):
    document = docx.Document(io.BytesIO(seed_docx))
    head = [p.text for p in document.paragraphs[:60]]
    assert head[0] == "Redline: Privacy Policy → API data privacy"
    assert "From: Privacy Policy (privacy-policy@2021-02-11), 11 February 2021" in head
    assert "To: API data privacy (api-data-privacy@2023-07-21), 21 July 2023" in head
    assert "Material change: readers must be told." in head
    material = [c.reasons[0].explanation for c in seed[2].changes if c.material]
    assert f"Material changes ({len(material)})" in head
    assert all(line in head for line in material)
    assert document.core_properties.created.year == 2023


def test_a_heading_level_change_is_a_tracked_paragraph_change():
    old, new, comparison = sides("# Terms\n\n## Data we keep\n\nText.\n", "# Terms\n\n### Data we keep\n\nText.\n")
    data = export_docx(comparison, old, new)
    (change,) = document_xml(data).iter(W + "pPrChange")
    assert change.find(f"{W}pPr/{W}pStyle").get(W + "val") == "Heading2"
    assert change.getparent().find(f"{W}pStyle").get(W + "val") == "Heading3"


def test_characters_xml_forbids_are_dropped_and_xml_syntax_in_text_stays_text():
    old, new, comparison = sides("Plain 1 < 2 > 0 & more\x01.\n", "Plain 1 < 2 > 0 &amp; more\x0b!\n")
    data = export_docx(comparison, old, new)
    elements = redline_elements(document_xml(data))  # parses: the XML is well formed
    assert docx_paragraphs(elements, accept=True) == ["Plain 1 < 2 > 0 & more!"]
    assert docx_paragraphs(elements, accept=False) == ["Plain 1 < 2 > 0 & more."]
    xml = zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml")
    assert b"\x01" not in xml and b"\x0b" not in xml and b"1 &lt; 2 &gt; 0 " in xml


def test_same_comparison_gives_the_same_docx_bytes(small):
    old, new, comparison, data = small
    assert export_docx(comparison, old, new) == data
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        assert {info.date_time for info in package.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        assert "docProps/thumbnail.jpeg" not in package.namelist()


_BLOCKS = ["## Section {n}", "Plain paragraph {n} with **bold** and *italic* words.",
           "A [link {n}](https://example.com/{n}) and `code {n}` &amp; more.", "- bullet {n}",
           "1. numbered {n}", "> quoted {n}", "| Cell {n} | Other {n} |\n|---|---|\n| a{n} | b{n} |"]
_WORDS = ["data", "we", "keep", "**personal**", "30", "days", "not", "share", "[x](https://e.org)"]


@st.composite
def _edited_documents(draw):
    blocks = [draw(st.sampled_from(_BLOCKS)).format(n=n) for n in range(draw(st.integers(2, 8)))]
    new = list(blocks)
    for _ in range(draw(st.integers(1, 4))):
        action = draw(st.sampled_from(["delete", "insert", "edit", "move"]))
        k = draw(st.integers(0, max(len(new) - 1, 0)))
        if action == "delete" and len(new) > 1:
            new.pop(k)
        elif action == "insert":
            new.insert(k, draw(st.sampled_from(_BLOCKS)).format(n=len(new) + 40))
        elif action == "edit" and new:
            words = new[k].split(" ")
            words.insert(draw(st.integers(1, len(words))), draw(st.sampled_from(_WORDS)))
            new[k] = " ".join(words)
        elif action == "move" and len(new) > 2:
            new.insert(draw(st.integers(0, len(new) - 1)), new.pop(k))
    return "\n\n".join(blocks) + "\n", "\n\n".join(new) + "\n"


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_edited_documents())
def test_random_edits_accept_to_the_new_text_and_reject_to_the_old(pair):
    old, new, comparison = sides(*pair)
    assert_accepts_and_rejects(export_docx(comparison, old, new), old.body, new.body)


# --- the PDF -------------------------------------------------------------------------------


def test_seed_pdf_has_numbered_pages_with_both_refs_legend_and_redline(seed_pdf):
    reader = pypdf.PdfReader(io.BytesIO(seed_pdf))
    pages = [page.extract_text() for page in reader.pages]
    assert len(pages) >= 2
    for n, text in enumerate(pages, 1):
        assert f"Page {n} of {len(pages)}" in text
        assert f"{SEED_OLD} → {SEED_NEW}" in text
    everything = "\n".join(pages)
    assert "Legend:" in everything and "inserted text" in everything and "deleted text" in everything
    assert "Material change: readers must be told." in everything
    assert "We do not train on any user data or metadata" in everything  # the redline itself


def test_pdf_of_any_html_escapes_the_refs_in_its_header():
    data = pdf_from_html("<p>Body text</p>", 'a"b\\c@1', "x;}@page{y@2")
    text = pypdf.PdfReader(io.BytesIO(data)).pages[0].extract_text()
    assert 'a"b\\c@1 → x;}@page{y@2' in text and "Page 1 of 1" in text


def test_same_comparison_gives_the_same_pdf_bytes(small):
    old, new, comparison, _ = small
    assert export_pdf(comparison, old, new) == export_pdf(comparison, old, new)


# --- the command line ----------------------------------------------------------------------


def test_cli_writes_docx_and_pdf_atomically_and_exits_1(run_cli, tmp_path):
    (tmp_path / "old.md").write_text(OLD)
    (tmp_path / "new.md").write_text(NEW)
    for fmt in ("docx", "pdf"):
        result = run_cli("diff", "old.md", "new.md", "--format", fmt, "--out", f"out/redline.{fmt}")
        assert result.returncode == 1, result.stderr
        assert result.stdout == "" and result.stderr == ""
    assert_accepts_and_rejects((tmp_path / "out/redline.docx").read_bytes(), OLD, NEW)
    assert (tmp_path / "out/redline.pdf").read_bytes().startswith(b"%PDF-")
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["redline.docx", "redline.pdf"]


def test_cli_identical_files_exit_0_and_out_dash_writes_to_a_pipe(run_cli, tmp_path):
    (tmp_path / "old.md").write_text(OLD)
    result = subprocess.run([sys.executable, "-m", "policydocs", "diff", "old.md", "old.md", "--format", "docx",
                             "--out", "-"], cwd=tmp_path, capture_output=True,
                            env=dict(os.environ, PYTHONPATH=str(ROOT / "src")), timeout=300)
    assert result.returncode == 0, result.stderr
    assert zipfile.ZipFile(io.BytesIO(result.stdout)).read("word/document.xml")


def test_cli_binary_format_without_out_is_refused_with_one_line(run_cli, tmp_path):
    (tmp_path / "old.md").write_text(OLD)
    (tmp_path / "new.md").write_text(NEW)
    before = snapshot(tmp_path)
    result = run_cli("diff", "old.md", "new.md", "--format", "docx")
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "--out FILE.docx" in result.stderr
    assert result.stdout == "" and snapshot(tmp_path) == before


def test_cli_refuses_binary_output_to_a_terminal(tmp_path):
    (tmp_path / "old.md").write_text(OLD)
    (tmp_path / "new.md").write_text(NEW)
    leader, follower = pty.openpty()
    try:
        result = subprocess.run([sys.executable, "-m", "policydocs", "diff", "old.md", "new.md", "--format", "pdf",
                                 "--out", "-"], cwd=tmp_path, stdout=follower, stderr=subprocess.PIPE, text=True,
                                env=dict(os.environ, PYTHONPATH=str(ROOT / "src")), timeout=300)
        os.set_blocking(leader, False)
        try:
            shown = os.read(leader, 65536)
        except BlockingIOError:
            shown = b""
    finally:
        os.close(leader)
        os.close(follower)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "refusing to write a binary .pdf to a terminal" in result.stderr
    assert shown == b""


def test_cli_unwritable_out_is_one_line_and_exit_2(run_cli, tmp_path):
    (tmp_path / "old.md").write_text(OLD)
    (tmp_path / "new.md").write_text(NEW)
    (tmp_path / "taken").write_text("a file, not a folder")
    result = run_cli("diff", "old.md", "new.md", "--format", "docx", "--out", "taken/redline.docx")
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "taken/redline.docx" in result.stderr
    assert "Traceback" not in result.stderr
