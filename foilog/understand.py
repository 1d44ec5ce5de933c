"""Stage 2: understand each letter: its facts, its structure, its outcome."""

from __future__ import annotations

from .clean import split_blocks
from .config import SiteConfig
from .describe import describe, find_topics
from .errors import Report
from .exemptions import find_exemptions
from .facts import find_authority, find_received_date, find_reference, find_regime, find_response_date, header_lines
from .model import Letter
from .outcome import decide_outcome
from .structure import split_letter
from .workdays import OutsideHolidayData, working_days_between


def understand(letter: Letter, config: SiteConfig, report: Report) -> Letter:
    """Fill in everything a letter says about itself; report what cannot be found."""
    text, where = letter.text, letter.source
    header = header_lines(text)
    letter.authority, letter.authority_address = find_authority(text, header, config.authority)
    if not letter.authority:
        report.warn("could not find the authority's name", file=where,
                    hint="set `authority` in site.toml, or add `authority:` to the page's front matter")
    reference = find_reference(text)
    if reference:
        letter.reference = reference[0]
    else:
        report.warn("could not find the authority's reference (e.g. 'Our ref: 1234')", file=where,
                    hint="add a line 'Our ref: …' to the letter; the page is named after the file meanwhile")
    letter.responded = find_response_date(text, header)
    letter.received = find_received_date(text)
    for fact, value, example in (("date of the response", letter.responded, "a date line such as '17 April 2020'"),
                                 ("date the request was received", letter.received,
                                  "'Thank you for your request received on 16 April 2020'")):
        if value is None:
            report.warn(f"could not find the {fact}", file=where, hint=f"the reader looks for {example}")
    letter.regime = find_regime(text, letter.reference)  # type: ignore[assignment]

    blocks = split_blocks(text)
    shape = split_letter(blocks)
    if not shape.found_request:
        report.warn("could not find where the request begins", file=where,
                    hint="the reader looks for 'for the following information:' or 'You asked:'")
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
