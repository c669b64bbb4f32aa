"""Every store field reaches every place it is shown escaped for that place: a hostile
title, summary, reason, owner, source field or site name is published as text (in
``<title>``, the nav, pages, feeds, JSON and the search index), never run, never refused."""

from __future__ import annotations

import json
import traceback
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from hostile.payloads import BAD_URLS, MARKS, PAYLOADS, fill_store
from hostile.scan import page_title, script_risks, unreadable_data_files, visible
from policydocs.cli import main as cli
from sitekit import mkdocs_build, write_site_project, write_store

ATOM = "{http://www.w3.org/2005/Atom}"
VERSION_PAGE = "policies/privacy-policy/2021-02-11/index.html"


def build_hostile_site(tmp_path: Path, text: str) -> Path:
    store = fill_store(write_store(tmp_path / "store"), text)
    project = write_site_project(tmp_path / "project", store)
    result = mkdocs_build(project)
    assert "WARNING" not in result.stderr, result.stderr
    return project / "site"


def assert_published_as_text(site: Path, text: str) -> None:
    risks = script_risks(site, MARKS)
    assert risks == [], risks[:5]
    assert unreadable_data_files(site) == []
    shown = visible(text)
    assert shown in page_title(site / VERSION_PAGE)  # the version's own title, as text
    assert shown in page_title(site / "policies/privacy-policy/index.html")
    feed = ET.parse(site / "feed.xml").getroot()
    assert any(shown in visible(e.findtext(f"{ATOM}title") or "") for e in feed.iter(f"{ATOM}entry"))
    api = json.loads((site / "api" / "policies.json").read_text(encoding="utf-8"))
    titles = {p["id"]: p["title"] for p in api["policies"]}
    assert titles["privacy-policy"] == f"R {text}".strip()  # JSON keeps the exact value
    index = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    assert index["docs"]


@pytest.mark.parametrize("name", sorted(PAYLOADS))
def test_a_hostile_value_in_every_store_field_is_published_as_text(tmp_path: Path, name: str) -> None:
    site = build_hostile_site(tmp_path, PAYLOADS[name])
    assert_published_as_text(site, PAYLOADS[name])


def test_a_title_that_closes_the_title_element_stays_inside_it(tmp_path: Path) -> None:
    site = build_hostile_site(tmp_path, PAYLOADS["title-breakout"])
    for rel in (VERSION_PAGE, "policies/privacy-policy/versions/index.html"):
        html = (site / rel).read_text(encoding="utf-8")
        head = html[html.index("<title>"): html.index("</title>")]
        assert "<img" not in head and "&lt;/title&gt;&lt;img" in head


@pytest.mark.parametrize("url", BAD_URLS)
def test_a_url_that_is_not_a_web_address_is_refused_by_check(tmp_path: Path, url: str) -> None:
    store = fill_store(write_store(tmp_path / "store"), "plain", url=url)
    result = CliRunner().invoke(cli, ["check", "--no-git", "--store", str(store)])
    assert result.exit_code == 1, result.output
    problems = [line for line in result.output.splitlines() if "must be an http:// or https:// address" in line]
    assert problems and all(line.count(":") >= 1 for line in problems)


# --- the property: any text in any field ----------------------------------------------

FRAGMENTS = st.sampled_from(sorted(PAYLOADS.values()) + ["<", ">", "&", '"', "'", "`", "\\", "\x0b"])
SAFE_CHARS = st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00\r\x85")
FIELD_TEXT = st.lists(st.one_of(FRAGMENTS, st.text(SAFE_CHARS, max_size=12)), min_size=1, max_size=5) \
    .map("".join).filter(lambda s: s.strip() and s == s.strip())


def _run_commands(store: Path) -> None:
    """The store's commands on it: none may end in a traceback."""
    runner = CliRunner()
    for args in (["check", "--no-git"], ["changelog", "--out", "-"],
                 ["diff", "privacy-policy@2021-02-11", "api-data-privacy@2023-07-21", "--format", "json"],
                 ["notice", "api-data-privacy@2023-07-21"]):
        result = runner.invoke(cli, [*args, "--store", str(store)])
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise AssertionError("".join(traceback.format_exception(*result.exc_info)))
        assert "Traceback" not in result.output


# Each example is a real build (~1.5 s): no shrinking, a failure is shown as found.
@settings(max_examples=6, deadline=None, derandomize=True, phases=(Phase.explicit, Phase.generate),
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(text=FIELD_TEXT)
def test_any_text_in_any_field_builds_a_site_that_runs_no_script(tmp_path_factory, text: str) -> None:
    tmp = tmp_path_factory.mktemp("prop")
    site = build_hostile_site(tmp, text)
    assert_published_as_text(site, text)
    _run_commands(tmp / "store")
