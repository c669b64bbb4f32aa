"""How many changes does each consecutive pair of the genai-eu corpus get, and of which
type? Run it with two engines to compare them (PYTHONPATH picks the engine):
PYTHONPATH=src python bench/corpus_changes.py [--list N]. Figures, not assertions."""

from __future__ import annotations

import statistics
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.append(str(ROOT / "tests"))

from conftest import corpus_clone, corpus_histories  # noqa: E402

from policydocs.compare import ENGINE_VERSION, compare  # noqa: E402


def main() -> None:
    show = int(sys.argv[sys.argv.index("--list") + 1]) if "--list" in sys.argv else 0
    with tempfile.TemporaryDirectory() as tmp:
        histories = corpus_histories(corpus_clone(Path(tmp)))
    counts: list[tuple[int, str, int]] = []
    types: Counter[str] = Counter()
    for path, texts in sorted(histories.items()):
        for k, (old, new) in enumerate(zip(texts, texts[1:])):
            if old == new:
                continue
            changes = compare(old, new).changes
            types.update(c.type for c in changes)
            counts.append((len(changes), path, k))
    n = [c for c, _, _ in counts]
    print(f"engine {ENGINE_VERSION}: {len(n)} changed pairs, {sum(n)} changes "
          f"(median {statistics.median(n)}, p90 {statistics.quantiles(n, n=10)[-1]:.0f}, max {max(n)}); "
          + ", ".join(f"{t} {types[t]}" for t in sorted(types)))
    for count, path, k in sorted(counts, reverse=True)[:show]:
        print(f"  {count:5} {path} #{k}")


if __name__ == "__main__":
    main()
