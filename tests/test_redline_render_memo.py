"""The rendering memos: what a build renders again (the same marked text for each older
version against the latest, the same block quoted for each of its changes, the same
link in every version) is rendered or checked once, and forgetting the memos changes
no HTML."""

from __future__ import annotations

from policydocs import memo
from policydocs.compare import compare
from policydocs.site.redline_view import plain_change, redline_views, rendered_inline
from policydocs.site.text import render_policy_body

OLDER = ["# Terms\n\nWe keep data for 30 days.\n", "# Terms\n\nWe keep data for 45 days.\n"]
LATEST = "# Terms\n\nWe keep data for 60 days.\n"


def test_older_versions_against_the_latest_render_the_marked_text_once():
    memo.forget_all()
    first, second = (rendered_inline(compare(old, LATEST)) for old in OLDER)
    hits, misses, _ = memo.statistics()["site: rendered redlines"]
    assert (hits, misses) == (1, 1)
    assert ">30</del>" in first and ">45</del>" in second  # each shows its own deletion


def test_a_block_quoted_for_each_of_its_changes_is_rendered_once():
    comparison = compare("We keep data for 30 days and share it with partners.\n",
                         "We keep logs for 30 days and sell it to partners.\n")
    assert len(comparison.changes) >= 2
    memo.forget_all()
    for change in comparison.changes:
        plain_change(change)
    hits, misses, _ = memo.statistics()["site: plain runs"]
    assert misses == 2  # the old block and the new block
    assert hits == 2 * len(comparison.changes) - 2


def test_forgetting_the_rendering_memos_changes_no_html():
    comparisons = [compare(old, LATEST) for old in OLDER]
    first = [redline_views(c) for c in comparisons]
    memo.forget_all()
    assert [redline_views(c) for c in comparisons] == first


def test_a_link_in_every_version_is_checked_once():
    memo.forget_all()
    for days in (30, 45, 60):
        html = render_policy_body(f"We keep data for {days} days ([why](https://e.org/why), "
                                  "[not](javascript:alert(1))).\n")
        assert 'href="https://e.org/why"' in html and "javascript:" not in html.split("title=")[0]
    hits, misses, _ = memo.statistics()["site: safe links"]
    assert (hits, misses) == (4, 2)
