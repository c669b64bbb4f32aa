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

import hashlib
import json
import re
from collections import Counter
from dataclasses import dataclass, replace
from importlib import resources
from pathlib import Path
from typing import Any, Iterable

from rapidfuzz import fuzz

from policydocs.compare import Change, Comparison, Reason
from policydocs.errors import UserError
from policydocs.store import Store, Version, read_text_file, safe_yaml_load

MAX_REASONS_PER_CHANGE = 3
QUOTE_WORDS = 14  # words quoted around a rule's match in a long change


@dataclass(frozen=True)
class Topic:
    """Something a change can touch, recognised by its patterns."""

    id: str
    title: str
    patterns: tuple[re.Pattern[str], ...]
    fallback: bool = False  # names changes that only flip a promise or a number

    def hits(self, text: str) -> int:
        return sum(len(p.findall(text)) for p in self.patterns)

    def first_match(self, text: str) -> re.Match[str] | None:
        found = [m for m in (p.search(text) for p in self.patterns) if m]
        return min(found, key=lambda m: m.start()) if found else None


@dataclass(frozen=True)
class RuleSet:
    """The materiality rules in force (built-in rules plus a project's own)."""

    rules: tuple[Topic, ...] = ()
    digest: str = "none"  # part of the comparison cache key
    modality: frozenset[str] = frozenset()
    contractions: tuple[tuple[str, str], ...] = ()
    stopwords: frozenset[str] = frozenset()
    stamp: re.Pattern[str] | None = None
    announcement: re.Pattern[str] | None = None
    sources: tuple[str, ...] = ()

    @property
    def fallback(self) -> Topic | None:
        return next((t for t in self.rules if t.fallback), None)


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
    merged: dict[str, Any] = {"topics": {}, "modality": [], "contractions": {}, "stopwords": [],
                              "stamp": [], "announcement": []}
    for name, text in files:
        _merge_rule_file(merged, safe_yaml_load(text, where=name), where=name)
    return _build(merged, tuple(name for name, _ in files))


def _merge_rule_file(merged: dict[str, Any], data: Any, *, where: str) -> None:
    if data is None:
        return
    if not isinstance(data, dict):
        raise UserError(f"{where}: a rule file is a mapping with 'topics', 'signals' and 'ignore'")
    unknown = sorted(set(data) - {"topics", "signals", "ignore"})
    if unknown:
        raise UserError(f"{where}: unknown key(s) {', '.join(unknown)}; use topics, signals, ignore")
    topics = data.get("topics") or []
    if not isinstance(topics, list):
        raise UserError(f"{where}: 'topics' must be a list of {{id, title, patterns}}")
    for n, topic in enumerate(topics, 1):
        if not isinstance(topic, dict) or not isinstance(topic.get("id"), str):
            raise UserError(f"{where}: topic #{n} needs an 'id' (and 'title', 'patterns')")
        patterns = topic.get("patterns") or []
        if not isinstance(patterns, list) or not all(isinstance(p, str) for p in patterns):
            raise UserError(f"{where}: topic '{topic['id']}': 'patterns' must be a list of strings")
        for pattern in patterns:
            _compile(pattern, where=f"{where}: topic '{topic['id']}'")
        entry = merged["topics"].setdefault(topic["id"], {"title": topic["id"], "patterns": [],
                                                          "fallback": False})
        if topic.get("title"):
            entry["title"] = str(topic["title"])
        entry["patterns"] += patterns
        entry["fallback"] = entry["fallback"] or bool(topic.get("fallback"))
    signals = data.get("signals") or {}
    ignore = data.get("ignore") or {}
    if not isinstance(signals, dict) or not isinstance(ignore, dict):
        raise UserError(f"{where}: 'signals' and 'ignore' must be mappings")
    merged["modality"] += [str(w).lower() for w in signals.get("modality") or []]
    merged["contractions"].update({str(k).lower(): str(v).lower()
                                   for k, v in (signals.get("contractions") or {}).items()})
    merged["stopwords"] += [str(w).lower() for w in ignore.get("stopwords") or []]
    for key in ("stamp", "announcement"):
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
              patterns=tuple(re.compile(p, re.IGNORECASE) for p in t["patterns"]))
        for tid, t in merged["topics"].items()
    )

    def either(patterns: list[str]) -> re.Pattern[str] | None:
        return re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE) if patterns else None

    return RuleSet(
        rules=topics, digest=digest[:16], modality=frozenset(merged["modality"]),
        contractions=tuple(sorted(merged["contractions"].items())),
        stopwords=frozenset(merged["stopwords"]) - frozenset(merged["modality"]),
        stamp=either(merged["stamp"]), announcement=either(merged["announcement"]),
        sources=sources,
    )


# --- reading text ------------------------------------------------------------------------

_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_URL = re.compile(r"https?://\S+|\bwww\.\S+")
_MARKUP = re.compile(r"<br\s*/?>|[*_`>#|]|\\(?=[.\[\]()*_-])|^[ \t]*[-=]{3,}[ \t]*$", re.MULTILINE)
_INNER_DOT = re.compile(r"(?<=\w)\.(?=\w)")


def plain(text: str) -> str:
    """Text as read aloud: link texts without targets, no Markdown marks, straight quotes."""
    text = _LINK.sub(r"\1", text)
    text = _URL.sub(" ", text)
    text = _MARKUP.sub(" ", text)
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("\u201c", '"').replace("\u201d", '"')
    return re.sub(r"\s+", " ", text).strip()


def words(text: str, rules: RuleSet) -> list[str]:
    """Lower-case word tokens with contractions spelled out ("U.S." is "us")."""
    text = plain(text).lower()
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
    """Joined words, plurals, tenses, typos: every removed word has a near twin added."""
    if "".join(words(old, rules)) == "".join(words(new, rules)):
        return True
    removed, added = list(delta.removed.elements()), list(delta.added.elements())
    if len(removed) != len(added) or any(any(c.isdigit() for c in w) for w in removed + added):
        return False
    return all(max(fuzz.ratio(r, a) for a in added) >= 80 for r in removed)


def _proper_words(text: str, context: str) -> set[str] | None:
    """The capitalised words of ``text`` when all are names (not sentence starts), else None."""
    found = set()
    for token in re.findall(r"[A-Za-z][\w·'-]*", plain(text)):
        if not token[0].isupper():
            return None
        at = plain(context).find(token)
        before = plain(context)[:at].rstrip() if at >= 0 else ""
        if at <= 0 or before[-1:] in ".!?:*#|-•" or before.endswith("("):
            return None
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
    old_names = _proper_words(change.old_text, change.old_context or change.old_text)
    new_names = _proper_words(change.new_text, change.new_context or change.new_text)
    return bool(old_names) and bool(new_names)


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
    contexts = [c for c in (change.old_context, change.new_context) if c.strip()] or \
               [c for c in (change.old_text, change.new_text) if c.strip()]
    return bool(contexts) and all(_is_heading(c) or _is_navigation(c) for c in contexts)


def _is_heading(block: str) -> bool:
    lines = [line for line in block.strip().splitlines() if line.strip()]
    if not lines or len(plain(block).split()) > 12:
        return False
    first = lines[0].strip()
    return (first.startswith("#") or (len(lines) == 2 and re.fullmatch(r"[-=]{3,}", lines[1].strip()) is not None)
            or re.fullmatch(r"\*\*[^*]+\*\*", first) is not None and len(lines) == 1)


def _is_navigation(block: str) -> bool:
    """Breadcrumbs and link bars: little text once the links are taken out."""
    without_links = _LINK.sub(" ", block)
    return bool(_LINK.search(block)) and len(plain(without_links).split()) <= 6


def judge_change(change: Change, rules: RuleSet) -> tuple[Reason, ...]:
    """The reasons a content change is material (none: it is not)."""
    if change.kind != "content" or change.type == "move":
        return ()
    if _commits_to_nothing(change, rules):
        return ()
    delta = word_delta(change.old_text, change.new_text, rules)
    if not (delta.removed or delta.added or delta.modality_changed):
        return ()
    if not delta.modality_changed and _is_spelling_only(delta, change.old_text, change.new_text, rules):
        return ()
    if _is_rename(change, delta, rules):
        return ()
    topics = _topics_touched(change, rules)
    if not topics:
        if not (delta.modality_changed or delta.numbers_changed) or rules.fallback is None:
            return ()
        topics = [rules.fallback]
    return tuple(Reason(t.id, explain(change, t, delta)) for t in topics)


def _topics_touched(change: Change, rules: RuleSet) -> list[Topic]:
    """Topics named by the changed words themselves, else by the clause around them."""
    candidates = [t for t in rules.rules if not t.fallback]
    for text in (plain(f"{change.old_text} \n {change.new_text}"),
                 plain(f"{change.old_context} \n {change.new_context}")):
        scored = sorted(((t.hits(text), n, t) for n, t in enumerate(candidates)),
                        key=lambda s: (-s[0], s[1]))
        found = [t for hits, _, t in scored if hits][:MAX_REASONS_PER_CHANGE]
        if found:
            return found
    return []


# --- explanations ------------------------------------------------------------------------


def quote(text: str, limit: int = 110) -> str:
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


def explain(change: Change, topic: Topic, delta: Delta) -> str:
    """One plain sentence: the topic, what changed (quoted), the signals, where."""
    old, new = plain(change.old_text), plain(change.new_text)
    long_change = len(old.split()) + len(new.split()) > 2 * QUOTE_WORDS
    old_q = _window(change.old_text, topic) if long_change and old else quote(old)
    new_q = _window(change.new_text, topic) if long_change and new else quote(new)
    if old and new:
        what = f"changed from “{old_q}” to “{new_q}”"
    elif new:
        what = f"added “{new_q}”"
    else:
        what = f"removed “{old_q}”"
    signals = []
    if delta.modality_changed:
        gone = ", ".join(sorted(delta.modal_removed)) or "—"
        came = ", ".join(sorted(delta.modal_added)) or "—"
        signals.append(f"obligation words changed ({gone} → {came})")
    if delta.numbers_changed:
        signals.append("numbers changed ("
                       + (", ".join(sorted(numbers(delta.removed))) or "—") + " → "
                       + (", ".join(sorted(numbers(delta.added))) or "—") + ")")
    where = f" in “{' › '.join(change.section)}”" if change.section else ""
    extra = f"; {'; '.join(signals)}" if signals else ""
    return f"{topic.title}: {what}{extra}{where}"


# --- the stage ---------------------------------------------------------------------------


def assess(comparison: Comparison, rules: RuleSet) -> Comparison:
    """Every content change judged; editorial changes are never material."""
    changes = []
    for change in comparison.changes:
        reasons = judge_change(change, rules)
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
