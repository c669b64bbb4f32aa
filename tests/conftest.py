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


def policydocs(*args: str, cwd: Path, input: str | None = None, env: dict | None = None,
               timeout: float = 300) -> subprocess.CompletedProcess:
    """The real CLI of this worktree in a subprocess, as a user runs it."""
    full_env = dict(os.environ)
    full_env["PYTHONPATH"] = str(ROOT / "src") + os.pathsep + full_env.get("PYTHONPATH", "")
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "policydocs", *args], cwd=cwd, input=input,
        capture_output=True, text=True, env=full_env, timeout=timeout,
    )


@pytest.fixture
def run_cli(tmp_path):
    """Run the real CLI in a subprocess, as a user would, from ``cwd`` (default tmp_path)."""

    def run(*args: str, cwd: Path | None = None, input: str | None = None, env: dict | None = None,
            timeout: float = 300):
        return policydocs(*args, cwd=cwd or tmp_path, input=input, env=env, timeout=timeout)

    return run


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` with its bytes: to prove nothing was written."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


class GitRepo:
    """A real repository whose commits get the dates we choose."""

    def __init__(self, path: Path):
        self.path = path
        path.mkdir(parents=True, exist_ok=True)
        self.git("init", "-q", "-b", "main")

    def git(self, *args: str, when: str = "2024-01-01T12:00:00Z") -> str:
        env = dict(os.environ, GIT_AUTHOR_DATE=when, GIT_COMMITTER_DATE=when,
                   GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.org",
                   GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@example.org")
        return subprocess.run(["git", *args], cwd=self.path, env=env, check=True,
                              capture_output=True, text=True).stdout.strip()

    def commit(self, when: str, files: dict[str, str | bytes | None], message: str = "update") -> str:
        for rel, content in files.items():
            target = self.path / rel
            if content is None:
                self.git("rm", "-q", rel)
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                target.write_bytes(content)
            else:
                target.write_text(content)
            self.git("add", rel)
        self.git("commit", "-q", "-m", message, when=when)
        return self.git("rev-parse", "HEAD")

    def rename(self, when: str, old: str, new: str) -> str:
        (self.path / new).parent.mkdir(parents=True, exist_ok=True)
        self.git("mv", old, new)
        self.git("commit", "-q", "-m", f"rename {old}", when=when)
        return self.git("rev-parse", "HEAD")


CORPUS_NAMES = ("genai-eu-versions", "basecamp-policies", "automattic-legalmattic")


def corpus_clone(dest: Path, name: str = "genai-eu-versions") -> Path:
    """Clone a corpus bundle (default: genai-eu) into ``dest`` (read-only use), failing clearly."""
    bundle = CORPORA / f"{name}.bundle"
    if not bundle.exists():
        pytest.fail(f"{bundle} not found: the corpus tests need ../shared/corpora beside the repo")
    target = dest / name
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


def pytest_terminal_summary(terminalreporter) -> None:
    """How many kill points each crash-safety test exercised (tests/test_crash_safety.py)."""
    rows = [(value, report.nodeid) for report in terminalreporter.stats.get("passed", [])
            if report.when == "call" for name, value in report.user_properties if name == "kill_points"]
    if rows:
        terminalreporter.write_sep("-", "kill points exercised (each also killed at random instants)")
        for value, nodeid in rows:
            terminalreporter.write_line(f"{value:4d}  {nodeid}")
