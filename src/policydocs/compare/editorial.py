"""Stage 5, editorial: is a change editorial (and why) or content?

A change is editorial when it changes no words a reader would read differently:
whitespace (reflow), case, quotes (straight vs curly), punctuation, Markdown
(list markers, emphasis), a link target only, or renumbering. Links and numbering
are recognised by where the change sits in its block, not only by what it is.
"""

from __future__ import annotations

import re

from policydocs.compare.model import ChangeKind
from policydocs.memo import memoised
from policydocs.plaintext import link_texts, words

_QUOTES = str.maketrans({"‘": "'", "’": "'", "‚": "'", "′": "'", "“": '"', "”": '"', "„": '"',
                         "″": '"', "«": '"', "»": '"'})
_MARKDOWN_CHARS = frozenset("*_#>`\\[]|~")
# a link's target, its title included; a space inside is kept (Jekyll sites link "/a file v2.pdf")
_LINK_TARGET_RE = re.compile(r"\]\((?:[^()\n]|\([^()\n]*\))*\)|<https?://[^>\s]*>")
_LIST_MARKER_RE = re.compile(r"^[ \t>]*(?:[-*+]|\d+[.)])[ \t]+")
_NUMBERING_RE = re.compile(r"^[ \t>#*+\-]*\[?(?:\d+(?:\\?[.)]\d+)*\\?[.)]?)")
_DIGIT_RE = re.compile(r"\d")
_CELL_WORD_RE = re.compile(r"\w+|\|")


@memoised("compare: link spans", 4)
def _link_spans(block: str) -> list[tuple[int, int]]:
    """Where link targets sit in a block: found once per block, not once per change in it."""
    return [m.span() for m in _LINK_TARGET_RE.finditer(block)]


def _within(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    return any(a <= start and end <= b for a, b in spans)


def _cells(text: str) -> list[str]:
    """Words and table-cell boundaries in order: "Yes |" → "| Yes" moves a word to another column."""
    return _CELL_WORD_RE.findall(text.lower()) if "|" in text else []


def classify(old: str, new: str, old_block: str, new_block: str,
             old_at: tuple[int, int], new_at: tuple[int, int]) -> str | None:
    """The editorial category of a change, or None when it changes content.

    ``old_at``/``new_at`` are the change's character spans in its blocks (links
    and numbering are recognised by where the change sits, not only by what it is).
    """
    if old.split() == new.split():
        return "whitespace"
    if old.casefold() == new.casefold():
        return "case"
    if old.translate(_QUOTES) == new.translate(_QUOTES):
        return "quotes"
    old_links, new_links = _link_spans(old_block), _link_spans(new_block)
    in_old = _within(old_links, *old_at) if old else None
    in_new = _within(new_links, *new_at) if new else None
    if (in_old or in_new) and in_old is not False and in_new is not False:
        return "link"
    old_num, new_num = _NUMBERING_RE.match(old_block), _NUMBERING_RE.match(new_block)
    if (old_num and new_num and old_at[1] <= old_num.end() and new_at[1] <= new_num.end()
            and _DIGIT_RE.search(old + new)):
        return "renumbering"
    old_marker, new_marker = _LIST_MARKER_RE.match(old_block), _LIST_MARKER_RE.match(new_block)
    if (old_marker and new_marker and old_at[1] <= old_marker.end() and new_at[1] <= new_marker.end()
            and not words(old + new)):
        return "markdown"
    if "](" in old + new and words(link_texts(old)) == words(link_texts(new)):
        return "link"  # a link put around the same words, taken off them, or with no text at all
    changed = set(old) | set(new)
    if changed <= _MARKDOWN_CHARS | {" ", "\t", "\n", "\r"}:
        return "markdown"
    old_words = words(old)
    if old_words == words(new) and (not old_words or _cells(old) == _cells(new)):
        return "punctuation"
    return None


def whole_blocks_kind(old: str, new: str) -> tuple[ChangeKind, str | None]:
    """The kind of whole blocks deleted or inserted: editorial when only blank lines."""
    return ("editorial", "whitespace") if not (old + new).strip() else ("content", None)
