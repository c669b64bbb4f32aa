"""Which blocks of two documents belong together: the pairing rules of the compare stage.

Two questions, kept apart because they need different evidence:

* **Is this the same clause, edited?** (`same_clause`) Measured by how much of the
  wording survives: `word_similarity`, the share of words kept in order (rapidfuzz
  Indel on word lists). On the genai-eu corpus a changed paragraph between unchanged
  neighbours keeps a median of ~93 % of its words, while two different paragraphs of
  one policy share a median ~15 % (95 % of them ≤ ~36 %): see docs/redline.md and
  ``bench/pairing_similarity.py``. Only pairs above `EDIT_MIN` are word-diffed; below
  it the old text is deleted and the new one inserted, because a word diff of
  unrelated sentences ("policy" → "laws") misleads a reviewer.
* **Are these two paragraphs about the same subject?** (`TopicScorer`) When two
  *different* documents are compared (a policy and the page that replaced it), few
  clauses survive word for word, but a reviewer still asks "what became of the
  retention clause?". Paragraphs are scored by TF-IDF-weighted cosine over their
  content words plus concept tags (``data/compare-concepts.yml``: "store", "retain",
  "deleted", "30 days" all tag *retention*), and `assign` picks one-to-one
  counterparts greedily by score above `COUNTERPART_MIN`. Counterparts are shown
  whole (deleted and inserted, linked as one change), never as a word edit.
"""

from __future__ import annotations

import bisect
import math
from collections import Counter
from dataclasses import dataclass
from importlib import resources
from typing import Iterable, Sequence

import yaml
from rapidfuzz import fuzz
from rapidfuzz.distance import Indel

from policydocs.compare import seqdiff
from policydocs.memo import memoised
from policydocs.plaintext import words

# Bars, from the measurements in docs/redline.md (word similarity 0-100, cosine 0-1).
EDIT_MIN = 50.0  # "the same clause, edited": word-diffed in place
GROWN_MIN = 0.6  # "the same clause, grown or cut": share of the shorter one's words kept in order
MOVE_MIN = 80.0  # "the same text, elsewhere": a move
COUNTERPART_MIN = 0.4  # "the same subject", for paragraphs of differing documents
PARAGRAPH_MIN_WORDS = 2  # shorter blocks ("- GDPR") say too little to have a subject
CONCEPT_WEIGHT = 2.0  # a shared concept counts this many times a shared word
# Above this many old×new word pairs (two blocks of 5,000 words), similarity is measured on
# a diff-match-patch diff (its cost follows the edits; its kept words are at most the LCS)
# rather than by rapidfuzz's exact LCS (its cost follows n·m: seconds for a giant paragraph).
MYERS_CELLS = 25_000_000

def char_similarity(a: str, b: str) -> float:
    """rapidfuzz ratio on case-folded text (0-100): the old measure, kept for the bench."""
    return fuzz.ratio(a.casefold(), b.casefold())


def word_similarity(a: str | Sequence[str], b: str | Sequence[str], score_cutoff: float = 0.0) -> float:
    """Share of words kept in order, 0-100 (Indel similarity on word lists); texts or
    word lists from `words`."""
    return coded_similarity(words(a) if isinstance(a, str) else a, words(b) if isinstance(b, str) else b,
                            score_cutoff)


def coded_similarity(a: str | Sequence[str], b: str | Sequence[str], score_cutoff: float = 0.0) -> float:
    """`word_similarity` of two word lists given as their codes (`seqdiff.encode` with one
    table: one character per distinct word), or as the word lists themselves. The same
    value: both measures only ask which words are equal; a string is compared in C
    without hashing each word again at every score."""
    if not a or not b:
        return 100.0 if not a and not b else 0.0
    if len(a) * len(b) > MYERS_CELLS:  # (speedup) a lower bound in time ~ (n + m) · edits
        score = 200.0 * seqdiff.common_length(a, b) / (len(a) + len(b))
        return score if score >= score_cutoff else 0.0
    return 100.0 * Indel.normalized_similarity(a, b, score_cutoff=score_cutoff / 100.0)


def coded_same_clause(a: str | Sequence[str], b: str | Sequence[str]) -> float:
    """`same_clause` of two word lists given as codes (see `coded_similarity`)."""
    if not could_reach(len(a), len(b), EDIT_MIN):
        return 0.0
    score = coded_similarity(a, b, EDIT_MIN)
    return score if score >= EDIT_MIN else 0.0


def could_reach(len_a: int, len_b: int, score: float) -> bool:
    """Whether word lists of these lengths can have `word_similarity` ≥ ``score``: it is
    2·LCS / (len_a + len_b), and the LCS is at most the shorter list (a bound checked
    before the scorer is called, for the many pairs of very different lengths)."""
    return 200.0 * min(len_a, len_b) >= score * (len_a + len_b)


def likely_pairs(a: Sequence[str | Sequence[str]], b: Sequence[str | Sequence[str]], keep: int,
                 band: int = 0, tried: int = 8, terms_read: int = 12, postings_read: int = 256
                 ) -> list[tuple[float, int, int]]:
    """(score, x, y) for each item ``a[x]`` and its ``keep`` best items ``b[y]`` by
    `coded_same_clause` (non-zero scores only), when scoring every pair would be too
    many: only the ``tried`` items of ``b`` that share the most of ``a[x]``'s rarest
    word pairs (`_terms`: ``terms_read`` of them at most, rarest first, about
    ``postings_read`` postings), and at least half as many as the best, are scored.
    With ``band`` (pairs in order: a table's rows, whose words may all be common) the
    postings read are those nearest to where ``a[x]`` would sit in ``b`` if both were in
    order, ties go to the nearest, and with no shared term the ``band`` items around
    that place are tried. An edited clause keeps most of its word pairs, rare ones
    included, so its counterpart is among them; the cost follows the words, not the
    product of the item counts."""
    postings: dict[object, list[int]] = {}
    for y, item in enumerate(b):
        for term in _terms(item):
            postings.setdefault(term, []).append(y)
    out = []
    for x, item in enumerate(a):
        middle = x * len(b) // len(a)  # where a[x] would sit in b if both were in order
        shared: dict[int, int] = {}  # item of b → terms shared with a[x] (a dict: Counter.update is slow)
        read = 0
        for df, term in sorted((len(postings[t]), t) for t in _terms(item) if t in postings)[:terms_read]:
            if read and read + df > postings_read:
                break
            ys = postings[term]  # a term in every item says little: only some of its postings
            if band:
                at = bisect.bisect_left(ys, middle)
                ys = ys[max(0, at - postings_read // 2):at + postings_read // 2]
            for y in ys[:postings_read]:
                shared[y] = shared.get(y, 0) + 1
            read += df
        order = (lambda kv: (-kv[1], abs(kv[0] - middle))) if band else (lambda kv: -kv[1])
        ranked = sorted(shared.items(), key=order)[:tried]
        near = [y for y, count in ranked if 2 * count >= ranked[0][1]]  # the others share too little
        if band and not near:
            near = list(range(max(0, middle - band), min(len(b), middle + band + 1)))
        scored = sorted(((coded_same_clause(item, b[y]), y) for y in near),
                        key=lambda c: (-c[0], abs(c[1] - middle) if band else 0, c[1]))
        out += [(score, x, y) for score, y in scored[:keep] if score]
    return out


def _terms(item: str | Sequence[str]) -> set[object]:
    """What `likely_pairs` indexes an item by: its pairs of consecutive words (far rarer
    than single words, so they find an edited clause among thousands of paragraphs
    drawn from one vocabulary), or its one word."""
    if len(item) < 2:
        return set(item)
    if isinstance(item, str):
        return {item[k:k + 2] for k in range(len(item) - 1)}
    return {(item[k], item[k + 1]) for k in range(len(item) - 1)}


def same_clause(a: str | Sequence[str], b: str | Sequence[str]) -> float:
    """The pair's word similarity if it is at least `EDIT_MIN`, else 0; texts or word lists."""
    return coded_same_clause(words(a) if isinstance(a, str) else a, words(b) if isinstance(b, str) else b)


def grown_clause(a: str, b: str) -> bool:
    """Whether one text is the other grown or cut: at least `GROWN_MIN` of the shorter
    one's words kept in order (an item that gained a paragraph keeps its words but falls
    below `EDIT_MIN`, which weighs both lengths). Such a pair is word-diffed, so its
    kept sentences stay kept."""
    old, new = words(a), words(b)
    if not old or not new:
        return False
    return seqdiff.common_length(old, new) >= GROWN_MIN * min(len(old), len(new))


# --- topics ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Vocabulary:
    concepts: dict[str, str]  # stemmed word → "concept:<name>"
    stopwords: frozenset[str]


def _stem(word: str) -> str:
    """Plural "s" off (not "ss": "access", "process")."""
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word


@memoised("compare: vocabulary", 1)
def vocabulary() -> Vocabulary:
    """The concept groups and stop words of data/compare-concepts.yml."""
    text = resources.files("policydocs").joinpath("data/compare-concepts.yml").read_text("utf-8")
    data = yaml.safe_load(text) or {}
    concepts = {_stem(w.casefold()): f"concept:{name}"
                for name, group in (data.get("concepts") or {}).items() for w in group}
    return Vocabulary(concepts, frozenset(str(data.get("stopwords") or "").casefold().split()))


def topic_terms(text: str | Sequence[str], vocab: Vocabulary) -> Counter[str]:
    """Content words (stemmed, stop words and numbers out) and their concept tags; of a
    text or of its words from `words`."""
    terms: Counter[str] = Counter()
    # each distinct word once, with its count (in C), in order of first appearance: the
    # same terms in the same order as word by word
    for word, count in Counter(words(text) if isinstance(text, str) else text).items():
        if word in vocab.stopwords or word.isdigit() or len(word) < 2:
            continue
        stem = _stem(word)
        terms[stem] += count
        if stem in vocab.concepts:
            terms[vocab.concepts[stem]] += count
    return terms


@memoised("compare: topic terms", 8192)
def key_terms(key: str) -> Counter[str]:
    """`topic_terms` of a block's key with the built-in vocabulary, remembered: in a
    history walk a block is scored again in the next pair (read-only: shared)."""
    return topic_terms(key, vocabulary())


class TopicScorer:
    """TF-IDF cosine between texts, the texts themselves being the collection (each
    block of both documents is one "document" for the IDF): rare shared words and
    shared concepts make two paragraphs counterparts, common ones ("data") barely."""

    def __init__(self, terms: Sequence[Counter[str]]) -> None:
        df: Counter[str] = Counter()
        for bag in terms:
            df.update(bag.keys())
        n = len(terms)
        self._idf = {w: math.log((n + 1) / (d + 1)) + 1.0 for w, d in df.items()}
        self._terms = terms
        self._vectors: dict[int, dict[str, float]] = {}  # made when first scored: most texts only weigh the IDF

    def vector(self, k: int) -> dict[str, float]:
        """Text ``k``'s unit TF-IDF vector."""
        vector = self._vectors.get(k)
        if vector is None:
            idf = self._idf
            vec = {w: (1.0 + math.log(tf)) * idf[w] * (CONCEPT_WEIGHT if w.startswith("concept:") else 1.0)
                   for w, tf in self._terms[k].items()}
            norm = math.sqrt(sum(v * v for v in vec.values())) or 1.0
            vector = self._vectors[k] = {w: v / norm for w, v in vec.items()}
        return vector

    @classmethod
    def of(cls, texts: Sequence[str | Sequence[str]]) -> TopicScorer:
        """The scorer of texts, or of their words from `words`."""
        vocab = vocabulary()
        return cls([topic_terms(t, vocab) for t in texts])

    def score(self, a: int, b: int) -> float:
        va, vb = self.vector(a), self.vector(b)
        if len(va) > len(vb):
            va, vb = vb, va
        return sum(v * vb[w] for w, v in va.items() if w in vb)


def is_paragraph(kind: str, word_count: int) -> bool:
    """Blocks that take part in topic pairing: text with a few words, not headings (a
    section is matched through its paragraphs; two headings sharing "access" rarely
    name one subject)."""
    return kind != "heading" and word_count >= PARAGRAPH_MIN_WORDS


def assign(scores: Iterable[tuple[float, int, int]], minimum: float) -> list[tuple[int, int, float]]:
    """One-to-one pairs, best score first (greedy; ties by position), scores ≥ ``minimum``.
    Greedy rather than an optimal assignment: the best-scoring pair is the one a reader
    would draw first, and it needs no extra dependency."""
    taken_a: set[int] = set()
    taken_b: set[int] = set()
    out = []
    for score, a, b in sorted((-s, a, b) for s, a, b in scores if s >= minimum):
        if a in taken_a or b in taken_b:
            continue
        taken_a.add(a)
        taken_b.add(b)
        out.append((a, b, -score))
    return out


def related(old: str, new: str) -> bool:
    """Whether a deleted text and the inserted text facing it belong together: one
    clause edited, or one subject (shown as one replace rather than two changes)."""
    old_words, new_words = words(old), words(new)  # read once for both measures
    return bool(same_clause(old_words, new_words)) \
        or TopicScorer.of([old_words, new_words]).score(0, 1) >= COUNTERPART_MIN
