"""The compare engine on small, real-looking policy texts: what a reviewer sees."""

from __future__ import annotations

import re

from hypothesis import given, settings, strategies as st

from policydocs.compare import compare
from policydocs.evaluate import load_cases

POLICY = """# Privacy Policy

## Data we collect

We collect your name, email address and payment details when you create an account.

## Retention

We keep your data for 30 days after you close your account.

## Sharing

We share data with service providers who help us run the service.
"""


def _changes(c, **want):
    return [ch for ch in c.changes if all(getattr(ch, k) == v for k, v in want.items())]


def _rebuilds(c, old, new):
    assert c.old_body() == old and c.new_body() == new


def test_identical_inputs_have_no_changes():
    c = compare(POLICY, POLICY)
    assert c.identical and c.changes == () and c.new_body() == POLICY


def test_word_edit_is_a_content_change_in_its_section():
    new = POLICY.replace("30 days", "90 days")
    c = compare(POLICY, new)
    [change] = c.changes
    assert (change.kind, change.old_text, change.new_text) == ("content", "30", "90")
    assert change.section == ("Privacy Policy", "Retention")
    _rebuilds(c, POLICY, new)


def test_moved_paragraph_is_reported_as_move():
    sharing = "## Sharing\n\nWe share data with service providers who help us run the service.\n"
    new = POLICY.replace(sharing, "").replace("## Retention", sharing + "\n## Retention")
    c = compare(POLICY, new)
    moves = _changes(c, type="move")
    assert moves and all(m.move for m in moves)
    assert not _changes(c, type="insert") and not _changes(c, type="delete")
    for m in moves:
        ends = {s.op for s in c.segments if s.move == m.move}
        assert ends == {"delete", "insert"}
    _rebuilds(c, POLICY, new)


def test_moved_and_edited_paragraph_keeps_its_edits_as_own_changes():
    para = "We share data with service providers who help us run the service.\n"
    new = POLICY.replace(para, "").replace(
        "## Data we collect\n\n", "## Data we collect\n\n" + para.replace("service providers", "advertisers") + "\n")
    c = compare(POLICY, new)
    [move] = _changes(c, type="move")
    assert move.old_section == ("Privacy Policy", "Sharing") and move.section == ("Privacy Policy", "Data we collect")
    edits = [ch for ch in c.changes if ch.move == move.move and ch.type != "move"]
    assert any("advertisers" in e.new_text for e in edits)
    _rebuilds(c, POLICY, new)


def test_reflowed_paragraph_is_editorial_whitespace():
    new = POLICY.replace("email address and payment", "email address\nand payment")
    c = compare(POLICY, new)
    assert [(ch.kind, ch.editorial) for ch in c.changes] == [("editorial", "whitespace")]


def test_inserting_a_list_item_renumbers_the_rest_editorially():
    old = "# Steps\n\n" + "".join(f"{i}. Step about topic {i} of the list.\n" for i in range(1, 40))
    new = "# Steps\n\n1. A new first step.\n" + "".join(
        f"{i + 1}. Step about topic {i} of the list.\n" for i in range(1, 40))
    c = compare(old, new)
    content = _changes(c, kind="content")
    assert len(content) == 1 and "A new first step" in content[0].new_text
    assert {ch.editorial for ch in _changes(c, kind="editorial")} == {"renumbering"}
    _rebuilds(c, old, new)


def test_link_target_only_change_is_editorial_link():
    old = "See [our policy](https://example.com/old-policy) for details.\n"
    new = "See [our policy](https://example.com/policies/new) for details.\n"
    c = compare(old, new)
    assert {(ch.kind, ch.editorial) for ch in c.changes} == {("editorial", "link")}


def test_a_link_added_to_a_list_is_one_change_holding_the_whole_link():
    # Legalmattic's Terms (am-0174): UPS added before USPS; the word diff could equally
    # cut "UPS](https://www.ups.com/), [" — a change starting inside a link's markup
    old = "from certain mailing services, such as [USPS](https://www.usps.com/) and [Canada Post](https://www.canadapost.ca/).\n"
    new = ("from certain mailing services, such as [UPS](https://www.ups.com/), [USPS](https://www.usps.com/),"
           " and [Canada Post](https://www.canadapost.ca/).\n")
    c = compare(old, new)
    content = _changes(c, kind="content")
    assert [ch.new_text for ch in content] == ["[UPS](https://www.ups.com/), "]
    _rebuilds(c, old, new)


def test_a_link_with_no_text_or_a_link_taken_off_the_same_words_is_editorial():
    # Grok's Brand Guidelines: an empty mailto link put before the address a reader sees
    old = "For questions, please contact us at [legal@x.ai](mailto:legal@x.ai).\n"
    new = "For questions, please contact us at [](mailto:legal@x.ai)[legal@x.ai](mailto:legal@x.ai).\n"
    c = compare(old, new)
    assert [(ch.kind, ch.editorial, ch.new_text) for ch in c.changes] == [
        ("editorial", "link", "[](mailto:legal@x.ai)")]
    unlinked = compare("Cookies set by [Cloudflare](https://www.cloudflare.com/privacypolicy/) help.\n",
                       "Cookies set by Cloudflare help.\n")
    assert {(ch.kind, ch.editorial) for ch in unlinked.changes} == {("editorial", "link")}
    renamed = compare("Cookies set by [Cloudflare](https://www.cloudflare.com/privacypolicy/) help.\n",
                      "Cookies set by Akamai help.\n")
    assert {ch.kind for ch in renamed.changes} == {"content"}


def test_numbers_moved_into_headings_and_items_reindented_read_the_same_so_are_editorial():
    # Legalmattic's Polldaddy terms (am-0114): "1.  ### Ownership" became "### 1. Ownership",
    # the items re-indented under the headings; a reader reads the same words in the same order
    old = ("1.  ### Ownership of the Materials\n    \n    All right, title and interest in the Materials"
           " belong to Polldaddy.\n    \n2.  ### Payment and Renewal\n    \n    *   **12.2.** Upgrades can be"
           " canceled at any time in the account page.\n        \n    *   **12.3.** Polldaddy will have no"
           " obligation to provide a refund of upgrade fees.\n        \n")
    new = ("### 1. Ownership of the Materials\n\nAll right, title and interest in the Materials belong to"
           " Polldaddy.\n\n### 2. Payment and Renewal\n    \n   *   **12.2.** Upgrades can be canceled at any"
           " time in the account page.\n   \n   *   **12.3.** Polldaddy will have no obligation to provide a"
           " refund of upgrade fees.\n        \n")
    c = compare(old, new)
    assert c.changes and {ch.kind for ch in c.changes} == {"editorial"}
    assert any(ch.old_text == "1.  " and ch.editorial == "markdown" for ch in c.changes)
    _rebuilds(c, old, new)


def test_a_word_moved_past_other_words_or_to_another_table_column_is_content():
    moved = compare("We will not share your data, and\n\nwe may sell it.\n",
                    "We will share your data, and\n\nwe may not sell it.\n")
    assert [(ch.kind, ch.old_text, ch.new_text) for ch in moved.changes] == [
        ("content", "not ", ""), ("content", "", "not ")]
    table = "| Data | Sold | Shared |\n|---|---|---|\n| Email | Yes | |\n"
    column = compare(table, table.replace("| Yes | |", "| | Yes |"))
    assert column.changes and {ch.kind for ch in column.changes} == {"content"}


def test_a_list_item_that_grew_a_sentence_keeps_its_kept_sentences_kept():
    # Basecamp's terms (labelled case bc-0076): item 2 reworded one sentence and gained an
    # export paragraph; it was shown as the whole item deleted and inserted, its retention
    # periods included, because the grown item is too unlike in length to be aligned
    [case] = [c for c in load_cases() if c.id == "bc-0076"]
    keep = "Within 60 days, all content will be permanently deleted from our backups."
    assert keep in case.old and keep in case.new
    result = compare(case.old, case.new)
    assert not any(keep in c.old_text or keep in c.new_text for c in result.changes)
    assert ("Service", "Services") in [(c.old_text, c.new_text) for c in result.changes]
    assert any(c.new_text.strip().startswith("If you want to export") for c in result.changes)
    assert result.old_body() == case.old and result.new_body() == case.new


def test_a_block_replaced_by_one_on_another_subject_is_still_shown_whole():
    old = "## Retention\n\nWe keep logs for 30 days and delete them after that.\n"
    new = "## Retention\n\nOur offices are closed on public holidays in Ireland and France.\n"
    result = compare(old, new)
    assert [c.type for c in result.changes if c.kind == "content"] in (["replace"], ["delete", "insert"])
    assert all(len(c.old_text) > 40 or len(c.new_text) > 40 for c in result.changes if c.kind == "content")


def test_punctuation_only_change_is_editorial():
    new = POLICY.replace("after you close your account.", "after you close your account;")
    c = compare(POLICY, new)
    assert [(ch.kind, ch.editorial) for ch in c.changes] == [("editorial", "punctuation")]


def test_case_quotes_and_list_markers_are_editorial():
    old = "- We do not sell \"your data\".\n- Contact Us.\n"
    new = "* We do not sell “your data”.\n* Contact us.\n"
    c = compare(old, new)
    assert c.changes and {ch.kind for ch in c.changes} == {"editorial"}
    assert {ch.editorial for ch in c.changes} >= {"quotes", "case", "markdown"}


def test_common_words_do_not_stitch_unrelated_sentences():
    old = "The company and the user agree to the terms of the contract.\n"
    new = "Refunds are given in the first month and then the fee is due.\n"
    c = compare(old, new)
    kept = "".join(s.text for s in c.segments if s.op == "equal")
    assert "the" not in kept.split() and "and" not in kept.split()


def test_split_paragraph_is_aligned_with_both_halves():
    old = "# T\n\nWe collect your name and email when you sign up. We use them to run your account and to contact you.\n"
    new = "# T\n\nWe collect your name and email when you sign up.\n\nWe use them to run your account and to contact you.\n"
    c = compare(old, new)
    assert all(ch.kind == "editorial" or not ch.new_text.strip(" \n") for ch in c.changes), c.changes
    _rebuilds(c, old, new)


def test_empty_against_text_is_all_inserted():
    c = compare("", POLICY)
    assert {ch.type for ch in c.changes} == {"insert"} and c.stats.inserted_words == c.stats.new_words
    _rebuilds(c, "", POLICY)


def test_changes_say_what_kind_of_block_they_sit_in():
    old = "# T\n\n| Name | Days |\n|---|---|\n| Logs | 30 |\n\n- We keep logs.\n"
    new = "# T\n\n| Name | Period |\n|---|---|\n| Logs | 90 |\n\n- We keep logs.\n- We keep mail.\n\n## Contact\n"
    kinds = {(ch.old_text, ch.new_text): (ch.old_block_kind, ch.new_block_kind) for ch in compare(old, new).changes}
    assert kinds[("Days", "Period")] == ("table_header", "table_header")
    assert kinds[("30", "90")] == ("table_row", "table_row")
    assert kinds[("", "- We keep mail.\n\n")] == ("", "list_item")
    assert kinds[("", "## Contact\n")] == ("", "heading")


PIECES = st.sampled_from([
    "# Title\n", "## Retention\n", "\n", "We keep data for 30 days.", " ", "\n\n", "1. First item\n",
    "2. Second\n", "- bullet\n", "* star\n", "[link](https://x.example/a)", "Ünïcödé — “quoted” ", "\r\n",
    "```\ncode here\n```\n", "| a | b |\n|---|---|\n| 1 | 2 |\n", "> quote\n", "the and of ", "\t", "ß∑😀",
    "   indented\n", "Paragraph with several words in it.\n\n",
])
TEXTS = st.lists(st.one_of(PIECES, st.text(max_size=12)), max_size=30).map("".join)


@settings(max_examples=300, deadline=None)
@given(TEXTS, TEXTS)
def test_segments_rebuild_any_two_texts_exactly(old, new):
    c = compare(old, new)
    _rebuilds(c, old, new)
    ids = {ch.id for ch in c.changes}
    assert all(s.change in ids for s in c.segments if s.op != "equal")


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(POLICY.split("\n\n")), min_size=1, max_size=12),
       st.randoms(use_true_random=False))
def test_segments_rebuild_after_random_moves_and_edits(blocks, rnd):
    old = "\n\n".join(blocks)
    moved = list(blocks)
    rnd.shuffle(moved)
    new = "\n\n".join(b.replace("data", rnd.choice(["Data", "information", "data,"])) for b in moved)
    _rebuilds(compare(old, new), old, new)


@settings(max_examples=200, deadline=None)
@given(TEXTS, TEXTS)
def test_word_counts_are_the_words_of_each_body(old, new):
    c = compare(old, new)
    words = re.compile(r"\w+")  # the documented definition: runs of letters and digits
    assert (c.stats.old_words, c.stats.new_words) == (len(words.findall(old)), len(words.findall(new)))
    again = compare(new, old)  # the second comparison of a body may reuse its count
    assert (again.stats.old_words, again.stats.new_words) == (len(words.findall(new)), len(words.findall(old)))
