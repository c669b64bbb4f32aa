"""An on-disk cache of assessed comparisons, so rebuilds and repeated checks skip work.

`compare` and `assess` are pure functions of the two bodies and the rules, so a
result is keyed by (old body sha256, new body sha256, rules digest,
`compare.ENGINE_VERSION`): editing a version's ``material`` override never
stales an entry (the override is applied after the cache), and a new engine or
new rules simply miss.

Safe under concurrent builds: each entry is one JSON file written atomically
(temporary file + rename, no fsync of its own), so a reader sees a whole entry or
none; `ComparisonCache.sync` syncs the folders written once a batch is done. Never trusted
blindly: every entry starts with a header line carrying an HMAC-SHA256 of its key
and payload (keyed by ``$POLICYDOCS_CACHE_KEY``, else by a random key made once
in the folder's ``.key``), and a comparison must also pass schema checks and name
the two bodies it was asked for. An entry that is truncated, empty, ``null``,
a folder, unsigned, signed with another key, or moved to another key's place is a
miss: recomputed, counted in `ComparisonCache.damaged` and reported once. So HTML
written into a rendered-page entry is never published, and a damaged cache can
neither fail a build nor change a byte of its output. Bounded: when the folder grows past ``max_bytes``
the least recently used entries (oldest mtime; a hit refreshes it) are removed
until it is under 90 % of the bound. The default folder ``.cache/policydocs/``
is git-ignored.
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import json
import os
import secrets
from pathlib import Path
from typing import Any

from policydocs.compare import ENGINE_VERSION, Change, Comparison, Reason, Segment, Stats
from policydocs.crashsafe import fsync_dir
from policydocs.fsutil import atomic_write_bytes

DEFAULT_DIR = Path(".cache") / "policydocs"
DEFAULT_MAX_BYTES = 1024 * 1024 * 1024  # the genai-eu corpus site (1,300 pairs) needs ~0.4 GB
ENTRY_SUFFIX = ".json"
ARTEFACT_SUFFIX = ".html"  # text made from an entry or a body (rendered pages), same bound
EXPORT_SUFFIXES = (".docx", ".pdf")  # reviewers' exports of a comparison, same bound
ENTRY_FORMAT = "3"  # 2: block contexts stored once per entry (see `_pack`); 3: signed header
MAGIC = b"policydocs-cache"
KEY_FILE = ".key"
KEY_ENV = "POLICYDOCS_CACHE_KEY"
MAX_ENTRY_BYTES = 512 * 1024 * 1024  # far above any real entry; a bigger file is damage


# --- Comparison <-> JSON-ready dict --------------------------------------------------


def comparison_to_dict(comparison: Comparison) -> dict[str, Any]:
    """Every field of the comparison, tuples as lists (the inverse of `comparison_from_dict`).

    Written out field by field: `dataclasses.asdict` deep-copies every string and
    recurses through every segment, which cost more than the comparison itself."""
    c = comparison
    return {
        "old_sha256": c.old_sha256, "new_sha256": c.new_sha256,
        "changes": [_change_to_dict(ch) for ch in c.changes],
        "segments": [{"op": s.op, "text": s.text, "change": s.change, "move": s.move} for s in c.segments],
        "stats": {f: getattr(c.stats, f) for f in _STATS_FIELDS},
        "material": c.material, "verdict_basis": c.verdict_basis, "notes": list(c.notes),
        "computed_material": c.computed_material, "override_reason": c.override_reason,
    }


def _change_to_dict(change: Change) -> dict[str, Any]:
    out = {f: getattr(change, f) for f in _CHANGE_FIELDS}
    out["section"], out["old_section"] = list(change.section), list(change.old_section)
    out["reasons"] = [{"rule": r.rule, "explanation": r.explanation} for r in change.reasons]
    return out


_STATS_FIELDS = tuple(f.name for f in dataclasses.fields(Stats))
_CHANGE_FIELDS = tuple(f.name for f in dataclasses.fields(Change))


def _known(cls: type, data: dict[str, Any]) -> dict[str, Any]:
    """Only the fields ``cls`` has, lists turned back into tuples."""
    names = {f.name for f in dataclasses.fields(cls)}
    return {k: tuple(_tupled(x) for x in v) if isinstance(v, list) else v
            for k, v in data.items() if k in names}


def _tupled(value: Any) -> Any:
    return tuple(_tupled(x) for x in value) if isinstance(value, list) else value


class DamagedEntry(ValueError):
    """A cache entry that is not what this cache wrote: treated as a miss."""


def comparison_from_dict(data: dict[str, Any]) -> Comparison:
    if not isinstance(data, dict) or not isinstance(data.get("changes", ()), (list, tuple)) \
            or not isinstance(data.get("segments", ()), (list, tuple)):
        raise DamagedEntry("not a comparison")
    changes = []
    for raw in data.get("changes", ()):
        fields = _known(Change, raw)
        fields["reasons"] = tuple(Reason(**_known(Reason, r)) for r in raw.get("reasons", ()))
        changes.append(Change(**fields))
    fields = _known(Comparison, data)
    fields["changes"] = tuple(changes)
    fields["segments"] = tuple(Segment(**_known(Segment, s)) for s in data.get("segments", ()))
    fields["stats"] = Stats(**_known(Stats, data.get("stats") or {}))
    return Comparison(**fields)


# --- the cache -----------------------------------------------------------------------


def default_cache_dir(project_root: Path | None = None) -> Path:
    """``$POLICYDOCS_CACHE_DIR``, else ``.cache/policydocs/`` in the project."""
    env = os.environ.get("POLICYDOCS_CACHE_DIR")
    if env:
        return Path(env)
    return (project_root or Path.cwd()) / DEFAULT_DIR


def cache_key(old_sha256: str, new_sha256: str, rules_digest: str,
              engine_version: str = ENGINE_VERSION) -> str:
    text = f"{old_sha256}\0{new_sha256}\0{rules_digest}\0{engine_version}\0{ENTRY_FORMAT}"
    return hashlib.sha256(text.encode()).hexdigest()


def _pack(data: dict[str, Any]) -> dict[str, Any]:
    """Each change carries its whole old and new block (``*_context``); many changes
    share a block, and a rewritten document is one huge block. Stored once each in
    ``contexts`` and referred to by index, a big entry shrinks ~40 %, and a loaded
    comparison shares one string per block instead of a copy per change."""
    table: dict[str, int] = {}
    for change in data.get("changes", ()):
        for field in ("old_context", "new_context"):
            change[field] = table.setdefault(change[field], len(table))
    data["contexts"] = list(table)
    return data


def _unpack(data: Any) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise DamagedEntry(f"a JSON {type(data).__name__}, not an object")
    contexts = data.pop("contexts", None)
    if contexts is not None:
        for change in data.get("changes", ()):
            for field in ("old_context", "new_context"):
                change[field] = contexts[change[field]]
    return data


@dataclasses.dataclass(frozen=True)
class CacheStats:
    folder: Path
    entries: int
    bytes: int
    max_bytes: int


def _valid_comparison(comparison: Comparison, old_sha256: str, new_sha256: str) -> None:
    """The shape every consumer relies on; an entry breaking it is damage, not data."""
    if (comparison.old_sha256, comparison.new_sha256) != (old_sha256, new_sha256):
        raise DamagedEntry("entry is for other texts")
    if not all(isinstance(seg, Segment) and isinstance(seg.text, str) and
               seg.op in ("equal", "insert", "delete") for seg in comparison.segments):
        raise DamagedEntry("bad segment")
    if not all(isinstance(c, Change) and isinstance(c.id, str) and isinstance(c.old_text, str)
               and isinstance(c.new_text, str) for c in comparison.changes):
        raise DamagedEntry("bad change")


class ComparisonCache:
    """Assessed comparisons on disk, with hit, miss and damage counters for this process."""

    def __init__(self, folder: Path | None = None, max_bytes: int = DEFAULT_MAX_BYTES):
        self.folder = Path(folder) if folder is not None else default_cache_dir()
        self.max_bytes = max_bytes
        self.hits = 0
        self.misses = 0
        self.damaged = 0  # entries found but not trusted (read as misses)
        self.unwritable = 0  # entries that could not be written (the build goes on)
        self.first_problem: str | None = None  # what to report, once
        self._size: int | None = None  # bytes on disk, counted once then kept up to date
        self._secret: bytes | None = None
        self._unsynced: set[Path] = set()  # shard folders written since the last `sync`

    # --- signing -------------------------------------------------------------------

    def _key(self) -> bytes:
        """The HMAC key: ``$POLICYDOCS_CACHE_KEY`` (CI: a secret), else the folder's
        own random ``.key``, made once (0600, never replaced)."""
        if self._secret is None:
            env = os.environ.get(KEY_ENV)
            if env:
                self._secret = env.encode("utf-8")
            else:
                path = self.folder / KEY_FILE
                try:
                    self._secret = path.read_bytes().strip()
                except OSError:
                    self._secret = b""
                if len(self._secret) < 32:
                    self._secret = self._make_key(path)
        return self._secret

    @staticmethod
    def _make_key(path: Path) -> bytes:
        key = secrets.token_hex(32).encode()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
        except FileExistsError:  # another build made it first: use theirs
            try:
                theirs = path.read_bytes().strip()
            except OSError:
                return key
            return theirs if len(theirs) >= 32 else key
        except OSError:
            return key  # unwritable folder: entries this process writes fail to land anyway
        with os.fdopen(fd, "wb") as handle:
            handle.write(key + b"\n")
        return key

    def _seal(self, key: str, payload: bytes) -> bytes:
        mac = hmac.new(self._key(), key.encode() + b"\n" + payload, hashlib.sha256).hexdigest()
        return b"%s %s %s\n" % (MAGIC, ENTRY_FORMAT.encode(), mac.encode()) + payload

    def _open(self, key: str, path: Path) -> bytes | None:
        """The verified payload of an entry, None when absent; `DamagedEntry` when the
        file is there but is not an entry this cache (with this key) wrote for ``key``."""
        try:
            with open(path, "rb") as handle:
                data = handle.read(MAX_ENTRY_BYTES + 1)
        except FileNotFoundError:
            return None
        except OSError as exc:  # a folder in its place, unreadable, ...
            raise DamagedEntry(exc.strerror or type(exc).__name__) from None
        header, newline, payload = data.partition(b"\n")
        parts = header.split(b" ")
        if not newline or len(parts) != 3 or parts[0] != MAGIC or len(data) > MAX_ENTRY_BYTES:
            raise DamagedEntry("no valid header")
        if parts[1] != ENTRY_FORMAT.encode():
            return None  # an older format: a plain miss
        mac = hmac.new(self._key(), key.encode() + b"\n" + payload, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(mac.encode(), parts[2]):
            raise DamagedEntry("signature does not match")
        return payload

    def _damage(self, path: Path, problem: str) -> None:
        self.damaged += 1
        if self.first_problem is None:
            self.first_problem = f"{path}: {problem}"

    def report(self) -> str | None:
        """One line on what was wrong with the cache in this process, or None."""
        if not (self.damaged or self.unwritable):
            return None
        parts = []
        if self.damaged:
            parts.append(f"{self.damaged} damaged entr{'y' if self.damaged == 1 else 'ies'} "
                         "ignored and recomputed")
        if self.unwritable:
            parts.append(f"{self.unwritable} entr{'y' if self.unwritable == 1 else 'ies'} "
                         "could not be written")
        return (f"comparison cache {self.folder}: {', '.join(parts)} (first: {self.first_problem}); "
                "'policydocs cache clear' empties it")

    def _write(self, key: str, path: Path, payload: bytes) -> None:
        sealed = self._seal(key, payload)
        try:
            atomic_write_bytes(path, sealed, durable=False)  # a lost entry is a miss: no fsync
        except OSError as exc:  # a folder or a file where the entry or shard goes, disk full
            self.unwritable += 1
            if self.first_problem is None:
                self.first_problem = f"{path}: {exc.strerror or type(exc).__name__}"
            return
        self._unsynced.add(path.parent)
        self._grow(len(sealed))

    def sync(self) -> int:
        """Make the entries written so far survive a power cut: one folder sync per shard
        folder written since the last call, once a batch (a build) is done, rather than
        an fsync per entry. Returns how many folders were synced; a folder that cannot
        be synced is let be (its entries may then be misses next time, never damage)."""
        synced = 0
        for folder in sorted(self._unsynced):
            try:
                fsync_dir(folder)
                synced += 1
            except OSError:
                pass
        self._unsynced.clear()
        return synced

    # --- entries -------------------------------------------------------------------

    def _path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}{ENTRY_SUFFIX}"

    def get(self, old_sha256: str, new_sha256: str, rules_digest: str,
            engine_version: str = ENGINE_VERSION) -> Comparison | None:
        key = cache_key(old_sha256, new_sha256, rules_digest, engine_version)
        path = self._path(key)
        try:
            payload = self._open(key, path)
            if payload is None:
                self.misses += 1
                return None
            comparison = comparison_from_dict(_unpack(json.loads(payload)))
            _valid_comparison(comparison, old_sha256, new_sha256)
        except (ValueError, TypeError, LookupError, AttributeError, RecursionError) as exc:
            self._damage(path, str(exc).splitlines()[0][:120] if str(exc) else type(exc).__name__)
            self.misses += 1
            return None
        self._touch(path)
        self.hits += 1
        return comparison

    def put(self, comparison: Comparison, rules_digest: str,
            engine_version: str = ENGINE_VERSION) -> None:
        key = cache_key(comparison.old_sha256, comparison.new_sha256, rules_digest, engine_version)
        text = json.dumps(_pack(comparison_to_dict(comparison)), ensure_ascii=False, separators=(",", ":"))
        self._write(key, self._path(key), text.encode("utf-8"))

    def get_text(self, key: str) -> str | None:
        """A derived text (a rendered body or redline) stored under ``key`` (a hex digest
        that the caller makes from everything the text depends on), or None."""
        path = self.folder / key[:2] / f"{key}{ARTEFACT_SUFFIX}"
        try:
            payload = self._open(key, path)
            if payload is None:
                return None
            text = payload.decode("utf-8")
        except (DamagedEntry, UnicodeDecodeError) as exc:
            self._damage(path, str(exc)[:120])
            return None
        self._touch(path)
        return text

    def get_bytes(self, key: str, suffix: str) -> bytes | None:
        """A derived file (a Word or PDF export) stored under ``key``, or None."""
        path = self.folder / key[:2] / f"{key}.{suffix}"
        try:
            payload = self._open(key, path)
        except DamagedEntry as exc:
            self._damage(path, str(exc)[:120])
            return None
        if payload is not None:
            self._touch(path)
        return payload

    def put_bytes(self, key: str, suffix: str, data: bytes) -> None:
        self._write(key, self.folder / key[:2] / f"{key}.{suffix}", data)

    def put_text(self, key: str, text: str) -> None:
        self._write(key, self.folder / key[:2] / f"{key}{ARTEFACT_SUFFIX}", text.encode("utf-8"))

    @staticmethod
    def _touch(path: Path) -> None:
        try:
            os.utime(path)  # recently used: evicted last
        except OSError:
            pass

    def _grow(self, size: int) -> None:
        if self._size is None:
            self._size = self._scan_size()
        else:
            self._size += size
        if self._size > self.max_bytes:
            self._evict()

    def _entries(self) -> list[os.DirEntry]:
        if not self.folder.is_dir():
            return []
        out = []
        for shard in os.scandir(self.folder):
            if shard.is_dir(follow_symlinks=False):
                try:
                    out.extend(e for e in os.scandir(shard.path)
                               if e.name.endswith((ENTRY_SUFFIX, ARTEFACT_SUFFIX, *EXPORT_SUFFIXES)))
                except OSError:
                    continue  # unreadable shard: nothing of ours to count
        return out

    def _scan_size(self) -> int:
        return sum(_stat_size(e) for e in self._entries())

    def _evict(self) -> None:
        """Remove least recently used entries until under 90 % of the bound."""
        entries = []
        for e in self._entries():
            try:
                st = e.stat()
            except FileNotFoundError:
                continue
            entries.append((st.st_mtime_ns, e.name, e.path, st.st_size))
        entries.sort()
        size = sum(item[3] for item in entries)
        target = int(self.max_bytes * 0.9)
        for _mtime, _name, path, entry_size in entries:
            if size <= target:
                break
            try:
                os.unlink(path)
            except FileNotFoundError:
                pass  # another build evicted it first
            except OSError:
                continue  # a folder in an entry's place: not ours to remove
            size -= entry_size
        self._size = size

    def stats(self) -> CacheStats:
        entries = self._entries()
        return CacheStats(self.folder, len(entries), sum(_stat_size(e) for e in entries), self.max_bytes)

    def clear(self) -> int:
        """Remove every entry; the number removed."""
        # Only our own files go (the folder may be one a user pointed us at).
        count = 0
        for entry in self._entries():
            try:
                os.unlink(entry.path)
                count += 1
            except FileNotFoundError:
                pass
            except OSError:
                continue  # not a file: left alone
        for shard in self.folder.glob("??"):
            try:
                shard.rmdir()
            except OSError:
                pass  # not empty: something else lives there
        self._size = 0
        return count


def _stat_size(entry: os.DirEntry) -> int:
    try:
        return entry.stat().st_size
    except FileNotFoundError:
        return 0
