"""The compare engine on long documents of hard shapes: every row and move still found
(bench/size_curves.py measures their time; these tests assert only what is reported)."""

from __future__ import annotations

import random

from hypothesis import given, settings, strategies as st

from policydocs.compare import compare, seqdiff
from policydocs.compare.windows import _line_ops

WORDS = [f"{a}{b}" for a in ("da", "ta", "pro", "ces", "con", "sent", "re", "ten") for b in
         ("tion", "ser", "vice", "pri", "va", "cy", "per", "so", "nal", "for", "ma", "count")]


def _rebuilt(c, side: str) -> str:
    return "".join(s.text for s in c.segments if s.op in ("equal", side))


def test_a_long_table_with_every_row_edited_pairs_every_row():
    rnd = random.Random(7)
    rows = [[rnd.choice(WORDS) for _ in range(9)] for _ in range(2100)]
    edited = [[*r[:4], f"new{k}", *r[5:]] for k, r in enumerate(rows)]

    def table(rs):
        return "| a | b | c |\n|---|---|---|\n" + "".join(
            f"| {' '.join(r[:3])} | {' '.join(r[3:6])} | {' '.join(r[6:])} |\n" for r in rs)

    old, new = table(rows), table(edited)
    c = compare(old, new)
    assert _rebuilt(c, "delete") == old and _rebuilt(c, "insert") == new
    assert len(c.changes) == 2100  # one word edit per row, each row paired with its edit
    assert all(ch.type == "replace" and ch.old_text.strip() == rows[k][4] and ch.new_text.strip() == f"new{k}"
               for k, ch in enumerate(c.changes))
    assert not any("not paired" in n for n in c.notes)


def test_a_shuffled_long_document_with_every_paragraph_edited_finds_every_move():
    rnd = random.Random(3)
    paras = [[rnd.choice(WORDS) for _ in range(rnd.randint(20, 40))] + [f"p{k}"] for k in range(1400)]
    order = list(range(len(paras)))
    rnd.shuffle(order)
    new_paras = [[*paras[k][:3], "edited", *paras[k][4:]] for k in order]
    old = "\n\n".join(map(" ".join, paras)) + "\n"
    new = "\n\n".join(map(" ".join, new_paras)) + "\n"
    c = compare(old, new)
    assert _rebuilt(c, "delete") == old and _rebuilt(c, "insert") == new
    moves = sum(1 for ch in c.changes if ch.type == "move")
    in_place = len(seqdiff.lis(order))
    assert moves == len(order) - in_place  # every paragraph out of the longest in-order run moved
    assert not any("not searched" in n for n in c.notes)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from("ABC\n"), max_size=12), st.lists(st.sampled_from("ABC\n"), max_size=12))
def test_the_trimmed_line_diff_is_diff_match_patchs_own(a, b):
    assert _line_ops(a, b) == seqdiff.item_ops(a, b) or a == b


def test_anchored_ops_rebuild_both_lists():
    rnd = random.Random(5)
    a = [str(rnd.randrange(50)) for _ in range(3000)]
    b = list(a)
    rnd.shuffle(b)
    ops = seqdiff.anchored_ops(a, b)
    assert sum(k for op, k in ops if op != 1) == len(a) and sum(k for op, k in ops if op != -1) == len(b)
    i = j = 0
    for op, k in ops:
        if op == 0:
            assert a[i:i + k] == b[j:j + k]
        i += k if op != 1 else 0
        j += k if op != -1 else 0


def test_one_endless_paragraph_with_scattered_edits_gets_each_edit_not_a_coarse_replace():
    rnd = random.Random(11)
    words = [rnd.choice(WORDS) for _ in range(30_000)]
    edited = [f"edit{k}" if k % 500 == 250 else w for k, w in enumerate(words)]
    old, new = " ".join(words) + "\n", " ".join(edited) + "\n"
    c = compare(old, new)
    assert _rebuilt(c, "delete") == old and _rebuilt(c, "insert") == new
    assert [(ch.old_text, ch.new_text) for ch in c.changes] == [(words[k], f"edit{k}") for k in range(250, 30_000, 500)]
    assert c.notes == ()


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(["#", " ", "\n", "a", "##", "\t", "\r", " #", "   #", "    #", "=", "-"]), max_size=20))
def test_heading_lines_found_from_hashes_are_the_line_scans(pieces):
    from policydocs.compare.windows import _ATX_LINE, _atx_lines, _line_starts

    text = "".join(pieces)
    assert [(p, m.end(), m.groups()) for p, m in _atx_lines(text)] == \
        [(p, m.end(), m.groups()) for p, m in _line_starts(_ATX_LINE, text)]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(["the", " ", "data", ",", "we", "\n", "you"]), min_size=30, max_size=120),
       st.lists(st.tuples(st.integers(0, 119), st.sampled_from(["the", " ", "keep", ",", "data"])), max_size=6),
       st.data())
def test_token_diff_with_margins_is_the_whole_lists_diff(a, edits, data):
    from policydocs.compare.words import _diff_tokens, _token_ops

    b = list(a)
    for at, token in edits:
        if data.draw(st.booleans()):
            b.insert(min(at, len(b)), token)
        elif b:
            del b[min(at, len(b) - 1)]
    whole = [(op, "".join(tokens)) for op, tokens in _token_ops(a, b)]
    assert _diff_tokens(a, b) == whole


def test_a_block_with_more_distinct_words_than_private_use_characters_compares():
    lines = "\n".join(f"line {k}." for k in range(150_000))  # 150,000 distinct words in one code block
    old, new = f"```\n{lines}\n```\n", f"```\n{lines.replace('line 5000.', 'line five.')}\n```\n"
    c = compare(old, new)
    assert [(ch.old_text, ch.new_text) for ch in c.changes] == [("5000", "five")]
