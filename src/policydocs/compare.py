"""The compare stage: two Markdown bodies → one `Comparison`.

The types below are the contract every later stage (materiality, notices,
site, CLI renderers) builds on; the JSON shape of ``policydocs diff`` is
`Comparison.to_json()`.

How it works (block first, then words), and why:

1. Each body is cut into blocks (headings, paragraphs, list items, table rows,
   code) at the start lines markdown-it reports. The blocks *partition* the
   body (each runs up to the next one's start), so joining them gives the body
   back byte for byte whatever the parser thinks.
2. Blocks are aligned: blocks whose normalised text is unique in both bodies
   match by hash in linear time and their longest in-order chain (patience
   diff) anchors the alignment; anchors out of order are *moves*. Between
   anchors, repeated blocks match with diff-match-patch on block hashes, then
   edited blocks pair by similarity (rapidfuzz) in order, also one-to-two for
   split and merged paragraphs. What is still unpaired is matched across the
   whole body by similarity: a moved and edited block is a move too.
3. Inside paired blocks, words are diffed with diff-match-patch on tokens
   (words, single punctuation marks, whitespace runs) mapped to single
   characters, then semantic clean-up so that "the" and "and" do not stitch
   unrelated sentences together.
4. Each change is classified editorial (whitespace, case, quotes,
   punctuation, markdown, link target, renumbering) or content.

Limits (deterministic, never timed — diff-match-patch's timeout silently
degrades to "delete all, insert all"): a gap of more than `GAP_BLOCK_CAP`
unanchored blocks is not searched for repeated blocks, similarity pairing is
skipped above `PAIR_CELL_CAP` candidate pairs, and a block pair of more than
`WORD_TOKEN_CAP` tokens is diffed as common prefix/suffix plus one replace.
Each limit that applied is listed in `Comparison.notes`.
"""

from __future__ import annotations

import bisect
import codecs
import functools
import hashlib
import itertools
import operator
import re
from dataclasses import dataclass, field
from typing import Any, Iterable, Iterator, Literal, Sequence

import fast_diff_match_patch
import markdown_it_pyrs
from markdown_it import MarkdownIt
from rapidfuzz import process
from rapidfuzz.distance import Indel

from policydocs import align

ENGINE_VERSION = "2"  # bump whenever compare() may give a different result (cache key)

SegmentOp = Literal["equal", "delete", "insert"]
ChangeType = Literal["insert", "delete", "replace", "move"]
ChangeKind = Literal["content", "editorial"]


@dataclass(frozen=True)
class Segment:
    """A run of text: kept, deleted or inserted. Segments rebuild both bodies exactly."""

    op: SegmentOp
    text: str
    change: str | None = None  # id of the Change this run belongs to ("c3")
    move: str | None = None  # id of the move ("m1") when the run is moved text


@dataclass(frozen=True)
class Reason:
    """Why a change is material: which rule fired, explained in plain words."""

    rule: str
    explanation: str


@dataclass(frozen=True)
class Change:
    """One reviewable change, with the section (heading path) it sits in."""

    id: str
    type: ChangeType
    kind: ChangeKind
    section: tuple[str, ...]
    old_text: str
    new_text: str
    material: bool = False
    reasons: tuple[Reason, ...] = ()
    move: str | None = None  # move id shared by both ends of a move
    editorial: str | None = None  # for kind=editorial: whitespace|case|quotes|punctuation|markdown|link|renumbering
    old_section: tuple[str, ...] = ()  # for moves: where the text came from
    old_context: str = ""  # the whole old block, for explanations
    new_context: str = ""  # the whole new block


@dataclass(frozen=True)
class Stats:
    old_words: int = 0
    new_words: int = 0
    inserted_words: int = 0
    deleted_words: int = 0
    moved_words: int = 0
    changes: int = 0
    material_changes: int = 0


@dataclass(frozen=True)
class Comparison:
    """The result of comparing two bodies: changes for reviewers, segments for rebuilding."""

    old_sha256: str
    new_sha256: str
    changes: tuple[Change, ...]
    segments: tuple[Segment, ...]
    stats: Stats
    material: bool = False
    verdict_basis: str = "none"  # "none" until materiality runs, then "rules" | "override"
    notes: tuple[str, ...] = field(default=())  # limits that applied (size caps, ...)
    computed_material: bool | None = None  # the rules' verdict, kept beside an override
    override_reason: str | None = None  # the version's material_reason when overridden

    @property
    def identical(self) -> bool:
        return self.old_sha256 == self.new_sha256

    def old_body(self) -> str:
        return "".join(s.text for s in self.segments if s.op != "insert")

    def new_body(self) -> str:
        return "".join(s.text for s in self.segments if s.op != "delete")

    def to_json(self, old_meta: dict[str, Any] | None = None,
                new_meta: dict[str, Any] | None = None) -> dict[str, Any]:
        """The ``policydocs diff --format json`` document (ARCHITECTURE.md, "The diff JSON")."""

        def side(meta: dict[str, Any] | None, sha: str) -> dict[str, Any]:
            meta = meta or {}
            return {"ref": meta.get("ref"), "title": meta.get("title"), "sha256": sha}

        stats = self.stats
        return {
            "format": 1,
            "old": side(old_meta, self.old_sha256),
            "new": side(new_meta, self.new_sha256),
            "identical": self.identical,
            "material": self.material,
            "verdict_basis": self.verdict_basis,
            **({"computed_material": self.computed_material, "override_reason": self.override_reason}
               if self.verdict_basis == "override" else {}),
            "stats": {k: getattr(stats, k) for k in (
                "old_words", "new_words", "inserted_words", "deleted_words",
                "moved_words", "changes", "material_changes")},
            "changes": [{
                "id": c.id, "type": c.type, "kind": c.kind, "section": list(c.section),
                "old_text": c.old_text, "new_text": c.new_text, "material": c.material,
                "reasons": [{"rule": r.rule, "explanation": r.explanation} for r in c.reasons],
            } for c in self.changes],
            "segments": [_segment_json(s) for s in self.segments],
        }


def _segment_json(segment: Segment) -> dict[str, str]:
    out = {"op": segment.op, "text": segment.text}
    if segment.change:
        out["change"] = segment.change
    if segment.move:
        out["move"] = segment.move
    return out


# --- limits (deterministic; see the module docstring) ---------------------------------

GAP_BLOCK_CAP = 4000  # blocks in one unanchored gap searched for repeated blocks
PAIR_CELL_CAP = 40_000  # old×new blocks scored for in-place similarity pairing
MOVE_CELL_CAP = 250_000  # old×new leftover blocks scored for moves
FINE_TOKEN_CAP = 1500  # tokens diffed word by word in one go; longer texts go by sentence first
WORD_TOKEN_CAP = 400_000  # tokens of one block pair beyond which only prefix/suffix are kept
MOVE_MIN_WORDS = 2  # shorter blocks are never reported as moves
SIMILAR_DOCS = 0.3  # below this share of old words matched in order, documents "differ"


# --- blocks ----------------------------------------------------------------------------

_MD = MarkdownIt("commonmark").enable("table")
_MD.disable(["inline", "text_join"])  # only block structure and source maps are needed
_BLOCK_TOKENS = frozenset({"heading_open", "paragraph_open", "list_item_open", "tr_open",
                           "fence", "code_block", "html_block", "hr"})
# Block rules only: the inline rules are not needed (titles are sliced from the source)
# and one of them (code spans) can panic on odd input.
_MD_RS = markdown_it_pyrs.MarkdownIt("zero").enable_many(
    ["blockquote", "code", "fence", "heading", "hr", "lheading", "list", "paragraph", "reference",
     "html_block", "table"])
# markdown-it.rs node → block kind ("" for containers whose children are looked at);
# nodes not listed are inline.
_RS_BLOCKS = {"heading": "heading", "lheading": "heading", "paragraph": "paragraph",
              "list_item": "list_item", "trow": "tr", "fence": "fence", "code_block": "code_block",
              "html_block": "html_block", "hr": "hr", "bullet_list": "", "ordered_list": "",
              "blockquote": "", "table": "", "thead": "", "tbody": ""}
# Where markdown-it.rs and markdown-it-py disagree (found by fuzzing the two): an empty
# list item's marker line; a table delimiter row two lines below a non-blank line.
_RS_DIFFERS_RE = re.compile(r"^[ \t>]*(?:[-*+]|\d{1,9}[.)])[ \t]*$"
                            r"|^[ \t>]*\S[^\n]*\n[^\n]*\|[^\n]*\n[ \t>]*\|?[ \t]*:?-+:?[ \t]*(?:\|[^\n]*)?$",
                            re.MULTILINE)
_RS_LEAVES = frozenset({"paragraph", "tr", "fence", "code_block", "html_block", "hr"})
_LINE_RE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")  # markdown-it's idea of a line
_NUMBER_PREFIX_RE = re.compile(r"^[ \t>#*+\-]*\[?\d+(?:\\?[.)]\d+)*\\?[.)]\s+")
# A block's key drops the number prefix (if any), then the list / quote / heading markers left.
_PREFIX_RE = re.compile(r"(?:" + _NUMBER_PREFIX_RE.pattern[1:] + r")?[ \t>#*+\-]*")
_WS_RE = re.compile(r"\s+")
_ESCAPE_RE = re.compile(r"\\([!-/:-@\[-`{-~])")
_WORD_RE = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True)
class Block:
    """A contiguous slice of a body: one Markdown block and the blank lines after it."""

    start: int  # character offset in the body
    text: str
    kind: str  # heading | paragraph | list_item | tr | fence | code_block | html_block | hr | blank
    section: tuple[str, ...]
    key: str  # normalised text: equal keys mean "the same block" (whitespace, numbering aside)
    words: int

    @functools.cached_property
    def folded_words(self) -> list[str]:
        """The key's words, case-folded (`align.words_of`), for similarity scores: taken
        once per block rather than each time the block is scored against another."""
        return align.words_of(self.key)


def parse_blocks(body: str, headings: list[tuple[int, str]] | None = None
                 ) -> tuple[list[Block], list[tuple[int, str]]]:
    """Cut ``body`` into blocks, each with its heading path; they rebuild it exactly.

    ``headings`` is the (level, title) stack in force where ``body`` starts (when it
    is a window of a longer text); the stack at its end is returned with the blocks."""
    blocks, stack = _parsed_window(body, tuple(headings or ()))
    return list(blocks), list(stack)


@functools.lru_cache(maxsize=64)
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
        blocks.append(Block(offsets[line], text, kind, section, key, count_words(text)))
    if not blocks and body:
        blocks.append(Block(0, body, "blank", tuple(h for _, h in stack), "", 0))
    return tuple(blocks), tuple(stack)


def _block_starts(body: str, offsets: list[int]) -> dict[int, tuple[str, int, str]]:
    """line → (kind, heading level, heading title) of each block markdown-it starts there.

    markdown-it.rs (`markdown_it_pyrs`, ~3x faster than markdown-it-py here) unless the
    body holds what it reads differently from markdown-it-py (CR line ends, NUL, lone
    surrogates, and the two constructs where the parsers were seen to disagree: a list
    item with nothing on its first line, a table whose header line follows a text line):
    then markdown-it-py. Both find the same starts and titles on every window of the
    genai-eu corpus (bench/corpus_fingerprint.py)."""
    if "\r" in body or "\0" in body or not _utf8_safe(body) or _RS_DIFFERS_RE.search(body):
        return _block_starts_py(body)
    data = body.encode("utf-8")
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
                                    _ESCAPE_RE.sub(r"\1", title.strip()))
                else:
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


def _utf8_safe(body: str) -> bool:
    try:
        body.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _block_starts_py(body: str) -> dict[int, tuple[str, int, str]]:
    """`_block_starts` with markdown-it-py, for the bodies markdown-it.rs would read differently."""
    starts: dict[int, tuple[str, int, str]] = {}
    tokens = _MD.parse(body)
    for i, tok in enumerate(tokens):
        if tok.map is None or tok.type not in _BLOCK_TOKENS:
            continue
        line = tok.map[0]
        if tok.type == "heading_open":
            title = _ESCAPE_RE.sub(r"\1", tokens[i + 1].content.strip())
            starts[line] = ("heading", int(tok.tag[1]), title)
        elif line not in starts:
            starts[line] = (tok.type.removesuffix("_open"), 0, "")
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


# --- changed windows ------------------------------------------------------------------
# Only the parts of the bodies that differ are parsed and aligned, so the cost follows
# the size of the changes rather than of the documents. A line diff finds the unchanged
# stretches; each is cut at block starts that markdown-it sees the same way in the
# whole text (a non-indented line after a blank line, outside fenced code) and becomes
# one "same" block, a unique anchor; what lies between is parsed into real blocks.

_SAFE_START_RE = re.compile(r"\n[ \t]*\n(?=\S)")
# Patterns for whole lines, written to start with a literal newline: Python's re then
# finds candidates with a fast substring search (a "^" in MULTILINE mode tries every
# position and is ~30x slower). `_line_starts` adds the match at the very start.
_FENCE_LINE = r" {0,3}(?:```|~~~)"
_ATX_LINE = r" {0,3}(#{1,6})(?:[ \t]+([^\n]*?))?(?:[ \t]+#+)?[ \t]*(?=\n|$)"
_SETEXT_LINE = r" {0,3}(=+|-+)[ \t]*(?=\n|$)"
_LINE_PATTERNS: dict[str, tuple[re.Pattern[str], re.Pattern[str]]] = {
    p: (re.compile("\n" + p), re.compile(p)) for p in (_FENCE_LINE, _ATX_LINE, _SETEXT_LINE)
}


def _line_starts(pattern: str, text: str, start: int = 0, end: int | None = None
                 ) -> list[tuple[int, re.Match[str]]]:
    """(line start, match) of each line in ``text[start:end]`` matching ``pattern``."""
    end = len(text) if end is None else end
    after_newline, at_start = _LINE_PATTERNS[pattern]
    out = []
    if start == 0 and (m := at_start.match(text, 0, end)):
        out.append((0, m))
    for m in after_newline.finditer(text, max(start - 1, 0), end):
        if m.start() + 1 >= start:
            out.append((m.start() + 1, m))
    return out


def _in_fence(fences: Sequence[int], offset: int) -> bool:
    return bisect.bisect_left(fences, offset) % 2 == 1


# Facts of one whole body, remembered for the last few bodies: in a history walk each
# body is the new side of one pair, then the old side of the next.
_BODIES_KEPT = 4


@functools.lru_cache(maxsize=_BODIES_KEPT)
def _fence_lines(text: str) -> tuple[int, ...]:
    """Starts of the lines that open or close fenced code (lines matching `_FENCE_LINE`):
    found by searching the markers, which are rare, rather than by trying every line."""
    starts = set()
    for marker in ("```", "~~~"):
        at = text.find(marker)
        while at != -1:
            line_start = text.rfind("\n", 0, at) + 1
            if at - line_start <= 3 and text.startswith(" " * (at - line_start), line_start):
                starts.add(line_start)
            line_end = text.find("\n", at)
            at = -1 if line_end == -1 else text.find(marker, line_end)
    return tuple(sorted(starts))


def _find_headings(text: str, start: int, end: int) -> list[tuple[int, int, str]]:
    """(offset from ``start``, level, title) of the ATX and setext heading lines in
    ``text[start:end]``, in order: a line scan, so unchanged text needs no full parse.
    The offsets are relative because an unchanged stretch is the same text in both
    bodies: it is scanned once."""
    found: list[tuple[int, int, str]] = []
    for pos, m in _line_starts(_ATX_LINE, text, start, end):
        found.append((pos - start, len(m.group(1)), m.group(2) or ""))
    for pos, m in _line_starts(_SETEXT_LINE, text, start, end):
        line_start = text.rfind("\n", 0, max(pos - 1, 0)) + 1
        title = text[line_start:pos].strip()
        if title and start <= line_start < pos:
            found.append((line_start - start, 1 if m.group(1)[0] == "=" else 2, title))
    return sorted(found)


def _apply_headings(found: list[tuple[int, int, str]], start: int, fences: Sequence[int],
                    stack: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """The heading stack after the headings ``found`` in a stretch starting at ``start``
    (those inside fenced code do not count)."""
    stack = list(stack)
    for pos, level, title in found:
        if fences and _in_fence(fences, start + pos):
            continue
        while stack and stack[-1][0] >= level:
            stack.pop()
        stack.append((level, _ESCAPE_RE.sub(r"\1", title.strip())))
    return stack


@functools.lru_cache(maxsize=_BODIES_KEPT)
def _lines(body: str) -> tuple[tuple[str, ...], tuple[int, ...]]:
    """A body's lines (any exact cut will do for the line diff) and where each starts."""
    lines = tuple(body.splitlines(keepends=True))
    return lines, (0, *itertools.accumulate(map(len, lines)))


@functools.lru_cache(maxsize=_BODIES_KEPT)
def _sha256(body: str) -> str:
    return hashlib.sha256(body.encode("utf-8", "surrogatepass")).hexdigest()


def _equal_stretches(old: str, new: str) -> list[tuple[int, int, int]]:
    """Unchanged line runs as (old start, old end, new start), from a line diff."""
    table: dict[str, str] = {}
    a, a_at = _lines(old)
    b, b_at = _lines(new)
    out = []
    ia = ib = 0
    for op, chars in _diff(_encode(a, table), _encode(b, table)):
        k = len(chars)
        if op == 0:
            out.append((a_at[ia], a_at[ia + k], b_at[ib]))
            ia += k
            ib += k
        elif op == -1:
            ia += k
        else:
            ib += k
    return out


def _cut_points(old: str, new: str, stretch: tuple[int, int, int], fences: tuple[Sequence[int], Sequence[int]]
                ) -> tuple[int, int] | None:
    """The first and last safe block starts inside an unchanged stretch (old offsets)."""
    oa, ob, na = stretch
    shift = na - oa
    if oa == ob:  # the end of both bodies
        return ob, ob
    def safe(lo: int) -> Iterator[int]:
        for m in _SAFE_START_RE.finditer(old, lo, ob):
            at = m.end()
            if at < ob and not (fences[0] and _in_fence(fences[0], at)) \
                    and not (fences[1] and _in_fence(fences[1], at + shift)):
                yield at

    def last_safe() -> int | None:
        """The last safe start, searched from the end in growing chunks (matches of
        `_SAFE_START_RE` never overlap, so a chunk sees exactly the full scan's)."""
        size = 4096
        while True:
            lo = max(oa, ob - size)
            found = None
            for found in safe(lo):
                pass
            if found is not None or lo == oa:
                return found
            size *= 4

    first = 0 if oa == 0 and na == 0 else next(safe(oa), None)
    if first is None:
        return None
    last = ob if ob == len(old) and ob + shift == len(new) else last_safe()
    if first is None or last is None or first > last:
        return None
    return first, last


def window_blocks(old: str, new: str) -> tuple[list[Block], list[Block]]:
    """Blocks of both bodies: unchanged stretches as single "same" blocks (unique keys,
    so they anchor the alignment), changed windows parsed with markdown-it."""
    fences = (_fence_lines(old), _fence_lines(new))
    old_blocks: list[Block] = []
    new_blocks: list[Block] = []
    stacks: tuple[list[tuple[int, str]], list[tuple[int, str]]] = ([], [])
    o = n = 0
    for number, stretch in enumerate(_equal_stretches(old, new) + [(len(old), len(old), len(new))]):
        cut = _cut_points(old, new, stretch, fences)
        if cut is None:
            continue
        first, last = cut
        shift = stretch[2] - stretch[0]
        if first > o or first + shift > n:  # the changed window before this stretch
            blocks, old_stack = parse_blocks(old[o:first], stacks[0])
            old_blocks += blocks
            blocks, new_stack = parse_blocks(new[n:first + shift], stacks[1])
            new_blocks += blocks
            stacks = (old_stack, new_stack)
        if last > first:
            text = old[first:last]
            key = f"\x00same{number}"
            words = text.count(" ") + text.count("\n")  # only weighs similarity of documents
            old_blocks.append(Block(first, text, "same", tuple(h for _, h in stacks[0]), key, words))
            new_blocks.append(Block(first + shift, text, "same", tuple(h for _, h in stacks[1]), key, words))
            found = _find_headings(old, first, last)
            stacks = (_apply_headings(found, first, fences[0], stacks[0]),
                      _apply_headings(found, first + shift, fences[1], stacks[1]))
        o, n = last, last + shift
    return old_blocks, new_blocks


# --- block alignment -------------------------------------------------------------------


@dataclass(frozen=True)
class _Pair:
    """Old blocks [o0, o1) aligned with new blocks [n0, n1)."""

    o0: int
    o1: int
    n0: int
    n1: int
    move: bool = False
    counterpart: bool = False  # same subject in differing documents: shown whole, not word-diffed


def _lis(seq: list[int]) -> list[int]:
    """Indexes of a longest strictly increasing subsequence (patience sorting, n log n)."""
    tails: list[int] = []
    tail_idx: list[int] = []
    prev = [-1] * len(seq)
    for i, v in enumerate(seq):
        k = bisect.bisect_left(tails, v)
        if k == len(tails):
            tails.append(v)
            tail_idx.append(i)
        else:
            tails[k] = v
            tail_idx[k] = i
        prev[i] = tail_idx[k - 1] if k else -1
    out = []
    i = tail_idx[-1] if tail_idx else -1
    while i != -1:
        out.append(i)
        i = prev[i]
    return out[::-1]


def _encode(keys: Iterable[str], table: dict[str, str]) -> str:
    """Map each distinct item to one character, for diff-match-patch (lines-to-chars):
    private-use characters, numbered in order of first appearance."""
    keys = list(keys)
    fresh = [key for key in dict.fromkeys(keys) if key not in table]
    n = len(table)
    table.update(zip(fresh, _private_chars()[n:n + len(fresh)]))
    return "".join(map(table.__getitem__, keys))


@functools.cache
def _private_chars() -> str:
    """The characters `_encode` hands out: 6,400 in the BMP private-use area, then plane 15-16."""
    return "".join(map(chr, itertools.chain(range(0xE000, 0xE000 + 6400), range(0xF0000, 0x110000))))


_OPS = {"=": 0, "-": -1, "+": 1}


def _diff(a: str, b: str, semantic: bool = False) -> list[tuple[int, str]]:
    """diff-match-patch (its C++ build: the same algorithm and output as the Python one,
    many times faster) → [(op, text)] with op -1/0/1. No time limit: sizes are bounded
    instead, so the result never depends on the machine's speed."""
    diffs = fast_diff_match_patch.diff(a, b, timelimit=0, checklines=False,
                                       cleanup="Semantic" if semantic else "No", counts_only=False)
    return [(_OPS[op], text) for op, text in diffs]


def _movable(block: Block) -> bool:
    """Headings move with their sections; other blocks need a few words to count as moved."""
    return block.words >= MOVE_MIN_WORDS or (block.kind == "heading" and block.words > 0)


def _norm(block: Block) -> str:
    return block.key.casefold()


def _words(block: Block) -> list[str]:
    return block.folded_words  # read-only: shared by every score of the block


def _topic_words(block: Block) -> str | list[str]:
    """What a block's topic terms are taken from: its key's words (the text's but for a
    leading number, "1.2.", and numbers are no topic words), read once per block; an
    unchanged stretch's key is a placeholder, so its text."""
    return block.text if block.kind == "same" else block.folded_words


def _first_old(pair: _Pair) -> int:
    return pair.o0


class _Aligner:
    """Builds the list of aligned block pairs (in-order chain plus moves)."""

    def __init__(self, old: list[Block], new: list[Block]) -> None:
        self.old, self.new = old, new
        self.notes: list[str] = []
        self.chain: list[_Pair] = []
        self.moves: list[_Pair] = []
        self.counterparts: list[_Pair] = []
        self.used_old = [False] * len(old)
        self.used_new = [False] * len(new)

    def run(self) -> None:
        anchors = self._unique_anchors()
        bounds = [(-1, -1)] + [(p.o0, p.n0) for p in anchors] + [(len(self.old), len(self.new))]
        for (o_prev, n_prev), (o_next, n_next) in zip(bounds, bounds[1:]):
            self._fill_gap(o_prev + 1, o_next, n_prev + 1, n_next)
        self.chain.extend(anchors)
        self.chain.sort(key=lambda p: p.o0)
        self._pair_leftovers()

    def _take(self, pair: _Pair, into: list[_Pair]) -> None:
        into.append(pair)
        for i in range(pair.o0, pair.o1):
            self.used_old[i] = True
        for j in range(pair.n0, pair.n1):
            self.used_new[j] = True

    def _unique_anchors(self) -> list[_Pair]:
        count: dict[str, list[int]] = {}
        for i, b in enumerate(self.old):
            if b.key:
                count.setdefault(b.key, [0, -1, 0, -1])
                c = count[b.key]
                c[0] += 1
                c[1] = i
        for j, b in enumerate(self.new):
            c = count.get(b.key)
            if c is not None:
                c[2] += 1
                c[3] = j
        matches = sorted((c[1], c[3]) for c in count.values() if c[0] == 1 and c[2] == 1)
        keep = set(_lis([j for _, j in matches]))
        anchors = []
        for k, (i, j) in enumerate(matches):
            pair = _Pair(i, i + 1, j, j + 1)
            if k in keep:
                self._take(pair, anchors)
            elif _movable(self.old[i]):
                self._take(_Pair(i, i + 1, j, j + 1, move=True), self.moves)
        return anchors

    def _fill_gap(self, o0: int, o1: int, n0: int, n1: int) -> None:
        olds = [i for i in range(o0, o1) if not self.used_old[i]]
        news = [j for j in range(n0, n1) if not self.used_new[j]]
        if not olds or not news:
            return
        if len(olds) + len(news) > GAP_BLOCK_CAP:
            self.notes.append(f"{len(olds)}+{len(news)} unanchored blocks: repeated blocks not searched")
        else:
            table: dict[str, str] = {}
            a = _encode((self.old[i].key for i in olds), table)
            b = _encode((self.new[j].key for j in news), table)
            x = y = 0
            for op, text in _diff(a, b):
                if op == 0:
                    for _ in text:
                        self._take(_Pair(olds[x], olds[x] + 1, news[y], news[y] + 1), self.chain)
                        x += 1
                        y += 1
                elif op == -1:
                    x += len(text)
                else:
                    y += len(text)
        self._pair_similar(o0, o1, n0, n1)

    def _pair_similar(self, o0: int, o1: int, n0: int, n1: int) -> None:
        """Pair edited blocks in order between matched ones (DP over similarity)."""
        spans = self._free_spans(o0, o1, n0, n1)
        for olds, news in spans:
            if len(olds) * len(news) > PAIR_CELL_CAP:
                self.notes.append(f"{len(olds)}×{len(news)} unmatched blocks: not paired by similarity")
                continue
            new_words = [_words(self.new[j]) for j in news]
            score = [[align.same_clause(old_words, w) for w in new_words]
                     for old_words in (_words(self.old[i]) for i in olds)]
            best = [[0.0] * (len(news) + 1) for _ in range(len(olds) + 1)]
            for x in range(len(olds) - 1, -1, -1):
                row, below = best[x], best[x + 1]
                for y in range(len(news) - 1, -1, -1):
                    s = score[x][y]
                    row[y] = max(below[y], row[y + 1], below[y + 1] + s if s else 0.0)
            x = y = 0
            while x < len(olds) and y < len(news):
                s = score[x][y]
                if s and best[x][y] == best[x + 1][y + 1] + s:
                    self._pair_with_neighbours(olds, news, x, y)
                    x += 1
                    y += 1
                elif best[x][y] == best[x + 1][y]:
                    x += 1
                else:
                    y += 1

    def _free_spans(self, o0: int, o1: int, n0: int, n1: int) -> list[tuple[list[int], list[int]]]:
        """Runs of unmatched blocks between the matched ones in a gap, side by side."""
        fixed = sorted((p.o0, p.n0) for p in self.chain if o0 <= p.o0 < o1 and not p.move)
        cuts = [(o0 - 1, n0 - 1)] + fixed + [(o1, n1)]
        spans = []
        for (oa, na), (ob, nb) in zip(cuts, cuts[1:]):
            olds = [i for i in range(oa + 1, ob) if not self.used_old[i]]
            news = [j for j in range(na + 1, nb) if not self.used_new[j]]
            if olds and news:
                spans.append((olds, news))
        return spans

    def _pair_with_neighbours(self, olds: list[int], news: list[int], x: int, y: int) -> None:
        """Pair old[x] with new[y], absorbing an adjacent unmatched block (before or
        after) when that is a split or a merge: the pair gets more similar with it."""
        i, j = olds[x], news[y]
        if self.used_old[i] or self.used_new[j]:
            return
        o0, o1, n0, n1 = i, i + 1, j, j + 1

        def joined(blocks: list[Block], lo: int, hi: int) -> list[str]:
            return [w for b in blocks[lo:hi] for w in _words(b)]

        old_words, new_words = _words(self.old[i]), _words(self.new[j])
        base = align.word_similarity(old_words, new_words) + 5
        options = []
        for lo, hi in ((j - 1, j + 1), (j, j + 2)):
            extra = lo if lo != j else hi - 1
            if extra in news and not self.used_new[extra]:
                options.append((align.word_similarity(old_words, joined(self.new, lo, hi)), 0, lo, hi))
        for lo, hi in ((i - 1, i + 1), (i, i + 2)):
            extra = lo if lo != i else hi - 1
            if extra in olds and not self.used_old[extra]:
                options.append((align.word_similarity(joined(self.old, lo, hi), new_words), 1, lo, hi))
        best = max(options, default=None)
        if best is not None and best[0] > base:
            if best[1] == 0:
                n0, n1 = best[2], best[3]
            else:
                o0, o1 = best[2], best[3]
        self._take(_Pair(o0, o1, n0, n1), self.chain)

    def _pair_leftovers(self) -> None:
        """Pair blocks still unmatched anywhere: the same clause edited (above the edit
        bar) in order when it fits the chain; the same text (above the move bar) as a
        move otherwise; in documents that mostly differ, then paragraphs on the same
        subject as counterparts. Anything else stays deleted or inserted."""
        olds = [i for i, used in enumerate(self.used_old) if not used and _movable(self.old[i])]
        news = [j for j, used in enumerate(self.used_new) if not used and _movable(self.new[j])]
        if not olds or not news:
            return
        if len(olds) * len(news) > MOVE_CELL_CAP:
            self.notes.append(f"{len(olds)}×{len(news)} leftover blocks: moved-and-edited blocks not searched")
            return
        candidates = []
        choices = {i: _words(self.old[i]) for i in olds}
        for j in news:
            for _, s, i in process.extract(_words(self.new[j]), choices, scorer=Indel.normalized_similarity,
                                           processor=None, score_cutoff=align.EDIT_MIN / 100, limit=3):
                candidates.append((-s * 100, i, j))
        candidates.sort()
        for negative, i, j in candidates:
            if self.used_old[i] or self.used_new[j]:
                continue
            pair = _Pair(i, i + 1, j, j + 1)
            if self._fits_chain(pair):
                self._take(pair, self.chain)
                self.chain.sort(key=lambda p: p.o0)
            elif -negative >= align.MOVE_MIN:
                self._take(_Pair(i, i + 1, j, j + 1, move=True), self.moves)
        if self._documents_differ():
            self._pair_counterparts()

    def _documents_differ(self) -> bool:
        matched = sum(self.old[p.o0].words for p in self.chain if p.o1 == p.o0 + 1)
        total = sum(b.words for b in self.old) or 1
        return matched / total < SIMILAR_DOCS

    def _pair_counterparts(self) -> None:
        """Paragraphs on the same subject, for documents organised differently (see
        `policydocs.align`): one-to-one, best topic score first, word weights from all
        paragraphs of both documents."""
        olds = [k for k, b in enumerate(self.old) if align.is_paragraph(b.kind, b.words)]
        news = [k for k, b in enumerate(self.new) if align.is_paragraph(b.kind, b.words)]
        free_old = [x for x, i in enumerate(olds) if not self.used_old[i]]
        free_new = [y for y, j in enumerate(news) if not self.used_new[j]]
        if not free_old or not free_new or len(free_old) * len(free_new) > MOVE_CELL_CAP:
            return
        scorer = align.TopicScorer.of([_topic_words(self.old[i]) for i in olds]
                                      + [_topic_words(self.new[j]) for j in news])
        scores = ((scorer.score(x, len(olds) + y), x, y) for x in free_old for y in free_new)
        for x, y, _ in align.assign(scores, align.COUNTERPART_MIN):
            i, j = olds[x], news[y]
            self._take(_Pair(i, i + 1, j, j + 1, counterpart=True), self.counterparts)

    def _fits_chain(self, pair: _Pair) -> bool:
        k = bisect.bisect_left(self.chain, pair.o0, key=_first_old)  # the chain is kept sorted by o0
        before = self.chain[k - 1] if k else None
        after = self.chain[k] if k < len(self.chain) else None
        return (before is None or before.n1 <= pair.n0) and (after is None or pair.n1 <= after.n0)


# --- words -----------------------------------------------------------------------------

_TOKEN_RE = re.compile(r"\w+(?:['’]\w+)*|\s+|[^\w\s]", re.UNICODE)


_SENTENCE_END_RE = re.compile(r"[.!?;:]+\s+|\n")


def _sentences(text: str) -> list[str]:
    """Cut after each sentence end or line break; the pieces join back to ``text``."""
    cuts = [0] + [m.end() for m in _SENTENCE_END_RE.finditer(text)] + [len(text)]
    return [text[i:j] for i, j in zip(cuts, cuts[1:]) if j > i]


def diff_words(old: str, new: str) -> tuple[list[tuple[int, str]], bool]:
    """Token diff of two texts → [(op, text)] with op -1/0/1, and whether a cap applied.

    Up to `FINE_TOKEN_CAP` tokens the diff is one diff-match-patch call on tokens. Longer
    texts (a whole flattened policy in one paragraph) are diffed by sentence first and by
    word inside each changed run, so the cost stays bounded by the size of the changes.
    """
    if old == new:
        return ([(0, old)] if old else []), False
    a, b = _TOKEN_RE.findall(old), _TOKEN_RE.findall(new)
    if len(a) + len(b) <= FINE_TOKEN_CAP:
        return _diff_tokens(a, b), False
    if len(a) + len(b) > WORD_TOKEN_CAP:
        return _coarse(a, b), True
    sa, sb = _sentences(old), _sentences(new)
    table: dict[str, str] = {}
    ops: list[tuple[int, str]] = []
    capped = False
    pending: list[list[str]] = [[], []]

    def flush() -> None:
        nonlocal capped
        dels, ins = pending
        if len(_TOKEN_RE.findall("".join(dels + ins))) <= FINE_TOKEN_CAP:
            ops.extend(_diff_tokens(_TOKEN_RE.findall("".join(dels)), _TOKEN_RE.findall("".join(ins))))
        else:  # a long rewritten run: sentence by sentence, in order
            for k in range(max(len(dels), len(ins))):
                x = _TOKEN_RE.findall(dels[k]) if k < len(dels) else []
                y = _TOKEN_RE.findall(ins[k]) if k < len(ins) else []
                if len(x) + len(y) > FINE_TOKEN_CAP:
                    ops.extend(_coarse(x, y))
                    capped = True
                else:
                    ops.extend(_diff_tokens(x, y))
        pending[0], pending[1] = [], []

    ca, cb = _encode(sa, table), _encode(sb, table)
    reverse = {ch: unit for unit, ch in table.items()}
    for op, text in _diff(ca, cb):
        units = [reverse[ch] for ch in text]
        if op == 0:
            flush()
            ops.append((0, "".join(units)))
        else:
            pending[0 if op == -1 else 1].extend(units)
    flush()
    return [o for o in ops if o[1]], capped


def _diff_tokens(a: list[str], b: list[str]) -> list[tuple[int, str]]:
    """diff-match-patch on token lists (each distinct token one character), with
    semantic clean-up so common words do not stitch unrelated sentences together."""
    table: dict[str, str] = {}
    ca, cb = _encode(a, table), _encode(b, table)
    reverse = {ch: tok for tok, ch in table.items()}
    return [(op, "".join(map(reverse.__getitem__, text))) for op, text in _diff(ca, cb, semantic=True)]


def _coarse(a: list[str], b: list[str]) -> list[tuple[int, str]]:
    """Common prefix and suffix kept, the middle replaced (the last resort)."""
    p = 0
    while p < min(len(a), len(b)) and a[p] == b[p]:
        p += 1
    s = 0
    while s < min(len(a), len(b)) - p and a[-1 - s] == b[-1 - s]:
        s += 1
    ops = [(0, "".join(a[:p])), (-1, "".join(a[p:len(a) - s])),
           (1, "".join(b[p:len(b) - s])), (0, "".join(a[len(a) - s:]))]
    return [o for o in ops if o[1]]


# --- classification --------------------------------------------------------------------

_QUOTES = str.maketrans({"‘": "'", "’": "'", "‚": "'", "′": "'", "“": '"', "”": '"', "„": '"',
                         "″": '"', "«": '"', "»": '"'})
_MARKDOWN_CHARS = frozenset("*_#>`\\[]|~")
_LINK_TARGET_RE = re.compile(r"\]\((?:[^()\s]|\([^()\s]*\))*(?:\s+\"[^\"]*\")?\)|<https?://[^>\s]*>")
_LIST_MARKER_RE = re.compile(r"^[ \t>]*(?:[-*+]|\d+[.)])[ \t]+")
_NUMBERING_RE = re.compile(r"^[ \t>#*+\-]*\[?(?:\d+(?:\\?[.)]\d+)*\\?[.)]?)")


@functools.lru_cache(maxsize=4)
def _link_spans(block: str) -> list[tuple[int, int]]:
    """Where link targets sit in a block: found once per block, not once per change in it."""
    return [m.span() for m in _LINK_TARGET_RE.finditer(block)]


def _within(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    return any(a <= start and end <= b for a, b in spans)


def classify(old: str, new: str, old_block: str, new_block: str,
             old_at: tuple[int, int], new_at: tuple[int, int]) -> str | None:
    """The editorial category of a change, or None when it changes content.

    ``old_at``/``new_at`` are the change's character spans in its blocks (links
    and numbering are recognised by where the change sits, not only by what it is).
    """
    if old.split() == new.split():
        return "whitespace"
    if old.casefold() == new.casefold():
        return "case"
    if old.translate(_QUOTES) == new.translate(_QUOTES):
        return "quotes"
    old_links, new_links = _link_spans(old_block), _link_spans(new_block)
    in_old = _within(old_links, *old_at) if old else None
    in_new = _within(new_links, *new_at) if new else None
    if (in_old or in_new) and in_old is not False and in_new is not False:
        return "link"
    old_num, new_num = _NUMBERING_RE.match(old_block), _NUMBERING_RE.match(new_block)
    if (old_num and new_num and old_at[1] <= old_num.end() and new_at[1] <= new_num.end()
            and re.search(r"\d", old + new)):
        return "renumbering"
    old_marker, new_marker = _LIST_MARKER_RE.match(old_block), _LIST_MARKER_RE.match(new_block)
    if (old_marker and new_marker and old_at[1] <= old_marker.end() and new_at[1] <= new_marker.end()
            and not _WORD_RE.search(old + new)):
        return "markdown"
    changed = set(old) | set(new)
    if changed <= _MARKDOWN_CHARS | {" ", "\t", "\n", "\r"}:
        return "markdown"
    if _WORD_RE.findall(old.translate(_QUOTES).casefold()) == _WORD_RE.findall(new.translate(_QUOTES).casefold()):
        return "punctuation"
    return None


# --- assembling segments and changes ---------------------------------------------------


class _Builder:
    """Emits segments in body order and collects changes with provisional ids."""

    def __init__(self) -> None:
        self.segments: list[Segment] = []
        self.changes: dict[str, Change] = {}
        self._n = 0

    def new_id(self) -> str:
        self._n += 1
        return f"_{self._n}"

    def emit(self, op: SegmentOp, text: str, change: str | None = None, move: str | None = None) -> None:
        if not text:
            return
        last = self.segments[-1] if self.segments else None
        if last and last.op == op and last.change == change and last.move == move:
            self.segments[-1] = Segment(op, last.text + text, change, move)
        else:
            self.segments.append(Segment(op, text, change, move))

    def add(self, change: Change) -> None:
        self.changes[change.id] = change


def _block_kind(old: str, new: str) -> tuple[ChangeKind, str | None]:
    return ("editorial", "whitespace") if not (old + new).strip() else ("content", None)


Side = list[tuple[str, "str | None"]]  # (text, change id or None for kept text)


def _word_sides(build: _Builder, new: Block, old_text: str, new_text: str, notes: list[str],
                move: str | None = None) -> tuple[Side, Side]:
    """Word-diff an aligned pair: register its changes, return the old and new side runs."""
    ops, capped = diff_words(old_text, new_text)
    if capped:
        notes.append(f"a block pair of more than {WORD_TOKEN_CAP} tokens was diffed coarsely")
    groups: list[list[tuple[int, str]]] = []
    for op, text in ops:
        if op == 0 or not groups or groups[-1][-1][0] == 0:
            groups.append([(op, text)])
        else:
            groups[-1].append((op, text))
    old_pos = new_pos = 0
    old_side: Side = []
    new_side: Side = []
    for group in groups:
        if group[0][0] == 0:
            cid, deleted, inserted = None, group[0][1], group[0][1]
        else:
            deleted = "".join(t for op, t in group if op == -1)
            inserted = "".join(t for op, t in group if op == 1)
            cid = build.new_id()
            category = classify(deleted, inserted, old_text, new_text,
                                (old_pos, old_pos + len(deleted)), (new_pos, new_pos + len(inserted)))
            ctype: ChangeType = "replace" if deleted and inserted else ("delete" if deleted else "insert")
            build.add(Change(cid, ctype, "editorial" if category else "content", new.section,
                             deleted, inserted, move=move, editorial=category,
                             old_context=old_text, new_context=new_text))
        old_side.append((deleted, cid))
        new_side.append((inserted, cid))
        old_pos += len(deleted)
        new_pos += len(inserted)
    return old_side, new_side


def compare(old_body: str, new_body: str) -> Comparison:
    """Compare two Markdown bodies (pure and deterministic)."""
    old_sha, new_sha = _sha256(old_body), _sha256(new_body)
    build = _Builder()
    notes: list[str] = []
    if old_body == new_body:
        build.emit("equal", old_body)
    else:
        old_blocks, new_blocks = window_blocks(old_body, new_body)
        aligner = _Aligner(old_blocks, new_blocks)
        aligner.run()
        notes = aligner.notes
        _Emitter(build, old_blocks, new_blocks, aligner, notes).run()
    return _finish(build, old_sha, new_sha, old_body, new_body, notes)


class _Emitter:
    """Walks the aligned chain in body order and emits segments and changes."""

    def __init__(self, build: _Builder, old: list[Block], new: list[Block], aligner: _Aligner,
                 notes: list[str]) -> None:
        self.build, self.old, self.new, self.aligner, self.notes = build, old, new, aligner, notes
        self.links_by_old = {p.o0: p for p in aligner.moves + aligner.counterparts}
        self.links_by_new = {p.n0: p for p in aligner.moves + aligner.counterparts}
        self.move_sides: dict[_Pair, tuple[str, str, Side, Side]] = {}
        self.counterpart_ids: dict[_Pair, str] = {}

    def run(self) -> None:
        o = n = 0
        end = _Pair(len(self.old), len(self.old), len(self.new), len(self.new))
        for pair in self.aligner.chain + [end]:
            self._unmatched(o, pair.o0, n, pair.n0)
            if pair is not end:
                old_t = "".join(b.text for b in self.old[pair.o0:pair.o1])
                new_t = "".join(b.text for b in self.new[pair.n0:pair.n1])
                old_side, new_side = _word_sides(self.build, self.new[pair.n0], old_t, new_t, self.notes)
                for (o_text, cid), (n_text, _) in zip(old_side, new_side):
                    if cid is None:
                        self.build.emit("equal", o_text)
                    else:
                        self.build.emit("delete", o_text, cid)
                        self.build.emit("insert", n_text, cid)
            o, n = pair.o1, pair.n1

    def _move_end(self, pair: _Pair, op: SegmentOp) -> None:
        """One end of a move: the old side as deletes, the new side as inserts, with
        the move id; words edited inside keep their own change ids."""
        if pair not in self.move_sides:
            mid = f"m{len(self.move_sides) + 1}"
            cid = self.build.new_id()
            old, new = self.old[pair.o0], self.new[pair.n0]
            self.build.add(Change(cid, "move", "content", new.section, old.text, new.text,
                                  move=mid, old_section=old.section,
                                  old_context=old.text, new_context=new.text))
            sides = _word_sides(self.build, new, old.text, new.text, self.notes, mid)
            self.move_sides[pair] = (mid, cid, *sides)
        mid, cid, old_side, new_side = self.move_sides[pair]
        for text, edit in (old_side if op == "delete" else new_side):
            self.build.emit(op, text, edit or cid, mid)

    def _counterpart_end(self, pair: _Pair, op: SegmentOp) -> None:
        """One end of a counterpart pair: the whole old block deleted where it was, the
        whole new block inserted where it is, one `replace` change linking both."""
        old, new = self.old[pair.o0], self.new[pair.n0]
        if pair not in self.counterpart_ids:
            cid = self.counterpart_ids[pair] = self.build.new_id()
            self.build.add(Change(cid, "replace", "content", new.section, old.text, new.text,
                                  old_section=old.section, old_context=old.text, new_context=new.text))
        self.build.emit(op, old.text if op == "delete" else new.text, self.counterpart_ids[pair])

    def _unmatched(self, o0: int, o1: int, n0: int, n1: int) -> None:
        """Blocks between two aligned pairs: moved and counterpart ends, deleted and
        inserted runs (a run per section; one deleted run facing one inserted run is a
        replace when the two are one clause edited or on one subject)."""
        runs: list[tuple[SegmentOp, _Pair | None, list[Block]]] = []
        for op, blocks, lo, hi, links in (("delete", self.old, o0, o1, self.links_by_old),
                                          ("insert", self.new, n0, n1, self.links_by_new)):
            for k in range(lo, hi):
                if k in links:
                    runs.append((op, links[k], []))
                elif runs and runs[-1][0] == op and runs[-1][1] is None \
                        and runs[-1][2][-1].section == blocks[k].section:
                    runs[-1][2].append(blocks[k])
                else:
                    runs.append((op, None, [blocks[k]]))
        plain = [r for r in runs if r[1] is None]
        replace_id = None
        if len(plain) == 2 and plain[0][0] == "delete" and plain[1][0] == "insert":
            old_t = "".join(b.text for b in plain[0][2])
            new_t = "".join(b.text for b in plain[1][2])
            kind, cat = _block_kind(old_t, new_t)
            if cat or align.related(old_t, new_t):
                replace_id = self.build.new_id()
                self.build.add(Change(replace_id, "replace", kind, plain[1][2][0].section, old_t, new_t,
                                      editorial=cat, old_context=old_t, new_context=new_t,
                                      old_section=plain[0][2][0].section))
        for op, link, blocks in _pairs_side_by_side(runs):
            if link is not None:
                if link.counterpart:
                    self._counterpart_end(link, op)
                else:
                    self._move_end(link, op)
                continue
            text = "".join(b.text for b in blocks)
            cid = replace_id
            if cid is None:
                cid = self.build.new_id()
                kind, cat = _block_kind(text, "")
                old_t, new_t = (text, "") if op == "delete" else ("", text)
                self.build.add(Change(cid, op, kind, blocks[0].section, old_t, new_t,  # type: ignore[arg-type]
                                      editorial=cat, old_context=old_t, new_context=new_t))
            self.build.emit(op, text, cid)


Run = tuple[SegmentOp, "_Pair | None", list[Block]]


def _pairs_side_by_side(runs: list[Run]) -> list[Run]:
    """Deleted runs in old order, inserted runs in new order, merged so that a
    counterpart's new text comes right after its old text (any merge of the two
    orders rebuilds both bodies); without counterparts: deletions, then insertions."""
    dels = [r for r in runs if r[0] == "delete"]
    ins = [r for r in runs if r[0] == "insert"]
    out: list[Run] = []
    k = 0
    for run in dels:
        link = run[1]
        at = next((x for x in range(k, len(ins)) if link is not None and link.counterpart
                   and ins[x][1] is link), None)
        if at is None:
            out.append(run)
        else:
            out += ins[k:at] + [run, ins[at]]
            k = at + 1
    return out + ins[k:]


def _finish(build: _Builder, old_sha: str, new_sha: str, old_body: str, new_body: str,
            notes: list[str]) -> Comparison:
    """Number changes by first appearance, count words, freeze."""
    rename: dict[str, str] = {}
    for seg in build.segments:
        if seg.change and seg.change not in rename:
            rename[seg.change] = f"c{len(rename) + 1}"
    segments = tuple(Segment(s.op, s.text, rename.get(s.change) if s.change else None, s.move)
                     for s in build.segments)
    changes = tuple(Change(**{**build.changes[old_id].__dict__, "id": new_id})
                    for old_id, new_id in rename.items())
    move_changes = {c.id for c in changes if c.type == "move"}

    words = {("delete", False): 0, ("delete", True): 0, ("insert", False): 0, ("insert", True): 0}
    for s in segments:
        if s.op != "equal":
            words[s.op, s.change in move_changes] += count_words(s.text)
    # Segments never cut a word, so the new body's words are the old body's minus the
    # deleted plus the inserted: the unchanged text is not counted again.
    old_words = _body_words(old_sha, old_body)
    new_words = old_words - words["delete", False] - words["delete", True] \
        + words["insert", False] + words["insert", True]
    _remember_words(new_sha, new_words)
    stats = Stats(
        old_words=old_words, new_words=new_words,
        inserted_words=words["insert", False], deleted_words=words["delete", False],
        moved_words=words["insert", True], changes=len(changes),
        material_changes=sum(1 for c in changes if c.material),
    )
    return Comparison(old_sha, new_sha, changes, segments, stats, notes=tuple(dict.fromkeys(notes)))


_BODY_WORDS: dict[str, int] = {}  # body sha256 → words, for the last bodies compared
_BODY_WORDS_KEPT = 64


def _body_words(sha: str, body: str) -> int:
    """Words of a whole body, remembered by its hash: walking a history compares each
    version twice (as the new side, then as the old side), and counting a long body is
    the one step whose cost follows the document rather than the changes."""
    words = _BODY_WORDS.get(sha)
    if words is None:
        words = count_words(body)
        _remember_words(sha, words)
    return words


def _remember_words(sha: str, words: int) -> None:
    _BODY_WORDS[sha] = words
    if len(_BODY_WORDS) > _BODY_WORDS_KEPT:  # forget the oldest (never raises if raced)
        _BODY_WORDS.pop(next(iter(_BODY_WORDS), ""), None)


def forget_bodies() -> None:
    """Empty every memo of bodies and windows: for a benchmark that times one pair
    again and again, so that each run pays what a first comparison pays."""
    _BODY_WORDS.clear()
    for memo in (_parsed_window, _fence_lines, _lines, _sha256):
        memo.cache_clear()


def count_words(text: str) -> int:
    """Words are runs of letters and digits: "30 days," is two words, "," none.

    Counted as `_WORD_RE` matches, but without a Python object per word: the text is
    encoded to one byte per character (a word character → "a", any other → " ";
    non-ASCII characters, rare in policies, go through `_word_mask`) and the word
    starts are counted in C. Whole bodies are counted for every comparison."""
    mask = text.encode("ascii", _WORD_MASK).translate(_WORD_BYTES)
    return mask.count(b" a") + mask.startswith(b"a")


def _word_mask(error: UnicodeError) -> tuple[str, int]:
    """Encoding error handler: each non-ASCII character → "a" if ``\\w`` matches it, else " "."""
    if not isinstance(error, UnicodeEncodeError):
        raise error
    chunk = error.object[error.start:error.end]
    return "".join(["a" if c.isalnum() or c == "_" else " " for c in chunk]), error.end


_WORD_MASK = "policydocs.compare.word-mask"
codecs.register_error(_WORD_MASK, _word_mask)
_WORD_BYTES = bytes(ord("a") if chr(i).isalnum() or chr(i) == "_" else ord(" ") for i in range(128)) + b" " * 128
