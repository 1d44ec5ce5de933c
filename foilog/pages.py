"""Stage 3: write each letter as a markdown page with YAML front matter, keeping hand edits."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from .errors import FoilogError, Problem, Severity
from .markdown import escape
from .model import OUTCOMES, Block, Letter, Question
from .privacy import REVIEWED_KEY
from .quickyaml import QuickLoader, unreadable_value
from .understand import FACTS, NOT_FOUND, missing_warning
from .urls import page_path_for

READER_VERSION = 2  # 2: records the reader's warnings in the page; drops control characters and direction overrides
# LibYAML (bundled with PyYAML's wheels) writes the same YAML several times faster than pure Python.
_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
EDITABLE_KEYS = ("title", "summary", "topics")
FRONT_MATTER_KEYS: tuple[str, ...] = (
    "title", "summary", "authority", "authority_address", "reference", "received", "responded",
    "regime", "working_days", "late", "outcome", "exemptions", "topics", "numbered_questions",
    "questions", "source", "source_sha256", "reader_version", "derived", "encoding", "reader_warnings",
    "personal_data_reviewed",
)
PARTIAL_SUFFIX = ".partial"
# Kept when a page is regenerated: the editable keys while a person's edit differs from what foilog derived,
# and the personal-data review while the letter file is the one that was reviewed.
KEPT_KEYS = (*EDITABLE_KEYS, REVIEWED_KEY)


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
        "reader_warnings": [_warning_entry(w, letter) for w in letter.warnings],
        REVIEWED_KEY: False,
    }


def _warning_entry(problem: Problem, letter: Letter) -> dict[str, Any]:
    entry: dict[str, Any] = {"message": problem.message}
    if letter.not_found and problem == missing_warning(letter.not_found, letter.source):
        entry["missing"] = list(letter.not_found)
    if problem.line:
        entry["line"] = problem.line
    if problem.hint:
        entry["hint"] = problem.hint
    return entry


def fingerprint(value: object) -> str:
    """A short hash of a derived value, so a later build can tell whether a person changed it."""
    return hashlib.sha256(repr(value).encode()).hexdigest()[:12]


def keep_hand_edits(meta: dict[str, Any], previous: dict[str, Any] | None) -> dict[str, Any]:
    """Carry over title, summary and topics that a person edited in the previous page, and a personal-data
    review of the very same letter file."""
    if not previous:
        return meta
    if previous.get(REVIEWED_KEY) is True and previous.get("source_sha256") == meta["source_sha256"]:
        meta[REVIEWED_KEY] = True
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
    text = yaml.dump(meta, Dumper=_DUMPER, sort_keys=False, allow_unicode=True, width=100,
                     default_flow_style=False)
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

# Pages are read with LibYAML (foilog.quickyaml) but written by PyYAML's own emitter, so that they are byte for
# byte the same on every machine.
_FRONT = re.compile(r"\A---[ \t]*\n(.*?\n)?---[ \t]*\n?", re.S)


def split_page(text: str, path: Path | str) -> tuple[dict[str, Any], str]:
    match = _FRONT.match(text)
    if not match:
        raise FoilogError("the page has no front matter", file=path, line=1,
                          hint="start the file with a line '---', the YAML keys, then another '---'")
    try:
        meta = yaml.load(match.group(1) or "", Loader=QuickLoader) or {}
    except yaml.YAMLError as exc:
        problem, line = _yaml_problem(exc)
        raise FoilogError(f"the front matter is not valid YAML: {problem}", file=path, line=line,
                          hint="check indentation and quote values that contain ':' or '#'") from None
    except (ValueError, OverflowError) as exc:  # read as a date or a number, but not a real one
        line, value = unreadable_value(match.group(1) or "") or (0, "")
        raise FoilogError(f"the front matter has a value that is not a real date or number: {value} ({exc})",
                          file=path, line=line + 2, hint="write dates as YYYY-MM-DD, such as 2024-03-12; quote a "
                          "value that is meant as text ('2024-13-45')") from None
    if not isinstance(meta, dict):
        raise FoilogError("the front matter must be a set of `key: value` lines", file=path, line=2,
                          hint="see docs/front-matter.md for the keys a page takes")
    return meta, text[match.end():]


def _yaml_problem(exc: yaml.YAMLError) -> tuple[str, int]:
    """What is wrong, and the page line to look at: where an unclosed quote or bracket opens, if that is it."""
    problem = str(getattr(exc, "problem", None) or exc)
    mark, context = getattr(exc, "problem_mark", None), getattr(exc, "context_mark", None)
    line = mark.line + 2 if mark is not None else 1
    opened = re.search(r"quoted scalar|flow sequence|flow mapping", str(getattr(exc, "context", "")))
    if context is not None and opened:
        what = {"quoted scalar": "the quoted value", "flow sequence": "the [ list",
                "flow mapping": "the { table"}[opened.group(0)]
        problem += f" (line {line}): {what} opened on line {context.line + 2} is never closed"
        line = context.line + 2
    return problem, line


def read_page(path: Path) -> tuple[dict[str, Any], str]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise FoilogError("the page is not UTF-8 text", file=path, hint="save it as UTF-8") from None
    return split_page(text, path)


# Reads a page: its front matter, and its body (None when a cache answered and the body was not read).
PageReader = Callable[[Path], tuple[dict[str, Any], str | None]]


def letter_from_page(path: Path, content_dir: Path, read: PageReader | None = None) -> Letter:
    """Rebuild a letter from its page: the page, with any hand edits, is what gets published.

    With a cached `read`, the letter's body may be left empty, to be read when its page is rendered.
    """
    meta, body = (read or read_page)(path)
    problems = validate_meta(meta)
    if problems:
        key, message = problems[0]
        text = path.read_text(encoding="utf-8-sig")
        raise FoilogError(f"front matter `{key}` {message}", file=path, line=_line_of(text, key),
                          hint="correct the value; docs/front-matter.md describes every key")
    letter = Letter(source=str(meta.get("source") or ""), path=path, page=path, meta=meta, body=body or "")
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
    letter.warnings = recorded_warnings(meta, letter.source or str(path))
    if not letter.title:
        letter.title = letter.reference or path.stem
    return letter


def recorded_warnings(meta: dict[str, Any], where: str) -> list[Problem]:
    """The reader's warnings about a letter, as its page recorded them; a fact the reader could not find is
    left out once a person has filled it in on the page."""
    warnings = []
    for entry in meta.get("reader_warnings") or []:
        if isinstance(entry, dict) and isinstance(entry.get("missing"), list):
            missing = [key for key in entry["missing"] if key in NOT_FOUND and (key not in FACTS or not meta.get(key))]
            if missing:
                warnings.append(missing_warning(missing, where))
        elif isinstance(entry, dict) and entry.get("message"):
            line = entry.get("line")
            warnings.append(Problem(Severity.WARNING, str(entry["message"]), where,
                                    line if isinstance(line, int) and not isinstance(line, bool) else None,
                                    str(entry.get("hint") or "")))
    return warnings


_TYPES: dict[str, tuple[type, ...]] = {
    "title": (str,), "summary": (str,), "authority": (str,), "authority_address": (str, type(None)),
    "reference": (str, int), "received": (dt.date, type(None)), "responded": (dt.date, type(None)),
    "working_days": (int, type(None)), "late": (bool, type(None)), "exemptions": (list,), "topics": (list,),
    "numbered_questions": (int, type(None)), "questions": (list,), "reader_warnings": (list, type(None)),
    REVIEWED_KEY: (bool,),
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


def _line_of(text: str, key: str) -> int:
    match = re.search(rf"^{re.escape(key)}\s*:", text, re.M)
    return text.count("\n", 0, match.start()) + 1 if match else 1


# ---------------------------------------------------------------- the stage

def all_pages(content_dir: Path) -> list[Path]:
    folder = content_dir / "letters"
    return sorted(folder.rglob("*.md")) if folder.is_dir() else []


_SOURCE_LINE = re.compile(r"^source:[ \t]*(['\"]?)(?P<source>[^'\"\n]+)\1[ \t]*$", re.M)


def existing_pages(content_dir: Path, read: PageReader | None = None,
                   files: list[Path] | None = None) -> dict[str, Path]:
    """Map each letter source to the page generated from it, broken pages included (`files`: the pages, if
    already listed)."""
    pages: dict[str, Path] = {}
    for path in all_pages(content_dir) if files is None else files:
        try:
            source = (read or read_page)(path)[0].get("source")
        except FoilogError:
            match = _SOURCE_LINE.search(path.read_text(encoding="utf-8", errors="replace"))
            source = match.group("source") if match else None
        if isinstance(source, str) and source not in pages:
            pages[source] = path
    return pages


def is_broken(page: Path, read: PageReader | None = None) -> bool:
    """Whether a page cannot be read at all (so regenerating it would lose what a person wrote in it)."""
    try:
        (read or read_page)(page)
    except FoilogError:
        return True
    return False


def is_current(page: Path | None, letter: Letter, read: PageReader | None = None) -> bool:
    """Whether the page was generated from exactly this letter by this reader."""
    if page is None or not page.exists():
        return False
    try:
        meta, _ = (read or read_page)(page)
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
    """Write (or rewrite) the page of a letter that changed, keeping hand-edited fields.

    `taken` holds every page path in use; the letter's own previous page is the only one it may replace.
    """
    text = page_text(letter, previous)
    path = _free_page_path(content_dir, letter, taken, previous)
    write_atomically(path, text)
    if previous is not None and previous != path and previous.exists():
        previous.unlink()
    return path


def page_text(letter: Letter, previous: Path | None) -> str:
    """The page of an understood letter, with what a person edited in its previous page kept."""
    old_meta = None
    if previous is not None and previous.exists():
        try:
            old_meta, _ = read_page(previous)
        except FoilogError:
            old_meta = None
    return dump_page(keep_hand_edits(front_matter(letter), old_meta), letter_body(letter))


def write_atomically(path: Path, text: str) -> None:
    """Write a file so that a build killed half-way leaves either the old file or the new one, never half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}{PARTIAL_SUFFIX}")
    partial.write_text(text, encoding="utf-8", newline="\n")
    os.replace(partial, path)


def remove_partial_files(content_dir: Path) -> None:
    """Remove what a killed build left half-written."""
    for partial in (content_dir / "letters").rglob(f".*{PARTIAL_SUFFIX}") if (content_dir / "letters").is_dir() else []:
        partial.unlink(missing_ok=True)


def page_body(letter: Letter) -> str:
    """A letter's markdown body; read from its page when the build cache answered for the front matter alone."""
    if letter.body or letter.page is None:
        return letter.body
    return body_of(letter.page.read_text(encoding="utf-8-sig"))


def body_of(text: str) -> str:
    """A page's markdown body, from its text (its front matter is not parsed again)."""
    match = _FRONT.match(text)
    return text[match.end():] if match else text
