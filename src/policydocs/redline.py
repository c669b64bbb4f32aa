"""Rendering a `Comparison` for people: a terminal word diff and an HTML redline.

One comparison, several views (as git renders one diff as ``--word-diff``,
``--stat`` ...). The HTML fragment has stable classes and ids so the site can embed
it (`render_html_fragment` + `REDLINE_CSS` / `REDLINE_JS`); `render_html_page`
wraps it into a self-contained page. Every piece of policy text goes through
`html.escape`: a ``<script>`` in a policy is shown, never run.
"""

from __future__ import annotations

import html
from importlib import resources

from policydocs.compare import Change, Comparison, Reason, Segment
from policydocs.plaintext import plain

REDLINE_CSS = resources.files("policydocs").joinpath("assets/redline.css").read_text("utf-8")
REDLINE_JS = resources.files("policydocs").joinpath("assets/redline.js").read_text("utf-8")

_ANSI = {"delete": "\x1b[31;9m", "insert": "\x1b[32;4m", "move": "\x1b[36m",
         "editorial": "\x1b[2m", "header": "\x1b[1m", "reset": "\x1b[0m"}


def section_label(section: tuple[str, ...]) -> str:
    return " › ".join(section) if section else "(top of the document)"


def summary_line(comparison: Comparison) -> str:
    """Counts a reviewer reads first: how many changes of which kind, how many words."""
    changes = comparison.changes
    s = comparison.stats
    if comparison.identical:
        return "identical: no changes"
    content = sum(1 for c in changes if c.kind == "content" and c.type != "move")
    editorial = sum(1 for c in changes if c.kind == "editorial")
    moves = sum(1 for c in changes if c.type == "move")
    material = f", {s.material_changes} material" if comparison.verdict_basis != "none" else ""
    return (f"{len(changes)} changes: {content} content, {editorial} editorial, {moves} moved"
            f"{material}; +{s.inserted_words} / -{s.deleted_words} words, {s.moved_words} moved "
            f"({s.old_words} → {s.new_words} words)")


# --- terminal text ---------------------------------------------------------------------


def _text_piece(seg: Segment, change: Change | None, color: bool) -> str:
    if seg.op == "equal":
        return seg.text
    moved = change is not None and change.type == "move"
    if not color:
        mark = f"⟨{seg.move}⟩" if moved else ""
        return f"{mark}[-{seg.text}-]" if seg.op == "delete" else f"{mark}{{+{seg.text}+}}"
    style = _ANSI["move"] if moved else _ANSI[seg.op]
    if change is not None and change.kind == "editorial":
        style += _ANSI["editorial"]
    return style + seg.text + _ANSI["reset"]


def render_text(comparison: Comparison, color: bool) -> str:
    """One summary line first (what a reviewer reads before scrolling), then a word
    diff by paragraph in document order: each changed paragraph under its section
    header with the ids of its changes."""
    by_id = {c.id: c for c in comparison.changes}
    out: list[str] = []
    paragraph: list[str] = []
    ids: list[str] = []

    def flush() -> None:
        if ids:
            first = by_id[ids[0]]
            kinds = ", ".join(f"{i} {_describe(by_id[i])}" for i in dict.fromkeys(ids))
            header = f"@@ {section_label(first.section)} @@ {kinds}"
            out.append((_ANSI["header"] + header + _ANSI["reset"]) if color else header)
            out.append("".join(paragraph).strip("\n"))
            out.append("")
        paragraph.clear()
        ids.clear()

    segments = comparison.segments
    for n, seg in enumerate(segments):
        if seg.op == "equal":
            parts = seg.text.split("\n\n")
            for k, part in enumerate(parts):
                if k:
                    flush()
                paragraph.append(part)
            continue
        ids.append(seg.change or "")
        paragraph.append(_text_piece(seg, by_id.get(seg.change or ""), color))
        following = segments[n + 1] if n + 1 < len(segments) else None
        if seg.text.endswith("\n\n") and following is not None and following.op != "equal" \
                and following.change != seg.change:
            flush()  # whole deleted or inserted blocks (documents that differ): one at a time
    flush()
    return "\n".join([summary_line(comparison), "", *out]).rstrip("\n") + "\n"


def _describe(change: Change) -> str:
    if change.type == "move":
        return f"moved from {section_label(change.old_section)} ({change.move})"
    what = change.editorial if change.kind == "editorial" else "content"
    return f"{change.type}, {what}" + (", material" if change.material else "")


# --- HTML ------------------------------------------------------------------------------


def _esc(text: str) -> str:
    return html.escape(text, quote=True)


def _segment_html(seg: Segment, change: Change | None, side: str, seen: set[str]) -> str:
    """One non-equal segment as ``<ins>``/``<del>``. Ids (the change's anchor, the move
    ends) are only set in the inline view (``side == "inline"``), once each."""
    tag, cls = ("del", "pd-del") if seg.op == "delete" else ("ins", "pd-ins")
    classes = [cls]
    if change is not None and change.kind == "editorial":
        classes.append("pd-editorial")
    if seg.move:
        classes.append("pd-move")
    attrs = f' class="{" ".join(classes)}" data-change="{_esc(seg.change or "")}"'
    prefix = ""
    if side == "inline":
        if seg.change and seg.change not in seen:
            seen.add(seg.change)
            attrs += f' id="{_esc(seg.change)}"'
        if seg.move:
            end, other, label = (("from", "to", "moved to ↓") if seg.op == "delete"
                                 else ("to", "from", "moved from ↑"))
            anchor = f"{seg.move}-{end}"
            if anchor not in seen:
                seen.add(anchor)
                prefix = (f'<a class="pd-move-link" id="{_esc(anchor)}" '
                          f'href="#{_esc(seg.move)}-{other}">{label}</a>')
    title = f' title="{_esc(_describe(change))}"' if change is not None else ""
    return f"{prefix}<{tag}{attrs}{title}>{_esc(seg.text)}</{tag}>"


def _reason_html(reason: Reason) -> str:
    """The topic in bold, then what changed; the rule id stays available as a tooltip.
    (Explanations read "<topic>: <what changed>"; anything else is shown under its rule id.)"""
    topic, sep, rest = reason.explanation.partition(": ")
    if not sep:
        topic, rest = reason.rule, reason.explanation
    return (f'<li data-rule="{_esc(reason.rule)}" title="rule: {_esc(reason.rule)}">'
            f"<b>{_esc(topic)}</b>: {_esc(rest)}</li>")


def _html_segments(comparison: Comparison, by_id: dict[str, Change]) -> str:
    """The inline view: every segment, deletions and insertions in place."""
    out: list[str] = []
    seen: set[str] = set()
    for seg in comparison.segments:
        out.append(_esc(seg.text) if seg.op == "equal"
                   else _segment_html(seg, by_id.get(seg.change or ""), "inline", seen))
    return "".join(out)


def _paragraphs(segments: tuple[Segment, ...]) -> list[list[Segment]]:
    """Segments cut into paragraphs at the blank lines of unchanged text, and after
    changed runs of whole paragraphs (so a deleted or moved block faces no kept text)."""
    rows: list[list[Segment]] = [[]]
    block_ended = False
    for seg in segments:
        if seg.op != "equal":
            rows[-1].append(seg)
            block_ended = seg.text.endswith("\n\n")
            continue
        if block_ended and rows[-1]:
            rows.append([])
        block_ended = False
        if "\n\n" not in seg.text:
            rows[-1].append(seg)
            continue
        parts = seg.text.split("\n\n")
        for k, part in enumerate(parts):
            if k:
                rows.append([])
            if part:
                rows[-1].append(Segment("equal", part))
    return rows


def _side_cell(row: list[Segment], by_id: dict[str, Change], drop: str) -> str:
    kept = [s for s in row if s.op != drop]
    if kept and kept[-1].text.endswith("\n"):  # a block's own blank line is the row's border
        kept[-1] = Segment(kept[-1].op, kept[-1].text.rstrip("\n"), kept[-1].change, kept[-1].move)
    pieces = [_esc(s.text) if s.op == "equal" else _segment_html(s, by_id.get(s.change or ""), "side", set())
              for s in kept]
    return "".join(pieces).strip("\n")


def _side_by_side(comparison: Comparison, by_id: dict[str, Change]) -> str:
    """Old and new side by side, paragraph by paragraph: only the paragraphs that
    changed (with their section), each old paragraph facing its new one. Unchanged
    text is in the inline view; repeating it here would triple the page."""
    rows: list[str] = []
    skipped = 0
    last_section = None
    for row in _paragraphs(comparison.segments):
        changed = next((s.change for s in row if s.op != "equal"), None)
        if changed is None:
            skipped += bool(row)
            continue
        if skipped:
            rows.append(f'<tr class="pd-skip"><td colspan="2">⋯ {skipped} unchanged '
                        f'paragraph{"s" if skipped != 1 else ""}</td></tr>')
            skipped = 0
        change = by_id.get(changed)
        section = section_label(change.section) if change is not None else ""
        if section != last_section:
            rows.append(f'<tr class="pd-row-section"><th colspan="2" scope="colgroup">{_esc(section)}</th></tr>')
            last_section = section
        rows.append(f'<tr><td class="pd-text">{_side_cell(row, by_id, "insert")}</td>'
                    f'<td class="pd-text">{_side_cell(row, by_id, "delete")}</td></tr>')
    if skipped and rows:
        rows.append(f'<tr class="pd-skip"><td colspan="2">⋯ {skipped} unchanged '
                    f'paragraph{"s" if skipped != 1 else ""}</td></tr>')
    if not rows:
        return "<p>No changes: the two texts are identical.</p>"
    return ('<table class="pd-sides"><thead><tr><th scope="col">Old</th><th scope="col">New</th></tr>'
            f'</thead><tbody>{"".join(rows)}</tbody></table>')


def _change_order(change: Change) -> tuple[int, int]:
    rank = 0 if change.material else (1 if change.kind == "content" else 2)
    return rank, int(change.id[1:])


def _preview(text: str, limit: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


_MARKS_CHANGES = frozenset({"whitespace", "case", "quotes", "punctuation", "markdown", "link", "renumbering"})


def _change_item(change: Change) -> str:
    cls = "pd-editorial-item" if change.kind == "editorial" else "pd-content-item"
    badge = "material" if change.material else (change.editorial or "content")
    if change.type == "move":
        body = (f'moved from <span class="pd-section">{_esc(section_label(change.old_section))}</span> '
                f'(<a href="#{_esc(change.move or "")}-from">from</a> → '
                f'<a href="#{_esc(change.move or "")}-to">to</a>)')
    else:
        parts = []
        shown = str if change.editorial in _MARKS_CHANGES else plain  # such a change is the marks themselves
        if change.old_text:
            parts.append(f'<del class="pd-del">{_esc(_preview(shown(change.old_text) or change.old_text))}</del>')
        if change.new_text:
            parts.append(f'<ins class="pd-ins">{_esc(_preview(shown(change.new_text) or change.new_text))}</ins>')
        body = " → ".join(parts)
    reasons = ""
    if change.material and change.reasons:
        reasons = "<ul class=\"pd-reasons\">" + "".join(map(_reason_html, change.reasons)) + "</ul>"
    return (f'<li class="{cls}" id="{_esc(change.id)}-item"><a href="#{_esc(change.id)}">'
            f'{_esc(change.id)}</a> <span class="pd-badge">{_esc(badge)}</span> {_esc(change.type)} '
            f'<span class="pd-section">{_esc(section_label(change.section))}</span>: {body}{reasons}</li>')


def change_list(comparison: Comparison) -> str:
    """Every change, material first, then content, then editorial, by its id."""
    items = "".join(_change_item(c) for c in sorted(comparison.changes, key=_change_order))
    return (f'<ol class="pd-change-list">{items}</ol>' if items
            else "<p>No changes: the two texts are identical.</p>")


def source_view(comparison: Comparison) -> str:
    """The Markdown source with deletions and insertions in place (no ids: the
    rendered views own the change anchors)."""
    by_id = {c.id: c for c in comparison.changes}
    out = [_esc(s.text) if s.op == "equal" else _segment_html(s, by_id.get(s.change or ""), "side", set())
           for s in comparison.segments]
    return f'<div class="pd-text pd-source">{"".join(out)}</div>'


def render_html_fragment(comparison: Comparison) -> str:
    """The summary, the change list (material, then content, then editorial), the
    inline view and the side-by-side view, as one HTML fragment."""
    by_id = {c.id: c for c in comparison.changes}
    items = "".join(_change_item(c) for c in sorted(comparison.changes, key=_change_order))
    changes = (f'<ol class="pd-change-list">{items}</ol>' if items
               else "<p>No changes: the two texts are identical.</p>")
    return (
        '<div class="pd-redline">'
        f'<p class="pd-summary">{_esc(summary_line(comparison))}</p>'
        '<div class="pd-toggle" role="group" aria-label="View">'
        '<button type="button" hidden data-pd-show="inline">Inline</button> '
        '<button type="button" hidden data-pd-show="sides">Side by side</button></div>'
        f'<section class="pd-changes"><h2>Changes</h2>{changes}</section>'
        '<section class="pd-inline" data-pd-view="inline"><h2>Inline redline</h2>'
        f'<div class="pd-text">{_html_segments(comparison, by_id)}</div></section>'
        '<section class="pd-side-by-side" data-pd-view="sides"><h2>Side by side</h2>'
        f'{_side_by_side(comparison, by_id)}</section></div>'
    )


def render_html_page(comparison: Comparison, old_label: str, new_label: str) -> str:
    """A self-contained redline page: inline CSS, the fragment, a tiny toggle script."""
    title = f"Redline: {old_label} → {new_label}"
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        f"<title>{_esc(title)}</title><style>{REDLINE_CSS}</style></head>"
        f"<body><main><h1>{_esc(title)}</h1>{render_html_fragment(comparison)}</main>"
        f"<script>{REDLINE_JS}</script></body></html>\n"
    )
