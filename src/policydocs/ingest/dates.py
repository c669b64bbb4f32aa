"""Finding the date a text states for itself ("Updated February 11, 2021").

Only a date introduced by one of the phrases in ``data/dates.yml`` counts: a
date elsewhere in the text (a deadline, "before March 1, 2023") says nothing
about the version. When no phrase is found, the importer asks the user: it
never guesses.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass

from policydocs.ingest.vocab import vocabulary


@dataclass(frozen=True)
class StatedDate:
    """An ISO date (``YYYY-MM-DD`` or ``YYYY-MM``) and where its phrase sits in the text."""

    iso: str
    start: int
    end: int
    phrase: str


@functools.cache
def _pattern() -> re.Pattern[str]:
    vocab = vocabulary()
    phrases = "|".join(re.escape(p).replace(r"\ ", r"\s+") for p in
                       sorted(vocab.date_phrases, key=len, reverse=True))
    months = "|".join(sorted(vocab.months, key=len, reverse=True))
    # [0-9], not \d: \d also matches Arabic-Indic and other digits, which int() reads.
    date = (rf"(?P<iso>[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}})"
            rf"|(?P<m1>{months})\.?\s+(?P<d1>[0-9]{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y1>[0-9]{{4}})"
            rf"|(?P<d2>[0-9]{{1,2}})(?:st|nd|rd|th)?\s+(?P<m2>{months})\.?,?\s+(?P<y2>[0-9]{{4}})"
            rf"|(?P<m3>{months})\.?,?\s+(?P<y3>[0-9]{{4}})")
    return re.compile(rf"(?P<phrase>\b(?:{phrases}))\s*:?\s*(?:{date})(?![0-9])", re.IGNORECASE)


def find_stated_date(text: str) -> StatedDate | None:
    """The first valid stated date in ``text``, or None."""
    months = vocabulary().months
    for m in _pattern().finditer(text):
        g = m.groupdict()
        try:
            if g["iso"]:
                iso = dt.date.fromisoformat(g["iso"]).isoformat()
            elif g["y1"] or g["y2"]:
                month = months[(g["m1"] or g["m2"]).lower()]
                day = int(g["d1"] or g["d2"])
                iso = dt.date(int(g["y1"] or g["y2"]), month, day).isoformat()
            else:
                iso = f"{int(g['y3']):04d}-{months[g['m3'].lower()]:02d}"
        except ValueError:
            continue  # "Updated February 30, 2021": not a date, keep looking
        return StatedDate(iso=iso, start=m.start(), end=m.end(), phrase=m.group(0))
    return None
