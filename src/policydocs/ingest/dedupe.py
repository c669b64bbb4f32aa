"""Is a new text the same version as one already in the store?

Captures of one published text differ in ways that are not changes: case,
punctuation, line breaks, Markdown syntax, link targets, a passage repeated by
a scraper (the lossy 000 capture of the 2021 Privacy Policy is all of these).
Texts are reduced to their plain words (`policydocs.plaintext`) and compared with rapidfuzz's
normalised Indel similarity on the word sequences. At ``DUPLICATE_THRESHOLD``
(0.9) a real edit of a policy — a changed retention period, a new paragraph —
still shows: the seeds' genuinely different versions score below 0.5, while
the lossy capture of the same text scores above 0.95.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rapidfuzz.distance import Indel

from policydocs import plaintext
from policydocs.store import Version

DUPLICATE_THRESHOLD = 0.9
_SENTENCE_END = re.compile(r"[.!?;:]+")


@dataclass(frozen=True)
class Match:
    version: Version
    similarity: float  # 0..1


def words(text: str) -> list[str]:
    """The text's words (`plaintext.words` of the `plaintext.plain` text of each line:
    case-folded, without punctuation, Markdown syntax, link targets or footnote
    markers), each sentence of four words or more counted once."""
    seen: set[tuple[str, ...]] = set()
    out: list[str] = []
    for line in text.split("\n"):
        for sentence in _SENTENCE_END.split(plaintext.to_plain(line)):
            sentence_words = tuple(plaintext.words(sentence))
            if len(sentence_words) >= 4 and sentence_words in seen:
                continue  # a passage a scraper repeated
            seen.add(sentence_words)
            out.extend(sentence_words)
    return out


def similarity(a: list[str], b: list[str]) -> float:
    if not a and not b:
        return 1.0
    return Indel.normalized_similarity(a, b)


def best_match(body: str, versions: tuple[Version, ...]) -> Match | None:
    """The most similar existing version, whatever its score."""
    new = words(body)
    scored = [Match(v, similarity(new, words(v.body))) for v in versions]
    return max(scored, key=lambda m: m.similarity, default=None)
