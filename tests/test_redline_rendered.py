"""The rendered redline shows the documents as a reader sees them: no Markdown syntax,
insertions and deletions inside the rendered text, and — rendering only — removing
the deletions gives exactly the new document's text (removing nothing, the old side
gives the old document's)."""

from __future__ import annotations

import random
import re

from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import html as lxml_html

from conftest import STORE
from policydocs.compare import compare
from policydocs.comparisons import compare_versions
from policydocs.materiality import load_rules
from policydocs.site.redline_view import redline_views, render_side, rendered_inline
from policydocs.site.text import render_policy_body
from policydocs.store import open_store

MARKDOWN_SYNTAX = ("##", "**", "](", "|---", "[^")


def text_of(fragment: str, drop: str | None = None) -> str:
    """The visible text of an HTML fragment (without ``drop`` elements), whitespace collapsed."""
    root = lxml_html.fromstring(f"<div>{fragment}</div>")
    if drop:
        for el in root.xpath(f"//{drop}"):
            el.drop_tree()
    for el in root.xpath("//a[contains(@class, 'pd-move-link')]"):
        el.drop_tree()
    return " ".join(root.text_content().split())


def seed_comparison():
    store = open_store(STORE)
    return compare_versions(store.resolve("privacy-policy@2021-02-11"),
                            store.resolve("api-data-privacy@2023-07-21"), load_rules(store)), store


def test_the_2021_to_2023_redline_shows_no_markdown_syntax() -> None:
    comparison, _ = seed_comparison()
    inline = text_of(rendered_inline(comparison))
    old_side = text_of(render_side(comparison.segments, {c.id: c for c in comparison.changes}, "old", anchor=False))
    for shown in (inline, old_side):
        assert [s for s in MARKDOWN_SYNTAX if s in shown] == []
        assert not re.search(r"(^|\s)- \w", shown)  # no list markers left as text


def test_every_material_change_is_anchored_once_in_the_rendered_view() -> None:
    comparison, _ = seed_comparison()
    ids = re.findall(r'\sid="(c\d+)"', rendered_inline(comparison))
    assert len(ids) == len(set(ids))
    assert {c.id for c in comparison.changes if c.material} <= set(ids)  # the list's links land


def test_removing_the_deletions_gives_the_new_document_and_the_old_side_is_the_old() -> None:
    comparison, store = seed_comparison()
    old, new = store.resolve("privacy-policy@2021-02-11"), store.resolve("api-data-privacy@2023-07-21")
    assert text_of(rendered_inline(comparison), drop="del") == text_of(render_policy_body(new.body))
    by_id = {c.id: c for c in comparison.changes}
    assert text_of(render_side(comparison.segments, by_id, "old", anchor=False)) == \
        text_of(render_policy_body(old.body))


def test_edits_inside_formatting_are_marked_inside_the_rendered_elements() -> None:
    old = ("# Terms\n\n## Data\n\nWe keep **your data** for 30 days. See [Terms](https://x.org/t).\n\n"
           "* one\n* two\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\nA paragraph that goes away.\n\nLast.\n")
    new = ("# Terms\n\n## Data kept\n\nWe keep **your data** for 90 days. See [Terms of Use](https://x.org/u).\n\n"
           "- one\n- two\n- three\n\n| a | b |\n|---|---|\n| 1 | 3 |\n\nLast.\n")
    inline = rendered_inline(compare(old, new))
    root = lxml_html.fromstring(f"<div>{inline}</div>")
    assert root.xpath("string(//h2/ins)").strip() == "kept"
    assert root.xpath("string(//p/del)") == "30" and root.xpath("string(//p/ins[1])") == "90"
    assert root.xpath("string(//a/ins)").strip() == "of Use"
    assert [li.text_content() for li in root.xpath("//ul/li")] == ["one", "two", "three"]
    assert root.xpath("string(//li/ins)") == "three"
    assert root.xpath("string(//td/ins)") == "3" and root.xpath("string(//td/del)") == "2"
    assert "goes away" in root.xpath("string(//div[@class='pd-del-block']/del)")
    # "*" → "-" bullets and the link target render the same: nothing is struck or inserted
    assert not root.xpath("//ins[normalize-space()='-'] | //del[normalize-space()='*']")


def test_a_footnote_renders_as_a_footnote() -> None:
    html = render_policy_body("Only API customers[^1] have accounts.\n\n[^1]: Others do not.\n")
    root = lxml_html.fromstring(f"<div>{html}</div>")
    assert root.xpath("//sup//a") and "Others do not." in root.xpath("string(//div[@class='footnote'])")
    assert "[^1]" not in root.text_content()


WORDS = st.lists(st.sampled_from(["data", "**bold**", "[link](https://e.org)", "30", "days", "we", "keep",
                                  "*you*", "not", "share"]), min_size=1, max_size=8)


@settings(max_examples=40, deadline=None, derandomize=True)
@given(seed=st.integers(0, 10_000), extra=WORDS)
def test_any_edit_of_real_policy_markdown_renders_both_texts_exactly(seed: int, extra: list[str]) -> None:
    """Random word edits of the real 2021 policy: the rendered views rebuild both texts."""
    _, store = seed_comparison()
    body = store.resolve("privacy-policy@2021-02-11").body
    words = body.split(" ")
    rng = random.Random(seed)
    for _ in range(3):
        at = rng.randrange(len(words))
        words[at:at + rng.randrange(3)] = extra
    edited = " ".join(words)
    comparison = compare(body, edited)
    by_id = {c.id: c for c in comparison.changes}
    assert text_of(rendered_inline(comparison), drop="del") == text_of(render_policy_body(edited))
    assert text_of(render_side(comparison.segments, by_id, "old", anchor=False)) == \
        text_of(render_policy_body(body))


def test_the_page_carries_the_redline_once_the_side_by_side_view_is_built_from_it() -> None:
    comparison, _ = seed_comparison()
    views = redline_views(comparison)
    inline = rendered_inline(comparison)
    assert 'data-pd-build="inline"' in views and "pd-side pd-old" not in views  # built in the browser
    assert views.count('data-pd-view="inline"') == 1
    listed = views[views.index('<section class="pd-changes">'):]
    assert len(views) - len(listed) < 1.2 * len(inline)  # one redline, then the list of changes
    assert "## " not in listed and "**" not in listed  # the list quotes words, not Markdown


def test_a_quoted_change_marks_where_a_heading_ends_and_its_paragraph_starts():
    from policydocs.site.redline_view import plain_change

    old = "# Policy\n\nIntro text stays.\n\n"
    new = old + "## About us\n\nWe at Example build tools.\n\n"
    (change,) = [c for c in compare(old, new).changes if c.new_text.strip()]
    shown = plain_change(change)
    assert "About us ¶ We at Example build tools." in shown
    assert "us We at" not in shown
