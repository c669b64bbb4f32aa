"""Import versions from a git history: one version per commit that changed a policy file.

The history is read in ONE batched walk (``git log --raw -M -z``) and the blobs
through git's persistent ``cat-file --batch`` process, never one git call per
commit or file, so a history of thousands of commits imports in seconds.

The date rules (docs/import-git.md):

- A version's id and ``effective`` are the **commit date** (UTC), with
  ``date_basis: observed``: a commit says when a text was seen, not when it
  took legal effect. A date the text itself states ("Effective: 1 May 2025",
  "Last updated ...") is recorded as ``stated_date``; legal dates come from the
  text, never from commit times. A commit that leaves the stated date unchanged
  is an editorial revision: it is still a new version, identified by when it
  was published (its commit date).
- One version per policy per day: the last commit of a UTC day wins and the
  version's ``summary`` names the commits it folded. ``keep_all`` makes
  time-precise versions (``YYYY-MM-DDTHHMMSSZ``) instead.
- A policy's id is the slug of the file's *first* name in the history (renames
  are followed, so a renamed file stays one policy and later renames never
  change an existing id), unless ``--map`` gives one.

Nothing is written until the whole history has been read and checked, so bad
input (not a repo, a shallow clone, a binary or missing blob) leaves the store
untouched. The writes follow the store's crash-safe order (`add_to_store`), so a
killed import leaves a valid store that the same command, run again, completes.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from policydocs.crashsafe import WriteLock
from policydocs.errors import UserError
from policydocs.ingest.dates import find_stated_date
from policydocs.limits import MAX_SOURCE_BYTES, SOURCE_TOO_LARGE
from policydocs.store import (
    Source,
    Version,
    add_to_store,
    check_body,
    check_policy_id,
    load_store,
    missing_folder_problem,
    read_registry,
    store_lock,
    version_sort_key,
    with_policy,
)

DEFAULT_GLOBS = ("*.md",)
from policydocs.progress import ProgressCallback as Progress  # noqa: E402


# --- the history walk ----------------------------------------------------------------


@dataclass(frozen=True)
class FileChange:
    """One file a commit added, modified, renamed or deleted."""

    status: str  # A | M | R | D | T (C is treated as A of the new path)
    path: str
    old_path: str | None = None  # for renames
    blob: str | None = None  # the new blob's sha (None for deletions)


@dataclass(frozen=True)
class Commit:
    sha: str
    when: dt.datetime  # committer date, UTC
    changes: tuple[FileChange, ...]


def open_repo(repo_path: Path):
    """The repository at ``repo_path``, refusing what cannot give a full history."""
    import git

    where = str(repo_path)
    if not Path(repo_path).exists():
        raise UserError(f"{where}: no such folder; give the path of a git repository")
    try:
        repo = git.Repo(repo_path)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        raise UserError(f"{where}: not a git repository (no .git folder); give a clone's path") from None
    if repo.bare:
        raise UserError(f"{where}: is a bare repository; clone it first "
                        f"(git clone {where} CLONE) and import from the clone")
    if repo.git.rev_parse("--is-shallow-repository").strip() == "true":
        raise UserError(f"{where}: is a shallow clone, its history is cut; "
                        "run 'git fetch --unshallow' there, then import again")
    try:
        repo.head.commit
    except ValueError:
        raise UserError(f"{where}: has no commits (empty history); nothing to import") from None
    return repo


def walk_history(repo) -> list[Commit]:
    """Every first-parent commit, oldest first, with the files it changed (one git call)."""
    out = repo.git.log("--reverse", "--first-parent", "--diff-merges=first-parent", "--raw",
                       "-M", "--no-abbrev", "-z", "--format=%x1e%H %ct",
                       strip_newline_in_stdout=False)
    commits = []
    for record in out.split("\x1e")[1:]:
        header, _, rest = record.partition("\0")
        sha, ctime = header.split()
        tokens = rest.lstrip("\n").split("\0")
        changes, i = [], 0
        while i < len(tokens) and tokens[i].startswith(":"):
            meta = tokens[i].split()
            status, blob = meta[4][0], meta[3]
            if status in "RC":
                old, new = tokens[i + 1], tokens[i + 2]
                i += 3
                changes.append(FileChange("R" if status == "R" else "A", new,
                                          old if status == "R" else None, blob))
            else:
                path = tokens[i + 1]
                i += 2
                changes.append(FileChange(status, path, None, None if status == "D" else blob))
        when = dt.datetime.fromtimestamp(int(ctime), tz=dt.timezone.utc)
        commits.append(Commit(sha, when, tuple(changes)))
    return commits


# --- ids, titles, dates --------------------------------------------------------------


def slug_from_path(path: str) -> str:
    """"ChatGPT/Privacy Policy.md" → "chatgpt-privacy-policy"."""
    stem = path.rsplit(".", 1)[0] if "." in path.rsplit("/", 1)[-1] else path
    ascii_text = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def title_from_path(path: str) -> str:
    """"ChatGPT/Privacy Policy.md" → "ChatGPT Privacy Policy"."""
    name = path.rsplit(".", 1)[0] if "." in path.rsplit("/", 1)[-1] else path
    return " ".join(part for part in name.replace("_", " ").split("/") if part).strip()


def version_id_for(when: dt.datetime, *, time_precise: bool) -> str:
    return when.strftime("%Y-%m-%dT%H%M%SZ") if time_precise else when.strftime("%Y-%m-%d")


def parse_since(value: str | None) -> dt.datetime | None:
    if value is None:
        return None
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        raise UserError(f"--since {value!r}: not a date; use YYYY-MM-DD") from None
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.timezone.utc)


def parse_maps(items: Iterable[str]) -> dict[str, str]:
    maps = {}
    for item in items:
        file, sep, policy = item.rpartition("=")
        if not sep or not file:
            raise UserError(f"--map {item!r}: use FILE=POLICY (a path in the repository = a policy id)")
        maps[file] = check_policy_id(policy, where=f"--map {item}")
    return maps


# --- planning ------------------------------------------------------------------------


@dataclass(frozen=True)
class Track:
    """One policy file followed through renames: its names and the commits that touched it."""

    policy_id: str
    title: str
    names: tuple[str, ...]
    touches: tuple[tuple[Commit, FileChange], ...]


@dataclass(frozen=True)
class Planned:
    """A version to write (``folded``: earlier commits of the same day it replaces)."""

    version: Version
    folded: tuple[str, ...] = ()


@dataclass
class ImportReport:
    repo: str
    planned: list[Planned] = field(default_factory=list)
    already: int = 0  # versions already in the store (same commit or same id)
    folded: int = 0  # commits folded into the day's last one
    unchanged: int = 0  # commits whose text equals the previous version's
    blocked: list[str] = field(default_factory=list)  # days already holding a version
    policies: tuple[str, ...] = ()
    new_policies: tuple[str, ...] = ()

    @property
    def added(self) -> int:
        return len(self.planned)

    def summary_line(self) -> str:
        where = f"from {self.repo}"
        if not self.planned:
            return (f"nothing new to import {where}: all {self.already} versions of "
                    f"{len(self.policies)} policies are already in the store")
        extra = [f"{self.already} already present"] if self.already else []
        if self.folded:
            extra.append(f"{self.folded} same-day commits folded")
        if self.unchanged:
            extra.append(f"{self.unchanged} commits left the text unchanged")
        if self.blocked:
            extra.append(f"{len(self.blocked)} skipped (day already has a version)")
        tail = f" ({'; '.join(extra)})" if extra else ""
        policies = len({p.version.policy_id for p in self.planned})
        return f"imported {self.added} versions of {policies} policies {where}{tail}"


def build_tracks(commits: list[Commit], globs: tuple[str, ...], maps: dict[str, str],
                 where: str) -> list[Track]:
    """Follow each file through renames; keep those whose names match a glob."""
    chains: dict[str, list] = {}  # current path -> [names, touches]
    deleted: dict[str, list] = {}  # path -> the chain a deletion ended there
    for commit in commits:
        for change in commit.changes:
            if change.status == "R" and change.old_path in chains:
                chain = chains.pop(change.old_path)
                chain[0].append(change.path)
            else:  # a file deleted and later re-added at the same path stays one policy
                chain = chains.pop(change.path, None) or deleted.pop(change.path, None) \
                    or [[change.path], []]
            chain[1].append((commit, change))
            if change.status == "D":
                deleted[change.path] = chain
            else:
                chains[change.path] = chain
    # Files mapped to one policy id are one policy (a replacement git saw as delete + add).
    merged: dict[str, list] = {}
    for names, touches in [*deleted.values(), *chains.values()]:
        key = next((maps[n] for n in names if n in maps), None) or names[0]
        entry = merged.setdefault(key, [[], []])
        entry[0].extend(n for n in names if n not in entry[0])
        entry[1].extend(touches)
    unused = sorted(set(maps) - {n for names, _ in merged.values() for n in names})
    if unused:
        raise UserError(f"{where}: --map {unused[0]}: no such file in the history")
    order = {c.sha: i for i, c in enumerate(commits)}
    tracks, seen = [], {}
    for key, (names, touches) in merged.items():
        if not any(fnmatch.fnmatchcase(n, g) for n in names for g in globs):
            continue
        mapped = next((maps[n] for n in names if n in maps), None)
        policy_id = mapped or slug_from_path(names[0])
        if not policy_id:
            raise UserError(f"{where}: {names[0]!r} gives no usable policy id; "
                            f"use --map '{names[0]}=POLICY-ID'")
        check_policy_id(policy_id, where=f"{where}: {names[0]!r} (give another id with --map FILE=POLICY)")
        if policy_id in seen:
            raise UserError(f"{where}: {seen[policy_id]!r} and {names[0]!r} both become policy "
                            f"'{policy_id}'; give one another id with --map FILE=POLICY")
        seen[policy_id] = names[0]
        touches.sort(key=lambda t: order[t[0].sha])
        tracks.append(Track(policy_id, title_from_path(names[-1]), tuple(names), tuple(touches)))
    if not tracks:
        raise UserError(f"{where}: no file in the history matches {', '.join(globs)}; "
                        "check --path (globs match whole paths, '*' crosses folders)")
    return sorted(tracks, key=lambda t: t.policy_id)


def read_blob(repo, blob: str, *, where: str) -> str:
    """A blob's text through git's persistent ``cat-file --batch`` process."""
    try:
        _sha, _type, size, stream = repo.odb.stream(bytes.fromhex(blob))
        if size > MAX_SOURCE_BYTES:
            raise UserError(f"{where}: larger than {SOURCE_TOO_LARGE}")
        data = stream.read()
    except (ValueError, OSError):  # "SHA ... could not be resolved, git returned: ... missing"
        raise UserError(f"{where}: cannot read blob {blob[:12]} (missing or corrupt object); "
                        "run 'git fsck' in the repository") from None
    if b"\x00" in data:
        raise UserError(f"{where}: binary file (contains NUL bytes), expected text; "
                        "exclude it with --path")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UserError(f"{where}: not valid UTF-8 (byte {exc.start}); exclude it with --path") from None


def plan_import(repo_path: Path, store_root: Path, *, globs: tuple[str, ...] = DEFAULT_GLOBS,
                maps: dict[str, str] | None = None, since: str | None = None,
                keep_all: bool = False, progress: Progress | None = None) -> ImportReport:
    """Read the history and decide every version to write, writing nothing."""
    where = str(repo_path)
    repo = open_repo(repo_path)
    since_at = parse_since(since)
    commits = walk_history(repo)
    tracks = build_tracks(commits, globs or DEFAULT_GLOBS, maps or {}, where)
    store, problems = load_store(store_root) if (Path(store_root) / "policies.yml").exists() else (None, [])
    made_here = {missing_folder_problem(Path(store_root), t.policy_id) for t in tracks}
    problems = [p for p in problems if p not in made_here]
    if problems:
        raise UserError(f"{problems[0]} (fix the store first; run 'policydocs check')")
    report = ImportReport(repo=_repo_name(repo, repo_path),
                          policies=tuple(t.policy_id for t in tracks))
    known = set(store.policies) if store else set()
    report.new_policies = tuple(t.policy_id for t in tracks if t.policy_id not in known)
    total = sum(len(t.touches) for t in tracks)
    done = 0
    for track in tracks:
        existing = store.policies[track.policy_id].versions if store and track.policy_id in known else ()
        _plan_track(repo, track, existing, report, since_at=since_at, keep_all=keep_all,
                    where=where)
        done += len(track.touches)
        if progress:
            progress("reading", done, total)
    return report


def _plan_track(repo, track: Track, existing: tuple[Version, ...], report: ImportReport, *,
                since_at: dt.datetime | None, keep_all: bool, where: str) -> None:
    have_commits = {v.source.commit for v in existing if v.source.commit}
    have_ids = {v.version_id for v in existing}
    have_days: dict[str, set[int]] = {}
    for v in existing:
        have_days.setdefault(v.version_id[:10], set()).add(len(v.version_id))
    # Group the commits that left a text by version id (a day, or an instant).
    groups: dict[str, list[tuple[Commit, FileChange]]] = {}
    for commit, change in track.touches:
        if change.status == "D":
            continue
        groups.setdefault(version_id_for(commit.when, time_precise=keep_all), []).append((commit, change))
    # A commit whose text equals the version just before it (existing or planned)
    # adds nothing; both lists are in date order, so one pointer finds that version.
    before, last_body = 0, None
    for version_id in sorted(groups, key=version_sort_key):
        key = version_sort_key(version_id)
        while before < len(existing) and existing[before].sort_key < key:
            last_body = existing[before].body
            before += 1
        group = groups[version_id]
        commit, change = group[-1]
        folded = tuple(c.sha for c, _ in group[:-1])
        if commit.sha in have_commits or version_id in have_ids:
            report.already += 1
            continue
        if since_at is not None and commit.when < since_at:
            continue
        day_lengths = have_days.get(version_id[:10], set())
        if day_lengths and (not keep_all or 10 in day_lengths):
            report.blocked.append(f"{track.policy_id}@{version_id}")
            continue
        blob_where = f"{where}: {commit.sha[:12]}:{change.path}"
        body = read_blob(repo, change.blob or "", where=blob_where)
        check_body(body, where=blob_where)
        if body == last_body:
            report.unchanged += 1
            continue
        last_body = body
        report.folded += len(folded)
        report.planned.append(Planned(_version(track, version_id, commit, change, body, folded,
                                               report.repo), folded))


def _version(track: Track, version_id: str, commit: Commit, change: FileChange, body: str,
             folded: tuple[str, ...], repo_name: str) -> Version:
    found = find_stated_date(body)
    stated = found.iso if found else None
    summary = None
    if folded:
        summary = (f"Last of {len(folded) + 1} commits recorded on {version_id}; "
                   f"folded: {', '.join(sha[:12] for sha in folded)}.")
    return Version(
        policy_id=track.policy_id, version_id=version_id, title=track.title,
        effective=version_id, date_basis="observed", body=body,
        stated_date=stated if stated and stated != version_id else None,
        source=Source(repo=repo_name, commit=commit.sha, path=change.path), summary=summary,
    )


def _repo_name(repo, repo_path: Path) -> str:
    """The origin URL when there is one (stable across clones), else the path as given."""
    try:
        return next(iter(repo.remote("origin").urls))
    except (ValueError, StopIteration):
        return str(repo_path)


# --- writing -------------------------------------------------------------------------


def apply_import(report: ImportReport, store_root: Path, *, lock: WriteLock,
                 progress: Progress | None = None) -> None:
    """Declare new policies and write every planned version, in the crash-safe order
    of `add_to_store`: a rerun after a kill resumes where this stopped."""
    if not report.planned:
        return
    registry = read_registry(store_root)
    new_registry = registry
    titles = {p.version.policy_id: p.version.title for p in report.planned}
    for policy_id in sorted(titles):
        new_registry = with_policy(new_registry, policy_id, title=titles[policy_id])
    add_to_store(store_root, registry, new_registry, [p.version for p in report.planned], lock=lock,
                 progress=progress)


def import_git(repo_path: Path, store_root: Path, **options) -> ImportReport:
    """Plan, then write, holding the store's write lock: the whole import-git command
    without the terminal."""
    progress = options.pop("progress", None)
    with store_lock(store_root) as lock:
        report = plan_import(repo_path, store_root, progress=progress, **options)
        apply_import(report, store_root, lock=lock, progress=progress)
    return report
