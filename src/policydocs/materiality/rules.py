"""The rules in force: topics, signals and noise checks read from the rule files (data),
compiled once per rule set; the rules' view of words."""

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

import re2

from policydocs.errors import UserError
from policydocs.memo import memoised
from policydocs.plaintext import plain
from policydocs.store import Store, read_text_file, safe_yaml_load, unknown_keys

MAX_REASONS_PER_CHANGE = 3  # only a long change touching several topics gets more than one
LONG_CHANGE_WORDS = 25  # a change this long may be about several topics at once
WEAK_HIT = 0.4
# `ignore:` patterns of round-1 rule files: each is now the pattern of the noise check of
# the same name (link_label is a text cleaner, not a check)
IGNORE_PATTERNS = ("stamp", "announcement", "link_label", "defined_term", "informational", "capture",
                   "definition")
NOISE_KEYS = ("check", "off", "patterns", "words", "why")
QUOTE_WORDS = 14  # words quoted around a rule's match in a long change
# bump whenever the checks' code may judge the same rules differently: it is part of the
# rules' digest, so cached verdicts made by older checks are not reused
JUDGE_VERSION = "2"


@dataclass(frozen=True)
class Topic:
    """Something a change can touch, recognised by its patterns."""

    id: str
    title: str
    patterns: tuple[re.Pattern[str], ...]
    fallback: bool = False  # names changes that only flip a promise or a number
    entries: bool = False  # names an entry (a party, place, product, domain) added to or dropped from a list
    weak: tuple[re.Pattern[str], ...] = ()  # broad words: enough to decide, weak to name a topic

    def hits(self, text: str) -> float:
        """Strong matches count 1, weak ones ``WEAK_HIT``: "train" names training better than "outputs"."""
        return (sum(len(p.findall(text)) for p in self.patterns)
                + WEAK_HIT * sum(len(p.findall(text)) for p in self.weak))

    def first_match(self, text: str) -> re.Match[str] | None:
        found = [m for m in (p.search(text) for p in (*self.patterns, *self.weak)) if m]
        return min(found, key=lambda m: m.start()) if found else None


@dataclass(frozen=True)
class NoiseSpec:
    """One noise check as the rule files declare it: its name (the check of that name in
    `policydocs.materiality.noise`), whether a project switched it off, its pattern and
    its word list (what the check looks for, as data)."""

    name: str
    off: bool = False
    pattern: re.Pattern[str] | None = None
    words: frozenset[str] = frozenset()
    pairs: tuple[tuple[str, str], ...] = ()  # "short: long" entries of `words`, as pairs


@dataclass(frozen=True)
class RuleSet:
    """The materiality rules in force (built-in rules plus a project's own)."""

    rules: tuple[Topic, ...] = ()
    digest: str = "none"  # part of the comparison cache key
    modality: frozenset[str] = frozenset()
    signal_kinds: tuple[tuple[str, frozenset[str]], ...] = ()  # ("negation", {"not", ...}), ...
    contractions: tuple[tuple[str, str], ...] = ()
    stopwords: frozenset[str] = frozenset()
    link_label: re.Pattern[str] | None = None
    noise: tuple[NoiseSpec, ...] = ()  # the noise checks in force, in order
    sources: tuple[str, ...] = ()

    def noise_check(self, name: str) -> NoiseSpec | None:
        """The declaration of the noise check ``name`` when it is on."""
        return next((n for n in self.noise if n.name == name and not n.off), None)

    def with_words(self, check: str, added: Iterable[str]) -> "RuleSet":
        """These rules with ``added`` words for one noise check (as a project's rules file
        would add them): the evaluation gives each case its publisher's own names."""
        added = frozenset(w.lower() for w in added)
        noise = tuple(replace(spec, words=spec.words | added) if spec.name == check else spec
                      for spec in self.noise)
        digest = hashlib.sha256(f"{self.digest} {check} {sorted(added)}".encode("utf-8")).hexdigest()[:16]
        return replace(self, noise=noise, digest=digest)

    @property
    def fallback(self) -> Topic | None:
        return next((t for t in self.rules if t.fallback), None)

    @property
    def entries(self) -> Topic | None:
        return next((t for t in self.rules if t.entries), None)

    @functools.cached_property
    def matcher(self) -> TopicMatcher:
        """The topics (all but the fallback) compiled for one pass over a text."""
        return TopicMatcher(tuple(t for t in self.rules if not (t.fallback or t.entries)))


class TopicMatcher:
    """Which topics a text touches, and how strongly (`Topic.hits`), for all topics at
    once. The patterns RE2 reads as `re` does (`fast_pattern`) form one RE2 set: one
    linear-time pass over a text says which of them occur, and only those are counted
    (a topic's hits are counts per pattern, which one pass cannot give). The others (a
    project's lookbehind, ``\\s``, ``\\d``, non-ASCII) stay on `re`, behind one
    alternation. Results are remembered per text: the changes of one block ask about
    the same block and clause texts again."""

    def __init__(self, topics: tuple[Topic, ...]) -> None:
        self.topics = topics
        slots = [(n, weak, p) for n, t in enumerate(topics)
                 for weak, ps in ((False, t.patterns), (True, t.weak)) for p in ps]
        fast = [(slot, fast_pattern(slot[2])) for slot in slots]
        self._fast = tuple((n, weak, counter) for (n, weak, _), counter in fast if counter is not None)
        self._slow = tuple((n, weak, p) for (n, weak, p), counter in fast if counter is None)
        self._slow_any = _either(p for *_, p in self._slow)
        self._set = _re2_set([counter.pattern for *_, counter in self._fast])

    def hits(self, text: str) -> tuple[float, ...]:
        """`Topic.hits` of every topic, in order."""
        return _topic_hits(self, text)

    def touched(self, text: str) -> list[Topic]:
        """The topics with at least one hit."""
        return [t for t, h in zip(self.topics, self.hits(text)) if h]


@memoised("materiality: topic hits", 4096)
def _topic_hits(matcher: TopicMatcher, text: str) -> tuple[float, ...]:
    strong, weak = [0] * len(matcher.topics), [0] * len(matcher.topics)
    if matcher._set is not None:
        data = text.encode("utf-8", "surrogatepass")
        for i in matcher._set.Match(data) or ():
            n, is_weak, counter = matcher._fast[i]
            (weak if is_weak else strong)[n] += counter.count(data)
    if matcher._slow and (matcher._slow_any is None or matcher._slow_any.search(text)):
        for n, is_weak, pattern in matcher._slow:
            (weak if is_weak else strong)[n] += len(pattern.findall(text))
    return tuple(s + WEAK_HIT * w for s, w in zip(strong, weak))


class _Re2Counter:
    """One pattern on RE2, counting its matches as ``len(re.findall(...))`` does
    (leftmost-first, not overlapping), on UTF-8 bytes read once per text."""

    def __init__(self, pattern: bytes) -> None:
        self.pattern = pattern
        self._regexp = re2._re2.RE2(pattern, _RE2_CASELESS)

    def count(self, data: bytes) -> int:
        found, at, end = 0, 0, len(data)
        while at <= end:
            (start, stop), = self._regexp.Match(_UNANCHORED, data, at, end)
            if start < 0:
                break
            found += 1
            at = stop
        return found


# RE2 reads these differently from `re` (ASCII-only classes, "$" before a final newline,
# lookarounds, back references, non-ASCII letters, "{,n}" read as text)
_RE2_DIFFERS = re.compile(r"\\[wWsSdDBAZ1-9]|\$|[^\x00-\x7f]|\(\?[<=!P#]|\{,")


@memoised("materiality: fast patterns", 1024)
def fast_pattern(pattern: re.Pattern[str]) -> _Re2Counter | None:
    """``pattern`` compiled by RE2 when RE2 finds the same matches, else None. RE2's
    ``\\b`` is ASCII: next to a pattern's ASCII letters it marks a boundary wherever
    `re` does, so only case-blind patterns (every topic pattern is) without Unicode
    classes, lookarounds, back references, "$" or non-ASCII characters qualify, and
    none that matches an empty text (counting would differ)."""
    if not pattern.flags & re.IGNORECASE or _RE2_DIFFERS.search(pattern.pattern) or pattern.fullmatch(""):
        return None
    try:
        return _Re2Counter(_without_groups(pattern.pattern).encode("ascii"))
    except re2.error:
        return None


def _without_groups(pattern: str) -> str:
    """``pattern`` with every capturing group made non-capturing: counting needs only
    where a match starts and ends, and RE2 finds that fastest with no groups to fill."""
    out, i, in_class = [], 0, False
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\":
            out.append(pattern[i:i + 2])
            i += 2
            continue
        if in_class:
            in_class = ch != "]"
        elif ch == "[":
            in_class = True
            opening = "[^" if pattern[i + 1:i + 2] == "^" else "["
            if pattern[i + len(opening):i + len(opening) + 1] == "]":
                opening += "]"  # a "]" first in a class is one of its characters
            out.append(opening)
            i += len(opening)
            continue
        elif ch == "(" and pattern[i + 1:i + 2] != "?":
            out.append("(?:")
            i += 1
            continue
        out.append(ch)
        i += 1
    return "".join(out)


def _re2_set(patterns: list[bytes]):
    """One RE2 set of ``patterns`` (None for none): which of them occur, in one pass."""
    if not patterns:
        return None
    found = re2._re2.Set(_UNANCHORED, _RE2_CASELESS)
    for pattern in patterns:
        if found.Add(pattern) < 0:
            raise re2.error(f"RE2 set refused {pattern!r}")
    if not found.Compile():
        raise re2.error("RE2 set did not compile")
    return found


_RE2_CASELESS = re2.Options()
_RE2_CASELESS.case_sensitive = False
_UNANCHORED = re2._Anchor.UNANCHORED  # the binding's search mode (its Python wrapper names it)


def _either(patterns: Iterable[re.Pattern[str]]) -> re.Pattern[str] | None:
    """One pattern matching where any of ``patterns`` does (None when they cannot be
    joined, e.g. a pattern with global inline flags: then each is tried alone)."""
    patterns = list(patterns)
    if not patterns:
        return None
    try:
        return re.compile("|".join(f"(?:{p.pattern})" for p in patterns), re.IGNORECASE)
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
                              "link_label": [], "noise": {}}
    for name, text in files:
        _merge_rule_file(merged, safe_yaml_load(text, where=name), where=name)
    return _build(merged, tuple(name for name, _ in files))


def _merge_rule_file(merged: dict[str, Any], data: Any, *, where: str) -> None:
    if data is None:
        return
    if not isinstance(data, dict):
        raise UserError(f"{where}: a rule file is a mapping with 'topics', 'signals' and 'ignore'")
    unknown = unknown_keys(data, ("topics", "signals", "ignore", "noise"))
    if unknown:
        raise UserError(f"{where}: unknown key(s) {unknown}; use topics, signals, ignore, noise")
    _merge_noise(merged["noise"], data.get("noise"), where=where)
    topics = data.get("topics") or []
    if not isinstance(topics, list):
        raise UserError(f"{where}: 'topics' must be a list of {{id, title, patterns}}")
    for n, topic in enumerate(topics, 1):
        if not isinstance(topic, dict) or not isinstance(topic.get("id"), str):
            raise UserError(f"{where}: topic #{n} needs an 'id' (and 'title', 'patterns')")
        entry = merged["topics"].setdefault(topic["id"], {"title": topic["id"], "patterns": [], "weak": [],
                                                          "fallback": False, "entries": False})
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
        entry["entries"] = entry["entries"] or bool(topic.get("entries"))
    signals = data.get("signals") or {}
    ignore = data.get("ignore") or {}
    if not isinstance(signals, dict) or not isinstance(ignore, dict):
        raise UserError(f"{where}: 'signals' and 'ignore' must be mappings")
    merged["modality"] += _word_list(signals.get("modality"), f"{where}: signals.modality")
    kinds = signals.get("kinds") or {}
    if not isinstance(kinds, dict) or not all(isinstance(v, list) for v in kinds.values()):
        raise UserError(f"{where}: 'signals.kinds' maps a kind (negation, ...) to a list of words")
    for kind, kind_words in kinds.items():
        merged["kinds"].setdefault(str(kind), [])
        kind_words = _word_list(kind_words, f"{where}: signals.kinds.{kind}")
        merged["kinds"][str(kind)] += kind_words
        merged["modality"] += kind_words
    merged["contractions"].update({str(k).lower(): str(v).lower()
                                   for k, v in (signals.get("contractions") or {}).items()})
    merged["stopwords"] += _word_list(ignore.get("stopwords"), f"{where}: ignore.stopwords")
    for key in IGNORE_PATTERNS:
        if ignore.get(key):
            _compile(ignore[key], where=f"{where}: ignore.{key}")
            if key == "link_label":
                merged[key].append(ignore[key])
            else:  # a round-1 file: the pattern of the noise check of that name
                merged["noise"].setdefault(key, _new_noise())["patterns"].append(ignore[key])


def _word_list(values: Any, where: str) -> list[str]:
    """A list of words, lower case. YAML reads a bare ``no``, ``on``, ``off`` or ``yes`` as
    true/false: such a word would silently stop being a word, so it is refused."""
    values = values or []
    if not isinstance(values, list):
        raise UserError(f"{where}: must be a list of words")
    for value in values:
        if isinstance(value, bool):
            raise UserError(f"{where}: a word was read as {str(value).lower()} (YAML reads bare no, on, off, "
                            f"yes that way); put it in quotes, e.g. 'no'")
        if not isinstance(value, (str, int, float)):
            raise UserError(f"{where}: {value!r} is not a word; give a list of words")
    return [str(v).lower() for v in values]


def _new_noise() -> dict[str, Any]:
    return {"off": False, "patterns": [], "words": []}


def _merge_noise(merged: dict[str, Any], entries: Any, *, where: str) -> None:
    """Noise checks in declaration order; a later file switches one off (``off: true``)
    or adds patterns and words to it. Names are checked against the registry when the
    rule set is built."""
    if entries is None:
        return
    if not isinstance(entries, list):
        raise UserError(f"{where}: 'noise' must be a list of {{check, off, patterns, words}}")
    for n, entry in enumerate(entries, 1):
        if not isinstance(entry, dict) or not isinstance(entry.get("check"), str):
            raise UserError(f"{where}: noise entry #{n} needs a 'check' (the name of a noise check)")
        unknown = unknown_keys(entry, NOISE_KEYS)
        if unknown:
            raise UserError(f"{where}: noise check '{entry['check']}': unknown key(s) {unknown}; "
                            f"use {', '.join(NOISE_KEYS)}")
        spec = merged.setdefault(entry["check"], _new_noise())
        spec["off"] = bool(entry.get("off", spec["off"]))
        for key in ("patterns", "words"):
            values = entry.get(key) or []
            if key == "words" and isinstance(values, list) and any(isinstance(v, bool) for v in values):
                _word_list(values, f"{where}: noise check '{entry['check']}': words")
            if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
                raise UserError(f"{where}: noise check '{entry['check']}': '{key}' must be a list of strings")
            if key == "patterns":
                for pattern in values:
                    _compile(pattern, where=f"{where}: noise check '{entry['check']}'")
            spec[key] += values


def _pair(entry: str) -> tuple[str, str]:
    short, _, full = entry.partition(":")
    return short.strip().lower(), full.strip().lower()


def _compile(pattern: str, *, where: str) -> re.Pattern[str]:
    try:
        return re.compile(pattern, re.IGNORECASE)
    except re.error as exc:
        raise UserError(f"{where}: bad pattern {pattern!r} ({exc}); fix the regular expression") from None


def _build(merged: dict[str, Any], sources: tuple[str, ...]) -> RuleSet:
    digest = hashlib.sha256(f"{JUDGE_VERSION}\0{json.dumps(merged, sort_keys=True)}".encode("utf-8")).hexdigest()
    topics = tuple(
        Topic(id=tid, title=t["title"], fallback=t["fallback"], entries=t.get("entries", False),
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
        link_label=either(merged["link_label"]),
        noise=tuple(NoiseSpec(name=name, off=spec["off"], pattern=either(spec["patterns"]),
                              words=frozenset(w.lower() for w in spec["words"] if ":" not in w),
                              pairs=tuple(_pair(w) for w in spec["words"] if ":" in w))
                    for name, spec in merged["noise"].items()),
        sources=sources,
    )


# --- reading text (plain text: `policydocs.plaintext`) -----------------------------------

_SECTION_REF = re.compile(r"(?<![$€£\d.,])\b(?:[A-Z]{1,2}\.)*\d+(?:\\?\.\d+)+\b(?!\s*%)"
                          r"|\b(?:sections?|clauses?)\s+(?:[A-Z]\.)*\d+(?:\\?\.\d+)*\b"
                          r"(?:\s*(?:,|and|or|to|through|-|–)\s*(?:[A-Z]\.)*\d+(?:\\?\.\d+)*\b)*",
                          re.IGNORECASE)
_SECTION_NUMBER = re.compile(r"(?:[A-Z]{1,2}\.)*(?:\d+\\?\.)+\d*|(?:[A-Z]{1,2}\.)+|[A-Z]\.(?:\d+\.)*")
_BREADCRUMB = re.compile(r"^\s*(?:\[[^\]]*\]\([^)]*\)\s*){2,}")
_INNER_DOT = re.compile(r"(?<=\w)\.(?=\w)")


def words(text: str, rules: RuleSet) -> list[str]:
    """The rules' words: the `plain` text, lower case, link labels out, contractions spelled
    out ("U.S." is "us"), amounts and percentages kept whole ("$5", "5%"). A new list each
    call (callers may change it); the reading is remembered per text."""
    return list(_rule_words(text, rules.link_label, rules.contractions))


def same_reading(a: str, b: str, rules: RuleSet) -> bool:
    """Whether two texts read the same words (without copying the remembered readings)."""
    return _rule_words(a, rules.link_label, rules.contractions) == _rule_words(b, rules.link_label, rules.contractions)


_RULE_WORD = re.compile(r"[\w$€£%]+")


@memoised("materiality: rule words", 8192)
def _rule_words(text: str, link_label: re.Pattern[str] | None,
                contractions: tuple[tuple[str, str], ...]) -> tuple[str, ...]:
    text = plain(text).lower()
    if link_label is not None:
        text = link_label.sub(" ", text)
    for short, full in contractions:
        if short in text:
            text = text.replace(short, full)
    return tuple(_RULE_WORD.findall(_INNER_DOT.sub("", text)))


_ASCII_FIGURE = re.compile(r"\S*[0-9]\S*")


def numbers(tokens: Iterable[str]) -> Counter[str]:
    """The tokens holding a digit (``str.isdigit``: "²" counts too). Tokens never hold a
    space, so ASCII ones are found in one pass over them joined."""
    tokens = list(tokens)
    joined = " ".join(tokens)
    if joined.isascii():
        return Counter(_ASCII_FIGURE.findall(joined))
    return Counter(t for t in tokens if any(c.isdigit() for c in t))


# --- the verdict of one change -----------------------------------------------------------


@dataclass(frozen=True)
class Delta:
    """What a change does to the words, once noise is set aside."""

    removed: Counter[str]  # content words
    added: Counter[str]
    modal_removed: Counter[str]
    modal_added: Counter[str]

    @functools.cached_property
    def numbers_changed(self) -> bool:  # (read by most checks: computed once)
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
