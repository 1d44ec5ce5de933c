"""`python build.py`: exit codes, messages that name the file, and output/ left alone when a build fails."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from foilog import __version__, cli
from foilog.build import Options, Paths

from .helpers import REPO, make_project, seeds_expected, tree_bytes

LETTER_COUNT = len(seeds_expected())
NO_FACTS_LETTER = (
    "Dear Sir or Madam,\n\n"
    "Thank you for your email about the recycling centre opening hours.\n\n"
    "The opening hours are on our website.\n\n"
    "Yours faithfully,\n\nInformation Team\n"
)


def run(*args: str | Path, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(REPO / "build.py"), *map(str, args)], capture_output=True,
                          text=True, timeout=timeout, cwd=REPO, stdin=subprocess.DEVNULL)


def letter_pages(root: Path) -> list[Path]:
    return sorted((root / "output" / "letters").glob("*/*/index.html"))


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return make_project(tmp_path / "project")


@pytest.fixture
def built(project: Path) -> Path:
    """A project whose output/ was built successfully once."""
    done = run("--root", project)
    assert done.returncode == 0, done.stderr
    return project


def test_build_succeeds(project: Path) -> None:
    done = run("--root", project)
    assert done.returncode == 0, done.stderr
    assert (project / "output" / "index.html").is_file()
    assert len(letter_pages(project)) == LETTER_COUNT
    assert f"built {LETTER_COUNT} letter pages" in done.stderr
    assert not list(project.glob(".output-*")), "the staging folder was left behind"


def test_quiet_prints_nothing_when_all_is_well(project: Path) -> None:
    done = run("--root", project, "--quiet")
    assert done.returncode == 0
    assert done.stdout == "" and done.stderr == ""


def test_verbose_names_each_letter(project: Path) -> None:
    done = run("--root", project, "--verbose")
    assert done.returncode == 0, done.stderr
    for name in seeds_expected():
        assert name in done.stderr


def test_a_binary_letter_is_named_and_the_others_still_build(project: Path) -> None:
    (project / "site_src" / "letters" / "scanned-reply.txt").write_bytes(b"%PDF-1.5\n%\xb5\xed\xae\xfb\n4 0 obj\n")
    done = run("--root", project)
    assert done.returncode == 1, done.stderr
    assert re.search(r"error: .*scanned-reply\.txt.*binary", done.stderr), done.stderr
    assert "fix:" in done.stderr
    assert (project / "output" / "index.html").is_file()
    assert len(letter_pages(project)) == LETTER_COUNT


def test_a_letter_without_reference_or_dates_warns_but_builds(project: Path) -> None:
    (project / "site_src" / "letters" / "no-facts.txt").write_text(NO_FACTS_LETTER, encoding="utf-8")
    done = run("--root", project)
    assert done.returncode == 0, done.stderr
    warnings = [line for line in done.stderr.splitlines() if line.startswith("warning:")]
    assert warnings and all("no-facts.txt" in line for line in warnings), done.stderr
    assert any("reference" in line for line in warnings)
    assert len(letter_pages(project)) == LETTER_COUNT + 1


def test_strict_fails_on_a_warning_and_leaves_output_as_it_was(built: Path) -> None:
    before = tree_bytes(built / "output")
    (built / "site_src" / "letters" / "no-facts.txt").write_text(NO_FACTS_LETTER, encoding="utf-8")
    done = run("--root", built, "--strict")
    assert done.returncode == 3, done.stderr
    assert "no-facts.txt" in done.stderr
    assert "--strict" in done.stderr
    assert tree_bytes(built / "output") == before
    assert not list(built.glob(".output-*"))


def test_strict_still_fails_when_the_letter_was_read_by_an_earlier_build(project: Path) -> None:
    """`--strict` in CI runs after someone built locally: the letter's page is current, but the letter
    still has no reference or dates, so the problem must still be found."""
    (project / "site_src" / "letters" / "no-facts.txt").write_text(NO_FACTS_LETTER, encoding="utf-8")
    first = run("--root", project)
    assert first.returncode == 0 and "no-facts.txt" in first.stderr
    again = run("--root", project, "--strict")
    assert again.returncode == 3, again.stderr
    assert "no-facts.txt" in again.stderr


def test_strict_passes_when_there_is_nothing_to_report(project: Path) -> None:
    done = run("--root", project, "--strict")
    assert done.returncode == 0, done.stderr


def test_a_broken_site_toml_lists_every_error_at_once(built: Path) -> None:
    before = tree_bytes(built / "output")
    (built / "site_src" / "site.toml").write_text('title = "My log"\ncolour = "blue"\nper_page = "ten"\n',
                                                  encoding="utf-8")
    done = run("--root", built)
    assert done.returncode == 3, done.stderr
    assert "site.toml" in done.stderr
    assert "2 errors" in done.stderr
    assert "`colour`" in done.stderr and "unknown" in done.stderr
    assert "`per_page`" in done.stderr and "whole number" in done.stderr
    assert "title" not in done.stderr.split("known keys")[0].replace("site.toml", "")  # a valid key is not blamed
    assert tree_bytes(built / "output") == before


def test_site_toml_that_is_not_toml_names_the_line(built: Path) -> None:
    (built / "site_src" / "site.toml").write_text('title = "My log"\nper_page = \n', encoding="utf-8")
    done = run("--root", built)
    assert done.returncode == 3
    assert re.search(r"site\.toml:2: .*not valid TOML", done.stderr), done.stderr


@pytest.mark.parametrize("base_url", ["/foi-archive/", "https://example.org/foi/"])
def test_base_url_is_accepted(project: Path, base_url: str) -> None:
    done = run("--root", project, "--base-url", base_url)
    assert done.returncode == 0, done.stderr
    home = (project / "output" / "index.html").read_text(encoding="utf-8")
    canonical = re.findall(r'<link rel="canonical" href="([^"]*)"', home)
    links = set(re.findall(r'(?:href|src)="([^"]*)"', home)) - set(canonical)
    assert re.search(r'<link rel="stylesheet" href="(\./)?assets/[\w-]+\.css"', home)
    assert not [link for link in links if link.startswith(("/", base_url))], "links stay relative"
    assert all(c.startswith("https://example.org/foi/") for c in canonical)


def test_a_full_base_url_gives_canonical_links(project: Path) -> None:
    done = run("--root", project, "--base-url", "https://example.org/foi")
    assert done.returncode == 0, done.stderr
    page = letter_pages(project)[0]
    url = page.parent.relative_to(project / "output").as_posix() + "/"
    assert f'<link rel="canonical" href="https://example.org/foi/{url}">' in page.read_text(encoding="utf-8")


def test_a_bad_base_url_stops_the_build(built: Path) -> None:
    before = tree_bytes(built / "output")
    done = run("--root", built, "--base-url", "foi archive")
    assert done.returncode == 2, done.stderr  # the command line was wrong: docs/command-line.md
    assert "--base-url" in done.stderr and "for example /foi/" in done.stderr
    assert tree_bytes(built / "output") == before


def test_an_unknown_theme_lists_the_themes(project: Path) -> None:
    done = run("--root", project, "--theme", "fancy")
    assert done.returncode == 3
    assert "fancy" in done.stderr and "govuk, plain" in done.stderr


def test_help_documents_every_exit_code() -> None:
    done = run("--help")
    assert done.returncode == 0
    assert "exit codes:" in done.stdout
    for code in ("0", "1", "2", "3", "130"):
        assert re.search(rf"^\s+{code}\s+\S", done.stdout, re.M), f"exit code {code} is not explained"
    for option in ("--clean", "--base-url", "--theme", "--strict", "--quiet", "--verbose", "--debug", "--root",
                   "--version"):
        assert option in done.stdout


def test_a_wrong_option_exits_2() -> None:
    done = run("--no-such-option")
    assert done.returncode == 2
    assert "usage:" in done.stderr


def test_quiet_and_verbose_together_exit_2() -> None:
    assert run("--quiet", "--verbose").returncode == 2


def test_version() -> None:
    done = run("--version")
    assert done.returncode == 0
    assert done.stdout.strip() == f"foilog {__version__}"


def test_interrupted_build_exits_130(project: Path, monkeypatch: pytest.MonkeyPatch,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    def interrupted(paths: Paths, options: Options, report: object = None) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "build", interrupted)
    assert cli.main(["--root", str(project)]) == 130
    assert "interrupted" in capsys.readouterr().err


def test_an_unexpected_error_exits_3_without_a_traceback(project: Path, monkeypatch: pytest.MonkeyPatch,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    def broken(paths: Paths, options: Options, report: object = None) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(cli, "build", broken)
    assert cli.main(["--root", str(project)]) == 3
    err = capsys.readouterr().err
    assert "RuntimeError: boom" in err and "--debug" in err and "Traceback" not in err
    with pytest.raises(RuntimeError):
        cli.main(["--root", str(project), "--debug"])
