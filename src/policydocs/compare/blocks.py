"""Stage 1, blocks: a Markdown text cut into blocks that rebuild it exactly.

Each block is one Markdown block (heading, paragraph, list item, table row, code,
HTML, rule) and the blank lines after it, starting at a line markdown-it reports
as a block start. The blocks *partition* the text (each runs up to the next one's
start), so joining them gives the text back byte for byte whatever the parser
thinks. A block's ``key`` is its normalised text: equal keys mean "the same block"
(whitespace and numbering aside).
"""

from __future__ import annotations

import bisect
import functools
import itertools
import operator
import re
from dataclasses import dataclass

import markdown_it_pyrs
from markdown_it import MarkdownIt

from policydocs.compare.model import BlockKind
from policydocs.memo import memoised
from policydocs.plaintext import count_words, words

_MD = MarkdownIt("commonmark").enable("table")
_MD.disable(["inline", "text_join"])  # only block structure and source maps are needed
# markdown-it-py token → block kind (table rows: see `_block_starts_py`)
_PY_BLOCKS = {"heading_open": "heading", "paragraph_open": "paragraph", "list_item_open": "list_item",
              "tr_open": "table_row", "fence": "code", "code_block": "code", "html_block": "html",
              "hr": "rule"}
# Block rules only: the inline rules are not needed (titles are sliced from the source)
# and one of them (code spans) can panic on odd input.
_MD_RS = markdown_it_pyrs.MarkdownIt("zero").enable_many(
    ["blockquote", "code", "fence", "heading", "hr", "lheading", "list", "paragraph", "reference",
     "html_block", "table"])
# markdown-it.rs node → block kind ("" for containers whose children are looked at);
# nodes not listed are inline.
_RS_BLOCKS = {"heading": "heading", "lheading": "heading", "paragraph": "paragraph",
              "list_item": "list_item", "trow": "table_row", "fence": "code", "code_block": "code",
              "html_block": "html", "hr": "rule", "bullet_list": "", "ordered_list": "",
              "blockquote": "", "table": "", "thead": "", "tbody": ""}
# Where markdown-it.rs and markdown-it-py disagree (found by fuzzing the two): an empty
# list item's marker line; a table delimiter row two lines below a non-blank line.
# Written for a line start, like `windows`' line patterns: tried at the very start, then
# after each newline (found by a fast search for the literal), rather than at every position.
_RS_DIFFERS = (r"[ \t>]*(?:[-*+]|\d{1,9}[.)])[ \t]*$"
               r"|[ \t>]*\S[^\n]*\n[^\n]*\|[^\n]*\n[ \t>]*\|?[ \t]*:?-+:?[ \t]*(?:\|[^\n]*)?$")
_RS_DIFFERS_AT_START = re.compile(f"(?:{_RS_DIFFERS})", re.MULTILINE)
_RS_DIFFERS_AFTER_NEWLINE = re.compile(f"\n(?:{_RS_DIFFERS})", re.MULTILINE)
_RS_LEAVES = frozenset({"paragraph", "table_row", "code", "html", "rule"})
_LINE_RE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")  # markdown-it's idea of a line
_NUMBER_PREFIX_RE = re.compile(r"^[ \t>#*+\-]*\[?\d+(?:\\?[.)]\d+)*\\?[.)]\s+")
# A block's key drops the number prefix (if any), then the list / quote / heading markers left.
_PREFIX_RE = re.compile(r"(?:" + _NUMBER_PREFIX_RE.pattern[1:] + r")?[ \t>#*+\-]*")
_ESCAPE_RE = re.compile(r"\\([!-/:-@\[-`{-~])")


def unescape(title: str) -> str:
    """A heading title as read: backslash escapes (``\\*``) dropped (most titles have none)."""
    return _ESCAPE_RE.sub(r"\1", title) if "\\" in title else title


@dataclass(frozen=True)
class Block:
    """A contiguous slice of a body: one Markdown block and the blank lines after it."""

    start: int  # character offset in the body
    text: str
    kind: BlockKind  # "same" for an unchanged stretch (see `windows`)
    section: tuple[str, ...]
    key: str  # normalised text: equal keys mean "the same block" (whitespace, numbering aside)

    @functools.cached_property
    def words(self) -> int:
        """How many words the block has (`count_words`); for an unchanged stretch, its
        spaces and line breaks (it only weighs the similarity of documents). Counted
        when first asked: most pairs never ask for most blocks' words."""
        if self.kind == "same":
            return self.text.count(" ") + self.text.count("\n")
        return count_words(self.text)

    @functools.cached_property
    def folded_words(self) -> list[str]:
        """The key's `plaintext.words`, for similarity scores: taken once per block
        rather than each time the block is scored against another."""
        return words(self.key)


def parse_blocks(body: str, headings: list[tuple[int, str]] | None = None
                 ) -> tuple[list[Block], list[tuple[int, str]]]:
    """Cut ``body`` into blocks, each with its heading path; they rebuild it exactly.

    ``headings`` is the (level, title) stack in force where ``body`` starts (when it
    is a window of a longer text); the stack at its end is returned with the blocks."""
    blocks, stack = _parsed_window(body, tuple(headings or ()))
    return list(blocks), list(stack)


@memoised("compare: parsed windows", 64)
def _parsed_window(body: str, headings: tuple[tuple[int, str], ...]
                   ) -> tuple[tuple[Block, ...], tuple[tuple[int, str], ...]]:
    """`parse_blocks`, remembered for the last windows: in a history walk the new side
    of one pair is the old side of the next, and the same changed region is often cut
    into the same window again (half the corpus's window text is such a repeat)."""
    offsets = _line_offsets(body)
    line_count = len(offsets) - 1
    starts = _block_starts(body, offsets)
    if 0 not in starts:
        starts[0] = ("blank", 0, "")
    order = sorted(starts)
    blocks: list[Block] = []
    stack = list(headings)
    section = tuple(h for _, h in stack)  # rebuilt only at headings
    for line, end_line in zip(order, order[1:] + [line_count]):
        if line >= line_count:
            break
        kind, level, title = starts[line]
        if kind == "heading":
            while stack and stack[-1][0] >= level:
                stack.pop()
            stack.append((level, title))
            section = tuple(h for _, h in stack)
        text = body[offsets[line]:offsets[end_line]]
        key = " ".join(text[_PREFIX_RE.match(text).end():].split())  # type: ignore[union-attr]
        blocks.append(Block(offsets[line], text, kind, section, key))
    if not blocks and body:
        blocks.append(Block(0, body, "blank", tuple(h for _, h in stack), ""))
    return tuple(blocks), tuple(stack)


def _block_starts(body: str, offsets: list[int]) -> dict[int, tuple[str, int, str]]:
    """line → (kind, heading level, heading title) of each block markdown-it starts there.

    markdown-it.rs (`markdown_it_pyrs`, ~3x faster than markdown-it-py here) unless the
    body holds what it reads differently from markdown-it-py (CR line ends, NUL, lone
    surrogates, and the two constructs where the parsers were seen to disagree: a list
    item with nothing on its first line, a table whose header line follows a text line):
    then markdown-it-py. Both find the same starts and titles on every window of the
    genai-eu corpus (bench/corpus_fingerprint.py)."""
    data = _utf8(body)
    if "\r" in body or "\0" in body or data is None or rs_differs(body):
        return _block_starts_py(body)
    if len(data) == len(body):
        line_at = offsets  # ASCII: byte offsets are character offsets
    else:
        line_at = [0, *itertools.accumulate(len(body[a:b].encode("utf-8")) for a, b in zip(offsets, offsets[1:]))]
    starts: dict[int, tuple[str, int, str]] = {}

    def line_of(byte: int) -> int:
        return bisect.bisect_right(line_at, byte) - 1

    def visit(node: markdown_it_pyrs.Node) -> None:
        inline_run = False  # a tight list hides its paragraphs: their first inline node starts one
        for child in node.children:
            name = child.name
            kind = _RS_BLOCKS.get(name)
            if kind is None:
                if not inline_run and node.name == "list_item" and child.srcmap:
                    line = line_of(child.srcmap[0])
                    starts.setdefault(line, ("paragraph", 0, ""))
                inline_run = True
                continue
            inline_run = False
            if kind and child.srcmap:
                line = line_of(child.srcmap[0])
                if kind == "heading":
                    inner = child.children
                    title = (data[inner[0].srcmap[0]:inner[-1].srcmap[1]].decode("utf-8")
                             if inner and inner[0].srcmap and inner[-1].srcmap else "")
                    starts[line] = ("heading", int(child.meta.get("level", 1)),
                                    unescape(title.strip()))
                else:
                    if kind == "table_row" and node.name == "thead":
                        kind = "table_header"
                    starts.setdefault(line, (kind, 0, ""))
            if kind != "heading" and kind not in _RS_LEAVES:
                visit(child)

    try:
        tree = _MD_RS.tree(body)
    except BaseException as error:  # a Rust panic is raised as pyo3's PanicException (a BaseException)
        if type(error).__name__ != "PanicException":
            raise
        return _block_starts_py(body)
    visit(tree)
    return starts


def rs_differs(body: str) -> bool:
    """Whether the body holds one of the constructs markdown-it.rs reads differently."""
    return bool(_RS_DIFFERS_AT_START.match(body) or _RS_DIFFERS_AFTER_NEWLINE.search(body))


def _utf8(body: str) -> bytes | None:
    """The body in UTF-8, or None if it holds lone surrogates."""
    try:
        return body.encode("utf-8")
    except UnicodeEncodeError:
        return None


def _block_starts_py(body: str) -> dict[int, tuple[str, int, str]]:
    """`_block_starts` with markdown-it-py, for the bodies markdown-it.rs would read differently."""
    starts: dict[int, tuple[str, int, str]] = {}
    tokens = _MD.parse(body)
    in_head = False  # rows between thead_open and thead_close are the header row
    for i, tok in enumerate(tokens):
        if tok.type in ("thead_open", "thead_close"):
            in_head = tok.type == "thead_open"
        kind = _PY_BLOCKS.get(tok.type)
        if tok.map is None or kind is None:
            continue
        line = tok.map[0]
        if kind == "heading":
            title = unescape(tokens[i + 1].content.strip())
            starts[line] = ("heading", int(tok.tag[1]), title)
        elif line not in starts:
            starts[line] = ("table_header" if in_head and kind == "table_row" else kind, 0, "")
    return starts


def _line_offsets(body: str) -> list[int]:
    """Where each of markdown-it's lines starts (``\n``, ``\r\n`` or ``\r`` end a line),
    plus the body's length: running sums in C rather than a loop over the lines."""
    if "\r" in body:
        return [0, *itertools.accumulate(map(len, _LINE_RE.findall(body)))]
    lengths = list(map(len, body.split("\n")))
    if lengths[-1] == 0:  # the body ends with a newline: no empty last line
        lengths.pop()
    offsets = [0, *map(operator.add, itertools.accumulate(lengths), itertools.count(1))]
    if not body.endswith("\n") and body:
        offsets[-1] = len(body)
    return offsets
