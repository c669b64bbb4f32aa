"""Compare-engine benchmark: prints CPU times next to git, difflib, diff-match-patch
and redlines on the same pairs. Run: python bench/compare_bench.py [--quick]
(--quick skips the slow engines on the 100k pair). Figures, not assertions."""

from __future__ import annotations

import difflib
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT / "tests")]

from conftest import corpus_clone, corpus_histories  # noqa: E402
from diff_match_patch import diff_match_patch  # noqa: E402

from policydocs.compare import compare  # noqa: E402

TOKEN = re.compile(r"\w+|\s+|[^\w\s]")


def cpu(fn, repeat: int = 5) -> float:
    """Median CPU milliseconds of ``fn()``."""
    times = []
    for _ in range(repeat):
        t = time.process_time()
        fn()
        times.append((time.process_time() - t) * 1000)
    return statistics.median(times)


def git_word_diff(tmp: Path, a: str, b: str) -> float:
    (tmp / "a.md").write_text(a)
    (tmp / "b.md").write_text(b)
    def run():
        subprocess.run(["git", "diff", "--no-index", "--word-diff=porcelain", "a.md", "b.md"],
                       cwd=tmp, capture_output=True)
    t = time.perf_counter()
    run()
    return (time.perf_counter() - t) * 1000  # whole process, wall clock


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


def row(label: str, figures: dict[str, float | None]) -> None:
    cells = "  ".join(f"{k} {v:9.1f} ms" if v is not None else f"{k}       n/a" for k, v in figures.items())
    print(f"{label:<28} {cells}")


def main() -> None:
    quick = "--quick" in sys.argv
    with tempfile.TemporaryDirectory() as tmpdir:
        tmp = Path(tmpdir)
        repo = corpus_clone(tmp)
        histories = corpus_histories(repo)
        pairs = [(a, b) for texts in histories.values() for a, b in zip(texts, texts[1:])]
        # 8k-word real pair: the changed pair whose old side is closest to 8,000 words
        a8, b8 = min((p for p in pairs if p[0] != p[1]), key=lambda p: abs(len(p[0].split()) - 8000))
        print(f"8k pair: {len(a8.split())} → {len(b8.split())} words")
        row("8k real pair", {"ours": cpu(lambda: compare(a8, b8)), "git": git_word_diff(tmp, a8, b8),
                              "difflib": cpu(lambda: difflib_words(a8, b8), 1),
                              "dmp": cpu(lambda: dmp_chars(a8, b8), 1),
                              "redlines": cpu(lambda: redlines(a8, b8), 1)})
        latest = [texts[-1] for texts in histories.values()]
        a, b = stress_pair(latest, 100_000)
        c = compare(a, b)
        print(f"100k pair: {len(a.split())} words, {len(c.changes)} changes, "
              f"{sum(1 for x in c.changes if x.type == 'move')} moves")
        slow = None if quick else 1
        row("100k stress pair", {"ours": cpu(lambda: compare(a, b), 3), "git": git_word_diff(tmp, a, b),
                                 "difflib": cpu(lambda: difflib_words(a, b), 1) if slow else None,
                                 "dmp": cpu(lambda: dmp_chars(a, b), 1),
                                 "redlines": cpu(lambda: redlines(a, b), 1) if slow else None})
        t = time.process_time()
        for x, y in pairs:
            compare(x, y)
        ours = (time.process_time() - t) * 1000
        t = time.perf_counter()
        subprocess.run(["git", "log", "-p", "--word-diff=porcelain", "--", "*.md"], cwd=repo,
                       capture_output=True, check=True)
        git = (time.perf_counter() - t) * 1000
        row(f"corpus, {len(pairs)} pairs", {"ours": ours, "git log -p": git})
        print("size curve (200 edits, 3 moves):")
        for words in (10_000, 50_000, 100_000, 200_000):
            a, b = stress_pair(latest, words)
            row(f"  {words // 1000}k words", {"ours": cpu(lambda: compare(a, b), 3)})


if __name__ == "__main__":
    main()
