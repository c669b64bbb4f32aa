"""Where a change sits: the clause (sentence, list item, table cell) around it, found
from the segments that rebuild both bodies."""

from __future__ import annotations

import re
from dataclasses import dataclass

from policydocs.compare import Comparison
from policydocs.plaintext import plain

_CLAUSE_END = re.compile(r"\n[ \t]*\n|\n(?=[ \t]*(?:[-*+•]|\d+\\?[.)]|\|))|(?<=[.!?;])[ \t]+(?=\S)"
                         r"|[ \t]\|[ \t]|\n")


@dataclass(frozen=True)
class Clause:
    """The sentence (or list item, or table cell) around a change, cut at the change."""

    before: str = ""
    changed: str = ""
    after: str = ""

    @property
    def text(self) -> str:
        return f"{self.before}{self.changed}{self.after}"

    @property
    def opens_its_entry(self) -> bool:
        """Nothing but list or table marks before the change: it is the head of its entry."""
        return not plain(self.before).strip(" |*-•[")


def change_spans(comparison: Comparison) -> dict[str, tuple[int, int, int, int]]:
    """Offsets of each change in the old and new bodies: (old_start, old_end, new_start, new_end)."""
    spans: dict[str, tuple[int, int, int, int]] = {}
    at_old = at_new = 0
    for segment in comparison.segments:
        size = len(segment.text)
        old_end = at_old + (size if segment.op != "insert" else 0)
        new_end = at_new + (size if segment.op != "delete" else 0)
        if segment.change:
            o1, o2, n1, n2 = spans.get(segment.change, (at_old, at_old, at_new, at_new))
            o1, n1 = (min(o1, at_old), min(n1, at_new)) if segment.op != "equal" else (o1, n1)
            spans[segment.change] = (o1, max(o2, old_end), n1, max(n2, new_end))
        at_old, at_new = old_end, new_end
    return spans


def clause_at(body: str, start: int, end: int) -> Clause:
    """The clause of ``body`` holding ``body[start:end]``, split around it."""
    lead = [m.end() for m in _CLAUSE_END.finditer(body, max(0, start - 600), start)]
    begin = lead[-1] if lead else max(0, start - 600)
    tail = _CLAUSE_END.search(body, end, end + 600)
    finish = tail.start() if tail else min(len(body), end + 600)
    if start > 0 and body[start - 1] == "\n":
        begin = start  # a change that starts a line (a block, an item) is its own clause start
    if end > start and body[end - 1] == "\n":
        finish = end
    return Clause(body[begin:start], body[start:end], body[end:finish])


def clauses_of(comparison: Comparison) -> dict[str, tuple[Clause, Clause]]:
    """(old clause, new clause) of every change, from the segments that rebuild both bodies."""
    old_body, new_body = comparison.old_body(), comparison.new_body()
    return {cid: (clause_at(old_body, o1, o2), clause_at(new_body, n1, n2))
            for cid, (o1, o2, n1, n2) in change_spans(comparison).items()}


def _clause_in_context(text: str, context: str) -> Clause:
    """The clause when no segments locate the change: its first occurrence in the block."""
    at = context.find(text) if text else -1
    if at < 0:
        return Clause("", text, "")
    return clause_at(context, at, at + len(text))

