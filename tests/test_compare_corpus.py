"""Exact rebuild and word counts on real histories: every consecutive pair of every document of the
genai-eu corpus (~950 pairs of real policy Markdown)."""

from __future__ import annotations

import re

import pytest

from conftest import corpus_clone, corpus_histories
from policydocs.compare import compare

WORDS = re.compile(r"\w+")  # words as documented: runs of letters and digits


@pytest.mark.corpus
def test_every_consecutive_corpus_pair_rebuilds_both_versions_exactly(tmp_path_factory):
    repo = corpus_clone(tmp_path_factory.mktemp("corpus"))
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
    assert pairs > 900
