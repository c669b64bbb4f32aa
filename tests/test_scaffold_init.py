"""``policydocs init``: a new policy site that builds --strict at once, and again after
its first git history is imported; idempotent, refusing to overwrite anything."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from bs4 import BeautifulSoup

from conftest import ROOT, GitRepo, snapshot

ENV = {"SOURCE_DATE_EPOCH": "1767225600"}  # 2026-01-01


def build(project: Path) -> subprocess.CompletedProcess:
    """``mkdocs build --strict`` of a project made by init, as its maintainer runs it."""
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"), **ENV)
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict"], cwd=project,
                            capture_output=True, text=True, env=env, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "WARNING" not in result.stderr, result.stderr
    return result


def test_init_makes_a_site_that_builds_strict_with_no_policies_yet(run_cli, tmp_path: Path) -> None:
    result = run_cli("init", "acme", "--site-name", "Acme <b>& co</b>")
    assert result.returncode == 0, result.stderr
    project = tmp_path / "acme"
    assert sorted(snapshot(project)) == [".gitignore", "docs/index.md", "mkdocs.yml",
                                         "policy_versions/policies.yml"]
    assert "compare: consecutive" in (project / "mkdocs.yml").read_text()
    assert run_cli("check", "--store", "acme/policy_versions").returncode == 0
    build(project)
    home = BeautifulSoup((project / "site" / "index.html").read_text(encoding="utf-8"), "lxml")
    assert home.title.get_text().startswith("Acme <b>& co</b>")  # the name as text, not markup
    assert home.select("article b") == []


def test_init_then_import_git_builds_the_history_strict(run_cli, tmp_path: Path) -> None:
    repo = GitRepo(tmp_path / "repo")
    repo.commit("2024-01-10T09:00:00Z", {"privacy.md": "# Privacy Policy\n\nWe keep data for 30 days.\n"})
    repo.commit("2024-03-01T09:00:00Z", {"privacy.md": "# Privacy Policy\n\nWe keep data for 90 days.\n"})
    assert run_cli("init", "site").returncode == 0
    imported = run_cli("import-git", str(repo.path), "--store", "site/policy_versions")
    assert imported.returncode == 0, imported.stderr
    build(tmp_path / "site")
    compare = list((tmp_path / "site" / "site" / "compare").glob("*/index.html"))
    assert len(compare) == 1  # consecutive: one compare page for the one new version


def test_init_again_writes_nothing(run_cli, tmp_path: Path) -> None:
    assert run_cli("init", "acme").returncode == 0
    before = snapshot(tmp_path / "acme")
    again = run_cli("init", "acme")
    assert again.returncode == 0 and "nothing written" in again.stdout
    assert snapshot(tmp_path / "acme") == before


def test_init_over_an_existing_site_refuses_and_writes_nothing(run_cli, tmp_path: Path) -> None:
    project = tmp_path / "mine"
    project.mkdir()
    (project / "mkdocs.yml").write_text("site_name: My own site\n")
    result = run_cli("init", "mine")
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "mkdocs.yml: exists already" in result.stderr
    assert snapshot(project) == {"mkdocs.yml": b"site_name: My own site\n"}
