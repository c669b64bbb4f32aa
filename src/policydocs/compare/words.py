"""Stage 4, words: inside two corresponding blocks, which words changed.

Tokens are words (with inner apostrophes), single punctuation marks and whitespace
runs; diff-match-patch diffs them mapped to single characters, then semantic
clean-up so that "the" and "and" do not stitch unrelated sentences together.
Above `FINE_TOKEN_CAP` tokens a pair is diffed by sentence first, and a long run of
rewritten sentences (or one endless sentence) is cut at runs of `ANCHOR_TOKENS` tokens
found once on each side (`_long_diff`); above `WORD_TOKEN_CAP` only its common prefix
and suffix are kept (noted as "coarse").
"""

from __future__ import annotations

import re
from collections import Counter

from policydocs.compare import seqdiff

FINE_TOKEN_CAP = 1500  # tokens diffed word by word in one go; longer texts go by sentence first
WORD_TOKEN_CAP = 2_000_000  # tokens of one block pair (1 M a side) beyond which only prefix/suffix are kept
ANCHOR_TOKENS = 8  # a run of this many tokens (about four words) found once on each side anchors a long diff
MARGIN = 32  # common tokens kept on each side of a token diff's changed middle (see `_diff_tokens`)
ANCHOR_DEPTH = 6  # levels of anchors looked for inside the stretches between anchors

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
                if len(x) + len(y) > seqdiff.WIDE_CODES and len(set(x) | set(y)) > seqdiff.WIDE_CODES:
                    ops.extend(_coarse(x, y))  # more distinct tokens than `_long_diff` has codes
                    capped = True
                else:
                    ops.extend(_long_diff(x, y) if len(x) + len(y) > FINE_TOKEN_CAP else _diff_tokens(x, y))
        pending[0], pending[1] = [], []

    # wide codes: a long text may have more distinct sentences than the private-use area
    ca, cb = seqdiff.encode(sa, table, wide=True), seqdiff.encode(sb, table, wide=True)
    reverse = {ch: unit for unit, ch in table.items()}
    for op, text in seqdiff.diff(ca, cb):
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
    semantic clean-up so common words do not stitch unrelated sentences together.

    (speedup) Only the tokens between the common start and end, with `MARGIN` tokens of
    each, are encoded and diffed. The clean-ups move an edit sideways by at most its own
    length, so when the kept margins are longer than every edit the result is the
    whole lists' diff; otherwise the whole lists are diffed."""
    p = seqdiff.common_items(a, b, 1)
    s = seqdiff.common_items(a[p:], b[p:], -1)
    lo, cut = max(0, p - MARGIN), max(0, s - MARGIN)
    if lo or cut:
        ops = _token_ops(a[lo:len(a) - cut], b[lo:len(b) - cut])
        longest = max((len(chars) for op, chars in ops if op), default=0)
        if ops and (not lo or (ops[0][0] == 0 and len(ops[0][1]) > longest)) \
                and (not cut or (ops[-1][0] == 0 and len(ops[-1][1]) > longest)):
            out = [(op, "".join(tokens)) for op, tokens in ops]
            if lo:
                out[0] = (0, "".join(a[:lo]) + out[0][1])
            if cut:
                out[-1] = (0, out[-1][1] + "".join(a[len(a) - cut:]))
            return out
    return [(op, "".join(tokens)) for op, tokens in _token_ops(a, b)]


def _token_ops(a: list[str], b: list[str]) -> list[tuple[int, list[str]]]:
    """`_diff_tokens` without the margins: (op, tokens) from one diff-match-patch call
    (private-use codes: its semantic clean-up scores character classes, which these
    leave neutral; one side empty is diff-match-patch's own answer, without codes)."""
    if not a or not b:
        return [(-1, a)] * bool(a) + [(1, b)] * bool(b)
    table: dict[str, str] = {}
    ca, cb = seqdiff.encode(a, table), seqdiff.encode(b, table)
    reverse = {ch: tok for tok, ch in table.items()}
    return _slide_to_markup([(op, list(map(reverse.__getitem__, chars)))
                             for op, chars in seqdiff.diff(ca, cb, semantic=True)])


_OPENERS, _CLOSERS = {"[": "]", "(": ")"}, {"]": "[", ")": "("}
SLIDE_TOKENS = 8  # how far an inserted or deleted run may slide to close its brackets


def _balanced(tokens: list[str]) -> bool:
    """Whether every bracket the run opens it also closes, in order (``[t](u)`` is, ``t](u), [`` is not)."""
    stack: list[str] = []
    for t in tokens:
        if t in _OPENERS:
            stack.append(t)
        elif t in _CLOSERS and (not stack or stack.pop() != _CLOSERS[t]):
            return False
    return not stack


def _slide_to_markup(ops: list[tuple[int, list[str]]]) -> list[tuple[int, list[str]]]:
    """An inserted or deleted run between two equal runs can often sit a few tokens
    earlier or later with the same meaning ("[" + "UPS](u), [" + "USPS…" is
    "" + "[UPS](u), " + "[USPS…"); slide it to the nearest place where it holds whole
    links, as git slides a hunk to a blank line, so that no change starts inside a link's
    markup and the words quoted from it read as text (at most `SLIDE_TOKENS` either way)."""
    for i in range(1, len(ops) - 1):
        (before_op, before), (op, run), (after_op, after) = ops[i - 1], ops[i], ops[i + 1]
        if op == 0 or before_op != 0 or after_op != 0 or _balanced(run) \
                or not any(t in _OPENERS or t in _CLOSERS for t in run):
            continue
        for shift in sorted(range(-SLIDE_TOKENS, SLIDE_TOKENS + 1), key=lambda k: (abs(k), k)):
            if shift == 0 or abs(shift) > len(run):
                continue
            if shift < 0:  # the run's last tokens are also the tokens just before it
                k = -shift
                if len(before) < k + (i > 1) or before[-k:] != run[-k:]:  # keeps a run between two edits
                    continue
                moved = (before[:-k], before[-k:] + run[:-k], run[-k:] + after)
            else:  # the run's first tokens are also the tokens just after it
                if len(after) < shift + (i < len(ops) - 2) or after[:shift] != run[:shift]:
                    continue
                moved = (before + run[:shift], run[shift:] + after[:shift], after[shift:])
            if _balanced(moved[1]):
                ops[i - 1], ops[i], ops[i + 1] = (0, moved[0]), (op, moved[1]), (0, moved[2])
                break
    return [(op, tokens) for op, tokens in ops if tokens]


def _long_diff(a: list[str], b: list[str]) -> list[tuple[int, str]]:
    """A token diff of two long texts in about n log n: the common start and end, then
    the runs of `ANCHOR_TOKENS` tokens found exactly once on each side, their longest
    in-order chain as anchors (a patience diff on token runs), and `_diff_tokens`
    between anchors (recursively while a stretch is long and still has anchors; a long
    stretch with none left is a rewrite: deleted and inserted)."""
    table: dict[str, str] = {}
    ca, cb = seqdiff.encode(a, table, wide=True), seqdiff.encode(b, table, wide=True)
    p = _common_start(ca, cb)
    s = _common_start(ca[p:][::-1], cb[p:][::-1])
    middle = _anchored(a[p:len(a) - s], b[p:len(b) - s], ca[p:len(ca) - s], cb[p:len(cb) - s], 0)
    ops = [(0, "".join(a[:p]))] + middle + [(0, "".join(a[len(a) - s:]))]
    return [o for o in ops if o[1]]


def _common_start(x: str, y: str) -> int:
    """Length of the common start of two strings (bisection over slices compared in C)."""
    lo, hi = 0, min(len(x), len(y))
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if x[:mid] == y[:mid]:
            lo = mid
        else:
            hi = mid - 1
    return lo


def _anchored(a: list[str], b: list[str], ca: str, cb: str, depth: int) -> list[tuple[int, str]]:
    """`_long_diff` of token lists with no common start or end (``ca``/``cb`` their
    codes), ``depth`` levels of anchors down (at most `ANCHOR_DEPTH`)."""
    if len(a) + len(b) <= FINE_TOKEN_CAP or not a or not b:
        return _diff_tokens(a, b)
    if depth >= ANCHOR_DEPTH:
        return _diff_or_replace(a, b, ca, cb)
    k = ANCHOR_TOKENS
    runs_a = Counter(ca[i:i + k] for i in range(len(ca) - k + 1))
    runs_b = Counter(cb[j:j + k] for j in range(len(cb) - k + 1))
    at_b = {cb[j:j + k]: j for j in range(len(cb) - k + 1) if runs_b[cb[j:j + k]] == 1}
    matches = [(i, at_b[run]) for i in range(len(ca) - k + 1)
               if runs_a[run := ca[i:i + k]] == 1 and run in at_b]
    if not matches:
        return _diff_or_replace(a, b, ca, cb)
    ops: list[tuple[int, str]] = []
    i0 = j0 = 0
    for n in seqdiff.lis([j for _, j in matches]):
        i, j = matches[n]
        if i < i0 or j < j0:  # overlaps the last anchor's run
            continue
        ops += _anchored(a[i0:i], b[j0:j], ca[i0:i], cb[j0:j], depth + 1)
        ops.append((0, "".join(a[i:i + k])))
        i0, j0 = i + k, j + k
    return ops + _anchored(a[i0:], b[j0:], ca[i0:], cb[j0:], depth + 1)


def _diff_or_replace(a: list[str], b: list[str], ca: str, cb: str) -> list[tuple[int, str]]:
    """A long stretch with no anchors: `_diff_tokens` if diff-match-patch stays quick on
    it (`seqdiff.too_costly`), else a rewrite, deleted and inserted."""
    if not seqdiff.too_costly(ca, cb):
        return _diff_tokens(a, b)
    return [(-1, "".join(a)), (1, "".join(b))]


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
