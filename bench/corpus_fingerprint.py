"""SHA-256 fingerprints of the results on all consecutive pairs of a corpus, to show a
speed change left every result as it was: run it before and after (PYTHONPATH picks
the engine).

    PYTHONPATH=src python bench/corpus_fingerprint.py [--corpus NAME|all] [--profile [tottime]]

Three fingerprints per corpus (genai-eu by default, 956 pairs):

- ``compare``: `compare` alone, JSON of changes, segments, stats and notes (the
  fingerprint quoted in earlier notes);
- ``detail``: the change fields the JSON leaves out (editorial category, move id, old
  section, block contexts);
- ``verdicts``: `materiality.assess` with the built-in rules, JSON as above (each
  change's verdict and reasons, the comparison's verdict).

with the CPU time of `compare` over all pairs (least of 3). --profile prints the
cProfile top 30 (cumulative, or tottime) of the compare loop instead."""

from __future__ import annotations

import cProfile
import hashlib
import json
import pstats
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT / "tests")]

from conftest import CORPUS_NAMES, corpus_clone, corpus_histories  # noqa: E402

from policydocs.compare import ENGINE_VERSION, compare  # noqa: E402
from policydocs.materiality import assess, load_rules  # noqa: E402
from policydocs.memo import forget_all  # noqa: E402

DETAIL_FIELDS = ("id", "editorial", "move", "old_section", "old_context", "new_context")


def corpus_pairs(name: str) -> list[tuple[str, str]]:
    """Every consecutive pair of every Markdown file's history, files in path order."""
    with tempfile.TemporaryDirectory() as tmp:
        histories = corpus_histories(corpus_clone(Path(tmp), name))
    return [(a, b) for _, texts in sorted(histories.items()) for a, b in zip(texts, texts[1:])]


def fingerprints(pairs: list[tuple[str, str]]) -> tuple[float, dict[str, str]]:
    seconds = float("inf")
    for _ in range(3):  # the least of three: other work on the machine only adds
        forget_all()
        t = time.process_time()
        results = [compare(a, b) for a, b in pairs]
        seconds = min(seconds, time.process_time() - t)
    rules = load_rules()
    digests = {k: hashlib.sha256() for k in ("compare", "detail", "verdicts")}
    for c in results:
        digests["compare"].update(_json([c.to_json(), c.notes]))
        digests["detail"].update(_json([[getattr(ch, f) for f in DETAIL_FIELDS] for ch in c.changes]))
        digests["verdicts"].update(_json(assess(c, rules).to_json()))
    return seconds, {k: d.hexdigest() for k, d in digests.items()}


def _json(value: object) -> bytes:
    return json.dumps(value, sort_keys=True).encode("utf-8", "surrogatepass")


def main() -> None:
    args = sys.argv[1:]
    name = args[args.index("--corpus") + 1] if "--corpus" in args else "genai-eu-versions"
    names = CORPUS_NAMES if name == "all" else [n for n in CORPUS_NAMES if n.startswith(name)]
    for corpus in names:
        pairs = corpus_pairs(corpus)
        if "--profile" in args:
            profile = cProfile.Profile()
            profile.runcall(lambda: [compare(a, b) for a, b in pairs])
            order = "tottime" if "tottime" in args else "cumulative"
            pstats.Stats(profile).sort_stats(order).print_stats(30)
            continue
        seconds, prints = fingerprints(pairs)
        print(f"{corpus}: engine {ENGINE_VERSION}, {len(pairs)} pairs, compare {seconds:.2f} s CPU (least of 3)")
        for kind, digest in prints.items():
            print(f"  {kind:8} {digest}")


if __name__ == "__main__":
    main()
