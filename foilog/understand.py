"""Stage 2: understand each letter: its facts, its structure, its outcome."""

from __future__ import annotations

import re

from .clean import split_blocks
from .config import SiteConfig
from .describe import describe, find_topics
from .errors import Problem, Report, Severity
from .exemptions import find_exemptions
from .facts import find_authority, find_received_date, find_reference, find_regime, find_response_date, header_lines
from .model import Letter
from .outcome import decide_outcome
from .structure import split_letter
from .workdays import OutsideHolidayData, working_days_between

# What the reader could not find (by the key a page records it under), what it calls it, and what it looks for.
# One warning per letter lists them all; see missing_warning().
NOT_FOUND = {
    "authority": ("the authority's name", "the council's name at the top, or `authority` in site.toml"),
    "reference": ("its reference", "a line such as 'Our ref: 1234' (meanwhile the page is named after the file)"),
    "responded": ("the date of the response", "a date line such as '17 April 2020'"),
    "received": ("the date the request was received", "'… request received on 16 April 2020'"),
    "request": ("where the request begins", "'for the following information:' or 'You asked:'"),
    "rights": ("the closing section on the right to a review", "the closing paragraph on the right to a review "
               "and to complain to the Information Commissioner (without it the letter may have been cut short)"),
}
FACTS = ("authority", "reference", "responded", "received")  # what a person can fill in on the page instead
_RIGHTS = re.compile(r"review|information commissioner|complain|reconsider|representations", re.I)


def understand(letter: Letter, config: SiteConfig, report: Report) -> Letter:
    """Fill in everything a letter says about itself; report what cannot be found."""
    text, where = letter.text, letter.source
    missing: list[str] = []  # keys of NOT_FOUND
    header = header_lines(text)
    letter.authority, letter.authority_address = find_authority(text, header, config.authority)
    if not letter.authority:
        missing.append("authority")
    reference = find_reference(text)
    if reference:
        letter.reference = reference[0]
    else:
        missing.append("reference")
    letter.responded = find_response_date(text, header)
    letter.received = find_received_date(text)
    if letter.responded is None:
        missing.append("responded")
    if letter.received is None:
        missing.append("received")
    letter.regime = find_regime(text, letter.reference)  # type: ignore[assignment]

    blocks = split_blocks(text)
    shape = split_letter(blocks)
    if not shape.found_request:
        missing.append("request")
    if not any(_RIGHTS.search(" ".join([s.title] + [b.text for b in s.blocks])) for s in shape.boilerplate):
        missing.append("rights")
    letter.not_found = missing
    if missing:
        report.problems.append(missing_warning(missing, where))
    letter.preamble, letter.request, letter.response = shape.preamble, shape.request, shape.response + shape.closing
    letter.questions, letter.numbered_questions = shape.questions, shape.numbered_questions
    letter.boilerplate = shape.boilerplate

    body_blocks = shape.response + shape.closing + [a for q in shape.questions for a in q.answer]
    letter.exemptions = find_exemptions(body_blocks, letter.regime)
    letter.outcome = decide_outcome(shape.questions, shape.response, shape.closing, letter.exemptions)
    _count_working_days(letter, config, report)

    letter.title, letter.summary = describe(shape.preamble, shape.request, shape.questions)
    request_text = " ".join(b.text for b in shape.preamble[-1:] + shape.request)
    letter.topics = find_topics(request_text, config.topics)
    return letter


def missing_warning(missing: list[str], where: str) -> Problem:
    """The one warning about what the reader could not find in a letter (keys of NOT_FOUND)."""
    names = [NOT_FOUND[key][0] for key in missing]
    listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]
    looks_for = "; ".join(NOT_FOUND[key][1] for key in missing)
    return Problem(Severity.WARNING, f"could not find {listed}; the letter is published with what was found",
                   where, None, f"add to the letter what the reader looks for ({looks_for}), or fill in its page "
                   "in content/")


def _count_working_days(letter: Letter, config: SiteConfig, report: Report) -> None:
    if letter.received is None or letter.responded is None:
        return
    try:
        letter.working_days = working_days_between(letter.received, letter.responded)
    except OutsideHolidayData as exc:
        report.warn(f"working days not counted: {exc}", file=letter.source,
                    hint="upgrade the `holidays` package, or check the letter's dates")
        return
    except ValueError as exc:
        report.warn(f"working days not counted: {exc}", file=letter.source,
                    hint="check the dates in the letter, or correct `received`/`responded` in its page")
        return
    letter.late = letter.working_days > config.working_day_limit
