"""The compare stage: two Markdown bodies → one `Comparison` (block first, then words).

`compare` is the whole pipeline, one named stage per module (ARCHITECTURE.md):

1. `windows`: a line diff finds the unchanged stretches (one block each); only the
   windows between them are cut into Markdown blocks (`blocks`).
2. `align`: which old blocks correspond to which new ones: unique blocks by hash,
   repeated ones in order, edited ones by similarity (`pairing`), moves,
   counterparts in documents that differ.
3. `assemble`: the aligned blocks in body order become segments and changes;
   inside corresponding blocks words are diffed (`words`) and each change is
   classified editorial or content (`editorial`); then ids and word counts.

The types (`model`) are the contract every later stage builds on. Limits are
deterministic, never timed, and each one that applied is listed in
`Comparison.notes`.
"""

from __future__ import annotations

from policydocs.compare import assemble
from policydocs.compare.align import align_blocks
from policydocs.compare.blocks import Block, parse_blocks
from policydocs.compare.editorial import classify
from policydocs.compare.model import (
    BlockKind, Change, ChangeKind, ChangeType, Comparison, Reason, Segment, SegmentOp, Stats,
)
from policydocs.compare.windows import window_blocks
from policydocs.compare.words import diff_words
from policydocs.plaintext import count_words

ENGINE_VERSION = "9"  # bump whenever compare() may give a different result (cache key)


def compare(old_body: str, new_body: str) -> Comparison:
    """Compare two Markdown bodies (pure and deterministic)."""
    if old_body == new_body:
        return assemble.unchanged(old_body)
    old, new = window_blocks(old_body, new_body)  # changed windows as blocks, the rest one block each
    alignment = align_blocks(old, new)  # which blocks correspond: chain, moves, counterparts
    draft = assemble.emit(old, new, alignment)  # words diffed in pairs, changes classified
    draft = assemble.mark_rearranged(draft)  # edits that only move markup around the same words: editorial
    return assemble.finish(draft, old_body, new_body)  # ids by first appearance, word counts


__all__ = [
    "ENGINE_VERSION", "Block", "BlockKind", "Change", "ChangeKind", "ChangeType", "Comparison", "Reason", "Segment",
    "SegmentOp", "Stats", "classify", "compare", "count_words", "diff_words",
    "parse_blocks", "window_blocks",
]
