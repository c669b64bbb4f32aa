#!/usr/bin/env python3
"""Write the hostile-field cases out as stores, to build and browse by hand.

    tests/hostile/generate.py OUT        # OUT/<payload>/policy_versions + mkdocs.yml
    tests/hostile/generate.py --list     # the payloads and fields, as JSON

Each case is the test kit's seed-like store with every field (site name, policy
titles and owners, version titles, summaries, reasons, source fields, URLs) set to
one payload; ``mkdocs build --strict`` in OUT/<payload> builds its site. The
tests make the same stores in temporary folders (nothing here is committed data).
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE.parents[1] / "src")]

from hostile.payloads import PAYLOADS, describe, fill_store  # noqa: E402
from sitekit import write_site_project, write_store  # noqa: E402


def main(argv: list[str]) -> int:
    if argv == ["--list"]:
        print(describe())
        return 0
    if len(argv) != 1:
        print("usage: generate.py OUT | --list", file=sys.stderr)
        return 2
    out = Path(argv[0])
    for name, text in sorted(PAYLOADS.items()):
        case = out / name
        store = fill_store(write_store(case / "_store", hostile=True), text)
        write_site_project(case, store)
        print(case)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
