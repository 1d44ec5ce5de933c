"""A letter page's body (the markdown that pages.py writes, perhaps edited by hand) as plain-text passages.

The search indexes and quotes these. Folded `::: boilerplate` sections are left out; each question (a heading after a
`{#q1 .question}` line) becomes its own passage with its anchor, so a search hit can link straight to it. This is a
line reader, not a full markdown parser: markdown-it takes ~10 ms a letter, too slow to run twice at 100,000
letters. The tests check that it gives the same text as markdown-it's rendering of every example page.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from typing import Literal

Part = Literal["request", "response"]

_CONTAINER_OPEN = re.compile(r"^ {0,3}:{3,}\s*boilerplate\b")
_CONTAINER_CLOSE = re.compile(r"^ {0,3}:{3,}\s*$")
_ATTRS = re.compile(r"^ {0,3}\{([^{}]*)\}\s*$")
_HEADING = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
_ITEM = re.compile(r"^\s*(?:[-*+]|\d{1,9}[.)])(?:[ \t]+|$)")
_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")
_THEMATIC_BREAK = re.compile(r"^ {0,3}([-*_])(\s*\1){2,}\s*$")
_QUOTE = re.compile(r"^ {0,3}>\s?")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_INLINE = re.compile(
    r"\\([!-/:-@\[-`{-~])"          # 1: a backslash escape
    r"|(&(?:#\d{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});)"  # 2: an entity
    r"|!?\[((?:[^\]\\]|\\.)*)\]\([^)\s]*(?:\s+\"[^\"]*\")?\)"  # 3: link or image text
    r"|<((?:https?|mailto):[^>\s]*)>"  # 4: an autolink
    r"|(\*+|`+)"                    # 5: emphasis or code markers
    r"|(?<![A-Za-z0-9])_+|_+(?![A-Za-z0-9])"  # emphasis underscores (not inside words)
)
_MARKUP = re.compile(r"[\\&\[*`_<]")
_HARD_BREAK = re.compile(r"(?<!\\)\\$|  +$")


@dataclass
class Passage:
    """Some of a letter's text: its request, its response, or one question with its answer."""

    part: Part
    anchor: str = ""
    heading: str = ""
    paragraphs: list[str] = field(default_factory=list)


def passages(body: str) -> list[Passage]:
    """The body's passages in page order, without the folded boilerplate sections."""
    reader = _Reader()
    for line in body.splitlines():
        reader.line(line)
    reader.end_paragraph()
    return [p for p in reader.passages if p.paragraphs or p.heading]


class _Reader:
    def __init__(self) -> None:
        self.passages: list[Passage] = [Passage("request")]
        self.part: Part = "request"
        self.lines: list[str] = []
        self.depth = 0  # inside `::: boilerplate` containers
        self.fence = ""
        self.pending_anchor = ""
        self.question_level = 0

    @property
    def current(self) -> Passage:
        return self.passages[-1]

    def line(self, line: str) -> None:
        first = line.lstrip()[:1]
        if self.depth or self.fence:
            self.inside(line)
        elif not first:
            self.end_paragraph()
        elif first.isalpha():
            self.text(line)  # most lines
        elif first == ":" and _CONTAINER_OPEN.match(line):
            self.end_paragraph()
            self.depth += 1
        elif first in "`~" and (fence := _FENCE.match(line)):
            self.end_paragraph()
            self.fence = fence.group(1)
        elif first in "-*_|:" and (_TABLE_RULE.match(line) or _THEMATIC_BREAK.match(line)):
            self.end_paragraph()
        elif first == "{" and (attrs := _ATTRS.match(line)):
            self.end_paragraph()
            self.attributes(attrs.group(1))
        elif first == "#" and (heading := _HEADING.match(line)):
            self.end_paragraph()
            self.heading(len(heading.group(1)), plain(heading.group(2) or ""))
        else:
            self.text(line)

    def inside(self, line: str) -> None:
        """A line of a folded boilerplate section (left out) or of a fenced code block (kept as text)."""
        if self.fence:
            if line.strip().startswith(self.fence):
                self.fence = ""
                self.end_paragraph()
            elif not self.depth:
                self.lines.append(line)
        elif _CONTAINER_OPEN.match(line):
            self.depth += 1
        elif _CONTAINER_CLOSE.match(line):
            self.depth -= 1

    def attributes(self, text: str) -> None:
        anchor = re.search(r"#([^\s#.}]+)", text)
        if anchor and re.search(r"(?:^|\s)\.question(?:\s|$)", text):
            self.pending_anchor = anchor.group(1)

    def heading(self, level: int, text: str) -> None:
        anchor, self.pending_anchor = self.pending_anchor, ""
        if level == 2 and text.lower() in ("request", "response"):
            self.part = "response" if text.lower() == "response" else "request"
            self.question_level = 0
            self.passages.append(Passage(self.part))
        elif anchor:
            self.question_level = level
            self.passages.append(Passage(self.part, anchor=anchor, heading=text))
        else:
            if self.question_level and level <= self.question_level:
                self.question_level = 0
                self.passages.append(Passage(self.part))
            if text:
                self.current.paragraphs.append(text)

    def text(self, line: str) -> None:
        if not line[:1].isalpha():
            line = _QUOTE.sub("", line)
            if _ITEM.match(line):
                self.end_paragraph()
                line = _ITEM.sub("", line, count=1)
            if line.strip().startswith("|"):
                line = " ".join(cell for cell in (c.strip() for c in re.split(r"(?<!\\)\|", line)) if cell)
        if line.endswith(("\\", "  ")):
            line = _HARD_BREAK.sub("", line)
        self.lines.append(line.strip())

    def end_paragraph(self) -> None:
        if self.lines:
            self.pending_anchor = ""  # the attributes belonged to this paragraph, not to a question heading
            text = plain(" ".join(self.lines))
            if text:
                self.current.paragraphs.append(text)
            self.lines = []


def plain(markdown: str) -> str:
    """One line of markdown as the text a reader sees."""
    if not _MARKUP.search(markdown):
        return " ".join(markdown.split())
    return re.sub(r"\s+", " ", _INLINE.sub(_inline_text, markdown)).strip()


def _inline_text(match: re.Match[str]) -> str:
    escaped, entity, link_text, autolink = match.group(1, 2, 3, 4)
    if escaped is not None:
        return escaped
    if entity is not None:
        return html.unescape(entity)
    if link_text is not None:
        return plain(link_text)
    if autolink is not None:
        return autolink
    return ""
