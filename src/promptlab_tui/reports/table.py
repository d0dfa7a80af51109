"""The terminal report: fits the width it is given (compact under 100 columns), cuts names with an ellipsis."""

from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING

from promptlab_tui.reports.sections import Table, build

if TYPE_CHECKING:
    from promptlab_tui.services.dashboard_report import ReportData

GAP = 2
COMPACT_BELOW = 100  # columns: narrower terminals get the compact table (like ccusage)


def fit(text: str, width: int) -> str:
    return text if len(text) <= width else text[:max(0, width - 1)] + "…"


def table_lines(table: Table, width: int) -> list[str]:
    rows = [table.headers, *table.rows] + ([table.total] if table.total else [])
    widths = [max(len(row[i]) for row in rows) for i in range(len(table.headers))]
    over = sum(widths) + GAP * (len(widths) - 1) - width
    if over > 0:
        widths[table.shrink] = max(6, widths[table.shrink] - over)

    def line(cells: list[str]) -> str:
        out = [fit(c, w).rjust(w) if i in table.numeric else fit(c, w).ljust(w)
               for i, (c, w) in enumerate(zip(cells, widths))]
        return (" " * GAP).join(out).rstrip()

    rule = "-" * min(width, sum(widths) + GAP * (len(widths) - 1))
    lines = [table.title, line(table.headers), rule, *(line(row) for row in table.rows)]
    if table.total:
        lines += [rule, line(table.total)]
    if table.note:
        lines += textwrap.wrap(f"Note: {table.note}", width)
    return lines


def _pairs(pairs: list[tuple[str, str]], width: int) -> list[str]:
    label = max((len(k) for k, _ in pairs), default=0) + 2
    out = []
    for key, value in pairs:
        wrapped = textwrap.wrap(value, max(20, width - label)) or [""]
        out.append(f"{key.ljust(label)}{wrapped[0]}")
        out += [" " * label + more for more in wrapped[1:]]
    return out


def render_table(data: ReportData, width: int = 80) -> str:
    width = max(40, width)
    report = build(data, compact=width < COMPACT_BELOW)
    lines = textwrap.wrap(report.title, width) + textwrap.wrap(report.subtitle, width) + [""]
    if report.empty_hint:
        return "\n".join(textwrap.wrap(report.empty_hint, width)) + "\n"
    lines += _pairs(report.summary, width) + ["", "Forecast"] + _pairs(report.forecast, width)
    for table in report.tables:
        lines += [""] + table_lines(table, width)
    if report.recommendations:
        lines += ["", "Recommendations"]
        for number, (title, how) in enumerate(report.recommendations, 1):
            lines += textwrap.wrap(f"{number}. {title}", width, subsequent_indent="   ")
            lines += textwrap.wrap(how, width, initial_indent="   ", subsequent_indent="   ")
        if report.savings_line:
            lines += textwrap.wrap(report.savings_line, width)
    return "\n".join(lines) + "\n"
