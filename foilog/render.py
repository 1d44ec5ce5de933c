"""Stage 4: render pages with the theme's jinja2 templates and markdown-it-py."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from . import __version__
from .brand import BrandAssets
from .config import SiteConfig
from .errors import FoilogError
from .exemptions import legislation_url, meaning
from .markdown import render as markdown_html
from .model import Letter
from .read import BIDI_CONTROLS
from .urls import absolute, is_full_url, list_url, relative

OUTCOME_LABELS = {
    "successful": "Information provided",
    "partially-successful": "Partly provided",
    "refused": "Refused",
    "not-held": "Information not held",
}
REGIME_NAMES = {"FOIA": "Freedom of Information Act 2000", "EIR": "Environmental Information Regulations 2004"}


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
    return env


def without_direction_overrides(value: object) -> object:
    """Every value a template prints loses Unicode direction overrides, wherever it came from (a hand-edited
    page, site.toml): they could make text display in a misleading order."""
    if isinstance(value, Markup):
        return Markup(BIDI_CONTROLS.sub("", value))
    if isinstance(value, str):
        return BIDI_CONTROLS.sub("", value)
    return value


def format_date(value: object) -> str:
    if isinstance(value, dt.date):
        return f"{value.day} {value:%B %Y}"
    return "" if value is None else str(value)


def sort_key(letter: Letter) -> tuple[Any, ...]:
    """Newest response first; undated letters last; ties by reference."""
    date = letter.responded or letter.received or dt.date.min
    return (-date.toordinal(), letter.reference, letter.source)


class Renderer:
    def __init__(self, config: SiteConfig, theme_dirs: list[Path], base_url: str,
                 brand: BrandAssets | None = None) -> None:
        self.config = config
        self.env = environment(theme_dirs)
        self.base_url = base_url
        self.brand = brand or BrandAssets()
        self.custom_css = any((d / "assets" / "custom.css").is_file() for d in theme_dirs)

    def page(self, template: str, url: str, **context: Any) -> Rendered:
        root = relative(url, "")
        try:
            html = self.env.get_template(template).render(
                site=self.config, base_url=self.base_url, url=url, root=root, brand=self.brand,
                custom_css=self.custom_css,
                canonical=absolute(self.base_url, url) if is_full_url(self.base_url) else "",
                link=lambda target: relative(url, target), generator=f"foilog {__version__}", **context)
        except jinja2.TemplateError as exc:
            raise FoilogError(f"the theme's template {template} failed: {exc}",
                              file=getattr(exc, "filename", None) or template, line=getattr(exc, "lineno", None),
                              hint="fix the template, or remove your override in site_src/theme/") from None
        return Rendered(url=url, html=html)

    def render_site(self, letters: list[Letter], urls: dict[str, str], extra: list[ExtraPage]) -> list[Rendered]:
        ordered = sorted(letters, key=sort_key)
        out = [self.page("home.html", "", letters=ordered[: self.config.latest], total=len(ordered),
                         late=sum(1 for le in ordered if le.late), urls=urls, extra=extra)]
        pages = max(1, math.ceil(len(ordered) / self.config.per_page))
        for number in range(1, pages + 1):
            chunk = ordered[(number - 1) * self.config.per_page: number * self.config.per_page]
            out.append(self.page("list.html", list_url(number), letters=chunk, urls=urls, number=number,
                                 pages=pages, page_urls=[list_url(n) for n in range(1, pages + 1)],
                                 total=len(ordered), extra=extra))
        for letter in ordered:
            out.append(self.page("letter.html", urls[letter.source or str(letter.page)], letter=letter,
                                 body=markdown_html(letter.body), extra=extra))
        for page in extra:
            out.append(self.page("page.html", page.url, page=page, body=markdown_html(page.body), extra=extra))
        return out
