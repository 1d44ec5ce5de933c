"""Stage 1: read letters from `site_src/letters/` and decode them robustly."""

from __future__ import annotations

import hashlib
import os
import re
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

from .errors import FoilogError, Problem, Report, Severity
from .model import Letter

LETTER_SUFFIXES = {".txt", ".text"}
MAX_LETTER_BYTES = 2 * 1024 * 1024
# Explicit direction formatting (LRE, RLE, PDF, LRO, RLO, LRI, RLI, FSI, PDI): they can make text display in
# an order other than the one it is written in ("Trojan Source"), so letters never keep them.
BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")
# Control characters other than tab and newline mean nothing in a letter; a form feed or vertical tab
# (a page break in an export) becomes a line break.
_STRAY_CONTROLS = re.compile("[\x01-\x08\x0e-\x1f\x7f-\x9f]")
_LINE_BREAKS = re.compile("[\x0b\x0c]")
_UTF8_SEQUENCE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")


class Note(NamedTuple):
    """Something about a letter file that was read, but not cleanly."""

    line: int
    message: str
    hint: str


def find_letter_files(letters_dir: Path, report: Report | None = None) -> list[Path]:
    """Every letter file below `letters_dir`, in a stable order; hidden files are skipped (and reported)."""
    found = []
    for relative, path in walk_files(letters_dir, skip_hidden=True):  # not inside hidden folders such as .git/
        if os.path.splitext(relative)[1].lower() not in LETTER_SUFFIXES:
            continue
        name = relative.rsplit("/", 1)[-1]
        if name.startswith("."):
            if report is not None and not name.startswith("._"):  # "._x.txt": macOS metadata, not a letter
                report.warn("this file was skipped because its name starts with '.' (a hidden file)", file=path,
                            hint="if it is a letter, rename it without the leading '.'; otherwise delete it")
            continue
        found.append((relative, path))
    return [path for _, path in sorted(found)]


def walk_files(root: Path, *, skip_hidden: bool) -> Iterator[tuple[str, Path]]:
    """Every file below `root` (symlinks followed, as pathlib's rglob does), as (relative POSIX path, path);
    with `skip_hidden`, not inside folders whose names start with '.'.

    os.scandir tells files from folders without a stat call per file, which matters with 30,000 letters.
    """
    waiting = [""]
    while waiting:
        relative = waiting.pop()
        try:
            entries = list(os.scandir(os.path.join(root, relative) if relative else root))
        except (FileNotFoundError, NotADirectoryError):
            continue
        for entry in entries:
            name = f"{relative}/{entry.name}" if relative else entry.name
            try:
                if entry.is_dir():
                    if not (skip_hidden and entry.name.startswith(".")):
                        waiting.append(name)
                elif entry.is_file():
                    yield name, Path(entry.path)
            except OSError:
                continue



def read_letters(site_src: Path, report: Report) -> list[Letter]:
    letters = []
    for path in find_letter_files(site_src / "letters", report):
        try:
            letters.append(read_letter(path, site_src))
        except FoilogError as exc:
            report.add(exc)
    return letters


def read_letter(path: Path, site_src: Path) -> Letter:
    """A letter's text; what could not be read cleanly is kept in `letter.warnings`. Raises FoilogError."""
    return letter_from_bytes(_read_bytes(path), path, path.relative_to(site_src).as_posix())


def letter_from_bytes(data: bytes, path: Path, source: str) -> Letter:
    notes: list[Note] = []
    text, encoding = decode(data, path, notes)
    warnings = [Problem(Severity.WARNING, note.message, source, note.line, note.hint) for note in notes]
    return Letter(source=source, path=path, text=text, encoding=encoding,
                  sha256=hashlib.sha256(data).hexdigest(), warnings=warnings)


def _read_bytes(path: Path) -> bytes:
    try:
        size = path.stat().st_size
        if size > MAX_LETTER_BYTES:
            raise too_big(size, path)
        return path.read_bytes()
    except OSError as exc:
        raise FoilogError(f"the file could not be read ({exc.strerror or exc})", file=path,
                          hint="check that the file exists and that you may read it") from None


def too_big(size: int, path: Path | str) -> FoilogError:
    return FoilogError(
        f"the file is {_megabytes(size)}, too big to be one letter (the limit is {_megabytes(MAX_LETTER_BYTES)})",
        file=path, hint="if it holds several letters exported together, split it into one file per letter; "
        "if it holds an attachment (a spreadsheet, a scan's data), keep only the letter's text in it")


def _megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MB"


def decode(data: bytes, path: Path | str = "", notes: list[Note] | None = None) -> tuple[str, str]:
    """Bytes to text: UTF-8 (with or without BOM), else cp1252; CRLF and CR become LF.

    Raises FoilogError for what is not a letter's text at all. What could be read, but not cleanly (a file cut
    short, stray bytes, direction overrides), is appended to `notes`.
    """
    notes = [] if notes is None else notes
    if not data.strip():
        raise FoilogError("the letter is empty", file=path,
                          hint="export the letter's text again, or delete the empty file")
    if len(data) > MAX_LETTER_BYTES:
        raise too_big(len(data), path)
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise FoilogError("the file is UTF-16 text, which foilog does not read", file=path,
                          hint="save it again as UTF-8 (in Notepad: Save As, Encoding: UTF-8)")
    if b"\x00" in data or data.startswith((b"%PDF", b"PK\x03\x04", b"\xd0\xcf\x11\xe0", b"{\\rtf")):
        raise FoilogError("the file is binary, not text (perhaps a PDF or Word file renamed to .txt)",
                          file=path, hint="export the letter as plain text and replace this file")
    text, encoding = _decode_bytes(data, notes)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if _control_ratio(text) > 0.01:
        raise FoilogError("the file holds control characters, not letter text", file=path,
                          hint="export the letter as plain text and replace this file")
    text = _LINE_BREAKS.sub("\n", _STRAY_CONTROLS.sub("", text))
    if BIDI_CONTROLS.search(text):
        notes.append(Note(_line_of(text, BIDI_CONTROLS), "the letter contains Unicode direction overrides, "
                           "which can make text show in a misleading order; they were removed",
                           "check the letter's text, and export it again if it should not contain them"))
        text = BIDI_CONTROLS.sub("", text)
    text = unicodedata.normalize("NFC", text)  # last: a character removed may have kept two others apart
    return text, "utf-8" if encoding == "utf-8-sig" and not data.startswith(b"\xef\xbb\xbf") else encoding


def _decode_bytes(data: bytes, notes: list[Note]) -> tuple[str, str]:
    try:
        return data.decode("utf-8-sig"), "utf-8-sig"
    except UnicodeDecodeError as exc:
        error = exc
    line = data[:error.start].count(b"\n") + 1
    if error.reason == "unexpected end of data" and (_utf8_sequences(data) or len(data) - error.start > 1):
        notes.append(Note(line, "the file ends part-way through a character, so it was probably cut short "
                          "(truncated); the broken end was dropped",
                          "check that the letter is complete, and export it again if it is not"))
        return data[:error.start].decode("utf-8-sig"), "utf-8-sig"
    bad = data.decode("utf-8", errors="replace").count("\ufffd")
    if _utf8_sequences(data) >= 3 and _utf8_sequences(data) > 2 * bad:
        notes.append(Note(line, f"the file is UTF-8, but {bad} byte(s) in it are not; they are shown as \ufffd",
                          "correct those characters, or export the letter again as UTF-8"))
        return data.decode("utf-8-sig", errors="replace"), "utf-8-sig"
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError as exc:
        notes.append(Note(data[:exc.start].count(b"\n") + 1, "the file has bytes that are not text in UTF-8 or "
                          "Windows-1252 (cp1252); they are shown as \ufffd", "export the letter again as UTF-8"))
        return data.decode("cp1252", errors="replace"), "cp1252"


def _utf8_sequences(data: bytes) -> int:
    """How many well-formed multi-byte UTF-8 characters the bytes hold (other encodings rarely form any)."""
    return len(_UTF8_SEQUENCE.findall(data))


def _line_of(text: str, pattern: re.Pattern[str]) -> int:
    match = pattern.search(text)
    return text.count("\n", 0, match.start()) + 1 if match else 1


def _control_ratio(text: str) -> float:
    controls = sum(1 for ch in text if unicodedata.category(ch) == "Cc" and ch not in "\n\t\f\v")
    return controls / max(len(text), 1)
