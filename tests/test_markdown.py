"""Rendering markdown in parts: a text cut around its `::: boilerplate` blocks renders exactly as the whole text
does, whatever else it holds (hypothesis, on documents made of the lines most likely to reach across a cut). Links
found in text: the quick linkifier answers as linkify-it does. Text escaped for markdown shows as written, its
links whole. What pages.py writes is turned into HTML without markdown-it, the same HTML (hypothesis, on pages made
of the lines it writes and lines like them)."""

from __future__ import annotations

from html.parser import HTMLParser

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from linkify_it import LinkifyIt  # type: ignore[import-untyped]

from foilog.markdown import _plain_block, _plain_html, _QuickLinkify, _segments, escape, parser, render

from .helpers import REPO

LINES = [
    "", " ", "\t", "Some text with www.example.org and foi@example.gov.uk.", "**1.** A question?", "- a bullet",
    "  - a nested bullet", "1. first", "2) second", "> quoted", ">", "    indented code", "```", "~~~", "```python",
    "[ref]: https://example.org/", "See [ref] and [the ref][ref].", "{#q1 .question}", "{.boilerplate}",
    "::: boilerplate Your rights", "::: boilerplate", ":::", ":::: boilerplate Four", "::::", "::: other",
    " ::: boilerplate Indented", "   :::", "    :::", "::: boilerplate Closing\\", "| a | b |", "| --- | --- |",
    "## Response", "Setext heading", "===", "---", "*emphasis that never closes", "<b>raw html</b>", "\\:::",
    "Line ending in two spaces  ", "Copyright and re-use",
]
BLOCK = ["", "::: boilerplate Your rights", "", "You can ask for a review at www.example.org.", "", ":::", ""]


@settings(max_examples=3_000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(st.sampled_from(LINES), st.just(BLOCK)), max_size=25))
def test_a_text_renders_the_same_in_parts_as_whole(parts: list[str | list[str]]) -> None:
    lines: list[str] = []
    for part in parts:
        lines += part if isinstance(part, list) else [part]
    text = "\n".join(lines)
    assert render(text) == parser().render(text)
    segments = _segments(text)
    if segments is not None:
        assert "".join(segment for segment, _ in segments) == text


def test_a_letters_closing_sections_are_rendered_in_parts() -> None:
    page = next((REPO / "content" / "letters").rglob("*.md")).read_text(encoding="utf-8")
    body = page.split("\n---\n", 1)[1]
    segments = _segments(body)
    assert segments is not None and any(block for _, block in segments)
    assert render(body) == parser().render(body)


LINK_PARTS = [
    " ", "Our ref: 6589196", "Time: 10:30", "Note:", ":", "//", "/", "http:", "HTTP://", "https://", "hTtPs:",
    "ftp://", "mailto:", "MAILTO:", "skype:", "file:", "javascript:", "example", "example.org", "EXAMPLE.ORG",
    "www.", "WWW.", "localhost", "LocalHost:8000", "foi@", "@", "eastwick.gov.uk", ".", "1.2.3.4", ".5", ".co",
    ".c", "x.рф", "e.g.", "Act.", "a", "path/to", "(", ")", "<", ">", "_", "ſ", "é", "10",
]


@settings(max_examples=3_000, deadline=None)
@given(st.lists(st.sampled_from(LINK_PARTS), max_size=8).map("".join))
def test_the_quick_linkifier_finds_what_linkify_it_finds(text: str) -> None:
    quick, plain = _QuickLinkify(), LinkifyIt()
    assert quick.pretest(text) == plain.pretest(text) or quick.pretest(text)  # it may only skip text plain skips
    assert quick.test(text) == plain.test(text)
    assert repr(quick.match(text)) == repr(plain.match(text))


class _Shown(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.tags: set[str] = set()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        self.hrefs += [value or "" for name, value in attrs if name == "href"]

    def handle_data(self, data: str) -> None:
        self.text.append(data)


TEXT_PARTS = [*"aZ09 \t\\`*_[]<>|~&{}#+-=:)(!\"'$%^;,?", "1.", "1)", "- ", "+ ", "> ", "# ", " ##", "#  ", "***", "---",
              "```", "~~~", "<b>", "&amp;", "&#65;", "[x](y)", "![i](j)", ":::", "{#x}", "|a|b|", "\u00a0", "é", "    ",
              " https://", "http://", "www.", "x.org", "gov.uk/", "foi_", "a_b", "team@", "@", "/", ".", "?q=1&r=2",
              "mailto:", "javascript:"]


def _links(text: str) -> list[str]:
    """The addresses of the links linkify-it finds in the text, as markdown-it asks for them (its `test` first,
    which can miss a link `match` finds: "x.org<"), writes and allows them."""
    md, linkify = parser(), LinkifyIt()
    if not linkify.pretest(text) or not linkify.test(text):
        return []
    return [url for url in (md.normalizeLink(match.url) for match in linkify.match(text) or [])
            if md.validateLink(url)]


@settings(max_examples=2_000, deadline=None)
@given(st.lists(st.sampled_from(TEXT_PARTS), min_size=1, max_size=12).map("".join),
       st.sampled_from(["", "### ", "**1.** "]))
def test_escaped_text_shows_as_written_in_a_paragraph_or_a_heading(text: str, before: str) -> None:
    """As a letter's pages use `escape`: a paragraph, a question's heading, a numbered answer. The links are the
    ones in the text as written, with no escape in their address or their text (`foi\\_requests`)."""
    text = text.strip(" \t")
    if not text.strip():
        return
    shown = _Shown()
    shown.feed(parser().render(before + escape(text)))
    assert "".join(shown.text).strip() == (("1. " if before.startswith("**") else "") + text).strip()
    assert shown.tags <= {"p", "h3", "strong", "a"}
    assert shown.hrefs == _links(text)


def test_a_link_with_an_escaped_character_keeps_it() -> None:
    page = render(escape("See https://www.gov.uk/foi_requests, www.gov.uk/foi_requests or write to foi_team@x.gov.uk."))
    assert page == (
        '<p>See <a href="https://www.gov.uk/foi_requests">https://www.gov.uk/foi_requests</a>, '
        '<a href="http://www.gov.uk/foi_requests">www.gov.uk/foi_requests</a> or write to '
        '<a href="mailto:foi_team@x.gov.uk">foi_team@x.gov.uk</a>.</p>\n')


# The lines pages.py writes (`letter_body`), from escaped text, and lines a person might write instead.
PLAIN_TEXT = st.lists(st.sampled_from([*TEXT_PARTS, "foi@x.gov.uk", "www.x.org/a_b", "é\u00a0", "\u2003"]),
                      min_size=1, max_size=6).map("".join)
WRITTEN = [
    lambda t: escape(t), lambda t: f"- {escape(t)}", lambda t: f"**1.** {escape(t)}", lambda t: f"**a.** {escape(t)}",
    lambda t: f"## {escape(t)}", lambda t: f"### {escape(t)}", lambda t: f"#### {escape(t)}",
    lambda t: f"{{#q1 .question}}\n### {escape(t)}", lambda t: f"{{#q2a .question}}\n#### 2\\. {escape(t)}",
    lambda t: "*No answer given in turn.*", lambda t: f"::: boilerplate {escape(t)}", lambda t: "::: boilerplate",
    lambda t: ":::", lambda t: "", lambda t: " ", lambda t: t, lambda t: f"- {t}", lambda t: f"### {t}",
    lambda t: f"{{#q1 .question}}\n{escape(t)}", lambda t: f"{{#q1 .other}}\n### {escape(t)}",
    lambda t: f" {escape(t)}", lambda t: f"**1.**{escape(t)}", lambda t: f"*No answer given in turn.* {escape(t)}",
    lambda t: "- ",
]


@settings(max_examples=2_000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(range(len(WRITTEN))), PLAIN_TEXT, st.sampled_from(["\n\n", "\n"])),
                max_size=12))
def test_what_pages_py_writes_renders_as_markdown_it_renders_it(lines: list[tuple[int, str, str]]) -> None:
    text = "".join(WRITTEN[kind](words) + end for kind, words, end in lines)
    assert render(text) == parser().render(text)
    plain = _plain_html(text)
    assert plain is None or plain == parser().render(text)


@settings(max_examples=1_000, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(range(10)), PLAIN_TEXT), max_size=12))
def test_what_pages_py_writes_is_rendered_without_markdown_it(blocks: list[tuple[int, str]]) -> None:
    """Blocks as `letter_body` writes them (its first ten kinds of line, text on one line, a bullet list's items
    together) are all turned into HTML line by line."""
    kinds = [kind for kind, _ in blocks]
    text = "".join(WRITTEN[kind](" ".join(words.split()) or "x")
                   + ("\n" if kind == 1 and kinds[number + 1:number + 2] == [1] else "\n\n")
                   for number, (kind, words) in enumerate(blocks))
    assert _plain_html(text) == parser().render(text)


def test_every_example_page_is_rendered_without_markdown_it() -> None:
    """The example letters' pages are what pages.py writes: each part is turned into HTML line by line."""
    pages = sorted((REPO / "content" / "letters").rglob("*.md"))
    assert pages
    for page in pages:
        body = page.read_text(encoding="utf-8").split("\n---\n", 1)[1]
        for segment, block in _segments(body) or [(body, False)]:
            plain = _plain_block(segment) if block else _plain_html(segment)
            assert plain == parser().render(segment), (page, segment)
