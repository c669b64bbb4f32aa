"""The legal date is the date: where a text states its effective or last-updated date,
readers see it on every page, table, notice, feed, changelog entry and in the JSON;
the day it was published (the version id, e.g. a commit date) is shown as that."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from click.testing import CliRunner

from policydocs.changelog import changelog_entries, render_changelog
from policydocs.cli import main as cli
from policydocs.materiality import load_rules
from policydocs.notices import notice_markdown, notice_period_problems
from policydocs.store import first_day, open_store
from sitekit import mkdocs_build, write_site_project, write_store

ATOM = "{http://www.w3.org/2005/Atom}"
BODY_2020 = "# Terms\n\nEffective date: November 16, 2020\n\nYou may use the service.\n"
BODY_AHEAD = ("# Terms\n\nEffective date: August 20, 2023\n\nYou may use the service.\n\n"
              "We may share your data with partners.\n")


def _version(day: str, body: str, stated: str) -> str:
    return (f"---\ntitle: Terms of service\neffective: {day}\ndate_basis: observed\n"
            f"stated_date: '{stated}'\nsource:\n  repo: https://example.org/policies.git\n"
            f"  commit: {'a' * 40}\n  path: terms/index.md\n---\n{body}")


@pytest.fixture
def store(tmp_path: Path) -> Path:
    """Terms recorded from a git history: the first commit (2023-03-24) of a text dated
    2020-11-16, then one published 2023-07-10 that says it takes effect 2023-08-20."""
    root = write_store(tmp_path / "store", extra={
        "terms/2023-03-24.md": _version("2023-03-24", BODY_2020, "2020-11-16"),
        "terms/2023-07-10.md": _version("2023-07-10", BODY_AHEAD, "2023-08-20"),
    })
    with (root / "policies.yml").open("a") as registry:
        registry.write("  terms:\n    title: Terms of service\n    owner: Example\n")
    return root


def test_a_stated_date_earlier_than_publication_leads_and_publication_is_shown(store: Path) -> None:
    version = open_store(store).resolve("terms@2023-03-24")
    assert (version.legal_date, version.legal_date_basis, version.published) == \
        ("2020-11-16", "stated", "2023-03-24")
    assert version.effective_date == first_day("2023-03-24")  # in effect once published


def test_a_stated_date_later_than_publication_is_announced_ahead(store: Path) -> None:
    s = open_store(store)
    ahead = s.resolve("terms@2023-07-10")
    assert ahead.announced_ahead and ahead.effective_date == first_day("2023-08-20")
    policy = s.policies["terms"]
    july = first_day("2023-07-26")
    assert policy.current(july).version_id == "2023-03-24"
    assert [v.version_id for v in policy.upcoming(july)] == ["2023-07-10"]


def test_an_announced_ahead_version_counts_its_publication_as_the_announcement(store: Path) -> None:
    (store / "policies.yml").write_text((store / "policies.yml").read_text()
                                        + "notice_period_days: 30\n")
    s = open_store(store)
    problems = [str(p) for p in notice_period_problems(s, load_rules(s), first_day("2023-07-26"))
                if "terms/" in p.file]
    # published 2023-07-10, effective 2023-08-20: 41 days of notice, more than 30
    assert problems == []
    notice = notice_markdown(s, s.resolve("terms@2023-07-10"), load_rules(s))
    assert "- **Effective:** 2023-08-20 (stated in the text)" in notice
    assert "- **Announced:** 2023-07-10" in notice


def test_changelog_groups_by_the_stated_date(store: Path) -> None:
    s = open_store(store)
    text = render_changelog(changelog_entries(s, load_rules(s), first_day("2023-07-26")))
    assert "## 2020-11-16" in text and "## 2023-08-20" in text
    assert "## 2023-03-24" not in text and "## 2023-07-10" not in text
    result = CliRunner().invoke(cli, ["changelog", "--out", "-", "--store", str(store)])
    assert result.exit_code == 0 and "## 2020-11-16" in result.output


def test_site_shows_the_stated_date_everywhere_a_reader_looks(tmp_path: Path, store: Path) -> None:
    project = write_site_project(tmp_path / "project", store)
    mkdocs_build(project)
    site = project / "site"

    def text(rel: str) -> str:
        return BeautifulSoup((site / rel).read_text(encoding="utf-8"), "lxml").get_text(" ", strip=True)

    policy = text("policies/terms/index.html")
    assert "Effective 16 November 2020" in policy and "published 24 March 2023" in policy
    assert "date observed" not in policy
    assert "takes effect on 20 August 2023" in policy  # the upcoming version's banner
    version = text("policies/terms/2023-03-24/index.html")
    assert "Effective 16 November 2020" in version and "Published or recorded 24 March 2023" in version
    rows = BeautifulSoup((site / "policies/terms/versions/index.html").read_text(encoding="utf-8"),
                         "lxml").select("table.pd-versions tbody tr")
    effective = [row.select("td")[1].get_text(" ", strip=True) for row in rows]
    assert effective == ["20 August 2023", "16 November 2020"]
    assert "effective 16 November 2020" in text("index.html")

    feed = ET.parse(site / "policies/terms/feed.xml").getroot()
    entries = {e.findtext(f"{ATOM}id"): e for e in feed.iter(f"{ATOM}entry")}
    first = entries["urn:policydocs:terms@2023-03-24"]
    assert first.findtext(f"{ATOM}updated") == "2020-11-16T00:00:00Z"
    assert first.findtext(f"{ATOM}published") == "2023-03-24T00:00:00Z"
    assert "16 November 2020" in first.findtext(f"{ATOM}title")

    api = json.loads((site / "api/policies.json").read_text(encoding="utf-8"))
    terms = next(p for p in api["policies"] if p["id"] == "terms")
    assert [(v["effective"], v["published"], v["date_basis"]) for v in terms["versions"]] == \
        [("2020-11-16", "2023-03-24", "stated"), ("2023-08-20", "2023-07-10", "stated")]
    assert terms["current"] == "2023-03-24"
