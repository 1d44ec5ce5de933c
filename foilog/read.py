"""Stage 1: read letters from `site_src/letters/` and decode them robustly."""

from __future__ import annotations

import hashlib
import unicodedata
from pathlib import Path

from .errors import FoilogError, Report
from .model import Letter

LETTER_SUFFIXES = {".txt", ".text"}
MAX_LETTER_BYTES = 2 * 1024 * 1024


def find_letter_files(letters_dir: Path) -> list[Path]:
    """Every letter file below `letters_dir`, in a stable order; hidden files are skipped."""
    if not letters_dir.is_dir():
        return []
    found = [
        p for p in letters_dir.rglob("*")
        if p.is_file() and p.suffix.lower() in LETTER_SUFFIXES
        and not any(part.startswith(".") for part in p.relative_to(letters_dir).parts)
    ]
    return sorted(found, key=lambda p: p.relative_to(letters_dir).as_posix())


def read_letters(site_src: Path, report: Report) -> list[Letter]:
    letters = []
    for path in find_letter_files(site_src / "letters"):
        try:
            letters.append(read_letter(path, site_src))
        except FoilogError as exc:
            report.add(exc)
    return letters


def read_letter(path: Path, site_src: Path) -> Letter:
    data = path.read_bytes()
    source = path.relative_to(site_src).as_posix()
    text, encoding = decode(data, path)
    return Letter(source=source, path=path, text=text, encoding=encoding,
                  sha256=hashlib.sha256(data).hexdigest())


def decode(data: bytes, path: Path | str = "") -> tuple[str, str]:
    """Bytes to text: UTF-8 (with or without BOM), else cp1252; CRLF and CR become LF."""
    if not data.strip():
        raise FoilogError("the letter is empty", file=path,
                          hint="export the letter's text again, or delete the empty file")
    if len(data) > MAX_LETTER_BYTES:
        raise FoilogError(f"the letter is {len(data) // 1024} KiB, larger than a letter can be "
                          f"({MAX_LETTER_BYTES // 1024} KiB)", file=path,
                          hint="check it is one letter's text and not an attachment or a merged export")
    if b"\x00" in data or data.startswith(b"%PDF"):
        raise FoilogError("the file is binary, not text (perhaps a PDF or Word file renamed to .txt)",
                          file=path, hint="export the letter as plain text and replace this file")
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        text, encoding = data.decode("latin-1"), "latin-1"
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = unicodedata.normalize("NFC", text)
    if _control_ratio(text) > 0.01:
        raise FoilogError("the file holds control characters, not letter text", file=path,
                          hint="export the letter as plain text and replace this file")
    return text, "utf-8" if encoding == "utf-8-sig" and not data.startswith(b"\xef\xbb\xbf") else encoding


def _control_ratio(text: str) -> float:
    controls = sum(1 for ch in text if unicodedata.category(ch) == "Cc" and ch not in "\n\t\f")
    return controls / max(len(text), 1)
