"""One SHA-256 over the comparisons of all consecutive pairs of the genai-eu corpus
(JSON of changes, segments, stats and notes), to show a speed change left every result
as it was: run it before and after (PYTHONPATH picks the engine).

    PYTHONPATH=src python bench/corpus_fingerprint.py [--profile]

--profile prints the cProfile top 25 (cumulative) of the loop instead of timing it."""

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

from conftest import corpus_clone, corpus_histories  # noqa: E402

from policydocs.compare import ENGINE_VERSION, compare, forget_bodies  # noqa: E402


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        histories = corpus_histories(corpus_clone(Path(tmp)))
    pairs = [(a, b) for _, texts in sorted(histories.items()) for a, b in zip(texts, texts[1:])]
    if "--profile" in sys.argv:
        profile = cProfile.Profile()
        profile.runcall(lambda: [compare(a, b) for a, b in pairs])
        pstats.Stats(profile).sort_stats(sys.argv[-1] if sys.argv[-1] in ("tottime", "cumulative") else "cumulative").print_stats(30)
        return
    digest = hashlib.sha256()
    seconds = float("inf")
    for _ in range(3):  # the least of three: other work on the machine only adds
        forget_bodies()
        t = time.process_time()
        results = [compare(a, b) for a, b in pairs]
        seconds = min(seconds, time.process_time() - t)
    for c in results:
        digest.update(json.dumps([c.to_json(), c.notes], sort_keys=True).encode("utf-8", "surrogatepass"))
    print(f"engine {ENGINE_VERSION}: {len(pairs)} pairs, {seconds:.2f} s CPU (least of 3), fingerprint {digest.hexdigest()}")


if __name__ == "__main__":
    main()
