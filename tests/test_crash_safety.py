"""Killed at any instant, each writing command leaves a valid store, and the same
command run again gives what an uninterrupted run gives, byte for byte
(docs/store.md, "Crash safety").

The kill loop runs the real CLI in a subprocess with POLICYDOCS_TEST_KILL_AT_STEP=N
for N = 1, 2, ... until a run finishes: the process SIGKILLs itself right after its
Nth file-system step (`policydocs.crashsafe.step_done`), so every step of the
command is a kill point. A few more runs are killed from outside, after delays
drawn from a seeded RNG over the command's measured duration, wherever they are.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import ROOT, STORE, GitRepo, seed, snapshot
from policydocs.cli import main
from policydocs.crashsafe import KILL_AT_STEP_ENV, is_temp_name
from policydocs.store import load_store

RANDOM_KILLS = 2  # per command, on top of every deterministic kill point
TODAY_EPOCH = "1767225600"  # 2026-01-01: the same "today" for every run of a command
HINTS = ROOT / "sources" / "hints"


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", TODAY_EPOCH)


def run_in_process(*args: str):
    return CliRunner().invoke(main, list(args))


def argv(args: tuple[str, ...], work: Path) -> list[str]:
    """The command's arguments in one work folder (``{work}`` stands for it)."""
    return [arg.replace("{work}", str(work)) for arg in args]


def start_cli(args: tuple[str, ...], work: Path, env: dict[str, str] | None = None) -> subprocess.Popen:
    full_env = dict(os.environ, PYTHONPATH=str(ROOT / "src"), **(env or {}))
    return subprocess.Popen([sys.executable, "-m", "policydocs", *argv(args, work)], env=full_env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


PRIVACY = "# Privacy Policy\n\nEffective: 1 {month} 2024\n\nWe keep your data for {days} days.\n"
TERMS = "# Terms of Service\n\nUpdated: {day} 2024\n\nBe {how}.\n"
COOKIES = "# Cookie Policy\n\nWe set three cookies.\n"


@pytest.fixture(scope="module")
def history(tmp_path_factory) -> Path:
    """Three policy files, five versions: a same-day fold, a rename, a commit touching two."""
    repo = GitRepo(tmp_path_factory.mktemp("history") / "repo")
    repo.commit("2024-01-10T09:00:00Z", {"Acme/Privacy.md": PRIVACY.format(month="January", days=30),
                                        "Acme/Terms.md": TERMS.format(day="10 January", how="nice")})
    repo.commit("2024-02-01T08:00:00Z", {"Acme/Privacy.md": PRIVACY.format(month="February", days=60)})
    repo.commit("2024-02-01T17:00:00Z", {"Acme/Privacy.md": PRIVACY.format(month="February", days=90)})
    repo.rename("2024-03-01T09:00:00Z", "Acme/Terms.md", "Acme/Legal/Terms.md")
    repo.commit("2024-05-01T09:00:00Z", {"Acme/Cookies.md": COOKIES,
                                        "Acme/Legal/Terms.md": TERMS.format(day="1 May", how="fair")})
    return repo.path


# --- what the kill points rely on ------------------------------------------------------


def seed_store_with_debris(tmp_path: Path) -> Path:
    """The seed store as a killed command leaves it: temporary files, an empty folder."""
    store = tmp_path / "pv"
    shutil.copytree(STORE, store)
    (store / ".policies.yml.k1ll3d_x.tmp").write_text("policies: {half")
    (store / "privacy-policy" / ".2024-01-01.md.abcd1234.tmp").write_text("---\ntitle: half")
    (store / "cookie-policy").mkdir()  # made, not yet declared
    return store


def test_what_a_killed_command_leaves_is_a_valid_store_that_check_accepts(tmp_path):
    store = seed_store_with_debris(tmp_path)
    assert load_store(store)[1] == []
    check = run_in_process("check", "--no-git", "--store", str(store))
    assert check.exit_code == 0 and ".tmp" not in check.output and "cookie-policy" not in check.output


def test_declared_policy_with_an_empty_folder_is_valid_and_has_no_versions(tmp_path):
    store = tmp_path / "pv"
    shutil.copytree(STORE, store)
    registry = (store / "policies.yml").read_text()
    (store / "policies.yml").write_text(registry.replace("policies:\n", "policies:\n  cookies:\n"
                                                                       "    title: Cookie Policy\n"))
    (store / "cookies").mkdir()
    loaded, problems = load_store(store)
    assert problems == [] and loaded.policy("cookies").versions == ()
    assert run_in_process("check", "--no-git", "--store", str(store)).exit_code == 0


def test_folder_holding_nothing_yet_is_no_store_as_a_missing_one_is(tmp_path):
    (tmp_path / "pv" / "privacy").mkdir(parents=True)
    (tmp_path / "pv" / ".policies.yml.abcd1234.tmp").write_text("")
    check = run_in_process("check", "--no-git", "--store", str(tmp_path / "pv"))
    assert check.exit_code == 2 and "no policy store here" in check.output
    (tmp_path / "pv" / "privacy" / "2024.md").write_text("---\ntitle: T\n---\n")
    check = run_in_process("check", "--no-git", "--store", str(tmp_path / "pv"))
    assert check.exit_code == 2 and "policies.yml: missing" in check.output


def test_next_import_removes_the_temp_files_a_killed_one_left(tmp_path):
    store = seed_store_with_debris(tmp_path)
    (store / "privacy-policy" / ".keep").write_text("")  # a dot-file of the user's stays
    again = run_in_process("import", str(seed("000")), "--policy", "privacy-policy", "--store", str(store))
    assert again.exit_code == 0 and "nothing written" in again.output
    left = {p.name for p in store.rglob(".*")}
    assert left == {".keep"}


def test_changelog_removes_only_its_own_temp_files(tmp_path):
    store = tmp_path / "pv"
    shutil.copytree(STORE, store)
    (tmp_path / ".CHANGELOG.md.abcd1234.tmp").write_text("half")
    (tmp_path / ".notes.md.abcd1234.tmp").write_text("another program's")
    out = tmp_path / "CHANGELOG.md"
    assert run_in_process("changelog", "--store", str(store), "--out", str(out)).exit_code == 0
    left = sorted(p.name for p in tmp_path.glob(".*") if p.name != ".cache")  # the comparison cache
    assert left == [".notes.md.abcd1234.tmp"]
    assert out.read_text().startswith("# Changelog")


def test_import_git_completes_a_store_that_an_older_policydocs_left_half_imported(history, tmp_path):
    """Issue #14: policies.yml declares every policy, some have no folder, a temp file is left."""
    whole = tmp_path / "whole"
    assert run_in_process("import-git", str(history), "--store", str(whole)).exit_code == 0
    half = tmp_path / "half"
    (half / "privacy").mkdir(parents=True)
    shutil.copy(whole / "policies.yml", half / "policies.yml")
    shutil.copy(whole / "privacy" / "2024-01-10.md", half / "privacy")
    (half / ".policies.yml.abcd1234.tmp").write_text("policies:")
    rerun = run_in_process("import-git", str(history), "--store", str(half))
    assert rerun.exit_code == 0, rerun.output
    assert snapshot(half) == snapshot(whole)


def test_two_imports_at_once_both_land_in_policies_yml(tmp_path):
    store = tmp_path / "pv"
    assert run_in_process("import", str(seed("001")), "--policy", "privacy-policy",
                          "--store", str(store)).exit_code == 0
    imports = [("import", str(seed("003")), "--policy", "api-data-privacy", "--store", "{work}/pv",
                "--hints", str(HINTS / f"{seed('003').stem}.yml")),
               ("import", str(seed("004")), "--policy", "security", "--effective", "2023",
                "--store", "{work}/pv", "--hints", str(HINTS / f"{seed('004').stem}.yml"))]
    processes = [start_cli(args, tmp_path) for args in imports]
    assert [p.communicate()[1] for p in processes] == ["", ""]
    assert [p.returncode for p in processes] == [0, 0]
    assert sorted(load_store(store)[0].policies) == ["api-data-privacy", "privacy-policy", "security"]


def test_new_names_are_synced_and_new_folders_are_durable_before_policies_yml_declares_them(
        history, tmp_path, monkeypatch):
    events: list[tuple[str, Path]] = []

    def recording(real, kind: str, which: int):
        def call(*args, **kwargs):
            result = real(*args, **kwargs)
            events.append((kind, Path(args[which]).resolve()))
            return result
        return call

    real_fsync = os.fsync

    def fsync(fd: int) -> None:
        real_fsync(fd)
        target = Path(os.readlink(f"/proc/self/fd/{fd}"))
        if target.is_dir():
            events.append(("sync", target.resolve()))

    monkeypatch.setattr(os, "replace", recording(os.replace, "name", 1))
    monkeypatch.setattr(os, "link", recording(os.link, "name", 1))
    monkeypatch.setattr(os, "mkdir", recording(os.mkdir, "name", 0))
    monkeypatch.setattr(os, "fsync", fsync)
    store = tmp_path / "pv"
    assert run_in_process("import-git", str(history), "--store", str(store)).exit_code == 0
    names = [(i, path) for i, (kind, path) in enumerate(events) if kind == "name"]
    assert len(names) == 1 + 3 + 1 + 5  # the store, three policy folders, policies.yml, five versions
    for i, path in names:
        assert ("sync", path.parent) in events[i + 1:], f"{path}: its folder is never synced"
    registry_at = events.index(("name", (store / "policies.yml").resolve()))
    for i, path in names:
        if path.parent == store.resolve() and i < registry_at:
            assert ("sync", store.resolve()) in events[i + 1:registry_at], path


# --- the kill loop ---------------------------------------------------------------------


def state(folder: Path) -> dict[str, bytes]:
    """`snapshot` without the comparison cache: derived data that is never trusted as it
    is (test_cache_trust.py), made with a random key, so any state of it is valid."""
    return {path: data for path, data in snapshot(folder).items() if not path.startswith(".cache/")}


def fresh_work(template: Path, work: Path) -> Path:
    shutil.copytree(template, work)
    return work


def assert_valid_after_kill(work: Path, store_existed: bool, before: dict[str, bytes],
                            after: dict[str, bytes], store_name: str = "pv") -> None:
    """Each file is as before or as the finished command leaves it (temporary files
    aside), and the store is valid — or, when the command was creating it, still no store."""
    now = {path: data for path, data in state(work).items() if not is_temp_name(Path(path).name)}
    for path in set(now) | set(before):
        if now.get(path) != before.get(path):
            assert now.get(path) == after.get(path), f"{path}: neither as before nor as after"
    store = work / store_name
    check = run_in_process("check", "--no-git", "--store", str(store))
    if store_existed or check.exit_code == 0:
        assert check.exit_code == 0, check.output
        assert load_store(store)[1] == []
    else:
        assert check.exit_code == 2 and "no policy store here" in check.output, check.output


def assert_rerun_completes(args: tuple[str, ...], work: Path, after: dict[str, bytes]) -> None:
    rerun = run_in_process(*argv(args, work))
    assert rerun.exit_code == 0, rerun.output
    assert state(work) == after  # temporary files included: none may be left


def kill_loop(args: tuple[str, ...], template: Path, runs: Path, store_name: str = "pv") -> int:
    """Kill the command after each of its steps, then at random instants; check each
    state and its rerun. The number of steps (deterministic kill points)."""
    before = state(template)
    store_existed = (template / store_name).exists()
    started = time.monotonic()
    reference = start_cli(args, fresh_work(template, runs / "reference"))
    assert reference.wait() == 0, reference.communicate()[1]
    duration = time.monotonic() - started
    after = state(runs / "reference")
    assert after != before

    def assert_recovers(work: Path) -> None:
        assert_valid_after_kill(work, store_existed, before, after, store_name)
        assert_rerun_completes(args, work, after)

    steps = 0
    while True:
        work = fresh_work(template, runs / f"step-{steps + 1}")
        process = start_cli(args, work, {KILL_AT_STEP_ENV: str(steps + 1)})
        stderr = process.communicate()[1]
        if process.returncode == 0:  # the command has no such step: each one was a kill point
            assert state(work) == after
            break
        assert process.returncode == -signal.SIGKILL, stderr
        steps += 1
        assert_recovers(work)
    rng = random.Random(14)
    for n in range(RANDOM_KILLS):
        work = fresh_work(template, runs / f"random-{n}")
        process = start_cli(args, work)
        time.sleep(rng.uniform(0, duration))
        process.kill()
        process.communicate()
        assert_recovers(work)
    return steps


def template_with(tmp_path: Path, store: Path | None) -> Path:
    """The work folder every run starts from: ``pv/`` a copy of ``store``, or no store."""
    template = tmp_path / "template"
    template.mkdir()
    if store is not None:
        shutil.copytree(store, template / "pv")
    return template


@pytest.mark.parametrize("existing", [False, True], ids=["new-store", "seed-store"])
def test_import_git_killed_at_any_step_leaves_a_valid_store_that_a_rerun_completes(
        existing, history, tmp_path, record_property):
    template = template_with(tmp_path, STORE if existing else None)
    args = ("import-git", str(history), "--store", "{work}/pv")
    kill_points = kill_loop(args, template, tmp_path / "runs")
    assert kill_points >= 3 * 5  # five versions, each a temp file written, linked, unlinked
    record_property("kill_points", kill_points)


def test_import_of_a_new_policy_killed_at_any_step_leaves_a_valid_store_that_a_rerun_completes(
        tmp_path, record_property):
    template = template_with(tmp_path, None)
    first = run_in_process("import", str(seed("001")), "--policy", "privacy-policy", "--owner", "OpenAI",
                           "--store", str(template / "pv"))
    assert first.exit_code == 0, first.output
    args = ("import", str(seed("003")), "--policy", "api-data-privacy", "--owner", "OpenAI",
            "--url", "https://openai.com/api-data-privacy", "--supersedes", "privacy-policy",
            "--hints", str(HINTS / f"{seed('003').stem}.yml"), "--store", "{work}/pv")
    kill_points = kill_loop(args, template, tmp_path / "runs")
    assert kill_points >= 1 + 2 + 3  # the folder, policies.yml, the version
    record_property("kill_points", kill_points)


def test_import_into_no_store_killed_at_any_step_leaves_no_store_or_a_valid_one(tmp_path, record_property):
    template = template_with(tmp_path, None)
    args = ("import", str(seed("001")), "--policy", "privacy-policy", "--store", "{work}/pv")
    kill_points = kill_loop(args, template, tmp_path / "runs")
    assert kill_points >= 2 + 2 + 3  # the store and policy folders, policies.yml, the version
    record_property("kill_points", kill_points)


def test_changelog_killed_at_any_step_leaves_the_old_file_or_the_new_one(tmp_path, record_property):
    template = template_with(tmp_path, STORE)
    (template / "CHANGELOG.md").write_text("# Changelog\n\nstale\n")
    args = ("changelog", "--store", "{work}/pv", "--out", "{work}/CHANGELOG.md")
    kill_points = kill_loop(args, template, tmp_path / "runs")
    assert kill_points >= 2  # the temp file written, renamed over the old file
    record_property("kill_points", kill_points)


def test_init_killed_at_any_step_leaves_no_store_or_a_whole_one_and_a_rerun_completes(
        tmp_path, record_property):
    template = template_with(tmp_path, None)
    args = ("init", "{work}", "--site-name", "Acme policies")
    kill_points = kill_loop(args, template, tmp_path / "runs", store_name="policy_versions")
    assert kill_points >= 4 * 2  # four files, each a temp file written then linked into place
    record_property("kill_points", kill_points)
