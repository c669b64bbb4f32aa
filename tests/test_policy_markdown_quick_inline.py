"""The policy renderer's quick inline step skips only patterns a text cannot match:
whatever the Markdown, it renders exactly what Python-Markdown's stock step renders."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from policydocs.site.text import INLINE_NEEDS, PolicyMarkdown

STOCK, QUICK = PolicyMarkdown(quick_inline=False), PolicyMarkdown()
ROOT = Path(__file__).resolve().parents[1]

# Pieces of every inline and block syntax the renderer knows, and near misses.
PIECES = st.sampled_from([
    "word", "two words", " ", "  ", "\n", "\n\n", "  \n", "\t", "*", "**", "***", "_", "__", " * ", "`",
    "``", "\\", "\\*", "\\`", "[", "]", "(", ")", "!", "![", "[^1]", "[^n]", "\n[^1]: a note\n",
    "[text](http://e.org)", "[text](javascript:x)", "![alt](i.png)", "[ref]", "[text][ref]",
    "\n[ref]: https://e.org \"t\"\n", "<", ">", "<http://e.org>", "<a@b.co>", "<b>", "&", "&amp;",
    "&#35;", "&#x41;", "&copy;", "&nbsp", "# ", "## ", "- ", "1. ", "> ", "    ", "|", "| a | b |\n|---|---|\n| 1 | 2 |\n",
    "---", "===", "é", "\u00a0", "\u2028", "\ue000\U000f0001", "\x02", "\x03", "klzzwxh:0",
])
MARKDOWN = st.one_of(st.lists(PIECES, max_size=40).map("".join),
                     st.text(alphabet=st.sampled_from("ab *_`\\[]()!<>&#;|-=:^\n\t@/."), max_size=120))


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(MARKDOWN)
def test_the_quick_inline_step_renders_exactly_what_the_stock_step_renders(text: str) -> None:
    assert QUICK.render(text) == STOCK.render(text)


def test_the_stored_policies_render_as_with_the_stock_inline_step() -> None:
    bodies = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "policy_versions").rglob("*.md"))]
    assert bodies
    assert [QUICK.render(b) for b in bodies] == [STOCK.render(b) for b in bodies]


def test_the_quick_step_is_used_only_while_it_knows_every_inline_pattern() -> None:
    assert type(QUICK._md.treeprocessors["inline"]).__name__ == "_QuickInline"
    assert type(STOCK._md.treeprocessors["inline"]).__name__ == "InlineProcessor"
    patterns = QUICK._md.inlinePatterns
    assert len(patterns) == len(INLINE_NEEDS) and all(name in patterns for name in INLINE_NEEDS)
