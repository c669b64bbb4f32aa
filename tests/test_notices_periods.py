"""`policydocs notice` and the notice period `check` enforces, on the real seed store."""

from __future__ import annotations

import shutil
from pathlib import Path

from conftest import snapshot

ROOT = Path(__file__).resolve().parents[1]
STORE = ROOT / "policy_versions"
NEW = "api-data-privacy/2023-07-21.md"


def store_copy(tmp_path: Path, *, period: int, announced: str | None) -> Path:
    root = tmp_path / "policy_versions"
    shutil.copytree(STORE, root)
    (root / "policies.yml").write_text(f"notice_period_days: {period}\n" + (root / "policies.yml").read_text())
    if announced:
        path = root / NEW
        path.write_text(path.read_text().replace("date_basis: stated\n",
                                                 f"date_basis: stated\nannounced: '{announced}'\n", 1))
    return root


def test_notice_for_2023_api_data_privacy_lists_material_changes_with_links(run_cli, tmp_path):
    root = store_copy(tmp_path, period=0, announced="2023-06-01")
    result = run_cli("notice", "api-data-privacy@2023-07-21", "--store", str(root),
                     "--site-url", "https://policies.example.org")
    assert result.returncode == 0, result.stderr
    text = result.stdout
    assert "changed materially" in text
    assert "**Effective:** 2023-07-21" in text and "**Announced:** 2023-06-01" in text
    redline = "https://policies.example.org/compare/privacy-policy@2021-02-11...api-data-privacy@2023-07-21/"
    assert f"[{redline}]({redline})" in text
    assert f"]({redline}#c" in text  # each change links to its permalink
    assert "### Training models on data" in text and "### Retention and deletion" in text
    assert text.index("## What changed") < text.index("### Training models on data")


def test_check_fails_when_a_material_change_has_no_announced_date(run_cli, tmp_path):
    root = store_copy(tmp_path, period=30, announced=None)
    before = snapshot(root)
    result = run_cli("check", "--no-git", "--store", str(root))
    assert result.returncode == 1
    assert f"policy_versions/{NEW}: material change has no 'announced' date" in result.stdout
    assert snapshot(root) == before


def test_check_fails_when_notice_is_shorter_than_the_period(run_cli, tmp_path):
    root = store_copy(tmp_path, period=30, announced="2023-07-01")
    result = run_cli("check", "--no-git", "--store", str(root))
    assert result.returncode == 1
    assert "takes effect 20 day(s) after it was announced (2023-07-01); the notice period is 30 days" \
        in result.stdout


def test_check_passes_when_announced_early_enough_and_flags_upcoming_changes(run_cli, tmp_path):
    root = store_copy(tmp_path, period=30, announced="2023-06-01")
    assert run_cli("check", "--no-git", "--store", str(root)).returncode == 0
    past = run_cli("check", "--no-git", "--store", str(store_copy(tmp_path / "b", period=30, announced=None)),
                   env={"SOURCE_DATE_EPOCH": "1672531200"})  # 2023-01-01: the version is still ahead
    assert "material change (upcoming) has no 'announced' date" in past.stdout


def test_notice_of_unknown_version_is_one_line_exit_2(run_cli, tmp_path):
    result = run_cli("notice", "api-data-privacy@2030-01-01", "--store", str(STORE))
    assert result.returncode == 2 and result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1 and "no version '2030-01-01'" in result.stderr


def test_notice_is_short_one_line_per_change_and_points_to_the_rest(run_cli, tmp_path):
    root = store_copy(tmp_path, period=0, announced="2023-06-01")
    result = run_cli("notice", "api-data-privacy@2023-07-21", "--store", str(root),
                     "--site-url", "https://policies.example.org")
    assert result.returncode == 0, result.stderr
    sections = result.stdout.split("\n### ")[1:]
    assert sections
    for section in sections:
        bullets = [line for line in section.splitlines() if line.startswith("- ")]
        assert 1 <= len([b for b in bullets if "#c" in b]) <= 4, section
        assert all(len(b) < 400 for b in bullets)
    assert "more change(s) on this topic" in result.stdout
    # topics in the banner sentence are named in words, not rule ids
    first = result.stdout.splitlines()[2]
    assert "training models on data" in first and "model-training" not in first


def _editorial_revision(root: Path, version_id: str = "2099-01-01") -> str:
    """A later Security version whose only change is a spelling fix (and curly quotes)."""
    old = (root / "security" / "2023.md").read_text()
    head, _, body = old.partition("\n---\n")
    new_body = body.replace("'", "’").replace(" & ", " and ", 1)
    assert new_body != body
    head = head.replace("effective: '2023'", f"effective: '{version_id}'")
    (root / "security" / f"{version_id}.md").write_text(head + "\n---\n" + new_body)
    return f"security@{version_id}"


def test_an_editorial_revision_has_no_notice_one_line_says_why(run_cli, tmp_path):
    root = store_copy(tmp_path, period=30, announced=None)
    ref = _editorial_revision(root)
    result = run_cli("notice", ref, "--store", str(root))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("No notice: Security & privacy security@2099-01-01 has no material change")
    assert result.stdout.count("\n") == 1 and "editorial" in result.stdout
    check = run_cli("check", "--no-git", "--store", str(root))
    assert "security/2099-01-01.md" not in check.stdout  # no notice period to keep either
