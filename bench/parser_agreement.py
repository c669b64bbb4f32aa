"""Do markdown-it.rs (the fast path of `compare.blocks._block_starts`) and markdown-it-py find
the same block starts and heading titles? Random documents built from tricky Markdown
fragments, both parsers on each; prints how many disagree (should be 0) and how many
took the fast path. Run it after upgrading either parser.

    PYTHONPATH=src python bench/parser_agreement.py [N]

Figures, not assertions."""

from __future__ import annotations

import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from policydocs.compare import blocks as C  # noqa: E402

FRAGMENTS = [
    "# Title \\* x #\n", "## Été\n", "Set\n  ext é\n===\n", "para é\nline\n", "\n", "\n\n", "- a\n",
    "- # h\n  para\n", "  - nested\n", "1. one\n   two\n", "-\n  late\n", "> # q\n> para\n",
    "| a | b |\n|---|---|\n| 1 | 2 |\n", "a | b\n--|--\n", "```\ncode\n```\n", "    indented\n",
    "<div>\nx\n</div>\n", "---\n", "***\n", "- a\n\n  b\n", "* x\n  ```\n  c\n  ```\n",
    "text *em* **b** [l](u) `c`\n", "#\n", "# \n", "Foo\n---\n", "   # indented h\n", "- ## h2 *em*\n",
    "> - q\n>   lazy\nlazy2\n", "1) a\n2) b\n", "[ref]: http://x\n", "&amp; ent\n", "- [ ] task\n",
    "\t- tab\n", "中文 段落\n", "# 中文 #\n", "  > quote\n", "- | x |\n  |---|\n", "<!-- c -->\n", "+ plus\n+\n",
]


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
    differ = fast = 0
    for seed in range(n):
        rnd = random.Random(seed)
        text = "".join(rnd.choice(FRAGMENTS) for _ in range(rnd.randrange(1, 12)))
        fast += not C.rs_differs(text)
        if C._block_starts(text, C._line_offsets(text)) != C._block_starts_py(text):
            differ += 1
            if differ <= 3:
                print(f"differ: {text!r}")
    print(f"{n} documents: {differ} disagree; {fast} parsed by markdown-it.rs, the rest by markdown-it-py")


if __name__ == "__main__":
    main()
