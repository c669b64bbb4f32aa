#!/usr/bin/env python3
"""Scale of import-git, check and the site build; prints figures (never a test).

Times are CPU seconds of the child process (user + system); wall times go to stderr.

    bench/history_scale.py genai                       # the real genai-eu bundle
    bench/history_scale.py synthetic 10000 20000 40000 # import + check on generated histories
    bench/history_scale.py synthetic --build 1000 2000 4000   # ... and mkdocs build

`genai`: clone the bundle, import it all, build its site cold then warm (the
comparison cache filled), then add one version and rebuild, counting the
comparisons that ran (cache misses). `synthetic`: a git history of N commits
made with `git fast-import` from real texts (the first 3,000 characters of each
genai-eu file) with seeded random word edits, one commit per policy per day so
that each commit is one version; then times import-git and check (and build).
Run from the repository root with the project's venv.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BUNDLE = Path(os.environ.get("POLICYDOCS_SHARED", ROOT.parent / "shared")) / "corpora" / "genai-eu-versions.bundle"
ENV = dict(os.environ, PYTHONPATH=str(ROOT / "src"), NO_MKDOCS_2_WARNING="1", DISABLE_MKDOCS_2_WARNING="true")
MKDOCS_YML = """site_name: bench
site_url: https://bench.example.org/
theme:
  name: material
  font: false
plugins:
  - policydocs:
      compare: {compare}
      feeds: false
"""


def run(args: list[str], cwd: Path) -> tuple[float, int, str]:
    """CPU seconds (user + system: steadier than wall time on a shared machine),
    peak RSS of that child in MiB (wait4), and its output."""
    start = time.perf_counter()
    with tempfile.TemporaryFile() as out:
        proc = subprocess.Popen(args, cwd=cwd, env=ENV, stdout=out, stderr=subprocess.STDOUT)
        _pid, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        elapsed = usage.ru_utime + usage.ru_stime
        out.seek(0)
        text = out.read().decode("utf-8", "replace")
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"{' '.join(args)} failed: {text[-2000:]}")
    print(f"    ({args[2] if len(args) > 2 else args[0]}: {wall:.1f} s wall, {elapsed:.1f} s CPU)",
          file=sys.stderr, flush=True)
    return elapsed, usage.ru_maxrss // 1024, text


def policydocs(*args: str, cwd: Path) -> tuple[float, int, str]:
    return run([sys.executable, "-m", "policydocs", *args], cwd)


def build(project: Path) -> tuple[float, int, int, int]:
    """One `mkdocs build`: seconds, peak MiB, cache hits, cache misses."""
    secs, peak, out = run([sys.executable, "-m", "mkdocs", "build", "--clean"], project)
    m = re.search(r"(\d+) hits, (\d+) misses", out)
    hits, misses = (int(m.group(1)), int(m.group(2))) if m else (-1, -1)
    return secs, peak, hits, misses


def project_for(store: Path, compare: str = "adjacent") -> Path:
    project = store.parent
    (project / "docs").mkdir(exist_ok=True)
    (project / "docs" / "index.md").write_text("# Bench\n")
    (project / "mkdocs.yml").write_text(MKDOCS_YML.format(compare=compare))
    return project


def genai(work: Path) -> None:
    if not BUNDLE.is_file():
        sys.exit(f"{BUNDLE} not found: the benchmark needs ../shared/corpora")
    repo = work / "genai"
    subprocess.run(["git", "clone", "-q", str(BUNDLE), str(repo)], check=True)
    project = work / "project"
    project.mkdir()
    secs, peak, out = policydocs("import-git", str(repo), "--store", "policy_versions", cwd=project)
    print(f"import-git genai-eu: {secs:.1f} s, peak {peak} MiB: {out.strip()}")
    secs, _, out = policydocs("check", "--no-git", "--store", "policy_versions", cwd=project)
    print(f"check: {secs:.1f} s ({out.strip()})")
    project_for(project / "policy_versions")
    cold = build(project)
    print(f"build cold: {cold[0]:.1f} s, peak {cold[1]} MiB, {cold[3]} comparisons computed")
    warm = build(project)
    print(f"build warm: {warm[0]:.1f} s, peak {warm[1]} MiB, {warm[2]} cache hits, {warm[3]} misses "
          f"({warm[0] / cold[0]:.2f}x cold)")
    # One new version of one policy: only the pairs that involve it are compared.
    folder = project / "policy_versions" / "chatgpt-privacy-policy"
    last = sorted(folder.glob("*.md"))[-1]
    text = last.read_text().replace(last.stem, "2027-01-15", 1)
    (folder / "2027-01-15.md").write_text(text + "\nWe may share your data with our partners.\n")
    versions = len(list(folder.glob("*.md")))
    after = build(project)
    print(f"build after adding chatgpt-privacy-policy@2027-01-15 ({versions} versions of it): "
          f"{after[0]:.1f} s, {after[3]} misses, {after[2]} hits")


# --- synthetic histories -------------------------------------------------------------


def real_texts() -> list[tuple[str, str]]:
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["git", "clone", "-q", str(BUNDLE), tmp], check=True)
        return [(str(p.relative_to(tmp)), p.read_text()[:3000])
                for p in sorted(Path(tmp).glob("*/*.md"))]


def edit(text: str, rng: random.Random) -> str:
    words = text.split(" ")
    i = rng.randrange(len(words))
    kind = rng.random()
    if kind < 0.4:
        words[i] = rng.choice(["data", "may", "30 days", "partners", "not", "you", "shall"])
    elif kind < 0.8:
        words.insert(i, rng.choice(["promptly", "including", "only", "third-party", "each year"]))
    elif len(words) > 50:
        del words[i]
    return " ".join(words)


def synthetic_repo(path: Path, commits: int, texts: list[tuple[str, str]], seed: int = 6) -> None:
    """`git fast-import` of ``commits`` commits, one file each, one commit per file per day."""
    rng = random.Random(seed)
    subprocess.run(["git", "init", "-q", "-b", "main", str(path)], check=True)
    current = dict(texts)
    names = [name for name, _ in texts]
    base = 946_684_800  # 2000-01-01
    chunks = []
    for i in range(commits):
        name = names[i % len(names)]
        current[name] = edit(current[name], rng)
        data = current[name].encode()
        when = base + (i // len(names)) * 86400 + (i % len(names))
        msg = f"Record {name}".encode()
        chunks.append(b"commit refs/heads/main\n"
                      + f"committer bench <b@example.org> {when} +0000\n".encode()
                      + f"data {len(msg)}\n".encode() + msg + b"\n"
                      + f'M 100644 inline "{name}"\n'.encode()
                      + f"data {len(data)}\n".encode() + data + b"\n")
    subprocess.run(["git", "fast-import", "--quiet"], cwd=path, input=b"".join(chunks), check=True)
    subprocess.run(["git", "checkout", "-q", "main"], cwd=path, check=True)


def synthetic(work: Path, sizes: list[int], with_build: bool, compare: str = "adjacent") -> None:
    texts = real_texts()
    print(f"{len(texts)} real texts; sizes {sizes}; compare pages: {compare}")
    rows = []
    for n in sizes:
        repo, project = work / f"repo-{n}", work / f"project-{n}"
        synthetic_repo(repo, n, texts)
        project.mkdir()
        imp = policydocs("import-git", str(repo), "--store", "policy_versions", cwd=project)
        chk = policydocs("check", "--no-git", "--store", "policy_versions", cwd=project)
        row = [n, imp[0], imp[1], chk[0], chk[1]]
        if with_build:
            project_for(project / "policy_versions", compare)
            row += list(build(project)[:2])
        rows.append(row)
        line = (f"{n:>6} versions: import {imp[0]:6.1f} s ({imp[1]} MiB), "
                f"check {chk[0]:5.1f} s ({chk[1]} MiB)")
        if with_build:
            line += f", build {row[5]:6.1f} s ({row[6]} MiB)"
        print(line + f"   import per 1k: {1000 * imp[0] / n:.2f} s", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="what", required=True)
    sub.add_parser("genai")
    syn = sub.add_parser("synthetic")
    syn.add_argument("sizes", nargs="+", type=int)
    syn.add_argument("--build", action="store_true")
    syn.add_argument("--compare", choices=("adjacent", "consecutive", "all"), default="adjacent",
                     help="the plugin's compare pages (adjacent: also each version vs the current one)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="policydocs-bench-") as tmp:
        if args.what == "genai":
            genai(Path(tmp))
        else:
            synthetic(Path(tmp), args.sizes, args.build, args.compare)


if __name__ == "__main__":
    main()
