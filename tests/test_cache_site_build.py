"""Real `mkdocs build`s share the comparison cache on disk: a rebuild compares nothing,
and a new version costs only the comparisons that involve it."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

from conftest import ROOT, seed

MKDOCS_YML = textwrap.dedent("""\
    site_name: Cache test
    site_url: https://example.org/
    theme:
      name: material
      font: false
    plugins:
      - policydocs:
          compare: adjacent
    """)


def write_version(store: Path, day: str, body: str) -> None:
    (store / "privacy" / f"{day}.md").write_text(
        f"---\ntitle: Privacy Policy\neffective: {day}\ndate_basis: observed\n---\n{body}")


def build(project: Path) -> tuple[int, int]:
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"), SOURCE_DATE_EPOCH="1735689600",  # 2025-01-01
               POLICYDOCS_CACHE_DIR=str(project / ".cache" / "policydocs"))
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build"], cwd=project, env=env,
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    hits, misses = re.search(r"comparison cache .*: (\d+) hits, (\d+) misses", result.stderr).groups()
    return int(hits), int(misses)


def test_rebuild_compares_nothing_and_a_new_version_only_its_own_pairs(tmp_path):
    text = seed("000").read_text(encoding="utf-8")[:6000]
    project = tmp_path / "project"
    store = project / "policy_versions"
    (store / "privacy").mkdir(parents=True)
    (store / "policies.yml").write_text("policies:\n  privacy:\n    title: Privacy Policy\n")
    (project / "docs").mkdir()
    (project / "docs" / "index.md").write_text("# Policies\n")
    (project / "mkdocs.yml").write_text(MKDOCS_YML)
    bodies = [text, text + "\nWe keep data for 60 days.\n", text + "\nWe may share data with partners.\n"]
    for day, body in zip(["2024-01-10", "2024-03-10", "2024-05-10"], bodies):
        write_version(store, day, body)

    _hits, cold_misses = build(project)
    assert cold_misses > 0
    hits, misses = build(project)
    # warm: nothing compared again; compare pages' redlines were rendered by the cold
    # build, so only the comparisons the changelog needs are read back
    assert misses == 0 and 0 < hits <= cold_misses

    write_version(store, "2024-07-10", bodies[-1] + "\nWe keep logs for 90 days.\n")
    _hits, misses = build(project)
    # The new version is the current one: it is compared with each of the 3 older ones,
    # and nothing else is compared again.
    assert misses == 3
    assert (project / "site" / "compare" / "privacy@2024-05-10...privacy@2024-07-10" / "index.html").is_file()
