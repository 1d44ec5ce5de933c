"""`build()`: read everything, then write; one stage a module."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from tqdm import tqdm

from . import pages as page_stage
from .brand import BrandAssets, prepare_brand
from .config import SiteConfig, load_config
from .errors import FoilogError, Report
from .model import Letter
from .output import Staging
from .read import read_letters
from .render import ExtraPage, Renderer
from .understand import understand
from .urls import base_url_problem, extra_page_url, letter_url

log = logging.getLogger("foilog")
PROGRESS_THRESHOLD = 50


@dataclass
class Paths:
    root: Path
    site_src: Path
    content: Path
    output: Path
    themes: Path

    @classmethod
    def under(cls, root: Path) -> Paths:
        return cls(root, root / "site_src", root / "content", root / "output", root / "themes")


@dataclass
class Options:
    base_url: str | None = None
    theme: str | None = None
    clean: bool = False
    strict: bool = False
    progress: bool = True


@dataclass
class Result:
    report: Report
    letters: list[Letter] = field(default_factory=list)
    pages_written: int = 0
    published: bool = False


def build(paths: Paths, options: Options, report: Report | None = None) -> Result:
    """Build the site: a checklist of stages. Raises FoilogError when nothing can be published."""
    report = report or Report()
    config = load_config(paths.site_src / "site.toml")
    if options.base_url is not None and base_url_problem(options.base_url):
        raise FoilogError(f"the base URL {base_url_problem(options.base_url)}", hint="for example /foi/")
    theme_dirs = theme_folders(paths, options.theme or config.theme)
    brand = prepare_brand(config, paths.site_src, report)                          # the authority's colour, logo
    letters = read_letters(paths.site_src, report)                                   # 1. read letters
    fresh = update_pages(letters, paths.content, config, report, options)            # 2-3. understand, write pages
    published = load_pages(paths.content, {le.source for le in letters}, report, fresh)
    extra = load_extra_pages(paths.site_src / "pages", report)
    urls = {le.source or str(le.page): letter_url(le.page, paths.content) for le in published if le.page}
    renderer = Renderer(config, theme_dirs, options.base_url or config.base_url, brand)
    rendered = renderer.render_site(published, urls, extra)                          # 4. render
    if options.strict and report.problems:
        raise FoilogError(f"--strict: {len(report.problems)} problem(s) reported; nothing was published",
                          hint="fix the problems listed above, or build without --strict")
    with Staging(paths.output) as staging:                                           # 6. swap in output/
        staging.write_pages(rendered)
        write_assets(staging, theme_dirs, brand)
        staging.publish()
    return Result(report=report, letters=published, pages_written=len(fresh), published=True)


def theme_folders(paths: Paths, name: str) -> list[Path]:
    """The user's overrides first, then the named theme."""
    theme = paths.themes / name
    if not (theme / "templates").is_dir():
        available = sorted(p.name for p in paths.themes.iterdir() if (p / "templates").is_dir()) \
            if paths.themes.is_dir() else []
        raise FoilogError(f"there is no theme called {name!r}", file=paths.site_src / "site.toml",
                          hint=f"set `theme` to one of: {', '.join(available) or '(none found)'}")
    override = paths.site_src / "theme"
    return [override, theme] if override.is_dir() else [theme]


def write_assets(staging: Staging, theme_dirs: list[Path], brand: BrandAssets) -> None:
    """The theme's assets, then the brand's files, then the user's overrides, each replacing files of the same name."""
    theme, overrides = theme_dirs[-1], theme_dirs[:-1]
    if (theme / "assets").is_dir():
        staging.copy_tree(theme / "assets", "assets")
    for relative, data in sorted(brand.files.items()):
        staging.write_bytes(relative, data)
    for override in overrides:
        if (override / "assets").is_dir():
            staging.copy_tree(override / "assets", "assets")


def update_pages(letters: list[Letter], content: Path, config: SiteConfig, report: Report,
                 options: Options) -> set[str]:
    """Understand each new or changed letter and (re)write its page; unchanged pages are left alone.

    Returns the sources whose pages were written in this build.
    """
    existing = page_stage.existing_pages(content)
    changed = [le for le in letters if options.clean or not page_stage.is_current(existing.get(le.source), le)]
    taken = {existing[le.source] for le in letters if le not in changed and le.source in existing}
    written: set[str] = set()
    for letter in _progress(changed, options):
        try:
            understand(letter, config, report)
        except Exception as exc:  # a reader bug must not stop the other letters
            log.debug("reader failed on %s", letter.source, exc_info=True)
            report.error(f"the reader failed on this letter ({type(exc).__name__}: {exc}); it was left out",
                         file=letter.source, hint="please report this with the letter attached; "
                         "meanwhile write its page in content/ by hand")
            continue
        try:
            letter.page = page_stage.write_page(letter, content, existing.get(letter.source), taken)
        except FoilogError as exc:
            report.warn(f"the page for {letter.source} was not rewritten, because the page in the way cannot be "
                        f"read ({exc.message})", file=exc.file, line=exc.line,
                        hint="fix the page's front matter (or delete the page to have it generated again)")
            continue
        written.add(letter.source)
        log.info("read %s: ref %s, %s, %s, %s working day(s) -> %s", letter.source, letter.reference or "?",
                 letter.regime, letter.outcome, "?" if letter.working_days is None else letter.working_days,
                 letter.page.relative_to(content.parent) if letter.page.is_relative_to(content.parent) else letter.page)
    _report_shared_references(letters, report)
    return written


def _progress(letters: list[Letter], options: Options) -> Iterator[Letter]:
    show = options.progress and len(letters) >= PROGRESS_THRESHOLD
    yield from tqdm(letters, desc="Reading letters", unit="letter", disable=not show or None, leave=False)


def _report_shared_references(letters: list[Letter], report: Report) -> None:
    seen: dict[str, str] = {}
    for letter in letters:
        if not letter.reference:
            continue
        if letter.reference in seen:
            report.warn(f"this letter has the same reference ({letter.reference}) as {seen[letter.reference]}",
                        file=letter.source, hint="check it is not a duplicate; its page was given a '-2' suffix")
        else:
            seen[letter.reference] = letter.source


def load_pages(content: Path, sources: set[str], report: Report,
               fresh: frozenset[str] | set[str] = frozenset()) -> list[Letter]:
    """Every letter page in content/, as edited; a broken page is reported and left out.

    Pages not written in this build are checked for missing facts, so a warning the reader gave
    once is given again on every build until a person fills the fact in.
    """
    letters = []
    for path in sorted((content / "letters").rglob("*.md")) if (content / "letters").is_dir() else []:
        try:
            letter = page_stage.letter_from_page(path, content)
        except FoilogError as exc:
            report.add(exc)
            continue
        if letter.source and letter.source not in sources:
            report.warn(f"this page's letter ({letter.source}) is not in site_src/ any more; the page is still "
                        "published", file=path, hint="delete the page to unpublish it, or restore the letter")
        if letter.source not in fresh:
            _report_missing_facts(letter, path, report)
        letters.append(letter)
    return letters


_FACTS = (("reference", "the authority's reference"), ("authority", "the authority's name"),
          ("received", "the date the request was received"), ("responded", "the date of the response"))


def _report_missing_facts(letter: Letter, path: Path, report: Report) -> None:
    for key, fact in _FACTS:
        if not getattr(letter, key) and not letter.meta.get(key):
            letter_name = f"its letter, {letter.source}," if letter.source else "the letter"
            report.warn(f"the page has no `{key}` ({fact}): {letter_name} does not state it clearly",
                        file=path, line=page_stage.line_of_key(path, key),
                        hint=f"add `{key}:` with the right value to the page's front matter")


def load_extra_pages(pages_dir: Path, report: Report) -> list[ExtraPage]:
    extra = []
    for path in sorted(pages_dir.rglob("*.md")) if pages_dir.is_dir() else []:
        try:
            text = path.read_text(encoding="utf-8-sig")
            meta, body = page_stage.split_page(text, path) if text.startswith("---") else ({}, text)
        except (FoilogError, UnicodeDecodeError) as exc:
            report.add(exc if isinstance(exc, FoilogError) else
                       FoilogError("the page is not UTF-8 text", file=path, hint="save it as UTF-8"))
            continue
        title = str(meta.get("title") or _first_heading(body) or path.stem.replace("-", " ").capitalize())
        extra.append(ExtraPage(url=extra_page_url(path, pages_dir), title=title, body=body, source=path))
    return extra


def _first_heading(body: str) -> str:
    for line in body.splitlines():
        if line.startswith("# "):
            return line[2:].strip()
    return ""
