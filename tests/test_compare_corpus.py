"""Exact rebuild and word counts on real histories: every consecutive pair of every document of the
three corpora (genai-eu ~950 pairs, Basecamp ~550, Legalmattic ~260 pairs of real policy Markdown)."""

from __future__ import annotations

import re

import pytest

from conftest import CORPUS_NAMES, corpus_clone, corpus_histories
from policydocs.compare import compare

WORDS = re.compile(r"\w+")  # words as documented: runs of letters and digits


MIN_PAIRS = {"genai-eu-versions": 900, "basecamp-policies": 500, "automattic-legalmattic": 250}


@pytest.mark.corpus
@pytest.mark.parametrize("corpus", CORPUS_NAMES)
def test_every_consecutive_corpus_pair_rebuilds_both_versions_exactly(tmp_path_factory, corpus):
    repo = corpus_clone(tmp_path_factory.mktemp("corpus"), corpus)
    histories = corpus_histories(repo)
    pairs = 0
    for path, texts in histories.items():
        for old, new in zip(texts, texts[1:]):
            c = compare(old, new)
            assert c.old_body() == old, f"{path}: old version not rebuilt"
            assert c.new_body() == new, f"{path}: new version not rebuilt"
            assert c.identical == (old == new)
            assert (c.stats.old_words, c.stats.new_words) == (len(WORDS.findall(old)), len(WORDS.findall(new)))
            pairs += 1
    assert pairs > MIN_PAIRS[corpus]
