"""Compare-engine benchmark: the speed targets of issue #3, next to git, difflib,
diff-match-patch and redlines on the same pairs, in one run.

    PYTHONPATH=src python bench/compare_bench.py [--quick]

Every engine is timed the same way: CPU time (user + system), median of N runs (ours
with its memos of bodies and windows emptied before each run). Ours,
difflib, diff-match-patch and redlines run in this process; git is a child process, timed
whole (start-up included) from its resource usage, with wall-clock time beside it.
--quick skips difflib and redlines on the 100k-word pair (about two minutes between them).
Figures, not assertions."""

from __future__ import annotations

import difflib
import random
import re
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

from conftest import corpus_clone, corpus_histories  # noqa: E402
from diff_match_patch import diff_match_patch  # noqa: E402  (the pure-Python peer)

from policydocs.compare import ENGINE_VERSION, compare  # noqa: E402
from policydocs.memo import forget_all  # noqa: E402

TOKEN = re.compile(r"\w+|\s+|[^\w\s]")
TARGETS = {"8k": 10.0, "100k": 300.0}  # ms of CPU; the corpus target is 2x git


def cpu(fn: Callable[[], object], repeat: int = 5) -> float:
    """Median CPU milliseconds of ``fn()`` in this process, each run starting with empty
    memos (a repeated pair would otherwise find its bodies and windows remembered)."""
    times = []
    for _ in range(repeat):
        forget_all()
        t = time.process_time()
        fn()
        times.append((time.process_time() - t) * 1000)
    return statistics.median(times)


def child_cpu(args: list[str], cwd: Path, repeat: int = 3) -> tuple[float, float]:
    """Median (CPU ms, wall ms) of a whole child process."""
    cpus, walls = [], []
    for _ in range(repeat):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t = time.perf_counter()
        subprocess.run(args, cwd=cwd, capture_output=True, check=True)
        walls.append((time.perf_counter() - t) * 1000)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append((after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime) * 1000)
    return statistics.median(cpus), statistics.median(walls)


def git_word_diff(tmp: Path, a: str, b: str) -> float:
    (tmp / "a.md").write_text(a)
    (tmp / "b.md").write_text(b)
    args = ["git", "diff", "--no-index", "--word-diff=porcelain", "a.md", "b.md"]
    cpus = []
    for _ in range(5):  # git diff --no-index exits 1 when the files differ
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        subprocess.run(args, cwd=tmp, capture_output=True)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append((after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime) * 1000)
    return statistics.median(cpus)


def difflib_words(a: str, b: str) -> None:
    difflib.SequenceMatcher(None, TOKEN.findall(a), TOKEN.findall(b)).get_opcodes()


def dmp_chars(a: str, b: str) -> None:
    d = diff_match_patch()
    d.Diff_Timeout = 0
    d.diff_main(a, b)


def redlines(a: str, b: str) -> None:
    from redlines import Redlines
    Redlines(a, b).output_markdown


def stress_pair(texts: list[str], words: int, edits: int = 200, moves: int = 3, seed: int = 7) -> tuple[str, str]:
    rnd = random.Random(seed)
    body, n, k = [], 0, 0
    while n < words:
        t = texts[k % len(texts)]
        body.append(t)
        n += len(t.split())
        k += 1
    old = "\n\n".join(body)
    paras = old.split("\n\n")
    for _ in range(moves):
        i = rnd.randrange(len(paras))
        p = paras.pop(i)
        paras.insert(rnd.randrange(len(paras)), p)
    new_words = "\n\n".join(paras).split(" ")
    for _ in range(edits):
        i = rnd.randrange(len(new_words))
        new_words[i] = rnd.choice(["never", "always", "ninety", "partners", "may"])
    return old, " ".join(new_words)


def row(label: str, figures: dict[str, float | None], note: str = "") -> None:
    cells = "  ".join(f"{k} {v:9.1f} ms" if v is not None else f"{k}       n/a" for k, v in figures.items())
    print(f"{label:<28} {cells}{'  ' + note if note else ''}")


def verdict(value: float, target: float) -> str:
    return f"target <= {target:.0f} ms: {'met' if value <= target else 'NOT met'}"


def main() -> None:
    quick = "--quick" in sys.argv
    print(f"compare engine {ENGINE_VERSION}; CPU ms, median of N (ours N=5, 3 on 100k+ words; "
          f"difflib / dmp / redlines N=5 on the 8k pair, 1 on the 100k pair; git N=5 / 3)")
    with tempfile.TemporaryDirectory() as tmpdir:
        tmp = Path(tmpdir)
        repo = corpus_clone(tmp)
        histories = corpus_histories(repo)
        pairs = [(a, b) for texts in histories.values() for a, b in zip(texts, texts[1:])]
        # 8k-word real pair: the changed pair whose old side is closest to 8,000 words
        a8, b8 = min((p for p in pairs if p[0] != p[1]), key=lambda p: abs(len(p[0].split()) - 8000))
        print(f"8k pair: {len(a8.split())} → {len(b8.split())} words")
        ours = cpu(lambda: compare(a8, b8))
        row("8k real pair", {"ours": ours, "git": git_word_diff(tmp, a8, b8),
                              "difflib": cpu(lambda: difflib_words(a8, b8)),
                              "dmp": cpu(lambda: dmp_chars(a8, b8)),
                              "redlines": cpu(lambda: redlines(a8, b8))}, verdict(ours, TARGETS["8k"]))

        latest = [texts[-1] for texts in histories.values()]
        a, b = stress_pair(latest, 100_000)
        c = compare(a, b)
        print(f"100k pair: {len(a.split())} words, {len(c.changes)} changes, "
              f"{sum(1 for x in c.changes if x.type == 'move')} moves")
        ours = cpu(lambda: compare(a, b), 3)
        row("100k stress pair", {"ours": ours, "git": git_word_diff(tmp, a, b),
                                 "difflib": None if quick else cpu(lambda: difflib_words(a, b), 1),
                                 "dmp": cpu(lambda: dmp_chars(a, b), 1),
                                 "redlines": None if quick else cpu(lambda: redlines(a, b), 1)},
            verdict(ours, TARGETS["100k"]))

        def corpus_run() -> None:
            for x, y in pairs:
                compare(x, y)

        ours = cpu(corpus_run, 3)
        git_cpu, git_wall = child_cpu(["git", "log", "-p", "--no-renames", "--word-diff=porcelain",
                                       "--", "*.md"], repo)
        row(f"corpus, {len(pairs)} pairs", {"ours": ours, "git log -p": git_cpu, "(git wall)": git_wall},
            f"ours / git CPU = {ours / git_cpu:.1f}x (target <= 2x: {'met' if ours <= 2 * git_cpu else 'NOT met'})")

        print("size curve (200 edits, 3 moves):")
        previous = None
        for words in (10_000, 50_000, 100_000, 200_000):
            a, b = stress_pair(latest, words)
            ms = cpu(lambda: compare(a, b), 3)
            growth = f"x{ms / previous[1]:.2f} time for x{words / previous[0]:.0f} words" if previous else ""
            row(f"  {words // 1000}k words", {"ours": ms}, growth)
            previous = (words, ms)


if __name__ == "__main__":
    main()
