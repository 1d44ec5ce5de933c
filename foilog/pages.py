"""Stage 3: write each letter as a markdown page with YAML front matter, keeping hand edits."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from pathlib import Path
from typing import Any

import yaml

from .errors import FoilogError
from .markdown import escape
from .model import OUTCOMES, Block, Letter, Question
from .urls import page_path_for

READER_VERSION = 1
EDITABLE_KEYS = ("title", "summary", "topics")
FRONT_MATTER_KEYS: tuple[str, ...] = (
    "title", "summary", "authority", "authority_address", "reference", "received", "responded",
    "regime", "working_days", "late", "outcome", "exemptions", "topics", "numbered_questions",
    "questions", "source", "source_sha256", "reader_version", "derived", "encoding",
)


# ---------------------------------------------------------------- writing

def front_matter(letter: Letter) -> dict[str, Any]:
    return {
        "title": letter.title,
        "summary": letter.summary,
        "authority": letter.authority,
        "authority_address": letter.authority_address,
        "reference": letter.reference,
        "received": letter.received,
        "responded": letter.responded,
        "regime": letter.regime,
        "working_days": letter.working_days,
        "late": letter.late,
        "outcome": letter.outcome,
        "exemptions": list(letter.exemptions),
        "topics": list(letter.topics),
        "numbered_questions": letter.numbered_questions,
        "questions": [{"id": q.anchor, "label": q.label, "text": q.text} for q in letter.questions],
        "source": letter.source,
        "source_sha256": letter.sha256,
        "reader_version": READER_VERSION,
        "derived": {key: fingerprint(getattr(letter, key)) for key in EDITABLE_KEYS},
        "encoding": letter.encoding,
    }


def fingerprint(value: object) -> str:
    """A short hash of a derived value, so a later build can tell whether a person changed it."""
    return hashlib.sha256(repr(value).encode()).hexdigest()[:12]


def keep_hand_edits(meta: dict[str, Any], previous: dict[str, Any] | None) -> dict[str, Any]:
    """Carry over title, summary and topics that a person edited in the previous page."""
    if not previous:
        return meta
    derived = previous.get("derived")
    if not isinstance(derived, dict):
        derived = {}
    for key in EDITABLE_KEYS:
        if key not in previous:
            continue
        old = previous[key]
        if derived.get(key) != fingerprint(old):
            meta[key] = old
    return meta


def dump_page(meta: dict[str, Any], body: str) -> str:
    text = yaml.safe_dump(meta, sort_keys=False, allow_unicode=True, width=100, default_flow_style=False)
    return f"---\n{text}---\n\n{body.rstrip()}\n"


def letter_body(letter: Letter) -> str:
    """The letter as clean markdown: request, response question by question, closing sections folded."""
    out: list[str] = []
    if len(letter.preamble) > 1:
        out += ["::: boilerplate Letter heading", ""] + _blocks(letter.preamble[:-1]) + [":::", ""]
    out += ["## Request", ""]
    out += _blocks(letter.preamble[-1:] + letter.request)
    out += ["## Response", ""]
    answered = [q for q in letter.questions if q.echoed or q.answer]
    intro = [b for b in letter.response if not _is_after_answers(b, answered)]
    out += _blocks(intro)
    grouped = any(q.group for q in answered)
    group: str | None = None
    for question in answered:
        if question.group and question.group != group:
            group = question.group
            out += [f"### {escape(group)}", ""]
        out += _question(question, "####" if grouped else "###")
    out += _blocks([b for b in letter.response if _is_after_answers(b, answered)])
    for section in letter.boilerplate:
        out += [f"::: boilerplate {_one_line(section.title)}", ""]
        out += _blocks(section.blocks)
        out += [":::", ""]
    return "\n".join(out).rstrip() + "\n"


def _is_after_answers(block: Block, answered: list[Question]) -> bool:
    last = max((a.line for q in answered for a in q.answer), default=None)
    return last is not None and block.line > last


def _question(question: Question, level: str) -> list[str]:
    label = f"{question.label}. " if question.label else ""
    lines = [f"{{#{question.anchor} .question}}", f"{level} {escape(label + _one_line(question.text))}", ""]
    return lines + (_blocks(question.answer) if question.answer else ["*No answer given in turn.*", ""])


def _blocks(blocks: list[Block]) -> list[str]:
    lines: list[str] = []
    for index, block in enumerate(blocks):
        text = escape(_one_line(block.text))
        if block.kind == "bullet":
            lines.append(f"- {text}")
            following = blocks[index + 1] if index + 1 < len(blocks) else None
            if following is None or following.kind != "bullet":
                lines.append("")
        elif block.kind == "item":
            lines += [f"**{escape(block.label or '')}.** {text}", ""]
        elif block.kind == "heading":
            lines += [f"### {text}", ""]
        else:
            lines += [text, ""]
    return lines


def _one_line(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


# ---------------------------------------------------------------- reading

_FRONT = re.compile(r"\A---[ \t]*\n(.*?\n)?---[ \t]*\n?", re.S)


def split_page(text: str, path: Path | str) -> tuple[dict[str, Any], str]:
    match = _FRONT.match(text)
    if not match:
        raise FoilogError("the page has no front matter", file=path, line=1,
                          hint="start the file with a line '---', the YAML keys, then another '---'")
    try:
        meta = yaml.safe_load(match.group(1) or "") or {}
    except yaml.YAMLError as exc:
        started = getattr(exc, "context_mark", None)
        noticed = getattr(exc, "problem_mark", None)
        mark = started or noticed
        line = mark.line + 2 if mark is not None else 1
        problem = getattr(exc, "problem", None) or str(exc)
        if started is not None and noticed is not None and noticed.line != started.line:
            problem += f" ({getattr(exc, 'context', None) or 'it starts here'}; noticed on line {noticed.line + 2})"
        raise FoilogError(f"the front matter is not valid YAML: {problem}", file=path, line=line,
                          hint="check indentation and quote values that contain ':' or '#'") from None
    if not isinstance(meta, dict):
        raise FoilogError("the front matter must be a set of `key: value` lines", file=path, line=2,
                          hint="see docs/front-matter.md for the keys a page takes")
    return meta, text[match.end():]


def read_page(path: Path) -> tuple[dict[str, Any], str]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise FoilogError("the page is not UTF-8 text", file=path, hint="save it as UTF-8") from None
    return split_page(text, path)


def letter_from_page(path: Path, content_dir: Path) -> Letter:
    """Rebuild a letter from its page: the page, with any hand edits, is what gets published."""
    meta, body = read_page(path)
    text = path.read_text(encoding="utf-8-sig")
    problems = validate_meta(meta)
    if problems:
        key, message = problems[0]
        raise FoilogError(f"front matter `{key}` {message}", file=path, line=_line_of(text, key),
                          hint="correct the value; docs/front-matter.md describes every key")
    letter = Letter(source=str(meta.get("source") or ""), path=path, page=path, meta=meta, body=body)
    for key in ("title", "summary", "authority", "authority_address", "reference", "received", "responded",
                "regime", "working_days", "late", "outcome", "numbered_questions"):
        if meta.get(key) is not None:
            setattr(letter, key, meta[key])
    letter.reference = str(letter.reference) if letter.reference is not None else ""
    letter.exemptions = [str(e) for e in meta.get("exemptions") or []]
    letter.topics = [str(t) for t in meta.get("topics") or []]
    letter.questions = [Question(anchor=str(q.get("id")), text=str(q.get("text") or ""), label=q.get("label"))
                        for q in meta.get("questions") or [] if isinstance(q, dict)]
    letter.sha256 = str(meta.get("source_sha256") or "")
    if not letter.title:
        letter.title = letter.reference or path.stem
    return letter


_TYPES: dict[str, tuple[type, ...]] = {
    "title": (str,), "summary": (str,), "authority": (str,), "authority_address": (str, type(None)),
    "reference": (str, int), "received": (dt.date, type(None)), "responded": (dt.date, type(None)),
    "working_days": (int, type(None)), "late": (bool, type(None)), "exemptions": (list,), "topics": (list,),
    "numbered_questions": (int, type(None)), "questions": (list,),
}


def validate_meta(meta: dict[str, Any]) -> list[tuple[str, str]]:
    problems = []
    for key, kinds in _TYPES.items():
        if key in meta and not isinstance(meta[key], kinds):
            names = " or ".join(_type_name(k) for k in kinds)
            problems.append((key, f"must be {names}, not {meta[key]!r}"))
    if "outcome" in meta and meta["outcome"] not in OUTCOMES:
        problems.append(("outcome", f"must be one of {', '.join(OUTCOMES)}, not {meta['outcome']!r}"))
    if "regime" in meta and meta["regime"] not in ("FOIA", "EIR"):
        problems.append(("regime", f"must be FOIA or EIR, not {meta['regime']!r}"))
    return problems


def _type_name(kind: type) -> str:
    if kind is type(None):
        return "empty"
    return {"date": "a date (YYYY-MM-DD)", "str": "text", "int": "a whole number", "bool": "true or false",
            "list": "a list"}.get(kind.__name__, kind.__name__)


def line_of_key(path: Path, key: str) -> int | None:
    """The line of a front-matter key in a page, if the key is there."""
    text = path.read_text(encoding="utf-8-sig")
    return _line_of(text, key) if re.search(rf"^{re.escape(key)}\s*:", text, re.M) else None


def _line_of(text: str, key: str) -> int:
    match = re.search(rf"^{re.escape(key)}\s*:", text, re.M)
    return text.count("\n", 0, match.start()) + 1 if match else 1


# ---------------------------------------------------------------- the stage

def existing_pages(content_dir: Path) -> dict[str, Path]:
    """Map each letter source to the page generated from it."""
    pages: dict[str, Path] = {}
    for path in sorted((content_dir / "letters").rglob("*.md")):
        try:
            meta, _ = read_page(path)
        except FoilogError:
            continue
        source = meta.get("source")
        if isinstance(source, str) and source not in pages:
            pages[source] = path
    return pages


def is_current(page: Path | None, letter: Letter) -> bool:
    """Whether the page was generated from exactly this letter by this reader."""
    if page is None or not page.exists():
        return False
    try:
        meta, _ = read_page(page)
    except FoilogError:
        return False
    return meta.get("source_sha256") == letter.sha256 and meta.get("reader_version") == READER_VERSION


def _free_page_path(content_dir: Path, letter: Letter, taken: set[Path], previous: Path | None) -> Path:
    """A page path that belongs to no other letter; a broken page in the way is never overwritten."""
    while True:
        path = page_path_for(content_dir, letter, taken)
        if not path.exists() or path == previous:
            return path
        meta, _ = read_page(path)  # a broken page raises: it is reported, not overwritten
        if meta.get("source") == letter.source:
            return path


def write_page(letter: Letter, content_dir: Path, previous: Path | None, taken: set[Path]) -> Path:
    """Write (or rewrite) the page of a letter that changed, keeping hand-edited fields."""
    old_meta = None
    if previous is not None and previous.exists():
        try:
            old_meta, _ = read_page(previous)
        except FoilogError:
            old_meta = None
    meta = keep_hand_edits(front_matter(letter), old_meta)
    path = _free_page_path(content_dir, letter, taken, previous)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(dump_page(meta, letter_body(letter)), encoding="utf-8")
    if previous is not None and previous != path and previous.exists():
        previous.unlink()
    return path
