"""Letter text as safe markdown, and markdown as HTML (raw HTML off, unsafe links refused)."""

from __future__ import annotations

import html
import re
from functools import cache

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


@cache
def parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": True, "typographer": False})
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
