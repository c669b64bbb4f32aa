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

from dataclasses import replace

from policydocs.compare import Change, Comparison, Reason
from policydocs.errors import UserError
from policydocs.materiality.clauses import Clause, change_spans, clause_at, clauses_of, _clause_in_context
from policydocs.materiality.entries import names_an_entry
from policydocs.materiality.explain import explain, quote
from policydocs.materiality.noise import (
    CHECKS, DocumentEvidence, Evidence, document_evidence, first_noise, unknown_checks,
)
from policydocs.materiality.rules import (
    LONG_CHANGE_WORDS, MAX_REASONS_PER_CHANGE, NoiseSpec, RuleSet, Topic, TopicMatcher, builtin_rule_files,
    load_rules as _load_rule_files, word_delta, words,
)
from policydocs.plaintext import plain
from policydocs.store import Store, Version

__all__ = ["CHECKS", "Clause", "NoiseSpec", "RuleSet", "Topic", "TopicMatcher", "apply_override", "assess",
           "builtin_rule_files", "change_spans", "clause_at", "clauses_of", "explain", "judge_change",
           "load_rules", "plain", "quote", "word_delta", "words"]


def load_rules(store: Store | None = None, extra=None) -> RuleSet:
    """The rules in force (`policydocs.materiality.rules.load_rules`), with every noise
    check they name known: a misspelt check is one line, not a silent no-op."""
    rules = _load_rule_files(store, extra)
    unknown = unknown_checks(rules)
    if unknown:
        raise UserError(f"{', '.join(rules.sources[len(builtin_rule_files()):]) or 'rules'}: unknown noise "
                        f"check(s) {', '.join(unknown)}; known: {', '.join(sorted(CHECKS))}")
    return rules


def judge_change(change: Change, rules: RuleSet, clauses: tuple[Clause, Clause] | None = None,
                 document: DocumentEvidence | None = None) -> tuple[str | None, tuple[Reason, ...]]:
    """(the noise check that holds, or None; the reasons the change is material).

    A change is judged in three steps: moves are never material; the first noise check
    that holds makes it editorial and names its kind; otherwise the topics it touches
    and the promise words and figures it flips are its reasons (none: not material)."""
    if change.type == "move":
        return None, ()
    if clauses is None:
        clauses = (_clause_in_context(change.old_text, change.old_context),
                   _clause_in_context(change.new_text, change.new_context))
    evidence = Evidence(change, rules, clauses, document or DocumentEvidence())
    noise = first_noise(evidence)
    if noise is not None:
        return noise, ()
    delta = evidence.delta
    topics = _topics_touched(change, rules, clauses, only_modal=not (delta.removed or delta.added))
    if not topics and rules.entries is not None and names_an_entry(change, clauses, rules):
        topics = [rules.entries]
    if not topics:
        if not (delta.modality_changed or delta.numbers_changed) or rules.fallback is None:
            return None, ()
        topics = [rules.fallback]
    return None, tuple(Reason(t.id, explain(change, t, delta, rules, clauses)) for t in topics)


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


# --- the stage ---------------------------------------------------------------------------


def assess(comparison: Comparison, rules: RuleSet) -> Comparison:
    """Every change judged, as a short pipeline: what the whole document shows (renames
    made everywhere), where each change sits (its clauses), then each change's noise check
    or reasons; the kinds, verdicts and counts follow from those."""
    document = document_evidence(comparison, rules)
    clauses = clauses_of(comparison) if comparison.segments else {}
    judged = [(change, *judge_change(change, rules, clauses.get(change.id), document))
              for change in comparison.changes]
    changes = tuple(_with_verdict(change, noise, reasons) for change, noise, reasons in judged)
    count = sum(c.material for c in changes)
    return replace(comparison, changes=changes, material=count > 0, verdict_basis="rules",
                   stats=replace(comparison.stats, material_changes=count),
                   computed_material=count > 0)


def _with_verdict(change: Change, noise: str | None, reasons: tuple[Reason, ...]) -> Change:
    """The change with its kind (editorial, named by its noise check) and verdict."""
    if noise is not None:
        return replace(change, kind="editorial", editorial=noise, material=False, reasons=())
    if change.kind == "editorial":
        change = replace(change, kind="content", editorial=None)
    return replace(change, material=bool(reasons), reasons=reasons)


def apply_override(comparison: Comparison, version: Version) -> Comparison:
    """The publisher's ``material: true|false`` wins; the rules' verdict stays visible."""
    if version.material is None:
        return comparison
    return replace(comparison, material=version.material, verdict_basis="override",
                   computed_material=comparison.material,
                   override_reason=version.material_reason)
