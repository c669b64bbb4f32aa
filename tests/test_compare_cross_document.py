"""Comparing two different documents on one subject: the 2021 API Privacy Policy
against the 2023 "API data privacy" page (the first question the site must answer)."""

from __future__ import annotations

from pathlib import Path

import bs4
import markdownify
import pytest

from conftest import seed
from policydocs.compare import compare

FIXTURES = Path(__file__).parent / "fixtures"


def privacy_policy_2021_markdown() -> str:
    """A rough Markdown version of seed 001 (the HTML page): the article only."""
    soup = bs4.BeautifulSoup(seed("001").read_text("utf-8"), "lxml")
    for tag in soup(["script", "style", "nav", "footer", "header"]):
        tag.decompose()
    root = soup.find("main") or soup.body
    return markdownify.markdownify(str(root), heading_style="ATX").strip() + "\n"


@pytest.fixture(scope="module")
def cross():
    old = privacy_policy_2021_markdown()
    new = (FIXTURES / "api-data-privacy-2023-07-21.md").read_text("utf-8")
    return old, new, compare(old, new)


def _pairs(comparison):
    """(old section, new section, old text, new text) for changes that align two blocks."""
    return [(c.old_section, c.section, c.old_text, c.new_text) for c in comparison.changes
            if c.type == "move" or (c.old_text.strip() and c.new_text.strip())]


@pytest.mark.parametrize("old_words, new_sections", [
    ("Who can see it", {"Data access"}),
    ("How we may use it", {"Model usage and training"}),
    ("How we do *not* use it", {"Model usage and training", "Fine-tuning"}),
])
def test_api_data_sections_align_with_their_2023_counterparts(cross, old_words, new_sections):
    old, new, comparison = cross
    hits = [p for p in _pairs(comparison) if old_words in p[2] and set(p[1]) & new_sections]
    assert hits, f"the 2021 text with {old_words!r} is not aligned with the 2023 sections {new_sections}"


def test_cross_document_compare_rebuilds_both_texts(cross):
    old, new, comparison = cross
    assert comparison.old_body() == old
    assert comparison.new_body() == new
