"""The rendered redline: the compared documents as a reader sees them (headings,
emphasis, links, lists, tables, footnotes), with insertions and deletions marked
inside the rendered text.

A comparison's segments rebuild both Markdown bodies exactly; the word diff is
theirs, this module only renders it. The pipeline, per view:

1. `_marked_markdown` — one side's Markdown (kept text plus the runs of one kind)
   with private-use *marks* around each changed run and, in the inline view, a mark
   where deleted text was. Marks are moved off line starts and structure-only lines
   so headings, list items and table rows keep their syntax.
2. `render_policy_body` — the safe policy renderer (no raw HTML, inert links).
3. `_apply_marks` — in the rendered HTML, the marks become ``<ins>``/``<del>``
   around the *text* they cover (re-opened after each tag, so nesting stays valid),
   deleted runs are shown as the plain text a reader would have seen, and marks in
   attributes (a changed link target) are dropped. A run that covers no visible text
   (``*`` → ``-`` bullets, ``**`` added around a word's markup) shows nothing:
   markup that renders the same is not a change a reader sees.

Exactness is the engine's; this is rendering only, and every piece of text still
goes through the renderer's escaping.
"""

from __future__ import annotations

import html
import re
import textwrap
from dataclasses import dataclass

from policydocs.compare import Change, Comparison, Segment
from policydocs.memo import memoised
from policydocs.redline import change_list
from policydocs.site.text import render_policy_body

OPEN, CLOSE, POINT, BLOCK = "\ue000", "\ue001", "\ue002", "\ue003"
INDEX_BASE = 0xF0000  # Supplementary Private Use Area-A: one character per mark index
MAX_MARKS = 0xFFFD - 1
_MARK_RE = re.compile(f"[{OPEN}{CLOSE}{POINT}{BLOCK}][\U000f0000-\U000ffffd]")
_BLOCK_RE = re.compile(f"<p>{BLOCK}([\U000f0000-\U000ffffd])</p>")
_TAG_RE = re.compile(r"(<[^>]*>)")
# What may start a line before its text: indentation, heading hashes, list markers,
# quote markers, a table row's first pipe.
_LINE_LEAD = re.compile(r"(?:[ \t]*(?:#{1,6}[ \t]+|[-*+][ \t]+|[0-9]{1,9}[.)][ \t]+|>[ \t]?|\|[ \t]*))*")
# Lines that are structure only: setext underlines, rules, table separators, fences.
_STRUCTURE_LINE = re.compile(r"[ \t]*(?:[-=*_ \t]{3,}|\|?[ \t:|-]*-[ \t:|-]*|`{3,}.*|~{3,}.*)[ \t]*")
_FOOTNOTE_REF = re.compile(r"\[\^([^\]\s]+)\](?!:)")
_MARKUP_ONLY = re.compile(r"[\s*_#>|`~=+-]*")  # Markdown syntax, no text


class TooManyChanges(ValueError):
    """More marks than one character each can index: the caller shows the source view."""


@dataclass(frozen=True)
class Mark:
    """One changed run in a view: what it is and how to show it."""

    op: str  # "insert" | "delete"
    change: Change | None
    move: str | None
    deleted_text: str = ""  # for a deletion point: the old Markdown that was there


def _index(k: int) -> str:
    if k > MAX_MARKS:
        raise TooManyChanges(f"{k} marks")
    return chr(INDEX_BASE + k)


def _tail(parts: list[str], n: int = 2) -> str:
    """The last ``n`` characters of ``"".join(parts)``, without joining them all (a
    document with many deletions would be joined once per deletion)."""
    tail = ""
    for part in reversed(parts):
        tail = part + tail
        if len(tail) >= n:
            break
    return tail[-n:]


def _open_at(text: str) -> int:
    """Where an opening mark goes in ``text`` (a changed run): after leading blank
    lines, structure-only lines and line-start syntax, so the block keeps its type."""
    pos = 0
    while True:
        while pos < len(text) and text[pos] == "\n":
            pos += 1
        end = text.find("\n", pos)
        line = text[pos:] if end == -1 else text[pos:end]
        if end != -1 and line.strip() and _STRUCTURE_LINE.fullmatch(line):
            pos = end + 1
            continue
        lead = _LINE_LEAD.match(text, pos)
        return lead.end() if lead else pos


def _close_at(text: str) -> int:
    """Where a closing mark goes: before trailing blank lines, structure-only lines
    and a table row's closing pipe."""
    end = len(text.rstrip())
    while end > 0:
        start = text.rfind("\n", 0, end) + 1
        line = text[start:end]
        if start > 0 and line.strip() and _STRUCTURE_LINE.fullmatch(line):
            end = len(text[:start].rstrip())
            continue
        break
    head = text[:end]
    if head.endswith("|"):
        end = len(head[:-1].rstrip())
    return end


def _marked_markdown(segments: tuple[Segment, ...], region: str, points: bool,
                     by_id: dict[str, Change], marks: list[Mark]) -> str:
    """One side's Markdown (equal text plus ``region`` runs, marked), with deletion
    points when ``points`` (the inline view shows deletions inside the new text)."""
    out: list[str] = []
    for seg in segments:
        change = by_id.get(seg.change or "")
        if seg.op == "equal":
            out.append(seg.text)
        elif seg.op == region:
            text = seg.text
            if _MARKUP_ONLY.fullmatch(text):  # syntax only ("*" → "-" bullets): it renders as structure
                out.append(text)
                continue
            at, to = _open_at(text), _close_at(text)
            if at >= to:  # only structure (a list marker, a blank line): nothing to mark
                out.append(text)
                continue
            k = _index(len(marks))
            marks.append(Mark(seg.op, change, seg.move))
            out.append(text[:at] + OPEN + k + text[at:to] + CLOSE + k + text[to:])
        elif points:
            if _MARKUP_ONLY.fullmatch(seg.text):  # deleted syntax or blank lines: nothing was read
                continue
            k = _index(len(marks))
            marks.append(Mark(seg.op, change, seg.move, deleted_text=seg.text))
            tail = _tail(out)
            at_block_start = not tail or tail == "\n\n"
            if "\n\n" in seg.text or (at_block_start and seg.text.endswith("\n")):
                # whole blocks: shown as blocks, where they were
                out.append(("" if at_block_start else "\n\n") + BLOCK + k + "\n\n")
            else:
                out.append(POINT + k)  # moved past any line-start syntax below
    return _settle_line_start_points("".join(out))


_LINE_START_POINTS = re.compile(f"(?m)^((?:{POINT}[\U000f0000-\U000ffffd])+)({_LINE_LEAD.pattern})")


def _settle_line_start_points(text: str) -> str:
    """Move a point mark that sits at a line start to after the line's leading syntax."""
    return _LINE_START_POINTS.sub(lambda m: m.group(2) + m.group(1), text)


@memoised("site: rendered redlines", 32)
def _render(markdown_text: str) -> str:
    """A marked document or deleted block, rendered. Remembered by its text: the
    pairs of every older version with the latest mark the same new text, and they
    are built one after another."""
    return _render_part(markdown_text)


def _render_part(markdown_text: str) -> str:
    """A part of a document, rendered: a footnote reference whose note is not in the
    part shows as ``[1]`` (the note itself is rendered where the document has it)."""
    defined = set(re.findall(r"(?m)^\[\^([^\]\s]+)\]:", markdown_text))
    text = _FOOTNOTE_REF.sub(lambda m: m.group(0) if m.group(1) in defined else f"\\[{m.group(1)}\\]",
                             markdown_text)
    return render_policy_body(text)


_BLOCK_END = re.compile(r"</(?:h[1-6]|p|li|dt|dd|th|td|blockquote|pre)>")
PARAGRAPH_MARK = " ¶ "  # where a quote runs from one block into the next ("… About us ¶ We at …")


@memoised("site: plain runs", 2048)
def _plain(markdown_text: str, between_blocks: str = " ") -> str:
    """The text a reader saw of a deleted Markdown run (its syntax rendered away), its
    blocks joined by ``between_blocks`` (a quote marks where a heading ends and a
    paragraph starts). Remembered by its text: a material change is quoted with its
    whole block, and a block with several changes (or the same block in the next
    pair) comes again."""
    rendered = _render_part(textwrap.dedent(markdown_text))
    if between_blocks != " ":
        rendered = _BLOCK_END.sub("\x00", rendered)
    text = html.unescape(re.sub(r"<[^>]*>", "", rendered))
    text = between_blocks.join(part for part in (" ".join(p.split()) for p in text.split("\x00")) if part)
    lead = " " if markdown_text[:1].isspace() else ""
    trail = " " if markdown_text[-1:].isspace() else ""
    return lead + text + trail if text else ""


def _attributes(mark: Mark, tag_ids: set[str], anchor: bool) -> str:
    """``class``, ``data-change``, the change's ``id`` once, and a move's title."""
    cls = ["pd-ins" if mark.op == "insert" else "pd-del"]
    change = mark.change
    if change is not None and change.kind == "editorial":
        cls.append("pd-editorial")
    if change is not None and change.material:
        cls.append("pd-material")
    if mark.move:
        cls.append("pd-move")
    attrs = f' class="{" ".join(cls)}"'
    if change is not None:
        attrs += f' data-change="{html.escape(change.id)}"'
        if anchor and change.id not in tag_ids:
            tag_ids.add(change.id)
            attrs += f' id="{html.escape(change.id)}"'
    return attrs


def _move_link(mark: Mark, tag_ids: set[str], anchor: bool) -> str:
    if not (mark.move and anchor):
        return ""
    end, other, label = (("from", "to", "moved to ↓") if mark.op == "delete"
                         else ("to", "from", "moved from ↑"))
    name = f"{mark.move}-{end}"
    if name in tag_ids:
        return ""
    tag_ids.add(name)
    return (f'<a class="pd-move-link" id="{html.escape(name)}" '
            f'href="#{html.escape(mark.move)}-{other}">{label}</a>')


def _apply_marks(rendered: str, marks: list[Mark], anchor: bool, tag_ids: set[str]) -> str:
    """Rendered HTML with marks → HTML with ``<ins>``/``<del>`` around marked text."""
    def block(m: re.Match) -> str:
        mark = marks[ord(m.group(1)) - INDEX_BASE]
        inner = _render(textwrap.dedent(mark.deleted_text))  # out of its list: no code block
        return (f'<div class="pd-del-block">{_move_link(mark, tag_ids, anchor)}'
                f'<del{_attributes(mark, tag_ids, anchor)}>{inner}</del></div>')

    rendered = _BLOCK_RE.sub(block, rendered)
    out: list[str] = []
    open_mark: Mark | None = None
    for part in _TAG_RE.split(rendered):
        if part.startswith("<"):
            out.append(_MARK_RE.sub("", part))  # a changed link target: not shown in text
            continue
        pos = 0
        buffer: list[str] = []

        def flush() -> None:
            text = "".join(buffer)
            buffer.clear()
            if not text:
                return
            if open_mark is None or not text.strip():
                out.append(text)
            else:
                tag = "ins" if open_mark.op == "insert" else "del"
                out.append(f"{_move_link(open_mark, tag_ids, anchor)}"
                           f"<{tag}{_attributes(open_mark, tag_ids, anchor)}>{text}</{tag}>")

        for m in _MARK_RE.finditer(part):
            buffer.append(part[pos:m.start()])
            pos = m.end()
            kind, mark = m.group(0)[0], marks[ord(m.group(0)[1]) - INDEX_BASE]
            if kind == OPEN:
                flush()
                open_mark = mark
            elif kind == CLOSE:
                flush()
                open_mark = None
            else:  # a deletion point (or a block one that landed inside text)
                flush()
                shown = _plain(mark.deleted_text)
                if shown.strip() and not _MARKUP_ONLY.fullmatch(shown):
                    out.append(f"{_move_link(mark, tag_ids, anchor)}"
                               f"<del{_attributes(mark, tag_ids, anchor)}>{html.escape(shown)}</del>")
        buffer.append(part[pos:])
        flush()
    return "".join(out)


def render_side(segments: tuple[Segment, ...], by_id: dict[str, Change], side: str,
                anchor: bool, tag_ids: set[str] | None = None) -> str:
    """One rendered side: ``new`` with insertions (and, when ``anchor``, the inline
    view's deletion points and ids), or ``old`` with deletions."""
    marks: list[Mark] = []
    tag_ids = tag_ids if tag_ids is not None else set()
    if side == "new":
        markdown_text = _marked_markdown(segments, "insert", anchor, by_id, marks)
    else:
        markdown_text = _marked_markdown(segments, "delete", False, by_id, marks)
    return _apply_marks(_render(markdown_text), marks, anchor, tag_ids)


def rendered_inline(comparison: Comparison) -> str:
    """The new document, rendered, with every insertion and deletion in place."""
    by_id = {c.id: c for c in comparison.changes}
    return render_side(comparison.segments, by_id, "new", anchor=True)


# --- the reviewer's page: what changed first, then the views --------------------------

PREVIEW_CHARS = 220
MATERIAL_SHOWN = 10  # the rest of a long list folds away: the redline has them all


def _quoted(markdown_text: str) -> str:
    """A changed run as a reader saw it, shortened, in quotes (escaped HTML)."""
    text = _plain(markdown_text, PARAGRAPH_MARK).strip()
    if len(text) > PREVIEW_CHARS:
        text = text[:PREVIEW_CHARS].rsplit(" ", 1)[0] + "…"
    return f"“{html.escape(text)}”"


def change_number(change: Change) -> int:
    """The number readers see: the change id's (``c7`` → 7), the same in every list."""
    return int(change.id[1:]) if change.id[1:].isdigit() else 0


def topic_of(change: Change) -> str:
    """The topic of a material change in words ("training models on data")."""
    if not change.reasons:
        return "other change"
    topic, sep, _ = change.reasons[0].explanation.partition(": ")
    return topic if sep else change.reasons[0].rule


def plain_change(change: Change) -> str:
    """What was said before and after, in plain words (escaped HTML)."""
    if change.type == "move":
        return "moved, unchanged"
    if change.old_text.strip() and change.new_text.strip():
        return f"<span class=\"pd-before\">before:</span> {_quoted(change.old_context or change.old_text)} " \
               f"<span class=\"pd-after\">now:</span> {_quoted(change.new_context or change.new_text)}"
    if change.new_text.strip():
        return f"<span class=\"pd-after\">added:</span> {_quoted(change.new_text)}"
    return f"<span class=\"pd-before\">removed:</span> {_quoted(change.old_text)}"


def material_list(comparison: Comparison) -> str:
    """The material changes, numbered as everywhere on the page, in the document's
    order, each in plain words and linked to its place in the redline (the notice is
    the list ordered by topic)."""
    material = [c for c in comparison.changes if c.material]
    if not material:
        return ""
    items = []
    for change in material:
        section = " › ".join(change.section)
        where = f' <span class="pd-section">in {html.escape(section)}</span>' if section else ""
        items.append(f'<li value="{change_number(change)}"><a href="#{html.escape(change.id)}">'
                     f"<b>{html.escape(topic_of(change)[:1].upper() + topic_of(change)[1:])}</b></a>"
                     f"{where}: {plain_change(change)}</li>")
    shown, more = items[:MATERIAL_SHOWN], items[MATERIAL_SHOWN:]
    rest = (f'<details class="pd-more"><summary>{len(more)} more material change'
            f'{"s" if len(more) != 1 else ""}</summary><ol class="pd-material-list">{"".join(more)}</ol>'
            "</details>" if more else "")
    return f'<ol class="pd-material-list">{"".join(shown)}</ol>{rest}'


def digest(comparison: Comparison) -> str:
    """A generated summary by topic, for a version without a human ``summary``."""
    by_topic: dict[str, list[Change]] = {}
    for change in comparison.changes:
        if change.material:
            by_topic.setdefault(topic_of(change), []).append(change)
    if not by_topic:
        return ("No change of substance: the edits are editorial (wording, formatting, links)."
                if comparison.changes else "The two texts are identical.")
    parts = []
    for topic, changes in by_topic.items():
        added = sum(1 for c in changes if c.new_text.strip() and not c.old_text.strip())
        removed = sum(1 for c in changes if c.old_text.strip() and not c.new_text.strip())
        reworded = len(changes) - added - removed
        counts = ", ".join(f"{n} {what}" for n, what in ((added, "added"), (removed, "removed"),
                                                          (reworded, "reworded")) if n)
        parts.append(f"{topic[:1].upper() + topic[1:]} ({counts})")
    return "What changed: " + "; ".join(parts) + "."


def redline_views(comparison: Comparison) -> str:
    """The full redline: the document with its changes (default), side by side, and
    the list of every change; the Markdown source diff is a link away. The page carries
    the redline once: the side-by-side view is built in the browser from the document
    with changes (redline.js), so a long history's pages stay light."""
    return (
        '<div class="pd-redline" id="redline">'
        '<h2 class="pd-redline-title">Full redline</h2>'
        '<div class="pd-toggle" role="group" aria-label="View">'
        '<button type="button" hidden data-pd-show="inline">Document with changes</button> '
        '<button type="button" hidden data-pd-show="sides">Side by side</button> '
        '<a class="pd-source-link" href="source.html">Markdown source diff</a></div>'
        '<p class="pd-legend"><strong>Legend:</strong> <ins class="pd-ins">inserted text</ins> '
        '(underlined) · <del class="pd-del">deleted text</del> (struck through) · '
        '<ins class="pd-ins pd-move">moved text</ins> (dotted, linked both ways) · '
        '<ins class="pd-ins pd-editorial">editorial change</ins> (quieter)</p>'
        '<section class="pd-inline" data-pd-view="inline"><h3 class="pd-view-title">The new text '
        'with its changes</h3>'
        f'<div class="pd-text pd-rendered">{rendered_inline(comparison)}</div></section>'
        '<section class="pd-side-by-side" data-pd-view="sides"><h3 class="pd-view-title">Side by '
        'side</h3><div class="pd-sides-rendered" data-pd-build="inline"><noscript><p class="pd-noscript">'
        'The side-by-side view is built in the browser from the document with changes above (it '
        'needs JavaScript); that view shows the same redline, and the Word and PDF downloads '
        'carry it too.</p></noscript></div></section>'
        f'<section class="pd-changes"><h3>Every change</h3>{change_list(comparison)}</section>'
        "</div>")
