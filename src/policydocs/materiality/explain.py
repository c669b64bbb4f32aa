"""Explanations: one plain line per material reason, quoting the clause that changed
before and after, with the signals that weigh (negation, figures, list items)."""

from __future__ import annotations

import re
from collections import Counter

from policydocs.compare import BlockKind, Change
from policydocs.materiality.clauses import Clause
from policydocs.materiality.rules import QUOTE_WORDS, _SECTION_REF, Delta, RuleSet, Topic
from policydocs.memo import memoised
from policydocs.plaintext import plain


def quote(text: str, limit: int = 160) -> str:
    text = plain(text)
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"


def _window(text: str, topic: Topic) -> str:
    """The words around the topic's first match: the clause that changed, not the whole block."""
    text = plain(text)
    match = topic.first_match(text)
    if match is None:
        return quote(text)
    before = text[: match.start()].split()[-QUOTE_WORDS // 2:]
    after = text[match.start():].split()[:QUOTE_WORDS]
    lead = "…" if len(text[: match.start()].split()) > len(before) else ""
    tail = "…" if len(text[match.start():].split()) > len(after) else ""
    return lead + " ".join(before + after) + tail


def _in_clause(clause: Clause, topic: Topic, around: int) -> str:
    """The changed words with ``around`` words of their clause on each side, so a reader
    sees them in place ("…we may use your content…"); a long change is cut near the topic."""
    changed = plain(clause.changed)
    if len(changed.split()) > 2 * QUOTE_WORDS:
        return _window(clause.changed, topic)
    before, after = plain(clause.before).split(), plain(clause.after).split()
    lead = "…" if len(before) > around else ""
    tail = "…" if len(after) > around else ""
    kept = " ".join(before[len(before) - around:] if around else [])
    gap1 = " " if _spaced(clause.before, clause.changed) else ""
    gap2 = " " if _spaced(clause.changed, clause.after) else ""
    shown = f"{kept}{gap1 if kept else ''}{changed}{gap2 if after[:around] else ''}{' '.join(after[:around])}"
    return quote(lead + shown.strip() + tail)


_OPENING_MARKS = re.compile(r"(?:!?\[|\*+|_+|`+)+$")  # a link's "[" or emphasis opening at a cut
_CLOSING_MARKS = re.compile(r"^(?:\]\([^()\n]*\)|\]\[[^\]\n]*\]|\]|\*+|_+|`+)+")  # "](…)", "][ref]", "**"


def _spaced(left: str, right: str) -> bool:
    """Whether a space parts two pieces of a clause cut at a change, Markdown marks at the
    cut aside: "like [" + "UPS](…)" reads "like UPS", "Terms](…)" + " and" "Terms and"."""
    return _OPENING_MARKS.sub("", left)[-1:].isspace() or _CLOSING_MARKS.sub("", right)[:1].isspace()


def _trim_common(old: Clause, new: Clause) -> tuple[Clause, Clause]:
    """Move words both sides of a long replacement share into the clause around it, so the
    quotes show where they differ."""
    a, b = old.changed, new.changed
    head = 0
    while head < min(len(a), len(b)) and a[head] == b[head]:
        head += 1
    head = a.rfind(" ", 0, head) + 1 if head < min(len(a), len(b)) else head
    tail = 0
    while tail < min(len(a), len(b)) - head and a[-1 - tail] == b[-1 - tail]:
        tail += 1
    if tail:
        cut = a.find(" ", len(a) - tail)
        tail = len(a) - cut if cut >= 0 else 0
    if head == 0 and tail == 0:
        return old, new
    return (Clause(old.before + a[:head], a[head:len(a) - tail], a[len(a) - tail:] + old.after),
            Clause(new.before + b[:head], b[head:len(b) - tail], b[len(b) - tail:] + new.after))


_ITEMS = frozenset({"list_item", "table_row", "table_header"})


def _is_list_item(clause: Clause, kind: BlockKind) -> bool:
    """The change is a whole list item or table row (added or removed as a unit)."""
    return kind in _ITEMS and not plain(clause.before).strip() and not plain(clause.after).strip()


def explain(change: Change, topic: Topic, delta: Delta, rules: RuleSet,
            clauses: tuple[Clause, Clause]) -> str:
    """One plain line: the topic, what changed (quoted in its clause), the signals, where."""
    old, new = _trim_common(*clauses) if change.old_text and change.new_text else clauses
    short = len(plain(old.changed).split()) + len(plain(new.changed).split()) <= 12
    around = 4 if short else 2
    short_in_clause = short and bool(plain(new.before + new.after if change.new_text else old.before + old.after))
    if change.old_text and change.new_text:
        what = f"“{_in_clause(old, topic, around)}” became “{_in_clause(new, topic, around)}”"
    elif change.new_text:
        what = (f"added the list item “{_in_clause(new, topic, 0)}”" if _is_list_item(new, change.new_block_kind)
                else f"added “{plain(new.changed)}” in “{_in_clause(new, topic, 8)}”" if short_in_clause
                else f"added “{_in_clause(new, topic, 0)}”")
    else:
        what = (f"removed the list item “{_in_clause(old, topic, 0)}”" if _is_list_item(old, change.old_block_kind)
                else f"removed “{plain(old.changed)}” from “{_in_clause(old, topic, 8)}”" if short_in_clause
                else f"removed “{_in_clause(old, topic, 0)}”")
    signals = _signals(delta, rules, clauses, (change.old_block_kind, change.new_block_kind),
                       long_change=not short and not (change.old_text and change.new_text))
    extra = f" ({'; '.join(signals)})" if signals else ""
    where = f" in “{' › '.join(change.section)}”" if change.section else ""
    return f"{topic.title}: {what}{extra}{where}"


_AMOUNT = re.compile(r"[$€£¥]\s?\d[\d,.]*\d|[$€£¥]\s?\d|\b\d[\d,.]*\s?(?:usd|eur|gbp|dollars|euros)\b", re.IGNORECASE)
_DURATION = re.compile(r"\b\d[\d,.]*\s?(?:-\s?)?(?:seconds?|minutes?|hours?|days?|weeks?|months?|years?)\b",
                       re.IGNORECASE)
_PERCENT = re.compile(r"\b\d[\d,.]*\s?(?:%|percent)", re.IGNORECASE)
_NUMBER = re.compile(r"\b\d[\d,.]*\d\b|\b\d\b")


def _figures(text: str) -> Counter[tuple[str, str]]:
    """(kind, figure) of every amount, duration, percentage and bare number in ``text``."""
    found: Counter[tuple[str, str]] = Counter()
    for kind, pattern in (("amount", _AMOUNT), ("duration", _DURATION), ("percentage", _PERCENT)):
        for match in pattern.finditer(text):
            found[(kind, match.group(0))] += 1
        text = pattern.sub(" ", text)
    for match in _NUMBER.finditer(text):
        found[("number", match.group(0))] += 1
    return found


@memoised("materiality: clause figures", 1024)
def _clause_figures(clause_text: str) -> Counter[tuple[str, str]]:
    """The figures of a clause, section references aside (read-only: the changes of one
    long passage share its clause)."""
    return _figures(_SECTION_REF.sub(" ", plain(clause_text)))


def _listed(items: list[str], limit: int = 3) -> str:
    return ", ".join(items[:limit]) + (f" and {len(items) - limit} more" if len(items) > limit else "")


def _signals(delta: Delta, rules: RuleSet, clauses: tuple[Clause, Clause], block_kinds: tuple[BlockKind, BlockKind],
             *, long_change: bool) -> list[str]:
    """The signals that weigh, in plain words: "negation added (not)", "amount changed ($5,000 → $500)".
    A whole passage added or removed flips no promise: only its figures and list items are named."""
    out = []
    kinds = dict(rules.signal_kinds)
    other = rules.modality - frozenset().union(*kinds.values())
    for kind, members in [] if long_change else [*rules.signal_kinds, ("wording", other)]:
        gone = sorted(w for w in delta.modal_removed if w in members)
        came = sorted(w for w in delta.modal_added if w in members)
        if gone and came:
            out.append(f"{kind} changed ({', '.join(gone)} → {', '.join(came)})")
        elif came:
            out.append(f"{kind} added ({', '.join(came)})")
        elif gone:
            out.append(f"{kind} removed ({', '.join(gone)})")
    if delta.numbers_changed:
        old_f, new_f = (_clause_figures(c.text) for c in clauses)
        gone, came = old_f - new_f, new_f - old_f
        for kind in ("amount", "duration", "percentage", "number"):
            was, now = (_listed(sorted(f for k, f in side if k == kind)) for side in (gone, came))
            if was or now:
                out.append(f"{kind} {'changed' if was and now else 'added' if now else 'removed'} "
                           f"({was or '—'} → {now or '—'})" if was and now else
                           f"{kind} {'added' if now else 'removed'} ({now or was})")
        if not (gone or came):
            out.append("number changed")
    if not (clauses[0].changed.strip() and clauses[1].changed.strip()) and \
            (_is_list_item(clauses[0], block_kinds[0]) or _is_list_item(clauses[1], block_kinds[1])):
        out.append("list item added" if clauses[1].changed.strip() else "list item removed")
    return out

