"""Themes: both ship every page type, switching works, single files override, the brand applies, no GOV.UK branding."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from markupsafe import escape

from foilog.brand import contrast_ratio, darker_shade
from foilog.config import SiteConfig
from foilog.errors import FoilogError
from foilog.model import Letter
from foilog.render import ROOT_MARK, Renderer

from .helpers import REPO, THEME_NAMES, THEMES, build_project, make_project, tree_bytes

SITE_TOML = 'title = "Test log"\nauthority = "Example Council"\n'


def templates(theme: str) -> set[str]:
    return {p.relative_to(THEMES / theme / "templates").as_posix()
            for p in (THEMES / theme / "templates").rglob("*") if p.is_file()}


def home(root: Path) -> str:
    return (root / "output" / "index.html").read_text(encoding="utf-8")


def stylesheets(html: str) -> list[str]:
    return [href.removeprefix("./") for href in re.findall(r'<link rel="stylesheet" href="([^"]+)"', html)]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return make_project(tmp_path / "project", SITE_TOML)


# ---------------------------------------------------------------- the themes that ship

def test_every_theme_has_every_page_template_of_the_others() -> None:
    """Every theme renders every page type; `_partials` are each theme's own business."""
    names = {theme: {t for t in templates(theme) if not t.startswith("_")} for theme in THEME_NAMES}
    every = set().union(*names.values())
    for theme, own in names.items():
        assert own == every, f"themes/{theme}/templates lacks {sorted(every - own)}"


def test_the_default_theme_has_a_counterpart_of_every_plain_template() -> None:
    assert templates("plain") <= templates(THEME_NAMES[0])


def test_the_default_theme_is_govuk(project: Path) -> None:
    build_project(project)
    assert stylesheets(home(project))[0] == "assets/govuk.css"
    assert not (project / "output" / "assets" / "style.css").exists()


def test_site_toml_switches_the_theme(project: Path) -> None:
    (project / "site_src" / "site.toml").write_text(SITE_TOML + 'theme = "plain"\n', encoding="utf-8")
    build_project(project)
    assert stylesheets(home(project)) == ["assets/style.css"]
    assert not (project / "output" / "assets" / "govuk.css").exists()


def test_the_command_line_switches_the_theme(project: Path) -> None:
    (project / "site_src" / "site.toml").write_text(SITE_TOML + 'theme = "govuk"\n', encoding="utf-8")
    done = subprocess.run([str(REPO / ".venv" / "bin" / "python"), str(REPO / "build.py"), "--root", str(project),
                           "--theme", "plain", "-q"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert stylesheets(home(project)) == ["assets/style.css"]


@pytest.mark.parametrize("theme", THEME_NAMES)
def test_templates_never_mark_letter_text_safe(theme: str) -> None:
    for path in sorted((THEMES / theme / "templates").rglob("*.html")):
        for value in re.findall(r"\{\{\s*([^}|]+?)\s*\|\s*safe", path.read_text(encoding="utf-8")):
            assert value == "body", f"{path}: `{value}|safe`: only the rendered markdown body may be marked safe"


# ---------------------------------------------------------------- overriding single files

@pytest.mark.parametrize("theme", THEME_NAMES)
def test_one_template_overrides_the_themes_file_and_nothing_else(project: Path, theme: str) -> None:
    build_project(project, theme=theme)
    before = tree_bytes(project / "output")
    override = project / "site_src" / "theme" / "templates" / "page.html"
    override.parent.mkdir(parents=True)
    override.write_text('{% extends "base.html" %}{% block content %}<h1>{{ page.title }}</h1>'
                        '<p class="mine">Our own page layout</p>{% endblock %}', encoding="utf-8")
    (project / "site_src" / "pages").mkdir()
    (project / "site_src" / "pages" / "about.md").write_text("# About us\n\nHello.\n", encoding="utf-8")
    build_project(project, theme=theme)
    about = (project / "output" / "about" / "index.html").read_text(encoding="utf-8")
    assert '<p class="mine">Our own page layout</p>' in about and "Hello." not in about
    after = tree_bytes(project / "output")
    letters = [name for name in before if name.startswith("letters/") and name.count("/") == 3]
    assert letters and all(after[name] != before[name] for name in letters), "the new page is in every page's menu"
    assert all(after[name] == before[name] for name in before if name.startswith("assets/"))


@pytest.mark.parametrize("theme", THEME_NAMES)
def test_an_override_can_extend_the_themes_own_template(project: Path, theme: str) -> None:
    override = project / "site_src" / "theme" / "templates" / "base.html"
    override.parent.mkdir(parents=True)
    override.write_text('{% extends "theme/base.html" %}{% block footer %}<p>Our footer</p>{{ super() }}'
                        '{% endblock %}', encoding="utf-8")
    build_project(project, theme=theme)
    page = home(project)
    assert "<p>Our footer</p>" in page
    assert "Built with foilog" in page, "super() keeps the theme's own footer"
    assert page.count("<header") == 1


def test_a_broken_override_names_its_file(project: Path) -> None:
    override = project / "site_src" / "theme" / "templates" / "home.html"
    override.parent.mkdir(parents=True)
    override.write_text('{% extends "base.html" %}\n{% block content %}{{ no_such_thing.x }}{% endblock %}\n',
                        encoding="utf-8")
    with pytest.raises(FoilogError) as caught:
        build_project(project)
    assert "home.html" in str(caught.value) and "site_src/theme/" in caught.value.hint


@pytest.mark.parametrize("theme", THEME_NAMES)
def test_one_asset_overrides_the_themes_file_and_nothing_else(project: Path, theme: str) -> None:
    build_project(project, theme=theme)
    before = tree_bytes(project / "output" / "assets")
    icon = project / "site_src" / "theme" / "assets" / "favicon.svg"
    icon.parent.mkdir(parents=True)
    icon.write_text('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1"><rect width="1" height="1"/></svg>')
    build_project(project, theme=theme)
    after = tree_bytes(project / "output" / "assets")
    assert after["favicon.svg"] == icon.read_bytes()
    assert {k: v for k, v in after.items() if k != "favicon.svg"} == \
        {k: v for k, v in before.items() if k != "favicon.svg"}


@pytest.mark.parametrize("theme", THEME_NAMES)
def test_custom_css_is_linked_after_the_theme_only_when_there_is_one(project: Path, theme: str) -> None:
    build_project(project, theme=theme)
    assert not any("custom.css" in s for s in stylesheets(home(project)))
    custom = project / "site_src" / "theme" / "assets" / "custom.css"
    custom.parent.mkdir(parents=True)
    custom.write_text(".site-footer, .govuk-footer { border-top-width: 20px; }\n", encoding="utf-8")
    build_project(project, theme=theme)
    links = stylesheets(home(project))
    assert links[-1] == "assets/custom.css" and len(links) == 2
    assert (project / "output" / "assets" / "custom.css").read_bytes() == custom.read_bytes()


# ---------------------------------------------------------------- the brand

def test_contrast_ratio_matches_wcag() -> None:
    assert contrast_ratio("#ffffff", "#000000") == pytest.approx(21)
    assert contrast_ratio("#ffffff", "#ffffff") == pytest.approx(1)
    assert contrast_ratio("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)  # the lightest AA grey
    assert contrast_ratio("#777777", "#ffffff") < 4.5
    assert contrast_ratio("#1d70b8", "#ffffff") == pytest.approx(5.17, abs=0.01)


@pytest.mark.parametrize("colour", ["#ffdd00", "#00ff00", "#ff8800", "#bbbbbb", "#f0f0f0"])
def test_the_suggested_darker_shade_passes_and_keeps_the_hue(colour: str) -> None:
    shade = darker_shade(colour)
    assert contrast_ratio(shade, "#ffffff") >= 4.5
    assert contrast_ratio(darker_shade(shade), "#ffffff") >= 4.5 and darker_shade(shade) == shade
    red, green, blue = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    r2, g2, b2 = (int(shade[i:i + 2], 16) for i in (1, 3, 5))
    assert (red >= green) == (r2 >= g2) and (green >= blue) == (g2 >= b2)


@pytest.mark.parametrize("theme", THEME_NAMES)
def test_the_brand_colour_reaches_every_page_through_a_stylesheet(project: Path, theme: str) -> None:
    (project / "site_src" / "site.toml").write_text(SITE_TOML + '[brand]\ncolour = "#4C2C92"\n', encoding="utf-8")
    result = build_project(project, theme=theme)
    assert not result.report.problems
    css = (project / "output" / "assets" / "brand.css").read_text(encoding="utf-8")
    assert "--brand-colour: #4c2c92;" in css
    for html in sorted((project / "output").rglob("*.html")):
        text = html.read_text(encoding="utf-8")
        # relative links, except on the 404 page, which is served at any address and links from the site's path
        start = "/" if html.name == "404.html" else r"(\./|(\.\./)*)"
        assert re.search(rf'<link rel="stylesheet" href="{start}assets/brand\.css">', text), html
        assert "style=" not in text and "<style" not in text, f"{html}: inline styles break the CSP"
    theme_css = next((project / "output" / "assets").glob("[gs]*.css")).read_text(encoding="utf-8")
    assert "var(--brand-colour" in theme_css


def test_no_brand_colour_means_no_brand_stylesheet(project: Path) -> None:
    build_project(project)
    assert not (project / "output" / "assets" / "brand.css").exists()
    assert "brand.css" not in home(project)


def test_a_brand_colour_white_text_cannot_be_read_on_is_a_warning_with_a_fix(project: Path) -> None:
    (project / "site_src" / "site.toml").write_text(SITE_TOML + '[brand]\ncolour = "#FFDD00"\n', encoding="utf-8")
    result = build_project(project)
    assert result.published
    [problem] = result.report.problems
    assert problem.severity.value == "warning" and problem.file and problem.file.endswith("site.toml")
    assert "1.3:1" in problem.message and "4.5:1" in problem.message
    suggestion = re.search(r'colour = "(#[0-9a-f]{6})"', problem.hint)
    assert suggestion and contrast_ratio(suggestion.group(1), "#ffffff") >= 4.5


def test_strict_fails_on_a_brand_colour_that_fails_contrast(project: Path) -> None:
    (project / "site_src" / "site.toml").write_text(SITE_TOML + '[brand]\ncolour = "#00ff00"\n', encoding="utf-8")
    with pytest.raises(FoilogError):
        build_project(project, strict=True)
    assert not (project / "output").exists()


LOGO = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 4 1"><rect width="4" height="1" fill="#fff"/></svg>'


@pytest.mark.parametrize("theme", THEME_NAMES)
def test_the_logo_is_copied_and_shown_with_its_text(project: Path, theme: str) -> None:
    (project / "site_src" / "images").mkdir()
    (project / "site_src" / "images" / "Crest.SVG").write_text(LOGO, encoding="utf-8")
    (project / "site_src" / "site.toml").write_text(SITE_TOML + '[brand]\nlogo = "images/Crest.SVG"\n')
    result = build_project(project, theme=theme)
    assert not result.report.problems
    assert (project / "output" / "assets" / "logo.svg").read_text(encoding="utf-8") == LOGO
    page = home(project)
    assert '<img class="' in page and 'src="./assets/logo.svg" alt="Example Council">' in page
    letter = next((project / "output" / "letters").glob("*/*/index.html")).read_text(encoding="utf-8")
    assert 'src="../../../assets/logo.svg"' in letter


def test_a_logo_without_words_has_empty_alt_text_and_the_name_beside_it(project: Path) -> None:
    (project / "site_src" / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(100))
    (project / "site_src" / "site.toml").write_text(SITE_TOML + '[brand]\nlogo = "logo.png"\nlogo_alt = ""\n')
    build_project(project)
    page = home(project)
    assert 'src="./assets/logo.png" alt="">' in page
    assert '<span class="foilog-header__name">Example Council</span>' in page


def test_a_missing_logo_is_reported_and_the_site_still_builds(project: Path) -> None:
    (project / "site_src" / "site.toml").write_text(SITE_TOML + '[brand]\nlogo = "logo.svg"\n')
    result = build_project(project)
    assert result.published
    [problem] = result.report.problems
    assert "logo" in problem.message and "without it" in problem.message and "site_src" in problem.hint
    assert "<img" not in home(project) and "Example Council" in home(project)


def test_a_heavy_logo_is_reported(project: Path) -> None:
    (project / "site_src" / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(200_000))
    (project / "site_src" / "site.toml").write_text(SITE_TOML + '[brand]\nlogo = "logo.png"\n')
    [problem] = build_project(project).report.problems
    assert "200 kB" in problem.message and "every page" in problem.message


# ---------------------------------------------------------------- a council is not GOV.UK

def _without_comments(css: str) -> str:
    return re.sub(r"/\*.*?\*/", "", css, flags=re.S)


def test_the_govuk_theme_shows_no_govuk_branding(project: Path) -> None:
    build_project(project)
    output = project / "output"
    for path in sorted(output.rglob("*")):
        if path.suffix not in (".html", ".css", ".svg"):
            continue
        text = path.read_text(encoding="utf-8")
        text = _without_comments(text) if path.suffix == ".css" else text
        words = ("GOV.UK", "//gov.uk", "www.gov.uk", "GDS Transport", "crest") + \
            (("crown", "Crown") if path.suffix != ".css" else ())
        for word in words:  # (the CSS keeps GOV.UK Frontend's unused class name .govuk-footer__crown)
            assert word not in text, f"{path.relative_to(output)} mentions {word!r}"
    assert not [p for p in output.rglob("*") if p.suffix in (".woff", ".woff2", ".ttf", ".png", ".ico")]


def test_the_govuk_css_uses_a_system_font_and_loads_nothing_else() -> None:
    css = _without_comments((THEMES / "govuk" / "assets" / "govuk.css").read_text(encoding="utf-8"))
    assert "@font-face" not in css and "@import" not in css
    assert not re.findall(r"url\(", css), "the stylesheet loads other files"
    families = set(re.findall(r"font-family:([^;}]+)", css))
    assert families and all("Segoe UI" in f or "monospace" in f or f == "sans-serif" for f in families), families


def test_the_committed_govuk_css_is_compiled_from_its_source() -> None:
    node = shutil.which("node")
    if not node or not (REPO / "node_modules" / "sass").is_dir():
        if os.environ.get("CI"):
            pytest.fail("node and node_modules/ are needed (make test runs npm ci)")
        pytest.skip("node or node_modules/ is missing; `make test` installs them")
    done = subprocess.run([node, str(THEMES / "govuk" / "src" / "build.mjs"), "--check"],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr + done.stdout


@pytest.mark.parametrize("title", ["Road repairs", f"Text holding the mark {ROOT_MARK} itself"])
def test_a_list_entry_rendered_once_links_from_every_folder_depth(title: str) -> None:
    renderer = Renderer(SiteConfig(), [THEMES / "govuk"], "/")
    letter = Letter(source="a.txt", path=Path("a.txt"), reference="R1", title=title)
    urls = {"a.txt": "letters/2024/r1/"}
    for root in ("./", "../", "../../../", "./"):
        item = renderer.letter_item(letter, "h3", root, urls)
        target = "letters/2024/r1/" if root == "./" else root + "letters/2024/r1/"
        assert f'href="{target}"' in item
        assert str(escape(title)) in item
        assert item.count(ROOT_MARK) == title.count(ROOT_MARK)
