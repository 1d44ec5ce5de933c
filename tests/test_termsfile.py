"""Each letter's search terms, remembered between builds: the same index as terms read afresh, whatever the file."""

from __future__ import annotations

import hashlib
import struct
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from bench import corpus
from foilog import index, termsfile
from foilog.config import SiteConfig
from foilog.index import DocTerms, SearchDoc
from foilog.model import Letter

CODE = "code-version"


def _page_digest(letter: Letter) -> str:
    return hashlib.sha256(f"{letter.reference}\0{letter.title}\0{letter.summary}\0{letter.body}".encode()).hexdigest()


@pytest.fixture
def fresh_reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The references of the letters whose terms were read afresh."""
    read: list[str] = []
    original = index.TermReader.__call__

    def counting(self: index.TermReader, doc: SearchDoc) -> DocTerms:
        read.append(doc.letter.reference)
        return original(self, doc)
    monkeypatch.setattr(index.TermReader, "__call__", counting)
    return read


def _build(letters: list[Letter], file: Path | None) -> dict[str, bytes]:
    """The index's files, its letters' terms remembered in `file` (and the file updated, as a build does)."""
    if file is None:
        return index.build_index(letters, corpus.urls(letters), SiteConfig()).data_files()
    with tempfile.TemporaryFile() as spool:
        remembered = termsfile.RememberedTerms(file, CODE, spool.fileno())

        def terms_for(boilerplate: str) -> Callable[[SearchDoc], DocTerms]:
            return remembered.reader(lambda doc: termsfile.entry_key(_page_digest(doc.letter), boilerplate))
        files = index.build_index(letters, corpus.urls(letters), SiteConfig(), terms_for=terms_for,
                                  keys_of=remembered.keys_of(_page_digest)).data_files()
        region = remembered.region()
        assert region is not None
        termsfile.put_in_place(file, spool.fileno(), *region)
    return files


@pytest.fixture
def keyed_paragraphs(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The paragraphs whose template keys were worked out."""
    keyed: list[str] = []
    original = index.template_key

    def counting(paragraph: str) -> bytes:
        keyed.append(paragraph)
        return original(paragraph)
    monkeypatch.setattr(index, "template_key", counting)
    return keyed


def _paragraphs(letter: Letter) -> list[str]:
    return [p for passage in index.passages(letter.body) for p in passage.paragraphs]


@pytest.fixture
def letters() -> Iterator[list[Letter]]:
    yield corpus.letters(80, seed=12)


def test_a_rebuild_reads_afresh_only_the_changed_letters_terms_and_makes_the_same_files(
        tmp_path: Path, letters: list[Letter], fresh_reads: list[str]) -> None:
    file = tmp_path / termsfile.TERMS_FILE
    assert _build(letters, file) == _build(letters, None)
    assert len(fresh_reads) == 2 * len(letters), "the first build remembers nothing"
    fresh_reads.clear()
    assert _build(letters, file) == _build(letters, None)
    assert len(fresh_reads) == len(letters), "only the build without the file read any letter"
    assert not any(b"[\"zqxvw\"," in data for path, data in _build(letters, None).items() if "/shards/" in path)
    changed = letters[17]
    changed.body = changed.body.replace("## Response\n", "## Response\n\nA further note about zqxvw.\n", 1)
    fresh_reads.clear()
    rebuilt = _build(letters, file)
    assert fresh_reads[0] == changed.reference and len(fresh_reads) == 1
    assert rebuilt == _build(letters, None)
    assert any(b"[\"zqxvw\"," in data for path, data in rebuilt.items() if "/shards/" in path)


def test_the_file_keeps_only_the_letters_of_the_last_build(tmp_path: Path, letters: list[Letter]) -> None:
    file = tmp_path / termsfile.TERMS_FILE
    _build(letters, file)
    _build(letters[:30], file)
    assert len(termsfile.read_entries(file, CODE)[1]) == 2 * 30, "each letter's terms and its template keys"


@pytest.mark.parametrize("damage", [
    lambda data: b"",
    lambda data: data[: len(data) // 2],
    lambda data: data[:-1],
    lambda data: data + b"\x00" * 7,
    lambda data: b"not a terms file\n" + data,
    lambda data: data.replace(CODE.encode(), b"another-code", 1),
], ids=["empty", "cut in half", "one byte short", "trailing bytes", "not one", "another version of foilog"])
def test_a_damaged_or_foreign_file_is_not_used(tmp_path: Path, letters: list[Letter], fresh_reads: list[str],
                                               damage: Callable[[bytes], bytes]) -> None:
    file = tmp_path / termsfile.TERMS_FILE
    _build(letters, file)
    file.write_bytes(damage(file.read_bytes()))
    fresh_reads.clear()
    assert _build(letters, file) == _build(letters, None)
    assert len(fresh_reads) == 2 * len(letters)


def test_an_entry_whose_terms_and_frequencies_disagree_is_read_afresh(
        tmp_path: Path, letters: list[Letter], fresh_reads: list[str]) -> None:
    file = tmp_path / termsfile.TERMS_FILE
    _build(letters, file)
    data, entries = termsfile.read_entries(file, CODE)
    keys_entries = {termsfile.keys_entry_key(_page_digest(letter)) for letter in letters}
    start, size = next(place for key, place in entries.items() if key not in keys_entries)
    lengths, names, counts, words = termsfile.decode(data[start:start + size])
    broken = termsfile.encode((lengths, names, (counts[0] + b"\x01\x00\x00\x00", *counts[1:]), words))
    assert len(broken) == size + 4
    damaged = bytearray(data[:start - 4]) + len(broken).to_bytes(4, "little") + broken + data[start + size:]
    file.write_bytes(bytes(damaged))
    fresh_reads.clear()
    assert _build(letters, file) == _build(letters, None)
    assert len(fresh_reads) == len(letters) + 1, "that letter's terms, and the build without the file"


def test_terms_survive_the_file_as_they_were(letters: list[Letter]) -> None:
    reader = index.TermReader()
    for doc in index.documents(letters, corpus.urls(letters)):
        terms = reader(doc)
        assert termsfile.decode(termsfile.encode(terms)) == terms


def test_a_rebuild_works_out_template_keys_only_for_the_changed_letter(
        tmp_path: Path, letters: list[Letter], keyed_paragraphs: list[str]) -> None:
    file = tmp_path / termsfile.TERMS_FILE
    _build(letters, file)
    everything = len(keyed_paragraphs)
    assert everything == sum(len(_paragraphs(letter)) for letter in letters)
    keyed_paragraphs.clear()
    assert _build(letters, file) == _build(letters, None)
    assert len(keyed_paragraphs) == everything, "only the build without the file worked any out"
    changed = letters[40]
    changed.body = changed.body.replace("## Response\n", "## Response\n\nA further note about zqxvw.\n", 1)
    keyed_paragraphs.clear()
    rebuilt = _build(letters, file)
    assert keyed_paragraphs == _paragraphs(changed)
    assert rebuilt == _build(letters, None)


def test_remembered_template_keys_leave_out_the_same_boilerplate(tmp_path: Path, letters: list[Letter]) -> None:
    """Boilerplate is judged on every letter's keys: remembered ones must count as read ones do."""
    file = tmp_path / termsfile.TERMS_FILE
    _build(letters, file)
    shared = index.documents_and_boilerplate(letters, corpus.urls(letters))[1]
    assert shared, "the corpus's letters share paragraphs"
    with tempfile.TemporaryFile() as spool:
        keys_of = termsfile.RememberedTerms(file, CODE, spool.fileno()).keys_of(_page_digest)
        docs, remembered = index.documents_and_boilerplate(letters, corpus.urls(letters), keys_of=keys_of)
    assert remembered == shared
    assert all(doc.passages is None for doc in docs), "no letter's passages were read"
    assert [doc.sections for doc in docs] == [doc.sections for doc in index.documents(letters, corpus.urls(letters))]


@pytest.mark.parametrize("keys", [[], [[]], [[b"a" * 12], [], [b"b" * 12, b"c" * 12]]],
                         ids=["no passages", "an empty passage", "three passages"])
def test_template_keys_survive_the_file_as_they_were(keys: index.TemplateKeys) -> None:
    assert termsfile.decode_keys(termsfile.encode_keys(keys)) == keys


@pytest.mark.parametrize("damage", [
    lambda data: data[:-1], lambda data: data + b"\x00", lambda data: b"\xff\xff\xff\x00" + data[4:], lambda data: b"",
], ids=["one byte short", "a byte to spare", "too many passages", "empty"])
def test_damaged_template_keys_are_not_read(damage: Callable[[bytes], bytes]) -> None:
    data = termsfile.encode_keys([[b"a" * 12], [b"b" * 12, b"c" * 12]])
    with pytest.raises((ValueError, struct.error)):
        termsfile.decode_keys(damage(data))
