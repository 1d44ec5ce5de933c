"""The built example site's HTML: facts shown, boilerplate folded, no markup debris, every link resolves."""

from __future__ import annotations

import datetime as dt
import posixpath
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from foilog.config import load_config
from foilog.exemptions import meaning
from foilog.render import OUTCOME_LABELS

from .helpers import BuiltSite, build_project, make_project, read_front_matter, seeds_expected

EXTERNAL = ("http:", "https:", "mailto:", "tel:", "data:")
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
DEBRIS = [
    (re.compile(r"\*\*"), "**"),
    (re.compile(r"\\[*_#`\[\]]"), r"a markdown escape such as \*"),
    (re.compile(r"(?:^|\s)- [o*](?:\s|$)"), "a '- o' or '- *' bullet"),
    (re.compile(r"(?:^|\n)\s*#{1,6}\s"), "a '#' heading marker"),
    (re.compile(r":::"), "a ::: container marker"),
]


@dataclass
class Details:
    open: bool
    summary: str = ""
    text: str = ""


@dataclass
class Page:
    """What a person sees of a page, and what links it has."""

    path: Path
    lang: str = ""
    title: str = ""
    text: str = ""
    outside_details: str = ""
    ids: list[str] = field(default_factory=list)
    links: list[tuple[str, str, str]] = field(default_factory=list)  # (tag, attribute, value)
    details: list[Details] = field(default_factory=list)
    facts: dict[str, str] = field(default_factory=dict)
    h1: list[str] = field(default_factory=list)
    list_items: list[str] = field(default_factory=list)  # hrefs of the letter list's entries


class _Reader(HTMLParser):
    def __init__(self, page: Page) -> None:
        super().__init__(convert_charrefs=True)
        self.page = page
        self.stack: list[str] = []
        self.open_details: list[Details] = []
        self.capture: dict[str, list[str]] = {}
        self.fact_name = ""
        self.in_letter_list = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if "id" in values:
            self.page.ids.append(values["id"])
        for attribute in ("href", "src"):
            if attribute in values:
                self.page.links.append((tag, attribute, values[attribute]))
        if tag == "html":
            self.page.lang = values.get("lang", "")
        if tag == "details":
            details = Details(open="open" in values)
            self.page.details.append(details)
            self.open_details.append(details)
        if tag == "ol" and "letter-list" in values.get("class", ""):
            self.in_letter_list += 1
        if tag == "a" and self.in_letter_list and {"h2", "h3"} & set(self.stack):
            self.page.list_items.append(values.get("href", ""))
        if tag in ("dt", "dd", "title", "h1", "summary"):
            self.capture[tag] = []
        if tag in ("p", "li", "div", "h1", "h2", "h3", "h4", "dt", "dd", "summary", "br", "tr", "td"):
            self._text("\n")
        if tag not in VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        while self.stack:
            if self.stack.pop() == tag:
                break
        if tag == "details" and self.open_details:
            self.open_details.pop()
        if tag == "ol" and self.in_letter_list:
            self.in_letter_list -= 1
        if tag in self.capture:
            text = re.sub(r"\s+", " ", "".join(self.capture.pop(tag))).strip()
            if tag == "title":
                self.page.title = text
            elif tag == "h1":
                self.page.h1.append(text)
            elif tag == "dt":
                self.fact_name = text
            elif tag == "dd" and self.fact_name:
                self.page.facts[self.fact_name] = text
                self.fact_name = ""
            elif tag == "summary" and self.open_details:
                self.open_details[-1].summary = text
        if tag in ("p", "li", "div", "h1", "h2", "h3", "h4", "dt", "dd", "summary", "tr"):
            self._text("\n")

    def handle_data(self, data: str) -> None:
        for parts in self.capture.values():
            parts.append(data)
        if "head" in self.stack or "script" in self.stack or "style" in self.stack:
            return
        self._text(data)

    def _text(self, data: str) -> None:
        self.page.text += data
        if self.open_details:
            for details in self.open_details:
                details.text += data
        else:
            self.page.outside_details += data


def read_page(path: Path) -> Page:
    page = Page(path)
    reader = _Reader(page)
    reader.feed(path.read_text(encoding="utf-8"))
    reader.close()
    return page


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def long_date(value: str) -> str:
    date = dt.date.fromisoformat(value)
    return f"{date.day} {date:%B %Y}"


def broken_links(output: Path, base_url: str = "/") -> list[str]:
    """Every href/src of every page that does not lead to a file in output/ (or to an id in it), as 'page: link'.

    Links must be relative, except the 404 page's, which start at the site's path (it is served at any address),
    and full addresses of the site itself (canonical links), which must lead to a file too.
    """
    full = base_url if base_url.startswith(("http://", "https://")) else None
    path = "/" + urlsplit(base_url).path.strip("/") + "/" if urlsplit(base_url).path.strip("/") else "/"
    problems = []
    for html in sorted(output.rglob("*.html")):
        here = html.parent.relative_to(output).as_posix()
        page = read_page(html)
        for _tag, attribute, link in page.links:
            where = f"{html.relative_to(output)}: {attribute}={link!r}"
            start = here
            if full and link.startswith(full):
                link, start = link[len(full):] or "./", ""
            elif html.name == "404.html" and link.startswith(path):
                link, start = link[len(path):] or "./", ""
            elif link.lower().startswith(EXTERNAL):
                continue
            target, _, fragment = link.partition("#")
            target = target.split("?")[0]
            if not target:
                if fragment and fragment not in page.ids:
                    problems.append(f"{where} (no element has id {fragment!r})")
                continue
            if target.startswith("/"):
                problems.append(f"{where} (absolute path: breaks when the site is not at the server's root)")
                continue
            resolved = posixpath.normpath(posixpath.join(start, target))
            if resolved == ".." or resolved.startswith("../"):
                problems.append(f"{where} (leads outside the site)")
                continue
            file = output / resolved
            if target.endswith("/") or file.is_dir():
                file = file / "index.html"
            if not file.is_file():
                problems.append(f"{where} (no such file: {file.relative_to(output)})")
            elif fragment and file.suffix == ".html" and fragment not in read_page(file).ids:
                problems.append(f"{where} (no id {fragment!r} in {file.relative_to(output)})")
    return problems


def site_base_url(site: BuiltSite) -> str:
    return load_config(site.root / "site_src" / "site.toml").base_url


# ---------------------------------------------------------------- the example site

SEEDS = seeds_expected()


def letter_page(site: BuiltSite, reference: str) -> Page:
    matches = list((site.output / "letters").glob(f"*/{reference}/index.html"))
    assert len(matches) == 1, f"expected one page for {reference}, found {matches}"
    return read_page(matches[0])


def content_page(site: BuiltSite, reference: str) -> dict[str, object]:
    return read_front_matter(next((site.content / "letters").glob(f"*/{reference}.md")))


def fact(page: Page, name: str) -> str:
    for key, value in page.facts.items():
        if key.lower().startswith(name.lower()):
            return value
    raise AssertionError(f"{page.path}: no fact {name!r} among {list(page.facts)}")


def test_the_example_site_builds_cleanly(example_site: BuiltSite) -> None:
    assert example_site.result.published
    assert not example_site.result.report.problems, [str(p) for p in example_site.result.report.problems]
    assert (example_site.output / "index.html").is_file()
    assert (example_site.output / "letters" / "index.html").is_file()


@pytest.mark.parametrize("name", sorted(SEEDS), ids=[Path(n).stem for n in sorted(SEEDS)])
def test_letter_page_shows_the_facts(example_site: BuiltSite, name: str) -> None:
    facts = SEEDS[name]
    page = letter_page(example_site, facts["reference"])
    assert fact(page, "Reference") == facts["reference"]
    assert long_date(facts["received"]) in fact(page, "Received")
    assert long_date(facts["responded"]) in fact(page, "Answered")
    assert re.match(rf"{facts['working_days']}\b", fact(page, "Working days"))
    assert "on time" in fact(page, "Working days").lower()
    assert OUTCOME_LABELS[facts["outcome"]] in fact(page, "Outcome")
    assert facts["authority"] in fact(page, "Authority")
    exemptions = fact(page, "Exemptions")
    for exemption in facts["exemptions"]:
        assert exemption in exemptions
        assert meaning(exemption) in exemptions
    if not facts["exemptions"]:
        assert exemptions == "None applied"
    assert page.h1 and len(page.h1) == 1 and page.h1[0]
    assert page.title.startswith(page.h1[0])


def test_s40_meaning_is_specific() -> None:
    assert "personal data" in meaning("FOIA s.40(2)")
    assert meaning("FOIA s.40(2)") != meaning("FOIA s.99")


@pytest.mark.parametrize("name", sorted(SEEDS), ids=[Path(n).stem for n in sorted(SEEDS)])
def test_question_anchors(example_site: BuiltSite, name: str) -> None:
    facts = SEEDS[name]
    page = letter_page(example_site, facts["reference"])
    questions = content_page(example_site, facts["reference"])["questions"]
    assert isinstance(questions, list)
    fragments = {link[1:] for _, attribute, link in page.links if attribute == "href" and link.startswith("#")}
    for question in questions:
        assert question["id"] in page.ids, f"no anchor for question {question['id']}"
        assert question["id"] in fragments, f"the Questions list does not link to {question['id']}"
    numbered = [i for i in page.ids if re.fullmatch(r"q\d+[a-z]?(-\d+)?", i)]
    assert len(numbered) == (facts["numbered_questions"] or 0), numbered
    assert set(numbered) <= fragments
    if facts["numbered_questions"] and name.startswith(("000", "001", "002")):
        assert numbered[:2] == ["q1", "q2"]  # these letters number their questions 1., 2., 3.
    assert len(page.ids) == len(set(page.ids)), "an id is used twice"


@pytest.mark.parametrize("name", sorted(SEEDS), ids=[Path(n).stem for n in sorted(SEEDS)])
def test_boilerplate_is_folded(example_site: BuiltSite, name: str) -> None:
    page = letter_page(example_site, SEEDS[name]["reference"])
    assert page.details, "no folded sections"
    for details in page.details:
        assert not details.open, f"{details.summary!r} is unfolded"
        assert details.summary, "a folded section has no summary"
        assert details.text.strip()
    rights = "If you are unhappy with the way your request for information has been handled"
    assert rights in squash(page.text)
    assert rights not in squash(page.outside_details), "the review-rights text is not folded away"


def test_answers_are_not_folded(example_site: BuiltSite) -> None:
    page = letter_page(example_site, "6370952")
    for answer in ("It is in our roadmap", "Not yet defined", "Not currently"):
        assert answer in page.outside_details
    page = letter_page(example_site, "6251688")
    assert "We are currently using Skype for Business" in page.outside_details


def test_no_markup_debris_in_any_page(example_site: BuiltSite) -> None:
    problems = []
    for html in example_site.html_files():
        text = read_page(html).text
        for pattern, what in DEBRIS:
            for match in pattern.finditer(text):
                context = squash(text[max(0, match.start() - 40): match.end() + 40])
                problems.append(f"{html.relative_to(example_site.output)}: {what} in …{context}…")
    assert not problems, "\n".join(problems)


def test_debris_check_can_fail(tmp_path: Path) -> None:
    page = tmp_path / "index.html"
    page.write_text("<html><body><p>**Bold** and \\* and</p><ul><li>- o Laptops</li></ul></body></html>")
    text = read_page(page).text
    assert all(pattern.search(text) for pattern, _ in DEBRIS[:3])


def test_every_internal_link_resolves(example_site: BuiltSite) -> None:
    assert len(example_site.html_files()) >= len(SEEDS) + 2
    problems = broken_links(example_site.output, site_base_url(example_site))
    assert not problems, "\n".join(problems)


def test_link_check_can_fail(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "index.html").write_text(
        '<a href="../missing/">x</a><a href="/abs/">y</a><a href="#nowhere">z</a><a href="../../up">u</a>'
        '<a href="https://example.org/">ok</a><a id="here" href="#here">ok</a><a href="./">ok</a>')
    problems = broken_links(tmp_path)
    assert len(problems) == 4, problems


def test_every_page_has_a_language_a_title_and_one_h1(example_site: BuiltSite) -> None:
    for html in example_site.html_files():
        page = read_page(html)
        assert page.lang == "en-GB", html
        assert page.title, html
        assert len(page.h1) == 1, f"{html}: {page.h1}"


def test_home_page_lists_the_latest_responses(example_site: BuiltSite) -> None:
    home = read_page(example_site.output / "index.html")
    assert len(home.list_items) == len(SEEDS)
    assert "letters/" in [link for _, _, link in home.links]
    newest = max(SEEDS.values(), key=lambda f: f["responded"])
    assert home.list_items[0].rstrip("/").endswith(newest["reference"])


def test_extra_pages_are_built_and_linked(example_site: BuiltSite) -> None:
    sources = sorted((example_site.root / "site_src" / "pages").glob("*.md"))
    home_links = [link for _, _, link in read_page(example_site.output / "index.html").links]
    for source in sources:
        built = example_site.output / source.stem / "index.html"
        assert built.is_file(), built
        assert f"{source.stem}/" in home_links


# ---------------------------------------------------------------- pagination

@pytest.fixture(scope="module")
def paginated(tmp_path_factory: pytest.TempPathFactory) -> BuiltSite:
    root = make_project(tmp_path_factory.mktemp("paginated") / "project", site_toml="per_page = 2\nlatest = 3\n")
    return BuiltSite(root, build_project(root))


def test_letters_list_paginates(paginated: BuiltSite) -> None:
    output = paginated.output
    lists = [output / "letters" / "index.html", output / "letters" / "page" / "2" / "index.html",
             output / "letters" / "page" / "3" / "index.html"]
    assert all(p.is_file() for p in lists)
    assert not (output / "letters" / "page" / "4").exists()
    assert not (output / "letters" / "page" / "1").exists()
    pages = [read_page(p) for p in lists]
    assert [len(p.list_items) for p in pages] == [2, 2, 1]
    listed = [posixpath.basename(href.rstrip("/")) for p in pages for href in p.list_items]
    by_date = sorted(SEEDS.values(), key=lambda f: f["responded"], reverse=True)
    assert listed == [f["reference"] for f in by_date], "every letter once, newest first"
    for number, page in enumerate(pages, start=1):
        assert f"Page {number} of 3" in squash(page.text)
        rels = "".join(page.path.read_text(encoding="utf-8").split())
        assert ('rel="prev"' in rels) == (number > 1)
        assert ('rel="next"' in rels) == (number < 3)
    assert not broken_links(output)


def test_home_shows_only_the_latest(paginated: BuiltSite) -> None:
    home = read_page(paginated.output / "index.html")
    assert len(home.list_items) == 3


# ---------------------------------------------------------------- hostile letters

HOSTILE_LETTER = """London Borough of Barnet
22 June 2020
Our ref: <script>alert(1)</script>

Thank you for your request received on 17 June 2020, for the following information:

1. Please see [this](javascript:alert(1)) and <img src=x onerror=alert(2)> and {{ 7*7 }} {% raw %}

We have processed this request under the Freedom of Information Act 2000.

The information is attached <b>bold</b> [click](data:text/html,hi) <a href="javascript:alert(3)">x</a>
"""


OWN_SCRIPTS = ("../assets/lunr.min.js", "../assets/search.js")  # as the search page (search/index.html) links them


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, {k: v or "" for k, v in attrs}))


def test_letter_text_never_becomes_markup(tmp_path: Path) -> None:
    root = make_project(tmp_path / "project")
    (root / "site_src" / "letters" / "hostile.txt").write_text(HOSTILE_LETTER, encoding="utf-8")
    result = build_project(root)
    assert result.published
    for html in sorted((root / "output").rglob("*.html")):
        tags = _Tags()
        tags.feed(html.read_text(encoding="utf-8"))
        for tag, attrs in tags.tags:
            if tag == "script" and attrs.get("src") in OWN_SCRIPTS and html.parent.name == "search":
                continue  # the search page's own scripts, from the site's folder
            assert tag not in ("script", "img", "b", "iframe", "object"), f"{html}: <{tag}> from a letter"
            assert not [a for a in attrs if a.startswith("on")], f"{html}: event handler on <{tag}>"
            for name in ("href", "src"):
                assert not attrs.get(name, "").strip().lower().startswith(("javascript:", "data:")), \
                    f"{html}: {name}={attrs[name]!r}"
    text = "".join(p.read_text(encoding="utf-8") for p in (root / "output" / "letters").rglob("index.html"))
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text, "the text is shown, escaped, not dropped"
    assert "{{ 7*7 }}" in text and "{% raw %}" in text, "letter text is shown as written, never run as a template"


def test_link_check_follows_full_addresses_of_the_site_and_the_404_pages_links(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "index.html").write_text(
        '<link rel="canonical" href="https://foi.example.org/log/a/"><a href="https://foi.example.org/log/gone/">x</a>')
    (tmp_path / "404.html").write_text('<a href="/log/a/">ok</a><a href="/log/gone/">x</a><a href="/elsewhere/">x</a>')
    problems = broken_links(tmp_path, "https://foi.example.org/log/")
    assert len(problems) == 3, problems
    assert any("gone" in p and p.startswith("a/") for p in problems)
