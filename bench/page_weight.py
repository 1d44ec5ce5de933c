"""Page weight: what a reader downloads for a letter page, gzipped, in each theme.

Builds the example site in each theme, serves it on 127.0.0.1, loads pages in headless Debian Chromium and
records every response the page needed (the HTML and each stylesheet, script, font and image it loaded). Each body
is gzipped at level 6, as a web server would send it. The budget is 100 kB for a letter page with everything
it loads. For comparison it also weighs the letter page as it would be with GOV.UK Frontend's precompiled CSS and
JavaScript (the alternative to compiling only the parts the theme uses).

    .venv/bin/python bench/page_weight.py            # or: make bench
"""

from __future__ import annotations

import functools
import gzip
import shutil
import statistics
import sys
import tempfile
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from foilog import __version__  # noqa: E402
from foilog.build import Options, Paths, build  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
BUDGET = 100_000
THEMES = ("govuk", "plain")
DIST = REPO / "node_modules" / "govuk-frontend" / "dist" / "govuk"


class Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass


def gz(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=6, mtime=0))


def build_example(theme: str, workdir: Path) -> Path:
    root = workdir / theme
    shutil.copytree(REPO / "site_src", root / "site_src")
    shutil.copytree(REPO / "themes", root / "themes")
    build(Paths.under(root), Options(theme=theme, progress=False))
    return root / "output"


def weigh(page: Any, url: str) -> dict[str, tuple[int, int]]:
    """Every response a page needed: URL -> (raw bytes, gzipped bytes)."""
    bodies: dict[str, bytes] = {}
    page.on("response", lambda response: bodies.__setitem__(response.url, response.body()))
    page.goto(url, wait_until="networkidle")
    return {name: (len(body), gz(body)) for name, body in bodies.items()}


def measure(theme: str, output: Path, browser: Any) -> dict[str, Any]:
    served = output.parent / "served"
    shutil.copytree(output, served / "foi")
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(served)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{httpd.server_address[1]}/foi/"
    try:
        letters = sorted(p.parent.relative_to(output).as_posix() + "/"
                         for p in (output / "letters").glob("*/*/index.html") if p.parent.parent.name != "page")
        results = {}
        for path in ["", "letters/", *letters]:
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            page = context.new_page()
            results[path] = weigh(page, base + path)
            context.close()
    finally:
        httpd.shutdown()
        httpd.server_close()
    totals = {path: sum(g for _, g in parts.values()) for path, parts in results.items()}
    heaviest = max(letters, key=lambda p: totals[p])
    return {"theme": theme, "letters": letters, "totals": totals, "heaviest": heaviest,
            "parts": results[heaviest], "base": base}


def dist_alternative(html_gz: int) -> int | None:
    """The heaviest letter page's HTML with GOV.UK Frontend's precompiled CSS, JavaScript and the two woff2 fonts
    that CSS loads (GDS Transport, which only GOV.UK may use) instead."""
    css, js = DIST / "govuk-frontend.min.css", DIST / "govuk-frontend.min.js"
    if not css.is_file():
        return None
    fonts = sum(p.stat().st_size for p in (DIST / "assets" / "fonts").glob("*.woff2"))  # already compressed
    return html_gz + gz(css.read_bytes()) + gz(js.read_bytes()) + fonts


def kb(size: int) -> str:
    return f"{size / 1000:.1f} kB"


def main() -> int:
    from playwright.sync_api import sync_playwright

    over = False
    rows = []
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                             args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                                                   "--disable-component-update", "--disable-sync", "--no-first-run"])
        for theme in THEMES:
            result = measure(theme, build_example(theme, Path(tmp)), browser)
            totals, heaviest = result["totals"], result["heaviest"]
            letter_totals = [totals[p] for p in result["letters"]]
            print(f"\n{theme}: heaviest letter page {heaviest} ({kb(totals[heaviest])} gzipped, everything it loads)")
            for url, (raw, packed) in sorted(result["parts"].items()):
                print(f"  {url.removeprefix(result['base']) or '(home)':40} {kb(raw):>10} raw {kb(packed):>10} gzip")
            html_gz = result["parts"][result["base"] + heaviest][1]
            rows.append((theme, kb(totals[""]), kb(totals["letters/"]), kb(int(statistics.median(letter_totals))),
                         kb(totals[heaviest]), len(result["parts"]), dist_alternative(html_gz) if theme == "govuk"
                         else None))
            over = over or totals[heaviest] > BUDGET
        browser.close()
    print(f"\nfoilog {__version__}, example site, gzip level 6; budget for a letter page: {kb(BUDGET)}\n")
    print("| theme | home | list | letter (median) | letter (heaviest) | files a letter loads |")
    print("| --- | --- | --- | --- | --- | --- |")
    for theme, home, listing, median, heaviest, files, _ in rows:
        print(f"| {theme} | {home} | {listing} | {median} | {heaviest} | {files} |")
    for theme, *_, alternative in rows:
        if alternative:
            print(f"\nThe heaviest letter page with GOV.UK Frontend's precompiled govuk-frontend.min.css, "
                  f"govuk-frontend.min.js and its two woff2 fonts instead of the theme's compiled CSS: "
                  f"{kb(alternative)} ({theme}).")
    if over:
        print(f"\nOVER BUDGET: a letter page weighs more than {kb(BUDGET)}", file=sys.stderr)
    return 1 if over else 0


if __name__ == "__main__":
    raise SystemExit(main())
