"""Stage 2, windows: only the parts of two bodies that differ are parsed into blocks.

The cost follows the size of the changes rather than of the documents. A line diff
finds the unchanged stretches; each is cut at block starts that markdown-it sees the
same way in the whole text (a non-indented line after a blank line, outside fenced
code) and becomes one "same" block, a unique anchor for the alignment; what lies
between is parsed into real blocks (`blocks.parse_blocks`), each with the heading
path in force where its window starts.
"""

from __future__ import annotations

import bisect
import itertools
import re
from typing import Iterator, Sequence

from policydocs.compare import seqdiff
from policydocs.compare.blocks import Block, parse_blocks, unescape
from policydocs.memo import memoised


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


def _line_start_from(text: str, offset: int) -> int:
    """``offset`` if a line starts there (or the text ends), else the next line start."""
    if offset <= 0 or offset >= len(text) or text[offset - 1] == "\n":
        return max(0, min(offset, len(text)))
    return text.find("\n", offset) + 1 or len(text)


# Facts of one whole body, remembered for the last few bodies: in a history walk each
# body is the new side of one pair, then the old side of the next.
_BODIES_KEPT = 4


class _Fences:
    """The starts of a body's lines that open or close fenced code (lines matching
    `_FENCE_LINE`), found as far into the body as asked: by searching the markers, which
    are rare, rather than by trying every line; the text after the last place a pair
    asks about is never searched."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.scanned = 0  # a line start: the lines starting before it are searched
        self.starts: list[int] = []

    def holds(self, offset: int) -> bool:
        """Whether ``offset`` (a line start) lies inside fenced code: after an odd number
        of fence lines."""
        if offset > self.scanned:
            self._search(_line_start_from(self.text, offset))
        return bisect.bisect_left(self.starts, offset) % 2 == 1

    def _search(self, end: int) -> None:
        text, lo = self.text, self.scanned
        starts = set()
        for marker in ("```", "~~~"):
            at = text.find(marker, lo, end)
            while at != -1:
                line_start = text.rfind("\n", 0, at) + 1
                if at - line_start <= 3 and text.startswith(" " * (at - line_start), line_start):
                    starts.add(line_start)
                line_end = text.find("\n", at)
                at = -1 if line_end == -1 else text.find(marker, line_end, end)
        self.starts += sorted(starts)
        self.scanned = end


@memoised("compare: fence lines", _BODIES_KEPT)
def _fences(text: str) -> _Fences:
    """The fence search of a whole body, remembered for the last few bodies (its answers
    do not depend on how far it has gone)."""
    return _Fences(text)


def _atx_lines(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, re.Match[str]]]:
    """`_line_starts` of `_ATX_LINE` (for the lines starting in ``text[start:end]``, both
    line starts), found from the "#" characters, which are rare, rather than by trying
    the pattern at every line (~4x faster on the corpus): a line is a candidate when its
    first "#" has at most three spaces before it."""
    end = len(text) if end is None else end
    at_start = _LINE_PATTERNS[_ATX_LINE][1]
    out = []
    at = text.find("#", start, end)
    while at != -1:
        line_start = text.rfind("\n", 0, at) + 1
        if at - line_start <= 3 and text.startswith(" " * (at - line_start), line_start) \
                and (m := at_start.match(text, line_start)):
            out.append((line_start, m))
        line_end = text.find("\n", at)
        at = -1 if line_end == -1 else text.find("#", line_end, end)
    return out


class _Headings:
    """The ATX and setext heading lines of a whole body, in order, as (title line start,
    level, raw title, end of the heading, title), found by a line scan as far into the
    body as asked (`through`): each body is one side of two pairs in a history walk, so
    unchanged text needs no full parse, and the text after a pair's last change is never
    read for headings. ``starts`` holds the title line starts alone, for bisection."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.scanned = 0  # a line start: the lines starting before it are scanned
        self.starts: list[int] = []
        self.found: list[tuple[int, int, str, int, str]] = []

    def through(self, end: int) -> _Headings:
        """Scanned at least up to ``end``."""
        if end <= self.scanned:
            return self
        end = _line_start_from(self.text, end)
        text, lo = self.text, self.scanned
        found: list[tuple[int, int, str, int]] = []  # (title line start, level, raw title, end)
        for pos, m in _atx_lines(text, lo, end):
            found.append((pos, len(m.group(1)), m.group(2) or "", m.end()))
        for pos, m in _line_starts(_SETEXT_LINE, text, lo, end):
            line_start = text.rfind("\n", 0, max(pos - 1, 0)) + 1
            title = text[line_start:pos].strip()
            if title and line_start < pos:
                found.append((line_start, 1 if m.group(1)[0] == "=" else 2, title, m.end()))
        found.sort()
        self.found += [(pos, level, raw, stop, unescape(raw.strip())) for pos, level, raw, stop in found]
        if found and len(self.found) > len(found) and self.found[-len(found) - 1] > self.found[-len(found)]:
            self.found.sort()  # a setext title on the line before the scanned part: the order of one full scan
        self.starts = [h[0] for h in self.found]
        self.scanned = end
        return self


@memoised("compare: heading lines", _BODIES_KEPT)
def _headings(text: str) -> _Headings:
    """The heading scan of a whole body, remembered for the last few bodies (its answers
    do not depend on how far it has gone: see `_apply_headings`)."""
    return _Headings(text)


def _apply_headings(text: str, start: int, end: int, fences: _Fences,
                    stack: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """The heading stack after the heading lines of ``text[start:end]`` (an unchanged
    stretch; those inside fenced code do not count). Headings that end after ``end``
    are not counted, so the lines starting from ``end`` on need not be scanned."""
    headings = _headings(text).through(end)
    starts, found = headings.starts, headings.found
    stack = list(stack)
    for k in range(bisect.bisect_left(starts, start), bisect.bisect_left(starts, end)):
        pos, level, _, heading_end, title = found[k]
        if heading_end > end or fences.holds(pos):
            continue
        while stack and stack[-1][0] >= level:
            stack.pop()
        stack.append((level, title))
    return stack


@memoised("compare: lines", _BODIES_KEPT)
def _lines(body: str) -> tuple[tuple[str, ...], tuple[int, ...]]:
    """A body's lines (any exact cut will do for the line diff) and where each starts."""
    lines = tuple(body.splitlines(keepends=True))
    return lines, (0, *itertools.accumulate(map(len, lines)))


def _line_ops(a: Sequence[str], b: Sequence[str]) -> list[tuple[int, int]]:
    """The line diff as (op, lines): diff-match-patch on lines mapped to characters.

    Only the lines between the common first and last lines are encoded (the cost of
    encoding follows the changed part, not the body). diff-match-patch trims the same
    lines itself, but its final merge may then shift a single edit over a whole trimmed
    equality ("A<ins>BA</ins>C" → "<ins>AB</ins>AC"): when an edit next to a trimmed
    end is long enough for that, the whole bodies are diffed, so the result is always
    diff-match-patch's own."""
    p = seqdiff.common_items(a, b, 1)
    s = seqdiff.common_items(a[p:], b[p:], -1)
    x, y = a[p:len(a) - s], b[p:len(b) - s]
    if seqdiff.too_costly(x, y):  # (a long table, every row edited; a shuffled document)
        return [(0, p)] * bool(p) + seqdiff.anchored_ops(x, y) + [(0, s)] * bool(s)
    ops = seqdiff.item_ops(x, y)
    if ((p and ops and ops[0][0] != 0 and ops[0][1] >= p) or (s and ops and ops[-1][0] != 0 and ops[-1][1] >= s)) \
            and not seqdiff.too_costly(a, b):
        return seqdiff.item_ops(a, b)
    return [(0, p)] * bool(p) + ops + [(0, s)] * bool(s)


def _equal_stretches(old: str, new: str) -> list[tuple[int, int, int]]:
    """Unchanged line runs as (old start, old end, new start), from a line diff."""
    a, a_at = _lines(old)
    b, b_at = _lines(new)
    out = []
    ia = ib = 0
    for op, k in _line_ops(a, b):
        if op == 0:
            out.append((a_at[ia], a_at[ia + k], b_at[ib]))
            ia += k
            ib += k
        elif op == -1:
            ia += k
        else:
            ib += k
    return out


def _cut_points(old: str, new: str, stretch: tuple[int, int, int], fences: tuple[_Fences, _Fences]
                ) -> tuple[int, int] | None:
    """The first and last safe block starts inside an unchanged stretch (old offsets)."""
    oa, ob, na = stretch
    shift = na - oa
    if oa == ob:  # the end of both bodies
        return ob, ob
    def safe(lo: int) -> Iterator[int]:
        for m in _SAFE_START_RE.finditer(old, lo, ob):
            at = m.end()
            if at < ob and not fences[0].holds(at) and not fences[1].holds(at + shift):
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
    fences = (_fences(old), _fences(new))
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
            old_blocks.append(Block(first, text, "same", tuple(h for _, h in stacks[0]), key))
            new_blocks.append(Block(first + shift, text, "same", tuple(h for _, h in stacks[1]), key))
            if last < len(old) or last + shift < len(new):  # (the stacks after the last stretch are not read)
                stacks = (_apply_headings(old, first, last, fences[0], stacks[0]),
                          _apply_headings(new, first + shift, last + shift, fences[1], stacks[1]))
        o, n = last, last + shift
    return old_blocks, new_blocks
