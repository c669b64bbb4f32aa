"""How similar are "the same clause, edited" and "two unrelated clauses"? Prints the
distributions the pairing bars in `policydocs.compare.pairing` are set from.

Edit pairs: in each consecutive pair of versions of the genai-eu corpus, a single
changed block between two unchanged neighbours (a 1×1 gap: the same place in the
document, edited). Unrelated pairs: two different blocks of one version (same
vocabulary and style, different clauses), every block against the one 3 further on.
Run: python bench/pairing_similarity.py. Figures, not assertions."""

from __future__ import annotations

import difflib
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT / "tests")]

from conftest import corpus_clone, corpus_histories  # noqa: E402

from policydocs.compare.pairing import TopicScorer, char_similarity, topic_terms, vocabulary, word_similarity  # noqa: E402
from policydocs.compare import Block, parse_blocks  # noqa: E402

CUTS = (50, 55, 60, 65, 70, 75, 80, 85, 90, 95)
TOPIC_CUTS = (0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.5, 0.6)


def edit_pairs(old: str, new: str) -> list[tuple[Block, Block]]:
    """Single changed blocks between unchanged neighbours (difflib on block keys)."""
    a, _ = parse_blocks(old)
    b, _ = parse_blocks(new)
    matcher = difflib.SequenceMatcher(None, [x.key for x in a], [x.key for x in b], autojunk=False)
    return [(a[i1], b[j1]) for op, i1, i2, j1, j2 in matcher.get_opcodes()
            if op == "replace" and i2 - i1 == 1 and j2 - j1 == 1 and a[i1].words and b[j1].words]


def unrelated_pairs(blocks: list[Block]) -> list[tuple[Block, Block]]:
    blocks = [b for b in blocks if b.words >= 1 and b.key]
    return [(x, y) for x, y in zip(blocks, blocks[3:]) if x.key != y.key]


def topic_scores(old: str, new: str) -> tuple[list[float], list[float]]:
    """Topic cosine of the edit pairs and of unrelated paragraphs of the new version,
    IDF over the paragraphs of both versions (as in a cross-document compare)."""
    a = [x for x in parse_blocks(old)[0] if x.words and x.kind != "heading"]
    b = [x for x in parse_blocks(new)[0] if x.words and x.kind != "heading"]
    vocab = vocabulary()
    texts = list(dict.fromkeys(x.text for x in a + b))
    index = {t: k for k, t in enumerate(texts)}
    scorer = TopicScorer([topic_terms(t, vocab) for t in texts])
    edits = [scorer.score(index[x.text], index[y.text]) for x, y in edit_pairs(old, new)
             if x.kind != "heading" and y.kind != "heading"]
    unrelated = [scorer.score(index[x.text], index[y.text]) for x, y in unrelated_pairs(b)]
    return edits, unrelated


def describe(label: str, scores: list[float], cuts: tuple[float, ...] = CUTS) -> None:
    scores = sorted(scores)
    q = statistics.quantiles(scores, n=20)
    share = "  ".join(f"≥{c:g}: {sum(s >= c for s in scores) / len(scores):6.1%}" for c in cuts)
    print(f"  {label:<24} n={len(scores):>6}  p5 {q[0]:5.2f}  p25 {q[4]:5.2f}  median {q[9]:5.2f}"
          f"  p75 {q[14]:5.2f}  p95 {q[18]:5.2f}")
    print(f"  {'':<24} {share}")


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        histories = corpus_histories(corpus_clone(Path(tmp)))
    edits: list[tuple[Block, Block]] = []
    unrelated: list[tuple[Block, Block]] = []
    topic_edits: list[float] = []
    topic_unrelated: list[float] = []
    for texts in histories.values():
        for old, new in zip(texts, texts[1:]):
            if old != new:
                edits += edit_pairs(old, new)
                e, u = topic_scores(old, new)
                topic_edits += e
                topic_unrelated += u
        unrelated += unrelated_pairs(parse_blocks(texts[-1])[0])
    edits = [(a, b) for a, b in edits if a.key.casefold() != b.key.casefold()]
    for name, fn in (("char ratio", char_similarity), ("word similarity", word_similarity)):
        print(f"{name} (0-100):")
        describe("edits (1×1 gaps)", [fn(a.key, b.key) for a, b in edits])
        describe("unrelated (same version)", [fn(a.key, b.key) for a, b in unrelated])
        short = [(a, b) for a, b in unrelated if min(a.words, b.words) <= 6]
        describe("unrelated, ≤6 words", [fn(a.key, b.key) for a, b in short])
    print("topic cosine (0-1), paragraphs only:")
    describe("edits (1×1 gaps)", topic_edits, TOPIC_CUTS)
    describe("unrelated (same version)", topic_unrelated, TOPIC_CUTS)


if __name__ == "__main__":
    main()
