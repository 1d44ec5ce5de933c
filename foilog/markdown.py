"""Letter text as safe markdown, and markdown as HTML (raw HTML off, unsafe links refused)."""

from __future__ import annotations

import html
import re
from functools import cache

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
# "Our ref: 123", is not a scheme.)
_MAY_HAVE_LINK = re.compile(r"[/@]|(?:https?|ftp|mailto):|localhost|www\.|\.\d|\.[^\W\d_]{2}", re.I)


_REMEMBERED = 4096


class _QuickLinkify(LinkifyIt):
    """linkify-it, answering "no link here" at once for text that cannot hold one, and remembering its answers
    for text it has seen (the same closing paragraphs come in letter after letter). The same links either way."""

    def __init__(self) -> None:
        super().__init__()
        self._tested: dict[str, bool] = {}
        self._matched: dict[str, list[object] | None] = {}

    def pretest(self, text: str) -> bool:
        return bool(_MAY_HAVE_LINK.search(text)) and bool(super().pretest(text))

    def test(self, text: str) -> bool:
        if not _MAY_HAVE_LINK.search(text):
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
    letter: each `::: boilerplate` block that stands on its own is rendered once and remembered."""
    segments = _segments(text)
    if segments is None:
        return parser().render(text)
    return "".join(_block_html(segment) if block else parser().render(segment)
                   for segment, block in segments if block or segment.strip(_BLANK_LINES))  # blank: no HTML


_REMEMBERED_BLOCKS = 1024
_blocks: dict[str, str] = {}


def _block_html(block: str) -> str:
    html_ = _blocks.get(block)
    if html_ is None:
        if len(_blocks) >= _REMEMBERED_BLOCKS:
            _blocks.clear()
        html_ = _blocks[block] = parser().render(block)
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
