"""Stage 3, align: which blocks of the old body correspond to which of the new.

Blocks whose key is unique in both bodies match by hash in linear time and their
longest in-order chain (patience diff) anchors the alignment; anchors out of order
are *moves*. Between anchors, repeated blocks match with diff-match-patch on block
keys, then edited blocks pair by similarity (`pairing.same_clause`) in order, also
one-to-two for split and merged paragraphs. What is still unpaired is matched across
the whole body by similarity: a moved and edited block is a move too. In documents
that mostly differ, paragraphs on one subject pair as counterparts
(`pairing.TopicScorer`).

Limits (deterministic, each noted in the comparison when it applies), so that the
cost stays about n log n: a gap whose key diff could be slow (`seqdiff.too_costly`)
matches repeated blocks only between blocks found once on each side
(`seqdiff.anchored_ops`); a span of more than `PAIR_CELL_CAP` candidate pairs is
anchored on likely pairs (`pairing.likely_pairs`) before the in-order pairing, and
above `MOVE_CELL_CAP` leftovers are searched for moves among likely pairs only.
"""

from __future__ import annotations

import bisect
from collections import Counter
from dataclasses import dataclass

from rapidfuzz import process
from rapidfuzz.distance import Indel

from policydocs.compare import pairing, seqdiff
from policydocs.compare.blocks import Block

PAIR_CELL_CAP = 40_000  # old×new blocks scored for in-place similarity pairing
MOVE_CELL_CAP = 250_000  # old×new leftover blocks scored for moves
CODED_BLOCKS = 2000  # blocks of both sides above which block words are scored as codes
MOVE_MIN_WORDS = 2  # shorter blocks are never reported as moves
SIMILAR_DOCS = 0.3  # below this share of old words matched in order, documents "differ"


@dataclass(frozen=True)
class Pair:
    """Old blocks [o0, o1) aligned with new blocks [n0, n1)."""

    o0: int
    o1: int
    n0: int
    n1: int
    move: bool = False
    counterpart: bool = False  # same subject in differing documents: shown whole, not word-diffed


def align_blocks(old: list[Block], new: list[Block]) -> Aligner:
    """The aligned pairs of two block lists (``chain``, ``moves``, ``counterparts``) and
    the limits that applied (``notes``)."""
    aligner = Aligner(old, new)
    aligner.run()
    return aligner


def _movable(block: Block) -> bool:
    """Headings move with their sections; other blocks need a few words to count as moved."""
    return block.words >= MOVE_MIN_WORDS or (block.kind == "heading" and block.words > 0)


def _words(block: Block) -> list[str]:
    return block.folded_words  # read-only: shared by every score of the block


def _topic_terms(block: Block) -> Counter[str]:
    """A block's topic terms: of its key (the text's words but for a leading number,
    "1.2.", and numbers are no topic words), remembered; an unchanged stretch's key is a
    placeholder, so of its text (not remembered: a long text seen in one pair only)."""
    if block.kind == "same":
        return pairing.topic_terms(block.text, pairing.vocabulary())
    return pairing.key_terms(block.key)


def _holds(sorted_items: list[int], item: int) -> bool:
    """``item in sorted_items`` by bisection (a long table's rows are many)."""
    k = bisect.bisect_left(sorted_items, item)
    return k < len(sorted_items) and sorted_items[k] == item


def _first_old(pair: Pair) -> int:
    return pair.o0


class Aligner:
    """Builds the list of aligned block pairs (in-order chain plus moves)."""

    def __init__(self, old: list[Block], new: list[Block]) -> None:
        self.old, self.new = old, new
        self.notes: list[str] = []
        self.chain: list[Pair] = []
        self.moves: list[Pair] = []
        self.counterparts: list[Pair] = []
        self.used_old = [False] * len(old)
        self.used_new = [False] * len(new)
        # Long documents score each block against many others: there a block's words are
        # mapped to one character each (codes of this comparison), which rapidfuzz
        # compares without hashing each word again at every score; the same values
        # (`pairing.coded_similarity`). On the corpus's documents encoding costs more
        # than it saves. The distinct words must fit the code supply: a block's key has no
        # more words than its text, an unchanged stretch's key one.
        self._encoded = len(old) + len(new) > CODED_BLOCKS and \
            sum(1 if b.kind == "same" else b.words for b in (*old, *new)) <= seqdiff.WIDE_CODES
        self._table: dict[str, str] = {}
        self._codes: dict[tuple[bool, int], str] = {}

    def _coded(self, is_new: bool, k: int) -> str | list[str]:
        """A block's words for similarity scores, as codes or as words (see above)."""
        block = (self.new if is_new else self.old)[k]
        if not self._encoded:
            return _words(block)
        codes = self._codes.get((is_new, k))
        if codes is None:
            codes = self._codes[is_new, k] = seqdiff.encode(_words(block), self._table, wide=True)
        return codes

    def run(self) -> None:
        anchors = self._unique_anchors()
        bounds = [(-1, -1)] + [(p.o0, p.n0) for p in anchors] + [(len(self.old), len(self.new))]
        for (o_prev, n_prev), (o_next, n_next) in zip(bounds, bounds[1:]):
            self._fill_gap(o_prev + 1, o_next, n_prev + 1, n_next)
        self.chain.extend(anchors)
        self.chain.sort(key=lambda p: p.o0)
        self._pair_leftovers()

    def _take(self, pair: Pair, into: list[Pair]) -> None:
        into.append(pair)
        for i in range(pair.o0, pair.o1):
            self.used_old[i] = True
        for j in range(pair.n0, pair.n1):
            self.used_new[j] = True

    def _unique_anchors(self) -> list[Pair]:
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
        keep = set(seqdiff.lis([j for _, j in matches]))
        anchors = []
        for k, (i, j) in enumerate(matches):
            pair = Pair(i, i + 1, j, j + 1)
            if k in keep:
                self._take(pair, anchors)
            elif _movable(self.old[i]):
                self._take(Pair(i, i + 1, j, j + 1, move=True), self.moves)
        return anchors

    def _fill_gap(self, o0: int, o1: int, n0: int, n1: int) -> None:
        olds = [i for i in range(o0, o1) if not self.used_old[i]]
        news = [j for j in range(n0, n1) if not self.used_new[j]]
        if not olds or not news:
            return
        start = len(self.chain)
        a = [self.old[i].key for i in olds]
        b = [self.new[j].key for j in news]
        if seqdiff.too_costly(a, b):
            self.notes.append(f"{len(olds)}+{len(news)} unanchored blocks: repeated blocks matched between "
                              "blocks found once on each side only")
            ops = seqdiff.anchored_ops(a, b)
        else:
            ops = seqdiff.item_ops(a, b)
        x = y = 0
        for op, k in ops:
            if op == 0:
                for _ in range(k):
                    self._take(Pair(olds[x], olds[x] + 1, news[y], news[y] + 1), self.chain)
                    x += 1
                    y += 1
            elif op == -1:
                x += k
            else:
                y += k
        self._pair_similar(o0, o1, n0, n1, start)

    def _pair_similar(self, o0: int, o1: int, n0: int, n1: int, start: int) -> None:
        """Pair edited blocks in order between matched ones (``self.chain[start:]``, the
        pairs found in this gap): by the best in-order sum of similarities, or, in
        spans too long to score every pair, anchored on likely pairs first."""
        for olds, news in self._free_spans(o0, o1, n0, n1, start):
            if len(olds) * len(news) > PAIR_CELL_CAP:
                self._pair_long_span(olds, news)
            else:
                self._pair_in_order(olds, news)

    def _pair_in_order(self, olds: list[int], news: list[int]) -> None:
        """The in-order pairs with the best sum of `pairing.same_clause` scores (DP)."""
        new_codes = [self._coded(True, j) for j in news]
        score = [self._scores(self._coded(False, i), new_codes) for i in olds]
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

    @staticmethod
    def _scores(old_codes: str | list[str], new_codes: list[str | list[str]]) -> list[float]:
        """`pairing.coded_same_clause` of one old block against each new one: one
        rapidfuzz call scoring the whole row in C (the same values: Indel similarity
        with the edit bar as cutoff), unless a pair is long enough for the
        diff-match-patch bound of `pairing.coded_similarity`."""
        if len(old_codes) * max(map(len, new_codes)) > pairing.MYERS_CELLS:
            return [pairing.coded_same_clause(old_codes, w) for w in new_codes]
        row = [0.0] * len(new_codes)
        for _, s, y in process.extract(old_codes, new_codes, scorer=Indel.normalized_similarity, processor=None,
                                       score_cutoff=pairing.EDIT_MIN / 100.0, limit=None):
            row[y] = 100.0 * s
        return row

    def _pair_long_span(self, olds: list[int], news: list[int]) -> None:
        """A span with more than `PAIR_CELL_CAP` candidate pairs (a long table, every row
        edited): each old block's likely counterpart (`pairing.likely_pairs`: sharing its
        rarest words, or near its place), one to one, best first; those in order anchor the span, and the shorter spans between
        anchors are paired in order as usual."""
        likely = pairing.likely_pairs([self._coded(False, i) for i in olds],
                                      [self._coded(True, j) for j in news], keep=1, band=4)
        chosen = sorted((x, y) for x, y, _ in pairing.assign(likely, pairing.EDIT_MIN))
        anchors = [chosen[k] for k in seqdiff.lis([y for _, y in chosen])]
        for x, y in anchors:
            self._pair_with_neighbours(olds, news, x, y)
        for (xa, ya), (xb, yb) in zip([(-1, -1)] + anchors, anchors + [(len(olds), len(news))]):
            sub_olds = [i for i in olds[xa + 1:xb] if not self.used_old[i]]
            sub_news = [j for j in news[ya + 1:yb] if not self.used_new[j]]
            if not sub_olds or not sub_news:
                continue
            if len(sub_olds) * len(sub_news) > PAIR_CELL_CAP:
                self.notes.append(f"{len(sub_olds)}×{len(sub_news)} unmatched blocks between likely pairs: "
                                  "not paired by similarity")
            else:
                self._pair_in_order(sub_olds, sub_news)

    def _free_spans(self, o0: int, o1: int, n0: int, n1: int, start: int) -> list[tuple[list[int], list[int]]]:
        """Runs of unmatched blocks between the matched ones in a gap (``self.chain[start:]``:
        only this gap's, not the whole chain again for every gap), side by side."""
        fixed = sorted((p.o0, p.n0) for p in self.chain[start:] if o0 <= p.o0 < o1 and not p.move)
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

        def joined(is_new: bool, lo: int, hi: int) -> str | list[str]:
            return self._coded(is_new, lo) + self._coded(is_new, lo + 1)  # type: ignore[operator]

        old_codes, new_codes = self._coded(False, i), self._coded(True, j)
        options = []
        for lo, hi in ((j - 1, j + 1), (j, j + 2)):
            extra = lo if lo != j else hi - 1
            if _holds(news, extra) and not self.used_new[extra]:
                options.append((pairing.coded_similarity(old_codes, joined(True, lo, hi)), 0, lo, hi))
        for lo, hi in ((i - 1, i + 1), (i, i + 2)):
            extra = lo if lo != i else hi - 1
            if _holds(olds, extra) and not self.used_old[extra]:
                options.append((pairing.coded_similarity(joined(False, lo, hi), new_codes), 1, lo, hi))
        best = max(options, default=None)
        # (speedup) the pair's own score only matters against an option: a lone giant
        # paragraph is never scored against itself, which is quadratic in its words
        if best is not None and best[0] > pairing.coded_similarity(old_codes, new_codes) + 5:
            if best[1] == 0:
                n0, n1 = best[2], best[3]
            else:
                o0, o1 = best[2], best[3]
        self._take(Pair(o0, o1, n0, n1), self.chain)

    def _pair_leftovers(self) -> None:
        """Pair blocks still unmatched anywhere: the same clause edited (above the edit
        bar) in order when it fits the chain; the same text (above the move bar) as a
        move otherwise; in documents that mostly differ, then paragraphs on the same
        subject as counterparts. Anything else stays deleted or inserted."""
        olds = [i for i, used in enumerate(self.used_old) if not used and _movable(self.old[i])]
        news = [j for j, used in enumerate(self.used_new) if not used and _movable(self.new[j])]
        if not olds or not news:
            return
        candidates = []
        if len(olds) * len(news) > MOVE_CELL_CAP:  # (a shuffled long document, every paragraph edited)
            self.notes.append(f"{len(olds)}×{len(news)} leftover blocks: moved-and-edited blocks searched "
                              "among the blocks sharing their rarest words")
            likely = pairing.likely_pairs([self._coded(True, j) for j in news],
                                          [self._coded(False, i) for i in olds], keep=3)
            candidates = [(-score, olds[x], news[y]) for score, y, x in likely]
        else:
            choices = {i: self._coded(False, i) for i in olds}
            for j in news:
                for _, s, i in process.extract(self._coded(True, j), choices, scorer=Indel.normalized_similarity,
                                               processor=None, score_cutoff=pairing.EDIT_MIN / 100, limit=3):
                    candidates.append((-s * 100, i, j))
        candidates.sort()
        for negative, i, j in candidates:
            if self.used_old[i] or self.used_new[j]:
                continue
            pair = Pair(i, i + 1, j, j + 1)
            if self._fits_chain(pair):
                self._take(pair, self.chain)
                self.chain.insert(bisect.bisect_right(self.chain, i, key=_first_old), self.chain.pop())
            elif -negative >= pairing.MOVE_MIN:
                self._take(Pair(i, i + 1, j, j + 1, move=True), self.moves)
        if self._documents_differ():
            self._pair_counterparts()

    def _documents_differ(self) -> bool:
        """Whether less than `SIMILAR_DOCS` of the old words are matched one to one.

        (speedup) The unchanged stretches in the chain are first left out of both sums:
        they add as much to the matched words as to all, so the share can only grow
        with them (and its float quotient too: rounding is monotonic); they are counted
        only when the share without them is below the bar."""
        single = [p.o0 for p in self.chain if p.o1 == p.o0 + 1]
        kept = [i for i in single if self.old[i].kind == "same"]
        counted = set(kept)
        matched = sum(self.old[i].words for i in single if i not in counted)
        total = sum(b.words for k, b in enumerate(self.old) if k not in counted)
        if total and matched / total >= SIMILAR_DOCS:
            return False
        stretches = sum(self.old[i].words for i in kept)
        return (matched + stretches) / ((total + stretches) or 1) < SIMILAR_DOCS

    def _pair_counterparts(self) -> None:
        """Paragraphs on the same subject, for documents organised differently (see
        `pairing`): one-to-one, best topic score first, word weights from all
        paragraphs of both documents."""
        olds = [k for k, b in enumerate(self.old) if pairing.is_paragraph(b.kind, b.words)]
        news = [k for k, b in enumerate(self.new) if pairing.is_paragraph(b.kind, b.words)]
        free_old = [x for x, i in enumerate(olds) if not self.used_old[i]]
        free_new = [y for y, j in enumerate(news) if not self.used_new[j]]
        if not free_old or not free_new or len(free_old) * len(free_new) > MOVE_CELL_CAP:
            return
        scorer = pairing.TopicScorer([_topic_terms(self.old[i]) for i in olds]
                                     + [_topic_terms(self.new[j]) for j in news])
        scores = ((scorer.score(x, len(olds) + y), x, y) for x in free_old for y in free_new)
        for x, y, _ in pairing.assign(scores, pairing.COUNTERPART_MIN):
            i, j = olds[x], news[y]
            self._take(Pair(i, i + 1, j, j + 1, counterpart=True), self.counterparts)

    def _fits_chain(self, pair: Pair) -> bool:
        k = bisect.bisect_left(self.chain, pair.o0, key=_first_old)  # the chain is kept sorted by o0
        before = self.chain[k - 1] if k else None
        after = self.chain[k] if k < len(self.chain) else None
        return (before is None or before.n1 <= pair.n0) and (after is None or pair.n1 <= after.n0)

