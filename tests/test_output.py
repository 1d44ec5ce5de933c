"""Publishing output/: a build killed at any moment leaves the previous site whole; stale folders are cleaned up.

The kill tests run a real build in a subprocess. A small driver (DRIVER below) wraps one function of foilog at
the moment to test so that it writes a marker file and sleeps there; the test waits for the marker, then sends
SIGKILL, which nothing can catch or clean up after.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from foilog import output
from foilog.cache import BuildCache, digest
from foilog.errors import FoilogError
from foilog.output import Output, Staging, recover
from foilog.render import Rendered

from .helpers import REPO, build_project, make_project, tree_bytes

DRIVER = r"""
import os, sys, time
from pathlib import Path
sys.path.insert(0, sys.argv[1])
from foilog import cli, output, render

root, moment, marker = sys.argv[2], sys.argv[3], Path(sys.argv[4])


def stop_here():
    marker.write_text(moment)
    time.sleep(120)


def before(owner, name):
    original = getattr(owner, name)
    def wrapped(*args, **kwargs):
        stop_here()
        return original(*args, **kwargs)
    setattr(owner, name, wrapped)


def after(owner, name):
    original = getattr(owner, name)
    def wrapped(*args, **kwargs):
        result = original(*args, **kwargs)
        stop_here()
        return result
    setattr(owner, name, wrapped)


if moment == "rendering":
    before(render.Renderer, "render")
elif moment == "half-written":
    original, written = output.Staging._write, []
    def write(self, relative, content):
        original(self, relative, content)
        written.append(relative)
        if len(written) == 3:
            stop_here()
    output.Staging._write = write
elif moment == "before-swap":
    before(output, "swap")
elif moment == "after-exchange":
    after(output, "exchange")
elif moment == "between-renames":  # the fallback where folders cannot be exchanged atomically
    output.exchange = lambda first, second: False
    original_swap, original_replace = output.swap, os.replace
    def replace_then_stop(source, target):
        original_replace(source, target)
        stop_here()
    def swap(staged, site, *rest):
        os.replace = replace_then_stop  # the first rename inside swap() is the last thing this build does
        original_swap(staged, site, *rest)
    output.swap = swap
sys.exit(cli.main(["--root", root, "--quiet"]))
"""
MOMENTS = ["rendering", "half-written", "before-swap", "after-exchange", "between-renames"]


def publish(output_dir: Path, pages: list[Rendered]) -> None:
    """What build() does last: write the pages into a staging folder and swap it in."""
    with Staging(output_dir) as staging:
        staging.write_pages(pages)
        staging.publish()


def built_project(tmp_path: Path) -> Path:
    root = make_project(tmp_path / "project")
    build_project(root)
    return root


def change_the_input(root: Path) -> None:
    letters = root / "site_src" / "letters"
    (letters / "new.txt").write_bytes((letters / "000_a0d9641ec2702f3a.txt").read_bytes().replace(
        b"Our ref: 6251688", b"Our ref: 7000001"))


def kill_build_at(root: Path, moment: str, tmp_path: Path) -> None:
    marker = tmp_path / f"{moment}.reached"
    process = subprocess.Popen([sys.executable, "-c", DRIVER, str(REPO), str(root), moment, str(marker)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while not marker.exists():
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            _, err = process.communicate()
            pytest.fail(f"the build never reached {moment!r}: {err.decode(errors='replace')}")
        time.sleep(0.02)
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL


@pytest.mark.parametrize("spare", [False, True], ids=["first-rebuild", "with-spare"])
@pytest.mark.parametrize("moment", MOMENTS)
def test_a_build_killed_at_any_moment_leaves_output_whole(tmp_path: Path, moment: str, spare: bool) -> None:
    """`with-spare`: an earlier rebuild kept the site before it as .foilog-cache/spare/, which the killed build
    was bringing up to date."""
    root = built_project(tmp_path)
    if spare:
        build_project(root)
        assert (root / ".foilog-cache" / "spare").is_dir()
    old = tree_bytes(root / "output")
    change_the_input(root)
    kill_build_at(root, moment, tmp_path)

    if moment == "after-exchange":
        new = tree_bytes(root / "output")  # the swap happened: output/ is the whole new site
        assert new != old and "letters/2020/7000001/index.html" in new
    elif moment == "between-renames":
        assert not (root / "output").exists()  # the one window of the fallback: repaired by the next build
        recover((root / "output").resolve(), ".output-")
        assert tree_bytes(root / "output") == old
    else:
        assert tree_bytes(root / "output") == old, f"output/ changed after a kill while {moment}"

    result = build_project(root)  # the next build cleans up after the killed one and publishes
    assert result.published
    fresh = make_project(tmp_path / "fresh")
    change_the_input(fresh)
    build_project(fresh, cache=False)
    assert tree_bytes(root / "output") == tree_bytes(fresh / "output"), "the next build is not the site"
    assert not [p.name for p in root.iterdir() if p.name.startswith(".output-")], "a staging folder was left"
    finished = tree_bytes(root / "output")
    assert "letters/2020/7000001/index.html" in finished
    if moment == "after-exchange":
        assert finished == new


def test_a_failed_build_leaves_no_staging_folder(tmp_path: Path) -> None:
    root = built_project(tmp_path)
    old = tree_bytes(root / "output")
    override = root / "site_src" / "theme" / "templates"
    override.mkdir(parents=True)
    (override / "letter.html").write_text("{{ no_such_thing.at_all }}", encoding="utf-8")
    change_the_input(root)
    with pytest.raises(FoilogError):
        build_project(root)
    assert tree_bytes(root / "output") == old
    assert not [p.name for p in root.iterdir() if p.name.startswith(".output-")]


def test_a_second_build_cannot_write_while_the_first_does(tmp_path: Path) -> None:
    target = tmp_path / "output"
    with Staging(target), pytest.raises(FoilogError) as caught, Staging(target):
        pass
    assert "another build" in str(caught.value)
    with Staging(target) as staging:  # the lock is released when the first is done
        staging.publish()


def test_a_new_build_recovers_a_site_set_aside_and_removes_stale_folders(tmp_path: Path) -> None:
    (tmp_path / ".output-abc123-previous").mkdir()
    (tmp_path / ".output-abc123-previous" / "index.html").write_text("old site", encoding="utf-8")
    (tmp_path / ".output-def456").mkdir()
    (tmp_path / ".output-def456" / "half.html").write_text("half", encoding="utf-8")
    publish(tmp_path / "output", [Rendered("", "new site")])
    assert (tmp_path / "output" / "index.html").read_text(encoding="utf-8") == "new site"
    assert sorted(p.name for p in tmp_path.iterdir()) == [".output.lock", "output"]


def test_publishing_without_an_atomic_exchange(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(output, "exchange", lambda first, second: False)
    publish(tmp_path / "output", [Rendered("", "one")])
    publish(tmp_path / "output", [Rendered("", "two")])
    assert (tmp_path / "output" / "index.html").read_text(encoding="utf-8") == "two"
    assert sorted(p.name for p in tmp_path.iterdir()) == [".output.lock", "output"]


@pytest.mark.parametrize("url", ["../escaped.html", "../../etc/x", "/tmp/absolute.html", "a/../../b.html"])
def test_nothing_is_written_outside_the_site(tmp_path: Path, url: str) -> None:
    with pytest.raises(FoilogError) as caught:
        publish(tmp_path / "site" / "output", [Rendered(url, "x")])
    assert "outside the site" in str(caught.value)
    assert not (tmp_path / "site" / "output").exists()
    assert not list(tmp_path.rglob("*.html"))


def test_a_symlinked_folder_in_the_staging_folder_is_not_written_through(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    with Staging(tmp_path / "site" / "output") as staging:
        (staging.path / "letters").symlink_to(outside, target_is_directory=True)
        with pytest.raises(FoilogError) as caught:
            staging.write_text("letters/2024/index.html", "x")
    assert "symlink" in str(caught.value)
    assert not list(outside.iterdir())


def test_a_file_where_the_new_site_has_a_folder_is_replaced(tmp_path: Path) -> None:
    with Staging(tmp_path / "output") as staging:
        staging.write_text("letters", "an old file")
        staging.write_text("letters/index.html", "the new page")
        staging.write_text("letters/index.html", "written twice")
        staging.publish()
    assert (tmp_path / "output" / "letters" / "index.html").read_text(encoding="utf-8") == "written twice"


def test_a_staged_file_is_rewritten_in_place_unless_another_path_shares_it(tmp_path: Path) -> None:
    live = tmp_path / "live.html"
    with Staging(tmp_path / "output") as staging:
        staging.write_text("only.html", "first")
        staging.write_text("shared.html", "first")
        os.link(staging.path / "shared.html", live)
        os.mkfifo(staging.path / "pipe.html")
        inode = (staging.path / "only.html").stat().st_ino
        staging.write_text("only.html", "second, longer")
        staging.write_text("shared.html", "second")
        staging.write_text("pipe.html", "a page")  # never waits for a reader
        assert (staging.path / "only.html").stat().st_ino == inode  # no new file made
        assert (staging.path / "only.html").read_text(encoding="utf-8") == "second, longer"
        assert (staging.path / "shared.html").read_text(encoding="utf-8") == "second"
        assert (staging.path / "pipe.html").read_text(encoding="utf-8") == "a page"
    assert live.read_text(encoding="utf-8") == "first"


def test_outputs_taken_in_parts_give_the_site_taking_them_at_once_gives(tmp_path: Path) -> None:
    """The build hands over its pages first and the search's files when they are ready: the site, what is reused
    and what is made are the same as from one call, and a path taken twice is refused across the parts."""
    def outputs(names: list[str], version: str) -> list[Output]:
        return [Output(name, digest(name, version), lambda name=name: f"{name} {version}") for name in names]

    first, second = ["a.html", "b/index.html"], ["search/data/x.json", "c.html"]  # the second part changes
    sites, results = [], []
    for root, in_parts in ((tmp_path / "whole", False), (tmp_path / "parts", True)):
        for version in ("one", "two"):
            parts = [outputs(first, "one"), outputs(second, version)]
            cache = BuildCache.open(root / ".foilog-cache")
            with Staging(root / "output", root / ".foilog-cache") as staging:
                for part in parts if in_parts else [parts[0] + parts[1]]:
                    staging.take(part, cache)
                results.append(staging.make_taken(jobs=1))
                staging.publish(cache)
            cache.save(staging.published())
        sites.append(tree_bytes(root / "output"))
    assert sites[0] == sites[1]
    assert results[0] == results[2] and results[1] == results[3]
    assert sorted(results[3].made) == ["c.html", "search/data/x.json"] and results[3].reused == 2
    with Staging(tmp_path / "again" / "output") as staging:
        staging.take(outputs(first, "one"), BuildCache.disabled())
        with pytest.raises(FoilogError, match="two files of the site would be written to a.html"):
            staging.take(outputs(["a.html"], "two"), BuildCache.disabled())


def test_source_date_epoch_stamps_every_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    root = make_project(tmp_path / "project")
    build_project(root)
    stamped = {p.stat().st_mtime for p in (root / "output").rglob("*")} | {(root / "output").stat().st_mtime}
    assert stamped == {1_700_000_000}


def test_a_malformed_source_date_epoch_stops_the_build(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = built_project(tmp_path)
    old = tree_bytes(root / "output")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "yesterday")
    with pytest.raises(FoilogError) as caught:
        build_project(root)
    assert "SOURCE_DATE_EPOCH" in str(caught.value)
    assert tree_bytes(root / "output") == old
