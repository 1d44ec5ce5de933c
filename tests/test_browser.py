"""The built example site in a real browser (headless Debian Chromium via Playwright), served under a sub-path.

The site is served from http://127.0.0.1:<port>/foi-archive/, not from the server's root, to prove it works
wherever it is put. Screenshots at phone and desktop widths go to tests/artifacts/ (git-ignored).
Chromium must be /usr/bin/chromium (`make test` installs Debian's package); `playwright install` is never used.
Without Chromium these tests are skipped on a developer's machine and fail in CI.
"""

from __future__ import annotations

import functools
import os
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from .helpers import REPO, BuiltSite, read_front_matter

pytestmark = pytest.mark.browser

CHROMIUM = Path(os.environ.get("FOILOG_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
ARTIFACTS = REPO / "tests" / "artifacts"
SUBPATH = "foi-archive"
CSP_LISTENER = """
window.__csp = [];
document.addEventListener('securitypolicyviolation',
    e => window.__csp.push(e.violatedDirective + ' blocked ' + (e.blockedURI || 'inline') + ' at ' + e.sourceFile));
"""


def _unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{reason}: the browser tests must run in CI (make test installs Debian's chromium)")
    pytest.skip(f"{reason}; run `make test` (it installs Debian's chromium) to include the browser tests")


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
        pass


@dataclass
class Server:
    base: str  # http://127.0.0.1:PORT/foi-archive/
    site: Path  # the folder served at `base`

    def url(self, html: Path) -> str:
        relative = html.relative_to(self.site).as_posix()
        return self.base + relative.removesuffix("index.html")


@pytest.fixture(scope="session")
def server(example_site: BuiltSite, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    served = tmp_path_factory.mktemp("served")
    shutil.copytree(example_site.output, served / SUBPATH)
    (served / "index.html").write_text("<!doctype html><title>not the site</title>", encoding="utf-8")
    handler = functools.partial(_QuietHandler, directory=str(served))
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, name="site-server", daemon=True)
    thread.start()
    try:
        yield Server(f"http://127.0.0.1:{httpd.server_address[1]}/{SUBPATH}/", served / SUBPATH)
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        _unavailable(f"{CHROMIUM} is missing")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright package is not installed")
    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
    except Exception as exc:
        playwright.stop()
        _unavailable(f"{CHROMIUM} did not start: {exc}")
    try:
        yield chromium
    finally:
        chromium.close()
        playwright.stop()


@dataclass
class Tab:
    """A browser page that records every console error, page error, failed request and CSP violation."""

    page: Any
    problems: list[str] = field(default_factory=list)

    def open(self, url: str) -> None:
        response = self.page.goto(url, wait_until="load")
        assert response is not None and response.ok, f"{url}: HTTP {response and response.status}"
        self.collect_csp()

    def collect_csp(self) -> None:
        for violation in self.page.evaluate("window.__csp || []"):
            self.problems.append(f"{self.page.url}: CSP violation: {violation}")

    def assert_clean(self) -> None:
        self.collect_csp()
        assert not self.problems, "\n".join(self.problems)


def _tab(browser: Any, width: int, height: int) -> Iterator[Tab]:
    context = browser.new_context(viewport={"width": width, "height": height}, service_workers="block")
    context.set_default_timeout(15_000)
    page = context.new_page()
    tab = Tab(page)
    page.add_init_script(CSP_LISTENER)
    page.on("console", lambda msg: tab.problems.append(f"{page.url}: console {msg.type}: {msg.text}")
            if msg.type == "error" else None)
    page.on("pageerror", lambda exc: tab.problems.append(f"{page.url}: page error: {exc}"))
    page.on("requestfailed", lambda req: tab.problems.append(f"{page.url}: request failed: {req.url}"))
    page.on("response", lambda res: tab.problems.append(f"{page.url}: HTTP {res.status} for {res.url}")
            if res.status >= 400 else None)
    try:
        yield tab
    finally:
        context.close()


@pytest.fixture
def desktop(browser: Any) -> Iterator[Tab]:
    yield from _tab(browser, 1280, 900)


@pytest.fixture
def phone(browser: Any) -> Iterator[Tab]:
    yield from _tab(browser, 375, 740)


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
    pages = sorted(server.site.rglob("*.html"))
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


@pytest.mark.parametrize("width", [375, 1280])
def test_screenshots_and_no_sideways_scrolling(browser: Any, server: Server, width: int) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for tab in _tab(browser, width, 900):
        for name, path in (("home", ""), ("list", "letters/"), ("letter", "letters/2020/6370952/")):
            tab.open(server.base + path)
            shot = ARTIFACTS / f"{name}-{width}.png"
            tab.page.screenshot(path=str(shot), full_page=True)
            assert shot.stat().st_size > 5_000
            overflow = tab.page.evaluate("document.documentElement.scrollWidth")
            assert overflow <= width, f"{name} at {width}px is {overflow}px wide: it scrolls sideways"
        tab.assert_clean()
