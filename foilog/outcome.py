"""The outcome of a request: successful, partially-successful, refused or not-held."""

from __future__ import annotations

import re

from .model import Block, Outcome, Question

NOT_HELD = re.compile(
    r"\b(do(?:es)? not hold|not held|(?:is|are) not recorded|not (?:logged|recorded|collected)|"
    r"no (?:recorded )?(?:information|data|records?) (?:is |are )?(?:held|recorded)"
    r"|hold no (?:recorded )?(?:information|data|records)|"
    r"no recorded information|does not exist|12\s?\(4\)\s?\(a\))", re.I)
REFUSED = re.compile(
    r"\b(refus(?:e|ed|ing|al)|exceed(?:s|ed)? the (?:appropriate|cost) limit|cost limit|vexatious|"
    r"neither confirm nor deny|withh(?:eld|olding)(?: in full)?|exempt from disclosure|manifestly unreasonable|"
    r"not (?:be )?(?:providing|disclosing|releasing))", re.I)
WITHHELD_ALL = re.compile(
    r"\b(withh(?:olding|eld|old) (?:all|the whole|everything)|unable to comply|refusing (?:your|this|the) request|"
    r"(?:request|it) is refused|not obliged to comply|exempt in (?:full|its entirety))", re.I)
PROVIDED = re.compile(
    r"\b(please find|attached|"
    r"enclosed|is (?:as follows|below)|are (?:as follows|below)|can be found|available (?:at|on|here))\b", re.I)
_CONTRAST = re.compile(r"\b(but|however|although)\b", re.I)


def decide_outcome(questions: list[Question], response: list[Block], closing: list[Block],
                   exemptions: list[str]) -> Outcome:
    answered = [q for q in questions if q.answer]
    if answered:
        kinds = [_answer_kind(q.answer) for q in answered]
        provided = kinds.count("provided")
        if provided == 0:
            return "not-held" if set(kinds) == {"not-held"} and not _withholds(exemptions) else "refused"
        if provided < len(kinds) or _withholds(exemptions):
            return "partially-successful"
        return "successful"
    text = " ".join(b.text for b in response + closing)
    gives = bool(PROVIDED.search(text))
    if REFUSED.search(text) and (not gives or WITHHELD_ALL.search(text)):
        return "refused"
    if NOT_HELD.search(text) and not gives:
        return "refused" if _withholds(exemptions) else "not-held"
    if exemptions or NOT_HELD.search(text):
        return "partially-successful"
    return "successful"


def _withholds(exemptions: list[str]) -> bool:
    """Exemptions other than EIR reg.12(4)(a), which only says the information is not held."""
    return any("12(4)(a)" not in e for e in exemptions)


def _answer_kind(answer: list[Block]) -> str:
    """An answer is what its opening says: "Not held. …" is not held, whatever explanation follows."""
    return _block_kind(answer[0])


def _block_kind(block: Block) -> str:
    text = block.text
    if NOT_HELD.search(text) and not _CONTRAST.search(text):
        return "not-held"
    if REFUSED.search(text) and not PROVIDED.search(text):
        return "withheld"
    return "provided"
