"""The labelled set itself: every case file is well formed, and the held-out split is honest.

These tests read the case files only; they never run the rules (that is
test_materiality_verdicts.py and scripts/eval-materiality).
"""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

import pytest
import yaml

from policydocs.compare import Comparison, Stats
from policydocs.evaluate import LABELS, CORPORA, Outcome, corpus_of, load_cases, report, scores
from policydocs.errors import UserError
from policydocs.materiality import load_rules

FILES = sorted(LABELS.glob("*.yml"))
REQUIRED = ("id", "source", "split", "material", "topic", "reason", "old", "new")
SOURCE_FIELDS = ("collection", "document", "commit", "parent")
COLLECTION_WORD = {"ota": "genai-eu-versions", "bc": "basecamp/policies", "am": "Legalmattic"}
# The first 201 genai-eu cases name the editorial kind of a non-material change ("dates",
# "links", ...) instead of a rule id; RUBRIC.md lists them. New cases use a rule id or "editorial".
LEGACY_EDITORIAL_TOPICS = {"announcement", "dates", "definitions", "headings", "links", "markdown", "move",
                           "navigation", "numbering", "punctuation", "rename", "spelling", "translation",
                           "wording"}
SHA = re.compile(r"^[0-9a-f]{40}$")


def _load(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def cases() -> list[dict]:
    return [_load(path) for path in FILES]


@pytest.fixture(scope="module")
def topic_ids() -> set[str]:
    return {topic.id for topic in load_rules().rules}


def test_the_set_is_big_enough_and_spans_three_corpora(cases):
    per_corpus = defaultdict(int)
    for case in cases:
        per_corpus[corpus_of(case["id"])] += 1
    assert len(cases) >= 400, len(cases)
    assert set(per_corpus) == set(CORPORA.values()), dict(per_corpus)
    assert per_corpus["basecamp"] >= 100 and per_corpus["legalmattic"] >= 100, dict(per_corpus)


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_every_case_file_is_well_formed(path, topic_ids):
    case = _load(path)
    assert isinstance(case, dict), path
    missing = [key for key in REQUIRED if key not in case]
    assert not missing, (path.name, missing)
    assert case["id"] == path.stem
    prefix = case["id"].split("-", 1)[0]
    assert prefix in CORPORA and re.fullmatch(rf"{prefix}-\d{{4}}", case["id"]), case["id"]
    source = case["source"]
    assert isinstance(source, dict) and all(source.get(key) for key in SOURCE_FIELDS), source
    assert COLLECTION_WORD[prefix] in source["collection"], source["collection"]
    assert SHA.match(str(source["commit"])) and SHA.match(str(source["parent"])), source
    assert case["split"] in ("tuning", "heldout")
    assert case["material"] in (True, False, "ambiguous") and case["material"] is not None
    assert isinstance(case["reason"], str) and case["reason"].strip() and "\n" not in case["reason"]
    if case["material"] is True:
        assert case["topic"] in topic_ids, case["topic"]  # a material change is reported under a rule
    else:
        allowed = topic_ids | {"editorial"} | (LEGACY_EDITORIAL_TOPICS if prefix == "ota" else set())
        assert case["topic"] in allowed, case["topic"]
    assert isinstance(case["old"], str) and isinstance(case["new"], str)
    assert case["old"] != case["new"]
    assert case["old"].strip() or case["new"].strip()


def test_case_files_round_trip_through_safe_yaml():
    for path in FILES:
        case = _load(path)
        assert yaml.safe_load(yaml.safe_dump(case, allow_unicode=True, sort_keys=False)) == case, path.name


def test_ids_and_revisions_are_unique(cases):
    ids = [case["id"] for case in cases]
    assert len(ids) == len(set(ids))
    excerpts = [(case["source"]["commit"], case["source"]["document"], case["old"], case["new"]) for case in cases]
    assert len(excerpts) == len(set(excerpts)), "the same hunk is labelled twice"


@pytest.mark.parametrize("prefix", ["bc", "am"])
def test_held_out_split_is_every_third_case_in_labelling_order(cases, prefix):
    """Cases of the new corpora are numbered in the order they were labelled: the 3rd, 6th,
    9th ... of each corpus is held out, the rest is for tuning."""
    mine = sorted((case for case in cases if case["id"].startswith(prefix + "-")), key=lambda c: c["id"])
    assert [int(case["id"].split("-")[1]) for case in mine] == list(range(1, len(mine) + 1))
    wrong = [case["id"] for n, case in enumerate(mine, 1)
             if case["split"] != ("heldout" if n % 3 == 0 else "tuning")]
    assert not wrong, wrong


def test_genai_eu_held_out_split_is_kept_as_labelled(cases):
    """The genai-eu ids are not in labelling order (that order was not recorded), so the check
    is the count: every third of the 199 first cases is held out, and the later ota-9xxx
    cases, added for noise kinds the rules learned, are all tuning (RUBRIC.md)."""
    first = [case for case in cases if case["id"].startswith("ota-") and not case["id"].startswith("ota-9")]
    later = [case for case in cases if case["id"].startswith("ota-9")]
    assert sum(case["split"] == "heldout" for case in first) == len(first) // 3
    assert all(case["split"] == "tuning" for case in later)


def test_load_cases_reads_every_label_and_corpus():
    loaded = load_cases()
    assert len(loaded) == len(FILES)
    assert {c.corpus for c in loaded} == set(CORPORA.values())
    unsure = [c for c in loaded if c.ambiguous]
    assert unsure and all(not c.material for c in unsure)


def test_load_cases_refuses_an_unknown_label(tmp_path):
    case = _load(FILES[0])
    case["material"] = "maybe"
    (tmp_path / "x.yml").write_text(yaml.safe_dump(case), encoding="utf-8")
    with pytest.raises(UserError, match="true, false or ambiguous"):
        load_cases(tmp_path)


def _outcome(case, flagged: bool) -> Outcome:
    return Outcome(case, Comparison(old_sha256="", new_sha256="", changes=(), segments=(), stats=Stats(),
                                    material=flagged))


def test_ambiguous_cases_are_reported_apart_and_never_scored():
    loaded = load_cases()
    sure_material = next(c for c in loaded if c.material and c.corpus == "basecamp")
    sure_not = next(c for c in loaded if not c.material and not c.ambiguous and c.corpus == "legalmattic")
    unsure = [c for c in loaded if c.ambiguous][:2]
    outcomes = [_outcome(sure_material, True), _outcome(sure_not, False),
                _outcome(unsure[0], True), _outcome(unsure[1], False)]
    s = scores(outcomes)
    assert (s["cases"], s["tp"], s["fp"], s["fn"], s["tn"]) == (2, 1, 0, 0, 1)
    text = report(outcomes)
    assert "all         all      cases=  2  precision=1.000  recall=1.000" in text
    assert "flagged material 1 of 2" in text
    assert "basecamp    tuning" in text or "basecamp    heldout" in text
    assert text.count("AMBIGUOUS") == 2 and "FALSE ALARM" not in text and "MISSED" not in text


def test_another_set_of_cases_is_measured_held_out_and_a_bad_file_is_one_line(tmp_path):
    import subprocess
    import sys

    (tmp_path / "a.yml").write_text('material: true\nold: "We keep data for 30 days.\\n"\n'
                                    'new: "We keep data for 90 days.\\n"\n')
    (tmp_path / "b.yml").write_text('material: false\nold: "We keep data.\\n"\nnew: "We keep the data.\\n"\n')
    root = Path(__file__).resolve().parents[1]
    run = lambda folder: subprocess.run([sys.executable, "-m", "policydocs.evaluate", str(folder)],  # noqa: E731
                                        capture_output=True, text=True, cwd=root,
                                        env={**__import__("os").environ, "PYTHONPATH": str(root / "src")})
    result = run(tmp_path)
    assert result.returncode == 0, result.stderr
    assert "all         heldout  cases=  2  precision=1.000  recall=1.000  tp=1 fp=0 fn=0 tn=1" in result.stdout
    (tmp_path / "c.yml").write_text("material: maybe\nold: a\nnew: b\n")
    bad = run(tmp_path)
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1 and "c.yml" in bad.stderr and bad.stdout == ""


def test_each_case_is_judged_with_its_publishers_declared_names_and_can_be_judged_without(tmp_path):
    import subprocess
    import sys

    cases = tmp_path / "cases"
    cases.mkdir()
    (cases / "x-1.yml").write_text(
        "source: {collection: Example Co, document: Help/Terms.md}\nmaterial: false\n"
        'old: "Backups of your files are kept by Example in its data centers for 30 days.\\n"\n'
        'new: "Backups of your files are kept by Exemplar in its data centers for 30 days.\\n"\n')
    (tmp_path / "publishers.yml").write_text(
        "publishers:\n  - collection: Example\n    documents: [Help]\n    names: [Example, Exemplar]\n")
    (case,) = load_cases(cases)
    assert case.names == ("Example", "Exemplar")
    root = Path(__file__).resolve().parents[1]
    run = lambda *args: subprocess.run([sys.executable, "-m", "policydocs.evaluate", *args],  # noqa: E731
                                       capture_output=True, text=True, cwd=root,
                                       env={**__import__("os").environ, "PYTHONPATH": str(root / "src")})
    assert "tp=0 fp=0 fn=0 tn=1" in run(str(cases)).stdout  # the publisher renamed itself
    assert "tp=0 fp=1 fn=0 tn=0" in run(str(cases), "--without-names").stdout  # a stranger, for all we know
    (tmp_path / "publishers.yml").write_text("publishers:\n  - names: [Example]\n")
    bad = run(str(cases))
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1 and "publishers.yml" in bad.stderr


def test_the_labelled_corpora_declare_their_publishers_names():
    for case in load_cases():
        assert case.names, f"{case.id}: no publisher's names in publishers.yml"
