"""The built example site in a real browser (headless Debian Chromium via Playwright), served under a sub-path.

Every test runs once per theme (the `example_site` fixture is parametrised). See tests/browser.py for the server
and the tabs, and tests/test_accessibility.py for axe-core, the Nu Html Checker, screenshots, print and display modes.
"""

from __future__ import annotations

import pytest

from .browser import Server, Tab
from .helpers import BuiltSite, read_front_matter

pytestmark = pytest.mark.browser


def _reference_title(site: BuiltSite, reference: str) -> str:
    page = next((site.content / "letters").glob(f"*/{reference}.md"))
    return str(read_front_matter(page)["title"])


def test_home_to_a_letter_through_the_list(desktop: Tab, server: Server, example_site: BuiltSite) -> None:
    page = desktop.page
    desktop.open(server.base)
    assert page.locator("h1").first.is_visible()
    page.get_by_role("navigation", name="Site").get_by_role("link", name="All responses").click()
    page.wait_for_url(server.base + "letters/")
    assert page.locator("h1").inner_text() == "All responses"
    page.locator("ol.letter-list").get_by_role("link", name=_reference_title(example_site, "6370952")).click()
    page.wait_for_url(server.base + "letters/2020/6370952/")
    facts = page.locator("dl.facts")
    assert facts.is_visible()
    text = facts.inner_text()
    for shown in ("6370952", "17 June 2020", "22 June 2020", "3", "FOIA s.40(2)", "personal data", "Partly provided"):
        assert shown in text, f"{shown!r} is not shown in the facts:\n{text}"
    assert page.get_by_text("FOIA s.40(2)").first.is_visible()
    page.get_by_role("navigation", name="Breadcrumb").get_by_role("link", name="Home").click()
    page.wait_for_url(server.base)
    desktop.assert_clean()


def test_boilerplate_is_folded_and_opens_on_click(desktop: Tab, server: Server) -> None:
    page = desktop.page
    desktop.open(server.base + "letters/2020/6251688/")
    folded = page.locator("details.boilerplate").filter(has_text="Your rights")
    assert folded.count() == 1
    assert folded.evaluate("d => d.open") is False
    rights = folded.get_by_text("If you are unhappy with the way your request")
    assert rights.is_hidden()
    folded.locator("summary").click()
    assert folded.evaluate("d => d.open") is True
    assert rights.is_visible()
    still_folded = page.locator("details.boilerplate").evaluate_all(
        "all => all.filter(d => !d.open).map(d => d.querySelector('summary').textContent)")
    assert "Your rights" not in still_folded
    assert len(still_folded) == page.locator("details.boilerplate").count() - 1, "only the clicked one opens"
    desktop.assert_clean()


def test_question_link_targets_its_answer(phone: Tab, server: Server) -> None:
    page = phone.page
    phone.open(server.base + "letters/2020/6251688/")
    assert page.evaluate("window.scrollY") == 0
    page.locator('nav.questions a[href="#q1"]').click()
    page.wait_for_url(server.base + "letters/2020/6251688/#q1")
    assert page.evaluate("document.querySelector(':target') && document.querySelector(':target').id") == "q1"
    assert page.evaluate("window.scrollY") > 0, "the page did not scroll to the question"
    top = page.evaluate("document.getElementById('q1').getBoundingClientRect().top")
    assert 0 <= top < 740 / 2, f"question 1 is at {top}px, not at the top of the screen"
    assert "video conference solution" in page.locator("#q1").inner_text()
    phone.assert_clean()


def test_no_console_errors_or_csp_violations_on_any_page(desktop: Tab, server: Server) -> None:
    # 404.html links from the site's path in base_url, not from /foi-archive/: test_the_404_page checks it
    pages = [html for html in sorted(server.site.rglob("*.html")) if html.name != "404.html"]
    assert len(pages) >= 7
    for html in pages:
        desktop.open(server.url(html))
        assert desktop.page.locator("link[rel=stylesheet]").count() >= 1
        styled = desktop.page.evaluate("getComputedStyle(document.body).marginTop")
        assert styled is not None
    # the stylesheet really applied (a blocked or missing stylesheet leaves the skip link visible)
    desktop.open(server.base)
    assert not desktop.page.locator(".skip-link").is_visible() or \
        desktop.page.evaluate("getComputedStyle(document.querySelector('.skip-link')).position") != "static"
    desktop.assert_clean()
