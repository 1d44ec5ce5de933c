"""The command line: `python build.py [COMMAND] [options]`; without a command it builds the site.

Each command is a `Command` in COMMANDS: its name, a one-line summary, the options it takes and the function
that runs it. To add one, write the two functions and add an entry.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from . import __version__, interrupts
from .build import Options, Paths, Result, build, check
from .errors import FoilogError, Report
from .urls import base_url_problem

EXIT_OK = 0
EXIT_LETTER_ERRORS = 1
EXIT_USAGE = 2
EXIT_FAILED = 3
EXIT_INTERRUPTED = 130

EPILOG = """exit codes:
  0    the site was built and published (check: nothing would stop it)
  1    the site was published, but some letters had errors and were left out (check: some would be)
  2    the command line was wrong
  3    the build failed (or --strict found problems); output/ was left as it was
  130  interrupted
"""
SERVE_EXIT_CODES = """exit codes:
  0    stopped with Ctrl-C (or SIGTERM)
  2    the command line was wrong
  3    the port could not be listened on
"""
NEW_LETTER_EXIT_CODES = """exit codes:
  0    every letter was added and its page written, and none shows personal data
  1    some letters could not be added, or were added but would be held back for personal data
  2    the command line was wrong
  3    nothing could be added (every file was refused, or site.toml has errors)
"""


@dataclass(frozen=True)
class Command:
    name: str
    summary: str
    add_options: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace, Paths], int]
    exit_codes: str = EPILOG


def _commands_text() -> str:
    width = max(len(name) for name in COMMANDS)
    lines = [f"  {name:<{width}}  {command.summary}" for name, command in COMMANDS.items()]
    return "commands (build is the default):\n" + "\n".join(lines) + "\n\n"


def parser(name: str = "build") -> argparse.ArgumentParser:
    """The parser of one command; `build.py --help` also lists the other commands."""
    command = COMMANDS[name]
    prog = "build.py" if name == "build" else f"build.py {name}"
    p = argparse.ArgumentParser(
        prog=prog, description=command.summary, formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=(_commands_text() if name == "build" else "") + command.exit_codes)
    command.add_options(p)
    _add_common_options(p)
    return p


def parsers() -> dict[str, argparse.ArgumentParser]:
    return {name: parser(name) for name in COMMANDS}


def _add_build_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--clean", action="store_true",
                   help="re-read every letter, rewrite every page in content/ and make every file of the site, "
                        "ignoring the build cache (hand edits to title, summary and topics are still kept)")
    p.add_argument("--base-url", metavar="URL", type=_base_url, help="where the site will be served, e.g. /foi/ or "
                   "https://example.org/foi/ (overrides base_url in site.toml)")
    p.add_argument("--theme", metavar="NAME", help="theme folder under themes/ (overrides site.toml)")
    p.add_argument("--strict", action="store_true", help="treat warnings as errors: exit non-zero and "
                   "publish nothing if any problem is found")
    _add_jobs_option(p)


def _add_jobs_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("-j", "--jobs", type=int, metavar="N", help="processes for reading letters and writing "
                   "pages, this one included (default: one per core; 1 works in one process)")


def _add_common_options(p: argparse.ArgumentParser) -> None:
    volume = p.add_mutually_exclusive_group()
    volume.add_argument("-q", "--quiet", action="store_true", help="print only errors")
    volume.add_argument("-v", "--verbose", action="store_true", help="print each letter as it is read")
    p.add_argument("--debug", action="store_true", help="show tracebacks for unexpected errors")
    p.add_argument("--root", type=Path, metavar="DIR", help="project folder holding site_src/, content/, "
                   "themes/ and output/ (default: the folder of build.py)")
    p.add_argument("--version", action="version", version=f"foilog {__version__}")


def _base_url(value: str) -> str:
    problem = base_url_problem(value)
    if problem:
        raise argparse.ArgumentTypeError(f"{problem}, for example /foi/ (got {value!r})")
    return value


def main(argv: list[str] | None = None, root: Path | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    name = argv.pop(0) if argv and argv[0] in COMMANDS else "build"
    args = parser(name).parse_args(argv)
    level = logging.DEBUG if args.debug else logging.INFO if args.verbose else logging.WARNING
    logging.basicConfig(level=level, format="%(message)s", stream=sys.stderr)
    paths = Paths.under((args.root or root or Path.cwd()).resolve())
    try:
        with interrupts.catching():
            return COMMANDS[name].run(args, paths)
    except KeyboardInterrupt:
        print("interrupted; output/ was left as it was", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as exc:
        if args.debug:
            raise
        print(f"internal error: {type(exc).__name__}: {exc}\n  run again with --debug for the traceback, "
              "and please report it", file=sys.stderr)
        return EXIT_FAILED


def _options(args: argparse.Namespace) -> Options:
    return Options(base_url=args.base_url, theme=args.theme, clean=getattr(args, "clean", False), strict=args.strict,
                   progress=not args.quiet, jobs=args.jobs)


def run_build(args: argparse.Namespace, paths: Paths) -> int:
    report = Report()
    try:
        result = build(paths, _options(args), report)
    except FoilogError as exc:
        return _failed(report, exc, args.quiet)
    _print_problems(report, args.quiet)
    if not args.quiet:
        for note in result.notes:
            print(f"note: {note}", file=sys.stderr)
        pages = len(result.letters)
        print(f"built {pages} letter page{'s' if pages != 1 else ''} into {paths.output} "
              f"({result.pages_written} page{'s' if result.pages_written != 1 else ''} in content/ updated; "
              f"{_held_back(result)}{len(report.errors)} error(s), {len(report.warnings)} warning(s))",
              file=sys.stderr)
    return EXIT_LETTER_ERRORS if report.errors else EXIT_OK


def run_check(args: argparse.Namespace, paths: Paths) -> int:
    report = Report()
    try:
        result = check(paths, _options(args), report)
    except FoilogError as exc:
        return _failed(report, exc, args.quiet)
    _print_problems(report, args.quiet)
    if not args.quiet:
        pages = len(result.letters)
        print(f"checked: {pages} letter page{'s' if pages != 1 else ''} would be published "
              f"({result.pages_written} page{'s' if result.pages_written != 1 else ''} in content/ would be updated; "
              f"{_held_back(result)}{len(report.errors)} error(s), {len(report.warnings)} warning(s)); "
              "nothing was written", file=sys.stderr)
    return EXIT_LETTER_ERRORS if report.errors else EXIT_OK


def _add_serve_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--base-url", metavar="URL", type=_base_url, help="as for a build; the preview is served at its "
                   "path, e.g. http://127.0.0.1:PORT/foi/ for https://example.org/foi/")
    p.add_argument("--theme", metavar="NAME", help="theme folder under themes/ (overrides site.toml)")
    p.add_argument("--strict", action="store_true", help="treat warnings as errors: a rebuild with any problem "
                   "fails, and the page says why")
    p.add_argument("--port", type=_port, default=8000, metavar="N", help="the port to listen on (default: 8000; "
                   "0 picks a free one)")
    p.add_argument("--open", action="store_true", help="open the site in your web browser")
    _add_jobs_option(p)


def _port(value: str) -> int:
    try:
        port = int(value)
    except ValueError:
        port = -1
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"must be a port number from 0 to 65535 (got {value!r})")
    return port


def run_serve(args: argparse.Namespace, paths: Paths) -> int:
    from .serve import serve

    return serve(paths, _options(args), port=args.port, open_browser=args.open, quiet=args.quiet, debug=args.debug)


def _add_new_letter_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("letters", nargs="+", type=Path, metavar="PATH", help="a letter as plain text (.txt)")


def run_new_letter(args: argparse.Namespace, paths: Paths) -> int:
    from .newletter import new_letters

    return new_letters(paths, args.letters, quiet=args.quiet, debug=args.debug)


def _held_back(result: Result) -> str:
    return f"{len(result.held_back)} held back for personal data; " if result.held_back else ""


def _failed(report: Report, exc: FoilogError, quiet: bool) -> int:
    _print_problems(report, quiet)
    print(f"error: {exc}", file=sys.stderr)
    return EXIT_FAILED


def _print_problems(report: Report, quiet: bool) -> None:
    for problem in report.problems:
        if quiet and problem.severity.value != "error":
            continue
        print(problem, file=sys.stderr)


COMMANDS: dict[str, Command] = {
    "build": Command("build", "Build an FOI disclosure log from a folder of response letters.",
                     _add_build_options, run_build),
    "check": Command("check", "Run every check a build runs (letters, pages, personal data, site.toml, "
                     "templates) and print the report, writing nothing.", _add_build_options, run_check),
    "serve": Command("serve", "Build, serve the site on http://127.0.0.1:8000/, watch site_src/, content/ and "
                     "themes/, rebuild when a file changes and reload the open browser tab. Ctrl-C stops it.",
                     _add_serve_options, run_serve, SERVE_EXIT_CODES),
    "new-letter": Command("new-letter", "Copy letters into site_src/letters/ (a letter already there is used where "
                          "it is), read them, write their pages in content/ and print what was understood, and any "
                          "personal data that would hold a letter back, so you can correct the page before "
                          "publishing. The site itself is not built.",
                          _add_new_letter_options, run_new_letter, NEW_LETTER_EXIT_CODES),
}
