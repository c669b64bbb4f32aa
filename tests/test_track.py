"""``policydocs track`` against a real HTTP server on 127.0.0.1: a version only when the
text changed, its provenance and snapshot, and every failure one line with nothing
written for that policy while the others go on."""

from __future__ import annotations

import json
import textwrap
import threading
import time
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

import policydocs.track as track_module
from policydocs.cli import main
from policydocs.store import load_store
from policydocs.track import USER_AGENT, snapshot_path

from conftest import snapshot

MAX_REQUESTS = 400  # a bound on every test's traffic: a retry loop gone wrong fails, not hangs
DAY1, DAY2 = "1733011200", "1733097600"  # 2024-12-01, 2024-12-02 (SOURCE_DATE_EPOCH)

POLICY = """\
<!doctype html>
<html><head><title>Privacy Policy - Example</title>
<link rel="stylesheet" href="/site.css?v={v}"></head>
<body>
<nav class="{nav_class}"><a href="/">Home</a> <a href="/about">About us</a></nav>
{banner}
<main><article class="{article_class}" {attrs}>
<h1>Privacy Policy</h1>
<p>We collect your email address to create your account.</p>
<p>We keep your data for {days} days after you close your account.</p>
<p>You can ask us for a copy of your data at any time; read the <a href="/faq?utm={v}">FAQ</a>.</p>
<p>We never sell your personal data to anyone.</p>
{extra}
</article></main>
<footer>© Example</footer>
</body></html>
"""


def page(days: int = 30, v: str = "1", nav_class: str = "menu", banner: str = "",
         article_class: str = "policy", attrs: str = 'id="p" data-x="1"', extra: str = "") -> bytes:
    return POLICY.format(days=days, v=v, nav_class=nav_class, banner=banner,
                         article_class=article_class, attrs=attrs, extra=extra).encode()


class Site:
    """What the server answers, by path; a test changes it between runs."""

    def __init__(self):
        self.routes: dict[str, dict] = {}
        self.requests: list[tuple[str, dict]] = []
        self.lock = threading.Lock()

    def set(self, path: str, body: bytes = b"", status: int = 200, content_type: str = "text/html; charset=utf-8",
            headers: dict | None = None, delay: float = 0.0, length: bool = True) -> None:
        self.routes[path] = dict(body=body, status=status, content_type=content_type,
                                 headers=headers or {}, delay=delay, length=length)


@pytest.fixture
def site():
    state = Site()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - http.server's name
            with state.lock:
                state.requests.append((self.path, dict(self.headers)))
                count = len(state.requests)
            route = state.routes.get(self.path.split("?")[0])
            if route is None or count > MAX_REQUESTS:
                self.send_response(404)
                self.send_header("Content-Type", "text/html")
                self.end_headers()
                self.wfile.write(b"<html><body>not found</body></html>")
                return
            if route["delay"]:
                time.sleep(route["delay"])
            self.send_response(route["status"])
            self.send_header("Content-Type", route["content_type"])
            for key, value in route["headers"].items():
                self.send_header(key, value)
            if route["length"]:
                self.send_header("Content-Length", str(len(route["body"])))
            self.end_headers()
            try:
                self.wfile.write(route["body"])
            except (BrokenPipeError, ConnectionResetError):
                pass

        def log_message(self, *args):  # quiet
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    state.base = f"http://127.0.0.1:{server.server_address[1]}"
    yield state
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)
    assert len(state.requests) <= MAX_REQUESTS


@pytest.fixture(autouse=True)
def quick_limits(monkeypatch):
    """Real limits, only shorter: the failure tests must not wait the production pauses."""
    monkeypatch.setattr(track_module, "DEFAULT_LIMITS",
                        replace(track_module.DEFAULT_LIMITS, connect_timeout=2.0, read_timeout=0.5,
                                backoff=0.01, max_bytes=200_000))
    monkeypatch.setenv("SOURCE_DATE_EPOCH", DAY1)


def make_store(tmp_path: Path, site: Site, policies: dict[str, dict]) -> Path:
    root = tmp_path / "policy_versions"
    root.mkdir(exist_ok=True)
    policies = json.loads(json.dumps(policies))  # no shared lists: YAML would write anchors
    registry = {"policies": {pid: {"title": pid.replace("-", " ").title(),
                                   "track": {"url": site.base + decl.pop("path"), **decl}}
                             for pid, decl in policies.items()}}
    (root / "policies.yml").write_text(yaml.safe_dump(registry, sort_keys=False))
    return root


def track(root: Path, *args: str, day: str | None = None, monkeypatch=None):
    env = {"SOURCE_DATE_EPOCH": day} if day else {}
    return CliRunner().invoke(main, ["track", "--store", str(root), *args], env=env)


DECL = {"select": ["main article"], "remove": [".cookie-banner", "nav"]}


def versions(root: Path, policy: str) -> list[Path]:
    folder = root / policy
    return sorted(folder.glob("*.md")) if folder.is_dir() else []


@pytest.fixture
def tracked(tmp_path, site):
    """One policy tracked and recorded once on DAY1."""
    site.set("/privacy", page())
    root = make_store(tmp_path, site, {"privacy": {"path": "/privacy", **DECL}})
    first = track(root)
    assert first.exit_code == 0, first.output
    assert first.output == "privacy: new version privacy@2024-12-01 (material)\n"
    return root


def test_first_fetch_records_a_version_with_the_fetch_date_observed(tracked):
    (path,) = versions(tracked, "privacy")
    text = path.read_text()
    assert "date_basis: observed" in text
    assert "We keep your data for 30 days" in text
    assert "About us" not in text and "©" not in text


def test_unchanged_page_records_no_version(tracked, site):
    before = snapshot(tracked)
    result = track(tracked, day=DAY2)
    assert result.exit_code == 0
    assert result.output == "privacy: unchanged\n"
    assert snapshot(tracked) == before


def test_markup_nav_banner_class_names_attribute_order_and_query_strings_make_no_version(tracked, site):
    before = snapshot(tracked)
    site.set("/privacy", page(
        v="20241202abc", nav_class="menu menu--new",
        banner='<div class="cookie-banner"><p>We use cookies. <button>Accept</button></p></div>',
        article_class="policy policy--v2 wide", attrs='data-x="2"   id="p"  lang="en"'))
    result = track(tracked, day=DAY2)
    assert result.output == "privacy: unchanged\n"
    assert snapshot(tracked) == before


def test_one_changed_sentence_records_one_material_version_with_its_provenance(tracked, site):
    new_page = page(days=365)
    site.set("/privacy", new_page)
    result = track(tracked, day=DAY2)
    assert result.exit_code == 0, result.output
    assert result.output == "privacy: new version privacy@2024-12-02 (material)\n"
    assert [p.name for p in versions(tracked, "privacy")] == ["2024-12-01.md", "2024-12-02.md"]
    store, problems = load_store(tracked)
    assert problems == []
    version = store.policy("privacy").versions[-1]
    assert "365 days" in version.body and version.date_basis == "observed"
    import hashlib

    digest = hashlib.sha256(new_page).hexdigest()
    assert version.source.url == f"{site.base}/privacy"
    assert version.source.sha256 == digest
    assert version.source.retrieved == "2024-12-02T00:00:00Z"
    assert snapshot_path(tracked, digest).read_bytes() == new_page
    again = track(tracked, day=DAY2)
    assert again.output == "privacy: unchanged\n"


def test_a_typo_fix_records_an_editorial_version(tracked, site):
    site.set("/privacy", page().replace(b"create your account", b"create your acount").replace(
        b"We never sell", b"We never  sell"))
    track(tracked, day=DAY2)  # the typo goes live
    site.set("/privacy", page())
    result = track(tracked, day="1733184000")  # 2024-12-03: the typo is fixed
    assert result.output == "privacy: new version privacy@2024-12-03 (editorial)\n"


def test_a_date_stated_in_the_page_dates_the_version(tracked, site):
    site.set("/privacy", page(days=90, extra="<p>Last updated: December 3, 2024</p>"))
    result = track(tracked, day="1733356800")  # fetched 2024-12-05
    assert result.output == "privacy: new version privacy@2024-12-03 (material)\n"
    text = (tracked / "privacy" / "2024-12-03.md").read_text()
    assert "date_basis: stated" in text


def test_a_stated_date_older_than_the_latest_version_gives_the_fetch_date_observed(tracked, site):
    site.set("/privacy", page(days=90, extra="<p>Last updated: November 20, 2024</p>"))
    result = track(tracked, day=DAY2)
    assert result.output == "privacy: new version privacy@2024-12-02 (material)\n"
    text = (tracked / "privacy" / "2024-12-02.md").read_text()
    assert "date_basis: observed" in text and "stated_date: '2024-11-20'" in text


def test_the_request_names_policydocs_in_its_user_agent(tracked, site):
    assert site.requests[0][1]["User-Agent"] == USER_AGENT
    assert USER_AGENT.startswith("policydocs/")


def test_json_lists_one_object_per_policy(tracked, site):
    site.set("/privacy", page(days=60))
    result = track(tracked, "--json", day=DAY2)
    assert json.loads(result.output) == [{
        "policy": "privacy", "url": f"{site.base}/privacy", "status": "new",
        "ref": "privacy@2024-12-02", "verdict": "material",
        "path": str(tracked / "privacy" / "2024-12-02.md")}]


LOGIN = b"<html><body><form><input name=user><input type=password name=pw></form></body></html>"


def _fail_404(site):
    site.set("/bad", status=404, body=b"<html><body>gone</body></html>")


def _fail_410(site):
    site.set("/bad", status=410, body=b"<html><body>gone</body></html>")


def _fail_5xx(site):
    site.set("/bad", status=503, body=b"<html><body>busy</body></html>")


def _fail_timeout(site):
    site.set("/bad", page(), delay=1.5)


def _fail_other_host(site):
    site.set("/bad", status=302, headers={"Location": site.base.replace("127.0.0.1", "localhost") + "/bad"})


def _fail_login_redirect(site):
    site.set("/bad", status=302, headers={"Location": "/account/login?next=/bad"})
    site.set("/account/login", b"<html><body><main><p>Please sign in to continue reading.</p></main></body></html>")


def _fail_login_form(site):
    site.set("/bad", LOGIN)


def _fail_not_html(site):
    site.set("/bad", b"%PDF-1.4 ...", content_type="application/pdf")


def _fail_oversized(site):
    site.set("/bad", page(extra="<p>" + "words " * 50_000 + "</p>"), length=False)


def _fail_select(site):
    site.set("/bad", page().replace(b"<main>", b"<div>").replace(b"</main>", b"</div>")
             .replace(b"<article", b"<section").replace(b"</article>", b"</section>"))


FAILURES = {
    "404": (_fail_404, "HTTP 404"),
    "410": (_fail_410, "HTTP 410"),
    "5xx": (_fail_5xx, "HTTP 503 after retries"),
    "timeout": (_fail_timeout, "timed out 3 times"),
    "other-host": (_fail_other_host, "redirects to another host"),
    "login-redirect": (_fail_login_redirect, "login page"),
    "login-form": (_fail_login_form, "asks for a password"),
    "not-html": (_fail_not_html, "not an HTML page (application/pdf)"),
    "oversized": (_fail_oversized, "larger than 195 kB"),
    "select": (_fail_select, "select main article matches nothing"),
}


@pytest.mark.parametrize("case", sorted(FAILURES))
def test_each_failure_is_one_line_writes_nothing_and_the_other_policy_still_succeeds(tmp_path, site, case):
    prepare, words = FAILURES[case]
    site.set("/good", page(extra="<p>Questions go to privacy@example.com.</p>"))
    site.set("/bad", page())
    root = make_store(tmp_path, site, {"bad": {"path": "/bad", **DECL}, "good": {"path": "/good", **DECL}})
    first = track(root, "bad")
    assert first.exit_code == 0, first.output
    before = snapshot(root)
    prepare(site)
    result = track(root, day=DAY2)
    assert result.exit_code == 1, result.output
    lines = result.output.splitlines()
    assert len(lines) == 2, lines
    assert lines[0].startswith("bad: failed: ") and words in lines[0], lines[0]
    assert lines[1] == "good: new version good@2024-12-02 (material)"
    after = snapshot(root)
    assert {k: v for k, v in after.items() if not k.startswith(("good/", ".snapshots/"))} == \
        {k: v for k, v in before.items() if not k.startswith(("good/", ".snapshots/"))}
    assert versions(root, "bad") == [root / "bad" / "2024-12-01.md"]
    new_snapshots = set(after) - set(before)
    assert len(new_snapshots) == 2  # good's version and its snapshot only
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_five_hundreds_are_retried_a_bounded_number_of_times(tmp_path, site):
    site.set("/bad", status=500, body=b"<html></html>")
    root = make_store(tmp_path, site, {"bad": {"path": "/bad", **DECL}})
    result = track(root)
    assert result.exit_code == 1
    assert len([p for p, _ in site.requests if p == "/bad"]) == 3


def test_a_text_that_shrank_by_more_than_half_is_refused_unless_accepted(tracked, site):
    site.set("/privacy", b"<html><body><main><article><h1>Privacy Policy</h1><p>Gone.</p></article></main>"
                         b"</body></html>")
    before = snapshot(tracked)
    result = track(tracked, day=DAY2)
    assert result.exit_code == 1
    assert "privacy: failed: " in result.output and "shrank" in result.output
    assert "--accept-shrink" in result.output
    assert snapshot(tracked) == before
    accepted = track(tracked, "--accept-shrink", day=DAY2)
    assert accepted.exit_code == 0, accepted.output
    assert accepted.output.startswith("privacy: new version privacy@2024-12-02")


def test_a_same_host_redirect_is_followed(tracked, site):
    site.set("/privacy", status=301, headers={"Location": "/legal/privacy"})
    site.set("/legal/privacy", page(days=45))
    result = track(tracked, day=DAY2)
    assert result.output == "privacy: new version privacy@2024-12-02 (material)\n"


def test_an_unknown_or_untracked_policy_is_a_usage_error(tracked, tmp_path):
    result = CliRunner().invoke(main, ["track", "--store", str(tracked), "nope"])
    assert result.exit_code == 2
    registry = yaml.safe_load((tracked / "policies.yml").read_text())
    registry["policies"]["plain"] = {"title": "Plain"}
    (tracked / "policies.yml").write_text(yaml.safe_dump(registry))
    (tracked / "plain").mkdir()
    result = CliRunner().invoke(main, ["track", "--store", str(tracked), "plain"])
    assert result.exit_code == 2
    assert "declares no 'track'" in result.output


def test_snapshots_are_ignored_by_the_store_loader(tracked):
    store, problems = load_store(tracked)
    assert problems == [] and list(store.policies) == ["privacy"]
    assert any((tracked / ".snapshots").rglob("*.html"))


def test_check_reports_each_bad_declaration_on_its_own_line(tmp_path, run_cli):
    root = tmp_path / "policy_versions"
    root.mkdir()
    (root / "policies.yml").write_text(textwrap.dedent("""\
        policies:
          privacy:
            title: Privacy
            track:
              url: ftp://example.com/privacy
              select: ["main article", "div["]
              remove: [".ok"]
              every: daily
        """))
    (root / "privacy").mkdir()
    result = run_cli("check", "--store", str(root), "--no-git")
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert len(lines) == 3, lines
    assert any("unknown key(s) every" in line for line in lines)
    assert any("'track.url' must be an http:// or https:// address" in line for line in lines)
    assert any("invalid CSS selector 'div['" in line for line in lines)
    assert all(line.startswith("policy_versions/policies.yml: policy 'privacy': ") for line in lines)


def test_a_valid_declaration_is_parsed_into_the_policy(tmp_path, site):
    root = make_store(tmp_path, site, {"privacy": {"path": "/p", **DECL}})
    store, problems = load_store(root)
    assert problems == []  # no folder yet: its first track makes it
    decl = store.policy("privacy").track
    assert decl.url == f"{site.base}/p"
    assert decl.select == ("main article",) and decl.remove == (".cookie-banner", "nav")


def test_a_redirect_loop_stops_at_the_redirect_limit(tracked, site):
    before = snapshot(tracked)
    site.set("/privacy", status=302, headers={"Location": "/privacy"})
    result = track(tracked, day=DAY2)
    assert result.exit_code == 1
    assert result.output.startswith("privacy: failed: more than 5 redirects from ")
    assert snapshot(tracked) == before
    assert len(site.requests) == 1 + 6  # the first fetch, then the limit and no more


def test_a_server_that_is_down_is_one_failed_line(tmp_path, site):
    root = make_store(tmp_path, site, {"down": {"path": "/x", **DECL}})
    registry = yaml.safe_load((root / "policies.yml").read_text())
    registry["policies"]["down"]["track"]["url"] = "http://127.0.0.1:9/privacy"  # discard port: nothing listens
    (root / "policies.yml").write_text(yaml.safe_dump(registry))
    result = track(root, "--json")
    assert result.exit_code == 1
    (outcome,) = json.loads(result.output)
    assert outcome["status"] == "failed" and "cannot connect" in outcome["message"]
    assert not (root / "down").exists()
