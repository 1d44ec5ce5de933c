"""Browse, statistics, related requests and the 404 page in headless Chromium, as a person uses them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .browser import ARTIFACTS, SUBPATH, Server, open_tab, serve
from .helpers import THEME_NAMES, BuiltSite, build_project, make_project

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module", params=THEME_NAMES)
def archive(request: pytest.FixtureRequest, synthetic_sites: dict[str, BuiltSite],
            tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[BuiltSite, Server]]:
    """The made-up 90-letter archive, served under a sub-path."""
    site = synthetic_sites[request.param]
    with serve(site.output, tmp_path_factory.mktemp(f"served-archive-{request.param}")) as running:
        yield site, running


def test_sorting_by_working_days_is_a_click_away(archive: tuple[BuiltSite, Server], browser: Any) -> None:
    _, server = archive
    for tab in open_tab(browser, 1280, 900):
        page = tab.page
        tab.open(server.base + "letters/")
        sort = page.get_by_role("navigation", name="Sort order")
        assert sort.get_by_role("link", name="Date answered").get_attribute("aria-current") == "page"
        sort.get_by_role("link", name="Working days").click()
        page.wait_for_url(server.base + "letters/by-working-days/")
        assert page.get_by_role("navigation", name="Sort order").get_by_role(
            "link", name="Working days").get_attribute("aria-current") == "page"
        days = page.locator("ol.letter-list .foilog-meta, ol.letter-list .meta").evaluate_all(
            "ms => ms.map(m => (m.textContent.match(/(\\\\d+) working day/) || [0, -1])[1]).map(Number)")
        assert days and days == sorted(days, reverse=True), f"not slowest first: {days}"
        page.get_by_role("navigation", name="Pages of responses").get_by_role("link", name="Next").click()
        page.wait_for_url(server.base + "letters/by-working-days/page/2/")
        tab.assert_clean()


def test_from_a_topic_to_a_letter_and_on_to_a_related_request(archive: tuple[BuiltSite, Server],
                                                              browser: Any) -> None:
    _, server = archive
    for tab in open_tab(browser, 375, 800):
        page = tab.page
        tab.open(server.base + "browse/")
        page.get_by_role("link", name="Housing", exact=False).first.click()
        page.wait_for_url(server.base + "topics/housing/")
        assert page.locator("h1").inner_text() == "Topic: Housing"
        page.locator("ol.letter-list h2 a").first.click()
        page.wait_for_url("**/letters/**")
        related = page.get_by_role("complementary", name="Related requests")
        assert related.is_visible()
        target = related.get_by_role("link").first.get_attribute("href")
        related.get_by_role("link").first.click()
        page.wait_for_url("**/" + target.strip("./") + "/")
        assert page.get_by_role("complementary", name="Related requests").is_visible()
        tab.assert_clean()


def test_the_statistics_page_at_phone_and_desktop_widths(archive: tuple[BuiltSite, Server], browser: Any) -> None:
    site, server = archive
    folder = ARTIFACTS / site.theme
    folder.mkdir(parents=True, exist_ok=True)
    for width in (375, 1280):
        for tab in open_tab(browser, width, 900):
            page = tab.page
            tab.open(server.base + "statistics/")
            page.screenshot(path=str(folder / f"archive-statistics-{width}.png"), full_page=True)
            charts = page.locator("svg.chart-svg")
            assert charts.count() == 5
            for index in range(5):
                box = charts.nth(index).bounding_box()
                assert box and box["width"] > (300 if width < 600 else 400) and box["height"] > 100, f"{index}: {box}"
            # the bars take the theme's colour from its stylesheet, not black
            fill = page.locator("#chart-per-month rect.chart-bar").first.evaluate("r => getComputedStyle(r).fill")
            assert fill not in ("rgb(0, 0, 0)", "none"), fill
            assert page.evaluate("document.documentElement.scrollWidth") <= width
            table = page.get_by_role("region", name="Responses per month: the figures")
            table.focus()
            assert page.evaluate("document.activeElement.getAttribute('role')") == "region"
            tab.assert_clean()


def test_the_statistics_page_prints_its_charts(archive: tuple[BuiltSite, Server], browser: Any) -> None:
    site, server = archive
    for tab in open_tab(browser, 800, 1100):
        page = tab.page
        tab.open(server.base + "statistics/")
        page.emulate_media(media="print")
        page.pdf(path=str(ARTIFACTS / site.theme / "statistics-print.pdf"), format="A4")
        assert page.locator("svg.chart-svg").first.is_visible()
        assert not page.get_by_role("navigation", name="Site").is_visible()
        tables = page.locator("table")
        assert all(tables.nth(i).is_visible() for i in range(tables.count())), "a table is cut off in print"
        tab.assert_clean()


# ---------------------------------------------------------------- the 404 page, served at a missing address

@pytest.fixture(scope="module", params=THEME_NAMES)
def not_found_site(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The example site with base_url set to where it is served, and a server that answers misses with 404.html."""
    root = make_project(tmp_path_factory.mktemp(f"not-found-{request.param}") / "project", whole_example=True)
    build_project(root, theme=request.param, base_url=f"https://foi.example.org/{SUBPATH}/")
    with serve(root / "output", tmp_path_factory.mktemp(f"served-404-{request.param}"), not_found=True) as running:
        yield running


def test_the_404_page_offers_search_and_browsing(not_found_site: Server, browser: Any) -> None:
    server = not_found_site
    for tab in open_tab(browser, 375, 800):
        page = tab.page
        missing = server.base + "letters/2019/no-such-letter/deeper/"
        response = page.goto(missing)
        assert response is not None and response.status == 404
        assert page.locator("h1").inner_text() == "Page not found"
        # the stylesheet loaded from the site's path (without it the skip link would sit in the page's flow)
        assert page.evaluate("getComputedStyle(document.querySelector('.skip-link')).position") != "static"
        problems = [p for p in tab.problems if f"HTTP 404 for {missing}" not in p and "status of 404" not in p]
        assert not problems, problems
        search = page.get_by_role("search")
        search.get_by_label("Search the responses").fill("parking fines")
        search.get_by_role("button", name="Search").click()
        page.wait_for_url(server.base + "search/?q=parking+fines")
        page.goto(missing)
        page.get_by_role("link", name="By topic").click()
        page.wait_for_url(server.base + "topics/")
        assert page.locator("h1").inner_text() == "Browse by topic"


def test_every_page_type_is_screenshotted(archive: tuple[BuiltSite, Server], browser: Any) -> None:
    site, server = archive
    folder = ARTIFACTS / site.theme
    folder.mkdir(parents=True, exist_ok=True)
    shots = {"browse": "browse/", "topic": "topics/housing/by-received/", "exemption": "exemptions/foia-s-40-2/",
             "open-data": "data/", "late": "late/"}
    for width in (375, 1280):
        for tab in open_tab(browser, width, 900):
            for name, path in shots.items():
                tab.open(server.base + path)
                shot = folder / f"archive-{name}-{width}.png"
                tab.page.screenshot(path=str(shot), full_page=True)
                assert Path(shot).stat().st_size > 5_000
                assert tab.page.evaluate("document.documentElement.scrollWidth") <= width, f"{path} at {width}px"
            tab.assert_clean()
