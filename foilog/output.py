"""Stage 7: write the site into a folder beside output/ and swap it in only when the build succeeded.

At every moment `output/` is either the whole previous site or the whole new one: the new site is put
together in a staging folder and the two folders are exchanged in one step (Linux `renameat2` with
RENAME_EXCHANGE). Where the system cannot exchange folders, the old one is renamed aside first and the next
build puts it back if the build was killed in between. A lock file keeps two builds from writing at once, and
each build removes the staging folders that killed builds left behind.

Every file of the site is an `Output`: its path, a key (a digest of exactly the inputs it is made from) and a
way to make it. With a build cache, the staging folder is the *spare* site: the one output/ held before the
last build, kept in .foilog-cache/spare/ with a manifest of its files' keys. A build brings it up to date,
touching only the files whose keys differ: a file the live site already has with the right key is hard-linked
from it, any other is made (across the machine's cores when there are many), and files the new site does not
have are removed. So the work of a build follows what changed, not the size of the site, and the folder
swapped in is byte for byte what a build from nothing would write. A spare whose manifest is missing (a build
was stopped half way) is not trusted: it is deleted and the site put together afresh.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import fcntl
import os
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from stat import S_ISDIR, S_ISLNK, S_ISREG
from types import TracebackType
from typing import Any

from .cache import BuildCache, code_version, output_stat, read_json, write_json
from .clock import source_date_epoch
from .errors import FoilogError
from .parallel import map_in_order
from .render import Rendered
from .urls import output_path

SPARE_MANIFEST = "spare.json"
LIVE_FOLDERS = "live-folders.json"  # each folder's stat in the site now in output/, taken when it was published


@dataclass
class Output:
    """One file of the site."""

    relative: str  # its path inside output/
    key: str  # a digest of everything it is made from
    make: Callable[[], str | bytes]  # its content, called only when no file with this key can be reused


@dataclass
class Produced:
    made: list[str] = field(default_factory=list)  # the paths of the files made in this build
    reused: int = 0  # files whose key had not changed: kept, or linked from the live site
    linked: int = 0  # of those, the files linked from the live site

_AT_FDCWD = -100
_RENAME_EXCHANGE = 2
_PREVIOUS = "-previous"


class Staging:
    """A temporary output folder beside the real one; `publish()` swaps it in atomically.

    Use it as a context manager: leaving the block without publishing discards the staging folder.
    """

    def __init__(self, output_dir: Path, cache_dir: Path | None = None) -> None:
        self.output_dir = output_dir.resolve()
        self.prefix = f".{self.output_dir.name}-"
        self.lock_path = self.output_dir.with_name(f".{self.output_dir.name}.lock")
        self.cache_dir = cache_dir.resolve() if cache_dir is not None else None
        self.path = Path()
        self.keys: dict[str, str] = {}
        self.stats: dict[str, list[int] | None] = {}  # the files' stats, where this build already took them
        self.known: dict[str, list[Any]] = {}  # what the staging folder already holds: path -> [key, stat]
        self._folders: set[str] = set()  # folders of the staging folder known to be real folders inside it
        self._to_make: list[Output] = []  # outputs taken that no file could be reused for
        self._produced = Produced()
        self._lock: int | None = None

    def __enter__(self) -> Staging:
        self.output_dir.parent.mkdir(parents=True, exist_ok=True)
        self._take_lock()
        try:
            recover(self.output_dir, self.prefix)
            self.path = self._spare() or Path(tempfile.mkdtemp(prefix=self.prefix, dir=self.output_dir.parent))
        except BaseException:
            self._release_lock()
            raise
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        """A staging folder left unpublished is deleted; a half-updated spare stays, without its manifest."""
        try:
            if self.path.name and self.path.exists() and self.path != self._spare_path():
                shutil.rmtree(self.path, ignore_errors=True)
        finally:
            self._release_lock()

    def _spare_path(self) -> Path | None:
        return self.cache_dir / "spare" if self.cache_dir is not None else None

    def _spare(self) -> Path | None:
        """The spare site, if there is one whose contents are known; its manifest is removed while it changes."""
        spare = self._spare_path()
        if spare is None or self.cache_dir is None:
            return None
        manifest = self.cache_dir / SPARE_MANIFEST
        try:
            known = read_json(manifest)
            manifest.unlink()
        except (OSError, ValueError):
            known = None
        if not spare.is_dir():
            return None
        same_device = spare.stat().st_dev == self.output_dir.parent.stat().st_dev
        if not isinstance(known, dict) or known.get("code") != code_version() or not same_device:
            remove(spare, self.cache_dir / "trash")
            return None
        self.known = known["files"]
        for file in _files_below(spare, known.get("folders") or {}):  # anything the manifest does not know of
            if file not in self.known:                                 # (added by hand) goes
                self._remove(file, spare)
        return spare

    def write_pages(self, pages: Iterable[Rendered]) -> list[str]:
        """Write rendered pages straight into the site (without keys, so a later build cannot reuse them); the
        URLs of those a search engine should index."""
        indexable = []
        for page in pages:
            self.write_text(output_path(page.url), page.html)
            if page.index:
                indexable.append(page.url)
        return indexable

    def write_files(self, files: dict[str, str] | dict[str, bytes]) -> None:
        for relative, content in files.items():
            self._write(relative, content)

    def copy_tree(self, source: Path, relative: str) -> None:
        """Copy a folder's files into the site; later calls override earlier ones file by file."""
        for file in sorted(p for p in source.rglob("*") if p.is_file()):
            self.write_bytes(f"{relative}/{file.relative_to(source).as_posix()}", file.read_bytes())

    def write_text(self, relative: str, text: str) -> None:
        self._write(relative, text)

    def write_bytes(self, relative: str, data: bytes) -> None:
        self._write(relative, data)

    def _write(self, relative: str, content: str | bytes) -> None:
        target = self._place(relative)
        data = content if isinstance(content, bytes) else content.encode("utf-8")
        fd = _reopen(target)
        if fd is None:
            fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o666)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
        finally:
            os.close(fd)

    def take(self, outputs: Iterable[Output], cache: BuildCache, progress: Callable[[int], None] | None = None
             ) -> None:
        """Outputs of the site: each file whose key is unchanged is reused now, the others are made by
        `make_taken`, which brings the staging folder to exactly the outputs taken. A build may hand over its
        outputs in parts, as each becomes known."""
        counts = self._produced
        for output in outputs:
            self.stats.pop(output.relative, None)
            if output.relative in self.keys:
                raise FoilogError(f"two files of the site would be written to {output.relative}",
                                  hint="two pages have the same address; rename one of them")
            self.keys[output.relative] = output.key
            if self._kept(output):
                counts.reused += 1
            elif self._linked(output, cache):
                self.stats.pop(output.relative, None)
                counts.reused += 1
                counts.linked += 1
            else:
                self._to_make.append(output)
                continue
            if progress:
                progress(1)

    def make_taken(self, jobs: int, progress: Callable[[int], None] | None = None) -> Produced:
        """Remove the files that no output taken has, and make the outputs that could not be reused."""
        for relative in sorted(set(self.known) - set(self.keys), reverse=True):
            self._remove(relative, self.path)
        # Each file is written by the process that made it (this one or a worker): the page need not be sent
        # between processes, and the disk's waits overlap the other process's work.
        to_make, self._to_make = self._to_make, []
        for problem in map_in_order(self._make, to_make, jobs, chunk=48, done=progress):
            if problem is not None:
                message, file, line, hint = problem
                raise FoilogError(message, file=file, line=line, hint=hint)
        self._produced.made = [output.relative for output in to_make]
        return self._produced

    def _kept(self, output: Output) -> bool:
        entry = self.known.get(output.relative)
        if entry is None or entry[0] != output.key:
            return False
        stat = output_stat(os.path.join(self.path, output.relative))  # (os.path: pathlib costs more, 30,000 times)
        self.stats[output.relative] = stat
        return stat == entry[1]

    def _linked(self, output: Output, cache: BuildCache) -> bool:
        previous = cache.previous_output(output.relative, output.key, self.output_dir)
        if previous is None:
            return False
        target = self._place(output.relative)
        with contextlib.suppress(FileNotFoundError):
            os.unlink(target)
        try:
            os.link(previous, target)
        except OSError:
            try:
                shutil.copyfile(previous, target)
            except OSError:
                return False
        return True

    def _make(self, output: Output) -> tuple[str, str | None, int | None, str] | None:
        """Make one output and write it into the staging folder; a problem comes back as plain values, as it may
        cross from a worker process."""
        try:
            self._write(output.relative, output.make())
        except FoilogError as exc:
            return exc.message, exc.file, exc.line, exc.hint
        return None

    def _remove(self, relative: str, root: Path) -> None:
        """Remove a file the new site does not have, and the folders it leaves empty."""
        target = root / relative
        _discard(str(target))
        for folder in target.parents:
            if folder == root:
                break
            try:
                folder.rmdir()
            except OSError:
                break
            self._folders.discard(str(folder))

    def published(self) -> Iterable[tuple[str, str, str, list[int] | None]]:
        """(path, key, file, stat if known) of each output, once published: what the cache remembers.

        Publishing moves the folder, which changes no file's stat, so the ones taken while checking still hold.
        """
        for relative, key in sorted(self.keys.items()):
            yield relative, key, os.path.join(self.output_dir, relative), self.stats.get(relative)

    def publish(self, cache: BuildCache | None = None) -> None:
        """Swap the staged site in for `output/` in one step; the site it replaces becomes the spare (with the
        cache) or is deleted."""
        os.chmod(self.path, 0o755)
        epoch = source_date_epoch()
        if epoch is not None:
            stamp(self.path, epoch)
            self.stats.clear()  # the times changed: take the stats again
        # The site being replaced is kept as the spare only if the cache knows what it is made of (after an
        # upgrade of foilog it does not, and bringing it up to date would cost more than a fresh folder).
        keep = self.cache_dir is not None and cache is not None and cache.enabled and bool(cache.outputs)
        folders = _folder_stats(self.path, _folders_of(self.keys)) if self.cache_dir is not None else {}
        replaced_folders = _read_json(self.cache_dir / LIVE_FOLDERS) if self.cache_dir is not None else None
        try:
            if self.output_dir.exists() or self.output_dir.is_symlink():
                swap(self.path, self.output_dir, self._spare_path() if keep else None,
                     self.cache_dir / "trash" if self.cache_dir is not None else None)
            else:
                os.replace(self.path, self.output_dir)
        except OSError as exc:
            raise FoilogError(f"the new site could not be put in place of {self.output_dir}: {exc.strerror or exc}",
                              file=self.output_dir, hint="check that nothing else is using the folder (a server, a "
                              "file manager) and that it is not a mount point; output/ was left as it was") from None
        if keep and self.cache_dir is not None and cache is not None and (self.cache_dir / "spare").is_dir():
            # what the site it replaced was made of, as the last build recorded it
            _write_json(self.cache_dir / SPARE_MANIFEST, {
                "code": code_version(), "files": cache.outputs,
                "folders": replaced_folders.get("folders", {}) if isinstance(replaced_folders, dict) else {}})
        if self.cache_dir is not None:
            _write_json(self.cache_dir / LIVE_FOLDERS, {"folders": folders})

    def _place(self, relative: str) -> str:
        """The staging path for a site path, its folder made; nothing a letter says can make it point outside the
        site: the path must stay inside it as written, and no folder on the way may be a symlink."""
        root = str(self.path)
        target = os.path.normpath(os.path.join(root, relative))
        if not target.startswith(root + os.sep):
            raise FoilogError(f"refused to write {relative!r}: it would be outside the site folder",
                              hint="this is a bug in foilog or in the theme; please report it")
        self._make_folder(os.path.dirname(target), relative)
        return target

    def _make_folder(self, folder: str, relative: str) -> None:
        """Make a folder of the staging folder and those above it; each is checked once, as made or found."""
        if folder in self._folders or folder == str(self.path):
            return
        self._make_folder(os.path.dirname(folder), relative)
        try:
            os.mkdir(folder)
        except FileExistsError:
            found = os.lstat(folder)
            if S_ISLNK(found.st_mode):
                raise FoilogError(f"refused to write {relative!r}: {folder} is a symlink, which could lead outside "
                                  "the site folder", hint="remove the symlink from the site folder") from None
            if not S_ISDIR(found.st_mode):  # a file of the old site where the new one has a folder
                os.unlink(folder)
                os.mkdir(folder)
        self._folders.add(folder)

    def prepare_spare(self, stop: threading.Event | None = None) -> bool:
        """Make the spare site when the last build left none (it built the site from nothing): a copy of output/
        in hard links, its manifest the keys the cache saved for the live site, so that the next build brings it
        up to date by touching only what changed, instead of linking every file into a new folder. For `serve`,
        while it waits for changes. When `stop` is set it ends early, with a manifest of what it linked (the next
        build links the rest); while a build holds the lock it does nothing. Returns whether it made one.

        Safe beside the live site: a build never writes through a hard link (see `_reopen`)."""
        spare = self._spare_path()
        if spare is None or self.cache_dir is None:
            return False
        try:
            self._take_lock()
        except FoilogError:
            return False
        try:
            manifest, trash = self.cache_dir / SPARE_MANIFEST, self.cache_dir / "trash"
            outputs = BuildCache.published_outputs(self.cache_dir) \
                if not manifest.exists() and self.output_dir.is_dir() else {}
            if not outputs:
                return False
            if spare.exists() or spare.is_symlink():
                remove(spare, trash)  # (a spare without a manifest is not trusted)
            spare.mkdir(parents=True)
            self.path = spare
            linked = {}
            for relative, entry in sorted(outputs.items()):
                if stop is not None and stop.is_set():
                    break
                source = os.path.join(self.output_dir, relative)
                if output_stat(source) != entry[1] or os.path.islink(source):
                    continue  # changed since it was published: left to the next build
                try:
                    os.link(source, self._place(relative), follow_symlinks=False)
                except FoilogError:
                    continue  # (a path that would lead outside the folder)
                except OSError as exc:
                    if exc.errno == errno.EXDEV:  # another file system: the spare cannot share the site's files
                        remove(spare, trash)
                        return False
                    continue
                linked[relative] = entry
            _write_json(manifest, {"code": code_version(), "files": linked,
                                   "folders": _folder_stats(spare, _folders_of(linked))})
            return True
        finally:
            self._release_lock()

    def _take_lock(self) -> None:
        fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise FoilogError(f"another build is writing {self.output_dir.name}/ right now", file=self.lock_path,
                              hint="wait for it to finish, then build again") from None
        self._lock = fd

    def _release_lock(self) -> None:
        if self._lock is not None:
            os.close(self._lock)  # closing the file releases the lock, as the end of a killed process does
            self._lock = None


def prepare_spare(output_dir: Path, cache_dir: Path, stop: threading.Event | None = None) -> bool:
    """`Staging.prepare_spare` for this project's output/ and cache."""
    return Staging(output_dir, cache_dir).prepare_spare(stop)


def _reopen(target: str) -> int | None:
    """An open, emptied descriptor of the file already at `target` when it is a plain file only the staging folder
    has, so writing it makes no new file (creating files where many were just deleted can be slow: ext4 without
    a journal searches past every recently deleted one). Else None, with whatever was there removed: never write
    through a hard link into the live site's file, nor a symlink."""
    try:
        fd = os.open(target, os.O_WRONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except FileNotFoundError:
        return None
    except OSError:  # a symlink, a folder, a pipe with no reader
        _discard(target)
        return None
    found = os.fstat(fd)
    if S_ISREG(found.st_mode) and found.st_nlink == 1:
        os.ftruncate(fd, 0)
        return fd
    os.close(fd)
    _discard(target)
    return None


def _discard(target: str) -> None:
    """Remove whatever is at `target`: a file, a symlink (not what it leads to) or a folder with all it holds."""
    if os.path.isdir(target) and not os.path.islink(target):
        shutil.rmtree(target, ignore_errors=True)
    else:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(target)


def swap(staged: Path, output: Path, spare: Path | None = None, trash: Path | None = None) -> None:
    """Put `staged` in place of `output`; the old site (which ends up at `staged`) is kept at `spare` when given,
    else deleted: in the background through `trash` when given, or now."""
    if exchange(staged, output):
        old = staged
    else:
        old = output.with_name(f".{output.name}-{os.getpid()}{_PREVIOUS}")
        os.replace(output, old)
        os.replace(staged, output)  # a build killed between these two lines is repaired by recover()
    if spare is None:
        remove(old, trash)
        return
    if old == spare:
        return
    try:
        if spare.exists():
            remove(spare, spare.parent / "trash")
        os.replace(old, spare)
    except OSError:
        remove(old, spare.parent / "trash")


def exchange(first: Path, second: Path) -> bool:
    """Exchange two paths atomically; False where the system cannot (not Linux, or an old kernel)."""
    renameat2 = getattr(ctypes.CDLL(None, use_errno=True), "renameat2", None)
    if renameat2 is None:
        return False
    if renameat2(_AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP):
        return False
    raise OSError(code, os.strerror(code), str(second))


def recover(output: Path, prefix: str) -> None:
    """Undo what a killed build left: put a set-aside site back, remove stale staging folders."""
    leftovers = sorted(output.parent.glob(prefix + "*"))
    previous = [p for p in leftovers if p.name.endswith(_PREVIOUS) and p.is_dir()]
    if previous and not output.exists():
        os.replace(previous[0], output)
        leftovers.remove(previous[0])
    for leftover in leftovers:
        if leftover.is_dir() and not leftover.is_symlink():
            shutil.rmtree(leftover, ignore_errors=True)


def stamp(folder: Path, when: int) -> None:
    """Set every file's and folder's modification time, for reproducible archives of the site."""
    for path in sorted(folder.rglob("*"), reverse=True):
        os.utime(path, (when, when), follow_symlinks=False)
    os.utime(folder, (when, when))


def _files_below(root: Path, unchanged: dict[str, list[int]] | None = None) -> Iterable[str]:
    """The relative path of every file (and symlink) below a folder.

    `unchanged`: folders (relative paths) with their stats when their entries were last known. A folder whose
    stat is still that is not listed (adding, removing or renaming an entry changes its times), only its
    subfolders are visited: the files yielded are then those that may have been added since.
    """
    unchanged = unchanged or {}
    waiting = [""]
    for folder, stat in unchanged.items():
        if folder and _folder_stat(os.path.join(root, folder)) != stat:
            waiting.append(folder)
    while waiting:
        relative = waiting.pop()
        try:
            entries = os.scandir(root / relative if relative else root)
        except OSError:
            continue
        with entries:
            for entry in entries:
                name = f"{relative}/{entry.name}" if relative else entry.name
                if entry.is_dir(follow_symlinks=False):
                    if name not in unchanged:
                        waiting.append(name)
                else:
                    yield name


def _folders_of(files: Iterable[str]) -> set[str]:
    """Every folder (relative path, the root excepted) that holds these files."""
    folders = set()
    for relative in files:
        parts = relative.split("/")[:-1]
        for end in range(len(parts), 0, -1):
            folder = "/".join(parts[:end])
            if folder in folders:
                break
            folders.add(folder)
    return folders


def _folder_stat(path: str | Path) -> list[int] | None:
    try:
        st = os.stat(path, follow_symlinks=False)
    except OSError:
        return None
    return [st.st_ino, st.st_mtime_ns, st.st_ctime_ns]


def _folder_stats(root: Path, folders: Iterable[str]) -> dict[str, list[int]]:
    stats = {}
    for folder in sorted(folders):
        stat = _folder_stat(os.path.join(root, folder))
        if stat is not None:
            stats[folder] = stat
    return stats


def _read_json(path: Path) -> Any:
    try:
        return read_json(path)
    except (OSError, ValueError):
        return None


def _write_json(path: Path, data: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    write_json(path, data)


_removing: list[subprocess.Popen[bytes]] = []


def remove(folder: Path, trash: Path | None) -> None:
    """Delete a folder. With a trash folder, it is moved there at once and deleted in the background (deleting
    tens of thousands of files takes longer than the rest of a small rebuild); else it is deleted now."""
    _removing[:] = [process for process in _removing if process.poll() is None]
    rm = shutil.which("rm")
    if trash is None or rm is None:
        shutil.rmtree(folder, ignore_errors=True)
        return
    try:
        trash.mkdir(parents=True, exist_ok=True)
        os.replace(folder, trash / Path(tempfile.mkdtemp(prefix="old-", dir=trash)).name)
    except OSError:
        shutil.rmtree(folder, ignore_errors=True)
        return
    leftovers = sorted(str(p) for p in trash.iterdir())  # with any a stopped build left behind
    _removing.append(subprocess.Popen([rm, "-rf", "--", *leftovers], stdin=subprocess.DEVNULL,
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True))
