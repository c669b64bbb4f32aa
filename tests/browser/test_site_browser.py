"""The built site in real Chromium, as a reader uses it."""

from __future__ import annotations

import re

import pytest
from axe_playwright_python.sync_playwright import Axe

from hostile.payloads import PAYLOADS, fill_store
from hostile.scan import page_title
from sitekit import mkdocs_build, write_site_project, write_store

from site_browser import browser, page, screenshot, serve, site_url  # noqa: F401 (fixtures)

pytestmark = pytest.mark.browser

COMPARE = "compare/privacy-policy@2021-02-11...api-data-privacy@2023-07-21/"


def test_home_lists_the_three_seed_policies(page, site_url) -> None:
    page.goto(site_url)
    items = page.locator(".pd-policies li").all_inner_texts()
    assert [i.split(" —")[0] for i in items] == ["Privacy Policy", "API data privacy",
                                                 "Security & privacy"]
    screenshot(page, "home")
    assert page.errors == []


def test_api_data_privacy_shows_material_banner_linking_to_the_compare(page, site_url) -> None:
    page.goto(site_url + "policies/api-data-privacy/")
    banner = page.locator('[data-md-component="announce"]')
    assert "changed materially" in banner.inner_text()
    screenshot(page, "policy")
    banner.get_by_role("link", name="See what changed").click()
    page.wait_for_url("**/" + COMPARE)
    assert page.locator("h1").first.inner_text() == \
        "Privacy Policy (11 February 2021) → API data privacy (21 July 2023)"


def test_compare_page_shows_insertions_and_deletions(page, site_url) -> None:
    page.goto(site_url + COMPARE)
    assert page.locator(".pd-compare ins").count() > 0
    assert page.locator(".pd-compare del").count() > 0
    ins = page.locator(".pd-compare ins").first
    assert "underline" in ins.evaluate("e => getComputedStyle(e).textDecorationLine")
    assert "line-through" in page.locator(".pd-compare del").first.evaluate(
        "e => getComputedStyle(e).textDecorationLine")
    screenshot(page, "compare")
    assert page.errors == []


def test_change_permalink_scrolls_to_its_change(page, site_url) -> None:
    page.goto(site_url + COMPARE)
    change_id = page.locator(".pd-compare [id^=c]").last.get_attribute("id")
    page.goto(site_url + COMPARE + "#" + change_id)
    target = page.locator(f"#{change_id}")
    target.wait_for()
    assert page.evaluate("() => window.scrollY") > 0
    box = target.bounding_box()
    assert box is not None and 0 <= box["y"] < page.viewport_size["height"]


def test_archive_links_lead_to_existing_pages(page, site_url) -> None:
    page.goto(site_url + "policies/api-data-privacy/versions/")
    hrefs = [a.get_attribute("href") for a in page.locator("table.pd-versions a").all()]
    assert hrefs
    base = page.url
    for href in hrefs:
        response = page.goto(base + href if not href.startswith("http") else href)
        assert response is not None and response.status == 200, href
        page.goto(base)


def test_superseded_policy_version_says_what_replaced_it(page, site_url) -> None:
    page.goto(site_url + "policies/privacy-policy/2021-02-11/")
    assert "Provenance" in page.locator("article").inner_text()
    note = page.locator(".pd-status")
    text = note.inner_text()
    assert "replaced, wholly or in part, by API data privacy" in text
    assert "This is the current version" not in text  # no contradiction
    note.get_by_role("link", name="API data privacy").click()
    page.wait_for_url("**/policies/api-data-privacy/")


@pytest.mark.parametrize("path", ["", "policies/api-data-privacy/", COMPARE, "changelog/"])
def test_pages_have_no_serious_accessibility_violations(page, site_url, path) -> None:
    page.goto(site_url + path)
    results = Axe().run(page)
    serious = [v for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
    assert serious == [], [(v["id"], v["help"], [n["target"] for n in v["nodes"][:3]]) for v in serious]
    assert page.errors == []


def test_hostile_policy_text_never_runs_and_shows_as_text(page, tmp_path) -> None:
    project = write_site_project(tmp_path / "p", write_store(tmp_path / "s", hostile=True))
    mkdocs_build(project)
    server, url = serve(project / "site")
    try:
        page.goto(url + "policies/terms/")
        body = page.locator(".pd-policy-text")
        heading = page.locator("article h1").first.inner_text()
        assert "<script>window.__pwned = 1</script>" in heading  # the policy's title, as text
        text = body.inner_text()
        assert '<img src="x" onerror="window.__pwned = 2">' in text
        page.get_by_role("link", name="Click me").click()
        page.wait_for_timeout(200)
        body.get_by_text("raw div").click()
        assert page.evaluate("() => window.__pwned") is None
        assert page.locator("article script, article img, article iframe").count() == 0
    finally:
        server.shutdown()


MOVED = "compare/user-terms@2023-01-01...user-terms@2023-06-01/"


@pytest.fixture(scope="module")
def moved_site_url(tmp_path_factory):
    """A site whose Terms of use moves its Payment section between two versions."""
    tmp = tmp_path_factory.mktemp("moved")
    project = write_site_project(tmp / "p", write_store(tmp / "s", moved=True))
    mkdocs_build(project)
    server, url = serve(project / "site")
    yield url
    server.shutdown()


def test_view_toggle_switches_between_inline_and_side_by_side_without_reload(page, site_url) -> None:
    page.goto(site_url + COMPARE)
    inline, sides = page.locator(".pd-inline"), page.locator(".pd-side-by-side")
    assert inline.is_visible() and not sides.is_visible()
    page.evaluate("() => { window.__sameDocument = true; }")
    page.get_by_role("button", name="Side by side").click()
    assert sides.is_visible() and not inline.is_visible()
    assert page.get_by_role("button", name="Side by side").get_attribute("aria-pressed") == "true"
    old, new = sides.locator(".pd-side.pd-old").nth(0), sides.locator(".pd-side.pd-new").nth(0)
    assert old.locator("del").count() + new.locator("ins").count() > 0
    page.get_by_role("button", name="Document with changes").click()
    assert inline.is_visible() and not sides.is_visible()
    assert page.evaluate("() => window.__sameDocument") is True  # no reload
    assert page.errors == []


def test_the_chosen_view_is_in_the_url_and_survives_a_reload(page, site_url) -> None:
    page.goto(site_url + COMPARE)
    page.get_by_role("button", name="Side by side").click()
    assert "view=sides" in page.url
    page.reload()
    assert page.locator(".pd-side-by-side").is_visible() and not page.locator(".pd-inline").is_visible()


def test_compare_page_opens_with_the_summary_and_jumps_to_the_redline(page, site_url) -> None:
    page.goto(site_url + COMPARE)
    first = page.locator("article h1 + *").first
    assert "pd-what-changed" in (first.get_attribute("class") or "")
    assert "not used to train models" in first.locator(".pd-summary-text").inner_text()
    assert page.locator(".pd-material-list li").first.locator("a").get_attribute("href").startswith("#c")
    page.get_by_role("link", name="Jump to the full redline ↓").click()
    page.wait_for_url("**#redline")
    box = page.locator("#redline").bounding_box()
    assert box is not None and 0 <= box["y"] < page.viewport_size["height"]


def test_rendered_redline_shows_no_markdown_syntax(page, site_url) -> None:
    page.goto(site_url + COMPARE)
    for view in ("Document with changes", "Side by side"):
        page.get_by_role("button", name=view).click()
        shown = page.locator(".pd-redline [data-pd-view]:not(.pd-hidden)").inner_text()
        assert [s for s in ("##", "**", "](", "|---|", "[^") if s in shown] == [], view
        assert not [line for line in shown.splitlines() if line.startswith("- ")], view
    assert page.locator(".pd-inline h2, .pd-inline li, .pd-inline strong").count() > 5


def test_side_by_side_uses_the_whole_window_and_stacks_on_a_phone(browser, site_url) -> None:
    for width, stacked in ((1400, False), (400, True)):
        context = browser.new_context(viewport={"width": width, "height": 900})
        try:
            pg = context.new_page()
            pg.goto(site_url + COMPARE + "?view=sides")
            row = pg.locator(".pd-side-by-side .pd-side-row:not(.pd-side-head)").first
            old, new = row.locator(".pd-old").bounding_box(), row.locator(".pd-new").bounding_box()
            if stacked:
                assert new["y"] >= old["y"] + old["height"] - 1 and new["width"] > 0.8 * (width - 40)
                screenshot(pg, "compare-mobile")
            else:
                assert new["x"] + new["width"] - old["x"] >= 0.9 * width
                screenshot(pg, "compare-side-by-side")
        finally:
            context.close()


def test_compare_page_without_javascript_shows_the_redline_and_says_where_side_by_side_is(
        browser, site_url) -> None:
    context = browser.new_context(java_script_enabled=False)
    try:
        pg = context.new_page()
        pg.goto(site_url + COMPARE)
        assert pg.locator(".pd-inline").is_visible() and pg.locator(".pd-inline ins, .pd-inline del").count() > 0
        assert "needs JavaScript" in pg.locator(".pd-side-by-side").inner_text()
        assert not pg.locator(".pd-toggle button").first.is_visible()  # no dead buttons
    finally:
        context.close()


def test_move_links_jump_to_the_other_end_and_back(page, moved_site_url) -> None:
    page.goto(moved_site_url + MOVED)
    origin = page.locator("#m1-from")
    assert "moved to" in origin.inner_text()
    origin.click()
    page.wait_for_url("**#m1-to")
    arrival = page.locator("#m1-to")
    box = arrival.bounding_box()
    assert box is not None and 0 <= box["y"] < page.viewport_size["height"]
    assert "Payment" in arrival.evaluate("e => e.nextElementSibling.textContent")
    arrival.click()
    page.wait_for_url("**#m1-from")
    box = origin.bounding_box()
    assert box is not None and 0 <= box["y"] < page.viewport_size["height"]
    screenshot(page, "compare-move")
    assert page.errors == []


def test_change_permalink_opens_the_inline_view_when_side_by_side_was_chosen(page, moved_site_url) -> None:
    page.goto(moved_site_url + MOVED)
    page.get_by_role("button", name="Side by side").click()
    page.locator(".pd-change-list a[href='#c4']").click()
    target = page.locator("#c4")
    assert page.locator(".pd-inline").is_visible() and target.is_visible()
    box = target.bounding_box()
    assert box is not None and 0 <= box["y"] < page.viewport_size["height"]


def test_compare_page_prints_as_a_redline_with_legend_and_changes_without_navigation(
        page, moved_site_url) -> None:
    page.goto(moved_site_url + MOVED)
    page.emulate_media(media="print")
    for hidden in (".md-header", ".md-sidebar--primary", ".md-footer", ".md-search", ".pd-toggle",
                   ".pd-side-by-side"):
        assert not page.locator(hidden).first.is_visible(), hidden
    for shown in (".pd-legend", ".pd-change-list", ".pd-inline"):
        assert page.locator(shown).is_visible(), shown
    assert "inserted text" in page.locator(".pd-legend").inner_text()
    ins = page.locator(".pd-inline ins.pd-ins").first
    assert "underline" in ins.evaluate("e => getComputedStyle(e).textDecorationLine")
    screenshot(page, "compare-print")
    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF") and len(pdf) > 1000
    import io

    from pypdf import PdfReader
    pages = PdfReader(io.BytesIO(pdf)).pages
    assert f"Page 1 of {len(pages)}" in pages[0].extract_text()  # print preview numbers its pages


# --- hostile store fields (issue #14): every field holds every payload ------------------

EVERY_PAYLOAD = " | ".join(PAYLOADS[name] for name in sorted(PAYLOADS))


def squashed(text: str) -> str:
    """Text without whitespace or control characters (browsers turn some into spaces)."""
    return re.sub(r"[\s\x00-\x1f\x7f]", "", text)


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("hostile-fields")
    store = fill_store(write_store(tmp / "store", hostile=True), EVERY_PAYLOAD)
    project = write_site_project(tmp / "project", store)
    mkdocs_build(project)
    site = project / "site"
    server, url = serve(site)
    pages = sorted(p.relative_to(site).as_posix() for p in site.rglob("index.html"))
    yield url, pages, site
    server.shutdown()


def test_no_page_of_a_hostile_store_runs_script(page, hostile_site) -> None:
    url, pages, site = hostile_site
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    assert len(pages) >= 10
    for rel in pages:
        page.goto(url + rel.removesuffix("index.html"))
        page.wait_for_load_state("networkidle")  # nothing pending when we move on
        page.mouse.move(200, 200)  # hover handlers, had any been injected
        state = page.evaluate("() => [window.__pwned === undefined, document.title]")
        assert state[0], f"{rel}: injected script ran"
        assert squashed(state[1]) == squashed(page_title(site / rel)), f"{rel}: title changed to {state[1]!r}"
    assert dialogs == []
    assert page.errors == []


def test_a_hostile_version_title_is_shown_as_text_in_the_tab_and_the_heading(page, hostile_site) -> None:
    url, _pages, _site = hostile_site
    page.goto(url + "policies/privacy-policy/2021-02-11/")
    title = page.evaluate("() => document.title")
    assert "</title><img src=x onerror=\"document.title='X'\">" in title
    assert page.locator("head img, head svg, title img").count() == 0
    assert page.evaluate("() => window.__pwned") is None
