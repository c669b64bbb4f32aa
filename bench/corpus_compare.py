"""Whole-history compare CPU against git's word diff, per corpus (issue #10: within 2x).

    PYTHONPATH=src python bench/corpus_compare.py [--corpus NAME|all] [--no-assess]

For each corpus (all three by default) the same consecutive pairs as
``bench/corpus_fingerprint.py`` (every Markdown file's history, files in path order)
are compared, and the median of 3 CPU times (in-process, `time.process_time`, every
memo emptied before each run) is printed for:

- ``compare``: `policydocs.compare.compare` alone;
- ``compare+assess``: `compare` then `materiality.assess` with the built-in rules
  (loaded once, outside the timing), with the share of that time spent in `assess`;
- ``git``: ``git log -p --no-renames --word-diff=porcelain -- '*.md'`` on the same
  clone, output discarded, as the CPU (user + system) of the child process
  (``resource.getrusage(RUSAGE_CHILDREN)``);

and the ratios to git. Figures only, never a test: the machine may be shared.
"""

from __future__ import annotations

import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT / "tests")]

from conftest import CORPUS_NAMES, corpus_clone, corpus_histories  # noqa: E402

from policydocs.compare import ENGINE_VERSION, compare  # noqa: E402
from policydocs.materiality import assess, load_rules  # noqa: E402
from policydocs.memo import forget_all  # noqa: E402

RUNS = 3
GIT_WORD_DIFF = ["git", "log", "-p", "--no-renames", "--word-diff=porcelain", "--", "*.md"]


def median_cpu(run: Callable[[], object]) -> float:
    """Median CPU seconds of `RUNS` runs, every memo emptied before each."""
    times = []
    for _ in range(RUNS):
        forget_all()
        start = time.process_time()
        run()
        times.append(time.process_time() - start)
    return statistics.median(times)


def compare_and_assess(pairs: list[tuple[str, str]]) -> tuple[float, float]:
    """Median of `RUNS` runs of compare + assess over the pairs: (total, assess) CPU seconds."""
    rules = load_rules()
    runs = []
    for _ in range(RUNS):
        forget_all()
        in_assess = 0.0
        start = time.process_time()
        for a, b in pairs:
            comparison = compare(a, b)
            before = time.process_time()
            assess(comparison, rules)
            in_assess += time.process_time() - before
        runs.append((time.process_time() - start, in_assess))
    return sorted(runs)[len(runs) // 2]


def git_cpu(repo: Path) -> float:
    """Median CPU seconds (user + system) of git's word diff of the whole history."""
    times = []
    for _ in range(RUNS):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        subprocess.run(GIT_WORD_DIFF, cwd=repo, stdout=subprocess.DEVNULL, check=True)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        times.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return statistics.median(times)


def main() -> None:
    args = sys.argv[1:]
    name = args[args.index("--corpus") + 1] if "--corpus" in args else "all"
    names = CORPUS_NAMES if name == "all" else [n for n in CORPUS_NAMES if n.startswith(name)]
    print(f"compare engine {ENGINE_VERSION}; CPU seconds, median of {RUNS}; git: {' '.join(GIT_WORD_DIFF)}")
    for corpus in names:
        with tempfile.TemporaryDirectory() as tmp:
            repo = corpus_clone(Path(tmp), corpus)
            histories = corpus_histories(repo)
            pairs = [(a, b) for _, texts in sorted(histories.items()) for a, b in zip(texts, texts[1:])]
            git = git_cpu(repo)
        ours = median_cpu(lambda: [compare(a, b) for a, b in pairs])
        line = f"{corpus}: {len(pairs)} pairs; git {git:.2f} s; compare {ours:.2f} s ({ours / git:.1f}x git)"
        if "--no-assess" not in args:
            total, in_assess = compare_and_assess(pairs)
            line += (f"; compare+assess {total:.2f} s ({total / git:.1f}x git, "
                     f"assess {in_assess / total:.0%} of it)")
        print(line, flush=True)


if __name__ == "__main__":
    main()
