"""Stage 4: render pages with the theme's jinja2 templates and markdown-it-py."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup, escape

from . import __version__
from . import urls as u
from .brand import BrandAssets
from .browse import SORTS, Archive, Group, ListingPage, listing_pages, page_window
from .charts import number
from .config import SiteConfig
from .errors import FoilogError
from .exemptions import legislation_url, meaning
from .markdown import render as markdown_html
from .model import OUTCOME_LABELS, Letter
from .opendata import COLUMNS
from .read import BIDI_CONTROLS
from .stats import Figure, Statistics, percent
from .urls import absolute, is_full_url, letter_key, relative, rooted

REGIME_NAMES = {"FOIA": "Freedom of Information Act 2000", "EIR": "Environmental Information Regulations 2004"}
OUTCOME_DESCRIPTIONS = {
    "successful": "The authority provided the information that was asked for.",
    "partially-successful": "The authority provided some of the information, and withheld the rest or did not hold "
                            "it.",
    "refused": "The authority refused the request: it withheld all the information, or would not answer because "
               "of the cost or because it judged the request vexatious.",
    "not-held": "The authority said it does not hold the information that was asked for.",
}
# Every fixed address a template links to, by name: templates write link(paths.browse).
PATHS = {
    "home": "", "letters": u.ALL_LETTERS, "browse": u.BROWSE, "years": u.YEARS, "topics": u.TOPICS,
    "exemptions": u.EXEMPTIONS, "outcomes": u.OUTCOMES, "late": u.LATE, "statistics": u.STATISTICS,
    "data": u.OPEN_DATA, "search": u.SEARCH, "feed": u.FEED, **{f"data_{k}": v for k, v in u.DATA_FILES.items()},
}
BROWSE_SECTIONS = {  # the browse hub shows every section; each has a page of its own too
    u.BROWSE: ("Browse", ("years", "topics", "exemptions", "outcomes", "late")),
    u.YEARS: ("Browse by year", ("years",)),
    u.TOPICS: ("Browse by topic", ("topics",)),
    u.EXEMPTIONS: ("Browse by exemption", ("exemptions",)),
    u.OUTCOMES: ("Browse by outcome", ("outcomes",)),
}


@dataclass
class ExtraPage:
    url: str
    title: str
    body: str
    source: Path


@dataclass
class Rendered:
    url: str
    html: str
    index: bool = True  # listed in sitemap.xml (not the 404 page, not the extra sort orders)


def environment(theme_dirs: list[Path]) -> jinja2.Environment:
    """Templates are looked up in the user's overrides, then the theme; `theme/NAME` is always the theme's own."""
    loader = jinja2.ChoiceLoader([
        jinja2.FileSystemLoader([str(d / "templates") for d in theme_dirs]),
        jinja2.PrefixLoader({"theme": jinja2.FileSystemLoader(str(theme_dirs[-1] / "templates"))}),
    ])
    env = jinja2.Environment(
        loader=loader,
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        finalize=without_direction_overrides,
    )
    env.filters["date"] = format_date
    env.filters["outcome_label"] = lambda o: OUTCOME_LABELS.get(str(o), str(o))
    env.filters["regime_name"] = lambda r: REGIME_NAMES.get(str(r), str(r))
    env.filters["meaning"] = meaning
    env.filters["legislation_url"] = legislation_url
    env.filters["number"] = number
    env.filters["percent"] = percent
    env.globals["page_window"] = page_window
    env.globals["sorts"] = SORTS
    env.globals["paths"] = PATHS
    env.globals["outcome_descriptions"] = OUTCOME_DESCRIPTIONS
    env.globals["outcome_url"] = u.outcome_url
    env.globals["year_url"] = u.year_url
    env.filters["law_reference"] = law_reference
    env.filters["inline_code"] = inline_code
    return env


def without_direction_overrides(value: object) -> object:
    """Every value a template prints loses Unicode direction overrides, wherever it came from (a hand-edited
    page, site.toml): they could make text display in a misleading order."""
    if isinstance(value, Markup):
        return Markup(BIDI_CONTROLS.sub("", value))
    if isinstance(value, str):
        return BIDI_CONTROLS.sub("", value)
    return value


def law_reference(exemption: str) -> str:
    """The part of the law an exemption is in: "FOIA s.40(2)" -> "section 40 of the Freedom of Information Act 2000"."""
    law, _, ref = exemption.partition(" ")
    number = re.match(r"(?:s\.|reg\.)(\d+A?)", ref)
    if not number:
        return exemption
    kind = "regulation" if law == "EIR" else "section"
    return f"{kind} {number.group(1)} of the {REGIME_NAMES.get(law, law)}"


def inline_code(text: str) -> Markup:
    """Text with `backticked` words set as code, everything escaped."""
    return Markup(re.sub(r"`([^`]+)`", r"<code>\1</code>", str(escape(text))))


def format_date(value: object) -> str:
    if isinstance(value, dt.date):
        return f"{value.day} {value:%B %Y}"
    return "" if value is None else str(value)


@dataclass
class Site:
    """Everything the build knows that pages draw on besides the page's own subject."""

    letters: list[Letter]
    urls: dict[str, str]
    extra: list[ExtraPage]
    archive: Archive
    related: dict[int, list[Letter]]
    statistics: Statistics
    figures: list[Figure]
    feeds: bool  # whether feed.xml and the topic feeds are written (base_url is a full URL)


class Renderer:
    def __init__(self, config: SiteConfig, theme_dirs: list[Path], base_url: str,
                 brand: BrandAssets | None = None) -> None:
        self.config = config
        self.env = environment(theme_dirs)
        self.base_url = base_url
        self.brand = brand or BrandAssets()
        self.custom_css = any((d / "assets" / "custom.css").is_file() for d in theme_dirs)
        self.full = is_full_url(base_url)
        self._items: dict[tuple[int, str, str], Markup] = {}

    def page(self, template: str, url: str, *, from_root: bool = False, index: bool = True,
             **context: Any) -> Rendered:
        """Render one page. Links are relative to the page, or start at the site's root with `from_root`
        (for the 404 page, which is served at whatever address was asked for)."""
        if from_root:
            root = rooted(self.base_url, "")
            link = lambda target: rooted(self.base_url, target)  # noqa: E731
        else:
            root = relative(url, "")
            link = lambda target: relative(url, target)  # noqa: E731
        try:
            html = self.env.get_template(template).render(
                site=self.config, base_url=self.base_url, url=url, root=root, brand=self.brand,
                custom_css=self.custom_css,
                canonical=absolute(self.base_url, url) if self.full and not from_root else "",
                link=link, generator=f"foilog {__version__}",
                letter_item=lambda letter, level="h3": self.letter_item(letter, level, root, context.get("urls", {})),
                **context)
        except jinja2.TemplateError as exc:
            raise FoilogError(f"the theme's template {template} failed: {exc}",
                              file=getattr(exc, "filename", None) or template, line=getattr(exc, "lineno", None),
                              hint="fix the template, or remove your override in site_src/theme/") from None
        return Rendered(url=url, html=html, index=index)

    def letter_item(self, letter: Letter, level: str, root: str, urls: dict[str, str]) -> Markup:
        """One letter's entry in a list, rendered once for each heading level and folder depth it is shown at."""
        key = (id(letter), level, root)
        if key not in self._items:
            def link(target: str) -> str:
                return target if root == "./" else root + target
            self._items[key] = Markup(self.env.get_template("_letter_item.html").render(
                site=self.config, letter=letter, level=level, urls=urls, link=link, root=root).rstrip("\n"))
        return self._items[key]

    def render_site(self, site: Site) -> Iterator[Rendered]:
        """Every HTML page, one at a time."""
        common: dict[str, Any] = {"extra": site.extra, "urls": site.urls, "archive": site.archive, "feeds": site.feeds}
        ordered = site.archive.all.letters
        yield self.page("home.html", "", letters=ordered[: self.config.latest], total=len(ordered),
                        late=site.archive.late.count, statistics=site.statistics, **common)
        for group in site.archive.groups():
            for listing in listing_pages(group, self.config.per_page):
                yield self.listing(listing, common)
        for url, (title, sections) in BROWSE_SECTIONS.items():
            yield self.page("browse.html", url, title=title, sections=sections, **common)
        for letter in ordered:
            yield self.page("letter.html", site.urls[letter_key(letter)], letter=letter,
                            body=markdown_html(letter.body), related=site.related.get(id(letter), []), **common)
        yield self.page("statistics.html", u.STATISTICS, statistics=site.statistics, figures=site.figures,
                        **common)
        yield self.page("data.html", u.OPEN_DATA, total=len(ordered), columns=COLUMNS, **common)
        for page in site.extra:
            yield self.page("page.html", page.url, page=page, body=markdown_html(page.body), **common)
        yield self.page("search.html", u.SEARCH_URL, total=len(ordered), search_data=u.SEARCH_DATA_URL,
                        search_scripts=u.SEARCH_SCRIPTS, **common)
        yield self.page("404.html", u.NOT_FOUND, from_root=True, index=False, **common)

    def listing(self, listing: ListingPage, common: dict[str, Any]) -> Rendered:
        group: Group = listing.group
        return self.page("listing.html", listing.url, index=listing.sort.name == u.DEFAULT_SORT, listing=listing,
                         group=group, letters=listing.letters, group_feed=group.feed if common["feeds"] else None,
                         **common)
