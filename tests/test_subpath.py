"""The site works under a sub-path, as on GitHub Pages: every link and asset, followed from the home page.

The example site is built as the Pages workflow builds it (`--base-url https://owner.github.io/foi-archive/`),
three letters to a list page so that the lists paginate, and served at http://127.0.0.1:PORT/foi-archive/ with a
decoy page at the server's root and the site's 404.html for addresses that do not exist, as GitHub Pages does.

A crawler starts where people and programs start (the home page, robots.txt, the 404 page at a deep address
that does not exist) and follows every address the site gives: href, src, srcset and CSS url() in pages and
stylesheets; links and <loc> in the feeds and the sitemap; the resources of datapackage.json; the `url` column
of the open data; the files of the search index, as the search page's script addresses them. Full addresses
under https://owner.github.io/foi-archive/ are followed on the test server. No address may leave
/foi-archive/, and every one must load. Then Chromium loads every page found, runs a search, and follows a
result; no request it makes may leave /foi-archive/.
"""

from __future__ import annotations

import csv
import io
import json
import re
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urldefrag, urljoin, urlsplit
from xml.etree import ElementTree

import pytest

from .browser import SUBPATH, Server, Tab, serve
from .helpers import THEME_NAMES, build_project, make_project
from .test_search_browser import results as search_results

PAGES_BASE = f"https://owner.github.io/{SUBPATH}/"
PER_PAGE = 3
MISSING = "letters/2019/no-such-letter/deeper/"
LINK_ATTRIBUTES = {"href", "src", "action", "poster", "data"}


class Links(HTMLParser):
    """Every address a page refers to, and the ids its fragments can point at."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, str]] = []  # (tag.attribute, address)
        self.canonical: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "link" and attributes.get("rel") == "canonical":
            self.canonical.append(attributes.get("href") or "")
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
            elif name == "content" and tag == "meta" and attributes.get("property") == "og:url":
                self.found.append(("meta.og:url", value))


@dataclass
class Crawl:
    base: str  # where the site is served: http://127.0.0.1:PORT/foi-archive/
    pages: dict[str, Links] = field(default_factory=dict)  # URL -> what the page links to
    fetched: dict[str, int] = field(default_factory=dict)  # URL -> HTTP status
    escapes: list[str] = field(default_factory=list)
    external: set[str] = field(default_factory=set)
    fragments: list[tuple[str, str]] = field(default_factory=list)  # (from page, URL#fragment)

    @property
    def missing(self) -> str:
        """An address with no page: the server answers it with the site's 404 page."""
        return self.base + MISSING

    def run(self, *starts: str) -> None:
        queue = list(starts or [self.base])
        while queue:
            url = queue.pop()
            if url in self.fetched:
                continue
            status, body = fetch(url)
            self.fetched[url] = status
            if status == 200 or (url == self.missing and status == 404):
                queue += self._links_of(url, body)

    def _links_of(self, url: str, body: str) -> list[str]:
        path = urlsplit(url).path
        if url == self.missing or path.endswith(("/", ".html")):
            return self._links_of_page(url, body)
        readers = {".css": self._links_of_stylesheet, ".xml": self._links_of_xml, ".txt": self._links_of_robots,
                   ".json": self._links_of_json, ".csv": self._links_of_csv}
        reader = readers.get(Path(path).suffix)
        return reader(url, body) if reader else []

    def _follow(self, page: str, address: str) -> str | None:
        absolute = urljoin(page, address.strip())
        if absolute.startswith(PAGES_BASE):  # the site's own full address: follow it on the test server
            absolute = self.base + absolute.removeprefix(PAGES_BASE)
        parts = urlsplit(absolute)
        if parts.scheme not in ("http", "https"):
            return None
        if parts.netloc == urlsplit(PAGES_BASE).netloc:
            self.escapes.append(f"{page} refers to {address!r}, which is outside {PAGES_BASE}")
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

    def _followed(self, url: str, addresses: list[str]) -> list[str]:
        return [t for address in addresses if (t := self._follow(url, address))]

    def _links_of_page(self, url: str, body: str) -> list[str]:
        links = Links()
        links.feed(body)
        self.pages[url] = links
        return self._followed(url, [address for _, address in links.found])

    def _links_of_stylesheet(self, url: str, body: str) -> list[str]:
        addresses = re.findall(r"url\(\s*['\"]?([^'\")]+)['\"]?\s*\)", body)
        addresses += re.findall(r"@import\s+['\"]([^'\"]+)['\"]", body)
        return self._followed(url, [a for a in addresses if not a.startswith("data:")])

    def _links_of_xml(self, url: str, body: str) -> list[str]:
        """A feed's links (and its ids, which are addresses too) or a sitemap's <loc>s."""
        root = ElementTree.fromstring(body)
        addresses = [e.attrib["href"] for e in root.iter() if "href" in e.attrib]
        addresses += [e.text.strip() for e in root.iter() if e.tag.rsplit("}", 1)[-1] in ("loc", "id") and e.text]
        return self._followed(url, [a for a in addresses if a.startswith(("http:", "https:", "/", "."))])

    def _links_of_robots(self, url: str, body: str) -> list[str]:
        return self._followed(url, re.findall(r"^Sitemap:\s*(\S+)", body, re.M))

    def _links_of_csv(self, url: str, body: str) -> list[str]:
        return self._followed(url, [row["url"] for row in csv.DictReader(io.StringIO(body)) if row.get("url")])

    def _links_of_json(self, url: str, body: str) -> list[str]:
        data = json.loads(body)
        if isinstance(data, dict) and "resources" in data:  # datapackage.json
            return self._followed(url, [data["homepage"], *(r["path"] for r in data["resources"])])
        if isinstance(data, list):  # letters.json
            return self._followed(url, [row["url"] for row in data if isinstance(row, dict) and row.get("url")])
        if isinstance(data, dict) and url.endswith("/manifest.json"):
            return self._followed(url, search_files(data))
        return []


def search_files(manifest: dict[str, Any]) -> list[str]:
    """The search index's files, addressed from its manifest as foilog/static/search.js addresses them."""
    build, per_folder, docs = f"{manifest['build']}/", manifest["docsPerFolder"], manifest["docs"]
    return [build + "facets.json",
            *(f"{build}shards/{number}.json" for number in range(len(manifest["shards"]))),
            *(f"{build}words/{length}.json" for length in manifest["words"]),
            *(f"{docs[number // per_folder]}{number}.json" for number in range(manifest["documents"]))]


def fetch(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=15) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8", "replace")


def site_files(site: Path) -> set[str]:
    return {p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file()}


@pytest.fixture(scope="module", params=THEME_NAMES)
def pages_site(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The example site built as the Pages workflow builds it, served under /foi-archive/."""
    root = make_project(tmp_path_factory.mktemp(f"pages-{request.param}") / "project", whole_example=True)
    site_toml = root / "site_src" / "site.toml"
    site_toml.write_text(re.sub(r"(?m)^per_page = \d+$", f"per_page = {PER_PAGE}", site_toml.read_text("utf-8")),
                         encoding="utf-8")
    result = build_project(root, base_url=PAGES_BASE, theme=request.param)
    assert not result.report.problems, "\n".join(map(str, result.report.problems))
    with serve(root / "output", tmp_path_factory.mktemp(f"pages-served-{request.param}"), not_found=True) as server:
        yield server


@pytest.fixture(scope="module")
def crawl(pages_site: Server) -> Crawl:
    done = Crawl(pages_site.base)
    done.run(pages_site.base, pages_site.base + "robots.txt", done.missing)
    return done


def test_every_link_and_asset_is_found(crawl: Crawl) -> None:
    failed = {url: status for url, status in crawl.fetched.items() if status != 200 and url != crawl.missing}
    assert not failed, f"these did not load: {failed}"
    assert crawl.fetched[crawl.missing] == 404
    assert not crawl.escapes, "\n".join(crawl.escapes)


def test_the_crawl_covers_every_kind_of_page(crawl: Crawl) -> None:
    """The example site has pages of each kind, and lists long enough to have a second page."""
    reached = {url.removeprefix(crawl.base) for url in crawl.fetched}
    expected = {"", "letters/", "letters/page/2/", "letters/by-received/", "letters/by-working-days/",
                "letters/by-received/page/2/", "browse/", "years/", "topics/", "exemptions/", "outcomes/", "late/",
                "statistics/", "data/", "data/letters.csv", "data/letters.json", "data/datapackage.json", "search/",
                "search/data/manifest.json", "feed.xml", "sitemap.xml", "robots.txt", "about/", MISSING}
    assert expected <= reached, f"not reached: {sorted(expected - reached)}"
    assert any(re.fullmatch(r"letters/\d{4}/[^/]+/", url) for url in reached)
    assert any(re.fullmatch(r"topics/[^/]+/feed\.xml", url) for url in reached)
    assert any(re.fullmatch(r"search/data/\w+/shards/\d+\.json", url) for url in reached)


def test_the_crawl_reaches_every_file_of_the_site(crawl: Crawl, pages_site: Server) -> None:
    reached = {url.removeprefix(crawl.base) + ("index.html" if url.endswith("/") else "") for url in crawl.fetched}
    reached.add("404.html")  # what the server sent for the missing address
    unreached = sorted(f for f in site_files(pages_site.site) - reached if f not in (".nojekyll", "favicon.ico"))
    assert not unreached, f"nothing leads to these: {unreached}"


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
        expected = [] if url == crawl.missing else [PAGES_BASE + url.removeprefix(crawl.base)]
        assert links.canonical == expected, url


def test_the_crawl_notices_a_link_to_the_root(tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text('<a href="/letters/">letters</a><a href="gone/">gone</a>'
                                     '<a href="https://owner.github.io/elsewhere/">elsewhere</a>', encoding="utf-8")
    with serve(site, tmp_path / "served") as server:
        broken = Crawl(server.base)
        broken.run()
    assert len(broken.escapes) == 2
    assert "/letters/" in broken.escapes[0] and "owner.github.io/elsewhere/" in broken.escapes[1]
    assert broken.fetched[server.base + "gone/"] == 404


# ---------------------------------------------------------------- in Chromium


def outside(tab: Tab, base: str) -> list[str]:
    """The requests a tab made on the test server that are not under the site's sub-path."""
    host = urlsplit(base).netloc
    return [r for r in tab.requests if not r.startswith(("data:", base)) and urlsplit(r).netloc in (host, "")]


@pytest.mark.browser
def test_in_chromium_no_request_leaves_the_sub_path(crawl: Crawl, desktop: Tab) -> None:
    for url in sorted(crawl.pages):
        desktop.requests.clear()
        if url == crawl.missing:
            response = desktop.page.goto(url, wait_until="load")
            assert response is not None and response.status == 404
            desktop.problems = [p for p in desktop.problems if f"HTTP 404 for {url}" not in p
                                and "status of 404" not in p]
            desktop.collect_csp()
        else:
            desktop.open(url)
        if any(where == "script.src" for where, _ in crawl.pages[url].found):
            desktop.page.wait_for_load_state("networkidle")  # what the page's script fetches
        assert not outside(desktop, crawl.base), f"{url} requested {outside(desktop, crawl.base)}"
        assert all(r.startswith(crawl.base) or r.startswith("data:") for r in desktop.requests), desktop.requests
    desktop.assert_clean()


@pytest.mark.browser
def test_in_chromium_a_search_from_the_404_page_finds_a_letter_under_the_sub_path(crawl: Crawl, desktop: Tab) -> None:
    page = desktop.page
    response = page.goto(crawl.missing)
    assert response is not None and response.status == 404
    desktop.problems.clear()  # the 404 itself
    desktop.requests.clear()
    search = page.get_by_role("search")
    search.get_by_role("searchbox").fill("Skype")
    search.get_by_role("button", name="Search").click()
    page.wait_for_url(crawl.base + "search/?q=Skype")
    found = search_results(desktop)
    assert found, "the search found nothing"
    page.locator("#search-results [data-slot=link]").first.click()
    page.wait_for_load_state("networkidle")
    assert re.fullmatch(re.escape(crawl.base) + r"letters/\d{4}/[^/]+/(#.*)?", page.url), page.url
    assert "Skype" in page.locator("main").inner_text()
    assert any("/search/data/" in r and "/shards/" in r for r in desktop.requests), "the index was not fetched"
    assert not outside(desktop, crawl.base), outside(desktop, crawl.base)
    desktop.assert_clean()
