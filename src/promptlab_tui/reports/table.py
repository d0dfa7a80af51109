"""The terminal report: fits the width it is given (compact under 100 columns), cuts names with an ellipsis.

Widths are terminal cells, not characters: a CJK character or an emoji takes two (rich's cell_len).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.cells import cell_len

from promptlab_tui.reports.sections import Table, build

if TYPE_CHECKING:
    from promptlab_tui.services.dashboard_report import ReportData

GAP = 2
COMPACT_BELOW = 100  # columns: narrower terminals get the compact table (like ccusage)


def fit(text: str, width: int) -> str:
    """`text` in at most `width` cells, cut with an ellipsis."""
    if cell_len(text) <= width:
        return text
    out, used = [], 0
    for char in text:
        size = cell_len(char)
        if used + size > width - 1:
            break
        out.append(char)
        used += size
    return "".join(out) + "…"


def pad(text: str, width: int, right: bool = False) -> str:
    """`text` padded with spaces to `width` cells (on the left when `right`)."""
    space = " " * max(0, width - cell_len(text))
    return space + text if right else text + space


def wrap(text: str, width: int, indent: str = "", first: str = "") -> list[str]:
    """textwrap.wrap by cells: words (split on spaces) fill lines of `width` cells; a longer word is cut."""
    lines, line = [], first
    for word in text.split():
        if line.strip() and cell_len(line) + 1 + cell_len(word) <= width:
            line += " " + word
            continue
        if line.strip():
            lines.append(line)
            line = indent
        line += word
        while cell_len(line) > width:  # a word wider than the line: cut it by cells
            head = fit(line, width + 1)[:-1]
            lines.append(head)
            line = indent + line[len(head):]
    if line.strip():
        lines.append(line)
    return lines


def table_lines(table: Table, width: int) -> list[str]:
    rows = [table.headers, *table.rows] + ([table.total] if table.total else [])
    widths = [max(cell_len(row[i]) for row in rows) for i in range(len(table.headers))]
    over = sum(widths) + GAP * (len(widths) - 1) - width
    if over > 0:
        widths[table.shrink] = max(6, widths[table.shrink] - over)

    def line(cells: list[str]) -> str:
        out = [pad(fit(c, w), w, right=i in table.numeric) for i, (c, w) in enumerate(zip(cells, widths))]
        return (" " * GAP).join(out).rstrip()

    rule = "-" * min(width, sum(widths) + GAP * (len(widths) - 1))
    lines = [table.title, line(table.headers), rule, *(line(row) for row in table.rows)]
    if table.total:
        lines += [rule, line(table.total)]
    if table.note:
        lines += wrap(f"Note: {table.note}", width)
    return lines


def _pairs(pairs: list[tuple[str, str]], width: int) -> list[str]:
    label = max((cell_len(k) for k, _ in pairs), default=0) + 2
    out = []
    for key, value in pairs:
        wrapped = wrap(value, max(20, width - label)) or [""]
        out.append(f"{pad(key, label)}{wrapped[0]}")
        out += [" " * label + more for more in wrapped[1:]]
    return out


def render_table(data: ReportData, width: int = 80) -> str:
    width = max(40, width)
    report = build(data, compact=width < COMPACT_BELOW)
    lines = wrap(report.title, width) + wrap(report.subtitle, width) + [""]
    if report.empty_hint:
        return "\n".join(wrap(report.empty_hint, width)) + "\n"
    lines += _pairs(report.summary, width) + ["", "Forecast"] + _pairs(report.forecast, width)
    for table in report.tables:
        lines += [""] + table_lines(table, width)
    if report.recommendations:
        lines += ["", "Recommendations"]
        for number, (title, how) in enumerate(report.recommendations, 1):
            lines += wrap(f"{number}. {title}", width, indent="   ")
            lines += wrap(how, width, indent="   ", first="   ")
        if report.savings_line:
            lines += wrap(report.savings_line, width)
    return "\n".join(lines) + "\n"
