"""Charts drawn at build time as inline SVG: no chart JavaScript, colours from the theme's stylesheet.

Every mark carries `data-series`, `data-label` and `data-value`, and a <title> for pointer users; the
whole chart is one image (role="img") named by its <title> and described by its <desc>, and the page
shows the same figures as a table beside it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from markupsafe import Markup

WIDTH = 480  # narrow enough that text stays readable when a phone shrinks the chart to fit
HEIGHT = 280
LEFT, RIGHT, TOP, BOTTOM = 44, 12, 16, 36
FONT = 13
MAX_BAR = 64
LEGEND_ROW = FONT + 8


@dataclass(frozen=True)
class Series:
    name: str
    css: str  # a class the theme colours: chart-series-1 … or chart-outcome-refused
    values: Sequence[float | None]


def number(value: float) -> str:
    """Numbers as a person writes them: 3, 2.5, 0.75 (never 3.0 or 0.7500001)."""
    if float(value).is_integer():
        return str(int(value))
    return f"{value:.2f}".rstrip("0").rstrip(".")


def nice_scale(largest: float, ticks: int = 5) -> tuple[float, float]:
    """An axis top and tick step from 1, 2 or 5 times a power of ten, so that ticks are round numbers."""
    if largest <= 0:
        return 1.0, 1.0
    raw = largest / ticks
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    if step < 1 and largest >= 1:
        step = 1.0
    return step * math.ceil(largest / step - 1e-9), step


def _open(chart_id: str, title: str, description: str, height: float = HEIGHT) -> list[str]:
    return [
        f'<svg class="chart-svg" id="{escape(chart_id)}" viewBox="0 0 {WIDTH} {height}" role="img" '
        f'aria-labelledby="{escape(chart_id)}-title {escape(chart_id)}-desc" xmlns="http://www.w3.org/2000/svg" '
        f'font-size="{FONT}">',
        f'<title id="{escape(chart_id)}-title">{escape(title)}</title>',
        f'<desc id="{escape(chart_id)}-desc">{escape(description)}</desc>',
    ]


def _y_axis(top_value: float, step: float, plot_height: int, unit: str = "") -> list[str]:
    out = ['<g class="chart-axis chart-y-axis">']
    value = 0.0
    while value <= top_value + 1e-9:
        y = TOP + plot_height - value / top_value * plot_height
        out.append(f'<line class="chart-grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}"/>')
        out.append(f'<text x="{LEFT - 6}" y="{y + FONT / 3:.1f}" text-anchor="end">{number(value)}{unit}</text>')
        value += step
    out.append("</g>")
    return out


def _x_labels(labels: Sequence[str], centres: Sequence[float], shown: Sequence[int], plot_bottom: float) -> list[str]:
    out = ['<g class="chart-axis chart-x-axis">',
           f'<line class="chart-baseline" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{plot_bottom}" y2="{plot_bottom}"/>']
    for index in shown:
        out.append(f'<text x="{centres[index]:.1f}" y="{plot_bottom + FONT + 6}" text-anchor="middle">'
                   f'{escape(labels[index])}</text>')
    out.append("</g>")
    return out


def _every(count: int, most: int) -> list[int]:
    """Which of `count` labels to print so that at most `most` are printed, evenly spaced."""
    if count <= most:
        return list(range(count))
    step = math.ceil(count / most)
    return list(range(0, count, step))


def _legend_layout(series: Sequence[Series]) -> list[tuple[float, int]]:
    """Where each legend entry goes: its x and its row, wrapping onto a new row when the width runs out."""
    places: list[tuple[float, int]] = []
    x, row = float(LEFT), 0
    for item in series:
        width = FONT + 18 + len(item.name) * FONT * 0.6
        if x > LEFT and x + width > WIDTH - RIGHT:
            x, row = float(LEFT), row + 1
        places.append((x, row))
        x += width
    return places


def _legend(series: Sequence[Series], top: float) -> list[str]:
    out = ['<g class="chart-legend">']
    for item, (x, row) in zip(series, _legend_layout(series), strict=True):
        y = top + row * LEGEND_ROW + FONT
        if item.css == "chart-reference":  # a dashed line, like the one it names
            out.append(f'<g class="chart-reference"><line x1="{x:.1f}" x2="{x + FONT:.1f}" y1="{y - FONT / 3:.1f}" '
                       f'y2="{y - FONT / 3:.1f}" stroke-dasharray="4 2"/></g>')
        else:
            out.append(f'<rect class="{escape(item.css)}" x="{x:.1f}" y="{y - FONT + 2:.1f}" width="{FONT}" '
                       f'height="{FONT}"/>')
        out.append(f'<text x="{x + FONT + 5:.1f}" y="{y:.1f}">{escape(item.name)}</text>')
    out.append("</g>")
    return out


def _legend_height(series: Sequence[Series]) -> int:
    rows = max((row for _, row in _legend_layout(series)), default=-1) + 1
    return rows * LEGEND_ROW + 6


def _mark_attributes(series: str, label: str, value: float | None) -> str:
    shown = "" if value is None else number(value)
    return f'data-series="{escape(series)}" data-label="{escape(label)}" data-value="{shown}"'


def bar_chart(chart_id: str, title: str, description: str, labels: Sequence[str], values: Sequence[float],
              series: str, tooltip: str = "{label}: {value}", unit: str = "", tick_labels: Sequence[str] = (),
              top_value: float | None = None) -> Markup:
    """Vertical bars, one per label; `tick_labels` (default: the labels) are printed under the bars."""
    plot_height = HEIGHT - TOP - BOTTOM
    top, step = nice_scale(top_value if top_value is not None else max(values, default=0))
    slot = (WIDTH - LEFT - RIGHT) / max(1, len(values))
    gap = max(min(slot * 0.2, 8), slot - MAX_BAR)
    out = _open(chart_id, title, description) + _y_axis(top, step, plot_height, unit)
    out.append('<g class="chart-marks">')
    centres = []
    for index, (label, value) in enumerate(zip(labels, values, strict=True)):
        height = value / top * plot_height
        x = LEFT + index * slot + gap / 2
        centres.append(x + (slot - gap) / 2)
        out.append(f'<rect class="chart-bar chart-series-1" x="{x:.2f}" y="{TOP + plot_height - height:.2f}" '
                   f'width="{slot - gap:.2f}" height="{height:.2f}" {_mark_attributes(series, label, value)}>'
                   f'<title>{escape(tooltip.format(label=label, value=number(value)))}</title></rect>')
    out.append("</g>")
    ticks = list(tick_labels) or list(labels)
    labelled = [i for i in range(len(ticks)) if ticks[i]]
    shown = [labelled[i] for i in _every(len(labelled), 6)]
    out += _x_labels(ticks, centres, shown, TOP + plot_height)
    out.append("</svg>")
    return Markup("\n".join(out))


def line_chart(chart_id: str, title: str, description: str, labels: Sequence[str], lines: Sequence[Series],
               reference: tuple[float, str] | None = None) -> Markup:
    """Lines with a point per label (a gap where a value is None), and an optional dashed reference line."""
    legend = list(lines) + ([Series(reference[1], "chart-reference", [])] if reference else [])
    height = HEIGHT + _legend_height(legend)
    plot_height = HEIGHT - TOP - BOTTOM
    values = [v for line in lines for v in line.values if v is not None]
    top, step = nice_scale(max(values + ([reference[0] * 1.1] if reference else []), default=0))
    slot = (WIDTH - LEFT - RIGHT) / max(1, len(labels))
    centres = [LEFT + slot * (i + 0.5) for i in range(len(labels))]

    def y_of(value: float) -> float:
        return TOP + plot_height - value / top * plot_height

    out = _open(chart_id, title, description, height) + _y_axis(top, step, plot_height)
    if reference:
        y = y_of(reference[0])
        out.append(f'<g class="chart-reference"><line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.2f}" y2="{y:.2f}" '
                   f'stroke-dasharray="6 4"/></g>')
    for line in lines:
        out.append(f'<g class="chart-line {escape(line.css)}">')
        runs: list[list[str]] = [[]]
        for index, value in enumerate(line.values):
            if value is None:
                runs.append([])
            else:
                runs[-1].append(f"{centres[index]:.2f},{y_of(value):.2f}")
        for run in runs:
            if len(run) > 1:
                out.append(f'<polyline fill="none" points="{" ".join(run)}"/>')
        for index, value in enumerate(line.values):
            if value is not None:
                out.append(f'<circle cx="{centres[index]:.2f}" cy="{y_of(value):.2f}" r="4" '
                           f'{_mark_attributes(line.name, labels[index], value)}>'
                           f'<title>{escape(labels[index])}: {escape(line.name)} {number(value)}</title></circle>')
        out.append("</g>")
    out += _x_labels(labels, centres, _every(len(labels), 6), TOP + plot_height)
    out += _legend(legend, HEIGHT)
    out.append("</svg>")
    return Markup("\n".join(out))


def stacked_bar_chart(chart_id: str, title: str, description: str, labels: Sequence[str],
                      stacks: Sequence[Series]) -> Markup:
    """One bar per label, made of one segment per series, with a legend."""
    height = HEIGHT + _legend_height(stacks)
    plot_height = HEIGHT - TOP - BOTTOM
    totals = [sum(s.values[i] or 0 for s in stacks) for i in range(len(labels))]
    top, step = nice_scale(max(totals, default=0))
    slot = (WIDTH - LEFT - RIGHT) / max(1, len(labels))
    width = min(slot * 0.7, MAX_BAR)
    out = _open(chart_id, title, description, height) + _y_axis(top, step, plot_height)
    out.append('<g class="chart-marks">')
    centres = []
    for index, label in enumerate(labels):
        x = LEFT + slot * index + (slot - width) / 2
        centres.append(x + width / 2)
        base = 0.0
        for series in stacks:
            value = series.values[index] or 0
            segment = value / top * plot_height
            y = TOP + plot_height - (base + value) / top * plot_height
            out.append(f'<rect class="chart-bar {escape(series.css)}" x="{x:.2f}" y="{y:.2f}" width="{width:.2f}" '
                       f'height="{segment:.2f}" {_mark_attributes(series.name, label, value)}>'
                       f'<title>{escape(label)}: {escape(series.name)} {number(value)}</title></rect>')
            base += value
    out.append("</g>")
    out += _x_labels(labels, centres, _every(len(labels), 8), TOP + plot_height)
    out += _legend(stacks, HEIGHT)
    out.append("</svg>")
    return Markup("\n".join(out))


def horizontal_bar_chart(chart_id: str, title: str, description: str, labels: Sequence[str],
                         values: Sequence[float], series: str, tooltip: str = "{label}: {value}") -> Markup:
    """One horizontal bar per label, labels on the left: for long category names such as exemptions."""
    row = 26
    label_width = 130
    height = TOP + row * max(1, len(labels)) + 36
    top, step = nice_scale(max(values, default=0))
    plot_width = WIDTH - label_width - RIGHT
    out = _open(chart_id, title, description, height)
    out.append('<g class="chart-axis chart-x-axis">')
    value = 0.0
    while value <= top + 1e-9:
        x = label_width + value / top * plot_width
        out.append(f'<line class="chart-grid" x1="{x:.1f}" x2="{x:.1f}" y1="{TOP}" y2="{height - 30}"/>')
        out.append(f'<text x="{x:.1f}" y="{height - 12}" text-anchor="middle">{number(value)}</text>')
        value += step
    out.append("</g>")
    out.append('<g class="chart-marks">')
    for index, (label, count) in enumerate(zip(labels, values, strict=True)):
        y = TOP + index * row
        out.append(f'<text class="chart-category" x="{label_width - 8}" y="{y + row / 2 + FONT / 3:.1f}" '
                   f'text-anchor="end">{escape(label)}</text>')
        out.append(f'<rect class="chart-bar chart-series-1" x="{label_width}" y="{y + 4}" '
                   f'width="{count / top * plot_width:.2f}" height="{row - 8}" '
                   f'{_mark_attributes(series, label, count)}>'
                   f'<title>{escape(tooltip.format(label=label, value=number(count)))}</title></rect>')
    out.append("</g>")
    out.append("</svg>")
    return Markup("\n".join(out))
