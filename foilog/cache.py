"""The build cache in `.foilog-cache/`: what a later build may reuse, keyed by exactly the inputs that made it.

Three things are remembered between builds, all invalidated at once when foilog's code or its libraries change:

- each letter file's SHA-256, by the file's stat (a letter whose file is untouched is not read again);
- each page's front matter and the SHA-256 of the whole page, by the page file's stat (not parsed again);
- each output file's *key*: a digest of everything that went into it (the data it shows, the templates it
  was rendered with, site.toml, the base URL, foilog's code). A later build whose key for that file is the
  same links the previous file into the new site instead of producing it again. See `Outputs`.

The cache is JSON, never pickle, so a cache file cannot run code (the search's terms, kept by `termsfile` in a
binary file of their own, are read by hand just as safely). It is an optimisation only: deleting the
folder, or building with `--clean`, gives the same site.

A stage that adds files to the site (feeds, browse pages, search shards, data files) takes part by returning
`output.Output`s: each file's path, a key that is a `digest()` of exactly the data it is made from (for
example the page digests of the letters it covers, via `BuildCache.page_sha`, and the numbers it prints) and
a function that makes it. Work done per letter that other outputs are made from (a letter's search terms, its
statistics) is kept with `BuildCache.remembered(namespace, digest(page_sha, settings), compute)`, so an
unchanged letter is not processed again. Template-rendered pages go through `Renderer.plan`, whose keys
include the templates each page uses.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import importlib.metadata
import json
import logging
import math
import os
import tempfile
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, BinaryIO

import orjson

from . import __version__
from .errors import FoilogError

log = logging.getLogger("foilog")
CACHE_DIR = ".foilog-cache"
INPUTS_FILE = "inputs.json"
OUTPUTS_FILE = "outputs.json"
MEMO_FILE = "memo.json"
FORMAT = 2
RACY_SECONDS = 2
LIBRARIES = ("Jinja2", "markdown-it-py", "mdit-py-plugins", "linkify-it-py", "PyYAML", "holidays", "MarkupSafe",
             "numpy", "scipy", "scikit-learn", "orjson")

StatKey = tuple[int, int, int, int]


def stat_key(path: str | Path) -> StatKey | None:
    """What identifies a file's version without reading it (as git and make do): times, size and inode."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_mtime_ns, st.st_ctime_ns, st.st_size, st.st_ino


def output_stat(path: str | Path) -> list[int] | None:
    """A published file's version: its modification time, size and inode (linking it changes only its ctime)."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return [st.st_mtime_ns, st.st_size, st.st_ino]


def digest(*parts: object) -> str:
    """A stable digest of strings, numbers, dates, lists and dicts (anything with a deterministic repr)."""
    h = hashlib.sha256()
    for part in parts:
        h.update(repr(part).encode("utf-8", "surrogatepass"))
        h.update(b"\x00")
    return h.hexdigest()


@functools.cache
def code_version() -> str:
    """foilog's own source and the versions of the libraries that shape its output."""
    h = hashlib.sha256(__version__.encode())
    package = Path(__file__).resolve().parent
    for source in sorted(package.rglob("*")):
        if source.is_file() and source.suffix in (".py", ".js", ".css") and "__pycache__" not in source.parts:
            h.update(source.relative_to(package).as_posix().encode())
            h.update(source.read_bytes())
    for library in LIBRARIES:
        try:
            h.update(f"{library}={importlib.metadata.version(library)}".encode())
        except importlib.metadata.PackageNotFoundError:
            h.update(f"{library}=none".encode())
    return h.hexdigest()


# ---------------------------------------------------------------- JSON that keeps dates


class _Unsupported(Exception):
    pass


def _encode(value: Any) -> Any:
    if value is None or isinstance(value, (str, bool, int, float)):
        return value
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return {"$date": value.isoformat()}
    if isinstance(value, list):
        return [_encode(v) for v in value]
    if isinstance(value, dict) and all(isinstance(k, str) and not k.startswith("$") for k in value):
        return {k: _encode(v) for k, v in value.items()}
    raise _Unsupported(type(value).__name__)


def _decode(value: Any) -> Any:
    if isinstance(value, list):
        return [_decode(v) for v in value]
    if isinstance(value, dict):
        if len(value) == 1 and "$date" in value:
            return dt.date.fromisoformat(value["$date"])
        return {k: _decode(v) for k, v in value.items()}
    return value


def _plain(value: Any) -> bool:
    """Whether JSON keeps this value exactly as it is (no dates, no other types, no NaN or infinity)."""
    if value is None or isinstance(value, (str, bool, int)):
        return True
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, list):
        return all(_plain(v) for v in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and _plain(v) for k, v in value.items())
    return False


def encode_meta(meta: dict[str, Any]) -> list[Any] | None:
    """Front matter as [the values JSON keeps as they are, {key: ISO date}], or None if it holds anything else."""
    plain: dict[str, Any] = {}
    dates: dict[str, str] = {}
    for key, value in meta.items():
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            dates[key] = value.isoformat()
        elif _plain(value):
            plain[key] = value
        else:
            return None
    return [plain, dates, list(meta)]


def decode_meta(stored: list[Any]) -> dict[str, Any]:
    plain, dates, order = stored
    if not dates:
        return dict(plain)
    return {key: dt.date.fromisoformat(dates[key]) if key in dates else plain[key] for key in order}


def parse_page_file(path: Path, parse: Callable[[str, Path], tuple[dict[str, Any], str]]
                    ) -> tuple[dict[str, Any], str, str]:
    """A page file's front matter, body and SHA-256."""
    text, sha = read_page_text(path)
    meta, body = parse(text, path)
    return meta, body, sha


def read_page_text(path: Path) -> tuple[str, str]:
    """A page file's text and SHA-256."""
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FoilogError("the page is not UTF-8 text", file=path, hint="save it as UTF-8") from None
    return text, hashlib.sha256(data).hexdigest()


def encodable(value: Any) -> Any | None:
    """The value in the cache's JSON form, or None when it holds something JSON cannot keep exactly."""
    try:
        return _encode(value)
    except _Unsupported:
        return None


# ---------------------------------------------------------------- the cache


class BuildCache:
    """The cache of one project. `BuildCache.disabled()` remembers nothing and reuses nothing.

    It is kept in three files, each rewritten only when it changed: inputs.json (letters and pages),
    outputs.json (the published files' keys) and memo.json (stages' derived data).
    """

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder
        self.code = code_version() if folder is not None else ""
        self.letters: dict[str, list[Any]] = {}  # source -> [stat key, sha256]
        self.pages: dict[str, list[Any]] = {}  # page path -> [stat key, page sha256, encoded front matter]
        self.outputs: dict[str, list[Any]] = {}  # output path -> [key, output stat of the file as published]
        self.memo: dict[str, dict[str, Any]] = {}  # namespace -> key -> value, for stages' derived data
        self._loaded: dict[str, Any] = {}
        self._seen_letters: set[str] = set()
        self._seen_pages: set[str] = set()
        self._used_memo: dict[str, set[str]] = {}
        self._ahead: dict[str, dict[str, Any]] = {}  # namespace -> key -> value worked out ahead, in this build
        self._read: dict[str, tuple[dict[str, Any], str]] = {}
        self._by_key: dict[str, tuple[str, list[int]]] | None = None
        self._inputs_changed = False
        self._memo_changed = False
        self._memo_saved = False

    @classmethod
    def disabled(cls) -> BuildCache:
        return cls(None)

    @classmethod
    def open(cls, folder: Path) -> BuildCache:
        cache = cls(folder)
        inputs = cache._load(INPUTS_FILE)
        cache.letters = inputs.get("letters") or {}
        cache.pages = inputs.get("pages") or {}
        cache.outputs = cache._load(OUTPUTS_FILE).get("outputs") or {}
        cache.memo = cache._load(MEMO_FILE).get("memo") or {}
        return cache

    @classmethod
    def published_outputs(cls, folder: Path) -> dict[str, list[Any]]:
        """The published files' keys and stats, as the last build saved them (outputs.json alone is read)."""
        return cls(folder)._load(OUTPUTS_FILE).get("outputs") or {}

    def _load(self, name: str) -> dict[str, Any]:
        assert self.folder is not None
        try:
            state = read_json(self.folder / name)
        except (OSError, ValueError):
            return {}
        if not isinstance(state, dict) or state.get("format") != FORMAT or state.get("code") != self.code:
            log.debug("build cache: %s is from another version of foilog or its libraries; not used", name)
            return {}
        return state

    @property
    def enabled(self) -> bool:
        return self.folder is not None

    # -------------------------------------------------------- letters and pages

    def letter_sha(self, source: str, path: Path) -> str | None:
        """The SHA-256 of a letter file that has not changed since it was last read, else None."""
        self._seen_letters.add(source)
        entry = self.letters.get(source)
        if entry and self.enabled and tuple(entry[0]) == stat_key(path):
            return str(entry[1])
        return None

    def remember_letter(self, source: str, key: StatKey | None, sha256: str) -> None:
        """Remember a letter's SHA-256 with the stat its file had *before* it was read."""
        if key is not None and self.enabled:
            self.letters[source] = [list(key), sha256]
            self._seen_letters.add(source)
            self._inputs_changed = True

    def read_page(self, path: Path, parse: Callable[[str, Path], tuple[dict[str, Any], str]]
                  ) -> tuple[dict[str, Any], str | None, str]:
        """A page's front matter, its body (None when the cache answered) and the page file's SHA-256.

        `parse(text, path)` splits a page that has to be read. Within one build each page is read at most
        once; `forget_page` after writing one.
        """
        name = str(path)
        known = self._read.get(name)
        if known is not None:
            return known[0], None, known[1]
        self._seen_pages.add(name)
        key = stat_key(path)
        entry = self._page_entry(name, key)
        if entry is not None:
            meta = decode_meta(entry[2])
            self._read[name] = (meta, str(entry[1]))
            return meta, None, str(entry[1])
        meta, body, sha = parse_page_file(path, parse)
        self._keep_page(name, key, meta, sha)
        return meta, body, sha

    def unread_pages(self, paths: Iterable[Path]) -> list[Path]:
        """The pages that `read_page` would have to read and parse (the cache cannot answer for them)."""
        return [path for path in paths
                if str(path) not in self._read and self._page_entry(str(path), stat_key(path)) is None]

    def _page_entry(self, name: str, key: StatKey | None) -> list[Any] | None:
        """The cache's entry for a page whose file still has the stat `key`."""
        entry = self.pages.get(name)
        return entry if entry and self.enabled and key is not None and tuple(entry[0]) == key else None

    def read_pages_ahead(self, pages: list[tuple[Path, StatKey | None, dict[str, Any], str]]) -> None:
        """Pages read and parsed elsewhere (in worker processes), as (path, stat before reading, front matter,
        SHA-256): `read_page` answers for them without reading them again."""
        for path, key, meta, sha in pages:
            self._seen_pages.add(str(path))
            self._keep_page(str(path), key, meta, sha)

    def _keep_page(self, name: str, key: StatKey | None, meta: dict[str, Any], sha: str) -> None:
        stored = encode_meta(meta)
        if self.enabled and key is not None and stored is not None:
            self.pages[name] = [list(key), sha, stored]
            self._inputs_changed = True
        self._read[name] = (meta, sha)

    def page_sha(self, path: Path) -> str | None:
        """The SHA-256 of a page read in this build."""
        known = self._read.get(str(path))
        return known[1] if known else None

    def forget_page(self, path: Path) -> None:
        """The page was written or removed by this build: read it afresh when it is next asked for."""
        if self.pages.pop(str(path), None) is not None:
            self._inputs_changed = True
        self._read.pop(str(path), None)

    # -------------------------------------------------------- derived data and outputs

    def remembered(self, namespace: str, key: str, compute: Callable[[], Any], plain: bool = False) -> Any:
        """A stage's derived value for `key` (a digest of its inputs): computed once, then kept while used.

        `plain`: the values are JSON's own (strings, numbers, lists, dicts with string keys, never a date), kept
        and given back as they are, without converting them; the caller must not change what it is given."""
        store = self.memo.setdefault(namespace, {})
        self._used_memo.setdefault(namespace, set()).add(key)
        if key in store and self.enabled:
            return store[key] if plain else _decode(store[key])
        ahead = self._ahead.get(namespace)
        value = ahead.pop(key) if ahead and key in ahead else compute()
        stored = value if plain else encodable(value)
        if stored is not None and self.enabled:
            store[key] = stored
            self._memo_changed = True
        return value

    def recalled(self, namespace: str, key: str) -> Any:
        """The plain value `remembered` holds for `key` (kept for later builds), or None when it holds none."""
        return self.remembered(namespace, key, lambda: None, plain=True) if self.holds(namespace, key) else None

    def settle(self, namespace: str, plain: bool = False) -> None:
        """Store the values of `namespace` worked out ahead that this build keeps (see `keep`), as if this process
        had asked for each (before forking a process that will ask for them: what it remembers is not kept)."""
        if not self.enabled:
            return  # nothing is stored; `remembered` takes them from where they are
        kept = self._used_memo.get(namespace, set())
        for key in [key for key in self._ahead.get(namespace, {}) if key in kept]:
            self.remembered(namespace, key, lambda: None, plain)  # takes the value worked out ahead and stores it

    def keep(self, namespace: str, keys: Iterable[str]) -> None:
        """Keep these values for later builds although this one did not ask for them."""
        self._used_memo.setdefault(namespace, set()).update(keys)

    def holds(self, namespace: str, key: str) -> bool:
        """Whether `remembered(namespace, key, …)` would answer without computing."""
        return (self.enabled and key in self.memo.get(namespace, {})) or key in self._ahead.get(namespace, {})

    def provide(self, namespace: str, key: str, value: Any) -> None:
        """A value worked out ahead (in worker processes) for `remembered` to take, once, in this build."""
        self._ahead.setdefault(namespace, {})[key] = value

    def previous_output(self, relative: str, key: str, output_dir: Path) -> Path | None:
        """The file the last build published for `relative`, if its key matches and it is untouched."""
        if not self.enabled:
            return None
        entry = self.outputs.get(relative)
        if entry and entry[0] == key and output_stat(output_dir / relative) == entry[1]:
            return output_dir / relative
        return self._published_with_key(key, output_dir)

    def _published_with_key(self, key: str, output_dir: Path) -> Path | None:
        """A file the last build published at another path with this key: outputs keyed by their content alone
        (the search's files, whose folder is named after the whole index) can be linked from where they were."""
        if self._by_key is None:
            self._by_key = {entry[0]: (relative, entry[1]) for relative, entry in sorted(self.outputs.items())}
        found = self._by_key.get(key)
        if found is None:
            return None
        file = output_dir / found[0]
        return file if output_stat(file) == found[1] else None

    def save(self, published: Iterable[tuple[str, str, str, list[int] | None]]) -> None:
        """Remember what this build used and the outputs it published, as (path, key, file, stat if known)."""
        if self.folder is None:
            return
        # Like git's "racy" index entries: a file changed again within the clock's resolution of when it was
        # read could keep the same stat, so entries younger than RACY_SECONDS are not kept.
        settled = time.time_ns() - RACY_SECONDS * 1_000_000_000
        letters = {s: e for s, e in self.letters.items() if s in self._seen_letters and e[0][0] < settled}
        pages = {p: e for p, e in self.pages.items() if p in self._seen_pages and e[0][0] < settled}
        if len(letters) != len(self.letters) or len(pages) != len(self.pages):
            self._inputs_changed = True
        outputs = {}
        for relative, key, file, known in published:
            stat = known or output_stat(file)
            if stat is not None:
                outputs[relative] = [key, stat]
        self.folder.mkdir(parents=True, exist_ok=True)
        if self._inputs_changed or not (self.folder / INPUTS_FILE).exists():
            self._write(INPUTS_FILE, {"letters": letters, "pages": pages})
        if outputs != self.outputs or not (self.folder / OUTPUTS_FILE).exists():
            self._write(OUTPUTS_FILE, {"outputs": outputs})
        self.save_memo()
        self.letters, self.pages, self.outputs = letters, pages, outputs
        self._inputs_changed = False

    def save_memo(self) -> None:
        """Write what the stages remembered, keeping only what this build used. Called once the last stage that
        remembers anything is done, it lets the build drop the values it will not ask for again."""
        if self.folder is None or self._memo_saved:
            return
        memo = {ns: {k: v for k, v in values.items() if k in self._used_memo.get(ns, set())}
                for ns, values in self.memo.items() if ns in self._used_memo}
        if memo != self.memo:
            self._memo_changed = True
        self.folder.mkdir(parents=True, exist_ok=True)
        if self._memo_changed:
            self._write(MEMO_FILE, {"memo": memo})
        self.memo, self._ahead = memo, {}
        self._memo_changed = False
        self._memo_saved = True

    def release_memo(self) -> None:
        """Save the memo now and drop it from memory: this build will not ask it for anything again."""
        self.save_memo()
        self.memo = {}

    def _write(self, name: str, state: dict[str, Any]) -> None:
        assert self.folder is not None
        write_json(self.folder / name, {"format": FORMAT, "code": self.code, **state})


def read_json(path: Path) -> Any:
    """A JSON file foilog wrote (raises OSError, or ValueError when it is not JSON)."""
    return orjson.loads(path.read_bytes())


def write_json(path: Path, data: object) -> None:
    """Write compact JSON atomically: readers see the old file or the new one, never a part."""
    content = json_bytes(data)
    write_atomically(path, lambda out: out.write(content))


def json_bytes(data: object) -> bytes:
    """Compact UTF-8 JSON. orjson writes it several times faster than the json module, which writes what orjson
    cannot: an integer beyond 64 bits."""
    try:
        return orjson.dumps(data)
    except TypeError:
        return json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def write_atomically(path: Path, write: Callable[[BinaryIO], object]) -> None:
    """Make a file with `write(file)`, atomically: readers see the old file or the new one, never a part."""
    handle, temporary = tempfile.mkstemp(prefix=path.name + ".", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            write(out)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
