"""How long the importer takes to read each seed, and a large synthetic page.

    PYTHONPATH=src python bench/ingest.py

Prints CPU seconds per source (median of 5 reads; nothing is written).
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

from policydocs.ingest import read_article
from policydocs.ingest.hints import load_hints

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT.parent / "shared" / "seeds"


def timed(path: Path, hints: Path | None) -> float:
    runs = []
    for _ in range(5):
        start = time.process_time()
        read_article(path, hints=load_hints(hints))
        runs.append(time.process_time() - start)
    return statistics.median(runs)


def main() -> None:
    if not SEEDS.is_dir():
        sys.exit(f"no seeds in {SEEDS}")
    for path in sorted(SEEDS.glob("*.txt")):
        hints = ROOT / "sources" / "hints" / f"{path.stem}.yml"
        print(f"{path.name}: {path.stat().st_size / 1024:.0f} kB, "
              f"{timed(path, hints if hints.exists() else None) * 1000:.0f} ms")
    with tempfile.TemporaryDirectory() as tmp:
        flat = SEEDS / "003_0cab994cbb3c20f8.txt"
        big = Path(tmp) / "big.txt"
        text = flat.read_text(encoding="utf-8")
        head, _, rest = text.partition("Search Submit API data privacy")
        article, _, footer = rest.partition("ResearchOverviewIndex")
        body = article * max(1, 7_000_000 // len(article))
        big.write_text(head + "Search Submit API data privacy" + body + "ResearchOverviewIndex" + footer)
        print(f"flattened capture of {big.stat().st_size / 1048576:.1f} MB: {timed(big, None):.2f} s")


if __name__ == "__main__":
    main()
