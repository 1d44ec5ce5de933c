"""An archive full of bad letters and odd file names: one clear message each, the rest still built, --strict fails.

Also: problems found by an earlier build are reported again, broken or hand-written pages are never overwritten,
and nothing is ever written outside content/ and output/.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from foilog import cli
from foilog.errors import Problem
from foilog.read import MAX_LETTER_BYTES

from .helpers import EXAMPLE_LETTERS, build_project, make_project, read_front_matter, tree_bytes

GOOD = (EXAMPLE_LETTERS / "000_a0d9641ec2702f3a.txt").read_text(encoding="utf-8")


def good_letter(reference: str) -> str:
    return GOOD.replace("Our ref: 6251688", f"Our ref: {reference}")


# name -> (bytes, severity of its one message, words the message must contain)
BAD_LETTERS: dict[str, tuple[bytes, str, str]] = {
    "empty.txt": (b"", "error", "empty"),
    "blank lines.txt": (b"\n \r\n\t\n", "error", "empty"),
    "scanned.txt": (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\n", "error", "binary"),
    "word.txt": (b"PK\x03\x04\x14\x00\x06\x00" + b"\x00" * 40, "error", "binary"),
    "notepad-unicode.txt": ("Our ref: 1\r\n".encode("utf-16"), "error", "UTF-16"),
    "huge.txt": ((good_letter("HUGE-1") + "\n") .encode() * (5 * 1024 * 1024 // len(GOOD.encode()) + 1),
                 "error", "too big"),
    "truncated.txt": (good_letter("TRUNC-1").encode()[:1500] + "“".encode()[:2], "warning", "truncated"),
    "undecodable.txt": (good_letter("UNDEC-1").encode("cp1252", errors="replace")
                        .replace(b"Colindale", b"Colin\x81dale"), "warning", "Windows-1252"),
    "mixed.txt": (good_letter("MIXED-1").replace("Colindale", "Colindale ©").encode() + "é – “ok” ".encode()
                  + b"\xff\xfe bad", "warning", "not"),
    "no facts.txt": (b"Dear Sir or Madam,\n\nThe opening hours are on our website.\n", "warning", "reference"),
    "control.txt": (bytes(range(1, 9)) * 50 + b"Our ref: 9", "error", "control characters"),
    ".hidden letter.txt": (good_letter("HIDDEN-1").encode(), "warning", "starts with '.'"),
}
# names that are fine: the letter is published, its page and address made safe
ODD_NAMES = {
    "reply to Mrs O’Brien (final) .txt": "ODD-1",
    "ymateb – ŵyr ☃ 回复.TXT": "ODD-2",
    "sub folder/with space/weird..name...txt": "ODD-3",
    "quote\"s and <angle> & 'apostrophe'.text": "ODD-4",
}
ESCAPING_REFERENCES = ["../../../../../../tmp/escaped-1", "..\\..\\windows\\escaped-2", "/etc/passwd3", "COM1",
                       "LPT9", "…4"]


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    root = make_project(tmp_path / "project")
    letters = root / "site_src" / "letters"
    for name, (data, _, _) in BAD_LETTERS.items():
        (letters / name).write_bytes(data)
    (letters / "._resource-fork.txt").write_bytes(b"\x00\x05\x16\x07 Mac OS X metadata")
    for name, reference in ODD_NAMES.items():
        (letters / name).parent.mkdir(parents=True, exist_ok=True)
        (letters / name).write_text(good_letter(reference), encoding="utf-8")
    for number, reference in enumerate(ESCAPING_REFERENCES):
        (letters / f"escape-{number}.txt").write_text(good_letter(reference), encoding="utf-8")
    (letters / "copy of 6251688.txt").write_text(GOOD + "\nA copy.\n", encoding="utf-8")
    return root


def problems_about(problems: list[Problem], name: str) -> list[Problem]:
    return [p for p in problems if p.file and (p.file.endswith("/" + name) or p.file == name)]


def test_each_bad_letter_gets_one_clear_message_and_the_rest_build(archive: Path) -> None:
    result = build_project(archive)
    assert result.published
    for name, (_, severity, words) in BAD_LETTERS.items():
        about = problems_about(result.report.problems, name)
        if name == "truncated.txt":  # cut short, it also lacks its closing section: both say it may be truncated
            about = [p for p in about if "truncated" in p.message]
        assert len(about) == 1, f"{name}: {[str(p) for p in about]}"
        problem = about[0]
        assert problem.severity.value == severity, str(problem)
        assert words.lower() in problem.message.lower(), str(problem)
        assert problem.hint, f"{name}: no fix suggested"
    assert not [p for p in result.report.problems if "resource-fork" in str(p.file)], "macOS metadata is skipped"
    references = {le.reference for le in result.letters}
    assert {"6251688", "6234788", "6073489", "6299088", "6370952"} <= references
    assert {"TRUNC-1", "UNDEC-1", "MIXED-1"} <= references, "readable-but-damaged letters are still published"
    assert set(ODD_NAMES.values()) <= references
    assert not {"HUGE-1", "HIDDEN-1"} & references


def test_the_huge_letter_message_says_what_to_do(archive: Path) -> None:
    result = build_project(archive)
    [problem] = problems_about(result.report.problems, "huge.txt")
    assert re.search(r"5\.\d MB", problem.message) and f"{MAX_LETTER_BYTES / 1024 / 1024:.1f} MB" in problem.message
    assert "split" in problem.hint and "one file per letter" in problem.hint


def test_damaged_letters_are_named_with_their_line(archive: Path) -> None:
    result = build_project(archive)
    lines = {name: problems_about(result.report.problems, name)[0].line for name in ("undecodable.txt", "mixed.txt")}
    text = GOOD.split("\n")
    assert lines["undecodable.txt"] == next(i for i, line in enumerate(text, 1) if "Colindale" in line)
    assert lines["mixed.txt"] == len(text)


def test_nothing_is_written_outside_content_and_output(archive: Path, tmp_path: Path) -> None:
    before = {p for p in tmp_path.rglob("*") if not p.is_relative_to(archive)}
    result = build_project(archive)
    assert {p for p in tmp_path.rglob("*") if not p.is_relative_to(archive)} == before
    for page in (archive / "content").rglob("*"):
        assert re.fullmatch(r"letters(/(\d{4}|undated)(/[a-z0-9-]+\.md)?)?", page.relative_to(archive / "content")
                            .as_posix()), page
    for path in (archive / "output").rglob("*"):
        assert re.fullmatch(r"[a-z0-9./-]+", path.relative_to(archive / "output").as_posix()), path
    escaped = {le.source: le.reference for le in result.letters if le.source.startswith("letters/escape-")}
    assert len(escaped) == len(ESCAPING_REFERENCES)
    assert escaped["letters/escape-0.txt"].endswith("/tmp/escaped-1"), "the reference is shown as written"
    assert not Path("/tmp/escaped-1").exists()
    assert {p.stem for p in (archive / "content" / "letters" / "2020").glob("*.md")} >= {
        "tmp-escaped-1", "windows-escaped-2", "etc-passwd3", "letter-com1", "letter-lpt9", "4"}


def test_two_letters_with_one_reference_are_both_published_with_a_warning(archive: Path) -> None:
    result = build_project(archive)
    [warning] = [p for p in result.report.warnings if "same reference" in p.message]
    assert warning.file is not None and warning.file.endswith("6251688-2.md")
    assert (archive / "output" / "letters" / "2020" / "6251688" / "index.html").exists()
    assert (archive / "output" / "letters" / "2020" / "6251688-2" / "index.html").exists()


def test_a_letter_without_date_or_reference_is_published_under_undated(archive: Path) -> None:
    build_project(archive)
    assert (archive / "output" / "letters" / "undated" / "no-facts" / "index.html").exists()


def test_strict_exits_non_zero_and_leaves_output_alone(archive: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for name in BAD_LETTERS:
        (archive / "site_src" / "letters" / name).rename(archive / "site_src" / f"aside-{name}")
    assert cli.main(["--root", str(archive), "--quiet"]) == 0
    before = tree_bytes(archive / "output")
    for name in BAD_LETTERS:
        (archive / "site_src" / f"aside-{name}").rename(archive / "site_src" / "letters" / name)
    assert cli.main(["--root", str(archive), "--strict"]) == 3
    err = capsys.readouterr().err
    for name in BAD_LETTERS:
        assert name in err, f"{name} is not named in the report"
    assert tree_bytes(archive / "output") == before
    assert cli.main(["--root", str(archive), "--quiet"]) == 1, "errors without --strict: published, exit 1"


def test_warnings_found_by_an_earlier_build_are_reported_again(tmp_path: Path) -> None:
    root = make_project(tmp_path / "project")
    (root / "site_src" / "letters" / "no-facts.txt").write_bytes(BAD_LETTERS["no facts.txt"][0])
    first = build_project(root)
    again = build_project(root)
    assert again.pages_written == 0
    assert [str(p) for p in again.report.problems] == [str(p) for p in first.report.problems] != []
    page = next((root / "content" / "letters" / "undated").glob("*.md"))
    assert read_front_matter(page)["reader_warnings"][0]["message"].startswith("could not find")


def test_a_new_letter_never_overwrites_a_page_written_by_hand(tmp_path: Path) -> None:
    root = make_project(tmp_path / "project")
    hand = root / "content" / "letters" / "2020" / "6251688.md"
    hand.parent.mkdir(parents=True)
    hand.write_text("---\ntitle: Typed in from the paper file\nreference: '6251688'\n---\n\nBy hand.\n",
                    encoding="utf-8")
    written = hand.read_bytes()
    build_project(root)
    assert hand.read_bytes() == written
    assert read_front_matter(root / "content" / "letters" / "2020" / "6251688-2.md")["source"].endswith(
        "000_a0d9641ec2702f3a.txt")


def test_a_fact_filled_in_on_the_page_is_no_longer_reported(tmp_path: Path) -> None:
    root = make_project(tmp_path / "project")
    (root / "site_src" / "letters" / "no-facts.txt").write_bytes(BAD_LETTERS["no facts.txt"][0])
    [before] = [p for p in build_project(root).report.warnings if p.file == "letters/no-facts.txt"]
    assert "its reference" in before.message and "the date of the response" in before.message
    page = next((root / "content" / "letters" / "undated").glob("*.md"))
    text = page.read_text(encoding="utf-8")
    text = text.replace("reference: ''", "reference: NF-1").replace("responded: null", "responded: 2024-01-05")
    page.write_text(text, encoding="utf-8")
    [after] = [p for p in build_project(root).report.warnings if p.file == "letters/no-facts.txt"]
    assert "its reference" not in after.message and "the date of the response" not in after.message
    assert "the date the request was received" in after.message, "what is still missing is still reported"


# Values a hand edit may leave in front matter: wrong types, impossible dates, YAML's odd corners.
ODD_VALUES = ["", "~", "0", "-1", "1e400", ".nan", "2020-13-45", "2020-01-01T10:00:00", "[]", "{}", "[1, 2]",
              "{a: b}", "[{id: 1}]", "[{text: [1]}]", "[[x]]", "yes", "!!binary aGVsbG8=", "'<script>'",
              "99999999999999999999999", "[null]", "&a [x, *a]", "!!set {a, b}", "!!python/name:os.system",
              "[" * 600 + "]" * 600]
ODD_KEYS = ["title", "topics", "questions", "received", "derived"]  # one on each example letter's page


@pytest.mark.parametrize("value", ODD_VALUES)
def test_an_odd_front_matter_value_is_reported_or_published_never_a_crash(tmp_path: Path, value: str) -> None:
    """Each value in a different key on each page: the build reports what it cannot use, with the page, and
    publishes the rest; it never stops with a traceback."""
    root = make_project(tmp_path / "project")
    build_project(root)
    pages = sorted((root / "content" / "letters").rglob("*.md"))
    for page, key in zip(pages, ODD_KEYS, strict=True):
        text = page.read_text(encoding="utf-8")
        text = re.sub(rf"(?m)^{key}:.*\n(?:[ -].*\n)*", "", text)
        page.write_text(text.replace("---\n", f"---\n{key}: {value}\n", 1), encoding="utf-8")
    result = build_project(root)
    assert result.published
    troubled = {p.file for p in result.report.problems}
    published = {le.page for le in result.letters}
    assert all(page in published or str(page) in troubled for page in pages)
