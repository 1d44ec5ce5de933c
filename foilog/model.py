"""The one model of a letter, filled stage by stage as the build runs."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from .errors import Problem

BlockKind = Literal["para", "heading", "bullet", "item"]
Regime = Literal["FOIA", "EIR"]
Outcome = Literal["successful", "partially-successful", "refused", "not-held"]
OUTCOMES: tuple[Outcome, ...] = ("successful", "partially-successful", "refused", "not-held")
OUTCOME_LABELS: dict[str, str] = {
    "successful": "Information provided",
    "partially-successful": "Partly provided",
    "refused": "Refused",
    "not-held": "Information not held",
}


@dataclass
class Block:
    """One paragraph, heading, bullet or numbered item of a cleaned letter."""

    kind: BlockKind
    text: str
    line: int
    label: str | None = None
    emphasis: bool = False


@dataclass
class Question:
    """A question of the request, with the response's answer to it when it answers in turn."""

    anchor: str
    text: str
    label: str | None = None
    details: list[Block] = field(default_factory=list)
    answer: list[Block] = field(default_factory=list)
    echoed: bool = False
    group: str | None = None


@dataclass
class Section:
    """A titled run of blocks, such as a boilerplate closing section."""

    title: str
    blocks: list[Block]


@dataclass
class Letter:
    """Everything known about one letter; each stage fills in its part."""

    source: str
    path: Path
    # read
    text: str = ""
    encoding: str = ""
    sha256: str = ""
    warnings: list[Problem] = field(default_factory=list)  # what could not be read or understood cleanly
    # understood
    authority: str = ""
    authority_address: str | None = None
    reference: str = ""
    received: dt.date | None = None
    responded: dt.date | None = None
    regime: Regime = "FOIA"
    preamble: list[Block] = field(default_factory=list)
    request: list[Block] = field(default_factory=list)
    response: list[Block] = field(default_factory=list)
    questions: list[Question] = field(default_factory=list)
    numbered_questions: int | None = None
    boilerplate: list[Section] = field(default_factory=list)
    exemptions: list[str] = field(default_factory=list)
    outcome: Outcome = "successful"
    working_days: int | None = None
    late: bool | None = None
    title: str = ""
    summary: str = ""
    topics: list[str] = field(default_factory=list)
    not_found: list[str] = field(default_factory=list)  # keys of understand.NOT_FOUND
    # written
    page: Path | None = None
    meta: dict[str, object] = field(default_factory=dict)
    body: str = ""
