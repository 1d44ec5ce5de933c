"""The search benchmark: foilog's sharded lunr index and Pagefind, side by side, on generated archives.

    .venv/bin/python bench/search.py                      # 1,000 and 10,000 letters
    .venv/bin/python bench/search.py --sizes 1000 10000 100000

For each size it generates the letters (bench/corpus.py), builds the site, runs Pagefind over the same letter
pages, serves the site from 127.0.0.1 with gzip, and drives headless Chromium (Debian's /usr/bin/chromium) to
measure, for both: index build time, total index bytes, bytes transferred (gzip) before the first result of a typical
query on a cold cache, time to the first result (from opening the search page with the query in its address, and
from asking on a search page that has loaded but fetched no index file yet), and warm query latency (p50/p95).
It also times lunr.py building one unsharded index over the same documents (up to --lunr-py-max letters), for
comparison.

Up to --render-max letters (default 10,000) the site is built by foilog's own stages: render (the theme's templates)
and index. Above that, rendering every letter page with markdown-it would take most of an hour on this machine, so
the letter pages are written by a small, fast writer with the same text, headings and question anchors (see
`fast_letter_page`), and only the search page is rendered by the theme; the index stage is the same either way.
Results go to bench/results/search-<sizes>.json and are printed as a table. Timings depend on the machine's load:
say what else was running when you quote them.
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import html
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote_plus

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import corpus  # noqa: E402
from foilog.brand import BrandAssets  # noqa: E402
from foilog.browse import build_archive  # noqa: E402
from foilog.config import SiteConfig  # noqa: E402
from foilog.index import build_index  # noqa: E402
from foilog.model import OUTCOME_LABELS, Letter  # noqa: E402
from foilog.output import Staging  # noqa: E402
from foilog.related import find_related  # noqa: E402
from foilog.render import Renderer, Site, format_date  # noqa: E402
from foilog.stats import compute as compute_statistics  # noqa: E402
from foilog.stats import figures  # noqa: E402
from foilog.urls import SEARCH_DATA_URL, SEARCH_SCRIPTS, SEARCH_URL  # noqa: E402

CHROMIUM = os.environ.get("FOILOG_CHROMIUM", "/usr/bin/chromium")
TYPICAL = ["parking fines", "potholes", "agency social workers", "video conferencing", "temporary accommodation",
           "council tax arrears", "school meals", "electric vehicle charging"]
WARM = TYPICAL + ["fly-tipping", "recycling rate", "gender pay gap", "sickness absence", "taxi licensing",
                  "conservation area", "library ebooks", "covid grants", "solar panels", "councillors expenses",
                  "employment tribunal", "data breaches", "street lights", "foster carers", "homelessness",
                  "damp and mould", "procurement card", "consultancy", "air quality", "tree felling",
                  "pothole repairs 2021", "microsoft licences", "confrence", "agncy social workers", "parki",
                  "information commissioner", "the council", "may", "2022", "section 43"]
PAGEFIND_PAGE = """<!doctype html><html lang="en"><meta charset="utf-8"><title>Pagefind bench</title>
<link rel="icon" href="data:,"><ol id="results"></ol><script type="module" src="bench.js"></script></html>"""
PAGEFIND_SCRIPT = """
const pagefind = await import('../pagefind/pagefind.js')
await pagefind.options({ excerptLength: 30 })
await pagefind.init()
async function run (query) {
  const search = await pagefind.search(query)
  const data = await Promise.all(search.results.slice(0, 10).map(r => r.data()))
  const list = document.getElementById('results')
  list.textContent = ''
  for (const d of data) {
    const item = document.createElement('li')
    const link = document.createElement('a')
    link.href = d.url
    link.textContent = d.meta.title
    const excerpt = document.createElement('p')
    excerpt.innerHTML = d.excerpt
    item.append(link, excerpt)
    list.append(item)
  }
  return search.results.length
}
window.benchRun = run
const query = new URLSearchParams(location.search).get('q')
if (query) {
  window.benchCount = await run(query)
  performance.mark('bench-first-result')
}
window.benchReady = true
"""
MEASURE = """mark => {
  const at = performance.getEntriesByName(mark)[0].startTime
  return { ms: at, epoch: performance.timeOrigin + at }
}"""
# The first query on a search page that has loaded (its scripts and the manifest) but fetched no index file yet:
# the search itself, from the moment a person asks to the first result on screen.
FOILOG_FIRST = """async q => {
  const page = window.foilogSearchPage
  page.input.value = q
  const start = performance.now()
  page.update({ history: 'commit' })
  while (!performance.getEntriesByName('foilog-search-results').length) await new Promise(r => setTimeout(r, 1))
  return performance.getEntriesByName('foilog-search-results')[0].startTime - start
}"""
PAGEFIND_FIRST = """async q => {
  const start = performance.now()
  await window.benchRun(q)
  return performance.now() - start
}"""
FOILOG_WARM = """async queries => {
  const page = window.foilogSearchPage
  const times = []
  for (const pass of [0, 1]) {
    for (const q of queries) {
      page.input.value = q
      const start = performance.now()
      await page.update({ history: 'none' })
      if (pass) times.push(performance.now() - start)
    }
  }
  return { times, heap: performance.memory ? performance.memory.usedJSHeapSize : null }
}"""
PAGEFIND_WARM = """async queries => {
  const times = []
  for (const pass of [0, 1]) {
    for (const q of queries) {
      const start = performance.now()
      await window.benchRun(q)
      if (pass) times.push(performance.now() - start)
    }
  }
  return { times, heap: performance.memory ? performance.memory.usedJSHeapSize : null }
}"""


# ---------------------------------------------------------------- building

def build_site(letters: list[Letter], site: Path, render_all: bool) -> dict[str, float]:
    """Build the site into `site`; returns seconds taken by each stage."""
    timings: dict[str, float] = {}
    urls = corpus.urls(letters)
    config = SiteConfig(title="Eastwick FOI disclosure log")
    renderer = Renderer(config, [ROOT / "themes" / "plain"], "/", BrandAssets())
    started = time.perf_counter()
    archive = build_archive(letters)
    if render_all:
        statistics = compute_statistics(letters, config.working_day_limit)
        site_model = Site(letters, urls, [], archive, find_related(letters), statistics,
                          figures(statistics, archive.exemption_urls), feeds=False)
        rendered = list(renderer.render_site(site_model))
    else:
        rendered = [renderer.page("search.html", SEARCH_URL, total=len(letters), search_data=SEARCH_DATA_URL,
                                  search_scripts=SEARCH_SCRIPTS, extra=[], urls=urls, archive=archive, feeds=False)]
    timings["render"] = time.perf_counter() - started
    started, cpu = time.perf_counter(), time.process_time()
    search = build_index(letters, urls, config)
    with Staging(site) as staging:
        search.write(staging)
        timings["index"] = time.perf_counter() - started
        timings["index_cpu"] = time.process_time() - cpu
        started = time.perf_counter()
        staging.write_pages(rendered)
        staging.copy_tree(ROOT / "themes" / "plain" / "assets", "assets")
        if not render_all:
            for letter in letters:
                staging.write_text(urls[str(letter.page)] + "index.html", fast_letter_page(letter))
        staging.publish()
    timings["write_pages"] = time.perf_counter() - started
    timings["index_bytes"] = sum(search.written.values())
    timings["index_files"] = len(search.written)
    return timings


def fast_letter_page(letter: Letter) -> str:
    """A letter page with the same text, headings and question anchors as the theme's, written without markdown."""
    e = html.escape
    parts = [f"<h1>{e(letter.title)}</h1>", f"<p class=lead>{e(letter.summary)}</p>",
             f"<dl><dt>Reference</dt><dd>{e(letter.reference)}</dd><dt>Answered</dt>"
             f"<dd>{format_date(letter.responded)}</dd><dt>Outcome</dt>"
             f"<dd>{OUTCOME_LABELS[letter.outcome]}</dd></dl>", "<h2>Request</h2>"]
    parts += [f"<p>{e(b.text)}</p>" for b in letter.preamble[-1:] + letter.request]
    parts.append("<h2>Response</h2>")
    parts += [f"<p>{e(b.text)}</p>" for b in letter.response]
    for question in letter.questions:
        parts.append(f'<h3 id="{question.anchor}" class="question">{e(question.label or "")}. {e(question.text)}</h3>')
        parts += [f"<p>{e(b.text)}</p>" for b in question.answer]
    for section in letter.boilerplate:
        parts.append(f"<details class=boilerplate><summary>{e(section.title)}</summary>")
        parts += [f"<p>{e(b.text)}</p>" for b in section.blocks]
        parts.append("</details>")
    return ("<!DOCTYPE html><html lang=en-GB><head><meta charset=utf-8><title>" + e(letter.title) +
            "</title><link rel=stylesheet href=../../../assets/style.css></head><body><main id=main><article>" +
            "\n".join(parts) + "</article></main></body></html>\n")


def lunr_py_build(letters: list[Letter]) -> tuple[float, int, int]:
    """Seconds for lunr.py to build one index over the same documents (its default pipeline), and its JSON size."""
    import lunr

    from foilog.index import FIELDS, documents, field_words

    docs = documents(letters, corpus.urls(letters))
    rows = [{"id": str(d.number), **{name: " ".join(w) for (name, _), w in zip(FIELDS, field_words(d), strict=True)}}
            for d in docs]
    started = time.perf_counter()
    built = lunr.lunr(ref="id", fields=[{"field_name": name, "boost": boost} for name, boost in FIELDS],
                      documents=rows)
    seconds = time.perf_counter() - started
    serialized = json.dumps(built.serialize(), separators=(",", ":")).encode()
    return seconds, len(serialized), len(gzip.compress(serialized, 6))


def run_pagefind(site: Path, work: Path) -> dict[str, float]:
    """Pagefind over the letter pages (a copy holding only them), its bundle written into the site."""
    source = work / "pagefind-source"
    for page in (site / "letters").glob("*/*/index.html"):
        if page.parent.parent.name == "page":
            continue
        target = source / page.relative_to(site)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.link(page, target)
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "pagefind", "--site", str(source), "--output-path",
                    str(site / "pagefind"), "--quiet"], check=True)
    seconds = time.perf_counter() - started
    shutil.rmtree(source)
    (site / "pagefind-bench").mkdir()
    (site / "pagefind-bench" / "index.html").write_text(PAGEFIND_PAGE, encoding="utf-8")
    (site / "pagefind-bench" / "bench.js").write_text(PAGEFIND_SCRIPT, encoding="utf-8")
    files = [p for p in (site / "pagefind").rglob("*") if p.is_file()]
    return {"build": seconds, "bytes": sum(p.stat().st_size for p in files), "files": len(files)}


# ---------------------------------------------------------------- serving

@contextlib.contextmanager
def serve(site: Path) -> Iterator[str]:
    """Serve `site` from 127.0.0.1 with gzip, by bench/serve.js (Node: quicker than Python's http.server, which
    was itself the bottleneck on this loaded 2-core machine); it logs the bytes of every response."""
    server = subprocess.Popen(["node", str(ROOT / "bench" / "serve.js"), str(site)], stdout=subprocess.PIPE, text=True)
    try:
        assert server.stdout is not None
        port = int(server.stdout.readline())
        yield f"http://127.0.0.1:{port}/"
    finally:
        server.terminate()
        server.wait(timeout=30)


def transferred(base: str, since_ms: float, until_ms: float) -> dict[str, Any]:
    """Bytes on the wire (gzip where the server compressed) of the responses completed in a window of time."""
    with urllib.request.urlopen(f"{base}__log?since={since_ms:.0f}") as response:
        log = [e for e in json.load(response) if since_ms <= e["start"] and e["end"] <= until_ms]
    data = [e for e in log if e["path"].startswith(("/search/", "/pagefind/"))]
    return {"all": sum(e["bytes"] for e in log), "data": sum(e["bytes"] for e in data), "files": len(log),
            "paths": sorted(e["path"] for e in log)}


# ---------------------------------------------------------------- the browser

def browser_figures(base: str, timeout_ms: int) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    figures: dict[str, Any] = {"foilog": {"cold": [], "typed": []}, "pagefind": {"cold": [], "typed": []}}
    foilog_ready = "() => window.foilogSearchPage && window.foilogSearchPage.engine"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        try:
            for query in TYPICAL:
                figures["foilog"]["cold"].append(cold(browser, base + f"search/?q={quote_plus(query)}",
                                                      "foilog-search-results", query, timeout_ms, foilog=True))
                figures["pagefind"]["cold"].append(cold(browser, base + f"pagefind-bench/?q={quote_plus(query)}",
                                                        "bench-first-result", query, timeout_ms, foilog=False))
                figures["foilog"]["typed"].append(first_query(browser, base + "search/", foilog_ready, FOILOG_FIRST,
                                                              query, timeout_ms))
                figures["pagefind"]["typed"].append(first_query(browser, base + "pagefind-bench/",
                                                                "() => window.benchReady", PAGEFIND_FIRST, query,
                                                                timeout_ms))
            figures["foilog"]["warm"] = warm(browser, base + "search/", FOILOG_WARM, foilog_ready, timeout_ms)
            figures["pagefind"]["warm"] = warm(browser, base + "pagefind-bench/", PAGEFIND_WARM,
                                               "() => window.benchReady", timeout_ms)
        finally:
            browser.close()
    return figures


def cold(browser: Any, url: str, mark: str, query: str, timeout_ms: int, foilog: bool) -> dict[str, Any]:
    context = browser.new_context()
    try:
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        since = time.time() * 1000 - 5
        page.goto(url)
        page.wait_for_function(f"() => performance.getEntriesByName('{mark}').length", timeout=timeout_ms)
        measured = page.evaluate(MEASURE, mark)
        time.sleep(0.05)  # let the server log the last responses
        measured.update(transferred(url.split("search/")[0].split("pagefind-bench/")[0], since, measured["epoch"]))
        measured["query"] = query
        measured["results"] = page.evaluate("window.foilogSearchPage.timing.results" if foilog else
                                            "window.benchCount")
        measured["errors"] = errors
        return measured
    finally:
        context.close()


def first_query(browser: Any, url: str, ready: str, script: str, query: str, timeout_ms: int) -> float:
    """Milliseconds from asking to the first result, on a freshly loaded search page with an empty cache."""
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(url)
        page.wait_for_function(ready, timeout=timeout_ms)
        return float(page.evaluate(script, query))
    finally:
        context.close()


def warm(browser: Any, url: str, script: str, ready: str, timeout_ms: int) -> dict[str, Any]:
    context = browser.new_context()
    try:
        page = context.new_page()
        page.set_default_timeout(timeout_ms * 4)
        page.goto(url)
        page.wait_for_function(ready, timeout=timeout_ms)
        answer = page.evaluate(script, WARM)
        times = sorted(answer["times"])
        return {"p50": statistics.median(times), "p95": times[max(0, round(0.95 * len(times)) - 1)],
                "max": times[-1], "queries": len(times), "heap_mb": (answer["heap"] or 0) / 1e6}
    finally:
        context.close()


# ---------------------------------------------------------------- the run

def bench_size(size: int, work: Path, args: argparse.Namespace) -> dict[str, Any]:
    print(f"\n== {size:,} letters", flush=True)
    started = time.perf_counter()
    letters = corpus.letters(size, seed=1)
    print(f"generated in {time.perf_counter() - started:.1f} s", flush=True)
    site = work / f"site-{size}"
    render_all = size <= args.render_max
    built = build_site(letters, site, render_all)
    print(f"built: render {built['render']:.1f} s ({'every page' if render_all else 'search page only'}), "
          f"index {built['index']:.1f} s, pages written {built['write_pages']:.1f} s", flush=True)
    result: dict[str, Any] = {"letters": size, "rendered_by_theme": render_all, "build": built}
    if size <= args.lunr_py_max:
        seconds, raw, packed = lunr_py_build(letters)
        result["lunr_py"] = {"build": seconds, "bytes": raw, "gzip_bytes": packed}
        print(f"lunr.py one index: {seconds:.1f} s, {raw / 1e6:.1f} MB ({packed / 1e6:.1f} MB gzip)", flush=True)
    del letters
    result["pagefind"] = run_pagefind(site, work)
    print(f"pagefind: {result['pagefind']['build']:.1f} s, {result['pagefind']['bytes'] / 1e6:.1f} MB", flush=True)
    with serve(site) as base:
        result["browser"] = browser_figures(base, args.timeout * 1000)
    if not args.keep:
        shutil.rmtree(site)
    return result


def summary(results: list[dict[str, Any]]) -> str:
    rows = ["| letters | tool | index build (s) | index size (MB) | to first result: transferred (kB gzip), "
            "median / max | to first result from opening the page (ms), median / max | first query on the loaded "
            "page (ms), median / max | warm query p50 / p95 (ms) |",
            "| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for r in results:
        for tool in ("foilog", "pagefind"):
            cold_runs = r["browser"][tool]["cold"]
            kb = [c["all"] / 1000 for c in cold_runs]
            ms = [c["ms"] for c in cold_runs]
            typed = r["browser"][tool]["typed"]
            warm_run = r["browser"][tool]["warm"]
            build = r["build"]["index"] if tool == "foilog" else r["pagefind"]["build"]
            size = r["build"]["index_bytes"] if tool == "foilog" else r["pagefind"]["bytes"]
            rows.append(f"| {r['letters']:,} | {tool} | {build:.1f} | {size / 1e6:.1f} | "
                        f"{statistics.median(kb):.0f} / {max(kb):.0f} | {statistics.median(ms):.0f} / {max(ms):.0f} | "
                        f"{statistics.median(typed):.0f} / {max(typed):.0f} | "
                        f"{warm_run['p50']:.0f} / {warm_run['p95']:.0f} |")
    return "\n".join(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--render-max", type=int, default=10_000, help="render every page up to this many letters")
    parser.add_argument("--lunr-py-max", type=int, default=10_000, help="time lunr.py up to this many letters")
    parser.add_argument("--timeout", type=int, default=120, help="seconds to wait for a first result")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results")
    parser.add_argument("--work", type=Path, help="where to build the sites (default: a temporary folder)")
    parser.add_argument("--keep", action="store_true", help="keep the built sites")
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="foilog-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    load = os.getloadavg()
    results = [bench_size(size, work, args) for size in args.sizes]
    args.out.mkdir(parents=True, exist_ok=True)
    out = args.out / f"search-{'-'.join(map(str, args.sizes))}.json"
    record = {"when": time.strftime("%Y-%m-%d %H:%M"), "cores": os.cpu_count(), "load_before": load,
              "load_after": os.getloadavg(), "typical_queries": TYPICAL, "warm_queries": WARM, "results": results}
    out.write_text(json.dumps(record, indent=1), encoding="utf-8")
    print("\n" + summary(results))
    print(f"\nload average before {load[0]:.1f}, after {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; "
          f"full figures in {out.relative_to(ROOT) if out.is_relative_to(ROOT) else out}")
    if not args.work and not args.keep:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
