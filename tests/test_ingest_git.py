"""import-git: real git histories made in tmp dirs, and the real genai-eu bundle."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from conftest import GitRepo, corpus_clone, snapshot
from policydocs.store import load_store, open_store

PRIVACY_V1 = "# Privacy Policy\n\nEffective: 1 March 2024\n\nWe keep your data for 30 days.\n"
PRIVACY_V2 = "# Privacy Policy\n\nEffective: 1 May 2024\n\nWe keep your data for 90 days.\n"


@pytest.fixture
def repo(tmp_path) -> GitRepo:
    return GitRepo(tmp_path / "src-repo")


def versions_of(store: Path, policy: str) -> list[str]:
    return sorted(p.stem for p in (store / policy).glob("*.md"))


def test_each_commit_that_changed_a_policy_file_becomes_an_observed_version(repo, tmp_path, run_cli):
    first = repo.commit("2024-03-02T09:00:00Z", {"Acme/Privacy Policy.md": PRIVACY_V1})
    second = repo.commit("2024-04-20T09:00:00Z", {"Acme/Privacy Policy.md": PRIVACY_V2})
    result = run_cli("import-git", str(repo.path), "--store", "pv")
    assert result.returncode == 0, result.stderr
    assert "imported 2 versions of 1 policies" in result.stdout
    store = open_store(tmp_path / "pv")
    policy = store.policy("privacy-policy")
    assert [v.version_id for v in policy.versions] == ["2024-03-02", "2024-04-20"]
    old, new = policy.versions
    assert (old.date_basis, old.stated_date) == ("observed", "2024-03-01")
    assert new.stated_date == "2024-05-01"  # announced before it took effect: stated date kept
    assert (new.source.commit, new.source.path) == (second, "Acme/Privacy Policy.md")
    assert old.source.commit == first and old.source.repo
    assert old.body == PRIVACY_V1 and new.body == PRIVACY_V2
    assert policy.title == "Privacy Policy"  # the text's own heading, not the path


def test_editorial_commit_that_keeps_the_stated_date_is_still_a_new_version(repo, tmp_path, run_cli):
    repo.commit("2024-03-02T09:00:00Z", {"privacy.md": PRIVACY_V1})
    repo.commit("2024-03-09T09:00:00Z", {"privacy.md": PRIVACY_V1.replace("30 days", "30  days")})
    assert run_cli("import-git", str(repo.path), "--store", "pv").returncode == 0
    versions = open_store(tmp_path / "pv").policy("privacy").versions
    assert [v.version_id for v in versions] == ["2024-03-02", "2024-03-09"]
    assert {v.stated_date for v in versions} == {"2024-03-01"}


def test_renamed_file_stays_one_policy_named_after_its_newest_name(repo, tmp_path, run_cli):
    repo.commit("2024-01-10T09:00:00Z", {"terms.md": "# Terms\n\nBe nice.\n"})
    rename = repo.rename("2024-02-10T09:00:00Z", "terms.md", "legal/Terms of Service.md")
    repo.commit("2024-03-10T09:00:00Z", {"legal/Terms of Service.md": "# Terms\n\nBe very nice.\n"})
    result = run_cli("import-git", str(repo.path), "--store", "pv")
    assert result.returncode == 0, result.stderr
    store = open_store(tmp_path / "pv")
    assert list(store.policies) == ["terms-of-service"]
    versions = store.policy("terms-of-service").versions
    # The pure rename leaves the text as it was: no version for it.
    assert [v.version_id for v in versions] == ["2024-01-10", "2024-03-10"]
    assert versions[-1].source.path == "legal/Terms of Service.md"
    assert rename not in {v.source.commit for v in versions}


def test_commit_touching_several_files_gives_each_policy_its_version(repo, tmp_path, run_cli):
    sha = repo.commit("2024-05-05T09:00:00Z", {"A/Privacy.md": PRIVACY_V1, "A/Terms.md": "# Terms\n\nBe nice.\n",
                                              "logo.png": b"\x89PNG\x00\x01"})
    result = run_cli("import-git", str(repo.path), "--store", "pv")
    assert result.returncode == 0, result.stderr
    store = open_store(tmp_path / "pv")
    assert sorted(store.policies) == ["privacy", "terms"]
    assert {v.source.commit for v in store.all_versions()} == {sha}
    assert {v.source.path for v in store.all_versions()} == {"A/Privacy.md", "A/Terms.md"}


def test_two_commits_on_one_day_fold_into_the_later_and_the_summary_names_the_earlier(
        repo, tmp_path, run_cli):
    early = repo.commit("2024-06-01T08:00:00Z", {"privacy.md": PRIVACY_V1})
    late = repo.commit("2024-06-01T17:30:00Z", {"privacy.md": PRIVACY_V2})
    result = run_cli("import-git", str(repo.path), "--store", "pv")
    assert "1 same-day commits folded" in result.stdout
    (version,) = open_store(tmp_path / "pv").policy("privacy").versions
    assert version.version_id == "2024-06-01"
    assert version.body == PRIVACY_V2 and version.source.commit == late
    assert early[:12] in version.summary


def test_keep_all_makes_one_time_precise_version_per_commit(repo, tmp_path, run_cli):
    repo.commit("2024-06-01T08:00:00Z", {"privacy.md": PRIVACY_V1})
    repo.commit("2024-06-01T17:30:05+02:00", {"privacy.md": PRIVACY_V2})
    result = run_cli("import-git", str(repo.path), "--store", "pv", "--keep-all")
    assert result.returncode == 0, result.stderr
    assert versions_of(tmp_path / "pv", "privacy") == ["2024-06-01T080000Z", "2024-06-01T153005Z"]
    assert run_cli("check", "--no-git", "--store", "pv").returncode == 0


def test_second_run_adds_nothing_and_says_so(repo, tmp_path, run_cli):
    repo.commit("2024-03-02T09:00:00Z", {"privacy.md": PRIVACY_V1})
    repo.commit("2024-03-02T10:00:00Z", {"privacy.md": PRIVACY_V2})
    repo.commit("2024-03-03T10:00:00Z", {"privacy.md": PRIVACY_V2 + "More.\n"})
    assert run_cli("import-git", str(repo.path), "--store", "pv").returncode == 0
    before = snapshot(tmp_path / "pv")
    again = run_cli("import-git", str(repo.path), "--store", "pv")
    assert again.returncode == 0
    assert again.stdout.startswith("nothing new to import")
    assert snapshot(tmp_path / "pv") == before


def test_new_commits_are_added_on_the_next_run(repo, tmp_path, run_cli):
    repo.commit("2024-03-02T09:00:00Z", {"privacy.md": PRIVACY_V1})
    run_cli("import-git", str(repo.path), "--store", "pv")
    repo.commit("2024-04-02T09:00:00Z", {"privacy.md": PRIVACY_V2})
    result = run_cli("import-git", str(repo.path), "--store", "pv")
    assert "imported 1 versions" in result.stdout and "1 already present" in result.stdout
    assert versions_of(tmp_path / "pv", "privacy") == ["2024-03-02", "2024-04-02"]


def test_map_names_the_policy_and_declares_it_in_the_registry(repo, tmp_path, run_cli):
    repo.commit("2024-03-02T09:00:00Z", {"docs/pp_final_v2.md": PRIVACY_V1})
    result = run_cli("import-git", str(repo.path), "--store", "pv", "--map", "docs/pp_final_v2.md=privacy")
    assert result.returncode == 0, result.stderr
    store = open_store(tmp_path / "pv")
    assert list(store.policies) == ["privacy"]
    assert "privacy:" in (tmp_path / "pv" / "policies.yml").read_text()


def test_since_imports_only_later_commits(repo, tmp_path, run_cli):
    repo.commit("2024-01-02T09:00:00Z", {"privacy.md": PRIVACY_V1})
    repo.commit("2024-05-02T09:00:00Z", {"privacy.md": PRIVACY_V2})
    result = run_cli("import-git", str(repo.path), "--store", "pv", "--since", "2024-03-01")
    assert result.returncode == 0, result.stderr
    assert versions_of(tmp_path / "pv", "privacy") == ["2024-05-02"]


def test_existing_store_keeps_its_policies_and_settings(repo, tmp_path, run_cli):
    store = tmp_path / "pv"
    store.mkdir()
    (store / "policies.yml").write_text("notice_period_days: 30\npolicies: {}\n")
    repo.commit("2024-01-02T09:00:00Z", {"privacy.md": PRIVACY_V1})
    assert run_cli("import-git", str(repo.path), "--store", "pv").returncode == 0
    assert open_store(store).settings.notice_period_days == 30


JEKYLL_PRIVACY = """\
---
title: Privacy policy
description: The privacy of your data is a big deal to us.
layout: sheet
---
<!-- markdownlint-disable -->
<figure class="centered">
  <img alt="a quill" src="{% asset_path privacy/shh.png %}">
</figure>

Privacy
=======

*Last updated: April 20, 2023*

We keep your data for 30 days. Questions? [Ask us]({{ site.email_support }}).
"""


def test_a_file_imports_the_same_whichever_command_reads_it(repo, tmp_path, run_cli):
    repo.commit("2023-05-02T09:00:00Z", {"privacy/index.md": JEKYLL_PRIVACY})
    assert run_cli("import-git", str(repo.path), "--store", "pv").returncode == 0
    (tmp_path / "index.md").write_text(JEKYLL_PRIVACY)
    assert run_cli("import", "index.md", "--policy", "privacy", "--store", "single").returncode == 0
    (from_git,) = open_store(tmp_path / "pv").policy("privacy").versions
    (single,) = open_store(tmp_path / "single").policy("privacy").versions
    assert from_git.body == single.body and from_git.title == single.title == "Privacy policy"
    assert from_git.legal_date == single.legal_date == "2023-04-20"
    assert from_git.body.startswith("Privacy\n=======\n\n*Last updated: April 20, 2023*\n")
    for gone in ("layout", "description", "<!--", "{%", "{{", "<figure", "<img"):
        assert gone not in from_git.body


def test_ids_are_the_files_own_names_and_titles_the_texts_own(repo, tmp_path, run_cli):
    repo.commit("2024-01-10T09:00:00Z", {
        "privacy/index.md": "---\ntitle: Privacy policy\n---\n# Your privacy\n\nWe keep data.\n",
        "privacy/regulations/ccpa/index.md": "# California notice\n\nYou may opt out.\n",
        "legal/Terms of Service.md": "Terms\n-----\n\nBe nice.\n",
        "Cookie-Policy.md": "We use one cookie.\n\n### What are cookies?\n\nData.\n",
        "README.md": "About this repository.\n"})
    result = run_cli("import-git", str(repo.path), "--store", "pv", "--path", "*/*.md",
                     "--path", "Cookie-Policy.md")
    assert result.returncode == 0, result.stderr
    store = open_store(tmp_path / "pv")
    titles = {pid: (p.title, p.versions[-1].title) for pid, p in store.policies.items()}
    assert titles == {"privacy": ("Privacy policy", "Privacy policy"),
                      "ccpa": ("California notice", "California notice"),
                      "terms-of-service": ("Terms", "Terms"),
                      "cookie-policy": ("Cookie Policy", "Cookie Policy")}


def test_the_registry_title_is_the_newest_versions_title(repo, tmp_path, run_cli):
    repo.commit("2024-01-10T09:00:00Z", {"terms.md": "# Terms\n\nBe nice.\n"})
    repo.commit("2024-02-10T09:00:00Z", {"terms.md": "# Terms of Service\n\nBe very nice.\n"})
    assert run_cli("import-git", str(repo.path), "--store", "pv").returncode == 0
    policy = open_store(tmp_path / "pv").policy("terms")
    assert [v.title for v in policy.versions] == ["Terms", "Terms of Service"]
    assert policy.title == "Terms of Service"


def test_files_of_one_name_are_told_apart_by_their_folders_and_the_output_says_so(repo, tmp_path, run_cli):
    repo.commit("2024-01-10T09:00:00Z", {"refund/hey/index.md": "# Refunds\n\nFor HEY.\n",
                                        "ownership/hey/index.md": "# Ownership\n\nFor HEY.\n",
                                        "refund/index.md": "# Refunds\n\nFor Basecamp.\n"})
    result = run_cli("import-git", str(repo.path), "--store", "pv")
    assert result.returncode == 0, result.stderr
    assert sorted(open_store(tmp_path / "pv").policies) == ["ownership-hey", "refund", "refund-hey"]
    assert ("ids: 2 files would be policy 'hey'; each is named with its folder: ownership-hey "
            "(ownership/hey/index.md), refund-hey (refund/hey/index.md)") in result.stderr


def test_map_wins_over_the_folder_rule(repo, tmp_path, run_cli):
    repo.commit("2024-01-10T09:00:00Z", {"refund/hey/index.md": "# Refunds\n\nFor HEY.\n",
                                        "ownership/hey/index.md": "# Ownership\n\nFor HEY.\n"})
    result = run_cli("import-git", str(repo.path), "--store", "pv", "--map", "refund/hey/index.md=hey-refunds")
    assert result.returncode == 0, result.stderr
    assert sorted(open_store(tmp_path / "pv").policies) == ["hey", "hey-refunds"]


def test_a_page_moved_into_its_own_folder_stays_one_policy(repo, tmp_path, run_cli):
    repo.commit("2018-01-10T09:00:00Z", {"terms.md": "# Terms\n\nBe nice.\n"})
    repo.commit("2020-04-13T09:00:00Z", {"terms.md": None,  # git sees a deletion and a new file
                                        "terms/index.md": "---\ntitle: Terms of Service\n---\n"
                                                          "# Terms of Service\n\nWe changed everything.\n"})
    assert run_cli("import-git", str(repo.path), "--store", "pv").returncode == 0
    store = open_store(tmp_path / "pv")
    assert list(store.policies) == ["terms"]
    assert [v.source.path for v in store.policy("terms").versions] == ["terms.md", "terms/index.md"]


def test_ids_already_in_the_store_never_change_on_a_rerun(repo, tmp_path, run_cli):
    """A store imported under another id rule (an older policydocs) keeps its ids."""
    repo.commit("2024-03-02T09:00:00Z", {"Acme/Privacy Policy.md": PRIVACY_V1})
    assert run_cli("import-git", str(repo.path), "--store", "pv").returncode == 0
    store = tmp_path / "pv"
    (store / "privacy-policy").rename(store / "acme-privacy-policy")
    registry = (store / "policies.yml").read_text().replace("privacy-policy:", "acme-privacy-policy:")
    (store / "policies.yml").write_text(registry)
    before = snapshot(store)
    again = run_cli("import-git", str(repo.path), "--store", "pv")
    assert again.stdout.startswith("nothing new to import") and snapshot(store) == before
    repo.commit("2024-04-20T09:00:00Z", {"Acme/Privacy Policy.md": PRIVACY_V2})
    assert run_cli("import-git", str(repo.path), "--store", "pv").returncode == 0
    assert list(open_store(store).policies) == ["acme-privacy-policy"]
    assert versions_of(store, "acme-privacy-policy") == ["2024-03-02", "2024-04-20"]


def test_a_commit_that_leaves_no_policy_text_is_no_version(repo, tmp_path, run_cli):
    repo.commit("2024-01-10T09:00:00Z", {"privacy.md": ""})
    repo.commit("2024-01-11T09:00:00Z", {"privacy.md": "---\ntitle: Privacy\n---\n<!-- to do -->\n"})
    repo.commit("2024-02-10T09:00:00Z", {"privacy.md": PRIVACY_V1})
    result = run_cli("import-git", str(repo.path), "--store", "pv")
    assert result.returncode == 0, result.stderr
    assert "2 commits left no policy text" in result.stdout
    assert versions_of(tmp_path / "pv", "privacy") == ["2024-02-10"]


def test_a_date_that_is_not_a_date_is_no_stated_date_and_no_error(repo, tmp_path, run_cli):
    repo.commit("2024-01-10T09:00:00Z", {"terms.md": "# Terms\n\nEffective: TBD\n\nBe nice.\n"})
    assert run_cli("import-git", str(repo.path), "--store", "pv").returncode == 0
    (version,) = open_store(tmp_path / "pv").policy("terms").versions
    assert version.stated_date is None and version.legal_date == "2024-01-10"


def test_a_stated_date_on_the_commit_day_makes_the_version_date_stated(repo, tmp_path, run_cli):
    repo.commit("2024-03-01T09:00:00Z", {"privacy.md": PRIVACY_V1})
    assert run_cli("import-git", str(repo.path), "--store", "pv").returncode == 0
    (version,) = open_store(tmp_path / "pv").policy("privacy").versions
    assert (version.version_id, version.date_basis, version.stated_date) == ("2024-03-01", "stated", None)


# --- bad input: one line, exit 2, store untouched -----------------------------------


def _bare(repo: GitRepo, tmp_path: Path) -> Path:
    repo.commit("2024-01-02T09:00:00Z", {"privacy.md": PRIVACY_V1})
    subprocess.run(["git", "clone", "-q", "--bare", str(repo.path), str(tmp_path / "bare.git")], check=True)
    return tmp_path / "bare.git"


def _shallow(repo: GitRepo, tmp_path: Path) -> Path:
    repo.commit("2024-01-02T09:00:00Z", {"privacy.md": PRIVACY_V1})
    repo.commit("2024-02-02T09:00:00Z", {"privacy.md": PRIVACY_V2})
    subprocess.run(["git", "clone", "-q", "--depth", "1", f"file://{repo.path}", str(tmp_path / "shallow")],
                   check=True)
    return tmp_path / "shallow"


def _binary(repo: GitRepo, tmp_path: Path) -> Path:
    repo.commit("2024-01-02T09:00:00Z", {"privacy.md": PRIVACY_V1})
    repo.commit("2024-02-02T09:00:00Z", {"privacy.md": b"PK\x03\x04\x00\x00binary"})
    return repo.path


def _missing_blob(repo: GitRepo, tmp_path: Path) -> Path:
    repo.commit("2024-01-02T09:00:00Z", {"privacy.md": PRIVACY_V1})
    blob = repo.git("rev-parse", "HEAD:privacy.md")
    (repo.path / ".git" / "objects" / blob[:2] / blob[2:]).unlink()
    return repo.path


def _empty(repo: GitRepo, tmp_path: Path) -> Path:
    return repo.path


def _not_a_repo(repo: GitRepo, tmp_path: Path) -> Path:
    plain = tmp_path / "plain"
    plain.mkdir()
    (plain / "privacy.md").write_text(PRIVACY_V1)
    return plain


def _glob_matches_nothing(repo: GitRepo, tmp_path: Path) -> Path:
    repo.commit("2024-01-02T09:00:00Z", {"privacy.txt": PRIVACY_V1})
    return repo.path


def _front_matter_not_yaml(repo: GitRepo, tmp_path: Path) -> Path:
    repo.commit("2024-01-02T09:00:00Z", {"privacy.md": PRIVACY_V1})
    repo.commit("2024-02-02T09:00:00Z", {"privacy.md": "---\ntitle: Privacy: the policy\n---\n" + PRIVACY_V2})
    return repo.path


@pytest.mark.parametrize("make, message", [
    (_not_a_repo, "not a git repository"),
    (_bare, "bare repository"),
    (_empty, "no commits"),
    (_glob_matches_nothing, "no file in the history matches *.md"),
    (_binary, "binary file"),
    (_missing_blob, "cannot read blob"),
    (_shallow, "shallow clone"),
    (_front_matter_not_yaml, ":privacy.md: invalid YAML (line 2)"),
])
def test_bad_history_is_refused_with_one_line_and_the_store_untouched(repo, tmp_path, run_cli, make, message):
    source = make(repo, tmp_path)
    store = tmp_path / "pv"
    store.mkdir()
    (store / "policies.yml").write_text("policies: {}\n")
    before = snapshot(store)
    result = run_cli("import-git", str(source), "--store", "pv")
    assert result.returncode == 2
    assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr and result.stdout == ""
    assert snapshot(store) == before


def test_two_files_no_folder_tells_apart_ask_for_a_map(repo, tmp_path, run_cli):
    repo.commit("2024-01-02T09:00:00Z", {"Privacy Policy.md": PRIVACY_V1, "privacy-policy.md": PRIVACY_V2})
    result = run_cli("import-git", str(repo.path), "--store", "pv")
    assert result.returncode == 2 and result.stdout == ""
    (line,) = result.stderr.strip().splitlines()
    assert "'Privacy Policy.md' and 'privacy-policy.md' all become policy 'privacy-policy'" in line
    assert "--map 'Privacy Policy.md=POLICY-ID'" in line
    assert not (tmp_path / "pv").exists()


def test_a_file_whose_id_another_source_holds_asks_for_a_map(repo, tmp_path, run_cli):
    (tmp_path / "terms.md").write_text("# Terms\n\nSomeone else's terms.\n")
    assert run_cli("import", "terms.md", "--policy", "terms", "--store", "pv",
                   "--effective", "2023-01-01").returncode == 0
    before = snapshot(tmp_path / "pv")
    repo.commit("2024-01-02T09:00:00Z", {"terms.md": "# Terms\n\nOur terms.\n"})
    result = run_cli("import-git", str(repo.path), "--store", "pv")
    assert result.returncode == 2
    assert "'terms.md' would be policy 'terms', which the store already has" in result.stderr
    assert "--map 'terms.md=terms'" in result.stderr
    assert snapshot(tmp_path / "pv") == before
    mapped = run_cli("import-git", str(repo.path), "--store", "pv", "--map", "terms.md=terms")
    assert mapped.returncode == 0 and versions_of(tmp_path / "pv", "terms") == ["2023-01-01", "2024-01-02"]


def test_a_second_history_never_adds_its_texts_to_the_first_ones_policy(repo, tmp_path, run_cli):
    repo.commit("2024-01-02T09:00:00Z", {"privacy.md": PRIVACY_V1})
    assert run_cli("import-git", str(repo.path), "--store", "pv").returncode == 0
    other = GitRepo(tmp_path / "other-publisher")
    other.commit("2024-02-02T09:00:00Z", {"legal/privacy.md": PRIVACY_V2})
    result = run_cli("import-git", str(other.path), "--store", "pv")
    assert result.returncode == 0, result.stderr
    assert ("ids: 'privacy' is taken (by the store or --map); named with its folder: legal-privacy "
            "(legal/privacy.md)") in result.stderr
    assert versions_of(tmp_path / "pv", "privacy") == ["2024-01-02"]
    assert versions_of(tmp_path / "pv", "legal-privacy") == ["2024-02-02"]


def test_matched_files_that_are_not_markdown_are_skipped_and_reported(repo, tmp_path, run_cli):
    repo.commit("2024-01-02T09:00:00Z", {"privacy/index.md": PRIVACY_V1,
                                        "privacy/dpa.pdf": b"%PDF-1.4 binary",
                                        "privacy/reply.txt": "Thanks for your notice.\n"})
    result = run_cli("import-git", str(repo.path), "--store", "pv", "--path", "privacy/*")
    assert result.returncode == 0, result.stderr
    assert ("skipped 2 matched files that are not Markdown or HTML: privacy/dpa.pdf, privacy/reply.txt"
            in result.stderr)
    assert list(open_store(tmp_path / "pv").policies) == ["privacy"]


def test_a_glob_that_matches_only_files_that_are_not_markdown_is_refused(repo, tmp_path, run_cli):
    repo.commit("2024-01-02T09:00:00Z", {"privacy/index.md": PRIVACY_V1, "privacy/dpa.pdf": b"%PDF-1.4"})
    result = run_cli("import-git", str(repo.path), "--store", "pv", "--path", "*.pdf")
    assert result.returncode == 2 and result.stdout == ""
    (line,) = result.stderr.strip().splitlines()
    assert "the 1 files matching *.pdf are not Markdown or HTML (e.g. 'privacy/dpa.pdf')" in line
    assert not (tmp_path / "pv").exists()


def test_a_policy_file_that_becomes_its_own_folder_stays_one_policy(repo, tmp_path, run_cli):
    repo.commit("2018-05-13T09:00:00Z", {"legal/polldaddy": "# Terms\n\nBe nice.\n"})
    repo.commit("2018-05-14T09:00:00Z", {"legal/polldaddy": None})
    repo.commit("2018-05-15T09:00:00Z", {"legal/polldaddy/index.md": "# Terms\n\nBe very nice.\n"})
    result = run_cli("import-git", str(repo.path), "--store", "pv", "--path", "legal/*")
    assert result.returncode == 0, result.stderr
    versions = open_store(tmp_path / "pv").policy("polldaddy").versions
    assert [v.source.path for v in versions] == ["legal/polldaddy", "legal/polldaddy/index.md"]


def test_a_policy_file_that_becomes_a_folder_of_other_files_is_reported_with_the_way_out(
        repo, tmp_path, run_cli):
    repo.commit("2018-05-13T09:00:00Z", {"legal/Polldaddy": "# Terms\n\nBe nice.\n"})
    repo.commit("2018-05-14T09:00:00Z", {"legal/Polldaddy": None})
    repo.commit("2018-05-15T09:00:00Z", {"legal/Polldaddy/Polldaddy Terms.md": "# Terms\n\nBe very nice.\n"})
    result = run_cli("import-git", str(repo.path), "--store", "pv", "--path", "legal/*")
    assert result.returncode == 0, result.stderr
    assert versions_of(tmp_path / "pv", "polldaddy-terms") == ["2018-05-15"]
    way_out = ("legal/Polldaddy: a file until commit {}, then a folder holding legal/Polldaddy/Polldaddy "
               "Terms.md (policy 'polldaddy-terms'); to keep the file's history in that policy, add "
               "--map 'legal/Polldaddy=polldaddy-terms' --map 'legal/Polldaddy/Polldaddy Terms.md=polldaddy-terms'")
    deleted = repo.git("rev-parse", "HEAD~1")[:12]
    assert way_out.format(deleted) in result.stderr
    both = run_cli("import-git", str(repo.path), "--store", "joined", "--path", "legal/*",
                   "--map", "legal/Polldaddy=polldaddy-terms",
                   "--map", "legal/Polldaddy/Polldaddy Terms.md=polldaddy-terms")
    assert both.returncode == 0, both.stderr
    assert versions_of(tmp_path / "joined", "polldaddy-terms") == ["2018-05-13", "2018-05-15"]


# --- the real genai-eu history -------------------------------------------------------


@pytest.fixture(scope="module")
def genai_repo(tmp_path_factory) -> Path:
    return corpus_clone(tmp_path_factory.mktemp("corpus"))


@pytest.mark.corpus
def test_importing_one_service_from_the_real_history_is_idempotent(genai_repo, tmp_path, run_cli):
    first = run_cli("import-git", str(genai_repo), "--store", "pv", "--path", "Claude.ai/*")
    assert first.returncode == 0, first.stderr
    store, problems = load_store(tmp_path / "pv")
    assert problems == []
    # Ids are the files' own names (no other service's files clash with them here).
    assert "privacy-policy" in store.policies and not any("claude" in pid for pid in store.policies)
    versions = list(store.all_versions())
    assert len(versions) > 10
    assert all(v.source.path.startswith("Claude.ai/") for v in versions)
    # Anthropic's pages state "Effective <date>": the text's date is kept apart.
    assert any(v.stated_date for v in store.policy("privacy-policy").versions)
    before = snapshot(tmp_path / "pv")
    again = run_cli("import-git", str(genai_repo), "--store", "pv", "--path", "Claude.ai/*")
    assert again.returncode == 0 and again.stdout.startswith("nothing new to import")
    assert snapshot(tmp_path / "pv") == before


def test_file_deleted_and_added_again_stays_one_policy(repo, tmp_path, run_cli):
    repo.commit("2024-01-10T09:00:00Z", {"privacy.md": PRIVACY_V1})
    repo.commit("2024-02-10T09:00:00Z", {"privacy.md": None})
    repo.commit("2024-03-10T09:00:00Z", {"privacy.md": PRIVACY_V2})
    assert run_cli("import-git", str(repo.path), "--store", "pv").returncode == 0
    assert versions_of(tmp_path / "pv", "privacy") == ["2024-01-10", "2024-03-10"]
