"""CHANGELOG.md is generated from the store, newest first, and --check catches a stale file."""

from __future__ import annotations

import textwrap
from pathlib import Path

from conftest import snapshot


def version_file(title: str, effective: str, body: str, **extra: str) -> str:
    lines = [f"title: {title}", f"effective: {effective}", "date_basis: stated"]
    lines += [f"{k}: {v}" for k, v in extra.items()]
    return "---\n" + "\n".join(lines) + "\n---\n" + body


def make_store(root: Path, versions: dict[str, str]) -> None:
    store = root / "policy_versions"
    store.mkdir(parents=True)
    (store / "policies.yml").write_text(textwrap.dedent("""\
        site_url: https://policies.example.org/
        policies:
          privacy:
            title: Privacy Policy
          terms:
            title: Terms of Use
        """))
    for policy in ("privacy", "terms"):
        (store / policy).mkdir()
    for rel, text in versions.items():
        (store / rel).write_text(text)


def test_changelog_lists_versions_newest_first_with_links(tmp_path, run_cli):
    make_store(tmp_path, {
        "privacy/2021-02-11.md": version_file("Privacy Policy", "2021-02-11", "# Privacy\n\nWe keep data.\n",
                                              summary="First privacy policy."),
        "terms/2022-05.md": version_file("Terms of Use", "2022-05", "# Terms\n\nBe nice.\n"),
    })
    result = run_cli("changelog", "--out", "-")
    assert result.returncode == 0, result.stderr
    text = result.stdout
    assert text.index("## 2022-05") < text.index("## 2021-02-11")
    assert "### New policies" in text
    assert "First privacy policy." in text
    assert "(https://policies.example.org/policies/terms/2022-05/)" in text


def test_changelog_check_fails_when_stale_and_passes_when_fresh(tmp_path, run_cli):
    make_store(tmp_path, {"privacy/2021-02-11.md": version_file("Privacy Policy", "2021-02-11", "Body.\n")})
    missing = run_cli("changelog", "--check")
    assert missing.returncode == 1 and "CHANGELOG.md: missing" in missing.stderr
    assert run_cli("changelog").returncode == 0
    assert run_cli("changelog", "--check").returncode == 0
    (tmp_path / "policy_versions/terms/2023.md").write_text(version_file("Terms of Use", "2023", "T.\n"))
    before = snapshot(tmp_path)
    stale = run_cli("changelog", "--check")
    assert stale.returncode == 1 and "stale" in stale.stderr
    assert snapshot(tmp_path) == before  # --check writes nothing


def test_changelog_of_an_invalid_store_is_one_line_and_exit_2(tmp_path, run_cli):
    make_store(tmp_path, {"privacy/2021-02-11.md": "---\ntitle: x\n---\nno dates\n"})
    result = run_cli("changelog")
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert "policy_versions/privacy/2021-02-11.md" in result.stderr
    assert not (tmp_path / "CHANGELOG.md").exists()


def test_the_repositorys_own_changelog_is_generated_and_fresh(run_cli):
    from conftest import ROOT

    result = run_cli("changelog", "--check", cwd=ROOT)
    assert result.returncode == 0, result.stderr
    text = (ROOT / "CHANGELOG.md").read_text()
    assert "api-data-privacy@2023-07-21" in text and "### Material changes" in text
