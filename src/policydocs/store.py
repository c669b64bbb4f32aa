"""The policy store: ``policy_versions/policies.yml`` and one Markdown file per version.

Everything here reads or writes that folder and nothing else. Loading gives
typed, validated objects (`Store`, `Policy`, `Version`); problems are collected
as `Problem` rows (``file: problem``) so that ``policydocs check`` can list them
all, while other commands stop at the first with a `UserError`.

The version body is kept byte for byte (python-frontmatter strips whitespace
around the body, which would break exact rebuilds and immutability checks, so
the front matter is split here by hand and parsed with PyYAML's safe loader).
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Sequence

import yaml

from policydocs.crashsafe import WriteLock, fsync_dir, make_dirs, remove_temp_files
from policydocs.errors import UserError
from policydocs.fsutil import atomic_write_text, read_bounded
from policydocs.limits import (
    COMPARE_TOO_LARGE, FILE_TOO_LARGE, MAX_COMPARE_BYTES, MAX_FILE_BYTES, MAX_ID_CHARS, size_text,
)
from policydocs.nesting import check_markdown_depth
from policydocs.progress import ProgressCallback

if TYPE_CHECKING:
    import git

POLICIES_FILE = "policies.yml"
# Matched whole (``fullmatch``: '$' would accept a trailing newline) and ASCII only.
POLICY_ID_RE = re.compile(r"[a-z0-9][a-z0-9-]*")
# A version id is the effective date at the precision known (YYYY, YYYY-MM,
# YYYY-MM-DD), or a UTC instant YYYY-MM-DDTHHMMSSZ for time-precise versions
# (``import-git --keep-all``): ISO 8601 basic time, no ':' so it is a safe
# file name everywhere.
VERSION_ID_RE = re.compile(r"([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2})(?:T([0-9]{2})([0-9]{2})([0-9]{2})Z)?)?)?")

# libyaml's safe loader when PyYAML was built with it: the same YAML, ~10x faster;
# front matter parsing was the largest cost of loading and importing big stores.
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
SAFE_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)  # same output on our front matter

DATE_BASES = ("stated", "observed")
SOURCE_KEYS = ("url", "file", "sha256", "retrieved", "repo", "commit", "path")
FRONT_MATTER_KEYS = (
    "title",
    "effective",
    "date_basis",
    "announced",
    "stated_date",
    "source",
    "material",
    "material_reason",
    "summary",
)
# Fields that may still change after a version is published (ARCHITECTURE.md, "The store").
EDITABLE_KEYS = frozenset({"summary", "material", "material_reason"})
POLICY_KEYS = ("title", "owner", "url", "supersedes", "notice_period_days", "track")
TRACK_KEYS = ("url", "select", "remove")
SETTINGS_KEYS = ("notice_period_days", "rules", "site_name", "site_url")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the store, reported as ``file: message``."""

    file: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.message}"


@dataclass(frozen=True)
class Source:
    """Where a version's text came from (all optional, kept when known)."""

    url: str | None = None
    file: str | None = None
    sha256: str | None = None
    retrieved: str | None = None
    repo: str | None = None
    commit: str | None = None
    path: str | None = None

    def as_dict(self) -> dict[str, str]:
        return {k: getattr(self, k) for k in SOURCE_KEYS if getattr(self, k) is not None}


@dataclass(frozen=True)
class Version:
    """One published text of a policy, effective from ``effective``."""

    policy_id: str
    version_id: str
    title: str
    effective: str
    date_basis: str
    body: str
    announced: str | None = None
    stated_date: str | None = None
    source: Source = field(default_factory=Source)
    material: bool | None = None  # None: decided by the rules ("auto")
    material_reason: str | None = None
    summary: str | None = None
    path: Path | None = None

    @property
    def ref(self) -> str:
        return f"{self.policy_id}@{self.version_id}"

    @functools.cached_property
    def body_sha256(self) -> str:
        """Hashed once per version: the site keys every comparison and page by it."""
        return hashlib.sha256(self.body.encode("utf-8")).hexdigest()

    @property
    def sort_key(self) -> tuple[int, ...]:
        return version_sort_key(self.version_id)

    @property
    def legal_date(self) -> str:
        """The date a reader is told the text took effect: the date the text states
        for itself (``stated_date``, e.g. "Effective date: November 16, 2020") when
        the importer found one, else the version's own date. The version id stays
        the day the text was published or recorded (see `published`)."""
        return self.stated_date or self.effective

    @property
    def legal_date_basis(self) -> str:
        """``stated`` when `legal_date` comes from the text, else the version's basis."""
        return "stated" if self.stated_date else self.date_basis

    @property
    def published(self) -> str:
        """When the text was published or recorded: the version id's date."""
        return self.version_id

    @property
    def announced_ahead(self) -> bool:
        """Published before the (later) date its text says it takes effect."""
        return self.stated_date is not None and first_day(self.stated_date) > first_day(self.version_id)

    @property
    def effective_date(self) -> dt.date:
        """The first day the version can be in effect (partial dates: their first day):
        its own date, or the later date its text states (a change announced ahead)."""
        own = first_day(self.version_id)
        return first_day(self.stated_date) if self.announced_ahead else own


@dataclass(frozen=True)
class Track:
    """Where a policy's live page is and what of it is the policy (``policydocs track``):
    ``select`` keeps the matching elements (none: the importer finds the article),
    ``remove`` drops elements first (banners, menus inside the article)."""

    url: str
    select: tuple[str, ...] = ()
    remove: tuple[str, ...] = ()


@dataclass(frozen=True)
class Policy:
    """A policy document and its versions, oldest first."""

    id: str
    title: str
    owner: str | None = None
    url: str | None = None
    supersedes: tuple[str, ...] = ()
    notice_period_days: int | None = None
    versions: tuple[Version, ...] = ()
    track: Track | None = None

    def current(self, today: dt.date) -> Version | None:
        """The newest version already in effect on ``today``."""
        live = [v for v in self.versions if v.effective_date <= today]
        return live[-1] if live else None

    def upcoming(self, today: dt.date) -> tuple[Version, ...]:
        return tuple(v for v in self.versions if v.effective_date > today)

    def version(self, version_id: str) -> Version | None:
        for v in self.versions:
            if v.version_id == version_id:
                return v
        return None

    def previous(self, version: Version) -> Version | None:
        idx = self.versions.index(version)
        return self.versions[idx - 1] if idx > 0 else None


@dataclass(frozen=True)
class Settings:
    notice_period_days: int = 0
    rules: str | None = None  # extra materiality rules, relative to the store
    site_name: str | None = None
    site_url: str | None = None  # where the site is published: absolute links in notices, CHANGELOG.md


@dataclass(frozen=True)
class Store:
    root: Path
    policies: dict[str, Policy]
    settings: Settings = field(default_factory=Settings)

    def policy(self, policy_id: str) -> Policy:
        check_policy_id(policy_id)
        try:
            return self.policies[policy_id]
        except KeyError:
            known = ", ".join(self.policies) or "none"
            raise UserError(
                f"{self.root / POLICIES_FILE}: unknown policy '{policy_id}' (known: {known})"
            ) from None

    def resolve(self, ref: str) -> Version:
        """``policy-id@version-id`` → the version (``policy-id`` alone: its newest)."""
        policy_id, _, version_id = ref.partition("@")
        policy = self.policy(policy_id)
        if not version_id:
            if not policy.versions:
                raise UserError(f"{ref}: policy '{policy_id}' has no versions yet")
            return policy.versions[-1]
        check_version_id(version_id, where=ref)
        version = policy.version(version_id)
        if version is None:
            known = ", ".join(v.version_id for v in policy.versions) or "none"
            raise UserError(f"{ref}: no version '{version_id}' of '{policy_id}' (known: {known})")
        return version

    def all_versions(self) -> Iterable[Version]:
        for policy in self.policies.values():
            yield from policy.versions


# --- ids and dates -------------------------------------------------------------------


def policy_id_problem(policy_id: object) -> str | None:
    """Why ``policy_id`` is no valid policy id (it names a folder), or None."""
    if isinstance(policy_id, str) and len(policy_id) > MAX_ID_CHARS:
        return (f"invalid policy id {policy_id[:40] + '…'!r} ({len(policy_id)} characters): "
                f"at most {MAX_ID_CHARS} (MAX_ID_CHARS, docs/limits.md); use a shorter slug")
    if not isinstance(policy_id, str) or not POLICY_ID_RE.fullmatch(policy_id):
        return (f"invalid policy id {policy_id!r}: use lower-case letters, digits and '-' "
                "only, starting with a letter or digit (no '/', '.' or '..')")
    return None


def check_policy_id(policy_id: str, *, where: str = "policy id") -> str:
    problem = policy_id_problem(policy_id)
    if problem:
        raise UserError(f"{where}: {problem}")
    return policy_id


def parse_version_id(value: str) -> tuple[int, ...] | None:
    """The numeric parts of a valid version id, or None when it is not one."""
    m = VERSION_ID_RE.fullmatch(value) if isinstance(value, str) else None
    if not m:
        return None
    parts = tuple(int(p) for p in m.groups() if p is not None)
    try:
        if len(parts) >= 2 and not 1 <= parts[1] <= 12:
            return None
        if len(parts) >= 3:
            dt.date(*parts[:3])
        if len(parts) == 6:
            dt.time(*parts[3:])
    except ValueError:
        return None
    return parts


def check_version_id(value: str, *, where: str = "version id") -> str:
    if parse_version_id(value) is None:
        raise UserError(
            f"{where}: invalid date {value!r}: use an ISO date YYYY-MM-DD, or YYYY-MM / YYYY "
            "when only that is known"
        )
    return value


def version_sort_key(version_id: str) -> tuple[int, ...]:
    parts = parse_version_id(version_id) or (0,)
    return parts + (0,) * (6 - len(parts))


def first_day(version_id: str) -> dt.date:
    parts = parse_version_id(version_id)
    if parts is None:
        raise UserError(f"invalid date {version_id!r}")
    year, month, day = (parts + (1, 1))[:3]
    return dt.date(year, month, day)


def normalise_date(value: Any) -> str | None:
    """YAML gives dates as ``date``/``datetime`` objects; the store speaks ISO strings."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        value = value.astimezone(dt.timezone.utc) if value.tzinfo else value
        return value.strftime("%Y-%m-%dT%H%M%SZ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, int):  # `effective: 2023` is read as an int
        return f"{value:04d}"
    return str(value)


WEB_URL_RE = re.compile(r"https?://[^\s/?#]+[^\s]*", re.ASCII | re.IGNORECASE)


def web_url_problem(value: Any, key: str) -> str | None:
    """Why ``value`` is not an http(s) address (links to it are published), or None.

    A store URL becomes a link on the site and in feeds: ``javascript:``, ``data:``,
    ``file:`` or scheme-relative values are refused here rather than made inert later."""
    if value is None:
        return None
    if not isinstance(value, str) or not WEB_URL_RE.fullmatch(value):
        return (f"'{key}' must be an http:// or https:// address, not {str(value)[:80]!r}; "
                "fix or remove it")
    return None


def today_from_env() -> dt.date:
    """Today's date, or the one SOURCE_DATE_EPOCH fixes (reproducible builds and tests)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.timezone.utc).date()
    return dt.date.today()


# --- YAML and front matter -----------------------------------------------------------


_VALUE_KINDS = {"timestamp": "date", "int": "number", "float": "number"}


class StrictLoader(SAFE_LOADER):  # type: ignore[misc, valid-type]
    """The safe loader, refusing what it would otherwise get silently wrong or crash
    on: a key given twice (PyYAML keeps the last), and a value Python cannot hold
    (``effective: 2023-02-30`` raises ValueError inside PyYAML's date constructor)."""

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep=deep)
        except (ValueError, OverflowError) as exc:
            kind = _VALUE_KINDS.get(node.tag.rsplit(":", 1)[-1], "value")
            raise yaml.constructor.ConstructorError(
                None, None, f"{node.value!r} is not a valid {kind} ({exc})", node.start_mark) from None

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        if isinstance(node, yaml.MappingNode):
            self.flatten_mapping(node)
            seen: set[Any] = set()
            for key_node, _ in node.value:
                key = self.construct_object(key_node, deep=True)
                try:
                    repeated = key in seen
                except TypeError:  # unhashable: PyYAML's own error says so
                    continue
                if repeated:
                    raise yaml.constructor.ConstructorError(
                        None, None, f"key {key!r} is given twice; keep one", key_node.start_mark)
                seen.add(key)
        return super().construct_mapping(node, deep=deep)


def safe_yaml_load(text: str, *, where: str, first_line: int = 1) -> Any:
    """YAML without anchors/aliases (no "billion laughs"), Python tags, repeated keys
    or impossible values; every problem is one `UserError` naming the line (of the
    file: front matter starts on its second line, ``first_line=2``)."""
    try:
        for event in yaml.parse(text, Loader=StrictLoader):
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                raise UserError(
                    f"{where}: YAML anchors and aliases ('&', '*') are not allowed; "
                    "write the values out"
                )
        return yaml.load(text, Loader=StrictLoader)  # noqa: S506 - a SafeLoader
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f" (line {mark.line + first_line})" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise UserError(f"{where}: invalid YAML{line}: {problem}") from None
    except RecursionError:  # the pure-Python loader on deep nesting (libyaml stops at 1000)
        raise UserError(f"{where}: invalid YAML: nested too deeply; flatten it") from None


def unknown_keys(mapping: dict[Any, Any], allowed: Iterable[str]) -> str:
    """The keys of ``mapping`` not in ``allowed``, for a message ('' when none); YAML
    keys may be numbers or dates, so they are sorted and shown as text."""
    return ", ".join(sorted({str(k) for k in mapping} - set(allowed)))


def split_front_matter(text: str, *, where: str) -> tuple[dict[str, Any], str]:
    """``---`` YAML ``---`` then the body, kept exactly as stored."""
    if not text.startswith("---\n"):
        return {}, text
    end = text.find("\n---\n", 3)
    if end == -1:
        if text.endswith("\n---"):
            end = len(text) - 4
        else:
            raise UserError(f"{where}: front matter has no closing '---' line")
    data = safe_yaml_load(text[4 : end + 1], where=where, first_line=2)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise UserError(f"{where}: front matter must be a mapping of keys to values")
    return data, text[end + 5 :]


def dump_yaml(data: dict[str, Any]) -> str:
    return yaml.dump(data, Dumper=SAFE_DUMPER, sort_keys=False, allow_unicode=True, width=1000)


def render_version_file(version: Version) -> str:
    """The file text of a version: front matter in a fixed key order, then the body."""
    meta: dict[str, Any] = {"title": version.title, "effective": version.effective,
                            "date_basis": version.date_basis}
    if version.announced:
        meta["announced"] = version.announced
    if version.stated_date:
        meta["stated_date"] = version.stated_date
    source = version.source.as_dict()
    if source:
        meta["source"] = source
    if version.material is not None:
        meta["material"] = version.material
        meta["material_reason"] = version.material_reason
    if version.summary:
        meta["summary"] = version.summary
    return "---\n" + dump_yaml(meta) + "---\n" + version.body


# --- loading -------------------------------------------------------------------------


def _rel(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root.parent))
    except ValueError:
        return str(path)


def read_file_bytes(path: Path, *, where: str | None = None, limit: int = MAX_FILE_BYTES,
                    too_large: str = FILE_TOO_LARGE, store_file: bool = False) -> bytes:
    """The bytes of a file, read at most ``limit`` bytes, or a `UserError` saying why
    it cannot be read (a ``store_file`` must be a regular file, not a link)."""
    return read_bounded(path, limit=limit, where=where or str(path), too_large=too_large,
                        store_file=store_file)


def read_text_file(path: Path, *, where: str | None = None, store_file: bool = False,
                   limit: int = MAX_FILE_BYTES, too_large: str = FILE_TOO_LARGE) -> str:
    """A UTF-8 text file, read as `read_file_bytes` does."""
    where = where or str(path)
    data = read_file_bytes(path, where=where, limit=limit, too_large=too_large, store_file=store_file)
    if b"\x00" in data:
        raise UserError(f"{where}: binary file (contains NUL bytes), expected UTF-8 text")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UserError(
            f"{where}: not valid UTF-8 (byte {exc.start}); re-save it as UTF-8"
        ) from None


def check_body(body: str, *, where: str) -> None:
    """Refuse a body (of a version, or a text to compare) that the compare engine or a
    Markdown parser could not take in bounded time: over `MAX_COMPARE_BYTES`, or
    nested past `limits.MAX_MARKDOWN_DEPTH`."""
    size = len(body) if body.isascii() else len(body.encode("utf-8"))
    if size > MAX_COMPARE_BYTES:
        raise UserError(f"{where}: the text is {size_text(size)}, larger than {COMPARE_TOO_LARGE}")
    check_markdown_depth(body, where=where)


def parse_version(text: str, *, policy_id: str, version_id: str, path: Path | None,
                  where: str) -> Version:
    """Front matter + body → `Version`, raising `UserError` on the first problem."""
    meta, body = split_front_matter(text, where=where)
    check_body(body, where=where)
    unknown = unknown_keys(meta, FRONT_MATTER_KEYS)
    if unknown:
        raise UserError(
            f"{where}: unknown front-matter key(s) {unknown}; allowed: " + ", ".join(FRONT_MATTER_KEYS)
        )
    title = meta.get("title")
    if not isinstance(title, str) or not title.strip():
        raise UserError(f"{where}: 'title' is missing; give the title as published")
    effective = normalise_date(meta.get("effective"))
    if effective is None:
        raise UserError(f"{where}: 'effective' date is missing")
    if parse_version_id(effective) is None:
        raise UserError(f"{where}: 'effective' {effective!r} is not a valid ISO date")
    if effective != version_id:
        raise UserError(
            f"{where}: file name says {version_id} but 'effective' is {effective}; "
            "they must be the same"
        )
    date_basis = meta.get("date_basis")
    if date_basis not in DATE_BASES:
        raise UserError(f"{where}: 'date_basis' must be 'stated' or 'observed', not {date_basis!r}")
    dates = {}
    for key in ("announced", "stated_date"):
        value = normalise_date(meta.get(key))
        if value is not None and parse_version_id(value) is None:
            raise UserError(f"{where}: '{key}' {value!r} is not a valid ISO date")
        dates[key] = value
    raw_source = meta.get("source") or {}
    if not isinstance(raw_source, dict):
        raise UserError(f"{where}: 'source' must be a mapping ({', '.join(SOURCE_KEYS)})")
    bad = unknown_keys(raw_source, SOURCE_KEYS)
    if bad:
        raise UserError(f"{where}: unknown 'source' key(s) {bad}")
    source = Source(**{k: normalise_date(v) for k, v in raw_source.items()})
    bad_url = web_url_problem(source.url, "source.url")
    if bad_url:
        raise UserError(f"{where}: {bad_url}")
    material = meta.get("material", "auto")
    if material not in ("auto", True, False, None):
        raise UserError(f"{where}: 'material' must be auto, true or false, not {material!r}")
    material = None if material in ("auto", None) else material
    reason = meta.get("material_reason")
    if material is not None and not (isinstance(reason, str) and reason.strip()):
        raise UserError(
            f"{where}: 'material' is overridden without 'material_reason'; say why"
        )
    summary = meta.get("summary")
    if summary is not None and not isinstance(summary, str):
        raise UserError(f"{where}: 'summary' must be text")
    return Version(
        policy_id=policy_id, version_id=version_id, title=title.strip(), effective=effective,
        date_basis=date_basis, body=body, announced=dates["announced"],
        stated_date=dates["stated_date"], source=source, material=material,
        material_reason=reason, summary=summary, path=path,
    )


def _load_registry(root: Path, problems: list[Problem]) -> tuple[dict[str, dict], Settings]:
    registry_path = root / POLICIES_FILE
    where = _rel(registry_path, root)
    if not os.path.lexists(registry_path):
        raise UserError(f"{where}: missing; create it (see docs/store.md)")
    data = safe_yaml_load(read_text_file(registry_path, where=where, store_file=True), where=where) or {}
    if not isinstance(data, dict):
        raise UserError(f"{where}: must be a mapping with a 'policies' key")
    unknown = unknown_keys(data, (*SETTINGS_KEYS, "policies"))
    if unknown:
        problems.append(Problem(where, f"unknown key(s) {unknown}"))
    period = data.get("notice_period_days", 0) or 0
    if not isinstance(period, int) or period < 0:
        problems.append(Problem(where, "'notice_period_days' must be a whole number of days"))
        period = 0
    bad_url = web_url_problem(data.get("site_url"), "site_url")
    if bad_url:
        problems.append(Problem(where, bad_url))
    texts = _text_settings(data, ("rules", "site_name", "site_url"), where, "", problems)
    settings = Settings(notice_period_days=period, **texts)
    policies = data.get("policies") or {}
    if not isinstance(policies, dict):
        raise UserError(f"{where}: 'policies' must map policy ids to their details")
    entries: dict[str, dict] = {}
    for policy_id, entry in policies.items():
        problem = policy_id_problem(policy_id)
        if problem:
            problems.append(Problem(where, problem))
            continue
        if not isinstance(entry, dict):
            problems.append(Problem(where, f"policy '{policy_id}' must be a mapping (title, owner, url)"))
            continue
        bad = unknown_keys(entry, POLICY_KEYS)
        if bad:
            problems.append(Problem(where, f"policy '{policy_id}': unknown key(s) {bad}"))
        if not isinstance(entry.get("title"), str) or not entry["title"].strip():
            problems.append(Problem(where, f"policy '{policy_id}': 'title' is missing"))
        bad_url = web_url_problem(entry.get("url"), "url")
        if bad_url:
            problems.append(Problem(where, f"policy '{policy_id}': {bad_url}"))
        texts = _text_settings(entry, ("owner", "url"), where, f"policy '{policy_id}': ", problems)
        if "track" in entry:
            problems.extend(Problem(where, f"policy '{policy_id}': {message}")
                            for message in track_problems(entry["track"]))
        entries[policy_id] = {**entry, **texts}
    for policy_id, entry in entries.items():
        raw = entry.get("supersedes") or []
        if not isinstance(raw, str) and not (isinstance(raw, list) and all(isinstance(x, str) for x in raw)):
            problems.append(Problem(where, f"policy '{policy_id}': 'supersedes' must be a policy id "
                                           "or a list of them"))
        for other in _supersedes(entry):
            if other not in entries:
                problems.append(Problem(where, f"policy '{policy_id}' supersedes unknown policy '{other}'"))
            elif other == policy_id:
                problems.append(Problem(where, f"policy '{policy_id}' cannot supersede itself"))
    return entries, settings


def _text_settings(data: dict[str, Any], keys: tuple[str, ...], where: str, prefix: str,
                   problems: list[Problem]) -> dict[str, str | None]:
    """The values of ``keys`` that must be text (a file name, a URL, a name); any other
    value is a problem and reads as unset, so that no later use of it can crash."""
    out: dict[str, str | None] = {}
    for key in keys:
        value = data.get(key)
        if value is not None and not isinstance(value, str):
            problems.append(Problem(where, f"{prefix}'{key}' must be text"))
            value = None
        out[key] = value
    return out


def _supersedes(entry: dict[str, Any]) -> list[str]:
    """The policy ids a registry entry supersedes (one id or a list; other values dropped)."""
    raw = entry.get("supersedes") or []
    items = [raw] if isinstance(raw, str) else raw if isinstance(raw, list) else []
    return [item for item in items if isinstance(item, str)]


def _link_problem(path: Path, root: Path) -> Problem:
    return Problem(_rel(path, root), "is a symbolic link; the store holds only its own files and "
                                     "folders: replace the link with what it points to")


def _version_files(folder: Path, root: Path, problems: list[Problem]) -> list[tuple[Path, str]]:
    """(path, version id) of each version file in a policy folder; anything else there
    (links, folders, other names) is a problem."""
    found = []
    for path in sorted(folder.iterdir()):
        where = _rel(path, root)
        if path.name.startswith("."):
            continue
        if path.is_symlink():
            problems.append(_link_problem(path, root))
        elif path.is_dir():
            problems.append(Problem(where, "is a folder; versions are files <version-id>.md"))
        elif path.suffix != ".md" or not path.is_file():
            problems.append(Problem(where, "unexpected file; versions are <version-id>.md"))
        elif parse_version_id(path.stem) is None:
            problems.append(Problem(where, f"file name {path.name!r} is not a valid "
                                           "ISO date (YYYY-MM-DD, YYYY-MM or YYYY)"))
        else:
            found.append((path, path.stem))
    return found


def track_problems(value: Any) -> list[str]:
    """What is wrong with a ``track`` declaration, one message each: a policy whose
    page cannot be fetched or whose selectors cannot run is refused by ``check``, not
    found out on the scheduled run."""
    if not isinstance(value, dict):
        return [f"'track' must be a mapping ({', '.join(TRACK_KEYS)})"]
    out = []
    bad = sorted(str(k) for k in set(value) - set(TRACK_KEYS))
    if bad:
        out.append(f"'track': unknown key(s) {', '.join(bad)}; allowed: {', '.join(TRACK_KEYS)}")
    if value.get("url") is None:
        out.append("'track.url' is missing; give the address of the live page")
    else:
        bad_url = web_url_problem(value.get("url"), "track.url")
        if bad_url:
            out.append(bad_url)
    for key in ("select", "remove"):
        selectors = value.get(key)
        if selectors is None:
            continue
        if isinstance(selectors, str):
            selectors = [selectors]
        if not isinstance(selectors, list) or not selectors:
            out.append(f"'track.{key}' must be a list of CSS selectors")
            continue
        for selector in selectors:
            problem = selector_problem(selector)
            if problem:
                out.append(f"'track.{key}': {problem}")
    return out


def selector_problem(selector: Any) -> str | None:
    """Why ``selector`` is not a CSS selector BeautifulSoup can run (soupsieve), or None."""
    import soupsieve  # BeautifulSoup's selector engine: only when a store tracks pages

    if not isinstance(selector, str) or not selector.strip():
        return f"{str(selector)[:80]!r} is not a CSS selector"
    try:
        soupsieve.compile(selector)
    except (soupsieve.SelectorSyntaxError, TypeError, ValueError) as exc:
        first = str(exc).splitlines()[0]
        return f"invalid CSS selector {selector[:80]!r} ({first}); fix it"
    return None


def parse_track(value: Any) -> Track | None:
    """The declaration as a `Track`, or None when it is invalid (``check`` says why)."""
    if track_problems(value):
        return None

    def selectors(key: str) -> tuple[str, ...]:
        found = value.get(key) or ()
        return (found,) if isinstance(found, str) else tuple(found)

    return Track(url=value["url"], select=selectors("select"), remove=selectors("remove"))


def load_store(root: Path) -> tuple[Store, list[Problem]]:
    """Load everything that is valid and list every problem found."""
    root = Path(root)
    # A folder holding nothing yet is what a command killed while creating the store leaves.
    if not root.is_dir() or not ((root / POLICIES_FILE).exists() or _holds_files(root)):
        raise UserError(f"{root}: no policy store here (expected a folder with {POLICIES_FILE})")
    problems: list[Problem] = []
    entries, settings = _load_registry(root, problems)
    policies: dict[str, Policy] = {}
    for path in sorted(root.iterdir()):
        if path.name.startswith(".") or path.name == POLICIES_FILE:
            continue
        if path.is_symlink():
            problems.append(_link_problem(path, root))
        # An empty folder holds no policy (git does not even keep it): what a command
        # killed between making a policy's folder and declaring it leaves.
        elif path.is_dir() and path.name not in entries and _holds_files(path):
            problems.append(Problem(_rel(path, root),
                                    f"policy folder is not declared in {POLICIES_FILE}; add it there"))
    for policy_id, entry in entries.items():
        folder = root / policy_id
        versions: list[Version] = []
        if folder.is_symlink():
            continue  # a link is reported above, and its versions are not read
        if not folder.is_dir():
            if "track" not in entry:  # a tracked policy's first `track` makes its folder
                problems.append(missing_folder_problem(root, policy_id))
        else:
            for path, version_id in _version_files(folder, root, problems):
                where = _rel(path, root)
                try:
                    text = read_text_file(path, where=where, store_file=True)
                    versions.append(parse_version(text, policy_id=policy_id,
                                                  version_id=version_id, path=path, where=where))
                except UserError as exc:
                    problems.append(Problem(where, str(exc).removeprefix(f"{where}: ")))
        versions.sort(key=lambda v: v.sort_key)
        problems.extend(_same_day_problems(versions, root))
        period = entry.get("notice_period_days")
        policies[policy_id] = Policy(
            id=policy_id, title=str(entry.get("title") or policy_id).strip(),
            owner=entry.get("owner"), url=entry.get("url"),
            supersedes=tuple(s for s in _supersedes(entry) if s in entries and s != policy_id),
            notice_period_days=period if isinstance(period, int) else None,
            versions=tuple(versions),
            track=parse_track(entry["track"]) if "track" in entry else None,
        )
    return Store(root=root, policies=policies, settings=settings), problems


def missing_folder_problem(root: Path, policy_id: str) -> Problem:
    """A declared policy without its folder: what an older policydocs, killed during an
    import, left (issue #14); an import that writes the policy makes the folder."""
    return Problem(_rel(root / POLICIES_FILE, root), f"policy '{policy_id}' has no folder {policy_id}/")


def _holds_files(folder: Path) -> bool:
    """Whether ``folder`` holds anything but dot-files (such as temporary files) and
    folders that hold nothing."""
    return any(not entry.name.startswith(".") and (not entry.is_dir() or _holds_files(Path(entry.path)))
               for entry in os.scandir(folder))


def _same_day_problems(versions: list[Version], root: Path) -> list[Problem]:
    """Two versions on one date: a day holds one date-only version, or only
    time-precise ones (``--keep-all``), never both."""
    out = []
    by_day: dict[str, list[Version]] = {}
    for v in versions:
        by_day.setdefault(v.version_id[:10], []).append(v)
    for day, group in by_day.items():
        if len(group) > 1 and any(len(v.version_id) <= 10 for v in group):
            names = " and ".join(v.path.name for v in group)
            out.append(Problem(_rel(group[-1].path, root), f"two versions on one date ({day}): {names}"))
    return out


def open_store(root: Path) -> Store:
    """Load the store for commands that need it whole: stop at the first problem."""
    store, problems = load_store(root)
    if problems:
        more = f" (and {len(problems) - 1} more; run 'policydocs check')" if len(problems) > 1 else ""
        raise UserError(f"{problems[0]}{more}")
    return store


# --- writing -------------------------------------------------------------------------


def version_path(root: Path, policy_id: str, version_id: str) -> Path:
    check_policy_id(policy_id)
    check_version_id(version_id)
    return Path(root) / policy_id / f"{version_id}.md"


def _checked_version_file(root: Path, version: Version) -> tuple[Path, str]:
    """The path and text of a new version, proved to read back as the same version."""
    path = version_path(root, version.policy_id, version.version_id)
    text = render_version_file(version)
    parse_version(text, policy_id=version.policy_id, version_id=version.version_id,
                  path=path, where=str(path))
    return path, text


def _write_new_file(path: Path, text: str, *, sync_dir: bool = True) -> None:
    try:
        atomic_write_text(path, text, overwrite=False, sync_dir=sync_dir)
    except FileExistsError:
        raise UserError(f"{path}: exists already; published versions are never overwritten") from None


def write_version(root: Path, version: Version) -> Path:
    """Write a new version file atomically; an existing file is never overwritten."""
    path, text = _checked_version_file(root, version)
    _write_new_file(path, text)
    return path


def write_registry(root: Path, data: dict[str, Any]) -> None:
    atomic_write_text(Path(root) / POLICIES_FILE, dump_yaml(data))


def store_lock(root: Path) -> WriteLock:
    """The store's write lock; taking it removes the temporary files of killed writes."""
    return WriteLock(root, clean=_remove_store_temp_files)


def _remove_store_temp_files(root: Path) -> None:
    remove_temp_files([root, *(p for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))])


def add_to_store(root: Path, registry: dict[str, Any], new_registry: dict[str, Any],
                 versions: Sequence[Version], *, lock: WriteLock,
                 progress: ProgressCallback | None = None) -> list[Path]:
    """Write ``new_registry`` and new ``versions`` so that a kill at any instant leaves a
    valid store (docs/store.md, "Crash safety"): every version is checked before anything
    is written; then each policy's folder is made, then ``policies.yml`` declares the
    policy, then its version files land (their folders synced once, after the last)."""
    root = Path(root)
    checked = [_checked_version_file(root, v) for v in versions]
    lock.acquire(create=True)
    new_ids = set(new_registry.get("policies") or {}) - set(registry.get("policies") or {})
    folders = sorted({root / policy_id for policy_id in new_ids} | {path.parent for path, _ in checked})
    for folder in folders:
        make_dirs(folder)
    if new_registry != registry:
        write_registry(root, new_registry)
    for done, (path, text) in enumerate(checked, 1):
        _write_new_file(path, text, sync_dir=False)
        if progress:
            progress("writing", done, len(checked))
    for folder in folders:
        fsync_dir(folder)
    return [path for path, _ in checked]


def read_registry(root: Path) -> dict[str, Any]:
    path = Path(root) / POLICIES_FILE
    if not os.path.lexists(path):
        return {"policies": {}}
    data = safe_yaml_load(read_text_file(path, store_file=True), where=str(path)) or {}
    if not isinstance(data, dict):
        raise UserError(f"{path}: must be a mapping with a 'policies' key")
    data.setdefault("policies", {})
    return data


def with_policy(registry: dict[str, Any], policy_id: str, **details: Any) -> dict[str, Any]:
    """The registry with ``policy_id`` declared (details only fill what is missing)."""
    registry = dict(registry)
    policies = dict(registry.get("policies") or {})
    entry = dict(policies.get(policy_id) or {})
    for key, value in details.items():
        if value is not None and key not in entry:
            entry[key] = value
    policies[policy_id] = entry
    registry["policies"] = policies
    return registry


__all__ = [
    "Policy", "Problem", "Settings", "Source", "Store", "Track", "Version", "EDITABLE_KEYS",
    "check_policy_id", "check_version_id", "load_store", "open_store", "parse_version",
    "render_version_file", "split_front_matter", "write_version",
]


# --- immutability --------------------------------------------------------------------


def immutability_problems(root: Path, against: str | None = None) -> tuple[list[Problem], str | None]:
    """Published version files that changed since they were published, and a note
    when nothing could be compared (then the problems are none).

    The published state is git ref ``against``, by default HEAD; an explicit ref
    that names no commit is a `UserError`. Without one, a store outside any git
    repository, or in a repository with no commits yet, has nothing to compare with
    (the note says which). Only the editable fields (summary, material,
    material_reason) may differ; the body and every other field must be the same,
    byte for byte.
    """
    tree, note = _published_tree(Path(root), against)
    if tree is None:
        return [], note
    root, prefix = Path(root).resolve(), tree.path
    label = against or "HEAD"
    problems: list[Problem] = []
    for blob in tree.traverse():
        if blob.type != "blob" or not blob.path.endswith(".md"):
            continue
        rel = Path(blob.path).relative_to(prefix)
        if len(rel.parts) != 2:
            continue
        where = f"{root.name}/{rel.as_posix()}"
        path = root / rel
        published = blob.data_stream.read()
        if not os.path.lexists(path):
            problems.append(Problem(where, f"published version was deleted (it exists at {label}); "
                                           "restore it: published versions are immutable"))
            continue
        if path.is_symlink() or path.is_dir():
            continue  # not a version file: load_store reports it
        try:
            current = read_file_bytes(path, where=where, store_file=True)
        except UserError as exc:
            problems.append(Problem(where, str(exc).removeprefix(f"{where}: ")))
            continue
        if current == published:
            continue
        problems.extend(_frozen_field_problems(published, current, where, label))
    return problems, None


def _published_tree(root: Path, against: str | None) -> tuple[git.Tree | None, str | None]:
    """The store's folder at the published commit (a git tree), or None and why."""
    try:
        import git  # gitpython; imported here so store reading needs no git
    except ImportError:  # gitpython refuses to load without a git executable
        if against is not None:
            raise UserError(f"--against {against}: git is not installed") from None
        return None, "immutability not checked: git is not installed"
    try:
        repo = git.Repo(root.resolve(), search_parent_directories=True)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        if against is not None:
            raise UserError(f"{root}: not inside a git repository; --against needs git history") from None
        return None, f"immutability not checked: {root} is not in a git repository"
    if against is None and not repo.head.is_valid():
        return None, (f"immutability not checked: the git repository of {root} has no commits yet, "
                      "so nothing is published")
    label = against or "HEAD"
    try:
        commit = repo.commit(label)
    except (git.BadName, ValueError, git.GitCommandError):
        raise UserError(f"--against {label}: no such commit, branch or tag in {repo.working_dir}") from None
    prefix = root.resolve().relative_to(Path(repo.working_tree_dir).resolve()).as_posix()
    try:
        return (commit.tree / prefix if prefix != "." else commit.tree), None
    except KeyError:
        return None, f"immutability not checked: {root} is not in {label} yet, so nothing of it is published"


def _frozen_field_problems(published: bytes, current: bytes, where: str, against: str) -> list[Problem]:
    fix = "published versions are immutable: put the change in a new version"
    try:
        old_meta, old_body = split_front_matter(published.decode("utf-8"), where=where)
        new_meta, new_body = split_front_matter(current.decode("utf-8"), where=where)
    except (UserError, UnicodeDecodeError):
        return [Problem(where, f"changed since {against}; {fix}")]
    out = []
    if old_body != new_body:
        out.append(Problem(where, f"body changed since {against}; {fix}"))
    frozen = sorted((set(old_meta) | set(new_meta)) - EDITABLE_KEYS)
    changed = [k for k in frozen if old_meta.get(k) != new_meta.get(k)]
    if changed:
        out.append(Problem(where, f"frozen field(s) {', '.join(changed)} changed since {against}; "
                                  "only summary, material and material_reason may change"))
    return out
