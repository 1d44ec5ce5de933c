"""Working days as FOIA s.10(6) defines them, with every UK bank holiday excluded."""

from __future__ import annotations

import datetime as dt
from functools import cache

import holidays

UK_SUBDIVISIONS = ("ENG", "NIR", "SCT", "WLS")


class OutsideHolidayData(ValueError):
    """A date lies outside the years the holidays package covers."""


@cache
def covered_years() -> tuple[int, int]:
    return holidays.UK.start_year, holidays.UK.end_year


@cache
def uk_bank_holidays(year: int) -> frozenset[dt.date]:
    """Every bank or public holiday in any part of the UK in `year`."""
    first, last = covered_years()
    if not first <= year <= last:
        raise OutsideHolidayData(
            f"{year} is outside the years the holidays data covers ({first}-{last})")
    days: set[dt.date] = set()
    for subdiv in UK_SUBDIVISIONS:
        days.update(holidays.country_holidays("GB", subdiv=subdiv, years=year).keys())
    return frozenset(days)


def is_working_day(day: dt.date) -> bool:
    return day.weekday() < 5 and day not in uk_bank_holidays(day.year)


def working_days_between(received: dt.date, responded: dt.date) -> int:
    """Working days from the day after receipt (day 1) up to and including the response date."""
    if responded < received:
        raise ValueError(f"the response date {responded} is before the date received {received}")
    count = 0
    day = received
    while day < responded:
        day += dt.timedelta(days=1)
        if is_working_day(day):
            count += 1
    return count


def deadline(received: dt.date, limit: int = 20) -> dt.date:
    """The date of the `limit`th working day after receipt."""
    day, count = received, 0
    while count < limit:
        day += dt.timedelta(days=1)
        if is_working_day(day):
            count += 1
    return day
