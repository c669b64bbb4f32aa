"""The comparison cache: exact round trips, keys, bounds, concurrency, the CLI."""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import subprocess
from pathlib import Path

from conftest import ROOT, seed
from policydocs.cache import ComparisonCache, comparison_from_dict, comparison_to_dict
from policydocs.compare import ENGINE_VERSION, Change, Comparison, Reason, Segment, Stats
from policydocs.comparisons import compare_versions
from policydocs.materiality import RuleSet
from policydocs.store import Version


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def real_edit(n: int = 0) -> tuple[str, str, Comparison]:
    """A real policy text, the same with one retention period changed, and their comparison."""
    old = seed("001").read_text(encoding="utf-8")[:4000] + f"\nRevision {n}.\n"
    head, tail = old[:2000], old[2000:]
    new = head + "We keep it for 90 days. " + tail
    change = Change(id="c1", type="insert", kind="content", section=("Privacy", "Retention"),
                    old_text="", new_text="We keep it for 90 days. ", material=True,
                    reasons=(Reason("data-retention", "a retention period was added"),),
                    old_section=("Privacy",), new_context="We keep it for 90 days.")
    comparison = Comparison(
        old_sha256=sha(old), new_sha256=sha(new), changes=(change,),
        segments=(Segment("equal", head), Segment("insert", "We keep it for 90 days. ", change="c1"),
                  Segment("equal", tail)),
        stats=Stats(old_words=len(old.split()), new_words=len(new.split()), inserted_words=6,
                    changes=1, material_changes=1),
        material=True, verdict_basis="rules", notes=("size cap: none",),
    )
    return old, new, comparison


def version(body: str, version_id: str) -> Version:
    return Version(policy_id="privacy", version_id=version_id, title="Privacy", effective=version_id,
                   date_basis="stated", body=body)


def test_cached_comparison_reads_back_exactly_and_still_rebuilds_both_texts(tmp_path):
    old, new, comparison = real_edit()
    cache = ComparisonCache(tmp_path / "cache")
    cache.put(comparison, "rules-1")
    back = cache.get(comparison.old_sha256, comparison.new_sha256, "rules-1")
    assert back == comparison
    assert "".join(s.text for s in back.segments if s.op != "insert") == old
    assert "".join(s.text for s in back.segments if s.op != "delete") == new
    assert comparison_from_dict(comparison_to_dict(comparison)) == comparison
    assert (cache.hits, cache.misses) == (1, 0)


def test_other_rules_or_engine_version_miss(tmp_path):
    _old, _new, comparison = real_edit()
    cache = ComparisonCache(tmp_path / "cache")
    cache.put(comparison, "rules-1")
    assert cache.get(comparison.old_sha256, comparison.new_sha256, "rules-2") is None
    assert cache.get(comparison.old_sha256, comparison.new_sha256, "rules-1", ENGINE_VERSION + "x") is None
    assert cache.get(comparison.new_sha256, comparison.old_sha256, "rules-1") is None
    assert cache.misses == 3


def test_compare_versions_serves_a_cached_pair_without_running_the_engine(tmp_path):
    old, new, comparison = real_edit()
    cache = ComparisonCache(tmp_path / "cache")
    cache.put(comparison, RuleSet().digest)
    result = compare_versions(version(old, "2024-01-01"), version(new, "2024-02-01"), RuleSet(), cache=cache)
    assert result.changes[0].new_text == "We keep it for 90 days. "
    assert (cache.hits, cache.misses) == (1, 0)


def test_corrupt_entry_is_a_miss_not_a_crash(tmp_path):
    _old, _new, comparison = real_edit()
    cache = ComparisonCache(tmp_path / "cache")
    cache.put(comparison, "r")
    (entry,) = (tmp_path / "cache").rglob("*.json")
    entry.write_text('{"old_sha256": "trunc')
    assert cache.get(comparison.old_sha256, comparison.new_sha256, "r") is None


def test_cache_stays_under_its_bound_and_keeps_recently_used_entries(tmp_path):
    folder = tmp_path / "cache"
    _o, _n, first = real_edit(0)
    size = len(comparison_to_dict(first).__repr__())  # about one entry's size
    cache = ComparisonCache(folder, max_bytes=size * 5)
    cache.put(first, "r")
    kept = []
    for n in range(1, 30):
        _o, _n, comparison = real_edit(n)
        cache.put(comparison, "r")
        assert cache.get(first.old_sha256, first.new_sha256, "r") is not None  # used: stays
        kept.append(comparison)
    on_disk = sum(p.stat().st_size for p in folder.rglob("*.json"))
    assert on_disk <= size * 5
    assert cache.get(kept[-1].old_sha256, kept[-1].new_sha256, "r") is not None
    assert cache.get(kept[0].old_sha256, kept[0].new_sha256, "r") is None  # oldest went


def _hammer(folder: str, rounds: int) -> int:
    """Write and read the same entries as another process does; count torn reads."""
    cache = ComparisonCache(Path(folder))
    bad = 0
    for n in range(rounds):
        _o, _n, comparison = real_edit(n % 3)
        cache.put(comparison, "r")
        got = cache.get(comparison.old_sha256, comparison.new_sha256, "r")
        bad += got != comparison
    return bad


def test_concurrent_builds_never_see_a_torn_entry(tmp_path):
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(2) as pool:
        torn = pool.starmap(_hammer, [(str(tmp_path / "cache"), 60)] * 2)
    assert torn == [0, 0]
    assert not list((tmp_path / "cache").rglob("*.tmp"))


def test_cache_stats_and_clear_commands(tmp_path, run_cli):
    folder = tmp_path / "cache"
    cache = ComparisonCache(folder)
    for n in range(3):
        cache.put(real_edit(n)[2], "r")
    (folder / "notes.txt").write_text("not ours")
    env = {"POLICYDOCS_CACHE_DIR": str(folder)}
    stats = run_cli("cache", "stats", env=env)
    assert stats.returncode == 0 and "3 comparisons" in stats.stdout
    cleared = run_cli("cache", "clear", env=env)
    assert cleared.returncode == 0 and "removed 3" in cleared.stdout
    assert not list(folder.rglob("*.json"))
    assert (folder / "notes.txt").read_text() == "not ours"  # only cache entries are removed
    assert "0 comparisons" in run_cli("cache", "stats", env=env).stdout


def test_default_cache_folder_is_ignored_by_git(tmp_path):
    probe = ".cache/policydocs/ab/" + "ab" * 32 + ".json"
    result = subprocess.run(["git", "check-ignore", "-q", probe], cwd=ROOT)
    assert result.returncode == 0, "the comparison cache must not be committed"
    env_dir = ComparisonCache().folder
    assert env_dir == Path(os.environ.get("POLICYDOCS_CACHE_DIR") or Path.cwd() / ".cache/policydocs")


def test_second_comparison_of_the_same_texts_is_read_from_disk_by_another_process(tmp_path):
    old = seed("001").read_text(encoding="utf-8")
    new = old.replace("30 days", "90 days", 1) + "\nWe may share data with partners.\n"
    folder = tmp_path / "cache"
    first_cache = ComparisonCache(folder)
    first = compare_versions(version(old, "2024-01-01"), version(new, "2024-02-01"), RuleSet(),
                             cache=first_cache)
    assert (first_cache.hits, first_cache.misses) == (0, 1)
    later_cache = ComparisonCache(folder)  # a new build: nothing in memory
    again = compare_versions(version(old, "2024-01-01"), version(new, "2024-02-01"), RuleSet(),
                             cache=later_cache)
    assert (later_cache.hits, later_cache.misses) == (1, 0)
    assert again == first and again.changes


def test_changes_sharing_one_long_block_store_it_once_and_read_back_exactly(tmp_path):
    from policydocs.compare import compare

    block = seed("001").read_text(encoding="utf-8")[:6000].replace("\n\n", " ")
    words = block.split(" ")
    edited = " ".join(w.upper() if i % 20 == 0 else w for i, w in enumerate(words))
    comparison = compare(block, edited)
    assert len(comparison.changes) > 10
    cache = ComparisonCache(tmp_path / "cache")
    cache.put(comparison, "rules-1")
    (entry,) = (tmp_path / "cache").rglob("*.json")
    repeated = sum(len(c.old_context) + len(c.new_context) for c in comparison.changes)
    assert entry.stat().st_size < repeated / 4  # each block once, not once per change
    assert cache.get(comparison.old_sha256, comparison.new_sha256, "rules-1") == comparison


def test_cli_commands_share_one_on_disk_cache(tmp_path, run_cli):
    import shutil

    store = tmp_path / "policy_versions"
    shutil.copytree(ROOT / "policy_versions", store)
    folder = tmp_path / ".cache" / "policydocs"  # the project's cache, beside the store
    assert run_cli("changelog", "--store", str(store), "--out", "-").returncode == 0
    filled = sorted(p.name for p in folder.rglob("*.json"))
    assert filled, "changelog wrote no comparison to the cache"
    for args in (("check", "--no-git"), ("notice", "api-data-privacy@2023-07-21"),
                 ("diff", "privacy-policy@2021-02-11", "api-data-privacy@2023-07-21")):
        assert run_cli(*args, "--store", str(store)).returncode in (0, 1)
    assert sorted(p.name for p in folder.rglob("*.json")) == filled  # read back, not computed again


def test_entries_are_written_without_an_fsync_each_and_synced_once_per_folder_per_batch(tmp_path, monkeypatch):
    synced_files: list[int] = []
    monkeypatch.setattr(os, "fsync", lambda fd: synced_files.append(fd))
    cache = ComparisonCache(tmp_path / "cache")
    _, _, comparison = real_edit()
    for n in range(5):
        cache.put(comparison, f"rules-{n}")
    assert synced_files == []  # write + rename only
    folders = {p.parent for p in (tmp_path / "cache").rglob("*.json")}
    assert cache.sync() == len(folders) and len(synced_files) == len(folders)
    assert cache.sync() == 0  # nothing written since
    assert cache.get(comparison.old_sha256, comparison.new_sha256, "rules-3") == comparison
