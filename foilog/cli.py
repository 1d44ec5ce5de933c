"""The command line: `python build.py [--clean] [--base-url URL] [--strict] ...`."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from . import __version__
from .build import Options, Paths, build
from .errors import FoilogError, Report
from .urls import base_url_problem

EXIT_OK = 0
EXIT_LETTER_ERRORS = 1
EXIT_USAGE = 2
EXIT_FAILED = 3
EXIT_INTERRUPTED = 130

EPILOG = """exit codes:
  0    the site was built and published
  1    the site was published, but some letters had errors and were left out
  2    the command line was wrong
  3    the build failed (or --strict found problems); output/ was left as it was
  130  interrupted
"""


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="build.py", description="Build an FOI disclosure log from a folder of response letters.",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--clean", action="store_true",
                   help="re-read every letter and rewrite every page in content/ (hand edits to title, "
                        "summary and topics are still kept)")
    p.add_argument("--base-url", metavar="URL", type=_base_url, help="where the site will be served, e.g. /foi/ or "
                   "https://example.org/foi/ (overrides base_url in site.toml)")
    p.add_argument("--theme", metavar="NAME", help="theme folder under themes/ (overrides site.toml)")
    p.add_argument("--strict", action="store_true", help="treat warnings as errors: exit non-zero and "
                   "publish nothing if any problem is found")
    volume = p.add_mutually_exclusive_group()
    volume.add_argument("-q", "--quiet", action="store_true", help="print only errors")
    volume.add_argument("-v", "--verbose", action="store_true", help="print each letter as it is read")
    p.add_argument("--debug", action="store_true", help="show tracebacks for unexpected errors")
    p.add_argument("--root", type=Path, metavar="DIR", help="project folder holding site_src/, content/, "
                   "themes/ and output/ (default: the folder of build.py)")
    p.add_argument("--version", action="version", version=f"foilog {__version__}")
    return p


def _base_url(value: str) -> str:
    problem = base_url_problem(value)
    if problem:
        raise argparse.ArgumentTypeError(f"{problem}, for example /foi/ (got {value!r})")
    return value


def main(argv: list[str] | None = None, root: Path | None = None) -> int:
    args = parser().parse_args(argv)
    level = logging.DEBUG if args.debug else logging.INFO if args.verbose else logging.WARNING
    logging.basicConfig(level=level, format="%(message)s", stream=sys.stderr)
    paths = Paths.under((args.root or root or Path.cwd()).resolve())
    options = Options(base_url=args.base_url, theme=args.theme, clean=args.clean, strict=args.strict,
                      progress=not args.quiet)
    report = Report()
    try:
        result = build(paths, options, report)
    except FoilogError as exc:
        _print_problems(report, args.quiet)
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        print("interrupted; output/ was left as it was", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as exc:
        if args.debug:
            raise
        print(f"internal error: {type(exc).__name__}: {exc}\n  run again with --debug for the traceback, "
              "and please report it", file=sys.stderr)
        return EXIT_FAILED
    _print_problems(report, args.quiet)
    if not args.quiet:
        pages = len(result.letters)
        print(f"built {pages} letter page{'s' if pages != 1 else ''} into {paths.output} "
              f"({result.pages_written} page{'s' if result.pages_written != 1 else ''} in content/ updated; "
              f"{len(report.errors)} error(s), {len(report.warnings)} warning(s))", file=sys.stderr)
    return EXIT_LETTER_ERRORS if report.errors else EXIT_OK


def _print_problems(report: Report, quiet: bool) -> None:
    for problem in report.problems:
        if quiet and problem.severity.value != "error":
            continue
        print(problem, file=sys.stderr)
