"""The site works under a sub-path, as on GitHub Pages: every link and asset, followed from the home page.

The example site is built as the Pages workflow builds it (`--base-url https://owner.github.io/foi-archive/`)
and served at http://127.0.0.1:PORT/foi-archive/, with a decoy page at the server's root. A crawler follows
every href, src, srcset and CSS url() from the home page, and Chromium loads every page it found; no
request may leave /foi-archive/, and every one must succeed.
"""

from __future__ import annotations

import re
import shutil
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urldefrag, urljoin, urlsplit

import pytest

from .browsing import SUBPATH, Tab, serve_folder
from .helpers import build_project, make_project

PAGES_BASE = f"https://owner.github.io/{SUBPATH}/"
LINK_ATTRIBUTES = {"href", "src", "action", "poster", "data"}


class Links(HTMLParser):
    """Every address a page refers to, and the ids its fragments can point at."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, str]] = []  # (tag.attribute, address)
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value is None:
                continue
            if name == "id":
                self.ids.add(value)
            elif name in LINK_ATTRIBUTES:
                self.found.append((f"{tag}.{name}", value))
            elif name == "srcset":
                self.found += [(f"{tag}.srcset", part.split()[0]) for part in value.split(",") if part.strip()]
            elif name == "content" and tag == "meta" and value.lower().startswith("0;url="):
                self.found.append(("meta.refresh", value[6:]))


@dataclass
class Crawl:
    base: str
    pages: dict[str, Links] = field(default_factory=dict)  # URL -> what the page links to
    fetched: dict[str, int] = field(default_factory=dict)  # URL -> HTTP status
    escapes: list[str] = field(default_factory=list)
    external: set[str] = field(default_factory=set)
    fragments: list[tuple[str, str]] = field(default_factory=list)  # (from page, URL#fragment)

    def run(self) -> None:
        queue = [self.base]
        while queue:
            url = queue.pop()
            if url in self.fetched:
                continue
            status, kind, body = fetch(url)
            self.fetched[url] = status
            if status != 200:
                continue
            if kind == "text/html":
                queue += self._links_of_page(url, body)
            elif kind == "text/css":
                queue += self._links_of_stylesheet(url, body)

    def _follow(self, page: str, address: str) -> str | None:
        absolute = urljoin(page, address.strip())
        parts = urlsplit(absolute)
        if parts.scheme not in ("http", "https"):
            return None
        if parts.netloc != urlsplit(self.base).netloc:
            self.external.add(absolute)
            return None
        if not parts.path.startswith(urlsplit(self.base).path):
            self.escapes.append(f"{page} refers to {address!r}, which is {parts.path} outside /{SUBPATH}/")
            return None
        target, fragment = urldefrag(absolute)
        if fragment:
            self.fragments.append((page, absolute))
        return target

    def _links_of_page(self, url: str, body: str) -> list[str]:
        links = Links()
        links.feed(body)
        self.pages[url] = links
        return [t for _, address in links.found if (t := self._follow(url, address))]

    def _links_of_stylesheet(self, url: str, body: str) -> list[str]:
        addresses = re.findall(r"url\(\s*['\"]?([^'\")]+)['\"]?\s*\)", body)
        addresses += re.findall(r"@import\s+['\"]([^'\"]+)['\"]", body)
        return [t for address in addresses if not address.startswith("data:") and (t := self._follow(url, address))]


def fetch(url: str) -> tuple[int, str, str]:
    try:
        with urllib.request.urlopen(url, timeout=15) as response:
            kind = response.headers.get_content_type()
            data = response.read()
            return response.status, kind, data.decode("utf-8") if kind.startswith("text/") else ""
    except urllib.error.HTTPError as exc:
        return exc.code, "", ""


@pytest.fixture(scope="module")
def pages_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """The example site built as the Pages workflow builds it, served under /foi-archive/."""
    root = make_project(tmp_path_factory.mktemp("pages") / "project", whole_example=True)
    build_project(root, base_url=PAGES_BASE)
    served = tmp_path_factory.mktemp("pages-served")
    shutil.copytree(root / "output", served / SUBPATH)
    (served / "index.html").write_text("<!doctype html><title>not the site</title>", encoding="utf-8")
    with serve_folder(served) as root_url:
        yield root_url + SUBPATH + "/", served / SUBPATH


@pytest.fixture(scope="module")
def crawl(pages_site: tuple[str, Path]) -> Crawl:
    done = Crawl(pages_site[0])
    done.run()
    return done


def test_every_link_and_asset_from_the_home_page_is_found(crawl: Crawl) -> None:
    failed = {url: status for url, status in crawl.fetched.items() if status != 200}
    assert not failed, f"these did not load: {failed}"
    assert not crawl.escapes, "\n".join(crawl.escapes)


def test_the_crawl_reaches_every_file_of_the_site(crawl: Crawl, pages_site: tuple[str, Path]) -> None:
    base, site = pages_site
    files = {base + p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file()}
    reached = {url + "index.html" if url.endswith("/") else url for url in crawl.fetched}
    unreached = sorted(f for f in files - reached if not f.endswith((".nojekyll", "/favicon.ico")))
    assert not unreached, f"no link leads to these: {unreached}"


def test_every_fragment_points_at_an_id(crawl: Crawl) -> None:
    missing = []
    for page, address in crawl.fragments:
        target, fragment = urldefrag(address)
        links = crawl.pages.get(target)
        if links is not None and fragment not in links.ids:
            missing.append(f"{page} links to {address}, which has no id {fragment!r}")
    assert not missing, "\n".join(missing)


def test_canonical_links_name_the_pages_address(crawl: Crawl) -> None:
    for url, links in crawl.pages.items():
        canonical = [address for where, address in links.found if where == "link.href" and address.startswith("http")]
        assert canonical == [PAGES_BASE + url.removeprefix(crawl.base)], url


def test_the_crawl_notices_a_link_to_the_root(tmp_path: Path) -> None:
    site = tmp_path / SUBPATH
    site.mkdir()
    (site / "index.html").write_text('<a href="/letters/">letters</a><a href="gone/">gone</a>', encoding="utf-8")
    with serve_folder(tmp_path) as root_url:
        broken = Crawl(root_url + SUBPATH + "/")
        broken.run()
    assert broken.escapes and "/letters/" in broken.escapes[0]
    assert broken.fetched[root_url + SUBPATH + "/gone/"] == 404


@pytest.mark.browser
def test_in_chromium_no_request_leaves_the_sub_path(crawl: Crawl, desktop: Tab) -> None:
    for url in sorted(crawl.pages):
        desktop.requests.clear()
        desktop.open(url)
        desktop.page.wait_for_load_state("networkidle")
        outside = [r for r in desktop.requests if urlsplit(r).netloc == urlsplit(crawl.base).netloc
                   and not r.startswith(crawl.base)]
        assert not outside, f"{url} requested {outside}"
        assert all(r.startswith(crawl.base) or r.startswith("data:") for r in desktop.requests), desktop.requests
    desktop.assert_clean()
