"""The report's charts as a few vector shapes (rectangles, lines, text), drawn by the HTML (SVG) and PDF renderers.

Daily cost bars with the forecast to the period's end and the budget's daily share; cost by the chosen group;
input vs output tokens per day; spend by weekday x hour. Coordinates in points, origin top-left.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from promptlab_tui.core.money import format_usd

if TYPE_CHECKING:
    from promptlab_tui.services.dashboard import DashboardView

ACTUAL, FORECAST, BUDGET, INPUT, OUTPUT, GRID, INK = "#3b6fd8", "#b9cbef", "#d1495b", "#3b6fd8", "#e09f3e", "#dddddd", \
    "#333333"


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    w: float
    h: float
    fill: str


@dataclass(frozen=True)
class Line:
    x1: float
    y1: float
    x2: float
    y2: float
    color: str
    dashed: bool = False
    width: float = 1.0


@dataclass(frozen=True)
class Text:
    x: float
    y: float
    text: str
    size: float = 7
    anchor: str = "start"  # start | middle | end
    color: str = INK


@dataclass
class Chart:
    title: str
    width: float
    height: float
    shapes: list = field(default_factory=list)
    legend: str = ""


def _scale(top: int) -> int:
    return max(top, 1)


def daily_cost(view: DashboardView, width: float = 500, height: float = 160) -> Chart:
    chart = Chart("Daily cost", width, height, legend="bars: actual; light bars: forecast"
                  + ("; red dashed line: the budget's daily share" if view.cards.budget_nanos else ""))
    left, bottom, top = 46, height - 18, 12
    actual = {p.first: p.totals.cost_nanos for p in view.daily}
    projected = dict(view.forecast.projection)
    days = [p.first for p in view.daily]
    budget_day = view.cards.budget_nanos // max(view.period.days, 1) if view.cards.budget_nanos else None
    peak = _scale(max([*actual.values(), *projected.values(), budget_day or 0], default=0))
    step = (width - left - 4) / max(len(days), 1)
    for index, day in enumerate(days):
        x = left + index * step
        if day in projected and projected[day] > actual.get(day, 0):
            h = (bottom - top) * projected[day] / peak
            chart.shapes.append(Rect(x + step * 0.1, bottom - h, step * 0.8, h, FORECAST))
        h = (bottom - top) * actual.get(day, 0) / peak
        if h > 0:
            chart.shapes.append(Rect(x + step * 0.1, bottom - h, step * 0.8, h, ACTUAL))
        if len(days) <= 31 and (index % max(1, len(days) // 8) == 0):
            chart.shapes.append(Text(x + step / 2, height - 6, day.strftime("%m-%d"), 6, "middle"))
    chart.shapes += [Line(left, bottom, width - 4, bottom, INK), Line(left, top, left, bottom, INK),
                     Text(left - 3, top + 4, format_usd(peak), 6, "end"), Text(left - 3, bottom, "$0", 6, "end")]
    if budget_day:
        y = bottom - (bottom - top) * budget_day / peak
        chart.shapes.append(Line(left, y, width - 4, y, BUDGET, dashed=True, width=1.2))
    return chart


def by_group(view: DashboardView, width: float = 500, rows: int = 8) -> Chart:
    items = view.breakdown.rows[:rows]
    height = 14 + 16 * max(len(items), 1)
    chart = Chart(f"Cost by {view.group_by}", width, height)
    peak = _scale(max((r.totals.cost_nanos for r in items), default=0))
    label_w, value_w = 150, 70
    for index, row in enumerate(items):
        y = 8 + index * 16
        w = (width - label_w - value_w) * row.totals.cost_nanos / peak
        chart.shapes += [Text(label_w - 4, y + 9, _cut(row.label, 28), 7, "end"),
                         Rect(label_w, y + 2, max(w, 0.5), 10, ACTUAL),
                         Text(label_w + w + 4, y + 9, f"{format_usd(row.totals.cost_nanos)} {row.share * 100:.0f}%", 7)]
    return chart


def tokens_over_time(view: DashboardView, width: float = 500, height: float = 140) -> Chart:
    chart = Chart("Input vs output tokens per day", width, height, legend="blue: input tokens; orange: output tokens")
    left, bottom, top = 46, height - 14, 10
    points = view.daily
    peak = _scale(max((max(p.totals.total_input_tokens, p.totals.output_tokens) for p in points), default=0))
    step = (width - left - 4) / max(len(points) - 1, 1)
    for series, color in ((lambda p: p.totals.total_input_tokens, INPUT), (lambda p: p.totals.output_tokens, OUTPUT)):
        coords = [(left + i * step, bottom - (bottom - top) * series(p) / peak) for i, p in enumerate(points)]
        chart.shapes += [Line(a[0], a[1], b[0], b[1], color, width=1.4) for a, b in zip(coords, coords[1:])]
    chart.shapes += [Line(left, bottom, width - 4, bottom, INK), Line(left, top, left, bottom, INK),
                     Text(left - 3, top + 4, f"{peak:,}", 6, "end"), Text(left - 3, bottom, "0", 6, "end")]
    return chart


def heat_map(view: DashboardView, width: float = 500) -> Chart:
    cell = (width - 40) / 24
    height = 7 * cell + 20
    chart = Chart("Spend by weekday and hour", width, height, legend="darker: more spend")
    peak = _scale(max((max(row) for row in view.heat_map.cost_nanos), default=0))
    for weekday, row in enumerate(view.heat_map.cost_nanos):
        chart.shapes.append(Text(34, weekday * cell + cell * 0.7, "MTWTFSS"[weekday], 7, "end"))
        for hour, value in enumerate(row):
            chart.shapes.append(Rect(40 + hour * cell, weekday * cell, cell - 1, cell - 1, _shade(value / peak)))
    for hour in range(0, 24, 3):
        chart.shapes.append(Text(40 + hour * cell + cell / 2, 7 * cell + 10, f"{hour:02d}", 6, "middle"))
    return chart


def _shade(level: float) -> str:
    if level <= 0:
        return "#f3f3f3"
    light, dark = (0xdd, 0xe6, 0xf7), (0x1f, 0x3f, 0x8f)
    return "#" + "".join(f"{round(a + (b - a) * level):02x}" for a, b in zip(light, dark))


def _cut(text: str, size: int) -> str:
    return text if len(text) <= size else text[:size - 3] + "..."


def all_charts(view: DashboardView) -> list[Chart]:
    return [daily_cost(view), by_group(view), tokens_over_time(view), heat_map(view)]
