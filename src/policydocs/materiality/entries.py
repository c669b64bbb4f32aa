"""Named entries: a subprocessor, a state, an advertising partner or a domain added to,
dropped from or swapped in a list. Such a list is what the policy discloses (who gets
the data, where tax is charged, which sites it covers), so one entry is material even
when no topic word is in sight (the list's heading may be pages away)."""

from __future__ import annotations

import re

from policydocs.compare import BlockKind, Change
from policydocs.materiality.clauses import Clause
from policydocs.materiality.rules import RuleSet
from policydocs.plaintext import link_texts, plain

ENTRY_WORDS = 10  # an entry is a name with at most a short description ("Rollbar. Error reporting.")
_ITEMS = frozenset({"list_item", "table_row"})
DOMAIN = re.compile(r"\b(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+(?:com|org|net|io|co|ai|tv|app|dev|me|info|biz|"
                    r"eu|uk|de|fr|us|ly|tools|cloud|blog|news|xyz)\b", re.IGNORECASE)
_URL = re.compile(r"\(?https?://\S+|\(mailto:[^)]*\)")


def _entry_lines(text: str) -> list[str]:
    """The lines of an added or removed run, each as a reader sees it (no link targets)."""
    return [plain(_URL.sub(" ", link_texts(line))) for line in text.splitlines() if plain(line).strip()]


def _is_name(line: str, rules: RuleSet) -> bool:
    """A short line that starts with a name ("Kentucky", "[Convert.com](…). A/B testing",
    "|Criteo|https://…|"), not a sentence ("In the dashboards…")."""
    tokens = re.findall(r"[\w.&'-]+", line)
    if not tokens or len(tokens) > ENTRY_WORDS:
        return False
    first = tokens[0]
    brand = re.search(r"[a-z][A-Z]", first) is not None  # "hCaptcha", "iCloud"
    return (first[:1].isupper() or first[:1].isdigit() or brand or DOMAIN.fullmatch(first) is not None) and \
        first.lower() not in rules.stopwords and first.lower() not in rules.modality


def names_an_entry(change: Change, clauses: tuple[Clause, Clause], rules: RuleSet) -> bool:
    """Whether the change adds, drops or swaps a named entry of a list or table, or adds
    or drops a domain anywhere."""
    domains = [{d.lower() for d in DOMAIN.findall(link_texts(text))} for text in (change.old_text, change.new_text)]
    if domains[0] != domains[1]:  # a domain a reader sees (or a bare URL), not one inside a link target
        return True
    for text, clause, kind in ((change.old_text, clauses[0], change.old_block_kind),
                               (change.new_text, clauses[1], change.new_block_kind)):
        if not text.strip() or kind not in _ITEMS:
            continue
        lines = _entry_lines(text)
        if lines and clause.opens_its_entry and all(_is_name(line, rules) for line in lines):
            return True
    return False


