"""Browser-test support: serve a built site under a sub-path; tabs in headless Debian Chromium that record problems.

The site is served from http://127.0.0.1:<port>/foi-archive/, not from the server's root, to prove it works
wherever it is put. Chromium must be /usr/bin/chromium (`make test` installs Debian's package); `playwright install`
is never used. Without Chromium the browser tests are skipped on a developer's machine and fail in CI.
"""

from __future__ import annotations

import functools
import os
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from .helpers import REPO

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


def unavailable(reason: str) -> None:
    """Skip on a developer's machine; fail in CI, where every check must run."""
    if os.environ.get("CI"):
        pytest.fail(f"{reason}: this check must run in CI (`make test` installs what it needs)")
    pytest.skip(f"{reason}; run `make test` (it installs what is needed) to include this check")


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


class _NotFoundHandler(_QuietHandler):
    """Answers an address that does not exist with the site's 404.html, as GitHub Pages and most hosts do."""

    not_found_page: Path

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        if code != 404 or not self.not_found_page.is_file():
            super().send_error(code, message, explain)
            return
        body = self.not_found_page.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


@contextmanager
def serve(output: Path, served: Path, *, not_found: bool = False) -> Iterator[Server]:
    """Serve a copy of a built site at http://127.0.0.1:PORT/foi-archive/ until the block ends; with `not_found`,
    a missing address gets the site's 404.html."""
    shutil.copytree(output, served / SUBPATH)
    (served / "index.html").write_text("<!doctype html><title>not the site</title>", encoding="utf-8")
    handler_class = type("SiteHandler", (_NotFoundHandler,), {"not_found_page": served / SUBPATH / "404.html"}) \
        if not_found else _QuietHandler
    handler = functools.partial(handler_class, directory=str(served))
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, name="site-server", daemon=True)
    thread.start()
    try:
        yield Server(f"http://127.0.0.1:{httpd.server_address[1]}/{SUBPATH}/", served / SUBPATH)
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=10)


def launch() -> Iterator[Any]:
    """Headless Debian Chromium, for the length of a session."""
    if not CHROMIUM.exists():
        unavailable(f"{CHROMIUM} is missing")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("the playwright package is not installed")
    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
    except Exception as exc:
        playwright.stop()
        unavailable(f"{CHROMIUM} did not start: {exc}")
    try:
        yield chromium
    finally:
        chromium.close()
        playwright.stop()


@dataclass
class Tab:
    """A browser page that records every console error, page error, failed request and CSP violation, and the
    address of every request it makes."""

    page: Any
    problems: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)

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


def open_tab(browser: Any, width: int, height: int, **context_options: Any) -> Iterator[Tab]:
    """A tab in a fresh browser context; extra options (reduced_motion, forced_colors …) go to the context."""
    context = browser.new_context(viewport={"width": width, "height": height}, service_workers="block",
                                  **context_options)
    context.set_default_timeout(15_000)
    page = context.new_page()
    tab = Tab(page)
    page.add_init_script(CSP_LISTENER)
    page.on("console", lambda msg: tab.problems.append(f"{page.url}: console {msg.type}: {msg.text}")
            if msg.type == "error" else None)
    page.on("pageerror", lambda exc: tab.problems.append(f"{page.url}: page error: {exc}"))
    page.on("request", lambda req: tab.requests.append(req.url))
    # a request the browser itself abandons when the next page starts loading (a favicon, say) is not the site's
    # fault; a missing file shows up as an HTTP error below
    page.on("requestfailed", lambda req: tab.problems.append(f"{page.url}: request failed: {req.url} ({req.failure})")
            if "ERR_ABORTED" not in (req.failure or "") else None)
    page.on("response", lambda res: tab.problems.append(f"{page.url}: HTTP {res.status} for {res.url}")
            if res.status >= 400 else None)
    try:
        yield tab
    finally:
        context.close()
