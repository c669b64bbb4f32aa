"""The store refuses what the store format (ARCHITECTURE.md) forbids, naming the file and the problem."""

from __future__ import annotations

import subprocess
import textwrap
from pathlib import Path

import pytest

from policydocs.errors import UserError
from policydocs.store import load_store, open_store, write_version, Version

VALID = textwrap.dedent("""\
    ---
    title: Privacy Policy
    effective: 2021-02-11
    date_basis: stated
    ---
    # Privacy Policy

    We respect your privacy.
    """)


def make_store(tmp_path: Path, files: dict[str, str], registry: str | None = None) -> Path:
    root = tmp_path / "policy_versions"
    root.mkdir()
    (root / "policies.yml").write_text(registry or textwrap.dedent("""\
        notice_period_days: 30
        policies:
          privacy:
            title: Privacy Policy
            owner: Example Inc.
        """))
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def problems_of(root: Path) -> list[str]:
    return [str(p) for p in load_store(root)[1]]


def test_valid_store_loads_typed_versions_with_exact_body(tmp_path):
    root = make_store(tmp_path, {"privacy/2021-02-11.md": VALID})
    store = open_store(root)
    version = store.resolve("privacy@2021-02-11")
    assert version.title == "Privacy Policy"
    assert version.date_basis == "stated"
    assert version.body == "# Privacy Policy\n\nWe respect your privacy.\n"
    assert store.settings.notice_period_days == 30


@pytest.mark.parametrize("name, text, expected", [
    ("privacy/2021-02-12.md", VALID, "file name says 2021-02-12 but 'effective' is 2021-02-11"),
    ("privacy/2023-13-45.md", VALID, "not a valid ISO date"),
    ("privacy/2021-02-11.md", VALID.replace("effective: 2021-02-11\n", ""), "'effective' date is missing"),
    ("privacy/2021-02-11.md", VALID.replace("date_basis: stated", "date_basis: guessed"), "'date_basis' must be"),
    ("privacy/2021-02-11.md", VALID.replace("title: Privacy Policy", "title: Privacy Policy\ncolour: red"),
     "unknown front-matter key(s) colour"),
    ("privacy/2021-02-11.md", VALID.replace("date_basis: stated", "date_basis: stated\nmaterial: true"),
     "'material' is overridden without 'material_reason'"),
    ("privacy/2021-02-11.md", "---\n- a\n- b\n---\nbody\n", "front matter must be a mapping"),
    ("privacy/2021-02-11.md", VALID.replace("title: Privacy Policy", "title: !!python/object:os.system ls"),
     "invalid YAML"),
    ("privacy/2021-02-11.md", VALID.replace("title: Privacy Policy",
                                            "title: Privacy Policy\nsummary: &a [x, *a]"),
     "anchors and aliases"),
])
def test_invalid_version_files_are_reported_with_file_and_problem(tmp_path, name, text, expected):
    root = make_store(tmp_path, {name: text})
    problems = problems_of(root)
    assert any(name in p and expected in p for p in problems), problems


def test_two_versions_on_one_date_are_refused(tmp_path):
    timed = VALID.replace("effective: 2021-02-11", "effective: 2021-02-11T093000Z")
    root = make_store(tmp_path, {"privacy/2021-02-11.md": VALID, "privacy/2021-02-11T093000Z.md": timed})
    assert any("two versions on one date (2021-02-11)" in p for p in problems_of(root))


def test_month_precision_and_time_precise_versions_can_coexist(tmp_path):
    root = make_store(tmp_path, {
        "privacy/2021-02.md": VALID.replace("effective: 2021-02-11", "effective: 2021-02"),
        "privacy/2021-02-11T093000Z.md": VALID.replace("effective: 2021-02-11", "effective: 2021-02-11T093000Z"),
        "privacy/2021-02-11T170000Z.md": VALID.replace("effective: 2021-02-11", "effective: 2021-02-11T170000Z"),
    })
    assert problems_of(root) == []
    ids = [v.version_id for v in open_store(root).policy("privacy").versions]
    assert ids == ["2021-02", "2021-02-11T093000Z", "2021-02-11T170000Z"]


def test_policy_folder_and_registry_must_agree(tmp_path):
    root = make_store(tmp_path, {"terms/2021-02-11.md": VALID})
    problems = problems_of(root)
    assert any("policy_versions/terms: policy folder is not declared in policies.yml" in p for p in problems)
    assert any("policy 'privacy' has no folder privacy/" in p for p in problems)


def test_bad_policy_id_in_registry_is_reported(tmp_path):
    root = make_store(tmp_path, {}, registry="policies:\n  Bad.Id:\n    title: X\n")
    assert any("invalid policy id 'Bad.Id'" in p for p in problems_of(root))


def test_write_version_never_overwrites(tmp_path):
    root = make_store(tmp_path, {"privacy/2021-02-11.md": VALID})
    before = (root / "privacy/2021-02-11.md").read_bytes()
    version = Version(policy_id="privacy", version_id="2021-02-11", title="X", effective="2021-02-11",
                      date_basis="stated", body="other\n")
    with pytest.raises(UserError, match="exists already"):
        write_version(root, version)
    assert (root / "privacy/2021-02-11.md").read_bytes() == before


def test_written_version_reads_back_identically(tmp_path):
    root = make_store(tmp_path, {"privacy/.keep": ""})
    body = "# T\n\n  odd   spacing\n\n\n"
    version = Version(policy_id="privacy", version_id="2023", title="T", effective="2023",
                      date_basis="observed", body=body)
    write_version(root, version)
    loaded = open_store(root).resolve("privacy@2023")
    assert loaded.body == body and loaded.date_basis == "observed"


def git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@e", *args], cwd=cwd, check=True,
                   capture_output=True)


def test_check_fails_on_edited_published_version_and_allows_editable_fields(tmp_path, run_cli):
    root = make_store(tmp_path, {"privacy/2021-02-11.md": VALID})
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-qm", "publish")
    assert run_cli("check").returncode == 0

    path = root / "privacy/2021-02-11.md"
    path.write_text(VALID.replace("date_basis: stated", "date_basis: stated\nsummary: First version."))
    ok = run_cli("check")
    assert ok.returncode == 0, ok.stdout + ok.stderr

    path.write_text(VALID.replace("We respect", "We somewhat respect"))
    bad = run_cli("check")
    assert bad.returncode == 1
    assert "policy_versions/privacy/2021-02-11.md: body changed since HEAD" in bad.stdout

    path.write_text(VALID.replace("title: Privacy Policy", "title: Privacy Notice"))
    bad = run_cli("check")
    assert bad.returncode == 1 and "frozen field(s) title changed" in bad.stdout

    path.unlink()
    bad = run_cli("check")
    assert bad.returncode == 1 and "published version was deleted" in bad.stdout


def test_check_against_unknown_ref_is_a_usage_error(tmp_path, run_cli):
    make_store(tmp_path, {"privacy/2021-02-11.md": VALID})
    git(tmp_path, "init", "-q")
    result = run_cli("check", "--against", "nope")
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "no such commit" in result.stderr


def test_check_outside_git_validates_the_store_and_says_immutability_was_not_checked(tmp_path, run_cli):
    root = make_store(tmp_path, {"privacy/2021-02-11.md": VALID})
    assert subprocess.run(["git", "rev-parse"], cwd=tmp_path, capture_output=True).returncode != 0
    ok = run_cli("check")
    assert ok.returncode == 0, ok.stderr
    note, summary = ok.stderr.splitlines()
    assert note == "immutability not checked: policy_versions is not in a git repository"
    assert summary == "ok: 1 policies, 1 versions in policy_versions"
    (root / "privacy/2021-02-11.md").write_text(VALID.replace("date_basis: stated", "date_basis: guessed"))
    bad = run_cli("check")
    assert bad.returncode == 1 and "'date_basis' must be" in bad.stdout


def test_check_against_a_ref_outside_git_is_a_usage_error(tmp_path, run_cli):
    make_store(tmp_path, {"privacy/2021-02-11.md": VALID})
    result = run_cli("check", "--against", "HEAD")
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "not inside a git repository" in result.stderr


def test_check_in_a_repository_without_commits_says_nothing_is_published_yet(tmp_path, run_cli):
    make_store(tmp_path, {"privacy/2021-02-11.md": VALID})
    git(tmp_path, "init", "-q")
    ok = run_cli("check")
    assert ok.returncode == 0, ok.stderr
    note, summary = ok.stderr.splitlines()
    assert note == ("immutability not checked: the git repository of policy_versions has no commits yet, "
                    "so nothing is published")
    assert summary.startswith("ok: ")
    explicit = run_cli("check", "--against", "HEAD")
    assert explicit.returncode == 2
    assert explicit.stderr.count("\n") == 1 and "--against HEAD: no such commit" in explicit.stderr


def test_check_of_a_store_not_committed_yet_says_nothing_of_it_is_published(tmp_path, run_cli):
    git(tmp_path, "init", "-q")
    (tmp_path / "README.md").write_text("# Policies\n")
    git(tmp_path, "add", "README.md")
    git(tmp_path, "commit", "-qm", "start")
    make_store(tmp_path, {"privacy/2021-02-11.md": VALID})
    ok = run_cli("check")
    assert ok.returncode == 0, ok.stderr
    assert ok.stderr.splitlines()[0] == ("immutability not checked: policy_versions is not in HEAD yet, "
                                         "so nothing of it is published")
