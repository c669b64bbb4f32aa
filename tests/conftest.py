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


# --- site (issue #5): a real MkDocs project in a tmp dir -----------------------------

SITE_TODAY_EPOCH = "1690329600"  # 2023-07-26: five days after API data privacy took effect

SITE_MKDOCS_YML = """\
site_name: Test policies
site_url: https://policies.example.org/
theme:
  name: material
  font: false
plugins:
  - search
  - policydocs:
      banner_days: 30
"""


def write_site_project(root: Path, store: Path | None = None) -> Path:
    """A minimal MkDocs project whose store is a copy of ``store`` (default: the repo's)."""
    import shutil

    root.mkdir(parents=True, exist_ok=True)
    (root / "docs").mkdir(exist_ok=True)
    (root / "docs" / "reading.md").write_text("# How to read a redline\n\nInsertions are underlined.\n")
    (root / "mkdocs.yml").write_text(SITE_MKDOCS_YML)
    source = store or STORE
    if not (source / "policies.yml").is_file():
        pytest.fail(f"no policy store at {source}: the site tests need the seed store")
    shutil.copytree(source, root / "policy_versions")
    return root


def mkdocs_build(project: Path, site_dir: str = "site", *, env: dict | None = None,
                 check: bool = True) -> subprocess.CompletedProcess:
    """``mkdocs build --strict`` of ``project`` with this worktree's code, as CI runs it."""
    full_env = dict(os.environ, SOURCE_DATE_EPOCH=SITE_TODAY_EPOCH)
    full_env["PYTHONPATH"] = str(ROOT / "src") + os.pathsep + full_env.get("PYTHONPATH", "")
    full_env.update(env or {})
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-d", site_dir], cwd=project,
        capture_output=True, text=True, env=full_env, timeout=600,
    )
    if check and result.returncode != 0:
        pytest.fail(f"mkdocs build failed:\n{result.stderr}")
    return result
