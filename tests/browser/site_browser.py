"""Browser test kit: the repo's own site (the seed store) built once, served from a
thread on 127.0.0.1, real Chromium, a page that records console errors, screenshots.
(Kept out of a conftest.py: a second ``conftest`` module would shadow tests/conftest.py.)"""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import threading
from pathlib import Path

import pytest

from sitekit import ROOT, mkdocs_build

ARTIFACTS = ROOT / "test-artifacts"
# Debian's chromium by default; CI elsewhere may point at another Chromium build.
CHROMIUM = os.environ.get("POLICYDOCS_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


def serve(folder: Path):
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


def screenshot(pg, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    pg.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def build_repo_site(dest: Path) -> Path:
    """The repository's own mkdocs.yml, docs/ and policy_versions/, built into ``dest``."""
    for name in ("mkdocs.yml", "docs", "overrides", "policy_versions"):
        src = ROOT / name
        if not src.exists():
            pytest.fail(f"{src} is missing: the browser tests build the repository's own site")
        (shutil.copytree if src.is_dir() else shutil.copy)(src, dest / name)
    mkdocs_build(dest)
    return dest / "site"


@pytest.fixture(scope="session")
def site_url(tmp_path_factory):
    site = build_repo_site(tmp_path_factory.mktemp("repo-site"))
    server, url = serve(site)
    yield url
    server.shutdown()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS,
                                     timeout=60_000)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    """A fresh page that records console errors and page errors (``page.errors``)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    pg.set_default_timeout(15_000)
    errors: list[str] = []
    pg.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    pg.on("requestfailed", lambda req: errors.append(f"request failed: {req.url}"))
    pg.errors = errors
    yield pg
    context.close()
