"""How deeply an input nests, counted by a cheap linear scan before any parser sees it.

The HTML converter, Python-Markdown and markdown-it.rs all recurse once per level
of nesting, so a hostile input (100,000 nested ``<div>`` elements or ``>`` quotes) ends
in a RecursionError, a stack overflow or hours of work. These scans are
approximate on purpose — they only need to be right about depth, and cost one
pass over the text — and refuse past `limits.MAX_HTML_DEPTH` and
`limits.MAX_MARKDOWN_DEPTH` with one line naming the limit.
"""

from __future__ import annotations

import re

from policydocs.errors import UserError
from policydocs.limits import MAX_HTML_DEPTH, MAX_MARKDOWN_DEPTH

# Elements that never hold others (void) or whose end tag is implied by the next
# sibling (``<p>``, ``<li>``, table cells): they add no depth however they are written.
_FLAT_ELEMENTS = frozenset(
    "area base br col embed hr img input link meta param source track wbr keygen basefont frame "
    "html head body p li dt dd option optgroup tr td th thead tbody tfoot rt rp rb rtc colgroup".split())
_RAW_TEXT = frozenset({"script", "style", "textarea", "title", "xmp", "plaintext", "noscript"})
_TAG_START = re.compile(r"<(!--|/?)([A-Za-z][A-Za-z0-9:-]*)?")

# A container marker at the start of a line: a quote '>' or a list item marker.
_CONTAINER = re.compile(r"[ \t]*(>|(?:[-*+]|[0-9]{1,9}[.)])(?=[ \t]|$))")
_INDENT = re.compile(r"[ \t]*")
# Lines that may nest deep: two or more container markers, or a deeply indented list
# item; the others cannot pass the limit and are not looked at one by one. (Starting
# at a newline, not '^': the regex engine then jumps from line to line.)
_DEEP_LINE = re.compile(r"\n(?:[ \t]*(?:>|(?:[-*+]|[0-9]{1,9}[.)])(?=[ \t\n]))){2,}"
                        r"|\n[ \t]{16,}(?:[-*+]|[0-9]{1,9}[.)])(?=[ \t\n])")
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")
# Inline tokens: an escape, a code span's backticks, brackets, emphasis runs.
_INLINE = re.compile(r"[\\\[\]]|`+|\*+|_+")
_OPENS_AFTER = "[(\"'“‘"  # besides letters and digits, what may follow an opening '*' or '_'


def html_depth_exceeded(html: str, limit: int = MAX_HTML_DEPTH) -> int | None:
    """The offset where more than ``limit`` elements are open at once, or None.

    A stack of open element names: a close tag pops to its opener (so unclosed
    inline tags inside a closed block do not pile up), comments and raw-text
    elements (scripts, styles) are skipped whole."""
    lower = html.lower()
    stack: list[str] = []
    open_count: dict[str, int] = {}
    pos = 0
    while (m := _TAG_START.search(html, pos)) is not None:
        kind, name = m.group(1), (m.group(2) or "").lower()
        if kind == "!--":
            end = lower.find("-->", m.end())
            pos = len(html) if end == -1 else end + 3
            continue
        end = html.find(">", m.end())
        if end == -1:
            return None
        pos = end + 1
        if not name or name in _FLAT_ELEMENTS:
            continue
        if kind == "/":
            if open_count.get(name):
                while stack:
                    top = stack.pop()
                    open_count[top] -= 1
                    if top == name:
                        break
            continue
        if html[end - 1] == "/":
            continue  # <div/>: XHTML's empty element
        if name in _RAW_TEXT:
            close = lower.find(f"</{name}", pos)
            pos = len(html) if close == -1 else close
            continue
        stack.append(name)
        open_count[name] = open_count.get(name, 0) + 1
        if len(stack) > limit:
            return m.start()
    return None


def check_html_depth(html: str, *, where: str) -> None:
    """Refuse HTML nested deeper than `MAX_HTML_DEPTH` before BeautifulSoup reads it."""
    at = html_depth_exceeded(html)
    if at is not None:
        line = html.count("\n", 0, at) + 1
        raise UserError(f"{where}: HTML elements nested more than {MAX_HTML_DEPTH} deep (line {line}); "
                        "that limit is fixed (MAX_HTML_DEPTH, docs/limits.md): save a simpler copy "
                        "of the page, or its text as a .txt file")


def _line_depth(line: str, limit: int) -> int:
    """Block quotes and list markers opened at the start of a line, plus the list
    levels its indentation stands for (two columns a level, the narrowest list);
    counting stops past ``limit``."""
    depth, pos, listed = 0, 0, False
    while depth <= limit and (m := _CONTAINER.match(line, pos)) is not None:
        if m.group(1) != ">" and not listed:
            listed = True
            indent = _INDENT.match(line, pos).group(0)  # type: ignore[union-attr]
            depth += len(indent.expandtabs(4)) // 2
        depth += 1
        pos = m.end()
    return depth


def _emphasis_step(para: str, start: int, end: int, depth: int = 0) -> int:
    """+1 per delimiter of a run that opens emphasis ("*word", "**(a"), -1 per
    delimiter of one that closes it ("word*", "a:**"), 0 inside a word ("snake_case")
    or between spaces (a list marker, "5 * 3"). A run touching text on both sides
    after punctuation ("**翻訳。**本", text without spaces) closes an open one, as
    the renderer pairs them."""
    before = para[start - 1] if start else " "
    after = para[end] if end < len(para) else " "
    if depth and not before.isspace() and not before.isalnum() and after.isalnum():
        return start - end
    if (after.isalnum() or after in _OPENS_AFTER) and not before.isalnum():
        return end - start
    if not before.isspace() and not after.isalnum():
        return start - end
    return 0


def _paragraph_exceeded(para: str, limit: int) -> int | None:
    """The offset in one paragraph where more than ``limit`` emphasis delimiters and
    brackets are open, or None; code spans and escaped characters are skipped."""
    depth, pos, unclosed = 0, 0, set()  # lengths of backtick runs with no closing run
    while (m := _INLINE.search(para, pos)) is not None:
        token, pos = m.group(0), m.end()
        if token == "\\":
            pos += 1
        elif token == "[":
            depth += 1
        elif token == "]":
            depth = max(0, depth - 1)
        elif token[0] == "`":
            close = -1 if len(token) in unclosed else para.find(token, pos)
            if close == -1:
                unclosed.add(len(token))
            else:
                pos = close + len(token)
        else:
            depth = max(0, depth + _emphasis_step(para, m.start(), pos, depth))
        if depth > limit:
            return m.start()
    return None


def _inline_exceeded(text: str, limit: int) -> int | None:
    """The offset where one paragraph holds more than ``limit`` open emphasis
    delimiters and brackets, or None. A paragraph with no more than ``limit`` of
    these characters in all cannot get there and is not scanned (most are not)."""
    for para in _PARAGRAPH_BREAK.split(text):
        if para.count("*") + para.count("_") + para.count("[") <= limit:
            continue
        at = _paragraph_exceeded(para, limit)
        if at is not None:
            return text.find(para) + at
    return None


def markdown_depth_exceeded(text: str, limit: int = MAX_MARKDOWN_DEPTH) -> int | None:
    """The 1-based line where nesting goes past ``limit``, or None."""
    text = "\n" + text
    for m in _DEEP_LINE.finditer(text):
        line_end = text.find("\n", m.start() + 1)
        line = text[m.start() + 1:line_end if line_end != -1 else len(text)]
        if _line_depth(line, limit) > limit:
            return text.count("\n", 0, m.start() + 1)
    at = _inline_exceeded(text, limit)
    return None if at is None else text.count("\n", 0, at)


def check_markdown_depth(text: str, *, where: str) -> None:
    """Refuse a Markdown body nested deeper than `MAX_MARKDOWN_DEPTH` before any parser reads it."""
    line = markdown_depth_exceeded(text)
    if line is not None:
        raise UserError(f"{where}: Markdown nested more than {MAX_MARKDOWN_DEPTH} levels deep (line {line}: "
                        "block quotes, lists, emphasis or brackets); that limit is fixed "
                        "(MAX_MARKDOWN_DEPTH, docs/limits.md): flatten the nesting")
