"""Import versions from a git history: one version per commit that changed a policy file.

The history is read in ONE batched walk (``git log --raw -M -z``) and the blobs
through git's persistent ``cat-file --batch`` process, never one git call per
commit or file, so a history of thousands of commits imports in seconds. Each
blob is read by the import pipeline `policydocs import` uses
(`policydocs.ingest.article_from_bytes`): a file imports the same either way.

The rules (docs/import-git.md):

- A version's id and ``effective`` are the **commit date** (UTC), with
  ``date_basis: observed`` (``stated`` when the text states that very day): a
  commit says when a text was seen, not when it took legal effect. A date the
  text itself states ("Effective: 1 May 2025", "Last updated ...") is recorded
  as ``stated_date``; legal dates come from the text, never from commit times.
  A commit that leaves the stated date unchanged is an editorial revision: it
  is still a new version, identified by when it was published (its commit date).
- One version per policy per day: the last commit of a UTC day wins and the
  version's ``summary`` names the commits it folded. ``keep_all`` makes
  time-precise versions (``YYYY-MM-DDTHHMMSSZ``) instead.
- A file is followed through renames, and through the moves git's rename
  detection misses (deleted, then added again as the same page: ``terms.md``
  → ``terms/index.md``), so it stays one policy. Only Markdown and HTML files
  are read; others a glob matches are skipped and reported.
- A policy's id: ``--map`` wins; a policy the store already holds keeps its id
  (matched by the commits and paths of its versions), so a rerun never renames
  one; otherwise a slug of the file's newest name, of its folder's for an index
  page (``privacy/regulations/ccpa/index.md`` → ``ccpa``). Files whose ids clash
  each get one more parent folder (``refund-hey``, ``ownership-hey``), which the
  output says. Its title is each version's own (front matter, opening heading,
  else the file name in words); the registry takes the newest version's.

Nothing is written until the whole history has been read and checked, so bad
input (not a repo, a shallow clone, a binary or missing blob, broken front
matter, ids no folder tells apart) leaves the store untouched. The writes follow
the store's crash-safe order (`add_to_store`), so a killed import leaves a
valid store that the same command, run again, completes.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from policydocs.crashsafe import WriteLock
from policydocs.errors import UserError
from policydocs.ingest import Article, NoPolicyText, article_from_bytes
from policydocs.ingest.markdown import markdown_rules
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
_FILE_MODES = ("100644", "100755")
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
            status, blob, is_file = meta[4][0], meta[3], meta[1] in _FILE_MODES
            if status in "RC":
                old, new = tokens[i + 1], tokens[i + 2]
                i += 3
                changes.append(FileChange("R" if status == "R" else "A", new,
                                          old if status == "R" else None, blob))
            else:
                path = tokens[i + 1]
                i += 2
                changes.append(FileChange(status, path, None, None if status == "D" else blob))
            if status != "D" and not is_file:  # now a symlink or a submodule: no text any more
                changes[-1] = FileChange("D", changes[-1].path, changes[-1].old_path, None)
        when = dt.datetime.fromtimestamp(int(ctime), tz=dt.timezone.utc)
        commits.append(Commit(sha, when, tuple(changes)))
    return commits


# --- dates and options ----------------------------------------------------------------


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


# --- files: one chain of names per file, pages joined, policies chosen -----------------


@dataclass
class FileHistory:
    """One file followed through renames: its names, oldest first, and the commits that
    touched it (``start``/``end``: indexes of its first and deleting commit)."""

    names: list[str]
    touches: list[tuple[Commit, FileChange]]
    start: int
    end: int | None = None  # None while it exists

    @property
    def newest_name(self) -> str:
        """Its name at its last commit: the name its readers know now."""
        return self.touches[-1][1].path


@dataclass(frozen=True)
class Track:
    """A policy file to import: its id, its names (oldest first) and the commits that touched it."""

    policy_id: str
    names: tuple[str, ...]
    touches: tuple[tuple[Commit, FileChange], ...]

    @property
    def kind(self) -> str:
        """What its text is read as where a name has no suffix (a file before it got its .md)."""
        return "markdown" if any(name_kind(n) == "markdown" for n in self.names) else "html"


def follow_files(commits: list[Commit]) -> list[FileHistory]:
    """Every file of the history, followed through the renames git found (``-M``)."""
    live: dict[str, FileHistory] = {}
    files: list[FileHistory] = []
    for index, commit in enumerate(commits):
        for change in commit.changes:
            if change.status == "R" and change.old_path in live:
                history = live.pop(change.old_path)
                history.names.append(change.path)
            elif change.path in live:
                history = live.pop(change.path)
            else:
                history = FileHistory([change.path], [], start=index)
                files.append(history)
            history.touches.append((commit, change))
            if change.status == "D":
                history.end = index
            else:
                live[change.path] = history
    return files


def page_key(path: str) -> str:
    """The page a file is, whatever its suffix or case: ``terms.md``, ``Terms/index.md``
    and ``terms`` (before it became a folder) are all the page ``terms``."""
    parts = path.lower().split("/")
    stem = parts[-1].rsplit(".", 1)[0] if "." in parts[-1] else parts[-1]
    if stem in markdown_rules().page_index_names and len(parts) > 1:
        return "/".join(parts[:-1])
    return "/".join([*parts[:-1], stem])


def join_moved_pages(files: list[FileHistory]) -> list[FileHistory]:
    """A file that is deleted and later added again as the same page (the same path,
    ``X.md`` becoming ``X/index.md``, a change of case) is one file: git's rename
    detection misses these when the text changed too."""
    joined: list[FileHistory] = []
    by_page: dict[str, FileHistory] = {}
    for file in sorted(files, key=lambda f: f.start):
        before = by_page.get(page_key(file.names[0]))
        if before is not None and before.end is not None and before.end <= file.start:
            before.names.extend(n for n in file.names if n not in before.names)
            before.touches.extend(file.touches)
            before.end = file.end
            file = before
        else:
            joined.append(file)
        for name in file.names:
            by_page[page_key(name)] = file
    return joined


def join_mapped(files: list[FileHistory], maps: dict[str, str], where: str) -> list[FileHistory]:
    """Files mapped to one policy id are one policy (a replacement git saw as delete + add)."""
    unused = sorted(set(maps) - {n for f in files for n in f.names})
    if unused:
        raise UserError(f"{where}: --map {unused[0]}: no such file in the history")
    joined: list[FileHistory] = []
    by_id: dict[str, FileHistory] = {}
    for file in files:
        policy_id = mapped_id(file.names, maps)
        first = by_id.get(policy_id) if policy_id else None
        if first is None:
            joined.append(file)
            if policy_id:
                by_id[policy_id] = file
            continue
        first.names.extend(n for n in file.names if n not in first.names)
        first.touches.extend(file.touches)
    return joined


def mapped_id(names: Iterable[str], maps: dict[str, str]) -> str | None:
    return next((maps[n] for n in names if n in maps), None)


def name_kind(path: str) -> str | None:
    """"markdown" or "html" by a name's suffix; "" for no suffix; None for another suffix."""
    name = path.rsplit("/", 1)[-1]
    if "." not in name:
        return ""
    suffix = "." + name.rsplit(".", 1)[1].lower()
    rules = markdown_rules()
    return "markdown" if suffix in rules.markdown_suffixes else "html" if suffix in rules.html_suffixes else None


# --- policy ids --------------------------------------------------------------------------


def slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def id_candidates(path: str) -> list[str]:
    """The ids a file can have, shortest first: a slug of its own name (of its folder's
    for an index page), then with one more parent folder each ("Terms of Service.md" →
    terms-of-service; "refund/hey/index.md" → hey, refund-hey)."""
    parts = [p for p in path.split("/") if p]
    stem = parts[-1].rsplit(".", 1)[0] if "." in parts[-1] else parts[-1]
    folders = parts[:-1]
    if stem.lower() in markdown_rules().page_index_names and folders:
        stem, folders = folders[-1], folders[:-1]
    candidates: list[str] = []
    for depth in range(len(folders) + 1):
        candidate = slug("-".join([*folders[len(folders) - depth:], stem]))
        if candidate and candidate not in candidates:
            candidates.append(candidate)
    return candidates


@dataclass(frozen=True)
class IdChoice:
    """The policy ids of the files to import, and what was done to keep them apart."""

    ids: tuple[str, ...]  # one per file, in order
    notes: tuple[str, ...]


def choose_ids(files: list[FileHistory], maps: dict[str, str], known: dict[tuple[str, str], str],
               taken: set[str], where: str) -> IdChoice:
    """Each file's policy id: ``--map`` wins; a file whose versions the store already
    holds keeps that policy's id (``known``: (commit, path) → id), so ids never change on
    a rerun; any other file is named after its newest name (`id_candidates`). Files
    whose ids clash — with each other, or with ``taken`` (ids of policies that already
    hold other texts) — are each given one more parent folder until they differ; the
    notes say so. When no folder tells two apart, `UserError` asks for ``--map``."""
    fixed: dict[int, str] = {}
    for i, file in enumerate(files):
        policy_id = mapped_id(file.names, maps) or next(
            (known[(c.sha, ch.path)] for c, ch in file.touches if (c.sha, ch.path) in known), None)
        if policy_id:
            fixed[i] = policy_id
    taken = taken | set(fixed.values())
    candidates = {i: id_candidates(f.newest_name) for i, f in enumerate(files) if i not in fixed}
    for i, options in candidates.items():
        if not options:
            name = files[i].newest_name
            raise UserError(f"{where}: {name!r} gives no usable policy id (no letters or digits in its "
                            f"name); use --map '{name}=POLICY-ID'")
    depth = dict.fromkeys(candidates, 0)
    clashed: dict[str, list[int]] = {}
    while True:
        current = {i: candidates[i][depth[i]] for i in candidates}
        groups: dict[str, list[int]] = {}
        for i, policy_id in current.items():
            groups.setdefault(policy_id, []).append(i)
        clashes = {pid: group for pid, group in groups.items() if len(group) > 1 or pid in taken}
        if not clashes:
            break
        for policy_id, group in sorted(clashes.items()):
            clashed.setdefault(policy_id, [])
            clashed[policy_id].extend(i for i in group if i not in clashed[policy_id])
            movable = [i for i in group if depth[i] + 1 < len(candidates[i])]
            if not movable or (len(movable) < len(group) and policy_id in taken):
                raise _unresolvable(policy_id, [files[i].newest_name for i in group], where)
            for i in movable:
                depth[i] += 1
    ids = tuple(fixed.get(i) or current[i] for i in range(len(files)))
    for policy_id, f in zip(ids, files):  # a long file name can give an id past the length limit
        check_policy_id(policy_id, where=f"{where}: {f.newest_name!r} (give another id with --map FILE=POLICY)")
    notes = tuple(_clash_note(policy_id, [(ids[i], files[i].newest_name) for i in group])
                  for policy_id, group in sorted(clashed.items()))
    return IdChoice(ids=ids, notes=notes)


def _clash_note(policy_id: str, renamed: list[tuple[str, str]]) -> str:
    named = ", ".join(f"{new_id} ({name})" for new_id, name in sorted(renamed))
    if len(renamed) == 1:
        return f"ids: '{policy_id}' is taken (by the store or --map); named with its folder: {named}"
    return f"ids: {len(renamed)} files would be policy '{policy_id}'; each is named with its folder: {named}"


def _unresolvable(policy_id: str, names: list[str], where: str) -> UserError:
    if len(names) == 1:
        return UserError(f"{where}: {names[0]!r} would be policy '{policy_id}', which the store already "
                         f"has with other texts; give it another id with --map '{names[0]}=POLICY-ID' "
                         f"(or --map '{names[0]}={policy_id}' to add its versions to that policy)")
    shown = " and ".join(repr(n) for n in names[:2]) + (f" (and {len(names) - 2} more)" if len(names) > 2 else "")
    return UserError(f"{where}: {shown} all become policy '{policy_id}' and no folder name tells them "
                     f"apart; give one another id with --map '{names[0]}=POLICY-ID'")


def became_folder_notes(skipped: list[FileHistory], tracks: list[Track]) -> list[str]:
    """A skipped file whose path later is a folder holding a policy file: say how to keep
    its history in that policy (git sees a deletion, then a new file)."""
    notes = []
    for file in skipped:
        for name in file.names:
            inside = [(t, n) for t in tracks for n in t.names if n.startswith(name + "/")]
            if not inside:
                continue
            track, child = inside[0]
            notes.append(f"{name}: a file until commit {file.touches[-1][0].sha[:12]}, then a folder "
                         f"holding {child} (policy '{track.policy_id}'); to keep the file's history in "
                         f"that policy, add --map '{name}={track.policy_id}' --map "
                         f"'{child}={track.policy_id}'")
            break
    return notes


# --- planning ------------------------------------------------------------------------


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
    no_text: int = 0  # commits whose file held no policy text (empty, only markup)
    not_read: int = 0  # commits where the file had a name that is not Markdown or HTML
    blocked: list[str] = field(default_factory=list)  # days already holding a version
    policies: tuple[str, ...] = ()
    new_policies: tuple[str, ...] = ()
    notes: list[str] = field(default_factory=list)  # ids given, files skipped
    repairs: Counter = field(default_factory=Counter)  # what the import pipeline cleaned

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
        if self.no_text:
            extra.append(f"{self.no_text} commits left no policy text (empty or only markup)")
        if self.not_read:
            extra.append(f"{self.not_read} commits of a name that is not Markdown not read")
        if self.blocked:
            extra.append(f"{len(self.blocked)} skipped (day already has a version)")
        tail = f" ({'; '.join(extra)})" if extra else ""
        policies = len({p.version.policy_id for p in self.planned})
        return f"imported {self.added} versions of {policies} policies {where}{tail}"

    def repairs_line(self) -> str | None:
        """What the pipeline removed or converted, summed over the versions imported."""
        if not self.repairs:
            return None
        return "cleaned: " + ", ".join(f"{n} {what}" for what, n in sorted(self.repairs.items()))


def build_tracks(commits: list[Commit], globs: tuple[str, ...], maps: dict[str, str], where: str,
                 *, known: dict[tuple[str, str], str] | None = None,
                 taken: set[str] | None = None) -> tuple[list[Track], list[str]]:
    """The policy files to import (their names matching a glob, Markdown or HTML), each
    with its id; and the notes to show (ids prefixed, files skipped)."""
    files = join_mapped(join_moved_pages(follow_files(commits)), maps, where)
    matched = [f for f in files if any(fnmatch.fnmatchcase(n, g) for n in f.names for g in globs)]
    if not matched:
        raise UserError(f"{where}: no file in the history matches {', '.join(globs)}; "
                        "check --path (globs match whole paths, '*' crosses folders)")
    readable = [f for f in matched if any(name_kind(n) for n in f.names)]
    skipped = [f for f in matched if f not in readable]
    if not readable:
        raise UserError(f"{where}: the {len(skipped)} files matching {', '.join(globs)} are not Markdown "
                        f"or HTML (e.g. {skipped[0].newest_name!r}); choose Markdown files with --path")
    choice = choose_ids(readable, maps, known or {}, taken or set(), where)
    order = {c.sha: i for i, c in enumerate(commits)}
    by_id: dict[str, list[FileHistory]] = {}
    for file, policy_id in zip(readable, choice.ids):
        by_id.setdefault(policy_id, []).append(file)
    tracks = []
    for policy_id, group in by_id.items():  # several files of one policy: one track
        names = [n for f in group for n in f.names]
        touches = sorted((t for f in group for t in f.touches), key=lambda t: order[t[0].sha])
        tracks.append(Track(policy_id, tuple(dict.fromkeys(names)), tuple(touches)))
    tracks.sort(key=lambda t: t.policy_id)
    notes = list(choice.notes)
    if skipped:
        shown = ", ".join(f.newest_name for f in skipped[:5]) + (f" and {len(skipped) - 5} more"
                                                               if len(skipped) > 5 else "")
        notes.append(f"skipped {len(skipped)} matched files that are not Markdown or HTML: {shown}")
    notes += became_folder_notes(skipped, tracks)
    return tracks, notes


def read_blob(repo, blob: str, *, where: str) -> bytes:
    """A blob's bytes through git's persistent ``cat-file --batch`` process."""
    try:
        _sha, _type, size, stream = repo.odb.stream(bytes.fromhex(blob))
        if size > MAX_SOURCE_BYTES:
            raise UserError(f"{where}: larger than {SOURCE_TOO_LARGE}")
        return stream.read()
    except (ValueError, OSError):  # "SHA ... could not be resolved, git returned: ... missing"
        raise UserError(f"{where}: cannot read blob {blob[:12]} (missing or corrupt object); "
                        "run 'git fsck' in the repository") from None


def store_provenance(store) -> tuple[dict[tuple[str, str], str], set[str]]:
    """(commit, path) → policy id of every version the store holds from a git history,
    and the ids of the policies that hold versions at all."""
    known: dict[tuple[str, str], str] = {}
    holding: set[str] = set()
    for policy_id, policy in (store.policies.items() if store else ()):
        for version in policy.versions:
            holding.add(policy_id)
            if version.source.commit and version.source.path:
                known.setdefault((version.source.commit, version.source.path), policy_id)
    return known, holding


def plan_import(repo_path: Path, store_root: Path, *, globs: tuple[str, ...] = DEFAULT_GLOBS,
                maps: dict[str, str] | None = None, since: str | None = None,
                keep_all: bool = False, progress: Progress | None = None) -> ImportReport:
    """Read the history and decide every version to write, writing nothing."""
    where = str(repo_path)
    repo = open_repo(repo_path)
    since_at = parse_since(since)
    commits = walk_history(repo)
    store, problems = load_store(store_root) if (Path(store_root) / "policies.yml").exists() else (None, [])
    known, holding = store_provenance(store)
    tracks, notes = build_tracks(commits, globs or DEFAULT_GLOBS, maps or {}, where, known=known,
                                 taken=holding)
    made_here = {missing_folder_problem(Path(store_root), t.policy_id) for t in tracks}
    problems = [p for p in problems if p not in made_here]
    if problems:
        raise UserError(f"{problems[0]} (fix the store first; run 'policydocs check')")
    report = ImportReport(repo=_repo_name(repo, repo_path),
                          policies=tuple(t.policy_id for t in tracks), notes=notes)
    known_ids = set(store.policies) if store else set()
    report.new_policies = tuple(t.policy_id for t in tracks if t.policy_id not in known_ids)
    total = sum(len(t.touches) for t in tracks)
    done = 0
    for track in tracks:
        existing = store.policies[track.policy_id].versions if store and track.policy_id in known_ids else ()
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
        if name_kind(change.path) is None:  # a .txt, .rtf ... name in the file's history
            report.not_read += 1
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
        article = _read_article(repo, track, commit, change, where)
        if article is None:
            report.no_text += 1
            continue
        if article.body == last_body:
            report.unchanged += 1
            continue
        last_body = article.body
        report.folded += len(folded)
        report.repairs.update(article.repairs)
        report.planned.append(Planned(_version(track, version_id, commit, change, article, folded,
                                               report.repo), folded))


def _read_article(repo, track: Track, commit: Commit, change: FileChange, where: str) -> Article | None:
    """The file's text at ``commit`` through the import pipeline (the one `policydocs
    import` uses); None when it holds no policy text (an empty file, only markup)."""
    at = f"{where}: {commit.sha[:12]}:{change.path}"
    data = read_blob(repo, change.blob or "", where=at)
    if not data.strip():
        return None
    try:
        return article_from_bytes(data, name=change.path, where=at,
                                  kind=name_kind(change.path) or track.kind)
    except NoPolicyText:
        return None


def _version(track: Track, version_id: str, commit: Commit, change: FileChange, article: Article,
             folded: tuple[str, ...], repo_name: str) -> Version:
    stated = article.stated.iso if article.stated else None
    summary = None
    if folded:
        summary = (f"Last of {len(folded) + 1} commits recorded on {version_id}; "
                   f"folded: {', '.join(sha[:12] for sha in folded)}.")
    return Version(
        policy_id=track.policy_id, version_id=version_id, title=article.title or article.name_title,
        effective=version_id, date_basis="stated" if stated == version_id else "observed",
        body=article.body,
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
