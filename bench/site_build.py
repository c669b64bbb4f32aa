#!/usr/bin/env python3
"""Benchmark: the site of the whole genai-eu corpus against a plain MkDocs build of as
many simple pages, in the same run. Prints figures (never a test).

    /work/main/.venv/bin/python bench/site_build.py [--compare adjacent|all] [--since YYYY-MM-DD]

The corpus is imported with ``policydocs import-git --keep-all`` (one version per
commit: ~1,030 versions of 83 policies). The policydocs site (Material, search,
``compare: adjacent``) is built cold (empty comparison cache) and warm (the cache
filled by the cold build); the baseline is Material + search building the same
number of ~900-byte Markdown pages kept out of the nav. Each build is its own
``mkdocs build --strict`` process: CPU seconds (user + system, steadier than wall
time on a shared machine), wall seconds, and peak memory (the child's ``ru_maxrss``).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BUNDLE = Path(os.environ.get("POLICYDOCS_SHARED", ROOT.parent / "shared")) / "corpora" / "genai-eu-versions.bundle"
PARAGRAPH = "Simple page text for the baseline build, about nine hundred bytes. " * 13


@dataclass(frozen=True)
class Run:
    cpu: float  # user + system seconds of the child
    wall: float
    peak_mib: float


def run(args: list[str], cwd: Path, env: dict[str, str]) -> Run:
    start = time.perf_counter()
    with tempfile.TemporaryFile() as out:
        proc = subprocess.Popen(args, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT)
        _pid, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        if os.waitstatus_to_exitcode(status) != 0:
            out.seek(0)
            sys.exit(f"{' '.join(args)} failed:\n{out.read().decode('utf-8', 'replace')[-3000:]}")
    return Run(usage.ru_utime + usage.ru_stime, wall, usage.ru_maxrss / 1024)


def mkdocs_build(project: Path, env: dict[str, str]) -> Run:
    return run([sys.executable, "-m", "mkdocs", "build", "--strict", "--clean", "-q"], project, env)


def policydocs_project(work: Path, compare: str, since: str | None) -> Path:
    repo, project = work / "genai", work / "policy"
    subprocess.run(["git", "clone", "-q", str(BUNDLE), str(repo)], check=True)
    (project / "docs").mkdir(parents=True)
    (project / "docs" / "about.md").write_text("# About\n\nSource: Open Terms Archive, genai-eu-versions.\n")
    (project / "mkdocs.yml").write_text(
        "site_name: bench\nsite_url: https://bench.example.org/\ntheme:\n  name: material\n"
        f"  font: false\nplugins:\n  - search\n  - policydocs:\n      compare: {compare}\n")
    args = [sys.executable, "-m", "policydocs", "import-git", str(repo), "--store", "policy_versions",
            "--keep-all", *(["--since", since] if since else [])]
    out = subprocess.run(args, cwd=project, env=env_for(work), capture_output=True, text=True)
    if out.returncode:
        sys.exit(out.stderr)
    print(out.stdout.strip())
    return project


def plain_project(work: Path, pages: int) -> Path:
    """``pages`` simple pages, all but the first kept out of the nav (as policydocs does
    with its version and compare pages)."""
    project = work / "plain"
    (project / "docs").mkdir(parents=True)
    for i in range(pages):
        (project / "docs" / f"p{i:05d}.md").write_text(f"# Page {i}\n\n{PARAGRAPH}\n")
    (project / "mkdocs.yml").write_text(
        "site_name: plain\nsite_url: https://bench.example.org/\ntheme:\n  name: material\n"
        "  font: false\nplugins:\n  - search\nnot_in_nav: |\n  /p*.md\nnav:\n  - p00000.md\n")
    return project


def env_for(work: Path) -> dict[str, str]:
    return dict(os.environ, PYTHONPATH=str(ROOT / "src"), NO_MKDOCS_2_WARNING="1",
                DISABLE_MKDOCS_2_WARNING="true", SOURCE_DATE_EPOCH="1790000000",
                POLICYDOCS_CACHE_DIR=str(work / "comparison-cache"))


def line(name: str, r: Run, base: Run | None = None) -> str:
    ratio = f"   {r.cpu / base.cpu:5.2f}x CPU, {r.wall / base.wall:5.2f}x wall" if base else ""
    return f"{name:<22}{r.cpu:8.1f} s CPU {r.wall:8.1f} s wall {r.peak_mib:7.0f} MiB peak{ratio}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--compare", default="adjacent", choices=("adjacent", "all"))
    parser.add_argument("--since", help="import only commits on or after this date (quick runs)")
    args = parser.parse_args()
    if not BUNDLE.is_file():
        sys.exit(f"{BUNDLE} is missing: the benchmark needs ../shared/corpora")
    with tempfile.TemporaryDirectory(prefix="policydocs-site-bench-") as tmp:
        work = Path(tmp)
        env = env_for(work)
        project = policydocs_project(work, args.compare, args.since)
        cold = mkdocs_build(project, env)
        pages = sum(1 for _ in (project / "site").rglob("index.html"))
        compares = sum(1 for _ in (project / "site" / "compare").glob("*/index.html"))
        size = sum(p.stat().st_size for p in (project / "site").rglob("*.html")) / 2**20
        plain = mkdocs_build(plain_project(work, pages), env)
        warm = mkdocs_build(project, env)
        print(f"{pages} pages ({compares} compare pages), {size:.0f} MiB of HTML, compare: {args.compare}")
        print(line("plain mkdocs", plain))
        print(line("policydocs cold", cold, plain))
        print(line("policydocs warm", warm, plain))
        print("goal: <= 1.0x the plain build, <= 1024 MiB peak")


if __name__ == "__main__":
    main()
