"""The comparison cache is never trusted blindly: every kind of damage is a miss,
reported once, and a damaged cache neither fails a strict build nor changes its output."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from conftest import snapshot
from policydocs.cache import ComparisonCache
from sitekit import mkdocs_build, write_site_project, write_store
from test_cache_comparisons import real_edit

INJECTED = '<script>document.title="PWNED"</script><img src=x onerror="document.title=\'PWNED\'">'


def _one_entry(tmp_path: Path) -> tuple[ComparisonCache, Path, object]:
    _old, _new, comparison = real_edit()
    cache = ComparisonCache(tmp_path / "cache")
    cache.put(comparison, "r")
    (entry,) = (tmp_path / "cache").rglob("*.json")
    return cache, entry, comparison


def _fresh_get(folder: Path, comparison) -> tuple[object, ComparisonCache]:
    cache = ComparisonCache(folder)  # a new build: nothing remembered
    return cache.get(comparison.old_sha256, comparison.new_sha256, "r"), cache


@pytest.mark.parametrize("damage", [
    pytest.param(lambda p: p.write_bytes(b""), id="emptied"),
    pytest.param(lambda p: p.write_text("null"), id="null"),
    pytest.param(lambda p: p.write_bytes(p.read_bytes()[: len(p.read_bytes()) // 2]), id="truncated"),
    pytest.param(lambda p: p.write_bytes(p.read_bytes().split(b"\n", 1)[1]), id="header-stripped"),
    pytest.param(lambda p: p.write_bytes(p.read_bytes().replace(b"90 days", b"10 days")), id="payload-edited"),
    pytest.param(lambda p: (p.unlink(), p.mkdir()), id="folder-in-its-place"),
])
def test_a_damaged_comparison_entry_is_a_reported_miss(tmp_path: Path, damage) -> None:
    _cache, entry, comparison = _one_entry(tmp_path)
    damage(entry)
    got, cache = _fresh_get(tmp_path / "cache", comparison)
    assert got is None
    assert (cache.hits, cache.misses, cache.damaged) == (0, 1, 1)
    report = cache.report()
    assert report is not None and "\n" not in report and "1 damaged entry ignored" in report


def test_a_valid_looking_entry_signed_with_another_key_is_not_trusted(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("POLICYDOCS_CACHE_KEY", "an attacker's key " * 3)
    _cache, _entry, comparison = _one_entry(tmp_path)
    monkeypatch.setenv("POLICYDOCS_CACHE_KEY", "the build's own key " * 3)
    got, cache = _fresh_get(tmp_path / "cache", comparison)
    assert got is None and cache.damaged == 1


def test_an_entry_copied_into_another_pairs_place_is_not_served(tmp_path: Path) -> None:
    cache, entry, comparison = _one_entry(tmp_path)
    _o, _n, other = real_edit(1)
    cache.put(other, "r")
    other_entry = next(p for p in (tmp_path / "cache").rglob("*.json") if p != entry)
    other_entry.write_bytes(entry.read_bytes())  # a genuine, signed entry for the wrong pair
    got = ComparisonCache(tmp_path / "cache").get(other.old_sha256, other.new_sha256, "r")
    assert got is None


def test_a_file_where_a_shard_folder_goes_is_neither_read_nor_a_crash(tmp_path: Path) -> None:
    cache, entry, comparison = _one_entry(tmp_path)
    shard = entry.parent
    for p in shard.iterdir():
        p.unlink()
    shard.rmdir()
    shard.write_text("not a folder")
    fresh = ComparisonCache(tmp_path / "cache")
    assert fresh.get(comparison.old_sha256, comparison.new_sha256, "r") is None
    fresh.put(comparison, "r")  # cannot land: counted, not raised
    assert fresh.unwritable == 1 and "could not be written" in fresh.report()
    assert fresh.stats().entries == 0


def test_html_written_into_a_rendered_text_entry_is_never_served(tmp_path: Path) -> None:
    cache = ComparisonCache(tmp_path / "cache")
    key = "ab" * 32
    cache.put_text(key, "<p>the redline</p>")
    (entry,) = (tmp_path / "cache").rglob("*.html")
    header, _, _ = entry.read_bytes().partition(b"\n")
    entry.write_bytes(header + b"\n" + INJECTED.encode())  # the header kept, the text replaced
    fresh = ComparisonCache(tmp_path / "cache")
    assert fresh.get_text(key) is None and fresh.damaged == 1


def test_a_damaged_cache_neither_fails_a_strict_build_nor_changes_a_byte(tmp_path: Path) -> None:
    project = write_site_project(tmp_path / "project", write_store(tmp_path / "store", moved=True))
    env = {"POLICYDOCS_CACHE_DIR": str(project / ".cache")}
    mkdocs_build(project, "site-clean", env=env)
    clean = snapshot(project / "site-clean")
    entries = sorted((project / ".cache").rglob("*.json")) + sorted((project / ".cache").rglob("*.html"))
    assert len(entries) > 4
    for n, entry in enumerate(entries):
        header = entry.read_bytes().partition(b"\n")[0]
        kind = n % 4
        if kind == 0:
            entry.write_bytes(b"")
        elif kind == 1:
            entry.write_bytes(header + b"\nnull")
        elif kind == 2:
            entry.write_bytes(header + b"\n" + INJECTED.encode())
        else:
            entry.unlink()
            entry.mkdir()
    result = mkdocs_build(project, "site-damaged", env=env)
    assert "WARNING" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if "ignored and recomputed" in line]
    assert len(lines) == 1 and re.search(r"\d+ damaged entries ignored and recomputed", lines[0])
    assert snapshot(project / "site-damaged") == clean
    assert not any("PWNED" in p.read_text(encoding="utf-8", errors="replace")
                   for p in (project / "site-damaged").rglob("*.html"))
    assert json.loads((project / "site-damaged" / "api" / "policies.json").read_text())["policies"]
