"""Stage 6: write the site to a temporary folder and swap it in only when the build succeeded.

At every moment `output/` is either the whole previous site or the whole new one: the new site is written
beside it in `.output-XXXX/` and the two folders are exchanged in one step (Linux `renameat2` with
RENAME_EXCHANGE). Where the system cannot exchange folders, the old one is renamed aside first and the next
build puts it back if the build was killed in between. A lock file keeps two builds from writing at once, and
each build removes the staging folders that killed builds left behind.
"""

from __future__ import annotations

import ctypes
import errno
import fcntl
import os
import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path
from types import TracebackType

from .clock import source_date_epoch
from .errors import FoilogError
from .render import Rendered
from .urls import output_path

_AT_FDCWD = -100
_RENAME_EXCHANGE = 2
_PREVIOUS = "-previous"


class Staging:
    """A temporary output folder beside the real one; `publish()` swaps it in atomically.

    Use it as a context manager: leaving the block without publishing discards the staging folder.
    """

    def __init__(self, output_dir: Path) -> None:
        self.output_dir = output_dir.resolve()
        self.prefix = f".{self.output_dir.name}-"
        self.lock_path = self.output_dir.with_name(f".{self.output_dir.name}.lock")
        self.path = Path()
        self._lock: int | None = None
        self._folders: set[Path] = set()

    def __enter__(self) -> Staging:
        self.output_dir.parent.mkdir(parents=True, exist_ok=True)
        self._take_lock()
        try:
            recover(self.output_dir, self.prefix)
            self.path = Path(tempfile.mkdtemp(prefix=self.prefix, dir=self.output_dir.parent))
        except BaseException:
            self._release_lock()
            raise
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        try:
            if self.path.name and self.path.exists():
                shutil.rmtree(self.path, ignore_errors=True)
        finally:
            self._release_lock()

    def write_pages(self, pages: Iterable[Rendered]) -> list[str]:
        """Write each page as it comes; the URLs of those a search engine should index."""
        indexable = []
        for page in pages:
            self.write_text(output_path(page.url), page.html)
            if page.index:
                indexable.append(page.url)
        return indexable

    def write_files(self, files: dict[str, str]) -> None:
        for relative, text in files.items():
            self.write_text(relative, text)

    def write_text(self, relative: str, text: str) -> None:
        target = self._inside(relative)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8", newline="\n")

    def write_bytes(self, relative: str, data: bytes) -> None:
        """Write a file; made for many small files (the search index's), so each folder is created once."""
        target = self._inside(relative)
        if target.parent not in self._folders:
            target.parent.mkdir(parents=True, exist_ok=True)
            self._folders.add(target.parent)
        target.write_bytes(data)

    def rename(self, relative: str, new_relative: str) -> None:
        """Move a file or folder of the site to another place in it."""
        old, new = self._inside(relative), self._inside(new_relative)
        os.replace(old, new)
        self._folders = {f for f in self._folders if not f.is_relative_to(old)}

    def copy_tree(self, source: Path, relative: str) -> None:
        """Copy a folder's files into the site; later calls override earlier ones file by file."""
        for file in sorted(p for p in source.rglob("*") if p.is_file()):
            target = self._inside(f"{relative}/{file.relative_to(source).as_posix()}")
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(file, target)

    def publish(self) -> None:
        """Swap the staged site in for `output/` in one step."""
        os.chmod(self.path, 0o755)
        epoch = source_date_epoch()
        if epoch is not None:
            stamp(self.path, epoch)
        try:
            if self.output_dir.exists() or self.output_dir.is_symlink():
                swap(self.path, self.output_dir)
            else:
                os.replace(self.path, self.output_dir)
        except OSError as exc:
            raise FoilogError(f"the new site could not be put in place of {self.output_dir}: {exc.strerror or exc}",
                              file=self.output_dir, hint="check that nothing else is using the folder (a server, a "
                              "file manager) and that it is not a mount point; output/ was left as it was") from None

    def _inside(self, relative: str) -> Path:
        """The staging path for a site path; nothing a letter says can make it point outside the site."""
        target = (self.path / relative).resolve()
        if not target.is_relative_to(self.path.resolve()):
            raise FoilogError(f"refused to write {relative!r}: it would be outside the site folder",
                              hint="this is a bug in foilog or in the theme; please report it")
        return target

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


def swap(staged: Path, output: Path) -> None:
    """Put `staged` in place of `output`, then remove the old site (which ends up at `staged`)."""
    if exchange(staged, output):
        shutil.rmtree(staged)
        return
    previous = staged.with_name(staged.name + _PREVIOUS)
    os.replace(output, previous)
    os.replace(staged, output)  # a build killed between these two lines is repaired by recover()
    shutil.rmtree(previous)


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
