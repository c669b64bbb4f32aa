"""What a reader sees of a Markdown body, character by character of its source.

The comparison's segments are cut in the Markdown *source*; a Word document shows
the *rendered* text. This module says, for every source offset, whether a reader
sees it (and as what, with which emphasis or link) and which block (heading,
paragraph, list item, table cell ...) it belongs to. Syntax (``##``, ``**``,
``](url)``, list markers, table pipes) is seen by nobody. With that map both
sides of a comparison can be laid out as formatted paragraphs while every
character keeps its place in the segments.

markdown-it parses; the text of each inline token is then found again, in order,
in the block's source (entities and escapes are the only places where what is
seen differs from what is written).
"""

from __future__ import annotations

import bisect
import html
import re
from dataclasses import dataclass, field, replace
from typing import Literal

from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.footnote import footnote_plugin

BlockKind = Literal["heading", "paragraph", "item", "quote", "code", "cell", "note", "rule"]

_MD = MarkdownIt("commonmark").enable(["table", "strikethrough"]).use(footnote_plugin)
_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
_TAG = re.compile(r"<[^>]*>")
_SPACE = re.compile(r"[ \t\n]")


@dataclass(frozen=True)
class Style:
    """Inline formatting of a visible character."""

    bold: bool = False
    italic: bool = False
    strike: bool = False
    code: bool = False
    sup: bool = False
    link: str | None = None


PLAIN = Style()


@dataclass(frozen=True)
class Block:
    """A leaf block as a reader sees it: one Word paragraph (or table cell)."""

    start: int  # source offset where the block begins
    kind: BlockKind
    level: int = 0  # heading level, or list depth (1 = top level)
    ordered: bool = False  # a numbered list item
    continued: bool = False  # a later paragraph of the same list item
    table: int = -1  # table cells: which table of the body, row (0 = header), column
    row: int = -1
    col: int = -1


@dataclass
class ReaderText:
    """The visible characters of one body and the blocks they belong to."""

    source: str
    blocks: list[Block]
    visible: dict[int, tuple[str, Style]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.starts = [b.start for b in self.blocks]

    def block_at(self, offset: int) -> int:
        """Index of the block holding ``offset`` (blocks run up to the next one's start)."""
        return max(bisect.bisect_right(self.starts, offset) - 1, 0)

    def text(self) -> list[str]:
        """Each block's visible text (for tests and the plain-text view)."""
        out = [""] * len(self.blocks)
        for offset in sorted(self.visible):
            out[self.block_at(offset)] += self.visible[offset][0]
        return out


def read_markdown(body: str) -> ReaderText:
    """Map ``body`` (Markdown) to what a reader sees of it."""
    return _Reader(body).read()


def _parse_source(body: str) -> str:
    """The body as markdown-it would normalise it, at the same offsets (same length)."""
    return body.replace("\r\n", " \n").replace("\r", "\n").replace("\0", "\ufffd")


class _Reader:
    def __init__(self, body: str) -> None:
        self.source = _parse_source(body)
        self.line_starts = [0] + [m.end() for m in re.finditer("\n", self.source)]
        self.visible: dict[int, tuple[str, Style]] = {}
        self.blocks: list[Block] = []
        self.entities = [(m.start(), m.end(), html.unescape(m.group())) for m in _ENTITY.finditer(self.source)]
        self.entity_starts = [e[0] for e in self.entities]
        self.last = -1  # the last offset made visible (where unplaced text goes)

    def line(self, n: int) -> int:
        return self.line_starts[n] if n < len(self.line_starts) else len(self.source)

    def read(self) -> ReaderText:
        tokens = _MD.parse(self.source)
        parents: list[Token] = []  # the open container tokens
        depth = 0  # list depth
        item_first = False  # the next paragraph is the first of its list item
        table = row = -1
        for i, tok in enumerate(tokens):
            kind = tok.type
            if kind in ("bullet_list_open", "ordered_list_open"):
                depth += 1
            elif kind in ("bullet_list_close", "ordered_list_close"):
                depth -= 1
            elif kind == "list_item_open":
                item_first = True
            elif kind == "table_open":
                table, row = table + 1, -1
            elif kind == "tr_open":
                row += 1
                self._row(tokens, i, table, row)
            elif kind == "heading_open":
                self._inline(Block(self.line(tok.map[0]), "heading", level=int(tok.tag[1])), tokens[i + 1])
            elif kind == "paragraph_open" and tok.map:
                self._paragraph(tok, tokens[i + 1], parents, depth, item_first)
                item_first = item_first and not (parents and parents[-1].type == "list_item_open")
            elif kind in ("fence", "code_block") and tok.map:
                self._code(tok)
            elif kind == "hr" and tok.map:
                self.blocks.append(Block(self.line(tok.map[0]), "rule"))
            elif kind == "html_block" and tok.map:
                self._html(tok)
            if tok.nesting == 1:
                parents.append(tok)
            elif tok.nesting == -1 and parents:
                parents.pop()
        self.blocks.sort(key=lambda b: b.start)
        return ReaderText(self.source, self.blocks, self.visible)

    def _paragraph(self, tok: Token, inline: Token, parents: list[Token], depth: int, item_first: bool) -> None:
        """A paragraph as a list item, a footnote, a quote or plain, by its container."""
        start = self.line(tok.map[0])
        parent = parents[-1] if parents else None
        if parent is not None and parent.type == "list_item_open":
            ordered = any(p.type == "ordered_list_open" for p in parents[-2:-1])
            self._inline(Block(start, "item", level=depth, ordered=ordered, continued=not item_first), inline)
        elif parent is not None and parent.type == "footnote_open" and parent.meta.get("_seen") is None:
            parent.meta["_seen"] = True
            self._inline(Block(start, "note"), inline, prefix=str(parent.meta.get("label", "")))
        elif any(p.type == "blockquote_open" for p in parents):
            self._inline(Block(start, "quote"), inline)
        else:
            self._inline(Block(start, "paragraph"), inline)

    # --- blocks ---------------------------------------------------------------------

    def _row(self, tokens: list[Token], i: int, table: int, row: int) -> None:
        """One table row: a block per cell, each cell's text looked for in its own span."""
        line_start = self.line(tokens[i].map[0])
        line_end = self.source.find("\n", line_start)
        line_end = len(self.source) if line_end < 0 else line_end
        cells: list[Token] = []
        for tok in tokens[i + 1:]:
            if tok.type == "tr_close":
                break
            if tok.type == "inline":
                cells.append(tok)
        spans = _cell_spans(self.source, line_start, line_end)
        if len(spans) < len(cells):  # padded cells (a short row) sit at the line's end
            spans += [(line_end, line_end)] * (len(cells) - len(spans))
        for col, inline in enumerate(cells):
            start, end = spans[col]
            self._inline(Block(start, "cell", table=table, row=row, col=col), inline, end=end)

    def _code(self, tok: Token) -> None:
        first, last = tok.map
        fenced = tok.type == "fence"
        start = self.line(first)
        body_start = self.line(first + 1) if fenced else start
        self.blocks.append(Block(start, "code"))
        self.last = start
        self._place(tok.content.rstrip("\n"), Style(code=True), body_start, self.line(last), spaces=False)

    def _html(self, tok: Token) -> None:
        """An HTML block shows its text, not its tags."""
        start, end = self.line(tok.map[0]), self.line(tok.map[1])
        self.blocks.append(Block(start, "paragraph"))
        self.last = start
        pos = start
        for m in _TAG.finditer(self.source, start, end):
            self._raw(pos, m.start())
            pos = m.end()
        self._raw(pos, end)

    def _raw(self, start: int, end: int) -> None:
        for k in range(start, end):
            ch = self.source[k]
            if not ch.isspace() or (k > start and not self.source[k - 1].isspace()):
                self.visible[k] = (" " if ch.isspace() else ch, PLAIN)

    def _inline(self, block: Block, inline: Token, *, end: int | None = None, prefix: str = "") -> None:
        """Find the text of each inline child, in order, in the block's source."""
        self.blocks.append(block)
        self.last = block.start
        if end is None:
            end = self.line(inline.map[1]) if inline.map else len(self.source)
        cursor = block.start
        if prefix:
            cursor = self._place(prefix, Style(sup=True), cursor, end)
            self._append(" ")
        stack: list[Style] = [PLAIN]
        for child in inline.children or ():
            style = stack[-1]
            kind = child.type
            if kind == "text":
                cursor = self._place(child.content, style, cursor, end)
            elif kind == "code_inline":
                cursor = self._place(child.content, replace(style, code=True), cursor, end)
            elif kind in ("softbreak", "hardbreak"):
                cursor = self._line_break(" " if kind == "softbreak" else "\n", style, cursor, end)
            elif kind == "image":
                cursor = self._place(child.content, style, cursor, end)
            elif kind == "footnote_ref":
                cursor = self._place(str(child.meta.get("label", "")), replace(style, sup=True), cursor, end)
            elif kind.endswith("_open"):
                stack.append(_opened(style, child))
            elif kind.endswith("_close") and len(stack) > 1:
                stack.pop()

    # --- placing text ---------------------------------------------------------------

    def _place(self, text: str, style: Style, cursor: int, end: int, *, spaces: bool = True) -> int:
        """Mark where ``text`` is written at or after ``cursor``; returns the new cursor.
        A space may stand for a line break (soft breaks, code spans)."""
        source = self.source
        found = source.find(text, cursor, end)
        if found >= 0 and (found == cursor or "\\" not in source[cursor:found]):
            for k, ch in enumerate(text):
                self.visible[found + k] = (ch, style)
            self.last = found + len(text) - 1
            return found + len(text)
        i = 0
        while i < len(text):
            ch = text[i]
            raw = _find_char(source, ch, cursor, end, spaces)
            entity = self._entity_at_or_after(cursor, end)
            if entity is not None and (raw < 0 or entity[0] < raw) and text.startswith(entity[2], i):
                self.visible[entity[0]] = (entity[2], style)
                self.last = entity[0]
                cursor = entity[1]
                i += len(entity[2])
                continue
            if raw < 0:  # not in the source as such: shown where the last text was
                self._append(ch, style)
            else:
                self.visible[raw] = ("\n" if ch == "\n" else ch, style)
                self.last = raw
                cursor = raw + 1
            i += 1
        return cursor

    def _line_break(self, shown: str, style: Style, cursor: int, end: int) -> int:
        """A soft break is seen as a space, a hard one as a new line: both at the source's newline."""
        at = self.source.find("\n", cursor, end)
        if at < 0:
            self._append(shown, style)
            return cursor
        self.visible[at] = (shown, style)
        self.last = at
        return at + 1

    def _entity_at_or_after(self, cursor: int, end: int) -> tuple[int, int, str] | None:
        k = bisect.bisect_left(self.entity_starts, cursor)
        if k < len(self.entities) and self.entities[k][0] < end:
            return self.entities[k]
        return None

    def _append(self, text: str, style: Style = PLAIN) -> None:
        at = max(self.last, self.blocks[-1].start if self.blocks else 0)
        shown, old_style = self.visible.get(at, ("", style))
        self.visible[at] = (shown + text, old_style)
        self.last = at


def _opened(style: Style, tok: Token) -> Style:
    kind = tok.type
    if kind == "strong_open":
        return replace(style, bold=True)
    if kind == "em_open":
        return replace(style, italic=True)
    if kind == "s_open":
        return replace(style, strike=True)
    if kind == "link_open":
        return replace(style, link=str(tok.attrs.get("href", "")))
    return style


def _find_char(source: str, ch: str, cursor: int, end: int, spaces: bool) -> int:
    if ch in (" ", "\n") and spaces:
        found = _SPACE.search(source, cursor, end)
        return found.start() if found else -1
    return source.find(ch, cursor, end)


def _cell_spans(source: str, start: int, end: int) -> list[tuple[int, int]]:
    """The source span of each cell of a table row (split at unescaped pipes)."""
    pipes = [k for k in range(start, end) if source[k] == "|" and (k == start or source[k - 1] != "\\")]
    bounds = [start - 1, *pipes, end]
    spans = [(a + 1, b) for a, b in zip(bounds, bounds[1:])]
    if spans and not source[spans[0][0]:spans[0][1]].strip() and pipes and pipes[0] == _first_char(source, start, end):
        spans = spans[1:]  # a leading pipe opens the first cell
    if spans and not source[spans[-1][0]:spans[-1][1]].strip() and len(spans) > 1:
        spans = spans[:-1]  # a trailing pipe closes the last
    return spans


def _first_char(source: str, start: int, end: int) -> int:
    k = start
    while k < end and source[k] in " \t":
        k += 1
    return k
