"""Split a letter's blocks into request, response, question-and-answer pairs and boilerplate."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from difflib import SequenceMatcher

from .model import Block, Question, Section

_REQUEST_START = re.compile(
    r"(for the following information|you (asked|requested|wrote)|your request (was|is) as follows|"
    r"you made the following request|requested the following|following request|^request:?$|"
    r"^your request:?$|in which you asked)", re.I)
_REQUEST_END = re.compile(
    r"^(we|the council|i) (have|has) (processed|considered|dealt with|handled|treated) (this|your) request"
    r"|^(our |the )?response:?$|^our reply:?$|^answer:?$|^information (provided|requested):?$", re.I)
_RESPONSE_OPENER = re.compile(
    r"\b(holds? (?:the|some|all|none of the|this|information)|(?:does|do) not hold|"
    r"(?:has|have) been (?:handled|processed|considered|dealt with)|our (?:answers?|response|reply) (?:is|are)|"
    r"answers? (?:is|are) (?:set out )?(?:below|as follows)|please find (?:below|attached|enclosed)|"
    r"we are (?:pleased|able) to (?:provide|confirm)|unable to comply)", re.I)
_RESPONSE_HEADING = re.compile(r"^(our |the )?(response|reply|answers?)( to your request)?:?$", re.I)
BOILERPLATE_TITLES = re.compile(
    r"^(further information|advice and assistance\s*:?\s*direct marketing|direct marketing|"
    r"your rights|right (of|to) (a )?review|rights of review|internal review|complaints?( procedure)?|"
    r"re-?use of (the )?information.*|copyright.*|open government licen[cs]e|"
    r"information commissioner.*|appeals?|how to complain|if you are (unhappy|dissatisfied).*)$", re.I)
BOILERPLATE_OPENERS = re.compile(
    r"^(if you are (unhappy|dissatisfied|not satisfied)|if you are interested in the data|"
    r"if you are a company that intends|you have the right to (request|ask for) an internal review|"
    r"if you wish to (request|ask for) an? (internal )?review|"
    r"the supply of (documents|information) under the freedom of information act does not give|"
    r"most of the information (that )?we provide .* (open government licen|copyright)|"
    r"yours (sincerely|faithfully))", re.I)
_ANSWER_BREAK = re.compile(
    r"^(however,? )?(we|the council|i) (consider|have decided|can ?not|am unable|are unable|"
    r"must|will not|are withholding|have withheld).*(exempt|exemption|refus|withh|section|regulation)"
    r"|^refusal notice|^exemptions?\b|^(section|regulation) \d"
    r"|^(as|since|because) (the council|we|the authority) (does|do) not hold any"
    r"|^(in line with|under) (our|the|section 16|regulation 9)\b.*(advice and assistance|section 16|regulation 9)"
    r"|^advice and assistance", re.I)
_ANSWER_PREFIX = re.compile(r"^(?:A(?:nswer)?\s*\d{0,2}[a-z]?\s*[.:)\-]|Response\s*:|Answer\s*:)\s*", re.I)


@dataclass
class Structure:
    preamble: list[Block] = field(default_factory=list)
    request: list[Block] = field(default_factory=list)
    response: list[Block] = field(default_factory=list)
    questions: list[Question] = field(default_factory=list)
    closing: list[Block] = field(default_factory=list)
    boilerplate: list[Section] = field(default_factory=list)
    numbered_questions: int | None = None
    found_request: bool = False


def normalise(text: str) -> str:
    return re.sub(r"[^a-z0-9?]+", " ", text.lower()).strip()


def split_letter(blocks: list[Block]) -> Structure:
    """Read the shape of a letter: where its request, response and closing sections are."""
    structure = Structure()
    start = _find(blocks, 0, lambda b: bool(_REQUEST_START.search(b.text)) and b.kind != "bullet")
    end = _find(blocks, (start or 0) + 1, lambda b: bool(_REQUEST_END.search(b.text)))
    if start is None:
        start = -1
    else:
        structure.found_request = True
    if end is None:
        end = _response_begins(blocks, start + 1)
    structure.preamble = blocks[: max(start, 0) + (1 if start >= 0 else 0)]
    structure.request = blocks[start + 1: end]
    rest = [b for b in blocks[end:] if not (b.kind == "heading" and _RESPONSE_HEADING.match(b.text))]
    cut = _find(rest, 0, _starts_boilerplate)
    cut = len(rest) if cut is None else cut
    structure.response = rest[:cut]
    structure.boilerplate = group_sections(rest[cut:])
    structure.questions, structure.numbered_questions = find_questions(structure.request)
    structure.response, structure.closing = pair_answers(structure.questions, structure.response,
                                                         structure.request)
    return structure


def _response_begins(blocks: list[Block], begin: int) -> int:
    """Where a request with no 'Response' marker ends: the first answer-like or repeated block."""
    seen: set[str] = set()
    for index in range(begin, len(blocks)):
        block = blocks[index]
        said = normalise(block.text)
        if index > begin and (said in seen or _RESPONSE_OPENER.search(block.text) or _starts_boilerplate(block)):
            return index
        seen.add(said)
    return len(blocks)


def _find(blocks: list[Block], begin: int, test: object) -> int | None:
    for index in range(begin, len(blocks)):
        if test(blocks[index]):  # type: ignore[operator]
            return index
    return None


def _starts_boilerplate(block: Block) -> bool:
    text = block.text.rstrip(":").strip()
    if block.kind == "heading" and BOILERPLATE_TITLES.match(text):
        return True
    return bool(BOILERPLATE_OPENERS.match(text))


def group_sections(blocks: list[Block]) -> list[Section]:
    sections: list[Section] = []
    for block in blocks:
        if block.kind == "heading" or not sections:
            title = block.text.rstrip(":").strip() if block.kind == "heading" else _title_for(block)
            sections.append(Section(title=title, blocks=[]))
            if block.kind == "heading":
                continue
        sections[-1].blocks.append(block)
    return [s for s in sections if s.blocks]


def _title_for(block: Block) -> str:
    text = block.text.lower()
    if "review" in text or "unhappy" in text or "dissatisfied" in text:
        return "Your rights"
    if "direct marketing" in text:
        return "Direct marketing"
    if "copyright" in text or "re-use" in text or "licence" in text:
        return "Re-use of information"
    if text.startswith("yours"):
        return "Sign-off"
    return "Further information"


def find_questions(request: list[Block]) -> tuple[list[Question], int | None]:
    """The numbered or lettered items of a request, with the bullets that belong to each."""
    items = [b for b in request if b.kind == "item" and b.label]
    digit_labels = {b.label for b in items if b.label and b.label.isdigit()}
    top_level = [b for b in items if _is_top_level(b.label or "", bool(digit_labels))]
    questions: list[Question] = []
    seen: dict[str, int] = {}
    current: Question | None = None
    group: str | None = None
    for block in request:
        if block.kind == "heading":
            group, current = block.text, None
        elif block in top_level:
            label = block.label or ""
            seen[label] = seen.get(label, 0) + 1
            anchor = f"q{label}" + (f"-{seen[label]}" if seen[label] > 1 else "")
            current = Question(anchor=anchor, text=block.text, label=label, group=group)
            questions.append(current)
        elif current is not None and block.kind in ("bullet", "item"):
            current.details.append(block)
        else:
            current = None
    return questions, (len(top_level) or None)


def _is_top_level(label: str, has_digit_labels: bool) -> bool:
    if re.fullmatch(r"[ivx]+", label) and label != "x" and has_digit_labels:
        return False
    return not (has_digit_labels and label.isalpha())


def pair_answers(questions: list[Question], response: list[Block],
                 request: list[Block]) -> tuple[list[Block], list[Block]]:
    """Attach answers to questions where the response answers in turn.

    Returns the response blocks that are not answers: the intro before the first answer and
    what follows the last one. Unnumbered request paragraphs that the response echoes become
    questions too.
    """
    candidates = _echo_candidates(questions, request)
    echoes = _drop_unanswered_echoes(_align(candidates, response))
    if not echoes:
        _pair_by_label(questions, response)
        if any(q.answer for q in questions):
            return [b for b in response if not _is_label_answer(b, questions)], []
        return response, []
    groups = {b.text for b in request if b.kind == "heading"}
    intro = response[: echoes[0][0]]
    closing: list[Block] = []
    for number, (index, question, remainder) in enumerate(echoes):
        stop = echoes[number + 1][0] if number + 1 < len(echoes) else len(response)
        answer = _answer_blocks(question, response[index + 1: stop], remainder, groups)
        if number + 1 == len(echoes):
            brk = _find(answer, 1, lambda b: bool(_ANSWER_BREAK.search(b.text)))
            if brk is not None:
                answer, closing = answer[:brk], answer[brk:]
        question.answer, question.echoed = answer, True
    kept = {id(q) for q in questions} | {id(q) for _, q, _ in echoes if q.answer}
    questions[:] = [q for q in candidates if id(q) in kept]
    _number_unlabelled(questions)
    return intro, closing


def _echo_candidates(questions: list[Question], request: list[Block]) -> list[Question]:
    labelled = {q.text: q for q in questions}
    candidates: list[Question] = []
    group: str | None = None
    for block in request:
        if block.kind == "heading":
            group = block.text
            continue
        if block.text in labelled and labelled[block.text] not in candidates:
            candidates.append(labelled[block.text])
        elif block.kind in ("para", "bullet") and len(block.text) > 12 and not _is_detail(block, questions):
            candidates.append(Question(anchor="", text=block.text, group=group))
    return candidates


def _is_detail(block: Block, questions: list[Question]) -> bool:
    return any(block in q.details for q in questions)


def _align(candidates: list[Question], response: list[Block]) -> list[tuple[int, Question, str]]:
    """Walk the response in order and find where each candidate question is echoed."""
    echoes: list[tuple[int, Question, str]] = []
    pointer = 0
    for index, block in enumerate(response):
        if block.kind == "heading" and not block.label:
            continue
        for j in range(pointer, min(pointer + 12, len(candidates))):
            remainder = _echo_remainder(candidates[j], block)
            if remainder is not None:
                echoes.append((index, candidates[j], remainder))
                pointer = j + 1
                break
    return echoes


def _drop_unanswered_echoes(echoes: list[tuple[int, Question, str]]) -> list[tuple[int, Question, str]]:
    """Unnumbered request text repeated with nothing after it is context, not a question."""
    kept = []
    for number, echo in enumerate(echoes):
        index, question, remainder = echo
        following = echoes[number + 1][0] if number + 1 < len(echoes) else None
        if question.label or remainder or following != index + 1:
            kept.append(echo)
    return kept


def _echo_remainder(question: Question, block: Block) -> str | None:
    """If `block` repeats `question`, whatever follows the repeated text; else None."""
    asked, said = normalise(question.text), normalise(block.text)
    if not asked or not said:
        return None
    if question.label and block.label and question.label != block.label:
        return None
    if said == asked:
        return ""
    if said.startswith(asked) and len(asked) >= 20:
        cut = len(question.text)
        return block.text[cut:].strip() if block.text[:cut] == question.text else _tail(question.text, block.text)
    if len(asked) >= 20 and _similar(asked, said, 0.9):
        return ""
    return None


def _similar(a: str, b: str, threshold: float) -> bool:
    """difflib's ratio() >= threshold, checking its cheap upper bounds first."""
    if 2 * min(len(a), len(b)) < threshold * (len(a) + len(b)):  # real_quick_ratio(), before any set-up
        return False
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    return matcher.quick_ratio() >= threshold and matcher.ratio() >= threshold


def _tail(question: str, block: str) -> str:
    words = len(question.split())
    return " ".join(block.split()[words:])


def _answer_blocks(question: Question, blocks: list[Block], remainder: str, groups: set[str]) -> list[Block]:
    """The answer that follows an echoed question, without the echoed options or group headings."""
    details = {normalise(d.text) for d in question.details}
    echoed = [b for b in blocks if b.kind in ("bullet", "item") and normalise(b.text) in details]
    repeats_options = len(echoed) >= min(2, len(details))
    answer = [b for b in blocks
              if not (repeats_options and b in echoed) and not (b.kind == "heading" and b.text in groups)]
    if remainder:
        answer.insert(0, Block(kind="para", text=remainder, line=blocks[0].line - 1 if blocks else 0))
    for block in answer[:1]:
        block.text = _ANSWER_PREFIX.sub("", block.text) or block.text
    return [b for b in answer if b.text]


def _pair_by_label(questions: list[Question], response: list[Block]) -> None:
    by_label = {q.label: q for q in questions if q.label}
    current: Question | None = None
    for block in response:
        if block.kind == "item" and block.label in by_label:
            current = by_label[block.label]
            current.answer.append(Block(kind="para", text=block.text, line=block.line))
        elif current is not None and block.kind != "heading" and not _ANSWER_BREAK.search(block.text):
            current.answer.append(block)
        else:
            current = None


def _is_label_answer(block: Block, questions: list[Question]) -> bool:
    return any(block.line == a.line for q in questions for a in q.answer)


def _number_unlabelled(questions: list[Question]) -> None:
    count = 0
    for question in questions:
        if not question.anchor:
            count += 1
            question.anchor = f"item-{count}"
