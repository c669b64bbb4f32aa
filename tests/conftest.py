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

    def run(*args: str, cwd: Path | None = None, input: str | None = None, env: dict | None = None):
        full_env = dict(os.environ)
        full_env["PYTHONPATH"] = str(ROOT / "src") + os.pathsep + full_env.get("PYTHONPATH", "")
        full_env.update(env or {})
        return subprocess.run(
            [sys.executable, "-m", "policydocs", *args], cwd=cwd or tmp_path, input=input,
            capture_output=True, text=True, env=full_env, timeout=300,
        )

    return run


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` with its bytes: to prove nothing was written."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}
