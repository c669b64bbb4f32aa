"""Markdown → plain words: the one text normaliser of every stage.

Two steps, each used wherever a stage asks "what does this text say":

- `plain`: the text as read aloud: link texts without their targets, no Markdown
  marks (emphasis, headings, quotes, tables, list markers, rules), no bare URLs or
  footnote markers, straight quotes, single spaces.
- `words`: its words, case-folded: runs of letters, digits and underscores
  (``\\w+``), so "30 days," is two words and "," none. `count_words` counts them
  without making a list (whole bodies are counted).

Users: compare (block keys' words for similarity, the punctuation-only test),
pairing (similarity and topic terms), materiality (its rule words are `plain`
plus the rules' contractions), and ingest's duplicate test (`words` of the
`plain` text of each sentence).
"""

from __future__ import annotations

import codecs
import re

from policydocs.memo import memoised

_WORD_RE = re.compile(r"\w+", re.UNICODE)
LINK = re.compile(r"!?\[((?:\\.|[^\]\\])*)\]\([^)]*\)")
_LINK_TAIL = re.compile(r"\]\([^()\n]*\)")  # a link's end in a fragment cut after its "[": "Agreement](https://…)"
_REF_LINK = re.compile(r"!?\[((?:\\.|[^\]\\])*)\]\[[^\]\n]*\]")  # "[our help][help-owners]": a reference link
_REF_LINK_TAIL = re.compile(r"\]\[[^\]\n]*\]")  # its end in a fragment: "touch][support]"
_FOOTNOTE = re.compile(r"\\?\[\d+\\?\]|\[\^[\w-]+\]:?")
# "\bwww." as "w(?<!\ww)ww.": a pattern that opens with a letter is scanned for by its
# first characters (h, w, m) instead of being tried at every position
_URL = re.compile(r"https?://[^\s)\]]+|w(?<!\ww)ww\.[^\s)\]]+|m(?<!\wm)ailto:")
# Markdown marks read as spaces: a rule line ("---"), a line break tag, a backslash
# escape, then each of the characters below (in this order, as one alternation would)
_RULE_LINE = re.compile(r"^[ \t]*[-=]{3,}[ \t]*$", re.MULTILINE)
_LINE_BREAK_TAG = re.compile(r"<br\s*/?>")
_ESCAPE = re.compile(r"\\(?=[.\[\]()*_-])")
_MARK_CHARS = "*_`>#|"
_MARKER = r"[ \t]*(?:\d+\\?[.)]|[A-Za-z][.)]|[-*+•])[ \t]+"
_LIST_MARKER = re.compile(rf"^{_MARKER}", re.MULTILINE)
_LIST_MARKER_AT_START = re.compile(rf"\A{_MARKER}")  # one-line texts: only their start can hold one


def words(text: str) -> list[str]:
    """The words of ``text``, case-folded."""
    if text.isascii():  # the same words, folded in one call (non-ASCII folding can split a word)
        return _WORD_RE.findall(text.lower())
    return [w.casefold() for w in _WORD_RE.findall(text)]


def link_texts(text: str) -> str:
    """Each Markdown link or image as its text alone: ``[our policy](https://…)`` → ``our policy``."""
    return LINK.sub(r"\1", text)


def to_plain(text: str) -> str:
    """`plain`, not remembered: for callers that read many texts once (imports). A
    pattern whose fixed characters the text lacks is not run (long blocks rarely hold
    a link, a footnote or a URL); ``" ".join(text.split())`` is ``\\s+`` → " ", stripped."""
    if "](" in text:
        text = link_texts(text)
        if "](" in text:
            text = _LINK_TAIL.sub("", text)
    if "][" in text:
        text = _REF_LINK_TAIL.sub("", _REF_LINK.sub(r"\1", text))
    text = (_LIST_MARKER if "\n" in text else _LIST_MARKER_AT_START).sub(" ", text)
    if "[" in text:
        text = _FOOTNOTE.sub(" ", text)
        text = _without_unclosed_brackets(text)
    if "http" in text or "www." in text or "mailto:" in text:
        text = _URL.sub(" ", text)
    text = _without_marks(text)
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("\u201c", '"').replace("\u201d", '"')
    return " ".join(text.split())


def _without_marks(text: str) -> str:
    """Markdown marks as spaces. The same as one alternation of the patterns, but each
    runs only when its characters occur, and single marks go by `str.replace` (a
    regular expression tried at every position of a long block was a third of `plain`)."""
    if "--" in text or "==" in text or "-=" in text or "=-" in text:
        text = _RULE_LINE.sub(" ", text)
    if "<br" in text:
        text = _LINE_BREAK_TAG.sub(" ", text)
    if "\\" in text:
        text = _ESCAPE.sub(" ", text)
    for mark in _MARK_CHARS:
        if mark in text:
            text = text.replace(mark, " ")
    return text


def _without_unclosed_brackets(text: str) -> str:
    """A fragment cut inside a link's text keeps its "[" ("on our [Bug Bounty" of "on our
    [Bug Bounty](…) page"): a "[" after the text's last "]" opens nothing it holds."""
    last = text.rfind("]")
    tail = text[last + 1:]
    return text if "[" not in tail else text[:last + 1] + tail.replace("![", "").replace("[", "")


@memoised("plaintext: plain", 4096)
def plain(text: str) -> str:
    """Text as read aloud: link texts without targets, no Markdown marks, straight quotes.

    Remembered: every change of a block asks for the same (often long) block context;
    on the genai-eu corpus this takes ~40 % off `materiality.assess` for big comparisons."""
    return to_plain(text)


def count_words(text: str) -> int:
    """How many `words` ``text`` has, without a Python object per word: the text is
    encoded to one byte per character (a word character → "a", any other → " ";
    non-ASCII characters, rare in policies, go through `_word_mask`) and the word
    starts are counted in C."""
    mask = text.encode("ascii", _WORD_MASK).translate(_WORD_BYTES)
    return mask.count(b" a") + mask.startswith(b"a")


def _word_mask(error: UnicodeError) -> tuple[str, int]:
    """Encoding error handler: each non-ASCII character → "a" if ``\\w`` matches it, else " "."""
    if not isinstance(error, UnicodeEncodeError):
        raise error
    chunk = error.object[error.start:error.end]
    return "".join(["a" if c.isalnum() or c == "_" else " " for c in chunk]), error.end


_WORD_MASK = "policydocs.plaintext.word-mask"
codecs.register_error(_WORD_MASK, _word_mask)
_WORD_BYTES = bytes(ord("a") if chr(i).isalnum() or chr(i) == "_" else ord(" ") for i in range(128)) + b" " * 128
