"""Browse pages: the archive grouped by year and month, topic, exemption and outcome, plus the late
responses; each group listed in every sort order and cut into pages."""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from .model import OUTCOME_LABELS, OUTCOMES, Letter
from .urls import (
    ALL_LETTERS,
    DEFAULT_SORT,
    LATE,
    exemption_url,
    listing_url,
    month_url,
    outcome_url,
    topic_feed_url,
    topic_url,
    unique_slugs,
    year_url,
)

UNDATED = "undated"


@dataclass(frozen=True)
class Sort:
    """One order a listing can be read in."""

    name: str   # the URL segment: "answered", "received", "working-days"
    label: str  # what the sort control says
    description: str  # how the page says it is sorted
    key: Callable[[Letter], tuple[Any, ...]]


def _newest(date: dt.date | None) -> int:
    """Newest first, no date last."""
    return -date.toordinal() if date else 1


def by_answered(letter: Letter) -> tuple[Any, ...]:
    return (_newest(letter.responded), _newest(letter.received), letter.reference, letter.source)


def by_received(letter: Letter) -> tuple[Any, ...]:
    return (_newest(letter.received), _newest(letter.responded), letter.reference, letter.source)


def by_working_days(letter: Letter) -> tuple[Any, ...]:
    days = letter.working_days
    return (-days if days is not None else 1, _newest(letter.responded), letter.reference, letter.source)


SORTS: tuple[Sort, ...] = (
    Sort(DEFAULT_SORT, "Date answered", "newest answer first", by_answered),
    Sort("received", "Date received", "newest request first", by_received),
    Sort("working-days", "Working days", "slowest answer first", by_working_days),
)


@dataclass
class Group:
    """A set of letters with its own listing pages, such as a topic or a month."""

    kind: str   # "all", "year", "month", "topic", "exemption", "outcome", "late"
    name: str   # what it is called on the page: "Housing", "June 2020", "FOIA s.40(2)"
    url: str    # the first page in the default order
    key: str = ""  # the value behind the name: the topic, exemption, outcome, "2020" or "2020-06"
    feed: str | None = None  # the group's Atom feed (topics have one)
    ordered: dict[str, list[Letter]] = field(default_factory=lambda: {s.name: [] for s in SORTS})

    @property
    def letters(self) -> list[Letter]:
        return self.ordered[DEFAULT_SORT]

    @property
    def count(self) -> int:
        return len(self.letters)

    @property
    def heading(self) -> str:
        """The group's pages' main heading."""
        if self.kind in ("year", "month"):
            return "Undated responses" if self.key == UNDATED else f"Responses in {self.name}"
        prefix = {"topic": "Topic: ", "exemption": "Exemption: ", "outcome": "Outcome: "}.get(self.kind, "")
        name = OUTCOME_LABELS.get(self.name, self.name) if self.kind == "outcome" else self.name
        return prefix + name


@dataclass
class ListingPage:
    """One page of one group in one order."""

    group: Group
    sort: Sort
    number: int
    pages: int
    letters: list[Letter]

    @property
    def url(self) -> str:
        return listing_url(self.group.url, self.sort.name, self.number)

    def page_url(self, number: int) -> str:
        return listing_url(self.group.url, self.sort.name, number)

    def sort_url(self, sort: Sort) -> str:
        return listing_url(self.group.url, sort.name)


@dataclass
class Year:
    group: Group
    months: list[Group]


@dataclass
class Archive:
    """Every group, in the order the browse pages show them."""

    all: Group
    years: list[Year]
    topics: list[Group]
    exemptions: list[Group]
    outcomes: list[Group]
    late: Group
    topic_urls: dict[str, str]
    exemption_urls: dict[str, str]

    def groups(self) -> Iterator[Group]:
        yield self.all
        for year in self.years:
            yield year.group
            yield from year.months
        yield from self.topics
        yield from self.exemptions
        yield from self.outcomes
        yield self.late

    def month_of(self, letter: Letter) -> str | None:
        """The month page a letter is listed on."""
        date = letter.responded or letter.received
        return month_url(str(date.year), date.month) if date else None


def letter_date(letter: Letter) -> dt.date | None:
    """The date a letter is filed under: when it was answered, else when it was received."""
    return letter.responded or letter.received


def build_archive(letters: list[Letter]) -> Archive:
    """Group the letters; every group's lists come out already sorted, one pass per order."""
    topic_slugs = unique_slugs(t for le in letters for t in le.topics)
    exemption_slugs = unique_slugs(e for le in letters for e in le.exemptions)
    everything = Group("all", "All responses", ALL_LETTERS)
    years: dict[str, Group] = {}
    months: dict[str, Group] = {}
    topics = {name: Group("topic", name, topic_url(slug), name, topic_feed_url(slug))
              for name, slug in topic_slugs.items()}
    exemptions = {name: Group("exemption", name, exemption_url(slug), name) for name, slug in exemption_slugs.items()}
    outcomes: dict[str, Group] = {o: Group("outcome", o, outcome_url(o), o) for o in OUTCOMES}
    late = Group("late", "Late responses", LATE)
    for sort in SORTS:
        for letter in sorted(letters, key=sort.key):
            for group in _groups_of(letter, years, months, topics, exemptions, outcomes, late):
                group.ordered[sort.name].append(letter)
            everything.ordered[sort.name].append(letter)
    return Archive(
        all=everything,
        years=_years_newest_first(years, months),
        topics=sorted(topics.values(), key=lambda g: (g.name.casefold(), g.name)),
        exemptions=sorted(exemptions.values(), key=lambda g: exemption_order(g.name)),
        outcomes=[outcomes[o] for o in OUTCOMES if outcomes[o].count],
        late=late,
        topic_urls={name: group.url for name, group in topics.items()},
        exemption_urls={name: group.url for name, group in exemptions.items()},
    )


def _groups_of(letter: Letter, years: dict[str, Group], months: dict[str, Group], topics: dict[str, Group],
               exemptions: dict[str, Group], outcomes: dict[str, Group], late: Group) -> Iterator[Group]:
    date = letter_date(letter)
    year = str(date.year) if date else UNDATED
    if year not in years:
        years[year] = Group("year", "Undated" if year == UNDATED else year, year_url(year), year)
    yield years[year]
    if date:
        key = f"{date.year}-{date.month:02d}"
        if key not in months:
            months[key] = Group("month", f"{date:%B} {date.year}", month_url(year, date.month), key)
        yield months[key]
    yield from (topics[t] for t in dict.fromkeys(letter.topics))
    yield from (exemptions[e] for e in dict.fromkeys(letter.exemptions))
    if letter.outcome in outcomes:
        yield outcomes[letter.outcome]
    if letter.late:
        yield late


def _years_newest_first(years: dict[str, Group], months: dict[str, Group]) -> list[Year]:
    dated = sorted((y for y in years if y != UNDATED), reverse=True)
    order = dated + ([UNDATED] if UNDATED in years else [])
    return [Year(years[y], sorted((m for m in months.values() if m.key.startswith(y + "-")),
                                  key=lambda m: m.key, reverse=True)) for y in order]


def exemption_order(exemption: str) -> tuple[Any, ...]:
    """FOIA before EIR, then by section number: s.12 < s.21 < s.40 < s.40(2) < s.43."""
    law, _, ref = exemption.partition(" ")
    parts = tuple((0, int(p), "") if p.isdigit() else (1, 0, p.lower()) for p in re.findall(r"\d+|[A-Za-z]+", ref))
    return ({"FOIA": 0, "EIR": 1}.get(law, 2), law, parts, exemption)


def listing_pages(group: Group, per_page: int) -> Iterator[ListingPage]:
    """Every page of a group in every order it has."""
    pages = max(1, math.ceil(group.count / per_page))
    for sort in SORTS if group.count > 1 else SORTS[:1]:  # one letter reads the same in every order
        ordered = group.ordered[sort.name]
        for number in range(1, pages + 1):
            chunk = ordered[(number - 1) * per_page: number * per_page]
            yield ListingPage(group, sort, number, pages, chunk)


def page_window(number: int, pages: int, around: int = 2) -> list[int | None]:
    """Page numbers to show: the first, the last and a few either side of this one; None marks a gap."""
    shown = sorted({1, pages, *range(max(1, number - around), min(pages, number + around) + 1)})
    window: list[int | None] = []
    for page in shown:
        previous = window[-1] if window else None
        if previous is not None and page - previous == 2:
            window.append(previous + 1)  # a gap of one page: show it rather than "…"
        elif previous is not None and page - previous > 2:
            window.append(None)
        window.append(page)
    return window
