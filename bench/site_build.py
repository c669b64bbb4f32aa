"""Benchmark: build the site of the genai-eu corpus (~1,020 versions) against a plain
MkDocs build of as many simple pages, in the same run. Prints times and peak memory.

    /work/main/.venv/bin/python bench/site_build.py [--compare adjacent|all] [--limit N]

The corpus is imported with a quick script (one version per document per day, the
last commit of the day wins); the policydocs build uses ``compare: adjacent``
(consecutive versions and each version against the current one).
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BUNDLE = ROOT.parent / "shared" / "corpora" / "genai-eu-versions.bundle"


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def import_corpus(clone: Path, store: Path, limit: int | None) -> int:
    log = subprocess.run(["git", "log", "--reverse", "--format=@%cs", "--name-only", "--no-renames"],
                         cwd=clone, capture_output=True, text=True, check=True).stdout
    latest: dict[tuple[str, str], str] = {}  # (file, day) → commit order key
    day = ""
    commits = subprocess.run(["git", "log", "--reverse", "--format=%H %cs"], cwd=clone,
                             capture_output=True, text=True, check=True).stdout.split("\n")
    versions: dict[tuple[str, str], str] = {}
    for line in commits:
        if not line:
            continue
        sha, day = line.split()
        names = subprocess.run(["git", "show", "--name-only", "--format=", sha], cwd=clone,
                               capture_output=True, text=True).stdout.split("\n")
        for name in names:
            if name.endswith(".md") and "/" in name:
                versions[(name, day)] = sha
    policies: dict[str, str] = {}
    count = 0
    for (name, day), sha in sorted(versions.items()):
        if limit and count >= limit:
            break
        service, doc = name[:-3].split("/", 1)
        pid = slug(f"{service}-{doc}")
        body = subprocess.run(["git", "show", f"{sha}:{name}"], cwd=clone, capture_output=True,
                              text=True).stdout
        if not body.strip():
            continue
        policies[pid] = f"{service} {doc}".replace('"', "'")
        path = store / pid / f"{day}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        title = policies[pid]
        path.write_text(f'---\ntitle: "{title}"\neffective: {day}\ndate_basis: observed\n'
                        f"source:\n  repo: genai-eu-versions\n  commit: {sha}\n  path: \"{name}\"\n---\n{body}")
        count += 1
    lines = ["policies:"] + [f'  {pid}:\n    title: "{title}"' for pid, title in sorted(policies.items())]
    (store / "policies.yml").write_text("\n".join(lines) + "\n")
    del log, latest
    return count


def build(project: Path) -> tuple[float, int]:
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1", DISABLE_MKDOCS_2_WARNING="true",
               PYTHONPATH=str(ROOT / "src"), SOURCE_DATE_EPOCH="1790000000")
    code = ("import resource, sys, time; from mkdocs.__main__ import cli; t=time.perf_counter()\n"
            "try: cli(['build', '-q', '--strict'])\n"
            "except SystemExit as e: assert not e.code, e.code\n"
            "print(time.perf_counter()-t, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)")
    out = subprocess.run([sys.executable, "-c", code], cwd=project, env=env, capture_output=True,
                         text=True)
    if out.returncode:
        raise SystemExit(out.stderr[-3000:])
    seconds, rss = out.stdout.split()
    return float(seconds), int(rss)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--compare", default="adjacent", choices=("adjacent", "all"))
    parser.add_argument("--limit", type=int, default=None)
    args = parser.parse_args()
    if not BUNDLE.is_file():
        raise SystemExit(f"{BUNDLE} is missing")
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        subprocess.run(["git", "clone", "--quiet", str(BUNDLE), str(tmp / "corpus")], check=True)
        policy = tmp / "policy"
        (policy / "docs").mkdir(parents=True)
        t = time.perf_counter()
        versions = import_corpus(tmp / "corpus", policy / "policy_versions", args.limit)
        print(f"imported {versions} versions in {time.perf_counter() - t:.1f} s")
        (policy / "docs" / "about.md").write_text("# About\n\nSource: Open Terms Archive, genai-eu-versions.\n")
        (policy / "mkdocs.yml").write_text(
            "site_name: bench\nsite_url: https://bench.example.org/\ntheme:\n  name: material\n"
            f"  font: false\nplugins:\n  - search\n  - policydocs:\n      compare: {args.compare}\n")
        pd_time, pd_rss = build(policy)
        pages = sum(1 for _ in (policy / "site").rglob("index.html"))
        plain = tmp / "plain"
        (plain / "docs").mkdir(parents=True)
        para = "Simple page text for the baseline build, about nine hundred bytes. " * 13
        for i in range(pages):
            (plain / "docs" / f"p{i:05d}.md").write_text(f"# Page {i}\n\n{para}\n")
        (plain / "mkdocs.yml").write_text(
            "site_name: plain\ntheme:\n  name: material\n  font: false\nplugins:\n  - search\n"
            "not_in_nav: |\n  /p*.md\nnav:\n  - p00000.md\n")
        plain_time, plain_rss = build(plain)
        print(f"policydocs site: {pages} pages in {pd_time:.1f} s, peak {pd_rss / 1024:.0f} MiB")
        print(f"plain mkdocs:    {pages} pages in {plain_time:.1f} s, peak {plain_rss / 1024:.0f} MiB")
        print(f"ratio: {pd_time / plain_time:.2f}x (goal <= 1.0x)")


if __name__ == "__main__":
    main()
