"""Find and read the dates councils write: "17 April 2020", "1st December 2020", "12/10/2022"."""

from __future__ import annotations

import datetime as dt
import re

from dateutil import parser as dateparser

_MONTHS = (r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
           r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)")
_WEEKDAY = r"(?:(?:mon|tues|wednes|thurs|fri|satur|sun)day,?\s+)?"
DATE_PATTERN = re.compile(
    rf"\b{_WEEKDAY}(?:"
    rf"\d{{1,2}}(?:st|nd|rd|th)?(?:\s+of)?\s+{_MONTHS}\.?,?\s+\d{{4}}"
    rf"|{_MONTHS}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}"
    r"|\d{1,2}[/.\-]\d{1,2}[/.\-](?:\d{4}|\d{2})(?!\d)"
    r"|\d{4}-\d{2}-\d{2}"
    r")\b",
    re.I,
)


def parse_date(text: str) -> dt.date | None:
    """One date written the UK way (day before month), or None."""
    cleaned = re.sub(r"(?<=\d)(st|nd|rd|th)\b", "", text.strip(), flags=re.I)
    cleaned = re.sub(r"\bof\b", " ", cleaned, flags=re.I)
    iso = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", cleaned)
    try:
        if iso:
            return dt.date(int(iso[1]), int(iso[2]), int(iso[3]))
        return dateparser.parse(cleaned, dayfirst=True).date()
    except (ValueError, OverflowError):
        return None


def find_dates(text: str) -> list[tuple[int, dt.date]]:
    """Every readable date in `text`, with its offset."""
    found = []
    for match in DATE_PATTERN.finditer(text):
        date = parse_date(match.group(0))
        if date is not None and 1990 <= date.year <= 2100:
            found.append((match.start(), date))
    return found


def first_date(text: str) -> dt.date | None:
    dates = find_dates(text)
    return dates[0][1] if dates else None
