"""Turn exported letter text into clean blocks: conversion debris out, structure kept."""

from __future__ import annotations

import re

from .model import Block

_HEADING_HASHES = re.compile(r"^#{1,6}\s+")
_EMPHASIS_RUN = re.compile(r"(?<!\\)(\*{2,3}|_{2,3})")
_WHOLE_EMPHASIS = re.compile(r"^(\*{1,3}|_{2,3})(?=\S).*\S\1$", re.S)
_MD_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!>|~])")
_MD_LINK = re.compile(r"\[([^\]\n]*)\]\(([^)\s]*)\)")
_ANGLE_LINK = re.compile(r"<((?:https?://|mailto:)[^>\s]+)>")
_BULLET = re.compile(r"^(?:-\s+)?(?:[o•·▪◦●\u2013*-]|\\\*)\s+(?=\S)")
_DASH_PREFIX = re.compile(r"^-\s+(?=\S)")
_ITEM = re.compile(
    r"^(?:(?:Q|Question)\s*(?P<q>\d{1,2}[a-z]?)\s*[.:)\-]?\s+"
    r"|\((?P<paren>\d{1,2}|[a-z]|[ivx]{1,4})\)\s+"
    r"|(?P<num>\d{1,2}[a-z]?)[.)]\s+"
    r"|(?P<alpha>[a-z])[.)]\s+)(?=\S)",
    re.I,
)
_TERMINAL = re.compile(r"[.?!:;,\"'’”)\]]$")
SECTION_TITLES = re.compile(
    r"^(response|our response|the response|your request|request|further information|"
    r"advice and assistance\s*:?\s*direct marketing|direct marketing|your rights|"
    r"right of review|right to review|rights of review|internal review|complaints?|"
    r"re-?use of (the )?information|copyright|open government licen[cs]e|"
    r"information commissioner|appeals?|refusal notice.*|exemptions?( applied)?|"
    r"if you are (unhappy|dissatisfied).*|yours (sincerely|faithfully).*)$",
    re.I,
)


def clean_inline(text: str) -> str:
    """Remove emphasis debris and markdown escapes, keep links readable as plain text."""
    text = _MD_LINK.sub(_link_text, text)
    text = _ANGLE_LINK.sub(lambda m: m.group(1).removeprefix("mailto:"), text)
    text = _EMPHASIS_RUN.sub("", text)
    text = re.sub(r"(?<![\w\\])\*(?=\S)([^*\n]+?)(?<=\S)\*(?!\w)", r"\1", text)
    text = _MD_ESCAPE.sub(r"\1", text)
    text = text.replace("\u00a0", " ")
    text = re.sub(r"[ \t]+", " ", text).strip()
    return text


def _link_text(match: re.Match[str]) -> str:
    label, url = match.group(1).strip(), match.group(2).strip()
    bare = url.removeprefix("mailto:")
    if not url or url.startswith("#") or not re.match(r"(?i)(https?://|mailto:)", url):
        return label
    if not label or label.rstrip("/") in url or bare == label:
        return label or bare
    return f"{label} ({bare})"


def split_blocks(text: str) -> list[Block]:
    """Cleaned text blocks, each with the line number it starts on."""
    blocks: list[Block] = []
    paragraph_start = True
    for number, raw in enumerate(text.split("\n"), start=1):
        line = raw.strip()
        if not line:
            paragraph_start = True
            continue
        block = _classify(line, number)
        if block is None:
            paragraph_start = True
            continue
        if paragraph_start or block.kind != "para" or not blocks or blocks[-1].kind == "heading":
            blocks.append(block)
        else:
            blocks[-1].text = f"{blocks[-1].text} {block.text}"
            blocks[-1].emphasis = blocks[-1].emphasis and block.emphasis
        paragraph_start = False
    return join_broken_paragraphs(blocks)


def _classify(line: str, number: int) -> Block | None:
    heading = bool(_HEADING_HASHES.match(line))
    line = _HEADING_HASHES.sub("", line)
    emphasis = bool(_WHOLE_EMPHASIS.match(line.strip()))
    stripped = _EMPHASIS_RUN.sub("", line).strip()
    if stripped.startswith("\\*") or stripped.startswith("* ") and not heading:
        line = stripped
    kind = "para"
    label = None
    if _BULLET.match(stripped) and not _ITEM.match(_DASH_PREFIX.sub("", stripped)):
        kind, line = "bullet", _BULLET.sub("", stripped)
    else:
        candidate = _DASH_PREFIX.sub("", stripped)
        item = _ITEM.match(candidate)
        if item:
            kind = "item"
            label = next(g for g in item.group("q", "paren", "num", "alpha") if g).lower()
            line = candidate[item.end():]
    text = clean_inline(line)
    if not text or re.fullmatch(r"[*_#\-\s]+", text):
        return None
    if kind == "para" and (heading or _looks_like_heading(text, emphasis)):
        kind = "heading"
    return Block(kind=kind, text=text, line=number, label=label, emphasis=emphasis)  # type: ignore[arg-type]


def _looks_like_heading(text: str, emphasis: bool) -> bool:
    if SECTION_TITLES.match(text.rstrip(":")):
        return not text.lower().startswith(("if you are", "yours")) or len(text) < 40
    return emphasis and len(text.split()) <= 6 and not _TERMINAL.search(text) and text[0].isupper()


def join_broken_paragraphs(blocks: list[Block]) -> list[Block]:
    """Rejoin paragraphs that a page break split mid-sentence."""
    joined: list[Block] = []
    for block in blocks:
        previous = joined[-1] if joined else None
        if (previous is not None and previous.kind in ("para", "item") and block.kind == "para"
                and not _TERMINAL.search(previous.text) and block.text[:1].islower()):
            previous.text = f"{previous.text} {block.text}"
            continue
        joined.append(block)
    return joined
