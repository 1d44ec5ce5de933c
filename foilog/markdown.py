"""Letter text as safe markdown, and markdown as HTML (raw HTML off, unsafe links refused)."""

from __future__ import annotations

import html
import re
from functools import cache

from linkify_it import LinkifyIt  # type: ignore[import-untyped]
from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from mdit_py_plugins.attrs import attrs_block_plugin
from mdit_py_plugins.container import container_plugin

_ALWAYS = re.compile(r"([\\`*_\[\]<>|~&{}])")
_LINE_START = re.compile(r"^(\s*)([#+\-=>:]|\d+[.)])")


def escape(text: str) -> str:
    """Text that markdown will show exactly as written, never as markup."""
    text = _ALWAYS.sub(r"\\\1", text)
    return _LINE_START.sub(lambda m: m.group(1) + re.sub(r"([#+\-=>:.)])", r"\\\1", m.group(2)), text)


def _render_boilerplate(self: object, tokens: list, idx: int, options: object, env: object) -> str:
    token = tokens[idx]
    if token.nesting == 1:
        title = token.info.strip().removeprefix("boilerplate").strip() or "More"
        return f'<details class="boilerplate">\n<summary>{escapeHtml(title)}</summary>\n'
    return "</details>\n"


# Every link linkify-it can find has a scheme's colon, a slash, an @, "localhost", "www.", or a dot followed by a
# digit (an IP address) or by two letters (a top-level domain): text with none of these is skipped, saving its
# slow full test, which would find nothing there anyway.
_MAY_HAVE_LINK = re.compile(r"[:/@]|localhost|www\.|\.\d|\.[^\W\d_]{2}", re.I)


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
    return parser().render(text)
