"""`build()`: read everything, then write; one stage a module."""

from __future__ import annotations

import dataclasses
import logging
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from tqdm import tqdm

from . import pages as page_stage
from .brand import BrandAssets, prepare_brand
from .browse import build_archive
from .clock import source_date_epoch
from .config import SiteConfig, load_config
from .errors import FoilogError, Report
from .feeds import site_files
from .index import build_index
from .model import Letter
from .opendata import open_data
from .output import Staging
from .privacy import hold_back
from .read import read_letters
from .related import find_related
from .render import ExtraPage, Renderer, Site
from .stats import compute as compute_statistics
from .stats import figures
from .understand import understand
from .urls import SEARCH_URL, base_url_problem, extra_page_url, is_full_url, letter_key, letter_url

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
    held_back: list[Letter] = field(default_factory=list)
    pages_written: int = 0
    published: bool = False
    notes: list[str] = field(default_factory=list)  # worth saying, but not problems (--strict ignores them)


NO_FULL_URL = ("base_url is a path ({base_url}), not a full address, so feed.xml, the topic feeds and "
               "sitemap.xml were not written and pages have no canonical or og:url address; set base_url in "
               "site.toml (or --base-url) to the site's full address, such as https://example.org/foi/, to add them")


def build(paths: Paths, options: Options, report: Report | None = None) -> Result:
    """Build the site: a checklist of stages. Raises FoilogError when nothing can be published."""
    report = report or Report()
    source_date_epoch()  # a malformed SOURCE_DATE_EPOCH stops the build before any work (and before numpy reads it)
    config = load_config(paths.site_src / "site.toml")
    if options.base_url is not None and base_url_problem(options.base_url):
        raise FoilogError(f"the base URL {base_url_problem(options.base_url)}", hint="for example /foi/")
    base_url = options.base_url or config.base_url
    theme_dirs = theme_folders(paths, options.theme or config.theme)
    brand = prepare_brand(config, paths.site_src, report)                          # the authority's colour, logo
    letters = read_letters(paths.site_src, report)                                   # 1. read letters
    fresh = update_pages(letters, paths.content, config, report, options)            # 2-3. understand, write pages
    pages = load_pages(paths.content, {le.source for le in letters}, report)         # 4. read the pages, as edited
    extra = load_extra_pages(paths.site_src / "pages", report)
    published, held = hold_back(pages, {le.source: le for le in letters}, config.privacy, report)  # 5. personal data
    if options.strict and report.problems:
        raise FoilogError(f"--strict: {len(report.problems)} problem(s) reported; nothing was published",
                          hint="fix the problems listed above, or build without --strict")
    urls = {letter_key(le): letter_url(le.page, paths.content) for le in published if le.page}
    archive = build_archive(published)                                               # 6. browse groupings
    related = find_related(published)                                                # 7. related requests
    statistics = compute_statistics(published, config.working_day_limit)             # 8. statistics, charts
    search = build_index(published, urls, config)                                    # 9. index for search
    site = Site(published, urls, extra, archive, related, statistics, figures(statistics, archive.exemption_urls),
                feeds=is_full_url(base_url))
    renderer = Renderer(config, theme_dirs, base_url, brand)
    with Staging(paths.output) as staging:                                           # 10. render into staging
        indexable = staging.write_pages(renderer.render_site(site))
        search.write(staging)                                                        #     the search's files
        staging.write_files(open_data(published, urls, config, base_url))           # 11. open data
        staging.write_files(site_files(site, config, base_url, indexable))          # 12. feeds, sitemap, robots
        write_assets(staging, theme_dirs, brand)
        staging.write_text(".nojekyll", "")  # GitHub Pages: publish the files as they are, no Jekyll
        staging.publish()                                                            # 13. swap in output/
    notes = [] if site.feeds else [NO_FULL_URL.format(base_url=base_url)]
    return Result(report=report, letters=published, held_back=held, pages_written=len(fresh), published=True,
                  notes=notes)


def check(paths: Paths, options: Options, report: Report | None = None) -> Result:
    """Every stage of build() run on a scratch copy of content/: the project's files are only read."""
    report = report or Report()
    with tempfile.TemporaryDirectory(prefix="foilog-check-") as scratch:
        trial = dataclasses.replace(paths, content=Path(scratch) / "content", output=Path(scratch) / "output")
        if paths.content.is_dir():
            shutil.copytree(paths.content, trial.content, symlinks=True)
        try:
            result = build(trial, options, report)
        except FoilogError as exc:
            raise exc.relocated(str(trial.content), str(paths.content)) from None
        finally:
            report.relocate(trial.content, paths.content)
    return dataclasses.replace(result, published=False)


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

    Returns the sources whose pages were written in this build. A page that a person broke (its front matter
    cannot be read) is never overwritten: it is reported when the pages are read, and its letter waits.
    """
    page_stage.remove_partial_files(content)
    existing = page_stage.existing_pages(content)
    changed = [le for le in letters if options.clean or not page_stage.is_current(existing.get(le.source), le)]
    changed = [le for le in changed if le.source not in existing or not page_stage.is_broken(existing[le.source])]
    taken = {existing[le.source] for le in letters if le not in changed and le.source in existing}
    written: set[str] = set()
    for letter in _progress(changed, options):
        notes = Report()
        try:
            understand(letter, config, notes)
        except Exception as exc:  # a reader bug must not stop the other letters
            log.debug("reader failed on %s", letter.source, exc_info=True)
            report.error(f"the reader failed on this letter ({type(exc).__name__}: {exc}); it was left out",
                         file=letter.source, hint="please report this with the letter attached; "
                         "meanwhile write its page in content/ by hand")
            continue
        letter.warnings += notes.problems
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
    return written


def _progress(letters: list[Letter], options: Options) -> Iterator[Letter]:
    show = options.progress and len(letters) >= PROGRESS_THRESHOLD
    yield from tqdm(letters, desc="Reading letters", unit="letter", disable=not show or None, leave=False)


def load_pages(content: Path, sources: set[str], report: Report) -> list[Letter]:
    """Every letter page in content/, as edited; a broken page is reported and left out.

    The reader's warnings about each letter are reported from its page, so every build (not only the one that
    read the letter) reports them, and `--strict` keeps failing until a person deals with them: a fact the
    reader could not find stops being reported once it is filled in on the page.
    """
    letters = []
    for path in page_stage.all_pages(content):
        try:
            letter = page_stage.letter_from_page(path, content)
        except FoilogError as exc:
            report.add(exc)
            continue
        if letter.source and letter.source not in sources:
            report.warn(f"this page's letter ({letter.source}) is not in site_src/ any more; the page is still "
                        "published", file=path, hint="delete the page to unpublish it, or restore the letter")
        report.problems += letter.warnings
        letters.append(letter)
    _report_shared_references(letters, report)
    return letters


def _report_shared_references(letters: list[Letter], report: Report) -> None:
    """Warn about every page that shares its reference with another, naming the first (`x.md`, then `x-2.md`)."""
    pages: dict[str, list[Path]] = {}
    for letter in letters:
        if letter.reference and letter.page:
            pages.setdefault(letter.reference, []).append(letter.page)
    for reference, paths in pages.items():
        first, *others = sorted(paths, key=lambda p: (len(p.name), p.as_posix()))
        for page in others:
            report.warn(f"this page has the same reference ({reference}) as {first}", file=page,
                        hint="check the two letters are not the same one; if they are, delete one letter and its page")


def load_extra_pages(pages_dir: Path, report: Report) -> list[ExtraPage]:
    extra = []
    for path in sorted(pages_dir.rglob("*.md")) if pages_dir.is_dir() else []:
        if extra_page_url(path, pages_dir).startswith(SEARCH_URL):
            report.warn("this page would be published where the search page is (search/); it was left out",
                        file=path, hint="rename the file, or move it out of a folder called search")
            continue
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
