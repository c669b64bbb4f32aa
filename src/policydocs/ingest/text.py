"""Plain-text captures → Markdown, recovering the structure a capture lost.

Two shapes of text arrive:

* **lined** text (paragraphs on their own lines): blank-line separated blocks
  (or one block per line when there is no blank line at all);
* **flattened** text, where every line break was lost and blocks run into each
  other ("Our commitmentAt OpenAI", "opt in.We strive"). Block boundaries are
  put back at glued joins — lower→upper case outside the camel-case words of
  ``data/ingest.yml``, sentence end→capital, digit→word, ``)``→capital, and
  ``(b)`` enumerators glued to text. The site navigation printed before and
  after the article bounds it: the article starts after the header's last
  "Search Submit" and the footer starts where text of the header repeats.

Then blocks are classified: a short block with no final punctuation followed by
more text is a heading (the first one is the title, ``#``); blocks after one
ending with ':' are list items until the next heading. A hints file
(`policydocs.ingest.hints`) corrects what no rule can know. Every repair is
counted in the returned report.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from policydocs.ingest.dates import StatedDate, find_stated_date
from policydocs.ingest.hints import Hints
from policydocs.ingest.vocab import Vocabulary, vocabulary

_TERMINAL = ".!?:;,"
_ENUMERATOR = re.compile(r"^\(?([a-z]|[ivx]+|\d+)\)\s")
_FOOTNOTE_MARK = re.compile(r"\[\^([\w-]+)\]")
_TABLE_TOKEN = "\x00TABLE{}\x00"
_LINK_TOKEN = "\x00LINK{}\x00"


@dataclass(frozen=True)
class TextArticle:
    title: str | None
    markdown: str
    stated: StatedDate | None
    repairs: Counter


def is_flattened(text: str) -> bool:
    """One very long line full of glued joins: the capture lost its line breaks."""
    longest = max(text.split("\n"), key=len)
    if len(longest) < 1500:
        return False
    joins = len(re.findall(r"[a-z][A-Z]|[.!?:][A-Z]", longest))
    return joins * 1000 / len(longest) >= 2


def text_to_article(text: str, hints: Hints) -> TextArticle:
    text = text.replace("\xa0", " ")
    if is_flattened(text):
        return _flattened(text, hints, vocabulary())
    return _lined(text, hints, vocabulary())


# --- flattened captures --------------------------------------------------------------


def _flattened(text: str, hints: Hints, vocab: Vocabulary) -> TextArticle:
    repairs: Counter = Counter()
    start = _article_start(text, vocab)
    header, article = text[:start], text[start:]
    end = _footer_start(header, article, vocab.footer_repeat_chars)
    if end < len(article):
        repairs["navigation and footer characters removed"] += len(text) - len(article[:end].strip())
    article = article[:end].strip()
    stated = find_stated_date(article)
    if stated:
        article = article[: stated.start] + "\n" + article[stated.end :]
    article = _repair_lone_a(article, repairs, vocab)
    article = _apply_hint_texts(article, hints, repairs)
    article = _drop_undefined_footnotes(article, repairs)
    article = _split_glued(article, vocab)
    segments = [s.strip() for s in article.split("\n") if s.strip()]
    segments = _split_trailing_headings(segments, hints, vocab)
    segments = _drop_repeats(segments, repairs)
    markdown, title = _render(segments, hints, vocab)
    return TextArticle(title=hints.title or title, markdown=markdown, stated=stated, repairs=repairs)


def _article_start(text: str, vocab: Vocabulary) -> int:
    head = text[: max(len(text) // 2, 1)]
    best = 0
    for phrase in vocab.header_end_phrases:
        at = head.rfind(phrase)
        if at != -1:
            best = max(best, at + len(phrase))
    return best


def _footer_start(header: str, article: str, width: int) -> int:
    """The first place in the article where ``width`` characters repeat the header."""
    header = re.sub(r"\s+", " ", header)
    if len(header) < width:
        return len(article)
    runs = {header[i : i + width] for i in range(len(header) - width + 1)}
    for i in range(len(article) - width + 1):
        if article[i : i + width] in runs:
            return i
    return len(article)


def _repair_lone_a(text: str, repairs: Counter, vocab: Vocabulary) -> str:
    """A lone 'â' is what is left of ’ “ ” – or — after lossy mojibake: decide by context."""
    suffixes = "|".join(vocab.contraction_suffixes)
    apostrophe = re.compile(rf"(?:{suffixes})(?![A-Za-z])")
    out, last, quote_open = [], 0, False
    for m in re.finditer("â+", text):
        before = text[m.start() - 1] if m.start() else " "
        after = text[m.end()] if m.end() < len(text) else " "
        if before.isalpha() and apostrophe.match(text, m.end()):
            repl, what = "’", "apostrophes restored from a lone 'â'"
        elif before == "s" and after == " ":
            repl, what = "’", "apostrophes restored from a lone 'â'"
        elif (before.isspace() or before in "(") and after.isalnum():
            repl, what, quote_open = "“", "quotes restored from a lone 'â'", True
        elif quote_open and before.isalnum() and (after.isspace() or after in ".,;:!?)"):
            repl, what, quote_open = "”", "quotes restored from a lone 'â'", False
        elif before.isdigit() and after.isdigit():
            repl, what = "–", "dashes restored from a lone 'â'"
        else:
            repl, what = "—", "dashes restored from a lone 'â'"
        repairs[what] += 1
        out.append(text[last : m.start()] + repl)
        last = m.end()
    out.append(text[last:])
    return "".join(out)


def _apply_hint_texts(text: str, hints: Hints, repairs: Counter) -> str:
    for start, end in hints.drop_spans:
        a = text.find(start)
        b = text.rfind(end)
        if a != -1 and b >= a:
            text = text[:a] + "\n" + text[b + len(end) :]
            repairs["page furniture dropped (hints)"] += 1
    for phrase in hints.drop:
        count = text.count(phrase)
        if count:
            text = text.replace(phrase, "\n")
            repairs["page furniture dropped (hints)"] += count
    for number, table in enumerate(hints.tables):
        if table.text in text:
            text = text.replace(table.text, "\n" + _TABLE_TOKEN.format(number) + "\n", 1)
            repairs["tables rebuilt (hints)"] += 1
    for number, (link_text, _url) in enumerate(hints.links):
        count = text.count(link_text)
        if count:
            text = text.replace(link_text, "\n" + _LINK_TOKEN.format(number) + "\n")
            repairs["call-to-action links kept (hints)"] += count
    for brk in hints.breaks:
        joined = brk.replace("|", "")
        text = text.replace(joined, brk.replace("|", "\n"))
    return text


def _drop_undefined_footnotes(text: str, repairs: Counter) -> str:
    defined = set(re.findall(r"(?m)^\[\^([\w-]+)\]:", text))

    def drop(m: re.Match[str]) -> str:
        at_line_start = m.start() == 0 or m.string[m.start() - 1] == "\n"
        if m.group(1) in defined or at_line_start:
            return m.group(0)
        repairs["footnote markers without a footnote dropped"] += 1
        return ""

    return _FOOTNOTE_MARK.sub(drop, text)


def _protected_positions(text: str, vocab: Vocabulary) -> set[int]:
    protected: set[int] = set()
    for word in vocab.camel_case_words:
        for m in re.finditer(re.escape(word), text):
            protected.update(range(m.start() + 1, m.end()))
    return protected


_GLUED = re.compile(
    r"(?<=[a-z])(?=[A-Z])"                      # headingParagraph
    r"|(?<=[a-z0-9)][.!?:])(?=[A-Z(])"          # sentence.Next, list:(a)
    r"|(?<=[0-9])(?=[A-Z][a-z])"                # 2023OpenAI
    r"|(?<=\))(?=[A-Z][a-z])"                   # (trained)Ownership
    r"|(?<=[a-z])(?=\([a-z]\) )"                # app(b) A robust
)


def _split_glued(text: str, vocab: Vocabulary) -> str:
    protected = _protected_positions(text, vocab)
    cuts = [m.start() for m in _GLUED.finditer(text)
            if m.start() not in protected and not _is_abbreviation(text, m.start())]
    pieces, last = [], 0
    for cut in cuts:
        pieces.append(text[last:cut])
        last = cut
    pieces.append(text[last:])
    return "\n".join(pieces)


def _is_abbreviation(text: str, cut: int) -> bool:
    """'U.S.', 'e.g.': a full stop after a single letter is not a sentence end."""
    return text[cut - 1] == "." and cut >= 2 and (cut < 3 or not text[cut - 3].isalpha())


def _split_trailing_headings(segments: list[str], hints: Hints, vocab: Vocabulary) -> list[str]:
    """'… via an API call. Model outputs' + 'The output …': the heading ran into the end."""
    out: list[str] = []
    for i, seg in enumerate(segments):
        m = re.match(r"^(.*[.!?])\s+([A-Z][^.!?:;]*)$", seg)
        tail = m.group(2) if m else None
        if tail and i + 1 < len(segments) and (
            tail in hints.heading_texts
            or (len(tail.split()) <= vocab.heading_max_words and tail[-1] not in _TERMINAL
                and tail not in hints.not_headings)
        ):
            out.extend([m.group(1), tail])
        else:
            out.append(seg)
    return out


def _drop_repeats(segments: list[str], repairs: Counter) -> list[str]:
    out: list[str] = []
    for seg in segments:
        if out and seg == out[-1] and len(seg.split()) > 3:
            repairs["repeated sentences removed"] += 1
            continue
        out.append(seg)
    return out


def _render(segments: list[str], hints: Hints, vocab: Vocabulary) -> tuple[str, str | None]:
    blocks: list[tuple[str, str]] = []  # (kind, markdown)
    title = None
    in_list = enumerated = False
    for i, seg in enumerate(segments):
        is_last = i == len(segments) - 1
        if seg.startswith("\x00TABLE"):
            number = int(seg.strip("\x00").removeprefix("TABLE"))
            blocks.append(("table", _table(hints.tables[number].rows)))
            in_list = False
            continue
        if seg.startswith("\x00LINK"):
            link_text, url = hints.links[int(seg.strip("\x00").removeprefix("LINK"))]
            blocks.append(("para", f"[{link_text}]({url})"))
            in_list = False
            continue
        level = hints.heading_level(seg)
        if level is None and _looks_like_heading(seg, is_last, hints, vocab):
            level = 1 if title is None and not blocks else 2
        if level is not None:
            if level == 1 and title is None:
                title = seg
            blocks.append(("heading", "#" * level + " " + seg))
            in_list = False
            continue
        item = any(seg.startswith(p) for p in hints.list_items)
        if in_list and enumerated and not _ENUMERATOR.match(seg):
            in_list = False
        if (in_list or item) and not seg.endswith(":"):
            blocks.append(("item", "- " + seg))
            continue
        blocks.append(("para", seg))
        in_list = seg.endswith(":")
        enumerated = in_list and i + 1 < len(segments) and bool(_ENUMERATOR.match(segments[i + 1]))
    parts: list[str] = []
    for n, (kind, md) in enumerate(blocks):
        if n and not (kind == "item" and blocks[n - 1][0] == "item"):
            parts.append("\n")
        parts.append(md + "\n")
    return "".join(parts), title


def _looks_like_heading(seg: str, is_last: bool, hints: Hints, vocab: Vocabulary) -> bool:
    if is_last or seg in hints.not_headings or any(seg.startswith(p) for p in hints.list_items):
        return False
    return (len(seg.split()) <= vocab.heading_max_words and seg[-1] not in _TERMINAL
            and not _ENUMERATOR.match(seg) and (seg[0].isupper() or seg[0].isdigit()))


def _table(rows: tuple[tuple[str, ...], ...]) -> str:
    def line(cells: tuple[str, ...]) -> str:
        return "| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |"

    head, *body = rows
    return "\n".join([line(head), "|" + "---|" * len(head), *(line(r) for r in body)])


# --- lined text ----------------------------------------------------------------------


def _lined(text: str, hints: Hints, vocab: Vocabulary) -> TextArticle:
    repairs: Counter = Counter()
    stated = find_stated_date(text)
    lines = [line.strip() for line in text.split("\n")]
    if any(not line for line in lines[1:-1]) and sum(1 for line in lines if not line) > 2:
        blocks = [" ".join(b.split()) for b in re.split(r"\n\s*\n", text)]
    else:
        blocks = lines
    blocks = _strip_navigation_runs([b for b in blocks if re.search(r"[^\W_]", b)], vocab, repairs)
    segments = []
    for block in blocks:
        if vocab.is_chrome(block) or block in hints.drop:
            repairs["site-chrome lines dropped"] += 1
            continue
        if stated and block.strip(" .").lower() == stated.phrase.lower():
            continue
        link = next((n for n, (text, _) in enumerate(hints.links) if text == block), None)
        if link is not None:
            repairs["call-to-action links kept (hints)"] += 1
        segments.append(block if link is None else _LINK_TOKEN.format(link))
    segments = _drop_repeats(segments, repairs)
    markdown, title = _render(segments, hints, vocab)
    return TextArticle(title=hints.title or title, markdown=markdown, stated=stated, repairs=repairs)


def _strip_navigation_runs(blocks: list[str], vocab: Vocabulary, repairs: Counter) -> list[str]:
    """Runs of three or more one-to-four-word lines at the very start and end are site navigation."""
    def is_nav(block: str) -> bool:
        return vocab.is_chrome(block) or len(block.split()) <= 4

    start, end = 0, len(blocks)
    while start < end and is_nav(blocks[start]):
        start += 1
    while end > start and is_nav(blocks[end - 1]):
        end -= 1
    start = start if start >= 3 else 0  # one or two short lines: a title, not a menu
    end = end if len(blocks) - end >= 3 else len(blocks)
    dropped = len(blocks) - (end - start)
    if dropped and start < end:
        repairs["navigation lines removed"] += dropped
        return blocks[start:end]
    return blocks
