#!/usr/bin/env python3
"""Benchmark: what materiality costs on whole histories, now and at an earlier commit.

For every consecutive pair of every Markdown document of the three corpora in
../shared/corpora, CPU seconds of `compare` and of `assess` (rules loaded once),
median of N runs, the share of assess in compare + assess, and the same figures for
the source tree of REF (default: the last commit before the noise checks), each in its
own process so both engines stay apart. Figures, never a test.

    .venv/bin/python bench/assess_cost.py [--runs 3] [--against REF] [--corpus NAME ...]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from io import BytesIO
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BEFORE_NOISE_CHECKS = "9829759"  # main before issue #11's noise checks (round 1's rules)
CORPORA = ("genai-eu-versions", "basecamp-policies", "automattic-legalmattic")


def measure(corpus: str, runs: int) -> dict:
    """In this process (PYTHONPATH picks the engine): CPU of compare and of assess."""
    sys.path.append(str(ROOT / "tests"))
    from conftest import corpus_clone, corpus_histories  # noqa: E402

    from policydocs import memo
    from policydocs.compare import compare
    from policydocs.materiality import assess, load_rules

    with tempfile.TemporaryDirectory() as tmp:
        histories = corpus_histories(corpus_clone(Path(tmp), corpus))
    pairs = [(a, b) for texts in histories.values() for a, b in zip(texts, texts[1:]) if a != b]
    rules = load_rules()
    compare_cpu, assess_cpu = [], []
    for _ in range(runs):
        memo.forget_all()  # each run from cold: no text remembered from the last
        started = time.process_time()
        compared = [compare(a, b) for a, b in pairs]
        middle = time.process_time()
        material = sum(assess(c, rules).material for c in compared)
        compare_cpu.append(middle - started)
        assess_cpu.append(time.process_time() - middle)
    return {"pairs": len(pairs), "compare": statistics.median(compare_cpu),
            "assess": statistics.median(assess_cpu), "material": material}


def source_of(ref: str, into: Path) -> Path:
    """The ``src`` tree of ``ref``, unpacked from ``git archive``."""
    data = subprocess.run(["git", "-C", str(ROOT), "archive", ref, "src"], capture_output=True,
                          check=True).stdout
    with tarfile.open(fileobj=BytesIO(data)) as tar:
        tar.extractall(into, filter="data")
    return into / "src"


def run_in(src: Path, corpus: str, runs: int) -> dict:
    env = {**os.environ, "PYTHONPATH": str(src)}
    out = subprocess.run([sys.executable, __file__, "--measure", corpus, "--runs", str(runs)],
                         env=env, capture_output=True, text=True, check=True).stdout
    return json.loads(out.splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--against", default=BEFORE_NOISE_CHECKS)
    parser.add_argument("--corpus", nargs="*", default=list(CORPORA))
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure, args.runs)))
        return
    with tempfile.TemporaryDirectory() as tmp:
        before_src = source_of(args.against, Path(tmp))
        print(f"CPU seconds, median of {args.runs}; 'before' is {args.against}")
        print(f"{'corpus':24} {'pairs':>6} {'compare':>8} {'assess':>8} {'share':>6} "
              f"{'assess before':>14} {'growth':>7} {'material pairs now/before':>26}")
        for corpus in args.corpus:
            now = run_in(ROOT / "src", corpus, args.runs)
            before = run_in(before_src, corpus, args.runs)
            share = now["assess"] / (now["compare"] + now["assess"])
            growth = now["assess"] / before["assess"] - 1 if before["assess"] else 0.0
            print(f"{corpus:24} {now['pairs']:>6} {now['compare']:>8.2f} {now['assess']:>8.2f} "
                  f"{share:>6.0%} {before['assess']:>14.2f} {growth:>+7.0%} "
                  f"{now['material']:>13}/{before['material']}")


if __name__ == "__main__":
    main()
