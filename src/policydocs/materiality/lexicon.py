"""How common a word is in English (wordfreq's Zipf scale, its data shipped in the
package, nothing downloaded): tells an ordinary word that starts a sentence
("Operating") from a name ("Qwen", "Polldaddy"), and a misspelling ("automaticaly")
from a real word ("tenant" → "tenet" is a change of word, not a typo fix)."""

from __future__ import annotations

from wordfreq import zipf_frequency

from policydocs.memo import memoised

COMMON = 3.5  # "operating" 4.8, "docs" 3.5; names: "alibaba" 3.0, "basecamp" 2.0, "qwen" 0
KNOWN = 1.5   # below: not a word people write ("automaticaly" 1.1, "betterchange" 0)


@memoised("materiality: word frequency", 65536)
def zipf(word: str) -> float:
    """The word's frequency on the Zipf scale (0: never seen; 7: "the")."""
    return zipf_frequency(word.lower(), "en")


def is_common_word(word: str) -> bool:
    return zipf(word) >= COMMON


def is_misspelling(word: str) -> bool:
    """Not an English word: a typo, or a name (callers ask only of a word whose near twin
    is added)."""
    return word.isalpha() and zipf(word) < KNOWN
