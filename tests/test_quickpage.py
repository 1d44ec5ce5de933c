"""`quickpage`: an edited letter's page, rendered at once with the last build's site around it (for serve).

What it shows must be what the whole build then makes of the page, for a letter page edited in content/ and for
a letter edited in site_src/letters/, and anything only a whole build can answer (a broken page, personal data,
a new address, a letter the site did not publish) is left to that build.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from foilog.build import Result

from .helpers import build_project, make_project

PAGE = Path("content/letters/2020/6251688.md")
LETTER = Path("site_src/letters/000_a0d9641ec2702f3a.txt")  # the letter the page was written from
OUTPUT = "letters/2020/6251688/index.html"
ANSWER = "I am writing under the Freedom of Information Act 2000"


@pytest.fixture
def built(tmp_path: Path) -> tuple[Path, Result]:
    root = make_project(tmp_path / "project", whole_example=True)
    return root, build_project(root)


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} is not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_an_unedited_page_is_rendered_as_the_build_made_it(built: tuple[Path, Result]) -> None:
    root, result = built
    assert result.quick is not None
    assert result.quick.render(root / PAGE) == (OUTPUT, (root / "output" / OUTPUT).read_bytes())


@pytest.mark.parametrize("new", [
    "I wrote under the Freedom of Information Act 2000",
    "<script>window.__hacked = 1</script> **bold** and [a link](javascript:alert(1))",  # escaped as the build does
])
def test_an_edited_page_is_what_the_build_then_makes_of_it(built: tuple[Path, Result], new: str) -> None:
    root, result = built
    assert result.quick is not None
    edit(root / PAGE, ANSWER, new)
    shown = result.quick.render(root / PAGE)
    assert shown is not None and shown[0] == OUTPUT
    assert shown[1] != (root / "output" / OUTPUT).read_bytes(), "the edit is shown"
    assert b"<script>window.__hacked" not in shown[1]
    again = build_project(root)
    assert shown[1] == (root / "output" / OUTPUT).read_bytes()
    assert OUTPUT in again.made and not [m for m in again.made if m.endswith(".html") and m != OUTPUT], \
        "only the letter's own page was made again (and the search's files): no other tab need reload"


def test_front_matter_edits_are_shown_too(built: tuple[Path, Result]) -> None:
    root, result = built
    assert result.quick is not None
    edit(root / PAGE, "title: Video conferencing software", "title: Video calls")
    shown = result.quick.render(root / PAGE)
    assert shown is not None and b"Video calls" in shown[1]
    build_project(root)
    assert shown[1] == (root / "output" / OUTPUT).read_bytes()


@pytest.mark.parametrize(("edited", "old", "new"), [
    (PAGE, "title: Video conferencing software", "title: [Video"),  # not YAML
    (PAGE, "received: 2020-04-16", "received: soon"),  # not a date: the build reports it
    (PAGE, ANSWER, ANSWER + " For more detail call 020 7946 0958."),  # personal data: the build holds it back
    (PAGE, "source: letters/000_a0d9641ec2702f3a.txt", "source: letters/another.txt"),  # another letter
    (LETTER, "Our ref: 6251688", "Our ref: 6251699"),  # a new reference: the page moves to another address
    (LETTER, "Skype for Business", "Skype for Business; call 020 7946 0958"),  # personal data: held back
])
def test_what_only_a_whole_build_can_answer_is_left_to_it(built: tuple[Path, Result], edited: Path, old: str,
                                                          new: str) -> None:
    root, result = built
    assert result.quick is not None
    edit(root / edited, old, new)
    assert result.quick.render(root / edited) is None


def test_pages_the_last_site_did_not_publish_are_left_to_the_build(built: tuple[Path, Result]) -> None:
    root, result = built
    assert result.quick is not None
    moved = root / "content" / "letters" / "2020" / "moved.md"
    moved.write_bytes((root / PAGE).read_bytes())
    assert result.quick.render(moved) is None, "a new address"
    assert result.quick.render(root / "content" / "letters" / "2020" / "missing.md") is None
    assert result.quick.render(root / "site_src" / "pages" / "about.md") is None


def test_an_edited_letter_is_shown_as_the_page_the_build_then_writes(built: tuple[Path, Result]) -> None:
    root, result = built
    assert result.quick is not None
    edit(root / PAGE, "title: Video conferencing software", "title: Video calls")  # by hand: kept
    edit(root / LETTER, "Skype for Business", "Pigeon Post Deluxe")
    page_before = (root / PAGE).read_bytes()
    shown = result.quick.render(root / LETTER)
    assert shown is not None and shown[0] == OUTPUT
    assert b"Pigeon Post Deluxe" in shown[1] and b"Video calls" in shown[1]
    assert (root / PAGE).read_bytes() == page_before, "content/ is left to the build"
    build_project(root)
    assert b"Pigeon Post Deluxe" in (root / PAGE).read_bytes()
    assert shown[1] == (root / "output" / OUTPUT).read_bytes()


def test_letters_the_last_site_did_not_publish_are_left_to_the_build(built: tuple[Path, Result]) -> None:
    root, result = built
    assert result.quick is not None
    copy = root / "site_src" / "letters" / "copy.txt"
    copy.write_bytes((root / LETTER).read_bytes())
    assert result.quick.render(copy) is None
    (root / LETTER).write_bytes(b"\xff\xfe\x00 not a letter \x00\x00" * 10)
    assert result.quick.render(root / LETTER) is None, "a letter that no longer reads"
