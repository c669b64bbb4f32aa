"""Measure the materiality rules on the labelled set: ``python -m policydocs.evaluate``.

Each case in ``tests/materiality_labels/cases/*.yml`` is a real revision excerpt
with a human label. The excerpt pair goes through `compare` and `assess` like any
two versions; until the compare engine lands, blocks are aligned by a plain line
diff instead (`_blocks_changes`), which is enough to judge the rules.
"""

from __future__ import annotations

import difflib
import sys
from dataclasses import dataclass
from pathlib import Path

from policydocs.compare import Change, Comparison, Stats, compare
from policydocs.materiality import RuleSet, assess, load_rules
from policydocs.store import read_text_file, safe_yaml_load

LABELS = Path(__file__).resolve().parents[2] / "tests" / "materiality_labels" / "cases"


@dataclass(frozen=True)
class Case:
    id: str
    split: str
    material: bool
    topic: str
    reason: str
    old: str
    new: str


@dataclass(frozen=True)
class Outcome:
    case: Case
    comparison: Comparison

    @property
    def predicted(self) -> bool:
        return self.comparison.material


def load_cases(folder: Path = LABELS) -> list[Case]:
    cases = []
    for path in sorted(folder.glob("*.yml")):
        data = safe_yaml_load(read_text_file(path), where=str(path))
        cases.append(Case(id=data["id"], split=data["split"], material=bool(data["material"]),
                          topic=data["topic"], reason=data["reason"], old=data["old"], new=data["new"]))
    return cases


def _blocks(text: str) -> list[str]:
    return [b for b in text.split("\n\n") if b.strip()] or [text]


def _blocks_changes(old: str, new: str) -> Comparison:
    """A stand-in for `compare`: blocks aligned by difflib, one change per differing block."""
    a, b = _blocks(old), _blocks(new)
    changes: list[Change] = []
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        olds, news = a[i1:i2], b[j1:j2]
        for k in range(max(len(olds), len(news))):
            o = olds[k] if k < len(olds) else ""
            n = news[k] if k < len(news) else ""
            kind = "replace" if o and n else ("insert" if n else "delete")
            ow, nw = o.split(), n.split()
            sm = difflib.SequenceMatcher(None, ow, nw, autojunk=False)
            ops = [op for op in sm.get_opcodes() if op[0] != "equal"]
            if ops and o and n:
                o_txt = " ".join(ow[ops[0][1]:ops[-1][2]])
                n_txt = " ".join(nw[ops[0][3]:ops[-1][4]])
            else:
                o_txt, n_txt = o, n
            changes.append(Change(id=f"c{len(changes) + 1}", type=kind, kind="content", section=(),
                                  old_text=o_txt, new_text=n_txt, old_context=o, new_context=n))
    return Comparison(old_sha256="", new_sha256="", changes=tuple(changes), segments=(),
                      stats=Stats(changes=len(changes)))


def compare_case(old: str, new: str) -> Comparison:
    try:
        return compare(old, new)
    except NotImplementedError:
        return _blocks_changes(old, new)


def run(cases: list[Case], rules: RuleSet) -> list[Outcome]:
    return [Outcome(c, assess(compare_case(c.old, c.new), rules)) for c in cases]


def scores(outcomes: list[Outcome]) -> dict[str, float | int]:
    tp = sum(o.case.material and o.predicted for o in outcomes)
    fp = sum(not o.case.material and o.predicted for o in outcomes)
    fn = sum(o.case.material and not o.predicted for o in outcomes)
    tn = sum(not o.case.material and not o.predicted for o in outcomes)
    return {"cases": len(outcomes), "tp": tp, "fp": fp, "fn": fn, "tn": tn,
            "precision": tp / (tp + fp) if tp + fp else 1.0,
            "recall": tp / (tp + fn) if tp + fn else 1.0}


def report(outcomes: list[Outcome]) -> str:
    lines = []
    for split in ("tuning", "heldout", "all"):
        part = [o for o in outcomes if split == "all" or o.case.split == split]
        s = scores(part)
        lines.append(f"{split:8} cases={s['cases']:3}  precision={s['precision']:.3f}  "
                     f"recall={s['recall']:.3f}  tp={s['tp']} fp={s['fp']} fn={s['fn']} tn={s['tn']}")
    for o in outcomes:
        if o.case.material != o.predicted:
            label = "MISSED" if o.case.material else "FALSE ALARM"
            why = "; ".join(r.explanation for c in o.comparison.changes for r in c.reasons)[:200]
            lines.append(f"{label:11} {o.case.id} [{o.case.split}] {o.case.topic}: {o.case.reason}"
                         + (f"\n            rules said: {why}" if why else ""))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    folder = Path(argv[0]) if argv else LABELS
    print(report(run(load_cases(folder), load_rules())))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
