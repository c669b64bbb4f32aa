"""Plain text, as compare, materiality and the explanations read it: links as their
text, Markdown marks and URLs as spaces, quotes straight; and the fast reading is the
reading of the one-alternation definition on any text."""

from __future__ import annotations

import re

from hypothesis import given, settings, strategies as st

from policydocs.plaintext import _URL, _without_marks, plain

# the definitions: one alternation each, tried at every position
MARKS = re.compile(r"<br\s*/?>|[*_`>#|]|\\(?=[.\[\]()*_-])|^[ \t]*[-=]{3,}[ \t]*$", re.MULTILINE)
URLS = re.compile(r"https?://[^\s)\]]+|\bwww\.[^\s)\]]+|\bmailto:")

PIECES = list("ab w.m:/-=*_`>#|\\[]()<>br \t\n") + ["<br>", "<br />", "www.", "http://", "mailto:", "---", "é", "\u00a0"]
MARKDOWN_ALPHABET = st.lists(st.sampled_from(PIECES), max_size=40).map("".join)


def test_links_read_as_their_text_and_marks_as_spaces():
    assert plain("See **our** [Privacy Policy](https://x.test/p) or [help][h].") == "See our Privacy Policy or help."
    assert plain("| Data | Days |\n|---|---|\n| logs | 30 |") == "Data Days --- --- logs 30"
    assert plain("Line one<br/>line two \\- kept\n\n---\n") == "Line one line two - kept"
    assert plain("Visit www.example.com or mailto:a@b.c, not awww.example.com") == \
        "Visit or a@b.c, not awww.example.com"


def test_a_fragment_cut_inside_a_link_reads_as_text():
    assert plain("on our [Bug Bounty") == "on our Bug Bounty"
    assert plain("Program page](https://bugcrowd.com/openai).") == "Program page."
    assert plain("Please get in touch][support] and") == "Please get in touch and"


@settings(max_examples=400, deadline=None)
@given(MARKDOWN_ALPHABET)
def test_marks_read_as_one_alternation_would(text):
    assert _without_marks(text) == MARKS.sub(" ", text)


@settings(max_examples=400, deadline=None)
@given(MARKDOWN_ALPHABET)
def test_urls_read_as_one_alternation_would(text):
    assert _URL.sub(" ", text) == URLS.sub(" ", text)
