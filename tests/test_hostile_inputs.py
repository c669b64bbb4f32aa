"""Hostile inputs (issue #14): each is refused while it is read, with one line on
stderr naming the file, the problem and the limit, exit 2 and nothing written —
never a traceback, a hang or a crash. Every input is made here, in the test."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from conftest import snapshot

TIMEOUT = 60  # a regression fails instead of hanging
SOURCE = "# Terms\n\nUpdated March 3, 2022\n\nWe keep your data for 30 days. You may ask us to delete it.\n"


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
     "policydocs: diff: invalid value for '--format': 'xml' is not one of 'text', 'json', 'html'; "
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
