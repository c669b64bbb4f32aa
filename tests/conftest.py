"""Shared fixtures: the real seeds and corpora beside the project, temporary stores."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
os.environ.setdefault("DISABLE_MKDOCS_2_WARNING", "true")

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("POLICYDOCS_SHARED", ROOT.parent / "shared"))
SEEDS = SHARED / "seeds"
CORPORA = SHARED / "corpora"
STORE = ROOT / "policy_versions"


def seed(prefix: str) -> Path:
    """A seed file by its number ('001'), failing clearly when shared/ is missing."""
    matches = sorted(SEEDS.glob(f"{prefix}_*.txt"))
    if not matches:
        pytest.fail(f"seed {prefix}_*.txt not found in {SEEDS}: the tests need ../shared beside the repo")
    return matches[0]


@pytest.fixture
def run_cli(tmp_path):
    """Run the real CLI in a subprocess, as a user would, from ``cwd`` (default tmp_path)."""

    def run(*args: str, cwd: Path | None = None, input: str | None = None, env: dict | None = None,
            timeout: float = 300):
        full_env = dict(os.environ)
        full_env["PYTHONPATH"] = str(ROOT / "src") + os.pathsep + full_env.get("PYTHONPATH", "")
        full_env.update(env or {})
        return subprocess.run(
            [sys.executable, "-m", "policydocs", *args], cwd=cwd or tmp_path, input=input,
            capture_output=True, text=True, env=full_env, timeout=timeout,
        )

    return run


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` with its bytes: to prove nothing was written."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def corpus_clone(dest: Path) -> Path:
    """Clone the genai-eu corpus bundle into ``dest`` (read-only use), failing clearly."""
    bundle = CORPORA / "genai-eu-versions.bundle"
    if not bundle.exists():
        pytest.fail(f"{bundle} not found: the corpus tests need ../shared/corpora beside the repo")
    target = dest / "genai-eu-versions"
    if not target.exists():
        subprocess.run(["git", "clone", "--quiet", str(bundle), str(target)], check=True)
    return target


def corpus_histories(repo: Path) -> dict[str, list[str]]:
    """Every Markdown document of a git history → its texts, oldest first (one git process
    for the log, one for all the blobs)."""
    log = subprocess.run(["git", "-C", str(repo), "log", "--reverse", "--format=C %H", "--name-only",
                          "--no-renames", "--", "*.md"], capture_output=True, text=True, check=True).stdout
    wanted: list[tuple[str, str]] = []
    commit = ""
    for line in log.splitlines():
        if line.startswith("C "):
            commit = line[2:]
        elif line.strip():
            wanted.append((commit, line))
    batch = "".join(f"{c}:{p}\n" for c, p in wanted).encode("utf-8")
    out = subprocess.run(["git", "-C", str(repo), "cat-file", "--batch"], input=batch,
                         capture_output=True, check=True).stdout
    histories: dict[str, list[str]] = {}
    pos = 0
    for _, path in wanted:
        end = out.index(b"\n", pos)
        header = out[pos:end].split()
        pos = end + 1
        if header[-1] == b"missing":
            continue
        size = int(header[2])
        histories.setdefault(path, []).append(out[pos:pos + size].decode("utf-8"))
        pos += size + 1
    return histories
