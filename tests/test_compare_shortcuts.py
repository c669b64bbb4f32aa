"""The compare engine's shortcuts (issue #10, whole histories at git's pace): each one
skips work without changing a result, shown here against the plain computation."""

from __future__ import annotations

import bisect
import re

from hypothesis import given, settings, strategies as st

from policydocs.compare import blocks, windows
from policydocs.compare.align import SIMILAR_DOCS, align_blocks
from policydocs.compare.assemble import Draft
from policydocs.compare.blocks import unescape
from policydocs.compare.windows import window_blocks
from policydocs.plaintext import count_words

PARAGRAPHS = ["# Terms", "We keep data for 30 days.", "We share data with partners.",
              "You may ask us to delete your account at any time.", "- one item\n- two items",
              "| a | b |\n|---|---|\n| 1 | 2 |", "Contact us by email.", "```\ncode here\n```",
              "Cookies help us remember you.", "## Changes"]
BODIES = st.lists(st.sampled_from(PARAGRAPHS), max_size=14).map("\n\n".join)


def _documents_differ_in_full(aligner) -> bool:
    """The share of old words matched one to one, every block counted (the definition)."""
    matched = sum(aligner.old[p.o0].words for p in aligner.chain if p.o1 == p.o0 + 1)
    total = sum(b.words for b in aligner.old) or 1
    return matched / total < SIMILAR_DOCS


@settings(max_examples=300, deadline=None)
@given(BODIES, BODIES)
def test_documents_differ_without_counting_stretches_is_the_full_count_verdict(old, new):
    aligner = align_blocks(*window_blocks(old, new))
    assert aligner._documents_differ() == _documents_differ_in_full(aligner)


@settings(max_examples=200, deadline=None)
@given(BODIES, BODIES)
def test_block_words_counted_on_demand_are_the_words_of_the_block(old, new):
    for block in (b for side in window_blocks(old, new) for b in side):
        if block.kind == "same":
            assert block.words == block.text.count(" ") + block.text.count("\n")
        else:
            assert block.words == count_words(block.text)


def test_adjacent_runs_of_one_op_and_change_merge_into_one_segment():
    draft = Draft()
    for op, text, change in [("equal", "a ", None), ("equal", "b ", None), ("delete", "c", "_1"),
                             ("delete", "d", "_1"), ("insert", "", "_1"), ("delete", "e", "_2"),
                             ("equal", "f", None)]:
        draft.emit(op, text, change)  # type: ignore[arg-type]
    assert [(s.op, s.text, s.change) for s in draft.segments] == [
        ("equal", "a b ", None), ("delete", "cd", "_1"), ("delete", "e", "_2"), ("equal", "f", None)]


_RS_DIFFERS_ANY_POSITION = re.compile(  # the pattern as first written: "^" tried at every position
    r"^[ \t>]*(?:[-*+]|\d{1,9}[.)])[ \t]*$"
    r"|^[ \t>]*\S[^\n]*\n[^\n]*\|[^\n]*\n[ \t>]*\|?[ \t]*:?-+:?[ \t]*(?:\|[^\n]*)?$", re.MULTILINE)
LINE_PIECES = st.sampled_from(["\n", " ", "\t", ">", "-", "*", "+", "1.", "12)", "|", ":", "---", "a", "text", "x|y"])


@settings(max_examples=500, deadline=None)
@given(st.lists(LINE_PIECES, max_size=25).map("".join))
def test_parser_disagreement_found_at_line_starts_as_at_every_position(text):
    assert blocks.rs_differs(text) == bool(_RS_DIFFERS_ANY_POSITION.search(text))


def test_topic_vectors_made_when_scored_give_the_cosine_over_all_texts():
    import math

    from policydocs.compare.pairing import CONCEPT_WEIGHT, TopicScorer, topic_terms, vocabulary

    texts = ["We keep your data for 30 days.", "Data is retained for thirty days, then deleted.",
             "We share data with partners.", "Cookies remember your choices.", "Partners receive data we share."]
    bags = [topic_terms(t, vocabulary()) for t in texts]
    df = {w: sum(w in bag for bag in bags) for bag in bags for w in bag}

    def unit(bag):
        vec = {w: (1 + math.log(tf)) * (math.log(6 / (df[w] + 1)) + 1) * (CONCEPT_WEIGHT if w.startswith("concept:") else 1)
               for w, tf in bag.items()}
        norm = math.sqrt(sum(v * v for v in vec.values())) or 1.0
        return {w: v / norm for w, v in vec.items()}

    scorer = TopicScorer(bags)
    for a, b in [(0, 1), (2, 4), (3, 0), (1, 0)]:
        va, vb = unit(bags[a]), unit(bags[b])
        assert math.isclose(scorer.score(a, b), sum(v * vb.get(w, 0.0) for w, v in va.items()), abs_tol=1e-12)


def _heading_lines_in_one_scan(text):
    """The heading lines of a whole body as first written: one scan, then one sort."""
    found = [(pos, len(m.group(1)), m.group(2) or "", m.end()) for pos, m in windows._atx_lines(text)]
    for pos, m in windows._line_starts(windows._SETEXT_LINE, text):
        line_start = text.rfind("\n", 0, max(pos - 1, 0)) + 1
        title = text[line_start:pos].strip()
        if title and line_start < pos:
            found.append((line_start, 1 if m.group(1)[0] == "=" else 2, title, m.end()))
    found.sort()
    return [(pos, level, raw, end, unescape(raw.strip())) for pos, level, raw, end in found]


HEADING_LINES = st.lists(st.sampled_from(["# Title", "## A", "### B \\*x\\*", "#nope", "   # three", "    # four",
                                          "Setext", "===", "---", "- item", "", "text", "## A ##", "```", "#"]),
                         max_size=20)


@settings(max_examples=500, deadline=None)
@given(HEADING_LINES, st.lists(st.integers(0, 20), max_size=5))
def test_headings_scanned_in_parts_are_those_of_one_scan(lines, cuts):
    text = "\n".join(lines)
    line_starts = [0] + [k + 1 for k, c in enumerate(text) if c == "\n"] + [len(text)]
    headings = windows._Headings(text)
    for cut in sorted(cuts):
        headings.through(line_starts[min(cut, len(line_starts) - 1)])
    headings.through(len(text))
    assert headings.found == _heading_lines_in_one_scan(text)
    assert headings.starts == [h[0] for h in headings.found]


def _fence_lines_in_one_search(text):
    """The fence lines of a whole body as first written: every line opening or closing fenced code."""
    return sorted(k for k in [0] + [k + 1 for k, c in enumerate(text) if c == "\n"]
                  if re.match(r" {0,3}(?:```|~~~)", text[k:]))


FENCE_LINES = st.lists(st.sampled_from(["```", "~~~", "   ```py", "    ```", "x ```", "text", "", "- ```", "``", "~~~~"]),
                       max_size=16)


@settings(max_examples=500, deadline=None)
@given(FENCE_LINES, st.randoms(use_true_random=False))
def test_fences_searched_as_far_as_asked_answer_as_one_search(lines, rnd):
    text = "\n".join(lines)
    line_starts = [0] + [k + 1 for k, c in enumerate(text) if c == "\n"] + [len(text)]
    fences, reference = windows._Fences(text), _fence_lines_in_one_search(text)
    for offset in rnd.sample(line_starts, len(line_starts)):  # asked in any order
        assert fences.holds(offset) == (bisect.bisect_left(reference, offset) % 2 == 1)
