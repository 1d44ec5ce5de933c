"""`build.py new-letter PATH`: a letter is added, its page written, and what was understood is shown."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from .helpers import EXAMPLE_LETTERS, make_project, read_front_matter, seeds_expected
from .test_cli import NO_FACTS_LETTER, run
from .test_privacy import LETTER_WITH_PERSONAL_DATA

LETTER = "000_a0d9641ec2702f3a.txt"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """The example project without one of its letters, which waits outside to be added."""
    root = make_project(tmp_path / "project")
    shutil.move(root / "site_src" / "letters" / LETTER, tmp_path / "reply.txt")
    return root


def test_a_letter_is_copied_in_and_its_facts_shown(project: Path) -> None:
    outside = project.parent / "reply.txt"
    done = run("new-letter", outside, "--root", project)
    assert done.returncode == 0, done.stderr
    added = project / "site_src" / "letters" / "reply.txt"
    assert added.read_bytes() == outside.read_bytes()
    expected = seeds_expected()[LETTER]
    page = project / "content" / "letters" / "2020" / f"{expected['reference']}.md"
    assert page.is_file()
    meta = read_front_matter(page)
    out = done.stdout
    assert f"Added site_src/letters/reply.txt (copied from {outside})" in out
    assert f"content/letters/2020/{expected['reference']}.md" in out
    assert f"letters/2020/{expected['reference']}/" in out
    for label, value in (("Title", meta["title"]), ("Reference", expected["reference"]),
                         ("Received", "16 April 2020"), ("Answered", "17 April 2020"),
                         ("Authority", "London Borough of Barnet"), ("Working days", "1 (on time")):
        assert re.search(rf"^  {label} +{re.escape(str(value))}", out, re.M), f"{label}: {value!r} not shown:\n{out}"
    for question in meta["questions"]:
        assert question["text"][:40] in out
    words = " ".join(out.split())
    assert f"front matter of content/letters/2020/{expected['reference']}.md" in words
    assert "docs/front-matter.md" in words
    assert "python build.py serve" in out
    assert not (project / "output").exists(), "new-letter does not publish the site"


def test_only_the_new_letter_is_read(project: Path) -> None:
    outside = project.parent / "reply.txt"
    done = run("new-letter", outside, "--root", project)
    assert done.returncode == 0, done.stderr
    assert len(list((project / "content" / "letters").rglob("*.md"))) == 1


def test_a_letter_already_in_site_src_is_read_where_it_is(project: Path) -> None:
    inside = project / "site_src" / "letters" / "2020" / "reply.txt"
    inside.parent.mkdir()
    shutil.copyfile(project.parent / "reply.txt", inside)
    done = run("new-letter", inside, "--root", project)
    assert done.returncode == 0, done.stderr
    assert "Read site_src/letters/2020/reply.txt" in done.stdout
    assert sorted(p.name for p in (project / "site_src" / "letters").rglob("reply.txt")) == ["reply.txt"]
    page = next((project / "content" / "letters").rglob("*.md"))
    assert read_front_matter(page)["source"] == "letters/2020/reply.txt"


def test_adding_it_again_keeps_the_page_and_shows_hand_edits(project: Path) -> None:
    outside = project.parent / "reply.txt"
    assert run("new-letter", outside, "--root", project).returncode == 0
    page = next((project / "content" / "letters").rglob("*.md"))
    text = page.read_text(encoding="utf-8")
    title = read_front_matter(page)["title"]
    page.write_text(text.replace(f"title: {title}\n", "title: Video calls in the council\n", 1), encoding="utf-8")
    edited = page.read_bytes()
    again = run("new-letter", outside, "--root", project)
    assert again.returncode == 0, again.stderr
    assert "already up to date" in again.stdout
    assert re.search(r"^  Title +Video calls in the council$", again.stdout, re.M), again.stdout
    assert page.read_bytes() == edited


@pytest.mark.parametrize(("name", "data", "problem"), [
    ("scan.txt", b"%PDF-1.5\n%\xb5\xed\xae\xfb\n", "binary"),
    ("blank.txt", b"  \n\n", "empty"),
    ("reply.pdf", b"Our ref: 1\n", "plain-text file ending in .text or .txt"),
])
def test_a_file_that_is_not_a_letter_is_refused_and_not_copied(project: Path, name: str, data: bytes,
                                                                problem: str) -> None:
    bad = project.parent / name
    bad.write_bytes(data)
    done = run("new-letter", bad, "--root", project)
    assert done.returncode == 3, done.stderr
    assert re.search(rf"error: {re.escape(str(bad))}: .*{re.escape(problem)}", done.stderr), done.stderr
    assert "fix:" in done.stderr
    assert not (project / "site_src" / "letters" / name).exists()


def test_one_bad_letter_does_not_stop_the_others(project: Path) -> None:
    done = run("new-letter", project.parent / "missing.txt", project.parent / "reply.txt", "--root", project)
    assert done.returncode == 1
    assert "missing.txt: there is no such file" in done.stderr
    assert (project / "site_src" / "letters" / "reply.txt").is_file()
    assert "Added site_src/letters/reply.txt" in done.stdout


def test_a_different_letter_of_the_same_name_is_never_overwritten(project: Path) -> None:
    clash = project / "site_src" / "letters" / "reply.txt"
    clash.write_text(NO_FACTS_LETTER, encoding="utf-8")
    done = run("new-letter", project.parent / "reply.txt", "--root", project)
    assert done.returncode == 3
    assert "a different letter called reply.txt is already in" in done.stderr
    assert "reply-2.txt" in done.stderr
    assert clash.read_text(encoding="utf-8") == NO_FACTS_LETTER


def test_what_could_not_be_found_is_said_with_a_fix(project: Path) -> None:
    vague = project.parent / "vague.txt"
    vague.write_text(NO_FACTS_LETTER, encoding="utf-8")
    done = run("new-letter", vague, "--root", project)
    assert done.returncode == 0, done.stderr
    assert re.search(r"^  Reference +not found$", done.stdout, re.M)
    assert re.search(r"^  Received +not found$", done.stdout, re.M)
    assert re.search(r"^warning: letters/vague\.txt: could not find the authority's name, its reference", done.stdout,
                     re.M)
    assert "  fix: " in done.stdout


def test_a_second_letter_with_the_same_reference_is_pointed_out(project: Path) -> None:
    shutil.copyfile(EXAMPLE_LETTERS / LETTER, project / "site_src" / "letters" / LETTER)
    assert run("--root", project).returncode == 0
    twin = project.parent / "twin.txt"
    twin.write_bytes((EXAMPLE_LETTERS / LETTER).read_bytes() + b"\nA late postscript.\n")
    done = run("new-letter", twin, "--root", project)
    assert done.returncode == 0, done.stderr
    reference = seeds_expected()[LETTER]["reference"]
    assert f"Its page: content/letters/2020/{reference}-2.md" in done.stdout
    assert f"another letter (letters/{LETTER}) already has the reference {reference}" in done.stdout


def test_quiet_shows_only_where_it_went(project: Path) -> None:
    done = run("new-letter", project.parent / "reply.txt", "--root", project, "--quiet")
    assert done.returncode == 0
    assert done.stdout.splitlines()[0].startswith("Added site_src/letters/reply.txt")
    assert "Title" not in done.stdout and "Check these facts" not in done.stdout


def test_a_broken_site_toml_stops_it(project: Path) -> None:
    (project / "site_src" / "site.toml").write_text("per_page = 'ten'\n", encoding="utf-8")
    done = run("new-letter", project.parent / "reply.txt", "--root", project)
    assert done.returncode == 3
    assert "site.toml" in done.stderr and "per_page" in done.stderr
    assert not (project / "site_src" / "letters" / "reply.txt").exists()


def test_new_letter_needs_a_path() -> None:
    done = run("new-letter")
    assert done.returncode == 2
    assert "PATH" in done.stderr


def test_personal_data_is_pointed_out_and_holds_the_letter_back(project: Path) -> None:
    inspection = project.parent / "inspection.txt"
    inspection.write_text(LETTER_WITH_PERSONAL_DATA, encoding="utf-8")
    done = run("new-letter", inspection, "--root", project)
    assert done.returncode == 1, "the letter was added, but would be left out of the site"
    out = done.stdout
    assert "Its page: content/letters/2024/pd-2024-7.md (written)" in out
    assert "Held back from the site: it shows personal data" in out and "Published at:" not in out
    assert re.search(r"^  Personal data +2 findings: held back from the site", out, re.M), out
    assert re.search(r"^error: letters/inspection\.txt:17: personal data: a UK phone number .*\[rule: phone\]", out,
                     re.M), out
    assert re.search(r"^error: letters/inspection\.txt:21: personal data: a name beside a job title", out, re.M), out
    assert "020 7946 0958" not in out and "Jane Smith" not in out, "the report does not repeat the personal data"
    assert "personal_data_reviewed: true" in " ".join(out.split())
    assert not (project / "output").exists()

    page = project / "content" / "letters" / "2024" / "pd-2024-7.md"
    assert read_front_matter(page)["personal_data_reviewed"] is False
    page.write_text(page.read_text(encoding="utf-8").replace("personal_data_reviewed: false",
                                                             "personal_data_reviewed: true"), encoding="utf-8")
    again = run("new-letter", inspection, "--root", project)
    assert again.returncode == 0, again.stdout
    assert "Published at: letters/2024/pd-2024-7/" in again.stdout
    assert re.search(r"^  Personal data +not scanned: the page is marked reviewed", again.stdout, re.M)
    assert "error:" not in again.stdout


def test_quiet_still_shows_what_holds_a_letter_back(project: Path) -> None:
    inspection = project.parent / "inspection.txt"
    inspection.write_text(LETTER_WITH_PERSONAL_DATA, encoding="utf-8")
    done = run("new-letter", inspection, "--root", project, "--quiet")
    assert done.returncode == 1
    assert "Held back from the site" in done.stdout
    assert done.stdout.count("personal data: ") == 2
    assert "Title" not in done.stdout


def test_a_clean_letter_says_no_personal_data_was_found(project: Path) -> None:
    done = run("new-letter", project.parent / "reply.txt", "--root", project)
    assert done.returncode == 0, done.stderr
    assert re.search(r"^  Personal data +none found$", done.stdout, re.M), done.stdout


def test_its_help_gives_its_own_exit_codes() -> None:
    done = run("new-letter", "--help")
    assert done.returncode == 0
    assert "held back for personal data" in done.stdout
    assert "the site was built and published" not in done.stdout
