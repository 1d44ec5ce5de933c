"""`build.py check`: every check a build runs, the same report, nothing written; and the command structure."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from foilog.cli import COMMANDS

from .helpers import REPO, make_project
from .test_privacy import LETTER_WITH_PERSONAL_DATA

NO_FACTS = "Dear Sir or Madam,\n\nThe opening hours are on our website.\n"


def run(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(REPO / "build.py"), *map(str, args)], capture_output=True, text=True,
                          timeout=300, cwd=REPO, stdin=subprocess.DEVNULL)


def snapshot(root: Path) -> dict[str, tuple[bytes, int]]:
    """Every file and folder below `root` with its bytes and modification time."""
    return {p.relative_to(root).as_posix(): (p.read_bytes() if p.is_file() else b"", p.stat().st_mtime_ns)
            for p in sorted(root.rglob("*"))}


def report_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith(("warning:", "error:", "  fix:"))]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = make_project(tmp_path / "project")
    (root / "site_src" / "letters" / "no-facts.txt").write_text(NO_FACTS, encoding="utf-8")
    (root / "site_src" / "letters" / "inspection.txt").write_text(LETTER_WITH_PERSONAL_DATA, encoding="utf-8")
    return root


def test_check_writes_nothing_and_reports_what_build_then_reports(project: Path) -> None:
    before = snapshot(project)
    checked = run("check", "--root", project)
    assert snapshot(project) == before, "check wrote or touched a file in the project"
    assert checked.returncode == 1, checked.stderr  # a letter would be held back for personal data
    assert "nothing was written" in checked.stderr
    assert "1 held back for personal data" in checked.stderr
    built = run("--root", project)
    assert built.returncode == 1
    assert report_lines(checked.stderr) == report_lines(built.stderr) != []
    assert re.search(r"error: letters/inspection\.txt:17: personal data: .*\[rule: phone\]", checked.stderr)
    assert str(project / "content" / "letters" / "2024" / "pd-2024-7.md") in checked.stderr, \
        "the report names the page in content/, not check's scratch copy"
    assert "foilog-check-" not in checked.stderr


def test_check_after_a_build_still_reports_and_writes_nothing(project: Path) -> None:
    run("--root", project)
    before = snapshot(project)
    checked = run("check", "--root", project)
    assert snapshot(project) == before
    assert "no-facts.txt" in checked.stderr and "personal data" in checked.stderr


def test_check_exit_codes(project: Path) -> None:
    assert run("check", "--root", project, "--strict").returncode == 3
    (project / "site_src" / "letters" / "inspection.txt").unlink()
    assert run("check", "--root", project).returncode == 0
    assert run("check", "--root", project, "--strict").returncode == 3
    (project / "site_src" / "letters" / "no-facts.txt").unlink()
    assert run("check", "--root", project, "--strict").returncode == 0


def test_check_finds_a_broken_site_toml_and_a_broken_template(project: Path) -> None:
    (project / "site_src" / "site.toml").write_text('title = "x"\nper_page = 0\n', encoding="utf-8")
    done = run("check", "--root", project)
    assert done.returncode == 3 and "per_page" in done.stderr
    (project / "site_src" / "site.toml").unlink()
    override = project / "site_src" / "theme" / "templates"
    override.mkdir(parents=True)
    (override / "letter.html").write_text('{% extends "base.html" %}\n{% block content %}{{ letter.nope.nope }}'
                                          '{% endblock %}\n', encoding="utf-8")
    done = run("check", "--root", project)
    assert done.returncode == 3 and "letter.html" in done.stderr
    assert not (project / "output").exists() and not (project / "content").exists()


def test_check_finds_broken_front_matter_with_its_line(project: Path) -> None:
    run("--root", project)
    page = project / "content" / "letters" / "2020" / "6251688.md"
    page.write_text(page.read_text(encoding="utf-8").replace("outcome: successful", "outcome: brilliant"),
                    encoding="utf-8")
    done = run("check", "--root", project)
    line = page.read_text(encoding="utf-8").split("\n").index("outcome: brilliant") + 1
    assert f"error: {page}:{line}: front matter `outcome`" in done.stderr


def test_build_is_the_default_command(tmp_path: Path) -> None:
    one, two = make_project(tmp_path / "one"), make_project(tmp_path / "two")
    assert run("--root", one, "--quiet").returncode == 0
    assert run("build", "--root", two, "--quiet").returncode == 0
    assert (one / "output" / "index.html").read_bytes() == (two / "output" / "index.html").read_bytes()


def test_help_lists_the_commands_and_each_command_has_its_own() -> None:
    done = run("--help")
    assert done.returncode == 0
    for name, command in COMMANDS.items():
        assert re.search(rf"^\s+{name}\s+{re.escape(command.summary[:30])}", done.stdout, re.M), name
    check = run("check", "--help")
    assert check.returncode == 0 and check.stdout.startswith("usage: build.py check")
    assert "--strict" in check.stdout and "exit codes:" in check.stdout


def test_an_unknown_command_is_a_usage_error() -> None:
    done = run("publish")
    assert done.returncode == 2 and "unrecognized arguments: publish" in done.stderr


def test_check_runs_with_the_environment_a_build_would(project: Path) -> None:
    env = {**os.environ, "SOURCE_DATE_EPOCH": "not a number"}
    done = subprocess.run([sys.executable, str(REPO / "build.py"), "check", "--root", str(project)], env=env,
                          capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL)
    assert done.returncode == 3 and "SOURCE_DATE_EPOCH" in done.stderr
