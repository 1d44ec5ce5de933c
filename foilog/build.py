"""`build()`: read everything, then write; one stage a module."""

from __future__ import annotations

import contextlib
import copy
import dataclasses
import fnmatch
import functools
import hashlib
import logging
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from tqdm import tqdm

from . import pages as page_stage
from .bodytext import Passage, passages
from .brand import BrandAssets, prepare_brand
from .browse import build_archive
from .cache import CACHE_DIR, BuildCache, StatKey, digest, read_page_text, stat_key
from .clock import source_date_epoch
from .config import SiteConfig, load_config
from .errors import FoilogError, Problem, Report
from .feeds import site_files
from .index import DocTerms, KeptRecords, SearchDoc, build_index, search_scripts
from .interrupts import raise_if_interrupted
from .model import Letter
from .opendata import open_data
from .output import Output, Staging
from .parallel import Background, long_lived, map_in_order, settled, worker_count
from .privacy import REVIEWED_KEY, Finding, PrivacySettings, hold_back, scan_page, scan_page_text
from .quickpage import QuickPages
from .read import MAX_LETTER_BYTES, find_letter_files, letter_from_bytes, too_big, walk_files
from .related import find_related, request_text
from .render import ExtraPage, Fingerprints, PageJob, Renderer, Site
from .stats import compute as compute_statistics
from .stats import figures
from .termsfile import TERMS_FILE, RememberedTerms, entry_key, put_in_place
from .understand import understand
from .urls import SEARCH_URL, base_url_problem, extra_page_url, is_full_url, letter_key, letter_url, output_path

log = logging.getLogger("foilog")
Content = TypeVar("Content", str, bytes)
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
    jobs: int | None = None  # worker processes; None: one per core
    cache: bool = True  # reuse what the last build made (.foilog-cache/); off, or --clean, builds everything


@dataclass
class Result:
    report: Report
    letters: list[Letter] = field(default_factory=list)
    held_back: list[Letter] = field(default_factory=list)
    pages_written: int = 0
    published: bool = False
    notes: list[str] = field(default_factory=list)  # worth saying, but not problems (--strict ignores them)
    made: list[str] = field(default_factory=list)  # the paths of the site's files made in this build
    files_reused: int = 0  # files of the site whose inputs had not changed, taken from the last build
    files: frozenset[str] = frozenset()  # the paths of every file of the site published
    quick: QuickPages | None = None  # what renders an edited letter page again at once (for `serve`)

    @property
    def files_made(self) -> int:
        return len(self.made)


NO_FULL_URL = ("base_url is a path ({base_url}), not a full address, so feed.xml, the topic feeds and "
               "sitemap.xml were not written and pages have no canonical or og:url address; set base_url in "
               "site.toml (or --base-url) to the site's full address, such as https://example.org/foi/, to add them")


def build(paths: Paths, options: Options, report: Report | None = None) -> Result:
    """Build the site: a checklist of stages. Raises FoilogError when nothing can be published."""
    with long_lived():  # what the stages read is kept to the end: the garbage collector need not walk it each time
        return _build(paths, options, report or Report())


def _build(paths: Paths, options: Options, report: Report) -> Result:
    source_date_epoch()  # a malformed SOURCE_DATE_EPOCH stops the build before any work (and before numpy reads it)
    config = load_config(paths.site_src / "site.toml")
    if options.base_url is not None and base_url_problem(options.base_url):
        raise FoilogError(f"the base URL {base_url_problem(options.base_url)}", hint="for example /foi/")
    base_url = options.base_url or config.base_url
    theme_dirs = theme_folders(paths, options.theme or config.theme)
    brand = prepare_brand(config, paths.site_src, report)                          # the authority's colour, logo
    cache = BuildCache.open(paths.root / CACHE_DIR) if options.cache and not options.clean else BuildCache.disabled()
    jobs = worker_count(options.jobs)
    letters = scan_letters(paths.site_src, report, cache)                            # 1. find the letters
    listing = PageListing.of(paths.content)
    read_pages_ahead(listing.files, cache, jobs, config.privacy, paths.content)        #    in both processes
    fresh = update_pages(letters, paths.content, config, report, options, cache, jobs, listing)  # 2-3. pages
    pages = load_pages(paths.content, {le.source for le in letters}, report,         # 4. read the pages, as edited
                       page_reader(cache), listing.files)
    extra = load_extra_pages(paths.site_src / "pages", report)
    work_out_pages(pages, config.privacy, cache, jobs)                               #    in both processes
    settled()
    published, held = hold_back(pages, LettersOnDemand((le.source, le) for le in letters),  # 5. personal data
                                config.privacy, report, remembered_scan(cache))
    if options.strict and report.problems:
        raise FoilogError(f"--strict: {len(report.problems)} problem(s) reported; nothing was published",
                          hint="fix the problems listed above, or build without --strict")
    urls = {letter_key(le): letter_url(le.page, paths.content) for le in published if le.page}
    with tempfile.TemporaryFile(prefix="foilog-search-") as spool:  # the search's new files, until taken
        search = search_outputs(published, urls, config, cache, paths.output, jobs, spool.fileno())  # 6. index
        try:
            archive = build_archive(published)                                           # 7. browse groupings
            related = remembered_related(published, cache, jobs)                         # 8. related requests
            statistics = compute_statistics(published, config.working_day_limit)         # 9. statistics, charts
            site = Site(published, urls, extra, archive, related, statistics,
                        figures(statistics, archive.exemption_urls), feeds=is_full_url(base_url))
            renderer = Renderer(config, theme_dirs, base_url, brand)
            planned = list(renderer.plan(site))                                          # 10. pages to render
            settled()
            fingerprints = Fingerprints(page_digest(cache), lambda page_sha, facts: cache.remembered(
                "facts", page_sha, facts, plain=True))  # what lists show of a letter, by its page's digest
            pages_out = page_outputs(renderer, planned, fingerprints)
            data = open_data_outputs(published, urls, config, base_url, fingerprints, cache, paths.output)  # 11.
            feeds = content_outputs(site_files(site, config, base_url, [j.url for j in planned if j.index]))  # 12.
            assets = asset_outputs(theme_dirs, brand, search_scripts()) + content_outputs(NOJEKYLL)  # 13. assets
            with Staging(paths.output, paths.root / CACHE_DIR if cache.enabled else None) as staging:  # 14. output/
                with _progress_bar(len(pages_out) + len(data + feeds + assets), "Writing pages", options) as bar:
                    staging.take(pages_out, cache, bar.update)  # unchanged pages are kept while the search finishes
                    found = search.result()                                              # 15. the search's files
                    bar.total += len(found)
                    staging.take(found + data + feeds + assets, cache, bar.update)
                    cache.release_memo()  # no later stage remembers anything: the render workers are forked without it
                    produced = staging.make_taken(jobs, bar.update)
                raise_if_interrupted()  # a Ctrl-C lost where it came (in a finalizer) still stops it here
                staging.publish(cache)
        finally:
            search.close()
    files = frozenset(staging.keys)
    cache.save(staging.published())
    notes = [] if site.feeds else [NO_FULL_URL.format(base_url=base_url)]
    return Result(report=report, letters=published, held_back=held, pages_written=len(fresh), published=True,
                  notes=notes, made=produced.made, files_reused=produced.reused, files=files,
                  quick=QuickPages(renderer, site, paths.site_src, paths.content, config.privacy,
                                   functools.partial(_understand, config=config)))


def check(paths: Paths, options: Options, report: Report | None = None) -> Result:
    """Every stage of build() run on a scratch copy of content/: the project's files are only read."""
    report = report or Report()
    with tempfile.TemporaryDirectory(prefix="foilog-check-") as scratch:
        trial = dataclasses.replace(paths, content=Path(scratch) / "content", output=Path(scratch) / "output")
        if paths.content.is_dir():
            shutil.copytree(paths.content, trial.content, symlinks=True)
        try:
            result = build(trial, dataclasses.replace(options, cache=False), report)
        except FoilogError as exc:
            raise exc.relocated(str(trial.content), str(paths.content)) from None
        finally:
            report.relocate(trial.content, paths.content)
    return dataclasses.replace(result, published=False, quick=None)  # (its site was built in a scratch folder)


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


# GitHub Pages: publish the files as they are, without running Jekyll over them.
NOJEKYLL = {".nojekyll": b""}


def asset_outputs(theme_dirs: list[Path], brand: BrandAssets, defaults: dict[str, bytes]) -> list[Output]:
    """The defaults (the search's scripts), the theme's assets, then the brand's files, then the user's
    overrides, each replacing files of the same name; each keyed by its bytes."""
    files: dict[str, bytes] = dict(defaults)
    theme, overrides = theme_dirs[-1], theme_dirs[:-1]
    _add_assets(files, theme / "assets")
    for relative, data in sorted(brand.files.items()):
        files[relative] = data
    for override in overrides:
        _add_assets(files, override / "assets")
    return content_outputs(dict(sorted(files.items())))


def _add_assets(files: dict[str, bytes], folder: Path) -> None:
    for file in sorted(p for p in folder.rglob("*") if p.is_file()) if folder.is_dir() else []:
        files["assets/" + file.relative_to(folder).as_posix()] = file.read_bytes()


def _constant(data: bytes) -> Callable[[], bytes]:
    return lambda: data


def remembered_scan(cache: BuildCache) -> Callable[[Path, PrivacySettings], list[Finding]]:
    """The personal-data scan of a page, remembered by the page's digest and the settings: a page that has not
    changed is not scanned again."""
    def scan(page: Path, settings: PrivacySettings) -> list[Finding]:
        sha = cache.page_sha(page)
        if not sha:
            return scan_page(page, settings)
        found = cache.remembered("privacy", digest(sha, settings), lambda: _scan_record(scan_page(page, settings)),
                                 plain=True)
        return [Finding(**finding) for finding in found]
    return scan


def _scan_record(findings: list[Finding]) -> list[dict[str, Any]]:
    return [dataclasses.asdict(f) for f in findings]


def _passages_record(body: str) -> list[dict[str, Any]]:
    return [{"part": p.part, "anchor": p.anchor, "heading": p.heading, "paragraphs": list(p.paragraphs)}
            for p in passages(body)]


def work_out_pages(letters: list[Letter], settings: PrivacySettings, cache: BuildCache, jobs: int) -> None:
    """What later stages need of each page and the cache does not hold (its personal-data scan, search passages
    and request text), worked out across `jobs` processes, each page read once; the stages find it remembered.
    (`read_pages_ahead` has worked it out already for the pages it read.)"""
    tasks = [(letter, wanted) for letter in letters if letter.page
             and (wanted := _not_held(cache.page_sha(letter.page), letter.meta, settings, cache))]

    def work(task: tuple[Letter, list[tuple[str, str]]]) -> list[Any]:
        letter, wanted = task
        text, _ = read_page_text(letter.page)  # type: ignore[arg-type]
        return _worked_out(wanted, text, lambda: letter.body or page_stage.body_of(text), lambda: letter, settings)

    for (_, wanted), values in zip(tasks, map_in_order(work, tasks, jobs, chunk=32), strict=True):
        for (namespace, key), value in zip(wanted, values, strict=False):
            cache.provide(namespace, key, value)


def _not_held(sha: str | None, meta: dict[str, Any], settings: PrivacySettings,
              cache: BuildCache) -> list[tuple[str, str]]:
    """What `work_out_pages` works out for a page (namespace, key), where the cache does not hold it."""
    if not sha:
        return []
    wanted = [] if meta.get(REVIEWED_KEY) is True else [("privacy", digest(sha, settings))]
    text_key = digest(sha)  # as `page_digest` gives it for a page read in this build
    wanted += [("passages", text_key), ("request", text_key)]
    return [(namespace, key) for namespace, key in wanted if not cache.holds(namespace, key)]


def _worked_out(wanted: list[tuple[str, str]], text: str, body: Callable[[], str], letter: Callable[[], Letter],
                settings: PrivacySettings) -> list[Any]:
    """The values `wanted` of one page, from its text; a page with personal data found gets no more (it is held
    back: its passages and request text are not needed)."""
    values: list[Any] = []
    for namespace, _ in wanted:
        if namespace == "privacy":
            values.append(_scan_record(scan_page_text(text, settings)))
            if values[-1]:
                break
        elif namespace == "passages":
            values.append(_passages_record(body()))
        else:
            values.append(request_text(letter(), body()))
    return values


def read_pages_ahead(pages: list[Path], cache: BuildCache, jobs: int, settings: PrivacySettings,
                     content: Path) -> None:
    """Read and parse, across `jobs` processes, the pages whose front matter the cache does not hold, and work
    out what `work_out_pages` would for each from the same reading. A page that cannot be read is left for the
    stage that reads it to report."""
    def read(page: Path) -> tuple[tuple[Path, StatKey | None, dict[str, Any], str], list[Any]] | None:
        before = stat_key(page)
        try:
            text, sha = read_page_text(page)
            meta, body = page_stage.split_page(text, page)
            wanted = _not_held(sha, meta, settings, cache)
            worked = _worked_out(wanted, text, lambda: body,
                                 lambda: page_stage.letter_from_page(page, content, lambda _: (meta, body)), settings)
        except (FoilogError, OSError):
            return None
        return (page, before, meta, sha), list(zip(wanted, worked, strict=False))

    unread = cache.unread_pages(pages)
    read_pages = [read_page for read_page in map_in_order(read, unread, jobs, chunk=64) if read_page]
    cache.read_pages_ahead([page for page, _ in read_pages])
    for _, worked in read_pages:
        for (namespace, key), value in worked:
            cache.provide(namespace, key, value)


def page_reader(cache: BuildCache) -> page_stage.PageReader:
    def read(path: Path) -> tuple[dict[str, Any], str | None]:
        meta, body, _ = cache.read_page(path, page_stage.split_page)
        return meta, body
    return read


def scan_letters(site_src: Path, report: Report, cache: BuildCache) -> list[Letter]:
    """Every letter file, with its SHA-256; its text is decoded only when it has to be understood.

    A file whose stat is what it was when the cache last hashed it is not even read.
    """
    letters = []
    prefix = str(site_src) + os.sep
    for path in find_letter_files(site_src / "letters", report):
        text = str(path)  # (pathlib's relative_to costs more than the rest of an unchanged letter's scan)
        source = text[len(prefix):].replace(os.sep, "/") if text.startswith(prefix) else \
            path.relative_to(site_src).as_posix()
        sha = cache.letter_sha(source, path)
        if sha is None:
            before = stat_key(path)
            try:
                if before is not None and before[2] > MAX_LETTER_BYTES:
                    raise too_big(before[2], path)
                sha = hashlib.sha256(path.read_bytes()).hexdigest()
            except OSError as exc:
                report.add(FoilogError(f"the file could not be read ({exc.strerror or exc})", file=path,
                                       hint="check that the file exists and that you may read it"))
                continue
            except FoilogError as exc:
                report.add(exc)
                continue
            cache.remember_letter(source, before, sha)
        letters.append(Letter(source=source, path=path, sha256=sha))
    return letters


class LettersOnDemand(dict[str, Letter]):
    """Letters by source, whose text is read when a stage asks for one (most builds never need it)."""

    def get(self, source: str, default: Any = None) -> Any:
        letter = super().get(source, default)
        if isinstance(letter, Letter) and not letter.text:
            with contextlib.suppress(FoilogError, OSError):
                read = letter_from_bytes(letter.path.read_bytes(), letter.path, letter.source)
                letter.text, letter.encoding = read.text, read.encoding
        return letter


def page_files(content: Path) -> list[Path]:
    """Every `*.md` file below content/letters/, in the order of sorting their paths."""
    found = [(tuple(relative.split("/")), path) for relative, path in walk_files(content / "letters", skip_hidden=False)
             if fnmatch.fnmatchcase(relative.rsplit("/", 1)[-1], "*.md")]
    return [path for _, path in sorted(found)]


@dataclass
class PageListing:
    """The pages in content/letters/, listed once and kept up to date as this build writes and removes pages."""

    content: Path
    listed: list[Path] = field(default_factory=list)
    added: set[Path] = field(default_factory=set)
    removed: set[Path] = field(default_factory=set)

    @classmethod
    def of(cls, content: Path) -> PageListing:
        return cls(content, page_files(content))

    def written(self, page: Path, previous: Path | None) -> None:
        self.added.add(page)
        if previous is not None and previous != page and not previous.exists():
            self.removed.add(previous)

    @property
    def files(self) -> list[Path]:
        if self.added or self.removed:
            self.listed = sorted((set(self.listed) | self.added) - self.removed)
            self.added, self.removed = set(), set()
        return self.listed


def update_pages(letters: list[Letter], content: Path, config: SiteConfig, report: Report, options: Options,
                 cache: BuildCache | None = None, jobs: int = 1, listing: PageListing | None = None
                 ) -> dict[str, Path]:
    """Understand each new or changed letter and (re)write its page; unchanged pages are left alone.

    Returns the pages written in this build, by their letters' sources. A page that a person broke (its front matter
    cannot be read) is never overwritten: it is reported when the pages are read, and its letter waits.
    The letters are understood across `jobs` processes; pages are written in the letters' order, so the
    result does not depend on how the work was shared.
    """
    cache = cache or BuildCache.disabled()
    reader = page_reader(cache)
    page_stage.remove_partial_files(content)
    existing = page_stage.existing_pages(content, reader, listing.files if listing else None)
    changed = [i for i, le in enumerate(letters)
               if options.clean or not page_stage.is_current(existing.get(le.source), le, reader)]
    changed = [i for i in changed if letters[i].source not in existing
               or not page_stage.is_broken(existing[letters[i].source], reader)]
    unchanged = set(range(len(letters))) - set(changed)
    taken = {existing[letters[i].source] for i in unchanged if letters[i].source in existing}
    written: dict[str, Path] = {}
    work = [letters[i] for i in changed]
    with _progress_bar(len(work), "Reading letters", options) as progress:
        results = map_in_order(lambda le: _understand(le, config), work, jobs, chunk=16, done=progress.update)
        for index, (letter, problem, failure) in zip(changed, results, strict=True):
            # Later stages need only where the letter is (its text is read again if a stage asks for it):
            # keeping every understood letter, blocks and all, would hold the whole archive in memory.
            letters[index] = Letter(source=letter.source, path=letter.path, sha256=letter.sha256)
            if problem is not None:
                report.problems.append(problem)
                continue  # it could not be read
            if failure is not None:
                report.error(f"the reader failed on this letter ({failure}); it was left out", file=letter.source,
                             hint="please report this with the letter attached; meanwhile write its page in "
                                  "content/ by hand")
                continue
            previous = existing.get(letter.source)
            try:
                letter.page = page_stage.write_page(letter, content, previous, taken)
            except FoilogError as exc:
                report.warn(f"the page for {letter.source} was not rewritten, because the page in the way cannot "
                            f"be read ({exc.message})", file=exc.file, line=exc.line,
                            hint="fix the page's front matter (or delete the page to have it generated again)")
                continue
            for page in {letter.page, previous} - {None}:
                cache.forget_page(page)  # type: ignore[arg-type]
            if listing is not None:
                listing.written(letter.page, previous)
            written[letter.source] = letter.page
            log.info("read %s: ref %s, %s, %s, %s working day(s) -> %s", letter.source, letter.reference or "?",
                     letter.regime, letter.outcome, "?" if letter.working_days is None else letter.working_days,
                     letter.page.relative_to(content.parent) if letter.page.is_relative_to(content.parent)
                     else letter.page)
    return written


def _understand(letter: Letter, config: SiteConfig) -> tuple[Letter, Problem | None, str | None]:
    """Read (if the scan only hashed it) and understand one letter: (the letter, why it could not be read,
    why the reader failed). What it could not understand cleanly is kept in `letter.warnings`. The letter given
    is left as it was: the caller drops the understood one, text and blocks and all, once its page is written."""
    letter = copy.deepcopy(letter)
    if not letter.text:
        try:
            read = letter_from_bytes(letter.path.read_bytes(), letter.path, letter.source)
        except (OSError, FoilogError) as exc:
            error = exc if isinstance(exc, FoilogError) else FoilogError(
                f"the file could not be read ({exc.strerror or exc})", file=letter.path,
                hint="check that the file exists and that you may read it")
            report = Report()
            report.add(error)
            return letter, report.problems[0], None
        letter.text, letter.encoding, letter.warnings = read.text, read.encoding, read.warnings
        letter.sha256 = read.sha256
    notes = Report()
    try:
        understand(letter, config, notes)
    except Exception as exc:  # a reader bug must not stop the other letters
        log.debug("reader failed on %s", letter.source, exc_info=True)
        return letter, None, f"{type(exc).__name__}: {exc}"
    letter.warnings += notes.problems
    return letter, None, None


@contextlib.contextmanager
def _progress_bar(total: int, description: str, options: Options) -> Iterator[tqdm[Any]]:
    """A progress bar (`update(n)` as work is done), shown when there is enough work and a terminal to show it."""
    show = options.progress and total >= PROGRESS_THRESHOLD
    with tqdm(total=total, desc=description, unit="file" if "pages" in description else "letter",
              disable=not show or None, leave=False) as bar:
        yield bar


def page_outputs(renderer: Renderer, planned: list[PageJob], fingerprints: Fingerprints) -> list[Output]:
    """Every HTML page of the site as an output keyed by what it is made from."""
    return [Output(output_path(job.url), renderer.key(job, fingerprints), _maker(renderer, job)) for job in planned]


def _maker(renderer: Renderer, job: PageJob) -> Callable[[], str]:
    return lambda: renderer.render(job).html


def content_outputs(files: dict[str, str] | dict[str, bytes]) -> list[Output]:
    """Files made without a template (data, feeds, assets), keyed by their bytes."""
    outputs = []
    for relative, content in files.items():
        data = content.encode("utf-8") if isinstance(content, str) else content
        outputs.append(Output(relative, content_key(data), _constant(data)))
    return outputs


def content_key(data: bytes) -> str:
    return digest("content", hashlib.sha256(data).hexdigest())


OPEN_DATA = "open-data"  # the build cache's open data files' keys, by what they are made from


def open_data_outputs(letters: list[Letter], urls: dict[str, str], config: SiteConfig, base_url: str,
                      fingerprints: Fingerprints, cache: BuildCache, output_dir: Path) -> list[Output]:
    """The open data files, made again only when a letter's facts or address, or site.toml, changed since the
    last build, or when the live site no longer has one of them as the last build published it."""
    inputs = digest(config, base_url, fingerprints.of(urls), [fingerprints.of(letter) for letter in letters])
    known: dict[str, str] | None = cache.recalled(OPEN_DATA, inputs)
    if known is not None and _still_published(known, cache, output_dir):
        files = functools.cache(lambda: open_data(letters, urls, config, base_url))
        return [Output(path, key, _file_of(files, path)) for path, key in known.items()]
    outputs = content_outputs(open_data(letters, urls, config, base_url))
    cache.remembered(OPEN_DATA, inputs, lambda: {output.relative: output.key for output in outputs}, plain=True)
    return outputs


SEARCH_RECORDS = "search-records"  # the build cache's folders of letters' search records, by what they are made of


def search_outputs(letters: list[Letter], urls: dict[str, str], config: SiteConfig, cache: BuildCache,
                   output_dir: Path, jobs: int, spool: int) -> Background[list[Output]]:
    """The search's data files, keyed by their bytes, worked out in the background (with more than one job)
    while the build goes on. The new files are written into the unnamed temporary file `spool` (a descriptor)
    until the site takes them: they are neither sent between processes nor held in memory, and the file is gone
    when the build ends, however it ends. The index is built again only when a letter's page or address or
    site.toml changed since the last build, or when the last site no longer has its files."""
    page_sha = page_digest(cache)
    inputs = digest(config, sorted((letter_key(le), urls[letter_key(le)], page_sha(le)) for le in letters))
    cache.keep("passages", (digest(page_sha(le)) for le in letters))  # for the next build that changes the index
    known: dict[str, Any] | None = cache.recalled("search", inputs)

    def make(kept: KeptRecords | None = None, terms: RememberedTerms | None = None) -> dict[str, bytes]:
        def terms_for(boilerplate: str) -> Callable[[SearchDoc], DocTerms]:
            assert terms is not None
            return terms.reader(lambda doc: entry_key(page_sha(doc.letter), boilerplate))
        return build_index(letters, urls, config, remembered_passages(cache), terms_for if terms is not None else None,
                           terms.keys_of(page_sha) if terms is not None else None).data_files(kept)

    built: list[dict[str, bytes]] = []

    def files() -> dict[str, bytes]:  # every file, made here: only if one the last site had went missing meanwhile
        if not built:
            built.append(make())
        return built[0]

    if known is not None and _still_published(known["files"], cache, output_dir):
        cache.keep(SEARCH_RECORDS, known["records"])
        outputs = [Output(path, key, _file_of(files, path)) for path, key in known["files"].items()]
        return Background(lambda: outputs, enabled=False)
    cache.settle("passages", plain=True)  # stored here: what the background process remembers is lost
    terms_file = cache.folder / TERMS_FILE if cache.folder is not None else None
    terms = RememberedTerms(terms_file, cache.code, spool) if terms_file is not None else None

    def in_background() -> tuple[Spooled, tuple[int, int] | None]:
        made = _made_keeping_records(functools.partial(make, terms=terms), config, cache, output_dir)
        region = terms.region() if terms is not None else None  # (before the files are spooled after them)
        return _spooled(made, spool), region
    making = Background(in_background, enabled=jobs > 1)

    def outputs_when_made() -> list[Output]:
        (new, keys, records), region = making.result()
        if terms_file is not None and region is not None:
            put_in_place(terms_file, spool, *region)  # each letter's terms, for the next build that changes the index
        for folder_inputs, entry in records.items():
            cache.remembered(SEARCH_RECORDS, folder_inputs, lambda entry=entry: entry, plain=True)  # type: ignore[misc]
        made = cache.remembered("search", inputs, lambda: {"files": keys, "records": list(records)}, plain=True)
        return [Output(path, key, _unspooled(spool, *new[path]) if path in new else _file_of(files, path))
                for path, key in made["files"].items()]
    return _Then(making, outputs_when_made)


Made = tuple[dict[str, bytes], dict[str, str], dict[str, dict[str, Any]]]


Spooled = tuple[dict[str, tuple[int, int]], dict[str, str], dict[str, dict[str, Any]]]


def _spooled(made: Made, spool: int) -> Spooled:
    """The search's new files written one after another into `spool`, each as its (offset, length) there."""
    new, keys, records = made
    placed = {}
    with open(spool, "wb", closefd=False) as file:
        for path, content in new.items():
            placed[path] = (file.tell(), len(content))
            file.write(content)
    return placed, keys, records


def _unspooled(spool: int, offset: int, length: int) -> Callable[[], bytes]:
    def read() -> bytes:
        data = os.pread(spool, length, offset)  # (a file's read returns all it asks for, short of its end)
        if len(data) != length:
            raise OSError(f"the search's temporary file ends before {offset + length} bytes")
        return data
    return read


def _made_keeping_records(make: Callable[[KeptRecords], dict[str, bytes]], config: SiteConfig, cache: BuildCache,
                          output_dir: Path) -> Made:
    """The search's files: the bytes of those the last site does not have (a folder of letters' records made
    from the same inputs is not made again), every file's key, and each folder of records as the cache keeps it."""
    reused: dict[str, str] = {}
    page_sha = page_digest(cache)

    def published(folder_inputs: str) -> tuple[str, list[str]] | None:
        entry = cache.recalled(SEARCH_RECORDS, folder_inputs)
        if entry is None or not _still_published(entry["files"], cache, output_dir):
            return None
        reused.update(entry["files"])
        return entry["folder"], list(entry["files"])

    kept = KeptRecords(digest(config), lambda doc: f"{doc.number}\0{doc.url}\0{page_sha(doc.letter)}", published)
    new = make(kept)
    keys = dict(sorted({path: content_key(data) for path, data in new.items()}.items() | reused.items()))
    records = {folder_inputs: {"folder": folder, "files": {path: keys[path] for path in paths}}
               for folder_inputs, (folder, paths) in kept.folders.items()}
    return new, keys, records


def _still_published(files: dict[str, str], cache: BuildCache, output_dir: Path) -> bool:
    """Whether the live site still has each of these files (path -> key), as the last build published it."""
    return all(cache.previous_output(path, key, output_dir) for path, key in files.items())


class _Then(Background[list[Output]]):
    """A background job's result, carried on by `then` in this process."""

    def __init__(self, job: Background[Any], then: Callable[[], list[Output]]) -> None:
        super().__init__(then, enabled=False)
        self._job = job

    def close(self) -> None:
        self._job.close()


def _file_of(files: Callable[[], dict[str, Content]], path: str) -> Callable[[], Content]:
    """One of the files a function makes, made (by it) when asked for."""
    return lambda: files()[path]


def page_digest(cache: BuildCache) -> Callable[[Letter], str]:
    """A letter's page file's SHA-256 (what it was made from when it has no page)."""
    def page_sha(letter: Letter) -> str:
        return (cache.page_sha(letter.page) if letter.page else None) or digest(letter.meta, letter.body)
    return page_sha


def remembered_related(letters: list[Letter], cache: BuildCache, jobs: int = 1) -> dict[int, list[Letter]]:
    """Related requests, worked out again only when some letter's request text changed."""
    page_sha = page_digest(cache)
    texts = {id(le): cache.remembered("request", digest(page_sha(le)),
                                      lambda le=le: request_text(le, page_stage.page_body(le)),  # type: ignore[misc]
                                      plain=True)
             for le in letters}

    def related_keys() -> dict[str, list[str]]:
        related = find_related(letters, text=lambda le: texts[id(le)], jobs=jobs)
        return {letter_key(le): [letter_key(o) for o in related.get(id(le), [])] for le in letters}

    by_key = {letter_key(le): le for le in letters}
    found = cache.remembered(
        "related", digest(sorted((letter_key(le), le.reference, str(le.page), texts[id(le)]) for le in letters)),
        related_keys)
    return {id(by_key[key]): [by_key[o] for o in others] for key, others in found.items() if key in by_key}


def remembered_passages(cache: BuildCache) -> Callable[[Letter], list[Passage]]:
    """A letter's passages for the search index, worked out again only when its page changed."""
    page_sha = page_digest(cache)

    def passages_of(letter: Letter) -> list[Passage]:
        found = cache.remembered("passages", digest(page_sha(letter)),
                                 lambda: _passages_record(page_stage.page_body(letter)), plain=True)
        return [Passage(**p) for p in found]
    return passages_of


def load_pages(content: Path, sources: set[str], report: Report, read: page_stage.PageReader | None = None,
               files: list[Path] | None = None) -> list[Letter]:
    """Every letter page in content/, as edited; a broken page is reported and left out.

    The reader's warnings about each letter are reported from its page, so every build (not only the one that
    read the letter) reports them, and `--strict` keeps failing until a person deals with them: a fact the
    reader could not find stops being reported once it is filled in on the page.
    """
    letters = []
    for path in page_stage.all_pages(content) if files is None else files:
        try:
            letter = page_stage.letter_from_page(path, content, read)
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
