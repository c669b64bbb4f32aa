"""Measure the materiality rules on the labelled set: ``python -m policydocs.evaluate``.

Each case in ``tests/materiality_labels/cases/*.yml`` is a real revision excerpt
with a human label. The excerpt pair goes through `compare` and `assess` like any
two versions; until the compare engine lands, blocks are aligned by a plain line
diff instead (`_blocks_changes`), which is enough to judge the rules.

A label is ``material: true``, ``false`` or ``ambiguous``. Ambiguous cases are
never counted in precision or recall; the report says how the rules judged them
("flagged material N of M"). Figures are printed per corpus (from the id prefix:
``ota-`` genai-eu, ``bc-`` basecamp, ``am-`` legalmattic) and per split.
"""

from __future__ import annotations

import difflib
import sys
from dataclasses import dataclass
from pathlib import Path

from policydocs.compare import Change, Comparison, Stats, compare
from policydocs.materiality import RuleSet, assess, load_rules
from policydocs.errors import UserError
from policydocs.store import read_text_file, safe_yaml_load

LABELS = Path(__file__).resolve().parents[2] / "tests" / "materiality_labels" / "cases"
PUBLISHERS = "publishers.yml"  # beside a case folder: each publisher's own names


SPLITS = ("tuning", "heldout")
# id prefix → corpus name, in report order; a case of another prefix is reported under its prefix
CORPORA = {"ota": "genai-eu", "bc": "basecamp", "am": "legalmattic"}
_COLLECTIONS = ("genai-eu", "basecamp", "legalmattic")  # words of source.collection


@dataclass(frozen=True)
class Case:
    id: str
    split: str
    material: bool              # False for an ambiguous case: see `ambiguous`
    topic: str
    reason: str
    old: str
    new: str
    ambiguous: bool = False
    corpus: str = ""
    names: tuple[str, ...] = ()  # the publisher's own names (``publishers.yml``)


def corpus_of(case_id: str, collection: str = "") -> str:
    """The corpus a case comes from: by its id prefix, else by its source collection."""
    prefix = case_id.split("-", 1)[0]
    if prefix in CORPORA:
        return CORPORA[prefix]
    for name in _COLLECTIONS:
        if name in collection.lower():
            return name
    return prefix if "-" in case_id else "other"


@dataclass(frozen=True)
class Outcome:
    case: Case
    comparison: Comparison

    @property
    def predicted(self) -> bool:
        return self.comparison.material


def load_cases(folder: Path = LABELS) -> list[Case]:
    """Every case file of ``folder``. A case needs ``id`` (else its file name), ``material``,
    ``old`` and ``new``; a case with no ``split`` is held out (another set is never tuned
    on); ``topic`` and ``reason`` are optional. A bad file is one line naming it."""
    if not folder.is_dir():
        raise UserError(f"{folder}: not a folder of labelled cases (*.yml); give the folder's path")
    publishers = load_publishers(folder.parent / PUBLISHERS)
    cases = []
    for path in sorted(folder.glob("*.yml")):
        data = safe_yaml_load(read_text_file(path), where=str(path))
        if not isinstance(data, dict):
            raise UserError(f"{path}: a case is a mapping with id, material, old and new")
        missing = [key for key in ("material", "old", "new") if key not in data]
        if missing:
            raise UserError(f"{path}: missing {', '.join(missing)}; a case needs material, old and new")
        label = data["material"]
        if label is not True and label is not False and label != "ambiguous":
            raise UserError(f"{path}: material must be true, false or ambiguous, not {label!r}")
        split = data.get("split", "heldout")
        if split not in SPLITS:
            raise UserError(f"{path}: split must be one of {', '.join(SPLITS)}, not {split!r}")
        source = data.get("source") or {}
        case_id = str(data.get("id") or path.stem)
        cases.append(Case(id=case_id, split=split, material=label is True,
                          topic=str(data.get("topic", "")), reason=str(data.get("reason", "")),
                          old=str(data["old"]), new=str(data["new"]), ambiguous=label == "ambiguous",
                          corpus=corpus_of(case_id, str(source.get("collection", ""))),
                          names=names_for(publishers, str(source.get("collection", "")),
                                          str(source.get("document", "")))))
    return cases


@dataclass(frozen=True)
class Publisher:
    collection: str
    documents: tuple[str, ...]
    names: tuple[str, ...]


def load_publishers(path: Path) -> list[Publisher]:
    """The publishers' own names beside a case folder (none when the file is absent):
    what each publisher would declare in its rules (noise check ``own-name``)."""
    if not path.is_file():
        return []
    data = safe_yaml_load(read_text_file(path), where=str(path))
    entries = data.get("publishers") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        raise UserError(f"{path}: a mapping with 'publishers', a list of {{collection, documents, names}}")
    found = []
    for n, entry in enumerate(entries, 1):
        names = entry.get("names") if isinstance(entry, dict) else None
        documents = entry.get("documents") or [] if isinstance(entry, dict) else []
        if not isinstance(names, list) or not isinstance(entry.get("collection"), str) or \
                not isinstance(documents, list):
            raise UserError(f"{path}: publisher #{n} needs 'collection' (text) and 'names' (a list)")
        found.append(Publisher(entry["collection"], tuple(map(str, documents)), tuple(map(str, names))))
    return found


def names_for(publishers: list[Publisher], collection: str, document: str) -> tuple[str, ...]:
    """The own names of the publisher whose document a case comes from."""
    folder = document.split("/", 1)[0]
    for p in publishers:
        if p.collection.lower() in collection.lower() and (not p.documents or folder in p.documents):
            return p.names
    return ()


def _blocks(text: str) -> list[str]:
    return [b.strip("\n") for b in text.split("\n\n") if b.strip()] or [text]


def _blocks_changes(old: str, new: str) -> Comparison:
    """A stand-in for `compare`: blocks aligned by difflib, one change per differing block."""
    a, b = _blocks(old), _blocks(new)
    changes: list[Change] = []
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        olds, news = a[i1:i2], b[j1:j2]
        pairs = []
        for k in range(max(len(olds), len(news))):
            o = olds[k] if k < len(olds) else ""
            n = news[k] if k < len(news) else ""
            if o and n and difflib.SequenceMatcher(None, o.split(), n.split()).ratio() < 0.5:
                pairs += [(o, ""), ("", n)]  # unlike blocks: a deletion and an insertion
            else:
                pairs.append((o, n))
        for o, n in pairs:
            if not (o and n) and _moved(o or n, [x for pair in pairs for x in pair if x is not (o or n)]):
                kind_override = "move"
            else:
                kind_override = None
            kind = kind_override or ("replace" if o and n else ("insert" if n else "delete"))
            ow, nw = o.split(), n.split()
            ops = [op for op in difflib.SequenceMatcher(None, ow, nw, autojunk=False).get_opcodes()
                   if op[0] != "equal"]
            if not (o and n and ops):
                ops = [("replace", 0, len(ow), 0, len(nw))]
            for _, a1, a2, b1, b2 in ops:  # one change per edited run of words, as compare gives
                changes.append(Change(id=f"c{len(changes) + 1}", type=kind, kind="content", section=(),
                                      old_text=" ".join(ow[a1:a2]), new_text=" ".join(nw[b1:b2]),
                                      old_context=o, new_context=n))
    return Comparison(old_sha256="", new_sha256="", changes=tuple(changes), segments=(),
                      stats=Stats(changes=len(changes)))


def _moved(block: str, others: list[str]) -> bool:
    return any(other.split() == block.split() for other in others if other)


def compare_case(old: str, new: str) -> Comparison:
    try:
        return compare(old, new)
    except NotImplementedError:
        return _blocks_changes(old, new)


def run(cases: list[Case], rules: RuleSet, *, names: bool = True) -> list[Outcome]:
    """Every case compared and judged; with ``names``, by rules that know its publisher's
    own names, as that publisher's project would declare them."""
    variants: dict[tuple[str, ...], RuleSet] = {(): rules}

    def rules_for(case: Case) -> RuleSet:
        key = case.names if names else ()
        if key not in variants:
            variants[key] = rules.with_words("own-name", key)
        return variants[key]

    return [Outcome(c, assess(compare_case(c.old, c.new), rules_for(c))) for c in cases]


def scores(outcomes: list[Outcome]) -> dict[str, float | int]:
    """Confusion counts, precision and recall; ambiguous cases are left out."""
    outcomes = [o for o in outcomes if not o.case.ambiguous]
    tp = sum(o.case.material and o.predicted for o in outcomes)
    fp = sum(not o.case.material and o.predicted for o in outcomes)
    fn = sum(o.case.material and not o.predicted for o in outcomes)
    tn = sum(not o.case.material and not o.predicted for o in outcomes)
    return {"cases": len(outcomes), "tp": tp, "fp": fp, "fn": fn, "tn": tn,
            "precision": tp / (tp + fp) if tp + fp else 1.0,
            "recall": tp / (tp + fn) if tp + fn else 1.0}


def _line(name: str, split: str, part: list[Outcome]) -> list[str]:
    s = scores(part)
    lines = [f"{name:11} {split:8} cases={s['cases']:3}  precision={s['precision']:.3f}  "
             f"recall={s['recall']:.3f}  tp={s['tp']} fp={s['fp']} fn={s['fn']} tn={s['tn']}"]
    unsure = [o for o in part if o.case.ambiguous]
    if unsure:
        lines.append(f"{name:11} {split:8} ambiguous={len(unsure):2}  "
                     f"flagged material {sum(o.predicted for o in unsure)} of {len(unsure)}")
    return lines


def report(outcomes: list[Outcome]) -> str:
    """The confusion table per corpus and split (and over all), then every miss, false alarm
    and ambiguous case with what the rules said."""
    lines = []
    seen = list(dict.fromkeys(o.case.corpus for o in outcomes))
    corpora = [c for c in CORPORA.values() if c in seen] + [c for c in seen if c not in CORPORA.values()]
    for name in [*corpora, "all"]:
        mine = [o for o in outcomes if name == "all" or o.case.corpus == name]
        for split in (*SPLITS, "all"):
            lines += _line(name, split, [o for o in mine if split == "all" or o.case.split == split])
    for o in outcomes:
        if o.case.ambiguous:
            label = "AMBIGUOUS"
            verdict = "flagged material" if o.predicted else "not flagged"
        elif o.case.material != o.predicted:
            label = "MISSED" if o.case.material else "FALSE ALARM"
            verdict = ""
        else:
            continue
        why = "; ".join(r.explanation for c in o.comparison.changes for r in c.reasons)[:200]
        lines.append(f"{label:11} {o.case.id} [{o.case.split}] {o.case.topic}: {o.case.reason}"
                     + (f" ({verdict})" if verdict else "")
                     + (f"\n            rules said: {why}" if why else ""))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """``[FOLDER] [--without-names]``: the report; ``--without-names`` judges every case
    without its publisher's declared names (only what the text itself says)."""
    args = list(argv or [])
    names = "--without-names" not in args
    args = [a for a in args if a != "--without-names"]
    folder = Path(args[0]) if args else LABELS
    try:
        print(report(run(load_cases(folder), load_rules(), names=names)))
    except UserError as exc:
        print(f"eval-materiality: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
