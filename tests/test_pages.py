"""The pages stage: content/letters/<year>/<ref>.md, rebuilt only when needed, hand edits kept."""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path

import pytest
import yaml

from foilog.pages import EDITABLE_KEYS, FRONT_MATTER_KEYS, READER_VERSION, fingerprint

from .helpers import (
    EXAMPLE_LETTERS,
    build_project,
    make_project,
    page_body,
    read_front_matter,
    seeds_expected,
    sha256_of,
    tree_bytes,
)

OLD = 1_000_000_000  # 2001-09-09: a time no build will ever write


def page_of(root: Path, reference: str) -> Path:
    return root / "content" / "letters" / "2020" / f"{reference}.md"


def age_everything(folder: Path) -> None:
    """Set every file's mtime far in the past, so any rewrite shows however fast the build is."""
    for path in folder.rglob("*"):
        if path.is_file():
            os.utime(path, (OLD, OLD))


def stat_tree(folder: Path) -> dict[str, tuple[bytes, int]]:
    return {p.relative_to(folder).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*")) if p.is_file()}


def rewrite_front_matter(page: Path, **changes: object) -> None:
    """Edit a page as a person would: change some keys, keep the rest and the body."""
    meta = read_front_matter(page)
    meta.update(changes)
    text = yaml.safe_dump(meta, sort_keys=False, allow_unicode=True)
    page.write_text(f"---\n{text}---\n{page_body(page)}", encoding="utf-8")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return make_project(tmp_path / "project")


def test_pages_with_front_matter(project: Path) -> None:
    result = build_project(project)
    assert not result.report.errors
    assert result.pages_written == len(seeds_expected())
    pages = sorted((project / "content" / "letters").rglob("*.md"))
    assert [p.relative_to(project / "content").as_posix() for p in pages] == sorted(
        f"letters/2020/{facts['reference']}.md" for facts in seeds_expected().values())
    for name, facts in seeds_expected().items():
        page = page_of(project, facts["reference"])
        meta = read_front_matter(page)
        assert list(meta) == list(FRONT_MATTER_KEYS), page
        assert meta["reference"] == facts["reference"]
        assert meta["authority"] == facts["authority"]
        assert meta["received"] == dt.date.fromisoformat(facts["received"])  # a YAML date, not a string
        assert meta["responded"] == dt.date.fromisoformat(facts["responded"])
        assert meta["working_days"] == facts["working_days"]
        assert meta["late"] is False
        assert meta["exemptions"] == facts["exemptions"]
        assert meta["outcome"] == facts["outcome"]
        assert meta["numbered_questions"] == facts["numbered_questions"]
        assert meta["regime"] == "FOIA"
        assert meta["source"] == f"letters/{name}"
        assert meta["source_sha256"] == sha256_of(EXAMPLE_LETTERS / name)
        assert meta["reader_version"] == READER_VERSION
        assert meta["encoding"] == "utf-8"
        assert meta["title"] and meta["summary"]
        assert set(meta["derived"]) == set(EDITABLE_KEYS)
        for key in EDITABLE_KEYS:
            assert meta["derived"][key] == fingerprint(meta[key])
        labelled = [q for q in meta["questions"] if q["label"]]
        assert len(labelled) == (facts["numbered_questions"] or 0)
        for question in meta["questions"]:
            assert set(question) == {"id", "label", "text"}
            if question["label"]:
                assert re.fullmatch(rf"q{re.escape(question['label'])}(-\d+)?", question["id"])
            else:
                assert re.fullmatch(r"item-\d+", question["id"])
            assert question["text"]
        ids = [q["id"] for q in meta["questions"]]
        assert len(set(ids)) == len(ids), f"question anchors repeat: {ids}"
        body = page_body(page)
        assert body.index("## Request\n") < body.index("## Response\n")


def test_a_second_build_rewrites_nothing(project: Path) -> None:
    build_project(project)
    age_everything(project / "content")
    before = stat_tree(project / "content")
    result = build_project(project)
    assert result.pages_written == 0
    assert stat_tree(project / "content") == before


def test_hand_edits_survive_regeneration(project: Path) -> None:
    build_project(project)
    reference, name = "6370952", "003_51e14f27a89a6795.txt"
    page = page_of(project, reference)
    generated = read_front_matter(page)
    rewrite_front_matter(page, title="Chatbots and virtual appointments at Barnet",
                         summary="What Barnet plans for AI chatbots.", topics=["Technology and digital", "AI"],
                         authority="Somebody typed here", working_days=99)
    age_everything(project / "content")
    others = {p: p.read_bytes() for p in (project / "content").rglob("*.md") if p != page}

    letter = project / "site_src" / "letters" / name
    with letter.open("a", encoding="utf-8") as out:
        out.write("\nAppended for the regeneration test: zebra crossings.\n")
    result = build_project(project)

    assert result.pages_written == 1
    meta = read_front_matter(page)
    assert meta["source_sha256"] == sha256_of(letter) != generated["source_sha256"]
    assert page.stat().st_mtime_ns != OLD * 1_000_000_000
    # the person's edits to title, summary and topics are kept ...
    assert meta["title"] == "Chatbots and virtual appointments at Barnet"
    assert meta["summary"] == "What Barnet plans for AI chatbots."
    assert meta["topics"] == ["Technology and digital", "AI"]
    # ... everything else is read afresh from the letter
    assert meta["authority"] == "London Borough of Barnet"
    assert meta["working_days"] == 3
    assert meta["exemptions"] == ["FOIA s.40(2)"]
    assert meta["derived"] == generated["derived"]
    assert "zebra crossings" in page_body(page)
    # ... and the other pages were not touched
    for other, data in others.items():
        assert other.read_bytes() == data
        assert other.stat().st_mtime_ns == OLD * 1_000_000_000

    # A second change to the letter, then a --clean rebuild: the edits are still kept.
    with letter.open("a", encoding="utf-8") as out:
        out.write("\nA second appended line.\n")
    build_project(project)
    build_project(project, clean=True)
    meta = read_front_matter(page)
    assert (meta["title"], meta["summary"], meta["topics"]) == (
        "Chatbots and virtual appointments at Barnet", "What Barnet plans for AI chatbots.",
        ["Technology and digital", "AI"])
    assert meta["source_sha256"] == sha256_of(letter)


def test_unedited_derived_fields_follow_the_letter(project: Path) -> None:
    """Only a field a person changed is kept: an untouched title is re-derived."""
    build_project(project)
    page = page_of(project, "6251688")
    rewrite_front_matter(page, summary="Hand-written summary.")
    generated_title = read_front_matter(page)["title"]
    rewrite_front_matter(page, derived={**read_front_matter(page)["derived"], "title": "0" * 12})
    build_project(project, clean=True)
    meta = read_front_matter(page)
    assert meta["summary"] == "Hand-written summary."
    # `derived` said the title had been edited (its fingerprint differs), so the title is kept as it is
    assert meta["title"] == generated_title
    assert meta["topics"] == ["Technology and digital"]


def test_a_new_reader_version_regenerates_the_page(project: Path) -> None:
    build_project(project)
    page = page_of(project, "6299088")
    rewrite_front_matter(page, reader_version=READER_VERSION - 1, authority="Stale")
    result = build_project(project)
    assert result.pages_written == 1
    meta = read_front_matter(page)
    assert meta["reader_version"] == READER_VERSION
    assert meta["authority"] == "London Borough of Barnet"


def test_a_hand_written_page_with_bad_yaml_is_reported_with_file_and_line(project: Path) -> None:
    build_project(project)
    broken = project / "content" / "letters" / "2019" / "handwritten.md"
    broken.parent.mkdir(parents=True)
    broken.write_text("---\ntitle: A page written by hand\nreference: HW-1\nexemptions: [unclosed\n"
                      "outcome: refused\n---\n\nBody.\n", encoding="utf-8")
    result = build_project(project)
    errors = [p for p in result.report.errors if p.file == str(broken)]
    assert len(errors) == 1, result.report.problems
    assert errors[0].line in (4, 5)  # the unclosed list, or the line where YAML notices
    assert "YAML" in errors[0].message
    assert result.published
    assert len(result.letters) == len(seeds_expected())
    assert len(list((project / "output" / "letters" / "2020").glob("*/index.html"))) == len(seeds_expected())


def test_a_generated_page_broken_by_a_hand_edit_is_reported_not_overwritten(project: Path) -> None:
    """A person's typo in a page must be reported, and their page (with their edits) left for them to fix."""
    build_project(project)
    page = page_of(project, "6370952")
    text = page.read_text(encoding="utf-8")
    lines = text.split("\n")
    assert lines[1].startswith("title:")
    lines[1] = 'title: "My better title: unclosed quote'
    page.write_text("\n".join(lines), encoding="utf-8")
    broken = page.read_bytes()

    result = build_project(project)

    errors = [p for p in result.report.errors if p.file == str(page)]
    assert errors, f"no error reported for {page}: {result.report.problems}"
    assert errors[0].line is not None and 2 <= errors[0].line <= 4
    assert page.read_bytes() == broken, "the broken page (and the person's edit in it) was overwritten"
    others = [p for p in (project / "output" / "letters" / "2020").glob("*/index.html")]
    assert len(others) >= len(seeds_expected()) - 1


def test_invalid_front_matter_value_is_reported_with_its_line(project: Path) -> None:
    build_project(project)
    page = page_of(project, "6234788")
    text = page.read_text(encoding="utf-8").replace("outcome: successful", "outcome: brilliant")
    page.write_text(text, encoding="utf-8")
    result = build_project(project)
    errors = [p for p in result.report.errors if p.file == str(page)]
    assert len(errors) == 1
    assert "outcome" in errors[0].message
    assert errors[0].line == text.split("\n").index("outcome: brilliant") + 1


def test_two_builds_of_the_same_input_are_byte_identical(tmp_path: Path) -> None:
    first = make_project(tmp_path / "one")
    second = make_project(tmp_path / "two")
    build_project(first)
    build_project(second)
    assert tree_bytes(first / "output") == tree_bytes(second / "output")
    assert tree_bytes(first / "content") == tree_bytes(second / "content")
    # and rebuilding in place does not change a byte either
    before = tree_bytes(first / "output")
    build_project(first)
    assert tree_bytes(first / "output") == before


def test_a_letter_whose_reference_is_shared_gets_a_suffixed_page(project: Path) -> None:
    letters = project / "site_src" / "letters"
    (letters / "zz_copy.txt").write_bytes((letters / "000_a0d9641ec2702f3a.txt").read_bytes() + b"\nCopy.\n")
    result = build_project(project)
    assert page_of(project, "6251688").exists()
    assert page_of(project, "6251688-2").exists()
    assert any("same reference" in w.message for w in result.report.warnings)
    # a second build is stable: neither page moves or is rewritten
    age_everything(project / "content")
    before = stat_tree(project / "content")
    assert build_project(project).pages_written == 0
    assert stat_tree(project / "content") == before


def test_a_deleted_letter_keeps_its_page_with_a_warning(project: Path) -> None:
    build_project(project)
    (project / "site_src" / "letters" / "001_a2cc6b6967004a4d.txt").unlink()
    result = build_project(project)
    assert page_of(project, "6234788").exists()
    assert any("not in site_src" in w.message and w.file == str(page_of(project, "6234788"))
               for w in result.report.warnings)


def test_a_hand_written_page_with_a_numeric_reference_builds(project: Path) -> None:
    """YAML reads `reference: 12345` as a number; the page must still be published beside the others."""
    build_project(project)
    page = project / "content" / "letters" / "2020" / "paper-letter.md"
    page.write_text("---\ntitle: A letter that only exists on paper\nreference: 12345\nresponded: 2020-06-22\n"
                    "outcome: successful\n---\n\nTranscribed by hand.\n", encoding="utf-8")
    result = build_project(project)
    assert not result.report.errors, [str(p) for p in result.report.errors]
    assert (project / "output" / "letters" / "2020" / "paper-letter" / "index.html").is_file()
    assert "12345" in (project / "output" / "letters" / "index.html").read_text(encoding="utf-8")


def test_a_front_matter_date_that_is_not_a_date_is_reported(project: Path) -> None:
    build_project(project)
    page = page_of(project, "6299088")
    text = page.read_text(encoding="utf-8").replace("received: 2020-05-15", "received: 15/05/2020")
    page.write_text(text, encoding="utf-8")
    result = build_project(project)
    errors = [p for p in result.report.errors if p.file == str(page)]
    assert len(errors) == 1 and "received" in errors[0].message and "date" in errors[0].message
    assert errors[0].line == text.split("\n").index("received: 15/05/2020") + 1


@pytest.mark.parametrize(("key", "value", "problem", "hint"), [
    ("received", "2020-13-45", "not a real date or number: 2020-13-45", "YYYY-MM-DD"),  # YAML's date, impossible
    ("topics", "&a [x, *a]", "holds itself", "check"),
    ("topics", "[" * 70 + "]" * 70, "nested more than 64", "check"),
])
def test_front_matter_no_stage_can_use_is_reported_with_its_line_and_the_rest_build(
        project: Path, key: str, value: str, problem: str, hint: str) -> None:
    """Hand edits that had stopped the whole build with a traceback (ValueError, RecursionError)."""
    build_project(project)
    page = page_of(project, "6299088")
    text = re.sub(rf"(?m)^{key}:.*\n(?:[ -].*\n)*", f"{key}: {value}\n", page.read_text(encoding="utf-8"), count=1)
    page.write_text(text, encoding="utf-8")
    result = build_project(project)
    errors = [p for p in result.report.errors if p.file == str(page)]
    assert len(errors) == 1 and problem in errors[0].message and hint in errors[0].hint
    assert errors[0].line == text.split("\n").index(f"{key}: {value}") + 1
    assert result.published and len(result.letters) == len(seeds_expected()) - 1
