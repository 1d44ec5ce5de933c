"""Working days as FOIA s.10(6) counts them: from the day after receipt, weekends and every UK bank holiday out."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from foilog.config import SiteConfig
from foilog.errors import Report
from foilog.model import Letter
from foilog.understand import _count_working_days
from foilog.workdays import (
    OutsideHolidayData,
    covered_years,
    deadline,
    is_working_day,
    uk_bank_holidays,
    working_days_between,
)

from .helpers import LETTER_FIXTURES, seeds_expected

D = dt.date


def _expected_examples() -> list[pytest.param]:
    examples = []
    sources = [(name, facts) for name, facts in seeds_expected().items()]
    sources += [(p.stem, json.loads(p.read_text(encoding="utf-8"))) for p in sorted(LETTER_FIXTURES.glob("*.json"))]
    for name, facts in sources:
        if facts.get("received") and facts.get("responded") and facts.get("working_days") is not None:
            examples.append(pytest.param(D.fromisoformat(facts["received"]), D.fromisoformat(facts["responded"]),
                                         facts["working_days"], id=name.removesuffix(".txt")))
    return examples


EXAMPLES = _expected_examples()


@pytest.mark.parametrize(("received", "responded", "days"), EXAMPLES)
def test_examples_from_the_expected_facts(received: D, responded: D, days: int) -> None:
    assert working_days_between(received, responded) == days


def test_the_examples_are_there() -> None:
    assert len(EXAMPLES) >= 5


@pytest.mark.parametrize(("received", "responded", "days"), [
    (D(2020, 4, 16), D(2020, 4, 17), 1),    # Thursday to Friday
    (D(2020, 5, 15), D(2020, 5, 18), 1),    # Friday to Monday: the weekend does not count
    (D(2020, 5, 16), D(2020, 5, 18), 1),    # received on a Saturday: Monday is day 1
    (D(2020, 5, 16), D(2020, 5, 17), 0),    # Saturday to Sunday
    (D(2020, 2, 11), D(2020, 2, 24), 9),
    (D(2020, 4, 9), D(2020, 4, 14), 1),     # Good Friday 10 April and Easter Monday 13 April 2020
    (D(2021, 5, 28), D(2021, 6, 1), 1),     # spring bank holiday Monday 31 May 2021
], ids=["next-day", "over-a-weekend", "received-saturday", "weekend-only", "two-weeks", "easter", "spring-bank"])
def test_counting(received: D, responded: D, days: int) -> None:
    assert working_days_between(received, responded) == days


def test_same_day_response_is_zero() -> None:
    assert working_days_between(D(2020, 6, 17), D(2020, 6, 17)) == 0


def test_christmas_and_new_year() -> None:
    # Received Wednesday 23 December 2020. Not working days: 25 Dec (Christmas), 26-27 (weekend), 28 Dec
    # (Boxing Day substitute), 1 Jan (New Year), 2-3 Jan (weekend), 4 Jan (Scotland's 2 January substitute).
    # Working: 24, 29, 30, 31 December and 5 January.
    assert working_days_between(D(2020, 12, 23), D(2021, 1, 5)) == 5
    assert working_days_between(D(2020, 12, 23), D(2021, 1, 4)) == 4


def test_st_andrews_day_in_scotland_is_not_a_working_day() -> None:
    assert not is_working_day(D(2022, 11, 30))  # a Wednesday
    assert working_days_between(D(2022, 11, 29), D(2022, 12, 1)) == 1


def test_twelfth_of_july_in_northern_ireland_is_not_a_working_day() -> None:
    assert not is_working_day(D(2022, 7, 12))  # a Tuesday: Battle of the Boyne
    assert working_days_between(D(2022, 7, 11), D(2022, 7, 13)) == 1


@pytest.mark.parametrize("day", [
    D(2022, 3, 17),   # St Patrick's Day (Northern Ireland)
    D(2022, 8, 1),    # summer bank holiday (Scotland)
    D(2022, 8, 29),   # summer bank holiday (England, Wales, Northern Ireland)
    D(2022, 4, 18),   # Easter Monday (not Scotland, but it counts: any part of the UK)
    D(2022, 6, 3),    # Platinum Jubilee
    D(2022, 9, 19),   # State Funeral of Queen Elizabeth II
    D(2023, 5, 8),    # Coronation of King Charles III
    D(2021, 12, 28),  # Boxing Day substitute (26 December 2021 was a Sunday)
], ids=lambda d: d.isoformat())
def test_bank_holidays_of_any_part_of_the_uk(day: D) -> None:
    assert day.weekday() < 5
    assert day in uk_bank_holidays(day.year)
    assert not is_working_day(day)


def test_ordinary_weekdays_are_working_days() -> None:
    assert is_working_day(D(2022, 11, 29))
    assert is_working_day(D(2022, 7, 13))
    assert not is_working_day(D(2022, 7, 16))  # Saturday


def test_response_before_receipt_is_an_error() -> None:
    with pytest.raises(ValueError, match="before"):
        working_days_between(D(2020, 6, 22), D(2020, 6, 17))


def test_year_outside_the_holiday_data_raises() -> None:
    first, last = covered_years()
    assert first <= 2000 and last >= 2030
    with pytest.raises(OutsideHolidayData):
        working_days_between(D(last + 1, 1, 5), D(last + 1, 2, 5))
    with pytest.raises(OutsideHolidayData):
        working_days_between(D(last, 12, 20), D(last + 1, 1, 20))
    with pytest.raises(OutsideHolidayData):
        uk_bank_holidays(first - 1)
    assert issubclass(OutsideHolidayData, ValueError)


def test_a_letter_outside_the_holiday_data_gets_a_warning_not_a_crash() -> None:
    _, last = covered_years()
    letter = Letter(source="letters/far-future.txt", path=None,  # type: ignore[arg-type]
                    received=D(last + 1, 1, 5), responded=D(last + 1, 1, 9))
    report = Report()
    _count_working_days(letter, SiteConfig(), report)
    assert letter.working_days is None and letter.late is None
    assert [p.file for p in report.warnings] == ["letters/far-future.txt"]


@pytest.mark.parametrize(("days", "late"), [(20, False), (21, True)])
def test_late_means_more_than_the_limit(days: int, late: bool) -> None:
    received = D(2023, 3, 1)
    responded = deadline(received, days)
    letter = Letter(source="x.txt", path=None, received=received, responded=responded)  # type: ignore[arg-type]
    _count_working_days(letter, SiteConfig(), Report())
    assert (letter.working_days, letter.late) == (days, late)


def test_deadline() -> None:
    # 20 working days from Thursday 1 December 2022: 2, 5-9, 12-16, 19-23 December are days 1-16; 26 and 27
    # December are the Christmas substitutes; 28-30 December are days 17-19; 2 January 2023 is the New Year
    # substitute and 3 January Scotland's New Year substitute; so day 20 is Wednesday 4 January.
    assert deadline(D(2022, 12, 1)) == D(2023, 1, 4)
    assert deadline(D(2022, 12, 1), 19) == D(2022, 12, 30)


_DATES = st.dates(min_value=D(2000, 1, 1), max_value=D(2035, 12, 31))


@given(_DATES, st.integers(0, 60), st.integers(0, 60))
def test_counts_add_up(start: D, first: int, second: int) -> None:
    middle = start + dt.timedelta(days=first)
    end = middle + dt.timedelta(days=second)
    total = working_days_between(start, end)
    assert total == working_days_between(start, middle) + working_days_between(middle, end)
    assert total <= (end - start).days
    assert total >= (end - start).days * 5 // 7 - 10  # never more than a handful of holidays in a few weeks


@given(_DATES, st.integers(1, 40))
def test_deadline_is_the_limit_th_working_day(received: D, limit: int) -> None:
    due = deadline(received, limit)
    assert is_working_day(due)
    assert working_days_between(received, due) == limit
