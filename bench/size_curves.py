"""Compare time by document size and shape: where the engine falls off a cliff (issue #10).

    PYTHONPATH=src python bench/size_curves.py [--sizes 10000,30000,...] [--shapes a,b] [--timeout S]

For 10k, 30k, 100k, 300k and 1M words (``--sizes``), one generated pair per shape
(seeded, so every run compares the same texts):

- ``paragraph``: one giant paragraph, one word in 500 replaced;
- ``table``: a table of rows of ~10 words, one word of every row replaced;
- ``shuffled``: paragraphs of 20-50 words in a random order, each also edited;
  "moves made" is the fewest paragraphs that must move to restore the order (all
  but a longest increasing subsequence), "found" the move changes reported;
- ``repeated``: one 40-word paragraph many times over, one copy in 20 edited.

Each case runs in its own process (CPU seconds of `compare` there, memos empty) and
is stopped after ``--timeout`` seconds (default 60). The last column is the growth
exponent from the previous size (1 is linear; n log n is a little above 1) and the
limits the comparison reported (`Comparison.notes`). Figures only, never a test.
"""

from __future__ import annotations

import json
import math
import random
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src")]

SIZES = (10_000, 30_000, 100_000, 300_000, 1_000_000)
SHAPES = ("paragraph", "table", "shuffled", "repeated")
SYLLABLES = ("da", "ta", "pro", "ces", "sing", "con", "sent", "re", "ten", "tion", "ser", "vice",
             "pri", "va", "cy", "per", "so", "nal", "in", "for", "ma", "user", "ac", "count")


def vocabulary(rnd: random.Random, size: int = 5000) -> list[str]:
    """Pseudo-words of two to four syllables: a policy-sized vocabulary, no real text needed."""
    return sorted({"".join(rnd.choice(SYLLABLES) for _ in range(rnd.randint(2, 4))) for _ in range(size)})


def edit(rnd: random.Random, text_words: list[str]) -> list[str]:
    """One word replaced by a word no text uses."""
    out = list(text_words)
    out[rnd.randrange(len(out))] = f"edited{rnd.randrange(10**9)}"
    return out


def lis_length(seq: list[int]) -> int:
    import bisect
    tails: list[int] = []
    for v in seq:
        k = bisect.bisect_left(tails, v)
        tails[k:k + 1] = [v]
    return len(tails)


def make_pair(shape: str, n: int) -> tuple[str, str, int]:
    """(old, new, moves made) of one shape with about ``n`` words."""
    rnd = random.Random(f"{shape}-{n}")
    vocab = vocabulary(rnd)
    if shape == "paragraph":
        old = [rnd.choice(vocab) for _ in range(n)]
        new = list(old)
        for at in range(250, n, 500):
            new[at] = f"edited{at}"
        return " ".join(old) + "\n", " ".join(new) + "\n", 0
    if shape == "table":
        rows = [[rnd.choice(vocab) for _ in range(9)] for _ in range(n // 10)]
        head = "| first | second | third |\n|---|---|---|\n"

        def table(rs: list[list[str]]) -> str:
            return head + "".join(f"| {' '.join(r[:3])} | {' '.join(r[3:6])} | {' '.join(r[6:])} |\n" for r in rs)
        return table(rows), table([edit(rnd, r) for r in rows]), 0
    if shape == "shuffled":
        paras = []
        total = 0
        while total < n:
            words = [rnd.choice(vocab) for _ in range(rnd.randint(20, 50))]
            paras.append(words)
            total += len(words)
        order = list(range(len(paras)))
        rnd.shuffle(order)
        new = [edit(rnd, paras[k]) for k in order]
        made = len(order) - lis_length(order)
        return "\n\n".join(map(" ".join, paras)) + "\n", "\n\n".join(map(" ".join, new)) + "\n", made
    if shape == "repeated":
        para = [rnd.choice(vocab) for _ in range(40)]
        copies = n // 40
        new = [edit(rnd, para) if k % 20 == 10 else para for k in range(copies)]
        return "\n\n".join([" ".join(para)] * copies) + "\n", "\n\n".join(map(" ".join, new)) + "\n", 0
    raise SystemExit(f"unknown shape {shape}")


def one(shape: str, n: int) -> None:
    """Run one case in this process and print its figures as JSON."""
    from policydocs.compare import compare

    old, new, made = make_pair(shape, n)
    start = time.process_time()
    result = compare(old, new)
    seconds = time.process_time() - start
    found = sum(1 for c in result.changes if c.type == "move")
    print(json.dumps({"seconds": seconds, "changes": len(result.changes), "moves_found": found,
                      "moves_made": made, "notes": list(result.notes)}))


def main() -> None:
    args = sys.argv[1:]
    if args and args[0] == "--one":
        one(args[1], int(args[2]))
        return
    sizes = [int(s) for s in args[args.index("--sizes") + 1].split(",")] if "--sizes" in args else SIZES
    shapes = args[args.index("--shapes") + 1].split(",") if "--shapes" in args else SHAPES
    timeout = float(args[args.index("--timeout") + 1]) if "--timeout" in args else 60.0
    print(f"{'shape':10} {'words':>9} {'CPU s':>8} {'changes':>8} {'moves found/made':>17}  growth, limits")
    for shape in shapes:
        previous: tuple[int, float] | None = None
        for n in sizes:
            try:
                out = subprocess.run([sys.executable, __file__, "--one", shape, str(n)], capture_output=True,
                                     text=True, timeout=timeout, check=True).stdout
            except subprocess.TimeoutExpired:
                print(f"{shape:10} {n:>9} {'>' + str(int(timeout)):>8}  (stopped)", flush=True)
                previous = None
                continue
            r = json.loads(out)
            growth = ""
            if previous and previous[1] > 0 and r["seconds"] > 0:
                growth = f"n^{math.log(r['seconds'] / previous[1]) / math.log(n / previous[0]):.2f}"
            moves = f"{r['moves_found']}/{r['moves_made']}" if shape == "shuffled" else ""
            print(f"{shape:10} {n:>9} {r['seconds']:>8.2f} {r['changes']:>8} {moves:>17}  {growth} "
                  f"{'; '.join(r['notes'])}", flush=True)
            previous = (n, r["seconds"])


if __name__ == "__main__":
    main()
