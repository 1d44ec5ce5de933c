#!/usr/bin/env python3
"""Benchmark: foilog against Hugo + Pagefind and MkDocs on the same generated letters, in the same run.

    .venv/bin/python bench/build.py                      # 10,000 and 30,000 letters, 3 runs each
    .venv/bin/python bench/build.py --sizes 1000 --runs 1 --tools foilog
    .venv/bin/python bench/build.py --record docs/benchmarks.md

`make bench-build` installs the tools (bench/requirements.txt) and runs it. For each size it generates the letters
(bench/letters.py, the same ones every time), then measures, each in a fresh process, wall time and peak memory
(the proportional set size of the whole process tree, summed, sampled four times a second: memory that forked
workers share with the parent is split between them, not counted in each; the summed resident size is kept too)
and CPU time, each build started once the files earlier ones wrote are on disk. The steps run in rounds, each
once a round, so that a slow spell of a shared machine falls on every tool alike. Every foilog build is the whole
build `build.py` runs: the letter pages, the browse lists in each sort order, related requests, the statistics
and charts, the search index, the Atom feeds and sitemap (the site has a full base_url, as on GitHub Pages) and
the open data:

- foilog, clean: every letter read and understood, every page in content/ written and the site built, from
  nothing (no content/, no output/);
- foilog from content/: the site built from pages already in content/ (what CI does, content/ being
  committed), with no build cache (with `--tools ...,serial`, also in one process, `--jobs 1`);
- foilog, nothing changed: the same build again, with its cache;
- foilog, one letter changed: one letter's text edited, then built again;
- Hugo, then Pagefind over Hugo's output, on the same pages (foilog's content/, front matter and markdown);
- MkDocs (its built-in search) on the same pages.

Everything is written under bench/.work/ (git-ignored). Benchmarks are noisy on a shared machine: say so next
to the figures, and repeat runs.
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import importlib.util
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import psutil

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO))

from bench.letters import write_letters  # noqa: E402

WORK = HERE / ".work"
# What the harness removes goes here and is deleted after the measurements. Deleting tens of thousands of files
# just before a build slows every file that build makes (ext4 without a journal, as on the machines measured,
# passes over each recently deleted inode while looking for a free one), which would measure the harness, not
# the tools.
TRASH = WORK / "trash"
# Each sample of a process's PSS walks its page tables while holding its memory map's lock, slowing it: sampled
# every 50 ms, a 10,000-letter build took 18% longer. Four times a second keeps that small; memory grows and
# shrinks over whole stages, seconds long, so the peak is still seen.
SAMPLE_SECONDS = 0.25
SETTLE_SECONDS = 2.0
SITE_TOML = """title = "Eastwick FOI disclosure log"
description = "Freedom of Information responses from the London Borough of Eastwick."
authority = "London Borough of Eastwick"
base_url = "https://example.org/foi/"
"""
MARKERS = ("<!-- bench:results:start -->", "<!-- bench:results:end -->")


@dataclass
class Measurement:
    seconds: float
    peak_mb: float  # the process tree's proportional set size (shared pages split between their sharers)
    code: int
    rss_mb: float = 0.0  # the process tree's resident memory, summed (counts shared pages in every process)
    cpu_seconds: float = 0.0  # user + system time of the process and every process it waited for


@dataclass
class Result:
    size: int
    step: str
    runs: list[Measurement] = field(default_factory=list)

    @property
    def seconds(self) -> float:
        return statistics.median(m.seconds for m in self.runs)

    @property
    def peak_mb(self) -> float:
        return max(m.peak_mb for m in self.runs)


# ---------------------------------------------------------------- measuring


def settle() -> None:
    """Write what earlier builds left in the page cache to disk first: the kernel's writeback of the last
    build's files (hundreds of MB) would otherwise take the next build's CPU time and disk."""
    os.sync()
    time.sleep(SETTLE_SECONDS)


def measure(command: list[str], cwd: Path, env: dict[str, str] | None = None) -> Measurement:
    """Run a command; its wall time and the peak of its process tree's summed resident memory."""
    settle()
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, env={**os.environ, **(env or {})}, stdin=subprocess.DEVNULL,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = peak_rss = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak, peak_rss
        try:
            root = psutil.Process(process.pid)
        except psutil.NoSuchProcess:
            return
        while not done.is_set():
            pss = rss = 0
            try:
                for proc in [root, *root.children(recursive=True)]:
                    try:
                        memory = proc.memory_full_info()
                    except (psutil.NoSuchProcess, psutil.AccessDenied):
                        continue
                    pss += getattr(memory, "pss", memory.rss)
                    rss += memory.rss
            except psutil.NoSuchProcess:
                return
            peak, peak_rss = max(peak, pss), max(peak_rss, rss)
            done.wait(SAMPLE_SECONDS)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    assert process.stderr is not None
    errors = process.stderr.read()
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    done.set()
    sampler.join()
    if process.returncode != 0:
        print(f"  ! {' '.join(command[:3])} … exited {process.returncode}:\n{errors.decode(errors='replace')[-2000:]}",
              file=sys.stderr)
    largest = usage.ru_maxrss * 1024  # the largest single process, as the kernel saw it
    return Measurement(round(seconds, 2), round(max(peak, largest if peak == 0 else 0) / 2**20, 1),
                       process.returncode, round(max(peak_rss, largest) / 2**20, 1),
                       round(usage.ru_utime + usage.ru_stime, 2))


def check_built(step: str, site: Path, *expected: str) -> None:
    """Stop when a build did not make the site: its figures would measure something else."""
    missing = [name for name in expected if not (site / name).exists()]
    if missing:
        raise SystemExit(f"{step}: the build did not write {', '.join(missing)} in {site}")


def check_foilog_site(project: Path, size: int) -> None:
    output = project / "output"
    check_built("foilog", output, "index.html", "search/data/manifest.json", "feed.xml", "sitemap.xml",
                "statistics/index.html", "data/letters.csv", "assets/lunr.min.js")
    pages = sum(1 for p in (output / "letters").glob("*/*/index.html") if p.parent.parent.name != "page")
    if pages != size:
        raise SystemExit(f"foilog published {pages} letter pages, not {size}: see what it reports with "
                         f"`python build.py --root {project}`")


def binary(package: str, *parts: str) -> str:
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit(f"{package} is not installed: run `make bench-build` (it installs bench/requirements.txt)")
    return str(Path(next(iter(spec.submodule_search_locations)), *parts))


# ---------------------------------------------------------------- the projects


def corpus(size: int) -> Path:
    """The generated letters for `size`, made once and kept."""
    folder = WORK / f"letters-{size}"
    stamp = folder / ".complete"
    if not stamp.exists():
        shutil.rmtree(folder, ignore_errors=True)
        print(f"generating {size:,} letters …", file=sys.stderr)
        write_letters(folder, size)
        stamp.write_text(str(size), encoding="utf-8")
    return folder


def foilog_project(size: int) -> Path:
    project = WORK / f"foilog-{size}"
    set_aside(project)
    (project / "site_src").mkdir(parents=True)
    shutil.copytree(corpus(size), project / "site_src" / "letters", ignore=shutil.ignore_patterns(".complete"))
    (project / "site_src" / "site.toml").write_text(SITE_TOML, encoding="utf-8")
    shutil.copytree(REPO / "themes", project / "themes")
    return project


def reset(project: Path, *names: str) -> None:
    for name in names:
        set_aside(project / name)


def set_aside(target: Path) -> None:
    """Move a file or folder into the trash, to be deleted once the measurements are done."""
    if target.exists() or target.is_symlink():
        TRASH.mkdir(parents=True, exist_ok=True)
        os.replace(target, Path(tempfile.mkdtemp(dir=TRASH)) / target.name)


def empty_trash() -> None:
    shutil.rmtree(TRASH, ignore_errors=True)


def touch_one_letter(project: Path) -> None:
    letters = sorted((project / "site_src" / "letters").rglob("*.txt"))
    letter = letters[len(letters) // 2]
    text = letter.read_text(encoding="utf-8")
    letter.write_text(text.replace("\n\nYour rights\n", "\n\nA further note was added on review.\n\nYour rights\n", 1),
                      encoding="utf-8")


HUGO_CONFIG = """baseURL = "https://example.org/foi/"
title = "Eastwick FOI disclosure log"
languageCode = "en-GB"
disableKinds = ["taxonomy", "term", "RSS", "sitemap", "robotsTXT"]
[pagination]
  pagerSize = 20
[markup.goldmark.parser.attribute]
  block = true
"""
HUGO_LAYOUTS = {
    "baseof.html": """<!DOCTYPE html>
<html lang="en-GB">
<head><meta charset="utf-8"><title>{{ .Title }} – {{ site.Title }}</title>
<link rel="stylesheet" href="{{ "style.css" | relURL }}"></head>
<body><header><a href="{{ "" | relURL }}">{{ site.Title }}</a>
<nav><a href="{{ "letters/" | relURL }}">All responses</a></nav></header>
<main>{{ block "main" . }}{{ end }}</main>
<footer><p>Freedom of Information responses from the London Borough of Eastwick.</p></footer>
</body></html>
""",
    "single.html": """{{ define "main" }}<article data-pagefind-body><h1>{{ .Title }}</h1>
<p>{{ .Params.summary }}</p>
<dl><dt>Reference</dt><dd>{{ .Params.reference }}</dd><dt>Authority</dt><dd>{{ .Params.authority }}</dd>
<dt>Received</dt><dd>{{ .Params.received }}</dd><dt>Answered</dt><dd>{{ .Params.responded }}</dd>
<dt>Working days</dt><dd>{{ .Params.working_days }}</dd><dt>Outcome</dt><dd>{{ .Params.outcome }}</dd>
<dt>Exemptions</dt><dd>{{ delimit .Params.exemptions ", " }}</dd></dl>
<ol>{{ range .Params.questions }}<li><a href="#{{ .id }}">{{ .text }}</a></li>{{ end }}</ol>
{{ .Content }}</article>{{ end }}
""",
    "list.html": """{{ define "main" }}<h1>All responses</h1>
{{ $pages := (where site.RegularPages "Section" "letters").ByParam "responded" }}
{{ $pager := .Paginate $pages.Reverse }}
<ol>{{ range $pager.Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a>
<p>Ref {{ .Params.reference }} – answered {{ .Params.responded }} – {{ .Params.outcome }}</p>
<p>{{ .Params.summary }}</p></li>{{ end }}</ol>
{{ partial "pagination.html" . }}{{ end }}
""",
    "home.html": """{{ define "main" }}<h1>{{ site.Title }}</h1>
{{ $pages := (where site.RegularPages "Section" "letters").ByParam "responded" }}
<ol>{{ range first 10 $pages.Reverse }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a>
<p>{{ .Params.summary }}</p></li>{{ end }}</ol>{{ end }}
""",
}


def hugo_project(size: int, content: Path) -> Path:
    project = WORK / f"hugo-{size}"
    set_aside(project)
    (project / "layouts" / "_default").mkdir(parents=True)
    (project / "hugo.toml").write_text(HUGO_CONFIG, encoding="utf-8")
    for name, text in HUGO_LAYOUTS.items():
        (project / "layouts" / ("_default" if name != "home.html" else "") / name).write_text(text, encoding="utf-8")
    (project / "static").mkdir()
    shutil.copy(REPO / "themes" / "plain" / "assets" / "style.css", project / "static" / "style.css")
    shutil.copytree(content / "letters", project / "content" / "letters")
    (project / "content" / "letters" / "_index.md").write_text("---\ntitle: All responses\n---\n", encoding="utf-8")
    return project


def mkdocs_project(size: int, content: Path) -> Path:
    project = WORK / f"mkdocs-{size}"
    set_aside(project)
    shutil.copytree(content / "letters", project / "docs" / "letters")
    (project / "docs" / "index.md").write_text("# Eastwick FOI disclosure log\n\nFreedom of Information "
                                               "responses from the London Borough of Eastwick.\n", encoding="utf-8")
    (project / "mkdocs.yml").write_text(
        "site_name: Eastwick FOI disclosure log\nsite_url: https://example.org/foi/\ntheme: mkdocs\n"
        "plugins:\n  - search\nnav:\n  - Home: index.md\n"
        "validation:\n  omitted_files: ignore\n  absolute_links: ignore\n  unrecognized_links: ignore\n"
        "  anchors: ignore\n", encoding="utf-8")
    return project


# ---------------------------------------------------------------- the run


def bench_size(size: int, runs: int, tools: set[str], results: list[Result]) -> None:
    """Each step measured `runs` times, in rounds: every step once per round, so that a slow spell of a shared
    machine (its speed moves by tens of per cent over minutes) falls on every tool alike, not on one."""
    python = sys.executable
    project = foilog_project(size)
    build = [python, str(REPO / "build.py"), "--root", str(project), "--quiet"]
    steps: dict[str, Result] = {}

    def run(step: str, command: list[str], cwd: Path, before: Callable[[], None] | None = None) -> Result:
        if step not in steps:
            steps[step] = Result(size, step)
            results.append(steps[step])
        result = steps[step]
        if before is not None:
            before()
        result.runs.append(measure(command, cwd))
        last = result.runs[-1]
        print(f"{size:>6,} {step:<32} run {len(result.runs)}: {last.seconds:7.2f} s {last.peak_mb:8.1f} MB "
              f"(RSS {last.rss_mb:.1f} MB, CPU {last.cpu_seconds:.1f} s)", file=sys.stderr)
        return result

    hugo_site = mkdocs_site = None
    for number in range(runs):
        if "foilog" in tools:
            run("foilog clean", build, REPO, lambda: reset(project, "content", "output", ".foilog-cache"))
            check_foilog_site(project, size)
            run("foilog from content/", build, REPO, lambda: reset(project, "output", ".foilog-cache"))
            if "serial" in tools:
                run("foilog from content/, 1 process", [*build, "--jobs", "1"], REPO,
                    lambda: reset(project, "output", ".foilog-cache"))
            run("foilog nothing changed", build, REPO)
            run("foilog one letter changed", build, REPO, lambda: touch_one_letter(project))
        elif number == 0:
            measure(build, REPO)  # the pages the other tools build from
        check_foilog_site(project, size)
        if number == 0:  # the other tools' projects, made once from foilog's pages
            hugo_site = hugo_project(size, project / "content") if "hugo" in tools else None
            mkdocs_site = mkdocs_project(size, project / "content") if "mkdocs" in tools else None
        if hugo_site is not None:
            run("hugo", [binary("hugo", "binaries", "hugo"), "--quiet", "--destination", "public"], hugo_site,
                functools.partial(reset, hugo_site, "public", "resources"))
            run("pagefind (over hugo's site)", [binary("pagefind_bin", "pagefind"), "--site", "public", "--silent"],
                hugo_site, functools.partial(reset, hugo_site, "public/pagefind"))
            check_built("hugo + pagefind", hugo_site / "public", "index.html", "letters/index.html",
                        "pagefind/pagefind.js")
        if mkdocs_site is not None:
            run("mkdocs (with search)", [python, "-m", "mkdocs", "build", "--quiet", "--clean"], mkdocs_site)
            check_built("mkdocs", mkdocs_site / "site", "index.html", "search/search_index.json")
    if hugo_site is not None:
        hugo, pagefind = steps["hugo"], steps["pagefind (over hugo's site)"]
        both = Result(size, "hugo + pagefind", [
            Measurement(round(h.seconds + p.seconds, 2), max(h.peak_mb, p.peak_mb), h.code or p.code,
                        max(h.rss_mb, p.rss_mb), round(h.cpu_seconds + p.cpu_seconds, 2))
            for h, p in zip(hugo.runs, pagefind.runs, strict=True)])
        results.insert(results.index(pagefind) + 1, both)


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = psutil.virtual_memory().total / 2**30
    return (f"{os.cpu_count()} cores ({cpu}), {memory:.0f} GiB memory, {platform.system()} {platform.release()}, "
            f"Python {platform.python_version()}")


def table(results: list[Result]) -> str:
    lines = ["| letters | build | time (median) | each run (s) | CPU time (median) | peak memory (PSS) "
             "| peak RSS, summed |",
             "| ---: | --- | ---: | --- | ---: | ---: | ---: |"]
    for r in results:
        each = ", ".join(f"{m.seconds:.1f}" for m in r.runs)
        failed = " (failed)" if any(m.code for m in r.runs) else ""
        rss = max(m.rss_mb for m in r.runs)
        cpu = statistics.median(m.cpu_seconds for m in r.runs)
        lines.append(f"| {r.size:,} | {r.step}{failed} | {r.seconds:.1f} s | {each} | {cpu:.1f} s "
                     f"| {r.peak_mb:,.0f} MB | {rss:,.0f} MB |")
    return "\n".join(lines)


def record(path: Path, text: str, markers: tuple[str, str] = MARKERS) -> None:
    start, end = markers
    old = path.read_text(encoding="utf-8") if path.exists() else f"# Benchmarks\n\n{start}\n{end}\n"
    if start not in old:
        old += f"\n{start}\n{end}\n"
    before, rest = old.split(start, 1)
    after = rest.split(end, 1)[1]
    path.write_text(f"{before}{start}\n{text}\n{end}{after}", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 30_000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--tools", default="foilog,hugo,mkdocs", help="comma-separated: foilog, hugo, mkdocs, and "
                        "serial (foilog from content/ in one process too, to measure what the second core gives)")
    parser.add_argument("--record", type=Path, metavar="MARKDOWN", help="write the results into this file, "
                        f"between the lines {MARKERS[0]} and {MARKERS[1]}")
    args = parser.parse_args()
    tools = set(args.tools.split(","))
    WORK.mkdir(exist_ok=True)
    results: list[Result] = []
    # what was measured, taken when the run starts (the checkout may change before the results are written)
    started, commit, load = dt.datetime.now(), _commit(), os.getloadavg()
    try:
        for size in args.sizes:
            bench_size(size, args.runs, tools, results)
        load_after = os.getloadavg()  # (before the trash is emptied, which is work of the script's own)
    finally:
        empty_trash()
    now = _commit()
    if now != commit:
        commit += f" (the checkout was {now} when the results were written)"
    text = (f"Run on {started:%Y-%m-%d %H:%M} with `bench/build.py --sizes {' '.join(map(str, args.sizes))} "
            f"--runs {args.runs}`, foilog at commit {commit}.\nMachine: {machine()}. Load average before the run: "
            f"{load[0]:.2f}, after: {load_after[0]:.2f}.\n\n{table(results)}")
    print(text)
    (WORK / "results.json").write_text(json.dumps([asdict(r) for r in results], indent=2), encoding="utf-8")
    if args.record:
        record(args.record, text)


def _commit() -> str:
    done = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True)
    dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=REPO, capture_output=True,
                           text=True).stdout.strip()
    return done.stdout.strip() + (" (with uncommitted changes)" if dirty else "")


if __name__ == "__main__":
    main()
