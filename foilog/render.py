"""Stage 4: render pages with the theme's jinja2 templates and markdown-it-py."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path
from typing import Any

import jinja2
import jinja2.meta
from jinja2 import nodes
from markupsafe import Markup, escape

from . import __version__
from . import urls as u
from .brand import BrandAssets
from .browse import SORTS, Archive, Group, ListingPage, listing_pages, page_window
from .cache import code_version, digest
from .charts import number
from .config import SiteConfig
from .errors import FoilogError
from .exemptions import legislation_url, meaning
from .markdown import render as markdown_html
from .model import OUTCOME_LABELS, Letter
from .opendata import COLUMNS
from .pages import page_body
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


@dataclass
class PageJob:
    """A page to render: its template and what the template is given.

    `context` is what the page's key is computed from (see `Renderer.key`); `lazy` adds what is costly to make
    and made only from `context` (a letter's body as HTML), so it is made only when the page is rendered.
    """

    url: str
    template: str
    context: dict[str, Any]
    lazy: Callable[[], dict[str, Any]] | None = None
    from_root: bool = False
    index: bool = True
    lazy_from: object = None  # what `lazy` is made from (a letter, for its page's body)


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
        auto_reload=False,  # one environment per build: its templates are not checked for changes at every use
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
    if not isinstance(value, str) or value.isascii() or not BIDI_CONTROLS.search(value):
        return value  # (most values are ASCII, which holds none)
    if isinstance(value, Markup):
        return Markup(BIDI_CONTROLS.sub("", value))
    return BIDI_CONTROLS.sub("", value)


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
        self._items: dict[tuple[int, str], str | None] = {}
        self._items_by_depth: dict[tuple[int, str, str], str] = {}

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
        """One letter's entry in a list, rendered once for each heading level it is shown at: its links are made
        with a mark where the way back to the site's root goes, filled in for each page. (Where the entry uses
        `root` itself, or its text holds the mark, it is rendered for each folder depth instead.)"""
        key = (id(letter), level)
        if key not in self._items:
            made = []

            def marked(target: str) -> str:
                made.append(target)
                return ROOT_MARK + target
            html = self._item_html(letter, level, ROOT_MARK, urls, marked)
            self._items[key] = html if html.count(ROOT_MARK) == len(made) else None
        found = self._items[key]
        if found is None:
            by_depth = (id(letter), level, root)
            if by_depth not in self._items_by_depth:
                def link(target: str) -> str:
                    return target if root == "./" else root + target
                self._items_by_depth[by_depth] = self._item_html(letter, level, root, urls, link)
            return Markup(self._items_by_depth[by_depth])
        return Markup(found.replace(ROOT_MARK, "" if root == "./" else root))

    def _item_html(self, letter: Letter, level: str, root: str, urls: dict[str, str],
                   link: Callable[[str], str]) -> str:
        return self.env.get_template("_letter_item.html").render(
            site=self.config, letter=letter, level=level, urls=urls, link=link, root=root).rstrip("\n")

    def render(self, job: PageJob) -> Rendered:
        context = job.context | job.lazy() if job.lazy else job.context
        return self.page(job.template, job.url, from_root=job.from_root, index=job.index, **context)

    def render_site(self, site: Site) -> Iterator[Rendered]:
        """Every HTML page, one at a time."""
        return (self.render(job) for job in self.plan(site))

    def plan(self, site: Site) -> Iterator[PageJob]:
        """Every HTML page of the site, to render (or, when its key is unchanged, to take from the last build)."""
        common = self.common(site)
        ordered = site.archive.all.letters
        yield PageJob("", "home.html", dict(letters=ordered[: self.config.latest], total=len(ordered),
                                            late=site.archive.late.count, statistics=site.statistics, **common))
        for group in site.archive.groups():
            for listing in listing_pages(group, self.config.per_page):
                yield self.listing(listing, common)
        for url, (title, sections) in BROWSE_SECTIONS.items():
            yield PageJob(url, "browse.html", dict(title=title, sections=sections, **common))
        for letter in ordered:
            yield self.letter_job(site, letter, common)
        yield PageJob(u.STATISTICS, "statistics.html", dict(statistics=site.statistics, figures=site.figures,
                                                            **common))
        yield PageJob(u.OPEN_DATA, "data.html", dict(total=len(ordered), columns=COLUMNS, **common))
        for page in site.extra:
            yield PageJob(page.url, "page.html", dict(page=page, **common),
                          lazy=_body_html(lambda p: p.body, page))
        yield PageJob(u.SEARCH_URL, "search.html", dict(total=len(ordered), search_data=u.SEARCH_DATA_URL,
                                                        search_scripts=u.SEARCH_SCRIPTS, **common))
        yield PageJob(u.NOT_FOUND, "404.html", common, from_root=True, index=False)

    @staticmethod
    def common(site: Site) -> dict[str, Any]:
        """What every page is given."""
        return {"extra": site.extra, "urls": site.urls, "archive": site.archive, "feeds": site.feeds}

    def letter_job(self, site: Site, letter: Letter, common: dict[str, Any] | None = None, *,
                   in_place_of: Letter | None = None) -> PageJob:
        """A letter's own page; `in_place_of` the letter of the site it is a new version of (see `quickpage`)."""
        return PageJob(site.urls[letter_key(letter)], "letter.html",
                       dict(letter=letter, related=site.related.get(id(in_place_of or letter), []),
                            **(common or self.common(site))),
                       lazy=_body_html(page_body, letter), lazy_from=letter)

    def listing(self, listing: ListingPage, common: dict[str, Any]) -> PageJob:
        group: Group = listing.group
        return PageJob(listing.url, "listing.html", dict(listing=listing, group=group, letters=listing.letters,
                                                         group_feed=group.feed if common["feeds"] else None,
                                                         **common),
                       index=listing.sort.name == u.DEFAULT_SORT)

    # ------------------------------------------------------------ what a page depends on

    @cached_property
    def shared_key(self) -> str:
        """What every page depends on besides its template and context: site.toml, the base URL, the brand,
        foilog's code and libraries."""
        return digest(code_version(), self.config, self.base_url, self.brand, self.custom_css)

    def key(self, job: PageJob, fingerprints: Fingerprints) -> str:
        """A digest of everything the page's HTML is made from: its templates, the parts of its context that
        they use (found by reading the templates, so a theme override that shows more is followed too), its
        address and what every page shares."""
        whole = self.reads_bodies(job.template)
        context, of, getattr_ = job.context, fingerprints.of, self.env.getattr
        used = [(name, attribute, of(context[name] if attribute is None else getattr_(context[name], attribute), whole))
                for name, attribute in self._given(job.template, tuple(context))]
        return digest(self.shared_key, self.template_key(job.template), job.url, job.from_root, job.index, used,
                      of(job.lazy_from, whole=True))

    @cache  # noqa: B019
    def _given(self, template: str, names: tuple[str, ...]) -> list[tuple[str, str | None]]:
        """`variables_used(template)` that a context with these names gives."""
        return [(name, attribute) for name, attribute in self.variables_used(template) if name in names]

    @cache  # noqa: B019
    def reads_bodies(self, name: str) -> bool:
        """Whether a template (or one it uses) reads a letter's markdown body or bookkeeping (`letter.body`,
        `letter.meta`, `letter.sha256`): then the pages it makes depend on the whole of each letter's page, not
        only on the facts in its front matter."""
        return any(tree is not None and any(node.attr in WHOLE_PAGE_ATTRIBUTES for node in tree.find_all(nodes.Getattr))
                   for tree in map(self._parse, sorted(self.templates_used_by(name))))

    @cache  # noqa: B019 - one renderer per build; its templates do not change during it
    def template_key(self, name: str) -> str:
        """A digest of a template and every template it extends, includes or imports, as found in the theme."""
        h = hashlib.sha256()
        for dependency in sorted(self.templates_used_by(name)):
            try:
                source, filename, _ = self.env.loader.get_source(self.env, dependency)  # type: ignore[union-attr]
            except jinja2.TemplateNotFound:
                source, filename = "", "(missing)"
            h.update(f"{dependency}\0{filename}\0{source}\0".encode())
        return h.hexdigest()

    @cache  # noqa: B019
    def templates_used_by(self, name: str) -> frozenset[str]:
        """The template and every template it extends, includes or imports; with `letter_item`, the template
        that draws each letter in a list."""
        found: set[str] = set()
        waiting = [name]
        while waiting:
            current = waiting.pop()
            if current in found:
                continue
            found.add(current)
            tree = self._parse(current)
            if tree is None:
                continue  # rendering reports it
            referenced = list(jinja2.meta.find_referenced_templates(tree))
            if None in referenced:  # a template chosen while rendering: it may use any of them
                return frozenset(self.env.list_templates())
            waiting += [r for r in referenced if r]
            if any(node.name == "letter_item" for node in tree.find_all(nodes.Name)):
                waiting.append(LETTER_ITEM)
        return frozenset(found)

    @cache  # noqa: B019
    def variables_used(self, name: str) -> list[tuple[str, str | None]]:
        """The context a template and those it uses read: ("archive", "topic_urls") where only an attribute of
        a variable is read, ("letter", None) where the variable is used whole."""
        used: set[tuple[str, str | None]] = set()
        for template in self.templates_used_by(name):
            tree = self._parse(template)
            if tree is not None:
                _collect_names(tree, used)
        if any(n == "letter_item" for n, _ in used):
            used.add(("urls", None))  # each letter's link in a list
        whole = {n for n, attribute in used if attribute is None}
        return sorted((u_ for u_ in used if u_[1] is None or u_[0] not in whole), key=lambda u_: (u_[0], u_[1] or ""))

    @cache  # noqa: B019
    def _parse(self, name: str) -> nodes.Template | None:
        try:
            source, _, _ = self.env.loader.get_source(self.env, name)  # type: ignore[union-attr]
            return self.env.parse(source)
        except jinja2.TemplateError:
            return None


LETTER_ITEM = "_letter_item.html"
ROOT_MARK = "\x00root\x00"  # where a list entry's links climb to the site's root
WHOLE_PAGE_ATTRIBUTES = {"body", "meta", "sha256"}
BOOKKEEPING_KEYS = {"source_sha256", "reader_version", "derived"}  # in a page's front matter, shown on no page


def _body_html(body: Callable[[Any], str], subject: Any) -> Callable[[], dict[str, Any]]:
    return lambda: {"body": markdown_html(body(subject))}


def _collect_names(node: nodes.Node, used: set[tuple[str, str | None]]) -> None:
    """Every context variable a template reads: `archive.years` as ("archive", "years"), `urls[x]` as ("urls",
    None)."""
    if isinstance(node, nodes.Getattr) and isinstance(node.node, nodes.Name) and node.node.ctx == "load":
        used.add((node.node.name, node.attr))
        return
    if isinstance(node, nodes.Name) and node.ctx == "load":
        used.add((node.name, None))
        return
    for child in node.iter_child_nodes():
        _collect_names(child, used)


def _facts(letter: Letter) -> str:
    """A digest of what lists and links show of a letter: its front matter but the bookkeeping."""
    facts = [(k, v) for k, v in letter.meta.items() if k not in BOOKKEEPING_KEYS]
    return hashlib.sha256(repr(facts).encode("utf-8", "surrogatepass")).hexdigest()  # (plain values, dates, lists)


class Fingerprints:
    """Digests of the values pages are made from, each computed once per build.

    A letter is its front matter (what lists and links show of it), or with `whole` its whole page file (for
    the letter's own page, and for templates that print `letter.body`); lists, dicts and dataclasses are the
    digests of what they hold.
    """

    def __init__(self, page_digest: Callable[[Letter], str],
                 remembered: Callable[[str, Callable[[], str]], str] | None = None) -> None:
        self.page_digest = page_digest
        self.remembered = remembered or (lambda _, compute: compute())  # a page's facts' digest, by its page's
        self._memo: dict[tuple[int, bool], tuple[object, str]] = {}  # (id, whole) -> (the value, kept alive so
        # its id is not reused, its digest)

    def of(self, value: object, whole: bool = False) -> str:
        if value is None or isinstance(value, (str, int, float, dt.date, Path)):
            return f"{type(value).__name__}:{value!r}"
        known = self._memo.get((id(value), whole))
        if known is not None and known[0] is value:
            return known[1]
        result = hashlib.sha256(self._describe(value, whole).encode("utf-8", "surrogatepass")).hexdigest()
        self._memo[(id(value), whole)] = (value, result)
        return result

    def _describe(self, value: object, whole: bool) -> str:
        if isinstance(value, Letter):
            if whole:
                return f"letter:{letter_key(value)}:{self.page_digest(value)}"
            return f"facts:{letter_key(value)}:{self.remembered(self.page_digest(value), lambda: _facts(value))}"
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            fields = [f"{f.name}={self.of(getattr(value, f.name), whole)}" for f in dataclasses.fields(value)]
            return f"{type(value).__qualname__}({','.join(fields)})"
        if isinstance(value, dict):
            return "{" + ",".join(f"{self.of(k, whole)}:{self.of(v, whole)}" for k, v in value.items()) + "}"
        if isinstance(value, (list, tuple)):  # (a list's items are most often known already: letters in a list)
            memo, parts = self._memo, []
            for item in value:
                known = memo.get((id(item), whole))
                parts.append(known[1] if known is not None and known[0] is item else self.of(item, whole))
            return f"{type(value).__name__}[" + ",".join(parts) + "]"
        if isinstance(value, (set, frozenset)):
            return "set[" + ",".join(sorted(self.of(v, whole) for v in value)) + "]"
        if isinstance(value, jinja2.Undefined):
            return "undefined"
        if callable(value):  # foilog's own functions (a sort order's key): part of its code
            return f"callable:{getattr(value, '__module__', '')}.{getattr(value, '__qualname__', type(value).__name__)}"
        return f"{type(value).__qualname__}:{value!r}"
