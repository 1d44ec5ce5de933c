"""Two builds of the same input give byte-identical output/ and content/, whatever the machine's state.

Each build runs in its own process, in a folder of a different name and depth, with a different hash seed
(so set and dict iteration orders differ), time zone, locale, input file modification times and order in
which the files were created (so the order a directory lists them in differs).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from .helpers import LETTER_FIXTURES, REPO, make_project, tree_bytes


def _project(root: Path, mtime: int, reverse: bool) -> Path:
    make_project(root, whole_example=True)
    letters = root / "site_src" / "letters"
    fixtures = sorted(LETTER_FIXTURES.glob("*.txt"), reverse=reverse)
    for fixture in fixtures:
        shutil.copyfile(fixture, letters / fixture.name)
    for path in root.rglob("*"):
        os.utime(path, (mtime, mtime))
    return root


def _build(root: Path, seed: str, zone: str) -> None:
    env = {**os.environ, "PYTHONHASHSEED": seed, "TZ": zone, "LC_ALL": "C.UTF-8"}
    env.pop("SOURCE_DATE_EPOCH", None)
    done = subprocess.run([sys.executable, str(REPO / "build.py"), "--root", str(root), "--quiet"], env=env,
                          cwd=root.parent, capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL)
    assert done.returncode == 0, done.stderr


def test_two_builds_in_different_processes_are_byte_identical(tmp_path: Path) -> None:
    first = _project(tmp_path / "one", mtime=1_000_000_000, reverse=False)
    second = _project(tmp_path / "somewhere" / "else" / "entirely", mtime=1_600_000_000, reverse=True)
    _build(first, seed="1", zone="UTC")
    _build(second, seed="4242", zone="Pacific/Kiritimati")
    for tree in ("output", "content"):
        one, two = tree_bytes(first / tree), tree_bytes(second / tree)
        assert sorted(one) == sorted(two), f"{tree}/ holds different files"
        differing = [name for name in one if one[name] != two[name]]
        assert not differing, f"{tree}/ files differ between the builds: {differing}"
    assert len(tree_bytes(first / "output")) > 20
