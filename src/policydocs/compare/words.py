"""Stage 4, words: inside two corresponding blocks, which words changed.

Tokens are words (with inner apostrophes), single punctuation marks and whitespace
runs; diff-match-patch diffs them mapped to single characters, then semantic
clean-up so that "the" and "and" do not stitch unrelated sentences together.
Above `FINE_TOKEN_CAP` tokens a pair is diffed by sentence first; above
`WORD_TOKEN_CAP` only its common prefix and suffix are kept (noted as "coarse").
"""

from __future__ import annotations

import re

from policydocs.compare import seqdiff

FINE_TOKEN_CAP = 1500  # tokens diffed word by word in one go; longer texts go by sentence first
WORD_TOKEN_CAP = 2_000_000  # tokens of one block pair (1 M a side) beyond which only prefix/suffix are kept

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

    ca, cb = seqdiff.encode(sa, table), seqdiff.encode(sb, table)
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
    semantic clean-up so common words do not stitch unrelated sentences together."""
    table: dict[str, str] = {}
    ca, cb = seqdiff.encode(a, table), seqdiff.encode(b, table)
    reverse = {ch: tok for tok, ch in table.items()}
    return [(op, "".join(map(reverse.__getitem__, text))) for op, text in seqdiff.diff(ca, cb, semantic=True)]


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
