"""Hostile letters in a real browser: nothing a letter (or a hand-edited page) says ever runs.

The fixtures in tests/fixtures/hostile/ put script tags, event-handler attributes, `javascript:` and `data:`
links (in markdown and in HTML), closing tags meant to break out of attributes, `<title>`, `<textarea>` and
`<script>`, and Unicode direction overrides into every part of a letter the site shows. Every payload would set
`window.__pwned` if it ran. The site is built, served, and every page is loaded in headless Chromium; when the
built site has a search page (`search/index.html`), every payload is also typed into its search box.

Direction overrides (U+202A-U+202E, U+2066-U+2069) are removed, not wrapped: when a letter is read (with a
warning naming the file and line) and from every value a template prints (a hand-edited page can hold them too).
"""

from __future__ import annotations

import re
import shutil
import urllib.parse
from collections.abc import Iterator
from html.parser import HTMLParser
from typing import Any

import pytest

from foilog.read import BIDI_CONTROLS

from .browser import ARTIFACTS, SUBPATH, Server, open_tab, serve
from .helpers import FIXTURES, REPO, THEME_NAMES, THEMES, BuiltSite, build_project

pytestmark = pytest.mark.browser

HOSTILE = FIXTURES / "hostile"
# A file name is text a letter brings too; made here, not committed, as some systems cannot check it out.
HOSTILE_FILE_NAME = "\"><svg onload=window.__pwned=90>'.txt"
# The tags foilog's markdown writes (folded sections too); with those in a theme's templates, they are all
# a page may hold: any other came from a letter.
_MARKDOWN_TAGS = """p h1 h2 h3 h4 h5 h6 ul ol li a strong em code pre blockquote hr br table thead tbody tr th td s
    div details summary"""


# data- attributes the themes' templates set (search.html's hooks for search.js) and one search.js sets itself
THEME_DATA_ATTRIBUTES = {name for p in THEMES.glob("*/templates/*.html")
                         for name in re.findall(r"\b(data-[a-z-]+)=", p.read_text(encoding="utf-8"))} | {"data-value"}
OWN_SCRIPTS = {"../assets/lunr.min.js", "../assets/search.js"}  # the search page's, from the site's own assets


def theme_tags(theme: str) -> set[str]:
    templates = "".join(p.read_text(encoding="utf-8") for p in sorted((THEMES / theme / "templates").glob("*.html")))
    # the statistics page's charts are SVG that foilog/charts.py writes: its tags are foilog's too
    charts = (REPO / "foilog" / "charts.py").read_text(encoding="utf-8")
    return (set(re.findall(r"<([a-z][a-z0-9]*)\b", templates + charts, re.I)) | set(_MARKDOWN_TAGS.split())
            | {"html"})

PAYLOADS = sorted(set(re.findall(
    r"<script>window\.__pwned=\d+</script>|<img src=x onerror=\"?window\.__pwned=\d+\"?>|javascript:window\.__pwned=\d+"
    r"|<svg onload=window\.__pwned=\d+>|</textarea><script>window\.__pwned=\d+</script>",
    "\n".join(p.read_text(encoding="utf-8") for p in sorted(HOSTILE.rglob("*.*"))))))

# Everything on the page that could run code or leave the page, as "TAG attribute=value" strings.
DANGERS = r"""ownData => {
  const unsafe = v => /^(javascript|data|vbscript):/i.test(v.replace(/[\u0000-\u0020\u007f-\u00a0]/g, ''));
  const urlAttributes = ['href', 'src', 'action', 'formaction', 'data', 'xlink:href', 'poster', 'background',
                         'srcset', 'ping', 'cite', 'manifest', 'codebase'];
  const found = [];
  for (const el of document.querySelectorAll('*')) {
    for (const a of el.attributes) {
      // a chart's marks carry their figures as data-series, data-label and data-value (escaped, like any text)
      const figure = el.closest('svg.chart-svg') && ['data-series', 'data-label', 'data-value'].includes(a.name);
      const own = ownData.includes(a.name) && !el.closest('article')  // the theme's, outside the letter's text
      if (a.name.startsWith('on') || a.name === 'style' || (a.name.startsWith('data-') && !figure && !own))
        found.push(`${el.tagName} ${a.name}=${a.value}`);
      if (a.name === 'srcdoc' || (urlAttributes.includes(a.name) && unsafe(a.value)))
        found.push(`${el.tagName} ${a.name}=${a.value}`);
    }
  }
  const active = 'iframe, frame, object, embed, applet, base, meta[http-equiv="refresh" i], style, svg script, '
               + 'foreignObject';
  for (const el of document.querySelectorAll(active)) found.push(`${el.tagName} element`);
  for (const script of document.scripts) {
    const src = script.getAttribute('src') || '';
    if (!src || /^[a-z]+:/i.test(src) || !new URL(script.src).pathname.includes('/assets/'))
      found.push(`SCRIPT src=${src || '(inline) ' + script.textContent.slice(0, 60)}`);
  }
  for (const form of document.forms) {
    if (/^[a-z]+:/i.test(form.getAttribute('action') || '')) found.push(`FORM action=${form.getAttribute('action')}`);
  }
  return found;
}"""


@pytest.fixture(scope="module", params=THEME_NAMES)
def hostile_site(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> BuiltSite:
    """The hostile letters and page, built in each theme."""
    root = tmp_path_factory.mktemp(f"hostile-{request.param}") / "project"
    shutil.copytree(HOSTILE / "letters", root / "site_src" / "letters")
    (root / "site_src" / "letters" / HOSTILE_FILE_NAME).write_text(
        "Our ref: <script>window.__pwned=91</script>\n\nA letter whose file name attacks.\n", encoding="utf-8")
    (root / "content" / "letters" / "2024").mkdir(parents=True)
    shutil.copy(HOSTILE / "pages" / "hand_written_hostile.md", root / "content" / "letters" / "2024")
    shutil.copytree(THEMES, root / "themes")
    # base_url is where `served` puts the site, so that the 404 page's links (from base_url's path) work there
    result = build_project(root, theme=request.param, base_url=f"/{SUBPATH}/")
    assert result.published
    return BuiltSite(root, result, theme=request.param)


@pytest.fixture(scope="module")
def served(hostile_site: BuiltSite, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with serve(hostile_site.output, tmp_path_factory.mktemp("served-hostile")) as running:
        yield running


def _visit(tab: Any, url: str, dialogs: list[str]) -> None:
    tab.open(url)
    _check(tab, dialogs)


def _check(tab: Any, dialogs: list[str]) -> None:
    tab.page.wait_for_timeout(150)  # let image errors and load events fire, if anything listens for them
    where = tab.page.url
    # the reader drops markdown emphasis debris such as "__", so a payload from a letter would set window.pwned
    assert tab.page.evaluate("[typeof window.__pwned, typeof window.pwned]") == ["undefined"] * 2, \
        f"{where}: a payload ran"
    assert not dialogs, f"{where}: a dialog opened: {dialogs}"
    dangers = tab.page.evaluate(DANGERS, sorted(THEME_DATA_ATTRIBUTES))
    assert not dangers, f"{where}: letter text became active markup:\n" + "\n".join(dangers)
    text = tab.page.evaluate("document.title + document.body.innerText")
    assert not BIDI_CONTROLS.search(text), f"{where}: a direction override reached the page"


def _record_dialogs(tab: Any) -> list[str]:
    dialogs: list[str] = []
    tab.page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    return dialogs


def test_the_hostile_fixtures_hold_every_kind_of_payload() -> None:
    kinds = "\n".join(PAYLOADS)
    for kind in ("<script>", "onerror=", "<svg onload", "javascript:", "</textarea>"):
        assert kind in kinds
    text = "\n".join(p.read_text(encoding="utf-8") for p in sorted(HOSTILE.rglob("*.*")))
    for kind in ("data:text/html", "](javascript:", "<a href=\"javascript:", "</title>", "</script>", "srcdoc",
                 "{onclick=", "\u202e", "\u2066"):
        assert kind in text, kind


def test_the_build_warns_about_direction_overrides(hostile_site: BuiltSite) -> None:
    warnings = [p for p in hostile_site.result.report.warnings if "direction overrides" in p.message]
    assert [(p.file, p.line) for p in warnings] == [("letters/bidi_overrides.txt", 4)]


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))


def test_no_page_holds_a_direction_override_or_a_tag_from_a_letter(hostile_site: BuiltSite) -> None:
    pages = hostile_site.html_files()
    assert len(pages) >= 6
    allowed = theme_tags(hostile_site.theme) - {"script"}
    assert "iframe" not in allowed
    for html in pages:
        source = html.read_text(encoding="utf-8")
        assert not BIDI_CONTROLS.search(source), html
        parser = _Tags()
        parser.feed(source)
        for tag, attrs in parser.tags:
            if tag == "script" and dict(attrs).get("src") in OWN_SCRIPTS and html.parent.name == "search":
                continue
            assert tag in allowed, f"{html}: <{tag}> came from a letter"
            for name, value in attrs:
                assert not name.startswith("on"), f"{html}: <{tag} {name}>"
                if name in CHART_FIGURES:  # a chart mark's label or value: text, which no browser follows or runs
                    continue
                assert not re.match(r"\s*(javascript|data|vbscript):", value or "", re.I), f"{html}: {name}={value}"


CHART_FIGURES = ("data-series", "data-label", "data-value")
CSP = re.compile(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">')


def test_every_page_carries_a_policy_that_forbids_inline_script(hostile_site: BuiltSite,
                                                                 example_site: BuiltSite) -> None:
    for html in hostile_site.html_files() + example_site.html_files():
        head = html.read_text(encoding="utf-8").split("</head>")[0]
        policies = CSP.findall(head)
        assert len(policies) == 1, f"{html}: {len(policies)} Content-Security-Policy meta tags"
        directives = dict((d.split() + [""])[:2] for d in policies[0].split(";") if d.strip())
        assert directives.get("default-src") == "'none'", html
        script = next(d.strip() for d in policies[0].split(";") if d.strip().startswith("script-src"))
        assert script == "script-src 'self'", f"{html}: {script} (no inline script, no eval, no other origin)"
        if "<script" in head:
            assert head.index("Content-Security-Policy") < head.index("<script"), f"{html}: policy after a script"


def test_payloads_are_shown_as_text_not_dropped(hostile_site: BuiltSite) -> None:
    letter = next(p for p in hostile_site.html_files() if "1234" in p.parent.name)
    text = letter.read_text(encoding="utf-8")
    assert "&lt;script&gt;window.pwned=4&lt;/script&gt;" in text  # the reader drops "__" as emphasis debris
    assert "&lt;a href=&quot;javascript:window.pwned=10&quot;&gt;here&lt;/a&gt;" in text
    page = next(p for p in hostile_site.html_files() if p.parent.name == "hand-written-hostile")
    assert "fdp.exe" in page.read_text(encoding="utf-8")


def test_nothing_runs_on_any_page_or_in_search_results(browser: Any, served: Server,
                                                      hostile_site: BuiltSite) -> None:
    for tab in open_tab(browser, 1280, 900):
        dialogs = _record_dialogs(tab)
        for html in hostile_site.html_files():
            _visit(tab, served.url(served.site / html.relative_to(hostile_site.output)), dialogs)
        if (hostile_site.output / "search" / "index.html").is_file():  # search comes with another change
            _search_every_payload(tab, served.base, dialogs)
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        tab.open(served.base + "letters/2024/svg-onload-window-pwned-3-1234/")
        tab.page.screenshot(path=str(ARTIFACTS / f"hostile-letter-{hostile_site.theme}-1280.png"), full_page=True)
        tab.assert_clean()


SEARCH_SETTLED = ("() => !window.foilogSearchPage"
                  " || window.foilogSearchPage.settled === window.foilogSearchPage.generation")


def _search_every_payload(tab: Any, served: str, dialogs: list[str]) -> None:
    """Type each payload (and words that find the hostile letters) into the search box; check the results."""
    for query in ["pwned", "script", "window", *PAYLOADS]:
        _visit(tab, served + "search/", dialogs)
        box = tab.page.locator("input[type=search], input[name=q]").first
        box.fill(query)
        box.press("Enter")
        tab.page.wait_for_load_state("load")
        tab.page.wait_for_function(SEARCH_SETTLED)  # as a person would, wait for the results (and their requests)
        _check(tab, dialogs)
        tab.open(served + "search/?q=" + urllib.parse.quote(query))
        tab.page.wait_for_function(SEARCH_SETTLED)
        _check(tab, dialogs)


def test_no_search_file_holds_a_direction_override(hostile_site: BuiltSite) -> None:
    records = sorted((hostile_site.output / "search" / "data").rglob("*.json"))
    assert any("\u202e".encode() in page.read_bytes()
               for page in (hostile_site.output.parent / "content").rglob("*.md")), "the fixture has an override"
    for record in records:
        assert not BIDI_CONTROLS.search(record.read_text(encoding="utf-8")), record
