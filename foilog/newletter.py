"""`build.py new-letter PATH`: add a letter, write its page and show what was understood from it."""

from __future__ import annotations

import shutil
import sys
import textwrap
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from . import pages as page_stage
from .build import Options, Paths, update_pages
from .config import SiteConfig, load_config
from .errors import FoilogError, Problem, Report
from .model import Letter
from .privacy import REVIEWED_KEY, hold_back
from .read import LETTER_SUFFIXES, decode, read_letter
from .render import OUTCOME_LABELS, REGIME_NAMES, format_date
from .urls import letter_slug, letter_url

EXIT_OK, EXIT_SOME_FAILED, EXIT_FAILED = 0, 1, 3
WIDTH = 100


@dataclass
class Added:
    """One letter added: where it came from, where it is now, its page and what was said about it."""

    given: Path
    letter_file: Path
    copied: bool
    page: Path
    page_written: bool
    letter: Letter
    problems: list[Problem] = field(default_factory=list)
    personal_data: list[Problem] = field(default_factory=list)  # findings that hold the letter back from the site

    @property
    def held_back(self) -> bool:
        return bool(self.personal_data)


def new_letters(paths: Paths, files: list[Path], *, quiet: bool = False, debug: bool = False) -> int:
    """Add each letter in turn; a letter that cannot be added is reported and the others still are."""
    try:
        config = load_config(paths.site_src / "site.toml")
    except FoilogError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_FAILED
    failed = held = 0
    pages: list[str] = []
    for file in files:
        try:
            added = add_letter(paths, file, config)
        except FoilogError as exc:
            failed += 1
            print(f"error: {exc}", file=sys.stderr)
            continue
        except Exception as exc:
            if debug:
                raise
            failed += 1
            print(f"internal error on {file}: {type(exc).__name__}: {exc}\n  run again with --debug for the "
                  "traceback, and please report it", file=sys.stderr)
            continue
        print(describe_added(added, paths, config.working_day_limit, quiet=quiet), flush=True)
        pages.append(_shown(added.page, paths.root))
        held += added.held_back
    if pages and not quiet:
        print(how_to_correct(pages, held_back=held > 0), flush=True)
    if failed == len(files):
        return EXIT_FAILED
    return EXIT_SOME_FAILED if failed or held else EXIT_OK


def add_letter(paths: Paths, file: Path, config: SiteConfig) -> Added:
    """Copy a letter into site_src/letters/ (unless it is there already), read it, write its page and scan the
    page for personal data as a build would."""
    given = file.expanduser()
    letter_file, copied = place_letter(given, paths.site_src / "letters")
    report = Report()
    letter = read_letter(letter_file, paths.site_src)
    written = update_pages([letter], paths.content, config, report, Options(progress=False)).get(letter.source)
    page = written or page_stage.existing_pages(paths.content).get(letter.source)
    if page is None:
        problem = report.errors[0] if report.errors else None
        raise FoilogError(f"no page could be written for it{': ' + problem.message if problem else ''}",
                          file=letter_file, hint=problem.hint if problem else "run again with --debug")
    published = page_stage.letter_from_page(page, paths.content)
    report.problems += published.warnings  # what the reader could not find, as the page records it
    _report_namesake(published, page, paths.content, report)
    privacy = Report()
    hold_back([published], {letter.source: letter}, config.privacy, privacy)
    return Added(given=given, letter_file=letter_file, copied=copied, page=page, page_written=written is not None,
                 letter=published, problems=report.problems + privacy.problems, personal_data=privacy.problems)


def place_letter(given: Path, letters_dir: Path) -> tuple[Path, bool]:
    """The letter's place under site_src/letters/: where it is already, or a copy there. Checked first."""
    if not given.is_file():
        raise FoilogError("there is no such file", file=given, hint="check the path and try again")
    if given.suffix.lower() not in LETTER_SUFFIXES:
        raise FoilogError(f"a letter must be a plain-text file ending in {' or '.join(sorted(LETTER_SUFFIXES))}",
                          file=given, hint="export the letter as plain text, or rename it if it is text already")
    data = given.read_bytes()
    decode(data, given)  # an empty, binary or huge file is refused before it is copied
    inside = given.resolve()
    letters = letters_dir.resolve()
    if inside.is_relative_to(letters):
        if any(part.startswith(".") for part in inside.relative_to(letters).parts):
            raise FoilogError("files and folders whose names start with '.' are not read as letters",
                              file=given, hint="rename it without the leading '.'")
        return inside, False
    target = letters_dir / given.name
    if target.exists():
        if target.read_bytes() == data:
            return target, False
        raise FoilogError(f"a different letter called {given.name} is already in {letters_dir}",
                          file=given, hint=f"rename your file (for example {given.stem}-2{given.suffix}) and add "
                                           "it again")
    letters_dir.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(given, target)
    return target, True


def _report_namesake(letter: Letter, page: Path, content: Path, report: Report) -> None:
    """Warn when another letter's page already has this letter's reference (the page got a -2 name)."""
    if not letter.reference:
        return
    first = page.with_name(f"{letter_slug(letter)}.md")
    if first == page or not first.is_file():
        return
    try:
        meta, _ = page_stage.read_page(first)
    except FoilogError:
        return
    if meta.get("source") != letter.source:
        report.warn(f"another letter ({meta.get('source') or first.name}) already has the reference "
                    f"{letter.reference}", file=page, hint="check it is not a duplicate; if it is, delete this "
                    "letter and its page")


def describe_added(added: Added, paths: Paths, limit: int, *, quiet: bool = False) -> str:
    """What was understood from a letter, in plain words, and how to correct it."""
    le, root = added.letter, paths.root
    where = _shown(added.letter_file, root)
    action = f"Added {where} (copied from {added.given})" if added.copied else f"Read {where}"
    page_state = "written" if added.page_written else "already up to date, not changed"
    address = letter_url(added.page, paths.content)
    lines = [action, f"Its page: {_shown(added.page, root)} ({page_state})",
             f"Held back from the site: it shows personal data (below); once that is dealt with it is published at "
             f"{address}" if added.held_back else f"Published at: {address}"]
    if not quiet:
        lines += ["", *_facts(le, limit, _personal_data(added))]
    shown = [p for p in added.problems if not quiet or p.severity.value == "error"]
    if shown:
        lines.append("")
    for problem in shown:
        lines += str(problem).splitlines()
    return "\n".join(lines) + "\n"


def how_to_correct(pages: list[str], *, held_back: bool = False) -> str:
    which = f"the front matter of {pages[0]}" if len(pages) == 1 else "the front matter of its page"
    advice = textwrap.wrap(
        f"Check these facts against the letter. To correct one, edit its line in {which} "
        "(docs/front-matter.md describes every key): the page is what gets published. Your edits to title, "
        "summary and topics are kept even when the letter is read again; other corrections last until the "
        "letter file changes or you build with --clean, so when the letter itself is wrong, correct the letter "
        "too.", WIDTH)
    if held_back:
        advice += textwrap.wrap(
            "A letter held back for personal data is left out of the site until you redact what each finding "
            "names, in the letter (then add it again) or in its page, or, after checking that it may be "
            f"published, set `{REVIEWED_KEY}: true` in its page (docs/front-matter.md#personal-data).", WIDTH)
    return "\n".join(advice + ["Then preview the site:  python build.py serve",
                               "or publish it:          python build.py"])


def _facts(le: Letter, limit: int, personal_data: str) -> list[str]:
    days = "not known"
    if le.working_days is not None:
        days = f"{le.working_days} ({'late: over' if le.late else 'on time: within'} the {limit}-working-day limit)"
    authority = le.authority or "not found"
    if le.authority_address:
        authority += f", {le.authority_address}"
    rows = [
        ("Title", le.title), ("Summary", le.summary), ("Authority", authority),
        ("Reference", le.reference or "not found"),
        ("Law", f"{le.regime} ({REGIME_NAMES.get(le.regime, le.regime)})"),
        ("Received", format_date(le.received) or "not found"), ("Answered", format_date(le.responded) or "not found"),
        ("Working days", days), ("Outcome", f"{OUTCOME_LABELS.get(le.outcome, le.outcome)} ({le.outcome})"),
        ("Exemptions", ", ".join(le.exemptions) or "none applied"), ("Topics", ", ".join(le.topics) or "none"),
        ("Personal data", personal_data),
        ("Questions", str(len(le.questions)) if le.questions else "none found"),
    ]
    out = []
    for label, value in rows:
        out += textwrap.wrap(value, WIDTH, initial_indent=f"  {label:<14}", subsequent_indent=" " * 16) or [
            f"  {label}"]
    out += _questions(le.questions)
    return out


def _personal_data(added: Added) -> str:
    if added.held_back:
        count = len(added.personal_data)
        return f"{count} finding{'s' if count != 1 else ''}: held back from the site (see below)"
    if added.letter.meta.get(REVIEWED_KEY) is True:
        return f"not scanned: the page is marked reviewed ({REVIEWED_KEY}: true)"
    return "none found"


def _questions(questions: Iterable[object]) -> list[str]:
    out = []
    for question in questions:
        label = f"{getattr(question, 'label', None)}." if getattr(question, "label", None) else "-"
        text = textwrap.shorten(str(getattr(question, "text", "")), WIDTH - 23, placeholder=" …")
        out.append(f"{'':16}{label:<5}{text}")
    return out


def _shown(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)
