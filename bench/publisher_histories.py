#!/usr/bin/env python3
"""Real publishers' histories (Basecamp's policies, Automattic's Legalmattic): the
figures of importing each whole, and optionally of building its site (never a test).

    bench/publisher_histories.py            # import-git cold and again, counts
    bench/publisher_histories.py --build    # ... and mkdocs build cold and warm

Per corpus: versions and policies imported, titles taken from front matter,
versions whose text states its date, what the pipeline cleaned, CPU seconds of
the import (cold, then the idempotent rerun) and of the builds. The paths and
maps are the ones the corpus tests use (tests/test_ingest_git_corpora.py).
Run from the repository root with the project's venv.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

from history_scale import ROOT, build, policydocs, project_for

sys.path[:0] = [str(ROOT / "src"), str(ROOT / "tests")]
from policydocs.store import open_store  # noqa: E402
from test_ingest_git_corpora import BASECAMP_ARGS, LEGALMATTIC_ARGS, front_matter_title  # noqa: E402

CORPORA = ROOT.parent / "shared" / "corpora"
RECIPES = {"basecamp-policies": BASECAMP_ARGS, "automattic-legalmattic": LEGALMATTIC_ARGS}


def blobs(repo: Path, refs: list[str]) -> list[str]:
    """The texts of ``commit:path`` refs, through one ``git cat-file --batch``."""
    out = subprocess.run(["git", "-C", str(repo), "cat-file", "--batch"], input="".join(f"{r}\n" for r in refs)
                         .encode(), capture_output=True, check=True).stdout
    texts, pos = [], 0
    for _ in refs:
        end = out.index(b"\n", pos)
        size = int(out[pos:end].split()[2])
        texts.append(out[end + 1:end + 1 + size].decode("utf-8", "replace"))
        pos = end + 2 + size
    return texts


def corpus(name: str, args: tuple[str, ...], work: Path, with_build: bool) -> None:
    bundle = CORPORA / f"{name}.bundle"
    if not bundle.is_file():
        sys.exit(f"{bundle} not found: the benchmark needs ../shared/corpora")
    repo = work / name
    subprocess.run(["git", "clone", "-q", str(bundle), str(repo)], check=True)
    project = work / f"{name}-site"
    project.mkdir()
    cold, _, out = policydocs("import-git", str(repo), "--store", "policy_versions", *args, cwd=project)
    again, _, _ = policydocs("import-git", str(repo), "--store", "policy_versions", *args, cwd=project)
    store = open_store(project / "policy_versions")
    versions = list(store.all_versions())
    sources = blobs(repo, [f"{v.source.commit}:{v.source.path}" for v in versions])
    titled = sum(1 for text in sources if front_matter_title(text))
    stated = sum(1 for v in versions if v.legal_date_basis == "stated")
    print(f"{name}: {len(versions)} versions of {len(store.policies)} policies; titles from front matter: "
          f"{titled}; stated dates: {stated}; import-git {cold:.1f} s CPU cold, {again:.1f} s again")
    print("  " + "\n  ".join(line for line in out.splitlines() if line.startswith(("imported", "cleaned"))))
    if with_build:
        project_for(project / "policy_versions", "consecutive")
        first, second = build(project), build(project)
        print(f"  mkdocs build: {first[0]:.1f} s CPU cold ({first[3]} comparisons), "
              f"{second[0]:.1f} s warm ({second[2]} cache hits)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--build", action="store_true", help="also build each site, cold then warm")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        for name, args in RECIPES.items():
            corpus(name, args, Path(tmp), options.build)


if __name__ == "__main__":
    main()
