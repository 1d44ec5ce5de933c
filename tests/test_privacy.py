"""The personal-data guard: each rule on fixture text (tests/fixtures/privacy/*.txt with the findings expected
in *.json), no false alarms on any real letter, and letters with findings held back until redacted or reviewed."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from foilog.privacy import RULES, PrivacySettings, _line_scanner, allow_key, mask, published_lines, scan_text
from foilog.read import read_letter

from .helpers import (
    EXAMPLE_LETTERS,
    FIXTURES,
    LETTER_FIXTURES,
    REPO,
    build_project,
    make_project,
    read_front_matter,
)

PRIVACY_FIXTURES = sorted((FIXTURES / "privacy").glob("*.txt"))
REAL_LETTERS = sorted([*EXAMPLE_LETTERS.glob("*.txt"), *LETTER_FIXTURES.glob("*.txt"),
                       *(REPO / "tests" / "golden" / "site_src" / "letters").glob("*.txt")])

LETTER_WITH_PERSONAL_DATA = """Hostile Borough Council
Town Hall, Testtown TT1 1TT

12 March 2024
Our ref: PD-2024-7

Thank you for your request received on 1 March 2024, for the following information:

1. Who inspected the bridge on Mill Lane?

We have processed this request under the Freedom of Information Act 2000.

Response

1. Who inspected the bridge on Mill Lane?

The bridge was inspected in February. For more detail call 020 7946 0958.

Yours sincerely

Jane Smith
Senior Highways Inspector
"""


def expected(fixture: Path) -> dict[str, Any]:
    return json.loads(fixture.with_suffix(".json").read_text(encoding="utf-8"))


# ---------------------------------------------------------------- the rules, on fixture text

@pytest.mark.parametrize("fixture", PRIVACY_FIXTURES, ids=[p.stem for p in PRIVACY_FIXTURES])
def test_fixture_findings(fixture: Path) -> None:
    facts = expected(fixture)
    settings = PrivacySettings(**facts.get("settings", {}))
    found = [{"rule": f.rule, "line": f.line, "text": f.text} for f in scan_text(fixture.read_text("utf-8"), settings)]
    assert found == facts["findings"]


def test_every_rule_has_fixtures_that_it_must_find_and_must_not() -> None:
    """Each rule's fixture holds lines it must flag and, below them, look-alike lines it must not."""
    for rule in RULES:
        fixtures = [p for p in PRIVACY_FIXTURES if {f["rule"] for f in expected(p)["findings"]} == {rule}]
        assert fixtures, f"no fixture for the rule {rule}"
        for fixture in fixtures:
            lines = fixture.read_text(encoding="utf-8").split("\n")
            flagged = {f["line"] for f in expected(fixture)["findings"]}
            clean = [n for n, line in enumerate(lines, start=1) if line.strip() and n not in flagged
                     and not line.endswith(":")]
            assert len(clean) >= 2, f"{fixture.name} has too few lines that must not be flagged"


def test_redacted_text_never_matches() -> None:
    text = (FIXTURES / "privacy" / "redacted.txt").read_text(encoding="utf-8")
    assert scan_text(text) == []
    unredacted = re.sub(r"\[REDACTED\]|\[name removed\]", "Jane Smith", text).replace("████████@", "jane.smith@")
    assert scan_text(unredacted), "the redacted fixture would have findings without its redactions"


@pytest.mark.parametrize("letter", REAL_LETTERS, ids=[p.name for p in REAL_LETTERS])
def test_no_false_alarm_on_a_real_letter(letter: Path) -> None:
    """The example letters and every parsing fixture: role addresses and the ICO helpline only."""
    assert scan_text(read_letter(letter, letter.parent).text) == []


def test_the_ico_helpline_is_allowed_however_it_is_written() -> None:
    for written in ("0303 123 1113", "03031231113", "+44 303 123 1113", "0303-123-1113", "+44 (0)303 123 1113"):
        assert scan_text(f"Call the ICO on {written}.") == [], written
    assert scan_text("Call us on 0303 123 1114.") != []


def test_allow_list_entries_compare_by_digits_case_and_spacing() -> None:
    assert allow_key("+44 (0)20 8359 2000") == allow_key("020-8359-2000") == "02083592000"
    assert allow_key("Jane.Smith@Barnet.gov.uk") == "jane.smith@barnet.gov.uk"
    assert allow_key("  Jane   SMITH ") == allow_key("jane smith")


def test_the_report_masks_what_it_found() -> None:
    assert mask("07700 900123") == "07••• ••••••"
    assert mask("jane.smith@gmail.com") == "ja••.•••••@•••••.•••"


def test_rules_can_be_switched_off() -> None:
    text = "Jane Smith, Information Governance Officer, on 020 7946 0958"
    assert {f.rule for f in scan_text(text)} == {"name-with-job-title", "phone"}
    assert {f.rule for f in scan_text(text, PrivacySettings(rules=["phone"]))} == {"phone"}


def test_a_name_alone_is_judged_by_the_line_after_it_each_time_it_comes() -> None:
    """Lines are remembered between pages; a name alone on its line is remembered with the line after it."""
    settings = PrivacySettings(rules=["name-with-job-title"])
    pages = ["Jane Smith\nInformation Governance Officer", "Jane Smith\nTown Hall", "Jane Smith",
             "Jane Smith\nInformation Governance Officer", "Jane Smith\n\nTown Hall"]
    found = [[(f.line, f.text) for f in scan_text(page, settings)] for page in pages]
    assert found == [[(1, "Jane Smith")], [], [], [(1, "Jane Smith")], []]


SCANNED_LINES = ["", "Jane Smith", "Mr J. Brown", "Information Governance Officer", "Town Hall", "Yours sincerely,",
                 "Call 020 7946 0958.", "Ref: 020 7946 0958", "jane.smith@gmail.com", "foi@eastwick.gov.uk",
                 "Head of Planning", "Jane Smith, Head of Planning", "NHS number 943 476 5919", "QQ 12 34 56 C"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(st.sampled_from(SCANNED_LINES), max_size=8).map("\n".join), min_size=1, max_size=6))
def test_what_the_scan_remembers_never_changes_what_it_finds(pages: list[str]) -> None:
    """Pages scanned one after another, with the lines remembered between them, give each page's findings as
    a scan that remembers nothing."""
    settings_ = PrivacySettings()
    for page in pages:
        fresh = _line_scanner.__wrapped__(tuple(settings_.rules), (), ())
        lines = page.split("\n")
        expected = [(number, name, match.text) for number, line in enumerate(lines, start=1)
                    for name, match in fresh(line, lines[number] if number < len(lines) else "")]
        assert [(f.line, f.rule, f.text) for f in scan_text(page, settings_)] == expected


# ---------------------------------------------------------------- the stage, in a build

@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = make_project(tmp_path / "project")
    (root / "site_src" / "letters" / "inspection.txt").write_text(LETTER_WITH_PERSONAL_DATA, encoding="utf-8")
    return root


def _page(root: Path) -> Path:
    return root / "content" / "letters" / "2024" / "pd-2024-7.md"


def _published(root: Path) -> bool:
    return (root / "output" / "letters" / "2024" / "pd-2024-7" / "index.html").exists()


def _privacy_errors(result: Any) -> list[Any]:
    return [p for p in result.report.errors if "personal data" in p.message]


def test_the_example_letters_publish_cleanly(tmp_path: Path) -> None:
    result = build_project(make_project(tmp_path / "project", whole_example=True))
    assert result.held_back == []
    assert not _privacy_errors(result)


def test_every_real_letter_publishes_cleanly(tmp_path: Path) -> None:
    root = make_project(tmp_path / "project")
    for letter in REAL_LETTERS:
        shutil.copy(letter, root / "site_src" / "letters" / f"{letter.parent.parent.name}-{letter.name}")
    result = build_project(root)
    assert result.held_back == [], [str(p) for p in _privacy_errors(result)]


def test_a_letter_with_personal_data_is_held_back_and_each_finding_reported(project: Path) -> None:
    result = build_project(project)
    assert [le.page for le in result.held_back] == [_page(project)]
    assert _page(project).exists(), "the page stays in content/, where it can be redacted"
    assert not _published(project)
    home = (project / "output" / "letters" / "index.html").read_text(encoding="utf-8")
    assert "Mill Lane" not in home and "PD-2024-7" not in home
    errors = _privacy_errors(result)
    assert [(e.file, e.line) for e in errors] == [("letters/inspection.txt", 17), ("letters/inspection.txt", 21)]
    assert "[rule: phone]" in errors[0].message and "[rule: name-with-job-title]" in errors[1].message
    assert "Senior Highways Inspector" in errors[1].message
    for error in errors:
        assert "held back" in error.message
        assert "personal_data_reviewed: true" in error.hint and str(_page(project)) in error.hint
        assert "0958" not in error.message and "Smith" not in error.message, "the report repeats the data"
    assert len(result.letters) == 5, "the other letters are published"


def test_a_held_back_letter_disappears_from_a_site_that_published_it(project: Path) -> None:
    letter = project / "site_src" / "letters" / "inspection.txt"
    letter.write_text(LETTER_WITH_PERSONAL_DATA.replace("020 7946 0958", "the council")
                      .replace("Jane Smith\n", ""), encoding="utf-8")
    build_project(project)
    assert _published(project)
    letter.write_text(LETTER_WITH_PERSONAL_DATA, encoding="utf-8")
    build_project(project)
    assert not _published(project)


def test_redacting_the_letter_publishes_it(project: Path) -> None:
    build_project(project)
    letter = project / "site_src" / "letters" / "inspection.txt"
    letter.write_text(LETTER_WITH_PERSONAL_DATA.replace("020 7946 0958", "[REDACTED]")
                      .replace("Jane Smith", "[REDACTED]"), encoding="utf-8")
    result = build_project(project)
    assert not _privacy_errors(result) and _published(project)


def test_redacting_the_page_publishes_it(project: Path) -> None:
    build_project(project)
    page = _page(project)
    page.write_text(page.read_text(encoding="utf-8").replace("020 7946 0958", "█████")
                    .replace("Jane Smith", "█████"), encoding="utf-8")
    result = build_project(project)
    assert not _privacy_errors(result) and _published(project)


def test_a_review_publishes_it_until_the_letter_changes(project: Path) -> None:
    build_project(project)
    page = _page(project)
    assert read_front_matter(page)["personal_data_reviewed"] is False
    page.write_text(page.read_text(encoding="utf-8").replace("personal_data_reviewed: false",
                                                             "personal_data_reviewed: true"), encoding="utf-8")
    result = build_project(project)
    assert not _privacy_errors(result) and _published(project)
    result = build_project(project, clean=True)  # regenerating the page from the same letter keeps the review
    assert read_front_matter(page)["personal_data_reviewed"] is True
    assert not _privacy_errors(result) and _published(project)
    letter = project / "site_src" / "letters" / "inspection.txt"
    letter.write_text(LETTER_WITH_PERSONAL_DATA + "\nA new paragraph.\n", encoding="utf-8")
    result = build_project(project)
    assert read_front_matter(page)["personal_data_reviewed"] is False, "a changed letter is reviewed again"
    assert _privacy_errors(result) and not _published(project)


def test_allow_list_in_site_toml_publishes_it(tmp_path: Path) -> None:
    root = make_project(tmp_path / "project", '[privacy]\nallow = ["+44 20 7946 0958", "jane smith"]\n')
    (root / "site_src" / "letters" / "inspection.txt").write_text(LETTER_WITH_PERSONAL_DATA, encoding="utf-8")
    result = build_project(root)
    assert not _privacy_errors(result) and _published(root)


def test_a_hand_written_page_is_scanned_and_named_with_its_line(project: Path) -> None:
    build_project(project)
    page = project / "content" / "letters" / "2023" / "paper-letter.md"
    page.parent.mkdir(parents=True)
    page.write_text("---\ntitle: A letter that only exists on paper\nreference: P-1\n---\n\nTranscribed.\n\n"
                    "Contact: Mr John Brown (Senior Planning Officer)\n", encoding="utf-8")
    result = build_project(project)
    errors = [e for e in _privacy_errors(result) if e.file == str(page)]
    assert [(e.line, "[rule: name-with-job-title]" in e.message) for e in errors] == [(8, True)]
    assert not (project / "output" / "letters" / "2023" / "paper-letter").exists()


@pytest.mark.parametrize(("page", "expected"), [
    ("", [(1, "")]),
    ("no front matter \\*here\\*\nnext", [(1, "no front matter *here*"), (2, "next")]),
    ("---\ntitle: Rates\\_2024\n---", [(2, "title: Rates_2024")]),
    ("---\ntitle: T\n---\n", [(2, "title: T"), (4, "")]),
    ("---\ntitle: T\nsource_sha256: abc\nreader_warnings:\n- a \\[note\\]\nsummary: S\n---\n"
     "Body \\\\ and \\#1\n---\nmore",
     [(2, "title: T"), (6, "summary: S"), (8, "Body \\ and #1"), (9, "---"), (10, "more")]),
    ("---\ntitle: never closed\nderived: x", [(2, "title: never closed")]),
])
def test_the_lines_scanned_are_those_published_with_their_numbers(page: str, expected: list[tuple[int, str]]) -> None:
    assert list(published_lines(page)) == expected
