"""The site as MkDocs builds it: every URL of the map in ARCHITECTURE.md, strict, deterministic, safe."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from conftest import snapshot
from sitekit import mkdocs_build, write_site_project, write_store

ATOM = "{http://www.w3.org/2005/Atom}"
PRIVACY = "privacy-policy@2021-02-11"
API = "api-data-privacy@2023-07-21"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return write_site_project(tmp_path / "project", write_store(tmp_path / "store", hostile=True))


@pytest.fixture
def built(project: Path) -> Path:
    result = mkdocs_build(project)
    assert "WARNING" not in result.stderr, result.stderr
    return project / "site"


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "lxml")


def article_text(path: Path) -> str:
    return soup(path).select_one("article").get_text(" ", strip=True)


def test_strict_build_makes_every_page_of_the_url_map(built: Path) -> None:
    expected = [
        "index.html", "changelog/index.html", "feed.xml", "api/policies.json",
        "policies/privacy-policy/index.html", "policies/privacy-policy/versions/index.html",
        "policies/privacy-policy/2021-02-11/index.html", "policies/privacy-policy/feed.xml",
        "policies/security/2023/index.html", f"compare/{PRIVACY}...{API}/index.html",
    ]
    missing = [rel for rel in expected if not (built / rel).is_file()]
    assert missing == []


def test_two_builds_of_one_store_are_byte_identical(project: Path) -> None:
    mkdocs_build(project, "site-a")
    mkdocs_build(project, "site-b")
    assert snapshot(project / "site-a") == snapshot(project / "site-b")


def test_home_lists_policies_with_effective_dates_and_latest_notices(built: Path) -> None:
    home = soup(built / "index.html")
    items = [li.get_text(" ", strip=True) for li in home.select(".pd-policies li")]
    assert any("Privacy Policy" in i and "11 February 2021" in i for i in items)
    assert any("API data privacy" in i and "21 July 2023" in i for i in items)
    notices = home.select(".pd-notices li")
    assert notices and "API data privacy" in notices[0].get_text()


def test_policy_page_shows_current_text_and_observed_date(built: Path) -> None:
    text = article_text(built / "policies/security/index.html")
    assert "Effective 2023 (date observed, not stated in the text)" in text
    assert "third-party security auditor & is SOC 2" in text
    api = article_text(built / "policies/api-data-privacy/index.html")
    assert "We do not use content submitted through the API to train our models." in api


def test_policy_title_is_the_page_heading_once_not_twice(built: Path) -> None:
    page = soup(built / "policies/api-data-privacy/index.html").select_one("article")
    headings = [h.get_text(" ", strip=True) for h in page.select("h1")]
    assert len(headings) == 1 and headings[0].startswith("API data privacy")
    version = soup(built / "policies/api-data-privacy/2023-07-21/index.html").select_one("article")
    assert [h.get_text(" ", strip=True) for h in version.select("h1")] == ["API data privacy version 2023-07-21"]


def test_superseding_policy_links_what_changed_to_its_predecessor(built: Path) -> None:
    page = soup(built / "policies/api-data-privacy/index.html")
    link = page.find("a", string="What changed")
    assert link is not None
    target = (built / "policies/api-data-privacy" / link["href"] / "index.html").resolve()
    assert target == (built / f"compare/{PRIVACY}...{API}/index.html").resolve()
    compare = soup(target)
    assert compare.select("ins") and compare.select("del")
    assert "train our models" in compare.select_one(".pd-compare").get_text()


def test_old_version_is_marked_not_current_with_provenance(project: Path, tmp_path: Path) -> None:
    extra = {"privacy-policy/2022-03.md": (
        "---\ntitle: Privacy Policy\neffective: 2022-03\ndate_basis: observed\n---\n"
        "# Privacy Policy\n\nWe collect the content and files you submit through the API.\n")}
    store = write_store(tmp_path / "store2", extra=extra)
    site = write_site_project(tmp_path / "p2", store)
    mkdocs_build(site)
    old = soup(site / "site/policies/privacy-policy/2021-02-11/index.html")
    assert "not the current version" in old.select_one(".pd-status").get_text()
    provenance = old.select_one(".pd-provenance").get_text(" ", strip=True)
    assert "https://openai.com/api/policies/privacy/" in provenance
    assert "7701745fbed038bc0000" in provenance
    current = soup(site / "site/policies/privacy-policy/2022-03/index.html")
    assert "This is the latest version of Privacy Policy; it has been replaced" in current.select_one(".pd-status").get_text()


def test_versions_archive_lists_every_version_with_working_compare_links(built: Path) -> None:
    page_dir = built / "policies/privacy-policy/versions"
    rows = soup(page_dir / "index.html").select("table.pd-versions tbody tr")
    assert [r.select_one("td a").get_text() for r in rows] == ["2021-02-11"]
    for a in soup(built / "policies/api-data-privacy/versions/index.html").select("table a"):
        target = (built / "policies/api-data-privacy/versions" / a["href"]).resolve()
        assert (target / "index.html").is_file(), a["href"]


def test_navigation_lists_policies_but_not_versions_or_compares(built: Path) -> None:
    nav = soup(built / "index.html").select_one("nav.md-nav--primary")
    labels = nav.get_text(" ", strip=True)
    for title in ("Privacy Policy", "API data privacy", "Security & privacy", "Changelog"):
        assert title in labels
    hrefs = [a["href"] for a in nav.select("a[href]")]
    assert not any("compare/" in h or "/versions/" in h or re.search(r"/\d{4}", h) for h in hrefs)


def test_hand_written_nav_keeps_its_pages_and_gains_the_policies(project: Path) -> None:
    config = project / "mkdocs.yml"
    config.write_text(config.read_text() + "nav:\n  - Home: index.md\n  - Guide:\n      - Reading: reading.md\n")
    (project / "docs" / "index.md").write_text("# Our policies\n")
    result = mkdocs_build(project)
    assert "not included in the \"nav\"" not in result.stderr  # generated pages are placed, not "missing"
    nav = soup(project / "site/index.html").select_one("nav.md-nav--primary")
    labels = [a.get_text(" ", strip=True) for a in nav.select(".md-nav__link")]
    assert labels.index("Home") < labels.index("Privacy Policy") < labels.index("Changelog") < labels.index("Reading")


def test_search_covers_current_texts_but_not_archives(built: Path) -> None:
    index = json.loads((built / "search/search_index.json").read_text())
    locations = {d["location"].split("#")[0] for d in index["docs"]}
    assert "policies/api-data-privacy/" in locations
    assert not any(loc.startswith("compare/") or "/versions/" in loc for loc in locations)


def test_policy_html_in_a_body_is_shown_as_text_never_as_markup(built: Path) -> None:
    raw = (built / "policies/terms/index.html").read_text()
    assert "window.__pwned" in raw  # the text is there ...
    page = soup(built / "policies/terms/index.html")
    body = page.select_one(".pd-policy-text")
    assert body.find("script") is None and body.find("img") is None and body.find("iframe") is None
    assert not any(attr.startswith("on") for el in body.find_all(True) for attr in el.attrs)
    assert not any(a["href"].lower().startswith("javascript") for a in body.select("a[href]"))
    assert '<img src="x" onerror="window.__pwned = 2">' in body.get_text()
    assert "Terms <em>of</em> use" in page.select_one("nav.md-nav--primary").get_text()


def test_upcoming_version_puts_a_banner_linking_to_its_compare(tmp_path: Path) -> None:
    extra = {"security/2023-09-01.md": (
        "---\ntitle: Security & privacy\neffective: 2023-09-01\ndate_basis: stated\n---\n"
        "# Security & privacy\n\nOur API is SOC 2 Type 2 and ISO 27001 certified.\n")}
    site = write_site_project(tmp_path / "p", write_store(tmp_path / "s", extra=extra))
    mkdocs_build(site)
    page = soup(site / "site/policies/security/index.html")
    banner = page.select_one('[data-md-component="announce"]')
    assert "takes effect on 1 September 2023" in banner.get_text(" ", strip=True)
    link = banner.find("a")
    assert "compare/security@2023...security@2023-09-01/" in link["href"]
    assert "third-party security auditor" in page.select_one(".pd-policy-text").get_text()
    assert soup(site / "site/policies/privacy-policy/index.html").select_one(".md-banner") is None


def test_an_upcoming_editorial_revision_gets_no_banner_and_no_home_notice(tmp_path: Path) -> None:
    store = write_store(tmp_path / "s")
    current = (store / "security" / "2023.md").read_text()
    upcoming = re.sub(r"effective: '?2023'?", "effective: 2099-09-01", current).replace(
        "# Security & privacy", "# Security and privacy", 1)
    assert upcoming != current
    (store / "security" / "2099-09-01.md").write_text(upcoming)
    site = write_site_project(tmp_path / "p", store)
    mkdocs_build(site)
    page = soup(site / "site/policies/security/index.html")
    assert page.select_one('[data-md-component="announce"] .pd-banner') is None
    home = [li.get_text(" ", strip=True) for li in soup(site / "site/index.html").select(".pd-notices li")]
    assert home and not any("2099" in item or "1 September 2099" in item for item in home)
    changelog = soup(site / "site/changelog/index.html").get_text(" ", strip=True)
    assert "1 September 2099" in changelog  # the changelog still lists every version


def test_changelog_lists_every_version_newest_first(built: Path) -> None:
    items = soup(built / "changelog/index.html").select(".pd-changelog li")
    dates = [li.time["datetime"] for li in items]
    assert dates == sorted(dates, reverse=True) and len(items) == 4
    assert "API data privacy" in items[0].get_text()


def test_feeds_have_one_entry_per_version_with_ids_that_survive_new_versions(
        project: Path, tmp_path: Path) -> None:
    mkdocs_build(project)
    before = ET.parse(project / "site/feed.xml").getroot()
    ids = [e.findtext(f"{ATOM}id") for e in before.iter(f"{ATOM}entry")]
    assert len(ids) == 4 and f"urn:policydocs:{API}" in ids
    (project / "policy_versions/security/2023-08-01.md").write_text(
        "---\ntitle: Security & privacy\neffective: 2023-08-01\ndate_basis: stated\n---\n# S\n\nNew.\n")
    mkdocs_build(project, "site-after")
    after = ET.parse(project / "site-after/feed.xml").getroot()
    after_ids = [e.findtext(f"{ATOM}id") for e in after.iter(f"{ATOM}entry")]
    assert set(ids) < set(after_ids)
    per_policy = ET.parse(project / "site-after/policies/security/feed.xml").getroot()
    assert len(list(per_policy.iter(f"{ATOM}entry"))) == 2


def test_api_index_lists_every_policy_and_version(built: Path) -> None:
    data = json.loads((built / "api/policies.json").read_text())
    refs = [v["ref"] for p in data["policies"] for v in p["versions"]]
    assert sorted(refs) == sorted([PRIVACY, API, "security@2023", "terms@2023-01-01"])
    api = next(p for p in data["policies"] if p["id"] == "api-data-privacy")
    assert api["supersedes"] == ["privacy-policy"]
    assert api["versions"][0]["compare_url"].endswith(f"/compare/{PRIVACY}...{API}/")


def test_invalid_store_fails_the_build_with_one_clear_line(project: Path) -> None:
    (project / "policy_versions/security/2023.md").write_text("---\ntitle: x\n---\nbody\n")
    result = mkdocs_build(project, check=False)
    assert result.returncode != 0
    assert "policy_versions" not in result.stderr or "security/2023.md" in result.stderr
    assert "Traceback" not in result.stderr and not (project / "site").exists()


def _security_versions(*dates: str) -> dict[str, str]:
    return {f"security/{d}.md": (f"---\ntitle: Security & privacy\neffective: {d}\ndate_basis: stated\n---\n"
                                 f"# Security & privacy\n\nAudited on {d} by a third party.\n") for d in dates}


def test_compare_pages_default_to_consecutive_pairs_and_adjacent_adds_each_against_the_current(
        tmp_path: Path) -> None:
    store = write_store(tmp_path / "s", extra=_security_versions("2023-02-01", "2023-03-01", "2023-04-01"))
    site = write_site_project(tmp_path / "p", store)
    mkdocs_build(site, "site-default")
    default = {p.parent.name for p in (site / "site-default/compare").glob("security@*/index.html")}
    assert default == {"security@2023...security@2023-02-01", "security@2023-02-01...security@2023-03-01",
                       "security@2023-03-01...security@2023-04-01"}  # linear in versions
    config = site / "mkdocs.yml"
    config.write_text(config.read_text().replace("banner_days: 30", "banner_days: 30\n      compare: adjacent"))
    mkdocs_build(site)
    made = {p.parent.name for p in (site / "site/compare").glob("security@*/index.html")}
    assert "security@2023...security@2023-02-01" in made  # consecutive
    assert "security@2023...security@2023-04-01" in made  # against the current version
    assert "security@2023...security@2023-03-01" not in made  # two old versions: not built
    config.write_text(config.read_text().replace("compare: adjacent", "compare: all"))
    mkdocs_build(site, "site-all")
    assert (site / "site-all/compare/security@2023...security@2023-03-01/index.html").is_file()


def test_consecutive_compare_mode_builds_only_neighbours_and_links_only_what_exists(tmp_path: Path) -> None:
    store = write_store(tmp_path / "s", extra=_security_versions("2023-02-01", "2023-03-01", "2023-04-01"))
    site = write_site_project(tmp_path / "p", store)
    config = site / "mkdocs.yml"
    config.write_text(config.read_text().replace("banner_days: 30", "banner_days: 30\n      compare: consecutive"))
    mkdocs_build(site)
    made = {p.parent.name for p in (site / "site/compare").glob("security@*/index.html")}
    assert made == {"security@2023...security@2023-02-01", "security@2023-02-01...security@2023-03-01",
                    "security@2023-03-01...security@2023-04-01"}
    archive = site / "site/policies/security/versions"
    for a in soup(archive / "index.html").select("table.pd-versions a[href]"):
        assert ((archive / a["href"]).resolve() / "index.html").is_file(), a["href"]


def test_every_navigation_link_of_version_and_compare_pages_leads_to_a_page(tmp_path: Path) -> None:
    store = write_store(tmp_path / "s", moved=True, extra=_security_versions("2023-02-01", "2023-03-01"))
    site = write_site_project(tmp_path / "p", store)
    mkdocs_build(site)
    pages = [*(site / "site/compare").glob("*/index.html"), *(site / "site/policies").glob("*/*/index.html")]
    assert len(pages) > 10
    for page in pages:
        nav = soup(page).select_one("nav.md-nav--primary")
        for a in nav.select("a.md-nav__link[href]"):
            target = (page.parent / a["href"]).resolve() / "index.html"
            assert target.is_file(), (page, a["href"])
            label = a.get_text(" ", strip=True)
            assert soup(target).title.get_text().startswith(label), (page, label, a["href"])


def test_a_site_overrides_a_generated_page_with_its_own_template(tmp_path: Path) -> None:
    """Page HTML lives in templates: a file of the same name under the theme's custom_dir
    wins, and store values still reach it escaped (autoescape)."""
    store = write_store(tmp_path / "s", hostile=True)
    site = write_site_project(tmp_path / "p", store)
    config = site / "mkdocs.yml"
    config.write_text(config.read_text().replace("  font: false\n", "  font: false\n  custom_dir: overrides\n"))
    pages = site / "overrides" / "policydocs" / "pages"
    pages.mkdir(parents=True)
    (pages / "changelog.html").write_text(
        '<h1>Our change history</h1>\n<ol class="mine">{% for e in entries %}'
        "<li>{{ e.policy_title }}</li>{% endfor %}</ol>\n")
    mkdocs_build(site)
    page = soup(site / "site/changelog/index.html")
    assert page.select_one("article h1").get_text() == "Our change history"
    titles = [li.get_text() for li in page.select("ol.mine li")]
    assert "Terms <em>of</em> use" in titles  # the hostile title, as text
    assert page.select("ol.mine em") == []
    assert (site / "site/policies/terms/index.html").is_file()  # the other pages: the package's


def test_each_compare_page_links_its_word_and_pdf_redlines(project: Path) -> None:
    import io

    import docx
    from pypdf import PdfReader

    config = project / "mkdocs.yml"
    config.write_text(config.read_text().replace("      exports: []", "      exports: [docx, pdf]"))
    mkdocs_build(project)
    built = project / "site"

    page = soup(built / f"compare/{PRIVACY}...{API}/index.html")
    links = {a.get_text(): a["href"] for a in page.select(".pd-downloads a")}
    assert set(links) == {"Word, with tracked changes (.docx)", "PDF"}
    folder = built / f"compare/{PRIVACY}...{API}"
    document = docx.Document(io.BytesIO((folder / links["Word, with tracked changes (.docx)"]).read_bytes()))
    assert document.element.body.xpath(".//w:ins") and document.element.body.xpath(".//w:del")
    pdf = PdfReader(io.BytesIO((folder / links["PDF"]).read_bytes()))
    assert len(pdf.pages) >= 1 and "Page 1 of" in pdf.pages[0].extract_text()
