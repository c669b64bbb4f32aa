"""The noise checks: one ordered list of small, named tests that a change does not
matter, declared in the rule files (``rules/noise.yml``: name, order, patterns, words),
like git's diffcore transforms. The first check that holds makes a change editorial and
names its kind, the kind the site shows. A project switches one off or adds a pattern
in its own rules file, without touching code.

Each check is a function of a change and what is known around it (`Evidence`: its
clauses, its word delta, the whole document's `DocumentEvidence`) and the check's own
declaration (`NoiseSpec`); its docstring says why calling such a change noise is safe.
Missing a material change is the worst error, so a check holds only when the change
keeps every figure, promise word and topic the rules know.
"""

from __future__ import annotations

import functools
import html
import os
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Callable

from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

from policydocs.compare import BlockKind, Change, Comparison
from policydocs.materiality.clauses import Clause, change_spans
from policydocs.materiality.lexicon import is_common_word, is_misspelling
from policydocs.materiality.rules import _SECTION_NUMBER, _SECTION_REF, _BREADCRUMB, Delta, NoiseSpec, RuleSet, \
    same_reading, word_delta, words
from policydocs.memo import memoised
from policydocs.plaintext import LINK, link_texts, plain

NoiseCheck = Callable[["Evidence", NoiseSpec], bool]
CHECKS: dict[str, NoiseCheck] = {}  # the registry: name → check (filled by @check below)


def check(name: str) -> Callable[[NoiseCheck], NoiseCheck]:
    """Register a noise check under the name the rule files use."""
    def register(fn: NoiseCheck) -> NoiseCheck:
        CHECKS[name] = fn
        return fn
    return register


OWNS_LOOKS = 50  # mentions of a name read to find it presented as the publisher's own
SHORT_BLOCK_CHARS = 600  # headings, menus, link bars and announcement notes are shorter


class DocumentEvidence:
    """What only the whole comparison shows: substitutions made the same way in several
    places (a rename), the words each body uses (is an old term gone everywhere? does
    the publisher name itself?). Body-wide figures are computed on first use: most
    comparisons never need them."""

    def __init__(self, comparison: Comparison | None = None, rules: RuleSet | None = None) -> None:
        self.comparison, self.rules = comparison, rules
        self._owned: dict[str, bool] = {}
        found: Counter[tuple[str, str]] = Counter()
        for change in comparison.changes if comparison is not None and rules is not None else ():
            key = _substitution(change, rules)
            if key is not None:
                found[key] += 1
        self.substitutions = found

    def _words(self, body: str) -> list[str]:
        return words(_as_text(_visible_text(body)), self.rules) if self.rules is not None else []

    @functools.cached_property
    def old_words(self) -> list[str]:
        return self._words(self.comparison.old_body()) if self.comparison is not None else []

    @functools.cached_property
    def new_words(self) -> list[str]:
        return self._words(self.comparison.new_body()) if self.comparison is not None else []

    @functools.cached_property
    def new_text(self) -> str:
        """The new body's words, space-joined with a space at each end."""
        return f" {' '.join(self.new_words)} "

    @functools.cached_property
    def old_text(self) -> str:
        """The old body's words, space-joined with a space at each end."""
        return f" {' '.join(self.old_words)} "

    @functools.cached_property
    def old_counts(self) -> Counter[str]:
        """How often each word occurs in the old body."""
        return Counter(self.old_words)

    @functools.cached_property
    def same_words(self) -> bool:
        """Both bodies read the same words in the same order (the whole bodies are read
        only when the changes delete and insert the same words)."""
        c = self.comparison
        if c is None:
            return False
        deleted, inserted = Counter(), Counter()
        for change in c.changes:
            deleted.update(self._words(change.old_text))
            inserted.update(self._words(change.new_text))
        return deleted == inserted and self.old_words == self.new_words

    @functools.cached_property
    def _spans(self) -> dict[str, tuple[int, int, int, int]]:
        return change_spans(self.comparison) if self.comparison is not None else {}

    @functools.cached_property
    def _front_matter_ends(self) -> tuple[int, int]:
        c = self.comparison
        return (front_matter_end(c.old_body()), front_matter_end(c.new_body())) if c is not None else (0, 0)

    def in_front_matter(self, change: Change) -> bool:
        """Whether the change lies wholly in the source's front matter (a ``---`` block of
        ``key: value`` lines at the very top), on each side that has text."""
        span = self._spans.get(change.id)
        if span is None:
            return False
        (o1, o2, n1, n2), (old_end, new_end) = span, self._front_matter_ends
        return (old_end or new_end) > 0 and (o1 == o2 or o2 <= old_end) and (n1 == n2 or n2 <= new_end)

    def owns(self, name: str) -> bool:
        """Whether the old text presents ``name`` as the publisher's own somewhere: "our
        … <name>" (no party word between) or "we provide <name>". Asked once per name;
        the first ``OWNS_LOOKS`` mentions are read."""
        if name not in self._owned:
            self._owned[name] = self._find_owned(name)
        return self._owned[name]

    def _find_owned(self, name: str) -> bool:
        if self.comparison is None or not name.strip():
            return False
        body = self.plain_old
        for n, match in enumerate(re.finditer(rf"\b{re.escape(name)}\b", body)):
            if n >= OWNS_LOOKS:
                break
            if _ours(Clause(body[max(0, match.start() - 200):match.start()], name, "")):
                return True
        return False

    @functools.cached_property
    def plain_old(self) -> str:
        return plain(self.comparison.old_body()) if self.comparison is not None else ""

    @functools.cached_property
    def own_names(self) -> re.Pattern[str] | None:
        """The publisher's own names: those its rules declare (check ``own-name``, words)
        and those the old text defines as "we" ("Basecamp, LLC ("we", "us")"), each with
        an optional version number ("Basecamp 3"). None when none is known."""
        spec = self.rules.noise_check("own-name") if self.rules is not None else None
        names = set(spec.words) if spec is not None else set()
        if self.comparison is not None:
            body = self.comparison.old_body()
            for quoted in _AS_WE.finditer(body):  # rare: only the text before each is read
                lead = plain(body[max(0, quoted.start() - 200):quoted.end()])
                for m in _DEFINED_AS_WE.finditer(lead):
                    names |= {m.group(1).lower(), _LEGAL_FORM.sub("", m.group(1)).lower()}
        names = {n.strip() for n in names if n.strip()}
        if not names:
            return None
        alternatives = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
        return re.compile(rf"(?<![\w.@])(?:{alternatives})(?:\.[a-z]{{2,6}}\b)?(?:{_VERSION})?(?![\w@]|\.\w)",
                          re.IGNORECASE)

    def is_own(self, word: str) -> bool:
        """Whether ``word`` is (a word of) one of the publisher's own names."""
        return self.own_names is not None and self.own_names.fullmatch(word) is not None

    def says(self, side: str, text: str) -> bool:
        """Whether the ``side`` ("old" or "new") body holds ``text`` as it is written."""
        if self.comparison is None:
            return False
        return text in (self.comparison.old_body() if side == "old" else self.comparison.new_body())


# "Acme Inc. ("Acme", "we", "us")": the name a policy gives itself
_DEFINED_AS_WE = re.compile(r"\b([A-Z][\w.&'-]*(?:,?\s+[A-Z][\w.&'-]*){0,4})\s*\((?:[^()]{0,40}?)"
                            r"[\"“'‘](?:we|us|our)[\"”'’]")
_AS_WE = re.compile(r"\([^()\n]{0,60}?[\"“'‘](?:we|us|our)[\"”'’]", re.IGNORECASE)
_LEGAL_FORM = re.compile(r",?\s+(?:LLC|L\.L\.C\.|Inc\.?|Ltd\.?|Limited|GmbH|Corp\.?|Corporation|PBC|S\.A\.|"
                         r"B\.V\.|SAS|AG|plc|LLP|Co\.)$", re.IGNORECASE)
# a product's version after its name ("Basecamp 3"), not a figure ("Basecamp 30 days")
_VERSION = (r"\s+v?\d{1,2}(?:\.\d{1,2})?\b(?!\s*(?:%|percent|days?|weeks?|months?|years?|hours?|"
            r"minutes?|business|calendar))")


@dataclass
class Evidence:
    """One change with what its checks read: computed once, shared by every check."""

    change: Change
    rules: RuleSet
    clauses: tuple[Clause, Clause]
    document: DocumentEvidence = field(default_factory=DocumentEvidence)

    @functools.cached_property
    def delta(self) -> Delta:
        return word_delta(self.change.old_text, self.change.new_text, self.rules)

    @functools.cached_property
    def changed_words(self) -> tuple[list[str], list[str]]:
        """The words removed and the words added, with repeats (a multiset difference)."""
        old_words, new_words = words(self.change.old_text, self.rules), words(self.change.new_text, self.rules)
        return (list((Counter(old_words) - Counter(new_words)).elements()),
                list((Counter(new_words) - Counter(old_words)).elements()))

    @functools.cached_property
    def clause_topics(self) -> frozenset[str]:
        """The ids of the topics the change's clause (old and new) names by a strong pattern."""
        old, new = self.clauses
        hits = self.rules.matcher.hits(plain(f"{old.text} \n {new.text}"))
        return frozenset(t.id for t, h in zip(self.rules.matcher.topics, hits) if h >= 1)

    @functools.cached_property
    def keeps_promises(self) -> bool:
        """No promise word (may, not, will...) and no figure changed."""
        return not (self.delta.modality_changed or self.delta.numbers_changed)

    @functools.cached_property
    def topical(self) -> bool:
        """The changed words themselves name a topic the rules know by a strong pattern
        (a broad word such as "services" or "apps" alone does not)."""
        c = self.change
        return any(h >= 1 for h in self.rules.matcher.hits(plain(f"{c.old_text} \n {c.new_text}")))


def first_noise(evidence: Evidence) -> str | None:
    """The name of the first noise check in force that holds for the change, or None."""
    for spec in evidence.rules.noise:
        if not spec.off and CHECKS[spec.name](evidence, spec):
            return spec.name
    return None


def unknown_checks(rules: RuleSet) -> list[str]:
    return [spec.name for spec in rules.noise if spec.name not in CHECKS]


_FENCE_LINE = re.compile(r"(?:---|\+\+\+)[ \t]*\r?\n")
_YAML_LINE = re.compile(r"(?:[ \t]*[\w.-]+[ \t]*[:=](?:[ \t].*)?|[ \t]+\S.*|[ \t]*-[ \t].*|[ \t]*#.*|[ \t]*)\r?\n?")


def front_matter_end(body: str) -> int:
    """Where the front matter at the top of a source ends (0: none): after its closing
    fence, or, in an excerpt that cut it, after its last ``key: value`` line."""
    fence = _FENCE_LINE.match(body)
    if fence is None:
        return 0
    at = fence.end()
    while at < len(body):
        closing = _FENCE_LINE.match(body, at)
        if closing is not None or body.startswith(("---", "+++"), at):
            return closing.end() if closing is not None else len(body)
        line = _YAML_LINE.match(body, at)
        if line is None or line.end() == at:
            return at if at > fence.end() else 0
        at = line.end()
    return at


def document_evidence(comparison: Comparison, rules: RuleSet) -> DocumentEvidence:
    """The evidence of a whole comparison, for the checks that need it."""
    return DocumentEvidence(comparison, rules)


def _substitution(change: Change, rules: RuleSet) -> tuple[str, str] | None:
    if change.kind != "content" or change.type != "replace" or not (change.old_text and change.new_text):
        return None
    content = lambda text: [w for w in words(text, rules) if w not in rules.stopwords]  # noqa: E731
    old, new = content(change.old_text), content(change.new_text)
    if not old or not new or len(old) > 4 or len(new) > 4:
        return None
    if any(any(ch.isdigit() for ch in w) for w in old + new) or (set(old + new) & rules.modality):
        return None
    return " ".join(old), " ".join(new)


# --- decided by compare --------------------------------------------------------------------


def _compare_said(name: str) -> NoiseCheck:
    def decided(ev: Evidence, spec: NoiseSpec) -> bool:
        return ev.change.kind == "editorial" and ev.change.editorial == name
    decided.__doc__ = (f"compare found the change {name}-only, from where it sits in its block "
                       "(src/policydocs/compare/editorial.py)")
    return decided


for _name in ("whitespace", "case", "quotes", "link", "renumbering", "markdown", "punctuation"):
    CHECKS[_name] = _compare_said(_name)

# --- text a reader never sees ----------------------------------------------------------------

_COMMENT = re.compile(r"<!--.*?(?:-->|$)", re.S)
_REF_DEF = re.compile(r"^[ \t]{0,3}\[[^\]\n]+\]:[ \t]*\S.*$", re.M)
_TEMPLATE = re.compile(r"\{%.*?%\}|\{\{.*?\}\}", re.S)
_FM_FENCE = re.compile(r"^[ \t]*(?:---|\+\+\+)[ \t]*$", re.M)


@memoised("materiality: front-matter lines", 16)
def _front_matter_lines(keys: frozenset[str]) -> re.Pattern[str]:
    return re.compile(rf"^[ \t]*(?:{'|'.join(map(re.escape, sorted(keys)))})[ \t]*[:=].*$", re.M | re.I)


_REF_LABEL = re.compile(r"(?<=\])\[[^\]\n]*\]")  # [text][label]: the label is a link target


_HIDDEN_MARKS = ("<!--", "{%", "{{", "]:", "][", "---", "+++")


@memoised("materiality: visible text", 256)
def _visible_text(text: str, keys: frozenset[str] = frozenset()) -> str:
    """``text`` without what the source keeps from readers (`_visible`); remembered, as
    every change of a block asks about the same block."""
    if not any(mark in text for mark in _HIDDEN_MARKS) and (
            not keys or _front_matter_lines(keys).search(text) is None):
        return text
    text = _COMMENT.sub(" ", text)
    text = _TEMPLATE.sub(" ", text)
    text = _REF_DEF.sub(" ", text)
    text = _REF_LABEL.sub("", text)
    if keys:
        text = _front_matter_lines(keys).sub(" ", text)
    return _FM_FENCE.sub(" ", text)


def _visible(text: str, spec: NoiseSpec) -> str:
    """``text`` without what the source keeps from readers: HTML comments, reference-link
    definitions, labels of reference links (``[text][label]``), template tags,
    front-matter fences and ``key: value`` lines of the declared front-matter keys."""
    return _visible_text(text, spec.words)


@check("invisible")
def is_invisible(ev: Evidence, spec: NoiseSpec) -> bool:
    """Front matter, HTML comments (``<!-- lint-disable -->``), reference-link definitions
    and template tags are never shown to a reader: a change that leaves the visible text
    of its blocks word for word the same changes nothing anyone reads. (Imports drop this
    text; it reaches a comparison only when two source files are compared directly.)"""
    if ev.document.in_front_matter(ev.change):
        return True
    old, new = _blocks(ev.change)
    if _visible(old, spec) == old and _visible(new, spec) == new:
        return False
    return words(_visible(old, spec), ev.rules) == words(_visible(new, spec), ev.rules)


def _blocks(change: Change) -> tuple[str, str]:
    """The old and new blocks of a change ("" for a side it does not have)."""
    return ((change.old_context or change.old_text) if change.old_text else change.old_context,
            (change.new_context or change.new_text) if change.new_text else change.new_context)


_TAG = re.compile(r"</?[A-Za-z][^<>]*>?")
_HTML_LINK = re.compile(r"<a\b[^>]*>(.*?)</a\s*>?", re.S | re.I)


def _as_text(block: str) -> str:
    """A block read as a reader sees it: HTML links as their text, tags dropped,
    character entities decoded (``&rsquo;`` is ’)."""
    if "<" not in block and "&" not in block:
        return block
    block = _HTML_LINK.sub(r"\1", block)
    return html.unescape(_TAG.sub(" ", block))


@check("markup")
def is_markup(ev: Evidence, spec: NoiseSpec) -> bool:
    """HTML turned into Markdown (``<a href=…>privacy</a>`` → ``[privacy](…)``), tags
    split onto lines, entities written as characters: the same words in the same order
    once the markup is read as text, so the same sentence; a figure or image added or
    removed alone shows no words."""
    old_block, new_block = _blocks(ev.change)
    old, new = _as_text(old_block), _as_text(new_block)
    if old == old_block and new == new_block:
        return False
    return words(old, ev.rules) == words(new, ev.rules)


@check("reflow")
def is_reflow(ev: Evidence, spec: NoiseSpec) -> bool:
    """Both whole bodies read the same words in the same order (a paragraph split in
    three, lists re-indented, HTML turned into Markdown): however the blocks were cut,
    nothing a reader reads changed."""
    return ev.document.same_words


@check("same-clause")
def is_same_clause(ev: Evidence, spec: NoiseSpec) -> bool:
    """Both blocks read the same once links, marks and spacing are set aside."""
    c = ev.change
    return bool(c.old_context and c.new_context) and same_reading(c.old_context, c.new_context, ev.rules)


@check("function-words")
def is_function_words(ev: Evidence, spec: NoiseSpec) -> bool:
    """Only words the rules count as carrying no meaning changed ("the" → "a", "in" →
    "on"), and no promise word: the sentence says the same."""
    d = ev.delta
    return not (d.removed or d.added or d.modality_changed)


# --- text that commits to nothing ----------------------------------------------------------


def _contexts(ev: Evidence) -> list[str]:
    c = ev.change
    return [plain(t) for t in filter(None, (c.old_context or c.old_text, c.new_context or c.new_text))]


@check("stamp")
def is_stamp(ev: Evidence, spec: NoiseSpec) -> bool:
    """A short line that only dates the document ("Last updated: 3 May 2024"): the legal
    date is the version's, shown on every page."""
    return spec.pattern is not None and any(
        len(t) <= 300 and len(t.split()) <= 20 and spec.pattern.search(t) for t in _contexts(ev))


@check("announcement")
def is_announcement(ev: Evidence, spec: NoiseSpec) -> bool:
    """"We have updated our Privacy Policy": a note about an update, not the update (a
    short note: in a long passage the update is said among other things)."""
    return spec.pattern is not None and any(
        len(t) <= SHORT_BLOCK_CHARS and spec.pattern.search(t) for t in _contexts(ev))


@check("capture")
def is_capture(ev: Evidence, spec: NoiseSpec) -> bool:
    """Cookie banners and page chrome a web capture picked up ("Accept all cookies"), in
    short blocks or a short run of added blocks only: a policy's own cookie terms are long."""
    c = ev.change
    changed = plain(f"{c.old_text} {c.new_text}")
    short = (len(changed) <= 1200 and len(changed.split()) <= 80) if not (c.old_text and c.new_text) else \
        any(len(t) <= SHORT_BLOCK_CHARS and len(t.split()) <= 40 for t in _contexts(ev))
    return spec.pattern is not None and short and spec.pattern.search(changed) is not None


@check("changelog-entry")
def is_changelog_entry(ev: Evidence, spec: NoiseSpec) -> bool:
    """A dated entry of the document's own change log ("February 18, 2015: Updated the
    licence") added, removed or edited, or any text under a "Change log" heading: it
    describes an update made elsewhere in the text, and that update is judged on its own."""
    c = ev.change
    if spec.pattern is None:
        return False
    entries = [plain(t) for t in (c.old_text, c.new_text) if t.strip()]
    if entries and all(spec.pattern.search(e) for e in entries):
        return True
    return any(spec.pattern.search(plain(s)) for s in (*c.section, *c.old_section))


@check("heading")
def is_heading_or_navigation(ev: Evidence, spec: NoiseSpec) -> bool:
    """Headings, breadcrumbs, link bars and menu lines name and link parts of the text;
    they promise nothing (what the section says is judged on its own) — unless the
    heading itself flips a promise or a figure ("We do not train on your data" → "We
    train on your data", "Retention: 30 days" → "90 days")."""
    sides = _sides(ev.change)
    if not sides or not all(_is_heading(c, k) or _is_navigation(c, k) or _is_menu(c, k) for c, k in sides):
        return False
    c = ev.change
    flips = c.old_context.strip() and c.new_context.strip() and any(_is_heading(b, k) for b, k in sides) and (
        ev.delta.modality_changed or _references_aside_figures_changed(ev))
    return not flips


def _sides(change: Change) -> list[tuple[str, BlockKind]]:
    """(block, what it is) of each side of a change that has one."""
    kinds = (change.old_block_kind, change.new_block_kind)
    return [(c, k) for c, k in zip((change.old_context, change.new_context), kinds) if c.strip()] or \
        [(t, k) for t, k in zip((change.old_text, change.new_text), kinds) if t.strip()]


def _is_menu(block: str, kind: BlockKind) -> bool:
    """A menu or title line: Title Case words, no sentence punctuation, not a list or table."""
    if len(block) > SHORT_BLOCK_CHARS:
        return False
    text = plain(link_texts(block))
    tokens = re.findall(r"[^\W\d_][\w'-]*", text)
    return (len(tokens) >= 2 and kind != "list_item" and "|" not in block and not re.search(r"\d", text)
            and not re.search(r"[.,;:!?]", text) and all(t[0].isupper() or len(t) <= 3 for t in tokens))


_BOLD_TITLE = re.compile(r"(?:(?:\d+\\?\.|[A-Z]\.)+\s*)?\*\*[^*\n]+\*\*")


def _is_heading(block: str, kind: BlockKind) -> bool:
    """A short heading, or a line in bold alone used as one (``**Cookies**``)."""
    if len(block) > SHORT_BLOCK_CHARS or len(plain(block).split()) > 12:
        return False
    return kind == "heading" or _BOLD_TITLE.fullmatch(block.strip()) is not None


def _is_navigation(block: str, kind: BlockKind = "") -> bool:
    """Breadcrumbs and link bars: little text once the links are taken out. A list item
    or table row must be links alone: "[Clicky](…). Web analytics service." is an entry
    of a list of subprocessors, not navigation."""
    if _BREADCRUMB.match(block):
        return True
    if len(block) > 4 * SHORT_BLOCK_CHARS:
        return False  # a long block is text, whatever links it holds
    without_links = LINK.sub(" ", block)
    limit = 1 if kind in ("list_item", "table_row") else 3  # "Read our [Privacy Policy](…)."
    return bool(LINK.search(block)) and len(plain(without_links).split()) <= limit


@check("section-numbers")
def is_section_numbers(ev: Evidence, spec: NoiseSpec) -> bool:
    """"10." → "11.", "1." → "A.1.", "Sections 16 and 17" → "15 and 16" in a sentence
    otherwise the same: numbering and references to it, not amounts."""
    change = ev.change
    sides = [plain(t).strip(" ()") for t in (change.old_text, change.new_text)]
    if any(sides) and all(not s or _SECTION_NUMBER.fullmatch(s) for s in sides):
        return True
    if not (change.old_context and change.new_context) or not all(s.isdigit() for s in sides if s):
        return False
    old, new = (_SECTION_REF.sub(" § ", c) for c in (change.old_context, change.new_context))
    return old != change.old_context and plain(old).split() == plain(new).split()


_LABEL = r"(?:[ivxlc]{1,6}|[a-z]|\d{1,3}(?:\.\d{1,3}){0,3})"
_LABEL_ALONE = re.compile(rf"{_LABEL}", re.IGNORECASE)
_LEADING_LABEL = re.compile(rf"^\s*(?:\({_LABEL}\)|{_LABEL}[.)]|\d{{1,3}}(?:\.\d{{1,3}}){{1,3}})\s+", re.IGNORECASE)


@check("enumerator")
def is_enumerator(ev: Evidence, spec: NoiseSpec) -> bool:
    """An item label relabelled: "(i)" → "(a)" inside a clause (the label alone changed,
    in its brackets on both sides), or a clause's leading label restyled with the rest
    reading the same ("(a) **Access.**" → "1.1 Access."). A label orders items; what
    each item says is judged where it changed. Never a figure outside brackets."""
    change = ev.change
    old, new = plain(change.old_text).strip(), plain(change.new_text).strip()
    if old and new and _LABEL_ALONE.fullmatch(old) and _LABEL_ALONE.fullmatch(new):
        return all(cl.before.rstrip().endswith("(") and cl.after.lstrip().startswith(")") for cl in ev.clauses)
    old_rest, new_rest = _LEADING_LABEL.sub("", old, count=1), _LEADING_LABEL.sub("", new, count=1)
    return old_rest != old and new_rest != new and words(old_rest, ev.rules) == words(new_rest, ev.rules)


# --- wording that keeps the meaning --------------------------------------------------------


@check("spelling")
def is_spelling(ev: Evidence, spec: NoiseSpec) -> bool:
    """Joined words, plurals, tenses, typos: every removed word has a near twin added. A
    one-letter typo ("out" → "our") counts only between words no topic is about ("sell"
    → "tell" is not a typo fix), and never when a figure or promise word changed."""
    rules = ev.rules
    old_words, new_words = words(ev.change.old_text, rules), words(ev.change.new_text, rules)
    if old_words and "".join(old_words) == "".join(new_words):
        return True
    if not old_words or not new_words:
        return False
    removed, added = ev.changed_words
    joined_old, joined_new = "".join(removed), "".join(added)
    if len(removed) != len(added) and min(len(joined_old), len(joined_new)) >= 6 and \
            Levenshtein.distance(joined_old, joined_new) <= 1:
        return True  # "all together" → "altogether"
    if ev.delta.modality_changed and not _typo_into_promise_word(removed, added, rules):
        return False
    if len(removed) != len(added) or any(any(c.isdigit() for c in w) for w in removed + added):
        return False
    return all(any(_twins(r, a, rules) for a in added) for r in removed)


def _twins(removed: str, added: str, rules: RuleSet) -> bool:
    """Two spellings of one word: a misspelling fixed ("automaticaly"), one stem
    ("reserve" → "reserves", "retains" → "retain"), or close words no topic is about
    (ordinary typos), one letter in a long word ("cancelation"); "deleting" → "selling"
    is a change of word, never a twin."""
    if is_misspelling(removed) and fuzz.ratio(removed, added) >= 80:
        return True
    stem = len(os.path.commonprefix([removed, added]))
    if stem >= 4 and stem >= min(len(removed), len(added)) - 3:
        return True
    if min(len(removed), len(added)) >= 7 and Levenshtein.distance(removed, added) <= 1:
        return True  # "cancelation" → "cancellation": too long to be another word by one letter
    topical = lambda w: any(h >= 1 for h in rules.matcher.hits(w))  # noqa: E731
    close = fuzz.ratio(removed, added) >= 80 or (len(removed) >= 3 and Levenshtein.distance(removed, added) <= 1)
    return close and not topical(removed) and not topical(added)


def _typo_into_promise_word(removed: list[str], added: list[str], rules: RuleSet) -> bool:
    """"automaticaly" → "automatically": a promise word appears only as the fix of a
    misspelling of itself (no promise word removed, each one added has a near twin)."""
    modal_added = [w for w in added if w in rules.modality]
    return not any(w in rules.modality for w in removed) and bool(modal_added) and all(
        any(r not in rules.modality and fuzz.ratio(m, r) >= 90 for r in removed) for m in modal_added)


@check("voice")
def is_voice(ev: Evidence, spec: NoiseSpec) -> bool:
    """Passive to active voice, or back, with the publisher as the doer ("Refunds are
    processed" → "We process refunds"): the same words once a form of "be" and the "we"
    are set aside (a verb's forms read as one word), "we" on the active side only. A
    doer named ("processed by Stripe") is a word that changed; a promise word or figure
    changed is never this."""
    if not ev.keeps_promises:
        return False
    removed, added = ev.changed_words
    doers = spec.words & {"we", "us"}
    helpers = spec.words - doers
    for passive, active in ((removed, added), (added, removed)):
        if not (any(w in helpers for w in passive) and any(w in doers for w in active)):
            continue
        rest_passive = [w for w in passive if w not in spec.words]
        rest_active = [w for w in active if w not in spec.words]
        if rest_passive and len(rest_passive) == len(rest_active) and \
                all(any(_twins(p, a, ev.rules) for a in rest_active) for p in rest_passive) and \
                all(any(_twins(p, a, ev.rules) for p in rest_passive) for a in rest_active):
            return True
    return False


@check("abbreviation")
def is_abbreviation(ev: Evidence, spec: NoiseSpec) -> bool:
    """"docs" → "documentation", "org" → "organization": each word removed is the short
    (or long) form of a word added, from the declared pairs or as its first letters."""
    if not ev.keeps_promises:
        return False
    removed, added = ev.changed_words
    if not removed or len(removed) != len(added):
        return False
    pairs = set(spec.pairs) | {(b, a) for a, b in spec.pairs}

    def same_word(a: str, b: str) -> bool:
        short, long = sorted((a, b), key=len)
        return (a, b) in pairs or (len(short) >= 3 and len(long) > len(short) + 2 and
                                   long.startswith(short.rstrip("s")))
    return all(any(same_word(r, a) for a in added) for r in removed)


@check("grammar-word")
def is_grammar_word(ev: Evidence, spec: NoiseSpec) -> bool:
    """A word restored or dropped for grammar ("may also be to adjust" → "may also be
    able to adjust"): every word added or removed is a declared grammar word, and no
    promise word, figure or topic word changed."""
    if not ev.keeps_promises:
        return False
    removed, added = ev.changed_words
    changed = [w for w in removed + added if w not in ev.rules.stopwords]
    return bool(removed + added) and bool(changed) and all(w in spec.words for w in changed) \
        and len(changed) <= 2


@check("tense")
def is_tense(ev: Evidence, spec: NoiseSpec) -> bool:
    """"we will extend" → "we extend", "once the law takes effect, we will extend" → "we
    extend": a future auxiliary added or dropped before the same verb, with at most a
    clause saying when the law takes effect (the declared patterns), keeps the
    commitment; any other promise word changing is not this."""
    d = ev.delta
    modal = set(d.modal_removed) | set(d.modal_added)
    if not modal or not modal <= spec.words or (d.modal_removed and d.modal_added) or d.numbers_changed:
        return False
    c = ev.change
    text = (c.old_text if d.modal_removed else c.new_text)
    if spec.pattern is not None:
        text = spec.pattern.sub(" ", plain(text))
    rest = words(text, ev.rules)
    removed, added = ev.changed_words
    changed = set(removed + added)
    others = [w for w in rest + (added if d.modal_removed else removed)
              if w in changed and w not in spec.words and w not in ev.rules.stopwords]
    return all(len(w) >= 3 and any(Levenshtein.distance(w, x) <= 3 for x in removed + added if x != w)
               for w in others)


@check("consistent-rename")
def is_consistent_rename(ev: Evidence, spec: NoiseSpec) -> bool:
    """A term replaced by the same new term in two or more places of the document
    ("Support Services" → "Technical Services", "workspace admin" → "workspace owner")
    and nowhere left in the new text: the document renamed it, definition included. Never
    for words a topic is about ("Affiliates" → "Partners" is a new recipient)."""
    key = _substitution(ev.change, ev.rules)
    if key is not None and ev.document.substitutions[key] < 2:
        key = _with_a_joining_word(key, ev.document.substitutions, spec.words)
    if key is None or ev.document.substitutions[key] < 2 or ev.topical:
        return False
    if ev.change.old_text[:1].isupper() and _clause_is_about_parties(ev) and \
            min(ev.document.old_counts[w] for w in key[0].split()) < SELF_MENTIONS and \
            not ev.document.owns(plain(ev.change.old_text).strip()):
        return False  # "Our partners include Acme" → "… Beta" everywhere: another partner (the
        # publisher's own names, used throughout, are renamed: "Polldaddy" → "Crowdsignal")
    return f" {key[0]} " not in ev.document.new_text


def _with_a_joining_word(key: tuple[str, str], substitutions: Counter[tuple[str, str]],
                         joining: frozenset[str]) -> tuple[str, str] | None:
    """The document's rename this substitution makes once a joining word the sentence
    needed is set aside ("Google Apps," → "G Suite, but" is "Google Apps" → "G Suite")."""
    old, new = key
    for (known_old, known_new), n in substitutions.items():
        if n >= 2 and known_old == old:
            extra = Counter(new.split()) - Counter(known_new.split())
            if not Counter(known_new.split()) - Counter(new.split()) and extra and all(w in joining for w in extra):
                return known_old, known_new
    return None


def _proper_words(text: str, context: str, stopwords: frozenset[str] = frozenset(),
                  also: frozenset[str] = frozenset()) -> set[str] | None:
    """The capitalised words of ``text`` when all are names (not sentence starts), else None.
    A name may start with a digit ("37signals"); grammar words around it ("are" → "is")
    are not part of it."""
    found = set()
    ctx = plain(context)
    for token in re.findall(r"(?:\d+[A-Za-z]|[A-Za-z])[\w·'-]*", plain(text)):
        if token.islower() and token in stopwords:
            continue
        if token.islower() and not token[0].isdigit() and token not in also:
            return None  # (a word the other name has, now in lower case, is still part of it)
        at = ctx.find(token)
        before = ctx[:at].rstrip() if at >= 0 else ""
        if (at <= 0 or before[-1:] in ".!?:*#|-•" or before.endswith("(")) and \
                re.search(rf"\b{re.escape(token.lower())}\b", ctx):
            return None  # a sentence start that is an ordinary word ("Users", "We")
        found.add(token.lower())
    return found


@check("rename")
def is_rename(ev: Evidence, spec: NoiseSpec) -> bool:
    """A product or company called by a new name ("Google Apps" → "G Suite", "Basecamp
    employee" → "37signals employee"), nothing else changed. Not when the names are a
    legal entity (a new company you deal with) or words a topic is about."""
    change, delta = ev.change, ev.delta
    if not (delta.removed and delta.added) or delta.modality_changed or _figures_changed(ev):
        return False
    if ev.topical:  # "Inc." → "Ltd" (a new legal entity), "Affiliates" → "Partners"
        return False
    if _heads_an_entry(ev):
        return False  # "[Google reCAPTCHA](…). Anti-bot protection." → "[hCaptcha](…)": another provider
    if _clause_is_about_parties(ev) and not ev.document.owns(plain(change.old_text).strip()):
        return False  # "We share data with Google" → "… with Facebook": another recipient
    if _starts_clause(ev.clauses[0]) and not _looks_like_brand(change.old_text) and \
            all(is_common_word(w) for w in re.findall(r"[A-Za-z]+", plain(change.old_text))):
        return False  # "Operating" → "Offering the Service": a capital that only starts a sentence
    stop = ev.rules.stopwords
    old_names = _proper_words(change.old_text, change.old_context or change.old_text, stop)
    new_first = plain(change.new_text).split()[:1]
    new_names = _proper_words(change.new_text, change.new_context or change.new_text, stop,
                              frozenset(old_names or ())) or (
        len(plain(change.new_text).split()) <= 3 and
        _proper_words(new_first[0], change.new_context or change.new_text, stop) if new_first else None)
    return bool(old_names) and bool(new_names)


PARTY_TOPICS = frozenset({"data-sharing", "data-sale", "international-transfers", "liability-disputes",
                          "controller-contact", "cookies-tracking", "security", "data-retention",
                          "fees-payment", "termination"})


def _clause_is_about_parties(ev: Evidence) -> bool:
    """The clause around the name is about who receives, processes, stores or governs the
    data (sharing, sale, transfers, governing law, the controller, trackers, hosting):
    there, a different name is a different party, whatever the spelling, unless the
    clause shows it is the same one: the same e-mail address or domain stays beside it
    ("email xAI at support@x.ai" → "email SpaceXAI at support@x.ai"), or the name is one of
    "our" own products ("our services such as Le Chat" → "… such as Vibe")."""
    old, new = ev.clauses
    if not ev.clause_topics & PARTY_TOPICS:
        return False
    kept = _IDENTIFIER.findall(old.before + old.after)
    if kept and set(kept) == set(_IDENTIFIER.findall(new.before + new.after)):
        return False
    return not (_ours(old) and _ours(new))


_IDENTIFIER = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+|\b(?:[a-z0-9-]+\.)+[a-z]{2,}\b", re.IGNORECASE)
OURS_WITHIN = 12  # words between "our" and the name


def _ours(clause: Clause) -> bool:
    """The name follows "our" closely, with no party word between ("our services such as
    X" is ours; "our partner X" is someone else), or is what the publisher provides."""
    before = plain(clause.before).lower().split()[-OURS_WITHIN:]
    if before[-1:] and before[-1] in ("provide", "provides", "offer", "offers", "operate", "operates"):
        return True  # "the data we use to provide Le Chat": what the publisher provides is its own
    if "our" not in before:
        return False
    between = " ".join(before[len(before) - before[::-1].index("our"):])
    return not re.search(r"\b(partners?|providers?|processors?|vendors?|affiliates?|third|suppliers?|"
                         r"advertisers?|subprocessors?|officers?|representatives?|controllers?|dpo|agents?|"
                         r"contacts?|hosts?|auditors?)\b", between)


def _starts_clause(clause: Clause) -> bool:
    before = plain(clause.before).rstrip()
    return not before or before[-1] in ".!?:;•-*|(\""


def _looks_like_brand(text: str) -> bool:
    """Two or more capitalised words, or one with a capital or digit inside ("WooCommerce",
    "37signals", "hCaptcha"): a name whatever its place in the sentence."""
    tokens = re.findall(r"[\w'-]+", plain(text))
    capitalised = [t for t in tokens if t[:1].isupper()]
    return len(capitalised) >= 2 or any(re.search(r"\w[A-Z0-9]|\d[a-z]", t) for t in tokens)


def _heads_an_entry(ev: Evidence) -> bool:
    """The change is the name at the head of a list item or table row: the entry itself."""
    c, (old, new) = ev.change, ev.clauses
    return c.old_block_kind in ("list_item", "table_row") and \
        old.opens_its_entry and new.opens_its_entry


def _figures_changed(ev: Evidence) -> bool:
    """Numbers changed, not counting digits inside names ("37signals")."""
    pure = lambda c: Counter({w: n for w, n in c.items() if w.isdigit()})  # noqa: E731
    return pure(ev.delta.removed) != pure(ev.delta.added)


SELF_MENTIONS = 3  # a name the old text uses this often is the publisher's own, not a third party's


@check("self-reference")
def is_self_reference(ev: Evidence, spec: NoiseSpec) -> bool:
    """"Basecamp also retains the right" → "We also retain the right", "Automattic Inc.'s
    privacy policy" → "our Privacy Policy": the publisher's name swapped for "we", "us"
    or "our" (or back). The name must be one the old text uses often (the publisher
    names itself; a third party replaced by "we" is a new party and is not this)."""
    if not ev.keeps_promises:
        return False
    c = ev.change
    removed, added = ev.changed_words
    for name_side, name_text, pronoun_side in ((removed, c.old_text, added), (added, c.new_text, removed)):
        capitalised = {t.lower() for t in re.findall(r"\b[A-Z0-9][\w-]*", plain(name_text))}
        names = [w for w in name_side if w not in ev.rules.stopwords and w not in ("inc", "s")]
        if pronoun_side and all(w in spec.words for w in pronoun_side) and names and all(
                w in capitalised and (ev.document.old_counts[w] >= SELF_MENTIONS or ev.document.is_own(w))
                for w in names):
            return True
    return False


@check("own-name")
def is_own_name(ev: Evidence, spec: NoiseSpec) -> bool:
    """One of the publisher's own names for another ("Basecamp" → "37signals", "Alibaba"
    → "Qwen", "chat.qwenlm.ai" → "qwen.ai", "Basecamp 3" → "Basecamp 4") or for "we" or
    "it" ("you haven't used Basecamp" → "… used it"): the same speaker, nothing else
    changed. The names are the ones the project declares (this check's ``words``) or the
    text defines as "we". Not where the clause says who receives the data and the new
    name is already another of the publisher's entities there ("shared with Tumblr")."""
    c = ev.change
    if not (c.old_text.strip() and c.new_text.strip()) or ev.delta.modality_changed:
        return False
    pattern = ev.document.own_names
    if pattern is None:
        return False
    pronouns = ev.rules.noise_check("self-reference")
    said = (pronouns.words if pronouns is not None else frozenset()) | {"it", "its"}
    old_run, new_run = (_own_name_run(clause, pattern, ev.rules.stopwords, said) for clause in ev.clauses)
    if old_run is None or new_run is None or not (old_run or new_run) or not all(
            run or _only_pronouns(text, said) for run, text in ((old_run, c.old_text), (new_run, c.new_text))):
        return False
    if new_run and ev.clause_topics & RECIPIENT_TOPICS:
        old_body = ev.document.plain_old.lower()
        if all(name in old_body for name in new_run):
            return False  # "shared with Jetpack" → "… with Tumblr": two entities, both already there
    return True


def _own_name_run(clause: Clause, pattern: re.Pattern[str], stopwords: frozenset[str],
                  pronouns: frozenset[str]) -> list[str] | None:
    """The own names the changed run of ``clause`` is made of (every other word in it a
    grammar word or a pronoun), or None when it says anything else."""
    text, start = clause.text, len(clause.before)
    end = start + len(clause.changed)
    names = [m for m in pattern.finditer(text) if m.end() > start and m.start() < end]
    for token in _NAME_TOKEN.finditer(text, start, end):
        word = token.group(0).rstrip(".'’-").lower()
        inside = any(m.start() <= token.start() and token.end() <= m.end() + 1 for m in names)
        if not (inside or word in stopwords or word in pronouns or word == "s"):
            return None
    return [m.group(0).lower() for m in names]


def _only_pronouns(text: str, pronouns: frozenset[str]) -> bool:
    found = [t.lower() for t in re.findall(r"[\w']+", plain(text))]
    return bool(found) and all(t in pronouns for t in found)


_NAME_TOKEN = re.compile(r"\w[\w.'’-]*")
RECIPIENT_TOPICS = frozenset({"data-sharing", "data-sale"})



@check("name-expansion")
def is_name_expansion(ev: Evidence, spec: NoiseSpec) -> bool:
    """"Mistral" → "the Mistral AI Products": a name the text already uses, spelled out
    (or shortened), with nothing else changed."""
    change = ev.change
    if not (change.old_text and change.new_text) or not ev.keeps_promises:
        return False
    long_side, short_side, other_context = (
        (change.new_text, change.old_text, change.old_context) if len(change.new_text) > len(change.old_text)
        else (change.old_text, change.new_text, change.new_context))
    name = re.sub(r"^(?:the|a|an|our|your)\s+", "", plain(long_side), flags=re.IGNORECASE)
    short_words = set(plain(short_side).lower().split()) - {"the", "a", "an", "our", "your"}
    return (bool(name) and short_words <= set(name.lower().split())
            and all(w[:1].isupper() for w in name.split()) and name in plain(other_context))


@check("name-shortened")
def is_name_shortened(ev: Evidence, spec: NoiseSpec) -> bool:
    """"Recurring Payments" → "the Payments feature" in every place the document says it:
    a name cut to a shorter name of its own words (an article or a declared generic noun
    such as "feature" beside it), the old name gone from the whole new text while it stood
    in two places or more of the old one, and the short name not already a name of its own
    there. The document renamed its own thing. Not a qualifier dropped in one place only
    ("Premium Support" → "Support" once), not a name folded into a wider one the text
    already uses ("AI API Services" → "the Services"), not an entry cut from a list
    ("Pro, Team, Enterprise"), nor a topic's words, a figure or a promise word."""
    if not ev.keeps_promises or ev.topical or ev.document.comparison is None:
        return False
    filler = spec.words | {"the", "a", "an"}
    old_name, new_name = _name_at(ev.clauses[0], filler), _name_at(ev.clauses[1], filler)
    if not old_name or not new_name or len(new_name) >= len(old_name):
        return False
    if not _is_run_of([w.lower() for w in new_name], [w.lower() for w in old_name]):
        return False
    said = f" {' '.join(old_name).lower()} "
    return ev.document.old_text.count(said) >= 2 and said not in ev.document.new_text and \
        not _stands_alone(" ".join(new_name), ev.document.plain_old)


_TITLE_WORD = re.compile(r"[A-Z][\w'’-]*")
_NOT_NAME_WORDS = frozenset({"the", "a", "an", "our", "your", "we", "its", "their"})  # capitalised at a sentence start
_NAME_BREAK = re.compile(r"[^\w\s'’-]")  # a comma, semicolon, bracket...: the edit spans more than a name


def _name_at(clause: Clause, filler: frozenset[str]) -> list[str] | None:
    """The capitalised name that the change sits in or touches, its words as written: the
    changed words are name words or filler (articles, generic nouns), nothing else."""
    changed = plain(clause.changed)
    if _NAME_BREAK.search(changed):
        return None
    changed_words = changed.split()
    if any(not _TITLE_WORD.fullmatch(w) and w.lower() not in filler for w in changed_words):
        return None
    before, after = plain(clause.before).split(), plain(clause.after).split()
    lead: list[str] = []
    for w in reversed(before):
        if not _TITLE_WORD.fullmatch(w) or w.lower() in _NOT_NAME_WORDS:
            break
        lead.insert(0, w)
    if lead and len(lead) == len(before):
        return None  # a sentence start, not a name
    name = lead + [w for w in changed_words if _TITLE_WORD.fullmatch(w)]
    for w in after:
        word = w.rstrip(",.;:")
        if not _TITLE_WORD.fullmatch(word):
            break
        name.append(word)
        if word != w:
            break
    return name or None


def _is_run_of(short: list[str], long: list[str]) -> bool:
    """``short`` is ``long`` with words left out at its start or end ("payments" of
    "recurring payments")."""
    n = len(short)
    return any(long[i:i + n] == short for i in range(len(long) - n + 1))


def _stands_alone(name: str, text: str) -> bool:
    """``text`` uses ``name`` as a name of its own: with no capitalised word beside it."""
    for m in re.finditer(rf"\b{re.escape(name)}\b", text):
        before = text[max(0, m.start() - 80):m.start()].split()[-1:]
        after = text[m.end():m.end() + 80].split()[:1]
        if not (before and _TITLE_WORD.fullmatch(before[0]) and before[0].lower() not in _NOT_NAME_WORDS) and \
                not (after and _TITLE_WORD.fullmatch(after[0].rstrip(",.;:"))):
            return True
    return False


_MD_LINK = re.compile(r"(!?)\[((?:\\.|[^\]\\])*)\]\(([^)]*)\)")


@memoised("materiality: link text spans", 256)
def _link_text_spans(block: str) -> tuple[tuple[int, int, str], ...]:
    """Where each link's text sits in a block, and its target: read once per block."""
    return tuple((m.start(2), m.end(2), m.group(3).split()[0] if m.group(3).split() else "")
            for m in _MD_LINK.finditer(block))


@check("link-text")
def is_link_text(ev: Evidence, spec: NoiseSpec) -> bool:
    """Only the visible title of a link changed (``see [Managing your account](/a)`` →
    ``see [Account settings](/a)``), and it still points to the same place: a title names
    the page, the page says what it says. Not when a promise word or figure changed."""
    c = ev.change
    if not ev.keeps_promises or not (c.old_context and c.new_context):
        return False
    old_links, new_links = _link_text_spans(c.old_context), _link_text_spans(c.new_context)
    if not old_links or len(old_links) != len(new_links):
        return False
    if [t for _, _, t in old_links] != [t for _, _, t in new_links]:
        return False
    return words(_outside_links(c.old_context, old_links), ev.rules) == \
        words(_outside_links(c.new_context, new_links), ev.rules)


@check("link-sentence")
def is_link_sentence(ev: Evidence, spec: NoiseSpec) -> bool:
    """A sentence that points to a linked page, reworded around the same links ("please
    see our [Copyright Policy](../copyright/) for more details" → "we've outlined extra
    instructions on [how to notify us about infringement claims](../copyright/)"): the
    sentence links the same pages before and after, a link's title may say anything (the
    page says what it says), and every word that changed outside the titles is a pointer
    word or a word one of the titles had. No figure and no negation, obligation,
    permission or condition word changed anywhere in the sentence."""
    old, new = (cl.text for cl in ev.clauses)
    old_links, new_links = _link_text_spans(old), _link_text_spans(new)
    if not old_links or [t for *_, t in old_links] != [t for *_, t in new_links] or _figures_changed(ev):
        return False
    if not all(t and not t.startswith("#") for *_, t in old_links):
        return False  # a link with no target (or one to this page) points nowhere else
    strong = frozenset().union(*(ws for kind, ws in ev.rules.signal_kinds if kind != "scope"))
    old_words, new_words = Counter(words(old, ev.rules)), Counter(words(new, ev.rules))
    if any(old_words[w] != new_words[w] for w in strong):
        return False
    titles = {_singular(w) for block, spans in ((old, old_links), (new, new_links))
              for a, b, _ in spans for w in words(block[a:b], ev.rules)}
    outside_old, outside_new = (Counter(words(_outside_links(b, sp), ev.rules))
                                for b, sp in ((old, old_links), (new, new_links)))
    changed = list(((outside_old - outside_new) + (outside_new - outside_old)).elements())
    return all(w in ev.rules.stopwords or w in spec.words or _singular(w) in titles for w in changed)


def _outside_links(block: str, spans: tuple[tuple[int, int, str], ...]) -> str:
    """The text of ``block`` with its links' titles (and targets) left out."""
    return "".join(block[a:b] for a, b in zip([0] + [e for _, e, _ in spans], [s for s, _, _ in spans] + [len(block)]))


def _singular(word: str) -> str:
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word


@check("cross-reference")
def is_cross_reference(ev: Evidence, spec: NoiseSpec) -> bool:
    """A pointer to another place reworded ("below" → "in the Website Interactions
    section", "see" → "view"): every word that changed is a pointer word or a title-case
    section name, each side has one, and no promise word or figure changed."""
    if ev.delta.modality_changed or _references_aside_figures_changed(ev):
        return False
    removed, added = ev.changed_words
    c = ev.change
    titled = {w.lower() for w in re.findall(r"\b[A-Z][\w'-]*", plain(f"{c.old_text} {c.new_text}"))
              if not w.isupper()}  # a title's words, not a clause in capitals ("BREACH OF …")
    content = [w for w in removed + added if w not in ev.rules.stopwords and not w.isdigit()]
    pointer = lambda ws: any(w in spec.words for w in ws)  # noqa: E731
    quoted_title = all(_in_quotes(cl) for cl, t in zip(ev.clauses, (c.old_text, c.new_text)) if t.strip())
    points = pointer(removed) or pointer(added) or (
        quoted_title and all(pointer(words(cl.before, ev.rules)) for cl in ev.clauses))
    return bool(content) and (quoted_title or all(w in spec.words or w in titled for w in content)) and points and \
        not (ev.topical and not pointer(removed + added) and not quoted_title)


def _references_aside_figures_changed(ev: Evidence) -> bool:
    """Figures changed once section references ("section 4", "2.1") are set aside."""
    c = ev.change
    figures = [re.findall(r"\d+", _SECTION_REF.sub(" ", plain(t))) for t in (c.old_text, c.new_text)]
    return Counter(figures[0]) != Counter(figures[1])


def _in_quotes(clause: Clause) -> bool:
    """The changed words are a quoted title: an opening quote just before, a closing one after."""
    before, after = clause.before.rstrip(), clause.after.lstrip().lstrip(".,;:!?")
    return before[-1:] in ('"', "“", "'", "‘") and after[:1] in ('"', "”", "'", "’")


@check("moved-phrase")
def is_moved_phrase(ev: Evidence, spec: NoiseSpec) -> bool:
    """"we look for root cause solutions as much as possible" ← "as much as possible, we
    look for root cause solutions": a run of three or more words taken out of a clause and
    put back in the same clause, every other word kept. Single words swapped are not this
    ("A may share with B" → "B may share with A" changes who does what)."""
    c = ev.change
    run = words(c.old_text or c.new_text, ev.rules)
    if (c.old_text and c.new_text) or len(run) < 3:
        return False
    old_clause, new_clause = (words(cl.text, ev.rules) for cl in ev.clauses)
    if Counter(old_clause) != Counter(new_clause) or old_clause == new_clause:
        return False
    text = f" {' '.join(new_clause if c.new_text else old_clause)} "
    other = f" {' '.join(old_clause if c.new_text else new_clause)} "
    return f" {' '.join(run)} " in text and f" {' '.join(run)} " in other


@check("said-elsewhere")
def is_said_elsewhere(ev: Evidence, spec: NoiseSpec) -> bool:
    """A passage of eight or more words added that the old text already says as it is
    written, or removed that the new text still says: the text moved (or was
    duplicated); nothing is said that was not, nothing unsaid."""
    c = ev.change
    if c.old_text and c.new_text:
        return False
    run = (c.new_text or c.old_text).strip()
    return len(words(run, ev.rules)) >= 8 and ev.document.says("old" if c.new_text else "new", run)


@check("repeat")
def is_repeat(ev: Evidence, spec: NoiseSpec) -> bool:
    """A run of 5+ words added or removed that the clause still says elsewhere (a duplicate)."""
    change, rules = ev.change, ev.rules
    if change.old_text and change.new_text:
        return False
    run = words(change.old_text or change.new_text, rules)
    other = words(change.new_context if change.old_text else change.old_context, rules)
    if len(run) < 5 or not other:
        return False
    return f" {' '.join(run)} " in f" {' '.join(other)} "


_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)*\|?\s*$")


@check("table-header")
def is_table_header(ev: Evidence, spec: NoiseSpec) -> bool:
    """A table's header row added, removed or reworded, in short cells: column titles, not terms."""
    change = ev.change
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


def _one_side(ev: Evidence) -> str | None:
    """The text a change adds or removes on its own, read as plain text; None when both
    sides have words. A side of spaces, line breaks or marks alone counts as empty (a
    sentence put where a paragraph break was is an addition)."""
    old, new = plain(ev.change.old_text), plain(ev.change.new_text)
    return None if (old and new) else (old or new)


_NAME_OR_CODE = re.compile(r"\b[A-Z0-9][\w-]*[A-Za-z]")  # "Google", "3DS": a name said in passing


@check("pointer-sentence")
def is_in_pointer_sentence(ev: Evidence, spec: NoiseSpec) -> bool:
    """An edit inside a sentence that only points elsewhere ("You can find more
    information about what we collect in the section above"): before and after, the
    clause is a pointer (the `informational` patterns), and no promise word or figure
    changed; what it points to is judged where it is written."""
    pointer = ev.rules.noise_check("informational")
    if pointer is None or pointer.pattern is None or not ev.keeps_promises or ev.topical:
        return False
    c = ev.change
    if _NAME_OR_CODE.search(plain(f"{c.old_text} {c.new_text}")):
        return False  # "…, which now include Google": a name said in passing is news
    old, new = (plain(cl.text).strip() for cl in ev.clauses)
    return bool(old and new) and all(pointer.pattern.search(t) for t in (old, new))


@check("contact-sentence")
def is_in_contact_sentence(ev: Evidence, spec: NoiseSpec) -> bool:
    """An edit inside a sentence that only tells readers how to reach the publisher
    ("Please contact us at legal@… and include "emergency" in the subject line"): before
    and after, the clause asks readers to write (the check's patterns) to the same
    addresses, and no promise word, figure, name or topic word changed. Where to write
    and how to label a message route a question; what the publisher does is said
    elsewhere."""
    if spec.pattern is None or not ev.keeps_promises or ev.topical:
        return False
    c = ev.change
    changed = plain(f"{c.old_text} {c.new_text}")
    if _ADDRESS.search(f"{c.old_text} {c.new_text}") or _NAME_OR_CODE.search(changed):
        return False  # a new address, or a name said in passing, is news
    old, new = (cl.text for cl in ev.clauses)
    if any(len(plain(t).split()) > CONTACT_SENTENCE_WORDS for t in (old, new)):
        return False  # a clause that is a whole rewritten passage says more than where to write
    addresses = [frozenset(a.lower() for a in _ADDRESS.findall(t)) for t in (old, new)]
    return bool(addresses[0]) and addresses[0] == addresses[1] and \
        all(spec.pattern.search(plain(t)) for t in (old, new))


_ADDRESS = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")  # an email address, however it is linked
CONTACT_SENTENCE_WORDS = 40  # one sentence, not a passage that happens to give an address


@check("label-line")
def is_label_line(ev: Evidence, spec: NoiseSpec) -> bool:
    """A caption line added or removed on its own inside a paragraph ("Designated
    Copyright Agent" above the same postal address): a few Title Case words, no verb,
    digit or sentence punctuation, not a list entry, no topic word. It labels what
    follows; what follows is judged on its own."""
    c = ev.change
    if c.old_text and c.new_text:
        return False
    kind = c.new_block_kind if c.new_text else c.old_block_kind
    clause = ev.clauses[1] if c.new_text else ev.clauses[0]
    text = c.new_text or c.old_text
    whole_lines = clause.before[-1:] in ("", "\n") and (text.endswith("\n") or clause.after[:1] in ("", "\n"))
    if kind not in ("paragraph", "html", "") or not whole_lines or "|" in text:
        return False
    lines = [plain(line) for line in (c.new_text or c.old_text).splitlines() if plain(line).strip()]
    return bool(lines) and all(
        1 <= len(line.split()) <= 5 and not re.search(r"[\d.,;:!?@]", line) and
        all(t[:1].isupper() or t.lower() in ev.rules.stopwords for t in line.split()) for line in lines) \
        and not ev.topical


@check("defined-term")
def is_defined_term(ev: Evidence, spec: NoiseSpec) -> bool:
    """A defined-term label alone added or removed ((the "Terms")): it names, binds no one."""
    side = _one_side(ev)
    return side is not None and spec.pattern is not None and spec.pattern.search(side) is not None


@check("informational")
def is_informational(ev: Evidence, spec: NoiseSpec) -> bool:
    """"To learn more, see …" added or removed on its own: a pointer commits to nothing."""
    side = _one_side(ev)
    return side is not None and spec.pattern is not None and spec.pattern.search(side) is not None


@check("definition")
def is_definition(ev: Evidence, spec: NoiseSpec) -> bool:
    """A definition added or dropped on its own, with no promise word or figure in it,
    binds no one; what the defined term then does is judged where it is used."""
    side = _one_side(ev)
    if side is None or spec.pattern is None or ev.delta.modality_changed:
        return False
    side = _SECTION_REF.sub(" ", side)
    return spec.pattern.search(side) is not None and not re.search(r"\d", _SECTION_NUMBER.sub(" ", side, count=1))
