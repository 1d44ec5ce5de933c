"""Accessibility of every page in every theme: axe-core and the Nu Html Checker, screenshots, print, display modes.

The pages checked are those of a "showcase" build of the example site in each theme: the example letters and
pages, with a logo and two letters a page so that pagination appears too. axe-core (npm) is injected into Debian's
Chromium with Playwright; the Nu Html Checker (npm vnu-jar) runs once, on Java, over every page of both themes.
Screenshots of each page type at phone and desktop widths go to tests/artifacts/<theme>/ (git-ignored).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .browser import ARTIFACTS, SUBPATH, Server, Tab, open_tab, serve, unavailable
from .helpers import REPO, THEME_NAMES, THEMES, BuiltSite, build_project, make_project

pytestmark = pytest.mark.browser

AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"
VNU = REPO / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
PHONE, SMALLEST, DESKTOP = 375, 320, 1280

# One page of each type, by the template that renders it: the screenshots and the narrow-screen checks use these.
PAGE_TYPES = {
    "home.html": "",
    "listing.html": "letters/page/2/",
    "browse.html": "browse/",
    "letter.html": "letters/2020/6370952/",
    "statistics.html": "statistics/",
    "data.html": "data/",
    "page.html": "about/",
    "404.html": "404.html",
    "search.html": "search/?q=councillor+meetings&outcome=successful",
}
LETTER = PAGE_TYPES["letter.html"]

# A white logo without words on a transparent background: the hardest case for high-contrast mode.
LOGO = ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 120 40" width="120" height="40">'
        '<path fill="#fff" d="M4 4h32v32H4zM44 8h72v8H44zm0 16h52v8H44z"/></svg>\n')


def _showcase(root: Path, theme: str) -> BuiltSite:
    make_project(root, whole_example=True)
    toml = root / "site_src" / "site.toml"
    text = toml.read_text(encoding="utf-8")
    base_url = 'base_url = "https://foi.example.org/"\n'
    assert "per_page = 20\n" in text and "[brand]\n" in text and base_url in text, \
        "the example site.toml changed: update the showcase"
    text = text.replace("per_page = 20\n", "per_page = 2\n").replace("[brand]\n", '[brand]\nlogo = "logo.svg"\n')
    # where the tests serve it, so that the 404 page's links (which start from base_url's path) work there too
    text = text.replace(base_url, f'base_url = "https://foi.example.org/{SUBPATH}/"\n')
    toml.write_text(text, encoding="utf-8")
    (root / "site_src" / "logo.svg").write_text(LOGO, encoding="utf-8")
    result = build_project(root, theme=theme)
    assert result.published and not result.report.problems, [str(p) for p in result.report.problems]
    return BuiltSite(root, result, theme=theme)


@pytest.fixture(scope="session")
def showcases(tmp_path_factory: pytest.TempPathFactory) -> dict[str, BuiltSite]:
    return {theme: _showcase(tmp_path_factory.mktemp(f"showcase-{theme}") / "project", theme)
            for theme in THEME_NAMES}


@pytest.fixture(scope="module", params=THEME_NAMES)
def showcase(request: pytest.FixtureRequest, showcases: dict[str, BuiltSite],
             tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[BuiltSite, Server]]:
    site = showcases[request.param]
    with serve(site.output, tmp_path_factory.mktemp(f"served-{request.param}")) as running:
        yield site, running


def _shot_path(theme: str, name: str) -> Path:
    folder = ARTIFACTS / theme
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{name}.png"


# ---------------------------------------------------------------- the theme's page types

def page_templates(theme: str) -> set[str]:
    """The templates that render a whole page (not the base layout, not the `_partials`)."""
    return {p.name for p in (THEMES / theme / "templates").glob("*.html")
            if not p.name.startswith("_") and p.name != "base.html"}


@pytest.mark.parametrize("theme", THEME_NAMES)
def test_every_page_type_has_a_screenshot_entry(theme: str) -> None:
    assert page_templates(theme) == set(PAGE_TYPES), \
        "a page type was added or removed: list one page of each type in PAGE_TYPES"


# ---------------------------------------------------------------- axe-core

def _axe_violations(tab: Tab) -> list[str]:
    tab.page.add_script_tag(path=str(AXE))
    result = tab.page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})", AXE_TAGS)
    found = []
    for violation in result["violations"]:
        nodes = "; ".join(f"{' '.join(node['target'])} {node['html'][:120]}" for node in violation["nodes"][:5])
        found.append(f"{tab.page.url}: {violation['id']} ({violation['impact']}): {violation['help']}: {nodes}")
    return found


def test_axe_finds_no_violations_on_any_page(showcase: tuple[BuiltSite, Server], browser: Any) -> None:
    if not AXE.is_file():
        unavailable(f"{AXE.relative_to(REPO)} is missing (npm ci)")
    site, server = showcase
    pages = sorted(server.site.rglob("*.html"))
    assert len(pages) >= len(PAGE_TYPES) + 5
    found: list[str] = []
    for tab in open_tab(browser, DESKTOP, 900, bypass_csp=True):  # bypass_csp: only to inject axe itself
        for html in pages:
            tab.open(server.url(html))
            found += _axe_violations(tab)
    for tab in open_tab(browser, SMALLEST, 700, bypass_csp=True):
        for path in PAGE_TYPES.values():
            tab.open(server.base + path)
            found += [f"at {SMALLEST}px: {v}" for v in _axe_violations(tab)]
    assert not found, f"axe-core found {len(found)} violation(s) in the {site.theme} theme:\n" + "\n".join(found)


def test_the_axe_check_can_fail(browser: Any, tmp_path: Path) -> None:
    if not AXE.is_file():
        unavailable(f"{AXE.relative_to(REPO)} is missing (npm ci)")
    (tmp_path / "bad.html").write_text('<!DOCTYPE html><html><title>x</title><img src="x.png"><a href="#"></a>')
    for tab in open_tab(browser, DESKTOP, 900, bypass_csp=True):
        tab.page.goto((tmp_path / "bad.html").as_uri())
        found = " ".join(_axe_violations(tab))
        assert "image-alt" in found and "link-name" in found and "html-has-lang" in found


# ---------------------------------------------------------------- the Nu Html Checker

def _vnu(files: list[Path]) -> list[dict[str, Any]]:
    if not VNU.is_file():
        unavailable(f"{VNU.relative_to(REPO)} is missing (npm ci)")
    java = shutil.which("java")
    if not java:
        unavailable("java is missing (make test installs Debian's default-jre-headless)")
    done = subprocess.run([java, "-Xss4m", "-jar", str(VNU), "--format", "json", "--errors-only", *map(str, files)],
                          capture_output=True, text=True, timeout=300)
    report = json.loads(done.stderr or done.stdout)
    return [m for m in report["messages"] if m.get("type") != "info"]


def test_nu_html_checker_finds_no_errors_in_any_page_of_any_theme(showcases: dict[str, BuiltSite]) -> None:
    pages = [html for site in showcases.values() for html in site.html_files()]
    assert len(pages) >= 2 * (len(PAGE_TYPES) + 5)
    errors = _vnu(pages)  # one Java start for every page of both themes
    assert not errors, f"the Nu Html Checker found {len(errors)} error(s):\n" + "\n".join(
        f"{m.get('url', '').removeprefix('file:')}:{m.get('lastLine', '?')}: {m.get('message')} "
        f"[{m.get('extract', '').strip()[:100]}]" for m in errors)


def test_the_nu_html_checker_can_fail(tmp_path: Path) -> None:
    bad = tmp_path / "bad.html"
    bad.write_text("<!DOCTYPE html><html lang=en><title>x</title><p><div>block in p</div><span id=a id=a></span>")
    assert _vnu([bad]), "an invalid page passed"


# ---------------------------------------------------------------- screenshots, narrow screens

@pytest.mark.parametrize("width", [SMALLEST, PHONE, DESKTOP])
def test_screenshots_of_every_page_type_and_no_sideways_scrolling(showcase: tuple[BuiltSite, Server], browser: Any,
                                                                 width: int) -> None:
    site, server = showcase
    for tab in open_tab(browser, width, 900):
        for template, path in PAGE_TYPES.items():
            tab.open(server.base + path)
            if template == "search.html":  # the results, not "Loading the search index…"
                tab.page.wait_for_function("() => window.foilogSearchPage && window.foilogSearchPage.timing && "
                                           "window.foilogSearchPage.settled === window.foilogSearchPage.generation")
            shot = _shot_path(site.theme, f"{template.removesuffix('.html')}-{width}")
            tab.page.screenshot(path=str(shot), full_page=True)
            assert shot.stat().st_size > 5_000
            wide = tab.page.evaluate("document.documentElement.scrollWidth")
            assert wide <= width, f"{site.theme} {template} at {width}px is {wide}px wide: it scrolls sideways"
        tab.assert_clean()


@pytest.mark.parametrize("width", [SMALLEST, PHONE, DESKTOP])
def test_every_search_box_is_wide_enough_to_type_in(showcase: tuple[BuiltSite, Server], browser: Any,
                                                    width: int) -> None:
    """A search box shares its row with its button: the box, not the button, takes most of the row (GOV.UK
    Frontend's buttons take the whole width on a phone, which once left the box a sliver beside it)."""
    site, server = showcase
    for tab in open_tab(browser, width, 900):
        for template, path in PAGE_TYPES.items():
            tab.open(server.base + path)
            boxes = tab.page.evaluate(
                "Array.from(document.querySelectorAll('input[type=search]')).filter(i => i.offsetParent)"
                ".map(i => [i.getBoundingClientRect().width, i.parentElement.getBoundingClientRect().width])")
            assert boxes or template not in ("search.html", "404.html"), f"{site.theme} {template}: no search box"
            for box, row in boxes:
                assert box >= row / 2, f"{site.theme} {template} at {width}px: the search box is {box:.0f}px " \
                                       f"of a {row:.0f}px row"
        tab.assert_clean()


def test_the_skip_link_is_first_and_moves_to_the_content(showcase: tuple[BuiltSite, Server], browser: Any) -> None:
    _, server = showcase
    for tab in open_tab(browser, PHONE, 740):
        tab.open(server.base + LETTER)
        page = tab.page
        page.keyboard.press("Tab")
        focused = page.evaluate("[document.activeElement.textContent.trim(), document.activeElement.hash]")
        assert focused == ["Skip to main content", "#main"]
        box = page.evaluate("(() => { const r = document.activeElement.getBoundingClientRect();"
                            " return [r.width, r.height, r.top]; })()")
        assert box[0] > 50 and box[1] > 10 and box[2] >= 0, f"the focused skip link is not visible: {box}"
        page.keyboard.press("Enter")
        page.wait_for_url(server.base + LETTER + "#main")
        assert page.evaluate("document.querySelector('main:target') !== null")
        tab.assert_clean()


# ---------------------------------------------------------------- print

def test_a_letter_prints_cleanly_with_its_facts(showcase: tuple[BuiltSite, Server], browser: Any) -> None:
    site, server = showcase
    for tab in open_tab(browser, 800, 1100):
        tab.open(server.base + LETTER)
        page = tab.page
        page.emulate_media(media="print")
        page.screenshot(path=str(_shot_path(site.theme, "letter-print")), full_page=True)
        page.pdf(path=str(ARTIFACTS / site.theme / "letter-print.pdf"), format="A4")
        assert page.locator("h1").is_visible()
        facts = page.locator("dl.facts")
        assert facts.is_visible() and "6370952" in facts.inner_text()
        for hidden in ("nav[aria-label=Site]", "nav[aria-label=Breadcrumb]", "nav.questions", ".skip-link"):
            assert not page.locator(hidden).first.is_visible(), f"{hidden} is printed"
        folded = page.locator("details.boilerplate").filter(has_text="Your rights")
        rights = folded.get_by_text("If you are unhappy with the way your request")
        assert rights.is_visible(), "the folded sections of the letter are not printed"
        colours = page.evaluate("[getComputedStyle(document.body).color, getComputedStyle(document.body).fontSize]")
        assert colours[0] in ("rgb(0, 0, 0)", "rgb(11, 12, 12)", "rgb(27, 27, 27)"), f"body text prints {colours[0]}"
        tab.assert_clean()


# ---------------------------------------------------------------- reduced motion, high contrast

MOTION = """() => {
  const moving = [];
  for (const el of document.querySelectorAll('*')) {
    for (const pseudo of [null, '::before', '::after']) {
      const style = getComputedStyle(el, pseudo);
      const longest = s => Math.max(...s.split(',').map(v => parseFloat(v) * (v.trim().endsWith('ms') ? 1 : 1000)));
      const animated = style.animationName !== 'none' && longest(style.animationDuration) > 10;
      if (longest(style.transitionDuration) > 10 || animated)
        moving.push(el.tagName + (el.className ? '.' + el.className : '') + (pseudo || ''));
    }
  }
  return [moving, document.getAnimations().length, getComputedStyle(document.documentElement).scrollBehavior];
}"""


def test_nothing_moves_for_people_who_ask_for_reduced_motion(showcase: tuple[BuiltSite, Server], browser: Any) -> None:
    _, server = showcase
    for tab in open_tab(browser, DESKTOP, 900, reduced_motion="reduce"):
        for path in PAGE_TYPES.values():
            tab.open(server.base + path)
            tab.page.keyboard.press("Tab")  # a focused link must not animate either
            moving, animations, scrolling = tab.page.evaluate(MOTION)
            assert not moving and animations == 0, f"{path or 'home'}: moves with reduced motion: {moving[:10]}"
            assert scrolling == "auto"


FORCED = """() => {
  const tags = [...document.querySelectorAll('.govuk-tag, .tag')].map(t => {
    const s = getComputedStyle(t);
    return [t.textContent.trim(), parseInt(s.fontWeight) >= 700 || parseFloat(s.borderTopWidth) >= 1];
  });
  const logo = document.querySelector('header img');
  const logoBg = logo ? getComputedStyle(logo).backgroundColor : null;
  return [tags, logoBg];
}"""


def test_readable_in_windows_high_contrast_mode(showcase: tuple[BuiltSite, Server], browser: Any) -> None:
    site, server = showcase
    for scheme in ("dark", "light"):
        for tab in open_tab(browser, DESKTOP, 900, forced_colors="active", color_scheme=scheme):
            tab.open(server.base + LETTER)
            page = tab.page
            tags, logo_background = page.evaluate(FORCED)
            assert tags, "no tags on the letter page"
            assert all(marked for _, marked in tags), f"tags that look like plain text in high contrast: {tags}"
            assert logo_background not in (None, "rgba(0, 0, 0, 0)"), "the logo has no backing in high contrast"
            link = page.locator("main a[href]").first
            link.focus()
            outline = page.evaluate("[getComputedStyle(document.activeElement).outlineStyle,"
                                    " parseFloat(getComputedStyle(document.activeElement).outlineWidth)]")
            assert outline[0] != "none" and outline[1] >= 2, f"no visible focus outline in high contrast: {outline}"
            page.screenshot(path=str(_shot_path(site.theme, f"letter-high-contrast-{scheme}")), full_page=False)
            tab.assert_clean()
