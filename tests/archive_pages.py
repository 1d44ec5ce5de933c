"""Reading built pages for the archive tests: letter lists, pagination, sort links, head metadata, charts."""

from __future__ import annotations

import datetime as dt
import posixpath
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from .helpers import BuiltSite, read_front_matter

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


@dataclass
class Mark:
    """One mark of a chart: a bar, a bar segment or a point."""

    tag: str
    series: str
    label: str
    value: float | None
    attrs: dict[str, str]


@dataclass
class Chart:
    id: str
    attrs: dict[str, str]
    title: str = ""
    desc: str = ""
    ids: dict[str, str] = field(default_factory=dict)  # id -> text, inside the svg
    marks: list[Mark] = field(default_factory=list)


@dataclass
class Table:
    caption: str = ""
    rows: list[list[str]] = field(default_factory=list)
    links: list[str] = field(default_factory=list)


@dataclass
class Built:
    """What the archive tests look at in one page."""

    url: str
    list_items: list[str] = field(default_factory=list)    # hrefs of the letter list's titles
    next: str | None = None                                  # rel="next"
    prev: str | None = None
    page_links: list[str] = field(default_factory=list)     # numbered pagination links
    sort_links: list[tuple[str, str, bool]] = field(default_factory=list)  # (text, href, current)
    meta: dict[str, str] = field(default_factory=dict)      # name or property -> content
    head_links: list[dict[str, str]] = field(default_factory=list)
    related: list[str] = field(default_factory=list)        # hrefs in the Related requests box
    charts: list[Chart] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    anchors: list[tuple[str, str]] = field(default_factory=list)  # (href, text) of every <a>
    forms: list[dict[str, Any]] = field(default_factory=list)
    text: str = ""


class _Reader(HTMLParser):
    def __init__(self, built: Built) -> None:
        super().__init__(convert_charrefs=True)
        self.b = built
        self.stack: list[tuple[str, dict[str, str]]] = []
        self.in_list = self.in_related = self.in_pagination = self.in_sort = 0
        self.chart: Chart | None = None
        self.table: Table | None = None
        self.row: list[str] | None = None
        self.cell: list[str] | None = None
        self.capture: tuple[str, list[str]] | None = None
        self.anchor: tuple[str, list[str]] | None = None

    def _inside(self, tag: str) -> bool:
        return any(t == tag for t, _ in self.stack)

    def handle_starttag(self, tag: str, attr_list: list[tuple[str, str | None]]) -> None:
        attrs = {k: v or "" for k, v in attr_list}
        classes = attrs.get("class", "").split()
        if tag == "meta" and ("name" in attrs or "property" in attrs):
            self.b.meta[attrs.get("name") or attrs["property"]] = attrs.get("content", "")
        if tag == "link":
            self.b.head_links.append(attrs)
        if tag == "ol" and "letter-list" in classes:
            self.in_list += 1
        if tag in ("aside",) and ("related" in classes or "foilog-related" in classes):
            self.in_related += 1
        if tag == "nav" and attrs.get("aria-label") == "Pages of responses":
            self.in_pagination += 1
        if tag == "nav" and attrs.get("aria-label") == "Sort order":
            self.in_sort += 1
        if tag == "a":
            href = attrs.get("href", "")
            self.anchor = (href, [])
            if self.in_list and (self._inside("h2") or self._inside("h3")):
                self.b.list_items.append(href)
            if self.in_related:
                self.b.related.append(href)
            if self.in_pagination:
                if attrs.get("rel") == "next":
                    self.b.next = href
                elif attrs.get("rel") == "prev":
                    self.b.prev = href
                else:
                    self.b.page_links.append(href)
            if self.in_sort:
                self.capture = ("sort", [])
                self._sort = (href, attrs.get("aria-current") == "page")
        if tag == "svg" and "chart-svg" in classes:
            self.chart = Chart(attrs.get("id", ""), attrs)
        if self.chart is not None:
            if "data-value" in attrs:
                value = attrs["data-value"]
                self.chart.marks.append(Mark(tag, attrs.get("data-series", ""), attrs.get("data-label", ""),
                                             float(value) if value else None, attrs))
            if tag in ("title", "desc") and "id" in attrs:
                self.capture = (f"svg:{attrs['id']}", [])
        if tag == "table":
            self.table = Table()
        if self.table is not None:
            if tag == "caption":
                self.capture = ("caption", [])
            if tag == "tr":
                self.row = []
            if tag in ("td", "th"):
                self.cell = []
            if tag == "a":
                self.table.links.append(attrs.get("href", ""))
        if tag == "form":
            self.b.forms.append({"action": attrs.get("action"), "method": attrs.get("method"), "inputs": []})
        if tag == "input" and self.b.forms:
            self.b.forms[-1]["inputs"].append(attrs)
        if tag not in VOID:
            self.stack.append((tag, attrs))

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        while self.stack:
            if self.stack.pop()[0] == tag:
                break
        if tag == "ol" and self.in_list:
            self.in_list -= 1
        if tag == "aside" and self.in_related:
            self.in_related -= 1
        if tag == "nav":
            self.in_pagination = max(0, self.in_pagination - 1) if self.in_pagination else 0
            self.in_sort = max(0, self.in_sort - 1) if self.in_sort else 0
        if tag == "a" and self.anchor is not None:
            self.b.anchors.append((self.anchor[0], squash("".join(self.anchor[1]))))
            self.anchor = None
            if self.capture and self.capture[0] == "sort":
                self.b.sort_links.append((squash("".join(self.capture[1])), self._sort[0], self._sort[1]))
                self.capture = None
        if self.capture and tag in ("title", "desc", "caption") and self.capture[0] != "sort":
            name, parts = self.capture
            text = squash("".join(parts))
            if name.startswith("svg:") and self.chart is not None:
                self.chart.ids[name[4:]] = text
                if tag == "title" and not self.chart.title:
                    self.chart.title = text
                if tag == "desc":
                    self.chart.desc = text
            elif name == "caption" and self.table is not None:
                self.table.caption = text
            self.capture = None
        if tag == "svg" and self.chart is not None:
            self.b.charts.append(self.chart)
            self.chart = None
        if self.table is not None:
            if tag in ("td", "th") and self.cell is not None and self.row is not None:
                self.row.append(squash("".join(self.cell)))
                self.cell = None
            if tag == "tr" and self.row is not None:
                self.table.rows.append(self.row)
                self.row = None
            if tag == "table":
                self.b.tables.append(self.table)
                self.table = None

    def handle_data(self, data: str) -> None:
        if self.capture:
            self.capture[1].append(data)
        if self.cell is not None:
            self.cell.append(data)
        if self.anchor is not None:
            self.anchor[1].append(data)
        if not any(t in ("head", "script", "style", "svg") for t, _ in self.stack):
            self.b.text += data


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def output_file(output: Path, url: str) -> Path:
    return output / (url + "index.html" if url == "" or url.endswith("/") else url)


def read_built(output: Path, url: str) -> Built:
    built = Built(url)
    reader = _Reader(built)
    reader.feed(output_file(output, url).read_text(encoding="utf-8"))
    reader.close()
    return built


def resolve(from_url: str, href: str) -> str:
    """A relative link on the page at `from_url`, as an address from the site's root ("" for the home page)."""
    here = from_url if from_url.endswith("/") or from_url == "" else posixpath.dirname(from_url) + "/"
    joined = posixpath.normpath(posixpath.join(here or ".", href.split("#")[0]))
    if joined == ".":
        return ""
    return joined + "/" if href.split("#")[0].endswith("/") or href.split("#")[0] in ("", ".") else joined


def walk_listing(output: Path, first: str) -> tuple[list[str], list[Built]]:
    """Every letter listed from `first` on, following rel="next" to the last page: the letters' addresses."""
    letters: list[str] = []
    pages = []
    url: str | None = first
    seen = set()
    while url is not None:
        assert url not in seen, f"pagination loops back to {url}"
        seen.add(url)
        page = read_built(output, url)
        pages.append(page)
        letters += [resolve(url, href) for href in page.list_items]
        url = resolve(url, page.next) if page.next else None
    return letters, pages


# ---------------------------------------------------------------- the facts, straight from the pages' front matter

@dataclass
class Facts:
    """One letter as its page's front matter says, read with PyYAML, independently of foilog."""

    url: str
    meta: dict[str, Any]

    def __getattr__(self, name: str) -> Any:
        return self.meta.get(name)

    @property
    def filed(self) -> dt.date | None:
        return self.meta.get("responded") or self.meta.get("received")


def front_matter_facts(site: BuiltSite) -> list[Facts]:
    facts = []
    for page in sorted((site.content / "letters").rglob("*.md")):
        relative = page.relative_to(site.content).with_suffix("").as_posix()
        facts.append(Facts(relative + "/", read_front_matter(page)))
    return facts
