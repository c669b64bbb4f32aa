"""``policydocs review`` on a real git repository: what a pull request adds or changes
in the store, the verdict in plain words, the draft notice and check's results."""

from __future__ import annotations

import json
import textwrap

from conftest import GitRepo
from policydocs.review import COMMENT_LIMIT, MaterialChange, Review, Reviewed, render_markdown

REGISTRY = textwrap.dedent("""\
    site_url: https://policies.example.com
    policies:
      privacy:
        title: Privacy Policy
    """)


def version(date: str, *paragraphs: str) -> str:
    body = "\n\n".join(paragraphs)
    return (f"---\ntitle: Privacy Policy\neffective: {date}\ndate_basis: observed\n---\n"
            f"# Privacy Policy\n\n{body}\n")


FIRST = version("2024-01-01", "We collect your email address to create your account.",
                "We keep your data for 30 days after you close your account.",
                "We never sell your personal data to anyone.")


def repo_on_a_branch(tmp_path) -> GitRepo:
    repo = GitRepo(tmp_path / "repo")
    repo.commit("2024-01-01T12:00:00Z", {"policy_versions/policies.yml": REGISTRY,
                                         "policy_versions/privacy/2024-01-01.md": FIRST})
    repo.git("checkout", "-q", "-b", "change")
    return repo


def add_version(repo: GitRepo, *paragraphs: str) -> None:
    repo.commit("2024-06-01T12:00:00Z", {"policy_versions/privacy/2024-06-01.md":
                                         version("2024-06-01", *paragraphs)})


def test_a_branch_adding_a_version_names_the_verdict_the_material_change_and_the_notice(tmp_path, run_cli):
    repo = repo_on_a_branch(tmp_path)
    add_version(repo, "We collect your email address to create your account.",
                "We keep your data for 365 days after you close your account.",
                "We never sell your personal data to anyone.")
    result = run_cli("review", "--store", "policy_versions", "--base", "main", cwd=repo.path)
    assert result.returncode == 0, result.stderr
    text = result.stdout
    assert "`privacy@2024-06-01` (added)" in text
    assert "2024-01-01 → 2024-06-01" in text
    assert "**Verdict:** **material change**" in text
    assert "30 days → 365 days" in text and "“30” → “365”" in text
    assert "# Privacy Policy: notice of changes" in text
    assert "https://policies.example.com/compare/privacy@2024-01-01...privacy@2024-06-01/" in text
    assert "✅ no problems" in text
    assert len(text) < COMMENT_LIMIT


def test_a_branch_with_an_editorial_change_is_reviewed_as_editorial(tmp_path, run_cli):
    repo = repo_on_a_branch(tmp_path)
    add_version(repo, "We collect your e-mail address to create your account.",
                "We keep your data for 30 days after you close your account.",
                "We never sell your personal data to anyone.")
    result = run_cli("review", "--store", "policy_versions", "--base", "main", "--format", "json",
                     cwd=repo.path)
    data = json.loads(result.stdout)
    (reviewed,) = data["versions"]
    assert reviewed["verdict"] == "editorial" and reviewed["material_changes"] == []
    assert data["check"] == []
    assert reviewed["notice"] == ""  # an editorial revision is announced to no one
    markdown = run_cli("review", "--store", "policy_versions", "--base", "main", cwd=repo.path).stdout
    assert "No notice: the version has no material change" in markdown and "Draft notice" not in markdown


def test_a_branch_editing_a_published_version_puts_the_immutability_failure_in_the_review(tmp_path, run_cli):
    repo = repo_on_a_branch(tmp_path)
    repo.commit("2024-06-01T12:00:00Z", {"policy_versions/privacy/2024-01-01.md":
                                         FIRST.replace("30 days", "31 days")})
    result = run_cli("review", "--store", "policy_versions", "--base", "main", cwd=repo.path)
    assert result.returncode == 0, result.stderr
    assert "`privacy@2024-01-01` (changed)" in result.stdout
    assert ("❌ `policy_versions/privacy/2024-01-01.md: body changed since main; published versions "
            "are immutable") in result.stdout


def test_the_default_base_is_head_without_origin_main(tmp_path, run_cli):
    repo = repo_on_a_branch(tmp_path)
    (repo.path / "policy_versions/privacy/2024-06-01.md").write_text(version("2024-06-01", "We sell data."))
    result = run_cli("review", "--store", "policy_versions", "--format", "json", cwd=repo.path)
    data = json.loads(result.stdout)
    assert data["base"] == "HEAD"
    assert [v["ref"] for v in data["versions"]] == ["privacy@2024-06-01"]


def test_an_unknown_base_is_a_usage_error(tmp_path, run_cli):
    repo = repo_on_a_branch(tmp_path)
    result = run_cli("review", "--store", "policy_versions", "--base", "nosuch", cwd=repo.path)
    assert result.returncode == 2
    assert result.stderr.startswith("policydocs: --base nosuch: no such commit")


def test_a_review_longer_than_a_comment_is_cut_with_a_link_to_the_redline():
    change = MaterialChange(id="c1", section="Data", before="x" * 300, after="y" * 300, why="retention: longer")
    versions = tuple(Reviewed(
        ref=f"p{i}@2024-06-01", policy=f"p{i}", title=f"P{i}", state="added", old_ref=f"p{i}@2024-01-01",
        old_date="2024-01-01", new_date="2024-06-01", verdict="material", changes=(change,) * 30,
        other_changes=0, notice="# notice\n", compare_url=f"https://s/compare/p{i}@2024-01-01...p{i}@2024-06-01/")
        for i in range(20))
    text = render_markdown(Review(base="main", versions=versions, problems=()))
    assert len(text) < COMMENT_LIMIT
    assert "Review cut to fit a GitHub comment" in text
    assert "https://s/compare/p19@2024-01-01...p19@2024-06-01/" in text
    assert "<details><summary>20 more material change(s)</summary>" in text


def test_the_review_links_the_word_and_pdf_redlines_the_site_builds(tmp_path, run_cli):
    from policydocs.site.pages import compare_export_uri  # the names the site writes its downloads under
    from policydocs.comparisons import Pair
    from policydocs.store import open_store

    repo = repo_on_a_branch(tmp_path)
    add_version(repo, "We collect your email address to create your account.",
                "We keep your data for 365 days after you close your account.",
                "We never sell your personal data to anyone.")
    data = json.loads(run_cli("review", "--store", "policy_versions", "--base", "main", "--format", "json",
                              cwd=repo.path).stdout)
    store = open_store(repo.path / "policy_versions")
    old, new = store.resolve("privacy@2024-01-01"), store.resolve("privacy@2024-06-01")
    (reviewed,) = data["versions"]
    assert reviewed["downloads"] == {fmt: f"https://policies.example.com/{compare_export_uri(Pair(old, new, 'consecutive'), fmt)}"
                                     for fmt in ("docx", "pdf")}
    markdown = run_cli("review", "--store", "policy_versions", "--base", "main", cwd=repo.path).stdout
    assert "[Word, with tracked changes](https://policies.example.com/compare/" in markdown and "[PDF](" in markdown
    none = run_cli("review", "--store", "policy_versions", "--base", "main", "--exports", "", cwd=repo.path).stdout
    assert "Downloads" not in none
    bad = run_cli("review", "--store", "policy_versions", "--base", "main", "--exports", "xls", cwd=repo.path)
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1 and "xls" in bad.stderr
