"""An on-disk cache of assessed comparisons, so rebuilds and repeated checks skip work.

`compare` and `assess` are pure functions of the two bodies and the rules, so a
result is keyed by (old body sha256, new body sha256, rules digest,
`compare.ENGINE_VERSION`): editing a version's ``material`` override never
stales an entry (the override is applied after the cache), and a new engine or
new rules simply miss.

Safe under concurrent builds: each entry is one JSON file written atomically
(temporary file + rename), so a reader sees a whole entry or none; a corrupt or
half-deleted entry is a miss. Bounded: when the folder grows past ``max_bytes``
the least recently used entries (oldest mtime; a hit refreshes it) are removed
until it is under 90 % of the bound. The default folder ``.cache/policydocs/``
is git-ignored.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
from pathlib import Path
from typing import Any

from policydocs.compare import ENGINE_VERSION, Change, Comparison, Reason, Segment, Stats
from policydocs.fsutil import atomic_write_text

DEFAULT_DIR = Path(".cache") / "policydocs"
DEFAULT_MAX_BYTES = 1024 * 1024 * 1024  # the genai-eu corpus site (1,300 pairs) needs ~0.4 GB
ENTRY_SUFFIX = ".json"
ARTEFACT_SUFFIX = ".html"  # text made from an entry or a body (rendered pages), same bound
ENTRY_FORMAT = "2"  # 2: block contexts stored once per entry (see `_pack`)


# --- Comparison <-> JSON-ready dict --------------------------------------------------


def comparison_to_dict(comparison: Comparison) -> dict[str, Any]:
    """Every field of the comparison, tuples as lists (the inverse of `comparison_from_dict`)."""
    return dataclasses.asdict(comparison)


def _known(cls: type, data: dict[str, Any]) -> dict[str, Any]:
    """Only the fields ``cls`` has, lists turned back into tuples."""
    names = {f.name for f in dataclasses.fields(cls)}
    return {k: tuple(_tupled(x) for x in v) if isinstance(v, list) else v
            for k, v in data.items() if k in names}


def _tupled(value: Any) -> Any:
    return tuple(_tupled(x) for x in value) if isinstance(value, list) else value


def comparison_from_dict(data: dict[str, Any]) -> Comparison:
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


def _unpack(data: dict[str, Any]) -> dict[str, Any]:
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


class ComparisonCache:
    """Assessed comparisons on disk, with hit and miss counters for this process."""

    def __init__(self, folder: Path | None = None, max_bytes: int = DEFAULT_MAX_BYTES):
        self.folder = Path(folder) if folder is not None else default_cache_dir()
        self.max_bytes = max_bytes
        self.hits = 0
        self.misses = 0
        self._size: int | None = None  # bytes on disk, counted once then kept up to date

    def _path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}{ENTRY_SUFFIX}"

    def get(self, old_sha256: str, new_sha256: str, rules_digest: str,
            engine_version: str = ENGINE_VERSION) -> Comparison | None:
        path = self._path(cache_key(old_sha256, new_sha256, rules_digest, engine_version))
        try:
            comparison = comparison_from_dict(_unpack(json.loads(path.read_text("utf-8"))))
        except (OSError, ValueError, TypeError, LookupError):  # absent, evicted meanwhile, or corrupt
            self.misses += 1
            return None
        try:
            os.utime(path)  # recently used: evicted last
        except OSError:
            pass
        self.hits += 1
        return comparison

    def put(self, comparison: Comparison, rules_digest: str,
            engine_version: str = ENGINE_VERSION) -> None:
        key = cache_key(comparison.old_sha256, comparison.new_sha256, rules_digest, engine_version)
        text = json.dumps(_pack(comparison_to_dict(comparison)), ensure_ascii=False, separators=(",", ":"))
        atomic_write_text(self._path(key), text, sync_dir=False)  # a lost entry is a miss
        self._grow(len(text.encode("utf-8")))

    def get_text(self, key: str) -> str | None:
        """A derived text (a rendered body or redline) stored under ``key`` (a hex digest
        that the caller makes from everything the text depends on), or None."""
        path = self.folder / key[:2] / f"{key}{ARTEFACT_SUFFIX}"
        try:
            text = path.read_text("utf-8")
        except (OSError, ValueError):
            return None
        try:
            os.utime(path)
        except OSError:
            pass
        return text

    def put_text(self, key: str, text: str) -> None:
        atomic_write_text(self.folder / key[:2] / f"{key}{ARTEFACT_SUFFIX}", text, sync_dir=False)
        self._grow(len(text.encode("utf-8")))

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
            if shard.is_dir():
                out.extend(e for e in os.scandir(shard.path)
                           if e.name.endswith((ENTRY_SUFFIX, ARTEFACT_SUFFIX)))
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
