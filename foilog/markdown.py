"""Letter text as safe markdown, and markdown as HTML (raw HTML off, unsafe links refused)."""

from __future__ import annotations

import html
import re
from functools import cache
from typing import cast

from linkify_it import LinkifyIt  # type: ignore[import-untyped]
from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.rules_core.text_join import text_join
from mdit_py_plugins.attrs import attrs_block_plugin
from mdit_py_plugins.container import container_plugin

_ALWAYS = re.compile(r"([\\`*_\[\]<>|~&{}])")
_CLOSING_HASHES = re.compile(r"(?<=[ \t])(#+[ \t]*)$", re.M)  # would end a heading: "### Ref #"
_LINE_START = re.compile(r"^(\s*)([#+\-=>:]|\d+[.)])")


def escape(text: str) -> str:
    """Text that markdown will show exactly as written, never as markup."""
    text = _CLOSING_HASHES.sub(r"\\\1", _ALWAYS.sub(r"\\\1", text))
    return _LINE_START.sub(lambda m: m.group(1) + re.sub(r"([#+\-=>:.)])", r"\\\1", m.group(2)), text)


def _render_boilerplate(self: object, tokens: list, idx: int, options: object, env: object) -> str:
    token = tokens[idx]
    if token.nesting == 1:
        title = token.info.strip().removeprefix("boilerplate").strip() or "More"
        return f'<details class="boilerplate">\n<summary>{escapeHtml(title)}</summary>\n'
    return "</details>\n"


# Every link linkify-it can find has one of its schemes (http:, https:, ftp:, mailto:, //), an @, "localhost",
# "www.", or a dot followed by a digit (an IP address) or by two letters (a top-level domain): text with none of
# these is skipped, saving its slow full test, which would find nothing there anyway. (A colon alone, as in
# "Our ref: 123", is not a scheme.) Each is looked for on its own, the cheapest first: one pattern of them all
# took four times as long, trying each at every letter of the text.
_DOT = re.compile(r"\.(?:\d|[^\W\d_]{2}|(?<=www\.))", re.I)
_SCHEME = re.compile(r"(?:https?|ftp|mailto):", re.I)
_LOCALHOST = re.compile(r"localhost", re.I)


def _may_have_link(text: str) -> bool:
    return ("/" in text or "@" in text or _DOT.search(text) is not None
            or (":" in text and _SCHEME.search(text) is not None)
            or ("localho" in text.lower() and _LOCALHOST.search(text) is not None))  # (re.I: "localhoſt" too)


_REMEMBERED = 4096


class _QuickLinkify(LinkifyIt):
    """linkify-it, answering "no link here" at once for text that cannot hold one, and remembering its answers
    for text it has seen (the same closing paragraphs come in letter after letter). The same links either way."""

    def __init__(self) -> None:
        super().__init__()
        self._tested: dict[str, bool] = {}
        self._matched: dict[str, list[object] | None] = {}

    def pretest(self, text: str) -> bool:
        return _may_have_link(text) and bool(super().pretest(text))

    def test(self, text: str) -> bool:
        if not _may_have_link(text):
            return False
        if text not in self._tested:
            if len(self._tested) >= _REMEMBERED:
                self._tested.clear()
            self._tested[text] = bool(super().test(text))
        return self._tested[text]

    def match(self, text: str) -> list[object] | None:
        if text not in self._matched:
            if len(self._matched) >= _REMEMBERED:
                self._matched.clear()
            self._matched[text] = super().match(text)
        found = self._matched[text]
        return None if found is None else list(found)  # the matches are only read, never changed


@cache
def parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": True, "typographer": False})
    md.linkify = _QuickLinkify()
    md.enable(["linkify", "table", "strikethrough"])
    # Links are found in the text as shown, its escapes undone: markdown-it's inline linkify reads the source,
    # backslashes and all (`foi\_requests`), and its core linkify, run before escapes are joined to the text
    # around them, sees `www.gov.uk/foi` and `requests` apart.
    md.inline.ruler.disable("linkify")
    md.core.ruler.disable("text_join")
    md.core.ruler.before("linkify", "text_join_before_linkify", text_join)
    md.use(attrs_block_plugin, allowed=["id", "class"])  # `{#q1 .question}`; never on* handlers or style
    md.use(container_plugin, name="boilerplate", render=_render_boilerplate)
    md.validateLink = _safe_link  # type: ignore[method-assign]
    return md


def _safe_link(url: str) -> bool:
    target = html.unescape(url).strip().lower()
    target = re.sub(r"[\x00-\x20]", "", target)
    if ":" not in target.split("/")[0].split("?")[0].split("#")[0]:
        return True
    return target.startswith(("http:", "https:", "mailto:"))


def render(text: str) -> str:
    """Markdown as HTML. The closing sections (review rights, re-use, copyright) are the same in letter after
    letter: each `::: boilerplate` block that stands on its own is rendered once and remembered; the rest, where
    it is only what pages.py writes, is turned into HTML line by line (`_plain_html`)."""
    segments = _segments(text)
    if segments is None:
        return _html(text)
    return "".join(_block_html(segment) if block else _html(segment)
                   for segment, block in segments if block or segment.strip(_BLANK_LINES))  # blank: no HTML


def _html(text: str) -> str:
    plain = _plain_html(text)
    return parser().render(text) if plain is None else plain


_REMEMBERED_BLOCKS = 1024
_blocks: dict[str, str] = {}


def _block_html(block: str) -> str:
    html_ = _blocks.get(block)
    if html_ is None:
        if len(_blocks) >= _REMEMBERED_BLOCKS:
            _blocks.clear()
        plain = _plain_block(block)
        html_ = _blocks[block] = parser().render(block) if plain is None else plain
    return html_


# A fenced code block may hold a line that looks like a container's marker; a link reference defined in one part
# may be used in another: a text with either is rendered whole.
_FENCE_OR_REFERENCE = re.compile(r"^ {0,3}(?:```|~~~|\[[^\]\n]*\]:)", re.M)
_ATTRIBUTES = re.compile(r"^ {0,3}\{")
_BLANK = " \t"
_BLANK_LINES = " \t\n"


def _segments(text: str) -> list[tuple[str, bool]] | None:
    """The text cut before and after each `::: boilerplate` block (True) that is rendered the same alone as in
    the whole: at the start of a line after a blank line (or the text's start), closed by a line `:::` before a
    blank line (or the text's end), and not given attributes by a `{...}` line above it. None when a block
    is not so, or the text has something else that could reach across the cuts."""
    if ":::" not in text or "\r" in text or _FENCE_OR_REFERENCE.search(text):
        return None
    lines = text.split("\n")
    segments: list[tuple[str, bool]] = []
    start, inside, last_filled = 0, False, ""
    for number, line in enumerate(lines):
        if not line.lstrip(" ").startswith(":::") or len(line) - len(line.lstrip(" ")) > 3:
            if line.strip(_BLANK):
                last_filled = line
            continue
        before = lines[number - 1] if number else ""
        after = lines[number + 1] if number + 1 < len(lines) else ""
        if not inside:
            if not line.startswith("::: boilerplate") or before.strip(_BLANK) or _ATTRIBUTES.match(last_filled):
                return None
            if number > start:
                segments.append(("\n".join(lines[start:number]) + "\n", False))
            start, inside = number, True
        else:
            if line.rstrip(_BLANK) != ":::" or after.strip(_BLANK):
                return None
            segments.append(("\n".join(lines[start:number + 1]) + ("\n" if number + 1 < len(lines) else ""), True))
            start, inside = number + 1, False
        last_filled = line
    if inside:
        return None
    segments.append(("\n".join(lines[start:]), False))
    return segments


# ---------------------------------------------------------------- the markdown pages.py writes, without markdown-it

# What pages.py writes of a letter's text is escaped (`escape`), one paragraph, list item or heading a line:
# markdown-it takes ten times as long as reading it line by line. `_plain_html` gives markdown-it's HTML for text
# made only of such lines, each block between blank lines, and None for anything else (a hand-edited page may
# hold any markdown): tests check the two agree on generated pages and every example page.
_ESCAPES = re.compile(r"\\([!-/:-@\[-`{-~])")
_TEXT_ONLY = re.compile(r"(?:\\[!-/:-@\[-`{-~]|[^\\`~*_\[<&\x00\r\n])*")  # no markup once its escapes are read
_STARTS_BLOCK = re.compile(r"[#>*+\-=_|~:{\[`<\s]|\d{1,9}[.)]")  # a line starting so may not be a paragraph
_HEADING_LINE = re.compile(r"(#{1,6}) (.+)")
_CLOSES_HEADING = re.compile(r"(?:^|[ \t])#+$")
_QUESTION_ATTRIBUTES = re.compile(r"\{#([A-Za-z][A-Za-z0-9_-]*) \.question\}")
_NUMBERED = re.compile(r"\*\*([A-Za-z0-9]{1,9})\.\*\* (.+)")
_NO_ANSWER = "*No answer given in turn.*"


def _plain_html(text: str) -> str | None:
    """The HTML of text made of the blocks pages.py writes, or None."""
    lines = text.split("\n")
    html_: list[str] = []
    number = 0
    while number < len(lines):
        line = lines[number]
        if not line.strip(_BLANK):
            number += 1
            continue
        if line != line.strip() or (number and lines[number - 1].strip(_BLANK)):
            return None  # a block not after a blank line, or with space around it
        end = number + 1
        if line.startswith("- "):
            while end < len(lines) and lines[end].startswith("- "):
                end += 1
            items = [_paragraph_text(item[2:]) for item in lines[number:end]]
            following = next((later for later in lines[end:] if later.strip(_BLANK)), "")
            if None in items or following.startswith("-"):
                return None  # (a list after a blank line goes on: its items are loose, paragraphs)
            html_ += ["<ul>\n", *(f"<li>{item}</li>\n" for item in items), "</ul>\n"]
        elif attributes := _QUESTION_ATTRIBUTES.fullmatch(line):
            heading = _heading(lines[end] if end < len(lines) else "", f' id="{attributes[1]}" class="question"')
            if heading is None:
                return None
            html_.append(heading)
            end += 1
        elif line.startswith("#"):
            heading = _heading(line, "")
            if heading is None:
                return None
            html_.append(heading)
        elif line == _NO_ANSWER:
            html_.append("<p><em>No answer given in turn.</em></p>\n")
        elif numbered := _NUMBERED.fullmatch(line):
            rest = _inline_html(numbered[2], line)
            if rest is None:
                return None
            html_.append(f"<p><strong>{_inline_html(numbered[1] + '.', line)}</strong> {rest}</p>\n")
        else:
            paragraph = _paragraph_text(line)
            if paragraph is None:
                return None
            html_.append(f"<p>{paragraph}</p>\n")
        if end < len(lines) and lines[end].strip(_BLANK):
            return None  # a block not followed by a blank line
        number = end
    return "".join(html_)


_BOILERPLATE_OPENING = re.compile(r"::: boilerplate(?: (.+))?")


def _plain_block(block: str) -> str | None:
    """The HTML of a `::: boilerplate` block (as `_segments` cuts it) of what pages.py writes, or None."""
    lines = block.removesuffix("\n").split("\n")
    opening = _BOILERPLATE_OPENING.fullmatch(lines[0])
    if opening is None or len(lines) < 2 or lines[-1] != ":::" or (len(lines) > 2 and lines[-2].strip(_BLANK)):
        return None
    title = opening[1] or ""
    inner = _plain_html("\n".join(lines[1:-1]))
    if title != title.strip() or inner is None:
        return None
    return f'<details class="boilerplate">\n<summary>{escapeHtml(title or "More")}</summary>\n{inner}</details>\n'


def _paragraph_text(line: str) -> str | None:
    if not line or line != line.strip() or _STARTS_BLOCK.match(line):
        return None
    return _inline_html(line, line)


def _heading(line: str, attributes: str) -> str | None:
    found = _HEADING_LINE.fullmatch(line)
    if found is None or found[2] != found[2].strip() or _CLOSES_HEADING.search(found[2]):
        return None
    content = _inline_html(found[2], found[2])
    level = len(found[1])
    return None if content is None else f"<h{level}{attributes}>{content}</h{level}>\n"


def _inline_html(text: str, source: str) -> str | None:
    """Escaped text with no markup as HTML (`source`: the whole of the paragraph or heading it is in, which
    markdown-it's linkify asks first); None if it has markup. Text with a link is left to markdown-it's own
    linkify, which writes the link."""
    if not _TEXT_ONLY.fullmatch(text):
        return None
    shown = _ESCAPES.sub(r"\1", text) if "\\" in text else text
    md = parser()
    linkify = cast(_QuickLinkify, md.linkify)
    if not linkify.pretest(source) or not linkify.test(shown):
        return escapeHtml(shown)
    return str(md.renderInline(text))
