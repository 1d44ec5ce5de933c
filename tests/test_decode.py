"""Reading letter files: encodings, line endings, and files that are not letters at all."""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from foilog.errors import FoilogError, Report
from foilog.read import BIDI_CONTROLS, MAX_LETTER_BYTES, Note, decode, find_letter_files, read_letter, read_letters

from .helpers import LETTER_FIXTURES

CP1252_SAMPLE = "“Thank you” – the fee is £450 for ‘each’ request… ©"


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_utf8() -> None:
    assert decode("Caf\u00e9 – £450 µg/m³".encode()) == ("Café – £450 µg/m³", "utf-8")


def test_utf8_with_bom_loses_the_bom() -> None:
    text, encoding = decode(b"\xef\xbb\xbf" + "St Aldate’s".encode())
    assert text == "St Aldate’s"
    assert encoding == "utf-8-sig"


def test_cp1252_curly_quotes_dash_and_pound_survive() -> None:
    data = CP1252_SAMPLE.encode("cp1252")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")  # the sample really is not UTF-8
    assert decode(data) == (CP1252_SAMPLE, "cp1252")


@pytest.mark.parametrize(("raw", "expected"), [
    (b"one\r\ntwo\r\n\r\nthree", "one\ntwo\n\nthree"),
    (b"one\rtwo\r\rthree", "one\ntwo\n\nthree"),
    (b"one\r\ntwo\rthree\nfour", "one\ntwo\nthree\nfour"),
], ids=["CRLF", "CR", "mixed"])
def test_line_endings_become_lf(raw: bytes, expected: str) -> None:
    assert decode(raw)[0] == expected


def test_cp1252_accented_letters() -> None:
    assert decode("Café, Ysgol Gymraeg Pen-y-groes, Llandaf".encode("cp1252"))[0].startswith("Café")


def test_cp1252_with_crlf() -> None:
    text, encoding = decode("£450\r\n– done\r\n".encode("cp1252"))
    assert (text, encoding) == ("£450\n– done\n", "cp1252")


def test_text_is_nfc_normalised() -> None:
    assert decode("Cafe\u0301".encode())[0] == "Caf\u00e9"


@pytest.mark.parametrize("data", [b"", b"   \n\r\n\t "], ids=["empty", "blank"])
def test_empty_letter_is_an_error_naming_the_file(tmp_path: Path, data: bytes) -> None:
    path = write(tmp_path, "empty-letter.txt", data)
    with pytest.raises(FoilogError) as caught:
        read_letter(path, tmp_path)
    assert caught.value.file == str(path)
    assert "empty-letter.txt" in str(caught.value)
    assert "empty" in caught.value.message


@pytest.mark.parametrize("data", [
    b"Dear requester\x00\x00\x00 some words",
    b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n",
    b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00",  # a .docx renamed to .txt
    "Dear requester".encode("utf-16"),  # UTF-16 is full of NUL bytes
], ids=["nul-bytes", "pdf", "docx", "utf-16"])
def test_binary_file_is_an_error_naming_the_file(tmp_path: Path, data: bytes) -> None:
    path = write(tmp_path, "scanned-response.txt", data)
    with pytest.raises(FoilogError) as caught:
        read_letter(path, tmp_path)
    assert caught.value.file == str(path)
    assert "scanned-response.txt" in str(caught.value)
    assert caught.value.hint, "the error should say how to fix it"


def test_control_characters_are_an_error(tmp_path: Path) -> None:
    path = write(tmp_path, "garbled.txt", bytes(range(1, 32)) * 20 + b"some text")
    with pytest.raises(FoilogError) as caught:
        read_letter(path, tmp_path)
    assert "garbled.txt" in str(caught.value)


def test_oversized_file_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path, "merged-export.txt", b"A letter line.\n" * (MAX_LETTER_BYTES // 15 + 10))
    with pytest.raises(FoilogError) as caught:
        read_letter(path, tmp_path)
    assert "merged-export.txt" in str(caught.value)


def test_read_letter_records_source_encoding_and_hash(tmp_path: Path) -> None:
    (tmp_path / "letters" / "2021").mkdir(parents=True)
    data = "Our ref: 123\r\n£5\r\n".encode("cp1252")
    path = write(tmp_path / "letters" / "2021", "a.txt", data)
    letter = read_letter(path, tmp_path)
    assert letter.source == "letters/2021/a.txt"
    assert letter.text == "Our ref: 123\n£5\n"
    assert letter.encoding == "cp1252"
    assert letter.sha256 == __import__("hashlib").sha256(data).hexdigest()


def test_read_letters_reports_bad_files_and_keeps_the_rest(tmp_path: Path) -> None:
    letters = tmp_path / "letters"
    letters.mkdir()
    write(letters, "good.txt", b"Our ref: 1\n")
    write(letters, "bad.txt", b"%PDF-1.4 binary")
    write(letters, "empty.txt", b"")
    write(letters, "notes.md", b"not a letter")
    (letters / ".hidden").mkdir()
    write(letters / ".hidden", "skip.txt", b"hidden")
    report = Report()
    found = read_letters(tmp_path, report)
    assert [le.source for le in found] == ["letters/good.txt"]
    assert sorted(Path(p.file or "").name for p in report.errors) == ["bad.txt", "empty.txt"]


def test_letter_files_are_found_in_a_stable_order(tmp_path: Path) -> None:
    for name in ("b.txt", "a.TXT", "sub/c.text", "sub/a.txt"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        write(tmp_path, name, b"x")
    assert [p.relative_to(tmp_path).as_posix() for p in find_letter_files(tmp_path)] == \
        ["a.TXT", "b.txt", "sub/a.txt", "sub/c.text"]


FIXTURE_JSONS = sorted(LETTER_FIXTURES.glob("*.json"))


@pytest.mark.parametrize("expected", FIXTURE_JSONS, ids=[p.stem for p in FIXTURE_JSONS])
def test_fixture_encoding_and_line_endings(expected: Path) -> None:
    """Each fixture is read with the encoding its JSON declares, and its line endings are normalised."""
    facts = json.loads(expected.read_text(encoding="utf-8"))
    path = expected.with_suffix(".txt")
    raw = path.read_bytes()
    assert (b"\r\n" in raw) == (facts["line_endings"] == "CRLF"), "the fixture's declared line endings"
    letter = read_letter(path, path.parent)
    assert letter.encoding == facts["encoding"]
    assert "\r" not in letter.text
    assert not letter.text.startswith("\ufeff")
    for needle in facts.get("contains", []):
        assert needle in letter.text


_TEXT = st.text(st.characters(blacklist_categories=("Cc", "Cs"), blacklist_characters="\ufeff")
                | st.sampled_from("\n\r\t"), min_size=1, max_size=200)


@settings(max_examples=200)
@given(_TEXT)
def test_any_utf8_text_round_trips(text: str) -> None:
    data = text.encode("utf-8")
    assume(data.strip())
    decoded, encoding = decode(data)
    assert encoding == "utf-8"
    without_overrides = BIDI_CONTROLS.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    assert decoded == unicodedata.normalize("NFC", without_overrides)


def test_text_is_normalised_after_direction_overrides_and_stray_controls_are_removed() -> None:
    """A character removed from between a letter and its accent leaves them to be composed (NFC)."""
    rest = " du monde" * 20  # (a letter of control characters is refused: one in 200 characters is not)
    for removed in ("\u202e", "\x01"):
        decoded, _ = decode(f"Cafe{removed}\u0301{rest}".encode())
        assert decoded == f"Caf\u00e9{rest}"


@settings(max_examples=200)
@given(st.text(st.sampled_from("abc XYZ.,\n“”‘’–—£€…©"), min_size=1, max_size=200))
def test_any_cp1252_text_round_trips(text: str) -> None:
    # No accented letters here: cp1252's "é" (0xE9) followed by two of "“”–£" is valid UTF-8 for a
    # CJK character, which any guess-the-encoding reader must misread; that is a known limit.
    data = text.encode("cp1252")
    assume(data.strip())
    decoded, _ = decode(data)
    assert decoded == text


# ---------------------------------------------------------------- read, but not cleanly: warnings with a line

def notes_of(data: bytes) -> tuple[str, str, list[Note]]:
    notes: list[Note] = []
    text, encoding = decode(data, "x.txt", notes)
    return text, encoding, notes


def test_a_file_cut_short_mid_character_keeps_what_is_there() -> None:
    text, encoding, [note] = notes_of("line one ‘quoted’\nline two “".encode()[:-2])
    assert (text, encoding) == ("line one ‘quoted’\nline two ", "utf-8")
    assert note.line == 2 and "truncated" in note.message and note.hint


def test_a_cp1252_file_ending_in_an_accent_is_not_taken_for_a_truncated_one() -> None:
    assert notes_of("Dear Renée".encode("cp1252")) == ("Dear Renée", "cp1252", [])


def test_utf8_with_a_few_bad_bytes_is_read_as_utf8() -> None:
    data = "Café – “quoted” – £5\nsecond line ".encode() + b"\xff\xfe" + " end é".encode()
    text, encoding, [note] = notes_of(data)
    assert encoding == "utf-8" and text.startswith("Café – “quoted” – £5\nsecond line \ufffd")
    assert note.line == 2 and "\ufffd" in note.message


def test_bytes_that_are_text_in_no_encoding_are_replaced_and_reported() -> None:
    text, encoding, [note] = notes_of(b"Our ref: 1\nthe \x81 byte and \x93quoted\x94\n")
    assert encoding == "cp1252" and text == "Our ref: 1\nthe \ufffd byte and “quoted”\n"
    assert note.line == 2 and "Windows-1252" in note.message


def test_direction_overrides_are_removed_and_reported() -> None:
    data = "Ref: 1\nfile \u202efdp.exe and \u2066isolated\u2069 and \u202bembedded\u202c\n".encode()
    text, _, [note] = notes_of(data)
    assert text == "Ref: 1\nfile fdp.exe and isolated and embedded\n"
    assert note.line == 2 and "direction" in note.message


def test_right_to_left_text_is_kept_as_written() -> None:
    arabic, hebrew = "مجلس المدينة", "עירייה"
    assert notes_of(f"{arabic} – {hebrew}\u200f".encode()) == (f"{arabic} – {hebrew}\u200f", "utf-8", [])


def test_a_few_stray_control_characters_are_dropped_and_page_breaks_become_line_breaks() -> None:
    text, _, notes = notes_of(b"Dear Sir\x07,\x0cNew page\x0bline\x1b.\n" + b"words " * 100)
    assert text.startswith("Dear Sir,\nNew page\nline.\n") and notes == []


def test_utf16_is_named_for_what_it_is() -> None:
    with pytest.raises(FoilogError) as caught:
        decode("Our ref: 1".encode("utf-16"), "x.txt")
    assert "UTF-16" in caught.value.message and "UTF-8" in caught.value.hint


def test_a_huge_file_is_refused_without_being_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "merged.txt"
    with path.open("wb") as out:
        out.truncate(5 * 1024 * 1024)  # a sparse 5 MB file
    monkeypatch.setattr(Path, "read_bytes", lambda self: pytest.fail("the huge file was read"))
    with pytest.raises(FoilogError) as caught:
        read_letter(path, tmp_path)
    assert "5.0 MB" in caught.value.message and "2.0 MB" in caught.value.message
    assert "one file per letter" in caught.value.hint


def test_a_file_that_cannot_be_read_is_an_error_naming_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path, "locked.txt", b"Our ref: 1")

    def refuse(self: Path) -> bytes:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "read_bytes", refuse)
    with pytest.raises(FoilogError) as caught:
        read_letter(path, tmp_path)
    assert caught.value.file == str(path) and "Permission denied" in caught.value.message


def test_reading_warnings_travel_with_the_letter(tmp_path: Path) -> None:
    path = write(tmp_path, "cut.txt", "Our ref: 1\nthe end “".encode()[:-1])
    letter = read_letter(path, tmp_path)
    assert [(w.file, w.line, w.severity.value) for w in letter.warnings] == [("cut.txt", 2, "warning")]


def test_hidden_letter_files_are_reported_hidden_folders_and_mac_metadata_are_not(tmp_path: Path) -> None:
    for name in (".draft.txt", "._letter.txt", ".git/objects.txt", "real.txt"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        write(tmp_path, name, b"Our ref: 1")
    report = Report()
    assert [p.name for p in find_letter_files(tmp_path, report)] == ["real.txt"]
    assert [Path(p.file or "").name for p in report.warnings] == [".draft.txt"]
