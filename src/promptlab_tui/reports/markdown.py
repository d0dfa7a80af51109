"""The report as Markdown (tables with pipes), for pasting into an issue or a wiki."""

from __future__ import annotations

from typing import TYPE_CHECKING

from promptlab_tui.reports.sections import Table, build

if TYPE_CHECKING:
    from promptlab_tui.services.dashboard_report import ReportData


# Names come from users: HTML is written as entities and Markdown's marks are backslash-escaped, so a name
# shows as typed and never becomes a tag, a link, emphasis or a new table column.
_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
_MARKS = set("\\`*_[]|#~!")


def _cell(text: str) -> str:
    out = []
    for char in text.replace("\r", " ").replace("\n", " "):
        out.append(_ENTITIES.get(char) or ("\\" + char if char in _MARKS else char))
    return "".join(out)


def _table(table: Table) -> list[str]:
    align = ["---:" if i in table.numeric else "---" for i in range(len(table.headers))]
    lines = [f"## {_cell(table.title)}", "", "| " + " | ".join(map(_cell, table.headers)) + " |",
             "| " + " | ".join(align) + " |"]
    lines += ["| " + " | ".join(map(_cell, row)) + " |" for row in table.rows]
    if table.total:
        lines.append("| " + " | ".join(f"**{_cell(c)}**" if c else "" for c in table.total) + " |")
    if table.note:
        lines += ["", f"_{_cell(table.note)}_"]
    return lines + [""]


def render_markdown(data: ReportData) -> str:
    report = build(data, compact=False)
    lines = [f"# {_cell(report.title)}", "", _cell(report.subtitle), ""]
    if report.empty_hint:
        return "\n".join(lines + [_cell(report.empty_hint), ""])
    lines += [f"- **{k}:** {_cell(v)}" for k, v in report.summary] + ["", "## Forecast", ""]
    lines += [f"- **{k}:** {_cell(v)}" for k, v in report.forecast] + [""]
    for table in report.tables:
        lines += _table(table)
    if report.recommendations:
        lines += ["## Recommendations", ""]
        lines += [f"{n}. **{_cell(title)}**  \n   {_cell(how)}" for n, (title, how) in enumerate(report.recommendations, 1)]
        if report.savings_line:
            lines += ["", _cell(report.savings_line)]
    return "\n".join(lines) + "\n"
