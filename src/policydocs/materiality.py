"""The materiality stage: a verdict and reasons for every content change.

A content change is material when it touches a topic readers care about (data
collected, training, sharing, retention, rights, fees, liability, ...) and
changes words that carry meaning there. What counts as a topic, which words
flip a promise and which lines commit to nothing are data
(``src/policydocs/rules/*.yml`` plus a project's own file), so a publisher can
extend them without touching code.

Size never decides: one added country or one "later" → "earlier" is material,
while a renamed product, a date stamp, a heading or a spelling fix is not.
Missing a material change is the worst error, so in doubt the rules say
"material" and the reasons show a reviewer why.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
from collections import Counter
from dataclasses import dataclass, replace
from importlib import resources
from pathlib import Path
from typing import Any, Iterable

from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

from policydocs.compare import BlockKind, Change, Comparison, Reason
from policydocs.errors import UserError
from policydocs.memo import memoised
from policydocs.plaintext import LINK, link_texts, plain
from policydocs.store import Store, Version, read_text_file, safe_yaml_load, unknown_keys

MAX_REASONS_PER_CHANGE = 3  # only a long change touching several topics gets more than one
LONG_CHANGE_WORDS = 25  # a change this long may be about several topics at once
WEAK_HIT = 0.4
IGNORE_PATTERNS = ("stamp", "announcement", "link_label", "defined_term", "informational", "capture",
                   "definition")
QUOTE_WORDS = 14  # words quoted around a rule's match in a long change


@dataclass(frozen=True)
class Topic:
    """Something a change can touch, recognised by its patterns."""

    id: str
    title: str
    patterns: tuple[re.Pattern[str], ...]
    fallback: bool = False  # names changes that only flip a promise or a number
    weak: tuple[re.Pattern[str], ...] = ()  # broad words: enough to decide, weak to name a topic

    def hits(self, text: str) -> float:
        """Strong matches count 1, weak ones ``WEAK_HIT``: "train" names training better than "outputs"."""
        return (sum(len(p.findall(text)) for p in self.patterns)
                + WEAK_HIT * sum(len(p.findall(text)) for p in self.weak))

    def first_match(self, text: str) -> re.Match[str] | None:
        found = [m for m in (p.search(text) for p in (*self.patterns, *self.weak)) if m]
        return min(found, key=lambda m: m.start()) if found else None


@dataclass(frozen=True)
class RuleSet:
    """The materiality rules in force (built-in rules plus a project's own)."""

    rules: tuple[Topic, ...] = ()
    digest: str = "none"  # part of the comparison cache key
    modality: frozenset[str] = frozenset()
    signal_kinds: tuple[tuple[str, frozenset[str]], ...] = ()  # ("negation", {"not", ...}), ...
    contractions: tuple[tuple[str, str], ...] = ()
    stopwords: frozenset[str] = frozenset()
    stamp: re.Pattern[str] | None = None
    announcement: re.Pattern[str] | None = None
    link_label: re.Pattern[str] | None = None
    defined_term: re.Pattern[str] | None = None
    informational: re.Pattern[str] | None = None
    capture: re.Pattern[str] | None = None
    definition: re.Pattern[str] | None = None
    sources: tuple[str, ...] = ()

    @property
    def fallback(self) -> Topic | None:
        return next((t for t in self.rules if t.fallback), None)

    @functools.cached_property
    def matcher(self) -> TopicMatcher:
        """The topics (all but the fallback) compiled for one pass over a text."""
        return TopicMatcher(tuple(t for t in self.rules if not t.fallback))


class TopicMatcher:
    """Which topics a text touches, and how strongly (`Topic.hits`), for all topics at
    once: one alternation of every pattern finds the texts no topic touches (most
    clauses and blocks) in one pass, one alternation per topic finds the topics to
    count, and only those run their patterns one by one (a topic's hits are counts per
    pattern, which an alternation alone would not give). Results are remembered per
    text: the changes of one block ask about the same block and clause texts again."""

    def __init__(self, topics: tuple[Topic, ...]) -> None:
        self.topics = topics
        self._any = _either(p for t in topics for p in (*t.patterns, *t.weak))
        self._each = tuple(_either((*t.patterns, *t.weak)) for t in topics)

    def hits(self, text: str) -> tuple[float, ...]:
        """`Topic.hits` of every topic, in order."""
        return _topic_hits(self, text)

    def touched(self, text: str) -> list[Topic]:
        """The topics with at least one hit."""
        return [t for t, h in zip(self.topics, self.hits(text)) if h]


@memoised("materiality: topic hits", 4096)
def _topic_hits(matcher: TopicMatcher, text: str) -> tuple[float, ...]:
    if matcher._any is not None and matcher._any.search(text) is None:
        return (0.0,) * len(matcher.topics)
    return tuple(t.hits(text) if each is None or each.search(text) else 0.0
                 for t, each in zip(matcher.topics, matcher._each))


def _either(patterns: Iterable[re.Pattern[str]]) -> re.Pattern[str] | None:
    """One pattern matching where any of ``patterns`` does (None when they cannot be
    joined, e.g. a pattern with global inline flags: then each is tried alone)."""
    try:
        return re.compile("|".join(f"(?:{p.pattern})" for p in patterns) or "(?!)", re.IGNORECASE)
    except re.error:
        return None


# --- loading ---------------------------------------------------------------------------


def builtin_rule_files() -> list[tuple[str, str]]:
    """(name, text) of every packaged rule file, in name order."""
    folder = resources.files("policydocs") / "rules"
    return sorted((f"rules/{f.name}", f.read_text(encoding="utf-8"))
                  for f in folder.iterdir() if f.name.endswith(".yml"))


def load_rules(store: Store | None = None, extra: Path | None = None) -> RuleSet:
    """Built-in rules, then the store's ``rules`` file, then ``extra``: later files add
    topics or add patterns to a topic id already defined."""
    files = builtin_rule_files()
    paths = []
    if store is not None and store.settings.rules:
        paths.append(Path(store.root) / store.settings.rules)
    if extra is not None:
        paths.append(Path(extra))
    for path in paths:
        files.append((str(path), read_text_file(path)))
    merged: dict[str, Any] = {"topics": {}, "modality": [], "kinds": {}, "contractions": {}, "stopwords": [],
                              **{key: [] for key in IGNORE_PATTERNS}}
    for name, text in files:
        _merge_rule_file(merged, safe_yaml_load(text, where=name), where=name)
    return _build(merged, tuple(name for name, _ in files))


def _merge_rule_file(merged: dict[str, Any], data: Any, *, where: str) -> None:
    if data is None:
        return
    if not isinstance(data, dict):
        raise UserError(f"{where}: a rule file is a mapping with 'topics', 'signals' and 'ignore'")
    unknown = unknown_keys(data, ("topics", "signals", "ignore"))
    if unknown:
        raise UserError(f"{where}: unknown key(s) {unknown}; use topics, signals, ignore")
    topics = data.get("topics") or []
    if not isinstance(topics, list):
        raise UserError(f"{where}: 'topics' must be a list of {{id, title, patterns}}")
    for n, topic in enumerate(topics, 1):
        if not isinstance(topic, dict) or not isinstance(topic.get("id"), str):
            raise UserError(f"{where}: topic #{n} needs an 'id' (and 'title', 'patterns')")
        entry = merged["topics"].setdefault(topic["id"], {"title": topic["id"], "patterns": [], "weak": [],
                                                          "fallback": False})
        for key in ("patterns", "weak"):
            patterns = topic.get(key) or []
            if not isinstance(patterns, list) or not all(isinstance(p, str) for p in patterns):
                raise UserError(f"{where}: topic '{topic['id']}': '{key}' must be a list of strings")
            for pattern in patterns:
                _compile(pattern, where=f"{where}: topic '{topic['id']}'")
            entry[key] += patterns
        if topic.get("title"):
            entry["title"] = str(topic["title"])
        entry["fallback"] = entry["fallback"] or bool(topic.get("fallback"))
    signals = data.get("signals") or {}
    ignore = data.get("ignore") or {}
    if not isinstance(signals, dict) or not isinstance(ignore, dict):
        raise UserError(f"{where}: 'signals' and 'ignore' must be mappings")
    merged["modality"] += [str(w).lower() for w in signals.get("modality") or []]
    kinds = signals.get("kinds") or {}
    if not isinstance(kinds, dict) or not all(isinstance(v, list) for v in kinds.values()):
        raise UserError(f"{where}: 'signals.kinds' maps a kind (negation, ...) to a list of words")
    for kind, kind_words in kinds.items():
        merged["kinds"].setdefault(str(kind), [])
        merged["kinds"][str(kind)] += [str(w).lower() for w in kind_words]
        merged["modality"] += [str(w).lower() for w in kind_words]
    merged["contractions"].update({str(k).lower(): str(v).lower()
                                   for k, v in (signals.get("contractions") or {}).items()})
    merged["stopwords"] += [str(w).lower() for w in ignore.get("stopwords") or []]
    for key in IGNORE_PATTERNS:
        if ignore.get(key):
            _compile(ignore[key], where=f"{where}: ignore.{key}")
            merged[key].append(ignore[key])


def _compile(pattern: str, *, where: str) -> re.Pattern[str]:
    try:
        return re.compile(pattern, re.IGNORECASE)
    except re.error as exc:
        raise UserError(f"{where}: bad pattern {pattern!r} ({exc}); fix the regular expression") from None


def _build(merged: dict[str, Any], sources: tuple[str, ...]) -> RuleSet:
    digest = hashlib.sha256(json.dumps(merged, sort_keys=True).encode("utf-8")).hexdigest()
    topics = tuple(
        Topic(id=tid, title=t["title"], fallback=t["fallback"],
              patterns=tuple(re.compile(p, re.IGNORECASE) for p in t["patterns"]),
              weak=tuple(re.compile(p, re.IGNORECASE) for p in t["weak"]))
        for tid, t in merged["topics"].items()
    )

    def either(patterns: list[str]) -> re.Pattern[str] | None:
        return re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE) if patterns else None

    return RuleSet(
        rules=topics, digest=digest[:16], modality=frozenset(merged["modality"]),
        signal_kinds=tuple((kind, frozenset(ws)) for kind, ws in merged["kinds"].items()),
        contractions=tuple(sorted(merged["contractions"].items())),
        stopwords=frozenset(merged["stopwords"]) - frozenset(merged["modality"]),
        **{key: either(merged[key]) for key in IGNORE_PATTERNS},
        sources=sources,
    )


# --- reading text (plain text: `policydocs.plaintext`) -----------------------------------

_SECTION_REF = re.compile(r"(?<![$€£\d.,])\b(?:[A-Z]{1,2}\.)*\d+(?:\\?\.\d+)+\b(?!\s*%)|\b(?:section|clause)\s+(?:[A-Z]\.)*\d+(?:\\?\.\d+)*\b",
                          re.IGNORECASE)
_SECTION_NUMBER = re.compile(r"(?:[A-Z]{1,2}\.)*(?:\d+\\?\.)+\d*|(?:[A-Z]{1,2}\.)+|[A-Z]\.(?:\d+\.)*")
_BREADCRUMB = re.compile(r"^\s*(?:\[[^\]]*\]\([^)]*\)\s*){2,}")
_INNER_DOT = re.compile(r"(?<=\w)\.(?=\w)")


def words(text: str, rules: RuleSet) -> list[str]:
    """The rules' words: the `plain` text, lower case, link labels out, contractions spelled
    out ("U.S." is "us"), amounts and percentages kept whole ("$5", "5%")."""
    text = plain(text).lower()
    if rules.link_label is not None:
        text = rules.link_label.sub(" ", text)
    for short, full in rules.contractions:
        text = text.replace(short, full)
    return re.findall(r"[\w$€£%]+", _INNER_DOT.sub("", text))


def numbers(tokens: Iterable[str]) -> Counter[str]:
    return Counter(t for t in tokens if any(c.isdigit() for c in t))


# --- the verdict of one change -----------------------------------------------------------


@dataclass(frozen=True)
class Delta:
    """What a change does to the words, once noise is set aside."""

    removed: Counter[str]  # content words
    added: Counter[str]
    modal_removed: Counter[str]
    modal_added: Counter[str]

    @property
    def numbers_changed(self) -> bool:
        return numbers(self.removed) != numbers(self.added)

    @property
    def modality_changed(self) -> bool:
        return bool(self.modal_removed or self.modal_added)


def word_delta(old: str, new: str, rules: RuleSet) -> Delta:
    old_words, new_words = words(old, rules), words(new, rules)
    old_c, new_c = Counter(old_words), Counter(new_words)
    removed, added = old_c - new_c, new_c - old_c

    def pick(c: Counter[str], keep) -> Counter[str]:
        return Counter({w: n for w, n in c.items() if keep(w)})

    content = lambda w: w not in rules.stopwords and w not in rules.modality  # noqa: E731
    modal = lambda w: w in rules.modality  # noqa: E731
    return Delta(pick(removed, content), pick(added, content), pick(removed, modal), pick(added, modal))


def _is_spelling_only(delta: Delta, old: str, new: str, rules: RuleSet) -> bool:
    """Joined words, plurals, tenses, typos: every removed word has a near twin added.
    A one-letter typo ("out" → "our") counts only between words no topic is about
    ("sell" → "tell" is not a typo fix)."""
    old_words, new_words = words(old, rules), words(new, rules)
    if "".join(old_words) == "".join(new_words):
        return True
    if delta.modality_changed:
        return False
    removed = list((Counter(old_words) - Counter(new_words)).elements())
    added = list((Counter(new_words) - Counter(old_words)).elements())
    if len(removed) != len(added) or any(any(c.isdigit() for c in w) for w in removed + added):
        return False
    topical = lambda w: any(h >= 1 for h in rules.matcher.hits(w))  # noqa: E731
    return all(max(fuzz.ratio(r, a) for a in added) >= 80 or any(
        len(r) >= 3 and Levenshtein.distance(r, a) <= 1 and not topical(r) and not topical(a) for a in added)
        for r in removed)


def _proper_words(text: str, context: str) -> set[str] | None:
    """The capitalised words of ``text`` when all are names (not sentence starts), else None."""
    found = set()
    for token in re.findall(r"[A-Za-z][\w·'-]*", plain(text)):
        if token.islower():
            return None
        at = plain(context).find(token)
        before = plain(context)[:at].rstrip() if at >= 0 else ""
        if (at <= 0 or before[-1:] in ".!?:*#|-•" or before.endswith("(")) and \
                re.search(rf"\b{re.escape(token.lower())}\b", plain(context)):
            return None  # a sentence start that is an ordinary word ("Users", "We")
        found.add(token.lower())
    return found


def _is_rename(change: Change, delta: Delta, rules: RuleSet) -> bool:
    """A product or company called by a new name, and nothing else changed."""
    if not (delta.removed and delta.added) or delta.modality_changed or delta.numbers_changed:
        return False
    entity = next((t for t in rules.rules if t.id == "controller-contact"), None)
    changed = f"{change.old_text} {change.new_text}"
    if entity is not None and entity.patterns and entity.patterns[0].search(changed):
        return False  # a new legal entity is a change of who you deal with
    if any(rules.matcher.hits(plain(changed))):
        return False  # "Affiliates" → "Partners" is a new recipient, not a new name
    old_names = _proper_words(change.old_text, change.old_context or change.old_text)
    new_first = plain(change.new_text).split()[:1]
    new_names = _proper_words(change.new_text, change.new_context or change.new_text) or (
        len(plain(change.new_text).split()) <= 3 and
        _proper_words(new_first[0], change.new_context or change.new_text) if new_first else None)
    return bool(old_names) and bool(new_names)


def _is_name_expansion(change: Change, delta: Delta) -> bool:
    """"Mistral" → "the Mistral AI Products": a name the text already uses, spelled out
    (or shortened), with nothing else changed."""
    if not (change.old_text and change.new_text) or delta.modality_changed or delta.numbers_changed:
        return False
    long_side, short_side, other_context = (
        (change.new_text, change.old_text, change.old_context) if len(change.new_text) > len(change.old_text)
        else (change.old_text, change.new_text, change.new_context))
    name = re.sub(r"^(?:the|a|an|our|your)\s+", "", plain(long_side), flags=re.IGNORECASE)
    short_words = set(plain(short_side).lower().split()) - {"the", "a", "an", "our", "your"}
    return (bool(name) and short_words <= set(name.lower().split())
            and all(w[:1].isupper() for w in name.split()) and name in plain(other_context))


_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)*\|?\s*$")


def _is_table_header(change: Change) -> bool:
    """A table's header row added, removed or reworded, in short cells: column titles, not terms."""
    sides = [(t, c, k) for t, c, k in ((change.old_text, change.old_context, change.old_block_kind),
                                       (change.new_text, change.new_context, change.new_block_kind)) if t.strip()]
    for text, context, kind in sides:
        cells = [c.strip() for c in text.split("|") if c.strip()]
        if not cells or any(len(c.split()) > 6 or re.search(r"[\d.;:!?]", c) for c in cells):
            return False
        if kind != "table_header" and not _beside_table_rule(cells, context):
            return False
    return bool(sides)


def _beside_table_rule(cells: list[str], context: str) -> bool:
    """Whether a row of these cells stands next to a ``| --- |`` line: a header row in
    text markdown-it reads as no table (a capture that lost the line above its rule)."""
    lines = context.splitlines()
    rows = [n for n, line in enumerate(lines) if line.lstrip().startswith("|") and all(c in line for c in cells)]
    return any(0 <= k < len(lines) and _TABLE_RULE.match(lines[k]) for n in rows[:1] for k in (n - 1, n + 1))


def _commits_to_nothing(change: Change, rules: RuleSet) -> bool:
    """Date stamps, announcements of an update, headings and navigation."""
    for context in filter(None, (change.old_context or change.old_text,
                                 change.new_context or change.new_text)):
        text = plain(context)
        short = len(text.split()) <= 20
        if rules.stamp is not None and short and rules.stamp.search(text):
            return True
        if rules.announcement is not None and rules.announcement.search(text):
            return True
        if rules.capture is not None and len(text.split()) <= 40 and \
                rules.capture.search(plain(f"{change.old_text} {change.new_text}")):
            return True  # a cookie banner or page chrome caught by the capture
    sides = _sides(change)
    return bool(sides) and all(_is_heading(c, k) or _is_navigation(c) or _is_menu(c, k) for c, k in sides)


def _sides(change: Change) -> list[tuple[str, BlockKind]]:
    """(block, what it is) of each side of a change that has one."""
    kinds = (change.old_block_kind, change.new_block_kind)
    return [(c, k) for c, k in zip((change.old_context, change.new_context), kinds) if c.strip()] or \
        [(t, k) for t, k in zip((change.old_text, change.new_text), kinds) if t.strip()]


def _is_repeat(change: Change, rules: RuleSet) -> bool:
    """A run of 5+ words added or removed that the clause still says elsewhere (a duplicate)."""
    if change.old_text and change.new_text:
        return False
    run = words(change.old_text or change.new_text, rules)
    other = words(change.new_context if change.old_text else change.old_context, rules)
    if len(run) < 5 or not other:
        return False
    return f" {' '.join(run)} " in f" {' '.join(other)} "


def _is_menu(block: str, kind: BlockKind) -> bool:
    """A menu or title line: Title Case words, no sentence punctuation, not a list or table."""
    text = plain(link_texts(block))
    tokens = re.findall(r"[^\W\d_][\w'-]*", text)
    return (len(tokens) >= 2 and kind != "list_item" and "|" not in block and not re.search(r"\d", text) and not re.search(r"[.,;:!?]", text)
            and all(t[0].isupper() or len(t) <= 3 for t in tokens))


def _is_renumbering(change: Change) -> bool:
    """"10." → "11.", "1." → "A.1.": numbering and section references, not amounts."""
    sides = [plain(t).strip(" ()") for t in (change.old_text, change.new_text)]
    if any(sides) and all(not s or _SECTION_NUMBER.fullmatch(s) for s in sides):
        return True
    if not (change.old_context and change.new_context) or not all(s.isdigit() for s in sides if s):
        return False
    old, new = (_SECTION_REF.sub(" § ", c) for c in (change.old_context, change.new_context))
    return old != change.old_context and plain(old).split() == plain(new).split()


_BOLD_TITLE = re.compile(r"(?:(?:\d+\\?\.|[A-Z]\.)+\s*)?\*\*[^*\n]+\*\*")


def _is_heading(block: str, kind: BlockKind) -> bool:
    """A short heading, or a line in bold alone used as one (``**Cookies**``)."""
    if len(plain(block).split()) > 12:
        return False
    return kind == "heading" or _BOLD_TITLE.fullmatch(block.strip()) is not None


def _is_navigation(block: str) -> bool:
    """Breadcrumbs and link bars: little text once the links are taken out."""
    if _BREADCRUMB.match(block):
        return True
    without_links = LINK.sub(" ", block)
    return bool(LINK.search(block)) and len(plain(without_links).split()) <= 6


# --- where a change sits: its clause ------------------------------------------------------

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


def judge_change(change: Change, rules: RuleSet,
                 clauses: tuple[Clause, Clause] | None = None) -> tuple[Reason, ...]:
    """The reasons a content change is material (none: it is not)."""
    if change.kind != "content" or change.type == "move":
        return ()
    if _commits_to_nothing(change, rules) or _is_renumbering(change):
        return ()
    if change.old_context and change.new_context and \
            words(change.old_context, rules) == words(change.new_context, rules):
        return ()  # the clause reads the same: only links, marks or spacing moved
    delta = word_delta(change.old_text, change.new_text, rules)
    if not (delta.removed or delta.added or delta.modality_changed):
        return ()
    if _is_spelling_only(delta, change.old_text, change.new_text, rules):
        return ()
    if _is_rename(change, delta, rules) or _is_repeat(change, rules):
        return ()
    if _is_name_expansion(change, delta) or _is_table_header(change):
        return ()
    one_side = plain(change.old_text or change.new_text)
    if not (change.old_text and change.new_text) and any(
            p is not None and p.search(one_side) for p in (rules.defined_term, rules.informational)):
        return ()
    if not (change.old_text and change.new_text) and rules.definition is not None and \
            rules.definition.search(one_side) and not delta.modality_changed and not delta.numbers_changed:
        return ()  # a definition added or dropped on its own binds no one
    if clauses is None:
        clauses = (_clause_in_context(change.old_text, change.old_context),
                   _clause_in_context(change.new_text, change.new_context))
    topics = _topics_touched(change, rules, clauses, only_modal=not (delta.removed or delta.added))
    if not topics:
        if not (delta.modality_changed or delta.numbers_changed) or rules.fallback is None:
            return ()
        topics = [rules.fallback]
    return tuple(Reason(t.id, explain(change, t, delta, rules, clauses)) for t in topics)


def _topics_touched(change: Change, rules: RuleSet, clauses: tuple[Clause, Clause], *,
                    only_modal: bool = False) -> list[Topic]:
    """Topics named by the changed words themselves, else by their clause (always the
    clause when only "may", "not", "will"... changed), else by the block around them,
    else by the headings of the section it sits in ("Retention" names what "30 → 90
    days" is about). One topic, unless a long change is strongly about several."""
    candidates, hits = rules.matcher.topics, rules.matcher.hits
    changed = plain(f"{change.old_text} \n {change.new_text}")
    texts = [plain(f"{clauses[0].text} \n {clauses[1].text}"),
             plain(f"{change.old_context} \n {change.new_context}"),
             plain(" \n ".join((*change.old_section, *change.section)))]
    if not only_modal:
        texts.insert(0, changed)
    long_change = len(changed.split()) >= LONG_CHANGE_WORDS
    for n, text in enumerate(texts):
        scored = sorted(((h, i, t) for i, (t, h) in enumerate(zip(candidates, hits(text)))),
                        key=lambda s: (-s[0], s[1]))
        scored = [(hits, t) for hits, _, t in scored if hits]
        if not scored:
            continue
        if n == 0 and not only_modal and scored[0][0] < 1 and len(texts) > 1:
            wider = [t for t, h, c in zip(candidates, hits(texts[1]), hits(changed)) if h >= 1 and c]
            if wider:  # broad changed words ("content"): let the clause say which topic
                return wider[:1]
        best = scored[0][0]
        if n == 0 and long_change:
            return [t for hits, t in scored if hits >= max(2, best / 2)][:MAX_REASONS_PER_CHANGE] or [scored[0][1]]
        return [scored[0][1]]
    return []


# --- explanations ------------------------------------------------------------------------


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
    gap1 = " " if clause.before[-1:].isspace() or clause.changed[:1].isspace() else ""
    gap2 = " " if clause.changed[-1:].isspace() or clause.after[:1].isspace() else ""
    shown = f"{kept}{gap1 if kept else ''}{changed}{gap2 if after[:around] else ''}{' '.join(after[:around])}"
    return quote(lead + shown.strip() + tail)


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
        old_f, new_f = (_figures(_SECTION_REF.sub(" ", plain(c.text))) for c in clauses)
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


# --- the stage ---------------------------------------------------------------------------


def assess(comparison: Comparison, rules: RuleSet) -> Comparison:
    """Every content change judged; editorial changes are never material."""
    clauses = clauses_of(comparison) if comparison.segments else {}
    changes = []
    for change in comparison.changes:
        reasons = judge_change(change, rules, clauses.get(change.id))
        changes.append(replace(change, material=bool(reasons), reasons=reasons))
    count = sum(c.material for c in changes)
    return replace(comparison, changes=tuple(changes), material=count > 0, verdict_basis="rules",
                   stats=replace(comparison.stats, material_changes=count),
                   computed_material=count > 0)


def apply_override(comparison: Comparison, version: Version) -> Comparison:
    """The publisher's ``material: true|false`` wins; the rules' verdict stays visible."""
    if version.material is None:
        return comparison
    return replace(comparison, material=version.material, verdict_basis="override",
                   computed_material=comparison.material,
                   override_reason=version.material_reason)
