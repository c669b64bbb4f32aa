"""One document holding both versions: formatted paragraphs of kept, deleted and
inserted runs, as a word processor's tracked changes hold them.

The comparison's segments run through both Markdown sources; `read_markdown` says
what a reader sees of each. Walking the segments gives the visible characters of
both versions in one order. Each version then needs its paragraph breaks: the
break between two blocks of a version may fall anywhere between the last
character of the one and the start of the next, so the old and the new breaks
are placed to coincide where they can (a kept paragraph mark) and stand alone
where they cannot (a paragraph mark inserted or deleted). Dropping inserted runs
and inserted marks then gives exactly the old paragraphs; dropping the deleted
ones gives the new.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from typing import Literal

from policydocs.compare import Comparison
from policydocs.exports.reading import Block, ReaderText, Style

Status = Literal["eq", "ins", "del"]
OLD, NEW = 0, 1


@dataclass
class Run:
    """Visible text of one status, style and move, inside one block of each side."""

    text: str
    style: Style
    status: Status
    move: str | None = None
    blocks: tuple[int | None, int | None] = (None, None)  # (old block, new block)


@dataclass
class Paragraph:
    """A paragraph of the merged document; ``mark`` is what its paragraph mark is."""

    runs: list[Run] = field(default_factory=list)
    old: Block | None = None
    new: Block | None = None
    mark: Status = "eq"

    @property
    def block(self) -> Block:
        """How the paragraph is laid out: as in the new version when it is there."""
        block = self.new or self.old
        assert block is not None
        return block

    @property
    def empty(self) -> bool:
        return not any(run.text for run in self.runs)


@dataclass(frozen=True)
class _Marker:
    side: int
    block: int


def merge(comparison: Comparison, old: ReaderText, new: ReaderText) -> list[Paragraph]:
    """The merged document of a comparison, paragraph by paragraph."""
    items = _items(comparison, (old, new))
    marks = _place_breaks(items, (len(old.blocks), len(new.blocks)))
    return _paragraphs(items, marks, (old, new))


class _Side:
    """One side's visible offsets, in order, with what is seen there and its block."""

    def __init__(self, text: ReaderText) -> None:
        self.starts = text.starts
        self.offsets = sorted(text.visible)
        self.shown = [text.visible[o] for o in self.offsets]
        self.block: list[int] = []
        b = 0
        for offset in self.offsets:
            while b + 1 < len(self.starts) and self.starts[b + 1] <= offset:
                b += 1
            self.block.append(b)

    def visible_in(self, start: int, end: int) -> range:
        return range(bisect.bisect_left(self.offsets, start), bisect.bisect_left(self.offsets, end))

    def starts_in(self, start: int, end: int) -> range:
        return range(bisect.bisect_left(self.starts, start), bisect.bisect_left(self.starts, end))


class _Items:
    """The items list, with runs of one key joined as they come."""

    def __init__(self) -> None:
        self.items: list[Run | _Marker] = []
        self.key: tuple | None = None
        self.parts: list[str] = []

    def marker(self, side: int, block: int) -> None:
        self.flush()
        self.items.append(_Marker(side, block))

    def run(self, text: str, style: Style, status: Status, move: str | None,
            blocks: tuple[int | None, int | None]) -> None:
        key = (style, status, move, blocks)
        if key != self.key:
            self.flush()
            self.key = key
        self.parts.append(text)

    def flush(self) -> None:
        if self.key is not None:
            style, status, move, blocks = self.key
            self.items.append(Run("".join(self.parts), style, status, move, blocks))
            self.key, self.parts = None, []


_END = float("inf")


def _items(comparison: Comparison, texts: tuple[ReaderText, ReaderText]) -> list[Run | _Marker]:
    """Block starts and visible runs of both sides, in segment order. Kept source text
    seen on one side only (markup changed around it) is deleted or inserted."""
    sides = (_Side(texts[OLD]), _Side(texts[NEW]))
    out = _Items()
    offsets = [0, 0]
    for seg in comparison.segments:
        length = len(seg.text)
        if seg.op == "equal":
            _equal(out, sides, offsets, length)
        else:
            side = OLD if seg.op == "delete" else NEW
            _one_side(out, sides[side], side, offsets[side], length, seg.move)
        if seg.op != "insert":
            offsets[OLD] += length
        if seg.op != "delete":
            offsets[NEW] += length
    out.flush()
    return out.items


def _one_side(out: _Items, side: _Side, which: int, base: int, length: int, move: str | None) -> None:
    status: Status = "del" if which == OLD else "ins"
    starts = iter(side.starts_in(base, base + length))
    start = next(starts, None)
    for k in side.visible_in(base, base + length):
        while start is not None and side.starts[start] <= side.offsets[k]:
            out.marker(which, start)
            start = next(starts, None)
        text, style = side.shown[k]
        block = side.block[k]
        out.run(text, style, status, move, (block, None) if which == OLD else (None, block))
    while start is not None:
        out.marker(which, start)
        start = next(starts, None)


def _equal(out: _Items, sides: tuple[_Side, _Side], offsets: list[int], length: int) -> None:
    """Kept text: both sides' block starts and visible characters, merged by position."""
    old, new = sides
    o_base, n_base = offsets
    o_starts, n_starts = old.starts_in(o_base, o_base + length), new.starts_in(n_base, n_base + length)
    o_vis, n_vis = old.visible_in(o_base, o_base + length), new.visible_in(n_base, n_base + length)
    i = j = a = b = 0
    while True:
        om = old.starts[o_starts[i]] - o_base if i < len(o_starts) else _END
        nm = new.starts[n_starts[j]] - n_base if j < len(n_starts) else _END
        ov = old.offsets[o_vis[a]] - o_base if a < len(o_vis) else _END
        nv = new.offsets[n_vis[b]] - n_base if b < len(n_vis) else _END
        at = min(om, nm, ov, nv)
        if at == _END:
            return
        if om == at:
            out.marker(OLD, o_starts[i])
            i += 1
        elif nm == at:
            out.marker(NEW, n_starts[j])
            j += 1
        elif ov == at and nv == at:
            ko, kn = o_vis[a], n_vis[b]
            (o_text, o_style), (n_text, n_style) = old.shown[ko], new.shown[kn]
            if o_text == n_text:
                out.run(n_text, n_style, "eq", None, (old.block[ko], new.block[kn]))
            else:
                out.run(o_text, o_style, "del", None, (old.block[ko], None))
                out.run(n_text, n_style, "ins", None, (None, new.block[kn]))
            a, b = a + 1, b + 1
        elif ov == at:
            ko = o_vis[a]
            out.run(*old.shown[ko], "del", None, (old.block[ko], None))
            a += 1
        else:
            kn = n_vis[b]
            out.run(*new.shown[kn], "ins", None, (None, new.block[kn]))
            b += 1


def _place_breaks(items: list[Run | _Marker], counts: tuple[int, int]) -> dict[int, Status]:
    """Where each paragraph mark goes (before which item) and what it is.

    A side's break into block b may go anywhere from just after the last item of
    block b-1 to just before block b's start; an old and a new break whose ranges
    overlap become one kept mark at the earliest common place (so an inserted
    paragraph carries its own inserted mark, as a word processor writes it)."""
    last: list[dict[int, int]] = [{}, {}]
    start: list[dict[int, int]] = [{}, {}]
    for index, item in enumerate(items):
        if isinstance(item, _Marker):
            start[item.side][item.block] = index
            last[item.side][item.block] = index
            continue
        for side in (OLD, NEW):
            block = item.blocks[side]
            if block is not None:
                last[side][block] = index
    ranges = [[(last[side][b - 1] + 1, start[side][b]) for b in range(1, counts[side])
               if b in start[side] and b - 1 in last[side]] for side in (OLD, NEW)]
    marks: dict[int, Status] = {}
    i = j = 0
    old, new = ranges
    while i < len(old) or j < len(new):
        if i < len(old) and j < len(new) and old[i][0] <= new[j][1] and new[j][0] <= old[i][1]:
            marks[max(old[i][0], new[j][0])] = "eq"
            i, j = i + 1, j + 1
        elif j >= len(new) or (i < len(old) and old[i][1] < new[j][0]):
            marks[old[i][0]] = "del"
            i += 1
        else:
            marks[new[j][0]] = "ins"
            j += 1
    return marks


def _paragraphs(items: list[Run | _Marker], marks: dict[int, Status],
                sides: tuple[ReaderText, ReaderText]) -> list[Paragraph]:
    """Cut the items at the marks; empty paragraphs (no text, not a cell or rule) go,
    their mark folded into the one before so both versions keep their breaks."""
    out: list[Paragraph] = []
    current = Paragraph()
    blocks: list[int | None] = [None, None]

    def close(mark: Status) -> None:
        nonlocal current
        current.old = sides[OLD].blocks[blocks[OLD]] if blocks[OLD] is not None else None
        current.new = sides[NEW].blocks[blocks[NEW]] if blocks[NEW] is not None else None
        current.mark = mark
        if current.old is not None or current.new is not None:
            if current.empty and current.block.kind not in ("cell", "rule"):
                if out:
                    out[-1].mark = _union(out[-1].mark, mark)
            else:
                out.append(current)
        current = Paragraph()
        blocks[:] = [None, None]

    for index, item in enumerate(items):
        if index in marks:
            close(marks[index])
        if isinstance(item, _Marker):
            blocks[item.side] = item.block if blocks[item.side] is None else blocks[item.side]
            continue
        for side in (OLD, NEW):
            if item.blocks[side] is not None and blocks[side] is None:
                blocks[side] = item.blocks[side]
        current.runs.append(item)
    close("eq")
    return out


def _union(a: Status, b: Status) -> Status:
    """A mark that is a break wherever either of two marks was."""
    return a if a == b else "eq"
