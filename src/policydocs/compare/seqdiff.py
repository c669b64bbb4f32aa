"""Diffs of sequences, shared by the stages: diff-match-patch on items mapped to single
characters (the lines-to-chars trick), and a longest increasing subsequence.

diff-match-patch's C++ build (`fast-diff-match-patch`) gives the same algorithm and
output as the Python one, many times faster. It is called with no time limit: its
timeout fails silently ("delete all, insert all"), so sizes are bounded by the
callers instead and a result never depends on the machine's speed.
"""

from __future__ import annotations

import bisect
import functools
import itertools
from collections import Counter
from typing import Iterable, Iterator, Sequence

import fast_diff_match_patch


def common_items(a: Sequence[str], b: Sequence[str], step: int) -> int:
    """How many items two lists share at their start (``step`` 1) or end (-1):
    compared a chunk at a time in C, then item by item in the first chunk that differs."""
    n, k, chunk = min(len(a), len(b)), 0, 64
    while k < n:
        size = min(chunk, n - k)
        if step == 1:
            same = a[k:k + size] == b[k:k + size]
        else:
            same = a[len(a) - k - size:len(a) - k] == b[len(b) - k - size:len(b) - k]
        if not same:
            break
        k += size
    while k < n and (a[k] == b[k] if step == 1 else a[-1 - k] == b[-1 - k]):
        k += 1
    return k


def lis(seq: list[int]) -> list[int]:
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


WIDE_CODES = 0x110000 - 0x800  # how many distinct items `encode(..., wide=True)` can map


def encode(keys: Iterable[str], table: dict[str, str], wide: bool = False) -> str:
    """Map each distinct item to one character, for diff-match-patch (lines-to-chars):
    private-use characters, numbered in order of first appearance; ``wide``: any
    character but the surrogates (`WIDE_CODES` of them, for word lists compared by
    rapidfuzz, which only asks which characters are equal)."""
    keys = list(keys)
    fresh = [key for key in dict.fromkeys(keys) if key not in table]
    n = len(table)
    table.update(zip(fresh, _wide_chars(n, len(fresh)) if wide else _private_chars()[n:n + len(fresh)]))
    return "".join(map(table.__getitem__, keys))


def _wide_chars(start: int, count: int) -> Iterator[str]:
    """The ``count`` characters `encode` hands out from number ``start`` when ``wide``:
    every character in order but the surrogates (made as needed: a table of all of
    them would cost a fifth of a second to build)."""
    return map(chr, itertools.chain(range(start, min(start + count, 0xD800)),
                                    range(max(start, 0xD800) + 0x800, start + count + 0x800)))


@functools.cache
def _private_chars() -> str:
    """The characters `encode` hands out: 6,400 in the BMP private-use area, then plane 15-16."""
    return "".join(map(chr, itertools.chain(range(0xE000, 0xE000 + 6400), range(0xF0000, 0x110000))))


_OPS = {"=": 0, "-": -1, "+": 1}


def diff(a: str, b: str, semantic: bool = False) -> list[tuple[int, str]]:
    """diff-match-patch (its C++ build: the same algorithm and output as the Python one,
    many times faster) → [(op, text)] with op -1/0/1. No time limit: sizes are bounded
    instead, so the result never depends on the machine's speed."""
    diffs = fast_diff_match_patch.diff(a, b, timelimit=0, checklines=False,
                                       cleanup="Semantic" if semantic else "No", counts_only=False)
    return [(_OPS[op], text) for op, text in diffs]




def common_length(a: Sequence[str], b: Sequence[str]) -> int:
    """The items two lists keep in a diff-match-patch diff: the length of a longest common
    subsequence or a little less (its shortcuts give up minimality on a few shapes), in
    time that follows the edits, where an exact LCS takes time that follows n·m. Two
    strings are taken as already encoded (one character per item)."""
    if isinstance(a, str) and isinstance(b, str):
        return sum(len(text) for op, text in diff(a, b) if op == 0)
    table: dict[str, str] = {}  # wide codes: a giant paragraph may hold more distinct words than 6,400 + 2 planes
    return sum(len(text) for op, text in diff(encode(a, table, wide=True), encode(b, table, wide=True)) if op == 0)


# `anchored_ops` instead of diff-match-patch above this estimate of its cost ((n + m) ×
# a lower bound of the edits: ~1 s at worst, most shapes far less) or this many items (a shuffled list hides
# its edits from the estimate). No pair of the three corpora comes near either: the
# largest there has 6,415 changed lines (≤ 4.1 × 10⁷ whatever its edits).
DMP_COST_CAP = 500_000_000
DMP_ITEMS_CAP = 60_000
_ALWAYS_CHEAP = 2000  # n + m at most this: (n + m)² is far below the cap


def item_ops(a: Sequence[str], b: Sequence[str]) -> list[tuple[int, int]]:
    """diff-match-patch on two item lists (items mapped to characters) as (op, items)."""
    table: dict[str, str] = {}
    return [(op, len(chars)) for op, chars in diff(encode(a, table), encode(b, table))]


def too_costly(a: Sequence[str], b: Sequence[str]) -> bool:
    """Whether `item_ops` could take long on these lists (see `DMP_COST_CAP`): every item
    one side has more of than the other is an edit, and so is every item found once on
    each side but out of their longest in-order chain."""
    n = len(a) + len(b)
    if n <= _ALWAYS_CHEAP:
        return False
    if n > DMP_ITEMS_CAP:
        return True
    ca, cb = Counter(a), Counter(b)
    edits = sum((ca - cb).values()) + sum((cb - ca).values())
    if n * edits > DMP_COST_CAP:
        return True
    matches = _unique_matches(a, b, ca, cb)
    edits += 2 * (len(matches) - len(lis([j for _, j in matches])))
    return n * edits > DMP_COST_CAP


def _unique_matches(a: Sequence[str], b: Sequence[str], ca: Counter[str], cb: Counter[str]
                    ) -> list[tuple[int, int]]:
    """(i, j) of the items found once in ``a`` (at i) and once in ``b`` (at j), by i."""
    at_b = {item: j for j, item in enumerate(b) if cb[item] == 1}
    return [(i, at_b[item]) for i, item in enumerate(a) if ca[item] == 1 and item in at_b]


def anchored_ops(a: Sequence[str], b: Sequence[str]) -> list[tuple[int, int]]:
    """A diff of two long item lists in about n log n: the items found exactly once on
    each side, their longest in-order chain as anchors (patience diff), then
    diff-match-patch between anchors where that stays within `DMP_COST_CAP`, else the
    stretch deleted and inserted. Not the minimal diff; used where `item_ops` could
    take minutes."""
    matches = _unique_matches(a, b, Counter(a), Counter(b))
    anchors = [matches[k] for k in lis([j for _, j in matches])]
    ops: list[tuple[int, int]] = []
    i0 = j0 = 0
    for i, j in anchors + [(len(a), len(b))]:
        x, y = a[i0:i], b[j0:j]
        if x and y and not too_costly(x, y):
            ops += item_ops(x, y)
        else:
            ops += [(-1, len(x))] * bool(x) + [(1, len(y))] * bool(y)
        if i < len(a):
            ops.append((0, 1))
        i0, j0 = i + 1, j + 1
    merged: list[tuple[int, int]] = []
    for op, k in ops:
        if merged and merged[-1][0] == op:
            merged[-1] = (op, merged[-1][1] + k)
        else:
            merged.append((op, k))
    return merged
