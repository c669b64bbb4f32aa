"""What a reviewer reads before the redline, the same in the Word and the PDF export:
both sides with their dates, the verdict, the counts and the material changes."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Protocol

from policydocs.compare import Comparison
from policydocs.redline import summary_line
from policydocs.site.pages import human_date
from policydocs.store import Version, first_day

UNDATED = "1980-01-01"  # a side with no date of its own (a file whose text states none)


class SideLike(Protocol):
    """One side of a compare (`policydocs.diffcmd.Side` is one)."""

    ref: str
    title: str | None
    body: str
    version: Version | None


@dataclass(frozen=True)
class Summary:
    """The title block of an export."""

    heading: str
    sides: tuple[str, str]  # "From: ...", "To: ..."
    verdict: str
    counts: str
    material: tuple[str, ...]  # one plain-words line per material change
    how_to: str


def side_date(side: SideLike) -> str:
    """The side's legal date (ISO, at the precision it has): the store's, else the
    date the text states for itself, else `UNDATED`. Never today: exports are
    the same whenever they are made."""
    if side.version is not None:
        return side.version.legal_date
    from policydocs.ingest.dates import find_stated_date

    stated = find_stated_date(side.body)
    return stated.iso if stated is not None else UNDATED


def revision_date(side: SideLike) -> dt.date:
    """The date tracked changes carry: the new side's legal date (its first day)."""
    return first_day(side_date(side))


def _name(side: SideLike) -> str:
    return side.title or side.ref


def _side_line(label: str, side: SideLike) -> str:
    date = side_date(side)
    when = "no date" if date == UNDATED else human_date(date)
    return f"{label}: {_name(side)} ({side.ref}), {when}"


def verdict(comparison: Comparison) -> str:
    """The material-change verdict in words, and who made it."""
    if comparison.identical:
        return "Identical: the two texts are the same."
    words = ("Material change: readers must be told." if comparison.material
             else "Not material: no notice is needed.")
    if comparison.verdict_basis == "override":
        reason = f" ({comparison.override_reason})" if comparison.override_reason else ""
        return f"{words} Verdict set by the maintainers{reason}."
    if comparison.verdict_basis == "none":
        return "Materiality not assessed."
    return words


def summarise(comparison: Comparison, old: SideLike, new: SideLike) -> Summary:
    """The title block for ``old`` → ``new``."""
    material = tuple(c.reasons[0].explanation for c in comparison.changes if c.material and c.reasons)
    how_to = (f"Tracked changes by “policydocs”: Accept All gives {new.ref}, "
              f"Reject All gives {old.ref}. Inserted text is underlined, deleted text struck "
              "through, moved text marked as moved.")
    return Summary(heading=f"Redline: {_name(old)} → {_name(new)}",
                   sides=(_side_line("From", old), _side_line("To", new)),
                   verdict=verdict(comparison), counts=summary_line(comparison),
                   material=material, how_to=how_to)
