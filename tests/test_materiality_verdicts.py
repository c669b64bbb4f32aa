"""Material or not: verdicts, reasons, overrides and rule files, on real texts."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from policydocs.compare import compare
from policydocs.comparisons import compare_versions
from policydocs.errors import UserError
from policydocs.evaluate import load_cases, run, scores
from policydocs.materiality import apply_override, assess, load_rules, plain
from policydocs.store import open_store

ROOT = Path(__file__).resolve().parents[1]
STORE = ROOT / "policy_versions"


@pytest.fixture(scope="module")
def rules():
    return load_rules()


def verdict(old: str, new: str, rules):
    return assess(compare(old, new), rules)


@pytest.fixture(scope="module")
def outcomes(rules):
    return run(load_cases(), rules)


# The rules were tuned on genai-eu only: the gate below holds them to it. The Basecamp and
# Legalmattic cases were labelled after (issue #11, open): scripts/eval-materiality reports them
# per corpus and split, and their gate joins this one when the rules are tuned on them.
# Material verdicts whose reason does not quote the changed words yet: the changed run is a piece
# of link markup (an HTML link rewritten as Markdown).
KNOWN_UNQUOTED = {"am-0163"}


def _tuning_scores(outcomes, corpus):
    return scores([o for o in outcomes if o.case.split == "tuning" and o.case.corpus == corpus])


def test_tuning_split_meets_recall_and_precision_targets(outcomes):
    s = _tuning_scores(outcomes, "genai-eu")
    assert s["cases"] >= 60
    assert s["recall"] >= 0.97, s
    assert s["precision"] >= 0.90, s


def _unquoted(outcome):
    """(side, reason) of each material change whose reason does not quote the changed words."""
    missing = []
    for change in outcome.comparison.changes:
        if not change.material:
            continue
        if not change.reasons:
            missing.append(("", None))
        for reason in change.reasons:
            if not reason.rule:
                missing.append(("", reason))
            quoted = " ".join(reason.explanation.split("“")[n].split("”")[0]
                              for n in range(1, reason.explanation.count("“") + 1)).lower()
            for side in (change.old_text, change.new_text):
                shown = [w for w in plain(side).lower().split() if len(w) > 3 and w in quoted]
                if not (not plain(side).strip() or shown or len(plain(side).split()) > 28 or
                        all(len(w) <= 3 for w in plain(side).split())):
                    missing.append((side, reason))
    return missing


def test_every_material_verdict_names_a_rule_and_shows_the_changed_words_in_their_clause(outcomes):
    for outcome in outcomes:
        if outcome.case.id not in KNOWN_UNQUOTED:
            assert not _unquoted(outcome), (outcome.case.id, _unquoted(outcome))


def test_no_reason_quotes_link_markup(outcomes):
    # a change that started inside a link quoted "added “UPS]( ), [”" (am-0174); a clause cut
    # inside a link's text quoted "…Registration Agreement]( ) or this…" (am-0048), one cut
    # after a link's "[" quoted "…on our [Bug Bounty Program page." (ota-1489), and reference
    # links were quoted as written: "Please get in touch][support]" (bc-0088)
    for outcome in outcomes:
        for change in outcome.comparison.changes:
            for reason in change.reasons:
                assert "[" not in reason.explanation and "]" not in reason.explanation, (
                    outcome.case.id, reason.explanation)


def test_a_short_change_gets_one_reason_quoting_both_sides(rules):
    result = verdict("Our team keeps logs as long as is needed to run the service.\n",
                     "Our team keeps logs for up to 30 days to run the service.\n", rules)
    [change] = [c for c in result.changes if c.material]
    [reason] = change.reasons
    assert reason.rule == "data-retention"
    before, after = reason.explanation.split(" became ")
    assert "as long as is needed" in before and "up to 30 days" in after
    assert "duration added (30 days)" in reason.explanation


@pytest.mark.parametrize("old, new, shown", [
    ("We may use your content to train our models.\n", "We do not use your content to train our models.\n",
     "negation added (not)"),
    ("Refunds of up to $5,000 are paid.\n", "Refunds of up to $500 are paid.\n", "amount changed ($5,000 → $500)"),
    ("## Countries we transfer data to\n\n- Germany\n- France\n",
     "## Countries we transfer data to\n\n- Germany\n- France\n- Italy\n", "added the list item “Italy”"),
])
def test_signals_are_named_plainly(old, new, shown, rules):
    result = verdict(old, new, rules)
    assert any(shown in r.explanation for c in result.changes for r in c.reasons), \
        [r.explanation for c in result.changes for r in c.reasons]


@pytest.mark.parametrize("old, new, rule", [
    ("We may share up to $5,000 of credits.\n", "We may share up to $500 of credits.\n", "fees-payment"),
    ("We transfer data to the United States and Canada.\n",
     "We transfer data to the United States, Canada and India.\n", "international-transfers"),
    ("We may use your content to train our models.\n",
     "We do not use your content to train our models.\n", "model-training"),
    ("Personal data is stored until the later of the two dates.\n",
     "Personal data is stored until the earlier of the two dates.\n", "data-retention"),
])
def test_one_word_changes_in_a_clause_that_matters_are_material(old, new, rule, rules):
    result = verdict(old, new, rules)
    assert result.material and result.verdict_basis == "rules"
    assert result.stats.material_changes == sum(c.material for c in result.changes) >= 1
    assert rule in {r.rule for c in result.changes for r in c.reasons}


@pytest.mark.parametrize("old, new", [
    ("Last updated: June 4, 2025\n\nWe sell nothing.\n", "Last updated: January 8, 2026\n\nWe sell nothing.\n"),
    ("See [our policy](https://a.example/x?id=1) for data.\n", "See [our policy](https://a.example/x?id=2) for data.\n"),
    ("1. We collect data.\n2. We share data.\n", "- We collect data.\n- We share data.\n"),
    ("## 3. How we use data\n\nWe use data.\n", "## 4. How we use data\n\nWe use data.\n"),
])
def test_editorial_noise_is_never_material(old, new, rules):
    result = verdict(old, new, rules)
    assert not result.material
    assert all(not c.material for c in result.changes)


def test_a_renamed_table_column_is_not_material(rules):
    old = "## Where data is processed\n\n| Einheit | Standort |\n| --- | --- |\n| Meta | Ireland |\n"
    new = "## Where data is processed\n\n| Entity | Location |\n| --- | --- |\n| Meta | Ireland |\n"
    assert not verdict(old, new, rules).material


def test_a_bold_paragraph_added_is_not_called_a_list_item(rules):
    old = "## Payment\n\nFees are due monthly.\n"
    new = "## Payment\n\nFees are due monthly.\n\n**Refunds.** We never refund fees paid for a month already begun.\n"
    reasons = [r.explanation for c in verdict(old, new, rules).changes for r in c.reasons]
    assert reasons and not any("list item" in r for r in reasons), reasons


def test_2021_privacy_policy_to_2023_api_data_privacy_names_training_retention_and_access(rules):
    store = open_store(STORE)
    result = compare_versions(store.resolve("privacy-policy@2021-02-11"),
                              store.resolve("api-data-privacy@2023-07-21"), rules)
    assert result.material
    reasons = [r for c in result.changes for r in c.reasons]
    fired = {r.rule for r in reasons}
    assert {"model-training", "data-retention", "data-sharing"} <= fired
    text = " ".join(r.explanation for r in reasons)
    assert "30 days" in text and "train" in text and "access" in text


def test_override_replaces_verdict_and_keeps_the_computed_one_visible(rules):
    store = open_store(STORE)
    new = replace(store.resolve("api-data-privacy@2023-07-21"), material=False,
                  material_reason="Only the API page moved")
    result = apply_override(assess(compare(store.resolve("privacy-policy@2021-02-11").body, new.body),
                                   rules), new)
    data = result.to_json()
    assert data["material"] is False and data["verdict_basis"] == "override"
    assert data["computed_material"] is True
    assert data["override_reason"] == "Only the API page moved"


def test_project_rule_file_adds_a_topic(tmp_path):
    root = tmp_path / "policy_versions"
    shutil.copytree(STORE, root)
    (root / "policies.yml").write_text((root / "policies.yml").read_text() + "rules: house-rules.yml\n")
    (root / "house-rules.yml").write_text(
        "topics:\n  - id: house-pets\n    title: pets on the premises\n    patterns: ['\\bhamsters?\\b']\n")
    rules = load_rules(open_store(root))
    result = assess(compare("Staff care for dogs.\n", "Staff care for hamsters.\n"), rules)
    assert result.material
    assert [r.rule for r in result.changes[0].reasons] == ["house-pets"]
    assert rules.digest != load_rules().digest


def test_checks_that_judge_differently_give_the_rules_another_digest_so_cached_verdicts_are_redone(monkeypatch):
    from policydocs.materiality import rules as rules_module
    before = load_rules().digest
    monkeypatch.setattr(rules_module, "JUDGE_VERSION", rules_module.JUDGE_VERSION + "-next")
    assert load_rules().digest != before


def test_bad_rule_file_is_refused_naming_the_file(tmp_path):
    bad = tmp_path / "bad-rules.yml"
    bad.write_text("topics:\n  - id: broken\n    patterns: ['(unclosed']\n")
    with pytest.raises(UserError, match="bad-rules.yml.*bad pattern"):
        load_rules(extra=bad)


@pytest.mark.parametrize("pattern, old, new", [
    (r"(?<!no )\bhamsters?\b", "Staff care for dogs.\n", "Staff care for hamsters.\n"),  # a lookbehind: RE2 cannot
    (r"\bhamster\s+food\b", "Staff buy dog food.\n", "Staff buy hamster\u00a0food.\n"),  # \s reads a no-break space
    (r"\bhämster\b", "Staff care for dogs.\n", "Staff care for Hämster.\n"),  # a non-ASCII letter
    (r"\bhamster.{,10}food\b", "Staff buy dog food.\n", "Staff buy hamster food.\n"),  # "{,n}": RE2 reads it as text
    (r"\b(?:[]]|hamster)s?\b", "Staff care for dogs.\n", "Staff care for hamsters.\n"),  # "]" first in a class
])
def test_a_project_pattern_the_fast_matcher_cannot_read_still_names_its_topic(pattern, old, new, tmp_path):
    extra = tmp_path / "house-rules.yml"
    extra.write_text(f"topics:\n  - id: house-pets\n    title: pets\n    patterns: ['{pattern}']\n", encoding="utf-8")
    result = assess(compare(old, new), load_rules(extra=extra))
    assert result.material and "house-pets" in [r.rule for c in result.changes for r in c.reasons]


def test_the_fast_matcher_counts_every_topic_as_re_does_on_every_labelled_text(rules):
    # RE2 runs the topic patterns it reads the same; this holds it to `re` on real texts,
    # non-ASCII ones included (German, French and Indonesian policies are in the set)
    from policydocs.materiality.rules import Topic

    matcher = rules.matcher
    texts = [plain(text) for case in load_cases() for text in (case.old, case.new)]
    texts += [case.old for case in load_cases()[:50]]  # Markdown as written, not only plain text
    for text in texts:
        assert matcher.hits(text) == tuple(Topic.hits(t, text) for t in matcher.topics), text[:80]


@pytest.mark.parametrize("old, new", [
    ("We keep logs for 30 days.\n", "We keep logs for 60 days.\n"),
    ("We keep logs for ٣٠ days.\n", "We keep logs for ٦٠ days.\n"),  # Arabic-Indic digits are figures too
])
def test_a_figure_changed_in_any_script_is_material_and_named(old, new, rules):
    [change] = [c for c in assess(compare(old, new), rules).changes if c.material]
    assert "days" in change.reasons[0].explanation or "number" in change.reasons[0].explanation
