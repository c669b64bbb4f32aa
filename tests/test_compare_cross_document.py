"""Comparing two different documents on one subject: the 2021 Privacy Policy against
the 2023 "API data privacy" page (the first question the site must answer), and the
pairing rule behind it: unrelated text is deleted and inserted, never word-edited."""

from __future__ import annotations

from pathlib import Path

import pytest

from policydocs.compare import pairing as align
from policydocs.compare import compare, parse_blocks
from policydocs.store import open_store

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def cross():
    store = open_store(ROOT / "policy_versions")
    old = store.resolve("privacy-policy@2021-02-11").body
    new = store.resolve("api-data-privacy@2023-07-21").body
    return old, new, compare(old, new)


def _paired(comparison):
    """Changes that link an old text with a new one."""
    return [c for c in comparison.changes if c.type == "move" or (c.old_text.strip() and c.new_text.strip())]


def _counterparts_of(comparison, old_words: str) -> list[str]:
    return [c.new_text for c in _paired(comparison) if old_words in c.old_text]


def test_how_long_we_store_it_is_paired_with_the_30_day_retention_paragraph(cross):
    _, _, comparison = cross
    [change] = [c for c in _paired(comparison) if "How long we store it" in c.old_text]
    assert "securely retain them for up to 30 days" in change.new_text
    assert "as long as is needed" in change.old_text
    assert change.type == "replace" and change.old_section != change.section
    assert "retains ownership" not in change.new_text


def test_who_can_see_it_is_paired_with_data_access(cross):
    _, _, comparison = cross
    [change] = [c for c in _paired(comparison) if "Who can see it" in c.old_text]
    assert change.new_text.startswith("Authorized OpenAI employees")
    assert change.section[-1] == "Data access"


def test_2021_training_uses_are_paired_with_2023_training_statements(cross):
    _, _, comparison = cross
    trained = [c for c in _paired(comparison) if "Train and refine" in c.old_text]
    assert len(trained) >= 2
    for change in trained:
        assert "train" in change.new_text.lower()
        assert change.section[-1] in {"Model usage and training", "Fine-tuning"}


def test_how_we_do_not_use_it_is_paired_with_a_statement_on_not_training(cross):
    _, _, comparison = cross
    [new_text] = _counterparts_of(comparison, "How we do *not* use it")
    assert "not used" in new_text and "train" in new_text


def test_no_pairing_below_the_edit_bar_unless_topic_counterparts(cross):
    old, new, comparison = cross
    paragraphs = [b.text for body in (old, new) for b in parse_blocks(body)[0]
                  if align.is_paragraph(b.kind, b.words)]
    scorer = align.TopicScorer.of(paragraphs)

    def topic(a: str, b: str) -> float:
        return scorer.score(paragraphs.index(a), paragraphs.index(b, paragraphs.index(a) + 1))

    for change in _paired(comparison):
        whole = change.old_text == change.old_context and change.new_text == change.new_context
        if whole and change.type == "replace":  # shown whole: must be about one subject
            assert (align.related(change.old_text, change.new_text)
                    or topic(change.old_text, change.new_text) >= align.COUNTERPART_MIN), change
        else:  # word-diffed or moved: the blocks must be the same clause
            bar = align.MOVE_MIN if change.type == "move" else align.EDIT_MIN
            assert align.word_similarity(change.old_context, change.new_context) >= bar, change


@pytest.mark.parametrize("old_words, new_words", [
    ("Modifications and updates to this privacy policy", "CCPA and other state privacy laws"),
    ("Service Providers", "Data licensed from third-party providers"),
    ("How we share your information", "Our models are not trained on"),
])
def test_unrelated_blocks_reported_in_the_issue_are_not_paired(cross, old_words, new_words):
    _, _, comparison = cross
    assert not [c for c in _paired(comparison)
                if old_words in c.old_context and new_words in c.new_context]


def test_cross_document_compare_rebuilds_both_texts(cross):
    old, new, comparison = cross
    assert comparison.old_body() == old
    assert comparison.new_body() == new


def test_unrelated_paragraphs_at_one_place_are_a_delete_and_an_insert():
    old = ("# Terms\n\n## Payment\n\nYou pay the monthly fee in advance by credit card.\n\n"
           "## Law\n\nThese terms are governed by the laws of Ireland.\n")
    new = old.replace("You pay the monthly fee in advance by credit card.",
                      "Our office is closed on public holidays in the summer.")
    comparison = compare(old, new)
    types = sorted(c.type for c in comparison.changes)
    assert types == ["delete", "insert"]
    [deleted] = [c for c in comparison.changes if c.type == "delete"]
    assert "You pay the monthly fee in advance by credit card." in deleted.old_text
    assert comparison.old_body() == old and comparison.new_body() == new


def test_same_clause_edited_at_one_place_is_still_a_word_edit():
    old = "# Terms\n\n## Retention\n\nWe keep your messages for 30 days after you delete them.\n"
    new = old.replace("30 days", "90 days")
    [change] = compare(old, new).changes
    assert (change.type, change.old_text, change.new_text) == ("replace", "30", "90")
