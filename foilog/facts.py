"""The letter's facts: authority and address, reference, dates, regime."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter

from .dates import DATE_PATTERN, find_dates, parse_date

_ORG_WORDS = re.compile(
    r"\b(council|borough|authority|county|city|district|metropolitan|corporation|agency|trust|police|"
    r"fire|department|office|commission|executive|government|parliament|assembly|university|"
    r"college|board|service|ministry|combined)\b", re.I)
_ORG_NAME = re.compile(
    r"\b((?:London|Royal) Borough of [A-Z][\w'-]+(?: (?:and|upon) [A-Z][\w'-]+)*"
    r"|(?:[A-Z][\w'&.-]+ ){1,4}(?:City |County |Borough |District |Metropolitan Borough |Town )?Council)\b")
_CONFIRM_HOLDS = re.compile(
    r"\b(?:confirm that|can confirm|confirms that)\s+(?:the\s+)?([A-Z][\w' &-]+?)\s+"
    r"(?:does not hold|holds|do not hold|hold)\b")
_REF_LABEL = re.compile(
    r"^\s*(?P<label>our ref(?:erence)?|reference(?: number| no\.?)?|request reference|request ref(?:erence)?|"
    r"foi (?:ref(?:erence)?|number|no\.?)|eir (?:ref(?:erence)?|number)|case (?:ref(?:erence)?|number|no\.?)|"
    r"request (?:number|no\.?|id)|ref(?:erence)?(?: number| no\.?)?|your request|your ref(?:erence)?)"
    r"\s*(?:number|no\.?)?\s*[:.\-]?\s*(?P<value>.+)$", re.I | re.M)
_REF_STOP = re.compile(r"\s{2,}|\s+(?=(?:date|dated|your ref|our ref|tel|telephone|email|e-mail|contact)\b)", re.I)
_LABEL_RANK = (
    "our ref", "foi", "eir", "request ref", "reference", "case", "request", "ref", "your request", "your ref",
)
_RECEIVED = re.compile(
    r"(?:date received|received on|received by us on|received by the council on|which (?:we|the council) received on|"
    r"received|dated|of|sent on)\s*:?\s*", re.I)
_RESPONSE_DATE = re.compile(r"^\s*(?:date(?: of (?:response|reply|letter))?|dated|date sent|response date)\s*:\s*(.+)$",
                            re.I | re.M)
_REGIME_UNDER = re.compile(
    r"(?:under|in accordance with|within the terms of)\s+(?:the\s+)?(?P<law>freedom of information act|"
    r"foia?\b|environmental information regulations|eirs?\b)", re.I)
_HEADER_END = re.compile(r"^\s*(?:\**\s*)?(thank you for|dear\b|re:|request:|your request|subject:)", re.I | re.M)


def header_lines(text: str) -> list[tuple[int, str]]:
    """The letterhead: the lines (with numbers) before the letter's first sentence."""
    lines = []
    for number, line in enumerate(text.split("\n"), start=1):
        if _HEADER_END.match(line) or number > 40:
            break
        cleaned = re.sub(r"[*#_]+", "", line).strip().rstrip(",").strip()
        if cleaned:
            lines.append((number, cleaned))
    return lines


def find_authority(text: str, header: list[tuple[int, str]], fallback: str = "") -> tuple[str, str | None]:
    """The authority's name and, when the letterhead gives it, its postal address."""
    for index, (_, line) in enumerate(header):
        if _is_date_or_ref(line):
            break
        if _ORG_WORDS.search(line) and not re.search(r"\d", line) and len(line) < 90:
            return line, _address(header[index + 1:])
    body = re.sub(r"[*_]+", "", text)
    confirmed = _CONFIRM_HOLDS.search(body)
    if confirmed and _ORG_WORDS.search(confirmed.group(1)):
        return confirmed.group(1).strip(), None
    names = Counter(m.group(1).strip() for m in _ORG_NAME.finditer(body))
    names.pop("The Council", None)
    if names:
        return names.most_common(1)[0][0], None
    return fallback, None


def _address(lines: list[tuple[int, str]]) -> str | None:
    parts = []
    for _, line in lines:
        if _is_date_or_ref(line) or re.search(r"@|www\.|https?:|\b(tel|telephone|email|fax)\b", line, re.I):
            break
        parts.append(line.rstrip(",").strip())
    return ", ".join(parts) or None


def _is_date_or_ref(line: str) -> bool:
    return bool(_REF_LABEL.match(line) or _RESPONSE_DATE.match(line)
                or (DATE_PATTERN.search(line) and len(DATE_PATTERN.sub("", line).strip(" ,.")) < 12))


def find_reference(text: str) -> tuple[str, int] | None:
    """The authority's own reference, exactly as written, and its line number."""
    found: list[tuple[int, int, str]] = []
    for match in _REF_LABEL.finditer(text):
        label = match.group("label").lower()
        value = _REF_STOP.split(match.group("value").strip())[0].strip(" .,;*")
        value = re.sub(r"[*_]+$", "", value).strip()
        if not re.search(r"\d", value) or len(value) > 40 or len(value.split()) > 3:
            continue
        rank = next((i for i, prefix in enumerate(_LABEL_RANK) if label.startswith(prefix)), len(_LABEL_RANK))
        line = text.count("\n", 0, match.start()) + 1
        found.append((rank, line, value))
    if not found:
        return None
    rank, line, value = min(found)
    return value, line


def find_response_date(text: str, header: list[tuple[int, str]]) -> dt.date | None:
    labelled = _RESPONSE_DATE.search(text[:3000])
    if labelled:
        date = parse_date(labelled.group(1).strip()) or _first(find_dates(labelled.group(1)))
        if date:
            return date
    for _, line in header:
        if DATE_PATTERN.search(line) and len(DATE_PATTERN.sub("", line).strip(" ,.:")) < 12:
            date = _first(find_dates(line))
            if date:
                return date
    return None


def find_received_date(text: str) -> dt.date | None:
    body = re.sub(r"[*_]+", "", text)
    for match in re.finditer(r"received", body, re.I):
        window = body[match.start(): match.start() + 80]
        dates = find_dates(window)
        if dates and dates[0][0] < 45:
            return dates[0][1]
    asked_on = re.compile(r"\byour (?:request|email|letter|e-mail)(?: for information)?(?: of| dated)\s+", re.I)
    for match in asked_on.finditer(body):
        dates = find_dates(body[match.end(): match.end() + 40])
        if dates and dates[0][0] == 0:
            return dates[0][1]
    return None


def _first(dates: list[tuple[int, dt.date]]) -> dt.date | None:
    return dates[0][1] if dates else None


def find_regime(text: str, reference: str) -> str:
    """FOIA or EIR: the law the authority says it handled the request under."""
    body = re.sub(r"[*_]+", "", text)
    handled = re.search(
        r"(?:processed|considered|handled|dealt with|responded to|treated|answered)[^.]{0,60}?"
        + _REGIME_UNDER.pattern, body, re.I)
    if handled:
        return "EIR" if handled.group("law").lower().startswith(("environmental", "eir")) else "FOIA"
    if re.match(r"EIR\b", reference, re.I):
        return "EIR"
    eir = len(re.findall(r"environmental information regulations|\bEIRs?\b", body, re.I))
    foi = len(re.findall(r"freedom of information act|\bFOIA?\b", body, re.I))
    return "EIR" if eir > foi else "FOIA"
