"""Statistics of the archive: responses per month, working days per quarter, on time per year, outcomes
per year and exemption use. Every figure is by the date a letter was answered."""

from __future__ import annotations

import datetime as dt
import math
import statistics
from collections import Counter
from dataclasses import dataclass, field

from markupsafe import Markup

from . import charts
from .browse import exemption_order
from .exemptions import meaning
from .model import OUTCOME_LABELS, OUTCOMES, Letter


@dataclass(frozen=True)
class MonthCount:
    year: int
    month: int
    count: int

    @property
    def label(self) -> str:
        return f"{dt.date(self.year, self.month, 1):%B} {self.year}"

    @property
    def short(self) -> str:
        return f"{dt.date(self.year, self.month, 1):%b} {self.year}"


@dataclass(frozen=True)
class QuarterDays:
    year: int
    quarter: int
    count: int
    median: float | None
    p90: int | None

    @property
    def label(self) -> str:
        return f"Q{self.quarter} {self.year}"


@dataclass(frozen=True)
class YearOnTime:
    year: int
    counted: int  # answered letters whose working days are known
    on_time: int

    @property
    def share(self) -> float | None:
        return self.on_time / self.counted if self.counted else None


@dataclass(frozen=True)
class YearOutcomes:
    year: int
    counts: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass
class Statistics:
    total: int
    answered: int  # letters with a date answered: the ones the time-based figures count
    limit: int
    with_days: int
    on_time: int
    median_days: float | None
    p90_days: int | None
    per_month: list[MonthCount] = field(default_factory=list)
    per_quarter: list[QuarterDays] = field(default_factory=list)
    on_time_per_year: list[YearOnTime] = field(default_factory=list)
    outcomes_per_year: list[YearOutcomes] = field(default_factory=list)
    exemption_use: list[tuple[str, int]] = field(default_factory=list)

    @property
    def undated(self) -> int:
        return self.total - self.answered


def percentile(values: list[int], share: float) -> int:
    """The nearest-rank percentile: the smallest value that at least `share` of the values are at or below."""
    ordered = sorted(values)
    return ordered[max(1, math.ceil(share * len(ordered))) - 1]


def compute(letters: list[Letter], limit: int) -> Statistics:
    answered = [le for le in letters if le.responded]
    timed = [le for le in letters if le.working_days is not None]
    days = [le.working_days for le in timed if le.working_days is not None]
    return Statistics(
        total=len(letters), answered=len(answered), limit=limit, with_days=len(timed),
        on_time=sum(1 for le in timed if not _late(le, limit)),
        median_days=statistics.median(days) if days else None,
        p90_days=percentile(days, 0.9) if days else None,
        per_month=_per_month(answered),
        per_quarter=_per_quarter(answered),
        on_time_per_year=_on_time_per_year(answered, limit),
        outcomes_per_year=_outcomes_per_year(answered),
        exemption_use=_exemption_use(letters),
    )


def _late(letter: Letter, limit: int) -> bool:
    """The letter's own `late` (it may have been corrected by hand), else its working days against the limit."""
    if letter.late is not None:
        return bool(letter.late)
    return letter.working_days is not None and letter.working_days > limit


def _months_between(first: tuple[int, int], last: tuple[int, int]) -> list[tuple[int, int]]:
    months = []
    year, month = first
    while (year, month) <= last:
        months.append((year, month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def _per_month(answered: list[Letter]) -> list[MonthCount]:
    """Every month from the first answer to the last, months without answers included."""
    counts = Counter((le.responded.year, le.responded.month) for le in answered if le.responded)
    if not counts:
        return []
    return [MonthCount(y, m, counts.get((y, m), 0)) for y, m in _months_between(min(counts), max(counts))]


def _per_quarter(answered: list[Letter]) -> list[QuarterDays]:
    days: dict[tuple[int, int], list[int]] = {}
    for letter in answered:
        if letter.responded:
            key = (letter.responded.year, (letter.responded.month - 1) // 3 + 1)
            days.setdefault(key, [])
            if letter.working_days is not None:
                days[key].append(letter.working_days)
    if not days:
        return []
    out = []
    year, quarter = min(days)
    while (year, quarter) <= max(days):
        values = days.get((year, quarter), [])
        out.append(QuarterDays(year, quarter, len(values), statistics.median(values) if values else None,
                               percentile(values, 0.9) if values else None))
        year, quarter = (year + 1, 1) if quarter == 4 else (year, quarter + 1)
    return out


def _years(answered: list[Letter]) -> list[int]:
    years = sorted({le.responded.year for le in answered if le.responded})
    return list(range(years[0], years[-1] + 1)) if years else []


def _on_time_per_year(answered: list[Letter], limit: int) -> list[YearOnTime]:
    out = []
    for year in _years(answered):
        timed = [le for le in answered if le.responded and le.responded.year == year and le.working_days is not None]
        out.append(YearOnTime(year, len(timed), sum(1 for le in timed if not _late(le, limit))))
    return out


def _outcomes_per_year(answered: list[Letter]) -> list[YearOutcomes]:
    counts: dict[int, Counter[str]] = {year: Counter() for year in _years(answered)}
    for letter in answered:
        if letter.responded:
            counts[letter.responded.year][letter.outcome] += 1
    return [YearOutcomes(year, {o: counts[year].get(o, 0) for o in OUTCOMES}) for year in counts]


def _exemption_use(letters: list[Letter]) -> list[tuple[str, int]]:
    """How many letters applied each exemption: most used first, then in the order of the law."""
    counts = Counter(e for le in letters for e in dict.fromkeys(le.exemptions))
    return sorted(counts.items(), key=lambda item: (-item[1], exemption_order(item[0])))


# ---------------------------------------------------------------- figures: a chart and its table

@dataclass
class Cell:
    text: str
    url: str | None = None  # a page of this site, linked from the table


@dataclass
class Figure:
    """A chart with its text alternative, and the same figures as a table."""

    id: str
    title: str
    description: str
    svg: Markup
    headers: list[str]
    rows: list[list[Cell]]
    note: str = ""
    wide: bool = False  # a table too wide to sit beside its chart goes below it


def _cells(*values: object) -> list[Cell]:
    return [Cell(str(value)) for value in values]


def percent(share: float | None) -> str:
    return "–" if share is None else f"{share * 100:.0f}%"


def figures(stats: Statistics, exemption_urls: dict[str, str]) -> list[Figure]:
    """The statistics page's figures; charts that would have nothing to show are left out."""
    made = [_month_figure(stats), _quarter_figure(stats), _on_time_figure(stats), _outcome_figure(stats),
            _exemption_figure(stats, exemption_urls)]
    return [figure for figure in made if figure is not None]


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _month_figure(stats: Statistics) -> Figure | None:
    months = stats.per_month
    if not months:
        return None
    busiest = max(months, key=lambda m: m.count)
    title = "Responses per month"
    description = (f"Bar chart of responses per month by the date they were answered, from {months[0].label} to "
                   f"{months[-1].label}: {_plural(stats.answered, 'response')} in {_plural(len(months), 'month')}. "
                   f"The most in one month was {busiest.count}, in {busiest.label}.")
    many = len(months) > 12  # then label each January with its year, else every month
    ticks = [str(m.year) if m.month == 1 else "" for m in months] if many else [m.short for m in months]
    svg = charts.bar_chart("chart-per-month", title, description, [m.label for m in months],
                           [m.count for m in months], "Responses", "{label}: {value} responses",
                           tick_labels=ticks)
    rows = [_cells(m.label, m.count) for m in months]
    return Figure("per-month", title, description, svg, ["Month", "Responses"], rows)


def _quarter_figure(stats: Statistics) -> Figure | None:
    quarters = stats.per_quarter
    if not any(q.count for q in quarters):
        return None
    title = "Working days taken per quarter"
    over = [q for q in quarters if q.p90 is not None and q.p90 > stats.limit]
    slowest = max((q for q in quarters if q.median is not None), key=lambda q: q.median or 0)
    description = (f"Line chart of the median and 90th-percentile working days taken to answer, per quarter, from "
                   f"{quarters[0].label} to {quarters[-1].label}, against the {stats.limit}-working-day limit. "
                   f"The 90th percentile was over the limit in {len(over)} of "
                   f"{_plural(sum(1 for q in quarters if q.count), 'quarter')}; the highest median was "
                   f"{charts.number(slowest.median or 0)} working days, in {slowest.label}.")
    svg = charts.line_chart(
        "chart-per-quarter", title, description, [q.label for q in quarters],
        [charts.Series("Median", "chart-series-1", [q.median for q in quarters]),
         charts.Series("90th percentile", "chart-series-2", [q.p90 for q in quarters])],
        reference=(stats.limit, f"{stats.limit}-working-day limit"))
    rows = [_cells(q.label, q.count, "–" if q.median is None else charts.number(q.median),
                   "–" if q.p90 is None else q.p90) for q in quarters]
    note = ("The median is the middle value; the 90th percentile is the smallest number of working days that "
            "90% of the quarter's responses took or fewer. Quarters are by the date answered.")
    return Figure("per-quarter", title, description, svg, ["Quarter", "Responses", "Median", "90th percentile"],
                  rows, note)


def _on_time_figure(stats: Statistics) -> Figure | None:
    years = stats.on_time_per_year
    if not any(y.counted for y in years):
        return None
    title = "Share answered on time per year"
    parts = [f"{y.year}: {percent(y.share)} ({y.on_time} of {y.counted})" for y in years if y.counted]
    description = (f"Bar chart of the share of responses answered within the {stats.limit}-working-day limit, "
                   f"per year: " + "; ".join(parts) + ".")
    svg = charts.bar_chart("chart-on-time", title, description, [str(y.year) for y in years],
                           [round((y.share or 0) * 100, 1) for y in years], "Answered on time (%)",
                           "{label}: {value}% on time", unit="%", top_value=100)
    rows = [_cells(y.year, y.counted, y.on_time, percent(y.share)) for y in years]
    return Figure("on-time", title, description, svg, ["Year", "Responses", "On time", "Share on time"], rows,
                  "Counts only responses whose working days are known.")


def _outcome_figure(stats: Statistics) -> Figure | None:
    years = stats.outcomes_per_year
    if not years:
        return None
    title = "Outcomes per year"
    parts = [f"{y.year}: " + ", ".join(f"{y.counts[o]} {OUTCOME_LABELS[o].lower()}" for o in OUTCOMES if y.counts[o])
             for y in years if y.total]
    description = "Stacked bar chart of the outcome of each year's responses. " + "; ".join(parts) + "."
    svg = charts.stacked_bar_chart(
        "chart-outcomes", title, description, [str(y.year) for y in years],
        [charts.Series(OUTCOME_LABELS[o], f"chart-outcome-{o}", [y.counts[o] for y in years]) for o in OUTCOMES])
    rows = [_cells(y.year, *(y.counts[o] for o in OUTCOMES), y.total) for y in years]
    return Figure("outcomes", title, description, svg, ["Year"] + [OUTCOME_LABELS[o] for o in OUTCOMES] + ["Total"],
                  rows, wide=True)


def _exemption_figure(stats: Statistics, exemption_urls: dict[str, str]) -> Figure | None:
    use = stats.exemption_use
    if not use:
        return None
    title = "Exemption use"
    named = "; ".join(f"{name}: {count}" for name, count in use[:10])
    rest = f"; and {len(use) - 10} more" if len(use) > 10 else ""
    description = f"Bar chart of how many responses applied each exemption, most used first. {named}{rest}."
    svg = charts.horizontal_bar_chart("chart-exemptions", title, description, [n for n, _ in use],
                                      [c for _, c in use], "Responses", "{label}: applied in {value} responses")
    rows = [[Cell(name, exemption_urls.get(name)), Cell(meaning(name)), Cell(str(count))] for name, count in use]
    return Figure("exemptions", title, description, svg, ["Exemption", "What it means", "Responses"], rows,
                  "A response that applied an exemption to part of the information counts once for it.")
