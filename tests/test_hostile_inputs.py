"""Hostile inputs (issue #14): each is refused while it is read, with one line on
stderr naming the file, the problem and the limit, exit 2 and nothing written —
never a traceback, a hang or a crash. Every input is made here, in the test."""

from __future__ import annotations

import os
import stat
import subprocess
import threading
import textwrap
from pathlib import Path

import pytest

from conftest import STORE, snapshot

TIMEOUT = 60  # a regression fails instead of hanging
VERSION = textwrap.dedent("""\
    ---
    title: Privacy Policy
    effective: 2021-02-11
    date_basis: stated
    ---
    # Privacy Policy

    We keep your data for 30 days. You may ask us to delete it.
    """)
REGISTRY = "policies:\n  privacy:\n    title: Privacy Policy\n"
SOURCE = "# Terms\n\nUpdated March 3, 2022\n\nWe keep your data for 30 days. You may ask us to delete it.\n"


@pytest.fixture
def store(tmp_path: Path) -> Path:
    """A valid store with one version (written directly: no import needed)."""
    root = tmp_path / "store"
    (root / "privacy").mkdir(parents=True)
    (root / "policies.yml").write_text(REGISTRY)
    (root / "privacy" / "2021-02-11.md").write_text(VERSION)
    return root


def write(folder: Path, name: str, data: bytes | str) -> Path:
    path = folder / name
    path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    return path


def refused(run_cli, *args: str, watch: Path, env: dict | None = None) -> str:
    """Run a command that must be refused cleanly; return its one stderr line."""
    before = snapshot(watch)
    result = run_cli(*args, env=env, timeout=TIMEOUT)
    assert result.returncode == 2, result.stdout + result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    assert lines[0].startswith("policydocs: ")
    assert snapshot(watch) == before, "something was written"
    return lines[0]


def check_problems(run_cli, store: Path) -> list[str]:
    """`policydocs check` on a damaged store: exit 1, the problems on stdout, no crash."""
    result = run_cli("check", "--no-git", "--store", str(store), timeout=TIMEOUT)
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stdout + result.stderr
    return result.stdout.splitlines()


class EndlessPipe:
    """A FIFO that never ends: a thread keeps writing ``chunk`` into it. The test
    holds it open read-write, so a reader never sees end of file."""

    def __init__(self, path: Path, chunk: bytes) -> None:
        os.mkfifo(path)
        self.path, self.chunk = path, chunk
        self.fd = os.open(path, os.O_RDWR | os.O_NONBLOCK)
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._feed, daemon=True)

    def _feed(self) -> None:
        while not self.stop.is_set():
            try:
                os.write(self.fd, self.chunk)
            except BlockingIOError:
                self.stop.wait(0.001)

    def __enter__(self) -> Path:
        self.thread.start()
        return self.path

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.thread.join()
        os.close(self.fd)


# --- 3: every input is read with a bounded reader ------------------------------------


@pytest.mark.parametrize("command", [
    ("import", "/dev/zero", "--policy", "terms"),
    ("import", "/dev/urandom", "--policy", "terms"),
    ("diff", "/dev/zero", "SOURCE"),
    ("import", "SOURCE", "--policy", "terms", "--hints", "/dev/zero"),
])
def test_an_endless_device_is_refused_as_no_file(run_cli, tmp_path, command):
    source = write(tmp_path, "terms.md", SOURCE)
    args = [str(source) if a == "SOURCE" else a for a in command]
    device = next(a for a in args if a.startswith("/dev/"))
    line = refused(run_cli, *args, "--store", str(tmp_path / "store"), watch=tmp_path)
    assert line == f"policydocs: {device}: is a device, not a file; give the path of a file"


def test_import_from_an_endless_pipe_is_refused_at_the_source_size_limit(run_cli, tmp_path):
    sentence = b"We keep your data for thirty days and then delete it for good.\n"
    with EndlessPipe(tmp_path / "capture.txt", sentence * 1024) as pipe:
        line = refused(run_cli, "import", str(pipe), "--policy", "terms", "--effective", "2023",
                       "--store", str(tmp_path / "store"), watch=tmp_path,
                       env={"POLICYDOCS_MAX_SOURCE_BYTES": "100000"})
    assert "capture.txt: larger than any policy page (limit 98 kB, MAX_SOURCE_BYTES)" in line
    assert "POLICYDOCS_MAX_SOURCE_BYTES" in line


def test_diff_of_an_endless_pipe_is_refused_at_the_compare_limit(run_cli, tmp_path):
    source = write(tmp_path, "terms.md", SOURCE)
    with EndlessPipe(tmp_path / "endless.md", os.urandom(65536)) as pipe:
        line = refused(run_cli, "diff", str(pipe), str(source), watch=tmp_path)
    assert "endless.md: larger than 1 MB, the limit for a text to compare (MAX_COMPARE_BYTES" in line
    assert "split the document" in line


def test_a_bad_limit_setting_is_one_line(run_cli, tmp_path):
    source = write(tmp_path, "terms.md", SOURCE)
    line = refused(run_cli, "import", str(source), "--policy", "terms", "--store", str(tmp_path / "s"),
                   watch=tmp_path, env={"POLICYDOCS_MAX_SOURCE_BYTES": "8MB"})
    assert "POLICYDOCS_MAX_SOURCE_BYTES='8MB': not a whole number of bytes" in line


# --- 16: what is accepted for compare finishes in bounded time -------------------------


def test_diff_of_a_text_over_the_compare_limit_is_refused_with_how_to_split_it(run_cli, tmp_path):
    paragraph = "We keep your data for thirty days and then delete it for good. " * 16 + "\n\n"
    big = write(tmp_path, "big.md", "# Terms\n\n" + paragraph * (1024 * 1024 // len(paragraph) + 1))
    line = refused(run_cli, "diff", str(big), str(big), watch=tmp_path)
    assert "big.md: larger than 1 MB, the limit for a text to compare (MAX_COMPARE_BYTES" in line
    assert "split the document and compare the parts" in line


# --- 4 and 15: front matter that PyYAML would crash on, or read last-wins --------------


IMPOSSIBLE_DATE = VERSION.replace("effective: 2021-02-11", "effective: 2023-02-30")
DUPLICATE_KEY = VERSION.replace("date_basis: stated", "date_basis: stated\ntitle: Something else")


@pytest.mark.parametrize("text, problem", [
    (IMPOSSIBLE_DATE, "invalid YAML (line 3): '2023-02-30' is not a valid date (day is out of range for month)"),
    (DUPLICATE_KEY, "invalid YAML (line 5): key 'title' is given twice; keep one"),
])
def test_impossible_date_or_duplicate_key_in_front_matter_is_one_line_naming_it(
        run_cli, tmp_path, store, text, problem):
    source = write(tmp_path, "terms.md", text)
    assert refused(run_cli, "import", str(source), "--policy", "terms", "--store", str(store),
                   watch=tmp_path) == f"policydocs: {source}: {problem}"
    assert refused(run_cli, "diff", str(source), str(source), watch=tmp_path) == f"policydocs: {source}: {problem}"
    (store / "privacy" / "2021-02-11.md").write_text(text)
    assert check_problems(run_cli, store) == [f"store/privacy/2021-02-11.md: {problem}"]


def test_a_policy_declared_twice_in_the_registry_is_refused(run_cli, tmp_path, store):
    (store / "policies.yml").write_text(REGISTRY + "  privacy:\n    title: Other\n")
    line = refused(run_cli, "diff", "privacy", "privacy", "--store", str(store), watch=tmp_path)
    assert line == "policydocs: store/policies.yml: invalid YAML (line 4): key 'privacy' is given twice; keep one"


def test_registry_values_of_the_wrong_type_are_problems_not_crashes(run_cli, store):
    (store / "policies.yml").write_text("rules: [x]\npolicies:\n  2023: {title: Year}\n"
                                        "  privacy: {title: Privacy Policy, owner: [a], supersedes: [[b]]}\n")
    assert check_problems(run_cli, store) == [
        "store/policies.yml: 'rules' must be text",
        "store/policies.yml: invalid policy id 2023: use lower-case letters, digits and '-' only, "
        "starting with a letter or digit (no '/', '.' or '..')",
        "store/policies.yml: policy 'privacy': 'owner' must be text",
        "store/policies.yml: policy 'privacy': 'supersedes' must be a policy id or a list of them",
    ]


# --- 5 and 9: ids and dates ----------------------------------------------------------


@pytest.mark.parametrize("args, problem", [
    (("--policy", "terms\n"), "--policy: invalid policy id 'terms\\n'"),
    (("--policy", "a" * 300), "(300 characters): at most 100 (MAX_ID_CHARS"),
    (("--policy", "terms", "--effective", "٢٠٢٣-٠١-٠١"), "--effective: invalid date '٢٠٢٣-٠١-٠١'"),
])
def test_a_policy_id_or_date_that_only_looks_valid_is_refused(run_cli, tmp_path, args, problem):
    source = write(tmp_path, "terms.md", SOURCE.replace("Updated March 3, 2022\n\n", ""))
    line = refused(run_cli, "import", str(source), *args, "--store", str(tmp_path / "store"), watch=tmp_path)
    assert problem in line


def test_a_stored_date_in_arabic_indic_digits_is_reported(run_cli, store):
    (store / "privacy" / "2021-02-11.md").write_text(VERSION.replace("effective: 2021-02-11",
                                                                      "effective: '٢٠٢١-٠٢-١١'"))
    assert check_problems(run_cli, store) == [
        "store/privacy/2021-02-11.md: 'effective' '٢٠٢١-٠٢-١١' is not a valid ISO date"]


# --- 6: nesting is limited before any parser recurses ----------------------------------


def test_html_nested_100000_deep_is_refused_before_it_is_parsed(run_cli, tmp_path):
    html = ("<html><body><main><h1>Terms</h1>" + "<div>" * 100_000 + "<p>Updated March 3, 2022. "
            "We keep your data.</p>" + "</div>" * 100_000 + "</main></body></html>")
    line = refused(run_cli, "import", str(write(tmp_path, "deep.html", html)), "--policy", "terms",
                   "--store", str(tmp_path / "store"), watch=tmp_path)
    assert "deep.html: HTML elements nested more than 100 deep (line 1)" in line
    assert "MAX_HTML_DEPTH" in line


@pytest.mark.parametrize("nested", [
    ">" * 100_000 + " deep\n",                                           # block quotes
    "".join("  " * i + "- item\n" for i in range(40)),                   # list levels
    "*a " * 1000 + "x" + " a*" * 1000 + "\n",                             # emphasis
    "[" * 20_000 + "x](https://example.com)\n",                           # brackets
])
def test_markdown_nested_too_deep_is_refused_by_import_diff_and_check(run_cli, tmp_path, store, nested):
    text = SOURCE + "\n" + nested
    source = write(tmp_path, "deep.md", text)
    for command in (("import", str(source), "--policy", "terms", "--store", str(store)),
                    ("diff", str(source), str(source))):
        line = refused(run_cli, *command, watch=tmp_path)
        assert "deep.md: Markdown nested more than 32 levels deep (line " in line
        assert "MAX_MARKDOWN_DEPTH" in line
    (store / "privacy" / "2021-02-11.md").write_text(VERSION + "\n" + nested)
    [problem] = check_problems(run_cli, store)
    assert problem.startswith("store/privacy/2021-02-11.md: Markdown nested more than 32 levels deep")


# --- 9 and 10: folders and symbolic links in the store --------------------------------


def test_check_reports_a_version_path_that_is_a_folder(run_cli, store):
    (store / "privacy" / "2022-01-01.md").mkdir()
    assert check_problems(run_cli, store) == [
        "store/privacy/2022-01-01.md: is a folder; versions are files <version-id>.md"]


def test_check_reports_a_published_version_replaced_by_a_link_to_an_identical_file(run_cli, tmp_path, store):
    git = ["git", "-C", str(tmp_path), "-c", "user.name=t", "-c", "user.email=t@example.org"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "store"], check=True)
    subprocess.run([*git, "commit", "-qm", "published"], check=True)
    version = store / "privacy" / "2021-02-11.md"
    outside = write(tmp_path, "copy.md", version.read_bytes())
    version.unlink()
    version.symlink_to(outside)
    result = run_cli("check", "--store", str(store), timeout=TIMEOUT)
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    assert result.stdout.splitlines() == [
        "store/privacy/2021-02-11.md: is a symbolic link; the store holds only its own files and folders: "
        "replace the link with what it points to"]


@pytest.mark.parametrize("link", ["privacy/2021-02-11.md", "policies.yml", "privacy"])
def test_loading_refuses_a_link_out_of_the_store(run_cli, tmp_path, store, link):
    target = store / link
    moved = tmp_path / "elsewhere"
    target.rename(moved)
    target.symlink_to(moved if link != "privacy/2021-02-11.md" else Path("/etc/passwd"))
    line = refused(run_cli, "diff", "privacy", "privacy", "--store", str(store), watch=tmp_path)
    assert "is a symbolic link" in line and "root:" not in line


# --- 11: damaged UTF-8 in Markdown ---------------------------------------------------


@pytest.mark.parametrize("damage, offset", [(b"\xff\xfe\xc3\x28", 40), (b"\xc0\xaf", 40)])
def test_damaged_utf8_in_markdown_is_refused_with_its_byte_offset(run_cli, tmp_path, damage, offset):
    data = b"# Terms\n\nUpdated March 3, 2022\n\nWe keep " + damage + b" your data.\n"
    source = write(tmp_path, "terms.md", data)
    line = refused(run_cli, "import", str(source), "--policy", "terms", "--store", str(tmp_path / "store"),
                   watch=tmp_path)
    assert line == (f"policydocs: {source}: invalid UTF-8 at byte {offset} (Markdown is read as UTF-8 "
                    "only); re-save it as UTF-8")


# --- 12: written files follow the umask ------------------------------------------------


@pytest.mark.parametrize("mask, mode", [(0o022, 0o644), (0o027, 0o640)])
def test_imported_files_get_the_mode_the_umask_gives(run_cli, tmp_path, mask, mode):
    source = write(tmp_path, "terms.md", SOURCE)
    old = os.umask(mask)
    try:
        result = run_cli("import", str(source), "--policy", "terms", "--store", "store", timeout=TIMEOUT)
    finally:
        os.umask(old)
    assert result.returncode == 0, result.stderr
    for written in (tmp_path / "store" / "terms" / "2022-03-03.md", tmp_path / "store" / "policies.yml"):
        assert stat.S_IMODE(written.stat().st_mode) == mode, written


# --- 13: one line on stderr for usage errors and parser warnings -----------------------


@pytest.mark.parametrize("args, line", [
    (("diff", "--format", "xml", "a", "b"),
     "policydocs: diff: invalid value for '--format': 'xml' is not one of 'text', 'json', 'html', 'docx', 'pdf'; "
     "see 'policydocs diff --help'"),
    (("diff", "a"), "policydocs: diff: missing argument 'NEW'; see 'policydocs diff --help'"),
    (("cache", "clear", "--everything"),
     "policydocs: cache clear: no such option '--everything'; see 'policydocs cache clear --help'"),
])
def test_a_usage_error_is_one_line(run_cli, tmp_path, args, line):
    assert refused(run_cli, *args, watch=tmp_path) == line


def test_an_xml_looking_page_imports_without_parser_warnings(run_cli, tmp_path):
    page = ('<?xml version="1.0" encoding="utf-8"?>\n<document><main><h1>Terms</h1>'
            "<p>Updated March 3, 2022</p><p>We keep your data for 30 days.</p></main></document>\n")
    source = write(tmp_path, "terms.html", page)
    result = run_cli("import", str(source), "--policy", "terms", "--store", "store", timeout=TIMEOUT)
    assert result.returncode == 0 and result.stderr == "", result.stderr
    assert (tmp_path / "store" / "terms" / "2022-03-03.md").exists()


# --- 14: a bare policy id is its newest version ----------------------------------------


def test_diff_of_bare_policy_ids_compares_their_newest_versions(run_cli):
    result = run_cli("diff", "privacy-policy", "api-data-privacy", "--store", str(STORE), timeout=TIMEOUT)
    assert result.returncode == 1, result.stderr
    assert result.stdout.startswith("--- privacy-policy@2021-02-11\n+++ api-data-privacy@2023-07-21\n")


def test_diff_of_a_name_that_is_no_file_nor_policy_says_both(run_cli, tmp_path, store):
    line = refused(run_cli, "diff", "privacy", "cookies", "--store", str(store), watch=tmp_path)
    assert line == f"policydocs: cookies: no such file, nor a policy in {store}/policies.yml (known: privacy)"
