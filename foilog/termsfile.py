"""Each letter's terms for the search index (`index.DocTerms`), kept between builds in a file of the build cache.

A rebuild after one letter changed scores the whole index again (every letter's scores depend on the average
length of all of them), but need not read every letter's words again: what the index holds of each letter is
remembered by its page's digest and the boilerplate paragraphs that were left out. So are its paragraphs'
template keys (`index.TemplateKeys`), by its page's digest: which paragraphs are boilerplate depends on every
letter's, and a letter whose keys are remembered has its passages read only if its search record is written.

Only the search's process reads the file. The entries a build uses are written, as it goes, into the build's
unnamed temporary file (the spool), and the main process copies them into place once the search is done: a
build that stops meanwhile leaves nothing behind. The file is a plain binary layout read by hand, never pickle
or marshal, so a damaged or planted file can at worst be ignored.
"""

from __future__ import annotations

import hashlib
import os
import struct
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO, TypeVar

from .cache import write_atomically
from .index import FIELDS, TEMPLATE_KEY_BYTES, DocTerms, KeysOf, SearchDoc, TemplateKeys, TermReader
from .model import Letter

Entry = TypeVar("Entry")

TERMS_FILE = "search-terms.bin"
MAGIC = b"foilog search terms 1\n"
KEY_BYTES = 32
_COUNTS = struct.Struct(f"<{len(FIELDS)}I")
_SIZE = struct.Struct("<I")


def entry_key(page_sha: str, boilerplate: str) -> bytes:
    """What a letter's terms are made from: its page, and the paragraphs left out of every letter as boilerplate."""
    return hashlib.sha256(f"{page_sha}\0{boilerplate}".encode()).digest()


def keys_entry_key(page_sha: str) -> bytes:
    """What a letter's template keys are made from: its page."""
    return hashlib.sha256(f"template keys\0{page_sha}".encode()).digest()


def encode_keys(keys: TemplateKeys) -> bytes:
    """The number of passages, each one's number of paragraphs, then every paragraph's key."""
    return struct.pack(f"<I{len(keys)}I", len(keys), *map(len, keys)) + b"".join(b"".join(k) for k in keys)


def decode_keys(data: bytes | memoryview) -> TemplateKeys:
    """Template keys as `encode_keys` wrote them; ValueError (or struct.error) if they are not."""
    (count,) = _SIZE.unpack_from(data, 0)
    if _SIZE.size * (count + 1) > len(data):
        raise ValueError("an entry runs past its end")
    sizes = struct.unpack_from(f"<{count}I", data, _SIZE.size)
    at = _SIZE.size * (count + 1)
    if at + TEMPLATE_KEY_BYTES * sum(sizes) != len(data):
        raise ValueError("an entry's keys and their number differ")
    keys: TemplateKeys = []
    raw = bytes(data[at:])
    at = 0
    for size in sizes:
        keys.append([raw[at + TEMPLATE_KEY_BYTES * n:at + TEMPLATE_KEY_BYTES * (n + 1)] for n in range(size)])
        at += TEMPLATE_KEY_BYTES * size
    return keys


def encode(terms: DocTerms) -> bytes:
    lengths, names, counts, words = terms
    parts = [*(name.encode() for name in names), *counts, words.encode()]
    return _COUNTS.pack(*lengths) + b"".join(_SIZE.pack(len(part)) + part for part in parts)


def decode(data: bytes | memoryview) -> DocTerms:
    """An entry as `encode` wrote it; ValueError (or struct.error) if it is not one."""
    fields = len(FIELDS)
    lengths = _COUNTS.unpack_from(data, 0)
    at = _COUNTS.size
    parts: list[bytes] = []
    for _ in range(2 * fields + 1):
        (size,) = _SIZE.unpack_from(data, at)
        at += _SIZE.size
        if at + size > len(data):
            raise ValueError("an entry runs past its end")
        parts.append(bytes(data[at:at + size]))
        at += size
    if at != len(data):
        raise ValueError("an entry has bytes to spare")
    names = tuple(part.decode() for part in parts[:fields])
    counts = tuple(parts[fields:2 * fields])
    for name, count in zip(names, counts, strict=True):
        if len(count) != 4 * len(name.split()):
            raise ValueError("an entry's terms and frequencies differ in number")
    return lengths, names, counts, parts[-1].decode()


def read_entries(path: Path, code: str) -> tuple[bytes, dict[bytes, tuple[int, int]]]:
    """The file's bytes and where each entry's data is in them; nothing if the file is missing, damaged or from
    another version of foilog."""
    try:
        data = path.read_bytes()
    except OSError:
        return b"", {}
    header = MAGIC + code.encode() + b"\n"
    if not data.startswith(header):
        return b"", {}
    entries: dict[bytes, tuple[int, int]] = {}
    at = len(header)
    while at < len(data):
        if at + KEY_BYTES + _SIZE.size > len(data):
            return b"", {}
        key = data[at:at + KEY_BYTES]
        (size,) = _SIZE.unpack_from(data, at + KEY_BYTES)
        start = at + KEY_BYTES + _SIZE.size
        if start + size > len(data):
            return b"", {}
        entries[key] = (start, size)
        at = start + size
    return data, entries


class RememberedTerms:
    """`index.DocTerms` and `index.TemplateKeys` for each letter: from the file where it holds them, else made
    afresh; each one used is written to `out` (a file descriptor, at its offset) as it is given, for `region()`
    to name."""

    def __init__(self, path: Path, code: str, out: int) -> None:
        self.path, self.code, self.out = path, code, out
        self.start: int | None = None
        self._sink: BinaryIO | None = None
        self._view = memoryview(b"")
        self._entries: dict[bytes, tuple[int, int]] = {}

    def keys_of(self, page_sha: Callable[[Letter], str]) -> KeysOf:
        """Each letter's template keys, by its page's digest."""
        def keys_of(letter: Letter, make: Callable[[], TemplateKeys]) -> TemplateKeys:
            return self._recalled(keys_entry_key(page_sha(letter)), decode_keys, make, encode_keys)
        return keys_of

    def reader(self, key_of: Callable[[SearchDoc], bytes]) -> Callable[[SearchDoc], DocTerms]:
        fresh = TermReader()

        def terms_of(doc: SearchDoc) -> DocTerms:
            return self._recalled(key_of(doc), decode, lambda: fresh(doc), encode)
        return terms_of

    def _recalled(self, key: bytes, decoded: Callable[[memoryview], Entry], make: Callable[[], Entry],
                  encoded: Callable[[Entry], bytes]) -> Entry:
        sink = self._sink or self._open()
        found = self._entries.get(key)
        if found is not None:
            start, size = found
            try:
                value = decoded(self._view[start:start + size])
            except (ValueError, struct.error, UnicodeDecodeError):
                pass
            else:
                sink.write(key + _SIZE.pack(size))
                sink.write(self._view[start:start + size])
                return value
        value = make()
        data = encoded(value)
        sink.write(key + _SIZE.pack(len(data)) + data)
        return value

    def _open(self) -> BinaryIO:
        """Read the file, and start writing the entries used."""
        data, self._entries = read_entries(self.path, self.code)
        self._view = memoryview(data)
        sink = self._sink = open(self.out, "ab", closefd=False)  # noqa: SIM115 - closed by `region`
        self.start = sink.tell()
        sink.write(MAGIC + self.code.encode() + b"\n")
        return sink

    def region(self) -> tuple[int, int] | None:
        """Where in `out` the entries used were written (offset, length), once all of them were; None if none
        was asked for."""
        if self.start is None or self._sink is None:
            return None
        self._sink.close()
        return self.start, os.lseek(self.out, 0, os.SEEK_CUR) - self.start


def put_in_place(path: Path, source: int, offset: int, length: int) -> None:
    """Copy a region of a file (a descriptor) to `path`, atomically, a megabyte at a time."""
    def copy(out: BinaryIO) -> None:
        done = 0
        while done < length:
            chunk = os.pread(source, min(1 << 20, length - done), offset + done)
            if not chunk:
                raise OSError(f"the search's temporary file ends before {offset + length} bytes")
            out.write(chunk)
            done += len(chunk)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomically(path, copy)
