"""Stage 6: write the site to a temporary folder and swap it in only when the build succeeded."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path

from .render import Rendered
from .urls import output_path


class Staging:
    """A temporary output folder beside the real one; `publish()` swaps it in atomically."""

    def __init__(self, output_dir: Path) -> None:
        self.output_dir = output_dir.resolve()
        self.output_dir.parent.mkdir(parents=True, exist_ok=True)
        self.path = Path(tempfile.mkdtemp(prefix=".output-", dir=self.output_dir.parent))

    def write_pages(self, pages: Iterable[Rendered]) -> None:
        for page in pages:
            self.write_text(output_path(page.url), page.html)

    def write_text(self, relative: str, text: str) -> None:
        target = self.path / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8", newline="\n")

    def write_bytes(self, relative: str, data: bytes) -> None:
        target = self.path / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)

    def copy_tree(self, source: Path, relative: str) -> None:
        """Copy a folder's files into the site; later calls override earlier ones file by file."""
        for file in sorted(p for p in source.rglob("*") if p.is_file()):
            target = self.path / relative / file.relative_to(source)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(file, target)

    def publish(self) -> None:
        os.chmod(self.path, 0o755)
        previous = self.output_dir.with_name(self.path.name + "-previous")
        if self.output_dir.exists():
            os.replace(self.output_dir, previous)
        os.replace(self.path, self.output_dir)
        if previous.exists():
            shutil.rmtree(previous)

    def discard(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)
