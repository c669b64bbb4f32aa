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


def _items(comparison: Comparison, sides: tuple[ReaderText, ReaderText]) -> list[Run | _Marker]:
    """Block starts and visible runs of both sides, in segment order."""
    items: list[Run | _Marker] = []
    visible = [sorted(side.visible) for side in sides]
    offsets = [0, 0]

    def events(side: int, start: int, end: int) -> list[tuple[int, int, str, int]]:
        """(relative offset, order, kind, side) of block starts and visible offsets in [start, end)."""
        text = sides[side]
        out = []
        for b in range(bisect.bisect_left(text.starts, start), bisect.bisect_left(text.starts, end)):
            out.append((text.starts[b] - start, 0, "start", side))
        seen = visible[side]
        for k in range(bisect.bisect_left(seen, start), bisect.bisect_left(seen, end)):
            out.append((seen[k] - start, 1, "char", side))
        return out

    for seg in comparison.segments:
        length = len(seg.text)
        if seg.op == "equal":
            found = events(OLD, offsets[OLD], offsets[OLD] + length) + events(NEW, offsets[NEW], offsets[NEW] + length)
        else:
            side = OLD if seg.op == "delete" else NEW
            found = events(side, offsets[side], offsets[side] + length)
        found.sort()
        base = tuple(offsets)
        k = 0
        while k < len(found):
            rel, order, kind, side = found[k]
            if kind == "start":
                text = sides[side]
                items.append(_Marker(side, text.block_at(base[side] + rel)))
                k += 1
                continue
            if seg.op != "equal":
                _add(items, sides, side, base[side] + rel, "del" if side == OLD else "ins", seg.move)
                k += 1
                continue
            both = k + 1 < len(found) and found[k + 1][:3] == (rel, 1, "char")
            _add_equal(items, sides, base, rel, both, side)
            k += 2 if both else 1
        if seg.op != "insert":
            offsets[OLD] += length
        if seg.op != "delete":
            offsets[NEW] += length
    return items


def _add_equal(items: list[Run | _Marker], sides: tuple[ReaderText, ReaderText], base: tuple[int, ...],
               rel: int, both: bool, side: int) -> None:
    """Kept source text: seen on both sides it is kept; seen on one side only (markup
    changed around it) it is deleted or inserted."""
    if both:
        old_text, old_style = sides[OLD].visible[base[OLD] + rel]
        new_text, new_style = sides[NEW].visible[base[NEW] + rel]
        if old_text == new_text:
            blocks = (sides[OLD].block_at(base[OLD] + rel), sides[NEW].block_at(base[NEW] + rel))
            _append_run(items, Run(new_text, new_style, "eq", None, blocks))
            return
        _add(items, sides, OLD, base[OLD] + rel, "del", None)
        _add(items, sides, NEW, base[NEW] + rel, "ins", None)
        return
    _add(items, sides, side, base[side] + rel, "del" if side == OLD else "ins", None)


def _add(items: list[Run | _Marker], sides: tuple[ReaderText, ReaderText], side: int, offset: int,
         status: Status, move: str | None) -> None:
    text, style = sides[side].visible[offset]
    block = sides[side].block_at(offset)
    blocks = (block, None) if side == OLD else (None, block)
    _append_run(items, Run(text, style, status, move, blocks))


def _append_run(items: list[Run | _Marker], run: Run) -> None:
    last = items[-1] if items else None
    if (isinstance(last, Run) and last.status == run.status and last.style == run.style
            and last.move == run.move and last.blocks == run.blocks):
        last.text += run.text
    else:
        items.append(run)


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
