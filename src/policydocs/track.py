"""Tracking live policy pages (issue #13): fetch each declared page, extract its
text with the declaration through the import pipeline, and record a new version
only when the text really changed.

The order of a run is fixed: policies in the store's order, one request at a time
(so never two at once to one host). Every failure is decided before anything is
written for that policy, so a failed policy leaves the store untouched while the
others are still processed. What was recorded is written as ``import`` writes:
under the store's lock, the raw snapshot first (content-addressed in
``<store>/.snapshots/``, a dot-folder the store loader and the site ignore), then
the version file through `policydocs.store.add_to_store`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable
from urllib.parse import urljoin, urlsplit

from policydocs import __version__
from policydocs.errors import UserError
from policydocs.fsutil import atomic_write_bytes
from policydocs.ingest.sources import MAX_SOURCE_BYTES
from policydocs.store import (
    Policy, Source, Store, Track, Version, add_to_store, open_store, read_registry, store_lock,
)

USER_AGENT = f"policydocs/{__version__} (+https://github.com/policydocs/policydocs; policy tracking)"
SNAPSHOTS = ".snapshots"
HTML_TYPES = ("text/html", "application/xhtml+xml")
LOGIN_URL = re.compile(r"(?i)(log-?in|sign-?in|signon|/auth(?:enticate)?\b|/sso\b)")
SHRINK_LIMIT = 0.5  # a text less than half as long as the latest: a broken page, not a new policy
_QUERY_IN_LINK = re.compile(r"(\]\([^)\s?#]*)\?[^)\s#]*")
_QUERY_IN_URL = re.compile(r"((?:https?:)?//[^\s)?#\"']+)\?[^\s)#\"']*")


@dataclass(frozen=True)
class FetchLimits:
    """How patient and how bounded a fetch is: every wait and every byte has a limit."""

    connect_timeout: float = 10.0
    read_timeout: float = 30.0
    retries: int = 2  # extra attempts after a 5xx or a timeout
    backoff: float = 2.0  # seconds before the first retry, doubled each time
    max_redirects: int = 5
    max_bytes: int = MAX_SOURCE_BYTES


DEFAULT_LIMITS = FetchLimits()


class TrackFailure(Exception):
    """One tracked policy could not be fetched or extracted: what went wrong, what to do."""


@dataclass(frozen=True)
class Snapshot:
    """The raw bytes of one fetched page and where and when they came from."""

    url: str  # after redirects
    data: bytes
    retrieved: str  # ISO 8601 UTC date-time
    content_type: str

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


@dataclass(frozen=True)
class Outcome:
    """What ``track`` did for one policy (one output line, one JSON object)."""

    policy: str
    url: str
    status: str  # unchanged | new | failed
    ref: str | None = None
    verdict: str | None = None  # material | editorial (new versions)
    message: str = ""
    path: str | None = None

    def line(self) -> str:
        if self.status == "unchanged":
            return f"{self.policy}: unchanged"
        if self.status == "new":
            return f"{self.policy}: new version {self.ref} ({self.verdict})"
        return f"{self.policy}: failed: {self.message}"

    def as_dict(self) -> dict:
        out = {"policy": self.policy, "url": self.url, "status": self.status}
        for key in ("ref", "verdict", "path"):
            if getattr(self, key) is not None:
                out[key] = getattr(self, key)
        if self.message:
            out["message"] = self.message
        return out


# --- fetching ----------------------------------------------------------------------------


def make_client(limits: FetchLimits = DEFAULT_LIMITS):
    """An httpx client that follows no redirect by itself (`fetch` checks each hop)."""
    import httpx

    timeout = httpx.Timeout(limits.read_timeout, connect=limits.connect_timeout)
    return httpx.Client(headers={"User-Agent": USER_AGENT, "Accept": "text/html,application/xhtml+xml"},
                        timeout=timeout, follow_redirects=False, trust_env=False)


def fetch(client, url: str, limits: FetchLimits = DEFAULT_LIMITS, *,
          sleep: Callable[[float], None] = time.sleep) -> Snapshot:
    """GET ``url``: redirects followed up to the limit and only on the same host, 5xx
    and timeouts retried with a doubling pause, the body read in chunks and given up
    past ``max_bytes`` — a tracked page is never trusted to be small or quick."""
    host = _host(url)
    current = url
    for _ in range(limits.max_redirects + 1):
        result = _get_with_retries(client, current, limits, sleep)
        if isinstance(result, Snapshot):
            return result
        target = urljoin(current, result)
        if _host(target) != host:
            raise TrackFailure(f"{current} redirects to another host ({target}); the page moved: "
                               "check it and update track.url")
        current = target
    raise TrackFailure(f"more than {limits.max_redirects} redirects from {url}; open it in a browser "
                       "and set track.url to where it ends")


def _host(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


def _get_with_retries(client, url: str, limits: FetchLimits,
                      sleep: Callable[[float], None]) -> Snapshot | str:
    """One hop: the page, or the ``Location`` of a redirect."""
    import httpx

    pause = limits.backoff
    for attempt in range(limits.retries + 1):
        last = attempt == limits.retries
        try:
            with client.stream("GET", url) as response:
                if response.status_code < 500 or last:
                    return _read_response(response, url, limits)
        except httpx.TimeoutException:
            if last:
                raise TrackFailure(f"{url} timed out {limits.retries + 1} times; the site is slow "
                                   "or down: run track again later") from None
        except httpx.HTTPError as exc:
            raise TrackFailure(f"{url}: cannot connect ({type(exc).__name__}: {exc}); check the "
                               "address and the network") from None
        sleep(pause)  # a 5xx or a timeout: the site is busy, give it a moment
        pause *= 2
    raise AssertionError("unreachable")  # pragma: no cover


def _read_response(response, url: str, limits: FetchLimits) -> Snapshot | str:
    status = response.status_code
    if status in (301, 302, 303, 307, 308):
        location = response.headers.get("location")
        if not location:
            raise TrackFailure(f"{url}: HTTP {status} redirect without a Location; check the page")
        return location
    if status in (404, 410):
        raise TrackFailure(f"{url}: HTTP {status} (page gone); find where the policy moved and "
                           "update track.url, or remove track")
    if status >= 500:
        raise TrackFailure(f"{url}: HTTP {status} after retries; the site is failing: run track "
                           "again later")
    if status != 200:
        raise TrackFailure(f"{url}: HTTP {status}; open the page in a browser and fix track.url")
    content_type = response.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type not in HTML_TYPES:
        raise TrackFailure(f"{url}: not an HTML page ({content_type or 'no content type'}); "
                           "track.url must be the policy's web page")
    declared = response.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limits.max_bytes:
        raise TrackFailure(_too_big(url, limits))
    chunks, total = [], 0
    for chunk in response.iter_bytes():
        total += len(chunk)
        if total > limits.max_bytes:
            raise TrackFailure(_too_big(url, limits))
        chunks.append(chunk)
    return Snapshot(url=str(response.url), data=b"".join(chunks), retrieved=_now_iso(),
                    content_type=content_type)


def _too_big(url: str, limits: FetchLimits) -> str:
    size = limits.max_bytes
    limit = f"{size // 1048576} MB" if size >= 1048576 else f"{size // 1024} kB"
    return f"{url}: larger than {limit}, more than any policy page; check track.url"


def now_utc() -> dt.datetime:
    """The fetch time, or the one SOURCE_DATE_EPOCH fixes (reproducible runs and tests)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.timezone.utc)
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0)


def _now_iso() -> str:
    return now_utc().strftime("%Y-%m-%dT%H:%M:%SZ")


# --- extracting ----------------------------------------------------------------------------


def declared_html(data: bytes, track: Track, *, where: str) -> bytes:
    """The page cut down to the declaration: ``remove`` then ``select``, as UTF-8 HTML
    that keeps the page's title and canonical link (the importer reads both)."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(data, "lxml")
    if soup.find("input", attrs={"type": re.compile("^password$", re.I)}):
        raise TrackFailure(f"{where}: the page asks for a password (a login page, not the policy); "
                           "track.url must be the public page")
    for selector in track.remove:
        for tag in soup.select(selector):
            tag.decompose()
    head = "".join(str(t) for t in (soup.title, soup.find("link", rel="canonical")) if t is not None)
    if not track.select:
        return str(soup).encode("utf-8")
    found = []
    for selector in track.select:
        found.extend(soup.select(selector))
    kept = [t for t in _unique(found) if not any(p in found for p in t.parents)]
    if not kept:
        raise TrackFailure(f"{where}: select {', '.join(track.select)} matches nothing; the page "
                           "changed its layout: fix track.select (see docs/tracking.md)")
    body = "\n".join(str(t) for t in kept)
    return f"<!doctype html><html><head>{head}</head><body><article>{body}</article></body></html>".encode()


def _unique(tags: list) -> list:
    seen, out = set(), []
    for tag in tags:
        if id(tag) not in seen:
            seen.add(id(tag))
            out.append(tag)
    return out


def normalised(body: str) -> str:
    """The text a version is decided on: query strings of links dropped (cache
    busting) and all whitespace collapsed. Markup, class names and attribute order
    are gone already: the importer turns the HTML into Markdown."""
    body = _QUERY_IN_LINK.sub(r"\1", body)
    body = _QUERY_IN_URL.sub(r"\1", body)
    return " ".join(body.split())


# --- one policy ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    """A version decided for one policy and the snapshot that produced it, not yet written."""

    version: Version
    snapshot: Snapshot
    material: bool


def decide(policy: Policy, snapshot: Snapshot, *, accept_shrink: bool,
           rules, today: dt.date) -> Candidate | None:
    """The new version a snapshot gives, None when the text did not change, or a
    `TrackFailure` (nothing of a failure is written)."""
    from policydocs.ingest import article_from_bytes

    track = policy.track
    assert track is not None
    where = f"{policy.id} ({snapshot.url})"
    if LOGIN_URL.search(urlsplit(snapshot.url).path):
        raise TrackFailure(f"{where}: the page went to a login page; track.url must be the public page")
    html = declared_html(snapshot.data, track, where=where)
    try:
        article = article_from_bytes(html, name=f"{policy.id}.html", where=where, kind="html",
                                     base_url=track.url)
    except UserError as exc:
        raise TrackFailure(f"{exc}; check track.select and the page") from None
    latest = policy.versions[-1] if policy.versions else None
    if latest is not None:
        old, new = normalised(latest.body), normalised(article.body)
        if old == new:
            return None
        if len(new) < SHRINK_LIMIT * len(old) and not accept_shrink:
            raise TrackFailure(f"{where}: the text shrank from {len(old)} to {len(new)} characters, "
                               "likely a broken page, not a new policy; check the page and "
                               "track.select, or run track --accept-shrink if it really is shorter")
    version_id, basis, stated_date = _decide_date(policy, article.stated, today)
    title = article.title or policy.title
    version = Version(
        policy_id=policy.id, version_id=version_id, title=title, effective=version_id,
        date_basis=basis, body=article.body, stated_date=stated_date,
        source=Source(url=track.url, sha256=snapshot.sha256, retrieved=snapshot.retrieved),
    )
    material = True
    if latest is not None:
        from policydocs.compare import compare
        from policydocs.materiality import assess

        comparison = assess(compare(latest.body, version.body), rules)
        if not comparison.changes:
            return None
        material = comparison.material
    return Candidate(version=version, snapshot=snapshot, material=material)


def _decide_date(policy: Policy, stated, today: dt.date) -> tuple[str, str, str | None]:
    """The text's own date when it is new and not in the future; else the fetch date,
    observed (a stated date is kept as ``stated_date``)."""
    latest = policy.versions[-1].version_id if policy.versions else ""
    taken = {v.version_id for v in policy.versions}
    if stated is not None and stated.iso > latest and stated.iso <= today.isoformat() \
            and stated.iso not in taken:
        return stated.iso, "stated", None
    version_id = today.isoformat()
    if version_id in taken or version_id < latest:
        raise TrackFailure(f"{policy.id}: the page changed again but {policy.id}@{latest} is already "
                           "recorded for that date; review it and run track tomorrow")
    return version_id, "observed", stated.iso if stated is not None else None


def snapshot_path(root: Path, sha256: str) -> Path:
    """Where a snapshot's bytes are kept: by their hash, so the same bytes are kept once."""
    return Path(root) / SNAPSHOTS / sha256[:2] / f"{sha256}.html"


def write_candidate(root: Path, candidate: Candidate, lock) -> Path:
    """The snapshot, then the version (crash-safe: a version never names a missing snapshot)."""
    from policydocs.crashsafe import make_dirs

    target = snapshot_path(root, candidate.snapshot.sha256)
    if not target.exists():
        make_dirs(target.parent)
        atomic_write_bytes(target, candidate.snapshot.data)
    registry = read_registry(root)
    (written,) = add_to_store(root, registry, registry, [candidate.version], lock=lock)
    return written


# --- a run ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TrackReport:
    outcomes: tuple[Outcome, ...] = field(default=())

    @property
    def failed(self) -> bool:
        return any(o.status == "failed" for o in self.outcomes)


def tracked_policies(store: Store, names: Iterable[str]) -> list[Policy]:
    """The policies to track: those named (each must declare ``track``), else every one
    that declares it."""
    names = list(names)
    if names:
        chosen = [store.policy(name) for name in names]
        for policy in chosen:
            if policy.track is None:
                raise UserError(f"{policy.id}: declares no 'track' in policies.yml; add "
                                "track: {url: ..., select: [...]} (docs/tracking.md)")
        return chosen
    chosen = [p for p in store.policies.values() if p.track is not None]
    if not chosen:
        raise UserError(f"{store.root}/policies.yml: no policy declares 'track'; add one "
                        "(docs/tracking.md)")
    return chosen


def run_track(store_root: Path, names: Iterable[str] = (), *, accept_shrink: bool = False,
              limits: FetchLimits | None = None, client=None,
              sleep: Callable[[float], None] = time.sleep) -> TrackReport:
    """Track the policies, one at a time, and report one `Outcome` each."""
    from policydocs.materiality import load_rules

    limits = limits or DEFAULT_LIMITS
    store_root = Path(store_root)
    store = open_store(store_root)
    policies = tracked_policies(store, names)
    rules = load_rules(store)
    today = now_utc().date()
    outcomes = []
    own_client = client is None
    client = client or make_client(limits)
    try:
        with store_lock(store_root) as lock:
            for policy in policies:
                outcomes.append(_track_one(store, policy, client, limits, sleep, lock,
                                           accept_shrink=accept_shrink, rules=rules, today=today))
    finally:
        if own_client:
            client.close()
    return TrackReport(outcomes=tuple(outcomes))


def _track_one(store: Store, policy: Policy, client, limits: FetchLimits, sleep, lock, *,
               accept_shrink: bool, rules, today: dt.date) -> Outcome:
    url = policy.track.url
    try:
        snapshot = fetch(client, url, limits, sleep=sleep)
        candidate = decide(policy, snapshot, accept_shrink=accept_shrink, rules=rules, today=today)
        if candidate is None:
            return Outcome(policy=policy.id, url=url, status="unchanged")
        written = write_candidate(store.root, candidate, lock)
    except TrackFailure as exc:
        return Outcome(policy=policy.id, url=url, status="failed", message=str(exc))
    except UserError as exc:
        return Outcome(policy=policy.id, url=url, status="failed", message=f"{exc}")
    return Outcome(policy=policy.id, url=url, status="new", ref=candidate.version.ref,
                   verdict="material" if candidate.material else "editorial", path=str(written))


__all__ = ["DEFAULT_LIMITS", "FetchLimits", "Outcome", "Snapshot", "TrackFailure", "TrackReport",
           "USER_AGENT", "declared_html", "fetch", "normalised", "run_track", "snapshot_path"]
